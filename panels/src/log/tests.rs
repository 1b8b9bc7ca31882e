use super::*;
use rnyx_model::{EventSelection, LogSource, Runlevel};

const DAY_MS: u64 = 86_400_000;
/// 2026-11-21 10:00:00 UTC.
const T0: u64 = 1_795_255_200_000;

fn push(state: &mut ControllerState, t: u64, source: LogSource, m: &str) {
    state.push_log(LogEntry::new(t, source, m.to_owned()));
}

fn tor(l: Runlevel) -> LogSource {
    LogSource::Tor(l)
}

fn texts(panel: &LogPanel, state: &ControllerState) -> Vec<String> {
    panel
        .shown(&state.logs.log)
        .map(|e| panel.entry_text(e))
        .collect()
}

#[test]
fn wrap_at_spaces_with_a_limit() {
    assert_eq!(wrap("short", 10, 3), ["short"]);
    assert_eq!(
        wrap("aaaa bbbb cccc dddd", 10, 8),
        ["aaaa bbbb", "  cccc", "  dddd"]
    );
    // No space: hard cut.
    assert_eq!(
        wrap("abcdefghijkl", 5, 8),
        ["abcde", "  fgh", "  ijk", "  l"]
    );
    // Cut short at the row limit.
    assert_eq!(
        wrap("aaaa bbbb cccc dddd eeee", 10, 2),
        ["aaaa bbbb", "  cccc dd…"]
    );
    // Multibyte text is cut at characters, never inside one.
    assert_eq!(wrap("ééééé ééééé", 6, 4), ["ééééé", "  éééé", "  é"]);
}

#[test]
fn dedup_hides_older_duplicates_and_counts_them() {
    let mut s = ControllerState::default();
    for i in 0..3 {
        push(
            &mut s,
            T0 + i * 1000,
            tor(Runlevel::Notice),
            &format!("circuit {i} closed"),
        );
    }
    push(&mut s, T0 + 5000, tor(Runlevel::Warn), "other");
    let mut p = LogPanel::new(true, 4, 0);
    assert_eq!(
        texts(&p, &s),
        [
            "10:00:05 [WARN] other",
            "10:00:02 [NOTICE] circuit 2 closed [2 duplicates hidden]"
        ]
    );
    p.deduplicate = false;
    assert_eq!(texts(&p, &s).len(), 4);
}

#[test]
fn filter_keeps_five_recent_and_rejects_bad_regex() {
    let mut s = ControllerState::default();
    push(
        &mut s,
        T0,
        tor(Runlevel::Notice),
        "Bootstrapped 100% (done): Done",
    );
    push(
        &mut s,
        T0,
        LogSource::Event("CIRC".into()),
        "5 BUILT relay0",
    );
    push(&mut s, T0, tor(Runlevel::Warn), "clock skew");
    let mut p = LogPanel::new(true, 4, 0);
    p.set_filter("Boot|skew").unwrap();
    assert_eq!(texts(&p, &s).len(), 2);
    // The event type matches too.
    p.set_filter("^CIRC$").unwrap();
    assert_eq!(texts(&p, &s), ["10:00:00 [CIRC] 5 BUILT relay0"]);
    let err = p.set_filter("(unclosed").unwrap_err();
    assert!(err.starts_with("invalid filter `(unclosed`: "), "{err}");
    assert_eq!(p.filter(), Some("^CIRC$"), "a bad filter keeps the old one");
    for f in ["a", "b", "c", "d", "e", "a"] {
        p.set_filter(f).unwrap();
    }
    assert_eq!(p.recent_filters(), ["a", "e", "d", "c", "b"]);
    p.set_filter("").unwrap();
    assert_eq!(p.filter(), None);
    assert_eq!(texts(&p, &s).len(), 3);
}

