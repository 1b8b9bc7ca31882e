//! A busy relay's connections page: 10,000 sockets, 5,000 circuits and a
//! consensus of 7,000 relays. One refresh (read the `/proc` TCP tables, join
//! them to the descriptors, classify) and one frame of the page at 160×50.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rnyx::config::Config;
use rnyx::controller::apply_connections;
use rnyx::procfs::sockets::{Ports, Scanner};
use rnyx_grammar::model::{
    Circuit, CircuitStatus, CompactString, ControllerState, Listeners, RelayEntry,
};
use rnyx_panels::app::App;

mod common;
use common::rss_kib;

const NOW: u64 = 1_795_255_200;
const SOCKETS: u32 = 10_000;
const CIRCUITS: u64 = 5_000;
const RELAYS: u32 = 7_000;

/// 10.x.y.z for relay `i`.
fn ip(i: u32) -> [u8; 4] {
    let [_, b, c, d] = i.to_be_bytes();
    [10, b, c, d]
}

/// A socket that closes with a reset: none of the bench's sockets is left
/// in TIME_WAIT, where the kernel's table would hold thousands of them by
/// the end of a run (and for a minute after, slowing the next run's walk).
fn reset_on_close(s: std::net::TcpStream) -> std::net::TcpStream {
    socket2::SockRef::from(&s)
        .set_linger(Some(std::time::Duration::ZERO))
        .expect("SO_LINGER");
    s
}

/// 10,000 established loopback sockets held by this process (5,000
/// connected pairs): the refresh then reads the real `/proc/self/net/tcp`
/// and joins it to this process's real descriptors, as it does for tor.
fn sockets() -> (std::net::TcpListener, Vec<std::net::TcpStream>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut held = Vec::new();
    for _ in 0..SOCKETS / 2 {
        let Ok(client) = std::net::TcpStream::connect(listener.local_addr().unwrap()) else {
            break;
        };
        let (server, _) = listener.accept().unwrap();
        held.push(reset_on_close(client));
        held.push(reset_on_close(server));
    }
    if held.len() < SOCKETS as usize {
        eprintln!(
            "only {} sockets (raise the descriptor limit for the full 10,000)",
            held.len()
        );
    }
    (listener, held)
}

fn state() -> ControllerState {
    let mut s = ControllerState::default();
    s.connection.connected = true;
    s.relay.listeners = Listeners {
        or: vec!["203.0.113.5:9001".into()],
        ..Listeners::default()
    };
    s.relay.exits = true;
    s.consensus_mut().replace((0..RELAYS).map(|i| RelayEntry {
        fingerprint: format!("{i:040X}"),
        nickname: format!("relay{i}"),
        or_address: Some(std::net::SocketAddr::from((ip(i), 9001))),
        ipv6_address: None,
        flags: "Fast Guard Running Stable Valid".into(),
    }));
    for id in 0..CIRCUITS {
        let hop = |n: u64| format!("${:040X}~relay{n}", n % u64::from(RELAYS));
        s.circuits.apply(Circuit {
            id,
            status: CircuitStatus::Built,
            path: rnyx::control::names::parse_path(&format!(
                "{},{},{}",
                hop(id),
                hop(id + 1),
                hop(id + 2)
            ))
            .expect("long names per the spec"),
            build_flags: CompactString::default(),
            purpose: Some("GENERAL".into()),
            time_created: None,
        });
    }
    s
}

fn bench(c: &mut Criterion) {
    let (listener, held) = sockets();
    let before = rss_kib();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", std::process::id()));
    let mut s = state();
    s.relay.listeners.or = vec![listener.local_addr().unwrap().to_string()];
    let mut scanner = Scanner::default();
    apply_connections(&mut s, scanner.scan(&proc_dir, &Ports::default()), NOW);
    eprintln!("socket table read by {:?}", s.connections.table);
    eprintln!(
        "state of {} connections, {} circuits, {} relays: {:.1} MiB more resident memory",
        s.connections.list.len(),
        s.circuits.len(),
        s.consensus.len(),
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
    assert_eq!(s.connections.list.len(), held.len());
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
    assert_eq!(s.connections.list.len(), held.len());
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
