//! `rnyx watch` measured (`--watch SECONDS`): on relay0 with no traffic,
//! then under downloads back to back, beside the monitor (rnyx on the same
//! relay, its default events) in the same run: CPU and resident memory.
//! Then 100 scrapes a second of its `/metrics` for the same time over one
//! kept-alive connection, as Prometheus scrapes: each scrape's latency
//! (p50, p99, max) and rnyx watch's CPU meanwhile. The event rate is
//! counted on a control connection subscribed as rnyx is.

use super::{raw_counter_of, Bench, EXIT};
use crate::procfs::{cpu_seconds, status_kb};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The events rnyx subscribes to by default (its required ones, and its
/// default log: NOTICE and up).
const WATCH_EVENTS: &str = "BW,CIRC,ORCONN,STREAM,NS,NEWCONSENSUS,STATUS_GENERAL,STATUS_CLIENT,STATUS_SERVER,CONF_CHANGED,SIGNAL,NETWORK_LIVENESS,NOTICE,WARN,ERR";

fn start_watch(bench: &Bench, home: &Path) -> (Child, std::net::SocketAddr) {
    let log = home.join("watch.log");
    let mut child = Command::new(&bench.a.rnyx)
        .args(["watch", "--socket"])
        .arg(&bench.ctl)
        .arg("--config")
        .arg(&bench.empty)
        .args(["--listen", "127.0.0.1:0"])
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("rnyx watch");
    for _ in 0..300 {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(at) = text
            .split("serving /metrics and /healthz on http://")
            .nth(1)
            .and_then(|a| a.lines().next()?.trim().parse().ok())
        {
            return (child, at);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!(
        "rnyx watch did not start: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

/// CPU percent of a core and RSS of `pid` over `secs`, while `during` runs.
struct Use {
    cpu_pct: f64,
    rss_mb: f64,
    anon_mb: f64,
    file_mb: f64,
}

fn used(pid: u32, cpu0: f64, secs: f64) -> Use {
    let mb = |k| status_kb(pid, k) as f64 / 1024.0;
    Use {
        cpu_pct: (cpu_seconds(pid) - cpu0) / secs * 100.0,
        rss_mb: mb("VmRSS:"),
        anon_mb: mb("RssAnon:"),
        file_mb: mb("RssFile:"),
    }
}

fn say(what: &str, u: &Use) {
    println!(
        "  {what}: CPU {:.3} % of a core; RSS {:.1} MB = {:.1} anonymous + {:.1} file-backed",
        u.cpu_pct, u.rss_mb, u.anon_mb, u.file_mb
    );
}

/// Both side by side for `secs`, with or without downloads.
fn phase(bench: &Bench, watch: u32, monitor: u32, secs: u64, load: bool) {
    let relay = bench.net.tors.iter().find(|t| t.name == EXIT).unwrap();
    let (reader, stop_counter, counted) = raw_counter_of(relay.target(), WATCH_EVENTS);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let downloads = scope.spawn(|| {
            while load && !stop.load(Ordering::Relaxed) {
                bench.workload();
            }
        });
        let (w0, m0, e0) = (
            cpu_seconds(watch),
            cpu_seconds(monitor),
            counted.load(Ordering::Relaxed),
        );
        let start = Instant::now();
        std::thread::sleep(Duration::from_secs(secs));
        let secs = start.elapsed().as_secs_f64();
        let events = counted.load(Ordering::Relaxed) - e0;
        let (w, m) = (used(watch, w0, secs), used(monitor, m0, secs));
        stop.store(true, Ordering::Relaxed);
        println!(
            "rnyx watch on {EXIT}, {} for {secs:.0} s, {:.0} events/s (its subscription):",
            if load {
                "downloads back to back"
            } else {
                "no traffic"
            },
            events as f64 / secs
        );
        say("rnyx watch", &w);
        say("rnyx (the monitor)", &m);
        println!(
            "  ratio watch/monitor: CPU {:.2}, RSS {:.2}",
            w.cpu_pct / m.cpu_pct.max(1e-9),
            w.rss_mb / m.rss_mb
        );
        let _ = downloads.join();
    });
    stop_counter.send(()).unwrap();
    let _ = reader.join();
}

/// One scrape on a kept-alive connection: the body's length.
fn scrape(conn: &mut BufReader<TcpStream>) -> usize {
    conn.get_mut()
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: rnyx\r\n\r\n")
        .unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        conn.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body).unwrap();
    length
}

/// 100 scrapes a second for `secs`, while downloads run.
fn scrapes(bench: &Bench, watch: u32, at: std::net::SocketAddr, secs: u64) {
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let downloads = scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                bench.workload();
            }
        });
        let mut conn = BufReader::new(TcpStream::connect(at).unwrap());
        let cpu0 = cpu_seconds(watch);
        let start = Instant::now();
        let mut took = Vec::new();
        let mut size = 0;
        let n = secs * 100;
        for i in 0..n {
            let due = start + Duration::from_millis(i * 10);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let t = Instant::now();
            size = scrape(&mut conn);
            took.push(t.elapsed());
        }
        let secs = start.elapsed().as_secs_f64();
        let u = used(watch, cpu0, secs);
        stop.store(true, Ordering::Relaxed);
        took.sort();
        let at = |per_mille: usize| {
            took[(took.len() * per_mille / 1000).min(took.len() - 1)].as_secs_f64() * 1000.0
        };
        println!(
            "rnyx watch: {n} scrapes of /metrics ({size} bytes) in {secs:.1} s on one connection, downloads back to back: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            at(500),
            at(990),
            took.last().unwrap().as_secs_f64() * 1000.0
        );
        say("rnyx watch meanwhile", &u);
        let _ = downloads.join();
    });
}

pub fn run(bench: &Bench, secs: u64) {
    let home = tempfile::Builder::new()
        .prefix("rnyx-watch-bench-")
        .tempdir()
        .unwrap();
    let (mut watch, at) = start_watch(bench, home.path());
    let command = format!(
        "{} --socket {} --config {}",
        bench.a.rnyx.display(),
        bench.ctl.display(),
        bench.empty.display()
    );
    let monitor = bench.start("watch-beside", &command);
    std::thread::sleep(Duration::from_secs(bench.a.settle.max(10)));
    phase(bench, watch.id(), monitor, secs, false);
    phase(bench, watch.id(), monitor, secs, true);
    bench.tmux.stop("watch-beside");
    scrapes(bench, watch.id(), at, secs);
    let _ = Command::new("kill")
        .args(["-TERM", &watch.id().to_string()])
        .status();
    let status = watch.wait().unwrap();
    println!("rnyx watch stopped on SIGTERM: {status}");
}
