//! Where things were drawn, for mouse hit testing. Drawing takes `&self`,
//! so the regions are kept in a cell and replaced by every frame: a click
//! is tested against what the operator saw.

use ratatui_core::layout::{Position, Rect};
use std::cell::RefCell;

#[derive(Debug, Clone)]
pub struct HitMap<T: Clone> {
    regions: RefCell<Vec<(Rect, T)>>,
}

impl<T: Clone> Default for HitMap<T> {
    fn default() -> Self {
        Self {
            regions: RefCell::new(Vec::new()),
        }
    }
}

impl<T: Clone> HitMap<T> {
    /// Forgets the last frame's regions.
    pub fn clear(&self) {
        self.regions.borrow_mut().clear();
    }

    pub fn add(&self, area: Rect, target: T) {
        self.regions.borrow_mut().push((area, target));
    }

    /// The target drawn last at a cell; later regions lie over earlier ones.
    pub fn at(&self, column: u16, row: u16) -> Option<T> {
        self.regions
            .borrow()
            .iter()
            .rev()
            .find(|(r, _)| r.contains(Position::new(column, row)))
            .map(|(_, t)| t.clone())
    }
}
