//! What pages and the app ask of the I/O side, and what comes back: the
//! effects, and the tickets that route each response to the page that
//! asked. The requests and responses themselves are the grammar's
//! ([`rnyx_grammar::request`]), the same type the controller task takes.

pub use rnyx_grammar::request::{Request, Response};

/// Names one request, so its response reaches the page that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ticket(pub u64);

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
