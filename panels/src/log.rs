//! The event log panel: tor's runlevels, rnyx's own messages and any other
//! subscribed event, newest first. Deduplication, the regex filter, scroll
//! position and "cleared" mark are view state kept here; the entries are the
//! model's.

use crate::format;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::Line;
use regex::Regex;
use rnyx_model::{ControllerState, LogBuffer, LogEntry, LogSource};
use std::cell::Cell;
use std::fmt::Write as _;

/// Entries counted beyond the drawn rows for the scrollbar, at most.
const COUNT_AHEAD: usize = 10_000;

/// How many filters the filter menu remembers.
pub const RECENT_FILTERS: usize = 5;

#[derive(Debug, Clone)]
struct Filter {
    text: String,
    regex: Regex,
}

/// View state of the log panel.
#[derive(Debug, Clone)]
pub struct LogPanel {
    /// Hide older duplicates (`u`).
    pub deduplicate: bool,
    /// A long entry wraps onto at most this many rows.
    pub max_line_wrap: usize,
    /// Seconds east of UTC for times and date dividers.
    pub utc_offset: i32,
    filter: Option<Filter>,
    recent_filters: Vec<String>,
    /// Rows scrolled down from the newest entry (as drawn last, then as the
    /// keys move it).
    scroll: Cell<usize>,
    /// Scrolled down, the view stays on the same entries as new ones arrive:
    /// the entry at the top row at the last draw (by sequence number) and
    /// the top row's offset from that entry's first row.
    anchor: Cell<Option<(u64, usize)>>,
    /// Entries numbered below this were cleared from view.
    cleared_through: u64,
    /// Rows of content at the last draw, for paging.
    page_rows: Cell<usize>,
    /// The furthest the last draw could scroll.
    max_scroll: Cell<usize>,
    /// Warnings of tor's that are expected where rnyx runs (the demo's test
    /// network): shown dim, marked, with why.
    pub expected: Vec<Expected>,
    /// Scrolled to the oldest entries (End), and kept there.
    at_oldest: bool,
}

/// A warning of tor's expected here: the words that tell it, and why it is
/// nothing to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub words: String,
    pub why: String,
}

/// One row of the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Row<'a> {
    Divider(String),
    Text {
        text: String,
        source: &'a LogSource,
        seq: u64,
        /// A warning expected here: drawn dim.
        expected: bool,
    },
}

impl Row<'_> {
    fn seq(&self) -> Option<u64> {
        match self {
            Row::Text { seq, .. } => Some(*seq),
            Row::Divider(_) => None,
        }
    }
}

impl LogPanel {
    pub fn new(deduplicate: bool, max_line_wrap: usize, utc_offset: i32) -> Self {
        Self {
            deduplicate,
            max_line_wrap: max_line_wrap.max(1),
            utc_offset,
            filter: None,
            recent_filters: Vec::new(),
            scroll: Cell::new(0),
            anchor: Cell::new(None),
            cleared_through: 0,
            page_rows: Cell::new(10),
            max_scroll: Cell::new(0),
            expected: Vec::new(),
            at_oldest: false,
        }
    }

    pub fn filter(&self) -> Option<&str> {
        self.filter.as_ref().map(|f| f.text.as_str())
    }

    /// The last filters used, newest first.
    pub fn recent_filters(&self) -> &[String] {
        &self.recent_filters
    }

    /// Filters by a regular expression; an empty one removes the filter. An
    /// invalid expression leaves the filter as it was and says why.
    pub fn set_filter(&mut self, text: &str) -> Result<(), String> {
        if text.is_empty() {
            self.filter = None;
            return Ok(());
        }
        let regex = Regex::new(text).map_err(|e| {
            let reason = e.to_string();
            let last = reason.lines().last().unwrap_or_default().trim().to_owned();
            format!("invalid filter `{text}`: {last}")
        })?;
        self.recent_filters.retain(|f| f != text);
        self.recent_filters.insert(0, text.to_owned());
        self.recent_filters.truncate(RECENT_FILTERS);
        self.filter = Some(Filter {
            text: text.to_owned(),
            regex,
        });
        self.scroll_to(0);
        Ok(())
    }

    /// Hides everything received so far.
    pub fn clear(&mut self, log: &LogBuffer) {
        self.cleared_through = log.total();
        self.scroll_to(0);
    }

    pub fn scroll_up(&mut self, rows: usize) {
        let from = self.scroll.get().min(self.max_scroll.get());
        self.scroll_to(from.saturating_sub(rows));
    }

    pub fn scroll_down(&mut self, rows: usize) {
        let to = self.scroll.get().saturating_add(rows);
        self.scroll_to(to.min(self.max_scroll.get()));
    }

