//! The model rnyx shows (controller state and its domain types) and, in later
//! releases, every panel. This crate performs no I/O: it depends on no
//! runtime, terminal or socket crate, so everything here is testable on fakes.

pub mod model;
pub mod text;
