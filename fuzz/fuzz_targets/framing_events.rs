//! Fuzzes the reply framer and event parser: arbitrary bytes, split at an
//! arbitrary point, must never panic, and must frame the same however split;
//! the owning parser (`from_reply`, the firehose's path) must agree with
//! the borrowing one; a refusal's reason holds no control character; and
//! the secret rule never leaves a SOCKS password's value in a line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rnyx_grammar::args::tokens;
use rnyx_grammar::event::Event;
use rnyx_grammar::reply::ReplyFramer;
use rnyx_grammar::secret::{redact, Direction};

fn frame(chunks: &[&[u8]]) -> Vec<String> {
    let mut f = ReplyFramer::with_limits(4096, 65_536);
    let mut out = Vec::new();
    for c in chunks {
        f.push(c);
        while let Some(r) = f.next_reply() {
            out.push(match r {
                Ok(reply) if reply.is_async() => {
                    let parsed = Event::parse(&reply);
                    if let Event::Malformed { reason, .. } = &parsed {
                        assert!(!reason.chars().any(char::is_control), "{reason:?}");
                    }
                    for line in &reply.lines {
                        let shown = redact(&line.text, Direction::FromTor);
                        for t in tokens(&shown) {
                            if t.key.is_some_and(|k| k.eq_ignore_ascii_case("SOCKS_PASSWORD")) {
                                assert_eq!(t.value, "<redacted>", "{:?} -> {shown:?}", line.text);
                            }
                        }
                    }
                    assert_eq!(Event::from_reply(reply), parsed);
                    format!("{parsed:?}")
                }
                Ok(reply) => format!("{reply:?}"),
                Err(e) => e.to_string(),
            });
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, input)) = data.split_first() else { return };
    let at = usize::from(split) * input.len() / 256;
    let whole = frame(&[input]);
    let split = frame(&[&input[..at], &input[at..]]);
    assert_eq!(whole, split);
});
