//! Every refusal of the event grammar, a line each, and every open word:
//! the rule at the top of `spec.rs` (structure exact, words open), read
//! against lines tor writes. A refusal names the field and why; a line
//! with an open word is read and keeps the word as tor wrote it.

use super::*;
use crate::reply::ReplyFramer;

const FP: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

fn event(line: &str) -> Event {
    let mut f = ReplyFramer::new();
    f.push(format!("{line}\r\n").as_bytes());
    Event::parse(&f.next_reply().unwrap().unwrap())
}

/// Each line breaks the structure in one place; the reason says where.
#[test]
fn each_refusal_of_the_event_grammar_says_what_and_where() {
    let relay = format!("${FP}~relay");
    let cases: Vec<(String, &str)> = vec![
        // BW: two counts.
        ("650 BW x 2".into(), "BytesRead \"x\" is not a number"),
        ("650 BW 1".into(), "BytesWritten \"\" is not a number"),
        // CIRC: an ID, a status word, a path of LongNames, typed keywords.
        ("650 CIRC".into(), "CircuitID is missing"),
        (
            "650 CIRC PURPOSE=GENERAL".into(),
            "CircuitID \"GENERAL\" is not given (a keyword came first)",
        ),
        (
            "650 CIRC 12345678901234567 BUILT".into(),
            "CircuitID \"12345678901234567\" is not an ID",
        ),
        ("650 CIRC 1".into(), "CircStatus is missing"),
        (
            "650 CIRC 1 BU\u{7}ILT".into(),
            "CircStatus \"BUILT\" is not a word",
        ),
        (
            "650 CIRC 1 BUILT $ABC~x".into(),
            "relay \"$ABC~x\" is not a LongName",
        ),
        (
            format!("650 CIRC 1 BUILT {relay} BUILD_FLAGS=NEED_CAPACITY,,"),
            "BUILD_FLAGS \"NEED_CAPACITY,,\" is not a list of flags",
        ),
        (
            format!("650 CIRC 1 BUILT {relay} PURPOSE="),
            "PURPOSE \"\" is not a word",
        ),
        (
            format!("650 CIRC 1 BUILT {relay} TIME_CREATED=yesterday"),
            "TIME_CREATED \"yesterday\" is not an ISO time",
        ),
        // STREAM: ID, status, circuit ID, a target.
        (
            "650 STREAM x NEW 0 a:1".into(),
            "StreamID \"x\" is not an ID",
        ),
        ("650 STREAM 1".into(), "StreamStatus is missing"),
        ("650 STREAM 1 NEW".into(), "CircuitID is missing"),
        (
            "650 STREAM 1 NEW -3 a:1".into(),
            "CircuitID \"-3\" is not an ID",
        ),
        ("650 STREAM 1 NEW 0".into(), "Target is missing"),
        (
            "650 STREAM 1 NEW 0 example.com".into(),
            "Target \"example.com\" is not an address:port",
        ),
        (
            "650 STREAM 1 NEW 0 example.com:99999".into(),
            "Target \"example.com:99999\" is not an address:port (bad port)",
        ),
        (
            "650 STREAM 1 NEW 0 a:1 PURPOSE=".into(),
            "PURPOSE \"\" is not a word",
        ),
        // ORCONN: a LongName or an address:port, a status, typed keywords.
        (
            "650 ORCONN $ABC CONNECTED".into(),
            "relay \"$ABC\" is not a LongName",
        ),
        (
            "650 ORCONN 10.0.0.1:x CONNECTED".into(),
            "ORCONN target \"10.0.0.1:x\" is not an address:port",
        ),
        (format!("650 ORCONN {relay}"), "ORStatus is missing"),
        (
            format!("650 ORCONN {relay} CONNECTED ID=x"),
            "ID \"x\" is not an ID",
        ),
        (
            format!("650 ORCONN {relay} CONNECTED NCIRCS=-1"),
            "NCIRCS \"-1\" is not a number",
        ),
        (
            format!("650 ORCONN {relay} CONNECTED NCIRCS=99999999999"),
            "NCIRCS \"99999999999\" is not a count of circuits",
        ),
        // STATUS_*: a severity and an action.
        ("650 STATUS_SERVER".into(), "Severity is missing"),
        ("650 STATUS_SERVER NOTICE".into(), "Action is missing"),
        // NETWORK_LIVENESS: a status.
        ("650 NETWORK_LIVENESS".into(), "Status is missing"),
    ];
    for (line, reason) in &cases {
        match event(line) {
            Event::Malformed {
                reason: r, text, ..
            } => {
                assert!(r.starts_with(reason), "{line:?}: {r:?}, not {reason:?}");
                assert!(!r.contains('\u{7}'), "{r:?}");
                assert_eq!(format!("650 {text}"), *line, "the line is kept whole");
            }
            other => panic!("{line:?} was read: {other:?}"),
        }
    }
}

/// Words the spec does not list, keywords rnyx does not know, and targets
/// as tor writes them: read, each word kept as written.
#[test]
fn each_open_word_is_read_and_kept() {
    let relay = format!("${FP}~relay");
    let circ = event(&format!(
        "650 CIRC 7 SPLICED {relay} BUILD_FLAGS=IS_INTERNAL,NEW_FLAG PURPOSE=CONFLUX_NEW REASON=NEWREASON FUTURE=1 extra"
    ));
    let Event::Circuit { circuit, reason } = circ else {
        panic!("{circ:?}")
    };
    assert_eq!(circuit.status.as_str(), "SPLICED");
    assert_eq!(circuit.build_flags, "IS_INTERNAL,NEW_FLAG");
    assert_eq!(circuit.purpose.as_deref(), Some("CONFLUX_NEW"));
    assert_eq!(reason.as_deref(), Some("NEWREASON"));
    for (target, status, purpose) in [
        ("2001:db8::1:0", "NEWRESOLVE", "DNS_REQUEST"),
        ("[2001:db8::1]:443", "SENTCONNECT", "USER"),
        ("example.com:80", "NEW", "USER"),
        ("example.com.$AAAA.exit:80", "NEW", "USER"),
        ("10.0.0.1:443", "WAITING", "NEW_PURPOSE"),
    ] {
        let line = format!("650 STREAM 23 {status} 0 {target} PURPOSE={purpose} NEWKEY=x");
        let Event::Stream(s) = event(&line) else {
            panic!("{line}")
        };
        assert_eq!((s.target.as_str(), s.status.as_str()), (target, status));
        assert_eq!(s.purpose.as_deref(), Some(purpose));
    }
    let Event::OrConn { connection, reason } = event(&format!(
        "650 ORCONN {relay} HANDSHAKING REASON=SOMETHING NEW=1"
    )) else {
        panic!()
    };
    assert_eq!(connection.status.as_str(), "HANDSHAKING");
    assert_eq!(reason.as_deref(), Some("SOMETHING"));
    assert_eq!(
        event("650 NETWORK_LIVENESS OTHER_STATUS key=value"),
        Event::Liveness {
            status: "OTHER_STATUS".into()
        }
    );
    let Event::Status {
        action, arguments, ..
    } = event("650 STATUS_SERVER NOTICE NEW_ACTION WHAT=\"a b\"")
    else {
        panic!()
    };
    assert_eq!(action, "NEW_ACTION");
    assert_eq!(arguments, [("WHAT".to_owned(), "a b".to_owned())]);
    assert_eq!(
        event("650 SIGNAL REBIND"),
        Event::Signal(crate::signal::Signal::Other("REBIND".into()))
    );
    assert!(matches!(event("650 NEW_EVENT a b"), Event::Other { name, .. } if name == "NEW_EVENT"));
}
