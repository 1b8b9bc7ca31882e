use super::*;
use crate::graph::Bound;

fn app(confirm_quit: bool) -> App {
    App::new(AppSettings {
        keymap: Keymap::default(),
        theme: Theme { color: false },
        confirm_quit,
        graph: GraphPanel {
            stat: GraphStat::Bandwidth,
            interval: Interval::EachSecond,
            bound: Bound::LocalMax,
            height: 7,
            max_width: 300,
            bits: false,
            show_accounting: true,
        },
        log: LogPanel::new(true, 4, 0),
    })
}

fn connected() -> ControllerState {
    let mut s = ControllerState::default();
    s.connection.connected = true;
    s
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
    assert_eq!(
        a.handle_key(Key::Char('n'), &s, 100),
        [Effect::Signal("NEWNYM".into())]
    );
    assert!(a.handle_key(Key::Char('n'), &s, 104).is_empty());
    assert_eq!(
        a.notice(),
        Some("tor allows a new identity every 10 seconds; try again in 6 s")
    );
    assert_eq!(
        a.handle_key(Key::Char('n'), &s, 110),
        [Effect::Signal("NEWNYM".into())]
    );
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
        a.handle_key(Key::Char('y'), &s, 0),
        [Effect::Signal("RELOAD".into())]
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
    a.handle_key(Key::Char('i'), &s, 0);
    a.handle_key(Key::Down, &s, 0);
    a.handle_key(Key::Down, &s, 0);
    a.handle_key(Key::Enter, &s, 0);
    assert_eq!(a.graph.interval, Interval::ThirtySeconds);
    a.handle_key(Key::Char('s'), &s, 0);
    a.handle_key(Key::Up, &s, 0);
    a.handle_key(Key::Esc, &s, 0);
    assert_eq!(a.graph.stat, GraphStat::Bandwidth, "Esc cancels");
    a.handle_key(Key::Char('s'), &s, 0);
    a.handle_key(Key::Down, &s, 0);
    a.handle_key(Key::Enter, &s, 0);
    assert_eq!(a.graph.stat, GraphStat::Connections);
    a.handle_key(Key::Char('b'), &s, 0);
    assert_eq!(a.graph.bound, Bound::Tight);
    a.handle_key(Key::Char('g'), &s, 0);
    a.handle_key(Key::Down, &s, 0);
    a.handle_key(Key::Down, &s, 0);
    a.handle_key(Key::Up, &s, 0);
    a.handle_key(Key::Enter, &s, 0);
    assert_eq!(a.graph.height, 8);
    a.handle_key(Key::Down, &s, 0);
    assert_eq!(a.graph.height, 8, "resize mode ended");
}

#[test]
fn pause_freezes_a_snapshot() {
    let mut live = connected();
    live.traffic_read = 1;
    let mut a = app(true);
    a.handle_key(Key::Char('p'), &live, 0);
    live.traffic_read = 2;
    assert_eq!(a.paused.as_ref().unwrap().traffic_read, 1);
    a.handle_key(Key::Char('p'), &live, 0);
    assert!(!a.is_paused());
}

#[test]
fn rebound_keys_drive_actions() {
    let mut keymap = Keymap::default();
    keymap.bind(Action::Quit, &[Key::Esc]);
    let mut a = App::new(AppSettings {
        keymap,
        ..app(false).settings()
    });
    assert!(a.handle_key(Key::Char('q'), &connected(), 0).is_empty());
    assert_eq!(a.handle_key(Key::Esc, &connected(), 0), [Effect::Quit]);
}

impl App {
    fn settings(&self) -> AppSettings {
        AppSettings {
            keymap: self.keymap.clone(),
            theme: self.theme,
            confirm_quit: self.confirm_quit,
            graph: self.graph.clone(),
            log: self.log.clone(),
        }
    }
}

