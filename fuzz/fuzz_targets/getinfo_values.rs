//! Fuzzes the typed GETINFO values: arbitrary text as circuit-status,
//! orconn-status, stream-status, bw-event-cache, net/listeners and ns/all.
//! Nothing may panic; every line is either read or refused with a reason
//! free of control characters; what is read holds the spec's values (IDs,
//! ports, long names) and no control character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rnyx_grammar::event::parse_router_statuses;
use rnyx_grammar::getinfo::{
    bw_event_cache, circuit_status, listeners, orconn_status, stream_status, Lines,
};

fn clean<T>(lines: &Lines<T>) {
    for r in &lines.refused {
        assert!(!r.0.chars().any(char::is_control), "{r:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let c = circuit_status(&text);
    clean(&c);
    assert!(c.entries.len() + c.refused.len() <= lines);
    for circ in &c.entries {
        for hop in &circ.path {
            if let Some(n) = &hop.nickname {
                assert!(n.chars().all(|c| c.is_ascii_alphanumeric()), "{n:?}");
            }
        }
        if let Some(t) = &circ.time_created {
            assert!(!t.chars().any(char::is_control));
        }
    }
    let o = orconn_status(&text);
    clean(&o);
    for conn in &o.entries {
        assert!(!conn.target.chars().any(char::is_control), "{:?}", conn.target);
    }
    let s = stream_status(&text);
    clean(&s);
    for st in &s.entries {
        assert!(!st.target.chars().any(char::is_control), "{:?}", st.target);
        assert!(st.target.contains(':'));
    }
    clean(&bw_event_cache(&text));
    let _ = listeners(&text);
    let _ = parse_router_statuses(&text);
});
