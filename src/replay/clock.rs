//! A replay's clock: where in the recording it is, how fast it moves,
//! paused or not. A replay's host gives it to its controller task and
//! screen (the host's `Clock::Replay`).

use rnyx_model::{ReplayControl, ReplayStatus};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

/// How the clock moves: from `at` ms at `since`, `speed` times as fast as
/// real time, unless paused.
#[derive(Debug, Clone, Copy)]
struct Motion {
    at: u64,
    since: std::time::Instant,
    speed: f64,
    paused: bool,
}

/// Speeds a replay can go at.
const SPEEDS: std::ops::RangeInclusive<f64> = 0.125..=64.0;

/// A replay's clock: where in the recording it is.
#[derive(Debug)]
pub struct Clock {
    /// Unix ms the recording started.
    pub(super) started: u64,
    length: u64,
    motion: Mutex<Motion>,
    /// Bumped at every pause, seek or speed change.
    pub(super) changes: watch::Sender<u64>,
    /// Where the monitor's session is: the recorded time (ms since the
    /// start) of the last thing the stand-in gave it.
    played: AtomicU64,
    /// One past the position (ms) up to which the session's stand-in has
    /// handed everything over (0: nothing yet).
    handed: AtomicU64,
}

impl Clock {
    pub fn new(started: u64, length: u64, speed: f64) -> Self {
        Self {
            started,
            length,
            motion: Mutex::new(Motion {
                at: 0,
                since: std::time::Instant::now(),
                speed: speed.clamp(*SPEEDS.start(), *SPEEDS.end()),
                paused: false,
            }),
            changes: watch::Sender::new(0),
            played: AtomicU64::new(0),
            handed: AtomicU64::new(0),
        }
    }

    fn motion(&self) -> std::sync::MutexGuard<'_, Motion> {
        self.motion
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn position_of(&self, m: &Motion) -> u64 {
        if m.paused {
            return m.at;
        }
        let ran = m.since.elapsed().as_secs_f64() * 1000.0 * m.speed;
        // Milliseconds: far from u64's range, never negative.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let ran = ran as u64;
        (m.at + ran).min(self.length)
    }

    /// Milliseconds into the recording.
    pub fn position(&self) -> u64 {
        self.position_of(&self.motion())
    }

    /// The recording's unix time now, in milliseconds: when what the
    /// monitor was last given happened (so a burst played at once after a
    /// seek is not all stamped with its end).
    pub fn now_ms(&self) -> u64 {
        self.started + self.played.load(Ordering::Relaxed)
    }

    pub(super) fn play(&self, t: u64) {
        self.played.store(t, Ordering::Relaxed);
    }

    /// The recorded time (ms since the start) of the last thing the
    /// session's stand-in gave it.
    pub(super) fn played(&self) -> u64 {
        self.played.load(Ordering::Relaxed)
    }

    /// A new session: nothing played or handed over yet.
    pub(super) fn restart(&self) {
        self.play(0);
        self.handed.store(0, Ordering::SeqCst);
    }

    /// The stand-in has handed over everything up to `t` ms.
    pub(super) fn handed_over(&self, t: u64) {
        self.handed.store(t + 1, Ordering::SeqCst);
    }

    /// Whether the session's stand-in has handed over everything up to the
    /// clock's position (what the task still holds is the task's to say).
    pub fn caught_up(&self) -> bool {
        self.handed.load(Ordering::SeqCst) > self.position()
    }

    /// Unix ms the recording started.
    pub fn started_ms(&self) -> u64 {
        self.started
    }

    /// How far (ms since the start) the session has been given everything:
    /// what a replay's host answers as of.
    pub fn reached(&self) -> u64 {
        self.played()
            .max(self.handed.load(Ordering::SeqCst).saturating_sub(1))
    }

    /// The recording's unix time (ms) where the clock is.
    pub fn position_ms(&self) -> u64 {
        self.started + self.position()
    }

    /// Real time until the clock reads `t`; `None` while paused.
    pub(super) fn until(&self, t: u64) -> Option<Duration> {
        let m = self.motion();
        if m.paused {
            return None;
        }
        let left = t.saturating_sub(self.position_of(&m)) as f64;
        Some(Duration::from_secs_f64(left / 1000.0 / m.speed))
    }

    /// Moves the clock as asked. True when it went back (what was played
    /// after the new position has to be undone).
    pub fn control(&self, control: ReplayControl) -> bool {
        let mut m = self.motion();
        let now = self.position_of(&m);
        m.at = now;
        m.since = std::time::Instant::now();
        let back = match control {
            ReplayControl::TogglePause => {
                m.paused = !m.paused;
                false
            }
            ReplayControl::Seek(seconds) => {
                let to = now.saturating_add_signed(seconds.saturating_mul(1000));
                m.at = to.min(self.length);
                m.at < now
            }
            ReplayControl::Faster => {
                m.speed = (m.speed * 2.0).min(*SPEEDS.end());
                false
            }
            ReplayControl::Slower => {
                m.speed = (m.speed / 2.0).max(*SPEEDS.start());
                false
            }
        };
        drop(m);
        self.changes.send_modify(|n| *n += 1);
        back
    }

    /// Stops the clock at `position` ms (within the recording).
    pub fn hold_at(&self, position: u64) {
        let mut m = self.motion();
        m.at = position.min(self.length);
        m.since = std::time::Instant::now();
        m.paused = true;
        drop(m);
        self.changes.send_modify(|n| *n += 1);
    }

    /// Milliseconds of recording.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// What the header shows.
    pub fn status(&self, name: &str) -> ReplayStatus {
        let m = *self.motion();
        ReplayStatus {
            name: name.to_owned(),
            started: self.started,
            length: self.length,
            speed: m.speed,
            paused: m.paused,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_pauses_seeks_and_changes_speed_within_the_recording() {
        let made = std::time::Instant::now();
        let c = Clock::new(1_000_000, 120_000, 1.0);
        assert!(!c.control(ReplayControl::TogglePause));
        let at = c.position();
        // It ran from the start, as long as it existed, until paused.
        assert!(u128::from(at) <= made.elapsed().as_millis(), "{at}");
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(c.position(), at, "paused");
        assert_eq!(c.until(at + 10), None);
        assert!(!c.control(ReplayControl::Seek(60)));
        assert_eq!(c.position(), at + 60_000);
        // The monitor's time is what it was given last.
        assert_eq!(c.now_ms(), 1_000_000);
        c.play(5_000);
        assert_eq!(c.now_ms(), 1_005_000);
        assert!(!c.control(ReplayControl::Seek(600)));
        assert_eq!(c.position(), 120_000, "not past the end");
        assert!(c.control(ReplayControl::Seek(-60)));
        assert_eq!(c.position(), 60_000);
        assert!(c.control(ReplayControl::Seek(-600)));
        assert_eq!(c.position(), 0);
        c.control(ReplayControl::Faster);
        c.control(ReplayControl::Faster);
        assert!((c.status("x").speed - 4.0).abs() < 1e-9);
        assert!(c.status("x").paused);
        c.control(ReplayControl::TogglePause);
        let wait = c.until(4000).unwrap();
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        for _ in 0..20 {
            c.control(ReplayControl::Slower);
        }
        assert!((c.status("x").speed - SPEEDS.start()).abs() < 1e-9);
    }
}
