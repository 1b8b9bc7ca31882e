//! Graph history across restarts: for each relay (by fingerprint, or by
//! control target for a client-only tor) the graphs' intervals of 5 s and
//! longer, written to `$XDG_STATE_HOME/rnyx/graphs/<key>.json` every
//! minute and when rnyx stops, read back at the next start. Written
//! atomically (a temporary file renamed over the old), owner-only. A file
//! that cannot be read is set aside with a note, never a crash.

use rnyx_model::{ControllerState, SeriesHistory};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

const FORMAT: &str = "rnyx-graphs";
const VERSION: u32 = 1;
/// A file larger than this is not one of ours.
const MAX_FILE: u64 = 8 * 1024 * 1024;

/// What is kept for one relay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub format: String,
    pub version: u32,
    /// The relay's fingerprint, or the control target.
    pub key: String,
    /// Unix seconds of the last second the graphs hold.
    pub saved_at: u64,
    pub bandwidth: SeriesHistory,
    pub connections: SeriesHistory,
    pub resources: SeriesHistory,
    /// The relay in each consensus (an older file has none).
    #[serde(default)]
    pub standing: rnyx_model::load::Standing,
}

impl Saved {
    pub fn of(state: &ControllerState, key: &str, now: u64) -> Self {
        Saved {
            format: FORMAT.into(),
            version: VERSION,
            key: key.to_owned(),
            saved_at: now,
            bandwidth: state.traffic.bandwidth_graph.history(),
            connections: state.traffic.connections_graph.history(),
            resources: state.traffic.resources_graph.history(),
            standing: state.load.standing.clone(),
        }
    }

    /// Puts the graphs back into `state`.
    pub fn restore(&self, state: &mut ControllerState) {
        state.traffic.bandwidth_graph.restore(&self.bandwidth);
        state.traffic.connections_graph.restore(&self.connections);
        state.traffic.resources_graph.restore(&self.resources);
        // Kept while rnyx runs: the file's only at the start.
        if state.load.standing.marks.is_empty() {
            state.load.standing = self.standing.clone();
        }
    }
}

/// `$XDG_STATE_HOME/rnyx/graphs`, else `~/.local/state/rnyx/graphs`.
pub fn default_dir() -> Option<PathBuf> {
    crate::local::state_dir().map(|d| d.join("graphs"))
}

/// The key of a relay: its fingerprint, else the control target.
pub fn key(state: &ControllerState) -> Option<String> {
    state
        .facts
        .relay
        .fingerprint
        .clone()
        .or_else(|| state.session.connection.target.clone())
}

/// The file of `key` in `dir` (any character but letters, digits, `-`
/// and `.` becomes `_`).
pub fn path(dir: &Path, key: &str) -> PathBuf {
    let name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{name}.json"))
}

/// Writes `saved` atomically, owner-only, creating `dir` (owner-only).
pub fn save(dir: &Path, saved: &Saved) -> Result<PathBuf, String> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let target = path(dir, &saved.key);
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(|e| e.to_string())?;
    let written = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        serde_json::to_writer(&mut w, saved)?;
        w.flush()?;
        drop(w);
        tmp.as_file().sync_all()
    })();
    // On a full disk the file that was there stays as it was.
    written.map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    tmp.persist(&target)
        .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    Ok(target)
}

/// What reading a relay's file found.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    None,
    Found(Saved),
    /// Unreadable or foreign: moved to the path given, and why.
    SetAside {
        why: String,
        moved_to: PathBuf,
    },
}

/// Reads the file of `key` in `dir`; one that cannot be used is renamed
/// aside (`….bad-<unix seconds>`).
pub fn load(dir: &Path, key: &str, now: u64) -> Loaded {
    let file = path(dir, key);
    let why = match read(&file, key) {
        Ok(Some(saved)) => return Loaded::Found(saved),
        Ok(None) => return Loaded::None,
        Err(why) => why,
    };
    let moved_to = file.with_extension(format!("json.bad-{now}"));
    let _ = std::fs::rename(&file, &moved_to);
    Loaded::SetAside { why, moved_to }
}

/// The graphs kept for `key` in `dir`, if there is a usable file; nothing
/// is moved.
pub fn read_only(dir: &Path, key: &str) -> Option<Saved> {
    read(&path(dir, key), key).ok().flatten()
}

fn read(file: &Path, key: &str) -> Result<Option<Saved>, String> {
    let meta = match std::fs::metadata(file) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    if meta.len() > MAX_FILE {
        return Err(format!(
            "{} bytes, more than a graph history holds",
            meta.len()
        ));
    }
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    parse(&text, key).map(Some)
}

/// A graph history file's text, kept for `key`; why not, else.
pub fn parse(text: &str, key: &str) -> Result<Saved, String> {
    let saved: Saved =
        serde_json::from_str(text).map_err(|e| format!("not a graph history: {e}"))?;
    if saved.format != FORMAT || saved.version != VERSION {
        return Err(format!(
            "format {} version {}, not {FORMAT} {VERSION}",
            saved.format, saved.version
        ));
    }
    if saved.key != key {
        return Err(format!("kept for {}, not {key}", saved.key));
    }
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ControllerState {
        let mut s = ControllerState::default();
        for i in 0..600 {
            s.traffic
                .bandwidth_graph
                .push(f64::from(i), 2.0 * f64::from(i));
        }
        s
    }

    #[test]
    fn saved_atomically_owner_only_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("rnyx/graphs");
        let s = state();
        let saved = Saved::of(&s, "ABCDEF0123456789ABCDEF0123456789ABCDEF01", 1000);
        let file = save(&dir, &saved).unwrap();
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        // Nothing else left in the directory (the temporary file is gone).
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let Loaded::Found(back) = load(&dir, &saved.key, 2000) else {
            panic!("not read back")
        };
        assert_eq!(back, saved);
        let mut fresh = ControllerState::default();
        back.restore(&mut fresh);
        assert_eq!(
            fresh
                .traffic
                .bandwidth_graph
                .columns(rnyx_model::Interval::Minutely),
            s.traffic
                .bandwidth_graph
                .columns(rnyx_model::Interval::Minutely)
        );
        // A full day of five-second columns and more stays well under 1 MB.
        assert!(std::fs::metadata(&file).unwrap().len() < 1 << 20);
        assert_eq!(load(&dir, "someone else", 1), Loaded::None);
    }

    #[test]
    fn a_corrupt_or_foreign_file_is_set_aside() {
        let d = tempfile::tempdir().unwrap();
        let file = path(d.path(), "unix:/run/tor/control");
        assert!(file.ends_with("unix__run_tor_control.json"));
        std::fs::write(&file, "{ not json").unwrap();
        let Loaded::SetAside { why, moved_to } = load(d.path(), "unix:/run/tor/control", 77) else {
            panic!()
        };
        assert!(why.starts_with("not a graph history"), "{why}");
        assert!(moved_to.to_string_lossy().ends_with(".json.bad-77"));
        assert!(moved_to.exists() && !file.exists());
        // Another relay's file under this key's name.
        let saved = Saved::of(&state(), "other", 1);
        std::fs::write(&file, serde_json::to_string(&saved).unwrap()).unwrap();
        let Loaded::SetAside { why, .. } = load(d.path(), "unix:/run/tor/control", 78) else {
            panic!()
        };
        assert_eq!(why, "kept for other, not unix:/run/tor/control");
    }
}
