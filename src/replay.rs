//! Playing a recording (`rnyx replay FILE`): a stand-in for tor that the
//! monitor connects to as to any tor, on a clock of the recording's own.
//!
//! - Events, and the samples rnyx took of tor's `/proc` and files, come at
//!   the times they were recorded (after the monitor subscribes, as tor's
//!   would).
//! - A command is answered with tor's reply to the same command: the last
//!   one recorded up to where the replay is, else the first; a command the
//!   recording never sent gets `551 … is not available in a replay`.
//! - A replay's time is the recording's: its host gives the controller
//!   task and the screen the player's [`Clock`]. Pausing stops
//!   it, seeking moves it; seeking back starts the monitor's session again
//!   and plays everything up to the new position at once.

mod clock;

pub use clock::Clock;

use crate::control::{AuthMethod, Client, Connection, ProtocolInfo, Target};
use crate::record::{Connected, Line, Recording, APPLIED, CONNECTED, LOG, SOCKETS, SYSTEM, TORRC};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

pub use crate::host::{Sample, Timed};

/// One thing tor (or its host) did at a time.
#[derive(Debug, Clone)]
pub enum Item {
    /// An event's lines, and the time (unix ms) rnyx gave it.
    Event(Option<u64>, Vec<String>),
    Sample(Sample),
}

/// The event a stand-in sends before events to give them their recorded
/// time (unix ms); only a replay's state heeds it.
pub const TIME_EVENT: &str = "RNYX_REPLAY_TIME";

/// A command rnyx sent and tor's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// When it was sent (ms since the start).
    pub t: u64,
    pub command: String,
    pub reply: Vec<String>,
}

/// What a recording holds, ready to play.
#[derive(Debug, Default)]
pub struct Script {
    /// (ms since start, what happened), in time order.
    pub timeline: Vec<(u64, Item)>,
    /// Commands and their replies, in order.
    pub exchanges: Vec<Exchange>,
    /// The time of its last line.
    pub length: u64,
}

impl Script {
    /// Pairs each command with the reply that followed it (tor answers in
    /// order) and sets the events and samples apart. A sample that cannot
    /// be read is left out.
    pub fn of(lines: Vec<Line>) -> Self {
        let mut s = Script::default();
        let mut commands = std::collections::VecDeque::<(u64, String)>::new();
        let mut current: Vec<String> = Vec::new();
        let mut started_at = 0;
        let mut in_data = false;
        // Events not given their time yet.
        let mut unstamped = Vec::new();
        for l in lines {
            s.length = s.length.max(l.t);
            match l.d.as_str() {
                ">" => {
                    commands.push_back((l.t, l.l));
                    continue;
                }
                "<" => {}
                APPLIED => {
                    let at = l.l.parse().ok();
                    for i in unstamped.drain(..) {
                        if let Some((_, Item::Event(stamp, _))) = s.timeline.get_mut(i) {
                            *stamp = at;
                        }
                    }
                    continue;
                }
                kind => {
                    if let Some(sample) = sample(kind, &l.l) {
                        s.timeline.push((l.t, Item::Sample(sample)));
                    }
                    continue;
                }
            }
            if current.is_empty() {
                started_at = l.t;
            }
            let status = l.l.as_bytes().get(3).copied();
            let dot = l.l == ".";
            current.push(l.l);
            if in_data {
                in_data = !dot;
                continue;
            }
            if status == Some(b'+') {
                in_data = true;
                continue;
            }
            if status == Some(b' ') {
                let lines = std::mem::take(&mut current);
                if lines[0].starts_with("650") {
                    unstamped.push(s.timeline.len());
                    s.timeline.push((started_at, Item::Event(None, lines)));
                } else if let Some((t, command)) = commands.pop_front() {
                    s.exchanges.push(Exchange {
                        t,
                        command,
                        reply: lines,
                    });
                }
            }
        }
        // Samples are written when taken, events when read: one order.
        s.timeline.sort_by_key(|(t, _)| *t);
        s
    }

    /// tor's reply to `command` as of `at` ms: the last recorded by then,
    /// else the first; and when it was sent.
    pub fn answer(&self, command: &str, at: u64) -> Option<(u64, &[String])> {
        let mut same = self.exchanges.iter().filter(|e| e.command == command);
        let first = same.next()?;
        let last = std::iter::once(first)
            .chain(same)
            .take_while(|e| e.t <= at)
            .last();
        let e = last.unwrap_or(first);
        Some((e.t, &e.reply))
    }
}

fn sample(kind: &str, json: &str) -> Option<Sample> {
    match kind {
        SYSTEM => serde_json::from_str(json).ok().map(Sample::System),
        SOCKETS => serde_json::from_str(json).ok().map(Sample::Sockets),
        TORRC => serde_json::from_str(json).ok().map(Sample::Torrc),
        LOG => serde_json::from_str(json).ok().map(Sample::Log),
        _ => None,
    }
}

