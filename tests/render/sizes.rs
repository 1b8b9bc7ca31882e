//! Every page, and every popup and prompt its keys open, drawn at every
//! terminal size from 1×1 to 30×14 and at 60 more up to 250×80, with keys
//! pressed between the draws (a resize storm with the operator still
//! typing): nothing panics, and nothing is drawn outside the buffer.

use super::{config_state, connections_state, NOW};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rnyx_model::{ControllerState, RelayName, RelayRow};
use rnyx_panels::app::App;
use rnyx_panels::keymap::Key;

/// The sizes: all small ones, then a fixed pseudo-random spread.
fn sizes() -> Vec<(u16, u16)> {
    let mut all: Vec<(u16, u16)> = (1..=30)
        .flat_map(|w| (1..=14).map(move |h| (w, h)))
        .collect();
    let mut x: u32 = 0x2545_f491;
    for _ in 0..60 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let w = u16::try_from(x % 250).unwrap() + 1;
        let h = u16::try_from((x >> 16) % 80).unwrap() + 1;
        all.push((w, h));
    }
    all
}

fn draw(app: &App, state: &ControllerState, (w, h): (u16, u16)) -> String {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    app.render(state, NOW, area, &mut buf);
    buf.content
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect()
}

/// Page `page` (counted with the overview first) with `keys` pressed.
fn opened(state: &ControllerState, fleet: &[RelayRow], page: usize, keys: &[Key]) -> App {
    // Every page shown, the overview (first) too.
    let mut settings = rnyx::config::Config::default().app_settings();
    settings.hidden_pages.clear();
    let mut app = App::new(settings);
    app.set_fleet(fleet.to_vec(), 0);
    for _ in 0..page {
        app.handle_key(Key::Right, state, NOW);
    }
    for k in keys {
        app.handle_key(*k, state, NOW);
    }
    app
}

#[tokio::test]
async fn every_page_and_popup_at_every_size_down_to_one_cell() {
    let conns = connections_state().await;
    let config = config_state().await;
    let name = |t: &str| RelayName {
        text: t.into(),
        given: false,
    };
    let mut down = ControllerState::default();
    down.session.connection.last_error = Some("tor is not listening at /run/tor/control".into());
    let fleet = vec![
        RelayRow::of(&name("/run/tor-instances/relay0/control"), &conns),
        RelayRow::of(&name("/run/tor-instances/b/control"), &down),
    ];
    let c = Key::Char;
    let screens: Vec<(usize, &ControllerState, Vec<Key>)> = vec![
        (0, &conns, vec![]),
        (0, &conns, vec![c('s')]),
        (1, &conns, vec![]),
        (1, &conns, vec![c('h')]),
        (1, &conns, vec![c('m')]),
        (1, &conns, vec![c('m'), Key::Right, Key::Right]),
        (1, &conns, vec![c('i')]),
        (1, &conns, vec![c('b')]),
        (1, &conns, vec![c('s')]),
        (1, &conns, vec![c('g')]),
        (1, &conns, vec![c('e')]),
        (1, &conns, vec![c('f')]),
        (1, &conns, vec![c('c')]),
        (1, &conns, vec![c('a')]),
        (2, &conns, vec![]),
        (2, &conns, vec![Key::Down, Key::Enter]),
        (2, &conns, vec![Key::Down, c('d')]),
        (2, &conns, vec![c('s')]),
        (2, &conns, vec![c('e')]),
        (2, &conns, vec![c('c')]),
        (3, &config, vec![]),
        (3, &config, vec![Key::Enter]),
        (3, &config, vec![c('w')]),
        (3, &config, vec![c('s')]),
        (3, &config, vec![c('/')]),
        (4, &config, vec![]),
        (4, &config, vec![c('s'), c('l')]),
        (5, &conns, vec![]),
        (5, &conns, vec![Key::Enter]),
        (5, &conns, vec![Key::Enter, c('/'), c('h'), Key::Enter]),
    ];
    let sizes = sizes();
    let mut draws = 0;
    for (page, state, keys) in &screens {
        let plain = draw(&opened(state, &fleet, *page, &[]), state, (120, 40));
        let mut app = opened(state, &fleet, *page, keys);
        if !keys.is_empty() {
            // The keys did something: a popup, a prompt, another order.
            let shown = draw(&app, state, (120, 40));
            assert_ne!(shown, plain, "page {page}, keys {keys:?} changed nothing");
        }
        for (i, &size) in sizes.iter().enumerate() {
            draw(&app, state, size);
            draws += 1;
            // Keys between the draws: moving in lists, menus and popups.
            if i % 7 == 0 {
                let key = [Key::Down, Key::PageDown, Key::Up, Key::End][i / 7 % 4];
                app.handle_key(key, state, NOW);
            }
        }
    }
    eprintln!(
        "{} screens at {} sizes: {draws} draws",
        screens.len(),
        sizes.len()
    );
}
