//! The facts read once per connection (and again after RELOAD or a
//! configuration change): who tor is, where it listens, what it has done.

use crate::control::event::parse_router_statuses;
use crate::control::{Client, ClientError};
use rnyx_grammar::getinfo;
use rnyx_model::text::strip_controls;
use rnyx_model::{Accounting, Circuit, Listeners, OrConnection, RelayInfo, VersionStatus};

/// Everything gathered at connection time.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub relay: RelayInfo,
    pub traffic_read: u64,
    pub traffic_written: u64,
    /// Per-second (read, written) pairs from `bw-event-cache`, oldest first.
    pub bandwidth_cache: Vec<(u64, u64)>,
    pub circuits: Vec<Circuit>,
    /// tor's `orconn-status`; `None` when tor did not answer.
    pub or_connections: Option<Vec<OrConnection>>,
    /// Every event tor knows (`events/names`).
    pub event_names: Vec<String>,
    /// tor's `stream-status`, read with the tables.
    pub streams: Vec<crate::control::event::StreamEvent>,
    /// Every relay of the consensus (`ns/all`), read with the tables.
    pub consensus: Option<Vec<crate::control::event::RouterStatus>>,
    /// The graphs kept from an earlier run, read from disk (not from tor).
    pub history: Option<crate::history::Saved>,
    /// Lines of tor's answers that the control-spec rules out, and why:
    /// logged once, left out of the state.
    pub refused: Vec<String>,
    /// What the alerts need of tor's answers.
    pub health: super::health::HealthFacts,
    /// Where the MetricsPort is; of when the consensus is.
    pub load: LoadFacts,
    /// The onion services of tor's configuration and `onions/detached`.
    pub onions: Vec<(rnyx_model::onion::Origin, rnyx_model::onion::Configured)>,
    /// A bridge's configuration, the clients tor counted, and the bridge
    /// line of its obfs4 transport (read through the host).
    pub bridge: BridgeFacts,
}

/// What a bridge's facts are.
#[derive(Debug, Clone, Default)]
pub struct BridgeFacts {
    pub config: rnyx_model::bridge::BridgeConfig,
    pub clients: Option<rnyx_model::bridge::ClientsSeen>,
    pub obfs4_line: Option<String>,
    /// tor's children (program, pid), where the host sees them.
    pub children: Option<Vec<(String, u32)>>,
}

/// tor's answers for the load page, as given.
#[derive(Debug, Clone, Default)]
pub struct LoadFacts {
    /// `GETCONF MetricsPort`: each port tor was given; `None`: refused.
    pub metrics_port: Option<Vec<String>>,
    /// `consensus/valid-after`.
    pub valid_after: Option<String>,
}

/// Asks tor where its MetricsPort is and of when its consensus is.
async fn gather_load(client: &Client) -> LoadFacts {
    let (port, valid_after) = tokio::join!(
        client.getconf("MetricsPort"),
        client.getinfo("consensus/valid-after")
    );
    LoadFacts {
        metrics_port: port.ok(),
        valid_after: valid_after.ok(),
    }
}

/// tor's answers to one pipelined batch of queries, as tor gave them.
struct Answers {
    version: Option<String>,
    version_status: Option<String>,
    fingerprint: Option<String>,
    address: Option<String>,
    pid: Option<String>,
    uptime: Option<String>,
    /// `net/listeners/` or, dir, socks, control.
    listeners: [Option<String>; 5],
    nickname: Option<Vec<String>>,
    or_port: Option<Vec<String>>,
    dir_port: Option<Vec<String>>,
    /// BandwidthRate, BandwidthBurst, RelayBandwidthRate, RelayBandwidthBurst.
    rates: [Option<Vec<String>>; 4],
    traffic: (Option<String>, Option<String>),
    bw_cache: Option<String>,
    circuit_status: Option<String>,
    orconn_status: Option<String>,
    ns_all: Option<String>,
    stream_status: Option<String>,
    exit_policy: Option<rnyx_grammar::policy::PolicyView>,
    accounting: Option<Accounting>,
    event_names: Option<String>,
    bridge: (rnyx_model::bridge::BridgeConfig, Option<String>),
    hidden: (
        Vec<std::net::SocketAddr>,
        Vec<(rnyx_model::onion::Origin, rnyx_model::onion::Configured)>,
    ),
}

