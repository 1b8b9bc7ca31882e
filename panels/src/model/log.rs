use crate::text::strip_controls_in_place;
use serde::Serialize;
use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;

/// Severity of a log entry: tor's runlevels, shared by rnyx's own messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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
}

impl fmt::Display for Runlevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Runlevel {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.to_ascii_uppercase().as_str() {
            "DEBUG" => Ok(Runlevel::Debug),
            "INFO" => Ok(Runlevel::Info),
            "NOTICE" => Ok(Runlevel::Notice),
            "WARN" | "WARNING" => Ok(Runlevel::Warn),
            "ERR" | "ERROR" => Ok(Runlevel::Err),
            _ => Err(()),
        }
    }
}

/// Who produced a log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogSource {
    /// One of tor's log runlevels.
    Tor(Runlevel),
    /// rnyx's own notices and warnings.
    Rnyx(Runlevel),
    /// Any other event, by its name (e.g. `CIRC`, `BW`).
    Event(String),
}

/// One line of the event log. `message` has control characters stripped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Unix time in milliseconds when rnyx received it.
    pub time_ms: u64,
    pub source: LogSource,
    pub message: String,
}

impl LogEntry {
    pub fn new(time_ms: u64, source: LogSource, mut message: String) -> Self {
        strip_controls_in_place(&mut message);
        Self {
            time_ms,
            source,
            message,
        }
    }
}

/// The newest `capacity` log entries, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct LogBuffer {
    entries: VecDeque<LogEntry>,
    #[serde(skip)]
    capacity: usize,
    /// Entries received in all, including those since evicted.
    total: u64,
}

impl LogBuffer {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: VecDeque::with_capacity(capacity.min(1024)),
            capacity: capacity.max(1),
            total: 0,
        }
    }

    pub fn push(&mut self, entry: LogEntry) {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
        self.total += 1;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_sanitised() {
        let mut b = LogBuffer::new(2);
        for i in 0..5 {
            b.push(LogEntry::new(
                i,
                LogSource::Tor(Runlevel::Notice),
                format!("m{i}\x1b[2J"),
            ));
        }
        assert_eq!(b.len(), 2);
        assert_eq!(b.total(), 5);
        let msgs: Vec<&str> = b.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs, ["m3[2J", "m4[2J"]);
    }

    #[test]
    fn runlevel_names() {
        assert_eq!("warn".parse::<Runlevel>(), Ok(Runlevel::Warn));
        assert!("LOUD".parse::<Runlevel>().is_err());
        assert!(Runlevel::Debug < Runlevel::Err);
    }
}
