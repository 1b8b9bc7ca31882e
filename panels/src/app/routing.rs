//! Where answers go: the requests under way (who asked, and how the
//! response is read into their tag), and running a page's handler with a
//! context whose requests and popups are remembered as its own.

use super::{App, Effect, Holder, Opened};
use crate::page::{Cx, Outbox, Page, Request, Response, Ticket};
use rnyx_model::ControllerState;

/// Who a ticket's response goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Owner {
    /// The app, for a signal: its name, to say what failed.
    App(String),
    Page(usize),
    /// The popup opened with this ticket.
    Popup(Ticket),
}

/// A request under way: who gets its answer, and how the response is
/// read into their tag (the app reads its own).
pub(super) struct Pending {
    ticket: Ticket,
    owner: Owner,
    read: Option<crate::page::Reader>,
}

impl App {
    /// Runs `f` on page `index` with a context, then collects what it
    /// produced: tickets issued are remembered as the page's.
    pub(super) fn with_page(
        &mut self,
        index: usize,
        live: &ControllerState,
        now: u64,
        f: impl FnOnce(&mut dyn Page, &mut Cx),
    ) -> Vec<Effect> {
        self.with_owner(index, &Owner::Page(index), live, now, f)
    }

    /// [`App::with_page`], the tickets issued remembered as `owner`'s (a
    /// popup's requests are answered to the popup).
    pub(super) fn with_owner(
        &mut self,
        index: usize,
        owner: &Owner,
        live: &ControllerState,
        now: u64,
        f: impl FnOnce(&mut dyn Page, &mut Cx),
    ) -> Vec<Effect> {
        let mut out = Outbox {
            next_ticket: self.next_ticket,
            fleet: self.fleet.clone(),
            ..Outbox::default()
        };
        let shown = self.paused.as_deref().unwrap_or(live);
        let mut cx = Cx {
            shown,
            live,
            now,
            out: &mut out,
        };
        f(&mut *self.pages[index], &mut cx);
        self.next_ticket = out.next_ticket;
        for (ticket, popup, theirs, retag) in out.opened.drain(..) {
            self.pending
                .extend(theirs.into_iter().map(|(t, read)| Pending {
                    ticket: t,
                    owner: Owner::Popup(ticket),
                    read: Some(read),
                }));
            self.stack.push(Opened {
                ticket,
                holder: Holder::Page(index, retag),
                popup,
            });
        }
        self.pending
            .extend(out.issued.drain(..).map(|(ticket, read)| Pending {
                ticket,
                owner: owner.clone(),
                read: Some(read),
            }));
        if let Some(n) = out.notice {
            self.notify(n);
        }
        out.effects
    }

    /// A request of the app's own.
    pub(super) fn request(&mut self, request: Request, what: &str) -> Vec<Effect> {
        self.next_ticket += 1;
        let ticket = Ticket(self.next_ticket);
        self.pending.push(Pending {
            ticket,
            owner: Owner::App(what.to_owned()),
            read: None,
        });
        vec![Effect::Request { ticket, request }]
    }

    /// A response from the I/O side, routed to whoever asked.
    pub fn respond(
        &mut self,
        ticket: Ticket,
        response: Response,
        live: &ControllerState,
        now: u64,
    ) -> Vec<Effect> {
        let Some(i) = self.pending.iter().position(|p| p.ticket == ticket) else {
            return vec![];
        };
        let Pending { owner, read, .. } = self.pending.remove(i);
        match (owner, read) {
            (Owner::App(what), _) => {
                if let Some(e) = response.error() {
                    self.notify(format!("{what} failed: {e}"));
                }
                vec![]
            }
            (_, None) => vec![],
            (Owner::Page(p), Some(read)) => self.with_page(p, live, now, |page, cx| {
                page.respond(read(response), cx);
            }),
            (Owner::Popup(opened), Some(read)) => {
                self.popup_respond(opened, read(response), live, now)
            }
        }
    }
}
