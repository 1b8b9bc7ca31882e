//! The alerts list: every alert active, worst first, each with its relay,
//! since when, what rnyx saw, tor's words and what to do. Drawn from the
//! state as it is now; Up/Down and Page Up/Down scroll it, any other key
//! or a click closes it.

use crate::format;
use crate::keymap::Key;
use crate::page::{Cx, Mouse, MouseKind, View};
use crate::popup::{draw_box, Step};
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::style::Style;
use ratatui_core::text::{Line, Span};
use rnyx_model::health::{Alert, Severity};
use std::cell::Cell;

/// The alerts popup; `first`: the first row shown.
#[derive(Default)]
pub(super) struct AlertsList {
    first: usize,
    /// Rows there were to show at the last draw, and rows shown.
    rows: Cell<(usize, usize)>,
}

/// Every relay's alerts with its name: the fleet's, else this state's.
fn alerts<'a>(view: &View<'a>) -> Vec<(String, &'a Alert)> {
    if view.fleet.len() > 1 {
        view.fleet
            .iter()
            .flat_map(|r| r.alerts.iter().map(move |a| (r.name.clone(), a)))
            .collect()
    } else {
        let name = view
            .state
            .facts
            .relay
            .nickname
            .clone()
            .unwrap_or_else(|| "tor".into());
        view.state
            .health
            .active
            .iter()
            .map(|a| (name.clone(), a))
            .collect()
    }
}

/// The list's lines at `width` characters.
fn lines(view: &View, width: usize) -> Vec<Line<'static>> {
    let mut all = alerts(view);
    all.sort_by(|a, b| {
        b.1.severity
            .cmp(&a.1.severity)
            .then(a.1.since.cmp(&b.1.since))
    });
    if all.is_empty() {
        return vec![Line::raw("Nothing is wrong: no alert is active.")];
    }
    let theme = view.theme;
    let mut out = Vec::new();
    for (relay, a) in all {
        let rule = a.rule();
        let (label, style): (&str, Style) = match a.severity {
            Severity::Critical => ("CRITICAL", theme.error()),
            Severity::Warning => ("WARNING ", theme.warning()),
        };
        let when = format!(
            "since {} ({} ago)",
            format::clock(a.since),
            format::short_duration(view.now.saturating_sub(a.since))
        );
        out.push(Line::from(vec![
            Span::styled(label.to_owned(), style),
            Span::raw(format!(
                " {}  {when}  {}",
                rnyx_model::text::strip_controls(&relay),
                rule.title
            )),
        ]));
        let mut detail: Vec<String> = Some(a.detail.clone())
            .filter(|d| !d.is_empty())
            .into_iter()
            .collect();
        if let Some(w) = &a.words {
            detail.push(format!("tor: {w}"));
        }
        detail.push(format!("to do: {}", rule.advice));
        for d in detail {
            for row in crate::log::wrap(
                &rnyx_model::text::strip_controls(&d),
                width.saturating_sub(9).max(10),
                4,
            ) {
                out.push(Line::raw(format!("         {row}")));
            }
        }
    }
    out
}

impl crate::popup::Popup for AlertsList {
    fn key(&mut self, key: Key, _cx: &mut Cx) -> Step {
        let (total, shown) = self.rows.get();
        let last = total.saturating_sub(shown);
        self.first = match key {
            Key::Up => self.first.saturating_sub(1),
            Key::Down => (self.first + 1).min(last),
            Key::PageUp => self.first.saturating_sub(shown.max(1)),
            Key::PageDown => (self.first + shown.max(1)).min(last),
            _ => return Step::Close,
        };
        Step::Stay
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) -> Step {
        match m.kind {
            MouseKind::Click => Step::Close,
            _ => Step::Stay,
        }
    }

    fn draw(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let width = usize::from(area.width.saturating_sub(4)).min(110);
        let all = lines(view, width);
        let room = usize::from(area.height.saturating_sub(4));
        let first = self.first.min(all.len().saturating_sub(room));
        self.rows.set((all.len(), room));
        let count = all.len();
        let mut shown: Vec<Line> = all.into_iter().skip(first).take(room).collect();
        shown.push(Line::raw(""));
        shown.push(Line::raw(if count > room {
            "Up/Down to scroll, any other key closes."
        } else {
            "Press any key to close."
        }));
        let n: usize = alerts(view).len();
        draw_box(&format!("Alerts ({n})"), shown, view.theme, area, buf);
    }
}
