use crate::text::strip_controls_in_place;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;

mod dedup;
mod run;

pub use dedup::dedup_key;
pub use run::{LogRun, RawLog};

/// Severity of a log entry: tor's runlevels, shared by rnyx's own messages.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Runlevel {
    Debug,
    Info,
    Notice,
    Warn,
    Err,
}

impl Runlevel {
    pub const ALL: [Runlevel; 5] = [
        Runlevel::Debug,
        Runlevel::Info,
        Runlevel::Notice,
        Runlevel::Warn,
        Runlevel::Err,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Runlevel::Debug => "DEBUG",
            Runlevel::Info => "INFO",
            Runlevel::Notice => "NOTICE",
            Runlevel::Warn => "WARN",
            Runlevel::Err => "ERR",
        }
    }

    /// The name of rnyx's own runlevel in event lists: `RNYX_NOTICE`.
    pub fn rnyx_name(self) -> &'static str {
        match self {
            Runlevel::Debug => "RNYX_DEBUG",
            Runlevel::Info => "RNYX_INFO",
            Runlevel::Notice => "RNYX_NOTICE",
            Runlevel::Warn => "RNYX_WARN",
            Runlevel::Err => "RNYX_ERR",
        }
    }

    /// Position in [`Runlevel::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Runlevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Runlevel {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        const NAMES: [(&str, Runlevel); 7] = [
            ("DEBUG", Runlevel::Debug),
            ("INFO", Runlevel::Info),
            ("NOTICE", Runlevel::Notice),
            ("WARN", Runlevel::Warn),
            ("WARNING", Runlevel::Warn),
            ("ERR", Runlevel::Err),
            ("ERROR", Runlevel::Err),
        ];
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, l)| *l)
            .ok_or(())
    }
}

/// Who produced a log entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogSource {
    /// One of tor's log runlevels.
    Tor(Runlevel),
    /// rnyx's own notices and warnings.
    Rnyx(Runlevel),
    /// Any other event, by its name (e.g. `CIRC`, `BW`).
    Event(Cow<'static, str>),
}

impl LogSource {
    /// The bracketed type shown in the log: `NOTICE`, `RNYX_WARN`, `CIRC`.
    pub fn label(&self) -> &str {
        match self {
            LogSource::Tor(l) => l.as_str(),
            LogSource::Rnyx(l) => l.rnyx_name(),
            LogSource::Event(name) => name,
        }
    }
}

/// One line of the event log. `message` has control characters stripped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Unix time in milliseconds when rnyx received it (or tor logged it).
    pub time_ms: u64,
    pub source: LogSource,
    pub message: String,
    /// Older duplicates of this entry still in the buffer.
    #[serde(skip)]
    pub duplicates: u32,
    /// A newer duplicate exists: hidden while deduplicating.
    #[serde(skip)]
    pub superseded: bool,
    #[serde(skip)]
    key: u64,
}

impl LogEntry {
    pub fn new(time_ms: u64, source: LogSource, mut message: String) -> Self {
        strip_controls_in_place(&mut message);
        Self {
            time_ms,
            source,
            message,
            duplicates: 0,
            superseded: false,
            key: 0,
        }
    }
}

/// A log line as the I/O side read it, not sanitised or keyed yet:
/// (unix ms, source, message).
pub type RawEntry = (u64, LogSource, String);

/// The newest `capacity` log entries, oldest first, with duplicates linked:
/// each entry knows how many older duplicates the buffer holds, and whether
/// a newer one exists. Pushing is O(1), whatever the capacity.
#[derive(Debug, Clone, Serialize)]
pub struct LogBuffer {
    entries: VecDeque<LogEntry>,
    #[serde(skip)]
    capacity: usize,
    /// Entries received in all, including those since evicted.
    total: u64,
    /// Dedup key → sequence number of the newest entry with that key.
    #[serde(skip)]
    newest: HashMap<u64, u64, foldhash::fast::FixedState>,
    /// Copies of pushed entries for a log file, drained by the I/O side.
    #[serde(skip)]
    tap: Option<Vec<LogEntry>>,
}

impl LogBuffer {
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            entries: VecDeque::with_capacity(capacity.min(1024)),
            capacity,
            total: 0,
            newest: HashMap::with_capacity_and_hasher(
                capacity.min(1024),
                foldhash::fast::FixedState::default(),
            ),
            tap: None,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn push(&mut self, entry: LogEntry) {
        self.make_room();
        self.insert(entry);
    }

