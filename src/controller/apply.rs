//! Applying what tor tells us to the controller state.

use super::facts::Facts;
use crate::control::event::StatusKind;
use crate::control::{Event, Incoming};
use rnyx_model::{
    BandwidthSample, ControllerState, EventSelection, LogEntry, LogSource, RawLog, RelayEntry,
    Runlevel, Stream, VersionStatus,
};
use std::borrow::Cow;

/// What applying a batch asks of the controller task.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Followup {
    /// The configuration changed or tor reloaded: read the facts again.
    pub refresh_facts: bool,
    /// A new consensus came: ask tor of when it is.
    pub date_consensus: bool,
}

/// Applies one batch of incoming items. `logged` says which non-log events
/// the operator wants to see as log lines (e.g. `CIRC`, `BW`).
pub fn apply_batch(
    state: &mut ControllerState,
    batch: Vec<Incoming>,
    logged: &EventSelection,
    now_ms: u64,
) -> Followup {
    let mut follow = Followup::default();
    // The batch's log lines go in together: under a flood most would be
    // evicted by the rest, and are only counted.
    let mut logs = Vec::new();
    for item in batch {
        match item {
            Incoming::Event(Event::Malformed { name, reason, .. }) => {
                state.session.events_received += 1;
                if let Some(message) =
                    state
                        .logs
                        .refused
                        .note(&format!("{name} event"), &reason, now_ms)
                {
                    logs.push(RawLog::One((
                        now_ms,
                        LogSource::Rnyx(Runlevel::Warn),
                        message,
                    )));
                }
            }
            Incoming::Event(event) => {
                state.session.events_received += 1;
                apply_event(state, event, logged, now_ms, (&mut follow, &mut logs));
            }
            Incoming::Logs(run) => {
                state.session.events_received += run.len() as u64;
                // tor's words of a transport's end or of no bridge
                // authority are warnings: few, read here; the rest pass.
                for message in run.at_level(Runlevel::Warn) {
                    state
                        .bridge
                        .on_tor_log(&String::from_utf8_lossy(message), now_ms / 1000);
                }
                logs.push(RawLog::Run(now_ms, run));
            }
            Incoming::Malformed(e) => logs.push(RawLog::One((
                now_ms,
                LogSource::Rnyx(Runlevel::Warn),
                format!("malformed input from tor ignored: {e}"),
            ))),
        }
    }
    state.push_logs(logs);
    follow
}

