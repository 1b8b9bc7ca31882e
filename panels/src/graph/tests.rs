use super::*;
use ratatui_core::style::Style;

fn style(bound: Bound, max_columns: usize) -> plot::PlotStyle {
    plot::PlotStyle {
        scale: Scale::Count,
        bits: false,
        bound,
        peak: 100.0,
        interval_seconds: 5,
        max_columns,
        style: Style::new(),
    }
}

#[test]
fn bounds_by_kind() {
    let shown = [4.0, 8.0, 6.0];
    assert_eq!(bounds(&shown, Bound::GlobalMax, 20.0), (0.0, 20.0));
    assert_eq!(bounds(&shown, Bound::LocalMax, 20.0), (0.0, 8.0));
    assert_eq!(bounds(&shown, Bound::Tight, 20.0), (4.0, 8.0));
    // Flat or empty data still gives a usable range.
    assert_eq!(bounds(&[], Bound::LocalMax, 0.0), (0.0, 1.0));
    assert_eq!(bounds(&[3.0, 3.0], Bound::Tight, 0.0), (3.0, 4.0));
}

#[test]
fn bars_newest_left_with_labels() {
    // 2 bar rows + axis; values newest first.
    let mut buf = Buffer::empty(Rect::new(0, 0, 8, 3));
    draw_plot(
        &[8.0, 4.0, 0.0, 2.0],
        style(Bound::LocalMax, 100),
        buf.area,
        &mut buf,
    );
    let expected = Buffer::with_lines(["8 █     ", "0 ██ ▄  ", "        "]);
    assert_eq!(buf, expected);
}

#[test]
fn tight_bound_starts_at_the_minimum() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 6, 2));
    draw_plot(
        &[10.0, 9.0, 9.5],
        style(Bound::Tight, 100),
        buf.area,
        &mut buf,
    );
    // One bar row: 10 is full, 9 is the floor (empty), 9.5 is half.
    let expected = Buffer::with_lines(["10 █ ▄", "      "]);
    assert_eq!(buf, expected);
}

#[test]
fn x_axis_labels_every_ten_columns() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 30, 2));
    draw_plot(&[1.0; 30], style(Bound::LocalMax, 100), buf.area, &mut buf);
    let axis: String = (0..30).map(|x| buf[(x, 1)].symbol().to_owned()).collect();
    // Label column is 2 wide ("1" + space); 10 columns of 5 s = 50s, centred on its column.
    // 20 columns: 100 s, `1m40s` (never `1m` again for 70 s, 80 s …).
    assert_eq!(axis.trim_end(), "           50s      1m40s");
}

#[test]
fn max_width_limits_columns() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 2));
    draw_plot(&[1.0; 10], style(Bound::LocalMax, 3), buf.area, &mut buf);
    let row: String = (0..10).map(|x| buf[(x, 0)].symbol().to_owned()).collect();
    assert_eq!(row, "1 ███     ");
}

#[test]
fn utc_parsing() {
    assert_eq!(parse_utc("1970-01-01 00:00:00"), Some(0));
    assert_eq!(parse_utc("2026-11-21 10:00:00"), Some(1_795_255_200));
    assert_eq!(parse_utc("2000-02-29 12:34:56"), Some(951_827_696));
    assert_eq!(parse_utc("garbage"), None);
}

#[test]
fn accounting_block_under_the_bandwidth_graph() {
    let mut state = ControllerState::default();
    state.facts.relay.accounting = Some(rnyx_model::Accounting {
        status: "awake".into(),
        read: 1 << 30,
        written: 2 << 30,
        read_left: 3 << 30,
        written_left: 2 << 30,
        interval_end: "2026-11-22 12:00:00".into(),
    });
    let now = parse_utc("2026-11-21 10:00:00").unwrap();
    let lines: Vec<String> = accounting_lines(&state, now)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        lines,
        [
            "Accounting (awake)    Time to reset: 1-02:00:00",
            "  read: 1.0 GB / 4.0 GB    written: 2.0 GB / 4.0 GB"
        ]
    );
    let mut panel = GraphPanel {
        stat: GraphStat::Bandwidth,
        interval: Interval::EachSecond,
        bound: Bound::LocalMax,
        height: 5,
        max_width: 100,
        bits: false,
        show_accounting: true,
    };
    assert_eq!(panel.panel_height(&state), 4 + 5 + 3);
    panel.show_accounting = false;
    assert_eq!(panel.panel_height(&state), 4 + 5);
    panel.stat = GraphStat::None;
    assert_eq!(panel.panel_height(&state), 0);
}
