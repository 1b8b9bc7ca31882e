//! Why rnyx cannot watch a tor, said by class against real tors: a socket
//! this user may not open, a tor killed (refused) or stopped (its socket
//! gone), a wrong password. Each has its own sentence, `--check` status
//! and alert; the monitor stops at start with the sentence when no relay
//! could ever be watched as given, and waits for a tor that is only down.

mod support;

use rnyx::launch::{ControlKind, SingleTor, SingleTorOptions};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;
use support::single_tor;

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The words to run rnyx as a user for whom permissions count: as root,
/// `nobody` in no group; else the tests' own user.
fn other_user() -> &'static str {
    if support::is_root() {
        "setpriv --reuid=nobody --regid=nogroup --clear-groups --"
    } else {
        ""
    }
}

/// rnyx with `args`, as [`other_user`], its home a fresh directory.
fn rnyx_as_other(args: &[&str]) -> Output {
    let home = home_for_other();
    let mut words: Vec<String> = other_user().split_whitespace().map(str::to_owned).collect();
    words.push(env!("CARGO_BIN_EXE_rnyx").to_owned());
    words.extend(args.iter().map(|a| (*a).to_owned()));
    let h = home.path();
    let out = std::process::Command::new(&words[0])
        .args(&words[1..])
        .env("HOME", h)
        .env("XDG_CONFIG_HOME", h)
        .env("XDG_STATE_HOME", h)
        .env("XDG_DATA_HOME", h)
        .env("XDG_CACHE_HOME", h)
        .output()
        .unwrap();
    drop(home);
    out
}

fn home_for_other() -> tempfile::TempDir {
    let home = tempfile::Builder::new()
        .prefix("rnyx-home-other-")
        .tempdir()
        .unwrap();
    chmod(home.path(), 0o777);
    home
}

/// `--check`'s status word, first line and exit code.
fn check(out: &Output) -> (String, i32) {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        text.lines().next().unwrap_or("").to_owned(),
        out.status.code().unwrap(),
    )
}

/// The one line `--dump` says on stderr, its exit code 1.
fn dump_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    err
}

/// The monitor in tmux, as [`other_user`] where `as_other`; its home,
/// to keep while it runs.
#[must_use]
fn monitor(
    tmux: &support::tmux::Tmux,
    session: &str,
    args: &str,
    as_other: bool,
) -> tempfile::TempDir {
    let home = home_for_other();
    let h = home.path().display().to_string();
    let who = if as_other { other_user() } else { "" };
    let cmd = format!(
        "env HOME={h} XDG_CONFIG_HOME={h} XDG_STATE_HOME={h} XDG_DATA_HOME={h} \
         XDG_CACHE_HOME={h} {who} {} {args}; echo RNYX-EXITED $?; sleep 600",
        env!("CARGO_BIN_EXE_rnyx"),
    );
    tmux.start(session, &cmd, 160, 40);
    home
}

/// Closes the alerts list, then quits the monitor (an Escape written with
/// the `q` after it would read as Alt-q); it exits 0.
fn close_and_quit(tmux: &support::tmux::Tmux, session: &str) {
    tmux.keys(session, &["Escape"]);
    tmux.wait_for(session, 30, |s| !s.contains("Press any key to close"));
    tmux.keys(session, &["q", "q"]);
    tmux.wait_for(session, 30, |s| s.contains("RNYX-EXITED 0"));
}

/// A tor whose control socket (group-writable) its directory lets anyone
/// reach, so that only the socket's own mode stands in the way.
fn reachable_socket_tor() -> (tempfile::TempDir, SingleTor) {
    let (d, tor) = single_tor(SingleTorOptions {
        control: ControlKind::Socket,
        extra: vec![("ControlSocketsGroupWritable".into(), "1".into())],
        ..Default::default()
    });
    chmod(d.path(), 0o755);
    chmod(&tor.dir, 0o755);
    if !support::is_root() {
        // The tests' own user: the socket's mode must refuse it.
        chmod(&tor.socket_path(), 0o000);
    }
    (d, tor)
}

