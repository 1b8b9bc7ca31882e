use super::default_keymap;
use super::*;
use crate::graph::GraphPanel;
use crate::graph::{Bound as GraphBound, GraphStat};
use crate::log::LogPanel;
use crate::page::{Request, Response};
use crate::pages::graph::GraphPage;
use rnyx_grammar::reply::Reply as TorReply;
use rnyx_model::{EventSelection, Interval};

mod menus;
mod test_page;

use test_page::ListPage;

fn settings(confirm_quit: bool) -> AppSettings {
    AppSettings {
        keymap: default_keymap(),
        theme: Theme { color: false },
        confirm_quit,
        graph: GraphPanel {
            stat: GraphStat::Bandwidth,
            interval: Interval::EachSecond,
            bound: GraphBound::LocalMax,
            height: 7,
            max_width: 300,
            bits: false,
            show_accounting: true,
        },
        log: LogPanel::new(true, 4, 0),
        show_addresses: false,
        show_onion_addresses: true,
        connection_order: crate::pages::connections::Order::default(),
        config: crate::pages::config::ConfigSettings::default(),
        hidden_pages: vec![crate::pages::overview::ID],
        interpreter_history: None,
        ascii: false,
    }
}

fn app(confirm_quit: bool) -> App {
    App::new(settings(confirm_quit))
}

/// Page 1 and the test page, with a keymap knowing both.
fn two_pages() -> App {
    let mut s = settings(false);
    s.keymap = Keymap::new(
        GLOBAL_ACTIONS,
        &[
            (crate::pages::graph::ID, crate::pages::graph::ACTIONS),
            (test_page::ID, test_page::ACTIONS),
        ],
    );
    let graph = (crate::pages::graph::ENTRY.make)(&s);
    App::with_pages(s, vec![graph, Box::new(ListPage::default())])
}

fn graph(a: &App) -> &GraphPage {
    a.page::<GraphPage>().unwrap()
}

fn connected() -> ControllerState {
    let mut s = ControllerState::default();
    s.session.connection.connected = true;
    s
}

fn keys(a: &mut App, s: &ControllerState, keys: &[Key]) -> Vec<Effect> {
    keys.iter().flat_map(|k| a.handle_key(*k, s, 0)).collect()
}

fn typed(text: &str) -> Vec<Key> {
    let mut k: Vec<Key> = text.chars().map(Key::Char).collect();
    k.push(Key::Enter);
    k
}

/// The request of the only effect, and its ticket.
fn request_of(effects: &[Effect]) -> (Ticket, Request) {
    match effects {
        [Effect::Request { ticket, request }] => (*ticket, request.clone()),
        other => panic!("one request expected, got {other:?}"),
    }
}

/// Draws the app and returns the screen as lines.
fn draw(a: &App, s: &ControllerState, w: u16, h: u16) -> Vec<String> {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    a.render(s, 0, area, &mut buf);
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_owned()).collect())
        .collect()
}

/// Where `text` is drawn: (column, row) of its first character.
fn find(lines: &[String], text: &str) -> (u16, u16) {
    for (y, l) in lines.iter().enumerate() {
        if let Some(i) = l.find(text) {
            let x = l[..i].chars().count();
            return (u16::try_from(x).unwrap(), u16::try_from(y).unwrap());
        }
    }
    panic!("`{text}` not on screen:\n{}", lines.join("\n"));
}

fn click((column, row): (u16, u16)) -> Mouse {
    Mouse {
        kind: MouseKind::Click,
        column,
        row,
    }
}

#[test]
fn quit_needs_confirmation_when_configured() {
    let s = connected();
    let mut a = app(true);
    assert!(a.handle_key(Key::Char('q'), &s, 0).is_empty());
    assert_eq!(a.notice(), Some("Are you sure (q again to confirm)?"));
    assert_eq!(a.handle_key(Key::Char('q'), &s, 0), [Effect::Quit]);
    // Another key cancels.
    a.handle_key(Key::Char('q'), &s, 0);
    assert!(a.handle_key(Key::Char('x'), &s, 0).is_empty());
    assert!(a.handle_key(Key::Char('p'), &s, 0).is_empty());
    assert!(a.is_paused(), "after cancelling, keys act again");
    let mut a = app(false);
    assert_eq!(a.handle_key(Key::Char('q'), &s, 0), [Effect::Quit]);
    assert_eq!(app(true).handle_key(Key::Ctrl('c'), &s, 0), [Effect::Quit]);
}