/// A recording being played: its script and clock.
#[derive(Debug)]
pub struct Player {
    /// What the header calls it.
    pub name: String,
    script: Arc<Script>,
    pub clock: Arc<Clock>,
    /// The samples of the latest session's stand-in.
    samples: Mutex<Option<mpsc::UnboundedReceiver<Timed>>>,
    /// Bumped by each new session: the stand-ins of older ones stop.
    session: Arc<std::sync::atomic::AtomicU64>,
    /// Where the recorded connection went and how it authenticated.
    target: Target,
    method: AuthMethod,
}

impl Player {
    /// A player of `recording` at `speed`, on a clock of its own.
    pub fn new(name: &str, recording: Recording, speed: f64) -> Arc<Self> {
        let connected: Option<Connected> = recording
            .lines
            .iter()
            .find(|l| l.d == CONNECTED)
            .and_then(|l| serde_json::from_str(&l.l).ok());
        let started = recording.header.started;
        let script = Script::of(recording.lines);
        let (target, method) = match connected {
            Some(c) => (
                Target::parse_interface(&c.target)
                    .unwrap_or_else(|_| Target::Unix(c.target.into())),
                AuthMethod::ALL
                    .into_iter()
                    .find(|m| m.as_str() == c.method)
                    .unwrap_or(AuthMethod::None),
            ),
            None => (Target::Unix(name.into()), AuthMethod::None),
        };
        let clock = Arc::new(Clock::new(started, script.length, speed));
        Arc::new(Self {
            name: name.to_owned(),
            script: Arc::new(script),
            clock,
            samples: Mutex::new(None),
            session: Arc::default(),
            target,
            method,
        })
    }

    /// The player of the recording at `path`.
    pub fn open(path: &std::path::Path, speed: f64) -> Result<Arc<Self>, String> {
        let recording = crate::record::read(path)?;
        if let Some(cut) = &recording.cut {
            eprintln!("rnyx: {cut}; playing what it holds");
        }
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(Self::new(&name, recording, speed))
    }

    /// A new connection to the stand-in, its events from the start up to
    /// the clock's position at once, then in time. `events`: false for a
    /// connection that only gets answers (the interpreter's).
    pub fn connect(&self, events: bool) -> Connection {
        let (ours, theirs) = tokio::io::duplex(1 << 20);
        let (client, incoming) = Client::new(ours);
        let (tx, rx) = mpsc::unbounded_channel();
        let mut session = None;
        if events {
            *self
                .samples
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(rx);
            let this = self.session.fetch_add(1, Ordering::SeqCst) + 1;
            session = Some((self.session.clone(), this));
            // The new session plays from the start: its time is the
            // recording's start until its stand-in plays on (an older
            // session's time would date tor's facts minutes late).
            self.clock.play(0);
            // Wakes the previous session's stand-in, which then stops.
            self.clock.changes.send_modify(|n| *n += 1);
        }
        tokio::spawn(serve(
            self.script.clone(),
            self.clock.clone(),
            theirs,
            session.map(|s| (s, tx)),
        ));
        Connection {
            client,
            events: incoming,
            target: self.target.clone(),
            method: self.method,
            protocol_info: ProtocolInfo::default(),
        }
    }

