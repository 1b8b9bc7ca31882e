//! `rnyx --dump`: the controller state as one JSON object, for scripts.

use crate::control::{ConnectError, Target};
use crate::controller::{self, ControllerConfig, ControllerHandle};
use rnyx_grammar::request::Response;
use rnyx_model::{
    Accounting, BandwidthSample, Category, Circuit, ControllerState, Interval, Listeners,
    OrConnection, SocketSource, SocketTable, VersionStatus,
};
use serde::Serialize;
use std::time::Duration;

/// The JSON document `--dump` prints. Keys are stable; new ones may be added.
#[derive(Debug, Serialize)]
pub struct Dump<'a> {
    pub connected: bool,
    pub target: Option<&'a str>,
    pub auth_method: Option<&'a str>,
    pub version: Option<&'a str>,
    pub version_status: VersionStatus,
    pub fingerprint: Option<&'a str>,
    pub nickname: Option<&'a str>,
    pub address: Option<&'a str>,
    pub pid: Option<u32>,
    /// Seconds since tor started.
    pub uptime: Option<u64>,
    pub flags: &'a [String],
    pub exit_policy: Option<&'a str>,
    pub listeners: &'a Listeners,
    pub bandwidth_rate: Option<u64>,
    pub bandwidth_burst: Option<u64>,
    pub bandwidth_observed: Option<u64>,
    pub accounting: Option<&'a Accounting>,
    pub traffic_read: u64,
    pub traffic_written: u64,
    /// Recent per-second samples, oldest first.
    pub bandwidth: Vec<&'a BandwidthSample>,
    /// An onion service's own circuits carry its address in `rend_query`
    /// (hidden as the services are).
    pub circuits: Vec<std::borrow::Cow<'a, Circuit>>,
    pub or_connections: Vec<&'a OrConnection>,
    /// tor's TCP connections, classified; client and exit addresses are
    /// `<scrubbed>` unless `--no-scrub`.
    pub connections: Vec<DumpConnection<'a>>,
    /// Where `connections` came from (`descriptors`, `tor_user`, or
    /// `unavailable` with why).
    pub connection_source: &'a SocketSource,
    /// How tor's namespace's socket table was read (`sock_diag`, or `proc`
    /// with why sock_diag was refused).
    pub connection_table: &'a SocketTable,
    pub subscribed_events: &'a [String],
    /// The alerts active, worst first (README, "Is anything wrong?").
    pub alerts: &'a [rnyx_model::health::Alert],
    /// The relay in the last consensus, its changes, and tor's MetricsPort.
    pub load: DumpLoad<'a>,
    /// The onion services tor hosts (page 7): address (`<hidden>.onion`
    /// when nyxrc's `show_onion_addresses` is false), origin, ports,
    /// introduction points, rendezvous circuits, the descriptor's uploads.
    /// Left out when tor hosts none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub onion_services: Vec<rnyx_model::onion::OnionService>,
    /// A bridge (or a tor with server transports): `bridge`,
    /// `distribution`, `transports` (each `name`, `program`, `listen`,
    /// `launched`, `exited`, `warning`, `status`, `bridge_line`), `clients`
    /// (`at`, `since`, `countries`, `ip_versions`), `client_totals`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<&'a rnyx_model::bridge::Bridge>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<DumpHistory>,
    /// From a recording (`--replay`): which, and where in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<DumpReplay<'a>>,
}

/// The load page's figures.
#[derive(Debug, Serialize)]
pub struct DumpLoad<'a> {
    /// The relay in the last consensus rnyx saw: listed, weight, flags,
    /// total weight, rank, relays, and `at` (its valid-after).
    pub consensus: Option<&'a rnyx_model::load::Mark>,
    /// Its share of the network's weight, in percent.
    pub share: Option<f64>,
    /// Each change of listing, flags and weight, newest first, with its
    /// consensus.
    pub changes: Vec<rnyx_model::load::Change>,
    /// Where tor's MetricsPort is read (`at`), `off`, or `unknown`; the
    /// series kept, each with its rate a second.
    pub metrics: std::borrow::Cow<'a, rnyx_model::load::Metrics>,
}

impl<'a> DumpLoad<'a> {
    /// `hide`: an onion service's address in a series' `onion` label.
    fn of(state: &'a ControllerState, hide: bool) -> Self {
        let standing = &state.load.standing;
        let m = &state.load.metrics;
        let labelled = |s: &rnyx_model::load::MetricSeries| s.label("onion").is_some();
        let metrics = if hide && m.series.iter().any(labelled) {
            let mut m = m.clone();
            for (k, v) in m.series.iter_mut().flat_map(|s| s.labels.iter_mut()) {
                if k == "onion" {
                    rnyx_panels::pages::services::HIDDEN.clone_into(v);
                }
            }
            std::borrow::Cow::Owned(m)
        } else {
            std::borrow::Cow::Borrowed(m)
        };
        Self {
            consensus: standing.latest(),
            share: standing.latest().and_then(rnyx_model::load::Mark::share),
            changes: standing.changes(),
            metrics,
        }
    }
}

