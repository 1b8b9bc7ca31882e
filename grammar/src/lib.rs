//! tor's control-port grammar (control-spec): reading what tor sends and
//! writing what rnyx asks, into and out of the state's types
//! (`rnyx-model`). Pure: no runtime, no terminal, no socket — the async
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
//! - [`metrics`]: the Prometheus text tor's MetricsPort serves;
//! - [`time`]: calendar arithmetic for tor's timestamps;
//! - [`torrc`]: `%include` lines and tor's command line;
//! - [`request`]: what the UI asks the controller task, by where it goes,
//!   and the typed asks whose types say what answers them;
//! - [`signal`]: tor's signals;
//! - [`secret`]: which fields are credentials, and lines with them hidden;
//! - [`spec`]: the productions of single values (IDs, times, ports…).

pub mod args;
pub mod command;
pub mod event;
pub mod getinfo;
pub mod incoming;
pub mod logfile;
pub mod metrics;
pub mod names;
pub mod policy;
pub mod reply;
pub mod request;
pub mod secret;
pub mod signal;
pub mod spec;
pub mod time;
pub mod torrc;
