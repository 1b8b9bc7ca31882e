//! What is still to be delivered, channel by channel, and the alerts told:
//! one file in the state directory (owner-only, replaced whole), so that
//! a receiver down or rnyx restarted loses nothing and says nothing twice.
//! Bounded: a channel keeps its last [`MAX_QUEUED`] messages.

use super::message::Message;
use super::track::Told;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

/// Messages a channel keeps waiting at most; older ones are dropped (and
/// said in the log). With the group window (30 s) that is hours of
/// changes every window.
pub const MAX_QUEUED: usize = 500;

/// A message waiting for its channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    pub message: Message,
    /// Deliveries tried and failed.
    pub attempts: u32,
    /// Not tried again before this Unix second.
    pub next_at: u64,
}

/// The file's content.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Kept {
    version: u32,
    told: Vec<Told>,
    queues: BTreeMap<String, VecDeque<Queued>>,
}

const VERSION: u32 = 1;

/// The queues and the alerts told, with the file they are kept in.
#[derive(Debug, Default)]
pub struct Outbox {
    path: Option<PathBuf>,
    kept: Kept,
}

impl Outbox {
    /// The outbox kept at `path` (none yet: empty). A file that cannot be
    /// read is set aside (renamed `.broken`), said in the returned
    /// warning, and rnyx starts afresh.
    pub fn open(path: Option<PathBuf>) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let mut kept = Kept {
            version: VERSION,
            ..Kept::default()
        };
        if let Some(p) = &path {
            match std::fs::read_to_string(p) {
                Ok(text) => match serde_json::from_str::<Kept>(&text) {
                    Ok(k) if k.version == VERSION => kept = k,
                    other => {
                        let why = match other {
                            Err(e) => e.to_string(),
                            Ok(k) => format!("version {} is not {VERSION}", k.version),
                        };
                        let aside = p.with_extension("json.broken");
                        let _ = std::fs::rename(p, &aside);
                        warnings.push(format!(
                            "{}: cannot be read ({why}); set aside as {} and started afresh",
                            p.display(),
                            aside.display()
                        ));
                    }
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => warnings.push(format!("{}: cannot be read: {e}", p.display())),
            }
        }
        (Self { path, kept }, warnings)
    }

    /// The alerts told, as kept.
    pub fn told(&self) -> Vec<Told> {
        self.kept.told.clone()
    }

    pub fn set_told(&mut self, told: Vec<Told>) {
        self.kept.told = told;
    }

    /// Queues of channels no longer in nyxrc are dropped; how many
    /// messages each held.
    pub fn keep_channels(&mut self, ids: &[String]) -> Vec<(String, usize)> {
        let gone: Vec<String> = self
            .kept
            .queues
            .keys()
            .filter(|k| !ids.contains(k))
            .cloned()
            .collect();
        gone.into_iter()
            .filter_map(|k| {
                let q = self.kept.queues.remove(&k)?;
                (!q.is_empty()).then_some((k, q.len()))
            })
            .collect()
    }

    /// `m` queued for `channel`; the oldest dropped past [`MAX_QUEUED`],
    /// returned.
    pub fn push(&mut self, channel: &str, m: Message) -> Option<Queued> {
        let q = self.kept.queues.entry(channel.to_owned()).or_default();
        q.push_back(Queued {
            message: m,
            attempts: 0,
            next_at: 0,
        });
        (q.len() > MAX_QUEUED).then(|| q.pop_front()).flatten()
    }

    /// The message `channel` sends next.
    pub fn head(&self, channel: &str) -> Option<&Queued> {
        self.kept.queues.get(channel)?.front()
    }

    /// How many wait for `channel`.
    pub fn waiting(&self, channel: &str) -> usize {
        self.kept.queues.get(channel).map_or(0, VecDeque::len)
    }

    /// `id` is done with (delivered, or refused for good).
    pub fn done(&mut self, channel: &str, id: &str) {
        if let Some(q) = self.kept.queues.get_mut(channel) {
            q.retain(|m| m.message.id != id);
        }
    }

    /// `id` failed: tried again at `next_at`.
    pub fn failed(&mut self, channel: &str, id: &str, next_at: u64) -> u32 {
        let Some(m) = self
            .kept
            .queues
            .get_mut(channel)
            .and_then(|q| q.iter_mut().find(|m| m.message.id == id))
        else {
            return 0;
        };
        m.attempts += 1;
        m.next_at = next_at;
        m.attempts
    }

    /// Written whole, owner-only.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let text = serde_json::to_string(&self.kept).map_err(|e| e.to_string())?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        }
        crate::files::replace_file(path, &text, true)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// The file's size now, for the tests' bound.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::{Change, Event};
    use rnyx_model::health::Severity;

    fn message(i: u64) -> Message {
        Message::new(
            i,
            vec![Event {
                relay: "relay1".into(),
                host: None,
                kind: "tor_down".into(),
                change: if i.is_multiple_of(2) {
                    Change::Started
                } else {
                    Change::Over
                },
                severity: Severity::Critical,
                title: "tor is down".into(),
                detail: "connection refused".repeat(3),
                advice: "start tor (systemctl start tor@default) and read its log".into(),
                since: i,
                ended: None,
            }],
        )
    }

    #[test]
    fn kept_across_a_restart_owner_only_and_bounded() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/notify.json");
        let (mut o, w) = Outbox::open(Some(path.clone()));
        assert!(w.is_empty());
        let mut dropped = 0;
        for i in 0..1000 {
            dropped += usize::from(o.push("webhook-1", message(i)).is_some());
        }
        o.save().unwrap();
        assert_eq!(dropped, 1000 - MAX_QUEUED);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size < 600 * 1024, "{size} bytes");
        let first = o.head("webhook-1").unwrap().message.clone();
        assert_eq!(first.time, 500, "the oldest dropped");
        assert_eq!(o.failed("webhook-1", &first.id, 99), 1);
        o.save().unwrap();
        let (mut again, w) = Outbox::open(Some(path.clone()));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(again.waiting("webhook-1"), MAX_QUEUED);
        assert_eq!(again.head("webhook-1").unwrap().next_at, 99);
        again.done("webhook-1", &first.id);
        assert_eq!(again.head("webhook-1").unwrap().message.time, 501);
        assert_eq!(
            again.keep_channels(&["ntfy-2".into()]),
            [("webhook-1".into(), MAX_QUEUED - 1)]
        );
        // A broken file is set aside, not lost.
        std::fs::write(&path, "{ not json").unwrap();
        let (o, w) = Outbox::open(Some(path.clone()));
        assert_eq!(o.waiting("webhook-1"), 0);
        assert!(w[0].contains("set aside"), "{w:?}");
        assert!(dir.path().join("state/notify.json.broken").exists());
    }
}
