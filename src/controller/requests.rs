//! Requests to the controller task: carried out while connected (each in a
//! task of its own), refused while tor is away.

use super::{log_rejected, subscribe, subscription, Request, RequestError, SharedState};
use crate::control::{Client, ClientError, Reply};
use rnyx_grammar::command::Command as TorCommand;
use rnyx_grammar::model::EventSelection;
use tokio::sync::{mpsc, oneshot};

/// Answers a request while tor is not connected.
pub(super) fn refuse(req: Request) {
    match req {
        Request::Command { reply, .. } | Request::Interpret { reply, .. } => {
            drop(reply.send(Err(RequestError::NotConnected)));
        }
        Request::SetEvents { reply, .. } => drop(reply.send(Err(RequestError::NotConnected))),
        Request::Signal { reply, .. } | Request::Replay { reply, .. } => {
            drop(reply.send(Err(RequestError::NotConnected)));
        }
        // Written at the end of the last session already.
        Request::SaveHistory { reply } => drop(reply.send(())),
        Request::Reconnect | Request::WantManual => {}
    }
}

/// Carries out a request without blocking the session loop: each runs in a
/// task of its own. Awaiting here would stop the loop draining events, and
/// the reader could then not deliver the reply.
pub(super) fn handle_request(
    client: &Client,
    req: Request,
    subs_tx: &mpsc::Sender<Subscribed>,
    saved_tx: &mpsc::Sender<()>,
) {
    let c = client.clone();
    match req {
        Request::Command { command, reply } => {
            // A saved torrc is read again (tor sends no event for it).
            let saving = matches!(command, TorCommand::SaveConf { .. });
            let saved = saved_tx.clone();
            tokio::spawn(async move {
                let result = c.send(&command).await;
                if saving && result.as_ref().is_ok_and(Reply::is_ok) {
                    let _ = saved.send(()).await;
                }
                let _ = reply.send(result.map_err(RequestError::from));
            });
        }
        Request::Signal { signal, reply } => {
            tokio::spawn(async move {
                let r = c.send_ok(&TorCommand::Signal(signal)).await;
                let _ = reply.send(r.map(drop).map_err(RequestError::from));
            });
        }
        Request::SetEvents { events, reply } => {
            let tx = subs_tx.clone();
            tokio::spawn(async move {
                let mut events = events;
                let result = subscribe(&c, &mut events).await;
                let _ = tx.send((events, result, reply)).await;
            });
        }
        Request::SaveHistory { .. }
        | Request::Interpret { .. }
        | Request::Reconnect
        | Request::WantManual
        | Request::Replay { .. } => {}
    }
}

/// A SETEVENTS done: the selection and tor's answer into the state, the
/// answer to who asked; the connection's error if it broke.
pub(super) fn subscribed(
    state: &SharedState,
    wanted: &mut EventSelection,
    new: EventSelection,
    result: Result<Vec<String>, ClientError>,
    reply: oneshot::Sender<Result<Vec<String>, RequestError>>,
) -> Result<(), String> {
    match result {
        Ok(rejected) => {
            *wanted = new;
            state.update(|s| {
                s.logged_events.clone_from(wanted);
                s.subscribed_events = subscription(wanted);
                log_rejected(s, &rejected);
            });
            let _ = reply.send(Ok(rejected));
            Ok(())
        }
        Err(e) => {
            let _ = reply.send(Err(e.clone().into()));
            Err(e.to_string())
        }
    }
}

/// A finished SETEVENTS: the selection, what tor said, who asked.
pub(super) type Subscribed = (
    EventSelection,
    Result<Vec<String>, ClientError>,
    oneshot::Sender<Result<Vec<String>, RequestError>>,
);
