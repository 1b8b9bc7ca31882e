//! Events received on the interpreter's own connection (what it subscribed
//! to with SETEVENTS), for its output and `/events`.

use std::collections::VecDeque;

/// Events kept at most.
pub const INTERPRETER_EVENTS_KEPT: usize = 1000;

/// The newest events, oldest first, as text (control characters removed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterpreterEvents {
    /// (unix ms received, `650 NAME …`)
    pub list: VecDeque<(u64, String)>,
    /// Events received in all (numbers them: the last has number `total`).
    pub total: u64,
}

impl InterpreterEvents {
    pub fn extend(&mut self, now_ms: u64, texts: Vec<String>) {
        for t in texts {
            self.total += 1;
            self.list
                .push_back((now_ms, crate::text::strip_controls(&t)));
        }
        while self.list.len() > INTERPRETER_EVENTS_KEPT {
            self.list.pop_front();
        }
    }

    /// The number of the oldest event kept.
    pub fn first_number(&self) -> u64 {
        self.total + 1 - self.list.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_numbered_and_clean() {
        let mut e = InterpreterEvents::default();
        e.extend(
            1,
            vec!["650 BW 1 2".into(), "650 NOTICE \u{1b}[31mhi".into()],
        );
        assert_eq!(e.list[1].1, "650 NOTICE [31mhi");
        e.extend(
            2,
            (0..INTERPRETER_EVENTS_KEPT)
                .map(|i| format!("650 BW {i} 0"))
                .collect(),
        );
        assert_eq!(e.list.len(), INTERPRETER_EVENTS_KEPT);
        assert_eq!(e.total, 1002);
        assert_eq!(e.first_number(), 3);
    }
}