fn apply_event(
    state: &mut ControllerState,
    event: Event,
    logged: &EventSelection,
    now_ms: u64,
    (follow, logs): (&mut Followup, &mut Vec<RawLog>),
) {
    let new_consensus = matches!(event, Event::NewConsensus(_));
    if let Event::Log { runlevel, message } = event {
        if runlevel == rnyx_model::Runlevel::Warn {
            state.bridge.on_tor_log(&message, now_ms / 1000);
        }
        if message.contains('\n') {
            // A multi-line message (`650+WARN`, control-spec §4.1.5): each
            // of its lines an entry, in order, with the message's time, so
            // the panel, `--dump` and log files all show them as lines.
            for line in message.lines().filter(|l| !l.trim().is_empty()) {
                logs.push(RawLog::One((
                    now_ms,
                    LogSource::Tor(runlevel),
                    line.to_owned(),
                )));
            }
        } else {
            logs.push(RawLog::One((now_ms, LogSource::Tor(runlevel), message)));
        }
        return;
    }
    if logged.logs_event(event.name()) {
        logs.push(RawLog::One((
            now_ms,
            LogSource::Event(match event.known_name() {
                Some(name) => Cow::Borrowed(name),
                None => Cow::Owned(event.name().to_owned()),
            }),
            event.describe(),
        )));
    }
    let now = now_ms / 1000;
    match event {
        Event::Bandwidth { read, written } => state.record_bandwidth(BandwidthSample {
            time: now_ms / 1000,
            read,
            written,
        }),
        Event::Circuit { circuit, .. } => state.net.circuits.apply(*circuit),
        Event::CircuitMinor { circuit, .. } => state.net.circuits.amend(*circuit),
        Event::OrConn { mut connection, .. } => {
            connection.first_seen = now_ms / 1000;
            state.net.or_connections.apply(connection);
        }
        Event::Ns(entries) | Event::NewConsensus(entries) => {
            if let Some(fp) = &state.facts.relay.fingerprint {
                let own = entries.iter().find(|e| &e.fingerprint == fp);
                if let Some(own) = own {
                    state.facts.relay.flags.clone_from(&own.flags);
                }
                // A new consensus without the relay drops it; an NS event
                // lists only what changed.
                if own.is_some() || new_consensus {
                    state
                        .health
                        .on_consensus(fp, own.map(|o| o.flags.as_slice()), now);
                }
            }
            if new_consensus {
                super::load::on_consensus(state, &entries, now);
                follow.date_consensus = true;
                state.facts.consensus = super::consensus::index_of(entries);
            } else {
                state
                    .consensus_mut()
                    .update(entries.into_iter().map(RelayEntry::from));
            }
        }
        Event::Stream(s) => state.net.streams.apply(stream(s)),
        Event::ConfChanged(changes) => {
            // Shown at once; what is set and saved follows with the re-read.
            state.facts.config.set_values(&changes);
            state.facts.config.reconcile();
            follow.refresh_facts = true;
        }
        Event::Signal(rnyx_grammar::signal::Signal::Reload) => follow.refresh_facts = true,
        Event::Status {
            kind,
            action,
            arguments,
            ..
        } => status(state, kind, &action, &arguments, now),
        e @ (Event::HsDesc(_)
        | Event::TransportLaunched { .. }
        | Event::PtStatus { .. }
        | Event::PtLog { .. }) => hosted(state, e, now),
        Event::Liveness { status } => {
            // A word the rules do not know (a newer tor's) changes nothing.
            let args = [("STATUS".to_owned(), status)];
            state.health.on_status("NETWORK_LIVENESS", "", &args, now);
        }
        _ => {}
    }
}

/// An event of what tor hosts: an onion service's descriptor, a bridge's
/// transport launched, its status or log line.
fn hosted(state: &mut ControllerState, event: Event, now: u64) {
    match event {
        Event::HsDesc(d) => state.onions.on_descriptor(
            &d.action,
            d.address.as_deref(),
            d.hsdir.as_ref(),
            d.reason.as_deref(),
            now,
        ),
        Event::TransportLaunched {
            kind,
            name,
            address,
            port,
        } if kind == "server" => {
            let at = std::net::SocketAddr::new(address, port).to_string();
            state.bridge.on_launched(&name, at, now);
        }
        Event::PtStatus {
            program,
            transport,
            fields,
        } => state.bridge.on_pt(
            &program,
            transport.as_deref(),
            rnyx_model::bridge::PtSaid::Status(&fields),
            now,
        ),
        Event::PtLog {
            program,
            severity,
            message,
        } => state.bridge.on_pt(
            &program,
            None,
            rnyx_model::bridge::PtSaid::Log(&severity, &message),
            now,
        ),
        _ => {}
    }
}

/// A status event: the relay's address, its version's standing, and the
/// alerts' signals.
fn status(
    state: &mut ControllerState,
    kind: StatusKind,
    action: &str,
    arguments: &[(String, String)],
    now: u64,
) {
    let arg = |k: &str| arguments.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    match (kind, action) {
        (StatusKind::Server, "EXTERNAL_ADDRESS") => {
            if let Some(addr) = arg("ADDRESS") {
                state.facts.relay.address = Some(rnyx_model::text::strip_controls(addr));
            }
        }
        // REASON=NEW|OBSOLETE|UNRECOMMENDED (control-spec §4.1.10).
        (StatusKind::General, "DANGEROUS_VERSION") => {
            if let Some(reason) = arg("REASON") {
                let v = VersionStatus::parse(&reason.to_ascii_lowercase());
                if v != VersionStatus::Unknown {
                    state.facts.relay.version_status = v;
                }
            }
        }
        _ => {}
    }
    if kind == StatusKind::Server {
        state.bridge.on_server_status(action, arguments, now);
    }
    state
        .health
        .on_status(kind.event_name(), action, arguments, now);
}

