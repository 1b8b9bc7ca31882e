//! This machine as rnyx sees it for itself: its clock and time zone, the
//! home directory and rnyx's state directory. The lowest layer of `src/`:
//! it uses no other module of rnyx's.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Unix milliseconds of this machine's clock.
pub fn system_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Seconds east of UTC of the local time zone now.
pub fn utc_offset() -> i32 {
    chrono::Local::now().offset().local_minus_utc()
}

/// rnyx's state directory: `$XDG_STATE_HOME/rnyx`, else
/// `~/.local/state/rnyx`.
pub fn state_dir() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("rnyx"))
}

/// The interpreter's history file, in [`state_dir`].
pub fn history_path() -> Option<PathBuf> {
    state_dir().map(|d| d.join("history"))
}

/// `~/x` → `$HOME/x`; other paths as they are.
pub fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_owned(),
    }
}
