//! Fuzzes the reader of the kernel's sock_diag answers (netlink messages
//! holding `inet_diag_msg`s): nothing may panic, a malformed answer is
//! refused with a reason, and no more sockets are read than the answer has
//! room for.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((seq, answer)) = data.split_first_chunk::<4>() else { return };
    // Mostly the sequence the messages carry, sometimes another.
    let sequence = if seq[0] & 1 == 0 {
        answer.get(8..12).map_or(0, |b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    } else {
        u32::from_ne_bytes(*seq)
    };
    match rnyx::fuzzing::sock_diag(answer, sequence) {
        // A message is at least 16 bytes of header and 72 of socket.
        Ok((rows, _)) => assert!(rows.len() * 88 <= answer.len(), "{} rows", rows.len()),
        Err(why) => assert!(!why.is_empty() && !why.contains(char::is_control), "{why:?}"),
    }
});
