//! Recording a real tor and playing it back with no tor: the same screens
//! at the same moment, the keys that move a replay, `--dump --replay`.
//!
//! A replay's clock is the process's, so these tests run one at a time.

mod support;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rnyx::controller::{ControllerConfig, ControllerHandle};
use rnyx::launch::SingleTorOptions;
use rnyx_grammar::command::Command;
use rnyx_grammar::request::{self as ask, Request};
use rnyx_grammar::signal::Signal;
use rnyx_model::ControllerState;
use rnyx_panels::app::App;
use rnyx_panels::keymap::Key;
use std::time::Duration;
use support::{eventually, single_tor};

fn settings() -> rnyx_panels::app::AppSettings {
    rnyx::config::Config::default().app_settings()
}

/// Every page of the app drawn from `state` at unix time `now`, row by row.
fn pages(state: &ControllerState, now: u64, width: u16, height: u16) -> Vec<Vec<String>> {
    let mut app = App::new(settings());
    let area = Rect::new(0, 0, width, height);
    let mut out = Vec::new();
    for _ in 0..5 {
        let mut buf = Buffer::empty(area);
        app.render(state, now, area, &mut buf);
        out.push(
            (0..height)
                .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect())
                .collect(),
        );
        app.handle_key(Key::Right, state, now);
    }
    out
}

/// Waits until the task says everything up to the replay's position is
/// in its state, with tor's manual (as the UI asks for it when page 3 or 5
/// is first shown).
async fn settled(handle: &ControllerHandle) {
    handle.want_manual();
    eventually("tor's manual", 30, || {
        handle
            .state
            .read(|s| s.facts.manual.is_some().then_some(()))
    })
    .await;
    let settled = tokio::time::timeout(
        Duration::from_secs(30),
        handle.ask(Request::Session(
            rnyx_grammar::request::SessionRequest::Settled,
        )),
    )
    .await;
    assert_eq!(
        settled.expect("the replay settled within 30 s"),
        rnyx_grammar::request::Response::Done(String::new())
    );
}

/// The signing certificate was read live and recorded: the replay has its
/// expiry, and the alert it raises (30 days left, warned of at 40).
fn certificate_replayed(
    live: &rnyx_model::ControllerState,
    replay: &rnyx::controller::ControllerHandle,
    now: u64,
) {
    let cert = live.health.cert_expires;
    assert!(cert.is_some(), "the live tor's certificate was read");
    assert_eq!(replay.state.read(|s| s.health.cert_expires), cert);
    let mut settings = rnyx_model::health::AlertSettings::default();
    settings.thresholds.cert_warning_days = 40.0;
    let mut judged = replay.state.snapshot();
    rnyx_model::health::evaluate(&mut judged, &settings, now);
    assert!(
        judged
            .health
            .active
            .iter()
            .any(|a| a.kind == rnyx_model::health::AlertKind::CertExpiry),
        "{:?}",
        judged.health.active
    );
}

/// A live session with `target` recorded to `recorder`: tor's
/// configuration changed (the rate set), then the state just after an
/// event is applied, the unix ms it was taken at, and the rate.
async fn recorded_live(
    target: rnyx::control::Target,
    recorder: &rnyx::record::Recorder,
) -> (ControllerState, u64, u64) {
    let live = rnyx::controller::spawn(ControllerConfig {
        targets: vec![target],
        host: rnyx::host::recording(rnyx::host::local(None), recorder.clone()),
        history_dir: None,
        connection_rate: Duration::from_secs(1),
        ..rnyx::settings::task_of(&rnyx::config::Config::default(), vec![], None)
    });
    live.want_manual();
    eventually("BW events and tor's sockets", 30, || {
        live.state.read(|s| {
            let scanned = !s.net.connections.list.is_empty();
            (s.traffic.bandwidth.len() >= 4
                && scanned
                && s.facts.manual.is_some()
                && s.facts.config.torrc.read_at > 0)
                .then_some(())
        })
    })
    .await;
    // tor's configuration changes: CONF_CHANGED, and the facts read again.
    let rate = 4_321_000;
    let pairs = vec![
        ("BandwidthRate".into(), Some(rate.to_string())),
        ("BandwidthBurst".into(), Some((2 * rate).to_string())),
    ];
    let set = live.ask(ask::SetConf(pairs).into()).await;
    assert_eq!(set, rnyx_grammar::request::Response::Done(String::new()));
    eventually("the new rate in tor's facts", 30, || {
        live.state
            .read(|s| (s.facts.relay.bandwidth_rate == Some(rate)).then_some(()))
    })
    .await;
    // Just after an event is applied: nothing else is under way.
    let seen = live.state.read(|s| s.session.events_received);
    let (state, at) = eventually("the next event", 30, || {
        live.state.read(|s| {
            (s.session.events_received > seen).then(|| (s.clone(), rnyx::host::system_ms()))
        })
    })
    .await;
    drop(live);
    (state, at, rate)
}

