use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// The graph intervals: how many seconds one column covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    EachSecond,
    FiveSeconds,
    ThirtySeconds,
    Minutely,
    FifteenMinute,
    ThirtyMinute,
    Hourly,
    Daily,
}

impl Interval {
    pub const ALL: [Interval; 8] = [
        Interval::EachSecond,
        Interval::FiveSeconds,
        Interval::ThirtySeconds,
        Interval::Minutely,
        Interval::FifteenMinute,
        Interval::ThirtyMinute,
        Interval::Hourly,
        Interval::Daily,
    ];

    pub fn seconds(self) -> u32 {
        match self {
            Interval::EachSecond => 1,
            Interval::FiveSeconds => 5,
            Interval::ThirtySeconds => 30,
            Interval::Minutely => 60,
            Interval::FifteenMinute => 900,
            Interval::ThirtyMinute => 1800,
            Interval::Hourly => 3600,
            Interval::Daily => 86_400,
        }
    }

    /// The name used in nyxrc and menus (Nyx's names).
    pub fn name(self) -> &'static str {
        match self {
            Interval::EachSecond => "each second",
            Interval::FiveSeconds => "5 seconds",
            Interval::ThirtySeconds => "30 seconds",
            Interval::Minutely => "minutely",
            Interval::FifteenMinute => "15 minute",
            Interval::ThirtyMinute => "30 minute",
            Interval::Hourly => "hourly",
            Interval::Daily => "daily",
        }
    }

    pub fn from_name(s: &str) -> Option<Interval> {
        Interval::ALL.into_iter().find(|i| i.name() == s)
    }

    fn index(self) -> usize {
        Interval::ALL.iter().position(|i| *i == self).unwrap_or(0)
    }
}

/// One column: the averages of the two plotted values over its interval.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Column {
    pub primary: f64,
    pub secondary: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Accumulator {
    primary: f64,
    secondary: f64,
    /// Seconds with a value.
    samples: u32,
    /// Seconds of the column gone by, with a value or not (a gap while
    /// rnyx did not run).
    elapsed: u32,
}

/// One interval of a [`Series`] as kept across restarts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntervalHistory {
    pub seconds: u32,
    /// Newest first: (primary, secondary).
    pub columns: Vec<(f64, f64)>,
    pending: Accumulator,
    pub peak: (f64, f64),
}

/// A [`Series`]'s longer intervals (5 s to daily), kept across restarts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SeriesHistory {
    pub intervals: Vec<IntervalHistory>,
    pub samples: u64,
}

/// Two per-second values (download/upload, inbound/outbound, cpu/memory)
/// binned at every interval at once, newest column first, so switching the
/// interval shows history immediately. O(8) per sample, bounded by
/// `max_columns` per interval.
#[derive(Debug, Clone)]
pub struct Series {
    columns: [VecDeque<Column>; 8],
    pending: [Accumulator; 8],
    /// The largest column each interval has ever had (for the global bound).
    peaks: [Column; 8],
    max_columns: usize,
    samples: u64,
}

impl Series {
    pub fn new(max_columns: usize) -> Self {
        Self {
            columns: Default::default(),
            pending: Default::default(),
            peaks: [Column::default(); 8],
            max_columns: max_columns.max(1),
            samples: 0,
        }
    }

    /// Adds one second's values.
    pub fn push(&mut self, primary: f64, secondary: f64) {
        self.samples += 1;
        for interval in Interval::ALL {
            let i = interval.index();
            let acc = &mut self.pending[i];
            acc.primary += primary;
            acc.secondary += secondary;
            acc.samples += 1;
            acc.elapsed += 1;
            if acc.elapsed >= interval.seconds() {
                self.close(i);
            }
        }
    }

    /// Ends interval `i`'s column: the average of the seconds it had.
    fn close(&mut self, i: usize) {
        let acc = std::mem::take(&mut self.pending[i]);
        let n = f64::from(acc.samples.max(1));
        let col = Column {
            primary: acc.primary / n,
            secondary: acc.secondary / n,
        };
        let peak = &mut self.peaks[i];
        peak.primary = peak.primary.max(col.primary);
        peak.secondary = peak.secondary.max(col.secondary);
        self.add_column(i, col);
    }

    fn add_column(&mut self, i: usize, col: Column) {
        let cols = &mut self.columns[i];
        if cols.len() == self.max_columns {
            cols.pop_back();
        }
        cols.push_front(col);
    }

    /// `seconds` that went by with no value (rnyx was not running): the
    /// open columns close on what they had, whole columns in between stay
    /// empty.
    pub fn gap(&mut self, seconds: u64) {
        for interval in Interval::ALL {
            let i = interval.index();
            let s = u64::from(interval.seconds());
            let total = u64::from(self.pending[i].elapsed) + seconds;
            if total < s {
                self.pending[i].elapsed = u32::try_from(total).unwrap_or(u32::MAX);
                continue;
            }
            self.close(i);
            let empty = usize::try_from(total / s - 1).unwrap_or(usize::MAX);
            for _ in 0..empty.min(self.max_columns) {
                self.add_column(i, Column::default());
            }
            self.pending[i].elapsed = u32::try_from(total % s).unwrap_or(0);
        }
    }

