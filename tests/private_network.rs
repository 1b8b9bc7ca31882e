//! rnyx against a private tor network (authorities, relays, a client) running
//! in its own loopback-only network namespace, shared by these tests.

mod support;

use rnyx::controller::{spawn, ControllerConfig};
use rnyx_model::CircuitStatus;
use support::{dump, eventually, network, raw_getinfo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn circuits_appear_on_the_client() {
    let net = network();
    let handle = spawn(ControllerConfig {
        targets: vec![net.client().target()],
        ..ControllerConfig::default()
    });
    let fingerprints: Vec<String> = net
        .tors
        .iter()
        .filter_map(rnyx::launch::network::NetTor::fingerprint)
        .collect();
    let circuit = eventually("a built circuit", 60, || {
        handle.state.read(|s| {
            s.net
                .circuits
                .iter()
                .find(|c| c.status == CircuitStatus::Built && !c.path.is_empty())
                .cloned()
        })
    })
    .await;
    for hop in &circuit.path {
        let fp = hop.fingerprint.as_ref().expect("hops carry fingerprints");
        assert!(
            fingerprints.iter().any(|f| f == fp.as_str()),
            "hop {fp} is not a relay of the network"
        );
    }
    // tor's own list of circuits has it too.
    let raw = raw_getinfo(
        &net.client().control_socket(),
        &net.client().dir.join("control_auth_cookie"),
        "circuit-status",
    );
    assert!(
        raw.lines()
            .any(|l| l.starts_with(&format!("{} ", circuit.id))),
        "circuit {} not in tor's circuit-status:\n{raw}",
        circuit.id
    );
}

#[tokio::test]
async fn dump_of_a_relay_matches_what_tor_reports() {
    let net = network();
    let relay = net.relay();
    let socket = relay.control_socket();
    let cookie = relay.dir.join("control_auth_cookie");
    let fp = relay.fingerprint().unwrap();

    // Wait until the relay is in a consensus it has, so it has flags.
    let v = eventually("the relay's own flags", 120, || {
        let v = dump(&socket);
        (!v["flags"].as_array().unwrap().is_empty()).then_some(v)
    })
    .await;
    assert_eq!(v["fingerprint"], fp);
    assert_eq!(v["nickname"], relay.name);
    let version = raw_getinfo(&socket, &cookie, "version");
    assert_eq!(v["version"], version);
    let ns = raw_getinfo(&socket, &cookie, &format!("ns/id/{fp}"));
    let tor_flags: Vec<&str> = ns
        .lines()
        .find_map(|l| l.strip_prefix("s "))
        .unwrap()
        .split(' ')
        .collect();
    let our_flags: Vec<&str> = v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(our_flags, tor_flags);
    assert!(our_flags.contains(&"Running"), "{our_flags:?}");
    assert_eq!(v["pid"], relay.pid().unwrap());
    assert_eq!(
        v["listeners"]["or"][0],
        format!("127.0.0.1:{}", relay.or_port.unwrap())
    );

    // Traffic totals: between what tor said just before and just after.
    let read_before: u64 = raw_getinfo(&socket, &cookie, "traffic/read")
        .parse()
        .unwrap();
    let written_before: u64 = raw_getinfo(&socket, &cookie, "traffic/written")
        .parse()
        .unwrap();
    let v = dump(&socket);
    let read_after: u64 = raw_getinfo(&socket, &cookie, "traffic/read")
        .parse()
        .unwrap();
    let written_after: u64 = raw_getinfo(&socket, &cookie, "traffic/written")
        .parse()
        .unwrap();
    let read = v["traffic_read"].as_u64().unwrap();
    let written = v["traffic_written"].as_u64().unwrap();
    assert!(
        read > 0 && written > 0,
        "a relay in a live network has traffic"
    );
    assert!(
        (read_before..=read_after).contains(&read),
        "{read_before} <= {read} <= {read_after}"
    );
    assert!(
        (written_before..=written_after).contains(&written),
        "{written_before} <= {written} <= {written_after}"
    );
}

#[test]
fn every_tor_runs_in_a_loopback_only_namespace() {
    let net = network();
    let ours = std::fs::read_link("/proc/self/ns/net").unwrap();
    for t in &net.tors {
        let pid = t.pid().unwrap();
        // nsenter execs tor in place, so the pid is tor's.
        let theirs = std::fs::read_link(format!("/proc/{pid}/ns/net")).unwrap();
        assert_ne!(theirs, ours, "{} shares our network namespace", t.name);
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap();
        assert_eq!(comm.trim(), "tor");
    }
    let out = net
        .command_in_namespace("ip")
        .args(["-o", "link"])
        .output()
        .unwrap();
    let links = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = links
        .lines()
        .filter_map(|l| l.split(':').nth(1))
        .map(str::trim)
        .collect();
    assert_eq!(names, ["lo"], "{links}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitor_in_a_real_terminal() {
    let net = network();
    support::traffic();
    let relay = net
        .tors
        .iter()
        .find(|t| t.name == rnyx::demo::EXIT_RELAY)
        .unwrap();
    let fingerprint = relay.fingerprint().unwrap();
    let tmux = support::tmux::Tmux::new("rnyx-test");
    let command = format!(
        "{} {} --socket {}; echo RNYX-EXITED $?; sleep 600",
        support::home_prefix(),
        env!("CARGO_BIN_EXE_rnyx"),
        relay.control_socket().display()
    );
    tmux.start("rnyx", &command, 120, 40);

    let screen = eventually("the header's fingerprint", 30, || {
        let s = tmux.screen("rnyx");
        s.contains("fingerprint: ").then_some(s)
    })
    .await;
    assert!(
        screen.contains(&format!("fingerprint: {fingerprint}")),
        "{screen}"
    );
    assert_eq!(tmux.display("rnyx", "#{alternate_on}"), "1");

    // Traffic flows through the exit relay: the download rate becomes non-zero.
    eventually("a non-zero download rate", 150, || {
        let s = tmux.screen("rnyx");
        let rate = s.lines().find_map(|l| {
            l.split("Download (")
                .nth(1)?
                .split(')')
                .next()
                .map(str::to_owned)
        })?;
        (!rate.starts_with("0 B/s")).then_some(rate)
    })
    .await;

    tmux.run(&["send-keys", "-t", "rnyx", "q"]);
    eventually("the quit confirmation", 30, || {
        tmux.screen("rnyx")
            .contains("Are you sure (q again to confirm)?")
            .then_some(())
    })
    .await;
    tmux.run(&["send-keys", "-t", "rnyx", "q"]);
    let screen = eventually("rnyx to exit", 30, || {
        let s = tmux.screen("rnyx");
        s.contains("RNYX-EXITED").then_some(s)
    })
    .await;
    assert!(screen.contains("RNYX-EXITED 0"), "{screen}");
    // The terminal is restored: main screen, cursor visible.
    assert_eq!(tmux.display("rnyx", "#{alternate_on}"), "0");
    assert_eq!(tmux.display("rnyx", "#{cursor_flag}"), "1");
}

/// The exit relay's connections as rnyx sees them from outside the
/// network's namespace, against what tor itself says.
/// The network's exit relay, its control socket and its cookie.
fn exit_relay(
    net: &rnyx::launch::PrivateNetwork,
) -> (
    &rnyx::launch::network::NetTor,
    std::path::PathBuf,
    std::path::PathBuf,
) {
    let exit = net
        .tors
        .iter()
        .find(|t| t.name == rnyx::demo::EXIT_RELAY)
        .unwrap();
    (
        exit,
        exit.control_socket(),
        exit.dir.join("control_auth_cookie"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_of_the_exit_relay_are_tors_own() {
    use rnyx_model::{Category, SocketSource, SocketTable};
    let net = network();
    let (exit, socket, cookie) = exit_relay(net);
    let handle = spawn(ControllerConfig {
        targets: vec![exit.target()],
        connection_rate: std::time::Duration::from_secs(1),
        // tor's orconn-status is reconciled with each refresh of the facts.
        refresh_interval: std::time::Duration::from_secs(5),
        ..ControllerConfig::default()
    });
    // Every relay of the network, by ORPort: its fingerprint and nickname.
    let relays: Vec<(u16, String, String)> = net
        .tors
        .iter()
        .filter_map(|t| Some((t.or_port?, t.fingerprint()?, t.name.clone())))
        .collect();
    // A relay may hold a consensus naming all of its peers later than the
    // client that the network waits for: NEWCONSENSUS brings it.
    eventually("a consensus naming the network's relays", 180, || {
        handle
            .state
            .read(|s| (s.facts.consensus.len() >= relays.len() - 1).then_some(()))
    })
    .await;
    // A refresh of the connections that had the consensus to name peers.
    let after = (rnyx::host::system_ms() / 1000) + 1;
    eventually("connections read after the consensus", 30, || {
        handle
            .state
            .read(|s| (s.net.connections.refreshed >= after).then_some(()))
    })
    .await;
    // One OR connection per line of tor's orconn-status, never merged by
    // peer (the network has several relays on one address).
    let mut last = (0, 0);
    for _ in 0..600 {
        let tors = raw_getinfo(&socket, &cookie, "orconn-status")
            .lines()
            .count();
        let ours = handle.state.read(|s| s.net.or_connections.len());
        last = (ours, tors);
        if ours == tors {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (ours, tors) = last;
    assert_eq!(ours, tors, "OR connections: rnyx's against orconn-status");
    assert!(tors >= relays.len() - 1, "{ours} of {tors}");
    let state = handle.state.snapshot();
    assert_eq!(state.net.connections.source, SocketSource::Descriptors);
    // The kernel's table of tor's namespace, entered from outside it.
    assert_eq!(state.net.connections.table, SocketTable::SockDiag);
    assert_eq!(state.net.connections.error, None);
    let or_port = exit.or_port.unwrap();
    let mut outbound = 0;
    for c in &state.net.connections.list {
        // INBOUND exactly when the local end is the relay's ORPort.
        assert_eq!(
            c.category == Category::Inbound,
            c.local.port() == or_port,
            "{c:?}"
        );
        // Connections tor made to a relay's ORPort name that relay (the end
        // of a one-hop circuit is a directory connection).
        if matches!(c.category, Category::Outbound | Category::Directory) {
            outbound += 1;
            let (_, fp, name) = relays
                .iter()
                .find(|(p, ..)| *p == c.remote.port())
                .unwrap_or_else(|| panic!("an outbound connection to a relay: {c:?}"));
            assert_eq!(c.fingerprint.as_ref(), Some(fp), "{c:?}");
            assert_eq!(c.nickname.as_ref(), Some(name), "{c:?}");
        }
    }
    let relay_links = state
        .net
        .connections
        .list
        .iter()
        .filter(|c| c.category == Category::Inbound && c.relays_at_address > 0)
        .count()
        + outbound;
    assert!(relay_links > 0, "{:#?}", state.net.connections.list);
    // The circuits tor lists are the ones rnyx has.
    let (ours, tors) = circuit_ids_until_equal(&handle, &socket, &cookie).await;
    assert_eq!(ours, tors, "circuit ids: rnyx's against circuit-status");
    // Peers' countries were asked of tor (loopback: tor does not know).
    let located = eventually("countries asked of tor", 30, || {
        handle.state.read(|s| {
            s.net
                .connections
                .countries
                .get(&std::net::IpAddr::from([127, 0, 0, 1]))
                .cloned()
        })
    })
    .await;
    assert_eq!(located, "??");
    // The header says the policy tor has, not `reject *:*`.
    let policy = state.facts.relay.exit_policy.clone().unwrap_or_default();
    let full = raw_getinfo(&socket, &cookie, "exit-policy/full");
    assert!(full.contains("accept"), "{full}");
    assert!(policy.contains("accept"), "{policy} from {full}");
    assert!(state.facts.relay.exits);
}

/// rnyx's circuit ids and tor's (`circuit-status`), polled for up to a
/// minute until they agree; the last of both.
async fn circuit_ids_until_equal(
    handle: &rnyx::controller::ControllerHandle,
    socket: &std::path::Path,
    cookie: &std::path::Path,
) -> (Vec<u64>, Vec<u64>) {
    let mut last = (Vec::new(), Vec::new());
    for _ in 0..600 {
        let raw = raw_getinfo(socket, cookie, "circuit-status");
        let mut tors: Vec<u64> = raw
            .lines()
            .filter(|l| !l.contains(" CLOSED") && !l.contains(" FAILED"))
            .filter_map(|l| l.split(' ').next()?.parse().ok())
            .collect();
        tors.sort_unstable();
        let ours: Vec<u64> = handle
            .state
            .read(|s| s.net.circuits.iter().map(|c| c.id).collect());
        let done = ours == tors;
        last = (ours, tors);
        if done {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    last
}

/// A stream opened through the client appears under its circuit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_through_the_client_appears_under_its_circuit() {
    let net = network();
    let handle = spawn(ControllerConfig {
        targets: vec![net.client().target()],
        connection_rate: std::time::Duration::from_secs(1),
        ..ControllerConfig::default()
    });
    eventually("connected", 30, || {
        handle
            .state
            .read(|s| s.session.connection.connected.then_some(()))
    })
    .await;
    support::traffic();
    let port = format!(":{}", rnyx::demo::SERVER_PORT);
    // rnyx and tor agree on a stream to the byte server and its circuit.
    // Asked again until they do: tor may move a stream to another circuit
    // (or end it) between rnyx's look and tor's answer.
    eventually(
        "a stream on the same live circuit for rnyx and tor",
        90,
        || {
            let raw = raw_getinfo(
                &net.client().control_socket(),
                &net.client().dir.join("control_auth_cookie"),
                "stream-status",
            );
            handle.state.read(|s| {
                s.net
                    .streams
                    .iter()
                    .filter(|st| st.target.ends_with(&port) && st.circuit_id != 0)
                    .filter(|st| s.net.circuits.get(st.circuit_id).is_some())
                    .find(|st| {
                        raw.lines().any(|l| {
                            let mut f = l.split(' ');
                            f.next() == Some(st.id.to_string().as_str())
                                && f.nth(1) == Some(st.circuit_id.to_string().as_str())
                        })
                    })
                    .map(|_| ())
            })
        },
    )
    .await;
    // The client's SOCKS connections name the process at the other end:
    // one of the demo's fetchers, inside the namespace.
    let process = eventually("a SOCKS connection naming its process", 60, || {
        handle.state.read(|s| {
            s.net
                .connections
                .list
                .iter()
                .filter(|c| c.category == rnyx_model::Category::Socks)
                .find_map(|c| c.process.clone())
        })
    })
    .await;
    let pid = process
        .strip_prefix("rnyx (")
        .and_then(|p| p.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{process}"));
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    assert!(
        String::from_utf8_lossy(&cmdline).contains("demo-fetch"),
        "{process}: {:?}",
        String::from_utf8_lossy(&cmdline)
    );
}

/// The network's relays and its client watched at once from outside the
/// namespace: the overview lists each, with its own fingerprint, and the
/// exit relay's traffic while the demo's downloads run through it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_networks_relays_in_one_overview() {
    use rnyx::launch::network::Role;
    use rnyx_model::{RelayName, RelayRow, NAME_WIDTH};
    let net = network();
    support::traffic();
    let watched: Vec<&rnyx::launch::network::NetTor> = net
        .by_role(Role::Relay)
        .chain(net.by_role(Role::Client))
        .collect();
    // Found by their sockets, as `rnyx -s … -s …` finds them: every socket
    // path shares the network's directory, so the overview names each by
    // the nickname tor says.
    let (fleet, mut ui) = support::watch_all(
        watched
            .iter()
            .map(|t| {
                (
                    RelayName::found(t.control_socket().display().to_string()),
                    t.target(),
                )
            })
            .collect(),
    )
    .await;
    let n = fleet.len();
    let mut screen = String::new();
    for _ in 0..50 {
        screen = ui.step(&[]).await.join("\n");
        if watched
            .iter()
            .all(|t| screen.contains(&format!("{:<NAME_WIDTH$} up", t.name)))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        screen.contains(&format!("Relays ({n} watched, {n} up):")),
        "{screen}"
    );
    for ((name, h), t) in fleet.iter().zip(&watched) {
        let row = h.state.read(|s| RelayRow::of(name, s));
        assert_eq!(row.fingerprint, t.fingerprint(), "{name:?}");
        assert_eq!(row.name, t.name);
        assert!(
            screen.contains(&format!("{:<NAME_WIDTH$} up", t.name)),
            "{screen}"
        );
        // The path is in the header's details, not the overview's rows.
        let rows_named_by_path = screen
            .lines()
            .filter(|l| l.trim_start_matches(['▸', ' ']).starts_with(&name.text))
            .count();
        assert_eq!(rows_named_by_path, 0, "{screen}");
    }
    // A relay's pages: the header says its nickname and where it is, the
    // path cut to its distinguishing end.
    let screen = ui
        .step(&[rnyx::ui::Input::Key(rnyx_panels::keymap::Key::Enter)])
        .await
        .join("\n");
    let first = &watched[0].name;
    assert!(
        screen.contains(&format!("relay 1/{n}: {first} (…/{first}/control)")),
        "{screen}"
    );
    let exit = fleet
        .iter()
        .find(|(_, h)| {
            h.state
                .read(|s| s.facts.relay.nickname.as_deref() == Some(rnyx::demo::EXIT_RELAY))
        })
        .unwrap();
    let rate = eventually("traffic through the exit relay", 90, || {
        exit.1.state.read(|s| {
            let row = RelayRow::of(&exit.0, s);
            (row.read > 0.0).then_some(row.read)
        })
    })
    .await;
    assert!(rate > 0.0);
}

/// A client isolating streams by SOCKS credentials (IsolateSOCKSAuth, on by
/// default) names them in its CIRC and STREAM events; a recording of it
/// holds neither the username nor the password, anywhere in the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_of_a_client_holds_no_socks_credentials() {
    const USER: &str = "rnyx-test-user-5f1c";
    const PASS: &str = "rnyx-test-pass-9a2e";
    let net = network();
    support::traffic();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.rnyx.gz");
    let recorder = rnyx::record::Recorder::create(&file, 16 << 20).unwrap();
    let handle = spawn(ControllerConfig {
        targets: vec![net.client().target()],
        host: rnyx::host::recording(rnyx::host::local(None), recorder),
        ..ControllerConfig::default()
    });
    eventually("subscribed to STREAM", 30, || {
        handle.state.read(|s| {
            s.logs
                .subscribed_events
                .iter()
                .any(|e| e == "STREAM")
                .then_some(())
        })
    })
    .await;
    let socks = net.client().socks_port.expect("the client has a SocksPort");
    // Tried until it succeeds: the byte server and the client's circuits
    // may still be coming up when this test runs first.
    let mut last = String::new();
    let mut fetched = false;
    for _ in 0..20 {
        let out = net
            .command_in_namespace(env!("CARGO_BIN_EXE_rnyx"))
            .args([
                "demo-fetch",
                "--socks",
                &socks.to_string(),
                "--port",
                &rnyx::demo::SERVER_PORT.to_string(),
                "--parent",
                &std::process::id().to_string(),
                "--once",
                "100000",
                "--socks-auth",
                &format!("{USER}:{PASS}"),
            ])
            .output()
            .unwrap();
        if out.status.success() {
            fetched = true;
            break;
        }
        last = String::from_utf8_lossy(&out.stderr).into_owned();
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    }
    assert!(fetched, "the download with SOCKS credentials: {last}");
    // tor's events about that stream reach the recording, redacted; the
    // recorder finishes its file once the controller is gone.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    drop(handle);
    let plain = eventually("the credentials' events in the recording", 30, || {
        support::recording_text(&file, "SOCKS_PASSWORD=<redacted>")
    })
    .await;
    assert!(plain.contains("SOCKS_USERNAME=<redacted>"));
    for secret in [USER, PASS] {
        assert!(!plain.contains(secret), "{secret} in the recording");
    }
}

/// A tor whose process rnyx cannot see (rnyx in a pid namespace of its own,
/// as beside a tor in a container): its connections are what tor reports,
/// one OR connection per `CONNECTED` line of `orconn-status`, each relay
/// named from the consensus; the dump says where they came from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tor_whose_process_is_not_visible_shows_connections_as_tor_reports_them() {
    let net = network();
    let (_, socket, cookie) = exit_relay(net);
    let relays: Vec<(u16, String)> = net
        .tors
        .iter()
        .filter_map(|t| Some((t.or_port?, t.fingerprint()?)))
        .collect();
    let unseen = || {
        let out = std::process::Command::new("unshare")
            .args(["-r", "--pid", "--fork", "--mount-proc"])
            .arg(env!("CARGO_BIN_EXE_rnyx"))
            .args(["--dump", "--no-scrub", "--socket"])
            .arg(&socket)
            .envs(support::home_env())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let relay_links = |v: &serde_json::Value| {
        v["connections"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                ["INBOUND", "OUTBOUND", "DIRECTORY"].contains(&c["category"].as_str().unwrap())
            })
            .count()
    };
    // tor's CONNECTED OR connections, before and after the dump: equal
    // when nothing changed meanwhile.
    let connected = || {
        raw_getinfo(&socket, &cookie, "orconn-status")
            .lines()
            .filter(|l| l.ends_with(" CONNECTED"))
            .count()
    };
    let (v, tors) = eventually(
        "a dump whose OR connections are orconn-status's",
        180,
        || {
            let before = connected();
            let v = unseen();
            let after = connected();
            let ok = before == after && relay_links(&v) == before && before >= relays.len() - 1;
            if !ok {
                // What differed, for a run that never agrees.
                eprintln!(
                    "not yet: tor {before} then {after}, rnyx {}: {}",
                    relay_links(&v),
                    v["connections"]
                );
            }
            ok.then_some((v, before))
        },
    )
    .await;
    assert_eq!(v["connection_source"]["kind"], "control_port", "{v:#}");
    assert!(
        v["connection_source"]["why"]
            .as_str()
            .unwrap()
            .contains("is not visible from here"),
        "{v:#}"
    );
    assert_eq!(v["connection_table"]["kind"], "control_port");
    // Each relay named by the consensus, at its ORPort.
    for c in v["connections"].as_array().unwrap() {
        if c["category"] == "OUTBOUND" {
            let port: u16 = c["remote"]
                .as_str()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let (_, fp) = relays
                .iter()
                .find(|(p, _)| *p == port)
                .unwrap_or_else(|| panic!("a relay's ORPort: {c}"));
            assert_eq!(c["fingerprint"].as_str(), Some(fp.as_str()), "{c}");
        }
    }
    assert!(tors > 0);
    // rnyx here sees tor's process: its own sockets, the same relays.
    let here = dump(&socket);
    assert_eq!(here["connection_source"]["kind"], "descriptors");
}
