//! A replay's start: 10-minute recordings read, parsed into their script,
//! and the monitor's state connected and subscribed. Two: the shipped demo's
//! three minutes played end to end until ten minutes are filled (an exit
//! relay's events at NOTICE), and the same with 1,000 more INFO log events a
//! second (a relay logging at INFO). Not criterion: one start is what an
//! operator meets; several rounds printed.

use rnyx::record::{Kind, Line, Recording};
use std::io::Write;
use std::time::{Duration, Instant};

/// The demo recording repeated, times shifted, to `minutes`, with `rate`
/// INFO events a second more.
fn long_recording(minutes: u64, rate: u64) -> Vec<u8> {
    let demo = rnyx::record::read_from("demo", rnyx::demo::RECORDING).unwrap();
    let length = demo.lines.last().map_or(1, |l| l.t.max(1)) + 1;
    let mut out = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    writeln!(out, "{}", serde_json::to_string(&demo.header).unwrap()).unwrap();
    let mut k = 0;
    'fill: loop {
        for l in &demo.lines {
            let t = l.t + k * length;
            if t > minutes * 60_000 {
                break 'fill;
            }
            // Only the first copy's start: the rest is events and samples.
            if k > 0 && (l.d == Kind::Sent || !l.l.starts_with("650") && l.d == Kind::Received) {
                continue;
            }
            let line = Line { t, ..l.clone() };
            writeln!(out, "{}", serde_json::to_string(&line).unwrap()).unwrap();
        }
        k += 1;
    }
    for i in 0..minutes * 60 * rate {
        let line = Line {
            t: i * 1000 / rate,
            d: Kind::Received,
            l: format!(
                "650 INFO circuit_mark_for_close_(): Circuit {} marked for close at relay.c:{} (orig reason: {}, new reason: 0)",
                i * 7919 % 100_000,
                i % 2000,
                i % 9
            ),
        };
        writeln!(out, "{}", serde_json::to_string(&line).unwrap()).unwrap();
    }
    out.finish().unwrap()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for rate in [0, 1000] {
        start(&rt, &long_recording(10, rate));
    }
    record_cost(&rt);
}

fn start(rt: &tokio::runtime::Runtime, bytes: &[u8]) {
    let t = Instant::now();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut plain).unwrap();
    println!(
        "inflating alone: {:.1} MB in {:.1} ms",
        plain.len() as f64 / 1e6,
        t.elapsed().as_secs_f64() * 1e3
    );
    for round in 1..=3 {
        let start = Instant::now();
        let recording: Recording =
            rnyx::record::read_from("ten minutes", std::io::Cursor::new(bytes.to_vec())).unwrap();
        let read = start.elapsed();
        let lines = recording.lines.len();
        let player = rnyx::replay::Player::new("ten minutes", recording, 1.0);
        let parsed = start.elapsed();
        let length = player.clock.length();
        let ready = rt.block_on(async {
            let handle = rnyx::monitor::spawn_replay(player, &rnyx::config::Config::default());
            loop {
                if handle.state.read(|s| !s.logs.subscribed_events.is_empty()) {
                    return start.elapsed();
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        });
        println!(
            "round {round}: {:.2} MB compressed, {lines} lines, {:.0} s: read {:.1} ms, script {:.1} ms, connected and subscribed {:.1} ms",
            bytes.len() as f64 / 1e6,
            length as f64 / 1000.0,
            read.as_secs_f64() * 1e3,
            parsed.saturating_sub(read).as_secs_f64() * 1e3,
            ready.as_secs_f64() * 1e3,
        );
    }
}

/// What recording costs per event: DEBUG-like lines through a tapped
/// stream into a recording, until the file is closed.
fn record_cost(rt: &tokio::runtime::Runtime) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let events = 500_000u64;
    let mut text = Vec::new();
    for i in 0..events {
        let _ = write!(
            text,
            "650 DEBUG conn_read_callback(): socket {} wants to read. [{} bytes]\r\n",
            i % 4000 + 12,
            i * 7 % 65_536
        );
    }
    for round in 1..=3 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.gz");
        let recorder = rnyx::record::Recorder::create(&path, 1 << 30).unwrap();
        let start = Instant::now();
        rt.block_on(async {
            let (a, mut b) = tokio::io::duplex(1 << 16);
            let mut tapped = recorder.tap(a);
            let feed = async {
                for chunk in text.chunks(16 * 1024) {
                    b.write_all(chunk).await.unwrap();
                }
                drop(b);
            };
            let drain = async {
                let mut buf = vec![0; 64 * 1024];
                while tapped.read(&mut buf).await.unwrap() > 0 {}
            };
            tokio::join!(feed, drain);
        });
        recorder.close();
        let took = start.elapsed();
        let size = std::fs::metadata(&path).unwrap().len();
        println!(
            "record round {round}: {events} events ({:.1} MB) in {:.0} ms: {:.2} µs an event, {:.2} MB written",
            text.len() as f64 / 1e6,
            took.as_secs_f64() * 1e3,
            took.as_secs_f64() * 1e6 / events as f64,
            size as f64 / 1e6
        );
    }
}
