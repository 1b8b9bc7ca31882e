//! The popup contract: a popup has keys, the mouse and drawing of its own;
//! the app keeps the open ones in a stack and hands a popup's [`Answer`] to
//! whoever opened it. The popups themselves are widgets (`crate::popup`).

use super::{Cx, Mouse, Tag, View};
use crate::keymap::Key;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;

/// A popup: keys, the mouse and drawing of its own.
pub trait Popup {
    /// A key (Esc never reaches it: the app closes the popup).
    fn key(&mut self, key: Key, cx: &mut Cx) -> Step;
    /// A mouse event anywhere on the screen.
    fn mouse(&mut self, m: Mouse, cx: &mut Cx) -> Step;
    /// Draws it over `area` (the whole screen).
    fn draw(&self, view: &View, area: Rect, buf: &mut Buffer);

    /// Esc: closes it unless it says otherwise (a request under way).
    fn esc(&mut self, _cx: &mut Cx) -> Step {
        Step::Close
    }

    /// The answer to a request it made ([`Cx::ask`]), in its tag.
    fn respond(&mut self, _answer: Tag, _cx: &mut Cx) -> Step {
        Step::Stay
    }
}

/// What a key or a click did to a popup.
#[derive(Debug)]
pub enum Step {
    /// It stays open.
    Stay,
    /// It closes with no answer.
    Close,
    /// It closes with this answer for the page that opened it.
    Done(Answer),
    /// It stays open; this answer goes to the page now (resizing as the
    /// keys come).
    Tell(Answer),
}

/// A popup's answer.
#[derive(Debug)]
pub enum Answer {
    /// The value a menu picked ([`crate::popup::Menu::of`]): the page
    /// reads it back as the type it gave the menu.
    Picked(Tag),
    /// A confirmation said yes.
    Yes,
    /// The text typed in a text box, trimmed.
    Text(String),
    /// The events chosen in the event dialog.
    Events(rnyx_model::EventSelection),
    /// One step up (-1) or down (1).
    Moved(i8),
    /// What came of the popup's work, for the page's status line (`true`:
    /// an error).
    Status(String, bool),
}
