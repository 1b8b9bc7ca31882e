//! Log lines as tor sent them, in one buffer: the I/O side fills a run with
//! no allocation per line, and only the lines the log keeps become strings
//! (sanitised, keyed). Under tor's DEBUG firehose that is a thousand lines
//! of a batch of several thousand.

use super::{RawEntry, Runlevel};

/// Consecutive log lines of one batch: each line's runlevel and where its
/// message ends in `text` (raw bytes, not yet checked as UTF-8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogRun {
    text: Vec<u8>,
    ends: Vec<(Runlevel, usize)>,
}

impl LogRun {
    pub fn push(&mut self, runlevel: Runlevel, message: &[u8]) {
        if self.ends.is_empty() {
            // Room for a few lines like the first at once, rather than
            // growing from nothing: most runs between other events are short.
            // Bounded, so one very long first line does not reserve 8 times
            // its size.
            self.text.reserve((message.len() * 8).min(16 * 1024));
            self.ends.reserve(8);
        }
        self.text.extend_from_slice(message);
        self.ends.push((runlevel, self.text.len()));
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The messages of the lines at `level`, in order.
    pub fn at_level(&self, level: Runlevel) -> impl Iterator<Item = &[u8]> {
        self.ends
            .iter()
            .enumerate()
            .filter(move |(_, (l, _))| *l == level)
            .filter_map(|(i, _)| self.get(i).map(|(_, m)| m))
    }

    /// Line `i`: its runlevel and message bytes.
    pub fn get(&self, i: usize) -> Option<(Runlevel, &[u8])> {
        let &(level, end) = self.ends.get(i)?;
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p].1);
        Some((level, &self.text[start..end]))
    }

    /// Line `i` as a message (invalid UTF-8 replaced, as for any line).
    pub fn message(&self, i: usize) -> Option<(Runlevel, String)> {
        let (level, bytes) = self.get(i)?;
        Some((level, lossy_into(String::new(), bytes)))
    }
}

/// `bytes` as text (invalid UTF-8 replaced) written over `buf`, whose
/// allocation is reused when it is not much larger than needed (the log
/// recycles an evicted entry's message: no allocation per line).
pub(super) fn lossy_into(mut buf: String, bytes: &[u8]) -> String {
    if buf.capacity() > (2 * bytes.len()).max(256) {
        buf = String::new();
    }
    buf.clear();
    match std::str::from_utf8(bytes) {
        Ok(s) => buf.push_str(s),
        Err(_) => buf.push_str(&String::from_utf8_lossy(bytes)),
    }
    buf
}

/// What a batch adds to the log: single entries, and runs of tor's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawLog {
    One(RawEntry),
    /// Lines received at the same time (unix ms).
    Run(u64, LogRun),
}

impl RawLog {
    pub fn len(&self) -> usize {
        match self {
            RawLog::One(_) => 1,
            RawLog::Run(_, run) => run.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
