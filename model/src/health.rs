//! What is wrong with a relay: the alert kinds and their rules (data, one
//! row a kind), the signals tor gives for them (status events, answers),
//! and the alerts active now, each with its severity, since when, tor's
//! own words where tor said it, and what to do.
//!
//! Signals come in three shapes, each a table here:
//! - [`STATUS_RULES`]: a status event (control-spec §4.1.10) raises or
//!   clears a kind;
//! - [`CHECKS`] (in `eval`): a kind read off the state (flags, fds,
//!   accounting, the connection) against the operator's thresholds;
//! - bootstrap progress and the consensus's flags, kept over time in
//!   [`Health`].

mod eval;
mod settings;
pub mod signals;
#[cfg(test)]
mod tests;

pub use eval::{assess, commit, evaluate, Change};
pub use settings::{AlertSettings, Thresholds};

use serde::{Deserialize, Serialize};

/// How bad an alert is (the monitoring-plugins WARNING and CRITICAL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "warning" => Some(Self::Warning),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }
}

/// Every kind of alert rnyx knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    TorDown,
    NotAnswering,
    ControlPath,
    ControlPermission,
    ControlAuth,
    NotInConsensus,
    FlagLost,
    OrPortUnreachable,
    DirPortUnreachable,
    DescriptorRejected,
    Version,
    BootstrapStuck,
    NetworkDown,
    Overload,
    TooManyConnections,
    FileDescriptors,
    Memory,
    ClockSkew,
    ClockJump,
    Dns,
    Hibernating,
    Accounting,
    BandwidthLow,
    CertExpiry,
    DosRefusing,
    OnionskinsDropped,
    OomFreed,
    WeightFell,
    OnionDescriptor,
    IntroPoints,
    TransportFailing,
    BridgeClients,
}

/// One kind's fixed facts: its name (nyxrc's `[alerts]` key, the metric's
/// label), what it says, what to do, and how bad it is unless the operator
/// says otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub kind: AlertKind,
    pub name: &'static str,
    pub title: &'static str,
    pub advice: &'static str,
    pub severity: Severity,
    /// A kind raised by an event that tor never clears: how long (seconds)
    /// it stays after tor last said it.
    pub lasts: Option<u64>,
}

use AlertKind as K;
use Severity::{Critical, Warning};

const fn rule(
    kind: AlertKind,
    name: &'static str,
    title: &'static str,
    severity: Severity,
    advice: &'static str,
) -> Rule {
    Rule {
        kind,
        name,
        title,
        advice,
        severity,
        lasts: None,
    }
}

const fn lasting(r: Rule, seconds: u64) -> Rule {
    Rule {
        lasts: Some(seconds),
        ..r
    }
}

