use serde::Serialize;

/// How tor judges its own version (`status/version/current`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Recommended,
    New,
    NewInSeries,
    Old,
    Obsolete,
    Unrecommended,
    #[default]
    Unknown,
}

impl VersionStatus {
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "recommended" => Self::Recommended,
            "new" => Self::New,
            "new in series" => Self::NewInSeries,
            "old" => Self::Old,
            "obsolete" => Self::Obsolete,
            "unrecommended" => Self::Unrecommended,
            _ => Self::Unknown,
        }
    }

    /// As tor words it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recommended => "recommended",
            Self::New => "new",
            Self::NewInSeries => "new in series",
            Self::Old => "old",
            Self::Obsolete => "obsolete",
            Self::Unrecommended => "unrecommended",
            Self::Unknown => "unknown",
        }
    }
}

/// Addresses tor listens on, per kind (`net/listeners/*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Listeners {
    pub or: Vec<String>,
    pub dir: Vec<String>,
    pub socks: Vec<String>,
    pub control: Vec<String>,
    /// The Extended ORPort a bridge's pluggable transports hand their
    /// clients to (`net/listeners/extor`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extor: Vec<String>,
}

/// Accounting facts (`accounting/*`), present when `AccountingMax` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Accounting {
    /// `awake`, `soft` or `hard`.
    pub status: String,
    pub read: u64,
    pub written: u64,
    pub read_left: u64,
    pub written_left: u64,
    /// When the interval ends, as tor says it (`YYYY-MM-DD HH:MM:SS`, UTC).
    pub interval_end: String,
}

/// Facts about the tor rnyx is attached to. Strings that come from tor are
/// stored with control characters stripped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RelayInfo {
    pub version: Option<String>,
    pub version_status: VersionStatus,
    /// Set when tor has an ORPort, i.e. it is a relay and has a fingerprint.
    pub fingerprint: Option<String>,
    pub nickname: Option<String>,
    pub address: Option<String>,
    pub listeners: Listeners,
    pub pid: Option<u32>,
    /// Unix time tor started (now minus `uptime` when it was read).
    pub start_time: Option<u64>,
    /// This relay's flags in the consensus (`ns/id/<fp>`).
    pub flags: Vec<String>,
    /// The exit policy as Nyx shows it: tor's rules without the private
    /// rejections tor adds, tor's default as `<default>`.
    pub exit_policy: Option<String>,
    /// Whether the policy accepts anything: this tor exits.
    pub exits: bool,
    /// Where onion services' ports lead (`HiddenServicePort` targets).
    pub hidden_targets: Vec<std::net::SocketAddr>,
    pub bandwidth_rate: Option<u64>,
    pub bandwidth_burst: Option<u64>,
    pub bandwidth_observed: Option<u64>,
    pub accounting: Option<Accounting>,
}

impl RelayInfo {
    pub fn is_relay(&self) -> bool {
        self.fingerprint.is_some()
    }
}
