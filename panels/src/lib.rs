//! The model rnyx shows (controller state and its domain types) and every
//! panel. This crate performs no I/O: it depends on no
//! runtime, terminal or socket crate, so everything here is testable on fakes.

pub mod actions;
pub mod app;
pub mod ascii;
pub mod events;
pub mod format;
pub mod graph;
pub mod header;
pub mod input;
pub mod interp;
pub mod keymap;
pub mod list;
pub mod log;
pub mod menubar;
pub mod page;
pub mod pages;
pub mod popup;
pub mod settings;
pub mod theme;

// The state's types are `rnyx-model`'s, tor's grammar `rnyx-grammar`'s:
// the pages name each crate by its own name.

// Import circles: `tests/layering.rs` of the workspace checks every crate.
