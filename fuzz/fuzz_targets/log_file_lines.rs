//! Fuzzes what the log does with text from tor: parsing tor's log-file lines
//! and `Log` options,
//! dedup keys, sanitising and wrapping. Nothing may panic; sanitised text
//! holds no control character; wrapped rows fit the width and the row limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rnyx_grammar::logfile::{parse_tor_log_line, tor_log_file};
use rnyx_panels::log::wrap;
use rnyx_grammar::model::{dedup_key, LogSource, Runlevel};
use rnyx_grammar::text::strip_controls;

fuzz_target!(|data: &[u8]| {
    let Some((&shape, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    if let Some(e) = parse_tor_log_line(&text, 1_795_255_200_000, i32::from(shape) * 60) {
        assert!(!e.message.chars().any(char::is_control));
    }
    let _ = tor_log_file(&[text.to_string()]);
    let clean = strip_controls(&text);
    assert!(!clean.chars().any(char::is_control));
    let _ = dedup_key(&LogSource::Tor(Runlevel::Notice), &clean);
    let _ = dedup_key(&LogSource::Event("BW".into()), &clean);
    let width = usize::from(shape % 64) + 4;
    let max_rows = usize::from(shape / 64) + 1;
    let rows = wrap(&clean, width, max_rows);
    assert!(!rows.is_empty() && rows.len() <= max_rows, "{rows:?}");
    for r in &rows {
        assert!(r.chars().count() <= width, "{r:?} wider than {width}");
    }
});
