//! An onion service on the private network, as its operator sees it: the
//! first client hosts a v3 service (a `HiddenServiceDir` set with SETCONF)
//! in front of a byte server, and the second client fetches from it. rnyx
//! shows the descriptor's uploads, the introduction points and a
//! rendezvous circuit during the fetch, on page 7 and in `--dump`; with the
//! server stopped, nothing says it answers. A tor that cannot upload its
//! service's descriptor is alerted.

mod support;

use rnyx::controller::{spawn, ControllerConfig, ControllerHandle};
use rnyx::launch::network::{NetTor, Role};
use rnyx::launch::NetworkSpec;
use rnyx_model::health::AlertKind;
use rnyx_model::onion::OnionService;
use std::process::{Child, Stdio};
use std::time::Duration;
use support::{eventually, tor_command};

/// The byte server's port inside the namespace (the demo's is 8080).
const SERVER: u16 = 8181;

fn service(h: &ControllerHandle) -> Option<OnionService> {
    h.state.read(|s| s.onions.services.first().cloned())
}

/// Waits (180 s at most: a deadline that only catches a hang) for the
/// service to be as `want` says; else fails with what rnyx and the tors saw.
async fn until(
    h: &ControllerHandle,
    net: &rnyx::launch::PrivateNetwork,
    what: &str,
    want: impl Fn(&OnionService) -> bool,
) -> OnionService {
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    loop {
        if let Some(s) = service(h).filter(|s| want(s)) {
            return s;
        }
        if std::time::Instant::now() > deadline {
            let circuits = h
                .state
                .read(|s| format!("{:?}", s.net.circuits.iter().collect::<Vec<_>>()));
            panic!(
                "timed out waiting for {what}: {:?}\n{circuits}\n{}",
                service(h),
                net.logs()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A MetricsPort for the service's tor, set by SETCONF inside the
/// namespace and forwarded to a unix socket at `path` for rnyx outside.
fn metrics_port(
    net: &rnyx::launch::PrivateNetwork,
    host: &NetTor,
    path: &std::path::Path,
) -> Forward {
    const PORT: u16 = 9290;
    tor_command(
        &host.dir,
        &host.control_socket(),
        &format!("SETCONF MetricsPort=127.0.0.1:{PORT} MetricsPortPolicy=\"accept 127.0.0.1\""),
    );
    let mut c = net.command_in_namespace(env!("CARGO_BIN_EXE_rnyx"));
    c.arg("demo-forward")
        .arg("--unix")
        .arg(path)
        .args(["--port", &PORT.to_string()])
        .args(["--parent", &std::process::id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Forward(c.spawn().unwrap())
}

/// The MetricsPort's forwarder, stopped when dropped.
struct Forward(Child);

impl Drop for Forward {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// rnyx on the service's tor, recorded, its MetricsPort read at `metrics`
/// every second and the descriptor alert 15 s after.
fn watch(
    host: &NetTor,
    recorder: rnyx::record::Recorder,
    metrics: &std::path::Path,
) -> ControllerHandle {
    let mut alerts = rnyx_model::health::AlertSettings::default();
    alerts.thresholds.onion_descriptor_after = 15;
    spawn(ControllerConfig {
        targets: vec![host.target()],
        host: rnyx::host::recording(rnyx::host::local(None), recorder),
        alerts,
        metrics_port: Some(format!("unix:{}", metrics.display())),
        metrics_interval: Duration::from_secs(1),
        ..ControllerConfig::default()
    })
}

/// tor's own count of the service's rendezvous, on its MetricsPort.
async fn rendezvous_counted_by_tor(h: &ControllerHandle, onion: &str) {
    eventually("the service's tor_hs_* series", 60, || {
        h.state.read(|st| {
            st.load
                .metrics
                .series
                .iter()
                .any(|m| {
                    m.family == "tor_hs_rdv_num_total"
                        && m.label("onion") == Some(onion)
                        && m.value > 0.0
                })
                .then_some(())
        })
    })
    .await;
}

/// Waits for the services' events to be subscribed (once tor hosts one).
async fn subscribed(h: &ControllerHandle) {
    eventually("the services' events subscribed", 60, || {
        h.state.read(|s| {
            let events = &s.logs.subscribed_events;
            let has = |e: &str| events.iter().any(|x| x == e);
            (has("HS_DESC") && has("CIRC_MINOR")).then_some(())
        })
    })
    .await;
}

/// The byte server, inside the namespace.
fn serve(net: &rnyx::launch::PrivateNetwork) -> Child {
    let exe = env!("CARGO_BIN_EXE_rnyx");
    let mut c = net.command_in_namespace(exe);
    c.args(["demo-serve", "--port", &SERVER.to_string(), "--parent"])
        .arg(std::process::id().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c.spawn().unwrap()
}

/// Starts a fetch of the service through `client`'s SocksPort (curl in
/// the namespace; the byte server's stream has no HTTP headers).
fn fetch(net: &rnyx::launch::PrivateNetwork, client: &NetTor, onion: &str) -> Child {
    let mut c = net.command_in_namespace("curl");
    c.args(["-s", "--http0.9", "--max-time", "60", "-o", "/dev/null"])
        .args(["-w", "%{size_download}", "--socks5-hostname"])
        .arg(format!("127.0.0.1:{}", client.socks_port.unwrap()))
        .arg(format!("http://{onion}.onion/"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c.spawn().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_services_uploads_introduction_points_and_rendezvous_show_live() {
    let net = support::start_network_with(&NetworkSpec {
        clients: 2,
        ..NetworkSpec::default()
    });
    let mut clients = net.by_role(Role::Client);
    let (host, visitor) = (clients.next().unwrap(), clients.next().unwrap());
    let mut server = serve(&net);
    let recording = tempfile::tempdir().unwrap();
    let file = recording.path().join("service.rnyx.gz");
    let recorder = rnyx::record::Recorder::create(&file, 16 << 20).unwrap();
    let metrics = host.dir.join("metrics");
    let h = watch(host, recorder, &metrics);
    eventually("rnyx connected to the service's tor", 60, || {
        h.state
            .read(|s| s.session.connection.connected.then_some(()))
    })
    .await;
    let hs = host.dir.join("hs");
    let configure = |intro_points: u32| {
        tor_command(
            &host.dir,
            &host.control_socket(),
            &format!(
                "SETCONF HiddenServiceDir=\"{}\" HiddenServicePort=\"80 127.0.0.1:{SERVER}\" \
                 HiddenServiceNumIntroductionPoints={intro_points}",
                hs.display()
            ),
        )
    };
    configure(3);
    let _forward = metrics_port(&net, host, &metrics);
    let onion = std::fs::read_to_string(hs.join("hostname")).unwrap();
    let onion = onion.trim().trim_end_matches(".onion").to_owned();
    let s = eventually("the service read from tor's configuration", 60, || {
        service(&h)
    })
    .await;
    assert_eq!(s.dir.as_deref(), Some(hs.to_str().unwrap()));
    assert_eq!(s.ports, [format!("80 127.0.0.1:{SERVER}")]);
    subscribed(&h).await;

    let s = until(
        &h,
        &net,
        "the descriptor accepted, 6 introduction points",
        // An HSDir's state is its last event: tor's upload of its second
        // descriptor may follow the first's acceptance.
        |s| s.descriptor.accepted() > 0 && s.intro_points >= 6,
    )
    .await;
    assert_eq!(s.address.as_deref(), Some(onion.as_str()), "{s:?}");
    assert!(s.descriptor.accepted() > 0 && s.descriptor.last_uploaded.is_some());
    assert_eq!(s.intro_wanted, 3);

    let download = fetch(&net, visitor, &onion);
    let s = until(&h, &net, "a rendezvous circuit during the fetch", |s| {
        s.rendezvous > 0
    })
    .await;
    assert!(s.rend_minutes.iter().any(|&n| n > 0), "{s:?}");
    rendezvous_counted_by_tor(&h, &onion).await;
    let out = download.wait_with_output_or_kill();
    assert!(
        out.parse::<u64>().unwrap_or(0) > 0,
        "nothing fetched: {out:?}"
    );

    // Page 7 and page 2.
    let app = rnyx_panels::app::App::new(rnyx::config::Config::default().app_settings());
    let mut ui = support::ui::Ui::new(app, &h, 160, 40);
    let left = rnyx::ui::Input::Key(rnyx_panels::keymap::Key::Left);
    let screen = ui.step(&[left]).await.join("\n");
    for want in [
        format!("{onion}.onion"),
        format!("80 → 127.0.0.1:{SERVER}"),
        "accepted by".to_owned(),
        "6 of 6 established (3 for each of tor's 2 descriptors)".to_owned(),
        "MetricsPort".to_owned(),
        "MetricsPort  INTRODUCE2 ".to_owned(),
        " refused · rendezvous ".to_owned(),
    ] {
        assert!(screen.contains(&want), "{want:?} not on\n{screen}");
    }
    let screen = ui.step(&[left; 5]).await.join("\n");
    assert!(
        screen.contains("onion-service circuit on page 7"),
        "{screen}"
    );

    dump_shows_and_hides(host, &onion);

    // With the server stopped, a fetch fails and nothing says otherwise:
    // tor's view of the service is unchanged (it cannot tell).
    server.kill().unwrap();
    server.wait().unwrap();
    let out = fetch(&net, visitor, &onion).wait_with_output_or_kill();
    assert_eq!(out, "0", "a stopped server gave bytes");
    let screen = ui.step(&[left; 2]).await.join("\n");
    assert!(
        screen.contains("tor does not say whether a service's local server answers"),
        "{screen}"
    );
    drop(ui);
    hsdirs_that_stop_taking_it(&h, &net, &configure).await;
    drop(h);
    replayed(&file, &onion).await;
}

/// HSDirs that stop taking descriptors: both relays made bridges answer
/// tor's uploads with 503 ("Not acting as a public relay"), which tor
/// reports as no HS_DESC answer at all. Another introduction point wanted
/// makes tor upload again; 15 s on, the alert names them (a warning: the
/// authorities, HSDirs too, accepted it).
async fn hsdirs_that_stop_taking_it(
    h: &ControllerHandle,
    net: &rnyx::launch::PrivateNetwork,
    configure: &impl Fn(u32) -> Vec<String>,
) {
    use rnyx_model::health::Severity;
    let relays: Vec<&NetTor> = net.by_role(Role::Relay).collect();
    for relay in &relays {
        tor_command(&relay.dir, &relay.control_socket(), "SETCONF BridgeRelay=1");
    }
    // SETCONF answers once the options are in force: no wait is needed.
    let before = service(h).unwrap().descriptor.uploaded;
    configure(4);
    let alert = eventually("the descriptor alert naming a silent HSDir", 180, || {
        h.state.read(|s| {
            s.health
                .active
                .iter()
                .find(|a| a.kind == AlertKind::OnionDescriptor && a.detail.contains("no answer"))
                .cloned()
        })
    })
    .await;
    assert_eq!(alert.severity, Severity::Warning, "{alert:?}");
    assert!(alert.detail.contains("HSDirs hold no copy"), "{alert:?}");
    let s = service(h).unwrap();
    assert!(s.descriptor.uploaded > before, "no new upload: {s:?}");
    let silent: Vec<String> = s
        .descriptor
        .current()
        .filter(|u| u.state == rnyx_model::onion::Upload::Uploading)
        .filter_map(|u| u.hsdir.nickname.as_deref().map(str::to_owned))
        .collect();
    // The bridges at least (an upload through one may fail too).
    assert!(silent.iter().any(|n| n.starts_with("relay")), "{s:?}");
    for name in &silent {
        assert!(
            alert.detail.contains(&format!("{name}: no answer")),
            "{alert:?}"
        );
    }
    // The authorities accepted the upload; the warning is in the log.
    assert!(s.descriptor.accepted() > 0, "{s:?}");
    logged(
        h,
        "alert (warning): an onion service's descriptor is not at the HSDirs",
    );
}

/// Asserts rnyx's log has a line with `words`.
fn logged(h: &ControllerHandle, words: &str) {
    let log = h.state.read(|s| {
        s.logs
            .log
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert!(log.contains(words), "{words:?} not in\n{log}");
}

/// The recording replays the service: its address (from tor's events: a
/// replay reads no file of tor's) and its uploads, hidden as nyxrc says.
async fn replayed(file: &std::path::Path, onion: &str) {
    eventually("the recording finished", 60, || {
        support::recording_text(file, "HS_DESC UPLOADED")
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let nyxrc = home.path().join("nyxrc");
    let dump = |extra: &str| {
        std::fs::write(&nyxrc, extra).unwrap();
        let mut c = support::rnyx();
        c.args(["--dump", "--config"]).arg(&nyxrc).arg("--replay");
        support::json_of(c.arg(file))
    };
    let shown = dump("");
    let service = &shown["onion_services"][0];
    assert_eq!(service["address"], onion, "{shown}");
    assert!(
        service["descriptor"]["uploaded"].as_u64() > Some(0),
        "{service}"
    );
    let hidden = dump("show_onion_addresses = false\n").to_string();
    assert!(!hidden.contains(onion) && hidden.contains("<hidden>.onion"));
}

/// `--dump` shows the service; nyxrc's `show_onion_addresses = false`
/// hides its address everywhere.
fn dump_shows_and_hides(host: &NetTor, onion: &str) {
    let home = tempfile::tempdir().unwrap();
    let nyxrc = home.path().join("nyxrc");
    let dump = |extra: &str| {
        std::fs::write(&nyxrc, extra).unwrap();
        let mut c = support::rnyx();
        c.args(["--dump", "--config"]).arg(&nyxrc).arg("-s");
        support::json_of(c.arg(host.control_socket()))
    };
    let shown = dump("");
    assert_eq!(shown["onion_services"][0]["address"], onion);
    // A new rnyx counts the introduction points from `circuit-status`; the
    // uploads it has not seen yet.
    let intro = &shown["onion_services"][0]["intro_points"];
    assert!(intro.as_u64() >= Some(6), "{shown}");
    let hidden = dump("show_onion_addresses = false\n").to_string();
    assert!(!hidden.contains(onion) && hidden.contains("<hidden>.onion"));
}

/// The output of a child that ends within 90 s (killed after).
trait Finish {
    fn wait_with_output_or_kill(self) -> String;
}

impl Finish for Child {
    fn wait_with_output_or_kill(mut self) -> String {
        let until = std::time::Instant::now() + Duration::from_secs(90);
        while self.try_wait().unwrap().is_none() && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.kill();
        let out = self.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_whose_descriptor_is_not_uploaded_is_alerted() {
    // DisableNetwork: tor creates the service and can never upload it.
    let (_dir, tor) = support::single_tor(rnyx::launch::SingleTorOptions::default());
    let mut alerts = rnyx_model::health::AlertSettings::default();
    alerts.thresholds.onion_descriptor_after = 3;
    let h = spawn(ControllerConfig {
        targets: vec![tor.socket_target()],
        history_dir: None,
        alerts,
        ..rnyx::settings::task_of(&rnyx::config::Config::default(), vec![], None)
    });
    eventually("rnyx connected", 60, || {
        h.state
            .read(|s| s.session.connection.connected.then_some(()))
    })
    .await;
    let (data, socket) = (tor.data_dir(), tor.socket_path());
    let reply = tor_command(
        &data,
        &socket,
        "ADD_ONION NEW:ED25519-V3 Flags=Detach,DiscardPK Port=80,127.0.0.1:9",
    );
    let id = reply
        .iter()
        .find_map(|l| l.strip_prefix("250-ServiceID="))
        .unwrap()
        .to_owned();
    // A configuration change reads the services again.
    tor_command(&data, &socket, "SETCONF ContactInfo=onion-test");
    let alert = eventually("the descriptor alert", 60, || {
        h.state.read(|s| {
            s.health
                .active
                .iter()
                .find(|a| a.kind == AlertKind::OnionDescriptor)
                .cloned()
        })
    })
    .await;
    assert_eq!(alert.detail, format!("{}….onion: never uploaded", &id[..8]));
    let s = service(&h).unwrap();
    assert_eq!(s.origin, rnyx_model::onion::Origin::Detached);
    assert_eq!(s.address.as_deref(), Some(id.as_str()));
    logged(
        &h,
        "alert (critical): an onion service's descriptor is not at the HSDirs",
    );
    drop(h);
    judged_by_check_and_openmetrics(&socket, &id);
}

/// `--check` and the OpenMetrics text judge the same rule: a new rnyx
/// sees the detached service and no upload (tor started moments ago).
fn judged_by_check_and_openmetrics(socket: &std::path::Path, id: &str) {
    let run = |args: &[&str]| {
        let out = support::rnyx()
            .args(args)
            .args(["--alert", "onion_descriptor_after=0", "-s"])
            .arg(socket)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = run(&["--check"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.starts_with("RNYX CRITICAL"), "{text}");
    assert!(
        text.contains(&format!(
            "CRITICAL an onion service's descriptor is not at the HSDirs: {}….onion: never uploaded",
            &id[..8]
        )),
        "{text}"
    );
    let (code, text) = run(&["--dump", "--format", "openmetrics"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("rnyx_alert{relay=\"rnyxTestRelay\",kind=\"onion_descriptor\"} 2\n"),
        "{text}"
    );
}
