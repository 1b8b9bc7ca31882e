//! Recording a real tor and playing it back with no tor: the same screens
//! at the same moment, the keys that move a replay, `--dump --replay`.
//!
//! A replay's clock is the process's, so these tests run one at a time.

mod support;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rnyx::controller::{now_ms, ControllerConfig, ControllerHandle};
use rnyx::launch::SingleTorOptions;
use rnyx_panels::app::App;
use rnyx_panels::keymap::Key;
use rnyx_panels::model::ControllerState;
use std::time::Duration;
use support::{eventually, single_tor};

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

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

/// Waits until the state has not changed for half a second.
async fn settled(handle: &ControllerHandle) {
    let mut last = (u64::MAX, tokio::time::Instant::now());
    eventually("the state to settle", 30, || {
        let (ready, generation) = handle.state.read(|s| {
            let ready = !s.subscribed_events.is_empty() && s.manual.is_some();
            (ready, s.generation)
        });
        if generation != last.0 {
            last = (generation, tokio::time::Instant::now());
        }
        (ready && last.1.elapsed() >= Duration::from_millis(500)).then_some(())
    })
    .await;
}

/// A recording made against a real tor, played at the moment a screen was
/// taken live, gives the same screens on every page (but the header's first
/// line, which says it is a replay) — tor's facts, events, log times,
/// /proc samples, sockets and torrc all from the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_replays_to_the_same_screens() {
    let _one = ONE_AT_A_TIME.lock().await;
    let (dir, mut tor) = single_tor(SingleTorOptions::default());
    let file = dir.path().join("relay.rnyx.gz");
    let recorder = rnyx::record::Recorder::create(&file, 1 << 20).unwrap();
    // Over TCP: rnyx's own control connection is a socket of tor's.
    let live = rnyx::controller::spawn(ControllerConfig {
        targets: vec![tor.port_target().unwrap()],
        recorder: Some(recorder.clone()),
        history_dir: None,
        connection_rate: Duration::from_secs(1),
        ..rnyx::config::Config::default().controller_config(vec![], None)
    });
    eventually("BW events and tor's sockets", 30, || {
        live.state.read(|s| {
            let scanned = !s.connections.list.is_empty();
            (s.bandwidth.len() >= 4 && scanned && s.manual.is_some() && s.config.torrc.read_at > 0)
                .then_some(())
        })
    })
    .await;
    // Just after an event is applied: nothing else is under way.
    let seen = live.state.read(|s| s.events_received);
    let (state, at) = eventually("the next event", 10, || {
        live.state
            .read(|s| (s.events_received > seen).then(|| (s.clone(), now_ms())))
    })
    .await;
    drop(live);
    recorder.close();
    tor.kill();
    let recording = rnyx::record::read(&file).unwrap();
    assert_eq!(recording.cut, None);
    let kinds: std::collections::BTreeSet<&str> =
        recording.lines.iter().map(|l| l.d.as_str()).collect();
    for kind in [">", "<", "system", "sockets", "torrc", "applied"] {
        assert!(kinds.contains(kind), "no {kind} line in {kinds:?}");
    }
    let screens = pages(&state, at / 1000, 120, 40);

    let player = rnyx::replay::Player::new("relay", &recording, 1.0);
    player
        .clock
        .hold_at(at.saturating_sub(recording.header.started));
    let replay = rnyx::controller::spawn(ControllerConfig {
        replay: Some(player),
        ..ControllerConfig::default()
    });
    settled(&replay).await;
    let replayed = replay.state.read(|s| pages(s, at / 1000, 120, 40));
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
        assert_eq!(s.system.hostname, state.system.hostname);
        assert_eq!(s.connections.list.len(), state.connections.list.len());
    });
    let refused = replay.command("SIGNAL NEWNYM").await.unwrap();
    assert_eq!(refused.status, 551);
    assert!(refused.message().contains("not available in a replay"));
}
