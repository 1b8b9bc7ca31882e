use super::{
    BandwidthHistory, BandwidthSample, CircuitTable, Connections, ConsensusIndex, EventSelection,
    LogBuffer, LogEntry, LogSource, OrConnTable, RelayInfo, Series, StreamTable, SystemInfo,
};
use serde::Serialize;

/// Caps on every buffer fed by tor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub bandwidth_samples: usize,
    pub log_entries: usize,
    pub circuits: usize,
    pub or_connections: usize,
    pub streams: usize,
    /// Columns kept per graph interval.
    pub graph_columns: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // 15 minutes of per-second samples; longer views use `graphs`.
            bandwidth_samples: 900,
            log_entries: 1_000,
            circuits: 10_000,
            or_connections: 20_000,
            streams: 10_000,
            graph_columns: 600,
        }
    }
}

/// Whether rnyx is attached to tor, and since when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConnectionStatus {
    pub connected: bool,
    /// Unix time of the last change of `connected`.
    pub since: u64,
    /// Where rnyx connects: `127.0.0.1:9051` or a socket path.
    pub target: Option<String>,
    /// The machine tor is on, when not this one (reached over ssh).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The authentication method that succeeded.
    pub auth_method: Option<String>,
    /// Why the last attempt failed or the connection ended.
    pub last_error: Option<String>,
    /// Before tor first answered, what is starting it (the demo's
    /// network), said instead of "disconnected".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting: Option<String>,
    /// What kind of failure `last_error` is (none while connected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Successful connections so far (1 after the first, 2 after a reconnect…).
    pub connections: u64,
    /// While connected but tor has stopped answering (a probe unanswered):
    /// Unix time tor was last heard from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub silent_since: Option<u64>,
}

/// Why rnyx could not watch tor, by what would help: waiting (tor is down
/// or hung) or the operator (a path, a permission, a password).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// Refused, or a socket gone while its directory is there: tor is not
    /// running.
    Down,
    /// tor took the connection but does not answer.
    NotAnswering,
    /// Nothing at the path, nor its directory.
    NoSuchPath,
    /// The path is a file or directory, not a socket.
    NotASocket,
    /// The socket, its directory or the cookie may not be opened.
    Permission,
    /// tor refused the authentication.
    Authentication,
}

impl Failure {
    /// Whether a tor started (or woken) later would answer as given: the
    /// monitor waits for it; anything else needs the operator.
    pub fn may_pass(self) -> bool {
        matches!(self, Failure::Down | Failure::NotAnswering)
    }

    /// The alert it raises.
    pub fn alert(self) -> super::health::AlertKind {
        use super::health::AlertKind as K;
        match self {
            Failure::Down => K::TorDown,
            Failure::NotAnswering => K::NotAnswering,
            Failure::NoSuchPath | Failure::NotASocket => K::ControlPath,
            Failure::Permission => K::ControlPermission,
            Failure::Authentication => K::ControlAuth,
        }
    }
}

/// Everything rnyx knows about the tor it watches, grouped by who writes
/// each part. The controller task is the only writer; every change bumps
/// `session.generation`, which the UI compares to decide whether to draw.
/// Serialised flat, as before the groups.
#[derive(Debug, Clone, Serialize)]
pub struct ControllerState {
    /// The connection to tor and the task's own bookkeeping.
    #[serde(flatten)]
    pub session: Session,
    /// What tor says of itself, its machine, its configuration and the
    /// network (facts read at start and on change, the host's samples).
    #[serde(flatten)]
    pub facts: Facts,
    /// Bytes through tor and the graphs (BW events, the host's samples).
    #[serde(flatten)]
    pub traffic: Traffic,
    /// What the log and the interpreter show (log events, rnyx's own).
    #[serde(flatten)]
    pub logs: Logs,
    /// Circuits, OR connections, streams and tor's sockets (their events,
    /// the host's scans).
    #[serde(flatten)]
    pub net: Net,
    /// What is wrong: the signals kept for the alerts, and the alerts.
    #[serde(skip)]
    pub health: super::health::Health,
    /// tor's MetricsPort and the relay's standing in each consensus.
    #[serde(skip)]
    pub load: super::load::Load,
    /// The onion services tor hosts (HS_DESC events, service circuits).
    #[serde(skip)]
    pub onions: super::onion::Onions,
    /// The bridge and its pluggable transports (TRANSPORT_LAUNCHED,
    /// PT_STATUS, PT_LOG, `status/clients-seen`).
    #[serde(skip)]
    pub bridge: super::bridge::Bridge,
}

