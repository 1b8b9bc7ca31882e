//! Fuzzes reading a recording (`rnyx replay` input): the bytes as a
//! recording's text (as decompressed), read and made a replay script that
//! answers commands. Nothing may panic; an error names the
//! file; each line the fast path reads, serde reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::recording(data));
