//! Fuzzes the reader of tor's manual (troff, as `man` reads it): nothing
//! may panic; every entry has a name without white space.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::manual(data));
