use super::*;
use rnyx_model::health::{AlertKind, AlertSettings};
use rnyx_model::BandwidthSample;

fn relay(name: &str) -> ControllerState {
    let mut s = ControllerState::default();
    s.session.connection.connected = true;
    s.facts.relay.fingerprint = Some("AB".repeat(20));
    s.facts.relay.nickname = Some(name.into());
    s.facts.relay.flags = ["Valid", "Running", "Fast", "Guard", "Stable"]
        .map(String::from)
        .to_vec();
    for t in 0..60 {
        s.traffic.bandwidth.push(BandwidthSample {
            time: t,
            read: 2_202_009,
            written: 1000,
        });
    }
    s.facts.system.tor_fds = Some(120);
    s.facts.system.tor_fd_limit = Some(1000);
    s.health.cert_expires = Some(4_000_000_000);
    s.consensus_mut().replace([rnyx_model::RelayEntry {
        fingerprint: "AB".repeat(20),
        nickname: name.into(),
        or_address: None,
        ipv6_address: None,
        flags: "Fast Guard Running Stable Valid".into(),
    }]);
    s
}

fn watched(name: &str, s: ControllerState) -> Checked {
    Checked {
        host: None,
        name: name.into(),
        finding: Finding::Watched(Box::new(s)),
    }
}

