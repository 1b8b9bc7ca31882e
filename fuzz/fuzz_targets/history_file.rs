//! Fuzzes reading a graph history file: nothing may panic; a file kept
//! for another relay, of another format or not JSON is refused with a
//! reason; one that is read restores into a state without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::history_file(data));