#[test]
fn newnym_is_rate_limited_and_needs_tor() {
    let mut a = app(true);
    assert!(a
        .handle_key(Key::Char('n'), &ControllerState::default(), 100)
        .is_empty());
    assert_eq!(a.notice(), Some("tor is not connected"));
    let s = connected();
    let (ticket, request) = request_of(&a.handle_key(Key::Char('n'), &s, 100));
    assert_eq!(
        request,
        Request::Tor(rnyx_grammar::request::TorRequest::Signal(
            rnyx_grammar::signal::Signal::Newnym
        ))
    );
    assert!(a.handle_key(Key::Char('n'), &s, 104).is_empty());
    assert_eq!(
        a.notice(),
        Some("tor allows a new identity every 10 seconds; try again in 6 s")
    );
    assert_eq!(
        request_of(&a.handle_key(Key::Char('n'), &s, 110)).1,
        Request::Tor(rnyx_grammar::request::TorRequest::Signal(
            rnyx_grammar::signal::Signal::Newnym
        ))
    );
    // A failure comes back to the app, which says so.
    a.respond(ticket, Response::Failed("552 nope".into()), &s, 111);
    assert_eq!(a.notice(), Some("NEWNYM failed: 552 nope"));
}

#[test]
fn reload_asks_first() {
    let s = connected();
    let mut a = app(true);
    assert!(a.handle_key(Key::Char('x'), &s, 0).is_empty());
    assert!(
        a.handle_key(Key::Char('n'), &s, 0).is_empty(),
        "n answers no, not NEWNYM"
    );
    a.handle_key(Key::Char('x'), &s, 0);
    assert_eq!(
        request_of(&a.handle_key(Key::Char('y'), &s, 0)).1,
        Request::Tor(rnyx_grammar::request::TorRequest::Signal(
            rnyx_grammar::signal::Signal::Reload
        ))
    );
}

#[test]
fn reconnect_only_when_disconnected() {
    let mut a = app(true);
    assert!(a.handle_key(Key::Char('r'), &connected(), 0).is_empty());
    assert_eq!(a.notice(), Some("already connected to tor"));
    assert_eq!(
        a.handle_key(Key::Char('r'), &ControllerState::default(), 0),
        [Effect::Reconnect]
    );
}

#[test]
fn graph_menus_bounds_and_resize() {
    let s = connected();
    let mut a = app(true);
    keys(
        &mut a,
        &s,
        &[Key::Char('i'), Key::Down, Key::Down, Key::Enter],
    );
    assert_eq!(graph(&a).graph.interval, Interval::ThirtySeconds);
    keys(&mut a, &s, &[Key::Char('s'), Key::Up, Key::Esc]);
    assert_eq!(graph(&a).graph.stat, GraphStat::Bandwidth, "Esc cancels");
    keys(&mut a, &s, &[Key::Char('s'), Key::Down, Key::Enter]);
    assert_eq!(graph(&a).graph.stat, GraphStat::Connections);
    a.handle_key(Key::Char('b'), &s, 0);
    assert_eq!(graph(&a).graph.bound, GraphBound::Tight);
    keys(
        &mut a,
        &s,
        &[Key::Char('g'), Key::Down, Key::Down, Key::Up, Key::Enter],
    );
    assert_eq!(graph(&a).graph.height, 8);
    a.handle_key(Key::Down, &s, 0);
    assert_eq!(graph(&a).graph.height, 8, "resize mode ended");
}

#[test]
fn pause_freezes_a_snapshot() {
    let mut live = connected();
    live.traffic.traffic_read = 1;
    let mut a = app(true);
    a.handle_key(Key::Char('p'), &live, 0);
    live.traffic.traffic_read = 2;
    assert_eq!(a.paused.as_ref().unwrap().traffic.traffic_read, 1);
    a.handle_key(Key::Char('p'), &live, 0);
    assert!(!a.is_paused());
}

#[test]
fn rebound_keys_drive_actions() {
    let mut s = settings(false);
    s.keymap.bind_global(GlobalAction::Quit.id(), &[Key::Esc]);
    let mut a = App::new(s);
    assert!(a.handle_key(Key::Char('q'), &connected(), 0).is_empty());
    assert_eq!(a.handle_key(Key::Esc, &connected(), 0), [Effect::Quit]);
}

