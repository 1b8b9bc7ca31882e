//! Where a replay (`rnyx replay`) is: what the header says instead of the
//! host, and what the replay keys change.

use serde::Serialize;

/// A replay's position and motion, as the header shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayStatus {
    /// What is played: the recording's file name (or "demo").
    pub name: String,
    /// Unix milliseconds the recording started.
    pub started: u64,
    /// Milliseconds of recording.
    pub length: u64,
    /// 2.0: twice as fast as recorded.
    pub speed: f64,
    pub paused: bool,
}

impl ReplayStatus {
    /// Milliseconds into the recording at unix time `now` (seconds),
    /// within the recording.
    pub fn position(&self, now: u64) -> u64 {
        (now * 1000).saturating_sub(self.started).min(self.length)
    }
}

/// What the replay keys ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayControl {
    /// Pause, or play on.
    TogglePause,
    /// Seconds forward (negative: back).
    Seek(i64),
    /// Twice as fast.
    Faster,
    /// Half as fast.
    Slower,
}
