//! Drawing a page on its own in unit tests.

use super::{Page, View};
use crate::keymap::Keymap;
use crate::model::ControllerState;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;

/// The page's rows as drawn at `w`×`h` at `now` without colour (with its
/// popup when `popup`), trailing spaces cut.
pub fn draw(
    page: &dyn Page,
    state: &ControllerState,
    now: u64,
    (w, h): (u16, u16),
    popup: bool,
) -> Vec<String> {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    let keymap = Keymap::new(&[], &[]);
    let view = View {
        state,
        now,
        theme: Theme { color: false },
        keymap: &keymap,
        fleet: &[],
        relay: 0,
    };
    page.render(&view, area, &mut buf);
    if popup {
        page.render_popup(&view, area, &mut buf);
    }
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_owned())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect()
}
