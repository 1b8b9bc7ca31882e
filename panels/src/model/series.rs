use serde::Serialize;
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

#[derive(Debug, Clone, Default)]
struct Accumulator {
    primary: f64,
    secondary: f64,
    samples: u32,
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
            if acc.samples >= interval.seconds() {
                let n = f64::from(acc.samples);
                let col = Column {
                    primary: acc.primary / n,
                    secondary: acc.secondary / n,
                };
                *acc = Accumulator::default();
                let peak = &mut self.peaks[i];
                peak.primary = peak.primary.max(col.primary);
                peak.secondary = peak.secondary.max(col.secondary);
                let cols = &mut self.columns[i];
                if cols.len() == self.max_columns {
                    cols.pop_back();
                }
                cols.push_front(col);
            }
        }
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
}
