use super::*;
use crate::{Circuit, CompactString, Hop, RelayEntry};

fn sock(local: &str, remote: &str) -> Socket {
    Socket {
        local: local.parse().unwrap(),
        remote: remote.parse().unwrap(),
    }
}

fn consensus() -> ConsensusIndex {
    let relay = |fp: &str, nick: &str, v4: &str, v6: Option<&str>| RelayEntry {
        fingerprint: fp.into(),
        nickname: nick.into(),
        or_address: v4.parse().ok(),
        ipv6_address: v6.and_then(|a| a.parse().ok()),
        flags: "Running".into(),
    };
    let mut c = ConsensusIndex::default();
    c.replace([
        relay(
            "AAAA",
            "alpha",
            "198.51.100.1:9001",
            Some("[2001:db8::1]:9001"),
        ),
        relay("BBBB", "beta", "198.51.100.2:443", None),
        relay("DDDD", "dirauth", "198.51.100.4:9001", None),
    ]);
    c
}

fn listeners() -> Listeners {
    Listeners {
        // An ORPort bound to one address, and a v6 one on all.
        or: vec!["203.0.113.5:9001".into(), "[::]:9001".into()],
        dir: vec![],
        socks: vec!["127.0.0.1:9050".into()],
        control: vec!["127.0.0.1:9051".into(), "unix:/run/tor/control".into()],
        // A bridge's Extended ORPort.
        extor: vec!["127.0.0.1:40001".into()],
    }
}

fn circuits() -> CircuitTable {
    let mut t = CircuitTable::new(10);
    let circ = |id, status: &str, path: &str| Circuit {
        id,
        status: CircuitStatus::parse(status),
        path: path
            .split(',')
            .map(|h| {
                let (fp, nick) = h.trim_start_matches('$').split_once('~').unwrap();
                Hop::named(fp, nick)
            })
            .collect(),
        build_flags: CompactString::default(),
        purpose: None,
        time_created: None,
        hs_state: None,
        rend_query: None,
    };
    t.apply(circ(1, "BUILT", "$DDDD~dirauth"));
    t.apply(circ(2, "EXTENDED", "$BBBB~beta"));
    t
}

#[test]
fn categories_follow_nyx_rules() {
    let (c, circ, hidden) = (consensus(), circuits(), ["127.0.0.1:8080".parse().unwrap()]);
    let l = listeners();
    let k = Classifier::new(&l, &c, &circ, &hidden, true);
    let cases = [
        // From a relay to our ORPort on its own address.
        (
            sock("203.0.113.5:9001", "198.51.100.2:40000"),
            Category::Inbound,
            Some("beta"),
        ),
        // From a client, over IPv6 to the wildcard listener.
        (
            sock("[2001:db8::5]:9001", "[2001:db8::99]:5555"),
            Category::Inbound,
            None,
        ),
        (
            sock("127.0.0.1:9050", "127.0.0.1:40001"),
            Category::Socks,
            None,
        ),
        (
            sock("127.0.0.1:9051", "127.0.0.1:40002"),
            Category::Control,
            None,
        ),
        (
            sock("127.0.0.1:40003", "127.0.0.1:8080"),
            Category::Hidden,
            None,
        ),
        // The end of a built one-hop circuit.
        (
            sock("203.0.113.5:40004", "198.51.100.4:9001"),
            Category::Directory,
            Some("dirauth"),
        ),
        (
            sock("203.0.113.5:40005", "198.51.100.1:9001"),
            Category::Outbound,
            Some("alpha"),
        ),
        (
            sock("[2001:db8::5]:40006", "[2001:db8::1]:9001"),
            Category::Outbound,
            Some("alpha"),
        ),
        // A relay's address on another port is not the relay: an exit.
        (
            sock("203.0.113.5:40007", "198.51.100.1:443"),
            Category::Exit,
            None,
        ),
        (
            sock("203.0.113.5:40008", "93.184.216.34:443"),
            Category::Exit,
            None,
        ),
    ];
    for (s, want, nick) in cases {
        let (got, peer) = k.classify(&s);
        let name = match peer {
            Peer::One(_, n) => Some(n),
            _ => None,
        };
        assert_eq!((got, name), (want, nick), "{s:?}");
    }
    // A non-exit calls the same connection OUTBOUND.
    let k = Classifier::new(&l, &c, &circ, &hidden, false);
    assert_eq!(
        k.classify(&sock("203.0.113.5:40008", "93.184.216.34:443"))
            .0,
        Category::Outbound
    );
}

#[test]
fn refresh_finds_earlier_connections_in_any_order() {
    let (index, circ, ls) = (consensus(), circuits(), listeners());
    let classifier = Classifier::new(&ls, &index, &circ, &[], false);
    let a = sock("203.0.113.5:40005", "198.51.100.1:9001");
    let b = sock("203.0.113.5:40006", "198.51.100.2:443");
    let c = sock("203.0.113.5:40007", "198.51.100.4:9001");
    let d = sock("203.0.113.5:40008", "198.51.100.2:443");
    let mut table = Connections::default();
    let scan = |list: &[Socket]| crate::SocketScan::exact(list);
    table.refresh(scan(&[a, b, c]), &classifier, 100);
    // b closed, d new, the rest in another order.
    table.refresh(scan(&[c, d, a]), &classifier, 110);
    let rows = |t: &Connections| -> Vec<(u16, u64, Option<String>)> {
        t.list
            .iter()
            .map(|x| (x.local.port(), x.first_seen, x.nickname.clone()))
            .collect()
    };
    let seen = rows(&table);
    assert_eq!(
        seen,
        [
            (40007, 100, Some("dirauth".to_owned())),
            (40008, 110, Some("beta".to_owned())),
            (40005, 100, Some("alpha".to_owned())),
        ]
    );
    // The same again keeps everything (the names included).
    table.refresh(scan(&[c, d, a]), &classifier, 120);
    assert_eq!(rows(&table), seen);
    assert!(table.list.iter().all(|x| x.fingerprint.is_some()));
}

