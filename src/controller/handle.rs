//! The controller task's side the UI holds: its shared state and the
//! requests it takes. Every request is the grammar's [`Request`], the same
//! type a page builds; the task answers each with a [`Response`].

use super::SharedState;
use crate::control::{ClientError, Reply};
use rnyx_grammar::request::{self as ask, Request, Response, SessionRequest};
use rnyx_model::EventSelection;
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
    /// Any other answer than the one asked for (tor refused, a file error).
    #[error("{0}")]
    Answer(String),
}

impl RequestError {
    /// The response that says so.
    pub fn response(self) -> Response {
        match self {
            RequestError::NotConnected => Response::NotConnected,
            RequestError::Client(e @ ClientError::Timeout { .. }) => {
                Response::Timeout(e.to_string())
            }
            other => Response::Failed(other.to_string()),
        }
    }
}

impl From<Response> for RequestError {
    fn from(r: Response) -> Self {
        match r {
            Response::NotConnected => RequestError::NotConnected,
            other => RequestError::Answer(other.error().unwrap_or_else(|| format!("{other:?}"))),
        }
    }
}

/// Where a request's response goes: nowhere for those that answer nothing
/// (reconnect, the manual).
pub type Answer = Option<oneshot::Sender<Response>>;

/// Sends `response` to whoever asked, if anyone waits.
pub fn answer(reply: Answer, response: Response) {
    if let Some(tx) = reply {
        let _ = tx.send(response);
    }
}

/// A request on its way to the task, with where its response goes.
#[derive(Debug)]
pub struct Asked {
    pub request: Request,
    pub reply: Answer,
}

/// The UI's handle on the controller task. Dropping it stops the task.
#[derive(Debug, Clone)]
pub struct ControllerHandle {
    pub state: Arc<SharedState>,
    pub(super) requests: mpsc::Sender<Asked>,
}

impl ControllerHandle {
    /// Carries out `request`; every failure is a response too.
    pub async fn ask(&self, request: Request) -> Response {
        let (reply, rx) = oneshot::channel();
        let asked = Asked {
            request,
            reply: Some(reply),
        };
        if self.requests.send(asked).await.is_err() {
            return RequestError::Stopped.response();
        }
        rx.await
            .unwrap_or_else(|_| RequestError::Stopped.response())
    }

    /// Sends `request` without waiting for room or an answer; false when
    /// the queue is full or the task has stopped.
    fn tell(&self, request: Request) -> bool {
        self.requests
            .try_send(Asked {
                request,
                reply: None,
            })
            .is_ok()
    }

    /// A typed command on rnyx's connection: tor's reply, whatever its
    /// status.
    pub async fn command(
        &self,
        command: rnyx_grammar::command::Command,
    ) -> Result<Reply, RequestError> {
        match self.ask(ask::SendCommand(command).into()).await {
            Response::Reply(reply) => Ok(reply),
            other => Err(other.into()),
        }
    }

    /// Pauses, seeks or changes the speed of a replay.
    pub async fn replay(&self, control: rnyx_model::ReplayControl) -> Result<(), RequestError> {
        match self.ask(ask::Replay(control).into()).await {
            Response::Done(_) => Ok(()),
            other => Err(other.into()),
        }
    }

    /// Replaces the operator's event selection; the events tor rejected.
    pub async fn set_events(&self, events: EventSelection) -> Result<Vec<String>, RequestError> {
        match self.ask(ask::SetEvents(events).into()).await {
            Response::Events { rejected } => Ok(rejected),
            other => Err(other.into()),
        }
    }

    pub async fn signal(&self, signal: rnyx_grammar::signal::Signal) -> Result<(), RequestError> {
        match self.ask(ask::Signal(signal).into()).await {
            Response::Done(_) => Ok(()),
            other => Err(other.into()),
        }
    }

    /// Writes the graph history now, when it is kept.
    /// Writes the graph history now; why not, when it could not be.
    pub async fn save_history(&self) -> Result<(), String> {
        match self.ask(SessionRequest::SaveHistory.into()).await {
            Response::Failed(why) => Err(why),
            _ => Ok(()),
        }
    }

    /// Sends a typed command on the interpreter's own connection.
    pub async fn interpret(&self, command: &str) -> Result<Reply, RequestError> {
        match self.ask(ask::Interpret(command.to_owned()).into()).await {
            Response::Reply(reply) => Ok(reply),
            other => Err(other.into()),
        }
    }

    /// Asks the task for tor's manual, once: later calls do nothing (the
    /// UI asks on every turn while such a page is shown). Does not wait.
    pub fn want_manual(&self) {
        if self.state.first_manual_ask() && !self.tell(SessionRequest::WantManual.into()) {
            // The queue was full: ask again on the next turn.
            self.state.manual_ask_failed();
        }
    }

    pub async fn reconnect(&self) -> Result<(), RequestError> {
        let asked = Asked {
            request: SessionRequest::Reconnect.into(),
            reply: None,
        };
        self.requests
            .send(asked)
            .await
            .map_err(|_| RequestError::Stopped)
    }
}
