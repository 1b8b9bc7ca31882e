//! The DEBUG firehose benchmark (scripts/firehose-bench.sh runs it).
//!
//! Starts the private network (3 authorities, 2 relays, 1 client) in its
//! loopback-only namespace, with every circuit exiting through relay0 and a
//! byte server inside the namespace. Then, for each of: no monitor, a raw
//! event counter (rnyx's control client counting events, no UI), rnyx, and
//! Debian's nyx — the monitors in a 160×50 tmux, subscribed to tor's DEBUG,
//! INFO, NOTICE, WARN and ERR on relay0 — it runs the same download workload
//! through the network and measures the workload's wall time, the monitor's
//! CPU seconds and peak RSS (VmHWM), and relay0's CPU seconds.
//!
//! cargo run --release --example firehose -- [--parallel N] [--mib M] [--rounds R]

use clap::Parser;
use rnyx::launch::{NetworkSpec, PrivateNetwork};

#[path = "../../tests/support/tmux.rs"]
#[allow(dead_code)] // the tests use more of it
mod tmux;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tmux::Tmux;

mod procfs;
mod soak;
mod watch;
use procfs::{
    cpu_seconds, cpu_with_children, resident_by_mapping, status_kb, switches, thread_switches,
};
use rnyx::launch::sshd::descendants;

const PORT: u16 = 8080;
const EXIT: &str = "relay0";
const EVENTS: &str = "DEBUG,INFO,NOTICE,WARN,ERR";

/// The firehose benchmark's options.
#[derive(Debug, Parser)]
#[command(about = "rnyx and nyx on a private network's exit relay at DEBUG, under a download load")]
struct Args {
    /// The rnyx binary to measure.
    #[arg(long, default_value = "target/release/rnyx")]
    rnyx: PathBuf,
    /// Downloads run at once.
    #[arg(long, default_value_t = 4)]
    parallel: usize,
    /// MiB each download fetches.
    #[arg(long, default_value_t = 40)]
    mib: usize,
    /// Rounds of every monitor, in rotated order.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Seconds a monitor settles before the workload.
    #[arg(long, default_value_t = 5)]
    settle: u64,
    /// Record a `perf` profile of rnyx during its first run to this file
    /// (of `rnyx record` with `--record`).
    #[arg(long)]
    perf: Option<PathBuf>,
    /// After the rounds, keep each monitor under the workload this many
    /// seconds (downloads back to back, the pages visited in turn), printing
    /// its RSS, CPU and the relay's event rate every `--sample` seconds.
    #[arg(long, default_value_t = 0)]
    soak: u64,
    /// A second rnyx binary (say, the previous commit's), measured in the
    /// same rounds as `rnyx b`: an A/B comparison on the same network.
    #[arg(long)]
    rnyx_b: Option<PathBuf>,
    /// Also measure `rnyx record` (the recording's size is reported).
    #[arg(long)]
    record: bool,
    /// Leave nyx out of the rounds.
    #[arg(long)]
    no_nyx: bool,
    /// Also measure rnyx watching the exit relay over ssh (`rnyx ssh`:
    /// through a real sshd in the network's namespace), its CPU with the
    /// ssh client's; with `--idle`, its idle memory beside the local one's.
    #[arg(long)]
    ssh: bool,
    /// After the rounds: rnyx at INFO and up under one download batch (its
    /// log fills to the 1,000 entries it keeps), then this many seconds with
    /// no traffic; prints its resident memory then.
    #[arg(long, default_value_t = 0)]
    idle: u64,
    /// After the rounds: `rnyx watch` on the exit relay this many seconds
    /// with no traffic, then as long under downloads, beside the monitor;
    /// then 100 scrapes a second of its /metrics as long.
    #[arg(long, default_value_t = 0)]
    watch: u64,
    /// The soak's sampling interval, in seconds.
    #[arg(long, default_value_t = 60)]
    sample: u64,
    /// Which monitors the soak runs.
    #[arg(long, value_delimiter = ',', default_value = "rnyx,nyx")]
    soak_monitors: Vec<String>,
}

