//! Popups drawn over the page: help, confirmations and menus. A page
//! opens one with [`crate::page::Cx::open`]; the app keeps the open ones in
//! a stack — the top one takes every key and mouse event, Esc closes it,
//! each is drawn over what is under it — and hands a popup's [`Answer`] to
//! the page that opened it.

use crate::keymap::Key;
pub use crate::page::popup::{Answer, Popup, Step};
use crate::page::{HitMap, Mouse, MouseKind};
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::Line;
use ratatui_core::widgets::Widget;
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;
use ratatui_widgets::paragraph::Paragraph;

/// A centred rectangle of `width` × `height` within `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Draws a bordered box titled `title` holding `lines`, centred in `area`;
/// returns where.
pub fn draw_box(
    title: &str,
    lines: Vec<Line<'_>>,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) -> Rect {
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .max(title.len() + 2);
    let width = u16::try_from(width + 4).unwrap_or(u16::MAX);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(Line::styled(format!(" {title} "), theme.title())),
        )
        .render(rect, buf);
    rect
}

/// Rows of styled pieces from row `first` on, each `indent` columns in
/// from `area`'s left, with the scrollbar; how a scrolled page of text
/// draws itself.
pub fn draw_rows(
    rows: &[Vec<(String, ratatui_core::style::Style)>],
    first: usize,
    (area, indent): (Rect, u16),
    buf: &mut Buffer,
) {
    let height = usize::from(area.height);
    for (i, row) in rows.iter().skip(first).take(height).enumerate() {
        let y = area.y + u16::try_from(i).unwrap_or(0);
        let mut x = area.x + indent;
        for (text, style) in row {
            let room = usize::from((area.x + area.width).saturating_sub(x));
            buf.set_stringn(x, y, text, room, *style);
            x += u16::try_from(text.chars().count()).unwrap_or(u16::MAX);
        }
    }
    draw_scrollbar(area, rows.len(), first, buf);
}

/// A scrollbar on the left column of `area` for `total` rows of which
/// `area.height` show from row `position`; nothing when all fit.
pub fn draw_scrollbar(area: Rect, total: usize, position: usize, buf: &mut Buffer) {
    use ratatui_core::widgets::StatefulWidget;
    use ratatui_widgets::scrollbar::{Scrollbar, ScrollbarOrientation, ScrollbarState};
    let height = usize::from(area.height);
    if total <= height {
        return;
    }
    let mut state = ScrollbarState::new(total - height + 1)
        .position(position)
        .viewport_content_length(height);
    Scrollbar::new(ScrollbarOrientation::VerticalLeft)
        .begin_symbol(None)
        .end_symbol(None)
        .render(Rect { width: 1, ..area }, buf, &mut state);
}

/// A yes/no question: `y` or Enter says yes, any other key no.
pub fn draw_confirm(title: &str, question: &str, theme: Theme, area: Rect, buf: &mut Buffer) {
    draw_box(
        title,
        vec![Line::raw(question), Line::raw("y: yes, any other key: no")],
        theme,
        area,
        buf,
    );
}

/// A yes/no question: `y` or Enter says yes, any other key or a click no.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub title: &'static str,
    pub question: &'static str,
}

impl Popup for Confirm {
    fn key(&mut self, key: Key, _cx: &mut crate::page::Cx) -> Step {
        if matches!(key, Key::Char('y' | 'Y') | Key::Enter) {
            Step::Done(Answer::Yes)
        } else {
            Step::Close
        }
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut crate::page::Cx) -> Step {
        if m.kind == MouseKind::Click {
            Step::Close
        } else {
            Step::Stay
        }
    }

    fn draw(&self, view: &crate::page::View, area: Rect, buf: &mut Buffer) {
        draw_confirm(self.title, self.question, view.theme, area, buf);
    }
}

/// A line of text to type: Enter gives it; the mouse leaves it open.
#[derive(Debug, Clone)]
pub struct TextBox {
    pub title: &'static str,
    pub prompt: &'static str,
    pub text: String,
}

impl TextBox {
    pub fn new(title: &'static str, prompt: &'static str) -> Self {
        Self {
            title,
            prompt,
            text: String::new(),
        }
    }
}

impl Popup for TextBox {
    fn key(&mut self, key: Key, _cx: &mut crate::page::Cx) -> Step {
        match key {
            Key::Enter => return Step::Done(Answer::Text(self.text.trim().to_owned())),
            Key::Backspace => {
                self.text.pop();
            }
            // Typed text is drawn: nothing that could steer the terminal.
            Key::Char(c) if !c.is_control() => self.text.push(c),
            _ => {}
        }
        Step::Stay
    }

