use super::*;

const A: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const B: &str = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

#[test]
fn circuit_status_reads_both_long_name_forms() {
    let text = format!(
        "7 BUILT ${A}=named,${B}~other PURPOSE=GENERAL TIME_CREATED=2026-11-21T10:00:00.5\n\
         8 LAUNCHED PURPOSE=GENERAL\n\
         9 CLOSED ${A}~a\n"
    );
    let got = circuit_status(&text);
    assert!(got.refused.is_empty(), "{:?}", got.refused);
    assert_eq!(got.entries.len(), 2);
    let c = &got.entries[0];
    assert_eq!(c.id, 7);
    assert_eq!(c.path.len(), 2);
    assert_eq!(c.path[0].fingerprint.as_deref(), Some(A));
    assert_eq!(c.path[0].nickname.as_deref(), Some("named"));
    assert_eq!(c.path[1].nickname.as_deref(), Some("other"));
    assert!(got.entries[1].path.is_empty());
}

#[test]
fn circuit_status_refuses_lines_the_spec_rules_out_and_keeps_the_rest() {
    let text = format!(
        "x1 BUILT ${A}~a\n\
         2 BUILT ${A}~a TIME_CREATED=yesterday\n\
         3 BUILT $AB~a\n\
         4 BUILT ${A}~a\n"
    );
    let got = circuit_status(&text);
    assert_eq!(got.entries.iter().map(|c| c.id).collect::<Vec<_>>(), [4]);
    assert_eq!(got.refused.len(), 3);
    assert!(got.refused[0].0.starts_with("circuit-status: CircuitID"));
    assert!(got.refused[1].0.contains("TIME_CREATED \"yesterday\""));
    assert!(got.refused[2].0.contains("LongName"));
}

#[test]
fn orconn_status_targets() {
    let text =
        format!("${A}=named CONNECTED\n${B}~b LAUNCHED\n10.0.0.1:9001 CONNECTED\n${A} CLOSED\n");
    let got = orconn_status(&text);
    assert!(got.refused.is_empty(), "{:?}", got.refused);
    let targets: Vec<_> = got.entries.iter().map(|c| c.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            &*format!("${A}=named"),
            &*format!("${B}~b"),
            "10.0.0.1:9001"
        ]
    );
    let bad = orconn_status("10.0.0.1:001 CONNECTED\n$AB CONNECTED\nLONELY\nx y z connected\n");
    assert!(bad.entries.is_empty());
    assert_eq!(bad.refused.len(), 4, "{:?}", bad.refused);
}

#[test]
fn stream_status_targets() {
    let got = stream_status("1 SUCCEEDED 5 example.com:443\n2 NEW 0 example.com:0\n3 NEW 0 example.com\n4 NEW 0 example.com:http\n5 NEW 0 example.com:0443\n");
    assert_eq!(got.entries.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(got.refused.len(), 3);
    for r in &got.refused {
        assert!(r.0.contains("Target"), "{r}");
    }
}

#[test]
fn bw_cache_pairs() {
    let got = bw_event_cache("1,2 3,4 x,5 6");
    assert_eq!(got.entries, [(1, 2), (3, 4)]);
    assert_eq!(got.refused.len(), 2);
}

#[test]
fn listener_lists_unquote() {
    assert_eq!(
        listeners(r#""127.0.0.1:9051" "unix:/run/tor/control""#),
        ["127.0.0.1:9051", "unix:/run/tor/control"]
    );
}

#[test]
fn config_names_defaults_and_byte_pairs() {
    assert_eq!(
        config_names("ORPort Virtual\nNickname String\nbad\n"),
        [
            ("ORPort".to_owned(), "Virtual".to_owned()),
            ("Nickname".to_owned(), "String".to_owned())
        ]
    );
    assert_eq!(
        config_defaults("ContactInfo \"a \\\"b\\\"\"\nORPort 0\n"),
        [
            ("ContactInfo".to_owned(), "a \"b\"".to_owned()),
            ("ORPort".to_owned(), "0".to_owned())
        ]
    );
    assert_eq!(byte_pair("10 20"), (10, 20));
    assert_eq!(byte_pair("x 20"), (0, 20));
    assert_eq!(byte_pair(""), (0, 0));
}

#[test]
fn a_bridges_clients_by_country_and_ip_version() {
    let seen = clients_seen(
        "TimeStarted=\"2026-12-06 10:00:00\" CountrySummary=??=8,de=16,US=8 IPVersions=v4=24,v6=8",
        60,
    )
    .unwrap();
    assert_eq!(seen.at, 60);
    assert_eq!(seen.since.as_deref(), Some("2026-12-06 10:00:00"));
    assert_eq!(
        seen.countries,
        [("??".into(), 8), ("de".into(), 16), ("us".into(), 8)]
    );
    assert_eq!(seen.ip_versions, [("v4".into(), 24), ("v6".into(), 8)]);
    assert_eq!(seen.total(), 32);
    let none = clients_seen(
        "TimeStarted=\"2026-12-06 10:00:00\" CountrySummary= IPVersions=v4=0,v6=0",
        1,
    )
    .unwrap();
    assert_eq!(none.total(), 0);
    for bad in [
        "CountrySummary=de",
        "CountrySummary=de=x",
        "IPVersions=v4=-1",
        "CountrySummary=d\u{1b}=8",
    ] {
        assert!(clients_seen(bad, 0).is_err(), "{bad}");
    }
}
