//! Sixteen relays in one rnyx: the overview's frame at 160×50 (with the
//! rows the UI loop makes from every relay's state each frame), and the
//! resident memory one more idle relay's state costs (a consensus of 7,000
//! relays, 1,000 log entries, full graphs).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rnyx::config::Config;
use rnyx_model::{
    ConsensusIndex, ControllerState, LogEntry, LogSource, RelayEntry, RelayRow, Runlevel,
};
use rnyx_panels::app::App;

mod common;
use common::rss_kib;

const RELAYS: usize = 16;

fn relay_state(n: usize, consensus: &std::sync::Arc<ConsensusIndex>) -> ControllerState {
    // Relays of one network hold one consensus: the controller shares its
    // index between them (`controller::consensus`).
    let mut s = ControllerState::default();
    s.facts.consensus = consensus.clone();
    s.session.connection.connected = n % 5 != 3;
    s.facts.relay.nickname = Some(format!("relay{n}"));
    s.facts.relay.fingerprint = Some(format!("{n:040X}"));
    s.facts.relay.version = Some("0.4.9.11".into());
    s.facts.relay.flags = vec![
        "Fast".into(),
        "Guard".into(),
        "Running".into(),
        "Stable".into(),
        "Valid".into(),
    ];
    for i in 0..1000u64 {
        s.logs.log.push(LogEntry::new(
            i * 1000,
            LogSource::Tor(if i % 50 == 0 {
                Runlevel::Warn
            } else {
                Runlevel::Notice
            }),
            format!("message {i} about circuit {}", i * 7),
        ));
    }
    for i in 0..86_400u32 {
        let v = f64::from(i % 600) * 1000.0;
        s.traffic.bandwidth_graph.push(v, v / 2.0);
    }
    s
}

fn consensus() -> ConsensusIndex {
    let mut c = ConsensusIndex::default();
    c.replace((0..7000u32).map(|i| {
        let [_, b, c, d] = i.to_be_bytes();
        RelayEntry {
            fingerprint: format!("{i:040X}"),
            nickname: format!("peer{i}"),
            or_address: Some(std::net::SocketAddr::from(([10, b, c, d], 9001))),
            ipv6_address: None,
            flags: "Fast Running Stable Valid".into(),
        }
    }));
    c
}

fn bench(c: &mut Criterion) {
    let before = rss_kib();
    let shared = std::sync::Arc::new(consensus());
    let index = (rss_kib().saturating_sub(before)) as f64 / 1024.0;
    let before = rss_kib();
    let states: Vec<ControllerState> = (0..RELAYS).map(|n| relay_state(n, &shared)).collect();
    let per = (rss_kib().saturating_sub(before)) as f64 / 1024.0 / RELAYS as f64;
    eprintln!("a 7,000-relay consensus index: {index:.1} MiB resident, once per network");
    eprintln!(
        "one more relay's state besides (1,000 log entries, a day of graph): {per:.1} MiB resident"
    );
    // The history file of a relay whose graphs are full at every interval.
    let mut full = ControllerState::default();
    for i in 0..2_000_000u32 {
        let v = f64::from(i % 977) * 1234.5;
        full.traffic.bandwidth_graph.push(v, v / 3.0);
        full.traffic
            .connections_graph
            .push(f64::from(i % 300), f64::from(i % 200));
        full.traffic
            .resources_graph
            .push(f64::from(i % 100) / 7.0, f64::from(i) * 1024.0);
    }
    let saved = rnyx::history::Saved::of(&full, &"F".repeat(40), 1);
    let size = serde_json::to_vec(&saved).unwrap().len();
    eprintln!(
        "history file with every interval full (23 days of seconds): {} KiB",
        size / 1024
    );
    let names: Vec<rnyx_model::RelayName> = (0..RELAYS)
        .map(|n| rnyx_model::RelayName::found(format!("/run/tor-instances/relay{n}/control")))
        .collect();
    let mut settings = Config::default().app_settings();
    settings
        .hidden_pages
        .retain(|p| *p != rnyx_panels::pages::overview::ID);
    let mut app = App::new(settings);
    let area = Rect::new(0, 0, 160, 50);
    let mut buf = Buffer::empty(area);
    let mut g = c.benchmark_group("fleet");
    g.bench_function("rows_of_16_relays", |b| {
        b.iter(|| {
            names
                .iter()
                .zip(&states)
                .map(|(n, s)| RelayRow::of(n, black_box(s)))
                .collect::<Vec<_>>()
        });
    });
    g.bench_function("overview_frame_16_relays_160x50", |b| {
        b.iter(|| {
            let rows = names
                .iter()
                .zip(&states)
                .map(|(n, s)| RelayRow::of(n, s))
                .collect();
            app.set_fleet(rows, 0);
            buf.reset();
            app.render(black_box(&states[0]), 1_000_000, area, &mut buf);
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
