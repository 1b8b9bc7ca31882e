//! rnyx against one real tor with `DisableNetwork 1`: connections, every
//! authentication method, events, requests, reconnection and the CLI.

mod support;

use rnyx::control::auth::{authenticate_as, AuthError, AuthMethod};
use rnyx::control::{connect, Client, ConnectError, Target};
use rnyx::controller::{spawn, ControllerConfig};
use rnyx::launch::{ControlKind, SingleTorOptions};
use std::process::Command;
use std::time::Duration;
use support::{eventually, single_tor};

fn config(target: Target) -> ControllerConfig {
    ControllerConfig {
        targets: vec![target],
        reconnect_initial: Duration::from_millis(100),
        reconnect_max: Duration::from_millis(500),
        ..ControllerConfig::default()
    }
}

#[tokio::test]
async fn tcp_and_unix_socket_reach_the_same_tor() {
    let (_d, tor) = single_tor(SingleTorOptions::default());
    let fp = tor.fingerprint().unwrap();
    for target in [tor.port_target().unwrap(), tor.socket_target()] {
        let conn = connect(std::slice::from_ref(&target), None).await.unwrap();
        assert_eq!(conn.method, AuthMethod::SafeCookie, "{target}");
        assert_eq!(conn.client.getinfo("fingerprint").await.unwrap(), fp);
        assert_eq!(
            conn.protocol_info.tor_version.as_deref(),
            Some(tor_version().as_str())
        );
    }
}

#[tokio::test]
async fn null_authentication() {
    let (_d, tor) = single_tor(SingleTorOptions {
        cookie: false,
        ..Default::default()
    });
    let conn = connect(&[tor.socket_target()], None).await.unwrap();
    assert_eq!(conn.method, AuthMethod::None);
    assert!(conn.client.getinfo("version").await.is_ok());
}

#[tokio::test]
async fn cookie_and_safecookie_each_work() {
    let (_d, tor) = single_tor(SingleTorOptions::default());
    for method in [AuthMethod::Cookie, AuthMethod::SafeCookie] {
        let stream = rnyx::control::target::open(&tor.socket_target())
            .await
            .unwrap();
        let (client, _events) = Client::new(stream);
        authenticate_as(&client, method, None).await.unwrap();
        assert!(client.getinfo("version").await.is_ok(), "{method:?}");
    }
}

#[tokio::test]
async fn password_right_wrong_and_missing() {
    let (_d, tor) = single_tor(SingleTorOptions {
        cookie: false,
        password: Some("correct horse".into()),
        control: ControlKind::Port,
        ..Default::default()
    });
    let target = [tor.port_target().unwrap()];
    let conn = connect(&target, Some("correct horse")).await.unwrap();
    assert_eq!(conn.method, AuthMethod::Password);
    assert!(conn.client.getinfo("version").await.is_ok());

    let Err(e) = connect(&target, Some("battery staple")).await else {
        panic!("wrong password accepted")
    };
    assert_eq!(e, ConnectError::Auth(AuthError::WrongPassword));
    assert_eq!(e.to_string(), "tor rejected the password (wrong password)");

    let Err(e) = connect(&target, None).await else {
        panic!("no password accepted")
    };
    assert!(e.needs_password());
}

