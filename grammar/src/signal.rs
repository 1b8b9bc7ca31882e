//! tor's signals (control-spec `SIGNAL`, and the `SIGNAL` event).

rnyx_model::open_words! {
    /// A signal tor takes (`SIGNAL` command) or reports (`650 SIGNAL`). A
    /// word this rnyx does not name (a newer tor's) is kept as written; the
    /// command writer still refuses one that is not a single word.
    pub enum Signal {
        /// Reread the torrc.
        Reload = "RELOAD",
        /// Shut down cleanly.
        Shutdown = "SHUTDOWN",
        /// Dump statistics to the log.
        Dump = "DUMP",
        /// Switch all logs to debug.
        Debug = "DEBUG",
        /// Exit at once.
        Halt = "HALT",
        ClearDnsCache = "CLEARDNSCACHE",
        /// New circuits for new streams.
        Newnym = "NEWNYM",
        Heartbeat = "HEARTBEAT",
        Dormant = "DORMANT",
        Active = "ACTIVE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_read_and_others_are_kept() {
        for w in Signal::WORDS {
            assert_eq!(Signal::of(w).to_string(), *w);
        }
        assert_eq!(Signal::of("RELOAD"), Signal::Reload);
        assert_eq!(Signal::of("REBIND"), Signal::Other("REBIND".into()));
        assert_eq!(Signal::of("REBIND").as_str(), "REBIND");
    }
}
