//! Page 4: the torrc tor was started with, read from disk with every file
//! it includes (each under its own heading, in tor's order), coloured
//! (option, argument, comment), with line numbers (`l`), comments and blank
//! lines stripped on `s`, long lines wrapped. Lines whose option tor now
//! runs with another value are marked. An unreadable torrc says why and
//! shows tor's running configuration instead, labelled so.

use crate::keymap::{ActionId, ActionSpec, Key};
use crate::list::Cursor;
use crate::page::{Cx, Mouse, Page, PageInfo, View};
use crate::pages::PageEntry;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::style::Style;
use rnyx_model::{display_value, strip_comment, torrc_entry, ControllerState, Overrider};
use std::fmt::Write as _;

pub const ID: &str = "torrc";

/// The page as the app, nyxrc and the menus know it.
pub const INFO: PageInfo = PageInfo {
    id: ID,
    title: "Torrc",
    actions: ACTIONS,
};

pub const ENTRY: PageEntry = PageEntry {
    info: INFO,
    make: |_| Box::new(TorrcPage::default()),
};

const MENU: Option<&str> = Some("Torrc");

crate::actions! {
    /// The torrc page's actions.
    pub enum Action {
        LineNumbers = ("line_numbers", "line numbers", &[Key::Char('l')], MENU),
        Strip = ("strip", "hide comments and blank lines", &[Key::Char('s')], MENU),
    }
    scrolling
}

pub const ACTIONS: &[ActionSpec] = Action::SPECS;

/// The torrc page's view state.
#[derive(Debug, Clone)]
pub struct TorrcPage {
    pub line_numbers: bool,
    pub strip: bool,
    scroll: Cursor,
}

impl Default for TorrcPage {
    fn default() -> Self {
        Self {
            line_numbers: true,
            strip: false,
            scroll: Cursor::default(),
        }
    }
}

/// One drawn row: pieces of text and their styles.
type Row = Vec<(String, Style)>;

impl Page for TorrcPage {
    fn info(&self) -> &'static PageInfo {
        &INFO
    }

    fn action(&mut self, action: ActionId, _cx: &mut Cx) {
        let action = Action::of(action);
        match action {
            Action::Scroll(step) => self.scroll.step(step),
            Action::LineNumbers => self.line_numbers = !self.line_numbers,
            Action::Strip => self.strip = !self.strip,
        }
    }

    fn value(&self, action: ActionId) -> Option<String> {
        let on = |b: bool| Some(if b { "on" } else { "off" }.to_owned());
        match Action::of(action) {
            Action::LineNumbers => on(self.line_numbers),
            Action::Strip => on(self.strip),
            Action::Scroll(_) => None,
        }
    }

    fn hints(&self) -> &'static [ActionId] {
        const HINTS: &[ActionId] = &[Action::LineNumbers.id(), Action::Strip.id()];
        HINTS
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) {
        self.scroll.wheel(m.kind);
    }

    fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        if area.height < 2 || area.width < 20 {
            return;
        }
        let theme = view.theme;
        let state = view.state;
        let torrc = &state.facts.config.torrc;
        let path = torrc
            .path
            .as_deref()
            .or(state.facts.config.file.as_deref())
            .unwrap_or("?");
        let differ = state.facts.config.unsaved();
        let mut title = format!("Tor Configuration File ({path})");
        if differ > 0 {
            let _ = write!(
                title,
                ", {differ} option{} tor runs otherwise",
                if differ == 1 { "" } else { "s" }
            );
        }
        title.push(':');
        buf.set_stringn(
            area.x,
            area.y,
            rnyx_model::text::strip_controls(&title),
            usize::from(area.width),
            theme.title(),
        );
        let width = usize::from(area.width.saturating_sub(1));
        let rows = self.rows(state, theme, width);
        let body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
        let first = self.scroll.scroll(rows.len(), usize::from(body.height));
        crate::popup::draw_rows(&rows, first, (body, 1), buf);
    }
}

