use super::*;
use crate::page::testing::draw;
use rnyx_model::load::{Mark, Reading};

const NOW: u64 = 1_795_255_200;

fn relay() -> ControllerState {
    let mut s = ControllerState::default();
    s.session.connection.connected = true;
    s.facts.relay.fingerprint = Some("A".repeat(40));
    s
}

fn mark(at: u64, weight: u64, flags: &str) -> Mark {
    Mark {
        at,
        dated: true,
        listed: true,
        weight: Some(weight),
        flags: flags.split(' ').map(str::to_owned).collect(),
        total: 40_000,
        rank: Some(7),
        relays: 120,
    }
}

fn dos(kind: &str, v: f64) -> Reading {
    (
        "tor_relay_dos_total".into(),
        vec![("type".into(), kind.into())],
        v,
        true,
    )
}

#[test]
fn without_a_metrics_port_it_says_how_to_open_one() {
    let mut s = relay();
    s.load.metrics.port = MetricsPort::Off;
    let screen = draw(&LoadPage::default(), &s, NOW, (110, 20)).join("\n");
    assert!(screen.contains("no consensus seen yet"), "{screen}");
    assert!(screen.contains("tor has no MetricsPort"), "{screen}");
    assert!(screen.contains("MetricsPort 127.0.0.1:9035"), "{screen}");
    assert!(
        screen.contains("MetricsPortPolicy accept 127.0.0.1"),
        "{screen}"
    );
}

#[test]
fn refusals_show_total_rate_and_what_they_count() {
    let mut s = relay();
    s.load.metrics.port = MetricsPort::At("127.0.0.1:9035".into());
    let m = &mut s.load.metrics;
    m.read([dos("circuit_rejected", 1000.0)], (NOW - 5) * 1000);
    m.read(
        [
            dos("circuit_rejected", 1331.0),
            dos("conn_rejected", 0.0),
            dos("new\u{1b}[2Jkind", 4.0),
        ],
        NOW * 1000,
    );
    let screen = draw(&LoadPage::default(), &s, NOW, (140, 30)).join("\n");
    assert!(
        screen.contains("tor's MetricsPort 127.0.0.1:9035, read 0s ago"),
        "{screen}"
    );
    let line = screen
        .lines()
        .find(|l| l.contains("circuit_rejected"))
        .unwrap();
    assert!(line.contains("1,331") && line.contains("66/s"), "{line}");
    assert!(
        line.contains("faster than DoSCircuitCreationRate"),
        "{line}"
    );
    assert!(
        screen.contains("the descriptor has no overload-general line"),
        "{screen}"
    );
    // tor's words reach the screen without their control characters.
    assert!(!screen.contains('\u{1b}'), "{screen}");
    assert!(
        screen.contains("new[2Jkind: (a kind this rnyx does not know)"),
        "{screen}"
    );
    // A reading that failed says why, the last numbers kept.
    s.load
        .metrics
        .failed("cannot connect to tor's MetricsPort at 127.0.0.1:9035: refused");
    let screen = draw(&LoadPage::default(), &s, NOW, (140, 30)).join("\n");
    assert!(
        screen.contains("cannot connect to tor's MetricsPort"),
        "{screen}"
    );
    assert!(screen.contains("1,331"), "{screen}");
}

#[test]
fn standing_shows_weight_share_rank_and_the_changes() {
    let mut s = relay();
    let h = 3600;
    for (i, (w, flags)) in [
        (1000, "Fast Guard Running"),
        (1000, "Fast Guard Running"),
        (600, "Fast Running"),
    ]
    .into_iter()
    .enumerate()
    {
        let at = NOW - 3 * h + i as u64 * h;
        s.load.standing.push(mark(at, w, flags), at);
    }
    let screen = draw(&LoadPage::default(), &s, NOW, (120, 20)).join("\n");
    assert!(
        screen.contains("weight 600, 1.500 % of the network's 40,000, rank 7 of 120"),
        "{screen}"
    );
    let lost = screen.lines().find(|l| l.contains("Guard lost")).unwrap();
    assert!(
        lost.contains("1h ago") && lost.contains("(consensus of"),
        "{lost}"
    );
    assert!(screen.contains("weight 1000 → 600"), "{screen}");
    assert!(screen.contains("3 consensuses since"), "{screen}");
}

#[test]
fn the_timeline_key_shows_every_change() {
    let mut s = relay();
    for i in 0..20u64 {
        let flags = if i % 2 == 0 {
            "Fast Running"
        } else {
            "Fast Running Stable"
        };
        s.load
            .standing
            .push(mark(NOW - 100_000 + i * 3600, 1000, flags), NOW);
    }
    let mut page = LoadPage::default();
    let count = |p: &LoadPage| {
        draw(p, &s, NOW, (120, 60))
            .iter()
            .filter(|l| l.contains("Stable "))
            .count()
    };
    assert_eq!(count(&page), CHANGES);
    page.timeline = true;
    assert_eq!(count(&page), 19);
}