    /// The samples of the connection made last.
    pub fn take_samples(&self) -> Option<mpsc::UnboundedReceiver<Timed>> {
        self.samples
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

/// A session of the monitor's: (the newest session, this one's number),
/// and where its samples go.
type Session = ((Arc<AtomicU64>, u64), mpsc::UnboundedSender<Timed>);

/// The stand-in's side of one connection. `session`: `None` for a
/// connection that gets no events.
async fn serve(
    script: Arc<Script>,
    clock: Arc<Clock>,
    theirs: tokio::io::DuplexStream,
    session: Option<Session>,
) {
    let samples = session.as_ref().map(|(_, tx)| tx);
    let (read, mut write) = tokio::io::split(theirs);
    let mut commands = BufReader::new(read).lines();
    let mut changes = clock.changes.subscribe();
    // The next item of the timeline, and the time of the last played.
    let (mut next, mut played) = (0, 0);
    let mut subscribed = false;
    let mut stamped = None;
    loop {
        if let Some(((newest, this), _)) = &session {
            if newest.load(Ordering::SeqCst) != *this {
                return;
            }
        }
        if subscribed {
            if let Some(samples) = samples {
                let now = clock.position();
                let mut out = String::new();
                while let Some((t, item)) = script.timeline.get(next).filter(|(t, _)| *t <= now) {
                    match item {
                        Item::Event(stamp, lines) => {
                            if stamp.is_some() && *stamp != stamped {
                                stamped = *stamp;
                                let _ = write!(out, "650 {TIME_EVENT} {}\r\n", stamp.unwrap_or(0));
                            }
                            for l in lines {
                                out.push_str(l);
                                out.push_str("\r\n");
                            }
                        }
                        Item::Sample(s) => {
                            let _ = samples.send((clock.started + t, s.clone()));
                        }
                    }
                    (next, played) = (next + 1, *t);
                }
                clock.play(played);
                if !out.is_empty() && write.write_all(out.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
        let due = script
            .timeline
            .get(next)
            .filter(|_| subscribed && samples.is_some())
            .and_then(|(t, _)| clock.until(*t));
        tokio::select! {
            command = commands.next_line() => {
                let Ok(Some(command)) = command else { return };
                let command = command.trim_end();
                let (reply, at) = reply_to(&script, command, played);
                if samples.is_some() && !subscribed {
                    // The session's start: as of tor's replies.
                    played = played.max(at);
                    clock.play(played);
                }
                if first_word(command).eq_ignore_ascii_case("SETEVENTS") {
                    subscribed = true;
                }
                if write.write_all(reply.as_bytes()).await.is_err() {
                    return;
                }
            }
            () = async {
                match due {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            } => {}
            moved = changes.changed() => {
                if moved.is_err() {
                    return;
                }
            }
        }
    }
}

/// The reply to `command` with the replay at `at` ms, as sent, and when
/// it was recorded.
fn reply_to(script: &Script, command: &str, at: u64) -> (String, u64) {
    let mut out = String::new();
    let mut when = at;
    match script.answer(command, at) {
        Some((t, lines)) => {
            when = t;
            for l in lines {
                out.push_str(l);
                out.push_str("\r\n");
            }
        }
        // The operator's event selection may differ from the recording's.
        None if first_word(command).eq_ignore_ascii_case("SETEVENTS") => out.push_str("250 OK\r\n"),
        None => {
            out = format!(
                "551 {} is not available in a replay\r\n",
                first_word(command)
            );
        }
    }
    (out, when)
}

fn first_word(command: &str) -> &str {
    command.split_whitespace().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnyx_grammar::model::SystemInfo;

    fn line(t: u64, d: &str, l: &str) -> Line {
        Line {
            t,
            d: d.into(),
            l: l.into(),
        }
    }

    #[test]
    fn commands_get_their_replies_and_events_their_times() {
        let system = SystemInfo {
            hostname: "relayhost".into(),
            tor_cpu: Some(12.5),
            ..SystemInfo::default()
        };
        let lines = [
            line(0, ">", "GETINFO version"),
            line(1, "<", "250-version=0.4.9.11"),
            line(1, "<", "250 OK"),
            line(3, SYSTEM, &serde_json::to_string(&system).unwrap()),
            line(5, "<", "650 BW 10 20"),
            line(5, APPLIED, "1234"),
            line(6, ">", "GETINFO ns/all"),
            line(7, "<", "250+ns/all="),
            line(7, "<", "r relay 250 x"),
            line(7, "<", "."),
            line(7, "<", "250 OK"),
            line(9, ">", "GETINFO version"),
            line(9, "<", "250-version=0.4.9.12"),
            line(9, "<", "250 OK"),
            line(10, SOCKETS, "not json"),
        ];
        let s = Script::of(lines.to_vec());
        assert_eq!(s.length, 10);
        assert_eq!(s.timeline.len(), 2, "{:?}", s.timeline);
        assert!(matches!(&s.timeline[0], (3, Item::Sample(Sample::System(i))) if *i == system));
        assert!(
            matches!(&s.timeline[1], (5, Item::Event(Some(1_234), l)) if l == &["650 BW 10 20"])
        );
        assert_eq!(
            s.answer("GETINFO ns/all", 0).unwrap(),
            (
                6,
                &["250+ns/all=", "r relay 250 x", ".", "250 OK"].map(String::from)[..]
            )
        );
        // The reply as of where the replay is.
        let version = |at| s.answer("GETINFO version", at).unwrap().1[0].clone();
        assert_eq!(version(0), "250-version=0.4.9.11");
        assert_eq!(version(8), "250-version=0.4.9.11");
        assert_eq!(version(9), "250-version=0.4.9.12");
        assert_eq!(s.answer("SIGNAL NEWNYM", 9), None);
        assert_eq!(
            reply_to(&s, "SIGNAL NEWNYM", 9).0,
            "551 SIGNAL is not available in a replay\r\n"
        );
        assert_eq!(reply_to(&s, "SETEVENTS BW", 9).0, "250 OK\r\n");
    }
}
