use super::*;
use crate::reply::ReplyFramer;

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
    // Unreadable: refused with the reason, the text kept.
    assert_eq!(
        one("650 BW lots 2\r\n"),
        Event::Malformed {
            name: "BW".into(),
            reason: "BytesRead \"lots\" is not a number (1*DIGIT)".into(),
            text: "BW lots 2".into()
        }
    );
    assert!(matches!(one("650 BW 1\r\n"), Event::Malformed { .. }));
    assert!(matches!(one("650 BW -1 2\r\n"), Event::Malformed { .. }));
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
fn an_onion_services_circuits_keep_their_address_and_a_clients_never() {
    let own = "vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd";
    let relay = format!("${}~alpha", "A".repeat(40));
    let e = one(&format!(
        "650 CIRC_MINOR 12 PURPOSE_CHANGED {relay} BUILD_FLAGS=IS_INTERNAL,NEED_CAPACITY,NEED_UPTIME PURPOSE=HS_SERVICE_INTRO HS_STATE=HSSI_ESTABLISHED REND_QUERY={own} TIME_CREATED=2026-12-06T16:22:22.122838 OLD_PURPOSE=HS_SERVICE_INTRO OLD_HS_STATE=HSSI_CONNECTING\r\n"
    ));
    let Event::CircuitMinor { circuit, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(e.name(), "CIRC_MINOR");
    assert_eq!(circuit.id, 12);
    assert_eq!(circuit.status.as_str(), "PURPOSE_CHANGED");
    assert_eq!(circuit.hs_state.as_deref(), Some("HSSI_ESTABLISHED"));
    assert_eq!(circuit.rend_query.as_deref(), Some(own));
    assert!(e
        .describe()
        .starts_with("12 PURPOSE_CHANGED alpha PURPOSE=HS_SERVICE_INTRO"));
    // A client's circuit to a service it visits: the address is dropped.
    let Event::Circuit { circuit, .. } = one(&format!(
        "650 CIRC 13 BUILT {relay} PURPOSE=HS_CLIENT_REND HS_STATE=HSCR_JOINED REND_QUERY={own}\r\n"
    )) else {
        panic!()
    };
    assert_eq!((circuit.hs_state, circuit.rend_query), (None, None));
    // An address that is not one is refused.
    let e = one(&format!(
        "650 CIRC 14 BUILT {relay} PURPOSE=HS_SERVICE_REND REND_QUERY=example.com\r\n"
    ));
    assert!(
        matches!(&e, Event::Malformed { reason, .. } if reason.contains("REND_QUERY")),
        "{e:?}"
    );
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
    assert_eq!(
        one("650 SIGNAL NEWNYM\r\n"),
        Event::Signal(crate::signal::Signal::Newnym)
    );
}

#[test]
fn unknown_events_are_kept_raw() {
    assert_eq!(
        one("650 CELL_STATS ID=14 OutboundQueue=19403 OutboundConn=15\r\n"),
        Event::Other {
            name: "CELL_STATS".into(),
            text: "CELL_STATS ID=14 OutboundQueue=19403 OutboundConn=15".into()
        }
    );
    // HS_DESC is read now: an address the spec rules out is refused.
    assert!(matches!(
        one("650 HS_DESC REQUESTED abc NO_AUTH x y\r\n"),
        Event::Malformed { name, .. } if name == "HS_DESC"
    ));
    let e = one("650-FUTURE_EVENT a=1\r\n650-more\r\n650 OK\r\n");
    assert_eq!(
        e,
        Event::Other {
            name: "FUTURE_EVENT".into(),
            text: "FUTURE_EVENT a=1\nmore".into()
        }
    );
    // A malformed CIRC is refused with its reason, never dropped unseen.
    assert!(matches!(
        one("650 CIRC notanumber BUILT\r\n"),
        Event::Malformed { name, .. } if name == "CIRC"
    ));
}

const A: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const B: &str = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

/// The reason a known event was refused, or a panic.
fn refused(input: &str) -> String {
    match one(input) {
        Event::Malformed { reason, .. } => reason,
        other => panic!("{input:?} was read: {other:?}"),
    }
}

/// control-spec §2.1: `LongName = Fingerprint [ ( "=" / "~" ) Nickname ]`.
#[test]
fn long_names_with_equals_in_circ_paths() {
    for sep in ["=", "~"] {
        let e = one(&format!(
            "650 CIRC 5 FAILED ${A}{sep}named,${B}{sep}second PURPOSE=GENERAL REASON=TIMEOUT\r\n"
        ));
        let Event::Circuit { circuit, reason } = e else {
            panic!("{e:?}")
        };
        assert_eq!(circuit.path.len(), 2, "separator {sep}");
        assert_eq!(circuit.path[0].fingerprint.as_deref(), Some(A));
        assert_eq!(circuit.path[0].nickname.as_deref(), Some("named"));
        assert_eq!(circuit.path[1].nickname.as_deref(), Some("second"));
        assert_eq!(reason.as_deref(), Some("TIMEOUT"));
    }
    // Fingerprints alone and bare nicknames.
    let Event::Circuit { circuit, .. } = one(&format!("650 CIRC 6 BUILT ${A},plain\r\n")) else {
        panic!()
    };
    assert_eq!(circuit.path[0].nickname, None);
    assert_eq!(circuit.path[1].fingerprint, None);
}

#[test]
fn long_names_with_equals_in_orconn_targets() {
    for sep in ["=", "~"] {
        let Event::OrConn { connection, .. } = one(&format!(
            "650 ORCONN ${A}{sep}peer CONNECTED NCIRCS=2 ID=9\r\n"
        )) else {
            panic!()
        };
        assert_eq!(connection.target, format!("${A}{sep}peer"));
        assert_eq!(connection.id, Some(9));
    }
    let Event::OrConn { connection, .. } = one("650 ORCONN 10.0.0.1:9001 LAUNCHED ID=3\r\n") else {
        panic!()
    };
    assert_eq!(connection.target, "10.0.0.1:9001");
}

/// Words the spec does not list — a status, a purpose, a build flag a newer
/// tor adds, in whatever case — are kept as written (the structure around
/// them is still checked).
#[test]
fn words_the_spec_does_not_list_are_kept() {
    let Event::Circuit { circuit, .. } = one(&format!(
        "650 CIRC 7 REBUILT_LATER ${A}~a BUILD_FLAGS=NEED_CAPACITY,conflux-linked PURPOSE=hs_client_v9 NEWKEY=x\r\n"
    )) else {
        panic!()
    };
    assert_eq!(circuit.status.as_str(), "REBUILT_LATER");
    assert_eq!(&*circuit.build_flags, "NEED_CAPACITY,conflux-linked");
    assert_eq!(circuit.purpose.as_deref(), Some("hs_client_v9"));
    let Event::Stream(s) = one("650 STREAM 4 Held 7 example.com:443 PURPOSE=Dir_Fetch\r\n") else {
        panic!()
    };
    assert_eq!(
        (s.status.as_str(), s.purpose.as_deref()),
        ("Held", Some("Dir_Fetch"))
    );
    let Event::OrConn { connection, .. } = one(&format!("650 ORCONN ${A}~a HALF_OPEN\r\n")) else {
        panic!()
    };
    assert_eq!(connection.status.as_str(), "HALF_OPEN");
}

/// Values the spec rules out are refused, each with a reason naming the field.
#[test]
fn values_the_spec_rules_out() {
    let cases = [
        (
            format!("650 CIRC 1 BUILT ${A}~a TIME_CREATED=2026/11/21\r\n"),
            "TIME_CREATED \"2026/11/21\" is not an ISO time",
        ),
        (
            format!("650 CIRC 1 BUILT ${A}~a TIME_CREATED=2026-11-21T10:00:00.\r\n"),
            "TIME_CREATED",
        ),
        (
            format!("650 CIRC 1x BUILT ${A}~a\r\n"),
            "CircuitID \"1x\" is not an ID",
        ),
        (
            format!("650 CIRC 12345678901234567 BUILT ${A}~a\r\n"),
            "CircuitID",
        ),
        ("650 CIRC 1 BUILT $ABC~a\r\n".into(), "is not a LongName"),
        (format!("650 CIRC 1 BUILT ${A}~a,,${B}~b\r\n"), "LongName"),
        ("650 CIRC 1\r\n".into(), "CircStatus is missing"),
        (
            format!("650 CIRC 1 BUILT ${A}~a BUILD_FLAGS=NEED_CAPACITY,,X\r\n"),
            "BUILD_FLAGS \"NEED_CAPACITY,,X\" is not a list of flags",
        ),
        (
            format!("650 CIRC 1 BUILT ${A}~a BUILD_FLAGS=\r\n"),
            "BUILD_FLAGS",
        ),
        (
            format!("650 ORCONN ${A}~a CONNECTED NCIRCS=many\r\n"),
            "NCIRCS \"many\" is not a number",
        ),
        (
            format!("650 ORCONN ${A}~a CONNECTED ID=4a\r\n"),
            "ID \"4a\" is not an ID",
        ),
        ("650 ORCONN 10.0.0.1:001 CONNECTED\r\n".into(), "bad port"),
        ("650 ORCONN 10.0.0.1:0 CONNECTED\r\n".into(), "bad port"),
        ("650 ORCONN 10.0.0.1:65536 CONNECTED\r\n".into(), "bad port"),
        (
            "650 STREAM 3 NEW 0 example.com\r\n".into(),
            "Target \"example.com\" is not an address:port",
        ),
        (
            "650 STREAM 3 NEW 0 example.com:https\r\n".into(),
            "bad port",
        ),
        ("650 STREAM 3 NEW 0 example.com:0443\r\n".into(), "bad port"),
        ("650 STREAM x3 NEW 0 example.com:443\r\n".into(), "StreamID"),
        (
            "650 STREAM 3 NEW zero example.com:443\r\n".into(),
            "CircuitID",
        ),
        ("650 STREAM 3 NEW 0\r\n".into(), "Target is missing"),
    ];
    for (input, expected) in cases {
        let reason = refused(&input);
        assert!(reason.contains(expected), "{input:?}: {reason}");
    }
}

/// What tor 0.4.9 sent on the private network: a stream to a chosen exit
/// in `.exit` notation, and network liveness (a bare Status).
#[test]
fn exit_notation_targets_and_network_liveness() {
    let Event::Stream(s) = one("650 STREAM 12 SUCCEEDED 7 127.0.0.1.$4AA87A76DACE4BA2191367CE8E4167CFDC7450E0.exit:5100\r\n") else {
        panic!()
    };
    assert_eq!(
        s.target,
        "127.0.0.1.$4AA87A76DACE4BA2191367CE8E4167CFDC7450E0.exit:5100"
    );
    let liveness = |status: &str| Event::Liveness {
        status: status.to_owned(),
    };
    assert_eq!(one("650 NETWORK_LIVENESS DOWN\r\n"), liveness("DOWN"));
    assert_eq!(one("650 NETWORK_LIVENESS UP\r\n"), liveness("UP"));
    // A word the spec does not list, and a keyword after it: a newer
    // tor's, kept as written.
    assert_eq!(
        one("650 NETWORK_LIVENESS OTHER_STATUS key=value\r\n"),
        liveness("OTHER_STATUS")
    );
    // A keyword where the status stands breaks the structure.
    assert!(matches!(
        one("650 NETWORK_LIVENESS STATUS=UP\r\n"),
        Event::Malformed { .. }
    ));
    // A resolved IPv6 target, bare as tor writes it.
    let Event::Stream(s) = one("650 STREAM 23 NEWRESOLVE 0 2001:db8::1:0 PURPOSE=DNS_REQUEST\r\n")
    else {
        panic!()
    };
    assert_eq!(
        (s.target.as_str(), s.status.as_str()),
        ("2001:db8::1:0", "NEWRESOLVE")
    );
    // Not an address at all stays refused.
    assert!(matches!(
        one("650 STREAM 23 NEWRESOLVE 0 2001:db8::zz:0\r\n"),
        Event::Malformed { .. }
    ));
}

/// tor writes `:0` as a RESOLVE stream's target; followed, though the
/// spec's Port is 1–65535 (see `spec::target`).
#[test]
fn resolve_streams_have_port_zero() {
    let Event::Stream(s) = one("650 STREAM 3 NEW 0 example.com:0 PURPOSE=DNS_REQUEST\r\n") else {
        panic!()
    };
    assert_eq!(s.target, "example.com:0");
}

/// SOCKS credentials are read past, never kept in the state's types.
#[test]
fn socks_credentials_are_not_kept() {
    let e = one(&format!(
        "650 CIRC 5 BUILT ${A}~a PURPOSE=GENERAL SOCKS_USERNAME=\"alice\" SOCKS_PASSWORD=\"hunter2\"\r\n"
    ));
    assert!(matches!(e, Event::Circuit { .. }));
    assert!(!format!("{e:?}").contains("hunter2"));
    let e = one("650 STREAM 3 SUCCEEDED 5 example.com:443 SOCKS_USERNAME=\"alice\" SOCKS_PASSWORD=\"hunter2\"\r\n");
    assert!(matches!(e, Event::Stream(_)));
    assert!(!format!("{e:?}").contains("hunter2"));
}

/// `650+WARN` then data lines: the message keeps its lines (§4.1.5).
#[test]
fn multi_line_log_events_keep_their_lines() {
    assert_eq!(
        one("650+NOTICE\r\na multi-line\r\nwarning message\r\n.\r\n650 OK\r\n"),
        Event::Log {
            runlevel: Runlevel::Notice,
            message: "a multi-line\nwarning message".into()
        }
    );
}