/// A stream as the model keeps it.
pub fn stream(s: crate::control::event::StreamEvent) -> Stream {
    Stream {
        id: s.id,
        status: s.status,
        circuit_id: s.circuit_id,
        target: s.target,
    }
}

/// Puts freshly gathered facts into the state. `first` is true right after a
/// (re)connection: then the bandwidth cache prepopulates the history.
pub fn apply_facts(state: &mut ControllerState, facts: Facts, first: bool, now: u64) {
    for reason in &facts.refused {
        let kind = reason.split(':').next().unwrap_or("GETINFO");
        if let Some(message) = state.logs.refused.note(kind, reason, now * 1000) {
            state.push_log(LogEntry::new(
                now * 1000,
                LogSource::Rnyx(Runlevel::Warn),
                message,
            ));
        }
    }
    state.facts.relay = facts.relay;
    let health = facts.health;
    if first {
        state.traffic.traffic_read = facts.traffic_read;
        state.traffic.traffic_written = facts.traffic_written;
    } else {
        // tor's totals as of its reply; BW events applied since are in
        // ours already (the totals only grow while tor runs).
        state.traffic.traffic_read = state.traffic.traffic_read.max(facts.traffic_read);
        state.traffic.traffic_written = state.traffic.traffic_written.max(facts.traffic_written);
    }
    if !facts.event_names.is_empty() {
        state.facts.event_names = facts.event_names;
    }
    if first {
        // The graph is full the moment it appears: prepopulate it from tor's
        // cache of recent BW events.
        state.traffic.bandwidth.clear();
        state.traffic.bandwidth_graph.clear();
        let n = facts.bandwidth_cache.len() as u64;
        let first_cached = now.saturating_sub(n);
        // The graphs kept from before: the time since, up to what tor's
        // cache covers, stays empty; the cache adds only what is newer.
        let kept_until = match &facts.history {
            Some(h) if h.saved_at <= now => {
                state.traffic.connections_graph.clear();
                state.traffic.resources_graph.clear();
                h.restore(state);
                let gap = first_cached.saturating_sub(h.saved_at);
                state.traffic.bandwidth_graph.gap(gap);
                state.traffic.connections_graph.gap(now - h.saved_at);
                state.traffic.resources_graph.gap(now - h.saved_at);
                h.saved_at
            }
            _ => 0,
        };
        for (i, (read, written)) in (0u64..).zip(facts.bandwidth_cache) {
            let time = now.saturating_sub(n - i);
            state.traffic.bandwidth.push(BandwidthSample {
                time,
                read,
                written,
            });
            if time > kept_until {
                state
                    .traffic
                    .bandwidth_graph
                    .push(read as f64, written as f64);
            }
        }
        state.net.circuits.clear();
        for c in facts.circuits {
            state.net.circuits.apply(c);
        }
        state.net.streams.clear();
        for s in facts.streams {
            state.net.streams.apply(stream(s));
        }
        if let Some(relays) = facts.consensus {
            super::load::on_consensus(state, &relays, now);
            state.facts.consensus = super::consensus::index_of(relays);
        }
        state.net.or_connections.clear();
        for mut c in facts.or_connections.unwrap_or_default() {
            c.first_seen = now;
            state.net.or_connections.apply(c);
        }
    } else if let Some(mut listed) = facts.or_connections {
        for c in &mut listed {
            c.first_seen = now;
            c.before_start = false;
        }
        state.net.or_connections.reconcile(&listed);
    }
    super::health::apply(state, health, now);
    super::load::apply(state, facts.load, first);
    state.onions.configure(facts.onions, now);
    if !state.onions.is_empty() {
        state.onions.count(&state.net.circuits, now);
    }
    bridge_facts(state, facts.bridge, now);
}

