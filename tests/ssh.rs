//! Relays on other machines, over ssh, against a real OpenSSH server:
//! sshd listens on loopback inside the private network's namespace (where
//! its tors are), its host key, the client's key, known_hosts and the
//! client's configuration in this test's temporary home; rnyx's ssh client
//! enters that namespace through nyxrc's `ssh_command`. Each test has its
//! own sshd (on its own port), so stopping one disturbs no other.

mod support;

use rnyx::controller::{spawn, ControllerConfig, ControllerHandle};
use rnyx::host::{Ssh, SshSpec};
use rnyx::launch::network::{NetTor, Role};
use rnyx::launch::sshd::{keygen, Sshd};
use rnyx::ui::Input;
use rnyx_model::RelayName;
use rnyx_panels::keymap::Key;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use support::{eventually, network, raw_getinfo, rnyx, test_home};

/// A directory of this test's own in the test home.
fn home_dir(name: &str) -> PathBuf {
    let d = test_home().join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A private runtime directory (mode 0700) for in-process hosts.
fn runtime(name: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let d = home_dir(name);
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

/// An sshd in the network's namespace on `port`, and a client
/// configuration naming `aliases` with the right key and known_hosts.
fn sshd(name: &str, port: u16, aliases: &[&str]) -> (Sshd, PathBuf) {
    let dir = home_dir(name);
    let sshd = Sshd::start(&dir.join("server"), port, Some(network().namespace_pid()))
        .unwrap_or_else(|e| panic!("cannot start sshd: {e}"));
    let config = sshd
        .client_config(
            &dir.join("ssh_config"),
            aliases,
            &sshd.identity(),
            &sshd.known_hosts(),
        )
        .unwrap();
    (sshd, config)
}

/// A controller task watching `tor` over ssh as `alias`.
fn watch(sshd: &Sshd, config: &Path, alias: &str, tor: &NetTor, run: &Path) -> ControllerHandle {
    let spec = SshSpec::parse(&format!("{alias}{}", tor.control_socket().display())).unwrap();
    let command: Vec<String> = sshd
        .ssh_command(config)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    spawn(ControllerConfig {
        targets: Vec::new(),
        host: Arc::new(Ssh::new(spec, &command, run)),
        connection_rate: Duration::from_secs(1),
        history_dir: None,
        ..ControllerConfig::default()
    })
}

/// A nyxrc whose `ssh_command` reaches `sshd` with `config`.
fn nyxrc(dir: &Path, sshd: &Sshd, config: &Path) -> PathBuf {
    let path = dir.join("nyxrc");
    std::fs::write(
        &path,
        format!("ssh_command = \"{}\"\n", sshd.ssh_command(config)),
    )
    .unwrap();
    path
}

/// How many master connections run with their control sockets in `run`.
fn masters(run: &Path) -> usize {
    let out = std::process::Command::new("pgrep")
        .args([
            "-f",
            "--",
            &format!("-S {}/[^ ]*\\.ctl .* -M -N", run.display()),
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).lines().count()
}

/// Three tors of the network (an authority and two relays), each on a
/// "machine" of its own name, watched in one window: the overview names
/// the hosts, every page shows each relay; one master connection per
/// host; then `--check`, `--dump`, OpenMetrics and `prompt` through ssh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_tors_through_ssh_in_one_window() {
    let net = network();
    let tors: Vec<&NetTor> = net
        .by_role(Role::Authority)
        .take(1)
        .chain(net.by_role(Role::Relay).take(2))
        .collect();
    let hosts = ["host-a", "host-b", "host-c"];
    let (sshd, config) = sshd("three", 2201, &hosts);
    let run = runtime("three-run");
    let fleet: Vec<(RelayName, ControllerHandle)> = tors
        .iter()
        .zip(hosts)
        .map(|(t, h)| (RelayName::default(), watch(&sshd, &config, h, t, &run)))
        .collect();
    for ((_, h), t) in fleet.iter().zip(&tors) {
        eventually(&format!("{} over ssh", t.name), 60, || {
            h.state
                .read(|s| s.session.connection.connected.then_some(()))
        })
        .await;
    }
    // The same tor as it says itself, its process read on its machine.
    for ((_, h), t) in fleet.iter().zip(&tors) {
        let (nick, pid) = eventually("a sample of tor's process", 30, || {
            h.state.read(|s| {
                s.facts
                    .system
                    .tor_memory
                    .map(|_| (s.facts.relay.nickname.clone(), s.facts.relay.pid))
            })
        })
        .await;
        assert_eq!(nick.as_deref(), Some(t.name.as_str()));
        assert_eq!(pid, t.pid());
        assert_eq!(h.state.read(|s| s.facts.system.unseen.clone()), None);
    }
    assert_eq!(masters(&run), 3, "one master connection per host");
    // A relay's MetricsPort, found with GETCONF and read on its machine.
    let relay = &fleet[1].1;
    let (port, circuits) = eventually("relay0's MetricsPort read over ssh", 60, || {
        relay.state.read(|s| {
            let m = &s.load.metrics;
            let circuits = m.value("tor_relay_dos_total", &[("type", "circuit_rejected")])?;
            Some((m.port.clone(), circuits))
        })
    })
    .await;
    assert_eq!(
        port,
        rnyx_model::load::MetricsPort::At(format!("127.0.0.1:{}", tors[1].metrics_port.unwrap()))
    );
    assert!(circuits >= 0.0);
    assert_eq!(relay.state.read(|s| s.load.metrics.error.clone()), None);
    let mut settings = rnyx::config::Config::default().app_settings();
    settings
        .hidden_pages
        .retain(|p| *p != rnyx_panels::pages::overview::ID);
    let mut ui =
        support::ui::Ui::with_fleet(rnyx_panels::app::App::new(settings), fleet.clone(), 200, 30);
    let screen = eventually_screen(&mut ui, "3 up with their connections", |s| {
        s.contains("Relays (3 watched, 3 up):")
    })
    .await;
    let heading = screen
        .lines()
        .find(|l| l.contains("name") && l.contains("state"))
        .unwrap();
    assert!(heading.contains("host"), "{screen}");
    for (h, t) in hosts.iter().zip(&tors) {
        let row = screen
            .lines()
            .find(|l| l.contains(h))
            .unwrap_or_else(|| panic!("{h} in\n{screen}"));
        assert!(row.contains(&t.name) && row.contains(" up "), "{row}");
    }
    // Every page of the selected relay, from its machine.
    for page in 2..=7 {
        let screen = ui.step(&[Input::Key(Key::Right)]).await.join("\n");
        assert!(screen.contains(&format!("page {page} / 7")), "{screen}");
        assert!(!screen.contains("Disconnected"), "{screen}");
    }

    through_the_command_line(&sshd, &config, tors[1]);
}

/// `--check`, `--dump`, OpenMetrics and `prompt` through ssh.
fn through_the_command_line(sshd: &Sshd, config: &Path, tor: &NetTor) {
    let dir = home_dir("three-cli");
    let rc = nyxrc(&dir, sshd, config);
    let spec = format!("host-b{}", tor.control_socket().display());
    let check = rnyx()
        .args(["--config", rc.to_str().unwrap(), "--check", "--ssh", &spec])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(0), "{said}");
    assert!(
        said.starts_with(&format!("RNYX OK - {}", tor.name)),
        "{said}"
    );
    let dump =
        support::json_of(rnyx().args(["--config", rc.to_str().unwrap(), "--dump", "--ssh", &spec]));
    assert_eq!(dump["nickname"], tor.name.as_str());
    assert_eq!(dump["pid"], tor.pid().unwrap());
    let metrics = rnyx()
        .args([
            "--config",
            rc.to_str().unwrap(),
            "--dump",
            "--format",
            "openmetrics",
            "--ssh",
            &spec,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&metrics.stdout);
    assert!(
        text.contains(&format!(
            "rnyx_up{{relay=\"{}\",host=\"host-b\"}} 1",
            tor.name
        )),
        "{text}"
    );
    let version = rnyx()
        .args([
            "--config",
            rc.to_str().unwrap(),
            "prompt",
            "--ssh",
            &spec,
            "--run",
            "GETINFO version",
        ])
        .output()
        .unwrap();
    let cookie = tor.dir.join("control_auth_cookie");
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!(
            "version={}",
            raw_getinfo(&tor.control_socket(), &cookie, "version")
        )
    );
    watched_through_ssh(&dir, &rc, &spec, tor);
}

/// `rnyx watch --ssh`: its /metrics has the relay up, by tor's nickname
/// and the host.
fn watched_through_ssh(dir: &Path, rc: &Path, spec: &str, tor: &NetTor) {
    let mut env: Vec<(String, String)> = support::home_env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.display().to_string()))
        .collect();
    env.push(("PATH".into(), std::env::var("PATH").unwrap_or_default()));
    let args = [
        "--config",
        rc.to_str().unwrap(),
        "--ssh",
        spec,
        "--listen",
        "127.0.0.1:0",
    ];
    let mut watch = support::watch::Watch::start(&env, &args, &dir.join("watch.log"));
    let series = format!("rnyx_up{{relay=\"{}\",host=\"host-b\"}}", tor.name);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let up = watch
            .exporter()
            .and_then(|at| support::watch::get(at, "/metrics"))
            .and_then(|(_, body)| support::watch::sample(&body, &series));
        if up == Some(1.0) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{series} not 1: {}",
            watch.log()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(watch.stop(), Some(0), "{}", watch.log());
}

