//! A one-line text input, for prompts (an option's new value, a filter):
//! the usual editing keys of a shell's line editor.

use crate::keymap::Key;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::{Position, Rect};

/// What a key did to the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Still editing.
    Editing,
    /// Enter: take the text.
    Done,
    /// Esc: drop it.
    Cancel,
}

/// The text and the cursor (a char index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    chars: Vec<char>,
    cursor: usize,
}

impl LineInput {
    /// An input holding `text`, the cursor at its end.
    pub fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().filter(|c| !c.is_control()).collect();
        Self {
            cursor: chars.len(),
            chars,
        }
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn key(&mut self, key: Key) -> Edit {
        match key {
            Key::Enter => return Edit::Done,
            Key::Esc => return Edit::Cancel,
            Key::Char(c) if !c.is_control() => {
                self.chars.insert(self.cursor, c);
                self.cursor += 1;
            }
            Key::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
            }
            Key::Delete | Key::Ctrl('d') if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
            }
            Key::Left | Key::Ctrl('b') => self.cursor = self.cursor.saturating_sub(1),
            Key::Right | Key::Ctrl('f') => self.cursor = (self.cursor + 1).min(self.chars.len()),
            Key::Home | Key::Ctrl('a') => self.cursor = 0,
            Key::End | Key::Ctrl('e') => self.cursor = self.chars.len(),
            Key::Ctrl('u') => {
                self.chars.drain(..self.cursor);
                self.cursor = 0;
            }
            Key::Ctrl('k') => self.chars.truncate(self.cursor),
            Key::Ctrl('w') => {
                let mut start = self.cursor;
                while start > 0 && self.chars[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && self.chars[start - 1] != ' ' {
                    start -= 1;
                }
                self.chars.drain(start..self.cursor);
                self.cursor = start;
            }
            _ => {}
        }
        Edit::Editing
    }

    /// Draws `label` then the text on one row, scrolled so the cursor
    /// shows; the cursor cell is reversed.
    pub fn render(&self, label: &str, theme: Theme, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let label_w = u16::try_from(label.chars().count())
            .unwrap_or(u16::MAX)
            .min(area.width);
        buf.set_stringn(area.x, area.y, label, usize::from(label_w), theme.bold());
        let room = usize::from(area.width - label_w).saturating_sub(1);
        let first = self.cursor.saturating_sub(room);
        let shown: String = self.chars[first..].iter().take(room + 1).collect();
        let x = area.x + label_w;
        buf.set_stringn(x, area.y, &shown, room + 1, theme.plain());
        let at = x + u16::try_from(self.cursor - first).unwrap_or(0);
        if at < area.x + area.width {
            if let Some(cell) = buf.cell_mut(Position::new(at, area.y)) {
                cell.set_style(theme.highlight());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(input: &mut LineInput, s: &str) {
        for c in s.chars() {
            input.key(Key::Char(c));
        }
    }

    #[test]
    fn editing_keys() {
        let mut i = LineInput::new("1 MB");
        typed(&mut i, "ytes");
        assert_eq!(i.text(), "1 MBytes");
        i.key(Key::Home);
        i.key(Key::Delete);
        typed(&mut i, "2");
        assert_eq!(i.text(), "2 MBytes");
        i.key(Key::End);
        i.key(Key::Ctrl('w'));
        assert_eq!(i.text(), "2 ");
        i.key(Key::Backspace);
        i.key(Key::Left);
        i.key(Key::Ctrl('k'));
        assert_eq!(i.text(), "");
        assert_eq!(i.key(Key::Enter), Edit::Done);
        assert_eq!(i.key(Key::Esc), Edit::Cancel);
        // Control characters never enter the text.
        assert_eq!(LineInput::new("a\u{1b}[31mb").text(), "a[31mb");
    }
}
