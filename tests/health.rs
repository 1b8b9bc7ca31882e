//! Health alerts: `rnyx --check` and the OpenMetrics output on a real
//! DisableNetwork tor (bootstrap stuck, network down, descriptors near the
//! limit by prlimit, memory against MaxMemInQueues, the signing
//! certificate, tor down, authentication refused), checked by a
//! plugin-format parser and by promtool; the TUI's header and alerts list;
//! and every kind tor raises with an event, in spec form from a fake
//! control port.

mod support;

use rnyx::controller::{spawn, ControllerConfig};
use rnyx::launch::SingleTorOptions;
use rnyx_model::health::{AlertKind, AlertSettings, Severity};
use std::process::Output;
use std::time::Duration;
use support::{eventually, rnyx, single_tor};

/// A plugin's output as a monitoring system reads it: the status word of
/// the first line, the long text's lines, and the performance data
/// (`label=value[UOM];warn;crit;min;max`) after `|`.
struct Plugin {
    code: i32,
    status: String,
    first: String,
    long: Vec<String>,
    perf: Vec<(String, f64)>,
}

fn plugin(out: &Output) -> Plugin {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().to_owned();
    let status = first
        .strip_prefix("RNYX ")
        .and_then(|r| r.split(" - ").next())
        .unwrap_or_else(|| panic!("not a plugin's first line: {text}"))
        .to_owned();
    let mut long = Vec::new();
    let mut perf = Vec::new();
    for l in lines {
        let Some((before, data)) = l.split_once('|') else {
            long.push(l.to_owned());
            continue;
        };
        assert!(before.trim().is_empty(), "{l}");
        for item in data.split_whitespace() {
            let (label, rest) = item.split_once('=').unwrap();
            let fields: Vec<&str> = rest.split(';').collect();
            assert!(fields.len() <= 5, "{item}");
            let value = fields[0].trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
            perf.push((label.to_owned(), value.parse().unwrap()));
        }
    }
    Plugin {
        code: out.status.code().unwrap(),
        status,
        first,
        long,
        perf,
    }
}

/// The performance data's items after `prefix`, numbers as `N`:
/// `fds=N;N;N;N;N`, `memory=NB;;;N`.
fn perf_shapes(text: &str, prefix: &str) -> std::collections::BTreeSet<String> {
    let line = text
        .lines()
        .find(|l| l.starts_with("| ") && l.contains(prefix))
        .unwrap_or_else(|| panic!("no performance data for {prefix} in {text}"));
    line[2..]
        .split_whitespace()
        .map(|item| {
            let item = item.strip_prefix(prefix).unwrap_or(item);
            let mut shape = String::new();
            for c in item.chars() {
                let c = if c.is_ascii_digit() || c == '.' {
                    'N'
                } else {
                    c
                };
                if !(c == 'N' && shape.ends_with('N')) {
                    shape.push(c);
                }
            }
            shape
        })
        .collect()
}

fn check(args: &[&str]) -> Plugin {
    let out = rnyx().arg("--check").args(args).output().unwrap();
    let p = plugin(&out);
    let expected = match p.status.as_str() {
        "OK" => 0,
        "WARNING" => 1,
        "CRITICAL" => 2,
        "UNKNOWN" => 3,
        other => panic!("status {other}"),
    };
    assert_eq!(p.code, expected, "{}", String::from_utf8_lossy(&out.stdout));
    p
}