/// The connection to tor and the task's own bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub connection: ConnectionStatus,
    /// Asynchronous events received in all.
    pub events_received: u64,
    #[serde(skip)]
    pub generation: u64,
    /// Unix ms of the update being made (the last, between updates), by
    /// the clock of the task's host: what rnyx's own log entries are
    /// stamped with.
    #[serde(skip)]
    pub updated_ms: u64,
    #[serde(skip)]
    pub limits: Limits,
    /// Set when the state is a recording's (`rnyx replay`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<super::ReplayStatus>,
}

/// What tor says of itself, its machine, its configuration and the
/// network.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    pub relay: RelayInfo,
    pub system: SystemInfo,
    /// Every relay of the consensus, by fingerprint and address; shared
    /// with the other relays watched that hold the same consensus.
    #[serde(skip)]
    pub consensus: std::sync::Arc<ConsensusIndex>,
    /// tor's configuration and torrc (pages 3 and 4).
    #[serde(skip)]
    pub config: super::TorConfig,
    /// tor's manual, once read (in the background at start).
    #[serde(skip)]
    pub manual: Option<std::sync::Arc<super::Manual>>,
    /// Every event tor knows (`events/names`); empty until connected.
    pub event_names: Vec<String>,
}

/// Bytes through tor, and the graphs.
#[derive(Debug, Clone, Serialize)]
pub struct Traffic {
    /// Bytes read and written over tor's uptime (`traffic/*`, then BW events).
    pub traffic_read: u64,
    pub traffic_written: u64,
    pub bandwidth: BandwidthHistory,
    /// Download/upload bytes per second, binned for the graph.
    #[serde(skip)]
    pub bandwidth_graph: Series,
    /// Inbound/outbound connection counts, binned for the graph.
    #[serde(skip)]
    pub connections_graph: Series,
    /// tor's cpu (percent of a core) and memory (bytes), binned for the graph.
    #[serde(skip)]
    pub resources_graph: Series,
}

/// What the log and the interpreter show, and what was subscribed.
#[derive(Debug, Clone, Serialize)]
pub struct Logs {
    pub log: LogBuffer,
    /// Events received on the interpreter's own connection.
    #[serde(skip)]
    pub interpreter_events: super::InterpreterEvents,
    /// Event names currently subscribed with SETEVENTS.
    pub subscribed_events: Vec<String>,
    /// What the operator chose to see in the log.
    pub logged_events: EventSelection,
    /// Lines tor sent that the control-spec rules out, refused.
    #[serde(skip)]
    pub refused: super::RefusedInput,
}

/// Circuits, OR connections, streams and tor's connections.
#[derive(Debug, Clone, Serialize)]
pub struct Net {
    pub circuits: CircuitTable,
    pub or_connections: OrConnTable,
    /// Streams of this tor's own clients, by id.
    pub streams: StreamTable,
    /// tor's connections, classified (refreshed every `connection_rate`).
    pub connections: Connections,
}