    /// One of tor's lines from a run, written into the message of the entry
    /// it evicts when the buffer is full.
    fn push_line(&mut self, time_ms: u64, level: Runlevel, bytes: &[u8]) {
        let spare = self.make_room().map(|old| old.message).unwrap_or_default();
        let mut message = run::lossy_into(spare, bytes);
        strip_controls_in_place(&mut message);
        self.insert(LogEntry {
            time_ms,
            source: LogSource::Tor(level),
            message,
            duplicates: 0,
            superseded: false,
            key: 0,
        });
    }

    /// Evicts the oldest entry if the buffer is full, and gives it back.
    fn make_room(&mut self) -> Option<LogEntry> {
        if self.entries.len() < self.capacity {
            return None;
        }
        self.evict_oldest()
    }

    /// Adds an entry, the buffer having room for it.
    fn insert(&mut self, mut entry: LogEntry) {
        if let Some(tap) = &mut self.tap {
            tap.push(entry.clone());
        }
        let seq = self.total;
        entry.key = dedup_key(&entry.source, &entry.message);
        if let Some(prev_seq) = self.newest.insert(entry.key, seq) {
            if let Some(prev) = self.get_mut(prev_seq) {
                prev.superseded = true;
                entry.duplicates = prev.duplicates + 1;
            }
        }
        self.entries.push_back(entry);
        self.total += 1;
    }

    /// Pushes a batch, oldest first. The entries the buffer could not keep
    /// anyway (more than its capacity from the batch's end) are counted and
    /// tapped but neither sanitised for the buffer nor keyed: the buffer
    /// ends exactly as if each had been pushed, at a fraction of the cost
    /// under a flood.
    pub fn push_batch(&mut self, batch: Vec<RawEntry>) {
        self.push_raw(batch.into_iter().map(RawLog::One).collect());
    }

    /// [`push_batch`](Self::push_batch) for entries and runs of tor's
    /// lines: the lines of a run the buffer could not keep are not even
    /// made strings (unless a log file taps them all).
    pub fn push_raw(&mut self, batch: Vec<RawLog>) {
        let lines: usize = batch.iter().map(RawLog::len).sum();
        let mut skip = lines.saturating_sub(self.capacity);
        if skip > 0 {
            // Every entry held now would be evicted by the batch.
            self.entries.clear();
            self.newest.clear();
        }
        for item in batch {
            let skipped = skip.min(item.len());
            skip -= skipped;
            self.total += skipped as u64;
            match item {
                RawLog::One((time, source, message)) if skipped == 1 => {
                    if let Some(tap) = &mut self.tap {
                        tap.push(LogEntry::new(time, source, message));
                    }
                }
                RawLog::One((time, source, message)) => {
                    self.push(LogEntry::new(time, source, message));
                }
                RawLog::Run(time, run) => {
                    if let Some(tap) = &mut self.tap {
                        tap.extend((0..skipped).filter_map(|i| {
                            let (level, message) = run.message(i)?;
                            Some(LogEntry::new(time, LogSource::Tor(level), message))
                        }));
                    }
                    for i in skipped..run.len() {
                        if let Some((level, bytes)) = run.get(i) {
                            self.push_line(time, level, bytes);
                        }
                    }
                }
            }
        }
    }

    fn evict_oldest(&mut self) -> Option<LogEntry> {
        let first = self.first_seq();
        let old = self.entries.pop_front()?;
        match self.newest.get(&old.key) {
            Some(&s) if s == first => {
                self.newest.remove(&old.key);
            }
            Some(&s) if old.superseded => {
                if let Some(newest) = self.get_mut(s) {
                    newest.duplicates = newest.duplicates.saturating_sub(1);
                }
            }
            _ => {}
        }
        Some(old)
    }

    fn get_mut(&mut self, seq: u64) -> Option<&mut LogEntry> {
        let i = usize::try_from(seq.checked_sub(self.first_seq())?).ok()?;
        self.entries.get_mut(i)
    }

    /// Sequence number of the oldest entry kept (entries are numbered from 0
    /// in the order received).
    pub fn first_seq(&self) -> u64 {
        self.total - self.entries.len() as u64
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &LogEntry> + ExactSizeIterator {
        self.entries.iter()
    }

    /// Entries newest first, each with its sequence number.
    pub fn newest_first(&self) -> impl Iterator<Item = (u64, &LogEntry)> {
        let first = self.first_seq();
        self.entries
            .iter()
            .enumerate()
            .rev()
            .map(move |(i, e)| (first + i as u64, e))
    }

    /// Starts or stops keeping copies of pushed entries for [`Self::take_tapped`].
    pub fn set_tap(&mut self, on: bool) {
        self.tap = on.then(Vec::new);
    }

    /// The entries pushed since the last call (empty unless tapped).
    pub fn take_tapped(&mut self) -> Vec<LogEntry> {
        self.tap.as_mut().map(std::mem::take).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
