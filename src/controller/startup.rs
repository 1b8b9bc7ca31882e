//! What only the first connection does: fill the log from tor's own log
//! file, then log the configuration's warnings after those older entries.

use super::{logfile, rnyx_log, SharedState};
use crate::control::Client;
use rnyx_grammar::model::EventSelection;
use rnyx_grammar::model::{LogEntry, LogSource, Runlevel};

/// What only the first connection does: read tor's log file, then tell the
/// operator what the configuration dropped.
#[derive(Debug, Default)]
pub(super) struct Startup {
    pub(super) prepopulate: usize,
    pub(super) warnings: Vec<String>,
    pub(super) notices: Vec<String>,
    /// Where the entries read from tor's log are recorded (`rnyx record`).
    /// Keeps what was read of tor's log file (a recording).
    pub(super) host: crate::host::Host,
}

pub use crate::record::Entries;

impl Startup {
    pub(super) async fn carry_out(
        self,
        client: &Client,
        state: &SharedState,
        wanted: &EventSelection,
        offset: i32,
    ) {
        if self.prepopulate > 0 {
            let entries = prepopulate_log(client, state, wanted, self.prepopulate, offset).await;
            self.host.note_log(&entries);
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
    wanted: &EventSelection,
    max_lines: usize,
    utc_offset: i32,
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
    let pid = state.read(|s| s.relay.pid);
    let path = logfile::resolve_tor_path(&raw, pid, std::path::Path::new("/proc"));
    let read = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || logfile::read_tail(&path, max_lines)).await
    };
    let now = state.now_ms();
    match read {
        Ok(Ok(lines)) => {
            let mut entries: Entries = lines
                .iter()
                .filter_map(|l| logfile::parse_tor_log_line(l, now, utc_offset))
                .filter(|e| matches!(e.source, LogSource::Tor(l) if levels.contains(&l)))
                .map(|e| (e.time_ms, e.source, e.message))
                .collect();
            let n = entries.len();
            entries.push(rnyx(
                Runlevel::Info,
                format!("read {n} entries from tor's log {}", path.display()),
            ));
            entries
        }
        Ok(Err(e)) => vec![rnyx(
            Runlevel::Notice,
            format!(
                "cannot read tor's log {} to fill the log: {e}",
                path.display()
            ),
        )],
        Err(_) => Vec::new(),
    }
}
