//! The relay as each consensus saw it: listed or not, its weight, share,
//! rank and flags; and the changes between consensuses, for the timeline.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How long marks are kept.
pub const STANDING_DAYS: u64 = 31;

/// At most this many marks (a test network votes every 20 s; the live
/// network once an hour, 744 in 31 days).
const MAX_MARKS: usize = 2000;

/// The relay in one consensus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// The consensus's valid-after (unix s), or when rnyx got it where
    /// tor did not say (`dated` false).
    pub at: u64,
    #[serde(default)]
    pub dated: bool,
    /// Whether the consensus lists the relay.
    pub listed: bool,
    /// Its consensus weight (`w Bandwidth=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u64>,
    #[serde(default)]
    pub flags: Vec<String>,
    /// Every relay's weight added up.
    #[serde(default)]
    pub total: u64,
    /// 1 for the heaviest relay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    /// Relays in the consensus.
    #[serde(default)]
    pub relays: u32,
}

impl Mark {
    /// The relay's share of the network's weight, in percent.
    pub fn share(&self) -> Option<f64> {
        let w = self.weight?;
        (self.total > 0).then(|| w as f64 * 100.0 / self.total as f64)
    }

    fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

/// What changed from one consensus to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "change", content = "detail")]
pub enum What {
    Gained(String),
    Lost(String),
    Listed,
    Unlisted,
    /// The weight moved by a fifth or more.
    Weight {
        from: u64,
        to: u64,
    },
}

/// A change and the consensus that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub at: u64,
    pub dated: bool,
    #[serde(flatten)]
    pub what: What,
}

impl Change {
    /// `Guard lost`, `listed again`, `weight 2400 → 1200`.
    pub fn describe(&self) -> String {
        match &self.what {
            What::Gained(f) => format!("{f} gained"),
            What::Lost(f) => format!("{f} lost"),
            What::Listed => "listed again".into(),
            What::Unlisted => "not listed".into(),
            What::Weight { from, to } => format!("weight {from} → {to}"),
        }
    }
}

/// The marks, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub marks: VecDeque<Mark>,
}

impl Standing {
    /// A consensus's mark, at `now` (unix s): one of the same time
    /// replaces the last (tor's NS events and `ns/all` re-read it).
    pub fn push(&mut self, mark: Mark, now: u64) {
        match self.marks.back_mut() {
            Some(last) if last.at == mark.at => *last = mark,
            _ => self.marks.push_back(mark),
        }
        let oldest = now.saturating_sub(STANDING_DAYS * 86_400);
        while self.marks.len() > MAX_MARKS || self.marks.front().is_some_and(|m| m.at < oldest) {
            self.marks.pop_front();
        }
    }

    /// Gives the last mark its consensus's valid-after.
    pub fn date_last(&mut self, valid_after: u64) {
        let n = self.marks.len();
        if n >= 2 && self.marks[n - 2].dated && self.marks[n - 2].at == valid_after {
            // The same consensus again (rnyx restarted): one mark.
            let last = self.marks.pop_back().expect("two marks");
            let kept = self.marks.back_mut().expect("one mark");
            *kept = Mark {
                at: valid_after,
                dated: true,
                ..last
            };
            return;
        }
        if let Some(last) = self.marks.back_mut() {
            last.at = valid_after;
            last.dated = true;
        }
    }

    pub fn latest(&self) -> Option<&Mark> {
        self.marks.back()
    }

    /// Every change between consecutive marks, newest first.
    pub fn changes(&self) -> Vec<Change> {
        let mut out = Vec::new();
        for (a, b) in self.marks.iter().zip(self.marks.iter().skip(1)).rev() {
            let change = |what| Change {
                at: b.at,
                dated: b.dated,
                what,
            };
            if a.listed != b.listed {
                out.push(change(if b.listed {
                    What::Listed
                } else {
                    What::Unlisted
                }));
            }
            if !(a.listed && b.listed) {
                continue;
            }
            for f in a.flags.iter().filter(|f| !b.has(f)) {
                out.push(change(What::Lost(f.clone())));
            }
            for f in b.flags.iter().filter(|f| !a.has(f)) {
                out.push(change(What::Gained(f.clone())));
            }
            if let (Some(from), Some(to)) = (a.weight, b.weight) {
                if from.abs_diff(to) * 5 >= from.max(1) {
                    out.push(change(What::Weight { from, to }));
                }
            }
        }
        out
    }

    /// The marks from `since` on, newest first (the alerts look back a
    /// day, not through all that is kept).
    fn since(&self, since: u64) -> impl Iterator<Item = &Mark> {
        self.marks.iter().rev().take_while(move |m| m.at >= since)
    }

    /// The weight's fall over the `window` seconds up to the last mark:
    /// the highest it had then, now, and the fall in percent.
    pub fn weight_fall(&self, window: u64) -> Option<(u64, u64, f64)> {
        let last = self.latest()?;
        let now = last.weight?;
        let high = self
            .since(last.at.saturating_sub(window))
            .filter(|m| m.listed)
            .filter_map(|m| m.weight)
            .max()?;
        (high > now).then(|| (high, now, (high - now) as f64 * 100.0 / high as f64))
    }

    /// The consensus (its time) that took `flag` away, where a listed
    /// mark from `since` on held it and the listed marks after it do not.
    pub fn lost_since(&self, flag: &str, since: u64) -> Option<u64> {
        let mut later = None;
        for m in self.since(since).filter(|m| m.listed) {
            if m.has(flag) {
                return later;
            }
            later = Some(m.at);
        }
        None
    }

    /// When the last change of `flag` to lost happened, and its consensus.
    pub fn lost_at(&self, flag: &str) -> Option<Change> {
        self.changes()
            .into_iter()
            .find(|c| matches!(&c.what, What::Lost(f) | What::Gained(f) if f == flag))
            .filter(|c| matches!(c.what, What::Lost(_)))
    }
}