/// A recording made against a real tor, played at the moment a screen was
/// taken live, gives the same screens on every page (but the header's first
/// line, which says it is a replay) — tor's facts, events, log times,
/// /proc samples, sockets and torrc all from the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_replays_to_the_same_screens() {
    let (dir, mut tor) = single_tor(SingleTorOptions::default());
    let file = dir.path().join("relay.rnyx.gz");
    let recorder = rnyx::record::Recorder::create(&file, 1 << 20).unwrap();
    // Over TCP: rnyx's own control connection is a socket of tor's.
    let (state, at, rate) = recorded_live(tor.port_target().unwrap(), &recorder).await;
    recorder.close();
    tor.kill();
    let recording = rnyx::record::read(&file).unwrap();
    assert_eq!(recording.cut, None);
    let kinds: std::collections::BTreeSet<&str> =
        recording.lines.iter().map(|l| l.d.as_str()).collect();
    for kind in [">", "<", "system", "sockets", "torrc", "applied"] {
        assert!(kinds.contains(kind), "no {kind} line in {kinds:?}");
    }
    assert!(recording
        .lines
        .iter()
        .any(|l| l.l.starts_with("650-CONF_CHANGED")));
    let screens = pages(&state, at / 1000, 120, 40);

    let started = recording.header.started;
    let player = rnyx::replay::Player::new("relay", recording, 1.0);
    player.clock.hold_at(at.saturating_sub(started));
    let replay = rnyx::controller::spawn(ControllerConfig {
        host: rnyx::host::replay(player),
        ..ControllerConfig::default()
    });
    settled(&replay).await;
    assert_eq!(
        replay.state.read(|s| s.facts.relay.bandwidth_rate),
        Some(rate)
    );
    certificate_replayed(&state, &replay, at / 1000);
    let mut replayed = replay.state.read(|s| pages(s, at / 1000, 120, 40));
    // tor's uptime is read as a count of seconds and made a start time
    // with the second it was applied live, and with the second it was
    // recorded in the replay: those may fall on either side of a second's
    // edge. Within a second they are the same screen.
    let mut screens = screens;
    let live_uptime = uptime_of(&screens[0]);
    let replayed_uptime = uptime_of(&replayed[0]);
    assert!(
        live_uptime.abs_diff(replayed_uptime) <= 1,
        "uptime {live_uptime} s live, {replayed_uptime} s replayed"
    );
    for screen in screens.iter_mut().chain(replayed.iter_mut()) {
        mask_uptime(screen);
    }
    for (page, (live, replayed)) in screens.iter().zip(&replayed).enumerate() {
        assert!(
            replayed[0].starts_with("replay of relay ("),
            "{}",
            replayed[0]
        );
        assert_eq!(
            live[1..],
            replayed[1..],
            "page {}:\nlive:\n{}\nreplayed:\n{}",
            page + 1,
            live.join("\n"),
            replayed.join("\n")
        );
    }
    // Nothing of tor's is asked of this host: the pid tor had is not read.
    replay.state.read(|s| {
        assert_eq!(s.facts.system.hostname, state.facts.system.hostname);
        assert_eq!(
            s.net.connections.list.len(),
            state.net.connections.list.len()
        );
    });
    let refused = replay
        .command(Command::Signal(Signal::Newnym))
        .await
        .unwrap();
    assert_eq!(refused.status, 551);
    assert!(refused.message().contains("not available in a replay"));
}

