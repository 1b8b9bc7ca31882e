//! The event-selection dialog (`e`): checkboxes for tor's runlevels, rnyx's
//! runlevels and every other event tor knows, a line describing the
//! highlighted one, and Ok / Cancel. Ok yields the new selection; applying
//! it is the I/O side's business.

use crate::keymap::Key;
use crate::page::{HitMap, Mouse, MouseKind};
use crate::popup::centered;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::Line;
use ratatui_core::widgets::Widget;
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;
use rnyx_model::{EventSelection, Runlevel, KNOWN_EVENTS};

/// One line on what an event reports.
pub fn description(name: &str) -> &'static str {
    match name {
        "DEBUG" => "tor's log at debug level: everything, very many lines",
        "INFO" => "tor's log at info level: what a developer would want to see",
        "NOTICE" => "tor's log at notice level: what an operator should know",
        "WARN" => "tor's log at warn level: something is probably wrong",
        "ERR" => "tor's log at err level: something is very wrong",
        "RNYX_DEBUG" => "rnyx's own messages: debugging detail",
        "RNYX_INFO" => "rnyx's own messages: what it is doing",
        "RNYX_NOTICE" => "rnyx's own messages: (re)connections and choices",
        "RNYX_WARN" => "rnyx's own messages: problems it worked around",
        "RNYX_ERR" => "rnyx's own messages: failures",
        "CIRC" => "circuit status changed (launched, built, extended, failed, closed)",
        "CIRC_MINOR" => "circuit purpose or hidden-service state changed",
        "STREAM" => "stream status changed",
        "ORCONN" => "connection to another relay changed status",
        "BW" => "bytes read and written in the last second",
        "NEWDESC" => "new relay descriptors arrived",
        "ADDRMAP" => "a new address mapping (DNS answer or MapAddress)",
        "DESCCHANGED" => "our own relay descriptor changed",
        "NS" => "router status entries changed",
        "STATUS_GENERAL" => "general status (clock skew, bug reports, danger)",
        "STATUS_CLIENT" => "client status (bootstrap, circuits established)",
        "STATUS_SERVER" => "relay status (reachability, address, accounting)",
        "GUARD" => "an entry guard changed status",
        "STREAM_BW" => "bytes read and written per stream",
        "CLIENTS_SEEN" => "countries of clients seen by a bridge",
        "NEWCONSENSUS" => "a new consensus arrived",
        "BUILDTIMEOUT_SET" => "the circuit build timeout was recomputed",
        "SIGNAL" => "tor received a signal",
        "CONF_CHANGED" => "tor's configuration changed",
        "CONN_BW" => "bytes read and written per connection",
        "CELL_STATS" => "cells sent and received per circuit (TestingTorNetwork)",
        "CIRC_BW" => "bytes read and written per circuit",
        "TRANSPORT_LAUNCHED" => "a pluggable transport was launched",
        "HS_DESC" => "onion service descriptor fetched or uploaded",
        "HS_DESC_CONTENT" => "onion service descriptor content",
        "NETWORK_LIVENESS" => "the network went up or down",
        _ => "",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    name: String,
    label: String,
    checked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    Item { row: usize, col: usize },
    Ok,
    Cancel,
}

/// What a key did to the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogStep {
    Open,
    Cancel,
    /// The new selection.
    Apply(EventSelection),
}

/// Columns of the events section.
const COLUMNS: usize = 3;
const CELL: usize = 24;
const HEADINGS: [&str; 3] = ["tor runlevels", "rnyx runlevels", "events"];

#[derive(Debug, Clone)]
pub struct EventDialog {
    items: Vec<Item>,
    /// Item indices a row, rows grouped by section.
    rows: Vec<Vec<usize>>,
    /// First row of each section.
    section_rows: [usize; 3],
    cursor: Cursor,
    /// Checkboxes and buttons as drawn last.
    hits: HitMap<Cursor>,
}

impl EventDialog {
    /// A dialog showing `selected` checked, offering `tor_events` (tor's
    /// `events/names`; the known list when empty).
    pub fn new(selected: &EventSelection, tor_events: &[String]) -> Self {
        let item = |name: &str, label: &str, checked: bool| Item {
            name: name.to_owned(),
            label: label.to_owned(),
            checked,
        };
        let mut items: Vec<Item> = Runlevel::ALL
            .iter()
            .map(|l| item(l.as_str(), l.as_str(), selected.shows_tor(*l)))
            .collect();
        items.extend(
            Runlevel::ALL
                .iter()
                .map(|l| item(l.rnyx_name(), l.as_str(), selected.shows_rnyx(*l))),
        );
        let mut others: Vec<String> = if tor_events.is_empty() {
            KNOWN_EVENTS.iter().map(|s| (*s).to_owned()).collect()
        } else {
            tor_events.to_vec()
        };
        // Keep a selected event tor did not list, so Ok does not drop it.
        others.extend(selected.others().iter().cloned());
        others.retain(|n| n.parse::<Runlevel>().is_err() && !n.starts_with("RNYX_"));
        others.sort();
        others.dedup();
        items.extend(others.iter().map(|n| item(n, n, selected.logs_event(n))));

        let mut rows = vec![(0..5).collect(), (5..10).collect::<Vec<_>>()];
        let indices: Vec<usize> = (10..items.len()).collect();
        rows.extend(indices.chunks(COLUMNS).map(<[usize]>::to_vec));
        Self {
            items,
            rows,
            section_rows: [0, 1, 2],
            cursor: Cursor::Item { row: 0, col: 0 },
            hits: HitMap::default(),
        }
    }