#[test]
fn a_socket_this_user_may_not_open_is_a_permission_not_tor_down() {
    let (_d, tor) = reachable_socket_tor();
    let sock = tor.socket_path();
    let sock = sock.to_str().unwrap();
    let said = format!("permission denied opening {sock} (s");

    let out = rnyx_as_other(&["--check", "-s", sock]);
    let (first, code) = check(&out);
    assert_eq!(code, 3, "UNKNOWN, not CRITICAL: {first}");
    assert!(first.starts_with("RNYX UNKNOWN - "), "{first}");
    assert!(first.contains(&said), "{first}");
    assert!(!first.contains("tor is down"), "{first}");
    if support::is_root() {
        // srw-rw---- root:root: joining the group would do.
        assert!(
            first.contains("(srw-rw---- root:root); add your user to the group root and log in again: sudo usermod -aG root \"$USER\""),
            "{first}"
        );
    }

    let err = dump_error(&rnyx_as_other(&["--dump", "-s", sock]));
    assert!(err.starts_with(&format!("rnyx: {said}")), "{err}");

    // The monitor says it and stops, before taking the screen: nothing
    // waiting would change lets this user in.
    let tmux = support::tmux::Tmux::new("rnyx-perm");
    let _home = monitor(&tmux, "t", &format!("-s {sock}"), true);
    let screen = tmux.wait_for("t", 30, |s| s.contains("RNYX-EXITED"));
    assert!(screen.contains(&format!("rnyx: {said}")), "{screen}");
    assert!(screen.contains("RNYX-EXITED 1"), "{screen}");

    // --wait opens it anyway; the alert names the class and its advice.
    let _home = monitor(&tmux, "w", &format!("--wait -s {sock}"), true);
    tmux.wait_for("w", 30, |s| s.contains("Tor Disconnected"));
    tmux.keys("w", &["!"]);
    let screen = tmux.wait_for("w", 30, |s| {
        s.contains("rnyx may not open tor's control socket or cookie")
    });
    assert!(screen.contains("add your user to the group"), "{screen}");
    assert!(!screen.contains("systemctl start"), "{screen}");
    close_and_quit(&tmux, "w");
}

#[test]
fn a_killed_tor_is_down_and_the_monitor_waits_for_it() {
    let (_d, mut tor) = single_tor(SingleTorOptions {
        control: ControlKind::Socket,
        ..Default::default()
    });
    let sock = tor.socket_path();
    // SIGKILL: tor leaves its socket, which now refuses connections.
    tor.kill();
    assert!(sock.exists());
    let sock = sock.to_str().unwrap();
    let said = format!("tor is not running: {sock} refuses connections");

    let out = support::rnyx()
        .args(["--check", "-s", sock])
        .output()
        .unwrap();
    let (first, code) = check(&out);
    assert_eq!(code, 2, "CRITICAL: {first}");
    assert!(first.starts_with("RNYX CRITICAL - "), "{first}");
    assert!(first.contains(&said), "{first}");

    let err = dump_error(
        &support::rnyx()
            .args(["--dump", "-s", sock])
            .output()
            .unwrap(),
    );
    assert_eq!(
        err,
        format!("rnyx: {said} (a socket left by a tor that stopped)\n")
    );

    // The monitor opens and waits; the alert says start tor.
    let tmux = support::tmux::Tmux::new("rnyx-down");
    let _home = monitor(&tmux, "t", &format!("-s {sock}"), false);
    tmux.wait_for("t", 30, |s| s.contains("Tor Disconnected"));
    tmux.keys("t", &["!"]);
    let screen = tmux.wait_for("t", 30, |s| s.contains("tor is down"));
    assert!(screen.contains("systemctl start tor@default"), "{screen}");
    close_and_quit(&tmux, "t");

    // With one relay that could never be watched beside it, the monitor
    // still opens for the one that is only down.
    let _home = monitor(
        &tmux,
        "f",
        &format!("-s /nonexistent/control -s {sock}"),
        false,
    );
    tmux.wait_for("f", 30, |s| s.contains("Relays (2 watched, 0 up)"));
    tmux.keys("f", &["q", "q"]);
    tmux.wait_for("f", 30, |s| s.contains("RNYX-EXITED 0"));
}

