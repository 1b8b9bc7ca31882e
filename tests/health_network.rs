//! The alert an operator most needs, on a private network: a relay kept
//! down until the directory authorities drop it, then started again, is
//! not in the consensus — said by the rnyx watching it and by `rnyx
//! --check` — and the alert clears once the authorities list it again.
//! The authorities drop it as they drop a relay they reject: `!reject` and
//! its fingerprint in their `approved-routers` file, then RELOAD (their own
//! reachability timeout is 45 minutes).

mod support;

use rnyx::controller::{spawn, ControllerConfig};
use rnyx_model::health::{AlertKind, Severity};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{eventually, rnyx};

/// The alert of `kind` the watching rnyx has active, if any.
fn active(
    handle: &rnyx::controller::ControllerHandle,
    kind: AlertKind,
) -> Option<rnyx_model::health::Alert> {
    handle
        .state
        .read(|s| s.health.active.iter().find(|a| a.kind == kind).cloned())
}

/// `rnyx --check` on a control socket: its exit status and output.
fn check(socket: &Path) -> (Option<i32>, String) {
    let out = rnyx().args(["--check", "-s"]).arg(socket).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// On the monitor's screen: the header's count and the list's entry.
async fn on_screen(handle: &rnyx::controller::ControllerHandle) {
    let app = rnyx_panels::app::App::new(rnyx::config::Config::default().app_settings());
    let mut ui = support::ui::Ui::new(app, handle, 120, 40);
    let screen = ui
        .step(&[rnyx::ui::Input::Key(rnyx_panels::keymap::Key::Char('!'))])
        .await;
    assert!(screen[0].contains("(critical, press !)"), "{}", screen[0]);
    let screen = screen.join("\n");
    assert!(
        screen.contains("CRITICAL relay1  since ")
            && screen.contains("the relay is not in the consensus"),
        "{screen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_the_authorities_dropped_is_alerted_until_listed_again() {
    let mut net = support::start_network();
    let started = Instant::now();
    let relay = net.tors.iter().find(|t| t.name == "relay1").unwrap();
    let socket = relay.control_socket();
    let fp = relay.fingerprint().unwrap();
    let handle = spawn(ControllerConfig {
        targets: vec![relay.target()],
        history_dir: None,
        reconnect_max: Duration::from_secs(1),
        ..ControllerConfig::default()
    });
    eventually("relay1 in its own consensus, Running", 120, || {
        handle.state.read(|s| {
            s.facts
                .relay
                .flags
                .iter()
                .any(|f| f == "Running")
                .then_some(())
        })
    })
    .await;
    assert!(
        handle.state.read(|s| s.health.active.is_empty()),
        "no alert while listed"
    );
    // Kept down until the authorities drop it.
    net.stop("relay1");
    support::approve_routers(&net, &format!("!reject {fp}\n"));
    eventually("the authorities' consensus without relay1", 180, || {
        (!support::client_lists(&net, &fp)).then_some(())
    })
    .await;
    let dropped_after = started.elapsed();
    eventually("the watching rnyx says tor is down", 30, || {
        active(&handle, AlertKind::TorDown)
    })
    .await;
    support::approve_routers(&net, "");
    net.start_again("relay1").unwrap();
    let back = Instant::now();
    let alert = eventually("not in the consensus, on the watching rnyx", 120, || {
        active(&handle, AlertKind::NotInConsensus)
    })
    .await;
    assert_eq!(alert.severity, Severity::Critical);
    let shown_after = back.elapsed();
    on_screen(&handle).await;
    // The same from `rnyx --check`, while it lasts: the authorities list
    // it again at their next vote after its upload (every 20 s here), well
    // after the check's second or two.
    let (code, text) = check(&socket);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.starts_with("RNYX CRITICAL - relay1: the relay is not in the consensus"),
        "{text}"
    );
    eventually("listed again: the alert clears", 180, || {
        active(&handle, AlertKind::NotInConsensus)
            .is_none()
            .then_some(())
    })
    .await;
    let cleared_after = back.elapsed();
    let logged: Vec<String> = handle.state.read(|s| {
        s.logs
            .log
            .iter()
            .map(|e| e.message.clone())
            .filter(|m| m.starts_with("alert"))
            .collect()
    });
    assert!(
        logged
            .iter()
            .any(|m| m.starts_with("alert over: the relay is not in the consensus")),
        "{logged:?}"
    );
    let (_, text) = check(&socket);
    assert!(!text.contains("not in the consensus"), "{text}");
    // rnyx reads the relay's own server descriptor (where the overload
    // lines are): tor answers desc/id for itself.
    // A relay just started has it once its descriptor is in its own
    // directory; the facts are read again every 30 s.
    eventually("the relay's own descriptor read", 90, || {
        handle
            .state
            .read(|s| s.facts.relay.bandwidth_observed.is_some().then_some(()))
    })
    .await;
    eprintln!(
        "dropped {:.0} s after the start; alert {:.1} s after relay1 was back, cleared after {:.1} s",
        dropped_after.as_secs_f64(),
        shown_after.as_secs_f64(),
        cleared_after.as_secs_f64(),
    );
}