    /// The selection as checked.
    pub fn selection(&self) -> EventSelection {
        let mut s = EventSelection::none();
        for (i, item) in self.items.iter().enumerate().filter(|(_, i)| i.checked) {
            match i {
                0..5 => s.set_tor(Runlevel::ALL[i], true),
                5..10 => s.set_rnyx(Runlevel::ALL[i - 5], true),
                _ => s.add_other(item.name.clone()),
            }
        }
        s
    }

    /// The name under the cursor, if it is on an event.
    pub fn highlighted(&self) -> Option<&str> {
        match self.cursor {
            Cursor::Item { row, col } => Some(&self.items[self.rows[row][col]].name),
            _ => None,
        }
    }

    pub fn key(&mut self, key: Key) -> DialogStep {
        let last_row = self.rows.len() - 1;
        self.cursor = match (self.cursor, key) {
            (_, Key::Esc) | (Cursor::Cancel, Key::Enter | Key::Char(' ')) => {
                return DialogStep::Cancel
            }
            (Cursor::Ok, Key::Enter | Key::Char(' ')) => {
                return DialogStep::Apply(self.selection())
            }
            (Cursor::Item { row, col }, Key::Enter | Key::Char(' ')) => {
                let i = self.rows[row][col];
                self.items[i].checked = !self.items[i].checked;
                self.cursor
            }
            (Cursor::Item { row, col }, Key::Up) if row > 0 => Cursor::Item {
                row: row - 1,
                col: col.min(self.rows[row - 1].len() - 1),
            },
            (Cursor::Item { row, col }, Key::Down) if row < last_row => Cursor::Item {
                row: row + 1,
                col: col.min(self.rows[row + 1].len() - 1),
            },
            (Cursor::Item { row, .. }, Key::Down) if row == last_row => Cursor::Ok,
            (Cursor::Item { row, col }, Key::Left) if col > 0 => Cursor::Item { row, col: col - 1 },
            (Cursor::Item { row, col }, Key::Right) if col + 1 < self.rows[row].len() => {
                Cursor::Item { row, col: col + 1 }
            }
            (Cursor::Ok | Cursor::Cancel, Key::Up) => Cursor::Item {
                row: last_row,
                col: 0,
            },
            (Cursor::Ok, Key::Right | Key::Tab) => Cursor::Cancel,
            (Cursor::Cancel, Key::Left | Key::BackTab) | (Cursor::Item { .. }, Key::Tab) => {
                Cursor::Ok
            }
            (c, _) => c,
        };
        DialogStep::Open
    }

    /// A click on a checkbox toggles it, on a button presses it; the wheel
    /// moves up and down.
    pub fn mouse(&mut self, m: Mouse) -> DialogStep {
        match m.kind {
            MouseKind::WheelUp => self.key(Key::Up),
            MouseKind::WheelDown => self.key(Key::Down),
            MouseKind::Click => match self.hits.at(m.column, m.row) {
                Some(c) => {
                    self.cursor = c;
                    self.key(Key::Enter)
                }
                None => DialogStep::Open,
            },
        }
    }