/// Asks every query at once (tor answers them in order on the one
/// connection). A key tor cannot answer leaves its answer empty. `tables`:
/// also what events keep up to date afterwards.
async fn ask(client: &Client, tables: bool) -> Answers {
    let get = |key: &'static str| async move { client.getinfo(key).await.ok() };
    let table = |key: &'static str| async move {
        if tables {
            client.getinfo(key).await.ok()
        } else {
            None
        }
    };
    let conf = |key: &'static str| async move { client.getconf(key).await.ok() };
    let (
        (version, version_status, fingerprint, address, pid, uptime),
        (or_l, dir_l, socks_l, control_l, extor_l),
        (nickname, or_port, dir_port),
        (rate, burst, relay_rate, relay_burst),
        (traffic_read, traffic_written, bw_cache),
        (circuit_status, orconn_status, ns_all, stream_status),
        (exit_policy, accounting, event_names, hidden, bridge),
    ) = tokio::join!(
        async {
            tokio::join!(
                get("version"),
                get("status/version/current"),
                get("fingerprint"),
                get("address"),
                get("process/pid"),
                get("uptime"),
            )
        },
        async {
            tokio::join!(
                get("net/listeners/or"),
                get("net/listeners/dir"),
                get("net/listeners/socks"),
                get("net/listeners/control"),
                get("net/listeners/extor")
            )
        },
        async { tokio::join!(conf("Nickname"), conf("ORPort"), conf("DirPort")) },
        async {
            tokio::join!(
                conf("BandwidthRate"),
                conf("BandwidthBurst"),
                conf("RelayBandwidthRate"),
                conf("RelayBandwidthBurst")
            )
        },
        async {
            tokio::join!(
                get("traffic/read"),
                get("traffic/written"),
                table("bw-event-cache")
            )
        },
        async {
            tokio::join!(
                table("circuit-status"),
                get("orconn-status"),
                table("ns/all"),
                table("stream-status")
            )
        },
        async {
            tokio::join!(
                exit_policy_summary(client),
                accounting_facts(client),
                get("events/names"),
                onion_services(client),
                bridge_config(client),
            )
        },
    );
    Answers {
        version,
        version_status,
        fingerprint,
        address,
        pid,
        uptime,
        listeners: [or_l, dir_l, socks_l, control_l, extor_l],
        nickname,
        or_port,
        dir_port,
        rates: [rate, burst, relay_rate, relay_burst],
        traffic: (traffic_read, traffic_written),
        bw_cache,
        circuit_status,
        orconn_status,
        ns_all,
        stream_status,
        exit_policy,
        accounting,
        event_names,
        hidden,
        bridge,
    }
}

/// Reads the facts, pipelining the queries; `tables` also reads what
/// events keep up to date afterwards (circuits, OR connections, the
/// bandwidth cache, the consensus), which only the first read of a
/// connection needs. Only a connection that ends is an error.
pub async fn gather(client: &Client, now: u64, tables: bool) -> Result<Facts, ClientError> {
    let mut a = ask(client, tables).await;
    if client.is_closed() {
        return Err(ClientError::Closed);
    }
    let fingerprint = a.fingerprint.take().filter(|f| !f.is_empty());
    let ((flags, observed), health, load) = tokio::join!(
        async {
            match &fingerprint {
                Some(fp) => tokio::join!(own_flags(client, fp), observed_bandwidth(client, fp)),
                None => (Vec::new(), None),
            }
        },
        super::health::gather(client, fingerprint.as_deref()),
        gather_load(client),
    );
    let relay = RelayInfo {
        flags,
        bandwidth_observed: observed,
        ..relay_info(&mut a, fingerprint, now)
    };
    Ok(Facts {
        health,
        load,
        ..tables_of(a, relay)
    })
}

