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
mod standin;

pub use clock::Clock;

use crate::control::{AuthMethod, Client, Connection, ProtocolInfo, Target};
use crate::record::{Connected, Kind, Line, Recording};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::mpsc;

pub use crate::record::{Sample, Timed};

/// One thing tor (or its host) did at a time.
#[derive(Debug, Clone)]
pub enum Item {
    /// An event's lines, and the time (unix ms) rnyx gave it.
    Event(Option<u64>, Vec<String>),
    Sample(Sample),
}

/// Event batches waiting for the controller task (as a live client's).
const EVENT_BATCHES_QUEUED: usize = 4;

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
            match l.d {
                Kind::Sent => {
                    commands.push_back((l.t, l.l));
                    continue;
                }
                Kind::Received => {}
                Kind::Applied => {
                    let at = l.l.parse().ok();
                    for i in unstamped.drain(..) {
                        if let Some((_, Item::Event(stamp, _))) = s.timeline.get_mut(i) {
                            *stamp = at;
                        }
                    }
                    continue;
                }
                kind => {
                    if let Some(sample) = sample(&kind, &l.l) {
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

fn sample(kind: &Kind, json: &str) -> Option<Sample> {
    match kind {
        Kind::System => serde_json::from_str(json).ok().map(Sample::System),
        Kind::Sockets => serde_json::from_str(json).ok().map(Sample::Sockets),
        Kind::Torrc => serde_json::from_str(json).ok().map(Sample::Torrc),
        Kind::Log => serde_json::from_str(json).ok().map(Sample::Log),
        Kind::Tail => serde_json::from_str(json).ok().map(Sample::Tail),
        Kind::Cert => serde_json::from_str(json).ok().map(Sample::Cert),
        Kind::Metrics => serde_json::from_str(json).ok().map(Sample::Metrics),
        Kind::Children => serde_json::from_str(json).ok().map(Sample::Children),
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
            .find(|l| l.d == Kind::Connected)
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
        let (client, mut incoming) = Client::new(ours);
        let mut session = None;
        if events {
            let (tx, rx) = mpsc::channel(EVENT_BATCHES_QUEUED);
            incoming = rx;
            let this = self.session.fetch_add(1, Ordering::SeqCst) + 1;
            session = Some(standin::Session {
                newest: self.session.clone(),
                this,
                feed: standin::Feed::new(tx),
            });
            // The new session plays from the start: its time is the
            // recording's start until its stand-in plays on (an older
            // session's time would date tor's facts minutes late).
            self.clock.restart();
            // Wakes the previous session's stand-in, which then stops.
            self.clock.changes.send_modify(|n| *n += 1);
        }
        tokio::spawn(standin::serve(
            self.script.clone(),
            self.clock.clone(),
            theirs,
            session,
        ));
        Connection {
            client,
            events: incoming,
            target: self.target.clone(),
            method: self.method,
            protocol_info: ProtocolInfo::default(),
        }
    }

    /// What the recording holds.
    pub fn script(&self) -> &Script {
        &self.script
    }
}

#[cfg(test)]
mod tests {
    use super::standin::reply_to;
    use super::*;
    use rnyx_model::SystemInfo;

    fn line(t: u64, d: &str, l: &str) -> Line {
        Line {
            t,
            d: Kind::of(d),
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
            line(3, "system", &serde_json::to_string(&system).unwrap()),
            line(5, "<", "650 BW 10 20"),
            line(5, "applied", "1234"),
            line(6, ">", "GETINFO ns/all"),
            line(7, "<", "250+ns/all="),
            line(7, "<", "r relay 250 x"),
            line(7, "<", "."),
            line(7, "<", "250 OK"),
            line(9, ">", "GETINFO version"),
            line(9, "<", "250-version=0.4.9.12"),
            line(9, "<", "250 OK"),
            line(10, "sockets", "not json"),
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

    /// A recording of `lines`, started at 5 s past the epoch.
    fn recording(lines: &[Line]) -> Recording {
        Recording {
            header: crate::record::Header {
                format: String::new(),
                version: 1,
                started: 5_000,
            },
            lines: lines.to_vec(),
            cut: None,
        }
    }

    #[tokio::test]
    async fn a_sessions_events_come_with_their_recorded_times_in_order() {
        use crate::control::{Event, Incoming};
        let lines = [
            line(0, ">", "SETEVENTS BW NOTICE"),
            line(0, "<", "250 OK"),
            line(2, "<", "650 BW 1 2"),
            line(2, "<", "650 NOTICE one"),
            line(2, "applied", "5002"),
            line(
                3,
                "system",
                &serde_json::to_string(&SystemInfo::default()).unwrap(),
            ),
            line(4, "<", "650 BW 3 4"),
            line(4, "applied", "5004"),
            line(9, "<", "650 BW 5 6"),
            line(9, "applied", "5009"),
        ];
        let player = Player::new("r", recording(&lines), 1.0);
        player.clock.hold_at(5);
        let mut conn = player.connect(true);
        let host = crate::host::Replay::new(player.clone());
        conn.client.command("SETEVENTS BW NOTICE").await.unwrap();
        let mut got = Vec::new();
        while got.len() < 2 {
            got.push(conn.events.recv().await.unwrap());
        }
        assert_eq!(got[0].at, Some(5_002));
        assert!(matches!(
            &got[0].items[..],
            [Incoming::Event(Event::Bandwidth { read: 1, written: 2 }), Incoming::Logs(run)] if run.len() == 1
        ));
        assert_eq!(got[1].at, Some(5_004));
        // The sample taken between them is the host's to answer, once.
        assert_eq!(crate::host::Host::process(&host, None).len(), 1);
        assert!(crate::host::Host::process(&host, None).is_empty());
        // Held at 5 ms: the event at 9 waits.
        let later = tokio::time::timeout(std::time::Duration::from_millis(200), conn.events.recv());
        assert!(later.await.is_err());
        assert_eq!(player.clock.now_ms(), 5_004);
    }

    /// tor's MetricsPort as recorded: each reading once, at its time, so
    /// the load page's rates are a replay's as they were live.
    #[tokio::test]
    async fn metrics_readings_come_back_at_their_times() {
        let text = "tor_relay_dos_total{type=\"circuit_rejected\"} 7\n";
        let ok = serde_json::to_string(&Ok::<String, String>(text.into())).unwrap();
        let failed = serde_json::to_string(&Err::<String, String>("refused".into())).unwrap();
        let lines = [
            line(0, ">", "SETEVENTS BW"),
            line(0, "<", "250 OK"),
            line(1000, "metrics", &ok),
            line(2000, "metrics", &failed),
            line(3000, "<", "650 BW 1 1"),
            line(3000, "applied", "8000"),
        ];
        let player = Player::new("r", recording(&lines), 1.0);
        player.clock.hold_at(2500);
        let host = crate::host::Replay::new(player.clone());
        let conn = player.connect(true);
        conn.client.command("SETEVENTS BW").await.unwrap();
        // The stand-in plays up to where the clock is held.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while player.clock.reached() < 2000 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let got = crate::host::Host::metrics(&host, "127.0.0.1:9035").await;
        let started = player.clock.started_ms();
        assert_eq!(
            got,
            vec![
                (Some(started + 1000), Ok(text.to_owned())),
                (Some(started + 2000), Err("refused".to_owned()))
            ]
        );
        assert!(crate::host::Host::metrics(&host, "127.0.0.1:9035")
            .await
            .is_empty());
    }

    /// A command sent after an event gets the reply tor gave after it (the
    /// facts re-read after a CONF_CHANGED are the new ones), on rnyx's
    /// connection and the interpreter's.
    #[tokio::test]
    async fn a_command_after_an_event_gets_the_reply_recorded_after_it() {
        let lines = [
            line(0, ">", "GETCONF BandwidthRate"),
            line(0, "<", "250 BandwidthRate=1"),
            line(1, ">", "SETEVENTS CONF_CHANGED"),
            line(1, "<", "250 OK"),
            line(5, "<", "650-CONF_CHANGED"),
            line(5, "<", "650-BandwidthRate=2"),
            line(5, "<", "650 OK"),
            line(5, "applied", "5005"),
            line(6, ">", "GETCONF BandwidthRate"),
            line(6, "<", "250 BandwidthRate=2"),
            line(20, "<", "650 BW 1 1"),
            line(20, "applied", "5020"),
            line(30, ">", "GETCONF BandwidthRate"),
            line(30, "<", "250 BandwidthRate=3"),
        ];
        let player = Player::new("r", recording(&lines), 1.0);
        player.clock.hold_at(10);
        let mut conn = player.connect(true);
        let rate = |c: Client| async move { c.getconf("BandwidthRate").await.unwrap() };
        assert_eq!(rate(conn.client.clone()).await, ["1"], "before any event");
        conn.client.command("SETEVENTS CONF_CHANGED").await.unwrap();
        let changed = conn.events.recv().await.unwrap();
        assert_eq!(changed.at, Some(5_005));
        assert_eq!(rate(conn.client.clone()).await, ["2"]);
        let interp = player.connect(false);
        assert_eq!(rate(interp.client.clone()).await, ["2"]);
    }
}
