//! The descriptor popup (`d`): what tor holds of the selected peer relay —
//! its consensus entry (`ns/id`), server descriptor (`desc/id`) and
//! microdescriptor (`md/id`) — asked for with typed requests, line-numbered,
//! keywords bold, scrolled with the arrows; ←/→ go to the neighbouring
//! relay. Descriptors are untrusted text: control characters never reach
//! the screen.

use crate::keymap::Key;
use crate::page::{ask, Cx, Failure, Mouse, MouseKind, Tag, View};
use crate::popup::{Answer, Popup, Step as PopupStep};
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::{Line, Span};
use ratatui_core::widgets::Widget;
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;

const PARTS: [&str; 3] = ["ns/id", "desc/id", "md/id"];

#[derive(Debug, Clone)]
pub struct Descriptor {
    pub fingerprint: String,
    pub nickname: Option<String>,
    /// Each part's text, or why there is none; `None` while asked.
    parts: [Option<Result<String, String>>; 3],
    scroll: usize,
    /// Rows shown at the last draw.
    page: std::cell::Cell<usize>,
}

/// tor's answer for one part (its place in [`PARTS`]).
struct Part(usize, Result<Vec<(String, String)>, Failure>);

/// What a key did to the popup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Stay,
    Close,
    /// Show the previous (-1) or next (+1) relay.
    Move(isize),
}

impl Descriptor {
    /// Asks tor for the three documents of `fingerprint`.
    pub fn ask(fingerprint: &str, nickname: Option<&str>, cx: &mut Cx) -> Self {
        for (i, p) in PARTS.iter().enumerate() {
            let key = format!("{p}/{fingerprint}");
            cx.ask(ask::GetInfo(vec![key]), move |answer| Part(i, answer));
        }
        Self {
            fingerprint: fingerprint.to_owned(),
            nickname: nickname.map(str::to_owned),
            parts: [None, None, None],
            scroll: 0,
            page: std::cell::Cell::new(10),
        }
    }

    /// Takes tor's answer for one part.
    fn part(&mut self, Part(i, answer): Part) {
        if let Some(slot) = self.parts.get_mut(i) {
            *slot = Some(match answer {
                Ok(values) => Ok(values
                    .into_iter()
                    .next()
                    .map(|(_, v)| v)
                    .unwrap_or_default()),
                Err(why) => Err(why.to_string()),
            });
        }
    }

    pub fn key(&mut self, key: Key) -> Step {
        let page = self.page.get().max(1);
        match key {
            Key::Up => self.scroll = self.scroll.saturating_sub(1),
            Key::Down => self.scroll += 1,
            Key::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Key::PageDown => self.scroll += page,
            Key::Home => self.scroll = 0,
            Key::Left => return Step::Move(-1),
            Key::Right => return Step::Move(1),
            _ => return Step::Close,
        }
        Step::Stay
    }

    /// Every line shown: a heading per part, then its lines numbered.
    fn lines(&self) -> Vec<(bool, String)> {
        let mut out = Vec::new();
        for (name, part) in PARTS.iter().zip(&self.parts) {
            out.push((true, format!("{name}/{}:", self.fingerprint)));
            match part {
                None => out.push((false, "    asking tor…".to_owned())),
                Some(Err(why)) => {
                    out.push((
                        false,
                        format!("    {}", rnyx_model::text::strip_controls(why)),
                    ));
                }
                Some(Ok(text)) if text.trim().is_empty() => {
                    out.push((false, "    tor has none".to_owned()));
                }
                Some(Ok(text)) => {
                    for (n, line) in text.lines().enumerate() {
                        out.push((
                            false,
                            format!("{:>4} {}", n + 1, rnyx_model::text::strip_controls(line)),
                        ));
                    }
                }
            }
        }
        out
    }

    pub fn render(&self, theme: Theme, area: Rect, buf: &mut Buffer) {
        let rect = Rect::new(
            area.x + area.width / 20,
            area.y + area.height / 10,
            area.width - area.width / 10,
            area.height - area.height / 5,
        );
        Clear.render(rect, buf);
        let title = match &self.nickname {
            Some(n) => format!(" Descriptor of {} ", rnyx_model::text::strip_controls(n)),
            None => " Descriptor ".to_owned(),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Line::styled(title, theme.title()));
        let inner = block.inner(rect);
        block.render(rect, buf);
        let lines = self.lines();
        let height = usize::from(inner.height);
        self.page.set(height);
        let scroll = self.scroll.min(lines.len().saturating_sub(height));
        for ((heading, text), y) in lines
            .iter()
            .skip(scroll)
            .zip(inner.y..inner.y + inner.height)
        {
            let line = if *heading {
                Line::styled(text.as_str(), theme.title())
            } else {
                // The keyword after the line number in bold.
                let (number, content) = text.split_at(text.len().min(5));
                let (kw, tail) = content.split_once(' ').unwrap_or((content, ""));
                Line::from(vec![
                    Span::styled(number, theme.secondary()),
                    Span::styled(kw, theme.bold()),
                    Span::raw(if tail.is_empty() {
                        String::new()
                    } else {
                        format!(" {tail}")
                    }),
                ])
            };
            buf.set_line(inner.x, y, &line, inner.width);
        }
    }
}

impl Popup for Descriptor {
    /// The arrows scroll; ←/→ close it for the neighbouring relay's
    /// (the page opens that one); any other key closes it.
    fn key(&mut self, key: Key, _cx: &mut Cx) -> PopupStep {
        match Descriptor::key(self, key) {
            Step::Stay => PopupStep::Stay,
            Step::Close => PopupStep::Close,
            Step::Move(step) => PopupStep::Done(Answer::Moved(if step < 0 { -1 } else { 1 })),
        }
    }

    /// The wheel scrolls; a click closes it.
    fn mouse(&mut self, m: Mouse, cx: &mut Cx) -> PopupStep {
        let key = match m.kind {
            MouseKind::WheelUp => Key::Up,
            MouseKind::WheelDown => Key::Down,
            MouseKind::Click => return PopupStep::Close,
        };
        Popup::key(self, key, cx)
    }

    fn respond(&mut self, answer: Tag, _cx: &mut Cx) -> PopupStep {
        if let Some(part) = answer.take::<Part>() {
            self.part(part);
        }
        PopupStep::Stay
    }

    fn draw(&self, view: &View, area: Rect, buf: &mut Buffer) {
        self.render(view.theme, area, buf);
    }
}