    fn scroll_to(&mut self, row: usize) {
        self.scroll.set(row);
        self.anchor.set(None);
        self.at_oldest = false;
    }

    pub fn page(&self) -> usize {
        self.page_rows.get().max(1)
    }

    pub fn scroll_to_top(&mut self) {
        self.scroll_to(0);
    }

    /// The oldest entries: every entry is laid out while there, so the
    /// last row is the oldest entry's, however entries wrap or days
    /// divide them.
    pub fn scroll_to_bottom(&mut self) {
        self.scroll_to(self.max_scroll.get());
        self.at_oldest = true;
    }

    /// The entries shown, newest first.
    pub fn shown<'a>(&'a self, log: &'a LogBuffer) -> impl Iterator<Item = &'a LogEntry> + 'a {
        self.shown_numbered(log).map(|(_, e)| e)
    }

    /// The entries shown, newest first, with their sequence numbers.
    fn shown_numbered<'a>(
        &'a self,
        log: &'a LogBuffer,
    ) -> impl Iterator<Item = (u64, &'a LogEntry)> + 'a {
        log.newest_first()
            .take_while(|(seq, _)| *seq >= self.cleared_through)
            .filter(|(_, e)| !(self.deduplicate && e.superseded))
            .filter(|(_, e)| {
                self.filter.as_ref().is_none_or(|f| {
                    f.regex.is_match(&e.message) || f.regex.is_match(e.source.label())
                })
            })
    }

    /// Why a warning of tor's is expected here, if it is.
    fn expected(&self, e: &LogEntry) -> Option<&Expected> {
        if !matches!(e.source, LogSource::Tor(rnyx_model::Runlevel::Warn)) {
            return None;
        }
        self.expected.iter().find(|x| e.message.contains(&x.words))
    }

    /// `HH:MM:SS [TYPE] message`, with the hidden duplicates counted; a
    /// warning expected here says so, and why.
    pub fn entry_text(&self, e: &LogEntry) -> String {
        let expected = self.expected(e);
        let mut s = format!(
            "{} [{}{}] {}",
            format::local_clock(e.time_ms, self.utc_offset),
            e.source.label(),
            if expected.is_some() { ", expected" } else { "" },
            e.message
        );
        if let Some(x) = expected {
            let _ = write!(s, " (expected here: {})", x.why);
        }
        if self.deduplicate && e.duplicates > 0 {
            let _ = write!(
                s,
                " [{} duplicate{} hidden]",
                e.duplicates,
                if e.duplicates == 1 { "" } else { "s" }
            );
        }
        s
    }

    /// The log as shown (filter and deduplication applied), oldest first,
    /// one entry a line with its full date: the text `a` saves.
    pub fn snapshot(&self, log: &LogBuffer) -> String {
        let mut shown: Vec<&LogEntry> = self.shown(log).collect();
        shown.reverse();
        let mut out = String::new();
        for e in shown {
            let (y, m, d) = format::civil(format::day_number(e.time_ms, self.utc_offset));
            let _ = writeln!(out, "{y}-{m:02}-{d:02} {}", self.entry_text(e));
        }
        out
    }

    /// Every row, newest first: entries wrapped to `width`, and a divider
    /// above each group of entries from an earlier day than `now_ms`'s.
    #[cfg(test)]
    fn rows<'a>(&'a self, log: &'a LogBuffer, width: usize, now_ms: u64) -> Vec<Row<'a>> {
        self.rows_until(log, width, now_ms, |_| false).0
    }

    /// Rows, whole entries at a time, until `enough` says so; then how many
    /// more entries are shown below them (counted up to [`COUNT_AHEAD`]), so
    /// a frame costs the rows it draws, not the whole buffer.
    fn rows_until<'a>(
        &'a self,
        log: &'a LogBuffer,
        width: usize,
        now_ms: u64,
        mut enough: impl FnMut(&[Row<'a>]) -> bool,
    ) -> (Vec<Row<'a>>, usize) {
        let today = format::day_number(now_ms, self.utc_offset);
        let mut rows = Vec::new();
        let mut day = today;
        let mut more = 0;
        let mut done = false;
        for (seq, e) in self.shown_numbered(log) {
            done = done || enough(&rows);
            if done {
                more += 1;
                if more >= COUNT_AHEAD {
                    break;
                }
                continue;
            }
            let d = format::day_number(e.time_ms, self.utc_offset);
            if d != day && d < today {
                rows.push(Row::Divider(format::long_date(d)));
            }
            day = d;
            let expected = self.expected(e).is_some();
            for text in wrap(&self.entry_text(e), width, self.max_line_wrap) {
                rows.push(Row::Text {
                    text,
                    source: &e.source,
                    seq,
                    expected,
                });
            }
        }
        (rows, more)
    }

    /// `Events (TOR/RNYX NOTICE-ERR, CIRC, filter: x):`
    pub fn title(&self, state: &ControllerState) -> String {
        let mut text = state.logs.logged_events.summary();
        if let Some(f) = self.filter() {
            if !text.is_empty() {
                text.push_str(", ");
            }
            text.push_str("filter: ");
            text.push_str(f);
        }
        format!("Events ({text}):")
    }

    pub fn render(
        &self,
        state: &ControllerState,
        now_ms: u64,
        theme: Theme,
        area: Rect,
        buf: &mut Buffer,
    ) {
        if area.height < 2 || area.width < 8 {
            return;
        }
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(self.title(state), theme.title()),
            area.width,
        );
        let height = usize::from(area.height - 1);
        self.page_rows.set(height);
        // Two columns for the scrollbar, so text never moves under it.
        let text_x = area.x + 2;
        let width = usize::from(area.width - 2);
        let anchor = self.anchor.get();
        // Where the anchored entry's first row is, once laid out.
        let mut found: Option<usize> = None;
        let mut checked = 0;
        let at_oldest = self.at_oldest;
        let (rows, more) = self.rows_until(&state.logs.log, width, now_ms, |rows| {
            if at_oldest {
                return false;
            }
            let Some((seq, offset)) = anchor else {
                return rows.len() >= self.scroll.get().saturating_add(height);
            };
            if found.is_none() {
                found = rows[checked..]
                    .iter()
                    .position(|r| r.seq() == Some(seq))
                    .map(|i| checked + i);
                checked = rows.len();
            }
            match found {
                Some(i) => rows.len() >= i + offset + height,
                // Gone (evicted, cleared, filtered): the row offset holds.
                None => {
                    rows.iter()
                        .rev()
                        .find_map(Row::seq)
                        .is_some_and(|s| s < seq)
                        && rows.len() >= self.scroll.get().saturating_add(height)
                }
            }
        });
        let wanted = match (anchor, found) {
            (Some((_, offset)), Some(i)) => i + offset,
            _ => self.scroll.get(),
        };
        // Entries below those laid out count a row each for the scrollbar.
        let total = rows.len() + more;
        let max_scroll = total.saturating_sub(height);
        let wanted = if at_oldest { max_scroll } else { wanted };
        self.max_scroll.set(max_scroll);
        let scroll = wanted.min(max_scroll);
        self.scroll.set(scroll);
        self.anchor.set(if scroll == 0 {
            None
        } else {
            // The entry at the top row (or just below a divider there).
            rows[scroll..].iter().find_map(Row::seq).and_then(|seq| {
                let first = rows.iter().position(|r| r.seq() == Some(seq))?;
                Some((seq, scroll.saturating_sub(first)))
            })
        });
        for (y, row) in (area.y + 1..).zip(rows.iter().skip(scroll).take(height)) {
            match row {
                Row::Divider(date) => {
                    let text = format!("── {date} {}", "─".repeat(width));
                    buf.set_stringn(text_x, y, text, width, theme.secondary());
                }
                Row::Text {
                    text,
                    source,
                    expected,
                    ..
                } => {
                    let style = if *expected {
                        theme.secondary()
                    } else {
                        theme.log(source)
                    };
                    buf.set_stringn(text_x, y, text, width, style);
                }
            }
        }
        crate::popup::draw_scrollbar(
            Rect {
                y: area.y + 1,
                height: area.height - 1,
                ..area
            },
            total,
            scroll,
            buf,
        );
    }
}

/// Wraps `text` at spaces into rows of `width` characters, continuation rows
/// indented by two; at most `max_rows`, the last ending in `…` if cut.
pub fn wrap(text: &str, width: usize, max_rows: usize) -> Vec<String> {
    let width = width.max(4);
    let mut rows = Vec::new();
    let mut rest = text;
    loop {
        let indent = if rows.is_empty() { "" } else { "  " };
        let avail = width - indent.len();
        let Some((cut, _)) = rest.char_indices().nth(avail) else {
            rows.push(format!("{indent}{rest}"));
            return rows;
        };
        if rows.len() + 1 >= max_rows {
            let keep: String = rest.chars().take(avail - 1).collect();
            rows.push(format!("{indent}{keep}…"));
            return rows;
        }
        // Break at the last space that fits, or hard at the width.
        let space = if rest[cut..].starts_with(' ') {
            Some(cut)
        } else {
            rest[..cut].rfind(' ')
        };
        let (row, next) = match space {
            Some(space) if space > 0 => (&rest[..space], &rest[space + 1..]),
            _ => (&rest[..cut], &rest[cut..]),
        };
        rows.push(format!("{indent}{row}"));
        rest = next;
    }
}

#[cfg(test)]
mod tests;
