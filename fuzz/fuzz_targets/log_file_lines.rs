//! Fuzzes what the log does with text from tor: parsing tor's log-file lines
//! and `Log` options,
//! dedup keys, sanitising and wrapping. Nothing may panic; sanitised text
//! holds no control character; wrapped rows fit the width and the row limit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::log_file_lines(data));