fn args() -> Args {
    let mut a = Args::parse();
    a.rnyx = std::fs::canonicalize(&a.rnyx).expect("the rnyx binary (build it with --release)");
    a.rnyx_b = a
        .rnyx_b
        .map(|b| std::fs::canonicalize(b).expect("the --rnyx-b binary"));
    a
}

/// Every monitor a round may run, in the order of the report.
const MONITORS: [&str; 7] = [
    "no monitor",
    "raw count",
    "rnyx",
    "rnyx ssh",
    "rnyx record",
    "rnyx b",
    "nyx",
];

/// Runs `parallel` downloads of `bytes` each; returns the wall time.
fn workload(net: &PrivateNetwork, rnyx: &Path, parallel: usize, bytes: usize) -> Duration {
    let socks = net.client().socks_port.unwrap_or(9000).to_string();
    let parent = std::process::id().to_string();
    let start = Instant::now();
    let children: Vec<_> = (0..parallel)
        .map(|_| {
            net.command_in_namespace(&rnyx.to_string_lossy())
                .args(["demo-fetch", "--socks", &socks, "--port", &PORT.to_string()])
                .args(["--parent", &parent, "--once", &bytes.to_string()])
                .stdin(Stdio::null())
                .spawn()
                .expect("a fetcher")
        })
        .collect();
    for mut c in children {
        let status = c.wait().expect("a fetcher's status");
        assert!(status.success(), "a download failed");
    }
    start.elapsed()
}

/// The raw counter's thread, its stop signal, and its running count.
type Counter = (
    std::thread::JoinHandle<u64>,
    std::sync::mpsc::Sender<()>,
    Arc<AtomicU64>,
);

/// Counts every event a DEBUG subscription delivers, with rnyx's client.
fn raw_counter(target: rnyx::control::Target) -> Counter {
    raw_counter_of(target, EVENTS)
}

/// Counts every event a subscription to `events` delivers.
fn raw_counter_of(target: rnyx::control::Target, events: &'static str) -> Counter {
    let counted = Arc::new(AtomicU64::new(0));
    let running = Arc::clone(&counted);
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let h = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut conn = rnyx::control::connect(&[target], None)
                .await
                .expect("connect");
            conn.client
                .command_ok(&format!("SETEVENTS {}", events.replace(',', " ")))
                .await
                .expect("SETEVENTS");
            ready_tx.send(()).unwrap();
            let mut n = 0u64;
            loop {
                tokio::select! {
                    b = conn.events.recv() => match b {
                        Some(b) => {
                            n += b.events() as u64;
                            running.store(n, Ordering::Relaxed);
                        }
                        None => break,
                    },
                    () = tokio::time::sleep(Duration::from_millis(50)) => {
                        if stop_rx.try_recv().is_ok() {
                            break;
                        }
                    }
                }
            }
            n
        })
    });
    ready_rx.recv().unwrap();
    (h, stop_tx, counted)
}

struct Row {
    name: &'static str,
    wall: f64,
    monitor_cpu: Option<f64>,
    monitor_peak_kb: Option<u64>,
    monitor_switches: Option<u64>,
    tor_cpu: f64,
    events: Option<u64>,
    /// Of `events`, those counted while the workload ran.
    workload_events: Option<u64>,
}

/// The network and everything the runs share.
pub(crate) struct Bench {
    a: Args,
    net: PrivateNetwork,
    tmux: Tmux,
    ctl: PathBuf,
    empty: PathBuf,
    tor_pid: u32,
    have_nyx: bool,
    /// With `--ssh`: the server, and the nyxrc whose ssh_command reaches it.
    sshd: Option<(rnyx::launch::sshd::Sshd, PathBuf)>,
}

impl Bench {
    /// The command that starts monitor `name`; `None` for no monitor.
    fn command(&self, name: &str) -> Option<String> {
        let (ctl, empty) = (self.ctl.display(), self.empty.display());
        match name {
            "rnyx" => Some(format!(
                "env RNYX_LOOP_STATS={} {} --socket {ctl} --config {empty} --log {EVENTS}",
                self.loop_stats(name).display(),
                self.a.rnyx.display()
            )),
            "rnyx record" => Some(format!(
                "{} record {} --socket {ctl} --config {empty} --log {EVENTS}",
                self.a.rnyx.display(),
                self.recording().display()
            )),
            "rnyx b" => Some(format!(
                "env RNYX_LOOP_STATS={} {} --socket {ctl} --config {empty} --log {EVENTS}",
                self.loop_stats(name).display(),
                self.a.rnyx_b.as_ref()?.display()
            )),
            "rnyx ssh" => Some(format!(
                "{} --ssh bench{ctl} --config {} --log {EVENTS}",
                self.a.rnyx.display(),
                self.sshd.as_ref()?.1.display()
            )),
            "nyx" => Some(format!(
                "nyx --socket {ctl} --config {empty} --log {EVENTS}"
            )),
            _ => None,
        }
    }