#[test]
fn dividers_group_earlier_days() {
    let mut s = ControllerState::default();
    push(
        &mut s,
        T0 - 2 * DAY_MS,
        tor(Runlevel::Notice),
        "two days ago",
    );
    push(&mut s, T0 - DAY_MS, tor(Runlevel::Notice), "yesterday a");
    push(
        &mut s,
        T0 - DAY_MS + 1,
        tor(Runlevel::Notice),
        "yesterday b",
    );
    push(&mut s, T0, tor(Runlevel::Notice), "today");
    let p = LogPanel::new(false, 4, 0);
    let rows: Vec<String> = p
        .rows(&s.logs.log, 80, T0)
        .into_iter()
        .map(|r| match r {
            Row::Divider(d) => format!("-- {d}"),
            Row::Text { text, .. } => text,
        })
        .collect();
    assert_eq!(
        rows,
        [
            "10:00:00 [NOTICE] today",
            "-- November 20, 2026",
            "10:00:00 [NOTICE] yesterday b",
            "10:00:00 [NOTICE] yesterday a",
            "-- November 19, 2026",
            "10:00:00 [NOTICE] two days ago",
        ]
    );
}

#[test]
fn clear_hides_what_came_before() {
    let mut s = ControllerState::default();
    push(&mut s, T0, tor(Runlevel::Notice), "old");
    let mut p = LogPanel::new(true, 4, 0);
    p.clear(&s.logs.log);
    assert!(texts(&p, &s).is_empty());
    push(&mut s, T0, tor(Runlevel::Notice), "new");
    assert_eq!(texts(&p, &s), ["10:00:00 [NOTICE] new"]);
}

#[test]
fn snapshot_is_oldest_first_with_dates() {
    let mut s = ControllerState::default();
    push(&mut s, T0 - DAY_MS, tor(Runlevel::Notice), "first");
    push(&mut s, T0, tor(Runlevel::Err), "second");
    let p = LogPanel::new(true, 4, 3600);
    assert_eq!(
        p.snapshot(&s.logs.log),
        "2026-11-20 11:00:00 [NOTICE] first\n2026-11-21 11:00:00 [ERR] second\n"
    );
}

#[test]
fn title_condenses_runlevels() {
    let mut s = ControllerState::default();
    let p = LogPanel::new(true, 4, 0);
    let title = |s: &mut ControllerState, events: &[&str]| {
        s.logs.logged_events = EventSelection::parse(events.iter().copied()).0;
        p.title(s)
    };
    assert_eq!(
        title(&mut s, &["NOTICE", "WARN", "ERR"]),
        "Events (TOR/RNYX NOTICE-ERR):"
    );
    assert_eq!(
        title(
            &mut s,
            &[
                "DEBUG",
                "INFO",
                "NOTICE",
                "WARN",
                "ERR",
                "CIRC",
                "RNYX_WARN",
                "RNYX_ERR"
            ]
        ),
        "Events (TOR DEBUG-ERR, RNYX WARN-ERR, CIRC):"
    );
    assert_eq!(
        title(&mut s, &["DEBUG", "NOTICE", "WARN", "ERR"]),
        "Events (TOR DEBUG,NOTICE-ERR, RNYX NOTICE-ERR):"
    );
    assert_eq!(
        title(&mut s, &["DEBUG", "WARN", "BW"]),
        "Events (TOR DEBUG,WARN, RNYX NOTICE-ERR, BW):"
    );
    let mut p = p.clone();
    p.set_filter("x+").unwrap();
    assert_eq!(
        p.title(&s),
        "Events (TOR DEBUG,WARN, RNYX NOTICE-ERR, BW, filter: x+):"
    );
}

#[test]
fn rnyx_messages_follow_their_runlevels() {
    let mut s = ControllerState::default();
    push(
        &mut s,
        T0,
        LogSource::Rnyx(Runlevel::Info),
        "hidden by default",
    );
    push(
        &mut s,
        T0,
        LogSource::Rnyx(Runlevel::Notice),
        "shown by default",
    );
    s.logs.logged_events = EventSelection::parse(["RNYX_INFO"]).0;
    push(&mut s, T0, LogSource::Rnyx(Runlevel::Info), "now shown");
    push(&mut s, T0, LogSource::Rnyx(Runlevel::Warn), "now hidden");
    let m: Vec<&str> = s.logs.log.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(m, ["shown by default", "now shown"]);
}