    pub fn render(&self, theme: Theme, area: Rect, buf: &mut Buffer) {
        self.hits.clear();
        let width = u16::try_from(COLUMNS * CELL + 4).unwrap_or(u16::MAX);
        let height = u16::try_from(self.rows.len() + 3 + 5).unwrap_or(u16::MAX);
        let rect = centered(area, width, height);
        Clear.render(rect, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Line::styled(" Events shown in the log ", theme.title()));
        let inner = block.inner(rect);
        block.render(rect, buf);
        let w = usize::from(inner.width);
        let mut y = inner.y;
        let bottom = inner.y + inner.height;
        let mut put = |y: &mut u16, x: u16, text: &str, style| {
            if *y < bottom && x < inner.x + inner.width {
                let room = w.saturating_sub(usize::from(x - inner.x));
                buf.set_stringn(x, *y, text, room, style);
            }
        };
        for (r, row) in self.rows.iter().enumerate() {
            if let Some(s) = self.section_rows.iter().position(|&s| s == r) {
                put(&mut y, inner.x, &format!("{}:", HEADINGS[s]), theme.bold());
                y += 1;
            }
            let cell = if r < 2 { 12 } else { CELL };
            for (c, &i) in row.iter().enumerate() {
                let item = &self.items[i];
                let text = format!("[{}] {}", if item.checked { 'x' } else { ' ' }, item.label);
                let style = if self.cursor == (Cursor::Item { row: r, col: c }) {
                    theme.highlight()
                } else {
                    theme.plain()
                };
                let x = inner.x + 1 + u16::try_from(c * cell).unwrap_or(u16::MAX);
                put(&mut y, x, &text, style);
                if y < bottom {
                    let w = u16::try_from(text.chars().count()).unwrap_or(0);
                    self.hits
                        .add(Rect::new(x, y, w, 1), Cursor::Item { row: r, col: c });
                }
            }
            y += 1;
        }
        y += 1;
        let about = self.highlighted().map_or("", description);
        put(&mut y, inner.x, about, theme.secondary());
        y += 1;
        let button = |c: Cursor| {
            if self.cursor == c {
                theme.highlight()
            } else {
                theme.plain()
            }
        };
        put(&mut y, inner.x + 1, "[ Ok ]", button(Cursor::Ok));
        put(&mut y, inner.x + 9, "[ Cancel ]", button(Cursor::Cancel));
        if y < bottom {
            self.hits.add(Rect::new(inner.x + 1, y, 6, 1), Cursor::Ok);
            self.hits
                .add(Rect::new(inner.x + 9, y, 10, 1), Cursor::Cancel);
        }
    }
}

impl crate::popup::Popup for EventDialog {
    fn key(&mut self, key: Key, _cx: &mut crate::page::Cx) -> crate::popup::Step {
        EventDialog::key(self, key).into()
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut crate::page::Cx) -> crate::popup::Step {
        EventDialog::mouse(self, m).into()
    }

    fn draw(&self, view: &crate::page::View, area: Rect, buf: &mut Buffer) {
        self.render(view.theme, area, buf);
    }
}

impl From<DialogStep> for crate::popup::Step {
    fn from(o: DialogStep) -> Self {
        use crate::popup::{Answer, Step};
        match o {
            DialogStep::Open => Step::Stay,
            DialogStep::Cancel => Step::Close,
            DialogStep::Apply(selection) => Step::Done(Answer::Events(selection)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn selection(v: &[&str]) -> EventSelection {
        EventSelection::parse(v.iter().copied()).0
    }

    #[test]
    fn toggles_and_applies() {
        let mut d = EventDialog::new(&selection(&["NOTICE", "WARN", "ERR", "BW"]), &[]);
        assert_eq!(d.highlighted(), Some("DEBUG"));
        assert_eq!(d.key(Key::Char(' ')), DialogStep::Open);
        // Down into rnyx's runlevels, then into the events (ADDRMAP first).
        d.key(Key::Down);
        assert_eq!(d.highlighted(), Some("RNYX_DEBUG"));
        d.key(Key::Down);
        assert_eq!(d.highlighted(), Some("ADDRMAP"));
        d.key(Key::Right);
        assert_eq!(d.highlighted(), Some("BUILDTIMEOUT_SET"));
        d.key(Key::Down);
        assert_eq!(d.highlighted(), Some("CIRC"));
        d.key(Key::Enter);
        d.key(Key::Tab);
        let DialogStep::Apply(s) = d.key(Key::Enter) else {
            panic!("Ok applies")
        };
        assert_eq!(
            s.names(),
            names(&[
                "DEBUG",
                "NOTICE",
                "WARN",
                "ERR",
                "RNYX_NOTICE",
                "RNYX_WARN",
                "RNYX_ERR",
                "BW",
                "CIRC"
            ])
        );
    }

    #[test]
    fn escape_and_cancel_change_nothing() {
        let mut d = EventDialog::new(&selection(&["NOTICE"]), &[]);
        d.key(Key::Enter);
        assert_eq!(d.key(Key::Esc), DialogStep::Cancel);
        let mut d = EventDialog::new(&selection(&["NOTICE"]), &[]);
        d.key(Key::Tab);
        d.key(Key::Right);
        assert_eq!(d.key(Key::Enter), DialogStep::Cancel);
    }

    #[test]
    fn offers_what_tor_knows_and_keeps_unknown_selections() {
        let tor = names(&["CIRC", "DEBUG", "NOTICE", "NEW_THING"]);
        let mut chosen = EventSelection::none();
        chosen.add_other("FOO".into());
        let d = EventDialog::new(&chosen, &tor);
        let events: Vec<&str> = d.items[10..].iter().map(|i| i.name.as_str()).collect();
        assert_eq!(events, ["CIRC", "FOO", "NEW_THING"]);
        assert_eq!(d.selection(), chosen);
        // Unchecking every rnyx runlevel means none of rnyx's messages.
        let d = EventDialog::new(&selection(&["RNYX_DEBUG"]), &tor);
        assert_eq!(d.selection().names(), ["RNYX_DEBUG"]);
    }
}
