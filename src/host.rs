//! The host seam: where a relay's controller task meets the world — the
//! clock, connecting to tor, and what is read of tor's machine (`/proc`
//! samples, socket scans, the torrc, tor's log file). Three hosts: this
//! machine (live); this machine with everything read also written to a
//! recording (`rnyx record`); and a recording played back (`rnyx replay`),
//! whose clock is the recording's and whose tor is a stand-in answering
//! from it. The controller task asks its host and never which one it is.

use crate::control::target::connect_through;
use crate::control::{ConnectError, Connection, Target};
use crate::procfs::ProcSampler;
use crate::record::Recorder;
use crate::replay::Player;
use rnyx_grammar::model::{ControllerState, ReplayControl, SystemInfo, Torrc};
use std::sync::{Arc, Mutex};

pub use crate::local::system_ms;
pub use crate::record::{Sample, Timed};
use tokio::sync::mpsc;

/// The time a relay's task and screen go by: this machine's, or a
/// replay's.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    #[default]
    System,
    Replay(Arc<crate::replay::Clock>),
}

impl Clock {
    /// Unix milliseconds now: in a replay, when what the monitor was last
    /// given happened.
    pub fn now_ms(&self) -> u64 {
        match self {
            Clock::System => system_ms(),
            Clock::Replay(c) => c.now_ms(),
        }
    }

    pub fn now_secs(&self) -> u64 {
        self.now_ms() / 1000
    }

    /// Unix seconds the screen shows: in a replay, where its clock is (it
    /// runs on between the things played).
    pub fn shown_secs(&self) -> u64 {
        match self {
            Clock::System => self.now_secs(),
            Clock::Replay(c) => c.position_ms() / 1000,
        }
    }
}

/// Where a controller task's tor is, and how what is read of it is kept.
#[derive(Debug, Clone, Default)]
pub struct Host {
    kind: Kind,
}

#[derive(Debug, Clone, Default)]
enum Kind {
    #[default]
    Live,
    /// Live, everything read written to the recording too; the last socket
    /// scan written (only changes are).
    Recording(Recorder, Arc<Mutex<String>>),
    Replay(Arc<Player>),
}

/// Why a replay request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotReplay;

impl Host {
    /// This machine's tor.
    pub fn live() -> Self {
        Self { kind: Kind::Live }
    }

    /// This machine's tor, everything read also written to `recorder`.
    pub fn recording(recorder: Recorder) -> Self {
        Self {
            kind: Kind::Recording(recorder, Arc::default()),
        }
    }

    /// A recording's stand-in for tor, on the recording's clock.
    pub fn replay(player: Arc<Player>) -> Self {
        Self {
            kind: Kind::Replay(player),
        }
    }

    /// The time this host goes by.
    pub fn clock(&self) -> Clock {
        match &self.kind {
            Kind::Replay(p) => Clock::Replay(Arc::clone(&p.clock)),
            _ => Clock::System,
        }
    }

    /// Unix milliseconds now, by [`Host::clock`].
    pub fn now_ms(&self) -> u64 {
        self.clock().now_ms()
    }

    pub fn now_secs(&self) -> u64 {
        self.now_ms() / 1000
    }

    /// A new connection to tor (a replay's: its events from the start).
    pub async fn connect(
        &self,
        targets: &[Target],
        password: Option<&str>,
    ) -> Result<Connection, ConnectError> {
        match &self.kind {
            Kind::Replay(p) => Ok(p.connect(true)),
            Kind::Recording(r, _) => {
                connect_through(targets, password, |s| Box::new(r.tap(s))).await
            }
            Kind::Live => crate::control::connect(targets, password).await,
        }
    }

    /// A connection for the interpreter: never recorded; in a replay, one
    /// that gets answers and no events.
    pub async fn connect_interpreter(
        &self,
        targets: &[Target],
        password: Option<&str>,
    ) -> Result<Connection, String> {
        match &self.kind {
            Kind::Replay(p) => Ok(p.connect(false)),
            _ => crate::control::connect(targets, password)
                .await
                .map_err(|e| e.to_string()),
        }
    }

    /// The recording what is read goes to, if any.
    fn recorder(&self) -> Option<&Recorder> {
        match &self.kind {
            Kind::Recording(r, _) => Some(r),
            _ => None,
        }
    }

