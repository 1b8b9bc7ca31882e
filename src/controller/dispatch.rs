//! What a session loop does with a request from the UI and with a result
//! of its own background work.

use super::connections::ConnectionWatch;
use super::inbox::{Done, Mailbox};
use super::requests::{self, carry_out, subscribed};
use super::{
    answer, apply_facts, graphs, interp, torconfig, Asked, ControllerConfig, RequestError,
    SessionEnd, SharedState,
};
use crate::control::Client;
use rnyx_grammar::request::{Request, Response, SessionRequest, TorRequest};
use rnyx_model::EventSelection;
use std::sync::Arc;

/// What a session's results are applied with.
pub(super) struct Parts<'a> {
    pub(super) client: &'a Client,
    pub(super) watch: &'a mut ConnectionWatch,
    pub(super) torrc: &'a mut torconfig::ConfigWatch,
    pub(super) wanted: &'a mut EventSelection,
}

/// A session's background result into the state; the connection's error
/// when a SETEVENTS found it broken. `pid`: tor's, for a torrc read again.
pub(super) fn on_done(
    state: &SharedState,
    done: Done,
    parts: &mut Parts<'_>,
    pid: Option<u32>,
) -> Result<(), String> {
    match done {
        Done::Facts(f) => {
            state.update(|s| apply_facts(s, *f, false, s.session.updated_ms / 1000));
            super::subscription::follow_services(state, parts.client, parts.wanted);
        }
        Done::Subscribed((new, result, reply)) => {
            subscribed(state, parts.wanted, new, result, reply)?;
        }
        Done::Saved => parts.torrc.reload(parts.client, pid),
        Done::Torrc(loaded) => {
            if parts.torrc.apply(state, *loaded) {
                parts.torrc.reload(parts.client, pid);
            }
        }
        Done::Scan(scan) => {
            let (at, scan) = *scan;
            let now = at.unwrap_or_else(|| state.now_secs());
            parts.watch.scanned(state, parts.client, scan, now);
        }
        Done::Located(found) => parts.watch.countries(state, found),
        Done::Metrics(readings) => state.update(|s| {
            let now = s.session.updated_ms;
            super::load::apply_readings(s, readings, now);
        }),
        Done::ConsensusDated(t) => state.update(|s| s.load.standing.date_last(t)),
    }
    Ok(())
}

/// One request during a session; `Some` when it ends the session.
pub(super) async fn on_request(
    config: &ControllerConfig,
    state: &Arc<SharedState>,
    Asked { request, reply }: Asked,
    session: &requests::Session<'_>,
    (interp, keeper, inbox): (&mut interp::Interp, &mut graphs::Keeper, &mut Mailbox),
) -> Option<SessionEnd> {
    if let Some(refused) = super::liveness::refusal(state, &request) {
        answer(reply, refused);
        return None;
    }
    let request = match request {
        Request::Session(own) => {
            return on_session(config, state, own, reply, (keeper, inbox)).await
        }
        Request::Tor(TorRequest::Interpret(command)) => {
            interp.send(command, reply);
            return None;
        }
        other => other,
    };
    carry_out(session, request, reply);
    None
}

/// One of the session's own requests; `Some` when it ends the session.
async fn on_session(
    config: &ControllerConfig,
    state: &Arc<SharedState>,
    request: SessionRequest,
    reply: super::Answer,
    (keeper, inbox): (&mut graphs::Keeper, &mut Mailbox),
) -> Option<SessionEnd> {
    match request {
        SessionRequest::Settled => inbox.settling.push(reply),
        SessionRequest::Reconnect => return Some(SessionEnd::Reconnect),
        SessionRequest::WantManual => inbox.read_manual(&config.host),
        SessionRequest::Replay(control) => {
            match state.update(|s| config.host.control(s, control)) {
                Ok(back) => {
                    answer(reply, Response::Done(String::new()));
                    // Back in time: the session starts again and plays up
                    // to the new position.
                    if back {
                        return Some(SessionEnd::Reconnect);
                    }
                }
                Err(crate::host::NotReplay) => answer(reply, RequestError::NotReplay.response()),
            }
        }
        SessionRequest::SaveHistory => match keeper.save(state).await {
            None => answer(reply, Response::Done(String::new())),
            Some(e) => {
                state.update(|s| super::rnyx_log(s, rnyx_model::Runlevel::Warn, e.clone()));
                answer(reply, Response::Failed(e));
            }
        },
    }
    None
}