/// Where in a recording a dump is.
#[derive(Debug, Serialize)]
pub struct DumpReplay<'a> {
    pub file: &'a str,
    /// Unix milliseconds the recording started.
    pub started: u64,
    /// Milliseconds into it.
    pub at: u64,
    /// Milliseconds it lasts.
    pub length: u64,
}

/// One of tor's connections in the dump.
#[derive(Debug, Serialize)]
pub struct DumpConnection<'a> {
    pub category: Category,
    pub local: String,
    pub remote: String,
    pub fingerprint: Option<&'a str>,
    pub nickname: Option<&'a str>,
    /// Seconds since rnyx first saw it (a lower bound when `before_start`).
    pub uptime: u64,
    pub before_start: bool,
    /// `name (pid)` of the local client of a SOCKS or control connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<&'a str>,
}

/// What a scrubbed address reads as.
pub const SCRUBBED: &str = "<scrubbed>";

/// What `--dump` hides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scrub {
    /// Client and exit addresses (unless `--no-scrub`).
    pub addresses: bool,
    /// tor's own onion services' addresses (nyxrc's
    /// `show_onion_addresses = false`).
    pub onions: bool,
}

impl Default for Scrub {
    /// As nyxrc's defaults: client and exit addresses hidden, the
    /// operator's own services shown.
    fn default() -> Self {
        Scrub {
            addresses: true,
            onions: false,
        }
    }
}

/// The services as the dump shows them.
fn services_of(state: &ControllerState, hide: bool) -> Vec<rnyx_model::onion::OnionService> {
    let mut services = state.onions.services.clone();
    if hide {
        for s in &mut services {
            if s.address.is_some() {
                s.address = Some(rnyx_panels::pages::services::HIDDEN.to_owned());
            }
        }
    }
    services
}

impl<'a> Dump<'a> {
    pub fn of(state: &'a ControllerState, now: u64, scrub: Scrub) -> Self {
        let r = &state.facts.relay;
        Dump {
            connected: state.session.connection.connected,
            target: state.session.connection.target.as_deref(),
            auth_method: state.session.connection.auth_method.as_deref(),
            version: r.version.as_deref(),
            version_status: r.version_status,
            fingerprint: r.fingerprint.as_deref(),
            nickname: r.nickname.as_deref(),
            address: r.address.as_deref(),
            pid: r.pid,
            uptime: r.start_time.map(|t| now.saturating_sub(t)),
            flags: &r.flags,
            exit_policy: r.exit_policy.as_deref(),
            listeners: &r.listeners,
            bandwidth_rate: r.bandwidth_rate,
            bandwidth_burst: r.bandwidth_burst,
            bandwidth_observed: r.bandwidth_observed,
            accounting: r.accounting.as_ref(),
            traffic_read: state.traffic.traffic_read,
            traffic_written: state.traffic.traffic_written,
            bandwidth: state.traffic.bandwidth.iter().collect(),
            circuits: state
                .net
                .circuits
                .iter()
                .map(|c| match &c.rend_query {
                    Some(_) if scrub.onions => {
                        let mut c = c.clone();
                        c.rend_query = Some(rnyx_panels::pages::services::HIDDEN.into());
                        std::borrow::Cow::Owned(c)
                    }
                    _ => std::borrow::Cow::Borrowed(c),
                })
                .collect(),
            or_connections: state.net.or_connections.iter().collect(),
            connections: state
                .net
                .connections
                .list
                .iter()
                .map(|c| {
                    let hide = scrub.addresses && c.is_private();
                    DumpConnection {
                        category: c.category,
                        local: c.local.to_string(),
                        remote: if hide {
                            SCRUBBED.to_owned()
                        } else {
                            c.remote.to_string()
                        },
                        fingerprint: c.fingerprint.as_deref(),
                        nickname: c.nickname.as_deref(),
                        uptime: now.saturating_sub(c.first_seen),
                        before_start: c.before_start,
                        process: c.process.as_deref(),
                    }
                })
                .collect(),
            connection_source: &state.net.connections.source,
            connection_table: &state.net.connections.table,
            subscribed_events: &state.logs.subscribed_events,
            alerts: &state.health.active,
            load: DumpLoad::of(state, scrub.onions),
            onion_services: services_of(state, scrub.onions),
            bridge: (!state.bridge.is_empty()).then_some(&state.bridge),
            history: None,
            replay: state.session.replay.as_ref().map(|r| DumpReplay {
                file: &r.name,
                started: r.started,
                at: r.position(now),
                length: r.length,
            }),
        }
    }
}

/// Why `--dump` has no state to print.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("{0}")]
    Lost(String),
}

impl DumpError {
    /// Whether asking the operator for a password would help.
    pub fn needs_password(&self) -> bool {
        matches!(self, DumpError::Connect(e) if e.needs_password())
    }
}

/// How long the state may take to settle.
const SETTLE_WITHIN: Duration = Duration::from_secs(20);