    /// What went wrong with what the host writes (a recording on a full
    /// disk), once.
    pub fn trouble(&self) -> Option<String> {
        self.recorder()?.failure()
    }

    /// Whether tor runs on this machine, so its `/proc`, sockets and files
    /// are read here; a replay's come recorded, at their times.
    pub fn tor_is_here(&self) -> bool {
        !matches!(self.kind, Kind::Replay(_))
    }

    /// Whether the host has given the task everything due by its clock:
    /// a replay's stand-in, everything up to the clock's position; a live
    /// tor's events come as they come.
    pub fn caught_up(&self) -> bool {
        match &self.kind {
            Kind::Replay(p) => p.clock.caught_up(),
            _ => true,
        }
    }

    /// Lines of tor's log file to read at the first connection: a replay's
    /// come from the recording.
    pub fn prepopulate(&self, lines: usize) -> usize {
        if self.tor_is_here() {
            lines
        } else {
            0
        }
    }

    /// A `/proc` sample of tor (`pid`) and rnyx, kept in a recording; none
    /// where tor is not here.
    pub fn system(&self, sampler: &mut ProcSampler, pid: Option<u32>) -> Option<SystemInfo> {
        if !self.tor_is_here() {
            return None;
        }
        let info = sampler.sample(pid);
        if let Some(r) = self.recorder() {
            r.sample(crate::record::SYSTEM, &info);
        }
        Some(info)
    }

    /// How the connection was made, for a recording.
    pub fn note_connected(&self, target: &Target, method: crate::control::AuthMethod) {
        if let Some(r) = self.recorder() {
            r.sample(
                crate::record::CONNECTED,
                &crate::record::Connected {
                    target: target.to_string(),
                    method: method.as_str().to_owned(),
                },
            );
        }
    }

    /// When a batch of events was applied (unix ms), for a recording.
    pub fn note_applied(&self, now: u64) {
        if let Some(r) = self.recorder() {
            r.sample(crate::record::APPLIED, &now);
        }
    }

    /// tor's torrc as read, its passwords left out, for a recording.
    pub fn note_torrc(&self, torrc: &Torrc) {
        if let Some(r) = self.recorder() {
            r.sample(crate::record::TORRC, &crate::record::redact_torrc(torrc));
        }
    }

    /// Entries read from tor's log file at the start, for a recording.
    pub fn note_log(&self, entries: &crate::record::Entries) {
        if let Some(r) = self.recorder() {
            r.sample(crate::record::LOG, entries);
        }
    }

    /// A scan of tor's sockets, for a recording when it differs from the
    /// last.
    pub fn note_sockets(&self, scan: &impl serde::Serialize) {
        if let Kind::Recording(r, last) = &self.kind {
            let json = serde_json::to_string(scan).unwrap_or_default();
            let mut last = last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if json != *last {
                r.sample(crate::record::SOCKETS, scan);
                *last = json;
            }
        }
    }

    /// A new session's state: a replay starts from a fresh state (seeking
    /// back plays the recording again up to the position), keeping tor's
    /// manual and the operator's choices; live, the state goes on.
    pub fn session_start(&self, s: &mut ControllerState) {
        if let Kind::Replay(p) = &self.kind {
            let mut fresh = ControllerState::new(s.limits);
            fresh.manual = s.manual.take();
            fresh.logged_events = std::mem::take(&mut s.logged_events);
            fresh.replay = Some(p.clock.status(&p.name));
            *s = fresh;
        }
    }

    /// What was read of tor's machine besides the control connection, at
    /// the recorded times (a replay's, for the session just connected).
    pub fn samples(&self) -> Option<mpsc::UnboundedReceiver<Timed>> {
        match &self.kind {
            Kind::Replay(p) => p.take_samples(),
            _ => None,
        }
    }

    /// Pauses, seeks or changes the speed of a replay, and says so in the
    /// state. `Ok(true)` when it went back (the session starts again).
    pub fn control(
        &self,
        s: &mut ControllerState,
        control: ReplayControl,
    ) -> Result<bool, NotReplay> {
        let Kind::Replay(p) = &self.kind else {
            return Err(NotReplay);
        };
        let back = p.clock.control(control);
        s.replay = Some(p.clock.status(&p.name));
        Ok(back)
    }
}
