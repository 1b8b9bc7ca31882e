//! Fuzzes the reply framer and event parser: arbitrary bytes, split at an
//! arbitrary point, must never panic, and must frame the same however split;
//! the owning parser (`from_reply`, the firehose's path) must agree with
//! the borrowing one; a refusal's reason holds no control character; and
//! the secret rule never leaves a SOCKS password's value in a line.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::framing_events(data));