#[test]
fn check_on_a_real_tor_exit_codes_and_perfdata() {
    let (_dir, tor) = single_tor(SingleTorOptions::default());
    let socket = tor.socket_path().to_str().unwrap().to_owned();
    // tor has been up long enough for a bootstrap threshold of 2 s.
    std::thread::sleep(Duration::from_secs(3));
    let p = check(&[
        "-s",
        &socket,
        "--alert",
        "bootstrap_after=2",
        "--alert",
        "network_down_after=2",
    ]);
    assert_eq!(p.status, "WARNING", "{}", p.first);
    let says = |p: &Plugin, what: &str| p.long.iter().any(|l| l.contains(what));
    assert!(
        says(&p, "WARNING bootstrap is stuck: at 0% for "),
        "{:?}",
        p.long
    );
    assert!(says(&p, "tor: network-liveness=down"), "{:?}", p.long);
    let perf = |p: &Plugin, l: &str| p.perf.iter().find(|(k, _)| k == l).map(|(_, v)| *v);
    assert_eq!(perf(&p, "rnyxTestRelay_alerts"), Some(2.0));
    assert!(perf(&p, "rnyxTestRelay_fds").unwrap() > 3.0);
    assert!(perf(&p, "rnyxTestRelay_memory").unwrap() > 1e6);
    // The README's example has the same figures, in the same form.
    let out = rnyx().args(["--check", "-s", &socket]).output().unwrap();
    let real = perf_shapes(&String::from_utf8_lossy(&out.stdout), "rnyxTestRelay_");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert_eq!(perf_shapes(&readme, "relay0_"), real);
    // The operator's severities decide.
    let p = check(&[
        "-s",
        &socket,
        "--alert",
        "network_down=critical",
        "--alert",
        "network_down_after=2",
    ]);
    assert_eq!(p.status, "CRITICAL");
    let quiet = [
        "--alert",
        "network_down=off",
        "--alert",
        "bootstrap_stuck=off",
    ];
    let p = check(&[&["-s", &socket][..], &quiet].concat());
    assert_eq!(p.first, "RNYX OK - rnyxTestRelay: no flags, 0.0 B/s");
    // The signing certificate tor made lasts 30 days.
    let p = check(
        &[
            &["-s", &socket, "--alert", "cert_warning_days=40"][..],
            &quiet,
        ]
        .concat(),
    );
    assert_eq!(p.status, "WARNING");
    assert!(
        says(
            &p,
            "the ed25519 signing certificate expires soon: 30.0 days left"
        ),
        "{:?}",
        p.long
    );
}

