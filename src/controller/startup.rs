//! What only the first connection does: fill the log from tor's own log
//! file, then log the configuration's warnings after those older entries.

use super::{logfile, rnyx_log, SharedState};
use crate::control::Client;
use rnyx_model::EventSelection;
use rnyx_model::{LogEntry, LogSource, Runlevel};

/// What only the first connection does: read tor's log file, then tell the
/// operator what the configuration dropped.
#[derive(Debug, Default, Clone)]
pub(super) struct Startup {
    pub(super) prepopulate: usize,
    pub(super) warnings: Vec<String>,
    pub(super) notices: Vec<String>,
    /// Where tor's log file is read.
    pub(super) host: Option<crate::host::SharedHost>,
}

use crate::host::{Entries, TorLog};

impl Startup {
    pub(super) async fn carry_out(
        self,
        client: &Client,
        state: &SharedState,
        wanted: &EventSelection,
        offset: i32,
    ) {
        if let (true, Some(host)) = (self.prepopulate > 0, &self.host) {
            let entries =
                prepopulate_log(client, state, host, wanted, (self.prepopulate, offset)).await;
            state.update(|s| {
                for (t, source, message) in entries {
                    s.push_log(LogEntry::new(t, source, message));
                }
            });
        }
        if !self.warnings.is_empty() || !self.notices.is_empty() {
            state.update(|s| {
                for w in self.warnings {
                    rnyx_log(s, Runlevel::Warn, w);
                }
                for n in self.notices {
                    rnyx_log(s, Runlevel::Notice, n);
                }
            });
        }
    }
}

/// The end of tor's own log file (found with `GETCONF Log`), in the
/// runlevels the operator chose, to fill the log with; or rnyx's entry
/// saying why there is nothing to read.
async fn prepopulate_log(
    client: &Client,
    state: &SharedState,
    host: &crate::host::SharedHost,
    wanted: &EventSelection,
    (max_lines, utc_offset): (usize, i32),
) -> Entries {
    let levels: Vec<Runlevel> = Runlevel::ALL
        .into_iter()
        .filter(|l| wanted.shows_tor(*l))
        .collect();
    if levels.is_empty() {
        return Vec::new();
    }
    let values = client.getconf("Log").await.unwrap_or_default();
    let rnyx = |level, message: String| (state.now_ms(), LogSource::Rnyx(level), message);
    let Some((_, raw)) = logfile::tor_log_file(&values) else {
        return vec![rnyx(
            Runlevel::Info,
            "tor logs to no file (GETCONF Log); the log starts empty".to_owned(),
        )];
    };
    let pid = state.read(|s| s.facts.relay.pid);
    let now = state.now_ms();
    match host.tor_log(raw, pid, max_lines).await {
        TorLog::Lines { path, lines } => {
            let mut entries: Entries = lines
                .iter()
                .filter_map(|l| logfile::parse_tor_log_line(l, now, utc_offset))
                .filter(|e| matches!(e.source, LogSource::Tor(l) if levels.contains(&l)))
                .map(|e| (e.time_ms, e.source, e.message))
                .collect();
            let n = entries.len();
            entries.push(rnyx(
                Runlevel::Info,
                format!("read {n} entries from tor's log {path}"),
            ));
            entries
        }
        TorLog::Unreadable { path, why } => vec![rnyx(
            Runlevel::Notice,
            format!("cannot read tor's log {path} to fill the log: {why}"),
        )],
        // Read by an older rnyx, as it was then.
        TorLog::Entries { entries } => entries,
    }
}
