use super::*;
use crate::graph::Bound;

fn app(confirm_quit: bool) -> App {
    App::new(AppSettings {
        keymap: Keymap::default(),
        theme: Theme { color: false },
        confirm_quit,
        graph: GraphPanel {
            stat: GraphStat::Bandwidth,
            interval: Interval::EachSecond,
            bound: Bound::LocalMax,
            height: 7,
            max_width: 300,
            bits: false,
            show_accounting: true,
        },
    })
}

fn connected() -> ControllerState {
    let mut s = ControllerState::default();
    s.connection.connected = true;
    s
}

#[test]
fn quit_needs_confirmation_when_configured() {
    let s = connected();
    let mut a = app(true);
    assert!(a.handle_key(Key::Char('q'), &s, 0).is_empty());
    assert_eq!(a.notice(), Some("Are you sure (q again to confirm)?"));
    assert_eq!(a.handle_key(Key::Char('q'), &s, 0), [Effect::Quit]);
    // Another key cancels.
    a.handle_key(Key::Char('q'), &s, 0);
    assert!(a.handle_key(Key::Char('x'), &s, 0).is_empty());
    assert!(a.handle_key(Key::Char('p'), &s, 0).is_empty());
    assert!(a.is_paused(), "after cancelling, keys act again");
    let mut a = app(false);
    assert_eq!(a.handle_key(Key::Char('q'), &s, 0), [Effect::Quit]);
    assert_eq!(app(true).handle_key(Key::Ctrl('c'), &s, 0), [Effect::Quit]);
}

#[test]
fn newnym_is_rate_limited_and_needs_tor() {
    let mut a = app(true);
    assert!(a
        .handle_key(Key::Char('n'), &ControllerState::default(), 100)
        .is_empty());
    assert_eq!(a.notice(), Some("tor is not connected"));
    let s = connected();
    assert_eq!(
        a.handle_key(Key::Char('n'), &s, 100),
        [Effect::Signal("NEWNYM".into())]
    );
    assert!(a.handle_key(Key::Char('n'), &s, 104).is_empty());
    assert_eq!(
        a.notice(),
        Some("tor allows a new identity every 10 seconds; try again in 6 s")
    );
    assert_eq!(
        a.handle_key(Key::Char('n'), &s, 110),
        [Effect::Signal("NEWNYM".into())]
    );
}

#[test]
fn reload_asks_first() {
    let s = connected();
    let mut a = app(true);
    assert!(a.handle_key(Key::Char('x'), &s, 0).is_empty());
    assert!(
        a.handle_key(Key::Char('n'), &s, 0).is_empty(),
        "n answers no, not NEWNYM"
    );
    a.handle_key(Key::Char('x'), &s, 0);
    assert_eq!(
        a.handle_key(Key::Char('y'), &s, 0),
        [Effect::Signal("RELOAD".into())]
    );
}

#[test]
fn reconnect_only_when_disconnected() {
    let mut a = app(true);
    assert!(a.handle_key(Key::Char('r'), &connected(), 0).is_empty());
    assert_eq!(a.notice(), Some("already connected to tor"));
    assert_eq!(
        a.handle_key(Key::Char('r'), &ControllerState::default(), 0),
        [Effect::Reconnect]
    );
}

#[test]
fn graph_menus_bounds_and_resize() {
    let s = connected();
    let mut a = app(true);
    a.handle_key(Key::Char('i'), &s, 0);
    a.handle_key(Key::Down, &s, 0);
    a.handle_key(Key::Down, &s, 0);
    a.handle_key(Key::Enter, &s, 0);
    assert_eq!(a.graph.interval, Interval::ThirtySeconds);
    a.handle_key(Key::Char('s'), &s, 0);
    a.handle_key(Key::Up, &s, 0);
    a.handle_key(Key::Esc, &s, 0);
    assert_eq!(a.graph.stat, GraphStat::Bandwidth, "Esc cancels");
    a.handle_key(Key::Char('s'), &s, 0);
    a.handle_key(Key::Down, &s, 0);
    a.handle_key(Key::Enter, &s, 0);
    assert_eq!(a.graph.stat, GraphStat::Connections);
    a.handle_key(Key::Char('b'), &s, 0);
    assert_eq!(a.graph.bound, Bound::Tight);
    a.handle_key(Key::Char('g'), &s, 0);
    a.handle_key(Key::Down, &s, 0);
    a.handle_key(Key::Down, &s, 0);
    a.handle_key(Key::Up, &s, 0);
    a.handle_key(Key::Enter, &s, 0);
    assert_eq!(a.graph.height, 8);
    a.handle_key(Key::Down, &s, 0);
    assert_eq!(a.graph.height, 8, "resize mode ended");
}

#[test]
fn pause_freezes_a_snapshot() {
    let mut live = connected();
    live.traffic_read = 1;
    let mut a = app(true);
    a.handle_key(Key::Char('p'), &live, 0);
    live.traffic_read = 2;
    assert_eq!(a.paused.as_ref().unwrap().traffic_read, 1);
    a.handle_key(Key::Char('p'), &live, 0);
    assert!(!a.is_paused());
}

#[test]
fn rebound_keys_drive_actions() {
    let mut keymap = Keymap::default();
    keymap.bind(Action::Quit, &[Key::Esc]);
    let mut a = App::new(AppSettings {
        keymap,
        ..app(false).settings()
    });
    assert!(a.handle_key(Key::Char('q'), &connected(), 0).is_empty());
    assert_eq!(a.handle_key(Key::Esc, &connected(), 0), [Effect::Quit]);
}

impl App {
    fn settings(&self) -> AppSettings {
        AppSettings {
            keymap: self.keymap.clone(),
            theme: self.theme,
            confirm_quit: self.confirm_quit,
            graph: self.graph.clone(),
        }
    }
}
