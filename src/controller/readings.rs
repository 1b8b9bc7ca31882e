//! What the host reads of tor's machine, into the state: samples of tor's
//! process, and the readings a host has on its own time (a replay's),
//! asked for as soon as they are due; and whether the state holds what is
//! due (`Request::Session(rnyx_grammar::request::SessionRequest::Settled)`).

use super::connections::ConnectionWatch;
use super::inbox::Mailbox;
use super::SharedState;
use crate::control::Client;
use crate::host::{Host, SharedHost};

/// Samples of tor's process into the state.
pub(super) fn record_system(state: &SharedState, samples: Vec<rnyx_model::SystemInfo>) {
    if !samples.is_empty() {
        state.update(|s| {
            for info in samples {
                s.record_system(info);
            }
        });
    }
}

/// Readings the host has on its own time (a replay's, recorded), asked for
/// as soon as they are due, in the recorded order.
pub(super) async fn take_pending(
    state: &SharedState,
    host: &SharedHost,
    watch: &ConnectionWatch,
    client: &Client,
) {
    let pid = state.read(|s| s.facts.relay.pid);
    record_system(state, host.process(pid));
    for (at, scan) in host.sockets(ConnectionWatch::ask(state, client)).await {
        watch.scanned(state, client, scan, at.unwrap_or_else(|| state.now_secs()));
    }
    if let Some(torrc) = host.torrc(None, pid, state.now_secs()).await {
        state.update(|s| {
            s.facts.config.torrc = torrc;
            s.facts.config.reconcile();
        });
    }
}

/// Whether what is due has reached the state: where tor goes on, a first
/// scan of its sockets (events go on arriving); where the host has a
/// position (a replay), everything up to it, nothing waiting to be applied.
pub(super) fn settled(
    state: &SharedState,
    host: &dyn Host,
    events: &crate::control::EventReceiver,
    inbox: &Mailbox,
) -> bool {
    match host.caught_up() {
        None => {
            state.read(|s| s.net.connections.refreshed != 0 || s.net.connections.error.is_some())
        }
        Some(up) => up && !host.pending() && events.is_empty() && inbox.rx.is_empty(),
    }
}
