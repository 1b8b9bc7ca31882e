//! The menu bar (`m`), as in Nyx: a row of menu titles over the header and
//! the open menu dropped below its title. Entries are made by the app from
//! the same action lists as the keymap and the help popup, so a menu shows
//! each action's current value and its key as rebound in nyxrc.

use crate::keymap::{ActionId, Key};
use crate::page::{HitMap, Mouse, MouseKind};
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::style::Modifier;
use ratatui_core::widgets::Widget;
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;

/// What picking an entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A global action.
    Global(ActionId),
    /// An action of the current page.
    Page(ActionId),
    /// Go to the page at this index.
    GoTo(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub label: String,
    /// The keys that do the same, or empty.
    pub keys: String,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub title: String,
    pub entries: Vec<Entry>,
}

/// What a key or click did to the menu bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuStep {
    Open,
    Close,
    Pick(Target),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hit {
    Title(usize),
    Entry(usize, usize),
}

#[derive(Debug, Clone)]
pub struct MenuBar {
    menus: Vec<Menu>,
    menu: usize,
    entry: usize,
    hits: HitMap<Hit>,
}

impl MenuBar {
    /// Opens on the first entry of menu `open` (menus without entries are
    /// dropped).
    pub fn new(mut menus: Vec<Menu>, open: usize) -> Self {
        let open = open.min(menus.len().saturating_sub(1));
        let title = menus.get(open).map(|m| m.title.clone());
        menus.retain(|m| !m.entries.is_empty());
        let menu = title
            .and_then(|t| menus.iter().position(|m| m.title == t))
            .unwrap_or(0);
        Self {
            menus,
            menu,
            entry: 0,
            hits: HitMap::default(),
        }
    }

    pub fn menus(&self) -> &[Menu] {
        &self.menus
    }

    /// The open menu's title and the highlighted entry's label.
    pub fn selection(&self) -> Option<(&str, &str)> {
        let m = self.menus.get(self.menu)?;
        Some((&m.title, &m.entries.get(self.entry)?.label))
    }

    /// Arrows move, Enter picks, Esc (or `close`, the menu key) closes.
    pub fn key(&mut self, key: Key, close: bool) -> MenuStep {
        let n = self.menus.len();
        if n == 0 || close || key == Key::Esc {
            return MenuStep::Close;
        }
        let entries = self.menus[self.menu].entries.len();
        match key {
            Key::Left => {
                self.menu = (self.menu + n - 1) % n;
                self.entry = 0;
            }
            Key::Right | Key::Tab => {
                self.menu = (self.menu + 1) % n;
                self.entry = 0;
            }
            Key::Up => self.entry = (self.entry + entries - 1) % entries,
            Key::Down => self.entry = (self.entry + 1) % entries,
            Key::Home => self.entry = 0,
            Key::End => self.entry = entries - 1,
            Key::Enter | Key::Char(' ') => {
                return MenuStep::Pick(self.menus[self.menu].entries[self.entry].target)
            }
            _ => {}
        }
        MenuStep::Open
    }

    /// A click on a title opens that menu, on an entry picks it, elsewhere
    /// closes the bar; the wheel moves through the open menu.
    pub fn mouse(&mut self, m: Mouse) -> MenuStep {
        match m.kind {
            MouseKind::WheelUp => self.key(Key::Up, false),
            MouseKind::WheelDown => self.key(Key::Down, false),
            MouseKind::Click => match self.hits.at(m.column, m.row) {
                Some(Hit::Title(i)) => {
                    self.menu = i;
                    self.entry = 0;
                    MenuStep::Open
                }
                Some(Hit::Entry(i, j)) => MenuStep::Pick(self.menus[i].entries[j].target),
                None => MenuStep::Close,
            },
        }
    }

