//! The load page on a private network: relay0 has a MetricsPort (reached
//! from outside the network's namespace through a forwarded unix socket,
//! nyxrc's `metrics_port = "unix:…"`) and, once the network is up, tor's
//! DoS defences with tiny limits. The client (from 127.0.0.2, an address
//! no relay has) opens circuits through relay0 until tor refuses them:
//! the page's numbers equal the MetricsPort's, the `dos_refusing` alert
//! fires (in the monitor and `rnyx --check`) and ends. Then the
//! authorities stop voting relay0 Guard, and the timeline shows the flag
//! lost with its consensus's time, as does the `flag_lost` alert.

mod support;

use rnyx::controller::{spawn, ControllerConfig, ControllerHandle};
use rnyx::launch::network::NetTor;
use rnyx::launch::NetworkSpec;
use rnyx::ui::Input;
use rnyx_model::health::AlertKind;
use rnyx_panels::keymap::Key;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{eventually, tor_command};

const DOS: &[(&str, &str)] = &[
    ("DoSCircuitCreationEnabled", "1"),
    ("DoSCircuitCreationMinConnections", "1"),
    ("DoSCircuitCreationRate", "1"),
    ("DoSCircuitCreationBurst", "1"),
    ("DoSCircuitCreationDefenseTimePeriod", "10"),
    ("DoSConnectionEnabled", "1"),
    ("DoSConnectionMaxConcurrentCount", "1"),
];

fn option(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

/// tor's own count of circuits refused, read now through the forward.
async fn refused_now(at: &str) -> f64 {
    let text = rnyx::host::metrics::fetch(at).await.unwrap();
    rnyx_grammar::metrics::parse(&text)
        .value("tor_relay_dos_total", &[("type", "circuit_rejected")])
        .expect("tor counts refused circuits")
}

/// rnyx's count of circuits refused, as last read.
fn refused_seen(h: &ControllerHandle) -> Option<f64> {
    h.state.read(|s| {
        s.load
            .metrics
            .value("tor_relay_dos_total", &[("type", "circuit_rejected")])
    })
}

fn alert(h: &ControllerHandle, kind: AlertKind) -> Option<rnyx_model::health::Alert> {
    h.state
        .read(|s| s.health.active.iter().find(|a| a.kind == kind).cloned())
}

/// The client asks for circuits through relay0 until `stop`.
fn ask_for_circuits(client: &NetTor, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    let (dir, socket) = (client.dir.clone(), client.control_socket());
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let many = ["EXTENDCIRCUIT 0 relay0,relay1"; 10].join("\r\n");
            tor_command(&dir, &socket, &many);
            std::thread::sleep(Duration::from_millis(250));
        }
    })
}

