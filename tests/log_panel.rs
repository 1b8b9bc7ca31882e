//! The log panel against one real tor (`DisableNetwork 1`): the event
//! dialog's effect switches tor to DEBUG through the UI loop, `a` saves what
//! is shown, the log is prepopulated from tor's own log file, and
//! `write_logs_to` appends every entry.

mod support;

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rnyx::config::Config;
use rnyx::controller::spawn;
use rnyx::launch::SingleTorOptions;
use rnyx::ui::{self, Input};
use rnyx_model::{EventSelection, LogSource, Runlevel};
use rnyx_panels::app::App;
use rnyx_panels::keymap::Key;
use std::time::Duration;
use support::{eventually, screen_text, single_tor};

fn typed(text: &str) -> Vec<Key> {
    let mut k: Vec<Key> = text.chars().map(Key::Char).collect();
    k.push(Key::Enter);
    k
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialog_switches_to_debug_and_a_saves_what_is_shown() {
    let (dir, tor) = single_tor(SingleTorOptions::default());
    let handle = support::connected_controller(&tor).await;
    eventually("events/names read", 30, || {
        handle
            .state
            .read(|s| (!s.facts.event_names.is_empty()).then_some(()))
    })
    .await;
    assert!(handle
        .state
        .read(|s| s.facts.event_names.contains(&"CIRC_BW".to_owned())));
    let no_debug = handle.state.read(|s| {
        !s.logs
            .log
            .iter()
            .any(|e| e.source == LogSource::Tor(Runlevel::Debug))
    });
    assert!(no_debug, "DEBUG is not subscribed at first");

    let mut app = App::new(Config::default().app_settings());
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let (tx, input) = tokio::sync::mpsc::channel(64);
    let (stop_tx, stop) = tokio::sync::oneshot::channel::<()>();
    let snapshot = dir.path().join("saved/logs/snapshot.txt");
    let driver = {
        let handle = handle.clone();
        let snapshot = snapshot.clone();
        async move {
            // e, space (DEBUG is first), tab to Ok, enter.
            for k in [Key::Char('e'), Key::Char(' '), Key::Tab, Key::Enter] {
                tx.send(Input::Key(k)).await.unwrap();
            }
            eventually("DEBUG lines from tor", 30, || {
                handle.state.read(|s| {
                    s.logs
                        .log
                        .iter()
                        .any(|e| e.source == LogSource::Tor(Runlevel::Debug))
                        .then_some(())
                })
            })
            .await;
            let (subscribed, logged) = handle.state.read(|s| {
                (
                    s.logs.subscribed_events.clone(),
                    s.logs.logged_events.clone(),
                )
            });
            assert!(subscribed.contains(&"DEBUG".to_owned()), "{subscribed:?}");
            assert!(!subscribed.iter().any(|e| e.starts_with("RNYX_")));
            let both = logged.shows_rnyx(Runlevel::Notice) && logged.shows_tor(Runlevel::Debug);
            assert!(both, "{logged:?}");

            // Pause so the snapshot matches a fixed state, then save it.
            tx.send(Input::Key(Key::Char('p'))).await.unwrap();
            let mut keys = vec![Key::Char('a')];
            keys.extend(typed(&snapshot.display().to_string()));
            for k in keys {
                tx.send(Input::Key(k)).await.unwrap();
            }
            eventually("the snapshot file", 30, || {
                std::fs::read_to_string(&snapshot).ok()
            })
            .await;
            let _ = stop_tx.send(());
        }
    };
    let (stats, ()) = tokio::join!(
        ui::run(&mut terminal, &mut app, &handle, input, 20, async {
            let _ = stop.await;
        }),
        driver
    );
    stats.unwrap();

    // The file holds what the paused panel showed, oldest first, readable by
    // its owner only.
    let text = std::fs::read_to_string(&snapshot).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&snapshot).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    let paused_state = handle.state.snapshot();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 5, "{text}");
    assert!(text.contains(" [DEBUG] "), "{text}");
    for l in &lines {
        let b = l.as_bytes();
        assert!(
            b.len() > 20 && b[4] == b'-' && b[10] == b' ' && b[13] == b':' && &b[19..21] == b" [",
            "`{l}`"
        );
    }
    // Its newest line is one the state holds.
    let last = lines.last().unwrap();
    let message = last.split_once("] ").unwrap().1;
    let message = message.split(" [").next().unwrap();
    assert!(
        paused_state
            .logs
            .log
            .iter()
            .any(|e| e.message.starts_with(message)),
        "{last}"
    );
    let screen = screen_text(&terminal);
    assert!(screen.contains("Events (TOR DEBUG,NOTICE-ERR"), "{screen}");
}

#[tokio::test]
async fn prepopulates_from_tors_log_file_and_writes_logs_to_a_file() {
    let (dir, tor) = single_tor(SingleTorOptions::default());
    let out = dir.path().join("rnyx-out/events.log");
    let mut config = Config {
        write_logs_to: Some(out.clone()),
        prepopulate_read_limit: 200,
        ..Config::default()
    };
    config.logged_events.set_rnyx(Runlevel::Info, true);
    config
        .warnings
        .push("a warning from the configuration".into());
    let handle = spawn(rnyx::settings::task_of(
        &config,
        vec![tor.socket_target()],
        None,
    ));
    // tor wrote its startup notices before rnyx connected: only its log
    // file has them.
    let from_file = eventually("tor's startup notices", 30, || {
        handle.state.read(|s| {
            s.logs
                .log
                .iter()
                .find(|e| e.message.starts_with("Opened Control listener"))
                .cloned()
        })
    })
    .await;
    assert_eq!(from_file.source, LogSource::Tor(Runlevel::Notice));
    let file_text = std::fs::read_to_string(tor.log_path()).unwrap();
    assert!(file_text.contains("Opened Control listener"));
    let said = handle.state.read(|s| {
        s.logs
            .log
            .iter()
            .any(|e| e.message.starts_with("read ") && e.message.contains("entries from tor's log"))
    });
    assert!(said, "rnyx says what it read");
    // The configuration's warning comes after the (older) entries from the file.
    let (file_at, warning_at) = eventually("the configuration's warning", 30, || {
        handle.state.read(|s| {
            let pos = |f: &dyn Fn(&str) -> bool| s.logs.log.iter().position(|e| f(&e.message));
            Some((
                pos(&|m| m.starts_with("Opened Control listener"))?,
                pos(&|m| m == "a warning from the configuration")?,
            ))
        })
    })
    .await;
    assert!(file_at < warning_at);

    handle
        .signal(rnyx_grammar::signal::Signal::Reload)
        .await
        .unwrap();
    let written = eventually("the reload notice in write_logs_to", 30, || {
        std::fs::read_to_string(&out)
            .ok()
            .filter(|t| t.contains("[NOTICE] Received reload signal"))
    })
    .await;
    // Prepopulated entries are written too, and rnyx's own.
    assert!(
        written.contains("[NOTICE] Opened Control listener"),
        "{written}"
    );
    assert!(written.contains("[RNYX_INFO] read "), "{written}");
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn events_chosen_while_disconnected_are_kept_for_the_next_connection() {
    let handle = support::absent_controller();
    let rejected = handle
        .set_events(EventSelection::parse(["debug", "CIRC"]).0)
        .await
        .unwrap();
    assert!(rejected.is_empty());
    assert_eq!(
        handle.state.read(|s| s.logs.logged_events.names()),
        ["DEBUG", "RNYX_NOTICE", "RNYX_WARN", "RNYX_ERR", "CIRC"]
    );
}
