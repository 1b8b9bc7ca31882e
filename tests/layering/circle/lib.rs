//! A crate for the layering check's own test: `a` uses `b`, and `b` uses
//! `a` only after a test module.

pub mod a;
pub mod b;
pub mod c;
