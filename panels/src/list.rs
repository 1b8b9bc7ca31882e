//! Moving through a list of one-row items drawn in a window: the
//! selection (or, for a list without one, the first row shown) and the
//! scroll that keeps it in view. Pages keep one and hand it their
//! scrolling actions.

use crate::keymap::{ActionSpec, Key};
use std::cell::Cell;

/// The scrolling actions, for a page's action list.
pub const SCROLL_ACTIONS: [ActionSpec; 6] = [
    ActionSpec::new("up", "previous row", &[Key::Up], None),
    ActionSpec::new("down", "next row", &[Key::Down], None),
    ActionSpec::new("page_up", "page up", &[Key::PageUp], None),
    ActionSpec::new("page_down", "page down", &[Key::PageDown], None),
    ActionSpec::new("top", "first row", &[Key::Home], None),
    ActionSpec::new("bottom", "last row", &[Key::End], None),
];

/// A scrolling action of a list page, in [`SCROLL_ACTIONS`]' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scroll {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
}

impl Scroll {
    pub const ALL: [Scroll; 6] = [
        Scroll::Up,
        Scroll::Down,
        Scroll::PageUp,
        Scroll::PageDown,
        Scroll::Top,
        Scroll::Bottom,
    ];

    /// The action's name in nyxrc.
    pub fn name(self) -> &'static str {
        SCROLL_ACTIONS[self as usize].name
    }
}

/// A position in a list; cells, so drawing can clamp it.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    at: Cell<usize>,
    /// Rows at the last draw, rows in view, first row drawn.
    len: Cell<usize>,
    height: Cell<usize>,
    first: Cell<usize>,
}

impl Cursor {
    /// The selected row (or the first shown, for a scroll-only list).
    pub fn at(&self) -> usize {
        self.at.get()
    }

    pub fn set(&self, at: usize) {
        self.at.set(at);
    }

    /// Carries out one of [`SCROLL_ACTIONS`]; false for any other action.
    pub fn step(&self, step: Scroll) {
        let page = isize::try_from(self.height.get().max(1)).unwrap_or(1);
        let delta = match step {
            Scroll::Up => -1,
            Scroll::Down => 1,
            Scroll::PageUp => -page,
            Scroll::PageDown => page,
            Scroll::Top => {
                self.at.set(0);
                return;
            }
            Scroll::Bottom => {
                self.at.set(usize::MAX);
                return;
            }
        };
        let to = self.at.get().saturating_add_signed(delta);
        self.at.set(to.min(self.len.get().saturating_sub(1)));
    }

    /// At drawing, with a selection: clamps it to `len` rows and returns
    /// the first row to draw in `height` rows so the selection shows.
    pub fn window(&self, len: usize, height: usize) -> usize {
        let at = self.at.get().min(len.saturating_sub(1));
        self.at.set(at);
        let mut first = self.first.get().min(at);
        if height > 0 && at >= first + height {
            first = at + 1 - height;
        }
        first = first.min(len.saturating_sub(height.max(1)));
        self.remember(len, height, first);
        first
    }

    /// At drawing, without a selection: the position is the first row
    /// shown, kept within `len` rows for a window of `height`.
    pub fn scroll(&self, len: usize, height: usize) -> usize {
        let last = len.saturating_sub(height.max(1));
        let first = self.at.get().min(last);
        self.at.set(first);
        // Moving past the end stops there: up then goes up at once.
        self.remember(last + 1, height, first);
        first
    }

    fn remember(&self, len: usize, height: usize, first: usize) {
        self.len.set(len);
        self.height.set(height);
        self.first.set(first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_stays_in_view() {
        let c = Cursor::default();
        assert_eq!(c.window(100, 10), 0);
        for _ in 0..12 {
            c.step(Scroll::Down);
        }
        assert_eq!(c.window(100, 10), 3);
        c.step(Scroll::PageDown);
        assert_eq!((c.at(), c.window(100, 10)), (22, 13));
        c.step(Scroll::Bottom);
        assert_eq!((c.window(100, 10), c.at()), (90, 99));
        c.step(Scroll::Top);
        assert_eq!(c.window(100, 10), 0);
        // A shorter list clamps the selection.
        c.step(Scroll::Bottom);
        assert_eq!((c.window(5, 10), c.at()), (0, 4));
    }

    #[test]
    fn scrolling_stops_at_the_end() {
        let c = Cursor::default();
        assert_eq!(c.scroll(30, 10), 0);
        c.step(Scroll::PageDown);
        c.step(Scroll::PageDown);
        c.step(Scroll::PageDown);
        assert_eq!(c.scroll(30, 10), 20);
        c.step(Scroll::Up);
        assert_eq!(c.scroll(30, 10), 19);
        assert_eq!(c.scroll(5, 10), 0);
    }
}
