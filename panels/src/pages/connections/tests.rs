use super::*;
use crate::page::testing::Stack;
use crate::page::Outbox;
use rnyx_model::{
    Category, Circuit, CircuitStatus, Classifier, CompactString, ControllerState, Hop, Listeners,
    RelayEntry, Socket, SocketSource,
};

const NOW: u64 = 1_795_255_200;

fn state() -> ControllerState {
    let mut s = ControllerState::default();
    s.session.connection.connected = true;
    let relay = |fp: &str, nick: &str, v4: &str| RelayEntry {
        fingerprint: fp.repeat(40 / fp.len()),
        nickname: nick.into(),
        or_address: v4.parse().ok(),
        ipv6_address: None,
        flags: "Running".into(),
    };
    s.consensus_mut().replace([
        relay("A", "alpha", "198.51.100.1:9001"),
        relay("B", "beta", "198.51.100.2:443"),
        relay("C", "gamma\u{1b}[31m", "198.51.100.3:9001"),
    ]);
    s.facts.relay.listeners = Listeners {
        or: vec!["203.0.113.5:9001".into()],
        ..Listeners::default()
    };
    s.facts.relay.exits = true;
    s.net.circuits.apply(Circuit {
        id: 7,
        status: CircuitStatus::Built,
        path: vec![
            Hop::named(&"A".repeat(40), "alpha"),
            Hop::named(&"B".repeat(40), "beta"),
        ],
        build_flags: CompactString::default(),
        purpose: Some("GENERAL".into()),
        time_created: None,
        hs_state: None,
        rend_query: None,
    });
    s.net.streams.apply(rnyx_model::Stream {
        id: 31,
        status: "SUCCEEDED".into(),
        circuit_id: 7,
        target: "example.com:443".into(),
    });
    let sock = |l: &str, r: &str| Socket {
        local: l.parse().unwrap(),
        remote: r.parse().unwrap(),
    };
    let sockets = [
        sock("203.0.113.5:9001", "198.51.100.2:40000"),
        sock("203.0.113.5:9001", "192.0.2.77:50000"),
        sock("203.0.113.5:41000", "198.51.100.1:9001"),
        sock("203.0.113.5:41001", "93.184.216.34:443"),
    ];
    let classifier = Classifier::new(
        &s.facts.relay.listeners,
        &s.facts.consensus,
        &s.net.circuits,
        &[],
        true,
    );
    s.net.connections.refresh(
        rnyx_model::SocketScan::exact(&sockets),
        &classifier,
        NOW - 300,
    );
    s
}

fn draw(page: &ConnectionsPage, s: &ControllerState, w: u16, h: u16) -> Vec<String> {
    crate::page::testing::draw(page, s, NOW, (w, h))
}

/// A context on `s` whose effects go to `out`.
fn cx_of<'a>(s: &'a ControllerState, out: &'a mut Outbox) -> Cx<'a> {
    Cx {
        shown: s,
        live: s,
        now: NOW,
        out,
    }
}

fn act(page: &mut ConnectionsPage, s: &ControllerState, action: Action) {
    let mut out = Outbox::default();
    let mut cx = cx_of(s, &mut out);
    page.action(action.id(), &mut cx);
}

