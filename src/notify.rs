//! Telling the operator: `rnyx watch` hands each relay's active alerts
//! (judged by its controller task, as the monitor's are) to the
//! [`Notifier`], which says what started, ended, changed or still lasts,
//! in one message a group window, on each channel of nyxrc's `[notify]`
//! (ntfy, a webhook, mail, a program), each from its least severity on.
//! Every message waits in the outbox (a file in the state directory) until
//! its channel takes it; a channel retries with backoff, on its own task,
//! so a receiver down, slow or refusing never holds the watch.

pub mod message;
pub mod outbox;
pub mod send;
pub mod track;

use crate::config::notify::NotifySettings;
use message::{Change, Event, Message};
use outbox::Outbox;
use rnyx_model::health::Severity;
use send::{Failed, Sender};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
pub use track::Current;
use track::Tracker;

/// A log line's priority, as journald reads a `<N>` prefix on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Err = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
}

/// A line on stderr, journald's priority first, no control character.
pub fn say(level: Level, text: &str) {
    use std::io::Write as _;
    let line = rnyx_model::text::strip_controls(text);
    let _ = writeln!(std::io::stderr(), "<{}>{line}", level as u8);
}

/// The outbox's file: `notify.json` in the state directory.
pub fn outbox_path() -> Option<PathBuf> {
    crate::local::state_dir().map(|d| d.join("notify.json"))
}

/// Now, in Unix seconds.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The wait before trying a message again after `attempts` failures:
/// 5 s, doubling, at most 10 min.
fn backoff(attempts: u32) -> Duration {
    Duration::from_secs(5u64.saturating_mul(1 << attempts.min(7)).min(600))
}

/// A `Retry-After` is heeded up to this long.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

struct Channel {
    id: String,
    min: Severity,
    wake: Arc<tokio::sync::Notify>,
    task: tokio::task::JoinHandle<()>,
}

/// The tracker, the outbox and a delivering task for each channel.
pub struct Notifier {
    settings: NotifySettings,
    tracker: Tracker,
    outbox: Arc<Mutex<Outbox>>,
    channels: Vec<Channel>,
}

impl Notifier {
    /// Starts delivering on `settings`' channels, the outbox kept at
    /// `file`; a channel that cannot work is refused with nyxrc's line.
    pub fn start(settings: NotifySettings, file: Option<PathBuf>) -> Result<Self, String> {
        let senders = senders(&settings)?;
        let (outbox, warnings) = Outbox::open(file);
        for w in warnings {
            say(Level::Warning, &w);
        }
        let tracker = Tracker::with(outbox.told());
        let mut n = Self {
            settings,
            tracker,
            outbox: Arc::new(Mutex::new(outbox)),
            channels: Vec::new(),
        };
        n.run(senders);
        Ok(n)
    }

    /// nyxrc read again: the channels as it says now (what waits for a
    /// channel kept is kept). Refused as a whole if a channel cannot work.
    pub fn reload(&mut self, settings: NotifySettings) -> Result<(), String> {
        let senders = senders(&settings)?;
        for c in self.channels.drain(..) {
            c.task.abort();
        }
        self.settings = settings;
        self.run(senders);
        Ok(())
    }

    fn run(&mut self, senders: Vec<Sender>) {
        let ids: Vec<String> = senders.iter().map(|s| s.spec.id()).collect();
        {
            let mut o = self.outbox.lock().unwrap_or_else(PoisonError::into_inner);
            for (id, count) in o.keep_channels(&ids) {
                say(
                    Level::Warning,
                    &format!("{count} messages waiting for {id}, no longer in nyxrc, dropped"),
                );
            }
        }
        for sender in senders {
            let id = sender.spec.id();
            let wake = Arc::new(tokio::sync::Notify::new());
            let waiting = self
                .outbox
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .waiting(&id);
            say(
                Level::Info,
                &format!(
                    "{id}: {} from {} on{}",
                    sender.spec.kind.name(),
                    sender.spec.min.as_str(),
                    if waiting > 0 {
                        format!(", {waiting} messages waiting")
                    } else {
                        String::new()
                    }
                ),
            );
            self.channels.push(Channel {
                id: id.clone(),
                min: sender.spec.min,
                wake: wake.clone(),
                task: tokio::spawn(deliver(Arc::new(sender), id, self.outbox.clone(), wake)),
            });
        }
    }

    /// The relays watched now, by key: the others' alerts are forgotten.
    pub fn relays_are(&mut self, keys: &[String]) {
        self.tracker.forget_others(keys);
    }

