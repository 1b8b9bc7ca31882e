use super::*;
use rnyx_model::onion::Configured;
use rnyx_model::{Circuit, CircuitStatus, CompactString, Hop};

const OWN: &str = "vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd";

fn text(rows: &[Row]) -> String {
    rows.iter()
        .map(|r| r.iter().map(|(t, _)| t.as_str()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn hosting() -> ControllerState {
    let mut s = ControllerState::default();
    s.onions.configure(
        vec![(
            Origin::Torrc,
            Configured {
                dir: Some("/var/lib/tor/web".into()),
                address: None,
                ports: vec!["80 127.0.0.1:8080".into(), "22".into()],
                intro_wanted: None,
            },
        )],
        1_000,
    );
    let dir = |c: char, n: &str| Hop::named(&c.to_string().repeat(40), n);
    s.onions
        .on_descriptor("UPLOAD", Some(OWN), Some(&dir('A', "hsdir1")), None, 1_010);
    s.onions.on_descriptor(
        "UPLOADED",
        Some(OWN),
        Some(&dir('A', "hsdir1")),
        None,
        1_011,
    );
    s.onions.on_descriptor(
        "FAILED",
        Some(OWN),
        Some(&dir('B', "hsdir2")),
        Some("UPLOAD_REJECTED"),
        1_012,
    );
    for (id, purpose, state) in [
        (7, "HS_SERVICE_INTRO", "HSSI_ESTABLISHED"),
        (8, "HS_SERVICE_REND", "HSSR_JOINED"),
    ] {
        s.net.circuits.apply(Circuit {
            id,
            status: CircuitStatus::Built,
            path: vec![dir('C', "guard1"), dir('D', "middle1")],
            build_flags: CompactString::default(),
            purpose: Some(purpose.into()),
            time_created: None,
            hs_state: Some(state.into()),
            rend_query: Some(OWN.into()),
        });
    }
    s.onions.count(&s.net.circuits.clone(), 1_020);
    s
}

#[test]
fn a_service_shows_its_ports_descriptor_intro_points_and_rendezvous() {
    let s = hosting();
    let page = ServicesPage {
        show_addresses: true,
        ..ServicesPage::default()
    };
    let shown = text(&page.rows(&s, 1_080, Theme { color: false }));
    for want in [
        "Onion services (1):",
        &format!("{OWN}.onion  /var/lib/tor/web"),
        "80 → 127.0.0.1:8080, 22 → 127.0.0.1:22",
        "uploaded 1m ago, accepted by 1 of 2 HSDirs; next by 02:16 UTC",
        "last failure 1m ago: UPLOAD_REJECTED (1 failed, 1 accepted since rnyx started)",
        "1 of 6 established (3 for each of tor's 2 descriptors) (short for 1m)",
        "1 now ",
        "does not say whether a service's local server answers",
    ] {
        assert!(shown.contains(want), "{want:?} not in\n{shown}");
    }
    assert!(!shown.contains("HSDir "), "details are off:\n{shown}");
    let details = ServicesPage {
        details: true,
        ..page
    };
    let shown = text(&details.rows(&s, 1_080, Theme { color: false }));
    for want in [
        "hsdir2               failed (UPLOAD_REJECTED) 1m ago",
        "hsdir1               accepted",
        "7 HS_SERVICE_INTRO HSSI_ESTABLISHED BUILT  guard1, middle1",
        "8 HS_SERVICE_REND HSSR_JOINED BUILT",
    ] {
        assert!(shown.contains(want), "{want:?} not in\n{shown}");
    }
}

#[test]
fn addresses_hide_when_nyxrc_says_and_a_tor_without_services_says_how_to_add_one() {
    let s = hosting();
    let page = ServicesPage::default();
    let shown = text(&page.rows(&s, 1_080, Theme { color: false }));
    assert!(shown.contains(HIDDEN), "{shown}");
    assert!(!shown.contains(OWN), "{shown}");
    let none = text(&page.rows(&ControllerState::default(), 0, Theme { color: false }));
    assert!(none.contains("tor hosts none (HiddenServiceDir"), "{none}");
}

#[test]
fn hsdirs_that_refused_or_never_answered_are_named() {
    let mut s = hosting();
    let silent = Hop::named(&"E".repeat(40), "hsdir3");
    s.onions
        .on_descriptor("UPLOAD", Some(OWN), Some(&silent), None, 1_012);
    let page = ServicesPage::default();
    let at = |now| text(&page.rows(&s, now, Theme { color: false }));
    let shown = at(1_080);
    assert!(
        shown.contains("not at hsdir2 (UPLOAD_REJECTED)\n"),
        "{shown}"
    );
    // Past tor's stall time (5 min) an unanswered upload is lost.
    let shown = at(1_400);
    assert!(
        shown.contains("not at hsdir2 (UPLOAD_REJECTED), hsdir3 (no answer to the upload 6m ago)"),
        "{shown}"
    );
    let details = ServicesPage {
        details: true,
        ..page
    };
    let shown = text(&details.rows(&s, 1_400, Theme { color: false }));
    assert!(
        shown.contains("hsdir3               no answer 6m ago"),
        "{shown}"
    );
}

#[test]
fn the_metricsports_series_are_summed_with_the_reasons_seen() {
    let mut s = hosting();
    let series = |family: &str, labels: &[(&str, &str)], value: f64| {
        let mut all = vec![("onion".to_owned(), OWN.to_owned())];
        all.extend(
            labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        rnyx_model::load::MetricSeries {
            family: family.into(),
            labels: all,
            value,
            counter: true,
            rate: None,
            rates: std::collections::VecDeque::new(),
        }
    };
    s.load.metrics.series = vec![
        series("tor_hs_intro_num_total", &[], 12.0),
        series(
            "tor_hs_intro_rejected_intro_req_count",
            &[("reason", "bad_auth_key")],
            3.0,
        ),
        series(
            "tor_hs_intro_rejected_intro_req_count",
            &[("reason", "replay")],
            0.0,
        ),
        series("tor_hs_rdv_num_total", &[], 9.0),
        series(
            "tor_hs_rdv_error_count",
            &[("reason", "\u{1b}[31mbad")],
            1.0,
        ),
        series("tor_hs_pow_suggested_effort", &[], 40.0),
        series("tor_hs_app_read_bytes_total", &[("port", "80")], 2048.0),
        series("tor_hs_app_write_bytes_total", &[("port", "80")], 512.0),
        // Another service's.
        rnyx_model::load::MetricSeries {
            labels: vec![("onion".into(), "other".into())],
            ..series("tor_hs_intro_num_total", &[], 99.0)
        },
    ];
    let page = ServicesPage {
        show_addresses: true,
        ..ServicesPage::default()
    };
    let shown = text(&page.rows(&s, 1_080, Theme { color: false }));
    let want = "INTRODUCE2 12 received, 3 refused (3 bad_auth_key) · rendezvous 9, 1 failed \
                (1 [31mbad) · PoW effort 40, queue 0 · its server sent 2.0 KB, got 512 B";
    assert!(shown.contains(want), "{shown}");
    assert!(
        !shown.contains('\u{1b}') && !shown.contains("99"),
        "{shown}"
    );
}
