//! A bridge on the private network, as its operator sees it: relay1 made a
//! bridge with obfs4proxy (Debian's package) as a managed transport, and
//! the client using it through that transport. rnyx shows the transport
//! running with its bridge line, and the client, on page 7 and in
//! `--dump`; killing the transport's process is alerted.

mod support;

use rnyx::controller::{spawn, ControllerConfig, ControllerHandle};
use rnyx::launch::network::{NetTor, Role};
use rnyx::launch::NetworkSpec;
use rnyx_model::bridge::Bridge;
use rnyx_model::health::{AlertKind, Severity};
use std::time::Duration;
use support::tor_command;

const OBFS4: &str = "/usr/bin/obfs4proxy";
const PORT: u16 = 5400;

fn bridge(h: &ControllerHandle) -> Bridge {
    h.state.read(|s| s.bridge.clone())
}

/// Waits (120 s at most: a deadline that only catches a hang) for the
/// bridge to be as `want` says; else fails with what rnyx and tor saw.
async fn until(
    h: &ControllerHandle,
    net: &rnyx::launch::PrivateNetwork,
    what: &str,
    want: impl Fn(&Bridge) -> bool,
) -> Bridge {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let b = bridge(h);
        if want(&b) {
            return b;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {b:?}\n{}",
            net.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// relay1 made a bridge with obfs4proxy, and rnyx watching it once its
/// bridge line is written.
async fn make_bridge(relay: &NetTor, recorder: rnyx::record::Recorder) -> ControllerHandle {
    tor_command(
        &relay.dir,
        &relay.control_socket(),
        &format!(
            "SETCONF BridgeRelay=1 BridgeDistribution=none ServerTransportPlugin=\"obfs4 exec {OBFS4}\" ServerTransportListenAddr=\"obfs4 127.0.0.1:{PORT}\" ExtORPort=auto"
        ),
    );
    let line_file = relay.dir.join("pt_state/obfs4_bridgeline.txt");
    support::eventually("obfs4proxy's bridge line", 60, || {
        line_file.exists().then_some(())
    })
    .await;
    spawn(ControllerConfig {
        targets: vec![relay.target()],
        refresh_interval: Duration::from_secs(2),
        host: rnyx::host::recording(rnyx::host::local(None), recorder),
        ..ControllerConfig::default()
    })
}

/// Waits for the transports' events to be subscribed: tor 0.4.9.11 knows
/// neither PT_STATUS nor PT_LOG (`events/names`), and only what tor knows
/// is asked for.
async fn transports_subscribed(h: &ControllerHandle) {
    let wanted = ["TRANSPORT_LAUNCHED", "WARN"];
    support::eventually("the transports' events subscribed", 60, || {
        h.state.read(|s| {
            let events = &s.logs.subscribed_events;
            wanted
                .iter()
                .all(|e| events.iter().any(|x| x == e))
                .then_some(())
        })
    })
    .await;
}

/// The client set to reach the bridge through obfs4, with `line` (the
/// bridge's, with its placeholders).
fn use_bridge(client: &NetTor, relay: &NetTor, line: &str) {
    let fp = relay.fingerprint().unwrap();
    let bridge_line = line
        .trim_start_matches("Bridge ")
        .replace("<IP ADDRESS>:<PORT>", &format!("127.0.0.1:{PORT}"))
        .replace("<FINGERPRINT>", &fp);
    tor_command(
        &client.dir,
        &client.control_socket(),
        &format!(
            "SETCONF UseBridges=1 ClientTransportPlugin=\"obfs4 exec {OBFS4}\" Bridge=\"{bridge_line}\""
        ),
    );
}

/// Kills every process tor runs (the transport), then waits for the alert.
async fn kill_transport(h: &ControllerHandle, relay: &NetTor) -> (u32, rnyx_model::health::Alert) {
    let tor_dir = std::path::PathBuf::from(format!("/proc/{}", relay.pid().unwrap()));
    let pts = rnyx::procfs::children(std::path::Path::new("/proc"), &tor_dir);
    let pid = bridge(h).transports[0].pid.unwrap();
    assert!(pts.iter().any(|(_, p)| *p == pid), "{pid} not in {pts:?}");
    for (_, p) in &pts {
        let killed = std::process::Command::new("kill")
            .args(["-9", &p.to_string()])
            .status()
            .unwrap();
        assert!(killed.success(), "kill {p}: {killed}");
    }
    // Read between the kill and tor's restart, the transport is gone (a
    // critical alert) until its new process is seen.
    let alert = support::eventually("the transport started again, alerted", 60, || {
        h.state.read(|s| {
            s.health
                .active
                .iter()
                .find(|a| a.kind == AlertKind::TransportFailing && a.severity == Severity::Warning)
                .cloned()
        })
    })
    .await;
    (pid, alert)
}

/// The network has no bridge authority: tor says so when it publishes
/// (as it becomes a bridge, then as its descriptor changes).
async fn no_bridge_authority(h: &ControllerHandle) {
    support::eventually("tor's word of no bridge authority", 120, || {
        h.state.read(|s| {
            matches!(
                s.bridge.authority,
                Some(rnyx_model::bridge::AuthorityAnswer::NoneListed { .. })
            )
            .then_some(())
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bridges_obfs4_transport_and_client_show_and_a_killed_transport_is_alerted() {
    let net = support::start_network_with(&NetworkSpec::default());
    let relay = net.tors.iter().find(|t| t.name == "relay1").unwrap();
    let client = net.by_role(Role::Client).next().unwrap();
    let recording = tempfile::tempdir().unwrap();
    let file = recording.path().join("bridge.rnyx.gz");
    let recorder = rnyx::record::Recorder::create(&file, 16 << 20).unwrap();
    let h = make_bridge(relay, recorder).await;
    let b = until(
        &h,
        &net,
        "the transport running, with its bridge line",
        |b| {
            b.transports
                .first()
                .is_some_and(|t| t.running() && t.bridge_line.is_some())
        },
    )
    .await;
    assert!(b.bridge);
    assert_eq!(b.distribution.as_deref(), Some("none"));
    let t = &b.transports[0];
    assert_eq!(
        (t.name.as_str(), t.program.as_deref()),
        ("obfs4", Some(OBFS4))
    );
    assert_eq!(t.listen.as_deref(), Some(&*format!("127.0.0.1:{PORT}")));
    let line = t.bridge_line.clone().unwrap();
    assert!(
        line.starts_with("Bridge obfs4 ") && line.contains("cert="),
        "{line}"
    );
    transports_subscribed(&h).await;

    use_bridge(client, relay, &line);
    let b = until(&h, &net, "a client counted", |b| {
        b.clients.as_ref().is_some_and(|c| c.total() > 0)
    })
    .await;
    let seen = b.clients.unwrap();
    assert!(seen.since.is_some(), "{seen:?}");

    no_bridge_authority(&h).await;

    // Page 7.
    let app = rnyx_panels::app::App::new(rnyx::config::Config::default().app_settings());
    let mut ui = support::ui::Ui::new(app, &h, 160, 40);
    let left = rnyx::ui::Input::Key(rnyx_panels::keymap::Key::Left);
    let screen = ui.step(&[left]).await.join("\n");
    for want in [
        "Bridge: (BridgeDistribution none)",
        &format!("obfs4 {OBFS4}: running, pid"),
        "hand out     Bridge obfs4",
        "clients",
        "by country:",
        "authority    tor knows none to publish to (",
    ] {
        assert!(screen.contains(want), "{want:?} not on\n{screen}");
    }
    assert!(
        screen.contains("bridge: obfs4 running, 8 clients, distribution none"),
        "the header:\n{screen}"
    );
    let dump = support::dump(&relay.control_socket());
    assert_eq!(dump["bridge"]["transports"][0]["name"], "obfs4", "{dump}");

    // Page 2: the client through the transport, on the Extended ORPort, is
    // a client.
    support::eventually("the transport's connection to the ExtORPort", 60, || {
        h.state.read(|s| {
            let extor = s.facts.relay.listeners.extor.first()?.clone();
            s.net
                .connections
                .list
                .iter()
                .any(|c| extor.ends_with(&format!(":{}", c.local.port())))
                .then_some(())
        })
    })
    .await;
    let right = rnyx::ui::Input::Key(rnyx_panels::keymap::Key::Right);
    let screen = ui.step(&[right, right]).await.join("\n");
    assert!(
        screen.contains("(CLIENT)") && screen.contains(" client"),
        "{screen}"
    );
    let screen = ui.step(&[left, left]).await.join("\n");
    assert!(screen.contains("Bridge:"), "back on page 7:\n{screen}");

    // Its process killed: tor starts it again (a new pid) and the alert is
    // a warning, with the pids.
    let (pid, alert) = kill_transport(&h, relay).await;
    assert_eq!(alert.severity, Severity::Warning, "{alert:?}");
    assert_eq!(
        alert.detail,
        "obfs4: its process ended and tor started it again"
    );
    assert!(
        alert
            .words
            .as_deref()
            .is_some_and(|w| w.starts_with(&format!("process {pid} ended"))),
        "{alert:?}"
    );
    let screen = ui.step(&[]).await.join("\n");
    assert!(screen.contains("restarted"), "{screen}");
    drop(ui);
    drop(h);
    replayed(&file, pid).await;
}

/// The recording replays the bridge: its transport, tor's count of
/// clients and tor's child processes (the transport's pid) as the replay's
/// facts read them: at its start, every 30 s of the recording and after a
/// configuration change.
async fn replayed(file: &std::path::Path, killed: u32) {
    support::eventually("the recording finished", 60, || {
        support::recording_text(file, "CountrySummary=??=8")
    })
    .await;
    let mut c = support::rnyx();
    c.args(["--dump", "--replay"]).arg(file);
    let dump = support::json_of(&mut c);
    let bridge = &dump["bridge"];
    assert_eq!(bridge["bridge"], true, "{dump}");
    assert_eq!(bridge["transports"][0]["name"], "obfs4", "{bridge}");
    assert!(bridge["clients"]["since"].is_string(), "{bridge}");
    // tor's children as the recording read them: the transport's pid (the
    // one killed later, unless the replay reads the facts again after it).
    let transport = &bridge["transports"][0];
    assert!(transport["pid"].as_u64().is_some(), "{transport}");
    assert!(
        transport["pid"].as_u64() == Some(u64::from(killed)) || transport["restarts"] == 1,
        "{transport}"
    );
}
