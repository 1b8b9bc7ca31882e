//! The stand-in for tor on a replay's connections: commands get the
//! recording's replies over the wire; a session's events (parsed by the
//! same grammar as tor's) go to the controller task in the recorded order,
//! each with its recorded time.

use super::{Clock, Item, Script};
use crate::control::{take_events, Batch, ReplyFramer};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// A monitor's session: the newest session's number and this one's, and
/// where its events and samples go.
pub(super) struct Session {
    pub newest: Arc<AtomicU64>,
    pub this: u64,
    pub feed: Feed,
}

impl Session {
    fn stale(&self) -> bool {
        self.newest.load(Ordering::SeqCst) != self.this
    }
}

/// Where a session's events go, and what waits for room in their queue.
/// (Samples are not given: the replay's host answers them as of where the
/// session is.)
pub(super) struct Feed {
    events: mpsc::Sender<Batch>,
    queue: VecDeque<Batch>,
    /// Frames the recorded lines; one for the session (each event leaves
    /// it empty), not a buffer per event.
    framer: ReplyFramer,
}

impl Feed {
    pub fn new(events: mpsc::Sender<Batch>) -> Self {
        Self {
            events,
            queue: VecDeque::new(),
            framer: ReplyFramer::new(),
        }
    }

    /// An event's lines as tor sent them, at `at` (unix ms) when recorded.
    fn event(&mut self, at: Option<u64>, lines: &[String]) {
        if !matches!(self.queue.back(), Some(b) if b.at == at) {
            self.queue.push_back(Batch {
                at,
                items: Vec::new(),
            });
        }
        let Some(batch) = self.queue.back_mut() else {
            return;
        };
        for l in lines {
            self.framer.push(l.as_bytes());
            self.framer.push(b"\r\n");
        }
        // A recording's event lines hold no replies to commands.
        take_events(&mut self.framer, &mut batch.items, |_| None);
    }

    /// Gives what waits, in order, while the events' queue has room. False
    /// once the session's task is gone.
    fn flush(&mut self) -> bool {
        while let Some(b) = self.queue.pop_front() {
            match self.events.try_send(b) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(b)) => {
                    self.queue.push_front(b);
                    return true;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => return false,
            }
        }
        true
    }

    /// Waits for room in the events' queue while something waits for it;
    /// false once the task is gone.
    async fn room(&self) -> bool {
        if self.queue.is_empty() {
            return std::future::pending().await;
        }
        self.events.reserve().await.is_ok()
    }
}

/// The stand-in's side of one connection. `session`: `None` for a
/// connection that gets no events.
pub(super) async fn serve(
    script: Arc<Script>,
    clock: Arc<Clock>,
    theirs: tokio::io::DuplexStream,
    mut session: Option<Session>,
) {
    let (read, mut write) = tokio::io::split(theirs);
    let mut commands = BufReader::new(read).lines();
    let mut changes = clock.changes.subscribe();
    // The next item of the timeline, and the time of the last played.
    let (mut next, mut played) = (0, 0);
    let mut subscribed = false;
    loop {
        if session.as_ref().is_some_and(Session::stale) {
            return;
        }
        if let Some(feed) = session.as_mut().map(|s| &mut s.feed).filter(|_| subscribed) {
            let now = clock.position();
            while let Some((t, item)) = script.timeline.get(next).filter(|(t, _)| *t <= now) {
                // A sample is the host's to answer, once the session is here.
                if let Item::Event(stamp, lines) = item {
                    feed.event(*stamp, lines);
                }
                (next, played) = (next + 1, *t);
            }
            clock.play(played);
            if !feed.flush() {
                return;
            }
            if feed.queue.is_empty() {
                clock.handed_over(now);
            }
        }
        let due = script
            .timeline
            .get(next)
            .filter(|_| subscribed && session.is_some())
            .and_then(|(t, _)| clock.until(*t));
        let room = async {
            match &session {
                Some(s) => s.feed.room().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            command = commands.next_line() => {
                let Ok(Some(command)) = command else { return };
                let command = command.trim_end();
                let as_of = if session.is_some() {
                    horizon(&script, next, played)
                } else {
                    // The interpreter's: answered as of the session's moment.
                    let played = clock.played();
                    horizon(&script, script.timeline.partition_point(|(t, _)| *t <= played), played)
                };
                let (reply, at) = reply_to(&script, command, as_of);
                if session.is_some() && !subscribed {
                    // The session's start: as of tor's replies.
                    played = played.max(at);
                    clock.play(played);
                }
                if first_word(command).eq_ignore_ascii_case("SETEVENTS") {
                    subscribed = true;
                }
                if write.write_all(reply.as_bytes()).await.is_err() {
                    return;
                }
            }
            () = async {
                match due {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            } => {}
            // Room again: the pass at the top of the loop goes on.
            open = room => {
                if !open {
                    return;
                }
            }
            moved = changes.changed() => {
                if moved.is_err() {
                    return;
                }
            }
        }
    }
}

/// The latest moment (ms) whose replies hold for a command sent now, with
/// `played` the time of the last item handed over and `next` the next
/// item's index: tor answered the same until that item happened, so a
/// command sent after an event (a CONF_CHANGED) gets the reply recorded
/// right after it, not the one before it.
fn horizon(script: &Script, next: usize, played: u64) -> u64 {
    script
        .timeline
        .get(next)
        .map_or(script.length, |(t, _)| t.saturating_sub(1))
        .max(played)
}

/// The reply to `command` with the replay at `at` ms, as sent, and when
/// it was recorded.
pub(super) fn reply_to(script: &Script, command: &str, at: u64) -> (String, u64) {
    let mut out = String::new();
    let mut when = at;
    match script.answer(command, at) {
        Some((t, lines)) => {
            when = t;
            for l in lines {
                out.push_str(l);
                out.push_str("\r\n");
            }
        }
        // The operator's event selection may differ from the recording's.
        None if first_word(command).eq_ignore_ascii_case("SETEVENTS") => out.push_str("250 OK\r\n"),
        None => {
            out = format!(
                "551 {} is not available in a replay\r\n",
                first_word(command)
            );
        }
    }
    (out, when)
}

fn first_word(command: &str) -> &str {
    command.split_whitespace().next().unwrap_or("")
}