fn keys(a: &mut App, s: &ControllerState, keys: &[Key]) -> Vec<Effect> {
    keys.iter().flat_map(|k| a.handle_key(*k, s, 0)).collect()
}

fn typed(text: &str) -> Vec<Key> {
    let mut k: Vec<Key> = text.chars().map(Key::Char).collect();
    k.push(Key::Enter);
    k
}

fn with_log(messages: &[&str]) -> ControllerState {
    let mut s = connected();
    for m in messages {
        s.push_log(crate::model::LogEntry::new(
            1_795_255_200_000,
            crate::model::LogSource::Tor(crate::model::Runlevel::Notice),
            (*m).to_owned(),
        ));
    }
    s
}

#[test]
fn event_dialog_returns_the_selection() {
    let mut s = connected();
    s.logged_events = vec!["NOTICE".into(), "WARN".into(), "ERR".into()];
    let mut a = app(false);
    // e, toggle DEBUG, Tab to Ok, Enter.
    let effects = keys(
        &mut a,
        &s,
        &[Key::Char('e'), Key::Char(' '), Key::Tab, Key::Enter],
    );
    assert_eq!(
        effects,
        [Effect::SetEvents(vec![
            "DEBUG".into(),
            "NOTICE".into(),
            "WARN".into(),
            "ERR".into(),
            "RNYX_NOTICE".into(),
            "RNYX_WARN".into(),
            "RNYX_ERR".into()
        ])]
    );
    // Esc leaves without an effect.
    assert!(keys(&mut a, &s, &[Key::Char('e'), Key::Char(' '), Key::Esc]).is_empty());
    assert!(a.popup.is_none());
}

#[test]
fn filter_menu_new_filter_and_bad_regex() {
    let s = with_log(&["alpha", "beta"]);
    let mut a = app(false);
    // f, down to "new…" (no recent filters: index 1), type, enter.
    let mut k = vec![Key::Char('f'), Key::Down, Key::Enter];
    k.extend(typed("^al"));
    keys(&mut a, &s, &k);
    assert_eq!(a.log.filter(), Some("^al"));
    assert_eq!(a.log.shown(&s.log).count(), 1);
    let mut k = vec![Key::Char('f'), Key::Down, Key::Enter];
    k.extend(typed("(bad"));
    keys(&mut a, &s, &k);
    assert!(
        a.notice().unwrap().starts_with("invalid filter `(bad`"),
        "{:?}",
        a.notice()
    );
    assert_eq!(a.log.filter(), Some("^al"));
    // "no filter" is first.
    keys(&mut a, &s, &[Key::Char('f'), Key::Up, Key::Enter]);
    assert_eq!(a.log.filter(), None);
    // The recent filter is offered again.
    keys(&mut a, &s, &[Key::Char('f'), Key::Down, Key::Enter]);
    assert_eq!(a.log.filter(), Some("^al"));
}

#[test]
fn save_clear_and_dedup_keys() {
    let s = with_log(&["circuit 1 closed", "circuit 2 closed"]);
    let mut a = app(false);
    let mut k = vec![Key::Char('a')];
    k.extend(typed("~/snap.txt"));
    let effects = keys(&mut a, &s, &k);
    assert_eq!(
        effects,
        [Effect::SaveLog {
            path: "~/snap.txt".into(),
            text: "2026-11-21 10:00:00 [NOTICE] circuit 2 closed [1 duplicate hidden]\n".into()
        }]
    );
    keys(&mut a, &s, &[Key::Char('u')]);
    assert_eq!(a.log.shown(&s.log).count(), 2);
    assert_eq!(a.notice(), Some("duplicate log messages shown"));
    // c asks first; anything but y keeps the log.
    keys(&mut a, &s, &[Key::Char('c'), Key::Char('n')]);
    assert_eq!(a.log.shown(&s.log).count(), 2);
    keys(&mut a, &s, &[Key::Char('c'), Key::Char('y')]);
    assert_eq!(a.log.shown(&s.log).count(), 0);
}