fn with_log(messages: &[&str]) -> ControllerState {
    let mut s = connected();
    for m in messages {
        s.push_log(rnyx_model::LogEntry::new(
            1_795_255_200_000,
            rnyx_model::LogSource::Tor(rnyx_model::Runlevel::Notice),
            (*m).to_owned(),
        ));
    }
    s
}

#[test]
fn event_dialog_returns_the_selection() {
    let mut s = connected();
    s.logs.logged_events = EventSelection::default();
    let mut a = app(false);
    // e, toggle DEBUG, Tab to Ok, Enter.
    let effects = keys(
        &mut a,
        &s,
        &[Key::Char('e'), Key::Char(' '), Key::Tab, Key::Enter],
    );
    let (ticket, request) = request_of(&effects);
    let Request::Tor(rnyx_grammar::request::TorRequest::SetEvents(selection)) = request else {
        panic!("{request:?}")
    };
    assert_eq!(
        selection.names(),
        [
            "DEBUG",
            "NOTICE",
            "WARN",
            "ERR",
            "RNYX_NOTICE",
            "RNYX_WARN",
            "RNYX_ERR"
        ]
    );
    // tor's answer comes back to the page, which says what tor refused.
    a.respond(
        ticket,
        Response::Events {
            rejected: vec!["FOO".into()],
        },
        &s,
        0,
    );
    assert_eq!(a.notice(), Some("tor does not know FOO; the rest apply"));
    // Esc leaves without an effect.
    assert!(keys(&mut a, &s, &[Key::Char('e'), Key::Char(' '), Key::Esc]).is_empty());
    assert!(!a.pages[0].modal());
}

#[test]
fn filter_menu_new_filter_and_bad_regex() {
    let s = with_log(&["alpha", "beta"]);
    let mut a = app(false);
    // f, down to "new…" (no recent filters: index 1), type, enter.
    let mut k = vec![Key::Char('f'), Key::Down, Key::Enter];
    k.extend(typed("^al"));
    keys(&mut a, &s, &k);
    assert_eq!(graph(&a).log.filter(), Some("^al"));
    assert_eq!(graph(&a).log.shown(&s.logs.log).count(), 1);
    let mut k = vec![Key::Char('f'), Key::Down, Key::Enter];
    k.extend(typed("(bad"));
    keys(&mut a, &s, &k);
    assert!(
        a.notice().unwrap().starts_with("invalid filter `(bad`"),
        "{:?}",
        a.notice()
    );
    assert_eq!(graph(&a).log.filter(), Some("^al"));
    // "no filter" is first.
    keys(&mut a, &s, &[Key::Char('f'), Key::Up, Key::Enter]);
    assert_eq!(graph(&a).log.filter(), None);
    // The recent filter is offered again.
    keys(&mut a, &s, &[Key::Char('f'), Key::Down, Key::Enter]);
    assert_eq!(graph(&a).log.filter(), Some("^al"));
}

#[test]
fn save_clear_and_dedup_keys() {
    let s = with_log(&["circuit 1 closed", "circuit 2 closed"]);
    let mut a = app(false);
    let mut k = vec![Key::Char('a')];
    k.extend(typed("~/snap.txt"));
    let (ticket, request) = request_of(&keys(&mut a, &s, &k));
    assert_eq!(
        request,
        Request::File(rnyx_grammar::request::FileRequest::Write {
            path: "~/snap.txt".into(),
            text: "2026-11-21 10:00:00 [NOTICE] circuit 2 closed [1 duplicate hidden]\n".into()
        })
    );
    a.respond(ticket, Response::Done("/home/op/snap.txt".into()), &s, 0);
    assert_eq!(a.notice(), Some("saved 1 log lines to /home/op/snap.txt"));
    keys(&mut a, &s, &[Key::Char('u')]);
    assert_eq!(graph(&a).log.shown(&s.logs.log).count(), 2);
    assert_eq!(a.notice(), Some("duplicate log messages shown"));
    // c asks first; anything but y keeps the log.
    keys(&mut a, &s, &[Key::Char('c'), Key::Char('n')]);
    assert_eq!(graph(&a).log.shown(&s.logs.log).count(), 2);
    keys(&mut a, &s, &[Key::Char('c'), Key::Char('y')]);
    assert_eq!(graph(&a).log.shown(&s.logs.log).count(), 0);
}

