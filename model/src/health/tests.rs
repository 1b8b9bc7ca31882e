use super::*;
use crate::{Accounting, BandwidthSample, ControllerState, VersionStatus};

fn args(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn relay() -> ControllerState {
    let mut s = ControllerState::default();
    s.session.connection.connected = true;
    s.facts.relay.fingerprint = Some("AA".repeat(20));
    s
}

fn kinds(s: &ControllerState) -> Vec<(AlertKind, Severity)> {
    s.health
        .active
        .iter()
        .map(|a| (a.kind, a.severity))
        .collect()
}

#[test]
fn every_kind_has_one_rule_and_a_distinct_name() {
    for (i, r) in RULES.iter().enumerate() {
        assert_eq!(rule_of(r.kind).name, r.name);
        assert_eq!(kind_named(r.name), Some(r.kind));
        assert!(RULES[i + 1..]
            .iter()
            .all(|o| o.name != r.name && o.kind != r.kind));
        assert!(r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    }
    assert_eq!(RULES.len(), 32);
}

#[test]
fn an_onion_services_missing_descriptor_and_introduction_points_alert_after_their_time() {
    use crate::onion::{Configured, Origin};
    let own = "vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd";
    let mut s = relay();
    s.facts.relay.start_time = Some(1_000);
    let dir = Configured {
        dir: Some("/var/lib/tor/web".into()),
        ..Configured::default()
    };
    s.onions.configure(vec![(Origin::Torrc, dir)], 1_000);
    let mut settings = AlertSettings::default();
    settings.thresholds.onion_descriptor_after = 60;
    settings.thresholds.intro_points_after = 30;
    s.onions.count(&crate::CircuitTable::new(1), 1_000);
    evaluate(&mut s, &settings, 1_029);
    assert_eq!(kinds(&s), [], "neither has lasted long enough");
    evaluate(&mut s, &settings, 1_030);
    assert_eq!(kinds(&s), [(AlertKind::IntroPoints, Severity::Warning)]);
    assert_eq!(
        s.health.active[0].detail,
        "/var/lib/tor/web: 0 of 6 established"
    );
    evaluate(&mut s, &settings, 1_061);
    assert_eq!(
        kinds(&s),
        [
            (AlertKind::OnionDescriptor, Severity::Critical),
            (AlertKind::IntroPoints, Severity::Warning)
        ]
    );
    assert_eq!(
        s.health.active[0].detail,
        "/var/lib/tor/web: never uploaded"
    );
    let hsdir = crate::Hop::named(&"D".repeat(40), "dir");
    s.onions
        .on_descriptor("UPLOAD", Some(own), Some(&hsdir), None, 1_070);
    s.onions
        .on_descriptor("UPLOADED", Some(own), Some(&hsdir), None, 1_071);
    evaluate(&mut s, &settings, 1_072);
    assert!(!kinds(&s).contains(&(AlertKind::OnionDescriptor, Severity::Critical)));
    s.onions.on_descriptor(
        "FAILED",
        Some(own),
        Some(&hsdir),
        Some("UPLOAD_REJECTED"),
        1_100,
    );
    evaluate(&mut s, &settings, 1_161);
    assert_eq!(s.health.active[0].kind, AlertKind::OnionDescriptor);
    assert_eq!(s.health.active[0].since, 1_100);
    assert_eq!(
        s.health.active[0].detail,
        "vww6ybal….onion: no HSDir holds it (dir: UPLOAD_REJECTED)"
    );
    // Another HSDir holds it: a warning, naming the one that does not.
    let other = crate::Hop::named(&"E".repeat(40), "other");
    s.onions
        .on_descriptor("UPLOAD", Some(own), Some(&other), None, 1_162);
    s.onions
        .on_descriptor("UPLOADED", Some(own), Some(&other), None, 1_163);
    evaluate(&mut s, &settings, 1_164);
    assert_eq!(s.health.active[0].kind, AlertKind::OnionDescriptor);
    assert_eq!(s.health.active[0].severity, Severity::Warning);
    assert_eq!(
        s.health.active[0].detail,
        "vww6ybal….onion: 1 of 2 HSDirs hold no copy (dir: UPLOAD_REJECTED)"
    );
    settings.set(AlertKind::OnionDescriptor, "off").unwrap();
    evaluate(&mut s, &settings, 1_165);
    assert_eq!(kinds(&s), [(AlertKind::IntroPoints, Severity::Warning)]);
}

#[test]
fn status_events_raise_and_clear_by_their_arguments() {
    let or = args(&[("ORADDRESS", "203.0.113.5:9001")]);
    let dir = args(&[("DIRADDRESS", "203.0.113.5:9030")]);
    let e: Vec<Effect> = status_effects("STATUS_SERVER", "REACHABILITY_FAILED", &or).collect();
    assert_eq!(e, [Effect::Raise(AlertKind::OrPortUnreachable)]);
    let e: Vec<Effect> = status_effects("STATUS_SERVER", "REACHABILITY_SUCCEEDED", &dir).collect();
    assert_eq!(e, [Effect::Clear(AlertKind::DirPortUnreachable)]);
    let down = args(&[("NS", "192.0.2.1"), ("STATUS", "DOWN"), ("ERR", "timeout")]);
    assert_eq!(
        status_effects("STATUS_SERVER", "NAMESERVER_STATUS", &down).count(),
        0
    );
    let up = args(&[("STATUS", "up")]);
    let e: Vec<Effect> = status_effects("STATUS_SERVER", "NAMESERVER_STATUS", &up).collect();
    assert_eq!(e, [Effect::Clear(AlertKind::Dns)]);
    // The same action of another event does nothing.
    assert_eq!(
        status_effects("STATUS_CLIENT", "REACHABILITY_FAILED", &or).count(),
        0
    );
}

#[test]
fn a_raised_kind_keeps_its_start_and_tors_words_until_cleared() {
    let mut s = relay();
    let set = AlertSettings::default();
    let or = args(&[("ORADDRESS", "203.0.113.5:9001")]);
    s.health
        .on_status("STATUS_SERVER", "REACHABILITY_FAILED", &or, 100);
    let changes = evaluate(&mut s, &set, 100);
    assert!(matches!(&changes[..], [Change::Raised(a)] if a.kind == AlertKind::OrPortUnreachable));
    s.health
        .on_status("STATUS_SERVER", "REACHABILITY_FAILED", &or, 160);
    assert!(evaluate(&mut s, &set, 170).is_empty());
    let a = &s.health.active[0];
    assert_eq!((a.since, a.severity), (100, Severity::Critical));
    assert_eq!(
        a.words.as_deref(),
        Some("REACHABILITY_FAILED ORADDRESS=203.0.113.5:9001")
    );
    s.health
        .on_status("STATUS_SERVER", "REACHABILITY_SUCCEEDED", &or, 200);
    let changes = evaluate(&mut s, &set, 200);
    assert!(matches!(&changes[..], [Change::Cleared(a)] if a.kind == AlertKind::OrPortUnreachable));
    assert!(s.health.active.is_empty());
}

#[test]
fn a_kind_tor_never_clears_lasts_its_time_after_the_last_event() {
    let mut s = relay();
    let set = AlertSettings::default();
    s.health.on_status(
        "STATUS_GENERAL",
        "CLOCK_JUMPED",
        &args(&[("TIME", "120")]),
        1000,
    );
    evaluate(&mut s, &set, 1000);
    assert_eq!(kinds(&s), [(AlertKind::ClockJump, Severity::Warning)]);
    evaluate(&mut s, &set, 1600);
    assert_eq!(kinds(&s).len(), 1);
    let changes = evaluate(&mut s, &set, 1601);
    assert_eq!(changes.len(), 1);
    assert!(s.health.active.is_empty());
}

#[test]
fn flags_lost_since_the_best_consensus_and_the_relay_dropped() {
    let mut s = relay();
    let fp = s.facts.relay.fingerprint.clone().unwrap();
    let set = AlertSettings::default();
    let flags = |f: &str| f.split(' ').map(str::to_owned).collect::<Vec<_>>();
    s.health
        .on_consensus(&fp, Some(&flags("Fast Guard Running Stable Valid")), 10);
    evaluate(&mut s, &set, 10);
    assert!(s.health.active.is_empty());
    s.health
        .on_consensus(&fp, Some(&flags("Fast Running Valid")), 70);
    s.facts.relay.flags = flags("Fast Running Valid");
    evaluate(&mut s, &set, 70);
    let a = &s.health.active[0];
    assert_eq!(
        (a.kind, a.severity, a.since),
        (AlertKind::FlagLost, Severity::Warning, 70)
    );
    assert_eq!(a.detail, "lost Stable Guard (has Fast Running Valid)");
    // Dropped from the consensus: that alert instead, critical.
    s.health.on_consensus(&fp, None, 130);
    s.consensus_mut().replace([]);
    evaluate(&mut s, &set, 130);
    assert_eq!(kinds(&s), [(AlertKind::NotInConsensus, Severity::Critical)]);
    // Back with every flag: nothing lost.
    s.health
        .on_consensus(&fp, Some(&flags("Running Valid Fast Stable Guard")), 190);
    evaluate(&mut s, &set, 190);
    assert!(s.health.active.is_empty(), "{:?}", s.health.active);
    // Another fingerprint starts afresh.
    s.health.on_consensus("BB", Some(&flags("Running")), 250);
    assert_eq!(s.health.flags_had.1, ["Running"]);
}

#[test]
fn thresholds_and_the_operators_severities() {
    let mut s = relay();
    s.facts.system.tor_fds = Some(850);
    s.facts.system.tor_fd_limit = Some(1000);
    let mut set = AlertSettings::default();
    evaluate(&mut s, &set, 5);
    assert_eq!(kinds(&s), [(AlertKind::FileDescriptors, Severity::Warning)]);
    assert_eq!(s.health.active[0].detail, "850 of 1000 open (85%)");
    s.facts.system.tor_fds = Some(990);
    let changes = evaluate(&mut s, &set, 6);
    assert_eq!(
        kinds(&s),
        [(AlertKind::FileDescriptors, Severity::Critical)]
    );
    assert_eq!(changes.len(), 1, "worse is said again");
    assert_eq!(s.health.active[0].since, 5);
    set.set(AlertKind::FileDescriptors, "warning").unwrap();
    evaluate(&mut s, &set, 7);
    assert_eq!(kinds(&s), [(AlertKind::FileDescriptors, Severity::Warning)]);
    set.set(AlertKind::FileDescriptors, "off").unwrap();
    evaluate(&mut s, &set, 8);
    assert!(s.health.active.is_empty());
    assert!(set.set(AlertKind::Dns, "loud").is_err());
}

#[test]
fn bootstrap_stuck_after_its_threshold_at_one_percentage() {
    let mut s = relay();
    let set = AlertSettings::default();
    let phase = |p: &str| {
        args(&[
            ("PROGRESS", p),
            ("TAG", "conn"),
            ("SUMMARY", "Connecting to a relay"),
            ("WARNING", "Network is unreachable"),
        ])
    };
    s.health
        .on_status("STATUS_CLIENT", "BOOTSTRAP", &phase("10"), 0);
    evaluate(&mut s, &set, 299);
    assert!(s.health.active.is_empty());
    s.health
        .on_status("STATUS_CLIENT", "BOOTSTRAP", &phase("10"), 200);
    evaluate(&mut s, &set, 300);
    let a = &s.health.active[0];
    assert_eq!((a.kind, a.since), (AlertKind::BootstrapStuck, 0));
    assert_eq!(
        a.words.as_deref(),
        Some("10% Connecting to a relay: Network is unreachable")
    );
    s.health
        .on_status("STATUS_CLIENT", "BOOTSTRAP", &phase("100"), 301);
    evaluate(&mut s, &set, 900);
    assert!(s.health.active.is_empty());
}

#[test]
fn tor_down_hides_the_rest_and_version_accounting_bandwidth_certificate() {
    let mut s = relay();
    let set = AlertSettings::default();
    s.facts.relay.version = Some("0.4.7.1".into());
    s.facts.relay.version_status = VersionStatus::Obsolete;
    s.facts.relay.accounting = Some(Accounting {
        status: "awake".into(),
        read: 95 << 20,
        written: 10 << 20,
        read_left: 5 << 20,
        written_left: 90 << 20,
        interval_end: "2026-12-31 00:00:00".into(),
    });
    s.facts.relay.bandwidth_rate = Some(10 << 20);
    s.facts.relay.bandwidth_burst = Some(20 << 20);
    s.facts.relay.bandwidth_observed = Some(4 << 20);
    for t in 0..600 {
        s.traffic.bandwidth.push(BandwidthSample {
            time: t,
            read: 1024,
            written: 0,
        });
    }
    s.health.cert_expires = Some(86_400 * 10);
    evaluate(&mut s, &set, 0);
    let got = kinds(&s);
    assert_eq!(
        got,
        [
            (AlertKind::Version, Severity::Critical),
            (AlertKind::Accounting, Severity::Warning),
            (AlertKind::BandwidthLow, Severity::Warning),
            (AlertKind::CertExpiry, Severity::Warning),
        ]
    );
    assert_eq!(s.health.active[0].detail, "tor 0.4.7.1 is obsolete");
    assert_eq!(s.health.active[3].detail, "10.0 days left");
    s.session.connection.connected = false;
    s.session.connection.since = 40;
    s.session.connection.last_error = Some("connection refused".into());
    evaluate(&mut s, &set, 50);
    assert_eq!(kinds(&s), [(AlertKind::TorDown, Severity::Critical)]);
    assert_eq!(s.health.worst(), Some(Severity::Critical));
    assert_eq!(s.health.active[0].since, 40);
}

#[test]
fn tors_words_lose_their_controls_and_length() {
    let w = words_of(
        "BAD_SERVER_DESCRIPTOR",
        &args(&[("REASON", &format!("\x1b]0;x\x07{}", "y".repeat(400)))]),
    );
    assert!(!w.chars().any(char::is_control));
    assert_eq!(w.chars().count(), 300);
    assert!(w.ends_with('…'));
}

#[test]
fn a_silent_tor_is_critical_since_it_was_last_heard() {
    let mut s = relay();
    s.session.connection.silent_since = Some(100);
    evaluate(&mut s, &AlertSettings::default(), 112);
    let a = &s.health.active[0];
    assert_eq!(
        (a.kind, a.severity, a.since),
        (AlertKind::NotAnswering, Severity::Critical, 100)
    );
    assert_eq!(a.detail, "nothing heard for 12 s");
    s.session.connection.silent_since = None;
    let changes = evaluate(&mut s, &AlertSettings::default(), 113);
    assert!(matches!(&changes[..], [Change::Cleared(a)] if a.kind == AlertKind::NotAnswering));
}

#[test]
fn network_down_is_an_alert_only_after_its_time() {
    let mut s = relay();
    let set = AlertSettings::default();
    s.health
        .on_status("NETWORK_LIVENESS", "", &args(&[("STATUS", "DOWN")]), 1000);
    evaluate(&mut s, &set, 1059);
    assert!(s.health.active.is_empty(), "a tor just started thinks so");
    evaluate(&mut s, &set, 1060);
    assert_eq!(kinds(&s), [(AlertKind::NetworkDown, Severity::Warning)]);
    assert_eq!(s.health.active[0].since, 1000);
}

fn reading(family: &str, labels: &[(&str, &str)], v: f64) -> crate::load::Reading {
    (family.into(), args(labels), v, true)
}

#[test]
fn metrics_port_alerts_fire_on_rates_and_end_when_they_stop() {
    let mut s = relay();
    let settings = AlertSettings::default();
    let read = |s: &mut ControllerState, at: u64, refused: f64, dropped: f64, freed: f64| {
        s.load.metrics.read(
            [
                reading(
                    "tor_relay_dos_total",
                    &[("type", "circuit_rejected")],
                    refused,
                ),
                reading("tor_relay_dos_total", &[("type", "conn_rejected")], 0.0),
                reading(
                    "tor_relay_load_onionskins_total",
                    &[("type", "ntor_v3"), ("action", "dropped")],
                    dropped,
                ),
                reading(
                    "tor_relay_load_oom_bytes_total",
                    &[("subsys", "cell")],
                    freed,
                ),
            ],
            at * 1000,
        );
    };
    read(&mut s, 100, 1000.0, 0.0, 0.0);
    evaluate(&mut s, &settings, 100);
    assert!(
        kinds(&s).is_empty(),
        "one reading has no rate: {:?}",
        kinds(&s)
    );
    // 5 refusals a second is over the default 1; one onionskin dropped.
    read(&mut s, 105, 1025.0, 1.0, 4096.0);
    evaluate(&mut s, &settings, 105);
    let mut found = kinds(&s);
    found.sort();
    assert_eq!(
        found,
        [
            (AlertKind::DosRefusing, Severity::Warning),
            (AlertKind::OnionskinsDropped, Severity::Warning),
            (AlertKind::OomFreed, Severity::Warning),
        ]
    );
    let dos = s
        .health
        .active
        .iter()
        .find(|a| a.kind == AlertKind::DosRefusing)
        .unwrap();
    assert!(
        dos.detail.contains("circuit_rejected 5.0/s (1025 in all)"),
        "{}",
        dos.detail
    );
    // 4 a second is under a threshold of 10; nothing else grew.
    let mut higher = settings.clone();
    higher.thresholds.dos_refused_rate = 10.0;
    read(&mut s, 110, 1045.0, 1.0, 4096.0);
    evaluate(&mut s, &higher, 110);
    assert!(kinds(&s).is_empty(), "{:?}", kinds(&s));
}

#[test]
fn a_weight_fallen_past_the_threshold_within_a_day_is_an_alert() {
    let mut s = relay();
    let mark = |at: u64, w: u64| crate::load::Mark {
        at,
        dated: true,
        listed: true,
        weight: Some(w),
        flags: vec!["Fast".into(), "Running".into(), "Valid".into()],
        total: 100_000,
        rank: Some(10),
        relays: 100,
    };
    let day = 86_400;
    // 9000 more than a day before the last; 6000 → 4000 within it (33 %).
    s.load.standing.push(mark(10 * day - 3600, 9000), 10 * day);
    s.load.standing.push(mark(11 * day - 3600, 6000), 11 * day);
    s.load.standing.push(mark(11 * day, 4000), 11 * day);
    let fell = |s: &mut ControllerState, settings: &AlertSettings| {
        evaluate(s, settings, 11 * day);
        s.health
            .active
            .iter()
            .find(|a| a.kind == AlertKind::WeightFell)
            .map(|a| a.detail.clone())
    };
    assert_eq!(fell(&mut s, &AlertSettings::default()), None);
    let mut settings = AlertSettings::default();
    settings.thresholds.weight_drop = 30.0;
    let detail = fell(&mut s, &settings).expect("33 % is over 30 %");
    assert!(
        detail.starts_with("6000 → 4000 (−33 %) within 24 h, in the consensus of 00:00 UTC"),
        "{detail}"
    );
}
