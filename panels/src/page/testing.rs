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

/// Gives `keys` to the popup the page opened last in `cx` (as the app's
/// stack does); the answer it closes with goes back to the page. The step
/// of the last key.
pub fn keys_to_popup(
    page: &mut dyn Page,
    keys: &[crate::keymap::Key],
    cx: &mut super::Cx,
) -> crate::popup::Step {
    use crate::popup::Step;
    let (ticket, mut popup) = cx.out.opened.pop().expect("the page opened a popup");
    let mut step = Step::Stay;
    for key in keys {
        assert_eq!(step, Step::Stay, "the popup closed before {key:?}");
        step = popup.key(*key, cx);
    }
    if let Step::Done(answer) = step.clone() {
        page.answered(ticket, answer, cx);
    }
    step
}
