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

/// Where the monitor writes its UI loop's counters when it ends
/// (`RNYX_LOOP_STATS`): frames drawn and the time they took, for the
/// firehose benchmark.
pub fn loop_stats_file() -> Option<PathBuf> {
    std::env::var_os("RNYX_LOOP_STATS").map(PathBuf::from)
}

/// rnyx's state directory: systemd's `$STATE_DIRECTORY` (the unit's
/// `StateDirectory=`, the first when several), else
/// `$XDG_STATE_HOME/rnyx`, else `~/.local/state/rnyx`.
pub fn state_dir() -> Option<PathBuf> {
    let systemd = std::env::var_os("STATE_DIRECTORY")
        .and_then(|v| std::env::split_paths(&v).next())
        .filter(|p| p.is_absolute());
    if systemd.is_some() {
        return systemd;
    }
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

/// What the terminal can show, by the environment's conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalEnv {
    /// Colours, unless `NO_COLOR` is set and not empty (no-color.org).
    pub color: bool,
    /// Characters beyond ASCII, unless the locale (`LC_ALL`, else
    /// `LC_CTYPE`, else `LANG`: the first set) names another character set
    /// than UTF-8 (`C`, `POSIX`, `en_US.ISO-8859-1`). None set: UTF-8, as
    /// terminals are today.
    pub unicode: bool,
    /// `TERM=dumb`: a terminal that cannot place the cursor.
    pub dumb: bool,
}

impl TerminalEnv {
    /// From this process's environment.
    pub fn here() -> Self {
        Self::of(|k| std::env::var(k).ok())
    }

    /// From the variables `var` gives.
    pub fn of(var: impl Fn(&str) -> Option<String>) -> Self {
        let set = |k: &str| var(k).filter(|v| !v.is_empty());
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].into_iter().find_map(set);
        let unicode = locale.is_none_or(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("utf-8") || l.contains("utf8")
        });
        TerminalEnv {
            color: set("NO_COLOR").is_none(),
            unicode,
            dumb: var("TERM").as_deref() == Some("dumb"),
        }
    }
}

/// `~/x` → `$HOME/x`; other paths as they are.
pub fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_owned(),
    }
}

/// The name `passwd` or `group` gives an id, else the id.
pub fn name_of(file: &str, id: u32) -> String {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                let n: u32 = f.nth(1)?.parse().ok()?;
                (n == id).then(|| name.to_owned())
            })
        })
        .unwrap_or_else(|| id.to_string())
}

#[cfg(test)]
mod terminal_tests {
    use super::TerminalEnv;

    fn env(vars: &[(&str, &str)]) -> TerminalEnv {
        TerminalEnv::of(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn colour_locale_and_term_as_the_environment_says() {
        let plain = env(&[]);
        assert!(plain.color && plain.unicode && !plain.dumb);
        assert!(!env(&[("NO_COLOR", "1")]).color);
        assert!(env(&[("NO_COLOR", "")]).color, "empty: not set");
        assert!(!env(&[("LANG", "C")]).unicode);
        assert!(!env(&[("LANG", "en_US.ISO-8859-1")]).unicode);
        assert!(env(&[("LANG", "C.UTF-8")]).unicode);
        assert!(env(&[("LANG", "de_DE.utf8")]).unicode);
        // LC_ALL first, then LC_CTYPE, then LANG; empty ones skipped.
        assert!(!env(&[("LC_ALL", "POSIX"), ("LANG", "en_US.UTF-8")]).unicode);
        assert!(env(&[("LC_ALL", ""), ("LC_CTYPE", "C.UTF-8"), ("LANG", "C")]).unicode);
        assert!(env(&[("TERM", "dumb")]).dumb);
        assert!(!env(&[("TERM", "xterm-256color")]).dumb);
    }
}
