//! The events rnyx subscribes to: those the state is built from and the
//! operator's, an event tor does not know dropped with a note.

use super::{rnyx_log, REQUIRED_EVENTS};
use crate::control::{Client, ClientError};
use rnyx_model::{ControllerState, EventSelection, Runlevel};

pub(super) fn log_rejected(s: &mut ControllerState, rejected: &[String]) {
    for r in rejected {
        rnyx_log(
            s,
            Runlevel::Warn,
            format!("tor does not know the event {r}; not shown"),
        );
    }
}

/// The required events, those of what tor hosts (`extra`: an onion
/// service's) and the operator's (not rnyx's own runlevels), without
/// repeats.
pub(super) fn subscription(wanted: &EventSelection, extra: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = REQUIRED_EVENTS.iter().map(|s| (*s).to_owned()).collect();
    let extra = extra.iter().map(|e| (*e).to_owned());
    for w in extra.chain(wanted.tor_events()) {
        if !all.contains(&w) {
            all.push(w);
        }
    }
    all
}

/// SETEVENTS with everything needed. An event tor does not know is dropped
/// from `wanted` and the rest subscribed; returns the dropped names.
pub(super) async fn subscribe(
    client: &Client,
    wanted: &mut EventSelection,
    extra: &[&str],
) -> Result<Vec<String>, ClientError> {
    let mut rejected = Vec::new();
    loop {
        let events = subscription(wanted, extra);
        let reply = client
            .send(&rnyx_grammar::command::Command::SetEvents(events))
            .await?;
        if reply.is_ok() {
            return Ok(rejected);
        }
        // 552 Unrecognized event "FOO"
        let bad = reply
            .message()
            .split('"')
            .nth(1)
            .map(str::to_ascii_uppercase);
        match bad {
            Some(bad) if wanted.others().iter().any(|w| w.eq_ignore_ascii_case(&bad)) => {
                wanted.remove_other(&bad);
                rejected.push(bad);
            }
            _ => {
                return Err(ClientError::Rejected {
                    command: "SETEVENTS".into(),
                    status: reply.status,
                    message: reply.message().to_owned(),
                })
            }
        }
    }
}

/// After the facts were read again: when what tor hosts now needs other
/// events (a service added or removed), SETEVENTS again. The list is the
/// state's at once; a connection that broke ends the session anyway.
pub(super) fn follow_services(
    state: &super::SharedState,
    client: &Client,
    wanted: &EventSelection,
) {
    let events = state.read(|s| {
        let events = subscription(wanted, &s.hosted_events());
        (events != s.logs.subscribed_events).then_some(events)
    });
    let Some(events) = events else { return };
    state.update(|s| s.logs.subscribed_events.clone_from(&events));
    let client = client.clone();
    tokio::spawn(async move {
        let _ = client
            .send(&rnyx_grammar::command::Command::SetEvents(events))
            .await;
    });
}
