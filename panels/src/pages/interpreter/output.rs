//! The interpreter's output: echoed commands, replies, notes and the
//! events its connection receives, bounded, and drawn from the newest up
//! so only the rows on screen are wrapped (a several-MB `ns/all` costs its
//! visible rows, not its size).

use crate::page::Response;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::style::Style;
use rnyx_model::InterpreterEvents;
use std::collections::VecDeque;

/// Lines kept in all.
pub const KEPT: usize = 5000;
/// Lines of one reply kept; the rest is counted.
pub const REPLY_LINES: usize = 2000;
/// Characters of one line kept.
const LINE_CHARS: usize = 4000;

use crate::interp::Ask;
pub use crate::interp::Kind;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// Events received before this line (their count then).
    events_at: u64,
    kind: Kind,
    text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Backlog {
    entries: VecDeque<Entry>,
}

impl Backlog {
    pub fn push(&mut self, events_at: u64, kind: Kind, text: &str) {
        // What tor sent may hold a secret (SOCKS credentials in an event, a
        // password option's value): hidden before it is kept or shown.
        let text = match kind {
            Kind::Echo => std::borrow::Cow::Borrowed(text),
            _ => rnyx_grammar::secret::redact(text, rnyx_grammar::secret::Direction::FromTor),
        };
        let mut text = rnyx_model::text::strip_controls(&text);
        if text.len() > LINE_CHARS {
            let cut = (0..=LINE_CHARS)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            text.truncate(cut);
            text.push('…');
        }
        self.entries.push_back(Entry {
            events_at,
            kind,
            text,
        });
        while self.entries.len() > KEPT {
            self.entries.pop_front();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The text of every line, oldest first (for tests).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.text.as_str())
    }

    /// A bound for scrolling to the top: rows are at least lines.
    pub fn rows_hint(&self) -> usize {
        self.entries.len() * 4
    }

    /// tor's answer to `ask` under its command, at most [`REPLY_LINES`]
    /// of it (the rest counted).
    pub fn answer(&mut self, at: u64, ask: &Ask, response: &Response) {
        let (lines, _) = crate::interp::answer_lines(ask, response);
        let mut kept = 0usize;
        let mut dropped = (0usize, 0usize);
        for (kind, text) in lines {
            if kept < REPLY_LINES {
                self.push(at, kind, &text);
                kept += 1;
            } else {
                dropped.0 += 1;
                dropped.1 += text.len() + 1;
            }
        }
        if dropped.0 > 0 {
            self.push(
                at,
                Kind::Note,
                &format!(
                    "… {} more lines ({} KB) not kept",
                    dropped.0,
                    dropped.1.div_ceil(1024)
                ),
            );
        }
    }

    /// Draws the newest rows that fit, `scroll` rows back, with the events
    /// numbered above `from` among the lines by when they came. Returns
    /// the furthest scroll there is content for.
    pub fn draw(
        &self,
        events: &InterpreterEvents,
        from: u64,
        scroll: usize,
        theme: Theme,
        area: Rect,
        buf: &mut Buffer,
    ) -> usize {
        let height = usize::from(area.height);
        let width = usize::from(area.width);
        let wanted = height + scroll;
        // Rows from the newest up.
        let mut rows: Vec<(String, Style)> = Vec::with_capacity(wanted);
        let style = |kind: Kind| match kind {
            Kind::Echo => theme.bold().patch(theme.primary()),
            Kind::Reply => theme.plain(),
            Kind::ReplyError | Kind::Error => theme.error(),
            Kind::Event => theme.warning(),
            Kind::Note => theme.secondary(),
        };
        let add = |text: &str, kind: Kind, rows: &mut Vec<(String, Style)>| {
            let text = if kind == Kind::Echo {
                format!(">>> {text}")
            } else {
                text.to_owned()
            };
            for row in rnyx_model::text::wrap(&text, width, 4).into_iter().rev() {
                rows.push((row, style(kind)));
            }
        };
        let first_kept = events.first_number();
        let event = |n: u64| events.list.get(usize::try_from(n - first_kept).ok()?);
        let mut next = events.total;
        let mut done = true;
        for e in self.entries.iter().rev() {
            while next > e.events_at && next > from && next >= first_kept {
                if let Some((_, text)) = event(next) {
                    add(text, Kind::Event, &mut rows);
                }
                next -= 1;
            }
            next = next.min(e.events_at);
            if rows.len() >= wanted {
                done = false;
                break;
            }
            add(&e.text, e.kind, &mut rows);
        }
        if done {
            while next > from && next >= first_kept && rows.len() < wanted {
                if let Some((_, text)) = event(next) {
                    add(text, Kind::Event, &mut rows);
                }
                next -= 1;
            }
            done = !(next > from && next >= first_kept);
        }
        let scroll = scroll.min(rows.len().saturating_sub(height));
        let shown: Vec<&(String, Style)> = rows.iter().skip(scroll).take(height).collect();
        // The newest row at the bottom.
        for (i, (text, style)) in shown.iter().enumerate() {
            let y = area.y + area.height - 1 - u16::try_from(i).unwrap_or(0);
            buf.set_stringn(area.x, y, text, width, *style);
        }
        if done {
            rows.len().saturating_sub(height)
        } else {
            usize::MAX
        }
    }
}