/// Who tor is and where it listens, from its answers.
fn relay_info(a: &mut Answers, fingerprint: Option<String>, now: u64) -> RelayInfo {
    let [or_l, dir_l, socks_l, control_l, extor_l] = std::mem::take(&mut a.listeners);
    let mut listeners = Listeners {
        or: listener_list(or_l),
        dir: listener_list(dir_l),
        socks: listener_list(socks_l),
        control: listener_list(control_l),
        extor: listener_list(extor_l),
    };
    // With DisableNetwork tor opens no OR/Dir listeners; show the configured ports.
    if listeners.or.is_empty() {
        listeners.or = configured_ports(a.or_port.take());
    }
    if listeners.dir.is_empty() {
        listeners.dir = configured_ports(a.dir_port.take());
    }
    let [rate, burst, relay_rate, relay_burst] = std::mem::take(&mut a.rates);
    let exit_policy = a.exit_policy.take();
    RelayInfo {
        version: a.version.take().map(|v| strip_controls(&v)),
        version_status: a
            .version_status
            .take()
            .map_or(VersionStatus::Unknown, |s| VersionStatus::parse(&s)),
        nickname: a
            .nickname
            .take()
            .and_then(|n| n.into_iter().next())
            .map(|n| strip_controls(&n))
            .or_else(|| fingerprint.as_ref().map(|_| "Unnamed".to_owned())),
        fingerprint,
        address: a.address.take().map(|a| strip_controls(&a)),
        listeners,
        pid: a.pid.take().and_then(|p| p.trim().parse().ok()),
        start_time: a
            .uptime
            .take()
            .and_then(|u| u.trim().parse::<u64>().ok())
            .map(|u| now.saturating_sub(u)),
        flags: Vec::new(),
        exits: exit_policy.as_ref().is_some_and(|p| p.exits),
        exit_policy: exit_policy.map(|p| p.text),
        hidden_targets: std::mem::take(&mut a.hidden.0),
        bandwidth_rate: effective(rate, relay_rate),
        bandwidth_burst: effective(burst, relay_burst),
        bandwidth_observed: None,
        accounting: a.accounting.take(),
    }
}

/// The facts: `relay`, and the tables and counters of tor's answers (a
/// line the spec rules out is kept aside in `refused`).
fn tables_of(a: Answers, relay: RelayInfo) -> Facts {
    let mut refused = Vec::new();
    let bandwidth_cache =
        getinfo::bw_event_cache(&a.bw_cache.unwrap_or_default()).keep(&mut refused);
    let circuits =
        getinfo::circuit_status(&a.circuit_status.unwrap_or_default()).keep(&mut refused);
    let or_connections = a
        .orconn_status
        .map(|text| getinfo::orconn_status(&text).keep(&mut refused));
    let streams = getinfo::stream_status(&a.stream_status.unwrap_or_default()).keep(&mut refused);
    let clients = a.bridge.1.as_deref().and_then(|text| {
        getinfo::clients_seen(text, 0)
            .map_err(|e| refused.push(format!("status/clients-seen: {e}")))
            .ok()
    });
    Facts {
        onions: a.hidden.1,
        bridge: BridgeFacts {
            config: a.bridge.0,
            clients,
            obfs4_line: None,
            children: None,
        },
        history: None,
        health: super::health::HealthFacts::default(),
        load: LoadFacts::default(),
        refused,
        relay,
        traffic_read: parse_u64(a.traffic.0),
        traffic_written: parse_u64(a.traffic.1),
        bandwidth_cache,
        circuits,
        or_connections,
        event_names: a
            .event_names
            .unwrap_or_default()
            .split_whitespace()
            .map(strip_controls)
            .collect(),
        consensus: a.ns_all.map(|text| parse_router_statuses(&text)),
        streams,
    }
}

fn parse_u64(v: Option<String>) -> u64 {
    v.and_then(|s| s.trim().parse().ok()).unwrap_or(0)
}

