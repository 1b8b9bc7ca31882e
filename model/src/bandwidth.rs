use serde::Serialize;
use std::collections::VecDeque;

/// Bytes tor read and wrote in one second (one BW event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BandwidthSample {
    /// Unix time (seconds) the sample was taken.
    pub time: u64,
    pub read: u64,
    pub written: u64,
}

/// The most recent per-second samples, oldest first, capped at `capacity`.
#[derive(Debug, Clone, Serialize)]
pub struct BandwidthHistory {
    samples: VecDeque<BandwidthSample>,
    #[serde(skip)]
    capacity: usize,
}

impl BandwidthHistory {
    pub fn new(capacity: usize) -> Self {
        Self {
            samples: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
        }
    }

    pub fn push(&mut self, sample: BandwidthSample) {
        if self.samples.len() == self.capacity {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
    }

    pub fn clear(&mut self) {
        self.samples.clear();
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &BandwidthSample> + ExactSizeIterator {
        self.samples.iter()
    }

    pub fn latest(&self) -> Option<&BandwidthSample> {
        self.samples.back()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_newest_capacity_samples() {
        let mut h = BandwidthHistory::new(3);
        for t in 0..10 {
            h.push(BandwidthSample {
                time: t,
                read: t * 10,
                written: t,
            });
        }
        assert_eq!(h.len(), 3);
        let times: Vec<u64> = h.iter().map(|s| s.time).collect();
        assert_eq!(times, [7, 8, 9]);
        assert_eq!(h.latest().unwrap().read, 90);
    }
}