/// Every kind, in the order the list shows them when equally bad.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    rule(K::TorDown, "tor_down", "tor is down", Critical,
        "start tor (systemctl start tor@default) and read its log (journalctl -u tor@default)"),
    rule(K::NotAnswering, "not_answering", "tor is not answering", Critical,
        "tor is stopped or overloaded: check its process (top, kill -CONT) and its log"),
    rule(K::ControlPath, "control_path", "there is no control socket where rnyx looks", Critical,
        "give tor's ControlSocket path with --socket (or its ControlPort with --interface), as its torrc says"),
    rule(K::ControlPermission, "control_permission", "rnyx may not open tor's control socket or cookie", Critical,
        "add your user to the group named above and log in again, or run rnyx as tor's user"),
    rule(K::ControlAuth, "control_auth", "tor refused rnyx's authentication", Critical,
        "check the password (--password-file, RNYX_PASSWORD) against HashedControlPassword, or use CookieAuthentication"),
    rule(K::NotInConsensus, "not_in_consensus", "the relay is not in the consensus", Critical,
        "check that tor has run and been reachable for a few hours; see Relay Search and tor's log for reachability"),
    rule(K::FlagLost, "flag_lost", "the relay lost a flag", Warning,
        "look in tor's log for restarts, reachability or clock trouble around the last consensus"),
    rule(K::OrPortUnreachable, "orport_unreachable", "the ORPort is not reachable from outside", Critical,
        "open the ORPort in the firewall and forward it on the router; check Address and ORPort"),
    rule(K::DirPortUnreachable, "dirport_unreachable", "the DirPort is not reachable from outside", Warning,
        "open the DirPort in the firewall, or remove DirPort (relays no longer need one)"),
    rule(K::DescriptorRejected, "descriptor_rejected", "a directory authority rejected the server descriptor", Critical,
        "read the reason: often an old version, a clock far off, or a key the authorities refuse"),
    rule(K::Version, "version", "tor's version is not recommended", Warning,
        "upgrade tor (https://support.torproject.org/apt/)"),
    rule(K::BootstrapStuck, "bootstrap_stuck", "bootstrap is stuck", Warning,
        "check the network, the clock and DisableNetwork; tor's warning says what failed"),
    rule(K::NetworkDown, "network_down", "tor thinks the network is down", Warning,
        "check the machine's network; DisableNetwork 1 also does this"),
    rule(K::Overload, "overload", "tor reports overload", Warning,
        "raise the limits tor hit (NumCPUs, MaxMemInQueues, ulimit -n, conntrack) or lower the bandwidth; see the overload FAQ"),
    lasting(rule(K::TooManyConnections, "too_many_connections", "tor has too many connections", Warning,
        "raise the open-files limit (LimitNOFILE, ulimit -n) or lower ConnLimit"), 3600),
    rule(K::FileDescriptors, "file_descriptors", "tor is close to its file descriptor limit", Warning,
        "raise tor's open-files limit (LimitNOFILE in the service, or ulimit -n)"),
    rule(K::Memory, "memory", "tor's memory is close to MaxMemInQueues", Warning,
        "raise MaxMemInQueues if the machine has the memory, or lower the bandwidth"),
    lasting(rule(K::ClockSkew, "clock_skew", "the clock is off", Critical,
        "run time synchronisation (chrony, systemd-timesyncd) and check the time zone"), 3600),
    lasting(rule(K::ClockJump, "clock_jump", "the clock jumped", Warning,
        "check time synchronisation and whether the machine was suspended"), 600),
    lasting(rule(K::Dns, "dns", "the exit's DNS is failing", Critical,
        "use a local resolver (unbound) that answers for every name; see the exit guidelines"), 3600),
    rule(K::Hibernating, "hibernating", "accounting has put tor to sleep", Warning,
        "AccountingMax is reached: tor wakes at the next interval; raise AccountingMax to carry more"),
    rule(K::Accounting, "accounting", "accounting is close to its limit", Warning,
        "tor will hibernate soon: raise AccountingMax or lower the bandwidth"),
    rule(K::BandwidthLow, "bandwidth_low", "traffic is far below the advertised bandwidth", Warning,
        "a new relay takes weeks to be used; else check flags, reachability and the consensus weight"),
    rule(K::CertExpiry, "cert_expiry", "the ed25519 signing certificate expires soon", Critical,
        "renew it with the offline master key (tor --keygen), or let tor renew it if the master key is online"),
    rule(K::DosRefusing, "dos_refusing", "tor's DoS defences are refusing clients", Warning,
        "an attack or a busy client address: see the load page; tor's defaults are usually right, tune DoS* options only if honest clients are refused"),
    rule(K::OnionskinsDropped, "onionskins_dropped", "tor dropped circuit handshakes (onionskins)", Warning,
        "the CPU cannot keep up: raise NumCPUs, give tor more CPU, or lower the bandwidth"),
    rule(K::OomFreed, "oom_freed", "tor's out-of-memory handler freed memory", Warning,
        "raise MaxMemInQueues if the machine has the memory, or lower the bandwidth"),
    rule(K::WeightFell, "weight_fell", "the consensus weight fell sharply", Warning,
        "check flags, reachability and restarts around the consensus named; the bandwidth authorities measure again over hours"),
    rule(K::OnionDescriptor, "onion_descriptor", "an onion service's descriptor is not at the HSDirs", Critical,
        "clients cannot reach the service: read tor's log for why uploads fail (clock, network, HSDirs refusing); the services page shows each HSDir's answer"),
    rule(K::IntroPoints, "intro_points", "an onion service has fewer introduction points than it wants", Warning,
        "clients may fail to connect: check tor's network and log; under a DoS attack consider HiddenServicePoWDefensesEnabled"),
    rule(K::TransportFailing, "transport_failing", "a pluggable transport's process ended or is failing", Critical,
        "clients cannot reach the bridge by it: read the transport's words in tor's log, fix them (a port, a permission, AppArmor), then reload tor (systemctl reload tor@default) to start it again"),
    rule(K::BridgeClients, "bridge_clients", "the bridge has counted no clients", Warning,
        "check BridgeDistribution and that the transport's port is reachable from outside; a new bridge takes days to be handed out"),
];

/// The rule of a kind.
pub fn rule_of(kind: AlertKind) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.kind == kind)
        .expect("every kind has a rule")
}

/// A kind by its name (nyxrc's keys).
pub fn kind_named(name: &str) -> Option<AlertKind> {
    RULES.iter().find(|r| r.name == name).map(|r| r.kind)
}

/// When a status event's rule applies.
#[derive(Debug, Clone, Copy)]
pub enum When {
    Always,
    /// The event has this argument.
    Has(&'static str),
    /// The argument has this value.
    Is(&'static str, &'static str),
}

/// What a status event does to a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Raise(AlertKind),
    Clear(AlertKind),
}

