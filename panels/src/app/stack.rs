//! The app's popup stack: the popups open, the app's own and the pages',
//! top last. The top one takes every key (Esc asks it to close) and mouse
//! event; each is drawn over what is under it; its requests are answered
//! to it; its answer goes to whoever opened it.

use super::routing::Owner;
use super::{App, Holder};
use crate::page::{Cx, Effect, Tag, Ticket};
use crate::popup::{Answer, Popup, Step};
use rnyx_model::ControllerState;

/// The app's own popups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AppPopup {
    Help,
    ConfirmReload,
    Alerts,
}

/// A popup on the stack: its answer goes to its holder with `ticket`.
pub(super) struct Opened {
    pub ticket: Ticket,
    pub holder: Holder,
    pub popup: Box<dyn Popup>,
}

impl App {
    /// A key or mouse event for the top popup.
    pub(super) fn on_popup(
        &mut self,
        live: &ControllerState,
        now: u64,
        f: impl FnOnce(&mut dyn Popup, &mut Cx) -> Step,
    ) -> Vec<Effect> {
        match self.stack.len().checked_sub(1) {
            Some(top) => self.step_popup(top, live, now, f),
            None => vec![],
        }
    }

    /// tor's answer to a request of the popup opened with `opened`, if it
    /// is still open.
    pub(super) fn popup_respond(
        &mut self,
        opened: Ticket,
        answer: Tag,
        live: &ControllerState,
        now: u64,
    ) -> Vec<Effect> {
        match self.stack.iter().position(|o| o.ticket == opened) {
            Some(i) => self.step_popup(i, live, now, |p, cx| p.respond(answer, cx)),
            None => vec![],
        }
    }

    /// Runs `f` on popup `i` of the stack: it stays, closes, or answers
    /// whoever opened it (and stays when it only tells).
    fn step_popup(
        &mut self,
        i: usize,
        live: &ControllerState,
        now: u64,
        f: impl FnOnce(&mut dyn Popup, &mut Cx) -> Step,
    ) -> Vec<Effect> {
        let mut opened = self.stack.remove(i);
        let page = match opened.holder {
            Holder::Page(p, _) => p,
            Holder::App(_) => self.page,
        };
        let mut step = Step::Stay;
        let owner = Owner::Popup(opened.ticket);
        let mut effects = self.with_owner(page, &owner, live, now, |_, cx| {
            step = f(&mut *opened.popup, cx);
        });
        // Whom the answer goes to, with what tag.
        let to = match &opened.holder {
            Holder::Page(page, retag) => Some((*page, retag())),
            Holder::App(_) => None,
        };
        let app = match opened.holder {
            Holder::App(what) => Some(what),
            Holder::Page(..) => None,
        };
        let answer = match step {
            // Where it was: under any popup it opened.
            Step::Stay => {
                self.stack.insert(i, opened);
                None
            }
            Step::Close => None,
            Step::Done(answer) => Some(answer),
            Step::Tell(answer) => {
                self.stack.insert(i, opened);
                Some(answer)
            }
        };
        match (to, app, answer) {
            (Some((page, tag)), _, Some(answer)) => {
                effects.extend(self.with_page(page, live, now, |p, cx| {
                    p.answered(tag, answer, cx);
                }));
            }
            (_, Some(AppPopup::ConfirmReload), Some(Answer::Yes)) => {
                self.notify("reloading tor's configuration (RELOAD)");
                effects.extend(self.request(
                    crate::page::ask::Signal(rnyx_grammar::signal::Signal::Reload).into(),
                    "RELOAD",
                ));
            }
            _ => {}
        }
        effects
    }

    /// Opens one of the app's own popups.
    pub(super) fn open(&mut self, what: AppPopup, popup: Box<dyn Popup>) {
        self.next_ticket += 1;
        self.stack.push(Opened {
            ticket: Ticket(self.next_ticket),
            holder: Holder::App(what),
            popup,
        });
    }
}