    /// The intervals of 5 s and longer, for keeping across restarts.
    pub fn history(&self) -> SeriesHistory {
        SeriesHistory {
            intervals: Interval::ALL[1..]
                .iter()
                .map(|interval| {
                    let i = interval.index();
                    IntervalHistory {
                        seconds: interval.seconds(),
                        columns: self.columns[i]
                            .iter()
                            .map(|c| (c.primary, c.secondary))
                            .collect(),
                        pending: self.pending[i].clone(),
                        peak: (self.peaks[i].primary, self.peaks[i].secondary),
                    }
                })
                .collect(),
            samples: self.samples,
        }
    }

    /// Takes back what [`Series::history`] kept (intervals it does not
    /// know are left out; at most `max_columns` a interval).
    pub fn restore(&mut self, h: &SeriesHistory) {
        for kept in &h.intervals {
            let Some(interval) = Interval::ALL[1..]
                .iter()
                .find(|i| i.seconds() == kept.seconds)
            else {
                continue;
            };
            let i = interval.index();
            self.columns[i] = kept
                .columns
                .iter()
                .take(self.max_columns)
                .map(|&(primary, secondary)| Column { primary, secondary })
                .collect();
            self.pending[i] = kept.pending.clone();
            self.peaks[i] = Column {
                primary: kept.peak.0,
                secondary: kept.peak.1,
            };
        }
        self.samples += h.samples;
    }

    /// Columns of `interval`, newest first.
    pub fn columns(&self, interval: Interval) -> &VecDeque<Column> {
        &self.columns[interval.index()]
    }

    /// The largest column `interval` has ever had.
    pub fn peak(&self, interval: Interval) -> Column {
        self.peaks[interval.index()]
    }

    /// The newest second's values (the current rate).
    pub fn latest(&self) -> Option<Column> {
        self.columns[0].front().copied()
    }

    /// Seconds of data pushed in all.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    pub fn clear(&mut self) {
        *self = Series::new(self.max_columns);
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact: small integers and their averages
mod tests {
    use super::*;

    #[test]
    fn bins_average_each_interval() {
        let mut s = Series::new(100);
        for i in 1..=10 {
            s.push(f64::from(i), 0.0);
        }
        let each: Vec<f64> = s
            .columns(Interval::EachSecond)
            .iter()
            .map(|c| c.primary)
            .collect();
        assert_eq!(each, [10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]);
        // Two 5-second columns: avg(6..=10) = 8 (newest), avg(1..=5) = 3.
        let five: Vec<f64> = s
            .columns(Interval::FiveSeconds)
            .iter()
            .map(|c| c.primary)
            .collect();
        assert_eq!(five, [8.0, 3.0]);
        assert!(s.columns(Interval::ThirtySeconds).is_empty());
        assert_eq!(s.peak(Interval::FiveSeconds).primary, 8.0);
        assert_eq!(s.latest().unwrap().primary, 10.0);
    }

    #[test]
    fn bounded_per_interval_and_peaks_survive() {
        let mut s = Series::new(3);
        s.push(100.0, 1.0);
        for _ in 0..10 {
            s.push(1.0, 1.0);
        }
        assert_eq!(s.columns(Interval::EachSecond).len(), 3);
        assert_eq!(s.peak(Interval::EachSecond).primary, 100.0);
        assert_eq!(s.samples(), 11);
    }

    #[test]
    fn interval_names_round_trip() {
        for i in Interval::ALL {
            assert_eq!(Interval::from_name(i.name()), Some(i));
        }
        assert_eq!(Interval::Daily.seconds(), 86_400);
    }

    #[test]
    fn kept_across_a_restart_with_the_gap_left_empty() {
        let mut before = Series::new(100);
        for _ in 0..65 {
            before.push(10.0, 20.0);
        }
        let kept = before.history();
        // 7 intervals (5 s to daily); each-second is not kept.
        assert_eq!(kept.intervals.len(), 7);
        assert_eq!(kept.intervals[0].columns.len(), 13);
        let mut after = Series::new(100);
        after.restore(&kept);
        assert_eq!(
            after.columns(Interval::FiveSeconds),
            before.columns(Interval::FiveSeconds)
        );
        assert_eq!(after.columns(Interval::Minutely).len(), 1);
        assert_eq!(
            after.peak(Interval::FiveSeconds),
            Column {
                primary: 10.0,
                secondary: 20.0
            }
        );
        // 2 minutes away; then 55 seconds of 40/80.
        after.gap(120);
        for _ in 0..55 {
            after.push(40.0, 80.0);
        }
        let minutely: Vec<f64> = after
            .columns(Interval::Minutely)
            .iter()
            .map(|c| c.primary)
            .collect();
        // The minute open at the restart closed on its 5 seconds (10), one
        // whole minute stayed empty, the next holds the new values.
        assert_eq!(minutely, [40.0, 0.0, 10.0, 10.0]);
        let five = after.columns(Interval::FiveSeconds);
        assert_eq!(five[0].primary, 40.0);
        assert_eq!(five.len(), 13 + 24 + 11);
        // The peak the relay had before the restart is still there.
        assert_eq!(after.peak(Interval::FiveSeconds).primary, 40.0);
        assert_eq!(after.samples(), 65 + 55);
    }
}
