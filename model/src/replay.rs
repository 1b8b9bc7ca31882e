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
        if self.ended(now) {
            return self.length;
        }
        (now * 1000).saturating_sub(self.started).min(self.length)
    }

    /// Whether the replay has reached its end by unix second `now`: the
    /// end falls within that second (the recording's start and length are
    /// in milliseconds, the clock shown in whole seconds).
    pub fn ended(&self, now: u64) -> bool {
        now.saturating_mul(1000).saturating_add(999) >= self.started.saturating_add(self.length)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_shows_in_whole_seconds() {
        // Started at …:00.400, 179.3 s long: ends at …2:59.700.
        let r = ReplayStatus {
            name: "demo".into(),
            started: 1_000_000_400,
            length: 179_300,
            speed: 1.0,
            paused: false,
        };
        let end_second = (1_000_000_400 + 179_300) / 1000;
        assert!(!r.ended(end_second - 1));
        assert_eq!(r.position(end_second - 1), 177_600);
        assert!(r.ended(end_second));
        assert_eq!(r.position(end_second), r.length);
    }
}