/// Connects once and runs the monitor's controller task on the connection
/// until its state holds tor's facts and a scan of its connections; the
/// JSON text of that state. Kept graphs are read, never written.
pub async fn dump(
    task: ControllerConfig,
    (scrub, history): (Scrub, Option<Interval>),
) -> Result<String, DumpError> {
    let dir = history.and(task.history_dir.clone());
    let handle = watched(ControllerConfig {
        history_dir: dir.clone(),
        history_read_only: true,
        prepopulate_lines: 0,
        ..task
    })
    .await?;
    let now = handle.state.now_secs();
    Ok(handle.state.read(|state| {
        // The file the task read the graphs from, if it had one to read.
        let kept_in = dir
            .zip(crate::history::key(state))
            .filter(|(d, key)| crate::history::read_only(d, key).is_some())
            .map(|(d, key)| crate::history::path(&d, &key).display().to_string());
        let unavailable = state
            .net
            .connections
            .error
            .clone()
            .map(|why| SocketSource::Unavailable { why });
        let mut dump = Dump::of(state, now, scrub);
        if let Some(source) = &unavailable {
            dump.connection_source = source;
        }
        dump.history = history.map(|i| dump_history(state, i, kept_in));
        serde_json::to_string_pretty(&dump).expect("the dump serialises")
    }))
}

/// Connects once, through its host, and runs a controller task (`config`)
/// until its state has settled.
pub async fn watched(config: ControllerConfig) -> Result<ControllerHandle, DumpError> {
    let conn = config
        .host
        .connect(&config.targets, config.password.as_deref())
        .await?;
    let name = conn_name(&config.targets);
    let handle = controller::spawn_with(config, Some(conn));
    settle(&handle, &name).await.map_err(DumpError::Lost)?;
    Ok(handle)
}

/// What the targets are called in an error.
fn conn_name(targets: &[Target]) -> String {
    targets.first().map_or_else(String::new, Target::to_string)
}

/// Waits until the task says its state holds what is due (see
/// `SessionRequest::Settled`).
async fn settle(handle: &ControllerHandle, name: &str) -> Result<(), String> {
    match tokio::time::timeout(
        SETTLE_WITHIN,
        handle.ask(rnyx_grammar::request::SessionRequest::Settled.into()),
    )
    .await
    {
        Ok(Response::Done(_)) => Ok(()),
        Ok(other) => {
            let why = handle
                .state
                .read(|s| s.session.connection.last_error.clone())
                .or_else(|| other.error())
                .unwrap_or_default();
            Err(format!("{name}: {why}"))
        }
        Err(_) => Err(format!(
            "{name}: the state did not settle within {} s",
            SETTLE_WITHIN.as_secs()
        )),
    }
}

/// `--dump --replay FILE --at SECONDS`: the state a replay of the recording
/// holds that far into it; `task`: the settings' task for it (see
/// `Settings::replay`).
pub async fn dump_replay(
    (player, task): (std::sync::Arc<crate::replay::Player>, ControllerConfig),
    at: u64,
    scrub: Scrub,
    history: Option<Interval>,
) -> Result<String, String> {
    player.clock.hold_at(at.saturating_mul(1000));
    let name = player.name.clone();
    let handle = controller::spawn(task);
    settle(&handle, &name).await?;
    let now = handle.state.now_secs();
    Ok(handle.state.read(|state| {
        let mut dump = Dump::of(state, now, scrub);
        dump.history = history.map(|i| dump_history(state, i, None));
        if let Some(r) = &mut dump.replay {
            // Where it was asked for, not the last event before it.
            r.at = at.saturating_mul(1000).min(r.length);
        }
        serde_json::to_string_pretty(&dump).expect("the dump serialises")
    }))
}

/// The graphs' columns of `interval`.
fn dump_history(
    state: &ControllerState,
    interval: Interval,
    kept_in: Option<String>,
) -> DumpHistory {
    {
        let columns = |series: &rnyx_model::Series| -> Vec<(f64, f64)> {
            series
                .columns(interval)
                .iter()
                .map(|c| (c.primary, c.secondary))
                .collect()
        };
        DumpHistory {
            interval: interval.name(),
            kept_in,
            bandwidth: columns(&state.traffic.bandwidth_graph),
            connections: columns(&state.traffic.connections_graph),
            resources: columns(&state.traffic.resources_graph),
        }
    }
}

/// `--history INTERVAL`: the graphs' columns of that interval, newest
/// first, from the history kept across restarts and tor's cache.
#[derive(Debug, Serialize)]
pub struct DumpHistory {
    pub interval: &'static str,
    /// The file the kept history came from, if there was one.
    pub kept_in: Option<String>,
    /// (read, written) bytes a second.
    pub bandwidth: Vec<(f64, f64)>,
    /// (inbound, outbound) connections.
    pub connections: Vec<(f64, f64)>,
    /// (tor's cpu %, tor's memory bytes).
    pub resources: Vec<(f64, f64)>,
}