#[test]
fn unreadable_cookie_is_one_clear_sentence() {
    let (_d, tor) = single_tor(SingleTorOptions {
        control: ControlKind::Port,
        ..Default::default()
    });
    let port = match tor.port_target().unwrap() {
        Target::Tcp(a) => a.port(),
        Target::Unix(_) => unreachable!(),
    };
    let mut cmd = if support::is_root() {
        // Root reads any file: run rnyx as `nobody` so the cookie (0600) is unreadable.
        let mut c = Command::new("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]);
        c.envs(support::home_env());
        c.arg(env!("CARGO_BIN_EXE_rnyx"));
        c
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tor.cookie_path(), std::fs::Permissions::from_mode(0o000))
            .unwrap();
        support::rnyx()
    };
    let out = cmd
        .args(["--dump", "--interface", &port.to_string()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!(
        "rnyx: cannot read tor's authentication cookie {}: permission denied; the usual fix is to add your user to the group that owns it",
        tor.cookie_path().display()
    );
    assert!(stderr.starts_with(&expected), "stderr was: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one sentence: {stderr}");
}

/// tor's BW events arrive, each a sample of the graph; how far apart is
/// printed, not judged (the suite runs beside other tors).
#[tokio::test]
async fn bw_events_arrive_each_a_sample() {
    let (_d, tor) = single_tor(SingleTorOptions::default());
    let handle = spawn(config(tor.socket_target()));
    eventually("connected", 30, || {
        handle
            .state
            .read(|s| s.session.connection.connected)
            .then_some(())
    })
    .await;
    let (start, events) = handle
        .state
        .read(|s| (s.traffic.bandwidth.len(), s.session.events_received));
    let times: Vec<u64> = eventually("four BW events", 60, || {
        handle.state.read(|s| {
            (s.traffic.bandwidth.len() >= start + 4).then(|| {
                s.traffic
                    .bandwidth
                    .iter()
                    .skip(start)
                    .map(|b| b.time)
                    .collect()
            })
        })
    })
    .await;
    assert!(handle.state.read(|s| s.session.events_received) >= events + 4);
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    eprintln!("BW samples at {times:?}");
}

#[tokio::test]
async fn requests_reach_tor_and_rejected_events_are_reported() {
    let (_d, tor) = single_tor(SingleTorOptions::default());
    let handle = spawn(config(tor.socket_target()));
    eventually("connected", 30, || {
        handle
            .state
            .read(|s| s.session.connection.connected)
            .then_some(())
    })
    .await;
    let reply = handle
        .command(rnyx_grammar::command::Command::GetInfo(vec![
            "fingerprint".into()
        ]))
        .await
        .unwrap();
    assert_eq!(
        reply.key_values().next().unwrap().1,
        tor.fingerprint().unwrap()
    );
    let reply = handle
        .command(rnyx_grammar::command::Command::GetInfo(vec![
            "no-such-key".into()
        ]))
        .await
        .unwrap();
    assert_eq!(reply.status, 552);

    // An event tor does not know (the dialog keeps those tor listed).
    let mut selection = rnyx_model::EventSelection::parse(["INFO", "NOTICE"]).0;
    selection.add_other("NOPE".into());
    let rejected = handle.set_events(selection).await.unwrap();
    assert_eq!(rejected, ["NOPE"]);
    let subscribed = handle.state.read(|s| s.logs.subscribed_events.clone());
    assert!(subscribed.contains(&"INFO".to_owned()) && subscribed.contains(&"BW".to_owned()));
    assert!(!subscribed.contains(&"NOPE".to_owned()));
    eventually("the rejection in the log", 30, || {
        handle.state.read(|s| {
            s.logs
                .log
                .iter()
                .any(|e| e.message.contains("does not know the event NOPE"))
                .then_some(())
        })
    })
    .await;

    // A signal goes through, and tor's SIGNAL event and log lines come back.
    handle
        .signal(rnyx_grammar::signal::Signal::Reload)
        .await
        .unwrap();
    eventually("tor's reload notice", 30, || {
        handle.state.read(|s| {
            s.logs
                .log
                .iter()
                .any(|e| e.message.contains("Received reload signal"))
                .then_some(())
        })
    })
    .await;
    assert!(handle
        .signal(rnyx_grammar::signal::Signal::of("NO_SUCH_SIGNAL"))
        .await
        .is_err());
}

#[tokio::test]
async fn reconnects_after_tor_is_killed_and_restarted() {
    let (_d, mut tor) = single_tor(SingleTorOptions {
        control: ControlKind::Socket,
        ..Default::default()
    });
    let handle = spawn(config(tor.socket_target()));
    let first_pid = eventually("connected", 30, || {
        handle
            .state
            .read(|s| s.facts.relay.pid.filter(|_| s.session.connection.connected))
    })
    .await;
    assert_eq!(Some(first_pid), tor.pid());

    tor.kill();
    eventually("disconnected", 30, || {
        handle
            .state
            .read(|s| (!s.session.connection.connected).then_some(()))
    })
    .await;
    let error = handle
        .state
        .read(|s| s.session.connection.last_error.clone())
        .unwrap();
    assert!(!error.is_empty());
    assert!(handle
        .command(rnyx_grammar::command::Command::GetInfo(vec![
            "version".into()
        ]))
        .await
        .is_err());

    tor.restart().unwrap();
    let second_pid = eventually("reconnected", 30, || {
        handle.state.read(|s| {
            s.facts
                .relay
                .pid
                .filter(|_| s.session.connection.connected && s.session.connection.connections == 2)
        })
    })
    .await;
    assert_eq!(Some(second_pid), tor.pid());
    assert_ne!(first_pid, second_pid);
    // Subscriptions are back: BW events flow again.
    let n = handle.state.read(|s| s.session.events_received);
    eventually("events after reconnecting", 30, || {
        handle
            .state
            .read(|s| (s.session.events_received > n).then_some(()))
    })
    .await;
}

#[test]
fn dump_prints_json_and_fails_with_a_sentence() {
    let (_d, tor) = single_tor(SingleTorOptions::default());
    let v = support::dump(&tor.socket_path());
    assert_eq!(v["connected"], true);
    assert_eq!(v["fingerprint"], tor.fingerprint().unwrap());
    assert_eq!(v["nickname"], "rnyxTestRelay");
    assert_eq!(v["version"], tor_version());
    assert_eq!(v["pid"], tor.pid().unwrap());
    for key in [
        "flags",
        "traffic_read",
        "traffic_written",
        "circuits",
        "or_connections",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }

    let missing = tor.dir.join("no-such-socket");
    let out = support::rnyx()
        .arg("--dump")
        .arg("--socket")
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "rnyx: tor is not running: there is no control socket at {} (tor removes it when it stops)\n",
            missing.display()
        )
    );
}

