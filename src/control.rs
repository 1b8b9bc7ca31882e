//! The tor control protocol. `reply`, `args` and `event` are pure parsing
//! (no runtime); `client` is the async client, generic over any
//! `AsyncRead + AsyncWrite`; `auth` authenticates it; `target` finds tor.

pub mod args;
pub mod event;
pub mod names;
pub mod reply;

pub use event::Event;
pub use reply::{Frame, FrameError, LineKind, Reply, ReplyFramer, ReplyLine};
pub mod client;

pub use client::{take_events, Client, ClientError, EventReceiver, Incoming};
pub mod auth;

pub use auth::{AuthError, AuthMethod, ProtocolInfo};
pub mod target;

pub use target::{connect, ConnectError, Connection, Target};