    fn mouse(&mut self, _m: Mouse, _cx: &mut crate::page::Cx) -> Step {
        Step::Stay
    }

    fn draw(&self, view: &crate::page::View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        let width = area.width.saturating_sub(8).clamp(20, 70);
        // The end of a long entry stays in view.
        let room = usize::from(width - 4).saturating_sub(2);
        let skip = self.text.chars().count().saturating_sub(room);
        let visible: String = self.text.chars().skip(skip).collect();
        draw_box(
            self.title,
            vec![
                Line::raw(format!("{:<w$}", self.prompt, w = usize::from(width - 4))),
                Line::styled(format!("{visible}_"), theme.highlight()),
                Line::raw("enter: done, esc: cancel"),
            ],
            theme,
            area,
            buf,
        );
    }
}

/// A list to pick one entry from, by keys or a click.
pub struct Menu {
    pub title: String,
    pub options: Vec<String>,
    pub selected: usize,
    hits: HitMap<usize>,
    /// What picking each option answers: the value it names.
    picks: Vec<crate::page::Retag>,
}

impl std::fmt::Debug for Menu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Menu")
            .field("title", &self.title)
            .field("options", &self.options)
            .field("selected", &self.selected)
            .finish_non_exhaustive()
    }
}

/// What a key or a click did to a menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Open,
    Cancel,
    /// The option at this index.
    Picked(usize),
}

impl Menu {
    /// A menu of `choices`, each shown as `name` says, `current` selected;
    /// picking one answers it ([`Answer::Picked`]), as the page's own value.
    pub fn of<T: PartialEq + Clone + 'static, N: AsRef<str>>(
        title: &str,
        choices: &[T],
        current: &T,
        name: impl Fn(&T) -> N,
    ) -> Menu {
        Menu {
            title: title.to_owned(),
            options: choices
                .iter()
                .map(|c| name(c).as_ref().to_owned())
                .collect(),
            selected: choices.iter().position(|c| c == current).unwrap_or(0),
            hits: HitMap::default(),
            picks: choices
                .iter()
                .map(|c| {
                    let c = c.clone();
                    Box::new(move || crate::page::Tag::new(c.clone())) as crate::page::Retag
                })
                .collect(),
        }
    }

    /// Up/Down move, Enter picks, any other key cancels.
    pub fn key(&mut self, key: Key) -> Choice {
        match key {
            Key::Up => self.up(),
            Key::Down => self.down(),
            Key::Enter => return Choice::Picked(self.selected),
            _ => return Choice::Cancel,
        }
        Choice::Open
    }

    /// A click on an option picks it, elsewhere cancels; the wheel moves.
    pub fn mouse(&mut self, m: Mouse) -> Choice {
        match m.kind {
            MouseKind::WheelUp => self.up(),
            MouseKind::WheelDown => self.down(),
            MouseKind::Click => {
                return self
                    .hits
                    .at(m.column, m.row)
                    .map_or(Choice::Cancel, Choice::Picked)
            }
        }
        Choice::Open
    }

    pub fn up(&mut self) {
        self.selected = self
            .selected
            .checked_sub(1)
            .unwrap_or(self.options.len() - 1);
    }

    pub fn down(&mut self) {
        self.selected = (self.selected + 1) % self.options.len();
    }

    pub fn render(&self, theme: Theme, area: Rect, buf: &mut Buffer) {
        let lines = self
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                if i == self.selected {
                    Line::styled(format!("> {o}"), theme.highlight())
                } else {
                    Line::raw(format!("  {o}"))
                }
            })
            .collect();
        let rect = draw_box(&self.title, lines, theme, area, buf);
        self.hits.clear();
        for (i, y) in (0..self.options.len()).zip(rect.y + 1..rect.y + rect.height - 1) {
            self.hits
                .add(Rect::new(rect.x + 1, y, rect.width.saturating_sub(2), 1), i);
        }
    }
}

impl Menu {
    /// The popup's step for a menu's choice: a pick answers its value.
    fn step(&self, c: Choice) -> Step {
        match c {
            Choice::Open => Step::Stay,
            Choice::Cancel => Step::Close,
            Choice::Picked(i) => match self.picks.get(i) {
                Some(pick) => Step::Done(Answer::Picked(pick())),
                None => Step::Close,
            },
        }
    }
}

impl Popup for Menu {
    fn key(&mut self, key: Key, _cx: &mut crate::page::Cx) -> Step {
        let c = Menu::key(self, key);
        self.step(c)
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut crate::page::Cx) -> Step {
        let c = Menu::mouse(self, m);
        self.step(c)
    }

    fn draw(&self, view: &crate::page::View, area: Rect, buf: &mut Buffer) {
        self.render(view.theme, area, buf);
    }
}
