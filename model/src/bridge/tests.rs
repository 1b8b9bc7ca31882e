use super::*;

fn obfs4_bridge() -> Bridge {
    let mut b = Bridge::default();
    b.configure(BridgeConfig {
        bridge: true,
        distribution: Some("none".into()),
        plugins: vec!["obfs4,meek exec /usr/bin/obfs4proxy".into()],
        listen: vec!["obfs4 0.0.0.0:443".into()],
    });
    b
}

#[test]
fn transports_come_from_the_plugin_lines_and_keep_what_was_seen() {
    let mut b = obfs4_bridge();
    assert_eq!(b.events(), ["TRANSPORT_LAUNCHED", "PT_STATUS", "PT_LOG"]);
    assert!(Bridge::default().events().is_empty() && Bridge::default().is_empty());
    let names: Vec<&str> = b.transports.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["obfs4", "meek"]);
    assert_eq!(
        b.transports[0].program.as_deref(),
        Some("/usr/bin/obfs4proxy")
    );
    assert_eq!(b.transports[0].listen.as_deref(), Some("0.0.0.0:443"));
    assert_eq!(b.transports[1].listen, None);
    assert!(!b.transports[0].running());
    b.on_launched("obfs4", "0.0.0.0:443".into(), 10);
    assert!(b.transports[0].running());
    let again = BridgeConfig {
        bridge: true,
        plugins: vec!["obfs4 exec /usr/bin/lyrebird".into()],
        ..BridgeConfig::default()
    };
    b.configure(again);
    assert_eq!(b.transports.len(), 1);
    assert_eq!(b.transports[0].launched, Some(("0.0.0.0:443".into(), 10)));
    assert_eq!(
        b.transports[0].program.as_deref(),
        Some("/usr/bin/lyrebird")
    );
}

#[test]
fn a_transport_that_ended_or_warned_says_so_until_launched_again() {
    let mut b = obfs4_bridge();
    b.on_launched("obfs4", "127.0.0.1:5300".into(), 10);
    b.on_tor_log("New control connection opened.", 11);
    assert!(b.transports[0].running());
    b.on_tor_log(
        "Pluggable Transport process terminated with status code 9\u{1b}[2J",
        20,
    );
    let t = &b.transports[0];
    assert!(!t.running());
    assert_eq!(
        t.exited,
        Some((
            20,
            "Pluggable Transport process terminated with status code 9[2J".into()
        ))
    );
    b.on_pt(
        "/usr/bin/obfs4proxy",
        None,
        PtSaid::Log("warning", "bind failed"),
        21,
    );
    b.on_pt("/usr/bin/other", None, PtSaid::Log("error", "not ours"), 22);
    b.on_pt(
        "/usr/bin/obfs4proxy",
        None,
        PtSaid::Log("notice", "fine"),
        23,
    );
    assert_eq!(
        b.transports[0].warning,
        Some((21, "warning: bind failed".into()))
    );
    let fields = [("CONNECT".to_owned(), "Success".to_owned())];
    b.on_pt(
        "/usr/bin/obfs4proxy",
        Some("meek"),
        PtSaid::Status(&fields),
        24,
    );
    assert!(b.transports[0].status.is_empty());
    assert_eq!(b.transports[1].status, fields);
    b.on_launched("obfs4", "127.0.0.1:5300".into(), 30);
    assert!(b.transports[0].running());
}

#[test]
fn a_transports_process_is_found_among_tors_children_and_missed_when_gone() {
    let mut b = obfs4_bridge();
    b.on_processes(&[("/usr/bin/tor".into(), 5)], 10);
    assert!(!b.transports[0].running(), "not seen yet is not running");
    b.on_processes(&[("obfs4proxy".into(), 77)], 11);
    assert_eq!(b.transports[0].pid, Some(77));
    assert!(b.transports[0].running());
    b.on_processes(&[], 40);
    assert_eq!(
        b.transports[0].exited,
        Some((40, "process 77 is gone".into()))
    );
    assert!(!b.transports[0].running());
    b.on_processes(&[], 45);
    assert_eq!(b.transports[0].exited.as_ref().map(|e| e.0), Some(40));
    b.on_processes(&[("/usr/bin/obfs4proxy".into(), 90)], 70);
    let t = &b.transports[0];
    assert!(t.running(), "started again");
    assert_eq!(
        (t.restarted.clone(), t.restarts),
        (
            Some((70, "process 77 ended; tor started it again as 90".into())),
            1
        )
    );
    // Killed, and tor started it again between two reads: a new pid.
    b.on_processes(&[("/usr/bin/obfs4proxy".into(), 95)], 100);
    let t = &b.transports[0];
    assert_eq!(
        (t.restarted.clone(), t.restarts),
        (
            Some((100, "process 90 ended; tor started it again as 95".into())),
            2
        )
    );
    assert!(t.running());
}

#[test]
fn clients_are_counted_over_time_and_their_absence_dated() {
    let mut b = obfs4_bridge();
    let seen = |countries: &[(&str, u32)]| ClientsSeen {
        at: 0,
        since: Some("2026-12-06 10:00:00".into()),
        countries: countries.iter().map(|(c, n)| ((*c).into(), *n)).collect(),
        ip_versions: vec![],
    };
    b.on_clients(seen(&[]), 100);
    assert_eq!(b.clientless_since(), Some(100));
    b.on_clients(seen(&[("??", 8), ("de", 16)]), 200);
    assert_eq!(b.clients.as_ref().map(ClientsSeen::total), Some(24));
    assert_eq!(b.clientless_since(), None);
    b.on_clients(seen(&[("??", 8), ("de", 16)]), 300);
    b.on_clients(seen(&[]), 900);
    assert_eq!(b.clientless_since(), Some(300));
    assert_eq!(b.client_totals, [(100, 0), (200, 24), (900, 0)]);
}

#[test]
fn the_bridge_authoritys_answer_is_kept_as_tor_reports_it() {
    let mut b = obfs4_bridge();
    let args = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    b.on_tor_log(
        "Publishing server descriptor to directory authorities of type 'Bridge', but no authorities of that type listed!",
        5,
    );
    assert_eq!(b.authority, Some(AuthorityAnswer::NoneListed { at: 5 }));
    // The warning names no transport: none is marked ended.
    assert!(b.transports.iter().all(|t| t.exited.is_none()));
    let dirauth = args(&[("DIRAUTH", "192.0.2.9:443")]);
    b.on_server_status("ACCEPTED_SERVER_DESCRIPTOR", &dirauth, 10);
    assert_eq!(
        b.authority,
        Some(AuthorityAnswer::Accepted {
            at: 10,
            authority: "192.0.2.9:443".into()
        })
    );
    let bad = args(&[("DIRAUTH", "192.0.2.9:443"), ("REASON", "too old\u{7}")]);
    b.on_server_status("BAD_SERVER_DESCRIPTOR", &bad, 20);
    assert_eq!(
        b.authority,
        Some(AuthorityAnswer::Rejected {
            at: 20,
            authority: "192.0.2.9:443".into(),
            reason: "too old".into()
        })
    );
    b.on_server_status("GOOD_SERVER_DESCRIPTOR", &[], 30);
    assert!(matches!(
        b.authority,
        Some(AuthorityAnswer::Rejected { .. })
    ));
    // A public relay's uploads are not a bridge's.
    let mut relay = Bridge::default();
    relay.on_server_status("ACCEPTED_SERVER_DESCRIPTOR", &dirauth, 10);
    assert_eq!(relay.authority, None);
}
