//! What makes two log messages duplicates.
//!
//! tor repeats many messages with only a counter, an address, a circuit id
//! or a fingerprint changed. A log message's key therefore hashes its words
//! with every word holding a digit, and every long hex word (fingerprints),
//! replaced by a placeholder. Some of tor's common messages also vary in
//! plain words (nicknames, reasons); for those a maintained prefix is the
//! whole key. Other events (BW, CIRC…) are duplicates only when identical.
//! Computing a key is one pass over the message: O(1) per event in the
//! buffer's size.

use super::{LogSource, Runlevel};
use std::hash::{BuildHasher, Hash, Hasher};

/// Messages of tor's that vary in more than numbers and addresses: the
/// prefix identifies them.
const PREFIXES: &[(Runlevel, &str)] = &[
    (Runlevel::Notice, "Heartbeat: "),
    (Runlevel::Notice, "Average packaged cell fullness"),
    (Runlevel::Notice, "Circuit handshake stats since last time"),
    (Runlevel::Notice, "Since startup we initiated"),
    (Runlevel::Notice, "Since our last heartbeat"),
    (
        Runlevel::Notice,
        "We stalled too much while trying to write",
    ),
    (
        Runlevel::Notice,
        "I learned some more directory information",
    ),
    (Runlevel::Notice, "Your system clock just jumped"),
    (Runlevel::Notice, "New control connection opened"),
    (
        Runlevel::Notice,
        "Have tried resolving or connecting to address",
    ),
    (
        Runlevel::Notice,
        "Our directory information is no longer up-to-date",
    ),
    (Runlevel::Notice, "Self-testing indicates your ORPort"),
    (Runlevel::Notice, "Performing bandwidth self-test"),
    (Runlevel::Notice, "Rate limiting NEWNYM request"),
    (Runlevel::Warn, "Problem bootstrapping."),
    (Runlevel::Warn, "Your Guard"),
    (Runlevel::Warn, "Received http status code"),
    (Runlevel::Warn, "Failed to find node for hop"),
    (
        Runlevel::Warn,
        "Tried to establish rendezvous on non-OR circuit",
    ),
    (
        Runlevel::Warn,
        "Rejecting SOCKS request for anonymous connection to private address",
    ),
    (Runlevel::Warn, "Socks version"),
    (Runlevel::Info, "circuit_mark_for_close_"),
    (Runlevel::Info, "connection_edge_process_relay_cell"),
    (Runlevel::Info, "handle_relay_cell_command"),
    (Runlevel::Info, "Unrecognized command"),
];

/// The deduplication key of a message from `source`.
pub fn dedup_key(source: &LogSource, message: &str) -> u64 {
    let mut h = foldhash::fast::FixedState::with_seed(0x726e_7978).build_hasher();
    source.hash(&mut h);
    match source {
        LogSource::Tor(level) | LogSource::Rnyx(level) => {
            if let Some((_, prefix)) = PREFIXES
                .iter()
                .find(|(l, p)| l == level && message.starts_with(p))
            {
                h.write(prefix.as_bytes());
            } else {
                hash_words(&mut h, message.as_bytes());
            }
        }
        LogSource::Event(_) => h.write(message.as_bytes()),
    }
    h.finish()
}

const SPACE: u8 = 1;
const DIGIT: u8 = 2;
const HEX: u8 = 4;

/// Each byte's class: ASCII whitespace, digit, hex digit.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c: u8 = 0;
    loop {
        t[c as usize] = if c.is_ascii_whitespace() { SPACE } else { 0 }
            | if c.is_ascii_digit() { DIGIT } else { 0 }
            | if c.is_ascii_hexdigit() { HEX } else { 0 };
        if c == u8::MAX {
            break t;
        }
        c += 1;
    }
};

