//! A recording played back: its stand-in for tor answers the control
//! connection, and what was read of tor's machine is answered as of where
//! the session is — each sample once, in the recorded order.

use super::{Clock, Host, NotReplay, Scanned, SocketAsk, TimedScan, TorLog};
use crate::control::{ConnectError, Connection, Target};
use crate::replay::{Item, Player, Sample};
use rnyx_model::{ControllerState, ReplayControl, SystemInfo, Torrc};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// A recording's samples of one kind, in time order (ms since the start).
type Kind<T> = Vec<(u64, T)>;

#[derive(Debug, Default)]
struct Samples {
    system: Kind<SystemInfo>,
    sockets: Kind<Scanned>,
    torrc: Kind<Torrc>,
    cert: Kind<Option<u64>>,
    metrics: Kind<Result<String, String>>,
    children: Kind<Option<Vec<(String, u32)>>>,
    log: Option<TorLog>,
}

/// How many samples of each kind the session has been given.
#[derive(Debug, Default, Clone, Copy)]
struct Given {
    system: usize,
    sockets: usize,
    torrc: usize,
    metrics: usize,
}

#[derive(Debug)]
pub struct Replay {
    player: Arc<Player>,
    samples: Samples,
    given: Mutex<Given>,
}

impl Replay {
    pub fn new(player: Arc<Player>) -> Self {
        let mut samples = Samples::default();
        for (t, item) in &player.script().timeline {
            let Item::Sample(sample) = item else { continue };
            let t = *t;
            match sample.clone() {
                Sample::System(i) => samples.system.push((t, i)),
                Sample::Sockets(s) => samples.sockets.push((t, s)),
                Sample::Torrc(r) => samples.torrc.push((t, r)),
                Sample::Cert(c) => samples.cert.push((t, c)),
                Sample::Metrics(m) => samples.metrics.push((t, m)),
                Sample::Children(c) => samples.children.push((t, c)),
                Sample::Tail(l) => {
                    samples.log.get_or_insert(l);
                }
                Sample::Log(entries) => {
                    samples.log.get_or_insert(TorLog::Entries { entries });
                }
            }
        }
        Self {
            player,
            samples,
            given: Mutex::default(),
        }
    }

    fn given(&self) -> std::sync::MutexGuard<'_, Given> {
        self.given.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many of `kind` are due where the session is.
    fn due<T>(&self, kind: &Kind<T>) -> usize {
        let reached = self.player.clock.reached();
        kind.partition_point(|(t, _)| *t <= reached)
    }

    /// Those of `kind` due and not given yet, marked given, with their
    /// times (ms since the start).
    fn take<T: Clone>(
        &self,
        kind: &Kind<T>,
        given: impl Fn(&mut Given) -> &mut usize,
    ) -> Vec<(u64, T)> {
        let due = self.due(kind);
        let mut g = self.given();
        let from = std::mem::replace(given(&mut g), due).min(due);
        kind[from..due].to_vec()
    }
}

#[async_trait::async_trait]
impl Host for Replay {
    fn clock(&self) -> Clock {
        Clock::Replay(Arc::clone(&self.player.clock))
    }

    async fn connect_wrapped(
        &self,
        _targets: &[Target],
        _password: Option<&str>,
        _wrap: Option<super::Wrap>,
    ) -> Result<Connection, ConnectError> {
        // A new session plays from the start.
        *self.given() = Given::default();
        Ok(self.player.connect(true))
    }

    async fn connect_interpreter(
        &self,
        _targets: &[Target],
        _password: Option<&str>,
    ) -> Result<Connection, ConnectError> {
        Ok(self.player.connect(false))
    }

    fn process(&self, _pid: Option<u32>) -> Vec<SystemInfo> {
        let taken = self.take(&self.samples.system, |g| &mut g.system);
        taken.into_iter().map(|(_, info)| info).collect()
    }

    async fn sockets(&self, _ask: SocketAsk) -> Vec<TimedScan> {
        // Each at the time it was made: connections are dated by it.
        let started = self.player.clock.started_ms();
        self.take(&self.samples.sockets, |g| &mut g.sockets)
            .into_iter()
            .map(|(t, scan)| (Some((started + t) / 1000), scan))
            .collect()
    }

    async fn metrics(&self, _at: &str) -> Vec<super::metrics::Metered> {
        // Each at the time it was read: rates are reckoned from it.
        let started = self.player.clock.started_ms();
        self.take(&self.samples.metrics, |g| &mut g.metrics)
            .into_iter()
            .map(|(t, m)| (Some(started + t), m))
            .collect()
    }

    async fn torrc(&self, _path: Option<String>, _pid: Option<u32>, _now: u64) -> Option<Torrc> {
        self.take(&self.samples.torrc, |g| &mut g.torrc)
            .pop()
            .map(|(_, torrc)| torrc)
    }

    async fn cert(&self, _keys: PathBuf) -> Option<u64> {
        // Read just after tor's facts, which the session is given first.
        let due = self.due(&self.samples.cert).max(1);
        self.samples.cert.get(due - 1).and_then(|(_, c)| *c)
    }

    fn children(&self, _pid: u32) -> Option<Vec<(String, u32)>> {
        // The last read by where the session is (read with the facts).
        let due = self.due(&self.samples.children).max(1);
        self.samples
            .children
            .get(due - 1)
            .and_then(|(_, c)| c.clone())
    }

    async fn tor_log(&self, path: String, _pid: Option<u32>, _max_lines: usize) -> TorLog {
        self.samples.log.clone().unwrap_or(TorLog::Unreadable {
            path,
            why: "the recording holds none of it".into(),
        })
    }

    fn pending(&self) -> bool {
        let g = *self.given();
        g.system < self.due(&self.samples.system)
            || g.sockets < self.due(&self.samples.sockets)
            || g.torrc < self.due(&self.samples.torrc)
    }

    fn caught_up(&self) -> Option<bool> {
        Some(self.player.clock.caught_up())
    }

    fn session_start(&self, s: &mut ControllerState) -> bool {
        let mut fresh = ControllerState::new(s.session.limits);
        fresh.facts.manual = s.facts.manual.take();
        fresh.logs.logged_events = std::mem::take(&mut s.logs.logged_events);
        fresh.session.replay = Some(self.player.clock.status(&self.player.name));
        *s = fresh;
        true
    }

    fn log_lines(&self, _wanted: usize) -> usize {
        usize::from(self.samples.log.is_some())
    }

    fn control(&self, s: &mut ControllerState, control: ReplayControl) -> Result<bool, NotReplay> {
        let back = self.player.clock.control(control);
        s.session.replay = Some(self.player.clock.status(&self.player.name));
        Ok(back)
    }
}
