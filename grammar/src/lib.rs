//! tor's control-port grammar (control-spec) and the types of the state rnyx
//! keeps of a relay. Pure: no runtime, no terminal, no socket — the async
//! client (`rnyx::control`) and the pages (`rnyx-panels`) both depend on this
//! crate, never the other way.
//!
//! - [`reply`]: framing replies and events (§2.3, §4);
//! - [`args`]: the words of a line, `KEY=value`, `QuotedString` (§2.1);
//! - [`command`]: typed commands, quoted and escaped per the spec (§3);
//! - [`names`]: `LongName`s and circuit paths (§2.1);
//! - [`event`]: typed asynchronous events (§4.1);
//! - [`getinfo`]: typed GETINFO values (§3.9);
//! - [`policy`]: exit policies (`exit-policy/full`) as the header shows them;
//! - [`logfile`]: tor's log-file lines and `Log` options;
//! - [`time`]: calendar arithmetic for tor's timestamps;
//! - [`torrc`]: `%include` lines and tor's command line;
//! - [`model`]: the controller state and its domain types;
//! - [`secret`]: which fields are credentials, and lines with them hidden;
//! - [`spec`]: the productions of single values (IDs, times, ports…);
//! - [`text`]: what of tor's text may reach a terminal.

pub mod args;
pub mod command;
pub mod event;
pub mod getinfo;
pub mod logfile;
pub mod model;
pub mod names;
pub mod policy;
pub mod reply;
pub mod secret;
pub mod spec;
pub mod text;
pub mod time;
pub mod torrc;