/// `rnyx --check` on relay0 with nyxrc's `metrics_port` and the graph
/// history under `state` (`XDG_STATE_HOME`): its output.
fn check(relay: &NetTor, metrics: &str, state: &std::path::Path) -> String {
    let home = tempfile::tempdir().unwrap();
    let nyxrc = home.path().join("nyxrc");
    std::fs::write(&nyxrc, format!("metrics_port = \"{metrics}\"\n")).unwrap();
    let out = support::rnyx()
        .args(["--check", "--config"])
        .arg(&nyxrc)
        .arg("-s")
        .arg(relay.control_socket())
        .env("XDG_STATE_HOME", state)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_alerts_and_a_lost_flag_on_the_load_page() {
    let net = support::start_network_with(&NetworkSpec {
        client_options: vec![
            option("EntryNodes", "relay0"),
            option("OutboundBindAddress", "127.0.0.2"),
        ],
        ..NetworkSpec::default()
    });
    let relay = net.relay();
    let forward = rnyx::demo::MetricsForward::start(
        &net,
        &relay.name,
        std::path::Path::new(env!("CARGO_BIN_EXE_rnyx")),
    )
    .unwrap();
    let at = format!("unix:{}", forward.path.display());
    let state = tempfile::tempdir().unwrap();
    let h = spawn(ControllerConfig {
        targets: vec![relay.target()],
        metrics_port: Some(at.clone()),
        metrics_interval: Duration::from_secs(1),
        history_dir: Some(state.path().join("rnyx/graphs")),
        ..ControllerConfig::default()
    });
    eventually("relay0's MetricsPort read twice", 60, || {
        h.state.read(|s| {
            s.load
                .metrics
                .series
                .iter()
                .any(|x| x.rate.is_some())
                .then_some(())
        })
    })
    .await;
    let listed = eventually("relay0 in a weighed consensus, dated", 180, || {
        h.state.read(|s| {
            s.load
                .standing
                .latest()
                // The first consensuses may weigh every relay 0.
                .filter(|m| m.listed && m.dated && m.total > 0)
                .cloned()
        })
    })
    .await;
    assert!(listed.weight.is_some() && listed.rank.is_some() && listed.total > 0);
    assert!(listed.flags.iter().any(|f| f == "Guard"), "{listed:?}");

    let mut ui = refusals(&net, &h, &at, state.path()).await;
    lost_flag(&net, &h, &mut ui, &at, state.path()).await;
    drop(forward);
}

/// Tiny DoS limits on relay0 and the client's circuits: the alert, the
/// page's count against tor's own, the alert's end. The screen, on the
/// load page.
async fn refusals(
    net: &rnyx::launch::PrivateNetwork,
    h: &ControllerHandle,
    at: &str,
    state: &std::path::Path,
) -> support::ui::Ui {
    let relay = net.relay();
    // Tiny limits, then the client's circuits.
    let setconf: Vec<String> = DOS.iter().map(|(k, v)| format!("{k}={v}")).collect();
    tor_command(
        &relay.dir,
        &relay.control_socket(),
        &format!("SETCONF {}", setconf.join(" ")),
    );
    // tor counts an address's connections from when the defences are on:
    // the client connects again.
    let client = net.client();
    for off in ["1", "0"] {
        tor_command(
            &client.dir,
            &client.control_socket(),
            &format!("SETCONF DisableNetwork={off}"),
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let asking = ask_for_circuits(net.client(), stop.clone());
    let mut raised = None;
    for _ in 0..90 {
        raised = alert(h, AlertKind::DosRefusing);
        if raised.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let raised = raised.unwrap_or_else(|| {
        let dos: Vec<String> = h.state.read(|s| {
            s.load
                .metrics
                .find("tor_relay_dos_total", &[])
                .map(|x| format!("{:?} {} {:?}", x.labels, x.value, x.rate))
                .collect()
        });
        panic!("no dos_refusing alert; rnyx read {dos:#?}\n{}", net.logs())
    });
    assert!(raised.detail.contains("circuit_rejected"), "{raised:?}");
    let out = check(relay, at, state);
    assert!(out.contains("DoS defences are refusing"), "{out}");
    stop.store(true, Ordering::Relaxed);
    asking.join().unwrap();

    // Once the client stops, tor's count stands still: rnyx's next read
    // equals it, and the page shows that number.
    let mut settled = None;
    for _ in 0..30 {
        let theirs = refused_now(at).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let same = |x: f64| (x - theirs).abs() < 0.5;
        if same(refused_now(at).await) && refused_seen(h).is_some_and(same) {
            settled = Some(theirs);
            break;
        }
    }
    let refused = settled.expect("tor's count and rnyx's agree once refusals stop");
    assert!(refused > 0.0);
    let app = rnyx_panels::app::App::new(rnyx::config::Config::default().app_settings());
    let mut ui = support::ui::Ui::new(app, h, 150, 45);
    let screen = ui.step(&[Input::Key(Key::Left)]).await.join("\n");
    let line = screen
        .lines()
        .find(|l| l.contains("circuit_rejected:"))
        .unwrap_or_else(|| panic!("{screen}"));
    let shown = format!("{refused:.0}");
    let digits: String = line
        .chars()
        .filter(char::is_ascii_digit)
        .take(shown.len())
        .collect();
    assert_eq!(digits, shown, "{line}");
    assert!(
        line.contains("faster than DoSCircuitCreationRate"),
        "{line}"
    );
    eventually("the dos_refusing alert ended", 60, || {
        alert(h, AlertKind::DosRefusing).is_none().then_some(())
    })
    .await;

    ui
}

/// The authorities stop voting relay0 Guard: the timeline and the alerts
/// name the consensus that took it.
async fn lost_flag(
    net: &rnyx::launch::PrivateNetwork,
    h: &ControllerHandle,
    ui: &mut support::ui::Ui,
    at: &str,
    state: &std::path::Path,
) {
    let relay = net.relay();
    // The authorities vote Guard for relay1 only: relay0 loses it.
    let other = net
        .by_role(rnyx::launch::network::Role::Relay)
        .nth(1)
        .unwrap();
    let fp = other.fingerprint().unwrap();
    for a in net.by_role(rnyx::launch::network::Role::Authority) {
        tor_command(
            &a.dir,
            &a.control_socket(),
            &format!("SETCONF TestingDirAuthVoteGuard={fp} TestingDirAuthVoteGuardIsStrict=1"),
        );
    }
    // Dated once tor says the consensus's valid-after.
    let lost = eventually("Guard lost in a consensus, dated", 180, || {
        h.state
            .read(|s| s.load.standing.lost_at("Guard"))
            .filter(|c| c.dated)
    })
    .await;
    let name = format!(
        "Guard lost (consensus of {:02}:{:02} UTC)",
        lost.at / 3600 % 24,
        lost.at / 60 % 60
    );
    let screen = ui.step(&[]).await.join("\n");
    assert!(screen.contains(&name), "{name} in\n{screen}");
    let flag = eventually("the flag_lost alert", 60, || alert(h, AlertKind::FlagLost)).await;
    assert!(
        flag.detail.contains("Guard in the consensus of"),
        "{flag:?}"
    );
    // A new rnyx (`--check`) knows it from the consensuses kept.
    h.save_history().await.unwrap();
    let out = check(relay, at, state);
    // (Another flag may go with it: Stable did once, after the DoS part.)
    assert!(
        out.contains("the relay lost a flag: lost ") && out.contains("Guard in the consensus of"),
        "{out}"
    );
}