#[test]
fn scrolls_and_clamps_with_a_scrollbar() {
    let s = ten_entries();
    let mut p = LogPanel::new(false, 4, 0);
    let draw = |p: &LogPanel| draw_rows(p, &s);
    let top = draw(&p);
    assert!(top[0].ends_with("10:00:09 [NOTICE] entry 9"), "{top:?}");
    // The scrollbar is in the first column.
    assert!(top.iter().all(|r| !r.starts_with(' ')), "{top:?}");
    p.scroll_down(2);
    assert!(draw(&p)[0].ends_with("entry 7"));
    assert_eq!(p.page(), 3);
    p.scroll_to_bottom();
    let bottom = draw(&p);
    assert!(bottom[2].ends_with("entry 0"), "{bottom:?}");
    p.scroll_up(100);
    assert_eq!(draw(&p), top);
}

#[test]
fn scrolled_down_the_view_stays_on_its_entries() {
    let mut s = ten_entries();
    let mut p = LogPanel::new(false, 4, 0);
    let top_row = |p: &LogPanel, s: &ControllerState| draw_rows(p, s)[0].clone();
    assert!(top_row(&p, &s).ends_with("entry 9"));
    p.scroll_down(3);
    assert!(top_row(&p, &s).ends_with("entry 6"));
    // New entries arrive: the view does not move.
    for i in 10..13 {
        push(
            &mut s,
            T0 + i * 1000,
            tor(Runlevel::Notice),
            &format!("entry {i}"),
        );
    }
    assert!(top_row(&p, &s).ends_with("entry 6"));
    // Keys move from where the view is.
    p.scroll_up(1);
    assert!(top_row(&p, &s).ends_with("entry 7"));
    // At the top it follows the newest again.
    p.scroll_to_top();
    assert!(top_row(&p, &s).ends_with("entry 12"));
    push(&mut s, T0 + 13_000, tor(Runlevel::Notice), "entry 13");
    assert!(top_row(&p, &s).ends_with("entry 13"));
}

/// Ten NOTICE entries, `entry 0` to `entry 9`, a second apart.
fn ten_entries() -> ControllerState {
    let mut s = ControllerState::default();
    for i in 0..10 {
        push(
            &mut s,
            T0 + i * 1000,
            tor(Runlevel::Notice),
            &format!("entry {i}"),
        );
    }
    s
}

/// The three content rows of the panel drawn at 40×4 (title row left out).
fn draw_rows(p: &LogPanel, s: &ControllerState) -> Vec<String> {
    use ratatui_core::buffer::Buffer;
    use ratatui_core::layout::Rect;
    let area = Rect::new(0, 0, 40, 4);
    let mut buf = Buffer::empty(area);
    p.render(s, T0, crate::theme::Theme { color: false }, area, &mut buf);
    (1..4)
        .map(|y| {
            (0..40)
                .map(|x| buf[(x, y)].symbol().to_owned())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect()
}

#[test]
fn a_warning_expected_here_is_marked_with_why() {
    let mut s = ControllerState::default();
    push(
        &mut s,
        T0,
        tor(Runlevel::Warn),
        "TestingTorNetwork is set. Beware.",
    );
    push(
        &mut s,
        T0 + 1000,
        tor(Runlevel::Notice),
        "TestingTorNetwork is set",
    );
    push(
        &mut s,
        T0 + 2000,
        tor(Runlevel::Warn),
        "Something else went wrong",
    );
    let mut p = LogPanel::new(false, 4, 0);
    p.expected.push(Expected {
        words: "TestingTorNetwork is set".into(),
        why: "this is a test network".into(),
    });
    let t = texts(&p, &s);
    assert_eq!(t[0], "10:00:02 [WARN] Something else went wrong");
    // Only a warning is marked.
    assert_eq!(t[1], "10:00:01 [NOTICE] TestingTorNetwork is set");
    assert_eq!(
        t[2],
        "10:00:00 [WARN, expected] TestingTorNetwork is set. Beware. (expected here: this is a test network)"
    );
}
