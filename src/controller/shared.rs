//! The one controller state, shared between the controller task (its only
//! writer) and readers, with the `write_logs_to` file fed from it.

use super::logfile::LogFile;
use super::rnyx_log;
use crate::host::Clock;
use rnyx_model::{ControllerState, LogEntry, Runlevel};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::watch;

/// The controller state shared between the task (writer) and readers. The
/// lock is held only to apply a change, to read a few fields, or to take a
/// [`SharedState::view`]: the UI draws and handles keys on a view, without
/// the lock, and the writer goes on (copying the state only when it changes
/// it while a view of the old one is still held).
#[derive(Debug)]
pub struct SharedState {
    state: Mutex<Arc<ControllerState>>,
    changed: watch::Sender<u64>,
    /// `write_logs_to`: entries tapped from the log are appended after each
    /// update, outside the state's lock.
    log_file: Mutex<Option<LogFile>>,
    /// tor's manual was asked for (it is read once, when first shown).
    manual_asked: AtomicBool,
    /// The time the state goes by: this machine's, or a replay's.
    clock: Clock,
}

impl SharedState {
    pub fn new(state: ControllerState, clock: Clock) -> Self {
        let (changed, _) = watch::channel(state.session.generation);
        Self {
            state: Mutex::new(Arc::new(state)),
            changed,
            log_file: Mutex::new(None),
            manual_asked: AtomicBool::new(false),
            clock,
        }
    }

    /// Unix ms now, by the state's clock (a replay's is the recording's).
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    pub fn now_secs(&self) -> u64 {
        self.clock.now_secs()
    }

    /// Unix seconds the screen shows (a replay's clock runs on between
    /// the things it plays).
    pub fn shown_secs(&self) -> u64 {
        self.clock.shown_secs()
    }

    /// True the first time only: whoever gets it reads the manual.
    pub(super) fn first_manual_ask(&self) -> bool {
        // Read first: the UI asks on every turn of its loop while such a
        // page is shown.
        !self.manual_asked.load(Ordering::Relaxed)
            && !self.manual_asked.swap(true, Ordering::Relaxed)
    }

    /// Whether tor's manual has been asked for (the UI asks when a page
    /// showing it is first drawn).
    pub fn manual_asked(&self) -> bool {
        self.manual_asked.load(Ordering::Relaxed)
    }

    /// The ask did not reach the task: the next one counts as the first.
    pub(super) fn manual_ask_failed(&self) {
        self.manual_asked.store(false, Ordering::Relaxed);
    }

    /// Reads the state under the lock (a few fields: the lock is held
    /// while `f` runs).
    pub fn read<R>(&self, f: impl FnOnce(&ControllerState) -> R) -> R {
        f(&self.lock())
    }

    /// The state as it is now, held without the lock: what the UI draws
    /// and handles keys on. The writer is not kept waiting; a change made
    /// while a view is held copies the state first.
    pub fn view(&self) -> Arc<ControllerState> {
        Arc::clone(&self.lock())
    }

    /// A copy of the state, for the headless snapshot and tests.
    pub fn snapshot(&self) -> ControllerState {
        ControllerState::clone(&self.lock())
    }

    /// Notifies on every change with the new generation.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    pub(super) fn update<R>(&self, f: impl FnOnce(&mut ControllerState) -> R) -> R {
        // The clock read before the lock: readers wait only for `f`.
        let now = self.clock.now_ms();
        let mut guard = self.lock();
        let s = Arc::make_mut(&mut guard);
        s.session.updated_ms = now;
        let r = f(s);
        s.touch();
        let generation = s.session.generation;
        let tapped = s.logs.log.take_tapped();
        drop(guard);
        self.changed.send_replace(generation);
        if !tapped.is_empty() {
            self.write_log_file(&tapped);
        }
        r
    }

    /// Starts appending every new log entry to `file`.
    pub(super) fn set_log_file(&self, file: LogFile) {
        *self.log_file.lock().unwrap_or_else(PoisonError::into_inner) = Some(file);
        Arc::make_mut(&mut self.lock()).logs.log.set_tap(true);
    }

    fn write_log_file(&self, entries: &[LogEntry]) {
        let mut guard = self.log_file.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(file) = guard.as_mut() else { return };
        if let Err(e) = file.write(entries) {
            // Stop writing and say so once, in the log itself.
            let msg = format!("stopped writing the log to {}: {e}", file.path().display());
            *guard = None;
            drop(guard);
            let mut guard = self.lock();
            let s = Arc::make_mut(&mut guard);
            s.session.updated_ms = self.clock.now_ms();
            s.logs.log.set_tap(false);
            rnyx_log(s, Runlevel::Warn, msg);
        }
    }

    fn lock(&self) -> MutexGuard<'_, Arc<ControllerState>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A view is held without the lock: the writer changes the state
    /// meanwhile (on a copy), and the view keeps what it showed.
    #[test]
    fn the_writer_is_not_kept_waiting_by_a_view() {
        let shared = Arc::new(SharedState::new(ControllerState::default(), Clock::System));
        let view = shared.view();
        let writer = Arc::clone(&shared);
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            writer.update(|s| s.session.events_received = 5);
            done.send(()).unwrap();
        });
        // Only a writer kept waiting by the view fails this: then it never
        // finishes, and a minute is long enough to say so.
        finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the update went on while a view was held");
        assert_eq!(view.session.events_received, 0);
        assert_eq!(shared.read(|s| s.session.events_received), 5);
        assert_eq!(shared.view().session.events_received, 5);
    }
}
