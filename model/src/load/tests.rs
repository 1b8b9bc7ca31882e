use super::*;

fn reading(v: &[(&str, &str, f64)]) -> Vec<Reading> {
    v.iter()
        .map(|(family, kind, value)| {
            (
                (*family).to_owned(),
                vec![("type".to_owned(), (*kind).to_owned())],
                *value,
                true,
            )
        })
        .collect()
}

#[test]
fn counters_become_rates_and_other_families_are_left_out() {
    let mut m = Metrics::default();
    let first = [
        ("tor_relay_dos_total", "circuit_rejected", 100.0),
        ("tor_relay_connections_total", "x", 5.0),
    ];
    m.read(reading(&first), 10_000);
    assert_eq!(m.series.len(), 1, "connections_total is not kept");
    assert_eq!(
        m.rate("tor_relay_dos_total", &[]),
        None,
        "one reading, no rate"
    );
    m.read(
        reading(&[("tor_relay_dos_total", "circuit_rejected", 150.0)]),
        15_000,
    );
    let (rate, total) = m
        .rate("tor_relay_dos_total", &[("type", "circuit_rejected")])
        .unwrap();
    assert!(
        (rate - 10.0).abs() < 1e-9 && (total - 150.0).abs() < 1e-9,
        "{rate} {total}"
    );
    assert_eq!(
        m.series[0].rates.iter().copied().collect::<Vec<_>>(),
        vec![10.0]
    );
    // tor restarted: the total fell, no rate, and the graph keeps its past.
    m.read(
        reading(&[("tor_relay_dos_total", "circuit_rejected", 3.0)]),
        20_000,
    );
    assert_eq!(m.series[0].rate, None);
    assert_eq!(m.series[0].rates.len(), 1);
    m.failed("tor closed the connection\x1b[2J");
    assert_eq!(m.error.as_deref(), Some("tor closed the connection[2J"));
    assert_eq!(
        m.value("tor_relay_dos_total", &[]),
        Some(3.0),
        "kept on failure"
    );
}

#[test]
fn rates_keep_at_most_their_window() {
    let mut m = Metrics::default();
    for i in 0..(RATES as u64 + 10) {
        m.read(
            reading(&[("tor_relay_dos_total", "conn_rejected", (i * i) as f64)]),
            i * 1000,
        );
    }
    assert_eq!(m.series[0].rates.len(), RATES);
    let last = f64::from(*m.series[0].rates.back().unwrap());
    assert!((last - (2 * (RATES + 9) - 1) as f64).abs() < 1e-6, "{last}");
}

#[test]
fn every_refusal_says_what_it_counts() {
    for (kind, _) in DOS_REFUSALS {
        assert!(dos_meaning(kind).is_some_and(|m| m.len() > 20), "{kind}");
    }
    assert!(dos_meaning("marked_address").is_some());
    assert_eq!(dos_meaning("a_newer_kind"), None);
}

fn mark(at: u64, weight: u64, flags: &str) -> Mark {
    Mark {
        at,
        dated: true,
        listed: true,
        weight: Some(weight),
        flags: flags.split(' ').map(str::to_owned).collect(),
        total: 10_000,
        rank: Some(3),
        relays: 9,
    }
}

#[test]
fn the_timeline_names_each_change_with_its_consensus() {
    let mut s = Standing::default();
    s.push(mark(3600, 1000, "Fast Guard Running Stable"), 3600);
    s.push(mark(7200, 1000, "Fast Guard Running Stable"), 7200);
    s.push(mark(10_800, 400, "Fast Running Stable HSDir"), 10_800);
    s.push(
        Mark {
            at: 14_400,
            dated: true,
            ..Mark::default()
        },
        14_400,
    );
    s.push(mark(18_000, 400, "Fast Running"), 18_000);
    let said: Vec<(u64, String)> = s.changes().iter().map(|c| (c.at, c.describe())).collect();
    assert_eq!(
        said,
        vec![
            (18_000, "listed again".to_owned()),
            (14_400, "not listed".to_owned()),
            (10_800, "Guard lost".to_owned()),
            (10_800, "HSDir gained".to_owned()),
            (10_800, "weight 1000 → 400".to_owned()),
        ]
    );
    assert_eq!(s.lost_at("Guard").map(|c| c.at), Some(10_800));
    assert_eq!(s.lost_at("Fast"), None);
    assert_eq!(s.lost_since("Guard", 0), Some(10_800));
    assert_eq!(s.lost_since("Guard", 7200), Some(10_800));
    assert_eq!(
        s.lost_since("Guard", 7201),
        None,
        "held before the window only"
    );
    assert_eq!(s.lost_since("Exit", 0), None, "never held");
    let (high, now, pct) = s.weight_fall(86_400).unwrap();
    assert_eq!((high, now), (1000, 400));
    assert!((pct - 60.0).abs() < 1e-9);
    assert!((s.latest().unwrap().share().unwrap() - 4.0).abs() < 1e-9);
}

#[test]
fn marks_are_dated_merged_and_bounded() {
    let mut s = Standing::default();
    // Seen at 5000, tor then says its consensus is of 3600.
    s.push(
        Mark {
            at: 5000,
            ..mark(0, 10, "Fast")
        },
        5000,
    );
    s.date_last(3600);
    assert_eq!((s.marks[0].at, s.marks[0].dated), (3600, true));
    // rnyx restarted on the same consensus: still one mark.
    s.push(
        Mark {
            at: 9000,
            dated: false,
            ..mark(0, 10, "Fast")
        },
        9000,
    );
    s.date_last(3600);
    assert_eq!(s.marks.len(), 1);
    let day = 86_400;
    for d in 1..=40 {
        s.push(mark(3600 + d * day, 10, "Fast"), 3600 + d * day);
    }
    assert_eq!(s.marks.len() as u64, STANDING_DAYS + 1);
    assert_eq!(s.marks[0].at, 3600 + 9 * day);
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<Standing>(&json).unwrap(), s);
}