impl TorrcPage {
    /// Every row of the page at `width`.
    fn rows(&self, state: &ControllerState, theme: Theme, width: usize) -> Vec<Row> {
        let c = &state.facts.config;
        let torrc = &c.torrc;
        let mut rows = Vec::new();
        if c.loaded == 0 && torrc.read_at == 0 {
            let why = if state.session.connection.connected {
                "reading the torrc…"
            } else {
                "tor is not connected"
            };
            rows.push(vec![(why.to_owned(), theme.secondary())]);
            return rows;
        }
        if let Some(e) = &torrc.error {
            rows.push(vec![(
                rnyx_model::text::strip_controls(&format!("cannot read the torrc: {e}")),
                theme.error(),
            )]);
            rows.push(vec![(
                "tor's running configuration (GETINFO config-text), shown instead:".into(),
                theme.warning(),
            )]);
            let lines: Vec<String> = c.text.lines().map(str::to_owned).collect();
            self.file_rows(state, &lines, None, theme, width, &mut rows);
            return rows;
        }
        for (i, file) in torrc.files.iter().enumerate() {
            if file.depth > 0 {
                let heading = format!("── %include {} ", file.path);
                rows.push(vec![(
                    rnyx_model::text::strip_controls(&heading),
                    theme.title(),
                )]);
            }
            if let Some(e) = &file.error {
                rows.push(vec![(rnyx_model::text::strip_controls(e), theme.error())]);
                continue;
            }
            self.file_rows(state, &file.lines, Some(i), theme, width, &mut rows);
        }
        rows
    }

    /// One file's lines as rows: numbered, coloured, wrapped, and for a
    /// file of the torrc (`file`, its index), the lines tor does not run
    /// and those it runs otherwise marked.
    fn file_rows(
        &self,
        state: &ControllerState,
        lines: &[String],
        file: Option<usize>,
        theme: Theme,
        width: usize,
        rows: &mut Vec<Row>,
    ) {
        let gutter = if self.line_numbers {
            lines.len().to_string().len() + 1
        } else {
            0
        };
        for (n, raw) in lines.iter().enumerate() {
            let clean = rnyx_model::text::strip_controls(raw);
            let line = if self.strip {
                let code = strip_comment(&clean).trim_end();
                if code.trim().is_empty() {
                    continue;
                }
                code.to_owned()
            } else {
                clean
            };
            let overridden = file.and_then(|f| state.facts.config.overridden.get(&(f, n)));
            // The option, when tor runs this line's with another value.
            let differs = torrc_entry(&line)
                .and_then(|(k, _)| state.facts.config.get(k))
                .filter(|o| file.is_some() && overridden.is_none() && o.unsaved);
            let mut pieces = colour(&line, theme);
            if let Some(by) = overridden {
                pieces.push((overridden_by(state, file, *by), theme.secondary()));
            }
            if let Some(o) = differs {
                pieces.push((
                    format!(
                        "  ← tor runs: {}",
                        rnyx_model::text::strip_controls(&display_value(o))
                    ),
                    theme.warning(),
                ));
            }
            let number = if self.line_numbers {
                format!("{:>w$} ", n + 1, w = gutter - 1)
            } else {
                String::new()
            };
            let numbered = |row: Row, first: bool| -> Row {
                let mut out = Vec::with_capacity(row.len() + 1);
                if self.line_numbers {
                    let g = if first {
                        number.clone()
                    } else {
                        " ".repeat(gutter)
                    };
                    out.push((g, theme.secondary()));
                }
                out.extend(row);
                out
            };
            for (i, row) in split_rows(pieces, width.saturating_sub(gutter))
                .into_iter()
                .enumerate()
            {
                rows.push(numbered(row, i == 0));
            }
        }
    }
}

/// A torrc line in pieces: the option, its argument, the comment.
fn colour(line: &str, theme: Theme) -> Row {
    let code_len = strip_comment(line).len();
    let (code, comment) = line.split_at(code_len);
    let mut pieces = Vec::new();
    let lead = code.len() - code.trim_start().len();
    let trimmed = &code[lead..];
    let key_len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    if lead > 0 {
        pieces.push((code[..lead].to_owned(), theme.plain()));
    }
    if key_len > 0 {
        pieces.push((
            trimmed[..key_len].to_owned(),
            theme.bold().patch(theme.primary()),
        ));
    }
    if key_len < trimmed.len() {
        pieces.push((trimmed[key_len..].to_owned(), theme.plain()));
    }
    if !comment.is_empty() {
        pieces.push((comment.to_owned(), theme.secondary()));
    }
    pieces
}

/// Pieces cut into rows of `width` characters; continuation rows are
/// indented by two.
fn split_rows(pieces: Row, width: usize) -> Vec<Row> {
    let width = width.max(4);
    let mut rows: Vec<Row> = vec![Vec::new()];
    let mut room = width;
    for (text, style) in pieces {
        let mut chars: &str = &text;
        while !chars.is_empty() {
            if room == 0 {
                rows.push(vec![("  ".into(), Style::default())]);
                room = width - 2;
            }
            let take: String = chars.chars().take(room).collect();
            room -= take.chars().count();
            chars = &chars[take.len()..];
            if let Some(row) = rows.last_mut() {
                row.push((take, style));
            }
        }
    }
    rows
}