#[test]
fn one_key_two_pages_two_actions() {
    let s = connected();
    let mut a = two_pages();
    // s on page 1: the statistic menu; on the list page: sorting.
    keys(&mut a, &s, &[Key::Char('s'), Key::Down, Key::Enter]);
    assert_eq!(graph(&a).graph.stat, GraphStat::Connections);
    a.handle_key(Key::Right, &s, 0);
    assert_eq!(a.page_index(), 1);
    a.handle_key(Key::Char('s'), &s, 0);
    assert_eq!(a.page::<ListPage>().unwrap().sorted, 1);
    assert_eq!(graph(&a).graph.stat, GraphStat::Connections);
    // The footer shows the page's hint with its key.
    let screen = draw(&a, &s, 100, 20);
    assert!(
        screen[19]
            .starts_with("page 2 / 2 - m: menu, p: pause, h: page help, q: quit, s: sort rows"),
        "{}",
        screen[19]
    );
}

#[test]
fn a_response_reaches_the_page_that_asked_and_no_other() {
    let s = connected();
    let mut a = two_pages();
    a.handle_key(Key::Right, &s, 0);
    // The list page asks tor for its version.
    let (asked, request) = request_of(&a.handle_key(Key::Char('v'), &s, 0));
    assert_eq!(
        request,
        Request::Tor(rnyx_grammar::request::TorRequest::GetInfo(vec![
            "version".into()
        ]))
    );
    // Page 1 asks for a snapshot to be written meanwhile.
    a.handle_key(Key::Left, &s, 0);
    let mut k = vec![Key::Char('a')];
    k.extend(typed("/tmp/x"));
    let (saved, _) = request_of(&keys(&mut a, &s, &k));
    assert_ne!(asked, saved);
    let reply = TorReply {
        status: 250,
        lines: vec![],
    };
    a.respond(asked, Response::Reply(reply.clone()), &s, 0);
    let list = a.page::<ListPage>().unwrap();
    assert_eq!(list.responses, [Response::Reply(reply)]);
    // Page 1 is not told about it, and the list page not about the save.
    assert_eq!(a.notice(), None);
    a.respond(saved, Response::Timeout("slow".into()), &s, 0);
    assert_eq!(a.notice(), Some("cannot save the log to /tmp/x: slow"));
    assert_eq!(a.page::<ListPage>().unwrap().responses.len(), 1);
    // A ticket answered once is forgotten.
    assert!(a.respond(asked, Response::NotConnected, &s, 0).is_empty());
    assert_eq!(a.page::<ListPage>().unwrap().responses.len(), 1);
}

#[test]
fn no_default_key_of_a_page_hides_a_global_one() {
    for page in crate::pages::PAGES {
        let mut seen = Vec::new();
        for a in page.info.actions {
            for k in a.keys {
                assert!(
                    !GLOBAL_ACTIONS.iter().any(|g| g.keys.contains(k)),
                    "page {}: {k} of {} is also a global key",
                    page.info.id,
                    a.name
                );
                assert!(!seen.contains(k), "page {}: {k} bound twice", page.info.id);
                seen.push(*k);
            }
        }
    }
}

/// A page's menu is on the app's stack: drawn over the page, it takes every
/// key (a global one too) and click; Esc closes it, a click picks.
#[test]
fn a_pages_menu_is_on_the_apps_stack() {
    let s = connected();
    let mut a = app(true);
    a.handle_key(Key::Char('i'), &s, 0);
    assert_eq!(a.stack.len(), 1);
    assert!(!a.pages[0].modal(), "the page holds no popup");
    let screen = draw(&a, &s, 100, 30);
    let (column, row) = find(&screen, "30 seconds");
    // `q` goes to the menu (which it closes), not to quitting.
    a.handle_key(Key::Char('q'), &s, 0);
    assert!(a.stack.is_empty() && !a.quit_pending && a.notice().is_none());
    a.handle_key(Key::Char('i'), &s, 0);
    draw(&a, &s, 100, 30);
    a.handle_mouse(click((column, row)), &s, 0);
    assert!(a.stack.is_empty());
    assert_eq!(graph(&a).graph.interval, Interval::ThirtySeconds);
    a.handle_key(Key::Char('i'), &s, 0);
    a.handle_key(Key::Esc, &s, 0);
    assert!(a.stack.is_empty());
    assert_eq!(
        graph(&a).graph.interval,
        Interval::ThirtySeconds,
        "Esc picks nothing"
    );
    assert!(!draw(&a, &s, 100, 30).join("\n").contains("Graph interval"));
}