    /// The titles on the top row of `area`, the open menu below its title.
    pub fn render(&self, theme: Theme, area: Rect, buf: &mut Buffer) {
        self.hits.clear();
        if area.height < 3 || area.width < 10 {
            return;
        }
        let bar = Rect { height: 1, ..area };
        Clear.render(bar, buf);
        buf.set_style(bar, theme.menu());
        let right = area.x + area.width;
        let mut x = area.x;
        let mut open_x = area.x;
        for (i, menu) in self.menus.iter().enumerate() {
            let text = format!(" {} ", menu.title);
            let w = u16::try_from(text.chars().count()).unwrap_or(u16::MAX);
            if x >= right {
                break;
            }
            let style = if i == self.menu {
                open_x = x;
                theme.menu().add_modifier(Modifier::REVERSED)
            } else {
                theme.menu()
            };
            buf.set_stringn(x, area.y, &text, usize::from(right - x), style);
            self.hits
                .add(Rect::new(x, area.y, w.min(right - x), 1), Hit::Title(i));
            x = x.saturating_add(w);
            if x < right {
                buf.set_string(x, area.y, "│", theme.menu());
                x += 1;
            }
        }
        let Some(menu) = self.menus.get(self.menu) else {
            return;
        };
        let label_w = menu
            .entries
            .iter()
            .map(|e| e.label.chars().count())
            .max()
            .unwrap_or(0);
        let keys_w = menu
            .entries
            .iter()
            .map(|e| e.keys.chars().count())
            .max()
            .unwrap_or(0);
        let inner_w = label_w + 2 + keys_w + 2;
        let width = u16::try_from(inner_w + 2)
            .unwrap_or(u16::MAX)
            .min(area.width);
        let height = u16::try_from(menu.entries.len() + 2)
            .unwrap_or(u16::MAX)
            .min(area.height - 1);
        let x = open_x.min(right - width);
        let rect = Rect::new(x, area.y + 1, width, height);
        Clear.render(rect, buf);
        let block = Block::default().borders(Borders::ALL);
        let inner = block.inner(rect);
        block.render(rect, buf);
        for (j, (e, y)) in menu
            .entries
            .iter()
            .zip(inner.y..inner.y + inner.height)
            .enumerate()
        {
            let text = format!(" {:<label_w$}  {:>keys_w$} ", e.label, e.keys);
            let style = if j == self.entry {
                theme.highlight()
            } else {
                theme.plain()
            };
            let row = Rect::new(inner.x, y, inner.width, 1);
            buf.set_style(row, style);
            buf.set_stringn(inner.x, y, &text, usize::from(inner.width), style);
            self.hits.add(row, Hit::Entry(self.menu, j));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar() -> MenuBar {
        let entry = |label: &str, keys: &str, target| Entry {
            label: label.into(),
            keys: keys.into(),
            target,
        };
        MenuBar::new(
            vec![
                Menu {
                    title: "General".into(),
                    entries: vec![
                        entry("pause", "p", Target::Global(ActionId::new(3))),
                        entry("quit", "q", Target::Global(ActionId::new(5))),
                    ],
                },
                Menu {
                    title: "Empty".into(),
                    entries: vec![],
                },
                Menu {
                    title: "Pages".into(),
                    entries: vec![entry("Graph / Log", "", Target::GoTo(0))],
                },
            ],
            0,
        )
    }

    #[test]
    fn keys_move_wrap_and_pick() {
        let mut b = bar();
        assert_eq!(b.menus().len(), 2, "empty menus are dropped");
        assert_eq!(b.key(Key::Up, false), MenuStep::Open);
        assert_eq!(b.selection(), Some(("General", "quit")));
        assert_eq!(
            b.key(Key::Enter, false),
            MenuStep::Pick(Target::Global(ActionId::new(5)))
        );
        b.key(Key::Left, false);
        assert_eq!(b.selection(), Some(("Pages", "Graph / Log")));
        assert_eq!(b.key(Key::Enter, false), MenuStep::Pick(Target::GoTo(0)));
        assert_eq!(b.key(Key::Char('m'), true), MenuStep::Close);
        assert_eq!(b.key(Key::Esc, false), MenuStep::Close);
    }

    #[test]
    fn clicks_hit_what_was_drawn() {
        let mut b = bar();
        let area = Rect::new(0, 0, 40, 10);
        let mut buf = Buffer::empty(area);
        b.render(Theme { color: false }, area, &mut buf);
        let row0: String = (0..40).map(|x| buf[(x, 0)].symbol().to_owned()).collect();
        assert!(row0.starts_with(" General │ Pages │"), "{row0:?}");
        let click = |column, row| Mouse {
            kind: MouseKind::Click,
            column,
            row,
        };
        // The second entry of General (row 1 is the border).
        assert_eq!(
            b.mouse(click(3, 3)),
            MenuStep::Pick(Target::Global(ActionId::new(5)))
        );
        // The Pages title, then its entry, drawn under it after a frame.
        assert_eq!(b.mouse(click(12, 0)), MenuStep::Open);
        b.render(Theme { color: false }, area, &mut buf);
        assert_eq!(b.mouse(click(12, 2)), MenuStep::Pick(Target::GoTo(0)));
        assert_eq!(b.mouse(click(39, 9)), MenuStep::Close);
    }
}