#[test]
fn a_stopped_tors_socket_is_gone_a_wrong_path_is_not_tor_down() {
    let (d, tor) = single_tor(SingleTorOptions {
        control: ControlKind::Socket,
        // A relay waits ShutdownWaitLength (30 s) after SIGTERM before it
        // goes: none here, so a loaded machine cannot stretch it past the
        // deadline below.
        extra: vec![("ShutdownWaitLength".into(), "0".into())],
        ..Default::default()
    });
    let sock = tor.socket_path();
    // SIGTERM: tor removes its socket on its way out.
    let pid = tor.pid().unwrap();
    std::process::Command::new("kill")
        .arg(pid.to_string())
        .status()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while sock.exists() {
        assert!(std::time::Instant::now() < deadline, "tor kept its socket");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let sock = sock.to_str().unwrap();
    let out = support::rnyx()
        .args(["--check", "-s", sock])
        .output()
        .unwrap();
    let (first, code) = check(&out);
    assert_eq!(code, 2, "{first}");
    assert!(
        first.contains(&format!(
            "tor is not running: there is no control socket at {sock} (tor removes it when it stops)"
        )),
        "{first}"
    );

    // A path whose directory does not exist, a directory, a regular file:
    // the operator's to fix, UNKNOWN, and the monitor stops at start.
    let nowhere = d.path().join("no-dir/control");
    let file = d.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let cases = [
        (
            nowhere.display().to_string(),
            format!(
                "there is no control socket at {}, nor the directory {}",
                nowhere.display(),
                d.path().join("no-dir").display()
            ),
        ),
        (
            d.path().display().to_string(),
            format!("{} is a directory, not a socket", d.path().display()),
        ),
        (
            file.display().to_string(),
            format!("{} is a regular file, not a socket", file.display()),
        ),
    ];
    let tmux = support::tmux::Tmux::new("rnyx-path");
    for (i, (path, said)) in cases.iter().enumerate() {
        let out = support::rnyx()
            .args(["--check", "-s", path])
            .output()
            .unwrap();
        let (first, code) = check(&out);
        assert_eq!(code, 3, "{first}");
        assert!(first.contains(said), "{first}");
        let err = dump_error(
            &support::rnyx()
                .args(["--dump", "-s", path])
                .output()
                .unwrap(),
        );
        assert!(err.starts_with(&format!("rnyx: {said}")), "{err}");
        let session = format!("p{i}");
        let _home = monitor(&tmux, &session, &format!("-s {path}"), false);
        let screen = tmux.wait_for(&session, 30, |s| s.contains("RNYX-EXITED"));
        assert!(screen.contains(&format!("rnyx: {said}")), "{screen}");
        assert!(screen.contains("RNYX-EXITED 1"), "{screen}");
    }
    // Two relays that could never be watched: a sentence each, exit 1.
    let _home = monitor(
        &tmux,
        "two",
        &format!("-s {} -s {}", cases[1].0, cases[2].0),
        false,
    );
    let screen = tmux.wait_for("two", 30, |s| s.contains("RNYX-EXITED"));
    assert!(
        screen.contains(&cases[1].1) && screen.contains(&cases[2].1),
        "{screen}"
    );
    assert!(screen.contains("RNYX-EXITED 1"), "{screen}");
}

#[test]
fn a_wrong_password_is_unknown_and_stops_the_monitor() {
    let (d, tor) = single_tor(SingleTorOptions {
        control: ControlKind::Socket,
        cookie: false,
        password: Some("right horse".into()),
        ..Default::default()
    });
    let wrong = d.path().join("wrong-password");
    std::fs::write(&wrong, "battery staple\n").unwrap();
    let sock = tor.socket_path();
    let sock = sock.to_str().unwrap();
    let wrong = wrong.to_str().unwrap();
    let said = "tor rejected the password (wrong password)";

    let out = support::rnyx()
        .args(["--check", "-s", sock, "--password-file", wrong])
        .output()
        .unwrap();
    let (first, code) = check(&out);
    assert_eq!(code, 3, "{first}");
    assert!(first.contains(said), "{first}");

    let out = support::rnyx()
        .args(["--dump", "-s", sock, "--password-file", wrong])
        .output()
        .unwrap();
    assert_eq!(dump_error(&out), format!("rnyx: {said}\n"));

    let tmux = support::tmux::Tmux::new("rnyx-auth");
    let _home = monitor(
        &tmux,
        "t",
        &format!("-s {sock} --password-file {wrong}"),
        false,
    );
    let screen = tmux.wait_for("t", 30, |s| s.contains("RNYX-EXITED"));
    assert!(screen.contains(&format!("rnyx: {said}")), "{screen}");
    assert!(screen.contains("RNYX-EXITED 1"), "{screen}");

    let _home = monitor(
        &tmux,
        "w",
        &format!("--wait -s {sock} --password-file {wrong}"),
        false,
    );
    tmux.wait_for("w", 30, |s| s.contains("Tor Disconnected"));
    tmux.keys("w", &["!"]);
    let screen = tmux.wait_for("w", 30, |s| s.contains("tor refused rnyx's authentication"));
    assert!(screen.contains("HashedControlPassword"), "{screen}");
    close_and_quit(&tmux, "w");
}

/// While something is starting tor (the demo's network), a tor that does
/// not answer yet is "starting", not down: no alert, no warning; past its
/// time, the usual failure.
#[tokio::test]
async fn starting_is_said_instead_of_down_until_its_time_is_up() {
    let config = |within: u64| rnyx::controller::ControllerConfig {
        targets: vec![rnyx::control::Target::Unix("/nonexistent/control".into())],
        starting: Some(rnyx::controller::Starting {
            within: std::time::Duration::from_secs(within),
            progress: std::sync::Arc::new(|| "starting a test network (1 of 2 tors up)".into()),
        }),
        ..rnyx::controller::ControllerConfig::default()
    };
    let handle = rnyx::controller::spawn(config(3600));
    // Several attempts, each still "starting".
    support::eventually("attempts made", 30, || {
        handle.state.read(|s| {
            (s.session.connection.starting.is_some() && s.session.generation > 3).then_some(())
        })
    })
    .await;
    handle.state.read(|s| {
        assert_eq!(
            s.session.connection.starting.as_deref(),
            Some("starting a test network (1 of 2 tors up)")
        );
        assert_eq!(s.session.connection.last_error, None);
        assert!(s.health.active.is_empty(), "{:?}", s.health.active);
        assert!(
            !s.logs
                .log
                .iter()
                .any(|e| e.message.starts_with("cannot connect")),
            "no warning while starting"
        );
    });
    let handle = rnyx::controller::spawn(config(0));
    let kind = support::eventually("the usual failure", 30, || {
        handle
            .state
            .read(|s| s.health.active.first().map(|a| a.kind))
    })
    .await;
    assert_eq!(kind, rnyx_model::health::AlertKind::ControlPath);
    handle
        .state
        .read(|s| assert_eq!(s.session.connection.starting, None));
}

/// The README's sentences are the binary's own words for the same places.
#[test]
fn the_readme_says_what_rnyx_prints() {
    use rnyx::control::target::{Denied, Unreachable};
    use rnyx::control::{AuthError, ConnectError, Target};
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let unix = |p: &str| Target::Unix(p.into());
    let port = Target::parse_interface("9051").unwrap();
    let unreachable = |target: Target, why| ConnectError::Unreachable { target, why };
    let errors = [
        unreachable(unix("/run/tor/control"), Unreachable::SocketGone),
        unreachable(port.clone(), Unreachable::Refused),
        unreachable(port, Unreachable::TimedOut { secs: 5 }),
        unreachable(
            unix("/run/tor-instances/relay2/control"),
            Unreachable::NoSuchPath {
                dir: "/run/tor-instances/relay2".into(),
            },
        ),
        unreachable(
            unix("/etc/tor"),
            Unreachable::NotASocket {
                what: "a directory",
            },
        ),
        unreachable(
            unix("/run/tor/control"),
            Unreachable::Permission(Denied {
                path: "/run/tor/control".into(),
                mode: "srw-rw----".into(),
                owner: "debian-tor".into(),
                group: "debian-tor".into(),
                group_may: true,
            }),
        ),
        ConnectError::Auth(AuthError::CookieUnreadable {
            path: "/run/tor/control.authcookie".into(),
            reason: std::io::ErrorKind::PermissionDenied.to_string(),
            group_hint: " (debian-tor: sudo usermod -aG debian-tor $USER)".into(),
        }),
        ConnectError::Auth(AuthError::WrongPassword),
    ];
    for e in errors {
        let line = format!("\nrnyx: {e}\n");
        assert!(readme.contains(&line), "the README lacks{line}");
    }
}
