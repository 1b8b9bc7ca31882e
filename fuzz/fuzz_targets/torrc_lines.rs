//! Fuzzes the torrc grammar: each line's option and value (comments,
//! quotes, `%include` and its patterns, `+`/`/` prefixes), values compared
//! in every kind's units, tor's command line, and the secret rule on torrc
//! lines. Nothing may panic; an entry's
//! key holds no space; a secret option's value never survives redaction.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rnyx_grammar::model::{same_values, strip_comment, torrc_entry};
use rnyx_grammar::secret::{is_secret_option, redact, Direction};
use rnyx_grammar::torrc::{command_line, glob, include};

const KINDS: [&str; 8] = [
    "DataSize",
    "TimeInterval",
    "TimeMsecInterval",
    "Integer",
    "Float",
    "CommaList",
    "LineList",
    "String",
];

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let kind = KINDS[usize::from(kind) % KINDS.len()];
    let mut values = Vec::new();
    for line in text.lines() {
        let code = strip_comment(line);
        assert!(line.starts_with(code));
        if let Some(target) = include(line) {
            assert!(torrc_entry(line).is_none());
            let _ = glob(target, line);
        }
        if let Some((key, value)) = torrc_entry(line) {
            assert!(!key.contains(char::is_whitespace), "{key:?}");
            values.push(value.to_owned());
            if is_secret_option(key) && !value.is_empty() && !key.contains('=') {
                let shown = redact(line.trim_start(), Direction::FromTor);
                assert!(shown.ends_with("<redacted>"), "{shown:?}");
            }
        }
    }
    assert!(same_values(kind, &values, &values));
    for (name, _) in command_line(rest) {
        assert!(!name.starts_with(['+', '/']), "{name:?}");
    }
});
