//! What reading tor's MetricsPort costs rnyx: tor 0.4.9.11's answer on the
//! private network's relay (25.9 KB, `fuzz/seeds/metrics_text`) served on a
//! unix socket by a thread standing in for tor, then, as the task does it:
//! the HTTP GET, the body read to its Content-Length, the Prometheus text
//! parsed, the kept families read into the state with their rates. The
//! task's thread's CPU time per reading, and the share of a core that is at
//! the default interval (5 s). Not criterion: several rounds printed.

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::time::Duration;

const READINGS: u32 = 2000;
const ROUNDS: usize = 5;

/// This thread's time on a CPU, in nanoseconds
/// (`/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Serves `body` as tor does to every connection on `path`.
fn serve(path: &std::path::Path, body: &'static [u8]) {
    let listener = UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut c) = conn else { continue };
            let mut request = [0u8; 512];
            let _ = c.read(&mut request);
            let head = format!(
                "HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = c.write_all(head.as_bytes());
            let _ = c.write_all(body);
        }
    });
}

fn main() {
    let body: &'static [u8] = include_bytes!("../fuzz/seeds/metrics_text/tor_0.4.9_relay");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("metrics");
    serve(&path, body);
    let at = format!("unix:{}", path.display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "MetricsPort reading: {} bytes, {READINGS} readings a round",
        body.len()
    );
    for round in 1..=ROUNDS {
        let mut metrics = rnyx_model::load::Metrics::default();
        let start = thread_cpu_ns();
        rt.block_on(async {
            for i in 0..READINGS {
                let text = rnyx::host::metrics::fetch(&at).await.unwrap();
                let e = rnyx_grammar::metrics::parse(&text);
                let samples = e.samples.into_iter().map(|s| {
                    let counter = s.name.ends_with("_total");
                    (s.name, s.labels, s.value, counter)
                });
                metrics.read(samples, u64::from(i) * 5000);
            }
        });
        let per = (thread_cpu_ns() - start) as f64 / f64::from(READINGS);
        let share = per / Duration::from_secs(5).as_nanos() as f64 * 100.0;
        println!(
            "round {round}: {:.0} µs of CPU a reading ({} series kept), {share:.4} % of a core every 5 s",
            per / 1000.0,
            metrics.series.len()
        );
    }
}
