//! The soak (`--soak SECONDS`): one monitor on relay0 at DEBUG while
//! downloads run back to back, the pages visited in turn, sampled every
//! `--sample` seconds: resident memory, CPU in the interval, relay0's event
//! rate (counted by rnyx's control client alone) and relay0's CPU.

use super::{raw_counter, Bench, EXIT};
use crate::procfs::{cpu_seconds, status_kb};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One sample: seconds since the start, RSS in MB, CPU seconds in the
/// interval, events in the interval.
struct Sample {
    at: u64,
    rss_mb: f64,
    cpu: f64,
    events: u64,
}

pub fn run(bench: &Bench, name: &str) {
    let pid = bench.start("soak", &bench.command(name).unwrap());
    let relay = bench.net.tors.iter().find(|t| t.name == EXIT).unwrap();
    let (reader, stop_counter, counted) = raw_counter(relay.target());
    let interval = Duration::from_secs(bench.a.sample);
    let stop = AtomicBool::new(false);
    let mut samples = Vec::new();
    let batches = std::thread::scope(|scope| {
        let load = scope.spawn(|| {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                bench.workload();
                n += 1;
            }
            n
        });
        let start = Instant::now();
        let (mut cpu0, mut ev0, mut tor0) = (
            cpu_seconds(pid),
            counted.load(Ordering::Relaxed),
            cpu_seconds(bench.tor_pid),
        );
        println!("soak {name}: sampled every {} s", interval.as_secs());
        println!(
            "{:>8} {:>9} {:>9} {:>10} {:>11} {:>14}",
            "minute", "RSS (MB)", "cpu (s)", "% of core", "events/s", "relay0 cpu (s)"
        );
        while start.elapsed().as_secs() < bench.a.soak {
            std::thread::sleep(interval);
            assert!(
                Path::new(&format!("/proc/{pid}")).exists(),
                "{name} exited during the soak"
            );
            // The next page: every page is drawn under the load in turn.
            bench.tmux.keys("soak", &["Right"]);
            let (cpu, ev, tor) = (
                cpu_seconds(pid),
                counted.load(Ordering::Relaxed),
                cpu_seconds(bench.tor_pid),
            );
            let s = Sample {
                at: start.elapsed().as_secs(),
                rss_mb: status_kb(pid, "VmRSS:") as f64 / 1024.0,
                cpu: cpu - cpu0,
                events: ev - ev0,
            };
            println!(
                "{:>8.1} {:>9.1} {:>9.2} {:>10.1} {:>11.0} {:>14.1}",
                s.at as f64 / 60.0,
                s.rss_mb,
                s.cpu,
                s.cpu / interval.as_secs_f64() * 100.0,
                s.events as f64 / interval.as_secs_f64(),
                tor - tor0
            );
            let _ = std::io::stdout().flush();
            (cpu0, ev0, tor0) = (cpu, ev, tor);
            samples.push(s);
        }
        stop.store(true, Ordering::Relaxed);
        load.join().unwrap()
    });
    let peak = status_kb(pid, "VmHWM:") as f64 / 1024.0;
    bench.tmux.stop("soak");
    stop_counter.send(()).unwrap();
    let events = reader.join().unwrap();
    summary(name, &samples, batches, events, peak);
}

/// RSS after the first five minutes against its median, CPU per interval.
fn summary(name: &str, samples: &[Sample], batches: u32, events: u64, peak: f64) {
    let settled: Vec<&Sample> = samples.iter().filter(|s| s.at > 300).collect();
    let mut rss: Vec<f64> = settled.iter().map(|s| s.rss_mb).collect();
    rss.sort_by(f64::total_cmp);
    let mut cpu: Vec<f64> = samples.iter().map(|s| s.cpu).collect();
    cpu.sort_by(f64::total_cmp);
    println!(
        "soak {name}: {batches} download batches, {events} events in all, peak RSS {peak:.1} MB"
    );
    if let (Some(lo), Some(hi)) = (rss.first(), rss.last()) {
        let median = rss[rss.len() / 2];
        println!(
            "  RSS after 5 min: {lo:.1}–{hi:.1} MB, median {median:.1} ({:+.1} % / {:+.1} %)",
            (lo / median - 1.0) * 100.0,
            (hi / median - 1.0) * 100.0
        );
    }
    if let (Some(lo), Some(hi)) = (cpu.first(), cpu.last()) {
        println!(
            "  cpu per interval: {lo:.2}–{hi:.2} s, median {:.2}",
            cpu[cpu.len() / 2]
        );
    }
}
