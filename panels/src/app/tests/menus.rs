//! The menu bar, the help popup and the mouse: made from the same action
//! lists as the keys, at every size.

use super::*;

#[test]
fn menu_bar_keys_and_entries_from_the_action_lists() {
    let s = connected();
    let mut a = two_pages();
    a.handle_key(Key::Char('m'), &s, 0);
    let Some(bar) = &a.menu else {
        panic!("m opens the menu")
    };
    let titles: Vec<&str> = bar.menus().iter().map(|m| m.title.as_str()).collect();
    assert_eq!(titles, ["General", "Pages", "Graph", "Log"]);
    // It opens on the page's first menu; its entries carry value and key.
    assert_eq!(
        bar.selection(),
        Some(("Graph", "graph interval (each second)"))
    );
    let log: Vec<(String, String)> = bar.menus()[3]
        .entries
        .iter()
        .map(|e| (e.label.clone(), e.keys.clone()))
        .collect();
    assert_eq!(
        log,
        [
            ("events to log".into(), "e".into()),
            ("filter the log (regex)".into(), "f".into()),
            ("hide duplicates (on)".into(), "u".into()),
            ("save the log to a file".into(), "a".into()),
            ("clear the log".into(), "c".into()),
        ]
    );
    let general: Vec<&str> = bar.menus()[0]
        .entries
        .iter()
        .map(|e| e.label.as_str())
        .collect();
    assert_eq!(
        general,
        [
            "pause / unpause (running)",
            "reconnect to tor",
            "new identity (NEWNYM)",
            "reload torrc (RELOAD)",
            "what is wrong (alerts)",
            "this help",
            "quit (confirm: no)"
        ]
    );
    // Down to bounds, Enter: the same as pressing b.
    keys(&mut a, &s, &[Key::Down, Key::Enter]);
    assert!(!a.menu_open());
    assert_eq!(graph(&a).graph.bound, GraphBound::Tight);
    // Left to Pages, down to the list page.
    keys(
        &mut a,
        &s,
        &[Key::Char('m'), Key::Left, Key::Down, Key::Enter],
    );
    assert_eq!(a.page_index(), 1);
    // The list page's own menu replaces page 1's; m closes.
    a.handle_key(Key::Char('m'), &s, 0);
    let Some(bar) = &a.menu else { panic!() };
    assert_eq!(bar.selection(), Some(("Rows", "sort rows (by name)")));
    a.handle_key(Key::Char('m'), &s, 0);
    assert!(!a.menu_open());
    // Rebinding shows in the menu.
    let mut set = settings(false);
    set.keymap.bind_page(
        "graph",
        crate::pages::graph::Action::LogClear.id(),
        &[Key::Char('C')],
    );
    let mut a = App::new(set);
    a.handle_key(Key::Char('m'), &s, 0);
    let Some(bar) = &a.menu else { panic!() };
    assert_eq!(bar.menus()[3].entries[4].keys, "C");
}

#[test]
fn help_and_menu_say_the_same() {
    let s = connected();
    let mut a = app(false);
    let help = a.help_lines();
    a.handle_key(Key::Char('m'), &s, 0);
    let Some(bar) = &a.menu else { panic!() };
    for menu in bar.menus().iter().filter(|m| m.title != "Pages") {
        for e in &menu.entries {
            let line = format!("{:>8}: {}", e.keys, e.label);
            assert!(help.contains(&line), "help lacks `{line}`: {help:#?}");
        }
    }
}

#[test]
fn help_offers_the_next_relay_only_with_several() {
    let mut a = app(false);
    let next = |a: &App| {
        a.help_lines()
            .iter()
            .any(|l| l.ends_with(": next relay (watching several)"))
    };
    assert!(!next(&a));
    let row = |name: &str| rnyx_model::RelayRow {
        name: name.into(),
        ..rnyx_model::RelayRow::default()
    };
    a.set_fleet(vec![row("a"), row("b")], 0);
    assert!(next(&a));
}

#[test]
fn every_page_one_menu_entry_acts() {
    // Each entry of Graph and Log, picked from the menu, does what its key
    // does: the same popup opens or the same value changes.
    let s = with_log(&["one"]);
    for (menu, entry, check) in [
        (2, 0, "Graph interval"),
        (2, 2, "Graphed statistic"),
        (3, 0, "Events shown in the log"),
        (3, 1, "Filter the log"),
        (3, 3, "Save the log"),
        (3, 4, "Clear the log"),
    ] {
        let mut a = app(false);
        a.handle_key(Key::Char('m'), &s, 0);
        for _ in 2..menu {
            a.handle_key(Key::Right, &s, 0);
        }
        for _ in 0..entry {
            a.handle_key(Key::Down, &s, 0);
        }
        a.handle_key(Key::Enter, &s, 0);
        let screen = draw(&a, &s, 100, 40).join("\n");
        assert!(screen.contains(check), "{menu}/{entry}: {screen}");
    }
    let mut a = app(false);
    keys(
        &mut a,
        &s,
        &[Key::Char('m'), Key::Down, Key::Down, Key::Down, Key::Enter],
    );
    assert_eq!(
        a.notice(),
        Some("graph height: 7 (up/down to resize, any other key when done)")
    );
    let mut a = app(false);
    keys(
        &mut a,
        &s,
        &[Key::Char('m'), Key::Right, Key::Down, Key::Down, Key::Enter],
    );
    assert!(!graph(&a).log.deduplicate);
}

