//! The page contract. A page is a room: one module owning its view state,
//! the actions it handles, its popups, its help and menu entries and its
//! drawing. The app holds only what is global (page switching, pause, help,
//! the menu bar, quit, NEWNYM/RELOAD/reconnect, notices) and routes the rest
//! to the current page.
//!
//! Pages perform no I/O. They ask for it through [`Cx::ask`], with a typed
//! ask and a tag of their own; the I/O side carries the request out and
//! the answer, typed by the ask, comes back inside that tag to
//! [`Page::respond`] of the page that asked, and of no other. A popup is
//! opened the same way ([`Cx::open`]) and its answer comes back with its
//! tag to [`Page::answered`]. No page keeps a ticket.

mod hit;
pub mod popup;
mod request;
#[cfg(test)]
pub(crate) mod testing;

pub use hit::HitMap;
pub use popup::{Answer, Popup, Step};
pub use request::{ask, Ask, Effect, Failure, Request, Response, Tag, Ticket};
pub(crate) use request::{Reader, Retag};

use crate::keymap::{ActionId, ActionSpec, Key, Keymap};
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use rnyx_model::ControllerState;
use std::any::Any;

/// A mouse event, in terminal cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mouse {
    pub kind: MouseKind,
    pub column: u16,
    pub row: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    /// The left button went down.
    Click,
    WheelUp,
    WheelDown,
}

impl Mouse {
    pub fn at(&self, area: Rect) -> bool {
        area.contains(ratatui_core::layout::Position::new(self.column, self.row))
    }
}

/// What a page is given to act: the state it shows, and where its notices,
/// effects and requests go.
pub struct Cx<'a> {
    /// What is drawn: the paused snapshot while paused, else `live`.
    pub shown: &'a ControllerState,
    /// The newest state.
    pub live: &'a ControllerState,
    /// Unix seconds.
    pub now: u64,
    pub(crate) out: &'a mut Outbox,
}

/// A popup a page opened: its ticket, itself, its requests, its tag.
pub(crate) type Opened = (Ticket, Box<dyn Popup>, Vec<(Ticket, Reader)>, Retag);

/// What a page's handler produced; the app drains it.
#[derive(Default)]
pub(crate) struct Outbox {
    pub effects: Vec<Effect>,
    pub notice: Option<String>,
    pub next_ticket: u64,
    /// Requests made during this call, each with how its answer is read.
    pub issued: Vec<(Ticket, Reader)>,
    /// Every relay watched, when several.
    pub fleet: Vec<rnyx_model::RelayRow>,
    /// Popups opened during this call: the ticket their answer comes
    /// back with, and the tickets of the requests they made as they were
    /// made (answered to them).
    pub opened: Vec<Opened>,
}

impl Cx<'_> {
    /// A message for the status line, shown until the next key.
    pub fn notify(&mut self, message: impl Into<String>) {
        self.out.notice = Some(message.into());
    }

    /// Every relay watched, when several (empty with one).
    pub fn fleet(&self) -> &[rnyx_model::RelayRow] {
        &self.out.fleet
    }

    /// Shows relay `i` of [`Cx::fleet`] on every page.
    pub fn select_relay(&mut self, i: usize) {
        self.out.effects.push(Effect::SelectRelay(i));
    }

    /// Opens `popup` over the page, on the app's stack: it takes the keys
    /// and the mouse until it closes (Esc closes it); each answer it gives
    /// comes back to this page's [`Page::answered`] with `tag`.
    pub fn open<T: Any + Clone>(&mut self, popup: Box<dyn Popup>, tag: T) {
        self.open_with(tag, |_| popup);
    }

    /// [`Cx::open`] of the popup `make` makes: the requests it makes with
    /// this context are answered to the popup.
    pub fn open_with<T: Any + Clone>(
        &mut self,
        tag: T,
        make: impl FnOnce(&mut Cx) -> Box<dyn Popup>,
    ) {
        let before = self.out.issued.len();
        let popup = make(self);
        let theirs = self.out.issued.split_off(before);
        self.out.next_ticket += 1;
        let ticket = Ticket(self.out.next_ticket);
        let retag: Retag = Box::new(move || Tag::new(tag.clone()));
        self.out.opened.push((ticket, popup, theirs, retag));
    }

    /// Asks the I/O side for `ask`; its answer, typed by the ask, comes
    /// back to this page's [`Page::respond`] (or the popup's that asked)
    /// as what `tag` makes of it: `cx.ask(ask::GetInfo(keys), Asked::Names)`
    /// with `Asked::Names(Result<Vec<(String, String)>, Failure>)`.
    pub fn ask<A: Ask, T: Any>(
        &mut self,
        ask: A,
        tag: impl FnOnce(Result<A::Answer, Failure>) -> T + 'static,
    ) {
        self.out.next_ticket += 1;
        let ticket = Ticket(self.out.next_ticket);
        let read: Reader = Box::new(move |response| Tag::new(tag(A::answer(response))));
        self.out.issued.push((ticket, read));
        let request = ask.into();
        self.out.effects.push(Effect::Request { ticket, request });
    }
}

