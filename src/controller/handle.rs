//! The controller task's side the UI holds: its shared state and the
//! requests it takes.

use super::SharedState;
use crate::control::{ClientError, Reply};
use rnyx_grammar::model::EventSelection;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Why a request could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("tor is not connected")]
    NotConnected,
    #[error("the controller task has stopped")]
    Stopped,
    #[error("{0}")]
    Client(#[from] ClientError),
    #[error("cannot open the interpreter's connection: {0}")]
    Connect(String),
    #[error("too many commands under way on the interpreter's connection")]
    Busy,
    #[error("this is not a replay")]
    NotReplay,
}

/// What the UI asks of the controller task.
#[derive(Debug)]
pub enum Request {
    /// A typed command (`rnyx_grammar::command`); the reply is returned
    /// whatever its status.
    Command {
        command: rnyx_grammar::command::Command,
        reply: oneshot::Sender<Result<Reply, RequestError>>,
    },
    /// Write the graph history now (rnyx is stopping).
    SaveHistory { reply: oneshot::Sender<()> },
    /// A command typed in the interpreter, sent on its own connection.
    Interpret {
        command: String,
        reply: oneshot::Sender<Result<Reply, RequestError>>,
    },
    /// Replace the operator's event selection. Replies with the events tor
    /// rejected (the rest stay applied).
    SetEvents {
        events: EventSelection,
        reply: oneshot::Sender<Result<Vec<String>, RequestError>>,
    },
    /// `SIGNAL name`.
    Signal {
        signal: String,
        reply: oneshot::Sender<Result<(), RequestError>>,
    },
    /// Retry connecting now instead of waiting for the backoff.
    Reconnect,
    /// Read tor's manual into the state (a page that shows it was first
    /// shown); the task reads it once, off its loop, and writes it itself.
    WantManual,
    /// Pause, seek or change the speed of a replay.
    Replay {
        control: rnyx_grammar::model::ReplayControl,
        reply: oneshot::Sender<Result<(), RequestError>>,
    },
}

/// The UI's handle on the controller task. Dropping it stops the task.
#[derive(Debug, Clone)]
pub struct ControllerHandle {
    pub state: Arc<SharedState>,
    pub(super) requests: mpsc::Sender<Request>,
}

impl ControllerHandle {
    pub async fn command(
        &self,
        command: rnyx_grammar::command::Command,
    ) -> Result<Reply, RequestError> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Command { command, reply }).await?;
        rx.await.map_err(|_| RequestError::Stopped)?
    }

    /// Pauses, seeks or changes the speed of a replay.
    pub async fn replay(
        &self,
        control: rnyx_grammar::model::ReplayControl,
    ) -> Result<(), RequestError> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Replay { control, reply }).await?;
        rx.await.map_err(|_| RequestError::Stopped)?
    }

    pub async fn set_events(&self, events: EventSelection) -> Result<Vec<String>, RequestError> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::SetEvents { events, reply }).await?;
        rx.await.map_err(|_| RequestError::Stopped)?
    }

    pub async fn signal(&self, signal: &str) -> Result<(), RequestError> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Signal {
            signal: signal.to_owned(),
            reply,
        })
        .await?;
        rx.await.map_err(|_| RequestError::Stopped)?
    }

    /// Writes the graph history now, when it is kept.
    pub async fn save_history(&self) {
        let (reply, rx) = oneshot::channel();
        if self.send(Request::SaveHistory { reply }).await.is_ok() {
            let _ = rx.await;
        }
    }

    /// Sends a typed command on the interpreter's own connection.
    pub async fn interpret(&self, command: &str) -> Result<Reply, RequestError> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Interpret {
            command: command.to_owned(),
            reply,
        })
        .await?;
        rx.await.map_err(|_| RequestError::Stopped)?
    }

    /// Asks the task for tor's manual, once: later calls do nothing (the
    /// UI asks on every turn while such a page is shown). Does not wait.
    pub fn want_manual(&self) {
        if self.state.first_manual_ask() && self.requests.try_send(Request::WantManual).is_err() {
            // The queue was full: ask again on the next turn.
            self.state.manual_ask_failed();
        }
    }

    pub async fn reconnect(&self) -> Result<(), RequestError> {
        self.send(Request::Reconnect).await
    }

    /// The request channel, for a UI loop that sends without awaiting.
    pub fn sender(&self) -> mpsc::Sender<Request> {
        self.requests.clone()
    }

    async fn send(&self, r: Request) -> Result<(), RequestError> {
        self.requests
            .send(r)
            .await
            .map_err(|_| RequestError::Stopped)
    }
}