#[test]
fn clicks_and_wheel_at_two_sizes() {
    for (w, h) in [(80, 24), (160, 50)] {
        let s = with_log(&["alpha", "beta", "gamma"]);
        let mut a = two_pages();
        // The footer's page indicator goes to the next page.
        let screen = draw(&a, &s, w, h);
        a.handle_mouse(click(find(&screen, "page 1 / 2")), &s, 0);
        assert_eq!(a.page_index(), 1, "{w}x{h}");
        // "m: menu" opens the menu bar; a click on a title opens it, on
        // an entry picks it.
        let screen = draw(&a, &s, w, h);
        a.handle_mouse(click(find(&screen, "m: menu")), &s, 0);
        assert!(a.menu_open());
        let screen = draw(&a, &s, w, h);
        a.handle_mouse(click(find(&screen, " Pages ")), &s, 0);
        let screen = draw(&a, &s, w, h);
        a.handle_mouse(click(find(&screen, "Graph / Log")), &s, 0);
        assert!(!a.menu_open());
        assert_eq!(a.page_index(), 0, "{w}x{h}");
        // A click outside closes the menu.
        a.handle_key(Key::Char('m'), &s, 0);
        draw(&a, &s, w, h);
        a.handle_mouse(click((w - 1, h - 2)), &s, 0);
        assert!(!a.menu_open());
        // The interval menu: a click on an option picks it.
        a.handle_key(Key::Char('i'), &s, 0);
        let screen = draw(&a, &s, w, h);
        a.handle_mouse(click(find(&screen, "minutely")), &s, 0);
        assert_eq!(graph(&a).graph.interval, Interval::Minutely, "{w}x{h}");
        // The event dialog: a click on a checkbox toggles it, on Ok applies.
        a.handle_key(Key::Char('e'), &s, 0);
        let screen = draw(&a, &s, w, h);
        a.handle_mouse(click(find(&screen, "[ ] DEBUG")), &s, 0);
        let screen = draw(&a, &s, w, h);
        assert!(screen.join("\n").contains("[x] DEBUG"));
        let effects = a.handle_mouse(click(find(&screen, "[ Ok ]")), &s, 0);
        let Request::Tor(rnyx_grammar::request::TorRequest::SetEvents(sel)) =
            request_of(&effects).1
        else {
            panic!()
        };
        assert!(sel.shows_tor(rnyx_model::Runlevel::Debug));
        // On the list page a click selects the row under it.
        a.handle_key(Key::Right, &s, 0);
        let screen = draw(&a, &s, w, h);
        a.handle_mouse(click(find(&screen, "row three")), &s, 0);
        assert_eq!(a.page::<ListPage>().unwrap().selected, 2, "{w}x{h}");
        a.handle_mouse(
            Mouse {
                kind: MouseKind::WheelUp,
                column: 1,
                row: find(&screen, "row one").1,
            },
            &s,
            0,
        );
        assert_eq!(a.page::<ListPage>().unwrap().selected, 1, "{w}x{h}");
    }
}

#[test]
fn wheel_scrolls_the_log() {
    let messages: Vec<String> = (0..200).map(|i| format!("message {i}")).collect();
    let refs: Vec<&str> = messages.iter().map(String::as_str).collect();
    let mut s = connected();
    s.logs.log = rnyx_model::LogBuffer::new(1000);
    for m in refs {
        s.push_log(rnyx_model::LogEntry::new(
            1_795_255_200_000,
            rnyx_model::LogSource::Tor(rnyx_model::Runlevel::Warn),
            m.to_owned(),
        ));
    }
    let mut set = settings(false);
    set.log.deduplicate = false;
    let mut a = App::new(set);
    let screen = draw(&a, &s, 80, 40);
    let (_, y) = find(&screen, "message 199");
    let wheel = |kind| Mouse {
        kind,
        column: 10,
        row: y,
    };
    a.handle_mouse(wheel(MouseKind::WheelDown), &s, 0);
    let screen = draw(&a, &s, 80, 40).join("\n");
    assert!(
        !screen.contains("message 199") && screen.contains("message 196"),
        "{screen}"
    );
    a.handle_mouse(wheel(MouseKind::WheelUp), &s, 0);
    assert!(draw(&a, &s, 80, 40).join("\n").contains("message 199"));
}
