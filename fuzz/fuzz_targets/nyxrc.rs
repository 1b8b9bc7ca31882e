//! Fuzzes nyxrc: nothing may panic, and a file that cannot be used is
//! refused with its path (and the line, where there is one).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::nyxrc(data));
