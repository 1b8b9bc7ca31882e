use super::*;
use crate::circuit::Circuit;
use compact_str::CompactString;

const OWN: &str = "vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd";
const VISITED: &str = "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid";

fn hsdir(n: char) -> Hop {
    Hop::named(&n.to_string().repeat(40), "dir")
}

fn dir_service() -> Onions {
    let mut o = Onions::default();
    o.configure(
        vec![(
            Origin::Torrc,
            Configured {
                dir: Some("/var/lib/tor/web".into()),
                address: None,
                ports: vec!["80 127.0.0.1:8080".into()],
                intro_wanted: Some(4),
            },
        )],
        100,
    );
    o
}

fn circuit(id: u64, purpose: &str, state: &str, address: &str) -> Circuit {
    Circuit {
        id,
        status: CircuitStatus::Built,
        path: vec![],
        build_flags: CompactString::default(),
        purpose: Some(purpose.into()),
        time_created: None,
        hs_state: Some(state.into()),
        rend_query: Some(address.into()),
    }
}

#[test]
fn an_upload_names_the_directory_services_address_and_each_hsdir_is_kept_once() {
    let mut o = dir_service();
    assert_eq!(o.events(), ["HS_DESC", "CIRC_MINOR"]);
    assert_eq!(Onions::default().events(), [] as [&str; 0]);
    o.on_descriptor("UPLOAD", Some(OWN), Some(&hsdir('A')), None, 200);
    o.on_descriptor("UPLOAD", Some(OWN), Some(&hsdir('B')), None, 200);
    let s = &o.services[0];
    assert_eq!(s.address.as_deref(), Some(OWN));
    assert_eq!(s.dir.as_deref(), Some("/var/lib/tor/web"));
    assert_eq!(s.descriptor.last_upload, Some(200));
    o.on_descriptor("UPLOADED", Some(OWN), Some(&hsdir('A')), None, 201);
    o.on_descriptor(
        "FAILED",
        Some(OWN),
        Some(&hsdir('B')),
        Some("UPLOAD_REJECTED"),
        202,
    );
    let d = &o.services[0].descriptor;
    assert_eq!(d.hsdirs.len(), 2);
    assert_eq!(d.accepted(), 1);
    assert_eq!((d.uploaded, d.failed), (1, 1));
    assert_eq!(d.last_failed, Some((202, "UPLOAD_REJECTED".into())));
    assert_eq!(d.hsdirs[1].reason.as_deref(), Some("UPLOAD_REJECTED"));
    assert_eq!(d.next_due(), Some(201 + REUPLOAD_MAX));
    // A configuration read again keeps what was seen.
    let mut again = o.clone();
    again.configure(
        vec![(
            Origin::Torrc,
            Configured {
                dir: Some("/var/lib/tor/web".into()),
                ..Configured::default()
            },
        )],
        300,
    );
    assert_eq!(again.services.len(), 1);
    assert_eq!(again.services[0].descriptor, o.services[0].descriptor);
    assert_eq!(again.services[0].intro_wanted, INTRO_DEFAULT);
}

#[test]
fn a_visited_services_fetch_is_never_kept() {
    let mut o = dir_service();
    o.on_descriptor("UPLOAD", Some(OWN), Some(&hsdir('A')), None, 200);
    for action in ["REQUESTED", "RECEIVED", "FAILED", "UPLOADED"] {
        o.on_descriptor(
            action,
            Some(VISITED),
            Some(&hsdir('C')),
            Some("NOT_FOUND"),
            210,
        );
    }
    assert_eq!(o.services.len(), 1);
    let text = serde_json::to_string(&o).unwrap();
    assert!(!text.contains(VISITED), "{text}");
    // A client circuit's address is not a service's.
    let mut t = CircuitTable::new(10);
    t.apply(circuit(1, "HS_CLIENT_REND", "HSCR_JOINED", VISITED));
    o.count(&t, 220);
    assert_eq!(o.services.len(), 1);
}

