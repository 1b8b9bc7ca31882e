//! Fuzzes the `/proc` readers: one text read as `stat`, `status`,
//! `limits`, `meminfo` and `net/tcp{,6}`. Nothing may panic; a socket row
//! read gives back the addresses its hex spells (written again the
//! kernel's way, it reads the same).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::proc_files(data));
