//! A replay's start: a 10-minute recording (the shipped demo's three
//! minutes played end to end until ten minutes are filled) read, parsed into
//! its script, and the monitor's state connected and subscribed. Not
//! criterion: one start is what an operator meets; several rounds printed.

use rnyx::record::{Line, Recording};
use std::io::Write;
use std::time::{Duration, Instant};

/// The demo recording repeated, times shifted, to `minutes`.
fn long_recording(minutes: u64) -> Vec<u8> {
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
            if k > 0 && (l.d == ">" || !l.l.starts_with("650") && l.d == "<") {
                continue;
            }
            let line = Line { t, ..l.clone() };
            writeln!(out, "{}", serde_json::to_string(&line).unwrap()).unwrap();
        }
        k += 1;
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
    let bytes = long_recording(10);
    for round in 1..=5 {
        let start = Instant::now();
        let recording: Recording = rnyx::record::read_from("ten minutes", &bytes[..]).unwrap();
        let read = start.elapsed();
        let player = rnyx::replay::Player::new("ten minutes", &recording, 1.0);
        let parsed = start.elapsed();
        let lines = recording.lines.len();
        let length = player.clock.length();
        let ready = rt.block_on(async {
            let handle = rnyx::monitor::spawn_replay(player, &rnyx::config::Config::default());
            loop {
                if handle.state.read(|s| !s.subscribed_events.is_empty()) {
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