/// One row: event, action, condition, effect.
pub type StatusRule = (&'static str, &'static str, When, Effect);

/// What tor's status events (control-spec §4.1.10) say about the kinds.
#[rustfmt::skip]
pub const STATUS_RULES: &[StatusRule] = &[
    ("STATUS_SERVER", "REACHABILITY_FAILED", When::Has("ORADDRESS"), Effect::Raise(K::OrPortUnreachable)),
    ("STATUS_SERVER", "REACHABILITY_FAILED", When::Has("DIRADDRESS"), Effect::Raise(K::DirPortUnreachable)),
    ("STATUS_SERVER", "REACHABILITY_SUCCEEDED", When::Has("ORADDRESS"), Effect::Clear(K::OrPortUnreachable)),
    ("STATUS_SERVER", "REACHABILITY_SUCCEEDED", When::Has("DIRADDRESS"), Effect::Clear(K::DirPortUnreachable)),
    ("STATUS_SERVER", "BAD_SERVER_DESCRIPTOR", When::Always, Effect::Raise(K::DescriptorRejected)),
    ("STATUS_SERVER", "ACCEPTED_SERVER_DESCRIPTOR", When::Always, Effect::Clear(K::DescriptorRejected)),
    ("STATUS_SERVER", "NAMESERVER_ALL_DOWN", When::Always, Effect::Raise(K::Dns)),
    ("STATUS_SERVER", "DNS_HIJACKED", When::Always, Effect::Raise(K::Dns)),
    ("STATUS_SERVER", "DNS_USELESS", When::Always, Effect::Raise(K::Dns)),
    ("STATUS_SERVER", "NAMESERVER_STATUS", When::Is("STATUS", "UP"), Effect::Clear(K::Dns)),
    ("STATUS_SERVER", "HIBERNATION_STATUS", When::Is("STATUS", "SOFT"), Effect::Raise(K::Hibernating)),
    ("STATUS_SERVER", "HIBERNATION_STATUS", When::Is("STATUS", "HARD"), Effect::Raise(K::Hibernating)),
    ("STATUS_SERVER", "HIBERNATION_STATUS", When::Is("STATUS", "AWAKE"), Effect::Clear(K::Hibernating)),
    ("STATUS_GENERAL", "TOO_MANY_CONNECTIONS", When::Always, Effect::Raise(K::TooManyConnections)),
    ("STATUS_GENERAL", "CLOCK_SKEW", When::Always, Effect::Raise(K::ClockSkew)),
    ("STATUS_GENERAL", "CLOCK_JUMPED", When::Always, Effect::Raise(K::ClockJump)),
    ("NETWORK_LIVENESS", "", When::Is("STATUS", "DOWN"), Effect::Raise(K::NetworkDown)),
    ("NETWORK_LIVENESS", "", When::Is("STATUS", "UP"), Effect::Clear(K::NetworkDown)),
];

/// The effects of one status event (`event` as tor names it; `action`
/// empty for an event that has none).
pub fn status_effects<'a>(
    event: &'a str,
    action: &'a str,
    arguments: &'a [(String, String)],
) -> impl Iterator<Item = Effect> + 'a {
    let arg = move |k: &str| arguments.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    STATUS_RULES
        .iter()
        .filter(move |(e, a, when, _)| {
            *e == event
                && *a == action
                && match when {
                    When::Always => true,
                    When::Has(k) => arg(k).is_some(),
                    When::Is(k, v) => arg(k).is_some_and(|x| x.eq_ignore_ascii_case(v)),
                }
        })
        .map(|(_, _, _, effect)| *effect)
}

/// An alert active now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub severity: Severity,
    /// Unix second it began.
    pub since: u64,
    /// What rnyx saw, in a line (the figures, the flags lost…).
    pub detail: String,
    /// tor's own words, where tor said it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<String>,
}

impl Alert {
    pub fn rule(&self) -> &'static Rule {
        rule_of(self.kind)
    }

    /// The alert in a line: its title, what rnyx saw, tor's words.
    pub fn described(&self) -> String {
        let mut s = self.rule().title.to_owned();
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        if let Some(w) = &self.words {
            s.push_str("; tor: ");
            s.push_str(w);
        }
        s
    }
}

/// A kind tor raised with an event: since when, when last said, its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    pub kind: AlertKind,
    pub since: u64,
    pub last: u64,
    pub words: String,
}

/// Bootstrap as tor last reported it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bootstrap {
    pub progress: u8,
    /// Unix second progress last changed.
    pub since: u64,
    /// tor's words: the summary, and its warning if any.
    pub words: String,
}