#[test]
fn the_descriptor_is_missing_until_accepted_after_a_failure_and_past_its_reupload() {
    let mut o = dir_service();
    assert_eq!(
        o.services[0].descriptor_missing_since(150, Some(90)),
        Some(100)
    );
    // A service tor ran before rnyx saw it may have uploaded just before.
    assert_eq!(o.services[0].descriptor_missing_since(150, Some(10)), None);
    let due = 100 + REUPLOAD_MAX;
    assert_eq!(
        o.services[0].descriptor_missing_since(due + 1, Some(10)),
        Some(due)
    );
    o.on_descriptor("UPLOAD", Some(OWN), Some(&hsdir('A')), None, 200);
    o.on_descriptor("UPLOADED", Some(OWN), Some(&hsdir('A')), None, 210);
    assert_eq!(o.services[0].descriptor_missing_since(220, None), None);
    o.on_descriptor(
        "FAILED",
        Some(OWN),
        Some(&hsdir('B')),
        Some("UPLOAD_REJECTED"),
        230,
    );
    // One HSDir of two refused it: missing there, not everywhere.
    assert_eq!(o.services[0].descriptor_missing_since(240, None), None);
    assert_eq!(
        o.services[0].descriptor_missing(240, None),
        Some(Missing::AtSome {
            since: 230,
            missing: 1,
            of: 2
        })
    );
    o.on_descriptor("UPLOADED", Some(OWN), Some(&hsdir('B')), None, 250);
    assert_eq!(o.services[0].descriptor_missing_since(260, None), None);
    let due = 250 + REUPLOAD_MAX;
    assert_eq!(o.services[0].descriptor_missing_since(due, None), None);
    assert_eq!(
        o.services[0].descriptor_missing_since(due + 1, None),
        Some(due)
    );
}

#[test]
fn circuits_count_introduction_points_and_rendezvous_per_minute() {
    let mut o = dir_service();
    let mut t = CircuitTable::new(20);
    t.apply(circuit(1, "HS_SERVICE_INTRO", "HSSI_ESTABLISHED", OWN));
    t.apply(circuit(2, "HS_SERVICE_INTRO", "HSSI_CONNECTING", OWN));
    t.apply(circuit(3, "HS_SERVICE_REND", "HSSR_JOINED", OWN));
    o.count(&t, 600);
    let s = &o.services[0];
    assert_eq!(
        s.address.as_deref(),
        Some(OWN),
        "a service circuit names it"
    );
    assert_eq!(
        (s.intro_points, s.intro_wanted_total(), s.rendezvous),
        (1, 8, 1)
    );
    assert_eq!(s.intro_short_since, Some(600));
    for id in 10..17 {
        t.apply(circuit(id, "HS_SERVICE_INTRO", "HSSI_ESTABLISHED", OWN));
    }
    t.apply(circuit(3, "HS_SERVICE_REND", "HSSR_JOINED", OWN));
    t.apply(circuit(7, "HS_SERVICE_REND", "HSSR_JOINED", OWN));
    o.count(&t, 610);
    let s = &o.services[0];
    assert_eq!((s.intro_points, s.rendezvous), (8, 2));
    assert_eq!(s.intro_short_since, None);
    assert_eq!(s.rend_minutes, [2], "the most in the minute");
    let mut closed = circuit(7, "HS_SERVICE_REND", "HSSR_JOINED", OWN);
    closed.status = CircuitStatus::Closed;
    t.apply(closed);
    o.count(&t, 600 + 180);
    assert_eq!(
        o.services[0].rend_minutes,
        [2, 0, 0, 1],
        "silent minutes are none"
    );
}

#[test]
fn an_hsdir_that_never_answers_holds_no_copy_and_when_none_holds_it_it_is_missing_everywhere() {
    let mut o = dir_service();
    for (n, at) in [('A', 200), ('B', 200)] {
        o.on_descriptor("UPLOAD", Some(OWN), Some(&hsdir(n)), None, at);
    }
    o.on_descriptor("UPLOADED", Some(OWN), Some(&hsdir('A')), None, 201);
    // B never answers (tor reports nothing for a 503 or a failed circuit).
    let at_some = Missing::AtSome {
        since: 200,
        missing: 1,
        of: 2,
    };
    assert_eq!(o.services[0].descriptor_missing(900, None), Some(at_some));
    // The next round: A refuses, B still silent; none holds it.
    o.on_descriptor("UPLOAD", Some(OWN), Some(&hsdir('A')), None, 1000);
    o.on_descriptor(
        "FAILED",
        Some(OWN),
        Some(&hsdir('A')),
        Some("UNEXPECTED"),
        1001,
    );
    o.on_descriptor("UPLOAD", Some(OWN), Some(&hsdir('B')), None, 1000);
    assert_eq!(
        o.services[0].descriptor_missing(1100, None),
        Some(Missing::Everywhere(1000))
    );
    assert_eq!(
        o.services[0].descriptor_missing_since(1100, None),
        Some(1000)
    );
    // An HSDir of a round over 2 h before the last is no longer counted.
    o.on_descriptor(
        "UPLOAD",
        Some(OWN),
        Some(&hsdir('C')),
        None,
        1002 + REUPLOAD_MAX,
    );
    o.on_descriptor(
        "UPLOADED",
        Some(OWN),
        Some(&hsdir('C')),
        None,
        1003 + REUPLOAD_MAX,
    );
    assert_eq!(o.services[0].descriptor.current().count(), 1);
    assert_eq!(
        o.services[0].descriptor_missing(1010 + REUPLOAD_MAX, None),
        None
    );
}