#[test]
fn categories_in_order_scrubbed_and_a_circuit_tree() {
    let s = state();
    let page = ConnectionsPage::default();
    let rows = draw(&page, &s, 160, 12);
    assert!(rows[0].ends_with("via sock_diag, tor's descriptors"));
    assert_eq!(
        rows[0].split("   ").next().unwrap(),
        "Connections (2 inbound, 1 outbound, 1 exit, 1 circuit):"
    );
    let find = |t: &str| {
        rows.iter()
            .position(|r| r.contains(t))
            .unwrap_or_else(|| panic!("{t}:\n{}", rows.join("\n")))
    };
    // A relay's inbound connection is shown with its name; a client's and
    // the exit's destination are scrubbed, and sort last in their category.
    assert!(
        rows[1].contains("198.51.100.2:40000") && rows[1].contains("beta"),
        "{}",
        rows[1]
    );
    assert!(rows[1].contains("+5m (INBOUND)"), "{}", rows[1]);
    // Countries from tor's GeoIP, for what is shown.
    let mut with_country = s.clone();
    with_country
        .net
        .connections
        .countries
        .insert("198.51.100.2".parse().unwrap(), "nl".into());
    let rows2 = draw(&page, &with_country, 160, 12);
    assert!(rows2[1].contains("198.51.100.2:40000 (nl)"), "{}", rows2[1]);
    assert!(
        rows[2].trim_start().starts_with("<scrubbed> ")
            && rows[2].contains("-->  203.0.113.5:9001"),
        "{}",
        rows[2]
    );
    assert!(!rows.join("\n").contains("192.0.2.77"));
    assert!(!rows.join("\n").contains("93.184.216.34"));
    assert!(rows[find("(EXIT)")].contains("203.0.113.5:41001"));
    // The ages line up whatever the category after them.
    let age_end = |t: &str| {
        let row = &rows[find(t)];
        row[..row.find(t).unwrap()].trim_end().chars().count()
    };
    assert_eq!(age_end("(INBOUND)"), age_end("(EXIT)"));
    assert_eq!(age_end("(INBOUND)"), age_end("(OUTBOUND)"));
    // Outbound, with fingerprint and nickname at this width.
    let out = &rows[find("(OUTBOUND)")];
    assert!(
        out.contains(&"A".repeat(40)) && out.contains("alpha"),
        "{out}"
    );
    // The circuit: header, then its hops.
    let c = find("Circuit 7, general");
    assert!(rows[c].ends_with("(CIRCUIT)"));
    assert!(
        rows[c + 1].starts_with("  │  198.51.100.1:9001") && rows[c + 1].ends_with("1 / Guard")
    );
    assert!(rows[c + 2].starts_with("  └─ 198.51.100.2:443") && rows[c + 2].ends_with("2 / Exit"));
    // Its stream, the target scrubbed.
    assert!(
        rows[c + 3].contains("stream 31 to <scrubbed>") && rows[c + 3].ends_with("succeeded"),
        "{}",
        rows[c + 3]
    );
    // Nicknames from the consensus carry no control characters.
    assert!(!rows.join("").contains('\u{1b}'));
}

#[test]
fn narrow_rows_keep_the_category_and_drop_the_fingerprint() {
    let s = state();
    let rows = draw(&ConnectionsPage::default(), &s, 80, 12);
    for r in &rows[1..6] {
        assert!(r.chars().count() <= 80, "{r}");
        assert!(r.ends_with(')'), "{r}");
        assert!(!r.contains(&"A".repeat(40)), "{r}");
    }
}

#[test]
fn show_addresses_sort_and_selection() {
    let s = state();
    let mut page = ConnectionsPage::default();
    act(&mut page, &s, Action::Addresses);
    let rows = draw(&page, &s, 160, 12).join("\n");
    assert!(rows.contains("192.0.2.77:50000") && rows.contains("93.184.216.34:443 (HTTPS)"));
    assert!(rows.contains("stream 31 to example.com:443"), "{rows}");
    // Sorted by port: within INBOUND the client (port 50000) comes after 40000 still;
    // by uptime nothing changes order here, but the menu applies the choice.
    let mut out = Outbox::default();
    let mut cx = cx_of(&s, &mut out);
    page.action(Action::Sort.id(), &mut cx);
    assert!(!page.modal(), "the menu is on the app's stack");
    crate::page::testing::keys_to_popup(&mut page, &[Key::Down, Key::Down, Key::Enter], &mut cx);
    assert_eq!(page.order, Order::Address);
    // Selection moves by key and by click, and stays in range.
    draw(&page, &s, 160, 12);
    act(&mut page, &s, Action::Scroll(crate::list::Scroll::Bottom));
    let rows = draw(&page, &s, 160, 12);
    assert_eq!(page.selected.get(), 4, "five entries: the circuit is last");
    act(&mut page, &s, Action::Scroll(crate::list::Scroll::Up));
    assert_eq!(page.selected.get(), 3);
    let y = rows.iter().position(|r| r.contains("(OUTBOUND)")).unwrap();
    page.mouse(
        Mouse {
            kind: MouseKind::Click,
            column: 5,
            row: u16::try_from(y).unwrap(),
        },
        &mut cx,
    );
    assert_eq!(page.selected.get(), 2);
}

#[test]
fn an_empty_table_draws() {
    // A tor with no connections and no circuits (DisableNetwork).
    let mut s = ControllerState::default();
    s.session.connection.connected = true;
    let mut page = ConnectionsPage::default();
    act(&mut page, &s, Action::Scroll(crate::list::Scroll::Down));
    let rows = draw(&page, &s, 80, 10);
    assert_eq!(rows[0], "Connections (none):");
    assert_eq!(rows[1], "tor's sockets: not read yet");
    s.net.connections.source = SocketSource::Descriptors;
    let rows = draw(&page, &s, 80, 10);
    assert_eq!(rows[1], "tor has no connections or circuits at the moment");
    // Tor away: the page says why it is empty.
    s.session.connection.connected = false;
    let rows = draw(&page, &s, 100, 10);
    assert!(
        rows[1].starts_with("tor is not connected: its connections"),
        "{rows:?}"
    );
}