/// Hashes `message`'s words, each variable one (a counter, address, id or
/// fingerprint: it holds a digit, or is 16 or more hex digits, optionally
/// after `$`) as a placeholder. One pass over the bytes; the normalised
/// words go through a small buffer, so the hasher sees a few long writes
/// rather than two per word.
fn hash_words(h: &mut impl Hasher, message: &[u8]) {
    let mut buf = [0u8; 256];
    let mut len = 0;
    let mut i = 0;
    while i < message.len() {
        if CLASS[usize::from(message[i])] & SPACE != 0 {
            i += 1;
            continue;
        }
        let start = i;
        // One table lookup a byte: what any byte of the word is, and what
        // all of them are.
        let (mut any, mut all) = (0, HEX);
        while let Some(&c) = message.get(i) {
            let class = CLASS[usize::from(c)];
            if class & SPACE != 0 {
                break;
            }
            any |= class;
            all &= class;
            i += 1;
        }
        let (digit, hex) = (any & DIGIT != 0, all & HEX != 0);
        let word = &message[start..i];
        let variable = digit || {
            let digits = word.strip_prefix(b"$").unwrap_or(word);
            // `hex` saw the `$` too: look again only then.
            digits.len() >= 16 && (hex || digits.iter().all(u8::is_ascii_hexdigit))
        };
        let w: &[u8] = if variable { b"\0" } else { word };
        if len + w.len() + 1 > buf.len() {
            h.write(&buf[..len]);
            len = 0;
            if w.len() + 1 > buf.len() {
                h.write(w);
                h.write_u8(b' ');
                continue;
            }
        }
        buf[len..len + w.len()].copy_from_slice(w);
        buf[len + w.len()] = b' ';
        len += w.len() + 1;
    }
    h.write(&buf[..len]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(level: Runlevel, m: &str) -> u64 {
        dedup_key(&LogSource::Tor(level), m)
    }

    #[test]
    fn numbers_addresses_and_fingerprints_do_not_count() {
        let n = Runlevel::Notice;
        assert_eq!(
            key(
                n,
                "Tried for 120 seconds to get a connection to 10.0.0.1:443. Giving up."
            ),
            key(
                n,
                "Tried for 7 seconds to get a connection to [::1]:9001. Giving up."
            )
        );
        assert_eq!(
            key(
                n,
                "Closing circuit to $ABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD"
            ),
            key(
                n,
                "Closing circuit to $0123456789012345678901234567890123456789"
            )
        );
        // Long hex words without a digit, with or without `$`; short ones
        // are words.
        assert_eq!(
            key(n, "to $ABCDEFABCDEFABCDEF via ABCDEFABCDEFABCDEF"),
            key(n, "to $FEDCBAFEDCBAFEDCBA via FEDCBAFEDCBAFEDCBA")
        );
        assert_ne!(key(n, "to $cafe"), key(n, "to $beef"));
        assert_ne!(
            key(n, "to $ABCDEFABCDEFABCDEFXY"),
            key(n, "to $FEDCBAFEDCBAFEDCBAXY")
        );
        assert_ne!(
            key(n, "Bootstrapped 10% (conn_done): Connected to a relay"),
            key(n, "Bootstrapped 14% (handshake): Handshaking with a relay")
        );
        // The runlevel is part of the key.
        assert_ne!(key(n, "same"), key(Runlevel::Warn, "same"));
        assert_ne!(key(n, "same"), dedup_key(&LogSource::Rnyx(n), "same"));
    }

    #[test]
    fn byte_classes_match_the_standard_library() {
        for c in 0..=u8::MAX {
            let class = CLASS[usize::from(c)];
            assert_eq!(class & SPACE != 0, c.is_ascii_whitespace(), "{c}");
            assert_eq!(class & DIGIT != 0, c.is_ascii_digit(), "{c}");
            assert_eq!(class & HEX != 0, c.is_ascii_hexdigit(), "{c}");
        }
    }

    #[test]
    fn prefixes_cover_messages_that_vary_in_words() {
        let n = Runlevel::Notice;
        assert_eq!(
            key(n, "Heartbeat: Tor's uptime is 1 day, with 5 circuits open."),
            key(
                n,
                "Heartbeat: In the last 6 hours, I have seen 40 unique clients."
            )
        );
        // Only for the runlevel the prefix is listed under.
        assert_ne!(
            key(Runlevel::Debug, "Heartbeat: a b"),
            key(Runlevel::Debug, "Heartbeat: c d")
        );
    }

    #[test]
    fn long_messages_hash_all_their_words() {
        let n = Runlevel::Notice;
        let long = "word ".repeat(100);
        assert_ne!(key(n, &format!("{long} a")), key(n, &format!("{long} b")));
        assert_eq!(key(n, &format!("{long} 1")), key(n, &format!("{long} 2")));
        let huge = "x".repeat(300);
        assert_ne!(key(n, &format!("{huge} a")), key(n, &format!("{huge} b")));
    }

    #[test]
    fn other_events_must_match_exactly() {
        let bw = LogSource::Event("BW".into());
        assert_ne!(
            dedup_key(&bw, "READ: 10, WRITTEN: 20"),
            dedup_key(&bw, "READ: 11, WRITTEN: 20")
        );
        assert_eq!(
            dedup_key(&bw, "READ: 0, WRITTEN: 0"),
            dedup_key(&bw, "READ: 0, WRITTEN: 0")
        );
    }
}
