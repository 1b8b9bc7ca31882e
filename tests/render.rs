//! Pages rendered from states built out of recorded control-port
//! transcripts (tests/transcripts, made by examples/record_transcript.rs
//! from the private network's exit relay and client): a fake tor answers
//! rnyx's real queries from the transcript — a query it lacks fails the
//! test, naming it — rnyx's real fact gathering and event handling build
//! the state, the events arrive at their recorded times (the last at
//! `NOW`), and the whole screen is kept as an insta snapshot. Clocks are
//! fixed, so nothing is volatile.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rnyx::config::Config;
use rnyx::control::{Client, Event, Incoming, ReplyFramer};
use rnyx::controller::apply::{apply_batch, apply_facts};
use rnyx::controller::facts;
use rnyx_model::{ControllerState, RelayRow, SystemInfo};
use rnyx_panels::app::App;
use std::collections::HashMap;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[path = "render/sizes.rs"]
mod sizes;

/// The moment the screens are drawn at (unix seconds).
const NOW: u64 = 1_795_255_200;

struct Transcript {
    replies: HashMap<String, String>,
    /// Events as read: milliseconds from the first, and the lines.
    events: Vec<(u64, String)>,
}

fn transcript(name: &str) -> Transcript {
    let path = format!("{}/tests/transcripts/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut replies = HashMap::new();
    let mut current: Option<(String, String)> = None;
    let mut events: Vec<(u64, String)> = Vec::new();
    let mut in_events = false;
    for line in text.lines() {
        if line.starts_with("# ") {
            continue;
        }
        if line == "## events" {
            in_events = true;
            if let Some((c, r)) = current.take() {
                replies.insert(c, r);
            }
            continue;
        }
        if in_events {
            // `@1013 650 BW 5120 2048`: when it was read, then the line.
            let (at, l) = line
                .strip_prefix('@')
                .and_then(|t| t.split_once(' '))
                .unwrap_or_else(|| panic!("{path}: an event without its time: {line}"));
            let at: u64 = at.parse().unwrap();
            match events.last_mut() {
                Some((t, text)) if *t == at => {
                    text.push_str(l);
                    text.push_str("\r\n");
                }
                _ => events.push((at, format!("{l}\r\n"))),
            }
        } else if let Some(cmd) = line.strip_prefix("> ") {
            if let Some((c, r)) = current.take() {
                replies.insert(c, r);
            }
            current = Some((cmd.to_owned(), String::new()));
        } else if let Some((_, r)) = current.as_mut() {
            r.push_str(line);
            r.push_str("\r\n");
        }
    }
    Transcript { replies, events }
}

/// Builds the controller state a real session would have after the
/// transcript, with tor's NOTICE and up in the log.
async fn state_from(name: &str) -> ControllerState {
    state_logging(name, &[], |_| {}).await
}

/// The same, also logging the non-log events named in `logged`, with
/// Queries rnyx added after the transcripts were recorded: answered as a
/// tor that does not know them (552), so every snapshot's state stays
/// what was recorded. Re-recording (examples/record_transcript.rs) adds
/// their answers.
const NEWER: &[&str] = &["GETCONF MetricsPort", "GETINFO consensus/valid-after"];

/// `before` done to the state before the events arrive. The transcript's
/// last event arrives at `NOW`, the others at their times before it.
async fn state_logging(
    name: &str,
    logged: &[&str],
    before: impl FnOnce(&mut ControllerState),
) -> ControllerState {
    let t = transcript(name);
    let (ours, theirs) = tokio::io::duplex(1 << 20);
    let replies = t.replies.clone();
    // What rnyx asked that the transcript does not answer.
    let missing = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let unanswered = std::sync::Arc::clone(&missing);
    tokio::spawn(async move {
        let (r, mut w) = tokio::io::split(theirs);
        let mut lines = BufReader::new(r).lines();
        while let Ok(Some(cmd)) = lines.next_line().await {
            let reply = replies.get(&cmd).cloned().unwrap_or_else(|| {
                unanswered.lock().unwrap().push(cmd.clone());
                format!("552 Unrecognized key \"{cmd}\"\r\n")
            });
            w.write_all(reply.as_bytes()).await.unwrap();
        }
    });
    let (client, _events) = Client::new(ours);
    let first = NOW * 1000 - t.events.last().map_or(0, |e| e.0);
    let facts = facts::gather(&client, first / 1000, true).await.unwrap();
    let mut missing = missing.lock().unwrap().clone();
    missing.retain(|q| !NEWER.contains(&q.as_str()));
    assert!(
        missing.is_empty(),
        "{name} lacks rnyx's queries (examples/record_transcript.rs records them): {missing:?}"
    );
    let mut state = ControllerState::default();
    apply_facts(&mut state, facts, true, first / 1000);
    state.session.connection.connected = true;
    state.session.connection.connections = 1;
    state.session.connection.target = Some("/run/tor/control".into());
    state.session.connection.auth_method = Some("cookie".into());
    let mut events = vec!["NOTICE", "WARN", "ERR"];
    events.extend(logged);
    state.logs.logged_events = rnyx_model::EventSelection::parse(events).0;
    before(&mut state);
    let selection = state.logs.logged_events.clone();
    assert!(!t.events.is_empty(), "the transcript has events");
    let mut framer = ReplyFramer::new();
    for (at, text) in &t.events {
        framer.push(text.as_bytes());
        let batch: Vec<Incoming> = std::iter::from_fn(|| framer.next_reply())
            .map(|r| Incoming::Event(Event::parse(&r.unwrap())))
            .collect();
        apply_batch(&mut state, batch, &selection, first + at);
    }
    state.record_system(SystemInfo {
        hostname: "relayhost".into(),
        os: "Linux".into(),
        kernel: "6.1.0-18-amd64".into(),
        tor_cpu: Some(2.5),
        rnyx_cpu: Some(0.4),
        tor_memory: Some(112 << 20),
        memory_total: Some(16 << 30),
        tor_fds: Some(700),
        tor_fd_limit: Some(1024),
        inbound: Some(3),
        outbound: Some(5),
        unseen: None,
    });
    state
}

fn app() -> App {
    app_with(|_| {})
}

/// The app with the log's settings changed; times are drawn in UTC.
fn app_with(f: impl FnOnce(&mut rnyx_panels::log::LogPanel)) -> App {
    let mut settings = Config::default().app_settings();
    settings.log.utc_offset = 0;
    f(&mut settings.log);
    App::new(settings)
}

fn screen(state: &ControllerState, width: u16, height: u16) -> String {
    screen_of(&app(), state, width, height)
}

fn screen_of(app: &App, state: &ControllerState, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| {
            let area = f.area();
            app.render(state, NOW, area, f.buffer_mut());
        })
        .unwrap();
    // Cells only (no styles), one line per row.
    let buf = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buf[(x, y)].symbol().to_owned())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn exit_relay_page_one_80x24() {
    let state = state_from("exit_relay.txt").await;
    insta::assert_snapshot!(screen(&state, 80, 24));
}

