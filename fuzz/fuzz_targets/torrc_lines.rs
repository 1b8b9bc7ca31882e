//! Fuzzes the torrc grammar: each line's option and value (comments,
//! quotes, `%include` and its patterns, `+`/`/` prefixes), values compared
//! in every kind's units, tor's command line, and the secret rule on torrc
//! lines. Nothing may panic; an entry's
//! key holds no space; a secret option's value never survives redaction.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::torrc_lines(data));