#[test]
fn check_memory_against_max_mem_in_queues_and_descriptors_by_prlimit() {
    let (_dir, tor) = single_tor(SingleTorOptions::default());
    let socket = tor.socket_path().to_str().unwrap().to_owned();
    let quiet = [
        "--alert",
        "network_down=off",
        "--alert",
        "bootstrap_stuck=off",
    ];
    let says = |p: &Plugin, what: &str| p.long.iter().any(|l| l.contains(what));
    // MaxMemInQueues set by hand (tor's least is 256 MB).
    let p = check(&[&["-s", &socket, "--alert", "memory_warning=1"][..], &quiet].concat());
    assert_eq!(
        p.status, "OK",
        "tor's automatic MaxMemInQueues is not judged"
    );
    let set = rnyx()
        .args([
            "prompt",
            "-s",
            &socket,
            "--run",
            "SETCONF MaxMemInQueues=256MB",
        ])
        .output()
        .unwrap();
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let p = check(&[&["-s", &socket, "--alert", "memory_warning=1"][..], &quiet].concat());
    assert!(
        says(&p, "tor's memory is close to MaxMemInQueues: "),
        "{:?}",
        p.long
    );
    assert!(says(&p, "MaxMemInQueues 256 MB"), "{:?}", p.long);
    // Descriptors near the limit: tor's limit brought down so that what it
    // has open and the check's own connection are 85 % of it.
    let pid = tor.pid().unwrap();
    let open = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    let limit = ((open + 1) * 100).div_ceil(85);
    let set = std::process::Command::new("prlimit")
        .args([
            "--pid",
            &pid.to_string(),
            &format!("--nofile={limit}:{limit}"),
        ])
        .status()
        .unwrap();
    assert!(set.success());
    let p = check(&[&["-s", &socket][..], &quiet].concat());
    // tor opens and closes files meanwhile: what the check counted decides
    // (80 % warns, 95 % is critical), and it is near what was counted here.
    let said = "tor is close to its file descriptor limit: ";
    let used: usize = p
        .long
        .iter()
        .find_map(|l| l.split(said).nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no descriptors said: {:?}", p.long));
    assert!(says(&p, &format!("{used} of {limit} open")), "{:?}", p.long);
    assert!(used.abs_diff(open + 1) <= 5, "{used} open, {open} before");
    let expected = match used * 100 / limit {
        95.. => "CRITICAL",
        80.. => "WARNING",
        _ => "OK",
    };
    assert_eq!(p.status, expected, "{used} of {limit}: {:?}", p.long);
    let p = check(
        &[
            &[
                "-s",
                &socket,
                "--alert",
                "fd_warning=70",
                "--alert",
                "fd_critical=80",
            ][..],
            &quiet,
        ]
        .concat(),
    );
    assert_eq!(p.status, "CRITICAL");
    assert!(p.first.contains(&format!("of {limit} open")), "{}", p.first);
}

#[test]
fn check_tor_down_is_critical_misconfigured_is_unknown() {
    // A port nobody listens on: tor is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let p = check(&["-i", &port]);
    assert_eq!(p.status, "CRITICAL");
    assert!(
        p.first.contains(&format!(
            "tor is not running: nothing listens on 127.0.0.1:{port} (connection refused)"
        )),
        "{}",
        p.first
    );
    // A path that is not there, nor its directory: the operator's to fix.
    let p = check(&["-s", "/nonexistent/control"]);
    assert_eq!(p.status, "UNKNOWN");
    assert!(
        p.first.contains(
            "there is no control socket at /nonexistent/control, nor the directory /nonexistent"
        ),
        "{}",
        p.first
    );
    let p = check(&["-s", "/nonexistent/control", "--alert", "fd_warning=lots"]);
    assert_eq!(p.status, "UNKNOWN");
    assert!(
        p.first
            .contains("--alert fd_warning=lots: \"lots\" is not a number"),
        "{}",
        p.first
    );
    // clap's own errors are UNKNOWN too, not its usual 2.
    let out = rnyx()
        .args(["--check", "--no-such-option"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    // A password tor refuses: the check cannot work.
    let (_dir, tor) = single_tor(SingleTorOptions {
        cookie: false,
        password: Some("right".into()),
        ..SingleTorOptions::default()
    });
    let out = rnyx()
        .arg("--check")
        .arg("-s")
        .arg(tor.socket_path())
        .env("RNYX_PASSWORD", "wrong")
        .output()
        .unwrap();
    let p = plugin(&out);
    assert_eq!((p.status.as_str(), p.code), ("UNKNOWN", 3), "{}", p.first);
}

#[test]
fn openmetrics_written_atomically_and_accepted_by_promtool() {
    let (dir, tor) = single_tor(SingleTorOptions::default());
    let file = dir.path().join("rnyx.prom");
    let out = rnyx()
        .args([
            "--dump",
            "--format",
            "openmetrics",
            "--alert",
            "network_down_after=0",
        ])
        .arg("--output")
        .arg(&file)
        .arg("-s")
        .arg(tor.socket_path())
        .args(["-s", "/nonexistent/control"])
        .output()
        .unwrap();
    // One of the two relays could not be watched: said, and the file is
    // written all the same.
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&file).unwrap();
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o044, 0o044, "the collector's user reads it");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(
        text.contains("rnyx_up{relay=\"rnyxTestRelay\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("rnyx_up{relay=\"/nonexistent/control\"} 0\n"),
        "{text}"
    );
    assert!(text.contains("rnyx_alert{relay=\"rnyxTestRelay\",kind=\"network_down\"} 1\n"));
    assert!(text.contains("rnyx_tor_max_fds{relay=\"rnyxTestRelay\"} "));
    assert!(text.ends_with("# EOF\n"));
    let mut promtool = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool (Debian's prometheus package) is installed");
    std::io::Write::write_all(&mut promtool.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let lint = promtool.wait_with_output().unwrap();
    assert!(
        lint.status.success() && lint.stdout.is_empty() && lint.stderr.is_empty(),
        "promtool: {}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}

#[tokio::test]
async fn the_monitor_shows_logs_and_lists_alerts() {
    let (_dir, tor) = single_tor(SingleTorOptions::default());
    let mut alerts = AlertSettings::default();
    alerts.thresholds.bootstrap_after = 2;
    alerts.thresholds.network_down_after = 2;
    let handle = spawn(ControllerConfig {
        targets: vec![tor.socket_target()],
        history_dir: None,
        alerts,
        ..ControllerConfig::default()
    });
    let active = eventually("bootstrap stuck and network down", 30, || {
        handle.state.read(|s| {
            let kinds: Vec<_> = s
                .health
                .active
                .iter()
                .map(|a| (a.kind, a.severity))
                .collect();
            (kinds.len() == 2).then_some(kinds)
        })
    })
    .await;
    assert_eq!(
        active,
        [
            (AlertKind::BootstrapStuck, Severity::Warning),
            (AlertKind::NetworkDown, Severity::Warning)
        ]
    );
    let logged: Vec<String> = handle.state.read(|s| {
        s.logs
            .log
            .iter()
            .filter(|e| e.message.starts_with("alert "))
            .map(|e| e.message.clone())
            .collect()
    });
    assert!(
        logged
            .iter()
            .any(|m| m.starts_with("alert (warning): bootstrap is stuck: at 0% for ")),
        "{logged:?}"
    );
    let app = rnyx_panels::app::App::new(rnyx::config::Config::default().app_settings());
    let mut ui = support::ui::Ui::new(app, &handle, 120, 40);
    let screen = ui.step(&[]).await;
    assert!(
        screen[0].contains("2 alerts (warning, press !)"),
        "{}",
        screen[0]
    );
    let screen = ui
        .step(&[rnyx::ui::Input::Key(rnyx_panels::keymap::Key::Char('!'))])
        .await
        .join("\n");
    assert!(screen.contains("Alerts (2)"), "{screen}");
    assert!(
        screen.contains("WARNING  rnyxTestRelay  since "),
        "{screen}"
    );
    assert!(
        screen.contains("to do: check the machine's network; DisableNetwork 1 also does this"),
        "{screen}"
    );
}

/// The relay the fake control port is: its fingerprint, as hex and as a
/// consensus `r` line has it (base64).
const FP: &str = "ABABABABABABABABABABABABABABABABABABABAB";
const FP64: &str = "q6urq6urq6urq6urq6urq6urq6s";

/// A router status entry of the relay with `flags`.
fn entry(flags: &str) -> String {
    format!("r rnyxFake {FP64} AAAAAAAAAAAAAAAAAAAAAAAAAAA 2026-12-04 10:00:00 10.0.0.1 9001 0\r\ns {flags}\r\n")
}

/// A fake tor on a unix socket that speaks the spec's forms: NULL
/// authentication; its fingerprint, its descriptor (with an overload
/// line) and a consensus listing it on GETINFO; everything else refused;
/// then whatever event text the test sends, as it sends it.
async fn fake_relay(
    listener: tokio::net::UnixListener,
    mut events: tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let (stream, _) = listener.accept().await.unwrap();
    let (r, mut w) = stream.into_split();
    let mut lines = tokio::io::BufReader::new(r).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => {
                let Ok(Some(line)) = line else { return };
                let reply = if line.starts_with("PROTOCOLINFO") {
                    "250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n250-VERSION Tor=\"0.4.9.11\"\r\n250 OK\r\n".to_owned()
                } else if line.starts_with("AUTHENTICATE") || line.starts_with("SETEVENTS") {
                    "250 OK\r\n".to_owned()
                } else if line == "GETINFO fingerprint" {
                    format!("250-fingerprint={FP}\r\n250 OK\r\n")
                } else if line == format!("GETINFO desc/id/{FP}") {
                    format!("250+desc/id/{FP}=\r\nrouter rnyxFake 10.0.0.1 9001 0 0\r\nbandwidth 1000 2000 500\r\noverload-general 1 2026-12-04 09:00:00\r\n.\r\n250 OK\r\n")
                } else if line == "GETINFO ns/all" {
                    format!("250+ns/all=\r\n{}.\r\n250 OK\r\n", entry("Fast Guard Running Stable Valid"))
                } else {
                    "552 Unrecognized key\r\n".to_owned()
                };
                if w.write_all(reply.as_bytes()).await.is_err() {
                    return;
                }
            }
            text = events.recv() => {
                let Some(text) = text else { return };
                if w.write_all(text.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Each step: tor's lines, then the alerts active, worst first.
fn steps() -> Vec<(String, Vec<(AlertKind, Severity)>)> {
    vec![
        // The descriptor's overload line, read with the facts.
        (String::new(), vec![(AlertKind::Overload, Severity::Warning)]),
        (
            "650 STATUS_SERVER WARN REACHABILITY_FAILED ORADDRESS=203.0.113.5:9001\r\n650 STATUS_SERVER WARN REACHABILITY_FAILED DIRADDRESS=203.0.113.5:9030\r\n".into(),
            vec![(AlertKind::OrPortUnreachable, Severity::Critical), (AlertKind::DirPortUnreachable, Severity::Warning), (AlertKind::Overload, Severity::Warning)],
        ),
        (
            "650 STATUS_SERVER NOTICE REACHABILITY_SUCCEEDED ORADDRESS=203.0.113.5:9001\r\n650 STATUS_SERVER NOTICE REACHABILITY_SUCCEEDED DIRADDRESS=203.0.113.5:9030\r\n650 STATUS_SERVER WARN BAD_SERVER_DESCRIPTOR DIRAUTH=198.51.100.1:80 REASON=\"Fingerprint is marked rejected -- if you think this is a mistake please set a valid email address in ContactInfo\"\r\n".into(),
            vec![(AlertKind::DescriptorRejected, Severity::Critical), (AlertKind::Overload, Severity::Warning)],
        ),
        (
            "650 STATUS_SERVER NOTICE ACCEPTED_SERVER_DESCRIPTOR DIRAUTH=198.51.100.1:80\r\n650 STATUS_GENERAL WARN DANGEROUS_VERSION CURRENT=0.4.9.11 REASON=OBSOLETE RECOMMENDED=\"0.4.8.20, 0.4.9.12\"\r\n".into(),
            vec![(AlertKind::Version, Severity::Critical), (AlertKind::Overload, Severity::Warning)],
        ),
        (
            "650 STATUS_GENERAL WARN CLOCK_SKEW SKEW=-7200 SOURCE=CONSENSUS\r\n650 STATUS_GENERAL NOTICE CLOCK_JUMPED TIME=120\r\n650 STATUS_GENERAL WARN TOO_MANY_CONNECTIONS CURRENT=15000\r\n".into(),
            vec![(AlertKind::Version, Severity::Critical), (AlertKind::ClockSkew, Severity::Critical), (AlertKind::Overload, Severity::Warning), (AlertKind::TooManyConnections, Severity::Warning), (AlertKind::ClockJump, Severity::Warning)],
        ),
        (
            "650 STATUS_SERVER WARN NAMESERVER_ALL_DOWN\r\n".into(),
            vec![(AlertKind::Version, Severity::Critical), (AlertKind::ClockSkew, Severity::Critical), (AlertKind::Dns, Severity::Critical), (AlertKind::Overload, Severity::Warning), (AlertKind::TooManyConnections, Severity::Warning), (AlertKind::ClockJump, Severity::Warning)],
        ),
    ]
}

/// The rest one kind at a time: tor's lines raising it, then clearing it.
fn pairs() -> Vec<(String, String, AlertKind)> {
    let up = "650 STATUS_SERVER NOTICE NAMESERVER_STATUS NS=192.0.2.53 STATUS=UP\r\n";
    let consensus = |body: String| format!("650+NEWCONSENSUS\r\n{body}.\r\n650 OK\r\n");
    let other = "r other AAAAAAAAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAAAAAAAA 2026-12-04 10:00:00 10.0.0.2 9001 0\r\ns Running Valid\r\n";
    let all = "Fast Guard Running Stable Valid";
    [
        (format!("{up}650 STATUS_SERVER WARN DNS_HIJACKED\r\n"), up.to_owned(), AlertKind::Dns),
        ("650 STATUS_SERVER WARN DNS_USELESS\r\n".to_owned(), up.to_owned(), AlertKind::Dns),
        (
            "650 STATUS_SERVER NOTICE HIBERNATION_STATUS STATUS=HARD\r\n".to_owned(),
            "650 STATUS_SERVER NOTICE HIBERNATION_STATUS STATUS=AWAKE\r\n".to_owned(),
            AlertKind::Hibernating,
        ),
        (
            "650 NETWORK_LIVENESS DOWN\r\n".to_owned(),
            "650 NETWORK_LIVENESS UP\r\n".to_owned(),
            AlertKind::NetworkDown,
        ),
        (
            "650 STATUS_CLIENT WARN BOOTSTRAP PROGRESS=10 TAG=conn_done SUMMARY=\"Connected to a relay\" WARNING=\"Connection refused\" REASON=CONNECTREFUSED COUNT=3 RECOMMENDATION=warn\r\n".to_owned(),
            "650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY=\"Done\"\r\n".to_owned(),
            AlertKind::BootstrapStuck,
        ),
        (consensus(entry("Fast Running Valid")), consensus(entry(all)), AlertKind::FlagLost),
        (
            consensus(other.to_owned()),
            format!("650+NS\r\n{}.\r\n650 OK\r\n", entry(all)),
            AlertKind::NotInConsensus,
        ),
    ]
    .into()
}

#[tokio::test]
async fn every_kind_tor_raises_with_an_event_in_spec_form() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control");
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let fake = tokio::spawn(fake_relay(listener, rx));
    let mut alerts = AlertSettings::default();
    alerts.thresholds.bootstrap_after = 1;
    alerts.thresholds.network_down_after = 0;
    let handle = spawn(ControllerConfig {
        targets: vec![rnyx::control::Target::Unix(path.clone())],
        history_dir: None,
        alerts,
        reconnect_initial: Duration::from_secs(30),
        ..ControllerConfig::default()
    });
    let kinds = |h: &rnyx::controller::ControllerHandle| {
        h.state.read(|s| {
            s.health
                .active
                .iter()
                .map(|a| (a.kind, a.severity))
                .collect::<Vec<_>>()
        })
    };
    let steps = steps();
    for (i, (text, expected)) in steps.into_iter().enumerate() {
        tx.send(text).unwrap();
        let what = format!("step {i}: {expected:?}");
        eventually(&what, 10, || (kinds(&handle) == expected).then_some(())).await;
    }
    let pairs = pairs();
    let has = |k: AlertKind| kinds(&handle).iter().any(|(x, _)| *x == k);
    for (raise, clear, kind) in pairs {
        tx.send(raise).unwrap();
        eventually(&format!("{kind:?} raised"), 10, || has(kind).then_some(())).await;
        tx.send(clear).unwrap();
        eventually(&format!("{kind:?} cleared"), 10, || {
            (!has(kind)).then_some(())
        })
        .await;
    }
    // tor's words come with the alert, and the log says it and its end.
    let (words, logged) = handle.state.read(|s| {
        let words = s
            .health
            .active
            .iter()
            .find(|a| a.kind == AlertKind::ClockSkew)
            .and_then(|a| a.words.clone());
        let logged: Vec<String> = s
            .logs
            .log
            .iter()
            .map(|e| e.message.clone())
            .filter(|m| m.starts_with("alert"))
            .collect();
        (words, logged)
    });
    assert_eq!(
        words.as_deref(),
        Some("CLOCK_SKEW SKEW=-7200 SOURCE=CONSENSUS")
    );
    assert!(
        logged.iter().any(|m| m.starts_with(
            "alert (critical): the relay is not in the consensus: 1 relays listed, not ABAB"
        )),
        "{logged:?}"
    );
    assert!(
        logged
            .iter()
            .any(|m| m.starts_with("alert over: the relay is not in the consensus (after ")),
        "{logged:?}"
    );
    assert!(
        logged.iter().any(|m| m.starts_with(
            "alert (warning): the relay lost a flag: lost Stable Guard (has Fast Running Valid)"
        )),
        "{logged:?}"
    );
    // tor gone: that alone, critical.
    fake.abort();
    drop(tx);
    eventually("tor down", 30, || {
        (kinds(&handle) == [(AlertKind::TorDown, Severity::Critical)]).then_some(())
    })
    .await;
}

/// `--check` takes nyxrc's `tor_chroot` as the monitor does: tor's paths
/// are under it. The certificate is moved from where tor says its keys
/// are to the same path under a chroot directory: without nyxrc the check
/// says it could not read it; with `tor_chroot` it reads it and warns of
/// its expiry.
#[test]
fn check_reads_the_certificate_under_tor_chroot() {
    let (dir, tor) = single_tor(SingleTorOptions::default());
    let socket = tor.socket_path().to_str().unwrap().to_owned();
    let keys = tor.data_dir().join("keys");
    let chroot = dir.path().join("chroot");
    let inside = chroot.join(keys.strip_prefix("/").unwrap());
    std::fs::create_dir_all(&inside).unwrap();
    std::fs::rename(
        keys.join("ed25519_signing_cert"),
        inside.join("ed25519_signing_cert"),
    )
    .unwrap();
    let nyxrc = dir.path().join("nyxrc");
    std::fs::write(&nyxrc, format!("tor_chroot = \"{}\"\n", chroot.display())).unwrap();
    let args = [
        "-s",
        &socket,
        "--alert",
        "cert_warning_days=40",
        "--alert",
        "network_down=off",
        "--alert",
        "bootstrap_stuck=off",
    ];
    let says = |p: &Plugin, what: &str| p.long.iter().any(|l| l.contains(what));
    let without = check(&args);
    assert_eq!(without.status, "OK", "{:?}", without.long);
    assert!(
        says(&without, "the signing certificate (DataDirectory"),
        "{:?}",
        without.long
    );
    let with = check(&[&["--config", nyxrc.to_str().unwrap()][..], &args].concat());
    assert_eq!(with.status, "WARNING", "{:?}", with.long);
    assert!(
        says(
            &with,
            "the ed25519 signing certificate expires soon: 30.0 days left"
        ),
        "{:?}",
        with.long
    );
    assert!(!says(&with, "the signing certificate ("), "{:?}", with.long);
}