/// `"127.0.0.1:9051" "unix:/run/tor/control"` → both, unquoted.
fn listener_list(v: Option<String>) -> Vec<String> {
    v.map(|s| {
        getinfo::listeners(&s)
            .iter()
            .map(|l| strip_controls(l))
            .collect()
    })
    .unwrap_or_default()
}

fn configured_ports(v: Option<Vec<String>>) -> Vec<String> {
    v.unwrap_or_default()
        .into_iter()
        .filter(|p| p != "0")
        .map(|p| strip_controls(p.split(' ').next().unwrap_or("")))
        .collect()
}

/// RelayBandwidthRate/Burst take precedence when set, as tor applies them.
fn effective(general: Option<Vec<String>>, relay: Option<Vec<String>>) -> Option<u64> {
    let first = |v: Option<Vec<String>>| -> Option<u64> { v?.first()?.trim().parse().ok() };
    match first(relay) {
        Some(r) if r > 0 => Some(r),
        _ => first(general),
    }
}

async fn own_flags(client: &Client, fingerprint: &str) -> Vec<String> {
    match client.getinfo(&format!("ns/id/{fingerprint}")).await {
        Ok(text) => parse_router_statuses(&text)
            .into_iter()
            .next()
            .map(|r| r.flags)
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The observed bandwidth in our own server descriptor, if tor has it.
async fn observed_bandwidth(client: &Client, fingerprint: &str) -> Option<u64> {
    let desc = client
        .getinfo(&format!("desc/id/{fingerprint}"))
        .await
        .ok()?;
    getinfo::descriptor_observed(&desc)
}

async fn exit_policy_summary(client: &Client) -> Option<rnyx_grammar::policy::PolicyView> {
    if let Ok(full) = client.getinfo("exit-policy/full").await {
        return Some(rnyx_grammar::policy::describe(&full));
    }
    // Tor has no policy to show yet (DisableNetwork, descriptor rebuilding):
    // a relay that is not an exit rejects everything.
    let exit_relay = client.getconf("ExitRelay").await.ok()?;
    (exit_relay.first().map(String::as_str) == Some("0"))
        .then(|| rnyx_grammar::policy::describe("reject *:*"))
}

/// Summarises a full exit policy the way the directory does (`accept 80,443`
/// or `reject *:*`): which ports are accepted for every address.
/// The onion services tor hosts, and where their ports lead:
/// `HiddenServicePort VIRTPORT [TARGET]`, the target an address and port,
/// a port alone (on 127.0.0.1), or the virtual port itself when none is
/// given; unix-socket targets are not TCP. Detached `ADD_ONION` services
/// come from `onions/detached` (a word that is not an address is left out).
async fn onion_services(
    client: &Client,
) -> (
    Vec<std::net::SocketAddr>,
    Vec<(rnyx_model::onion::Origin, rnyx_model::onion::Configured)>,
) {
    use rnyx_model::onion::{Configured, Origin};
    let getconf = rnyx_grammar::command::Command::GetConf(vec!["HiddenServiceOptions".into()]);
    let (reply, detached) = tokio::join!(client.send(&getconf), client.getinfo("onions/detached"));
    let mut targets = Vec::new();
    let mut services = Vec::new();
    if let Ok(reply) = reply {
        let pairs: Vec<(&str, &str)> = reply.key_values().collect();
        targets = pairs
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("HiddenServicePort"))
            .filter_map(|(_, v)| rnyx_grammar::torrc::hidden_service_target(v))
            .collect();
        services = rnyx_grammar::torrc::hidden_services(pairs)
            .into_iter()
            .map(|c| (Origin::Torrc, c))
            .collect();
    }
    for id in detached.unwrap_or_default().split_whitespace() {
        if rnyx_grammar::event::onion_address(id) {
            services.push((
                Origin::Detached,
                Configured {
                    address: Some(id.to_owned()),
                    ..Configured::default()
                },
            ));
        }
    }
    (targets, services)
}

/// A bridge's configuration (`BridgeRelay`, `BridgeDistribution`, the
/// server transports) and, for a bridge, `status/clients-seen` as given.
async fn bridge_config(client: &Client) -> (rnyx_model::bridge::BridgeConfig, Option<String>) {
    let getconf = rnyx_grammar::command::Command::GetConf(
        [
            "BridgeRelay",
            "BridgeDistribution",
            "ServerTransportPlugin",
            "ServerTransportListenAddr",
        ]
        .map(str::to_owned)
        .to_vec(),
    );
    let mut c = rnyx_model::bridge::BridgeConfig::default();
    let Ok(reply) = client.send(&getconf).await else {
        return (c, None);
    };
    for (k, v) in reply.key_values().filter(|(_, v)| !v.is_empty()) {
        let v = strip_controls(v.trim_matches('"'));
        match k {
            "BridgeRelay" => c.bridge = v == "1",
            "BridgeDistribution" => c.distribution = Some(v),
            "ServerTransportPlugin" => c.plugins.push(v),
            "ServerTransportListenAddr" => c.listen.push(v),
            _ => {}
        }
    }
    let clients = if c.bridge {
        client.getinfo("status/clients-seen").await.ok()
    } else {
        None
    };
    (c, clients)
}

async fn accounting_facts(client: &Client) -> Option<Accounting> {
    if client.getinfo("accounting/enabled").await.ok()?.trim() != "1" {
        return None;
    }
    let (hibernating, bytes, left, end) = tokio::join!(
        client.getinfo("accounting/hibernating"),
        client.getinfo("accounting/bytes"),
        client.getinfo("accounting/bytes-left"),
        client.getinfo("accounting/interval-end"),
    );
    let pair = |s: Result<String, ClientError>| getinfo::byte_pair(&s.unwrap_or_default());
    let (read, written) = pair(bytes);
    let (read_left, written_left) = pair(left);
    Some(Accounting {
        status: hibernating.unwrap_or_default(),
        read,
        written,
        read_left,
        written_left,
        interval_end: end.unwrap_or_default(),
    })
}

/// What tor writes for its services, where the host has it here and rnyx
/// may read it: each configured onion service's address (the `hostname`
/// file of its directory; else its first upload or circuit names it), and
/// a bridge's obfs4 bridge line (`pt_state/obfs4_bridgeline.txt` in the
/// DataDirectory, the last line that is not a comment).
pub(super) fn service_files(host: &dyn crate::host::Host, facts: &mut Facts) {
    let has_obfs4 = facts.bridge.config.plugins.iter().any(|p| {
        p.split_whitespace()
            .next()
            .is_some_and(|n| n.split(',').any(|n| n == "obfs4"))
    });
    let managed = facts
        .bridge
        .config
        .plugins
        .iter()
        .any(|p| p.contains(" exec "));
    if let (true, Some(pid)) = (managed, facts.relay.pid) {
        facts.bridge.children = host.children(pid);
    }
    let data_dir = facts
        .health
        .keys
        .as_deref()
        .and_then(std::path::Path::parent);
    if let (true, Some(dir)) = (has_obfs4, data_dir) {
        let file = dir.join("pt_state/obfs4_bridgeline.txt");
        let here = host.path_here(&file.to_string_lossy());
        facts.bridge.obfs4_line =
            here.and_then(|p| std::fs::read_to_string(p).ok())
                .and_then(|text| {
                    text.lines()
                        .map(str::trim)
                        .rfind(|l| !l.is_empty() && !l.starts_with('#'))
                        .map(rnyx_model::text::strip_controls)
                });
    }
    for (_, service) in &mut facts.onions {
        let Some(path) = service.dir.as_deref().and_then(|d| host.path_here(d)) else {
            continue;
        };
        // A file of one line: read at once.
        if let Ok(text) = std::fs::read_to_string(path.join("hostname")) {
            let address = text.trim().trim_end_matches(".onion");
            if rnyx_grammar::event::onion_address(address) {
                service.address = Some(address.to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_lists_unquote() {
        assert_eq!(
            listener_list(Some("\"127.0.0.1:9051\" \"unix:/run/tor/control\"".into())),
            ["127.0.0.1:9051", "unix:/run/tor/control"]
        );
        assert!(listener_list(Some(String::new())).is_empty());
    }
}
