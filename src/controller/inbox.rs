//! The controller task's inbox: everything work done off its loop hands
//! back (tor's manual; a session's facts re-read, SETEVENTS answered,
//! socket scans, countries, the torrc read, a SAVECONF done), one channel
//! and one enum, for the task alone to write into the state. A session's
//! results carry its number: those of a session that has ended are
//! dropped.

use super::handle::Answer;
use super::SharedState;
use crate::control::ClientError;
use rnyx_model::{EventSelection, SocketScan, TorConfig, Torrc};
use std::sync::Arc;
use tokio::sync::mpsc;

/// A finished SETEVENTS: the selection, what tor said, who asked.
pub(super) type Subscribed = (EventSelection, Result<Vec<String>, ClientError>, Answer);

/// tor's configuration and torrc, read.
pub(super) type Loaded = (Result<TorConfig, String>, Option<Torrc>);

/// A finished scan of tor's sockets.
pub type Scanned = Result<SocketScan, String>;

/// Countries of addresses, as tor says them; `None`: tor has no GeoIP.
pub(super) type Located = Option<Vec<(std::net::IpAddr, String)>>;

/// What background work hands the task.
pub(super) enum Inbox {
    /// tor's manual, read (the UI asked once a page showing it was shown;
    /// an operator who never opens one does not keep it in memory).
    Manual(rnyx_model::Manual),
    /// Events received on the interpreter's connection, as text.
    Interpreter(Vec<String>),
    /// A result of session `n`'s work.
    Session(u64, Done),
}

/// A session's background work, done.
pub(super) enum Done {
    /// tor's facts, read again (the timer, RELOAD, CONF_CHANGED).
    Facts(Box<super::facts::Facts>),
    /// A SETEVENTS answered.
    Subscribed(Subscribed),
    /// A SAVECONF done: tor sends no event for it, so the torrc is read
    /// again.
    Saved,
    /// tor's configuration and torrc, read.
    Torrc(Box<Loaded>),
    /// A scan of tor's sockets.
    /// A scan, and when it was made (`None`: now).
    Scan(Box<crate::host::TimedScan>),
    /// Countries of addresses (or tor has no GeoIP).
    Located(Located),
    /// tor's MetricsPort, read.
    Metrics(Vec<crate::host::metrics::Metered>),
    /// The valid-after of the consensus tor holds (unix s).
    ConsensusDated(u64),
}

/// Where a session's background work sends its result.
#[derive(Clone)]
pub(super) struct Post {
    tx: mpsc::Sender<Inbox>,
    session: u64,
}

impl Post {
    pub(super) async fn send(&self, done: Done) {
        let _ = self.tx.send(Inbox::Session(self.session, done)).await;
    }
}

/// The task's inbox: background work sends here, the task's loops read.
pub(super) struct Mailbox {
    tx: mpsc::Sender<Inbox>,
    pub(super) rx: mpsc::Receiver<Inbox>,
    /// The session under way (numbered from 1).
    session: u64,
    /// `Request::Session(rnyx_grammar::request::SessionRequest::Settled)` asked, waiting for the state to catch up.
    pub(super) settling: Vec<Answer>,
}

impl Mailbox {
    pub(super) fn new() -> Self {
        let (tx, rx) = mpsc::channel(16);
        Self {
            tx,
            rx,
            session: 0,
            settling: Vec::new(),
        }
    }

    /// A new session: its results are the only ones taken from now on.
    pub(super) fn new_session(&mut self) -> Post {
        self.session += 1;
        Post {
            tx: self.tx.clone(),
            session: self.session,
        }
    }

    pub(super) fn session(&self) -> u64 {
        self.session
    }

    /// Answers those waiting for the state to settle.
    pub(super) fn settle(&mut self, response: &rnyx_grammar::request::Response) {
        for reply in self.settling.drain(..) {
            super::handle::answer(reply, response.clone());
        }
    }

    /// Where the interpreter's connection hands its events.
    pub(super) fn for_interpreter(&self) -> mpsc::Sender<Inbox> {
        self.tx.clone()
    }

    /// Reads tor's manual off the task's loop; it arrives in the inbox.
    pub(super) fn read_manual(&self, host: &crate::host::SharedHost) {
        let (tx, host) = (self.tx.clone(), host.clone());
        tokio::spawn(async move {
            let manual = host.manual().await;
            let _ = tx.send(Inbox::Manual(manual)).await;
        });
    }
}

/// Writes what arrived for no session into the state; a session's result
/// comes back for the session loop (`None`: dropped, or taken here).
pub(super) fn delivered(state: &SharedState, item: Inbox, session: Option<u64>) -> Option<Done> {
    match item {
        Inbox::Manual(manual) => {
            state.update(|s| s.facts.manual = Some(Arc::new(manual)));
            None
        }
        Inbox::Interpreter(texts) => {
            state.update(|s| {
                s.logs
                    .interpreter_events
                    .extend(s.session.updated_ms, texts);
            });
            None
        }
        Inbox::Session(n, done) => (Some(n) == session).then_some(done),
    }
}
