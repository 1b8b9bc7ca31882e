//! What pages and the app ask of the I/O side, and what comes back: the
//! effects, and how each answer finds its way back. The requests and
//! responses themselves are the grammar's ([`rnyx_grammar::request`]), the
//! same type the controller task takes; a page asks with one of the typed
//! asks there (`ask::GetInfo`, `ask::WriteFile`, …), whose type says what
//! answers it.

pub use rnyx_grammar::request::{self as ask, Ask, Failure, Request, Response};
use std::any::Any;

/// Names one request between the app and the I/O side, so its response
/// finds the page or popup that made it. Pages never see one: they get
/// their own tag back ([`Tag`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ticket(pub u64);

/// A page's own value, given back with what it was for: the tag a page
/// asked with (its typed answer inside) or opened a popup with, or the
/// value a menu picked. The page reads it back as its own type
/// ([`Tag::take`]); the app routes it only to the page that made it.
pub struct Tag(Box<dyn Any>);

impl Tag {
    pub fn new<T: Any>(value: T) -> Self {
        Tag(Box::new(value))
    }

    /// The value, when it is a `T`.
    pub fn take<T: Any>(self) -> Option<T> {
        self.0.downcast().ok().map(|b| *b)
    }
}

impl std::fmt::Debug for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tag(…)")
    }
}

/// How a response becomes the asker's tag: the ask's typed answer (or its
/// failure) put in the tag the asker gave.
pub(crate) type Reader = Box<dyn FnOnce(Response) -> Tag>;

/// How the tag a popup was opened with is made again for each answer it
/// gives (a popup that tells as it goes answers more than once).
pub(crate) type Retag = Box<dyn Fn() -> Tag>;

/// What the app asks the I/O side to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
    /// Retry connecting to tor now.
    Reconnect,
    /// Show this relay (of those watched) on every page.
    SelectRelay(usize),
    /// Carry out `request`; its [`Response`] comes back with `ticket`.
    Request {
        ticket: Ticket,
        request: Request,
    },
}
