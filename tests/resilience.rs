//! rnyx against a real tor that stops answering (SIGSTOP) and comes back
//! (SIGCONT), whose control socket is deleted while connected, and that is
//! killed and started again (a new pid, a new cookie) on the same socket and
//! port: said within seconds, commands refused with a notice, keys still
//! drawn, and back within a second of tor's socket or port.

mod support;

use rnyx::control::Target;
use rnyx::launch::{ControlKind, SingleTorOptions};
use rnyx_grammar::command::Command;
use rnyx_model::{LogSource, Runlevel};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{eventually, single_tor};

fn signal(pid: u32, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill {sig} {pid}");
}

/// A tor stopped with SIGCONT when the test ends, however it ends (a
/// stopped tor would not see its owner go).
struct Stopped(u32);

impl Stopped {
    fn new(pid: u32) -> Self {
        signal(pid, "-STOP");
        Stopped(pid)
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-CONT", &self.0.to_string()])
            .status();
    }
}

fn rnyx_entries(handle: &rnyx::controller::ControllerHandle, level: Runlevel) -> Vec<String> {
    handle.state.read(|s| {
        s.logs
            .log
            .iter()
            .filter(|e| e.source == LogSource::Rnyx(level))
            .map(|e| e.message.clone())
            .collect()
    })
}

#[tokio::test]
async fn a_stopped_tor_is_said_within_seconds_its_commands_refused_and_it_resumes() {
    let (_d, tor) = single_tor(SingleTorOptions {
        control: ControlKind::Socket,
        ..Default::default()
    });
    let handle = support::connected_controller(&tor).await;
    let pid = tor.pid().unwrap();
    let stopped = Stopped::new(pid);
    let t0 = Instant::now();
    let heard = eventually("tor said not answering", 30, || {
        handle.state.read(|s| s.session.connection.silent_since)
    })
    .await;
    let said = t0.elapsed();
    eprintln!(
        "not answering said {:.2} s after SIGSTOP",
        said.as_secs_f64()
    );
    let now = handle.state.now_secs();
    assert!(heard <= now && now - heard <= 6, "heard {heard}, now {now}");
    assert!(
        rnyx_entries(&handle, Runlevel::Warn)
            .iter()
            .any(|m| m.starts_with("tor is not answering: nothing heard from it for")),
        "{:?}",
        rnyx_entries(&handle, Runlevel::Warn)
    );
    // A command is refused, saying why, and not left to time out (a
    // timeout would say so).
    let refused = handle
        .command(Command::GetInfo(vec!["version".into()]))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.starts_with("tor is not answering (nothing heard for"),
        "{refused}"
    );
    // Still connected: nothing was torn down.
    assert!(handle.state.read(|s| s.session.connection.connected));
    let events = handle.state.read(|s| s.session.events_received);
    drop(stopped);
    let t1 = Instant::now();
    eventually("answering again", 30, || {
        handle.state.read(|s| {
            (s.session.connection.silent_since.is_none() && s.session.events_received > events)
                .then_some(())
        })
    })
    .await;
    eprintln!(
        "answering again {:.2} s after SIGCONT",
        t1.elapsed().as_secs_f64()
    );
    assert!(rnyx_entries(&handle, Runlevel::Notice)
        .iter()
        .any(|m| m.starts_with("tor is answering again, after")));
    let version = handle
        .command(Command::GetInfo(vec!["version".into()]))
        .await
        .unwrap();
    assert!(format!("{version:?}").contains("version="), "{version:?}");
    assert_eq!(handle.state.read(|s| s.session.connection.connections), 1);
}

/// A free loopback port, for a ControlPort that stays the same over a
/// restart.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Asks tor for PROTOCOLINFO over `stream`: whether it answered.
fn answers(mut stream: impl std::io::Read + std::io::Write) -> bool {
    let mut buf = [0u8; 64];
    stream.write_all(b"PROTOCOLINFO 1\r\n").is_ok()
        && stream
            .read(&mut buf)
            .is_ok_and(|n| buf[..n].starts_with(b"250-PROTOCOLINFO"))
}

