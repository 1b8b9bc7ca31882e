//! What tor sent that the control-spec rules out, counted by kind and told
//! at most once a minute per kind: a tor (or anything speaking for it) that
//! sends the same bad line a thousand times a second must not drown the log.

use std::collections::BTreeMap;

/// The least time between two messages about one kind of input.
pub const REFUSED_EVERY_MS: u64 = 60_000;

/// Refused input by kind (`CIRC event`, `circuit-status`…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefusedInput {
    kinds: BTreeMap<String, Kind>,
    /// Lines refused in all.
    pub total: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Kind {
    told_at_ms: Option<u64>,
    /// Refused since the last message.
    untold: u64,
}

impl RefusedInput {
    /// Counts one refused line of `kind`; the log line to write now, if
    /// this kind was not told of in the last minute.
    pub fn note(&mut self, kind: &str, reason: &str, now_ms: u64) -> Option<String> {
        self.total += 1;
        let k = match self.kinds.get_mut(kind) {
            Some(k) => k,
            None => self.kinds.entry(kind.to_owned()).or_default(),
        };
        if k.told_at_ms
            .is_some_and(|t| now_ms.saturating_sub(t) < REFUSED_EVERY_MS)
        {
            k.untold += 1;
            return None;
        }
        let more = match k.untold {
            0 => String::new(),
            n => format!(" ({n} more refused since the last message)"),
        };
        k.told_at_ms = Some(now_ms);
        k.untold = 0;
        Some(format!(
            "malformed {kind} refused, state unchanged: {reason}{more}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_a_minute_per_kind_with_a_count() {
        let mut r = RefusedInput::default();
        let first = r.note("CIRC event", "CircuitID \"x\" is not an ID", 1_000);
        assert_eq!(
            first.as_deref(),
            Some("malformed CIRC event refused, state unchanged: CircuitID \"x\" is not an ID")
        );
        assert_eq!(r.note("CIRC event", "again", 2_000), None);
        assert_eq!(r.note("CIRC event", "again", 60_999), None);
        assert!(r.note("ORCONN event", "other kind", 3_000).is_some());
        let later = r.note("CIRC event", "later", 61_000).unwrap();
        assert!(
            later.ends_with("later (2 more refused since the last message)"),
            "{later}"
        );
        assert_eq!(r.total, 5);
    }
}
