//! `rnyx --check` (a monitoring plugin for Nagios, Icinga, Zabbix or cron)
//! and `rnyx --dump --format openmetrics` (for Prometheus' textfile
//! collector): each relay watched for a moment, its alerts judged, then
//! said in the plugin format or as OpenMetrics text.

use crate::controller::ControllerConfig;
use crate::dump::{watched, DumpError};
use rnyx_model::health::{self, Severity, WATCHED_FLAGS};
use rnyx_model::ControllerState;
use std::fmt::Write as _;
use std::time::Duration;

mod metrics;
#[cfg(test)]
mod tests;

pub use metrics::{openmetrics, Exposition};

/// What became of watching one relay.
#[derive(Debug, Clone)]
pub enum Finding {
    /// Its state, alerts judged.
    Watched(Box<ControllerState>),
    /// tor is down, refuses the connection or never settled: critical.
    Down(String),
    /// The check cannot work (authentication refused, a bad password
    /// file): unknown.
    Unknown(String),
}

/// One relay's name and what watching it found.
#[derive(Debug, Clone)]
pub struct Checked {
    pub name: String,
    /// The machine tor is on, when not this one (over ssh).
    pub host: Option<String>,
    pub finding: Finding,
}

/// The plugin's exit codes (monitoring-plugins guidelines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        }
    }

    /// Worse first: CRITICAL, UNKNOWN, WARNING, OK.
    fn rank(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Unknown => 2,
            Status::Critical => 3,
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

/// How long the system sample (tor's descriptors) may take after the state
/// settled: tor sends a BW event a second, and the sample comes with it; on
/// a loaded machine (seen: the suite's tors beside it) later than 2.5 s,
/// and a check without it would miss the descriptors' alert.
const SAMPLE_WITHIN: Duration = Duration::from_secs(10);

/// Watches one relay (its task's settings, from nyxrc) until its state
/// settles, a system sample is in and, where tor has a MetricsPort, two
/// readings of it a second apart give rates; its alerts judged by nyxrc's.
pub async fn watch(task: ControllerConfig) -> Finding {
    let settings = task.alerts.clone();
    let settings = &settings;
    // The kept history is read (a flag lost before this run), never
    // written.
    let config = ControllerConfig {
        history_read_only: true,
        prepopulate_lines: 0,
        metrics_interval: Duration::from_secs(1),
        ..task
    };
    let handle = match watched(config).await {
        Ok(h) => h,
        // tor down or hung is critical; a path, a permission or a password
        // to fix says nothing of tor: unknown.
        Err(DumpError::Connect(e)) if !e.failure().may_pass() => {
            return Finding::Unknown(e.to_string())
        }
        Err(e) => return Finding::Down(e.to_string()),
    };
    let deadline = tokio::time::Instant::now() + SAMPLE_WITHIN;
    while tokio::time::Instant::now() < deadline
        && handle.state.read(|s| {
            let m = &s.load.metrics;
            let rates_due = matches!(m.port, rnyx_model::load::MetricsPort::At(_))
                && m.error.is_none()
                && (m.read_ms.is_none()
                    || !m.series.is_empty() && !m.series.iter().any(|x| x.rate.is_some()));
            rates_due
                || s.facts.relay.pid.is_some()
                    && s.facts.system.tor_fds.is_none()
                    && s.facts.system.unseen.is_none()
        })
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let now = handle.state.now_secs();
    let mut state = handle.state.snapshot();
    health::evaluate(&mut state, settings, now);
    Finding::Watched(Box::new(state))
}

/// The plugin's output and exit status for every relay checked.
pub fn report(checked: &[Checked]) -> (Status, String) {
    let statuses: Vec<Status> = checked.iter().map(|c| status_of(&c.finding)).collect();
    let worst = statuses
        .iter()
        .copied()
        .max_by_key(|s| s.rank())
        .unwrap_or(Status::Unknown);
    let mut out = format!("RNYX {} - ", worst.word());
    if let [one] = checked {
        out.push_str(&summary(one));
    } else {
        let bad = statuses.iter().filter(|s| **s == worst).count();
        let _ = write!(
            out,
            "{bad} of {} relays {}",
            checked.len(),
            worst.word().to_lowercase()
        );
        if let Some(first) = checked.iter().zip(&statuses).find(|(_, s)| **s == worst) {
            let _ = write!(out, ", {}", summary(first.0));
        }
    }
    out.push('\n');
    for c in checked {
        if checked.len() > 1 {
            let _ = writeln!(
                out,
                "{}: {} - {}",
                plain(&c.name),
                status_of(&c.finding).word(),
                summary(c)
            );
        }
        if let Finding::Watched(s) = &c.finding {
            let unread = not_read(s);
            if !unread.is_empty() {
                let _ = writeln!(out, "{}: not read: {}", plain(&c.name), unread.join("; "));
            }
            for a in &s.health.active {
                let rule = a.rule();
                let _ = writeln!(
                    out,
                    "{}: {} {}; to do: {}",
                    plain(&c.name),
                    a.severity.as_str().to_uppercase(),
                    plain(&a.described()),
                    rule.advice
                );
            }
        }
    }
    let perf: Vec<String> = checked.iter().flat_map(perfdata).collect();
    if !perf.is_empty() {
        let _ = writeln!(out, "| {}", perf.join(" "));
    }
    (worst, out)
}

fn status_of(o: &Finding) -> Status {
    match o {
        Finding::Down(_) => Status::Critical,
        Finding::Unknown(_) => Status::Unknown,
        Finding::Watched(s) => match s.health.worst() {
            None => Status::Ok,
            Some(Severity::Warning) => Status::Warning,
            Some(Severity::Critical) => Status::Critical,
        },
    }
}

/// Text for the plugin's output: no control characters, no `|` (which
/// starts the performance data).
fn plain(s: &str) -> String {
    rnyx_model::text::strip_controls(s).replace('|', "/")
}

/// `relay0: Running Fast Guard Stable Valid, 2.1 MB/s`, or the worst
/// alert, or why the relay could not be watched.
fn summary(c: &Checked) -> String {
    let name = plain(&c.name);
    match &c.finding {
        Finding::Down(why) => format!("{name}: {}", plain(why)),
        Finding::Unknown(why) => format!("{name}: cannot check: {}", plain(why)),
        Finding::Watched(s) => {
            if let Some(a) = s.health.active.first() {
                let more = s.health.active.len() - 1;
                let more = if more > 0 {
                    format!(", {more} more")
                } else {
                    String::new()
                };
                return format!("{name}: {}{more}", plain(&a.described()));
            }
            let mut flags: Vec<&str> = s.facts.relay.flags.iter().map(String::as_str).collect();
            flags.sort_unstable();
            let what = match (s.facts.relay.is_relay(), flags.is_empty()) {
                (false, _) => "not a relay".to_owned(),
                (true, true) => "no flags".to_owned(),
                (true, false) => plain(&flags.join(" ")),
            };
            format!("{name}: {what}, {}", rate_text(recent_rate(s)))
        }
    }
}

/// What the alerts would need and rnyx could not read, said so the check
/// is not taken for more than it is.
fn not_read(s: &ControllerState) -> Vec<String> {
    let mut missing = Vec::new();
    match (
        s.facts.relay.pid,
        s.facts.system.tor_fds,
        &s.facts.system.unseen,
    ) {
        (Some(_), None, Some(why)) => missing.push(format!(
            "tor's open files, CPU and memory ({})",
            rnyx_model::text::strip_controls(why)
        )),
        (Some(pid), None, None) => missing.push(format!(
            "tor's open files (/proc/{pid}/fd: run as root or tor's user)"
        )),
        _ => {}
    }
    if s.facts.relay.is_relay() {
        if s.facts.consensus.is_empty() {
            missing.push("the consensus (tor has none yet)".to_owned());
        }
        if s.health.cert_expires.is_none() {
            missing.push(
                "the signing certificate (DataDirectory/keys/ed25519_signing_cert: run as tor's user)"
                    .to_owned(),
            );
        }
    }
    missing
}

/// Bytes a second, read or written (the larger), over the last minute.
pub(crate) fn recent_rate(s: &ControllerState) -> f64 {
    let recent: Vec<u64> = s
        .traffic
        .bandwidth
        .iter()
        .rev()
        .take(60)
        .map(|b| b.read.max(b.written))
        .collect();
    if recent.is_empty() {
        return 0.0;
    }
    recent.iter().sum::<u64>() as f64 / recent.len() as f64
}

fn rate_text(bytes: f64) -> String {
    let units = ["B/s", "KB/s", "MB/s", "GB/s"];
    let mut v = bytes;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{v:.1} {}", units[i])
}

/// A label for the performance data: letters, digits, `_`, `.` and `-`.
fn label(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One relay's performance data (plugin format: `label=value[UOM];warn;crit;min;max`).
fn perfdata(checked: &Checked) -> Vec<String> {
    let Finding::Watched(state) = &checked.finding else {
        return Vec::new();
    };
    let name = label(&checked.name);
    let thresholds = &state.health.settings.thresholds;
    let recent = || state.traffic.bandwidth.iter().rev().take(60);
    let read: u64 = recent().map(|b| b.read).sum();
    let written: u64 = recent().map(|b| b.written).sum();
    let samples = state.traffic.bandwidth.len().clamp(1, 60) as u64;
    let mut perf = vec![
        format!("{name}_read_Bps={};;;0", read / samples),
        format!("{name}_written_Bps={};;;0", written / samples),
        format!("{name}_circuits={};;;0", state.net.circuits.len()),
        format!(
            "{name}_connections={};;;0",
            state.net.connections.list.len()
        ),
        format!("{name}_alerts={};;;0", state.health.active.len()),
    ];
    if let (Some(fds), Some(limit)) = (state.facts.system.tor_fds, state.facts.system.tor_fd_limit)
    {
        let at = |pct: f64| format!("{:.0}", limit as f64 * pct / 100.0);
        perf.push(format!(
            "{name}_fds={fds};{};{};0;{limit}",
            at(thresholds.fd_warning),
            at(thresholds.fd_critical)
        ));
    }
    if let Some(cpu) = state.facts.system.tor_cpu {
        perf.push(format!("{name}_cpu={cpu:.1}%;;;0"));
    }
    if let Some(mem) = state.facts.system.tor_memory {
        perf.push(format!("{name}_memory={mem}B;;;0"));
    }
    perf
}

/// The flags whose loss is an alert, for the metrics.
pub(crate) fn watched_flags() -> &'static [&'static str] {
    WATCHED_FLAGS
}