#[tokio::test]
async fn exit_relay_page_one_160x50() {
    let state = state_logging("exit_relay.txt", &["CIRC", "BW"], |_| {}).await;
    let s = screen(&state, 160, 50);
    assert!(s.contains("Events (TOR/RNYX NOTICE-ERR, BW, CIRC):"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn log_with_duplicates_wrapping_and_an_earlier_day() {
    use rnyx_model::{LogEntry, LogSource, Runlevel};
    let notice = |t: u64, m: &str| LogEntry::new(t, LogSource::Tor(Runlevel::Notice), m.into());
    let yesterday = (NOW - 86_400) * 1000;
    // Yesterday's entry first, as tor's log file gives it at the start.
    let mut state = state_logging("exit_relay.txt", &["CIRC"], |s| {
        s.push_log(notice(yesterday, "Tor 0.4.9.11 opening log file."));
    })
    .await;
    for i in 0..3 {
        state.push_log(notice(
            NOW * 1000 - 500 + i,
            &format!(
                "Tried for {} seconds to get a connection to 10.0.0.{i}:443. Giving up.",
                120 + i
            ),
        ));
    }
    state.push_log(LogEntry::new(
        NOW * 1000,
        LogSource::Tor(Runlevel::Warn),
        "A long warning that goes on and on about a misconfigured relay family, naming every member of it, so that it has to wrap onto more rows than allowed".into(),
    ));
    let mut app = app_with(|log| log.max_line_wrap = 2);
    let s = screen_of(&app, &state, 80, 30);
    assert!(s.contains("[2 duplicates hidden]"), "{s}");
    // The oldest entries (End): yesterday's under its date, last.
    app.handle_key(rnyx_panels::keymap::Key::End, &state, NOW);
    let oldest = screen_of(&app, &state, 80, 30);
    let rows: Vec<&str> = oldest.lines().collect();
    let divider = rows
        .iter()
        .position(|r| r.contains("── November 20, 2026"))
        .unwrap_or_else(|| panic!("{oldest}"));
    assert!(
        rows[divider + 1].contains("Tor 0.4.9.11 opening log file."),
        "{oldest}"
    );
    insta::assert_snapshot!(format!("{s}\n── the oldest (End):\n{oldest}"));
}

#[tokio::test]
async fn event_selection_dialog_80x24() {
    use rnyx_panels::keymap::Key;
    let mut state = state_from("exit_relay.txt").await;
    state.facts.event_names = rnyx_model::KNOWN_EVENTS
        .iter()
        .chain(&["DEBUG", "INFO", "NOTICE", "WARN", "ERR"])
        .map(|s| (*s).to_owned())
        .collect();
    let mut app = app();
    for k in [
        Key::Char('e'),
        Key::Down,
        Key::Down,
        Key::Right,
        Key::Right,
        Key::Down,
    ] {
        assert!(app.handle_key(k, &state, NOW).is_empty());
    }
    insta::assert_snapshot!(screen_of(&app, &state, 80, 24));
}

#[tokio::test]
async fn client_page_one_80x24() {
    let state = state_from("client.txt").await;
    assert!(!state.facts.relay.is_relay());
    insta::assert_snapshot!(screen(&state, 80, 24));
}

#[tokio::test]
async fn disconnected_header() {
    let mut state = state_from("exit_relay.txt").await;
    state.session.connection.connected = false;
    state.session.connection.connections = 1;
    state.session.connection.since = NOW - 65;
    state.session.connection.last_error = Some("the connection to tor closed".into());
    let s = screen(&state, 80, 24);
    assert!(
        s.lines()
            .nth(1)
            .unwrap()
            .starts_with("Tor Disconnected (since 09:58:55, press r to reconnect)"),
        "{s}"
    );
}

#[tokio::test]
async fn help_popup_80x24() {
    use rnyx_panels::keymap::Key;
    let state = state_from("exit_relay.txt").await;
    let mut app = app();
    app.handle_key(Key::Char('h'), &state, NOW);
    let s = screen_of(&app, &state, 80, 24);
    // Every action's key is on screen, in two columns.
    for key in [
        "pagedown",
        "e: events to log",
        "u: hide duplicates (on)",
        "Press any key",
    ] {
        assert!(s.contains(key), "{key}:\n{s}");
    }
    insta::assert_snapshot!(s);
}

/// The exit relay of the transcript on page 2: its circuits, the network's
/// relays in the consensus at their loopback ORPorts (as in the private
/// network, where every relay shares 127.0.0.1), and tor's sockets as
/// `/proc` would list them: relays connecting in, a client connecting in,
/// connections out to relays and an exit connection.
async fn connections_state() -> ControllerState {
    use rnyx_model::{Classifier, Socket};
    // The consensus is the transcript's (`ns/all`): the network's five
    // relays, all on 127.0.0.1, relay0 among them.
    let mut state = state_from("exit_relay.txt").await;
    assert!(state
        .facts
        .consensus
        .get(state.facts.relay.fingerprint.as_deref().unwrap())
        .is_some());
    state.facts.relay.listeners.or = vec!["127.0.0.1:5100".into()];
    state.facts.relay.exits = true;
    let sock = |l: &str, r: &str| Socket {
        local: l.parse().unwrap(),
        remote: r.parse().unwrap(),
    };
    let sockets = [
        sock("127.0.0.1:5100", "127.0.0.1:41022"),
        sock("127.0.0.1:5100", "127.0.0.1:41048"),
        sock("127.0.0.1:5100", "10.0.0.77:50312"),
        sock("127.0.0.1:39812", "127.0.0.1:5000"),
        sock("127.0.0.1:39816", "127.0.0.1:5002"),
        sock("127.0.0.1:43310", "127.0.0.1:5101"),
        sock("127.0.0.1:52334", "127.0.0.1:8080"),
    ];
    let classifier = Classifier::new(
        &state.facts.relay.listeners,
        &state.facts.consensus,
        &state.net.circuits,
        &[],
        true,
    );
    state.net.connections.refresh(
        rnyx_model::SocketScan::exact(&sockets),
        &classifier,
        NOW - 754,
    );
    state
}

fn on_page_two(state: &ControllerState) -> App {
    let mut app = app();
    app.handle_key(rnyx_panels::keymap::Key::Right, state, NOW);
    app
}

#[tokio::test]
async fn connections_page_80x24() {
    let state = connections_state().await;
    let s = screen_of(&on_page_two(&state), &state, 80, 24);
    assert!(s.contains("<scrubbed>"), "{s}");
    assert!(!s.contains("10.0.0.77"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn connections_page_160x50() {
    let state = connections_state().await;
    let s = screen_of(&on_page_two(&state), &state, 160, 50);
    assert!(
        s.contains("Connections (3 inbound, 3 outbound, 1 exit, "),
        "{s}"
    );
    assert!(s.contains("(5 relays here)"), "{s}");
    // A circuit's last hop, with the relay the consensus names there.
    assert!(
        s.contains(
            "└─ 127.0.0.1:5002               85B6F333200B095C0F1266BD8BFCF00BE80646A0 auth2"
        ),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

/// The exit relay of the transcript with a configuration as tor reports it
/// (a few options of each type), its torrc including a second file, and
/// the manual built into rnyx.
async fn config_state() -> ControllerState {
    use rnyx_model::{TorConfig, Torrc, TorrcFile};
    let mut state = state_from("exit_relay.txt").await;
    let names: Vec<(String, String)> = [
        ("AccountingMax", "DataSize"),
        ("BandwidthBurst", "DataSize"),
        ("BandwidthRate", "DataSize"),
        ("ContactInfo", "String"),
        ("ControlSocket", "LineList"),
        ("CookieAuthentication", "Boolean"),
        ("DataDirectory", "Filename"),
        ("ExitPolicy", "LineList"),
        ("ExitRelay", "Boolean+Auto"),
        ("MaxCircuitDirtiness", "TimeInterval"),
        ("Nickname", "String"),
        ("ORPort", "Dependent"),
        ("SocksPort", "Dependent"),
        ("__OwningControllerProcess", "String"),
        ("SocksPortLines", "Virtual"),
    ]
    .iter()
    .map(|(n, k)| ((*n).to_owned(), (*k).to_owned()))
    .collect();
    let values: Vec<(String, Option<String>)> = [
        ("AccountingMax", Some("0")),
        ("BandwidthBurst", Some("1073741824")),
        ("BandwidthRate", Some("5242880")),
        ("ContactInfo", Some("ops at example dot org \u{1b}[31m")),
        ("ControlSocket", Some("/var/lib/tor/control")),
        ("CookieAuthentication", Some("1")),
        ("DataDirectory", Some("/var/lib/tor")),
        ("ExitPolicy", Some("accept *:80")),
        ("ExitPolicy", Some("accept *:443")),
        ("ExitPolicy", Some("reject *:*")),
        ("ExitRelay", Some("1")),
        ("MaxCircuitDirtiness", Some("600")),
        ("Nickname", Some("relay2")),
        ("ORPort", Some("5100")),
        ("SocksPort", Some("0")),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), v.map(str::to_owned)))
    .collect();
    let text = "BandwidthRate 5242880\nContactInfo ops at example dot org\nControlSocket /var/lib/tor/control\nCookieAuthentication 1\nDataDirectory /var/lib/tor\nExitPolicy accept *:80\nExitPolicy accept *:443\nExitPolicy reject *:*\nExitRelay 1\nNickname relay2\nORPort 5100\nSocksPort 0\n";
    let mut config = TorConfig::from_tor(
        &names,
        &[("BandwidthRate".into(), "1073741824".into())],
        &values,
        text.into(),
        Some("/etc/tor/torrc".into()),
    );
    let torrc_lines = [
        "## relay2, an exit of the test network",
        "Nickname relay2",
        "ORPort 5100",
        "SocksPort 0",
        "DataDirectory /var/lib/tor",
        "ControlSocket /var/lib/tor/control",
        "CookieAuthentication 1",
        "BandwidthRate 4 MBytes   # raised to 5 MB at run time",
        "%include /etc/tor/torrc.d/",
    ];
    let exit_lines = [
        "ExitRelay 1",
        "ExitPolicy accept *:80, accept *:443, reject *:*",
        "ContactInfo ops at example dot org",
    ];
    config.torrc = Torrc {
        path: Some("/etc/tor/torrc".into()),
        files: vec![
            TorrcFile {
                path: "/etc/tor/torrc".into(),
                lines: torrc_lines.iter().map(|l| (*l).to_owned()).collect(),
                ..TorrcFile::default()
            },
            TorrcFile {
                path: "/etc/tor/torrc.d/exit.conf".into(),
                lines: exit_lines.iter().map(|l| (*l).to_owned()).collect(),
                depth: 1,
                ..TorrcFile::default()
            },
        ],
        settings: torrc_lines
            .iter()
            .chain(&exit_lines)
            .filter_map(|l| rnyx_model::torrc_entry(l))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        read_at: NOW,
        ..Torrc::default()
    };
    config.loaded = NOW;
    config.reconcile();
    state.facts.config = config;
    state.facts.manual = Some(std::sync::Arc::new(rnyx::manual::embedded()));
    state
}

fn on_page(state: &ControllerState, page: usize) -> App {
    let mut app = app();
    for _ in 0..page {
        app.handle_key(rnyx_panels::keymap::Key::Right, state, NOW);
    }
    app
}

#[tokio::test]
async fn config_page_80x24() {
    let state = config_state().await;
    let s = screen_of(&on_page(&state, 2), &state, 80, 24);
    assert!(s.contains("Tor Configuration (13 options"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn config_page_160x50() {
    let state = config_state().await;
    let s = screen_of(&on_page(&state, 2), &state, 160, 50);
    // The details of the first option, from tor's manual.
    assert!(s.contains("(General Option)"), "{s}");
    insta::assert_snapshot!(s);
}

#[tokio::test]
async fn torrc_page_80x24() {
    let state = config_state().await;
    let s = screen_of(&on_page(&state, 3), &state, 80, 24);
    assert!(s.contains("── %include /etc/tor/torrc.d/exit.conf"), "{s}");
    assert!(s.contains("tor runs: 5 MB"), "{s}");
    insta::assert_snapshot!(s);
}

/// Page 5 after `/help QUIT`, `/info` (this relay, from the transcript's
/// consensus and state) and a command whose reply is still on its way.
#[tokio::test]
async fn interpreter_page_80x24() {
    use rnyx_panels::keymap::Key;
    let state = connections_state().await;
    let mut app = on_page(&state, 4);
    let mut keys = vec![Key::Enter];
    for line in ["/help QUIT", "/info", "GETINFO version"] {
        keys.extend(line.chars().map(Key::Char));
        keys.push(Key::Enter);
    }
    for k in keys {
        app.handle_key(k, &state, NOW);
    }
    let s = screen_of(&app, &state, 80, 24);
    assert!(s.contains(">>> /info"), "{s}");
    assert!(s.contains(">>> GETINFO version"), "{s}");
    insta::assert_snapshot!(s);
}

/// The overview at 80, 120, 160 and 230 columns: the least useful
/// columns go first, the flags are whole from 120 columns and letters
/// below, and the newest warning takes what is left, cut with `…`.
#[tokio::test]
async fn overview_at_four_widths() {
    let exit = state_from("exit_relay.txt").await;
    let client = state_from("client.txt").await;
    let mut down = ControllerState::default();
    down.session.connection.since = NOW - 95;
    down.session.connection.last_error = Some(
        "tor is not running: there is no control socket at /run/tor-instances/b/control (tor removes it when it stops)"
            .into(),
    );
    let name = |t: &str| rnyx_model::RelayName {
        text: t.into(),
        given: false,
    };
    let mut fleet = vec![
        RelayRow::of(&name("/run/tor-instances/exit/control"), &exit),
        RelayRow::of(&name("/run/tor/control"), &client),
        RelayRow::of(&name("/run/tor-instances/b/control"), &down),
    ];
    // A guard with every flag a relay holds, and a warning.
    fleet[0].flags = [
        "Exit", "Fast", "Guard", "HSDir", "Running", "Stable", "V2Dir", "Valid",
    ]
    .map(str::to_owned)
    .to_vec();
    fleet[0].warning = Some(
        "Your server has not managed to confirm reachability for its ORPort(s) at 203.0.113.5:9001. Relays do not publish descriptors until their ORPort and DirPort are reachable."
            .into(),
    );
    let mut settings = Config::default().app_settings();
    settings.hidden_pages.clear();
    let mut app = App::new(settings);
    app.set_fleet(fleet, 0);
    let mut all = String::new();
    for width in [80, 120, 160, 230] {
        let screen = screen_of(&app, &exit, width, 16);
        for line in screen.lines() {
            assert!(line.chars().count() <= usize::from(width));
        }
        all.push_str("── ");
        all.push_str(&width.to_string());
        all.push_str(" columns\n");
        all.push_str(&screen);
        all.push('\n');
    }
    insta::assert_snapshot!(all);
}

/// The header's title row with an alert, live and in a replay, at 80, 120
/// and 160 columns: the badge takes room from the host or the recording's
/// name, never from a replay's position, `ended` or tor's version.
#[tokio::test]
async fn header_with_an_alert_live_and_in_a_replay() {
    use rnyx_model::health::{Alert, AlertKind, Severity};
    use rnyx_model::ReplayStatus;
    use std::fmt::Write as _;
    let mut state = state_from("exit_relay.txt").await;
    state.health.active = vec![Alert {
        kind: AlertKind::NotInConsensus,
        severity: Severity::Critical,
        since: NOW - 600,
        detail: String::new(),
        words: None,
    }];
    let mut all = String::new();
    let mut title_rows = |state: &ControllerState, what: &str| {
        for width in [80, 120, 160] {
            let s = screen(state, width, 24);
            let first = s.lines().next().unwrap().to_owned();
            assert!(first.contains("Tor 0.4.9.11 (unknown)"), "{first}");
            assert!(first.contains("1 alert (critical, press !)"), "{first}");
            let _ = writeln!(all, "── {what}, {width} columns:\n{first}");
        }
    };
    title_rows(&state, "live");
    state.session.replay = Some(ReplayStatus {
        name: "demo.rnyx.gz".into(),
        started: (NOW - 300) * 1000,
        length: 125_000,
        speed: 1.0,
        paused: false,
    });
    title_rows(&state, "a replay that ended");
    for row in all.lines().filter(|l| l.starts_with("replay")) {
        assert!(row.contains(" 02:05 / 02:05 ended  Tor "), "{row}");
    }
    insta::assert_snapshot!(all);
}
