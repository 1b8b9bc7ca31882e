//! Drawing a page on its own in unit tests.

use super::{Page, View};
use crate::keymap::Keymap;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use rnyx_model::ControllerState;

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
    for (_, popup, ..) in popups {
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
    let (_, mut popup, _, retag) = cx.out.opened.pop().expect("the page opened a popup");
    let mut step = Step::Stay;
    for key in keys {
        assert!(
            matches!(step, Step::Stay),
            "the popup closed before {key:?}"
        );
        step = popup.key(*key, cx);
    }
    match step {
        Step::Done(answer) => {
            page.answered(retag(), answer, cx);
            Step::Close
        }
        other => other,
    }
}

impl super::Outbox {
    /// What the asker gets for `response` to the request made with
    /// `ticket` in this outbox (read by the ask's type, put in its tag).
    pub fn answer(&mut self, ticket: super::Ticket, response: super::Response) -> super::Tag {
        let i = self
            .issued
            .iter()
            .position(|(t, _)| *t == ticket)
            .expect("a request made here");
        let (_, read) = self.issued.remove(i);
        read(response)
    }
}

/// The popups a page opened, kept as the app's stack keeps them, for unit
/// tests of a page without the app.
#[derive(Default)]
pub struct Stack {
    popups: Vec<super::Opened>,
    /// The page's own requests, with how their answers are read.
    asked: Vec<(super::Ticket, super::Reader)>,
}

impl Stack {
    /// Takes the popups opened and the requests made in `cx`.
    pub fn adopt(&mut self, cx: &mut super::Cx) {
        self.popups.append(&mut cx.out.opened);
        self.asked.append(&mut cx.out.issued);
    }

    pub fn is_empty(&self) -> bool {
        self.popups.is_empty()
    }

    /// A key for the top popup (Esc asks it to close), as the app gives it.
    pub fn key(&mut self, page: &mut dyn Page, key: crate::keymap::Key, cx: &mut super::Cx) {
        let Some((ticket, mut popup, theirs, retag)) = self.popups.pop() else {
            return;
        };
        let step = if key == crate::keymap::Key::Esc {
            popup.esc(cx)
        } else {
            popup.key(key, cx)
        };
        self.stepped(page, (ticket, popup, theirs, retag), step, cx);
    }

    /// tor's answer: to the popup that asked, else to the page.
    pub fn respond(
        &mut self,
        page: &mut dyn Page,
        ticket: super::Ticket,
        response: super::Response,
        cx: &mut super::Cx,
    ) {
        let theirs = |o: &super::Opened| o.2.iter().position(|(t, _)| *t == ticket);
        let Some(i) = self.popups.iter().position(|o| theirs(o).is_some()) else {
            if let Some(j) = self.asked.iter().position(|(t, _)| *t == ticket) {
                let (_, read) = self.asked.remove(j);
                page.respond(read(response), cx);
            }
            return;
        };
        let (t, mut popup, mut asked, retag) = self.popups.remove(i);
        let j = asked.iter().position(|(a, _)| *a == ticket).unwrap_or(0);
        let (_, read) = asked.remove(j);
        let step = popup.respond(read(response), cx);
        self.stepped(page, (t, popup, asked, retag), step, cx);
    }

    fn stepped(
        &mut self,
        page: &mut dyn Page,
        opened: super::Opened,
        step: crate::page::Step,
        cx: &mut super::Cx,
    ) {
        use crate::page::Step;
        let answer = match step {
            Step::Stay => None,
            Step::Close => return,
            Step::Done(answer) => {
                page.answered((opened.3)(), answer, cx);
                return self.adopt(cx);
            }
            Step::Tell(answer) => Some(answer),
        };
        let tag = (opened.3)();
        self.popups.push(opened);
        if let Some(answer) = answer {
            page.answered(tag, answer, cx);
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
