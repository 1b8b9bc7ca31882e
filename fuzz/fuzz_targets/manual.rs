//! Fuzzes the reader of tor's manual (troff, as `man` reads it): nothing
//! may panic; every entry has a name without white space.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = rnyx::manual::unescape(&text);
    for (i, e) in rnyx::manual::parse(&text).iter().enumerate() {
        assert!(!e.name.is_empty(), "entry {i} has no name");
        assert!(!e.name.contains(char::is_whitespace), "{:?}", e.name);
    }
});
