//! `rnyx --dump`: the controller state as one JSON object, for scripts.

use crate::control::{ConnectError, Connection, Target};
use crate::controller::apply::apply_facts;
use crate::controller::{facts, now_secs};
use rnyx_panels::model::{
    Accounting, BandwidthSample, Circuit, ControllerState, Limits, Listeners, OrConnection,
    VersionStatus,
};
use serde::Serialize;

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
    pub circuits: Vec<&'a Circuit>,
    pub or_connections: Vec<&'a OrConnection>,
    pub subscribed_events: &'a [String],
}

impl<'a> Dump<'a> {
    pub fn of(state: &'a ControllerState, now: u64) -> Self {
        let r = &state.relay;
        Dump {
            connected: state.connection.connected,
            target: state.connection.target.as_deref(),
            auth_method: state.connection.auth_method.as_deref(),
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
            traffic_read: state.traffic_read,
            traffic_written: state.traffic_written,
            bandwidth: state.bandwidth.iter().collect(),
            circuits: state.circuits.iter().collect(),
            or_connections: state.or_connections.iter().collect(),
            subscribed_events: &state.subscribed_events,
        }
    }
}

/// Connects once, gathers the facts and returns the JSON text.
pub async fn dump(targets: &[Target], password: Option<&str>) -> Result<String, ConnectError> {
    let Connection {
        client,
        target,
        method,
        ..
    } = crate::control::connect(targets, password).await?;
    let facts = facts::gather(&client, now_secs())
        .await
        .map_err(|e| ConnectError::Auth(e.into()))?;
    let mut state = ControllerState::new(Limits::default());
    let now = now_secs();
    apply_facts(&mut state, facts, true, now);
    state.connection.connected = true;
    state.connection.target = Some(target.to_string());
    state.connection.auth_method = Some(method.as_str().to_owned());
    Ok(serde_json::to_string_pretty(&Dump::of(&state, now)).expect("the dump serialises"))
}