    /// What the relays have now; changes logged; a message sent when due.
    pub fn observe(&mut self, relays: &[Current], now: u64) {
        let window = self.settings.group_wait.as_secs();
        for cur in relays {
            for e in self.tracker.observe(cur, now, window) {
                say(level_of(&e), &logged(&e));
            }
        }
        let remind = self.settings.remind_after.map(|d| d.as_secs());
        if let Some(m) = self.tracker.due(now, remind) {
            self.send(&m);
        }
    }

    /// On the way out: the window closed now, what it held queued (sent
    /// at the next start if not now), the outbox written.
    pub fn close(mut self, now: u64) {
        if let Some(m) = self.tracker.close_now(now) {
            self.send(&m);
        }
        for c in self.channels.drain(..) {
            c.task.abort();
        }
        self.save();
    }

    /// `m` queued on every channel that takes any of it.
    fn send(&mut self, m: &Message) {
        say(Level::Info, &format!("message {}: {}", m.id, m.title()));
        let mut o = self.outbox.lock().unwrap_or_else(PoisonError::into_inner);
        for c in &self.channels {
            let Some(mine) = m.at_least(c.min) else {
                continue;
            };
            if let Some(old) = o.push(&c.id, mine) {
                say(
                    Level::Err,
                    &format!(
                        "{}: {} messages wait; the oldest dropped: {}",
                        c.id,
                        outbox::MAX_QUEUED,
                        old.message.title()
                    ),
                );
            }
            c.wake.notify_one();
        }
        o.set_told(self.tracker.told());
        if let Err(e) = o.save() {
            say(Level::Err, &e);
        }
    }

    fn save(&self) {
        let mut o = self.outbox.lock().unwrap_or_else(PoisonError::into_inner);
        o.set_told(self.tracker.told());
        if let Err(e) = o.save() {
            say(Level::Err, &e);
        }
    }
}

fn senders(settings: &NotifySettings) -> Result<Vec<Sender>, String> {
    settings
        .channels
        .iter()
        .map(|c| Sender::new(c.clone(), &settings.source))
        .collect()
}

fn level_of(e: &Event) -> Level {
    match (e.change, e.severity) {
        (Change::Over, _) => Level::Notice,
        (_, Severity::Critical) => Level::Err,
        (_, Severity::Warning) => Level::Warning,
    }
}

/// A change as the log says it.
fn logged(e: &Event) -> String {
    match e.change {
        Change::Over => format!(
            "{}: alert over: {} (after {} s)",
            e.relay,
            e.title,
            e.ended.unwrap_or(e.since).saturating_sub(e.since)
        ),
        _ => format!(
            "{}: alert ({}): {}{}{}; to do: {}",
            e.relay,
            e.severity.as_str(),
            e.title,
            if e.detail.is_empty() { "" } else { ": " },
            e.detail,
            e.advice
        ),
    }
}

/// A channel's task: the oldest message waiting, delivered on the
/// blocking pool; kept with its next try on failure.
async fn deliver(
    sender: Arc<Sender>,
    id: String,
    outbox: Arc<Mutex<Outbox>>,
    wake: Arc<tokio::sync::Notify>,
) {
    let lock = || outbox.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        let head = lock().head(&id).cloned();
        let Some(queued) = head else {
            wake.notified().await;
            continue;
        };
        let now = unix_now();
        if queued.next_at > now {
            let wait = Duration::from_secs(queued.next_at - now);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = wake.notified() => {}
            }
            continue;
        }
        let (channel, message) = (sender.clone(), queued.message.clone());
        let result = tokio::task::spawn_blocking(move || channel.deliver(&message))
            .await
            .unwrap_or_else(|e| {
                Err(Failed::Retry {
                    why: e.to_string(),
                    after: None,
                })
            });
        let (title, q) = (queued.message.title(), queued);
        let mut o = lock();
        match result {
            Ok(()) => {
                o.done(&id, &q.message.id);
                say(
                    Level::Info,
                    &format!("{id}: sent {}: {title}", q.message.id),
                );
            }
            Err(Failed::Refused(why)) => {
                o.done(&id, &q.message.id);
                say(
                    Level::Err,
                    &format!("{id}: refused ({why}), dropped: {title}"),
                );
            }
            Err(Failed::Retry { why, after }) => {
                let wait = after.map_or_else(|| backoff(q.attempts), |a| a.min(MAX_RETRY_AFTER));
                let n = o.failed(&id, &q.message.id, unix_now() + wait.as_secs());
                say(
                    Level::Warning,
                    &format!(
                        "{id}: not delivered ({}); again in {} s (try {n}, {} waiting)",
                        rnyx_model::text::strip_controls(&why),
                        wait.as_secs(),
                        o.waiting(&id)
                    ),
                );
            }
        }
        if let Err(e) = o.save() {
            say(Level::Err, &e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_ten_minutes() {
        let secs: Vec<u64> = (0..9).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [5, 10, 20, 40, 80, 160, 320, 600, 600]);
    }
}
