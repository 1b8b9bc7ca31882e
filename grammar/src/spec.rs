//! The control-spec's productions for single values (control-spec §2.1 and
//! the event grammars of §4.1): what a field must look like to be believed.
//! Each check gives a [`Refused`] naming the field, the value (without
//! control characters, cut short) and the production it breaks.
//!
//! **The rule: structure exact, words open.** Refused is what breaks the
//! structure a line is read by — its framing, IDs, LongNames, numbers,
//! times, an `address:port` where one is required, a keyword where a
//! positional value must stand, an empty item in a list. Kept, as tor
//! wrote it, is every word the spec does not list — a status, purpose,
//! reason, flag or build flag a newer tor adds — and every keyword rnyx
//! does not know (§4.1: "controllers MUST tolerate" them). A word is
//! anything without a control character; what reaches the screen is
//! stripped of those anyway.

use rnyx_model::text::strip_controls;
use std::fmt;

/// Why a value was not believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// `field "value" is not <what>`, the value shown safely.
pub fn refuse(field: &str, value: &str, what: &str) -> Refused {
    const SHOWN: usize = 60;
    let mut shown = strip_controls(value);
    if shown.len() > SHOWN {
        let mut cut = SHOWN;
        while !shown.is_char_boundary(cut) {
            cut -= 1;
        }
        shown.truncate(cut);
        shown.push('…');
    }
    Refused(format!("{field} {shown:?} is not {what}"))
}

/// A circuit, stream or connection ID. The spec allows `1*16 IDChar` with
/// `IDChar = ALPHA / DIGIT` (§2.1, §4.1.1); tor only ever writes decimal
/// numbers (a global counter), and rnyx keeps IDs as numbers: following
/// tor, an ID is 1 to 16 decimal digits.
pub fn id(field: &str, value: &str) -> Result<u64, Refused> {
    if value.is_empty() || value.len() > 16 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse(field, value, "an ID (1 to 16 digits)"));
    }
    value
        .parse()
        .map_err(|_| refuse(field, value, "an ID (1 to 16 digits)"))
}

/// A count (`NumCircuits = 1*DIGIT`, byte counts of BW): decimal digits
/// only, no sign, within 64 bits.
pub fn count(field: &str, value: &str) -> Result<u64, Refused> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse(field, value, "a number (1*DIGIT)"));
    }
    value
        .parse()
        .map_err(|_| refuse(field, value, "a number within 64 bits"))
}

/// `ISOTime2Frac = ISOTime2 [ "." 1*DIGIT ]`, `ISOTime2` being
/// `YYYY-MM-DDTHH:MM:SS` (§2.1), with month, day and clock in range.
pub fn iso_time2frac(field: &str, value: &str) -> Result<(), Refused> {
    let b = value.as_bytes();
    // Two digits at `at`, as a number (`None` if either is not a digit).
    let two = |at: usize| -> Option<u8> {
        let (h, l) = (b[at].wrapping_sub(b'0'), b[at + 1].wrapping_sub(b'0'));
        (h < 10 && l < 10).then_some(h * 10 + l)
    };
    let ok = b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        // A leap second is 60.
        && matches!(two(5), Some(1..=12))
        && matches!(two(8), Some(1..=31))
        && matches!(two(11), Some(0..=23))
        && matches!(two(14), Some(0..=59))
        && matches!(two(17), Some(0..=60))
        && match &b[19..] {
            [] => true,
            [b'.', rest @ ..] => !rest.is_empty() && rest.iter().all(u8::is_ascii_digit),
            _ => false,
        };
    if ok {
        Ok(())
    } else {
        Err(refuse(
            field,
            value,
            "an ISO time (YYYY-MM-DDTHH:MM:SS[.fraction])",
        ))
    }
}

/// `Port`: 1 to 65535, decimal, written without leading zeros.
pub fn port(field: &str, value: &str) -> Result<u16, Refused> {
    let ok = !value.is_empty()
        && value.len() <= 5
        && value.bytes().all(|b| b.is_ascii_digit())
        && !value.starts_with('0');
    match value.parse::<u16>() {
        Ok(p) if ok && p > 0 => Ok(p),
        _ => Err(refuse(
            field,
            value,
            "a port (1 to 65535, no leading zeros)",
        )),
    }
}

/// `Target = Address ":" Port` (§4.1.2, §4.1.3): a host name, an IPv4
/// address or an IPv6 address — bracketed, or bare as tor writes a
/// resolved one (`650 STREAM 23 NEWRESOLVE 0 2001:db8::1:0`) — then a
/// port. A host name is what
/// the client asked for, `.exit` notation too (`127.0.0.1.$<fp>.exit`, as
/// tor 0.4.9 writes a stream to a chosen exit). `port_zero` allows
/// port 0: the spec's `Port` is 1–65535, but tor writes `:0` as the
/// target of its RESOLVE streams (`PURPOSE=DNS_REQUEST`); there tor is
/// followed.
pub fn target<'a>(field: &str, value: &'a str, port_zero: bool) -> Result<(&'a str, u16), Refused> {
    let Some((host, p)) = value.rsplit_once(':') else {
        return Err(refuse(field, value, "an address:port"));
    };
    let host_ok = if let Some(inner) = host.strip_prefix('[') {
        inner
            .strip_suffix(']')
            .is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok())
    } else {
        // tor writes a resolved IPv6 target bare (`2001:db8::1:0`).
        host.parse::<std::net::Ipv6Addr>().is_ok()
            || !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'$'))
    };
    if !host_ok {
        return Err(refuse(field, value, "an address:port (bad address)"));
    }
    if port_zero && p == "0" {
        return Ok((host, 0));
    }
    let port = port(field, p).map_err(|_| refuse(field, value, "an address:port (bad port)"))?;
    Ok((host, port))
}

/// `Nickname = 1*19 NicknameChar`, `NicknameChar = ALPHA / DIGIT` (§2.1).
pub fn is_nickname(value: &str) -> bool {
    // Branch-free over the bytes (a CIRC event has several nicknames).
    (1..=19).contains(&value.len())
        && value
            .bytes()
            .fold(true, |ok, b| ok & b.is_ascii_alphanumeric())
}

/// `Fingerprint = "$" 40*HEXDIG` without the `$` (§2.1).
pub fn is_fingerprint(value: &str) -> bool {
    rnyx_model::Fingerprint::parse_hex(value).is_some()
}

/// A keyword of a `KEY=value` argument: what tor writes (`PURPOSE`,
/// `BUILD_FLAGS`, `SOCKS_USERNAME`, `Bandwidth`, `COOKIEFILE`…) — letters,
/// digits, `_` and `-`, starting with a letter or `_`. A
/// `$fingerprint=nick` long name is therefore never taken for a keyword.
pub fn is_keyword(value: &str) -> bool {
    let b = value.as_bytes();
    b.first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
}

#[cfg(test)]
mod tests;