/// Steps the UI until the screen `holds`, for up to a minute.
async fn eventually_screen(
    ui: &mut support::ui::Ui,
    what: &str,
    holds: impl Fn(&str) -> bool,
) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let screen = ui.step(&[]).await.join("\n");
        if holds(&screen) {
            return screen;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} within 60 s:\n{screen}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// sshd killed (every session with it): the relay's header says the ssh
/// connection was lost; sshd back, rnyx reconnects by itself. Two relays
/// on one host share one master connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sshd_killed_then_back() {
    let net = network();
    let tors: Vec<&NetTor> = net.by_role(Role::Relay).take(2).collect();
    let (mut sshd, config) = sshd("killed", 2202, &["host-d"]);
    let run = runtime("killed-run");
    let handles: Vec<ControllerHandle> = tors
        .iter()
        .map(|t| watch(&sshd, &config, "host-d", t, &run))
        .collect();
    for h in &handles {
        eventually("connected over ssh", 60, || {
            h.state
                .read(|s| s.session.connection.connected.then_some(()))
        })
        .await;
    }
    assert_eq!(masters(&run), 1, "one master connection for one host");
    sshd.stop();
    let h = &handles[0];
    let why = eventually("the loss said", 60, || {
        h.state.read(|s| {
            s.session
                .connection
                .last_error
                .clone()
                .filter(|e| !s.session.connection.connected && e.contains("ssh to host-d lost"))
        })
    })
    .await;
    let mut ui = support::ui::Ui::new(
        rnyx_panels::app::App::new(rnyx::config::Config::default().app_settings()),
        h,
        160,
        20,
    );
    let screen = ui.step(&[]).await;
    assert!(
        screen[1].contains("Tor Disconnected: ssh to host-d lost:"),
        "{why}\n{}",
        screen.join("\n")
    );
    let lost_at = h.state.read(|s| s.session.connection.connections);
    sshd.start_again().unwrap();
    let back = std::time::Instant::now();
    for h in &handles {
        eventually("reconnected over ssh", 30, || {
            h.state.read(|s| {
                (s.session.connection.connected && s.session.connection.connections > lost_at)
                    .then_some(())
            })
        })
        .await;
    }
    // The backoff for a host is 2 s at most: reported, not judged (the
    // machine's load decides the rest).
    eprintln!(
        "reconnected {} ms after sshd was back",
        back.elapsed().as_millis()
    );
    assert_eq!(masters(&run), 1);
}

