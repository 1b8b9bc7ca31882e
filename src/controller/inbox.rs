//! The controller task's inbox: what work done off its loop hands back,
//! for the task alone to write into the state.

use super::SharedState;
use std::sync::Arc;
use tokio::sync::mpsc;

/// What background work hands the task, for it alone to write into the
/// state.
pub(super) enum Inbox {
    /// tor's manual, read (the UI asked once a page showing it was shown;
    /// an operator who never opens one does not keep it in memory).
    Manual(rnyx_grammar::model::Manual),
}

/// The task's inbox: background work sends here, the task's loops read.
pub(super) struct Mailbox {
    tx: mpsc::Sender<Inbox>,
    pub(super) rx: mpsc::Receiver<Inbox>,
}

impl Mailbox {
    pub(super) fn new() -> Self {
        let (tx, rx) = mpsc::channel(4);
        Self { tx, rx }
    }

    /// Reads tor's manual off the task's loop; it arrives in the inbox.
    pub(super) fn read_manual(&self) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            if let Ok(manual) = tokio::task::spawn_blocking(crate::manual::load).await {
                let _ = tx.send(Inbox::Manual(manual)).await;
            }
        });
    }
}

/// Writes what arrived in the inbox into the state.
pub(super) fn delivered(state: &SharedState, item: Inbox) {
    match item {
        Inbox::Manual(manual) => state.update(|s| s.manual = Some(Arc::new(manual))),
    }
}