impl ControllerState {
    /// The events what tor hosts needs besides the required ones: an
    /// onion service's, a bridge's transports' (and WARN, where tor says a
    /// transport's process ended); none for a plain relay. Only those tor
    /// knows (`events/names`): tor 0.4.9.11 has neither PT_STATUS nor PT_LOG.
    pub fn hosted_events(&self) -> Vec<&'static str> {
        let mut events = self.onions.events().to_vec();
        events.extend(self.bridge.events());
        // tor's words of a managed transport's end, or of no bridge
        // authority to publish to.
        if self.bridge.bridge || self.bridge.transports.iter().any(|t| t.program.is_some()) {
            events.push("WARN");
        }
        let known = &self.facts.event_names;
        events.retain(|e| known.is_empty() || known.iter().any(|k| k == e));
        events
    }

    pub fn new(limits: Limits) -> Self {
        Self {
            session: Session {
                connection: ConnectionStatus::default(),
                events_received: 0,
                generation: 0,
                updated_ms: 0,
                limits,
                replay: None,
            },
            facts: Facts {
                relay: RelayInfo::default(),
                system: SystemInfo::default(),
                consensus: std::sync::Arc::default(),
                config: super::TorConfig::default(),
                manual: None,
                event_names: Vec::new(),
            },
            traffic: Traffic {
                traffic_read: 0,
                traffic_written: 0,
                bandwidth: BandwidthHistory::new(limits.bandwidth_samples),
                bandwidth_graph: Series::new(limits.graph_columns),
                connections_graph: Series::new(limits.graph_columns),
                resources_graph: Series::new(limits.graph_columns),
            },
            logs: Logs {
                log: LogBuffer::new(limits.log_entries),
                interpreter_events: super::InterpreterEvents::default(),
                subscribed_events: Vec::new(),
                logged_events: EventSelection::default(),
                refused: super::RefusedInput::default(),
            },
            net: Net {
                circuits: CircuitTable::new(limits.circuits),
                or_connections: OrConnTable::new(limits.or_connections),
                streams: StreamTable::new(limits.streams),
                connections: Connections::default(),
            },
            health: super::health::Health::default(),
            load: super::load::Load::default(),
            onions: super::onion::Onions::default(),
            bridge: super::bridge::Bridge::default(),
        }
    }

    /// Records a BW event: one more second of history and the running totals.
    pub fn record_bandwidth(&mut self, sample: BandwidthSample) {
        self.traffic.traffic_read = self.traffic.traffic_read.saturating_add(sample.read);
        self.traffic.traffic_written = self.traffic.traffic_written.saturating_add(sample.written);
        self.traffic.bandwidth.push(sample);
        self.traffic
            .bandwidth_graph
            .push(sample.read as f64, sample.written as f64);
    }

    /// Records a second's system sample for the connections and resources
    /// graphs; inbound and outbound come from the connection table.
    pub fn record_system(&mut self, mut system: SystemInfo) {
        if system.inbound.is_none()
            && self.net.connections.refreshed > 0
            && self.net.connections.error.is_none()
        {
            let inbound = self
                .net
                .connections
                .list
                .iter()
                .filter(|c| c.category == super::Category::Inbound)
                .count() as u64;
            system.inbound = Some(inbound);
            system.outbound = Some(self.net.connections.list.len() as u64 - inbound);
        }
        if let (Some(i), Some(o)) = (system.inbound, system.outbound) {
            self.traffic.connections_graph.push(i as f64, o as f64);
        }
        if let (Some(c), Some(m)) = (system.tor_cpu, system.tor_memory) {
            self.traffic.resources_graph.push(c, m as f64);
        }
        self.facts.system = system;
    }

    /// Log lines of one batch, oldest first (see [`LogBuffer::push_batch`]);
    /// rnyx's own only at a runlevel the operator selected.
    pub fn push_logs(&mut self, mut batch: Vec<super::RawLog>) {
        batch.retain(|item| match item {
            super::RawLog::One((_, LogSource::Rnyx(level), _)) => {
                self.logs.logged_events.shows_rnyx(*level)
            }
            _ => true,
        });
        self.logs.log.push_raw(batch);
    }

    /// Adds a log entry; rnyx's own messages only at a runlevel the operator
    /// selected.
    pub fn push_log(&mut self, entry: LogEntry) {
        if let LogSource::Rnyx(level) = entry.source {
            if !self.logs.logged_events.shows_rnyx(level) {
                return;
            }
        }
        self.logs.log.push(entry);
    }

    /// Forgets what belonged to the previous connection (a restarted tor has
    /// other circuits and counters). The log and bandwidth history stay.
    pub fn reset_for_new_connection(&mut self) {
        self.facts.relay = RelayInfo::default();
        self.net.circuits.clear();
        self.net.or_connections.clear();
        self.net.streams.clear();
        self.net.connections = Connections::default();
        self.facts.config = super::TorConfig::default();
        self.logs.subscribed_events.clear();
        // A restarted tor tests and says these again.
        self.health.raised.clear();
        self.health.bootstrap = None;
    }

    /// The consensus index to change (copied first if it is shared).
    pub fn consensus_mut(&mut self) -> &mut ConsensusIndex {
        std::sync::Arc::make_mut(&mut self.facts.consensus)
    }

    pub fn touch(&mut self) {
        self.session.generation = self.session.generation.wrapping_add(1);
    }
}

impl Default for ControllerState {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}
