//! The operator's side of the alerts: thresholds, and per kind its
//! severity or off (nyxrc's `[alerts]`, `rnyx --check`'s options).

use super::{rule_of, AlertKind, Severity};

/// Where the alerts read off figures begin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Open file descriptors, percent of tor's limit: warning, critical.
    pub fd_warning: f64,
    pub fd_critical: f64,
    /// tor's resident memory, percent of MaxMemInQueues.
    pub memory_warning: f64,
    /// Seconds bootstrap may stay at one percentage below 100.
    pub bootstrap_after: u64,
    /// Seconds tor may think the network is down before it is an alert (a
    /// tor just started thinks so until its first connections).
    pub network_down_after: u64,
    /// Accounting: percent of the interval's allowance used.
    pub accounting_warning: f64,
    /// Traffic, percent of the advertised bandwidth, averaged over the
    /// bandwidth history kept (15 minutes).
    pub bandwidth_low: f64,
    /// Days before the signing certificate expires: warning, critical.
    pub cert_warning_days: f64,
    pub cert_critical_days: f64,
    /// DoS refusals a second (all kinds, between two MetricsPort reads).
    pub dos_refused_rate: f64,
    /// Percent the consensus weight may fall within 24 hours.
    pub weight_drop: f64,
    /// Seconds an onion service's descriptor may be missing from the
    /// HSDirs (never accepted, failed since, or past its re-upload).
    pub onion_descriptor_after: u64,
    /// Seconds a service may have fewer introduction points than wanted.
    pub intro_points_after: u64,
    /// Days a bridge may count no clients (0: never an alert).
    pub bridge_clients_days: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            fd_warning: 80.0,
            fd_critical: 95.0,
            memory_warning: 90.0,
            bootstrap_after: 300,
            network_down_after: 60,
            accounting_warning: 90.0,
            bandwidth_low: 1.0,
            cert_warning_days: 14.0,
            cert_critical_days: 3.0,
            dos_refused_rate: 1.0,
            weight_drop: 50.0,
            onion_descriptor_after: 3_600,
            intro_points_after: 600,
            bridge_clients_days: 0,
        }
    }
}

impl Thresholds {
    /// Seconds a kind tor raised must have lasted to be an alert.
    pub fn after(&self, kind: AlertKind) -> u64 {
        match kind {
            AlertKind::NetworkDown => self.network_down_after,
            _ => 0,
        }
    }
}

/// Thresholds, and what the operator changed of each kind's severity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertSettings {
    pub thresholds: Thresholds,
    /// A kind's severity (`Some`), or off (`None`), where the operator said.
    pub kinds: Vec<(AlertKind, Option<Severity>)>,
}

impl AlertSettings {
    /// The severity of `kind` given its default `severity` for this
    /// finding (`None`: switched off).
    pub fn severity(&self, kind: AlertKind, severity: Severity) -> Option<Severity> {
        match self.kinds.iter().find(|(k, _)| *k == kind) {
            Some((_, chosen)) => *chosen,
            None => Some(severity),
        }
    }

    /// Whether the operator switched `kind` off.
    pub fn off(&self, kind: AlertKind) -> bool {
        self.kinds.iter().any(|(k, s)| *k == kind && s.is_none())
    }

    /// Sets a kind from nyxrc's words: `off`, `warning`, `critical`, or
    /// `on` (its default).
    pub fn set(&mut self, kind: AlertKind, word: &str) -> Result<(), String> {
        let chosen = match word {
            "off" => None,
            "on" => Some(rule_of(kind).severity),
            w => Some(
                Severity::parse(w)
                    .ok_or_else(|| format!("expected off, on, warning or critical, not {w:?}"))?,
            ),
        };
        self.kinds.retain(|(k, _)| *k != kind);
        self.kinds.push((kind, chosen));
        Ok(())
    }
}
