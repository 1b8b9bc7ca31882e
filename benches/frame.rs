//! The cost of one frame of page 1 at 160×50 with a full log (1000 entries
//! of DEBUG lines), drawn into a buffer as the UI loop does: deduplicated,
//! not, and not but filtered by a regex. At 20 frames a second, a frame of
//! 1 ms is 2 % of a core.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rnyx::config::Config;
use rnyx_model::{ControllerState, EventSelection, LogEntry, LogSource, Runlevel};
use rnyx_panels::app::App;
use rnyx_panels::pages::graph::GraphPage;

const NOW: u64 = 1_795_255_200;

fn state() -> ControllerState {
    let mut s = ControllerState::default();
    s.session.connection.connected = true;
    s.logs.logged_events = EventSelection::parse(["DEBUG,INFO,NOTICE,WARN,ERR"]).0;
    let lines = [
        "conn_read_callback(): socket 14 wants to read.",
        "connection_buf_read_from_socket(): 14: starting, inbuf_datalen 0 (0 pending in tls object). at_most 16448.",
        "circuit_receive_relay_cell(): Sending to origin.",
        "relay_lookup_conn(): found conn for stream 2345.",
        "channel_tls_handle_cell(): Received cell with command 3 on channel 0x55d1c1e4f2a0 (global ID 17).",
        "circuit_package_relay_cell(): encrypting a layer of the relay cell.",
    ];
    for i in 0..5000u64 {
        let text = format!(
            "{} [{i}] {}",
            lines[(i % 6) as usize],
            "x".repeat((i % 50) as usize)
        );
        s.push_log(LogEntry::new(
            NOW * 1000 + i,
            LogSource::Tor(Runlevel::Debug),
            text,
        ));
    }
    s
}

fn bench(c: &mut Criterion) {
    let state = state();
    let area = Rect::new(0, 0, 160, 50);
    let mut app = App::new(Config::default().app_settings());
    let mut buf = Buffer::empty(area);
    let mut g = c.benchmark_group("frame_160x50");
    g.bench_function("full_log", |b| {
        b.iter(|| {
            buf.reset();
            app.render(black_box(&state), NOW, area, &mut buf);
        });
    });
    app.page_mut::<GraphPage>().unwrap().log.deduplicate = false;
    g.bench_function("full_log_no_dedup", |b| {
        b.iter(|| {
            buf.reset();
            app.render(black_box(&state), NOW, area, &mut buf);
        });
    });
    app.page_mut::<GraphPage>()
        .unwrap()
        .log
        .set_filter("socket|cell")
        .unwrap();
    g.bench_function("full_log_filtered", |b| {
        b.iter(|| {
            buf.reset();
            app.render(black_box(&state), NOW, area, &mut buf);
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
