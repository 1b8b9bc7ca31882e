//! Fuzzes reading a recording (`rnyx replay` input): the bytes as a
//! recording's text (as decompressed), read and made a replay script that
//! answers commands. Nothing may panic; an error names the
//! file; each line the fast path reads, serde reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        if let (Some(fast), slow) = rnyx::fuzzing::recorded_line(line) {
            assert_eq!(Some(fast), slow, "{line:?}");
        }
    }
    if let Err(why) = rnyx::fuzzing::recording(data) {
        assert!(why.contains("fuzz.rnyx.gz"), "{why}");
    }
});
