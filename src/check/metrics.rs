//! OpenMetrics text of the relays checked: what rnyx judges (alerts,
//! consensus, flags) and the figures tor's own MetricsPort does not export
//! (descriptors against the limit, memory, start time, advertised
//! bandwidth, accounting). Traffic, connections and circuits are left to
//! the MetricsPort (`tor_relay_*`).

use super::{watched_flags, Checked, Finding};
use rnyx_model::health::{Severity, RULES};
use rnyx_model::ControllerState;
use std::fmt::Write as _;

/// A label value, escaped as OpenMetrics wants (`\\`, `\"`, `\n`).
fn escape(v: &str) -> String {
    let v = rnyx_model::text::strip_controls(v);
    v.replace('\\', "\\\\").replace('"', "\\\"")
}

/// One family: its help, its type (gauge), its samples.
struct Family {
    name: &'static str,
    help: &'static str,
    samples: Vec<(String, f64)>,
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// The families, empty.
fn families() -> Vec<Family> {
    vec![
        Family { name: "rnyx_up", help: "Whether rnyx could watch the relay's tor (1) or not (0).", samples: vec![] },
        Family { name: "rnyx_alert", help: "An alert of this kind: 0 inactive, 1 warning, 2 critical.", samples: vec![] },
        Family { name: "rnyx_alerts_worst", help: "The worst alert active: 0 none, 1 warning, 2 critical.", samples: vec![] },
        Family { name: "rnyx_in_consensus", help: "Whether the consensus tor holds lists the relay.", samples: vec![] },
        Family { name: "rnyx_flag", help: "Whether the relay holds this flag in the consensus.", samples: vec![] },
        Family { name: "rnyx_tor_open_fds", help: "File descriptors tor has open.", samples: vec![] },
        Family { name: "rnyx_tor_max_fds", help: "tor's limit of open file descriptors.", samples: vec![] },
        Family { name: "rnyx_tor_resident_memory_bytes", help: "tor's resident memory.", samples: vec![] },
        Family { name: "rnyx_tor_start_time_seconds", help: "When tor started, in Unix seconds.", samples: vec![] },
        Family { name: "rnyx_bandwidth_advertised_bytes", help: "The bandwidth the relay advertises (bytes a second): the least of its rate, burst and observed bandwidth.", samples: vec![] },
        Family { name: "rnyx_accounting_left_bytes", help: "Bytes left in the accounting interval (the lesser of read and written).", samples: vec![] },
        Family { name: "rnyx_consensus_weight", help: "The relay's consensus weight (w Bandwidth=) in the last consensus rnyx saw.", samples: vec![] },
        Family { name: "rnyx_consensus_weight_share", help: "The relay's share of the network's consensus weight, from 0 to 1.", samples: vec![] },
    ]
}

/// OpenMetrics text built a relay at a time: `--dump --format
/// openmetrics` and `rnyx watch`'s `/metrics` write the same families.
pub struct Exposition(Vec<Family>);

impl Default for Exposition {
    fn default() -> Self {
        Self(families())
    }
}

impl Exposition {
    /// A relay's samples, labelled `relay` (and `host` when tor is on
    /// another machine): `up` and its state's figures; a relay not
    /// watched only `rnyx_up 0` and, where its state says why (a task that
    /// watches on), its alerts.
    pub fn relay(
        &mut self,
        name: &str,
        host: Option<&str>,
        up: bool,
        state: Option<&ControllerState>,
    ) {
        let f = &mut self.0;
        let mut relay = format!("relay=\"{}\"", escape(name));
        if let Some(host) = host {
            relay = format!("{relay},host=\"{}\"", escape(host));
        }
        f[0].samples
            .push((format!("{{{relay}}}"), if up { 1.0 } else { 0.0 }));
        if let Some(s) = state {
            alert_samples(f, &relay, s);
            if up {
                relay_samples(f, &relay, s);
            }
        }
    }

    /// The text (ends with `# EOF`).
    pub fn text(self) -> String {
        let mut out = String::new();
        for fam in self.0 {
            if fam.samples.is_empty() {
                continue;
            }
            let _ = writeln!(out, "# HELP {} {}", fam.name, fam.help);
            let _ = writeln!(out, "# TYPE {} gauge", fam.name);
            for (labels, v) in fam.samples {
                let _ = writeln!(out, "{}{labels} {}", fam.name, number(v));
            }
        }
        out.push_str("# EOF\n");
        out
    }
}

fn alert_samples(f: &mut [Family], relay: &str, s: &ControllerState) {
    let settings = &s.health.settings;
    for rule in RULES {
        if settings.off(rule.kind) {
            continue;
        }
        let level = s
            .health
            .active
            .iter()
            .find(|a| a.kind == rule.kind)
            .map_or(0.0, |a| level(a.severity));
        f[1].samples
            .push((format!("{{{relay},kind=\"{}\"}}", rule.name), level));
    }
    let worst = s.health.worst().map_or(0.0, level);
    f[2].samples.push((format!("{{{relay}}}"), worst));
}

fn relay_samples(f: &mut [Family], relay: &str, s: &ControllerState) {
    let r = &s.facts.relay;
    if let Some(fp) = &r.fingerprint {
        if !s.facts.consensus.is_empty() {
            let listed = s.facts.consensus.get(fp).is_some();
            f[3].samples
                .push((format!("{{{relay}}}"), if listed { 1.0 } else { 0.0 }));
            for flag in watched_flags() {
                let has = r.flags.iter().any(|x| x == flag);
                f[4].samples.push((
                    format!("{{{relay},flag=\"{flag}\"}}"),
                    if has { 1.0 } else { 0.0 },
                ));
            }
        }
    }
    let mut one = |i: usize, v: Option<f64>| {
        if let Some(v) = v {
            f[i].samples.push((format!("{{{relay}}}"), v));
        }
    };
    one(5, s.facts.system.tor_fds.map(|v| v as f64));
    one(6, s.facts.system.tor_fd_limit.map(|v| v as f64));
    one(7, s.facts.system.tor_memory.map(|v| v as f64));
    one(8, r.start_time.map(|v| v as f64));
    let advertised = [r.bandwidth_rate, r.bandwidth_burst, r.bandwidth_observed]
        .into_iter()
        .flatten()
        .min();
    one(9, advertised.filter(|_| r.is_relay()).map(|v| v as f64));
    one(
        10,
        r.accounting
            .as_ref()
            .map(|a| a.read_left.min(a.written_left) as f64),
    );
    let last = s.load.standing.latest().filter(|m| m.listed);
    one(11, last.and_then(|m| m.weight).map(|w| w as f64));
    one(
        12,
        last.and_then(rnyx_model::load::Mark::share)
            .map(|p| p / 100.0),
    );
}

fn level(s: Severity) -> f64 {
    match s {
        Severity::Warning => 1.0,
        Severity::Critical => 2.0,
    }
}

/// The OpenMetrics text of the relays checked (ends with `# EOF`).
pub fn openmetrics(checked: &[Checked]) -> String {
    let mut e = Exposition::default();
    for c in checked {
        match &c.finding {
            Finding::Watched(s) => e.relay(&c.name, c.host.as_deref(), true, Some(s)),
            _ => e.relay(&c.name, c.host.as_deref(), false, None),
        }
    }
    e.text()
}
