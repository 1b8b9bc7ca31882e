//! Several relays watched at once: one row per relay for the overview
//! page, made from each relay's state by the UI loop.

use super::{ControllerState, Interval, LogSource, Runlevel, VersionStatus};

/// Five-second columns in a row's sparkline (two minutes).
pub const SPARK: usize = 24;

/// What a watched relay is called before tor says its nickname: a name
/// the operator gave (nyxrc's `[[relays]]`), which stays, or where it was
/// found (a socket path, a port), which the nickname replaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelayName {
    pub text: String,
    pub given: bool,
}

impl RelayName {
    /// A name the operator chose.
    pub fn given(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            given: true,
        }
    }

    /// A control target standing in for a name.
    pub fn found(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            given: false,
        }
    }
}

/// The overview's name column.
pub const NAME_WIDTH: usize = 20;

/// `s` in at most `width` characters, keeping its end, which tells paths
/// apart: `/var/lib/tor-instances/relay0/control` → `…/relay0/control`.
pub fn keep_end(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_owned();
    }
    let tail: String = s.chars().skip(n + 1 - width).collect();
    // Cut at a path separator when one is near enough to keep a whole name.
    match tail.find('/') {
        Some(i) if i + 1 < tail.len() && i < width / 2 => format!("…{}", &tail[i..]),
        _ => format!("…{tail}"),
    }
}

/// One relay as the overview shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RelayRow {
    /// What the overview and the header call it: the name given in nyxrc,
    /// else tor's nickname once tor has said it, else where it was found.
    pub name: String,
    /// Where it was found (socket path or port), for the details.
    pub target: String,
    /// The machine tor is on, when not this one.
    pub host: Option<String>,
    pub connected: bool,
    /// Unix seconds of the last connection change.
    pub since: u64,
    pub last_error: Option<String>,
    /// Connected, but tor has not answered since this Unix second.
    pub silent_since: Option<u64>,
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
    /// The alerts active, worst first.
    pub alerts: Vec<super::health::Alert>,
}

impl RelayRow {
    pub fn of(name: &RelayName, s: &ControllerState) -> Self {
        let latest = s.traffic.bandwidth_graph.latest().unwrap_or_default();
        let mut spark: Vec<f64> = s
            .traffic
            .bandwidth_graph
            .columns(Interval::FiveSeconds)
            .iter()
            .take(SPARK)
            .map(|c| c.primary + c.secondary)
            .collect();
        spark.reverse();
        let warning = s
            .logs
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
        let label = match (&s.facts.relay.nickname, name.given) {
            (Some(nick), false) if !nick.is_empty() => nick.clone(),
            _ => name.text.clone(),
        };
        RelayRow {
            name: label,
            target: name.text.clone(),
            host: s.session.connection.host.clone(),
            connected: s.session.connection.connected,
            since: s.session.connection.since,
            last_error: s.session.connection.last_error.clone(),
            silent_since: s
                .session
                .connection
                .silent_since
                .filter(|_| s.session.connection.connected),
            nickname: s.facts.relay.nickname.clone(),
            fingerprint: s.facts.relay.fingerprint.clone(),
            version: s.facts.relay.version.clone(),
            version_status: s.facts.relay.version_status,
            flags: s.facts.relay.flags.clone(),
            read: latest.primary,
            written: latest.secondary,
            spark,
            circuits: s.net.circuits.len(),
            connections: s.net.connections.list.len(),
            tor_cpu: s.facts.system.tor_cpu,
            tor_memory: s.facts.system.tor_memory,
            start_time: s.facts.relay.start_time,
            warning,
            alerts: s.health.active.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_found_name_gives_way_to_the_nickname_a_given_one_stays() {
        let mut s = ControllerState::default();
        let found = RelayName::found("/tmp/net/relay0/control");
        assert_eq!(RelayRow::of(&found, &s).name, "/tmp/net/relay0/control");
        s.facts.relay.nickname = Some("relay0".into());
        let row = RelayRow::of(&found, &s);
        assert_eq!(
            (row.name.as_str(), row.target.as_str()),
            ("relay0", "/tmp/net/relay0/control")
        );
        let given = RelayName::given("bridge");
        assert_eq!(RelayRow::of(&given, &s).name, "bridge");
    }

    #[test]
    fn cut_paths_keep_their_distinguishing_end() {
        assert_eq!(keep_end("/run/tor/control", 20), "/run/tor/control");
        let a = keep_end("/tmp/rnyx-net-1234/relay0/control", 20);
        let b = keep_end("/tmp/rnyx-net-1234/relay1/control", 20);
        assert_eq!(a, "…/relay0/control");
        assert_ne!(a, b);
        assert!(keep_end("abcdefghijklmnopqrstuvwxyz", 10).chars().count() <= 10);
        assert_eq!(keep_end("abcdefghijklmnopqrstuvwxyz", 10), "…rstuvwxyz");
    }
}
