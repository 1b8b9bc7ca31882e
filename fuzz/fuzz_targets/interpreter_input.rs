//! Fuzzes what the interpreter does with typed lines: each line run (tor
//! commands, `/help`, `/info`, `/events`), completed, shown and kept in the
//! history. Nothing may panic; what is asked of tor is one line; a line
//! shown holds no control character; a secret is never kept.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::interpreter_input(data));
