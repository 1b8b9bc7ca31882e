//! Modal popups drawn over the page: help, confirmations and menus.

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

/// Draws a bordered box titled `title` holding `lines`, centred in `area`.
pub fn draw_box(title: &str, lines: Vec<Line<'_>>, theme: Theme, area: Rect, buf: &mut Buffer) {
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
}

/// A list to pick one entry from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub title: String,
    pub options: Vec<String>,
    pub selected: usize,
}

impl Menu {
    /// A menu of `choices` named by `name`, with `current` selected.
    pub fn of<T: PartialEq>(
        title: &str,
        choices: &[T],
        current: &T,
        name: impl Fn(&T) -> &'static str,
    ) -> Menu {
        Menu {
            title: title.to_owned(),
            options: choices.iter().map(|c| name(c).to_owned()).collect(),
            selected: choices.iter().position(|c| c == current).unwrap_or(0),
        }
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
        draw_box(&self.title, lines, theme, area, buf);
    }
}
