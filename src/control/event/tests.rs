use super::*;
use crate::control::reply::ReplyFramer;

fn events(input: &str) -> Vec<Event> {
    let mut f = ReplyFramer::new();
    f.push(input.as_bytes());
    std::iter::from_fn(|| f.next_reply())
        .map(|r| Event::parse(&r.unwrap()))
        .collect()
}

fn one(input: &str) -> Event {
    let mut e = events(input);
    assert_eq!(e.len(), 1);
    e.remove(0)
}

#[test]
fn bandwidth() {
    assert_eq!(
        one("650 BW 1024 2048\r\n"),
        Event::Bandwidth {
            read: 1024,
            written: 2048
        }
    );
    // Extra arguments (newer tors) are tolerated.
    assert_eq!(
        one("650 BW 1 2 EXTRA=3 something\r\n"),
        Event::Bandwidth {
            read: 1,
            written: 2
        }
    );
    // Unreadable: kept raw.
    assert_eq!(
        one("650 BW lots\r\n"),
        Event::Other {
            name: "BW".into(),
            text: "BW lots".into()
        }
    );
}

#[test]
fn log_runlevels() {
    for (name, level) in [
        ("DEBUG", Runlevel::Debug),
        ("INFO", Runlevel::Info),
        ("NOTICE", Runlevel::Notice),
        ("WARN", Runlevel::Warn),
        ("ERR", Runlevel::Err),
    ] {
        let e = one(&format!(
            "650 {name} conn_read_callback(): socket 7 wants to read.\r\n"
        ));
        assert_eq!(
            e,
            Event::Log {
                runlevel: level,
                message: "conn_read_callback(): socket 7 wants to read.".into()
            }
        );
        assert_eq!(e.name(), name);
    }
    // A data-block log message.
    assert_eq!(
        one("650+WARN\r\nline one\r\nline two\r\n.\r\n650 OK\r\n"),
        Event::Log {
            runlevel: Runlevel::Warn,
            message: "line one\nline two".into()
        }
    );
}

#[test]
fn circ() {
    let e = one("650 CIRC 1000 EXTENDED $AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA~alpha,$BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB~beta BUILD_FLAGS=IS_INTERNAL,NEED_CAPACITY PURPOSE=GENERAL TIME_CREATED=2026-11-21T10:00:00.123456 NEWKEY=whatever\r\n");
    let Event::Circuit { circuit, reason } = e else {
        panic!("{e:?}")
    };
    assert_eq!(circuit.id, 1000);
    assert_eq!(circuit.status, CircuitStatus::Extended);
    assert_eq!(circuit.path.len(), 2);
    assert_eq!(circuit.path[1].nickname.as_deref(), Some("beta"));
    assert_eq!(circuit.build_flags, "IS_INTERNAL,NEED_CAPACITY");
    assert_eq!(circuit.purpose.as_deref(), Some("GENERAL"));
    assert_eq!(reason, None);

    let Event::Circuit { circuit, reason } = one("650 CIRC 7 CLOSED REASON=FINISHED\r\n") else {
        panic!()
    };
    assert!(circuit.path.is_empty());
    assert_eq!(circuit.status, CircuitStatus::Closed);
    assert_eq!(reason.as_deref(), Some("FINISHED"));
    // Launched circuits have no path; keywords follow directly.
    let Event::Circuit { circuit, .. } =
        one("650 CIRC 8 LAUNCHED BUILD_FLAGS=NEED_CAPACITY PURPOSE=GENERAL\r\n")
    else {
        panic!()
    };
    assert!(circuit.path.is_empty());
    assert_eq!(circuit.purpose.as_deref(), Some("GENERAL"));
}

