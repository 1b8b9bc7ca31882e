//! Fuzzes what the interpreter does with typed lines: each line run (tor
//! commands, `/help`, `/info`, `/events`), completed, shown and kept in the
//! history. Nothing may panic; what is asked of tor is one line; a line
//! shown holds no control character; a secret is never kept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rnyx_panels::interp::{self, Ask, Context, History, Names};

thread_local! {
    /// Made once: a state is large to build, and every input reads it only.
    static STATE: rnyx_grammar::model::ControllerState = rnyx_grammar::model::ControllerState::default();
}

fuzz_target!(|data: &[u8]| STATE.with(|state| run(data, state)));

fn run(data: &[u8], state: &rnyx_grammar::model::ControllerState) {
    let text = String::from_utf8_lossy(data);
    let names = Names::default();
    let events = ["650 BW 1 2", "650 NOTICE hello"];
    let cx = Context {
        names: &names,
        manual: None,
        relays: state,
        events: &events,
    };
    let mut history = History::parse(&text);
    let mut first = true;
    for line in text.lines() {
        let out = interp::run(line, &cx);
        for ask in &out.asks {
            let asked = match ask {
                Ask::Command(c) | Ask::Info(_, c) => c,
            };
            assert!(!asked.contains(['\r', '\n']), "{asked:?}");
        }
        let shown = interp::shown(line);
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        if interp::is_secret(line) {
            // The command's word and nothing of what follows it.
            let first = line.split_whitespace().next().unwrap_or("");
            let word = rnyx_grammar::text::strip_controls(first);
            assert_eq!(shown, format!("{word} <hidden>"), "{line:?}");
        }
        // Completion sorts every candidate: the first line's is enough.
        if first {
            let _ = interp::complete(line, &names);
            first = false;
        }
        if history.add(line) {
            assert!(!interp::is_secret(line), "{line:?} kept");
        }
    }
    let kept = History::parse(&history.text());
    assert_eq!(kept.lines(), history.lines());
}
