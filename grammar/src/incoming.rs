//! What a control connection brings besides replies to commands: events,
//! tor's log lines gathered into runs, framing errors — framed from the
//! bytes read, in batches, each with its time when its source knows it.

use crate::event::Event;
use crate::reply::{Frame, FrameError, Reply, ReplyFramer};
use rnyx_model::LogRun;

/// Something the reader saw that was not a reply to a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Event(Event),
    /// tor's one-line log events in a row, their text as received.
    Logs(LogRun),
    /// Input that broke the framing rules; the connection goes on.
    Malformed(FrameError),
}

impl Incoming {
    /// The events it holds.
    pub fn events(&self) -> usize {
        match self {
            Incoming::Event(_) => 1,
            Incoming::Logs(run) => run.len(),
            Incoming::Malformed(_) => 0,
        }
    }

    /// The item as the interpreter shows events: `650 NAME text`, one
    /// line per event (none for a framing error).
    pub fn lines(&self) -> Vec<String> {
        match self {
            Incoming::Event(e @ Event::Log { .. }) => e
                .describe()
                .split('\n')
                .map(|line| format!("650 {} {line}", e.name()))
                .collect(),
            Incoming::Event(e) => vec![format!("650 {} {}", e.name(), e.describe())],
            Incoming::Logs(run) => (0..run.len())
                .filter_map(|i| run.message(i))
                .map(|(level, message)| format!("650 {} {message}", level.as_str()))
                .collect(),
            Incoming::Malformed(_) => vec![],
        }
    }
}

/// Frames what `framer` holds into `pending`: events typed, tor's one-line
/// log events gathered into runs (no allocation per line), framing errors
/// kept; replies to commands go to `reply`, which may give something to
/// keep in their place. Returns how many events were added.
pub fn take_events(
    framer: &mut ReplyFramer,
    pending: &mut Vec<Incoming>,
    mut reply: impl FnMut(Reply) -> Option<Incoming>,
) -> usize {
    let mut added = 0;
    while let Some(frame) = framer.next_frame() {
        let item = match frame {
            Frame::Log(level, message) => {
                added += 1;
                if let Some(Incoming::Logs(run)) = pending.last_mut() {
                    run.push(level, message);
                    continue;
                }
                let mut run = LogRun::default();
                run.push(level, message);
                Incoming::Logs(run)
            }
            Frame::Reply(Ok(r)) if r.is_async() => {
                added += 1;
                Incoming::Event(Event::from_reply(r))
            }
            Frame::Reply(Ok(r)) => match reply(r) {
                Some(item) => item,
                None => continue,
            },
            Frame::Reply(Err(e)) => Incoming::Malformed(e),
        };
        pending.push(item);
    }
    added
}

/// Events read together, and when they happened (unix ms) when the
/// source knows: a recording's stand-in gives each event its recorded
/// time; a live tor's are `None`, stamped by the receiver's clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub at: Option<u64>,
    pub items: Vec<Incoming>,
}

impl Batch {
    /// Events of a live connection: their time is when they are applied.
    pub fn now(items: Vec<Incoming>) -> Self {
        Self { at: None, items }
    }

    /// The events it holds.
    pub fn events(&self) -> usize {
        self.items.iter().map(Incoming::events).sum()
    }
}
