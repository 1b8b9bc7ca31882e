//! Fuzzes the reply framer and event parser: arbitrary bytes, split at an
//! arbitrary point, must never panic, and must frame the same however split;
//! the owning parser (`from_reply`, the firehose's path) must agree with
//! the borrowing one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rnyx::control::{Event, ReplyFramer};

fn frame(chunks: &[&[u8]]) -> Vec<String> {
    let mut f = ReplyFramer::with_limits(4096, 65_536);
    let mut out = Vec::new();
    for c in chunks {
        f.push(c);
        while let Some(r) = f.next_reply() {
            out.push(match r {
                Ok(reply) if reply.is_async() => {
                    let parsed = Event::parse(&reply);
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