/// `  ← overridden by line 34` (of another file: its path).
fn overridden_by(state: &ControllerState, file: Option<usize>, by: Overrider) -> String {
    match by {
        Overrider::CommandLine => "  ← overridden by tor's command line".to_owned(),
        Overrider::Line(f, l) if Some(f) == file => format!("  ← overridden by line {}", l + 1),
        Overrider::Line(f, l) => {
            let path = state
                .facts
                .config
                .torrc
                .files
                .get(f)
                .map_or("?", |x| x.path.as_str());
            rnyx_model::text::strip_controls(&format!("  ← overridden by line {} of {path}", l + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnyx_model::{TorConfig, Torrc, TorrcFile};

    fn state() -> ControllerState {
        let mut s = ControllerState::default();
        s.session.connection.connected = true;
        let names = [("ContactInfo", "String"), ("ExitPolicy", "LineList")]
            .map(|(n, k)| (n.to_owned(), k.to_owned()));
        let values = [
            ("ContactInfo", Some("new \u{1b}[31mcontact")),
            ("ExitPolicy", Some("reject *:*")),
        ]
        .map(|(n, v)| (n.to_owned(), v.map(str::to_owned)));
        let mut c = TorConfig::from_tor(
            &names,
            &[],
            &values,
            "ContactInfo new contact\nExitPolicy reject *:*\n".into(),
            Some("/etc/tor/torrc".into()),
        );
        c.loaded = 1;
        c.torrc = Torrc {
            path: Some("/etc/tor/torrc".into()),
            files: vec![
                TorrcFile {
                    path: "/etc/tor/torrc".into(),
                    lines: vec![
                        "# my relay".into(),
                        String::new(),
                        "ContactInfo old contact # me".into(),
                        "%include /etc/tor/torrc.d".into(),
                    ],
                    ..TorrcFile::default()
                },
                TorrcFile {
                    path: "/etc/tor/torrc.d/exit.conf".into(),
                    lines: vec![format!("ExitPolicy reject *:* {}", "x".repeat(60))],
                    depth: 1,
                    ..TorrcFile::default()
                },
            ],
            settings: vec![("ContactInfo".into(), "old contact".into())],
            read_at: 1,
            ..Torrc::default()
        };
        s.facts.config = c;
        s.facts.config.reconcile();
        s
    }

    fn draw(page: &TorrcPage, s: &ControllerState, w: u16, h: u16) -> Vec<String> {
        crate::page::testing::draw(page, s, 0, (w, h))
    }

    #[test]
    fn files_in_order_numbered_marked_and_wrapped() {
        let s = state();
        let mut page = TorrcPage::default();
        let rows = draw(&page, &s, 60, 12);
        assert_eq!(
            rows[0],
            "Tor Configuration File (/etc/tor/torrc), 2 options tor runs"
        );
        assert_eq!(rows[1], " 1 # my relay");
        assert_eq!(rows[2], " 2");
        // The line tor runs otherwise says what tor runs, sanitised.
        assert!(
            rows[3].starts_with(" 3 ContactInfo old contact # me  ← tor runs: new [31m"),
            "{}",
            rows[3]
        );
        assert_eq!(rows[5], " ── %include /etc/tor/torrc.d/exit.conf");
        assert!(rows[6].starts_with(" 1 ExitPolicy reject *:* xxx"));
        assert!(rows[7].starts_with("     xxx"), "{}", rows[7]);
        // Stripped and without numbers.
        page.strip = true;
        page.line_numbers = false;
        let rows = draw(&page, &s, 60, 12);
        assert!(
            rows[1].starts_with(" ContactInfo old contact  ←"),
            "{}",
            rows[1]
        );
        assert_eq!(rows[2], " %include /etc/tor/torrc.d");
    }

    #[test]
    fn an_unreadable_torrc_says_why_and_shows_the_running_configuration() {
        let mut s = state();
        s.facts.config.torrc.error = Some("cannot read /etc/tor/torrc: Permission denied".into());
        let rows = draw(&TorrcPage::default(), &s, 80, 8);
        assert_eq!(
            rows[1],
            " cannot read the torrc: cannot read /etc/tor/torrc: Permission denied"
        );
        assert!(rows[2].contains("running configuration (GETINFO config-text)"));
        assert_eq!(rows[3], " 1 ContactInfo new contact");
    }
}
