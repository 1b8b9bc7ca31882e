//! Several relays watched at once: one row per relay for the overview
//! page, made from each relay's state by the UI loop.

use super::{ControllerState, Interval, LogSource, Runlevel, VersionStatus};

/// Five-second columns in a row's sparkline (two minutes).
pub const SPARK: usize = 24;

/// One relay as the overview shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RelayRow {
    /// The name given (nyxrc, or the control target).
    pub name: String,
    pub connected: bool,
    /// Unix seconds of the last connection change.
    pub since: u64,
    pub last_error: Option<String>,
    pub nickname: Option<String>,
    pub fingerprint: Option<String>,
    pub version: Option<String>,
    pub version_status: VersionStatus,
    pub flags: Vec<String>,
    /// Bytes a second, the newest second.
    pub read: f64,
    pub written: f64,
    /// Bytes a second, five-second columns, oldest first.
    pub spark: Vec<f64>,
    pub circuits: usize,
    pub connections: usize,
    pub tor_cpu: Option<f64>,
    pub tor_memory: Option<u64>,
    pub start_time: Option<u64>,
    /// The newest WARN or ERR from tor or rnyx.
    pub warning: Option<String>,
}

impl RelayRow {
    pub fn of(name: &str, s: &ControllerState) -> Self {
        let latest = s.bandwidth_graph.latest().unwrap_or_default();
        let mut spark: Vec<f64> = s
            .bandwidth_graph
            .columns(Interval::FiveSeconds)
            .iter()
            .take(SPARK)
            .map(|c| c.primary + c.secondary)
            .collect();
        spark.reverse();
        let warning = s
            .log
            .iter()
            .rev()
            .find(|e| {
                matches!(
                    e.source,
                    LogSource::Tor(Runlevel::Warn | Runlevel::Err)
                        | LogSource::Rnyx(Runlevel::Warn | Runlevel::Err)
                )
            })
            .map(|e| e.message.clone());
        RelayRow {
            name: name.to_owned(),
            connected: s.connection.connected,
            since: s.connection.since,
            last_error: s.connection.last_error.clone(),
            nickname: s.relay.nickname.clone(),
            fingerprint: s.relay.fingerprint.clone(),
            version: s.relay.version.clone(),
            version_status: s.relay.version_status,
            flags: s.relay.flags.clone(),
            read: latest.primary,
            written: latest.secondary,
            spark,
            circuits: s.circuits.len(),
            connections: s.connections.list.len(),
            tor_cpu: s.system.tor_cpu,
            tor_memory: s.system.tor_memory,
            start_time: s.relay.start_time,
            warning,
        }
    }
}
