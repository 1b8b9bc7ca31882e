//! Whether tor still answers while connected, and whether a tor that went
//! away is back.
//!
//! tor sends a BW event every second, so a connection silent for
//! [`QUIET`] gets one probe (`GETINFO version`); silent for [`HUNG`] with
//! the probe unanswered, tor is not answering (stopped, swapped out, stuck):
//! the state says since when and tor's requests are refused with that
//! notice rather than left to time out, until anything arrives again.
//!
//! Away, tor's control socket and port are watched: a socket made anew
//! (another inode or change time) or a port that opens again is tried at once, so a
//! restarted tor is back on screen within a fraction of a second, whatever
//! the backoff had grown to.

use super::{rnyx_log, SharedState};
use crate::control::{Client, Target};
use crate::host::{Seen, SharedHost};
use rnyx_grammar::command::Command;
use rnyx_grammar::request::{Request, Response};
use rnyx_model::Runlevel;
use std::time::Duration;
use tokio::time::{interval, Interval, MissedTickBehavior};

/// Silence after which tor is probed.
const QUIET: Duration = Duration::from_millis(1500);
/// Silence, the probe unanswered, after which tor is not answering.
const HUNG: Duration = Duration::from_secs(3);
/// How often a connection's silence is looked at.
const CHECK: Duration = Duration::from_millis(500);
/// How often an absent tor's socket or port is looked at.
const WATCH: Duration = Duration::from_millis(100);
/// The wait before the next attempt when an attempt just after tor's
/// socket or port came back failed.
pub(super) const SOON: Duration = Duration::from_millis(100);

/// A connection's liveness: the check's timer and whether a probe is out.
pub(super) struct Liveness {
    pub tick: Interval,
    probing: bool,
    /// The state says tor is not answering.
    pub flagged: bool,
}

impl Liveness {
    pub fn new() -> Self {
        let mut tick = interval(CHECK);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            tick,
            probing: false,
            flagged: false,
        }
    }

    /// Probes a quiet tor once; says when it stops answering and when it
    /// answers again.
    pub fn check(&mut self, client: &Client, state: &SharedState) {
        let silent = client.silent_for();
        if silent < QUIET {
            self.probing = false;
            if std::mem::take(&mut self.flagged) {
                let heard = state
                    .read(|s| s.session.connection.silent_since)
                    .unwrap_or(0);
                state.update(|s| {
                    s.session.connection.silent_since = None;
                    let gap = (s.session.updated_ms / 1000).saturating_sub(heard);
                    rnyx_log(
                        s,
                        Runlevel::Notice,
                        format!("tor is answering again, after {gap} s of silence"),
                    );
                });
            }
            return;
        }
        if !self.probing {
            self.probing = true;
            let c = client.clone();
            tokio::spawn(async move {
                let _ = c.send(&Command::GetInfo(vec!["version".into()])).await;
            });
        }
        if silent >= HUNG && !self.flagged {
            self.flagged = true;
            let heard = state.now_secs().saturating_sub(silent.as_secs());
            state.update(|s| {
                s.session.connection.silent_since = Some(heard);
                rnyx_log(
                    s,
                    Runlevel::Warn,
                    format!(
                        "tor is not answering: nothing heard from it for {} s; \
                         its commands are refused until it answers",
                        silent.as_secs()
                    ),
                );
            });
        }
    }
}

/// The notice a request of tor's gets while tor is not answering; `None`
/// when it answers, or the request needs no tor (files).
pub(super) fn refusal(state: &SharedState, request: &Request) -> Option<Response> {
    // Files, and the session's own requests, need no tor.
    if !request.needs_tor() {
        return None;
    }
    let heard = state.read(|s| s.session.connection.silent_since)?;
    let silent = state.now_secs().saturating_sub(heard);
    Some(Response::Timeout(format!(
        "tor is not answering (nothing heard for {silent} s); not sent"
    )))
}

/// tor's socket and port as they were when it went away, looked at again
/// every [`WATCH`] while rnyx waits to reconnect.
pub(super) struct Comeback {
    host: SharedHost,
    targets: Vec<Target>,
    seen: Vec<Option<Seen>>,
    pub tick: Interval,
}

impl Comeback {
    /// Watches `targets` as `host` can look at them (none in a replay). A
    /// port is watched on loopback only: looking at another machine's ten
    /// times a second would look like a scan.
    pub async fn new(targets: &[Target], host: &SharedHost) -> Self {
        let targets: Vec<Target> = targets
            .iter()
            .filter(|t| !matches!(t, Target::Tcp(a) if !a.ip().is_loopback()))
            .cloned()
            .collect();
        let mut seen = Vec::with_capacity(targets.len());
        for t in &targets {
            seen.push(host.look(t).await);
        }
        let mut tick = interval(WATCH);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            host: host.clone(),
            targets,
            seen,
            tick,
        }
    }

    /// The host it looks through.
    pub fn host(&self) -> &SharedHost {
        &self.host
    }

    /// Whether a socket was made anew or a port opened since the last look.
    /// A port already open (tor there, but refusing rnyx) is not looked at
    /// again: each look is a connection tor logs.
    pub async fn changed(&mut self) -> bool {
        let mut changed = false;
        for (t, seen) in self.targets.iter().zip(&mut self.seen) {
            if matches!((t, *seen), (Target::Tcp(_), Some(Seen::Open))) {
                continue;
            }
            let now = self.host.look(t).await;
            changed |= now.is_some() && now != *seen;
            *seen = now;
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A socket made anew is a change; the same socket is not; a remote
    /// port is never looked at.
    #[tokio::test]
    async fn a_socket_made_anew_is_seen_and_remote_ports_are_left_alone() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("control");
        let remote = Target::Tcp(([192, 0, 2, 1], 9051).into());
        let host = crate::host::local(None);
        let mut watch = Comeback::new(&[Target::Unix(path.clone()), remote], &host).await;
        assert_eq!(watch.targets.len(), 1, "the remote port is not watched");
        assert!(!watch.changed().await, "still absent");
        let first = std::os::unix::net::UnixListener::bind(&path).unwrap();
        assert!(watch.changed().await, "made");
        assert!(!watch.changed().await, "the same socket");
        drop(first);
        std::fs::remove_file(&path).unwrap();
        // Made again at once, maybe with the same inode number.
        let _again = std::os::unix::net::UnixListener::bind(&path).unwrap();
        assert!(watch.changed().await, "made anew");
        // A host that cannot look sees nothing come back.
        let recording = crate::record::Recording {
            header: crate::record::Header {
                format: "rnyx-recording".into(),
                version: 1,
                started: 0,
            },
            lines: Vec::new(),
            cut: None,
        };
        let player = crate::replay::Player::new("r", recording, 1.0);
        let mut none = Comeback::new(&[Target::Unix(path)], &crate::host::replay(player)).await;
        assert!(!none.changed().await);
    }
}