/// Everything kept for the alerts over time, and the alerts active now.
/// Kept across reconnections (a relay's flags are the relay's, not the
/// connection's).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Health {
    pub raised: Vec<Raised>,
    pub bootstrap: Option<Bootstrap>,
    /// The flags this relay held at best since rnyx started (watched ones
    /// only), and the fingerprint they belong to.
    pub flags_had: (String, Vec<String>),
    /// Unix second each flag went missing from the consensus.
    pub flags_lost: Vec<(String, u64)>,
    /// Unix second the consensus was first seen without this relay.
    pub missing_since: Option<u64>,
    /// The `overload-*` lines of the relay's own descriptors.
    pub overload: Vec<String>,
    /// `MaxMemInQueues` when set (not tor's automatic value).
    pub max_mem: Option<u64>,
    /// When the ed25519 signing certificate expires (Unix second).
    pub cert_expires: Option<u64>,
    /// The alerts active, worst first.
    pub active: Vec<Alert>,
    /// The operator's thresholds and severities.
    pub settings: AlertSettings,
}

/// Flags whose loss is an alert.
pub const WATCHED_FLAGS: &[&str] = &[
    "Running", "Valid", "Fast", "Stable", "Guard", "Exit", "HSDir", "V2Dir",
];

/// At most this much of tor's words is kept.
const WORDS: usize = 300;

/// tor's words from an event, controls stripped and cut.
pub fn words_of(action: &str, arguments: &[(String, String)]) -> String {
    let mut s = action.to_owned();
    for (k, v) in arguments {
        if !s.is_empty() {
            s.push(' ');
        }
        if k.is_empty() {
            s.push_str(v);
        } else {
            s.push_str(k);
            s.push('=');
            s.push_str(v);
        }
    }
    let mut s = crate::text::strip_controls(&s);
    if s.chars().count() > WORDS {
        s = s.chars().take(WORDS - 1).chain(['…']).collect();
    }
    s
}

impl Health {
    /// A status event (or NETWORK_LIVENESS, `action` empty) at `now`.
    pub fn on_status(&mut self, event: &str, action: &str, args: &[(String, String)], now: u64) {
        if event == "STATUS_CLIENT" && action == "BOOTSTRAP" {
            self.on_bootstrap(args, now);
            return;
        }
        for effect in status_effects(event, action, args) {
            match effect {
                Effect::Raise(kind) => self.raise(kind, words_of(action, args), now),
                Effect::Clear(kind) => self.raised.retain(|r| r.kind != kind),
            }
        }
    }

    /// Raises `kind` (again: its start stays).
    pub fn raise(&mut self, kind: AlertKind, words: String, now: u64) {
        match self.raised.iter_mut().find(|r| r.kind == kind) {
            Some(r) => {
                r.last = now;
                r.words = words;
            }
            None => self.raised.push(Raised {
                kind,
                since: now,
                last: now,
                words,
            }),
        }
    }

    /// `BOOTSTRAP PROGRESS=… TAG=… SUMMARY=… [WARNING=…]`, as an event or
    /// `status/bootstrap-phase`.
    pub fn on_bootstrap(&mut self, args: &[(String, String)], now: u64) {
        let arg = |k: &str| {
            args.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let Some(progress) = arg("PROGRESS").and_then(|p| p.parse::<u8>().ok()) else {
            return;
        };
        let mut words = arg("SUMMARY").unwrap_or_default().to_owned();
        if let Some(w) = arg("WARNING") {
            words = format!("{words}: {w}");
        }
        let words = words_of(&format!("{progress}% {words}"), &[]);
        match &mut self.bootstrap {
            Some(b) if b.progress == progress => b.words = words,
            b => {
                *b = Some(Bootstrap {
                    progress,
                    since: now,
                    words,
                });
            }
        }
    }

    /// The relay's own consensus entry's flags (`None`: the consensus does
    /// not list it), from a new consensus or the index, at `now`.
    pub fn on_consensus(&mut self, fingerprint: &str, flags: Option<&[String]>, now: u64) {
        let Some(flags) = flags else {
            self.missing_since.get_or_insert(now);
            return;
        };
        self.missing_since = None;
        if self.flags_had.0 != fingerprint {
            self.flags_had = (fingerprint.to_owned(), Vec::new());
            self.flags_lost.clear();
        }
        let has = |f: &str| flags.iter().any(|x| x == f);
        for f in WATCHED_FLAGS.iter().copied().filter(|f| has(f)) {
            if !self.flags_had.1.iter().any(|x| x == f) {
                self.flags_had.1.push(f.to_owned());
            }
        }
        self.flags_lost.retain(|(f, _)| !has(f));
        for f in &self.flags_had.1 {
            if !has(f) && !self.flags_lost.iter().any(|(x, _)| x == f) {
                self.flags_lost.push((f.clone(), now));
            }
        }
    }

    /// The worst severity active, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.active.iter().map(|a| a.severity).max()
    }
}