#[test]
fn the_source_and_errors_are_said() {
    let mut s = state();
    s.net.connections.source = SocketSource::TorUser {
        uid: 110,
        why: "/proc/42/fd: Permission denied (tor's descriptors need tor's user or root)".into(),
    };
    let rows = draw(&ConnectionsPage::default(), &s, 160, 12);
    assert!(
        rows[1].starts_with("sockets of tor's user (uid 110), not tor's own: /proc/42/fd"),
        "{}",
        rows[1]
    );
    s.net.connections.error =
        Some("cannot read /proc/42/net/tcp: No such file or directory".into());
    let rows = draw(&ConnectionsPage::default(), &s, 160, 12);
    assert!(
        rows[1].starts_with("cannot read tor's connections: cannot read /proc/42/net/tcp"),
        "{}",
        rows[1]
    );
    // The list from before stays.
    assert!(rows.iter().any(|r| r.contains("(INBOUND)")));
    let _ = Category::ALL;
}

#[test]
fn a_control_client_is_named_and_the_table_read_is_said() {
    let mut s = state();
    s.facts.relay.listeners.control = vec!["127.0.0.1:9051".into()];
    let control = Socket {
        local: "127.0.0.1:9051".parse().unwrap(),
        remote: "127.0.0.1:45678".parse().unwrap(),
    };
    let mut scan = rnyx_model::SocketScan::exact(&[control]);
    scan.processes.insert(control, "python3 (4242)".into());
    scan.table = rnyx_model::SocketTable::Proc {
        why: "entering tor's network namespace: EPERM".into(),
    };
    let classifier = Classifier::new(
        &s.facts.relay.listeners,
        &s.facts.consensus,
        &s.net.circuits,
        &[],
        true,
    );
    s.net.connections.refresh(scan, &classifier, NOW);
    let rows = draw(&ConnectionsPage::default(), &s, 160, 12);
    assert!(
        rows[0].ends_with(
            "via /proc net/tcp (entering tor's network namespace: EPERM), tor's descriptors"
        ),
        "{}",
        rows[0]
    );
    let row = rows
        .iter()
        .find(|r| r.contains("(CONTROL)"))
        .expect("the control row");
    assert!(row.contains("python3 (4242)"), "{row}");
    let mut page = ConnectionsPage::default();
    // The circuit first, then the control connection.
    draw(&page, &s, 120, 30);
    act(&mut page, &s, Action::Scroll(crate::list::Scroll::Down));
    let mut out = Outbox::default();
    let mut cx = cx_of(&s, &mut out);
    page.action(Action::Details.id(), &mut cx);
    let mut stack = Stack::default();
    stack.adopt(&mut cx);
    let text = stack.draw(&page, &s, NOW, (120, 30));
    assert!(
        text.contains("CONTROL connection") && text.contains("process: python3 (4242)"),
        "{text}"
    );
    // Too narrow for the source: the title keeps its counts.
    let rows = draw(&ConnectionsPage::default(), &s, 60, 12);
    assert!(
        rows[0].starts_with("Connections (1 control, 1 circuit)") && !rows[0].contains("via"),
        "{}",
        rows[0]
    );
}

#[test]
fn details_of_a_relay_a_scrubbed_exit_and_a_circuit() {
    let s = state();
    let mut page = ConnectionsPage::default();
    let mut stack = Stack::default();
    let mut out = Outbox::default();
    let mut cx = cx_of(&s, &mut out);
    // The third entry: the outbound connection to alpha.
    draw(&page, &s, 120, 40);
    page.action(Action::Scroll(crate::list::Scroll::Down).id(), &mut cx);
    page.action(Action::Scroll(crate::list::Scroll::Down).id(), &mut cx);
    page.action(Action::Details.id(), &mut cx);
    stack.adopt(&mut cx);
    assert!(!page.modal() && !stack.is_empty(), "on the app's stack");
    let popup = |page: &ConnectionsPage, stack: &Stack| stack.draw(page, &s, NOW, (120, 40));
    let text = popup(&page, &stack);
    assert!(text.contains("OUTBOUND connection"), "{text}");
    assert!(
        text.contains(&format!("fingerprint: {}", "A".repeat(40))),
        "{text}"
    );
    assert!(text.contains("flags: Running"), "{text}");
    // Down moves under the pane: the exit, its destination scrubbed.
    stack.key(&mut page, Key::Down, &mut cx);
    assert_eq!(page.selected.get(), 3, "the page's selection follows");
    let text = popup(&page, &stack);
    assert!(
        text.contains("EXIT connection") && text.contains("remote: <scrubbed>"),
        "{text}"
    );
    assert!(!text.contains("93.184.216.34"));
    stack.key(&mut page, Key::Down, &mut cx);
    let text = popup(&page, &stack);
    assert!(
        text.contains("circuit 7 (BUILT)") && text.contains("hop 2:"),
        "{text}"
    );
    assert!(text.contains("nickname: beta"), "{text}");
    stack.key(&mut page, Key::Esc, &mut cx);
    assert!(stack.is_empty());
}

