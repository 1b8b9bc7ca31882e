//! What was read of tor's machine besides the control connection, when it
//! comes from the host as samples (a recording's, at the times they were
//! taken) rather than read here: into the state as the live ones go.

use super::connections::ConnectionWatch;
use super::SharedState;
use crate::control::Client;
use crate::host::{Sample, Timed};
use tokio::sync::mpsc;

/// The next sample; pending when the host sends none.
pub(super) async fn next_sample(
    samples: &mut Option<mpsc::UnboundedReceiver<Timed>>,
) -> Option<Timed> {
    match samples {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// The samples already sent: the host sends a moment's samples before the
/// events of that moment reach the task, so applying these first keeps the
/// recorded order (tor's log-file entries, read at the start, stay below
/// the events that came after them).
pub(super) fn ready_samples(samples: &mut Option<mpsc::UnboundedReceiver<Timed>>) -> Vec<Timed> {
    let Some(rx) = samples else { return Vec::new() };
    std::iter::from_fn(|| rx.try_recv().ok()).collect()
}

/// A sample into the state, as the one read here goes.
pub(super) fn sampled(
    state: &SharedState,
    watch: &ConnectionWatch,
    client: &Client,
    (at, sample): Timed,
) {
    match sample {
        Sample::System(info) => state.update(|s| s.record_system(info)),
        Sample::Sockets(scan) => watch.scanned(state, client, scan, at / 1000),
        Sample::Log(entries) => state.update(|s| {
            for (t, source, message) in entries {
                s.push_log(rnyx_model::LogEntry::new(t, source, message));
            }
        }),
        Sample::Torrc(torrc) => state.update(|s| {
            s.config.torrc = torrc;
            s.config.reconcile();
        }),
    }
}