/// A bridge's configuration, clients counted and bridge line.
fn bridge_facts(state: &mut ControllerState, facts: super::facts::BridgeFacts, now: u64) {
    state.bridge.configure(facts.config);
    if let Some(mut seen) = facts.clients {
        seen.at = now;
        state.bridge.on_clients(seen, now);
    }
    if let Some(t) = state
        .bridge
        .transports
        .iter_mut()
        .find(|t| t.name == "obfs4")
    {
        t.bridge_line = facts.obfs4_line;
    }
    if let Some(children) = &facts.children {
        state.bridge.on_processes(children, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::ReplyFramer;

    fn incoming(text: &str) -> Vec<Incoming> {
        let mut f = ReplyFramer::new();
        f.push(text.as_bytes());
        std::iter::from_fn(|| f.next_reply())
            .map(|r| match r {
                Ok(r) => Incoming::Event(Event::parse(&r)),
                Err(e) => Incoming::Malformed(e),
            })
            .collect()
    }

    #[test]
    fn batch_updates_history_circuits_flags_and_log() {
        let mut s = ControllerState::default();
        s.facts.relay.fingerprint = Some("000102030405060708090A0B0C0D0E0F10111213".into());
        s.traffic.traffic_read = 1000;
        let mut logged = EventSelection::default();
        logged.add_other("BW".to_owned());
        let f = apply_batch(
            &mut s,
            incoming(concat!(
                "650 BW 10 20\r\n",
                "650 CIRC 5 BUILT $AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA~a PURPOSE=GENERAL\r\n",
                "650 CIRC 6 LAUNCHED\r\n",
                "650 CIRC 6 FAILED REASON=TIMEOUT\r\n",
                "650 NOTICE Bootstrapped 100%\x1b[2J (done)\r\n",
                "650+NS\r\nr me AAECAwQFBgcICQoLDA0ODxAREhM x 2026-11-21 10:00:00 127.0.0.1 5000 0\r\ns Fast Running Valid\r\n.\r\n650 OK\r\n",
                "junk\r\n",
                "650 SIGNAL RELOAD\r\n",
            )),
            &logged,
            5_000,
        );
        assert!(f.refresh_facts);
        assert_eq!(s.traffic.traffic_read, 1010);
        assert_eq!(s.traffic.bandwidth.latest().unwrap().time, 5);
        assert_eq!(s.net.circuits.len(), 1);
        assert_eq!(s.facts.relay.flags, ["Fast", "Running", "Valid"]);
        assert_eq!(s.session.events_received, 7);
        let log: Vec<String> = s.logs.log.iter().map(|e| e.message.clone()).collect();
        assert_eq!(log[0], "READ: 10, WRITTEN: 20");
        assert_eq!(log[1], "Bootstrapped 100%[2J (done)");
        assert!(
            log[2].starts_with("malformed input from tor ignored"),
            "{log:?}"
        );
        assert_eq!(log.len(), 3);
    }

    #[test]
    fn a_refresh_never_sets_the_totals_back() {
        let mut s = ControllerState::default();
        let facts = |read, written| Facts {
            traffic_read: read,
            traffic_written: written,
            ..Facts::default()
        };
        apply_facts(&mut s, facts(1000, 2000), true, 5);
        apply_batch(
            &mut s,
            incoming("650 BW 10 20\r\n"),
            &EventSelection::default(),
            6_000,
        );
        assert_eq!(
            (s.traffic.traffic_read, s.traffic.traffic_written),
            (1010, 2020)
        );
        // Read before that BW event, applied after it.
        apply_facts(&mut s, facts(1000, 2000), false, 7);
        assert_eq!(
            (s.traffic.traffic_read, s.traffic.traffic_written),
            (1010, 2020)
        );
        // tor counted more than the events said.
        apply_facts(&mut s, facts(1500, 2010), false, 8);
        assert_eq!(
            (s.traffic.traffic_read, s.traffic.traffic_written),
            (1500, 2020)
        );
        // A new connection (tor restarted): tor's totals as they are.
        apply_facts(&mut s, facts(3, 4), true, 9);
        assert_eq!((s.traffic.traffic_read, s.traffic.traffic_written), (3, 4));
    }
}