fn tor_version() -> String {
    let out = Command::new("tor").arg("--version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace()
        .nth(2)
        .unwrap()
        .trim_end_matches('.')
        .to_owned()
}

#[tokio::test]
async fn ipv6_control_port() {
    let (_d, tor) = single_tor(SingleTorOptions {
        control: ControlKind::Port,
        extra: vec![("ControlPort".into(), "[::1]:auto".into())],
        ..Default::default()
    });
    let ports = std::fs::read_to_string(tor.dir.join("control-port")).unwrap();
    let v6 = ports
        .lines()
        .find_map(|l| l.strip_prefix("PORT=::1:"))
        .unwrap_or_else(|| {
            panic!(
                "tor listens on [::1]: {ports}\n{}",
                rnyx::launch::log_tail(&tor.log_path(), 5)
            )
        });
    let target = Target::parse_interface(&format!("[::1]:{v6}")).unwrap();
    let conn = connect(&[target], None).await.unwrap();
    assert_eq!(
        conn.client.getinfo("fingerprint").await.unwrap(),
        tor.fingerprint().unwrap()
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    let (_d, tor) = single_tor(SingleTorOptions::default());
    let tmux = support::tmux::Tmux::new("rnyx-term");
    let screen = || tmux.screen("t");
    let args = format!("--socket {}", tor.socket_path().display());
    support::rnyx_in_tmux(&tmux, "t", &args, 100, 30);
    let fp = tor.fingerprint().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !screen().contains(&fp) {
        assert!(
            std::time::Instant::now() < deadline,
            "rnyx never showed the fingerprint"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(tmux.display("t", "#{alternate_on}"), "1");
    // The pane runs a shell; rnyx is its child.
    let shell = tmux.display("t", "#{pane_pid}");
    let out = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
    let rnyx_pid = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    Command::new("kill")
        .args(["-TERM", &rnyx_pid])
        .status()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !screen().contains("RNYX-EXITED") {
        assert!(
            std::time::Instant::now() < deadline,
            "rnyx did not exit on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(screen().contains("RNYX-EXITED 0"));
    assert_eq!(tmux.display("t", "#{alternate_on}"), "0");
    assert_eq!(tmux.display("t", "#{cursor_flag}"), "1");
}

/// tor's connections follow tor across a restart (a new pid): a TCP
/// connection to its ControlPort is a CONTROL connection of the first tor,
/// then, once tor is back, of the second, with no error left on the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_follow_tor_to_its_new_pid() {
    use rnyx_model::{Category, SocketSource};
    let (_d, mut tor) = single_tor(SingleTorOptions::default());
    let handle = spawn(ControllerConfig {
        connection_rate: Duration::from_millis(300),
        ..config(tor.socket_target())
    });
    let control_port = |tor: &rnyx::launch::SingleTor| match tor.port_target().unwrap() {
        Target::Tcp(addr) => addr,
        other @ Target::Unix(_) => panic!("{other:?}"),
    };
    // A CONTROL connection on `port` in a refresh made after `after`.
    let seen_on = |port: u16, after: u64| {
        let handle = handle.clone();
        async move {
            eventually("a CONTROL connection on tor's ControlPort", 30, || {
                handle.state.read(|s| {
                    s.net
                        .connections
                        .list
                        .iter()
                        .filter(|_| s.net.connections.refreshed >= after)
                        .find(|c| c.category == Category::Control && c.local.port() == port)
                        .map(|_| {
                            (
                                s.net.connections.source.clone(),
                                s.net.connections.error.clone(),
                            )
                        })
                })
            })
            .await
        }
    };
    let first = control_port(&tor);
    let _held = std::net::TcpStream::connect(first).unwrap();
    let (source, error) = seen_on(first.port(), 0).await;
    assert_eq!((source, error), (SocketSource::Descriptors, None));

    tor.kill();
    tor.restart().unwrap();
    eventually("reconnected", 30, || {
        handle.state.read(|s| {
            (s.session.connection.connected && s.session.connection.connections == 2).then_some(())
        })
    })
    .await;
    let second = control_port(&tor);
    let _held2 = std::net::TcpStream::connect(second).unwrap();
    let after = (rnyx::host::system_ms() / 1000) + 1;
    let (source, error) = seen_on(second.port(), after).await;
    assert_eq!((source, error), (SocketSource::Descriptors, None));
    assert_eq!(
        Some(handle.state.read(|s| s.facts.relay.pid).unwrap()),
        tor.pid()
    );
}

/// The graphs are kept across a restart of rnyx and of tor: what the first
/// rnyx saw is on the second one's graph, before the empty stretch while
/// neither ran, though tor's own cache no longer has it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_history_survives_a_restart_of_rnyx_and_tor() {
    use rnyx_model::Interval;
    let (dir, mut tor) = support::single_tor(rnyx::launch::SingleTorOptions::default());
    let kept = dir.path().join("state/rnyx/graphs");
    let target = tor.socket_target();
    let config = || rnyx::controller::ControllerConfig {
        targets: vec![target.clone()],
        history_dir: Some(kept.clone()),
        ..rnyx::controller::ControllerConfig::default()
    };
    let first = rnyx::controller::spawn(config());
    support::eventually("10 seconds of the first run's graph", 60, || {
        first.state.read(|s| {
            (s.traffic
                .bandwidth_graph
                .columns(Interval::FiveSeconds)
                .len()
                >= 2)
                .then_some(())
        })
    })
    .await;
    first.save_history().await.unwrap();
    let (samples, fives) = first.state.read(|s| {
        (
            s.traffic.bandwidth_graph.samples(),
            s.traffic
                .bandwidth_graph
                .columns(Interval::FiveSeconds)
                .len(),
        )
    });
    let fingerprint = tor.fingerprint().unwrap();
    let file = rnyx::history::path(&kept, &fingerprint);
    assert!(file.exists(), "{}", file.display());
    drop(first);
    // tor restarts: its cache of BW events starts empty.
    tor.restart().unwrap();
    let second = rnyx::controller::spawn(config());
    support::eventually("the second run connected", 30, || {
        second
            .state
            .read(|s| s.session.connection.connected.then_some(()))
    })
    .await;
    let (samples2, fives2, cache) = second.state.read(|s| {
        (
            s.traffic.bandwidth_graph.samples(),
            s.traffic
                .bandwidth_graph
                .columns(Interval::FiveSeconds)
                .len(),
            s.traffic.bandwidth.len(),
        )
    });
    assert!(cache < 10, "tor's cache is new: {cache} samples");
    assert!(samples2 >= samples, "{samples2} seconds, {samples} kept");
    assert!(
        fives2 >= fives,
        "{fives2} five-second columns, {fives} kept"
    );
    drop(second);
    // --dump --history shows the kept columns too (from a copy the second
    // run does not write), and writes nothing.
    let copy = rnyx::history::path(&dir.path().join("copy/rnyx/graphs"), &fingerprint);
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(&file, &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let written = std::fs::metadata(&copy).unwrap().modified().unwrap();
    let v = support::json_of(
        support::rnyx()
            .env("XDG_STATE_HOME", dir.path().join("copy"))
            .args(["--dump", "--history", "5 seconds", "--socket"])
            .arg(tor.socket_path()),
    );
    assert_eq!(v["history"]["interval"], "5 seconds");
    assert_eq!(v["history"]["kept_in"], copy.display().to_string());
    let columns = v["history"]["bandwidth"].as_array().unwrap().len();
    assert!(columns >= fives, "{columns} columns, {fives} kept");
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        before,
        "the dump wrote the kept graphs"
    );
    assert_eq!(
        std::fs::metadata(&copy).unwrap().modified().unwrap(),
        written
    );
    assert_eq!(
        std::fs::read_dir(copy.parent().unwrap()).unwrap().count(),
        1
    );
    // A bad interval name says which there are.
    let out = support::rnyx()
        .args(["--dump", "--history", "fast"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("expected one of: each second, 5 seconds"),
        "{err}"
    );
}

/// Three tors in one rnyx: the overview lists each with its own
/// fingerprint; one stopped shows down while the others keep updating;
/// started again, only it reconnects. Tab shows the next relay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_relays_one_goes_down_the_others_go_on() {
    use rnyx_model::{RelayName, RelayRow, NAME_WIDTH};
    let mut tors: Vec<_> = (0..3)
        .map(|i| {
            single_tor(SingleTorOptions {
                nickname: format!("fleet{i}"),
                ..SingleTorOptions::default()
            })
        })
        .collect();
    let (fleet, mut ui) = support::watch_all(
        tors.iter()
            .map(|(_, t)| {
                (
                    RelayName::given(t.options.nickname.clone()),
                    t.socket_target(),
                )
            })
            .collect(),
    )
    .await;
    let screen = ui.step(&[]).await.join("\n");
    assert!(screen.contains("Relays (3 watched, 3 up):"), "{screen}");
    for ((name, h), (_, t)) in fleet.iter().zip(&tors) {
        let row = h.state.read(|s| RelayRow::of(name, s));
        assert_eq!(row.fingerprint, t.fingerprint(), "{name:?}");
        assert!(
            screen.contains(&format!("{:<NAME_WIDTH$} up", name.text)),
            "{screen}"
        );
    }
    // One tor stops.
    tors[1].1.kill();
    let down = format!("{:<NAME_WIDTH$} down", "fleet1");
    for _ in 0..100 {
        if ui.step(&[]).await.join("\n").contains(&down) {
            break;
        }
    }
    let screen = ui.step(&[]).await.join("\n");
    assert!(
        screen.contains("Relays (3 watched, 2 up):") && screen.contains(&down),
        "{screen}"
    );
    let counts = |fleet: &[(RelayName, rnyx::controller::ControllerHandle)]| -> Vec<u64> {
        fleet
            .iter()
            .map(|(_, h)| h.state.read(|s| s.session.events_received))
            .collect()
    };
    let before = counts(&fleet);
    eventually("the others updating", 30, || {
        let after = counts(&fleet);
        (after[0] > before[0] && after[2] > before[2]).then_some(())
    })
    .await;
    // Started again: it alone reconnects.
    tors[1].1.restart().unwrap();
    eventually("fleet1 back", 30, || {
        fleet[1]
            .1
            .state
            .read(|s| s.session.connection.connected.then_some(()))
    })
    .await;
    let connections: Vec<u64> = fleet
        .iter()
        .map(|(_, h)| h.state.read(|s| s.session.connection.connections))
        .collect();
    assert_eq!(connections, [1, 2, 1]);
    // Tab: the pages show the next relay, and the header says which.
    let screen = ui
        .step(&[rnyx::ui::Input::Key(rnyx_panels::keymap::Key::Tab)])
        .await
        .join("\n");
    assert!(screen.contains("relay 2/3: fleet1"), "{screen}");
    dump_of_several(
        &tors[0].1,
        &tors[2].1,
        &tors[0].0.path().join("no-such-control"),
    );
}

/// `--dump` with several relays: one object per relay, keyed by name; one
/// that cannot be reached says why, and the exit status says so too.
fn dump_of_several(
    a: &rnyx::launch::SingleTor,
    b: &rnyx::launch::SingleTor,
    missing: &std::path::Path,
) {
    let out = support::rnyx()
        .arg("--dump")
        .arg("-s")
        .arg(a.socket_path())
        .arg("-s")
        .arg(b.socket_path())
        .arg("-s")
        .arg(missing)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for t in [a, b] {
        assert_eq!(
            v[t.socket_path().to_str().unwrap()]["fingerprint"],
            serde_json::Value::from(t.fingerprint().unwrap())
        );
    }
    let err = v[missing.to_str().unwrap()]["error"].as_str().unwrap();
    assert!(err.contains("no-such-control"), "{err}");
}

/// Discovery: a control port answering beside a socket found is the same
/// tor (the same cookie file) and is left out; a port of another tor is
/// watched too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ports_found_beside_sockets_are_not_counted_twice() {
    let (_da, a) = single_tor(SingleTorOptions {
        control: ControlKind::Both,
        ..SingleTorOptions::default()
    });
    let (_db, b) = single_tor(SingleTorOptions {
        control: ControlKind::Port,
        ..SingleTorOptions::default()
    });
    let port = |t: &rnyx::launch::SingleTor| match t.port_target() {
        Some(Target::Tcp(addr)) => addr,
        other => panic!("{other:?}"),
    };
    let found = vec![rnyx::relays::RelaySpec {
        name: "a".into(),
        targets: vec![a.socket_target()],
        password_file: None,
        given: false,
        ssh: None,
    }];
    let all = rnyx::relays::with_ports(found, &[port(&a), port(&b)]).await;
    let targets: Vec<Target> = all.iter().map(|r| r.targets[0].clone()).collect();
    assert_eq!(targets, [a.socket_target(), Target::Tcp(port(&b))]);
}

/// `rnyx record`'s recorder on a real connection: tor's replies and events
/// are in the file, the password and the cookie are not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_holds_the_traffic_and_no_secret() {
    let (dir, tor) = single_tor(SingleTorOptions {
        password: Some("a-very-secret-password".into()),
        ..SingleTorOptions::default()
    });
    let file = dir.path().join("relay.rnyx.gz");
    let recorder = rnyx::record::Recorder::create(&file, 1 << 20).unwrap();
    let handle = spawn(rnyx::settings::recorded(
        ControllerConfig {
            password: Some("a-very-secret-password".into()),
            ..config(tor.socket_target())
        },
        &recorder,
    ));
    eventually("connected", 30, || {
        handle
            .state
            .read(|s| s.session.connection.connected.then_some(()))
    })
    .await;
    eventually("BW events", 30, || {
        handle
            .state
            .read(|s| (s.traffic.bandwidth.len() >= 2).then_some(()))
    })
    .await;
    drop(handle);
    let mut lines = Vec::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Ok(r) = rnyx::record::read(&file) {
            if r.lines.iter().any(|l| l.l.starts_with("650 BW")) {
                lines = r.lines;
                break;
            }
        }
    }
    let text: Vec<String> = lines
        .iter()
        .map(|l| format!("{} {}", l.d.as_str(), l.l))
        .collect();
    assert!(text.iter().any(|l| l == "> GETINFO version"), "{text:?}");
    assert!(
        text.iter().any(|l| l.starts_with("< 250-version=")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|l| l.starts_with("> AUTHENTICATE <redacted>")),
        "{text:?}"
    );
    // The times go forward.
    assert!(lines.windows(2).all(|w| w[0].t <= w[1].t));
    // Neither the password nor the cookie, in any form, anywhere.
    let raw = std::fs::read(&file).unwrap();
    // Still being written (the reader holds the connection): what was
    // flushed so far.
    let mut bytes = Vec::new();
    let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw[..]), &mut bytes);
    let plain = String::from_utf8_lossy(&bytes);
    assert!(plain.contains("650 BW"), "{plain}");
    let cookie = hex::encode(std::fs::read(tor.cookie_path()).unwrap());
    for secret in [
        "a-very-secret-password",
        cookie.as_str(),
        &cookie.to_uppercase(),
    ] {
        assert!(!plain.contains(secret), "{secret} in the recording");
    }
}