    /// Where monitor `name` writes its UI loop's counters when it ends.
    fn loop_stats(&self, name: &str) -> PathBuf {
        self.empty
            .with_file_name(format!("loop-stats-{}", name.replace(' ', "-")))
    }

    /// Frames drawn and the time they took, as monitor `name` wrote them
    /// when it ended (an rnyx older than the counters writes none).
    fn print_loop_stats(&self, name: &str) {
        let path = self.loop_stats(name);
        for _ in 0..30 {
            if let Ok(text) = std::fs::read_to_string(&path) {
                let _ = std::fs::remove_file(&path);
                let field = |k: &str| -> f64 {
                    let mut words = text.split_whitespace();
                    words
                        .position(|w| w == k)
                        .and_then(|_| words.next())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0.0)
                };
                let frames = field("frames");
                println!(
                    "{name}: {frames} frames, {:.0} µs a frame drawn on average, {:.0} µs at most",
                    field("draw_us") / frames.max(1.0),
                    field("draw_us_max")
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Where `rnyx record` writes.
    fn recording(&self) -> PathBuf {
        self.empty.with_file_name("firehose.rnyx.gz")
    }

    /// Starts a monitor in a 160×50 terminal; returns its pid.
    fn start(&self, session: &str, command: &str) -> u32 {
        self.tmux
            .start(session, &format!("exec {command}"), 160, 50)
            .expect("the monitor's pid")
    }

    fn workload(&self) -> Duration {
        workload(&self.net, &self.a.rnyx, self.a.parallel, self.a.mib << 20)
    }

    /// One measured run of the workload with monitor `name` attached.
    fn run(&self, name: &'static str, round: usize) -> Row {
        let session = format!("m{round}");
        let pid = self.command(name).map(|c| self.start(&session, &c));
        let relay = self.net.tors.iter().find(|t| t.name == EXIT).unwrap();
        let counter = (name == "raw count").then(|| raw_counter(relay.target()));
        std::thread::sleep(Duration::from_secs(self.a.settle));
        let cpu0 = pid.map(|p| monitor_cpu(name, p));
        let sessions0 = self.ssh_sessions();
        let switches0 = pid.map(switches);
        let tor0 = cpu_seconds(self.tor_pid);
        let counted0 = counter.as_ref().map(|c| c.2.load(Ordering::Relaxed));
        eprintln!("round {}: {name}…", round + 1);
        let perf = match (&self.a.perf, pid) {
            (Some(out), Some(p))
                if round == 0 && name == if self.a.record { "rnyx record" } else { "rnyx" } =>
            {
                start_perf(out, p)
            }
            _ => None,
        };
        let wall = self.workload();
        let workload_events = counter
            .as_ref()
            .zip(counted0)
            .map(|(c, n0)| c.2.load(Ordering::Relaxed) - n0);
        if let Some(mut perf) = perf {
            let _ = Command::new("kill")
                .args(["-INT", &perf.id().to_string()])
                .status();
            let _ = perf.wait();
        }
        let tor_cpu = cpu_seconds(self.tor_pid) - tor0;
        let monitor_cpu = pid.zip(cpu0).map(|(p, c)| monitor_cpu(name, p) - c);
        if name == "rnyx ssh" {
            let n = self.ssh_sessions() - sessions0;
            println!(
                "rnyx ssh: {n} remote commands in {:.1} s ({:.2} a second)",
                wall.as_secs_f64(),
                n as f64 / wall.as_secs_f64()
            );
        }
        let monitor_peak_kb = pid.map(|p| status_kb(p, "VmHWM:"));
        let monitor_switches = pid.zip(switches0).map(|(p, n)| switches(p) - n);
        if let Some(p) = pid {
            eprintln!(
                "{name}: context switches by thread {:?}",
                thread_switches(p)
            );
        }
        if let Some(p) = pid {
            assert!(
                Path::new(&format!("/proc/{p}")).exists(),
                "{name} exited during the run"
            );
            self.tmux.stop(&session);
            if name == "rnyx" || name == "rnyx b" {
                self.print_loop_stats(name);
            }
        }
        if name == "rnyx record" {
            std::thread::sleep(Duration::from_secs(2));
            let size = std::fs::metadata(self.recording()).map_or(0, |m| m.len());
            println!(
                "rnyx record: {:.1} MB written in {:.1} s ({:.0} KB/s)",
                size as f64 / 1e6,
                wall.as_secs_f64(),
                size as f64 / 1e3 / wall.as_secs_f64()
            );
        }
        let events = counter.map(|(h, stop, _)| {
            stop.send(()).unwrap();
            h.join().unwrap()
        });
        Row {
            name,
            wall: wall.as_secs_f64(),
            monitor_cpu,
            monitor_peak_kb,
            monitor_switches,
            tor_cpu,
            events,
            workload_events,
        }
    }

    /// Commands sshd has started so far (its log at VERBOSE).
    fn ssh_sessions(&self) -> usize {
        self.sshd.as_ref().map_or(0, |(s, _)| {
            std::fs::read_to_string(s.log())
                .unwrap_or_default()
                .matches("Starting session: command")
                .count()
        })
    }

    /// rnyx idle after a workload at INFO (see `--idle`): its resident
    /// memory, anonymous and file-backed, and the log panel's title; over
    /// ssh too with `--ssh`.
    fn idle(&self) {
        self.idle_one(&format!("--socket {}", self.ctl.display()), &self.empty);
        if let Some((_, nyxrc)) = &self.sshd {
            self.idle_one(&format!("--ssh bench{}", self.ctl.display()), nyxrc);
        }
    }

    fn idle_one(&self, relay: &str, config: &Path) {
        let command = format!(
            "{} {relay} --config {} --log INFO,NOTICE,WARN,ERR",
            self.a.rnyx.display(),
            config.display()
        );
        let pid = self.start("idle", &command);
        std::thread::sleep(Duration::from_secs(self.a.settle));
        self.workload();
        std::thread::sleep(Duration::from_secs(self.a.idle));
        let mb = |key| status_kb(pid, key) as f64 / 1024.0;
        let screen = self.tmux.screen("idle");
        let title = screen.lines().find(|l| l.contains("Events")).unwrap_or("");
        let clients: f64 = descendants(pid)
            .into_iter()
            .map(|p| status_kb(p, "VmRSS:") as f64 / 1024.0)
            .sum();
        println!(
            "idle rnyx ({relay}) {} s after the workload: RSS {:.1} MB = {:.1} anonymous + {:.1} file-backed; peak {:.1} MB; {} threads; its children (ssh) {clients:.1} MB; log: {}",
            self.a.idle,
            mb("VmRSS:"),
            mb("RssAnon:"),
            mb("RssFile:"),
            mb("VmHWM:"),
            status_kb(pid, "Threads:"),
            title.trim()
        );
        println!("  resident by mapping (KB): {}", resident_by_mapping(pid));
        self.tmux.stop("idle");
    }
}

fn main() {
    let a = args();
    let dir = tempfile::Builder::new()
        .prefix("rnyx-firehose-")
        .tempdir()
        .unwrap();
    eprintln!("starting the private network…");
    let spec = NetworkSpec {
        exit_node: Some(EXIT.to_owned()),
        ..NetworkSpec::default()
    };
    let net = PrivateNetwork::start(&dir.path().join("net"), &spec).expect("the network");
    net.wait_bootstrapped(Duration::from_secs(180))
        .unwrap_or_else(|e| panic!("{e}\n{}", net.logs()));
    let mut server = net
        .command_in_namespace(&a.rnyx.to_string_lossy())
        .args(["demo-serve", "--port", &PORT.to_string(), "--unthrottled"])
        .args(["--parent", &std::process::id().to_string()])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let relay = net.tors.iter().find(|t| t.name == EXIT).unwrap();
    let (tor_pid, ctl) = (relay.pid().unwrap(), relay.control_socket());
    wait_for_circuits(&net, &a.rnyx);
    // Warm up: circuits and buffers as they will be in the runs.
    workload(&net, &a.rnyx, a.parallel, a.mib << 18);
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let sshd = a.ssh.then(|| {
        let sshd = rnyx::launch::sshd::Sshd::start(
            &dir.path().join("sshd"),
            2222,
            Some(net.namespace_pid()),
        )
        .expect("sshd");
        let config = sshd
            .client_config(
                &dir.path().join("ssh_config"),
                &["bench"],
                &sshd.identity(),
                &sshd.known_hosts(),
            )
            .unwrap();
        let nyxrc = dir.path().join("ssh.toml");
        std::fs::write(
            &nyxrc,
            format!("ssh_command = \"{}\"\n", sshd.ssh_command(&config)),
        )
        .unwrap();
        (sshd, nyxrc)
    });
    let bench = Bench {
        sshd,
        tmux: Tmux::new("rnyx-firehose"),
        have_nyx: Command::new("nyx").arg("--version").output().is_ok(),
        a,
        net,
        ctl,
        empty,
        tor_pid,
    };
    let mut rows = Vec::new();
    for round in 0..bench.a.rounds {
        // The order rotates each round, so no setup always runs first or
        // after nyx (whose backlog tor may still be draining).
        let mut order: Vec<&'static str> = MONITORS
            .into_iter()
            .filter(|m| match *m {
                "nyx" => bench.have_nyx && !bench.a.no_nyx,
                "rnyx b" => bench.a.rnyx_b.is_some(),
                "rnyx record" => bench.a.record,
                "rnyx ssh" => bench.a.ssh,
                _ => true,
            })
            .collect();
        let n = order.len();
        order.rotate_left(round % n);
        for name in order {
            rows.push(bench.run(name, round));
            std::thread::sleep(Duration::from_secs(2));
        }
    }
    if !rows.is_empty() {
        report(&rows, &bench.a);
    }
    if bench.a.idle > 0 {
        bench.idle();
    }
    if bench.a.watch > 0 {
        watch::run(&bench, bench.a.watch);
    }
    if bench.a.soak > 0 {
        for name in ["rnyx", "nyx"] {
            if bench.a.soak_monitors.iter().any(|m| m == name) && (name == "rnyx" || bench.have_nyx)
            {
                soak::run(&bench, name);
            }
        }
    }
    let _ = server.kill();
    let _ = server.wait();
}

/// Waits until a download through relay0 succeeds.
fn wait_for_circuits(net: &PrivateNetwork, rnyx: &Path) {
    eprintln!("waiting for circuits through {EXIT}…");
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let ok = net
            .command_in_namespace(&rnyx.to_string_lossy())
            .args([
                "demo-fetch",
                "--socks",
                &net.client().socks_port.unwrap_or(9000).to_string(),
            ])
            .args([
                "--port",
                &PORT.to_string(),
                "--parent",
                &std::process::id().to_string(),
            ])
            .args(["--once", "1048576"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no download got through in 180 s"
        );
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// Prints every run, then the medians.
/// A monitor's CPU seconds so far: over ssh, with the ssh client's (the
/// master alive, and every command it ran and waited for).
fn monitor_cpu(name: &str, pid: u32) -> f64 {
    if name == "rnyx ssh" {
        cpu_with_children(pid)
            + descendants(pid)
                .into_iter()
                .map(cpu_with_children)
                .sum::<f64>()
    } else {
        cpu_seconds(pid)
    }
}

fn report(rows: &[Row], a: &Args) {
    println!(
        "workload: {} parallel downloads of {} MiB through {EXIT} (exit), monitors subscribed to {EVENTS} on {EXIT}",
        a.parallel, a.mib
    );
    print_header();
    let median = |name: &str, f: &dyn Fn(&Row) -> Option<f64>| -> Option<f64> {
        let mut v: Vec<f64> = rows
            .iter()
            .filter(|r| r.name == name)
            .filter_map(f)
            .collect();
        v.sort_by(f64::total_cmp);
        (!v.is_empty()).then(|| v[v.len() / 2])
    };
    let base = median("no monitor", &|r| Some(r.wall)).unwrap_or(1.0);
    for r in rows {
        let dash = || "-".to_owned();
        println!(
            "{:<11} {:>10.1} {:>8.2} {:>13} {:>11} {:>15} {:>14.1} {:>10}{}",
            r.name,
            r.wall,
            r.wall / base,
            r.monitor_cpu.map_or_else(dash, |c| format!("{c:.2}")),
            r.monitor_cpu
                .map_or_else(dash, |c| format!("{:.1}", c / r.wall * 100.0)),
            r.monitor_peak_kb
                .map_or_else(dash, |k| format!("{:.1}", k as f64 / 1024.0)),
            r.tor_cpu,
            r.monitor_switches
                .map_or_else(dash, |n| format!("{:.0}", n as f64 / r.wall)),
            r.events
                .zip(r.workload_events)
                .map_or_else(String::new, |(n, w)| format!(
                    "   ({n} events, {:.0}/s with settling; {w} in the workload, {:.0}/s)",
                    n as f64 / (r.wall + a.settle as f64),
                    w as f64 / r.wall
                )),
        );
    }
    println!("\nmedians over {} round(s):", a.rounds);
    print_header();
    for name in MONITORS {
        let Some(wall) = median(name, &|r| Some(r.wall)) else {
            continue;
        };
        let dash = || "-".to_owned();
        let cpu = median(name, &|r| r.monitor_cpu);
        let share = median(name, &|r| r.monitor_cpu.map(|c| c / r.wall * 100.0));
        let peak = median(name, &|r| r.monitor_peak_kb.map(|k| k as f64 / 1024.0));
        let switched = median(name, &|r| r.monitor_switches.map(|n| n as f64 / r.wall));
        println!(
            "{:<11} {:>10.1} {:>8.2} {:>13} {:>11} {:>15} {:>14.1} {:>10}",
            name,
            wall,
            wall / base,
            cpu.map_or_else(dash, |c| format!("{c:.2}")),
            share.map_or_else(dash, |c| format!("{c:.1}")),
            peak.map_or_else(dash, |k| format!("{k:.1}")),
            median(name, &|r| Some(r.tor_cpu)).unwrap_or(0.0),
            switched.map_or_else(dash, |n| format!("{n:.0}")),
        );
    }
    per_event(rows);
}

/// Each monitor's cost per event: its cpu over the events the raw counter
/// saw in the same workload (the median of its runs; a run's count is set by
/// the bytes relayed, within 0.5 %), and what that is at 150,000 a second.
fn per_event(rows: &[Row]) {
    let mut counts: Vec<u64> = rows.iter().filter_map(|r| r.workload_events).collect();
    counts.sort_unstable();
    let Some(&events) = counts.get(counts.len() / 2) else {
        return;
    };
    println!("\nper event ({events} events in a workload, the raw counter's median):");
    for name in MONITORS {
        let mut runs = rows
            .iter()
            .filter(|r| r.name == name)
            .filter_map(|r| Some((r.monitor_cpu?, r.wall)))
            .peekable();
        if runs.peek().is_none() {
            continue;
        }
        let each: Vec<String> = runs
            .map(|(cpu, wall)| {
                let us = cpu / events as f64 * 1e6;
                format!(
                    "{us:.3} µs ({:.0} events/s, {:.1} % at 150k/s)",
                    events as f64 / wall,
                    us * 15.0
                )
            })
            .collect();
        println!("{name:<11} {}", each.join(", "));
    }
}

/// `perf record` of process `pid` into `out`, until interrupted.
fn start_perf(out: &Path, pid: u32) -> Option<std::process::Child> {
    Command::new("perf")
        .args(["record", "-F", "999", "--call-graph", "dwarf,16384", "-o"])
        .arg(out)
        .args(["-p", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

fn print_header() {
    println!(
        "{:<11} {:>10} {:>8} {:>13} {:>11} {:>15} {:>14} {:>10}",
        "monitor",
        "wall (s)",
        "× none",
        "monitor cpu",
        "% of core",
        "peak RSS (MB)",
        "relay0 cpu (s)",
        "switches/s"
    );
}
