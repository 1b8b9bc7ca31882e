//! The session's side of graph history (`crate::history`): the relay's
//! file read at connection (before tor's bandwidth cache fills the graph),
//! written every minute, at the session's end and when rnyx stops.

use super::facts::Facts;
use crate::control::Target;
use crate::history::{self, Loaded, Saved};
use rnyx_model::ControllerState;
use std::path::PathBuf;
use std::time::Duration;

/// How often the graphs are written while connected.
const EVERY: Duration = Duration::from_secs(60);

pub(super) struct Keeper {
    dir: Option<PathBuf>,
    /// False: the file is read, never written or set aside.
    writes: bool,
    /// The relay whose graphs these are.
    key: Option<String>,
    pub tick: tokio::time::Interval,
}

impl Keeper {
    /// `dir`: where graphs are kept (`None`: not kept); `writes`: false to
    /// only read them.
    pub fn new(dir: Option<PathBuf>, writes: bool) -> Self {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + EVERY, EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self {
            dir,
            writes,
            key: None,
            tick,
        }
    }

    /// Reads the kept graphs of the relay `facts` describes into `facts`;
    /// a note for the log when a file had to be set aside.
    pub async fn load(&mut self, facts: &mut Facts, target: &Target, now: u64) -> Option<String> {
        let dir = self.dir.clone()?;
        let key = facts
            .relay
            .fingerprint
            .clone()
            .unwrap_or_else(|| target.to_string());
        self.key = Some(key.clone());
        let writes = self.writes;
        let loaded = tokio::task::spawn_blocking(move || {
            if writes {
                history::load(&dir, &key, now)
            } else {
                history::read_only(&dir, &key).map_or(Loaded::None, Loaded::Found)
            }
        })
        .await
        .unwrap_or(Loaded::None);
        match loaded {
            Loaded::Found(saved) => {
                facts.history = Some(saved);
                None
            }
            Loaded::None => None,
            Loaded::SetAside { why, moved_to } => Some(format!(
                "graph history could not be used ({why}); set aside as {}",
                moved_to.display()
            )),
        }
    }

    /// Writes the graphs (off the controller loop); an error for the log.
    pub async fn save(&self, state: &super::SharedState) -> Option<String> {
        let (Some(dir), Some(key), true) = (self.dir.clone(), self.key.clone(), self.writes) else {
            return None;
        };
        let saved = state.read(|s: &ControllerState| Saved::of(s, &key, state.now_secs()));
        match tokio::task::spawn_blocking(move || history::save(&dir, &saved)).await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(format!("cannot keep the graph history: {e}")),
            Err(e) => Some(format!("cannot keep the graph history: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keeper that only reads leaves a file it cannot use where it is
    /// (one that writes sets it aside).
    #[tokio::test]
    async fn a_reading_keeper_moves_and_writes_nothing() {
        let d = tempfile::tempdir().unwrap();
        let target = Target::Unix("/run/tor/control".into());
        let file = history::path(d.path(), &target.to_string());
        std::fs::write(&file, "not a graph history").unwrap();
        let mut reader = Keeper::new(Some(d.path().to_owned()), false);
        let mut facts = Facts::default();
        assert_eq!(reader.load(&mut facts, &target, 7).await, None);
        assert!(facts.history.is_none());
        let state =
            super::super::SharedState::new(ControllerState::default(), crate::host::Clock::System);
        assert_eq!(reader.save(&state).await, None);
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "not a graph history"
        );
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
        let mut writer = Keeper::new(Some(d.path().to_owned()), true);
        let note = writer.load(&mut facts, &target, 7).await.unwrap();
        assert!(note.contains("set aside"), "{note}");
        assert!(!file.exists());
    }
}
