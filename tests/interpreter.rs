//! The interpreter against a real tor (`DisableNetwork 1`): typed through
//! the UI loop on page 5 (replies on screen, events it subscribes to, QUIT
//! closing only its own connection while the monitor keeps updating), and
//! `rnyx prompt --run` with its exit status.

mod support;

use rnyx::config::Config;
use rnyx::launch::SingleTorOptions;
use rnyx::ui::Input;
use rnyx_panels::app::App;
use rnyx_panels::keymap::Key;
use std::os::unix::fs::PermissionsExt;
use support::ui::Ui;
use support::{eventually, single_tor};

fn line(text: &str) -> Vec<Input> {
    let mut keys: Vec<Input> = text.chars().map(|c| Input::Key(Key::Char(c))).collect();
    keys.push(Input::Key(Key::Enter));
    keys
}

/// Steps the UI until its screen holds `text`; the screen.
async fn screen_with(ui: &mut Ui, text: &str) -> String {
    for _ in 0..80 {
        let screen = ui.step(&[]).await.join("\n");
        if screen.contains(text) {
            return screen;
        }
    }
    panic!("never on screen: {text}\n{}", ui.step(&[]).await.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_commands_reach_tor_on_their_own_connection() {
    let (dir, tor) = single_tor(SingleTorOptions::default());
    let handle = support::connected_controller(&tor).await;
    let history = dir.path().join("state/rnyx/history");
    let mut settings = Config::default().app_settings();
    settings.interpreter_history = Some(history.display().to_string());
    let mut ui = Ui::new(App::new(settings), &handle, 100, 40);
    // Page 5, left of the last (the load page).
    ui.step(&[
        Input::Key(Key::Left),
        Input::Key(Key::Left),
        Input::Key(Key::Enter),
    ])
    .await;
    ui.step(&line("GETINFO version")).await;
    let version = tor_version();
    let screen = screen_with(&mut ui, &format!("version={version}")).await;
    assert!(screen.contains(">>> GETINFO version"), "{screen}");
    // A refusal in tor's words.
    ui.step(&line("GETINFO no-such-key")).await;
    screen_with(&mut ui, "552 Unrecognized key \"no-such-key\"").await;
    // SETEVENTS on the interpreter's connection: its events in its output;
    // rnyx's own subscription is untouched.
    let subscribed = handle.state.read(|s| s.logs.subscribed_events.clone());
    ui.step(&line("SETEVENTS BW")).await;
    eventually("BW events on the interpreter's connection", 30, || {
        handle
            .state
            .read(|s| (s.logs.interpreter_events.total >= 2).then_some(()))
    })
    .await;
    ui.step(&line("/events BW")).await;
    let screen = screen_with(&mut ui, ">>> /events BW").await;
    assert!(screen.contains("650 BW"), "{screen}");
    assert_eq!(
        handle.state.read(|s| s.logs.subscribed_events.clone()),
        subscribed
    );
    // QUIT closes the interpreter's connection only.
    ui.step(&line("QUIT")).await;
    screen_with(&mut ui, "closing connection").await;
    let before = handle
        .state
        .read(|s| (s.session.events_received, s.traffic.bandwidth.len()));
    // Events keep coming and the graph its samples, rnyx connected.
    support::eventually("events and samples after QUIT", 30, || {
        handle.state.read(|s| {
            assert!(s.session.connection.connected, "rnyx stays connected");
            (s.session.events_received > before.0 && s.traffic.bandwidth.len() > before.1)
                .then_some(())
        })
    })
    .await;
    // The next command opens a new connection.
    ui.step(&line("GETINFO config-file")).await;
    screen_with(
        &mut ui,
        &format!("config-file={}", tor.dir.join("torrc").display()),
    )
    .await;
    // A secret is neither shown nor kept.
    ui.step(&line("AUTHENTICATE \"not-the-password\"")).await;
    let screen = screen_with(&mut ui, "AUTHENTICATE <hidden>").await;
    assert!(!screen.contains("not-the-password"), "{screen}");
    let kept = std::fs::read_to_string(&history).unwrap();
    assert!(
        kept.contains("GETINFO version\n") && kept.contains("QUIT\n"),
        "{kept}"
    );
    assert!(!kept.contains("AUTHENTICATE"), "{kept}");
    let mode = std::fs::metadata(&history).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

fn tor_version() -> String {
    let out = std::process::Command::new("tor")
        .arg("--version")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches('.')
        .to_owned()
}

fn prompt(socket: &std::path::Path, runs: &[&str]) -> (i32, String) {
    let mut cmd = support::rnyx();
    cmd.arg("prompt").arg("--socket").arg(socket);
    for r in runs {
        cmd.arg("--run").arg(r);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn prompt_runs_commands_and_says_when_tor_refused() {
    let (dir, tor) = single_tor(SingleTorOptions {
        relay: false,
        ..SingleTorOptions::default()
    });
    let socket = tor.socket_path();
    let (status, out) = prompt(&socket, &["GETINFO version", "/help QUIT"]);
    assert_eq!(status, 0, "{out}");
    assert!(
        out.starts_with(&format!("version={}", tor_version())),
        "{out}"
    );
    assert!(out.contains("interpreter's own connection"), "{out}");
    // No colour when the output is not a terminal.
    assert!(!out.contains('\u{1b}'), "{out}");
    let (status, out) = prompt(&socket, &["GETINFO version", "GETINFO no-such-key"]);
    assert_eq!(status, 1, "{out}");
    assert!(
        out.contains("552 Unrecognized key \"no-such-key\""),
        "{out}"
    );
    // A file of commands, one a line.
    let file = dir.path().join("commands");
    std::fs::write(
        &file,
        "# what tor is\nGETINFO version\n\nGETCONF DisableNetwork\n",
    )
    .unwrap();
    let (status, out) = prompt(&socket, &[file.to_str().unwrap()]);
    assert_eq!(status, 0, "{out}");
    assert!(out.ends_with("DisableNetwork=1\n"), "{out}");
    // Refused and answered in page 5's words (one core).
    let (status, out) = prompt(&socket, &["+LOADCONF", "/events"]);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains(rnyx_panels::interp::MULTI_LINE), "{out}");
    assert!(
        out.contains("no events received on the interpreter's connection"),
        "{out}"
    );
    // Typed at the prompt: the history is page 5's file, in page 5's
    // format; a file rustyline wrote before is read and rewritten.
    let state = dir.path().join("state");
    let history = state.join("rnyx/history");
    std::fs::create_dir_all(history.parent().unwrap()).unwrap();
    std::fs::write(&history, "#V2\nGETINFO version\nGETCONF C:\\\\x\n").unwrap();
    let mut typed = support::rnyx()
        .env("XDG_STATE_HOME", &state)
        .arg("prompt")
        .arg("--socket")
        .arg(&socket)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        typed.stdin.as_mut().unwrap(),
        b"GETINFO uptime\nAUTHENTICATE \"secret\"\n/quit\n",
    )
    .unwrap();
    let out = typed.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&history).unwrap(),
        "GETINFO version\nGETCONF C:\\x\nGETINFO uptime\n/quit\n"
    );
    let mode = std::fs::metadata(&history).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // No tor there: a clear error, non-zero.
    let (status, out) = prompt(&dir.path().join("nothing"), &["GETINFO version"]);
    assert_ne!(status, 0);
    assert!(out.contains("rnyx: ") && out.contains("nothing"), "{out}");
}
