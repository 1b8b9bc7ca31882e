//! Drawing a page on its own in unit tests.

use super::{Page, View};
use crate::keymap::Keymap;
use crate::model::ControllerState;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;

/// The page's rows as drawn at `w`×`h` at `now` without colour, trailing
/// spaces cut.
pub fn draw(page: &dyn Page, state: &ControllerState, now: u64, size: (u16, u16)) -> Vec<String> {
    draw_with(page, state, now, size, &[])
}

/// [`draw`], with `popups` drawn over the page.
fn draw_with(
    page: &dyn Page,
    state: &ControllerState,
    now: u64,
    (w, h): (u16, u16),
    popups: &[super::Opened],
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
    for (_, popup, _) in popups {
        popup.draw(&view, area, &mut buf);
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
) -> crate::page::Step {
    use crate::page::Step;
    let (ticket, mut popup, _) = cx.out.opened.pop().expect("the page opened a popup");
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

/// The popups a page opened, kept as the app's stack keeps them, for unit
/// tests of a page without the app.
#[derive(Default)]
pub struct Stack {
    popups: Vec<super::Opened>,
}

impl Stack {
    /// Takes the popups opened in `cx`.
    pub fn adopt(&mut self, cx: &mut super::Cx) {
        self.popups.append(&mut cx.out.opened);
    }

    pub fn is_empty(&self) -> bool {
        self.popups.is_empty()
    }

    /// A key for the top popup (Esc asks it to close), as the app gives it.
    pub fn key(&mut self, page: &mut dyn Page, key: crate::keymap::Key, cx: &mut super::Cx) {
        let Some((ticket, mut popup, theirs)) = self.popups.pop() else {
            return;
        };
        let step = if key == crate::keymap::Key::Esc {
            popup.esc(cx)
        } else {
            popup.key(key, cx)
        };
        self.stepped(page, (ticket, popup, theirs), step, cx);
    }

    /// tor's answer: to the popup that asked, else to the page.
    pub fn respond(
        &mut self,
        page: &mut dyn Page,
        ticket: super::Ticket,
        response: super::Response,
        cx: &mut super::Cx,
    ) {
        let Some(i) = self.popups.iter().position(|o| o.2.contains(&ticket)) else {
            return page.respond(ticket, response, cx);
        };
        let (t, mut popup, theirs) = self.popups.remove(i);
        let step = popup.respond(ticket, response, cx);
        self.stepped(page, (t, popup, theirs), step, cx);
    }

    fn stepped(
        &mut self,
        page: &mut dyn Page,
        opened: super::Opened,
        step: crate::page::Step,
        cx: &mut super::Cx,
    ) {
        use crate::page::Step;
        let ticket = opened.0;
        let answer = match step {
            Step::Stay => None,
            Step::Close => return,
            Step::Done(answer) => {
                page.answered(ticket, answer, cx);
                return self.adopt(cx);
            }
            Step::Tell(answer) => Some(answer),
        };
        self.popups.push(opened);
        if let Some(answer) = answer {
            page.answered(ticket, answer, cx);
        }
        self.adopt(cx);
    }

    /// The page and its popups as drawn at `w`×`h`, as text.
    pub fn draw(
        &self,
        page: &dyn Page,
        state: &ControllerState,
        now: u64,
        size: (u16, u16),
    ) -> String {
        draw_with(page, state, now, size, &self.popups).join("\n")
    }
}