#[test]
fn refresh_keeps_first_seen_and_marks_the_first_look() {
    let (index, circ, ls) = (consensus(), circuits(), listeners());
    let classifier = Classifier::new(&ls, &index, &circ, &[], false);
    let inbound = sock("203.0.113.5:9001", "198.51.100.2:40000");
    let outbound = sock("203.0.113.5:40005", "198.51.100.1:9001");
    let mut table = Connections::default();
    table.refresh(crate::SocketScan::exact(&[inbound]), &classifier, 100);
    table.refresh(
        crate::SocketScan::exact(&[inbound, outbound]),
        &classifier,
        105,
    );
    let ages: Vec<(u64, bool)> = table
        .list
        .iter()
        .map(|c| (c.first_seen, c.before_start))
        .collect();
    assert_eq!(ages, [(100, true), (105, false)]);
    assert_eq!(
        table.counts(),
        [(Category::Inbound, 1), (Category::Outbound, 1)]
    );
    assert!(
        !table.list[0].is_private(),
        "a relay's inbound connection is shown"
    );
}

#[test]
fn several_relays_at_one_address_leave_an_inbound_peer_unnamed() {
    let mut index = consensus();
    index.update([RelayEntry {
        fingerprint: "EEEE".into(),
        nickname: "epsilon".into(),
        or_address: "198.51.100.2:9002".parse().ok(),
        ipv6_address: None,
        flags: String::new(),
    }]);
    let (circ, ls) = (circuits(), listeners());
    let k = Classifier::new(&ls, &index, &circ, &[], false);
    let inbound = sock("203.0.113.5:9001", "198.51.100.2:40000");
    assert_eq!(k.classify(&inbound), (Category::Inbound, Peer::Several(2)));
    // A bridge's client through its transport: on the Extended ORPort.
    let through_pt = sock("127.0.0.1:40001", "127.0.0.1:53000");
    assert_eq!(k.classify(&through_pt), (Category::Inbound, Peer::None));
    // Outbound, the port tells them apart.
    let out = sock("203.0.113.5:40000", "198.51.100.2:9002");
    assert_eq!(
        k.classify(&out),
        (Category::Outbound, Peer::One("EEEE", "epsilon"))
    );
    let mut table = Connections::default();
    table.refresh(crate::SocketScan::exact(&[inbound]), &k, 1);
    assert_eq!(table.list[0].relays_at_address, 2);
    assert!(
        !table.list[0].is_private(),
        "a relay's address is not a client's"
    );
}

#[test]
fn the_connections_graph_counts_from_the_table() {
    let mut state = crate::ControllerState::default();
    state.facts.consensus = consensus().into();
    state.facts.relay.listeners = listeners();
    let k = Classifier::new(
        &state.facts.relay.listeners,
        &state.facts.consensus,
        &state.net.circuits,
        &[],
        false,
    );
    let sockets = [
        sock("203.0.113.5:9001", "198.51.100.2:40000"),
        sock("203.0.113.5:9001", "192.0.2.1:40001"),
        sock("203.0.113.5:40005", "198.51.100.1:9001"),
    ];
    let mut table = Connections::default();
    table.refresh(crate::SocketScan::exact(&sockets), &k, 1);
    state.net.connections = table;
    state.record_system(crate::SystemInfo::default());
    assert_eq!(
        (state.facts.system.inbound, state.facts.system.outbound),
        (Some(2), Some(1))
    );
    // A failed read leaves the graph without a sample rather than a wrong one.
    state.net.connections.error = Some("gone".into());
    state.record_system(crate::SystemInfo::default());
    assert_eq!(state.facts.system.inbound, None);
}

#[test]
fn countries_only_for_what_is_shown() {
    let (index, circ, ls) = (consensus(), circuits(), listeners());
    let k = Classifier::new(&ls, &index, &circ, &[], true);
    let relay_in = sock("203.0.113.5:9001", "198.51.100.2:40000");
    let client_in = sock("203.0.113.5:9001", "192.0.2.1:40001");
    let exit = sock("203.0.113.5:40005", "93.184.216.34:443");
    let mut table = Connections::default();
    table.refresh(
        crate::SocketScan::exact(&[relay_in, client_in, exit]),
        &k,
        1,
    );
    // Clients and exit destinations are never looked up.
    assert_eq!(
        table.unlocated(10),
        ["198.51.100.2".parse::<IpAddr>().unwrap()]
    );
    table
        .countries
        .insert("198.51.100.2".parse().unwrap(), "de".into());
    assert!(table.unlocated(10).is_empty());
    assert_eq!(table.country(&table.list[0]), Some("de"));
    assert_eq!(table.country(&table.list[1]), None);
    // `??` (tor does not know) is not shown; a refresh forgets addresses gone.
    table
        .countries
        .insert("198.51.100.2".parse().unwrap(), "??".into());
    assert_eq!(table.country(&table.list[0]), None);
    table.refresh(crate::SocketScan::exact(&[exit]), &k, 2);
    assert!(table.countries.is_empty());
}
