//! The interpreter's own control connection (page 5, `rnyx prompt`): opened
//! on first use, authenticated as rnyx's, opened again after tor closed it
//! (QUIT) or went away. Nothing typed there reaches rnyx's connection, so
//! QUIT, SETEVENTS or USEFEATURE cannot disturb the other pages; events it
//! subscribes to come back as text for the interpreter's output.

use super::handle::{answer, Answer};
use super::inbox::Inbox;
use super::RequestError;
use crate::control::{Client, EventReceiver, Incoming, Target};
use rnyx_grammar::request::Response;
use tokio::sync::mpsc;

/// A command and where its reply goes.
type Job = (String, Answer);

/// Commands queued at most; more are refused at once.
const QUEUED: usize = 16;

pub struct Interp {
    jobs: mpsc::Sender<Job>,
}

/// Where the interpreter's connection goes: rnyx's tor, through the host
/// (a replay's stand-in answers, and sends no events).
pub struct Tor {
    pub targets: Vec<Target>,
    pub password: Option<String>,
    pub host: crate::host::SharedHost,
}

impl Tor {
    async fn connect(&self) -> Result<crate::control::Connection, String> {
        self.host
            .connect_interpreter(&self.targets, self.password.as_deref())
            .await
            .map_err(|e| e.to_string())
    }
}

impl Interp {
    /// Starts the interpreter's task; the events its connection receives
    /// go to `inbox`.
    pub fn spawn(tor: Tor, inbox: mpsc::Sender<Inbox>) -> Self {
        let (jobs, rx) = mpsc::channel(QUEUED);
        tokio::spawn(run(tor, rx, inbox));
        Self { jobs }
    }

    /// Sends `command` on the interpreter's connection; the reply goes to
    /// `reply`.
    pub fn send(&self, command: String, reply: Answer) {
        if let Err(
            mpsc::error::TrySendError::Full((_, reply))
            | mpsc::error::TrySendError::Closed((_, reply)),
        ) = self.jobs.try_send((command, reply))
        {
            answer(reply, RequestError::Busy.response());
        }
    }
}

async fn run(tor: Tor, mut jobs: mpsc::Receiver<Job>, inbox: mpsc::Sender<Inbox>) {
    let mut conn: Option<(Client, EventReceiver)> = None;
    loop {
        tokio::select! {
            job = jobs.recv() => {
                let Some((command, reply)) = job else { return };
                if conn.as_ref().is_some_and(|(c, _)| c.is_closed()) {
                    conn = None;
                }
                if conn.is_none() {
                    match tor.connect().await {
                        Ok(c) => conn = Some((c.client, c.events)),
                        Err(e) => {
                            answer(reply, RequestError::Connect(e).response());
                            continue;
                        }
                    }
                }
                let Some((client, _)) = &conn else { continue };
                // In a task of its own: this loop keeps draining events,
                // without which a slow reply could not be read.
                let client = client.clone();
                tokio::spawn(async move {
                    let response = match client.command(&command).await {
                        Ok(r) => Response::Reply(r),
                        Err(e) => RequestError::from(e).response(),
                    };
                    answer(reply, response);
                });
            }
            batch = next_events(&mut conn) => match batch {
                Some(batch) => {
                    let texts = batch.iter().flat_map(Incoming::lines).collect::<Vec<_>>();
                    // A full inbox drops this batch, never blocks the reader.
                    let _ = inbox.try_send(Inbox::Interpreter(texts));
                }
                None => conn = None,
            },
        }
    }
}

/// The next event batch of the connection; pending while there is none.
async fn next_events(conn: &mut Option<(Client, EventReceiver)>) -> Option<Vec<Incoming>> {
    match conn {
        Some((_, events)) => events.recv().await.map(|b| b.items),
        None => std::future::pending().await,
    }
}
