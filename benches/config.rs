//! Page 3 with every option of tor's manual (about 390, as many as tor
//! 0.4.9 lists): the first frame after switching to it with all options
//! shown, and the parse of tor's manual (done once, in the background).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rnyx::config::Config;
use rnyx_model::{ControllerState, TorConfig};
use rnyx_panels::app::App;
use rnyx_panels::keymap::Key;

fn state() -> ControllerState {
    let manual = rnyx::manual::embedded();
    let names: Vec<(String, String)> = manual
        .entries()
        .iter()
        .map(|e| (e.name.clone(), "String".to_owned()))
        .collect();
    let values: Vec<(String, Option<String>)> = names
        .iter()
        .map(|(n, _)| (n.clone(), Some(format!("value of {n}"))))
        .collect();
    let mut s = ControllerState::default();
    s.session.connection.connected = true;
    s.facts.config = TorConfig::from_tor(&names, &[], &values, String::new(), None);
    s.facts.config.loaded = 1;
    s.facts.manual = Some(std::sync::Arc::new(manual));
    s
}

fn bench(c: &mut Criterion) {
    let s = state();
    let manual = s.facts.manual.as_deref().unwrap();
    let text: usize = manual
        .entries()
        .iter()
        .map(|e| {
            e.name.len() + e.usage.len() + e.description.iter().map(String::len).sum::<usize>()
        })
        .sum();
    eprintln!(
        "{} options; the manual holds {} entries, {} KiB of text",
        s.facts.config.options.len(),
        manual.len(),
        text / 1024
    );
    let area = Rect::new(0, 0, 160, 50);
    let mut g = c.benchmark_group("config");
    g.bench_function("first_frame_all_options_160x50", |b| {
        b.iter(|| {
            let mut app = App::new(Config::default().app_settings());
            app.handle_key(Key::Right, &s, 0);
            app.handle_key(Key::Right, &s, 0);
            app.handle_key(Key::Char('a'), &s, 0);
            let mut buf = Buffer::empty(area);
            app.render(black_box(&s), 0, area, &mut buf);
            buf
        });
    });
    let text = rnyx::manual::read(std::path::Path::new("assets/tor.1.gz")).unwrap();
    g.bench_function("parse_manual", |b| {
        b.iter(|| rnyx::manual::parse(black_box(&text)));
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
