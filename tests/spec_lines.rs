//! Lines the control-spec allows but tor 0.4.9 does not itself write (other
//! implementations and older tors do), and lines it rules out, sent by a
//! fake tor on a unix socket: the legal ones reach the state, the log, the
//! log file and the recording whole; the illegal ones are refused with a
//! reason, logged once a kind, and change nothing; SOCKS credentials reach
//! no file. The connection stays up throughout.

mod support;

use rnyx::control::Target;
use rnyx::controller::{spawn, ControllerConfig};
use rnyx_model::{EventSelection, LogSource, Runlevel};
use std::fmt::Write as _;
use std::time::Duration;
use support::eventually;
use tokio::net::UnixListener;

const A: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const B: &str = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
const C: &str = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
const PASSWORD: &str = "socks-secret-7d41";

/// What the fake tor sends once subscribed: legal forms, then each illegal
/// one three times, then a BW event as a marker that all was read.
fn events() -> String {
    let mut e = format!(
        "650 CIRC 5 BUILT ${A}=named,${B}=other PURPOSE=GENERAL TIME_CREATED=2026-12-03T10:00:00.5\r\n\
         650 CIRC 6 FAILED ${A}=named,${C}=third PURPOSE=GENERAL REASON=TIMEOUT\r\n\
         650 ORCONN ${C}=peer CONNECTED NCIRCS=2 ID=7\r\n\
         650+WARN\r\na multi-line\r\nwarning message\r\n.\r\n650 OK\r\n\
         650 STREAM 4 SUCCEEDED 5 example.com:443 SOCKS_USERNAME=\"user\" SOCKS_PASSWORD=\"{PASSWORD}\"\r\n"
    );
    for _ in 0..3 {
        let _ = write!(
            e,
            "650 CIRC 9 BUILT ${A}~a TIME_CREATED=yesterday\r\n\
             650 ORCONN ${B}~b CONNECTED NCIRCS=many\r\n\
             650 STREAM 3 NEW 0 example.com:001\r\n\
             650 STREAM 8 NEW 0 example.com\r\n"
        );
    }
    e.push_str("650 BW 1 2\r\n");
    e
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_lines_read_whole_and_illegal_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("control");
    let listener = UnixListener::bind(&socket).unwrap();
    tokio::spawn(support::fake_tor(
        listener,
        vec![events().into_bytes()],
        Duration::ZERO,
    ));
    let log_file = dir.path().join("rnyx.log");
    let recording = dir.path().join("rec.rnyx.gz");
    let (mut log_events, _) = EventSelection::parse(["NOTICE", "WARN", "ERR", "RNYX_WARN"]);
    log_events.add_other("CIRC".into());
    let handle = spawn(ControllerConfig {
        targets: vec![Target::Unix(socket)],
        log_events,
        write_logs_to: Some(log_file.clone()),
        host: rnyx::host::recording(
            rnyx::host::local(None),
            rnyx::record::Recorder::create(&recording, 1 << 20).unwrap(),
        ),
        ..ControllerConfig::default()
    });
    eventually("the marker BW event", 30, || {
        handle
            .state
            .read(|s| (s.traffic.bandwidth.len() == 1).then_some(()))
    })
    .await;
    let (circuits, orconns, streams, connected) = handle.state.read(|s| {
        (
            s.net.circuits.iter().cloned().collect::<Vec<_>>(),
            s.net
                .or_connections
                .iter()
                .map(|c| c.target.clone())
                .collect::<Vec<_>>(),
            s.net.streams.iter().map(|st| st.id).collect::<Vec<_>>(),
            s.session.connection.connected,
        )
    });
    // `$fp=nick` long names: the circuit keeps both hops, the OR
    // connection is kept.
    assert_eq!(circuits.len(), 1, "{circuits:?}");
    let names: Vec<_> = circuits[0]
        .path
        .iter()
        .map(|h| h.nickname.as_deref().unwrap_or("?").to_owned())
        .collect();
    assert_eq!(names, ["named", "other"]);
    assert_eq!(orconns, [format!("${C}=peer")]);
    // Illegal lines changed nothing: no circuit 9, no stream 3 or 8, no
    // OR connection to B; the legal stream 4 is there.
    assert_eq!(streams, [4]);
    assert!(connected, "the connection stays up");
    let log: Vec<(LogSource, String)> = handle.state.read(|s| {
        s.logs
            .log
            .iter()
            .map(|e| (e.source.clone(), e.message.clone()))
            .collect()
    });
    let messages: Vec<&str> = log.iter().map(|(_, m)| m.as_str()).collect();
    // The failed circuit's hops in its log line.
    assert!(
        messages.contains(&"6 FAILED named,third PURPOSE=GENERAL REASON=TIMEOUT"),
        "{messages:#?}"
    );
    // The multi-line message as its lines, in order, at WARN.
    let at = messages
        .iter()
        .position(|m| *m == "a multi-line")
        .expect("first line");
    assert_eq!(messages[at + 1], "warning message");
    assert_eq!(log[at].0, LogSource::Tor(Runlevel::Warn));
    // Refused lines logged once a kind, with the reason.
    let refused: Vec<&str> = messages
        .iter()
        .copied()
        .filter(|m| m.starts_with("malformed "))
        .collect();
    assert_eq!(refused.len(), 3, "{refused:#?}");
    assert!(refused[0].contains("CIRC event") && refused[0].contains("TIME_CREATED \"yesterday\""));
    assert!(refused[1].contains("ORCONN event") && refused[1].contains("NCIRCS \"many\""));
    assert!(refused[2].contains("STREAM event") && refused[2].contains("example.com:001"));
    assert_eq!(handle.state.read(|s| s.logs.refused.total), 12);
    // The log file and the recording: the message's lines, no credential.
    drop(handle);
    let file = eventually("the log file", 30, || {
        let text = std::fs::read_to_string(&log_file).ok()?;
        text.contains("warning message").then_some(text)
    })
    .await;
    let lines: Vec<&str> = file.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with("a multi-line"))
        .unwrap_or_else(|| panic!("{file}"));
    assert!(lines[at + 1].ends_with("warning message"), "{file}");
    let plain = eventually("the recording", 30, || {
        support::recording_text(&recording, "650 BW 1 2")
    })
    .await;
    assert!(plain.contains("warning message"));
    assert!(plain.contains("SOCKS_PASSWORD=<redacted>"));
    assert!(!plain.contains(PASSWORD));
    assert!(!file.contains(PASSWORD));
}
