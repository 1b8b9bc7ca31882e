//! tor's names for relays: `LongName` (`$fingerprint~nickname`,
//! `$fingerprint=nickname`, `$fingerprint` or a bare nickname) and paths of
//! them, as CIRC events and `circuit-status` give them.

use rnyx_panels::model::{Fingerprint, Hop};
use rnyx_panels::text::strip_controls_compact;

/// Parses a `LongName`; the fingerprint upper-cased, the nickname without
/// control characters.
pub fn parse_long_name(long_name: &str) -> Hop {
    let (fp, nick) = match long_name.strip_prefix('$') {
        // A fingerprint is 40 hex digits: the separator is looked for
        // there first (a CIRC event has several of these).
        Some(rest) => match rest
            .as_bytes()
            .get(40)
            .filter(|b| matches!(b, b'~' | b'='))
            .map(|_| 40)
            .or_else(|| rest.bytes().position(|b| b == b'~' || b == b'='))
        {
            Some(i) => (Some(&rest[..i]), Some(&rest[i + 1..])),
            None => (Some(rest), None),
        },
        None => (None, Some(long_name)),
    };
    Hop {
        fingerprint: fp.and_then(Fingerprint::parse),
        nickname: nick.filter(|n| !n.is_empty()).map(strip_controls_compact),
    }
}

/// Parses a comma-separated path of long names.
pub fn parse_path(path: &str) -> Vec<Hop> {
    let mut hops = Vec::with_capacity(memchr::memchr_iter(b',', path.as_bytes()).count() + 1);
    hops.extend(
        path.split(',')
            .filter(|p| !p.is_empty())
            .map(parse_long_name),
    );
    hops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names() {
        let h = parse_long_name("$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa~relay1");
        assert_eq!(
            h.fingerprint.as_deref(),
            Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        );
        assert_eq!(h.nickname.as_deref(), Some("relay1"));
        assert_eq!(parse_long_name("$AB=x").nickname.as_deref(), Some("x"));
        assert_eq!(parse_long_name("$AB").nickname, None);
        assert_eq!(parse_long_name("plain").fingerprint, None);
        assert_eq!(
            parse_long_name("$AB~evil\u{1b}[2J").nickname.as_deref(),
            Some("evil[2J")
        );
        assert_eq!(parse_path("$A~a,$B~b,").len(), 2);
    }
}