/// The header's tor uptime (`uptime: mm:ss`), in seconds.
fn uptime_of(screen: &[String]) -> u64 {
    let line = screen
        .iter()
        .find(|l| l.contains("uptime: "))
        .expect("an uptime");
    let text = line
        .split("uptime: ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    text.split(':')
        .fold(0, |t, part| t * 60 + part.parse::<u64>().unwrap())
}

/// The screen with the header's uptime blanked.
fn mask_uptime(screen: &mut [String]) {
    for line in screen.iter_mut() {
        if let Some((before, after)) = line.split_once("uptime: ") {
            let rest = after.split_once(' ').map_or("", |(_, r)| r);
            *line = format!("{before}uptime: -- {rest}");
        }
    }
}

/// The header's `position / length` of a replay, in seconds.
fn header_position(screen: &[String]) -> u64 {
    let title = &screen[0];
    let before = title.split(" / ").next().unwrap();
    let clock = before.rsplit(' ').next().unwrap();
    clock
        .split(':')
        .fold(0, |acc, part| acc * 60 + part.parse::<u64>().unwrap())
}

/// The shipped demo recording through the UI loop: `>` and `<` seek a
/// minute, `+` and `-` change the speed, `p` pauses; the header says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_keys_seek_pause_and_change_speed_through_the_ui_loop() {
    let recording = rnyx::record::read_from("demo", rnyx::demo::RECORDING).unwrap();
    assert!(recording.cut.is_none());
    let player = rnyx::replay::Player::new("demo", recording, 1.0);
    let length = player.clock.length() / 1000;
    assert!(length >= 150, "the demo lasts {length} s");
    let handle = rnyx::monitor::spawn_replay(player.clone(), &rnyx::config::Config::default());
    eventually("the replay connected", 30, || {
        handle
            .state
            .read(|s| s.session.connection.connected.then_some(()))
    })
    .await;
    let mut ui = support::ui::Ui::new(App::new(settings()), &handle, 120, 40);
    let key = |c| rnyx::ui::Input::Key(Key::Char(c));
    let screen = ui.step(&[]).await;
    assert!(screen[0].starts_with("replay of demo ("), "{}", screen[0]);
    assert!(screen[0].contains(&format!(" / {}", rnyx_panels::format::uptime(length))));
    // Paused first: every position after is exact, however long each step
    // takes here.
    let screen = ui.step(&[key('p')]).await;
    assert!(screen[0].contains(" paused"), "{}", screen[0]);
    let start = player.clock.position();
    // The header says the clock's second (or the one before, drawn as the
    // pause was taken).
    let shown = |screen: &[String], ms: u64| {
        let at = header_position(screen);
        assert!(
            at == ms / 1000 || at + 1 == ms / 1000,
            "{ms} ms: {}",
            screen[0]
        );
    };
    // A minute on: what happened meanwhile is played at once.
    let circuits_before = handle.state.read(|s| s.session.events_received);
    let screen = ui.step(&[key('>')]).await;
    let on = player.clock.position();
    assert_eq!(on, start + 60_000, "{}", screen[0]);
    shown(&screen, on);
    settled(&handle).await;
    assert!(handle.state.read(|s| s.session.events_received) > circuits_before);
    // Twice as fast, still paused: the clock holds.
    let screen = ui.step(&[key('+')]).await;
    assert!(screen[0].contains(" x2"), "{}", screen[0]);
    assert!(screen[0].contains(" paused"), "{}", screen[0]);
    let held = player.clock.position();
    let screen = ui.step(&[]).await;
    assert_eq!(player.clock.position(), held, "{}", screen[0]);
    // A minute back: the session starts again and plays up to there.
    ui.step(&[key('<')]).await;
    settled(&handle).await;
    let screen = ui.step(&[]).await;
    assert_eq!(player.clock.position(), start, "{}", screen[0]);
    shown(&screen, start);
    let back = start / 1000;
    handle.state.read(|s| {
        assert!(s.session.connection.connected);
        assert!(
            s.traffic.bandwidth.len() as u64 + 5 >= back,
            "{} samples",
            s.traffic.bandwidth.len()
        );
    });
    // Slower again: no speed shown at ×1; playing on.
    let screen = ui.step(&[key('-'), key('p')]).await;
    assert!(!screen[0].contains(" x"), "{}", screen[0]);
    assert!(!screen[0].contains("paused"), "{}", screen[0]);
}