#[test]
fn stream_and_orconn() {
    assert_eq!(
        one("650 STREAM 12 SUCCEEDED 1000 127.0.0.1:80 PURPOSE=USER\r\n"),
        Event::Stream(StreamEvent {
            id: 12,
            status: "SUCCEEDED".into(),
            circuit_id: 1000,
            target: "127.0.0.1:80".into(),
            purpose: Some("USER".into()),
        })
    );
    let Event::OrConn { connection, reason } =
        one("650 ORCONN $CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC~gamma CLOSED REASON=DONE NCIRCS=3 ID=42\r\n")
    else {
        panic!()
    };
    assert_eq!(connection.id, Some(42));
    assert_eq!(connection.circuits, Some(3));
    assert_eq!(connection.status, OrConnStatus::Closed);
    assert_eq!(reason.as_deref(), Some("DONE"));
}

#[test]
fn ns_and_newconsensus() {
    let text = "650+NEWCONSENSUS\r\nr test000a AAECAwQFBgcICQoLDA0ODxAREhM 4Fh1N6n3Y9A7PdDhc2kY5zYgF0s 2026-11-21 10:00:00 127.0.0.1 5000 7000\r\ns Authority Exit Fast Guard Running Stable V2Dir Valid\r\nw Bandwidth=20\r\nr relay2 FBEAAAAAAAAAAAAAAAAAAAAAAAA xxxx 2026-11-21 10:00:00 127.0.0.1 5001 0\r\ns Fast Running\r\n.\r\n650 OK\r\n";
    let Event::NewConsensus(rs) = one(text) else {
        panic!()
    };
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[0].nickname, "test000a");
    assert_eq!(
        rs[0].fingerprint,
        "000102030405060708090A0B0C0D0E0F10111213"
    );
    assert_eq!(rs[0].or_port, 5000);
    assert_eq!(rs[0].flags.len(), 8);
    assert_eq!(rs[0].bandwidth, Some(20));
    assert_eq!(rs[1].flags, ["Fast", "Running"]);
    let Event::Ns(rs) = one(&text.replace("NEWCONSENSUS", "NS")) else {
        panic!()
    };
    assert_eq!(rs.len(), 2);
}

#[test]
fn status_conf_signal() {
    assert_eq!(
        one("650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY=\"Done\"\r\n"),
        Event::Status {
            kind: StatusKind::Client,
            severity: "NOTICE".into(),
            action: "BOOTSTRAP".into(),
            arguments: vec![
                ("PROGRESS".into(), "100".into()),
                ("TAG".into(), "done".into()),
                ("SUMMARY".into(), "Done".into()),
            ],
        }
    );
    assert!(matches!(
        one("650 STATUS_GENERAL WARN CLOCK_SKEW SKEW=-30\r\n"),
        Event::Status {
            kind: StatusKind::General,
            ..
        }
    ));
    assert!(matches!(
        one("650 STATUS_SERVER NOTICE GOOD_SERVER_DESCRIPTOR\r\n"),
        Event::Status {
            kind: StatusKind::Server,
            ..
        }
    ));
    assert_eq!(
        one("650-CONF_CHANGED\r\n650-ExitPolicy=reject *:*\r\n650-Log\r\n650 OK\r\n"),
        Event::ConfChanged(vec![
            ("ExitPolicy".into(), Some("reject *:*".into())),
            ("Log".into(), None),
        ])
    );
    assert_eq!(one("650 SIGNAL NEWNYM\r\n"), Event::Signal("NEWNYM".into()));
}

#[test]
fn unknown_events_are_kept_raw() {
    assert_eq!(
        one("650 HS_DESC REQUESTED abc NO_AUTH x y\r\n"),
        Event::Other {
            name: "HS_DESC".into(),
            text: "HS_DESC REQUESTED abc NO_AUTH x y".into()
        }
    );
    let e = one("650-FUTURE_EVENT a=1\r\n650-more\r\n650 OK\r\n");
    assert_eq!(
        e,
        Event::Other {
            name: "FUTURE_EVENT".into(),
            text: "FUTURE_EVENT a=1\nmore".into()
        }
    );
    // A malformed CIRC is kept raw too, never dropped.
    assert!(matches!(
        one("650 CIRC notanumber BUILT\r\n"),
        Event::Other { .. }
    ));
}