#[test]
#[allow(clippy::too_many_lines)] // one conversation with tor, start to end
fn descriptors_are_asked_for_and_shown_safely() {
    use crate::page::{Effect, Request, Response};
    let s = state();
    let mut page = ConnectionsPage::default();
    draw(&page, &s, 120, 30);
    let mut out = Outbox::default();
    let mut cx = cx_of(&s, &mut out);
    page.action(Action::Scroll(crate::list::Scroll::Down).id(), &mut cx);
    page.action(Action::Scroll(crate::list::Scroll::Down).id(), &mut cx);
    page.action(Action::Descriptor.id(), &mut cx);
    let mut stack = Stack::default();
    stack.adopt(&mut cx);
    assert!(!page.modal() && !stack.is_empty(), "on the app's stack");
    let asked: Vec<(crate::page::Ticket, String)> = out
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Request {
                ticket,
                request: Request::Tor(rnyx_grammar::request::TorRequest::GetInfo(keys)),
            } => Some((*ticket, format!("GETINFO {}", keys.join(" ")))),
            _ => None,
        })
        .collect();
    let a = "A".repeat(40);
    assert_eq!(
        asked.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>(),
        [
            format!("GETINFO ns/id/{a}"),
            format!("GETINFO desc/id/{a}"),
            format!("GETINFO md/id/{a}")
        ]
    );
    let reply = |data: &str| Response::Info(vec![("x".into(), data.into())]);
    let mut out = Outbox::default();
    let mut cx = cx_of(&s, &mut out);
    stack.respond(
        &mut page,
        asked[0].0,
        reply("r alpha x y\ns Running\u{1b}[2J"),
        &mut cx,
    );
    stack.respond(
        &mut page,
        asked[1].0,
        Response::Timeout("tor did not answer".into()),
        &mut cx,
    );
    let text = stack.draw(&page, &s, NOW, (120, 30));
    assert!(text.contains("Descriptor of alpha"), "{text}");
    assert!(
        text.contains("   1 r alpha x y") && text.contains("   2 s Running[2J"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'));
    assert!(
        text.contains("tor did not answer") && text.contains("asking tor…"),
        "{text}"
    );
    // Left: the nearest relay before it (beta, connecting in).
    stack.key(&mut page, Key::Left, &mut cx);
    assert!(matches!(
        out.effects.first(),
        Some(Effect::Request { request: Request::Tor(rnyx_grammar::request::TorRequest::GetInfo(keys)), .. }) if keys[0].ends_with(&"B".repeat(40))
    ));
    let mut out = Outbox::default();
    let mut cx = cx_of(&s, &mut out);
    assert!(stack
        .draw(&page, &s, NOW, (120, 30))
        .contains("Descriptor of beta"));
    stack.key(&mut page, Key::Esc, &mut cx);
    assert!(stack.is_empty());
}

#[test]
fn exit_ports_and_client_locales_count_without_addresses() {
    use crate::page::{Effect, Request, Response};
    let s = state();
    let mut page = ConnectionsPage::default();
    let mut stack = Stack::default();
    let mut out = Outbox::default();
    let mut cx = cx_of(&s, &mut out);
    page.action(Action::ExitPorts.id(), &mut cx);
    stack.adopt(&mut cx);
    let text = stack.draw(&page, &s, NOW, (100, 30));
    assert!(
        text.contains("Exit port usage") && text.contains("443 (HTTPS) █"),
        "{text}"
    );
    assert!(!text.contains("93.184.216.34"));
    stack.key(&mut page, Key::Esc, &mut cx);
    assert!(stack.is_empty());
    page.action(Action::ClientLocales.id(), &mut cx);
    stack.adopt(&mut cx);
    let Some(Effect::Request {
        ticket,
        request: Request::Tor(rnyx_grammar::request::TorRequest::GetInfo(keys)),
    }) = out.effects.last().cloned()
    else {
        panic!("{:?}", out.effects)
    };
    assert_eq!(keys, ["ip-to-country/192.0.2.77"]);
    let mut cx = Cx {
        shown: &s,
        live: &s,
        now: NOW,
        out: &mut out,
    };
    stack.respond(
        &mut page,
        ticket,
        Response::Info(vec![("ip-to-country/192.0.2.77".into(), "de".into())]),
        &mut cx,
    );
    let text = stack.draw(&page, &s, NOW, (100, 30));
    assert!(
        text.contains("Client locales") && text.contains("de █"),
        "{text}"
    );
    assert!(!text.contains("192.0.2.77"));
}