/// `rnyx --dump --replay FILE --at SECONDS`: the state that far in.
#[test]
fn dump_of_a_replay_at_a_moment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.rnyx.gz");
    std::fs::write(&file, rnyx::demo::RECORDING).unwrap();
    let at = |secs: &str| {
        support::json_of(
            support::rnyx()
                .args(["--dump", "--replay"])
                .arg(&file)
                .args(["--at", secs]),
        )
    };
    let early = at("20");
    let late = at("150");
    assert_eq!(early["nickname"], "relay0");
    assert_eq!(early["replay"]["at"], 20_000);
    assert_eq!(late["replay"]["at"], 150_000);
    assert!(late["traffic_read"].as_u64() > early["traffic_read"].as_u64());
    assert!(!late["connections"].as_array().unwrap().is_empty());
    assert!(!late["circuits"].as_array().unwrap().is_empty());
    // A broken file: the error names it and where.
    std::fs::write(
        &file,
        &rnyx::demo::RECORDING[..rnyx::demo::RECORDING.len() / 3],
    )
    .unwrap();
    let out = support::rnyx()
        .args(["--dump", "--replay"])
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("demo.rnyx.gz") && err.contains("byte"),
        "{err}"
    );
}

/// `rnyx demo` with `dir` first on PATH: the one line it says, and the
/// screen once the monitor is up.
fn demo_with_path(path: &str, session: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let err = dir.path().join("stderr");
    let tmux = support::tmux::Tmux::new(session);
    let cmd = format!(
        "{} PATH={path} {} demo 2>{}; sleep 600",
        support::home_prefix(),
        env!("CARGO_BIN_EXE_rnyx"),
        err.display()
    );
    // Tall: the log keeps its first entries in view while the recording's
    // first seconds play (a loaded machine polls the screen late).
    tmux.start("t", &cmd, 120, 150);
    // The log opens with rnyx's word that the test network's warnings are
    // normal there.
    let screen = tmux.wait_for("t", 30, |s| {
        s.contains("replay of demo")
            && s.contains("relay0")
            && s.contains("demo: a private test network's tors warn of things that are")
    });
    // What it said before the monitor took the terminal.
    let said = std::fs::read_to_string(&err).unwrap();
    tmux.stop("t");
    (said, screen)
}

#[test]
fn demo_plays_the_shipped_recording_without_tor() {
    let (said, screen) = demo_with_path("/nonexistent", "rnyx-demo-notor");
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("`tor` is not installed"), "{said}");
    assert!(
        said.contains("playing the recording shipped with rnyx"),
        "{said}"
    );
    assert!(screen.contains("relay0"), "{screen}");
    // Said on the screen too: in the header, and as rnyx's newest word in
    // the log when the recording starts.
    assert!(
        screen.contains("replay of demo (`tor` is not installed)"),
        "{screen}"
    );
    assert!(
        screen.contains("[RNYX_NOTICE] demo: `tor` is not installed (Debian: apt-get install"),
        "{screen}"
    );
}

#[test]
fn demo_plays_the_shipped_recording_when_namespaces_are_refused() {
    let fake = tempfile::tempdir().unwrap();
    for tool in ["tor", "tor-gencert", "nsenter", "ip"] {
        let real = rnyx::launch::which(tool).unwrap();
        std::os::unix::fs::symlink(real, fake.path().join(tool)).unwrap();
    }
    let unshare = fake.path().join("unshare");
    std::fs::write(
        &unshare,
        "#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(
        &unshare,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let (said, screen) = demo_with_path(&fake.path().display().to_string(), "rnyx-demo-nons");
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.contains("refuses unprivileged network namespaces"),
        "{said}"
    );
    assert!(said.contains("Operation not permitted"), "{said}");
    assert!(screen.contains("relay0"), "{screen}");
}

/// The shipped demo recording's replay, held at `seconds`, once settled.
async fn demo_at(seconds: u64) -> (std::sync::Arc<rnyx::replay::Player>, ControllerHandle) {
    let recording = rnyx::record::read_from("demo", rnyx::demo::RECORDING).unwrap();
    let player = rnyx::replay::Player::new("demo", recording, 1.0);
    player.clock.hold_at(seconds * 1000);
    let handle = rnyx::monitor::spawn_replay(player.clone(), &rnyx::config::Config::default());
    settled(&handle).await;
    (player, handle)
}