/// Watches tor's socket or port from a thread started while tor is down:
/// the instant it was made (a socket: present again after it was removed;
/// an inode number can be given again at once, so it is not compared) or
/// opened, and the instant tor first answered on it.
fn when_back(target: Target) -> std::thread::JoinHandle<(Instant, Instant)> {
    use std::os::unix::net::UnixStream;
    let timeout = Some(Duration::from_millis(500));
    std::thread::spawn(move || {
        let mut made = None;
        let mut gone = false;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            assert!(
                Instant::now() < deadline,
                "tor not back on {target} in 60 s"
            );
            let answered = match &target {
                Target::Unix(p) if !p.exists() => {
                    gone = true;
                    false
                }
                Target::Unix(p) if gone => {
                    made.get_or_insert_with(Instant::now);
                    UnixStream::connect(p)
                        .is_ok_and(|s| s.set_read_timeout(timeout).is_ok() && answers(s))
                }
                Target::Tcp(a) => std::net::TcpStream::connect(a).is_ok_and(|s| {
                    made.get_or_insert_with(Instant::now);
                    s.set_read_timeout(timeout).is_ok() && answers(s)
                }),
                Target::Unix(_) => false,
            };
            if let (true, Some(made)) = (answered, made) {
                return (made, Instant::now());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    })
}

/// The instant `handle` is connected for the `n`th time, looked at every
/// 2 ms.
async fn reconnected(handle: &rnyx::controller::ControllerHandle, n: u64) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if handle
            .state
            .read(|s| s.session.connection.connected && s.session.connection.connections == n)
        {
            return Instant::now();
        }
        assert!(Instant::now() < deadline, "not reconnected in 30 s");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// tor killed and started again: rnyx is back through the comeback watch
/// (the socket's inode, the port), not the backoff — which is an hour
/// here, so nothing else could bring it back within the test's 30 s. How
/// soon after tor answers is printed (docs/performance.md keeps it).
#[tokio::test]
async fn back_by_the_socket_or_port_watch_not_the_backoff_after_a_restart() {
    let port = free_port();
    let (_d, mut tor) = single_tor(SingleTorOptions {
        control: ControlKind::Socket,
        extra: vec![("ControlPort".into(), format!("127.0.0.1:{port}"))],
        ..Default::default()
    });
    let hour = Duration::from_secs(3600);
    let watched = |target: Target| {
        rnyx::controller::spawn(rnyx::controller::ControllerConfig {
            targets: vec![target],
            history_dir: None,
            reconnect_initial: hour,
            reconnect_max: hour,
            ..rnyx::settings::task_of(&rnyx::config::Config::default(), vec![], None)
        })
    };
    let socket = watched(tor.socket_target());
    let tcp = watched(Target::Tcp(([127, 0, 0, 1], port).into()));
    reconnected(&socket, 1).await;
    reconnected(&tcp, 1).await;
    let (first_pid, first_cookie) = (tor.pid(), std::fs::read(tor.cookie_path()).unwrap());

    // The socket file deleted while connected: the connection stays.
    std::fs::remove_file(tor.socket_path()).unwrap();
    let events = socket.state.read(|s| s.session.events_received);
    eventually("events with the socket file gone", 30, || {
        socket
            .state
            .read(|s| (s.session.events_received > events + 1).then_some(()))
    })
    .await;
    assert!(socket.state.read(|s| s.session.connection.connected));

    tor.kill();
    for h in [&socket, &tcp] {
        eventually("disconnected", 30, || {
            h.state
                .read(|s| (!s.session.connection.connected).then_some(()))
        })
        .await;
    }
    // The first attempt after the kill has failed: each now waits out its
    // hour, unless the watch sees tor back.
    for h in [&socket, &tcp] {
        eventually("the attempt after the kill failed", 30, || {
            rnyx_entries(h, Runlevel::Warn)
                .iter()
                .any(|m| m.starts_with("cannot connect"))
                .then_some(())
        })
        .await;
    }
    let by_socket = when_back(tor.socket_target());
    let by_port = when_back(Target::Tcp(([127, 0, 0, 1], port).into()));
    // Started off the runtime, which goes on running the controllers.
    let restarted = tokio::task::spawn_blocking(move || {
        tor.restart().unwrap();
        tor
    });
    let (socket_back, tcp_back) = tokio::join!(reconnected(&socket, 2), reconnected(&tcp, 2));
    let tor = restarted.await.unwrap();
    let (by_socket, by_port) = (by_socket.join().unwrap(), by_port.join().unwrap());
    // How long after tor first answered on it each was back; tor itself
    // starts answering some time after it makes the socket and port.
    let after = |back: Instant, (made, answered): (Instant, Instant)| {
        (
            back.saturating_duration_since(answered),
            back.saturating_duration_since(made),
        )
    };
    let (socket_lag, socket_made) = after(socket_back, by_socket);
    let (port_lag, port_made) = after(tcp_back, by_port);
    eprintln!(
        "reconnected {:.3} s after tor answered on its socket ({:.3} s after it was made), \
         {:.3} s after it answered on its port ({:.3} s after it opened)",
        socket_lag.as_secs_f64(),
        socket_made.as_secs_f64(),
        port_lag.as_secs_f64(),
        port_made.as_secs_f64()
    );
    // A new tor: another pid and another cookie, read afresh.
    assert_ne!(tor.pid(), first_pid);
    assert_ne!(std::fs::read(tor.cookie_path()).unwrap(), first_cookie);
    for h in [&socket, &tcp] {
        assert_eq!(h.state.read(|s| s.facts.relay.pid), tor.pid());
    }
}

/// In a real terminal: the header says tor stopped answering and since
/// when, a key still reaches the screen at once, and after SIGCONT the
/// header is tor's again.
#[test]
fn in_a_real_terminal_a_stopped_tor_is_said_and_keys_still_draw() {
    let (_d, tor) = single_tor(SingleTorOptions {
        control: ControlKind::Socket,
        ..Default::default()
    });
    let tmux = support::tmux::Tmux::new("rnyx-hung");
    let args = format!("--socket {}", tor.socket_path().display());
    support::rnyx_in_tmux(&tmux, "t", &args, 120, 30);
    let fp = tor.fingerprint().unwrap();
    tmux.wait_for("t", 30, |s| s.contains(&fp) && s.contains("Events ("));
    let stopped = Stopped::new(tor.pid().unwrap());
    let t0 = Instant::now();
    let screen = tmux.wait_for("t", 30, |s| {
        s.contains("Tor Not Answering (nothing heard since")
    });
    let said = t0.elapsed();
    eprintln!(
        "the header said so {:.2} s after SIGSTOP",
        said.as_secs_f64()
    );
    assert!(!screen.contains("RNYX-EXITED"), "{screen}");
    // A key while tor is stopped: the next page is drawn, tor still
    // stopped.
    let t1 = Instant::now();
    tmux.keys("t", &["Right"]);
    let screen = tmux.wait_for("t", 30, |s| s.contains("Connections"));
    let drawn = t1.elapsed();
    eprintln!("a key drawn {:.3} s after it was sent", drawn.as_secs_f64());
    assert!(screen.contains("Not Answering"), "{screen}");
    assert!(!screen.contains("RNYX-EXITED"), "{screen}");
    drop(stopped);
    tmux.keys("t", &["Left"]);
    let screen = tmux.wait_for("t", 30, |s| s.contains(&fp) && !s.contains("Not Answering"));
    assert!(screen.contains("tor is answering again"), "{screen}");
    tmux.keys("t", &["q", "q"]);
    tmux.wait_for("t", 30, |s| s.contains("RNYX-EXITED 0"));
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The cookie's permission lost while connected: rnyx stays connected; tor
/// restarted (a new cookie rnyx cannot read): one clear sentence, the
/// monitor keeps running; the permission back: connected again. (As root,
/// rnyx runs as `nobody`, for whom permissions count.)
#[test]
fn the_cookies_permission_lost_and_given_back() {
    let cookies = tempfile::Builder::new()
        .prefix("rnyx-cookie-")
        .tempdir()
        .unwrap();
    chmod(cookies.path(), 0o755);
    let cookie = cookies.path().join("control_auth_cookie");
    // A port that stays the same over tor's restart.
    let port = free_port();
    let (_d, mut tor) = single_tor(SingleTorOptions {
        control: ControlKind::Socket,
        extra: vec![
            ("CookieAuthFile".into(), cookie.display().to_string()),
            ("ControlPort".into(), format!("127.0.0.1:{port}")),
        ],
        ..Default::default()
    });
    chmod(&cookie, 0o644);
    let home = tempfile::Builder::new()
        .prefix("rnyx-home-nobody-")
        .tempdir()
        .unwrap();
    let who = if support::is_root() {
        let ok = std::process::Command::new("chown")
            .args(["-R", "nobody:nogroup"])
            .arg(home.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "chown");
        "setpriv --reuid=nobody --regid=nogroup --clear-groups --"
    } else {
        ""
    };
    let h = home.path().display();
    let cmd = format!(
        "env HOME={h} XDG_CONFIG_HOME={h} XDG_STATE_HOME={h} XDG_DATA_HOME={h} XDG_CACHE_HOME={h} \
         {who} {} --interface {port}; echo RNYX-EXITED $?; sleep 600",
        env!("CARGO_BIN_EXE_rnyx"),
    );
    let tmux = support::tmux::Tmux::new("rnyx-cookie");
    tmux.start("t", &cmd, 160, 40);
    let fp = tor.fingerprint().unwrap();
    tmux.wait_for("t", 30, |s| s.contains(&fp) && s.contains("Events ("));
    // Lost while connected: the connection stays, the clock goes on.
    chmod(&cookie, 0o000);
    let uptime = |s: &str| s.split("uptime: ").nth(1).map(|u| u[..5].to_owned());
    let before = uptime(&tmux.screen("t"));
    tmux.wait_for("t", 30, |s| uptime(s) != before && s.contains(&fp));
    // tor restarted: its new cookie is not readable; said, and retried.
    tor.restart().unwrap();
    chmod(&cookie, 0o000);
    let said = format!(
        "cannot read tor's authentication cookie {}: permission denied",
        cookie.display()
    );
    let screen = tmux.wait_for("t", 30, |s| {
        s.contains(&said) && s.contains("Tor Disconnected")
    });
    assert_eq!(screen.matches(&said).count(), 1, "said once:\n{screen}");
    // Given back: connected again, without restarting rnyx.
    chmod(&cookie, 0o644);
    let t = Instant::now();
    tmux.wait_for("t", 30, |s| {
        s.contains(&fp) && !s.contains("Tor Disconnected")
    });
    eprintln!(
        "connected again {:.1} s after the permission came back",
        t.elapsed().as_secs_f64()
    );
    tmux.keys("t", &["q", "q"]);
    tmux.wait_for("t", 30, |s| s.contains("RNYX-EXITED 0"));
}