/// A host whose key is not the one known is refused, with what ssh said
/// and how to fix it; a key the server does not accept gives the
/// authentication sentence. Neither asks anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_host_key_is_refused_and_a_wrong_key_said() {
    let net = network();
    let tor = net.by_role(Role::Relay).next().unwrap();
    let (sshd, _) = sshd("keys", 2203, &["host-e"]);
    let dir = home_dir("keys-client");
    let spec = format!("host-e{}", tor.control_socket().display());
    let run = |config: &Path| {
        let rc = nyxrc(&dir, &sshd, config);
        rnyx()
            .args(["--config", rc.to_str().unwrap(), "--dump", "--ssh", &spec])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    // known_hosts holds another key for the host.
    keygen(&dir.join("other_host")).unwrap();
    let known = dir.join("known_hosts");
    std::fs::write(
        &known,
        format!(
            "[127.0.0.1]:{} {}",
            sshd.port(),
            std::fs::read_to_string(dir.join("other_host.pub")).unwrap()
        ),
    )
    .unwrap();
    let config = sshd
        .client_config(&dir.join("changed"), &["host-e"], &sshd.identity(), &known)
        .unwrap();
    let out = run(&config);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("ssh to host-e refused: its host key is unknown or has changed")
            && said.contains("Host key verification failed"),
        "{said}"
    );
    // The right host key, a key the server does not know.
    keygen(&dir.join("stranger")).unwrap();
    let config = sshd
        .client_config(
            &dir.join("wrong_key"),
            &["host-e"],
            &dir.join("stranger"),
            &sshd.known_hosts(),
        )
        .unwrap();
    let out = run(&config);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("ssh to host-e: authentication failed (ssh said: ")
            && said.contains("Permission denied"),
        "{said}"
    );
    // The right ones: the same command watches the relay.
    let config = sshd
        .client_config(
            &dir.join("right"),
            &["host-e"],
            &sshd.identity(),
            &sshd.known_hosts(),
        )
        .unwrap();
    let out = run(&config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A relay recorded over ssh (`rnyx record --ssh` is this task with a
/// recording host around the ssh one) replays what was read on its
/// machine: tor's process, its torrc as read there, its certificate; tor's
/// manual comes from its machine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_recorded_over_ssh_replays() {
    let net = network();
    let tor = net.by_role(Role::Relay).next().unwrap();
    let (sshd, config) = sshd("record", 2204, &["host-f"]);
    let run = runtime("record-run");
    let dir = home_dir("record-file");
    let file = dir.join("relay.rnyx.gz");
    let recorder = rnyx::record::Recorder::create(&file, 8 << 20).unwrap();
    let spec = SshSpec::parse(&format!("host-f{}", tor.control_socket().display())).unwrap();
    let command: Vec<String> = sshd
        .ssh_command(&config)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let live = spawn(rnyx::settings::recorded(
        ControllerConfig {
            targets: Vec::new(),
            host: Arc::new(Ssh::new(spec, &command, &run)),
            connection_rate: Duration::from_secs(1),
            history_dir: None,
            ..ControllerConfig::default()
        },
        &recorder,
    ));
    live.want_manual();
    let state = eventually("tor's process, torrc, certificate and manual", 60, || {
        live.state.read(|s| {
            let ready = s.facts.system.tor_memory.is_some()
                && s.facts.config.torrc.read_at > 0
                && s.health.cert_expires.is_some()
                && s.facts.manual.is_some()
                && s.net.connections.refreshed > 0;
            ready.then(|| s.clone())
        })
    })
    .await;
    let manual = state.facts.manual.as_ref().unwrap();
    assert!(manual.source.starts_with("host-f:"), "{}", manual.source);
    let torrc = state.facts.config.torrc.path.clone().unwrap_or_default();
    assert!(torrc.starts_with("host-f:"), "{torrc}");
    assert!(
        state.facts.config.torrc.error.is_none(),
        "{:?}",
        state.facts.config.torrc
    );
    drop(live);
    recorder.close();
    drop(sshd);
    let player = rnyx::replay::Player::open(&file, 1.0).unwrap();
    player.clock.hold_at(player.clock.length() + 1);
    let replay = spawn(ControllerConfig {
        host: rnyx::host::replay(player),
        ..ControllerConfig::default()
    });
    let settled = tokio::time::timeout(
        Duration::from_secs(30),
        replay.ask(rnyx_grammar::request::SessionRequest::Settled.into()),
    )
    .await
    .expect("the replay settles");
    assert_eq!(
        settled,
        rnyx_grammar::request::Response::Done(String::new())
    );
    replay.state.read(|s| {
        assert_eq!(s.facts.relay.pid, state.facts.relay.pid);
        assert!(s.facts.system.tor_memory.is_some());
        assert_eq!(s.health.cert_expires, state.health.cert_expires);
        assert_eq!(s.facts.config.torrc.path, state.facts.config.torrc.path);
        assert_eq!(
            s.facts.config.torrc.settings,
            state.facts.config.torrc.settings
        );
    });
}