/// What a page is given to draw.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub state: &'a ControllerState,
    /// Unix seconds.
    pub now: u64,
    pub theme: Theme,
    pub keymap: &'a Keymap,
    /// Every relay watched, when several (empty with one).
    pub fleet: &'a [rnyx_model::RelayRow],
    /// The relay `state` is of, in `fleet`.
    pub relay: usize,
}

impl View<'_> {
    /// The keys bound to one of `page`'s actions, as help and menus show them.
    pub fn keys(&self, page: &dyn Page, action: ActionId) -> String {
        self.keymap.page_label(page.id(), action)
    }
}

/// What the app, nyxrc and the menus know of a page, declared once with it.
#[derive(Debug, Clone, Copy)]
pub struct PageInfo {
    /// The page's name in nyxrc (`[keys.<id>]`).
    pub id: &'static str,
    /// The page's name in the menu of pages: `Graph / Log`.
    pub title: &'static str,
    /// Every action the page handles; the keymap, the help popup and the
    /// menu bar are made from this list.
    pub actions: &'static [ActionSpec],
}

/// One page of the monitor.
pub trait Page: Any {
    /// The page's id, title and actions (its `INFO`).
    fn info(&self) -> &'static PageInfo;

    /// The page's name in nyxrc (`[keys.<id>]`).
    fn id(&self) -> &'static str {
        self.info().id
    }

    /// Whether the page is among those shown for this state (page 7 only
    /// where tor hosts an onion service); one not shown is skipped by the
    /// page keys, the footer's count and the menu of pages.
    fn shown(&self, _state: &ControllerState) -> bool {
        true
    }

    /// The page's name in the menu of pages.
    fn title(&self) -> &'static str {
        self.info().title
    }

    /// Every action the page handles.
    fn actions(&self) -> &'static [ActionSpec] {
        self.info().actions
    }

    /// Performs one of [`Page::actions`]: its place in that list, as the
    /// keymap or a menu resolved it (the page's `Action::of` reads it).
    fn action(&mut self, action: ActionId, cx: &mut Cx);

    /// The action's current value, for help and menus: `each second`.
    fn value(&self, _action: ActionId) -> Option<String> {
        None
    }

    /// Actions shown in the footer after the global hints.
    fn hints(&self) -> &'static [ActionId] {
        &[]
    }

    /// Whether a mode of the page (a line being typed on its bottom row)
    /// takes every key; popups are on the app's stack.
    fn modal(&self) -> bool {
        false
    }

    /// Whether the page shows tor's manual (option descriptions, command
    /// help): it is read when such a page is first shown, not at start.
    fn uses_manual(&self) -> bool {
        false
    }

    /// A key while [`Page::modal`].
    fn modal_key(&mut self, _key: Key, _cx: &mut Cx) {}

    /// A mouse event in the page's body, or anywhere while modal.
    fn mouse(&mut self, _mouse: Mouse, _cx: &mut Cx) {}

    /// The answer to a request this page made ([`Cx::ask`]), in the tag
    /// it asked with.
    fn respond(&mut self, _answer: Tag, _cx: &mut Cx) {}

    /// The answer of a popup this page opened ([`Cx::open`]), with the tag
    /// it was opened with.
    fn answered(&mut self, _tag: Tag, _answer: Answer, _cx: &mut Cx) {}

    /// Draws the page's body.
    fn render(&self, view: &View, area: Rect, buf: &mut Buffer);
}

impl crate::list::Cursor {
    /// The mouse's wheel on a scrolled page: three rows a notch; a click
    /// is not the wheel's.
    pub fn wheel(&self, kind: MouseKind) {
        let step = match kind {
            MouseKind::WheelUp => crate::list::Scroll::Up,
            MouseKind::WheelDown => crate::list::Scroll::Down,
            MouseKind::Click => return,
        };
        for _ in 0..3 {
            self.step(step);
        }
    }
}