/// tor's facts and the tables as a replay has them.
fn replay_facts(handle: &ControllerHandle) -> (Option<u64>, u64, u64, usize, usize) {
    handle.state.read(|s| {
        (
            s.facts.relay.start_time,
            s.traffic.traffic_read,
            s.traffic.traffic_written,
            s.traffic.bandwidth.len(),
            s.net.circuits.len(),
        )
    })
}

/// Seeks `seeking` by `by` seconds, then checks it shows what `straight`
/// (played straight to `to` seconds) shows: tor's facts, and page 1 below
/// the replay's header line.
async fn seek_matches(
    (player, seeking): (std::sync::Arc<rnyx::replay::Player>, ControllerHandle),
    by: i64,
    to: u64,
    straight: &ControllerHandle,
) {
    seeking
        .replay(rnyx_model::ReplayControl::Seek(by))
        .await
        .unwrap();
    settled(&seeking).await;
    assert_eq!(player.clock.position(), to * 1000);
    assert_eq!(replay_facts(&seeking), replay_facts(straight));
    let now = seeking.state.shown_secs();
    assert_eq!(now, straight.state.shown_secs());
    let page = |h: &ControllerHandle| h.state.read(|s| pages(s, now, 120, 40).remove(0));
    assert_eq!(page(&seeking)[1..], page(straight)[1..]);
}

/// The state of a replay at a moment, however it got there: played
/// straight to 60 s, or to 120 s and then a minute back. A new session
/// starts on the recording's clock, not where the last one stopped (tor's
/// uptime read 00:00 and the average 0 B/s after `<`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeking_back_gives_the_state_of_playing_straight_there() {
    let (_p, straight) = demo_at(60).await;
    let seeking = demo_at(120).await;
    assert_ne!(
        replay_facts(&seeking.1),
        replay_facts(&straight),
        "the two moments differ"
    );
    seek_matches(seeking, -60, 60, &straight).await;
}

/// Seeking a minute on gives the state of playing straight there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeking_on_gives_the_state_of_playing_straight_there() {
    let (_p, straight) = demo_at(120).await;
    seek_matches(demo_at(60).await, 60, 120, &straight).await;
}

/// The live demo, watched from its first frame: while its network starts
/// the header says so ("Starting a private tor network (n of 6 tors
/// up)…"), never "Disconnected"; the test network's usual warnings are
/// marked expected, with why, so none at the top of the log is
/// unexplained.
#[test]
fn the_live_demo_never_says_disconnected_and_explains_its_warnings() {
    let tmux = support::tmux::Tmux::new("rnyx-demo-live");
    let cmd = format!(
        "{} {} demo; echo RNYX-EXITED $?; sleep 600",
        support::home_prefix(),
        env!("CARGO_BIN_EXE_rnyx"),
    );
    tmux.start("t", &cmd, 160, 50);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut frames = 0;
    let screen = loop {
        let screen = tmux.screen("t");
        assert!(
            !screen.contains("Disconnected") && !screen.contains("RNYX-EXITED"),
            "{screen}"
        );
        if screen.contains("Tor 0.4") && screen.contains("[WARN, expected]") {
            break screen;
        }
        frames += 1;
        assert!(std::time::Instant::now() < deadline, "{screen}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    eprintln!("{frames} screens looked at before relay0 answered");
    assert!(
        !screen.contains("[WARN]"),
        "an unexplained warning:\n{screen}"
    );
    assert!(screen.contains("(expected here: "), "{screen}");
    // The terminal closed under it (a window closed, ssh dropped): the
    // network is torn down and its directory removed all the same.
    let made = demo_dirs();
    assert!(!made.is_empty(), "no demo directory");
    tmux.stop("t");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while made.iter().any(|d| d.exists()) {
        assert!(std::time::Instant::now() < deadline, "{made:?} left behind");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The live demos' directories (`rnyx-demo-*` in the temporary directory).
fn demo_dirs() -> Vec<std::path::PathBuf> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("rnyx-demo-"))
        .map(|e| e.path())
        .collect()
}