/// Parses plugin output as a monitoring system does: the status word of
/// the first line, the long text, and `label=value[UOM];warn;crit;min;max`.
fn parse_plugin(out: &str) -> (String, Vec<String>, Vec<(String, String)>) {
    let mut lines = out.lines();
    let first = lines.next().unwrap();
    let status = first
        .strip_prefix("RNYX ")
        .unwrap()
        .split(" - ")
        .next()
        .unwrap()
        .to_owned();
    let mut long = Vec::new();
    let mut perf = Vec::new();
    for l in lines {
        match l.split_once('|') {
            Some((text, data)) => {
                assert!(text.trim().is_empty(), "{l}");
                for item in data.split_whitespace() {
                    let (label, rest) = item.split_once('=').unwrap();
                    assert!(label
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
                    let fields: Vec<&str> = rest.split(';').collect();
                    assert!(fields.len() <= 5, "{item}");
                    let value =
                        fields[0].trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
                    value.parse::<f64>().unwrap();
                    for f in &fields[1..] {
                        assert!(f.is_empty() || f.parse::<f64>().is_ok(), "{item}");
                    }
                    perf.push((label.to_owned(), fields[0].to_owned()));
                }
            }
            None => long.push(l.to_owned()),
        }
    }
    (status, long, perf)
}

#[test]
fn ok_says_flags_and_rate_with_perfdata() {
    let mut s = relay("relay0");
    s.health.cert_expires = None;
    s.consensus_mut().replace([]);
    let (status, out) = report(&[watched("relay0", s)]);
    assert_eq!(status, Status::Ok);
    assert!(
        out.starts_with("RNYX OK - relay0: Fast Guard Running Stable Valid, 2.1 MB/s\n"),
        "{out}"
    );
    let (word, long, perf) = parse_plugin(&out);
    assert_eq!(word, "OK");
    // No consensus in this state, no certificate read: said.
    assert_eq!(long.len(), 1, "{long:?}");
    assert!(
        long[0].starts_with(
            "relay0: not read: the consensus (tor has none yet); the signing certificate"
        ),
        "{}",
        long[0]
    );
    assert!(perf.contains(&("relay0_read_Bps".into(), "2202009".into())));
    assert!(perf.contains(&("relay0_fds".into(), "120".into())));
    assert!(out.contains("relay0_fds=120;800;950;0;1000"), "{out}");
}

#[test]
fn the_worst_alert_decides_and_each_has_its_line() {
    let mut s = relay("relay0");
    s.facts.system.tor_fds = Some(990);
    s.health.on_status(
        "STATUS_GENERAL",
        "CLOCK_SKEW",
        &[
            ("SKEW".into(), "-3600".into()),
            ("SOURCE".into(), "CONSENSUS".into()),
        ],
        0,
    );
    health::evaluate(&mut s, &AlertSettings::default(), 10);
    let (status, out) = report(&[watched("relay0", s)]);
    assert_eq!(status, Status::Critical);
    let (word, long, _) = parse_plugin(&out);
    assert_eq!(word, "CRITICAL");
    assert_eq!(long.len(), 2, "{out}");
    assert!(long
        .iter()
        .any(|l| l.starts_with("relay0: CRITICAL the clock is off")
            && l.contains("tor: CLOCK_SKEW SKEW=-3600 SOURCE=CONSENSUS")));
    assert!(long
        .iter()
        .any(|l| l.contains("file descriptor limit: 990 of 1000 open (99%)")));
}

#[test]
fn several_relays_the_worst_wins_down_is_critical_auth_unknown() {
    let mut warn = relay("b");
    warn.facts.relay.version = Some("0.4.7.1".into());
    warn.facts.relay.version_status = rnyx_model::VersionStatus::Old;
    health::evaluate(&mut warn, &AlertSettings::default(), 0);
    assert_eq!(warn.health.active[0].kind, AlertKind::Version);
    let all = [
        watched("a", relay("a")),
        watched("b", warn.clone()),
        Checked {
            host: None,
            name: "c".into(),
            finding: Finding::Unknown("tor refused the password".into()),
        },
    ];
    let (status, out) = report(&all);
    assert_eq!((status, status.code()), (Status::Unknown, 3));
    let (_, long, perf) = parse_plugin(&out);
    assert!(
        long.contains(&"a: OK - a: Fast Guard Running Stable Valid, 2.1 MB/s".to_owned()),
        "{out}"
    );
    assert!(long
        .iter()
        .any(|l| l.starts_with("b: WARNING - b: tor's version is not recommended")));
    assert!(perf.iter().any(|(l, _)| l == "b_alerts"));
    let down = Checked {
        host: None,
        name: "d|x".into(),
        finding: Finding::Down(
            "tor is not running: there is no control socket at /run/tor/control".into(),
        ),
    };
    let (status, out) = report(&[watched("b", warn), down]);
    assert_eq!(status.code(), 2);
    assert!(
        out.starts_with("RNYX CRITICAL - 1 of 2 relays critical, d/x: tor is not running"),
        "{out}"
    );
}

#[test]
fn openmetrics_has_every_kind_a_relay_and_the_headline_figures() {
    let mut s = relay("relay0");
    s.consensus_mut().replace([rnyx_model::RelayEntry {
        fingerprint: "AB".repeat(20),
        nickname: "relay0".into(),
        or_address: None,
        ipv6_address: None,
        flags: "Fast Guard Running Stable Valid".into(),
    }]);
    s.health
        .settings
        .set(AlertKind::BandwidthLow, "off")
        .unwrap();
    s.facts.system.tor_fds = Some(900);
    let settings = s.health.settings.clone();
    health::evaluate(&mut s, &settings, 0);
    let text = openmetrics(&[
        watched("relay\"0", s),
        Checked {
            host: None,
            name: "down".into(),
            finding: Finding::Down("refused".into()),
        },
    ]);
    assert!(text.ends_with("# EOF\n"));
    assert!(
        text.contains("rnyx_up{relay=\"relay\\\"0\"} 1\nrnyx_up{relay=\"down\"} 0\n"),
        "{text}"
    );
    assert!(text.contains("rnyx_alert{relay=\"relay\\\"0\",kind=\"file_descriptors\"} 1"));
    assert!(text.contains("rnyx_alert{relay=\"relay\\\"0\",kind=\"not_in_consensus\"} 0"));
    assert!(
        !text.contains("bandwidth_low"),
        "a kind switched off is left out"
    );
    assert_eq!(text.matches("rnyx_alert{").count(), RULES_LEN - 1);
    assert!(text.contains("rnyx_flag{relay=\"relay\\\"0\",flag=\"Guard\"} 1"));
    assert!(text.contains("rnyx_flag{relay=\"relay\\\"0\",flag=\"Exit\"} 0"));
    assert!(text.contains("rnyx_in_consensus{relay=\"relay\\\"0\"} 1"));
    assert!(text.contains("rnyx_tor_max_fds{relay=\"relay\\\"0\"} 1000"));
    // Every sample's family is declared once, before it.
    let mut declared = Vec::new();
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("# TYPE ") {
            let name = rest.split(' ').next().unwrap();
            assert!(!declared.contains(&name.to_owned()));
            declared.push(name.to_owned());
        } else if !l.starts_with('#') {
            let name = l.split(['{', ' ']).next().unwrap();
            assert_eq!(declared.last().map(String::as_str), Some(name), "{l}");
        }
    }
}

const RULES_LEN: usize = rnyx_model::health::RULES.len();
