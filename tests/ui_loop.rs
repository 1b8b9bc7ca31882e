//! The UI loop on a TestBackend against a fake tor on a unix socket that
//! floods events: every event is applied, yet frames stay under the cap.

mod support;

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rnyx::config::Config;
use rnyx::control::Target;
use rnyx::controller::{spawn, ControllerConfig, ControllerHandle};
use rnyx::ui::{self, Input};
use rnyx_panels::app::App;
use rnyx_panels::keymap::Key;
use std::time::Duration;
use support::screen_text;
use tokio::net::UnixListener;

const EVENTS: usize = 20_000;

/// `EVENTS` BW events in bursts of 1,000, 20 ms apart.
fn bw_bursts() -> Vec<Vec<u8>> {
    let mut bursts = Vec::new();
    let mut burst = Vec::new();
    for i in 0..EVENTS {
        burst.extend_from_slice(format!("650 BW {i} {i}\r\n").as_bytes());
        if i % 1000 == 999 {
            bursts.push(std::mem::take(&mut burst));
        }
    }
    bursts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_events_is_applied_but_drawn_at_the_frame_cap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control");
    let listener = UnixListener::bind(&path).unwrap();
    tokio::spawn(support::fake_tor(
        listener,
        bw_bursts(),
        Duration::from_millis(20),
    ));

    let handle = spawn(ControllerConfig {
        targets: vec![Target::Unix(path)],
        ..ControllerConfig::default()
    });
    let mut app = App::new(Config::default().app_settings());
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let (input_tx, input) = tokio::sync::mpsc::channel(8);
    let max_fps = 10;
    // Until every event is applied (a hang is caught at 60 s): however
    // long that takes here, the frames stay under the cap for that time.
    let all_applied = async {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while handle.state.read(|s| s.session.events_received) < EVENTS as u64 {
            assert!(
                std::time::Instant::now() < deadline,
                "events not applied in 60 s"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let started = std::time::Instant::now();
    let stats = ui::run(
        &mut terminal,
        &mut app,
        &handle,
        input,
        max_fps,
        all_applied,
    )
    .await
    .unwrap();
    let took = started.elapsed();
    drop(input_tx);

    let received = handle.state.read(|s| s.session.events_received);
    assert_eq!(received, EVENTS as u64, "every event applied");
    assert!(stats.state_changes > 0);
    // At most max_fps frames a second of the run, plus the first frame.
    let cap = u64::try_from(took.as_millis() * u128::from(max_fps)).unwrap() / 1000 + 2;
    assert!(
        stats.frames <= cap,
        "{} frames in {took:?} for {} state changes",
        stats.frames,
        stats.state_changes
    );
    assert!(stats.frames >= 1, "it did draw");
    // The last frame shows the newest rate: BW events carried i bytes.
    let screen = screen_text(&terminal);
    assert!(screen.contains("Download ("), "{screen}");
}

/// A controller whose tor is not there, the app and a test terminal.
fn without_tor(width: u16, height: u16) -> (ControllerHandle, App, Terminal<TestBackend>) {
    let handle = spawn(ControllerConfig {
        targets: vec![Target::Unix("/nonexistent/control".into())],
        ..ControllerConfig::default()
    });
    let app = App::new(Config::default().app_settings());
    let terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    (handle, app, terminal)
}

#[tokio::test]
async fn keys_drive_the_app_and_quit_ends_the_loop() {
    let (handle, mut app, mut terminal) = without_tor(80, 24);
    let (tx, input) = tokio::sync::mpsc::channel(8);
    for k in [Key::Char('h'), Key::Esc, Key::Char('q'), Key::Char('q')] {
        tx.send(Input::Key(k)).await.unwrap();
    }
    let stats = tokio::time::timeout(
        Duration::from_secs(5),
        ui::run(
            &mut terminal,
            &mut app,
            &handle,
            input,
            20,
            std::future::pending(),
        ),
    )
    .await
    .expect("q q quits")
    .unwrap();
    assert_eq!(stats.inputs, 4);
    let screen = screen_text(&terminal);
    // No tor there: before the first attempt ends, and after.
    assert!(
        screen.contains("Connecting to tor…") || screen.contains("Tor Disconnected"),
        "{screen}"
    );
}

/// tor's manual is read only when a page showing it (the configuration
/// editor, the interpreter) is first shown: an operator who stays on the
/// other pages does not keep it in memory.
#[tokio::test]
async fn the_manual_is_read_when_a_page_showing_it_is_first_shown() {
    let (handle, app, _) = without_tor(120, 40);
    let mut ui = support::ui::Ui::new(app, &handle, 120, 40);
    let asked = || handle.state.manual_asked();
    // Each step returns once its keys are taken and the page drawn: had the
    // page asked for the manual, the ask would have been made by then.
    let screen = ui.step(&[]).await.join("\n");
    assert!(screen.contains("Bandwidth"), "{screen}");
    assert!(!asked(), "page 1 asked for the manual");
    // Page 2, the connections: no manual.
    let screen = ui.step(&[Input::Key(Key::Right)]).await.join("\n");
    assert!(screen.contains("Connections"), "{screen}");
    assert!(!asked(), "page 2 asked for the manual");
    assert!(handle.state.read(|s| s.facts.manual.is_none()));
    // Page 3, the configuration editor: asked, then read.
    ui.step(&[Input::Key(Key::Right)]).await;
    assert!(asked(), "page 3 did not ask for the manual");
    support::eventually("the manual read", 30, || {
        handle
            .state
            .read(|s| s.facts.manual.is_some().then_some(()))
    })
    .await;
}
