//! rnyx: a terminal monitor for tor relays. The library holds everything the
//! binary does, so tests reach it all.

pub mod check;
pub mod cli;
pub mod config;
pub mod control;
pub mod controller;
pub mod demo;
pub mod dump;
#[doc(hidden)]
pub mod files;
pub mod fuzzing;
pub mod history;
pub mod host;
pub mod launch;
pub mod local;
pub mod manpage;
pub mod manual;
pub mod memory;
pub mod monitor;
pub mod notify;
pub mod procfs;
pub mod prompt;
pub mod record;
pub mod relays;
pub mod replay;
pub mod settings;
pub mod ui;
pub mod watch;
