//! What `rnyx record` and `rnyx replay` add to a session: the samples a
//! recording keeps besides the control connection, and a replay's samples,
//! fresh start and pause/seek/speed requests.

use super::connections::{self, ConnectionWatch};
use super::{ControllerConfig, RequestError, SharedState};
use crate::control::Client;
use crate::procfs::ProcSampler;
use rnyx_grammar::model::ControllerState;
use tokio::sync::mpsc;

/// A replay's state as it starts (again): fresh, but for tor's manual and
/// the operator's choices.
pub(super) fn replay_from_start(s: &mut ControllerState, player: &crate::replay::Player) {
    let mut fresh = ControllerState::new(s.limits);
    fresh.manual = s.manual.take();
    fresh.logged_events = std::mem::take(&mut s.logged_events);
    fresh.replay = Some(player.clock.status(&player.name));
    *s = fresh;
}

/// What a recording got of tor besides the control connection: `/proc`
/// samples as taken, scans of tor's sockets when they changed.
#[derive(Default)]
pub(super) struct Recorded {
    last_scan: String,
}

impl Recorded {
    /// A `/proc` sample of tor and rnyx, recorded when recording.
    pub(super) fn system(
        config: &ControllerConfig,
        sampler: &mut ProcSampler,
        state: &SharedState,
    ) -> rnyx_grammar::model::SystemInfo {
        let info = sampler.sample(state.read(|s| s.relay.pid));
        if let Some(r) = &config.recorder {
            r.sample(crate::record::SYSTEM, &info);
        }
        info
    }

    /// tor's torrc as read, its passwords left out.
    pub(super) fn torrc(config: &ControllerConfig, torrc: &rnyx_grammar::model::Torrc) {
        if let (Some(r), None) = (&config.recorder, &config.replay) {
            r.sample(crate::record::TORRC, &crate::record::redact_torrc(torrc));
        }
    }

    /// A scan of tor's sockets, recorded when it differs from the last.
    pub(super) fn sockets(&mut self, config: &ControllerConfig, scan: &connections::Scanned) {
        let Some(r) = &config.recorder else { return };
        let json = serde_json::to_string(scan).unwrap_or_default();
        if json != self.last_scan {
            r.sample(crate::record::SOCKETS, scan);
            self.last_scan = json;
        }
    }
}

/// The next sample of a replay; pending when there is none.
pub(super) async fn next_sample(
    samples: &mut Option<mpsc::UnboundedReceiver<crate::replay::Timed>>,
) -> Option<crate::replay::Timed> {
    match samples {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// A replay's sample into the state, as the live one went.
pub(super) fn replayed(
    state: &SharedState,
    watch: &ConnectionWatch,
    client: &Client,
    (at, sample): crate::replay::Timed,
) {
    use crate::replay::Sample;
    match sample {
        Sample::System(info) => state.update(|s| s.record_system(info)),
        Sample::Sockets(scan) => watch.scanned(state, client, scan, at / 1000),
        Sample::Log(entries) => state.update(|s| {
            for (t, source, message) in entries {
                s.push_log(rnyx_grammar::model::LogEntry::new(t, source, message));
            }
        }),
        Sample::Torrc(torrc) => state.update(|s| {
            s.config.torrc = torrc;
            s.config.reconcile();
        }),
    }
}

/// Pauses, seeks or changes the speed of a replay. True when it went back
/// (the session starts again).
pub(super) fn replay_control(
    config: &ControllerConfig,
    state: &SharedState,
    control: rnyx_grammar::model::ReplayControl,
    reply: super::Answer,
) -> bool {
    let Some(player) = &config.replay else {
        super::answer(reply, RequestError::NotReplay.response());
        return false;
    };
    let back = player.clock.control(control);
    state.update(|s| s.replay = Some(player.clock.status(&player.name)));
    super::answer(reply, rnyx_grammar::request::Response::Done(String::new()));
    back
}
