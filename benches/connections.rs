//! A busy relay's connections page: 10,000 sockets, 5,000 circuits and a
//! consensus of 7,000 relays. One refresh (read the `/proc` TCP tables, join
//! them to the descriptors, classify) and one frame of the page at 160×50.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rnyx::config::Config;
use rnyx::controller::apply_connections;
use rnyx::procfs::sockets::{Ports, Scanner};
use rnyx_panels::app::App;

mod common;
use common::rss_kib;

const NOW: u64 = 1_795_255_200;
const SOCKETS: u32 = 10_000;
const CIRCUITS: u64 = 5_000;
const RELAYS: u32 = 7_000;

#[path = "common/busy.rs"]
mod busy;
use busy::{reset_on_close, sockets, state};

fn bench(c: &mut Criterion) {
    let (listener, held) = sockets(SOCKETS);
    let before = rss_kib();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", std::process::id()));
    let mut s = state(RELAYS, CIRCUITS);
    s.facts.relay.listeners.or = vec![listener.local_addr().unwrap().to_string()];
    let mut scanner = Scanner::default();
    apply_connections(&mut s, scanner.scan(&proc_dir, &Ports::default()), NOW);
    eprintln!("socket table read by {:?}", s.net.connections.table);
    eprintln!(
        "state of {} connections, {} circuits, {} relays: {:.1} MiB more resident memory",
        s.net.connections.list.len(),
        s.net.circuits.len(),
        s.facts.consensus.len(),
        (rss_kib().saturating_sub(before)) as f64 / 1024.0
    );
    let mut g = c.benchmark_group("connections");
    // What every refresh after the first costs: the descriptors already known.
    g.bench_function("refresh_10k_sockets", |b| {
        b.iter(|| {
            let found = scanner.scan(black_box(&proc_dir), &Ports::default());
            apply_connections(&mut s, found, NOW);
        });
    });
    assert_eq!(s.net.connections.list.len(), held.len());
    // A busy relay between two refreshes: 100 of its sockets closed, 100
    // new ones (50 connected pairs each way), so tor's descriptors are read.
    let mut held = held;
    g.bench_function("refresh_with_100_new", |b| {
        b.iter_batched(
            || {
                held.drain(..100);
                for _ in 0..50 {
                    let client =
                        std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
                    let (server, _) = listener.accept().unwrap();
                    held.push(reset_on_close(client));
                    held.push(reset_on_close(server));
                }
            },
            |()| {
                let found = scanner.scan(black_box(&proc_dir), &Ports::default());
                apply_connections(&mut s, found, NOW);
            },
            criterion::BatchSize::PerIteration,
        );
    });
    assert_eq!(s.net.connections.list.len(), held.len());
    g.bench_function("read_only", |b| {
        b.iter(|| {
            scanner
                .scan(black_box(&proc_dir), &Ports::default())
                .unwrap()
        });
    });
    // The first scan (or the first after tor's restart): every descriptor read.
    g.bench_function("first_read", |b| {
        b.iter(|| {
            Scanner::default()
                .scan(black_box(&proc_dir), &Ports::default())
                .unwrap()
        });
    });
    let found = scanner.scan(&proc_dir, &Ports::default()).unwrap();
    g.bench_function("classify_only", |b| {
        b.iter(|| apply_connections(&mut s, Ok(found.clone()), NOW));
    });
    let mut settings = Config::default().app_settings();
    settings.log.utc_offset = 0;
    let mut app = App::new(settings);
    app.handle_key(rnyx_panels::keymap::Key::Right, &s, NOW);
    let area = Rect::new(0, 0, 160, 50);
    let mut buf = Buffer::empty(area);
    g.bench_function("frame_160x50", |b| {
        b.iter(|| {
            buf.reset();
            app.render(black_box(&s), NOW, area, &mut buf);
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
