//! The tor control protocol at runtime: `client` is the async client,
//! generic over any `AsyncRead + AsyncWrite`; `auth` authenticates it;
//! `target` finds tor. tor's grammar (framing, events, names, arguments) is
//! the pure crate `rnyx-grammar`, re-exported here.

pub use rnyx_grammar::{args, event, names, reply};

pub use event::Event;
pub use reply::{Frame, FrameError, LineKind, Reply, ReplyFramer, ReplyLine};
pub mod client;

pub use client::{take_events, Batch, Client, ClientError, EventReceiver, Incoming};
pub mod auth;

pub use auth::{AuthError, AuthMethod, ProtocolInfo};
pub mod target;

pub use target::{connect, ConnectError, Connection, SshError, Target};
