//! tor's signals (control-spec `SIGNAL`, and the `SIGNAL` event).

/// A signal tor takes (`SIGNAL` command) or reports (`650 SIGNAL`). A word
/// this rnyx does not name (a newer tor's, or one the operator typed) is
/// kept as written; the command writer still refuses one that is not a
/// single word.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Signal {
    /// Reread the torrc (`RELOAD`, also `HUP`).
    Reload,
    /// Shut down cleanly (`SHUTDOWN`, also `INT`).
    Shutdown,
    /// Dump statistics to the log (`DUMP`, also `USR1`).
    Dump,
    /// Switch all logs to debug (`DEBUG`, also `USR2`).
    Debug,
    /// Exit at once (`HALT`, also `TERM`).
    Halt,
    ClearDnsCache,
    /// New circuits for new streams.
    Newnym,
    Heartbeat,
    Dormant,
    Active,
    /// Any other word, as written.
    Other(String),
}

const WORDS: [(Signal, &str); 10] = [
    (Signal::Reload, "RELOAD"),
    (Signal::Shutdown, "SHUTDOWN"),
    (Signal::Dump, "DUMP"),
    (Signal::Debug, "DEBUG"),
    (Signal::Halt, "HALT"),
    (Signal::ClearDnsCache, "CLEARDNSCACHE"),
    (Signal::Newnym, "NEWNYM"),
    (Signal::Heartbeat, "HEARTBEAT"),
    (Signal::Dormant, "DORMANT"),
    (Signal::Active, "ACTIVE"),
];

impl Signal {
    /// The signal a word names: tor's keywords, and the Unix names tor
    /// takes for five of them (`HUP` is `RELOAD`).
    pub fn of(word: &str) -> Self {
        let word = match word {
            "HUP" => "RELOAD",
            "INT" => "SHUTDOWN",
            "USR1" => "DUMP",
            "USR2" => "DEBUG",
            "TERM" => "HALT",
            w => w,
        };
        WORDS
            .iter()
            .find(|(_, w)| *w == word)
            .map_or_else(|| Signal::Other(word.to_owned()), |(s, _)| s.clone())
    }

    /// tor's keyword for it.
    pub fn as_str(&self) -> &str {
        match self {
            Signal::Other(word) => word,
            known => WORDS
                .iter()
                .find(|(s, _)| s == known)
                .map_or("", |(_, w)| w),
        }
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_unix_names_read_and_others_are_kept() {
        for (s, w) in WORDS {
            assert_eq!(Signal::of(w), s);
            assert_eq!(s.to_string(), w);
        }
        assert_eq!(Signal::of("HUP"), Signal::Reload);
        assert_eq!(Signal::of("TERM"), Signal::Halt);
        assert_eq!(Signal::of("REBIND"), Signal::Other("REBIND".into()));
        assert_eq!(Signal::of("REBIND").as_str(), "REBIND");
    }
}
