//! Fuzzes nyxrc: nothing may panic, and a file that cannot be used is
//! refused with its path (and the line, where there is one).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match rnyx::config::Config::parse(&text, Path::new("/fuzz/nyxrc")) {
        Ok(config) => {
            let _ = config.app_settings();
        }
        Err(e) => {
            let said = e.to_string();
            assert!(said.starts_with("/fuzz/nyxrc"), "{said}");
        }
    }
});
