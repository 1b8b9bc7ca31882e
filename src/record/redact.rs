//! What a recording must not hold: every secret the grammar's one rule
//! knows ([`rnyx_grammar::secret`]) — AUTHENTICATE's and AUTHCHALLENGE's
//! arguments, tor's SAFECOOKIE answer, SOCKS credentials in events and
//! replies, onion-service keys, and the values of password options (in
//! commands, replies, config-text and the torrc).

use rnyx_grammar::secret::{self, Direction, REDACTED};
use rnyx_model::Torrc;

/// A line as it may be written: secrets replaced. Most lines (nearly every
/// event) hold none and are not copied.
pub(super) fn redact(line: &str, from_tor: bool) -> std::borrow::Cow<'_, str> {
    let direction = if from_tor {
        Direction::FromTor
    } else {
        Direction::ToTor
    };
    secret::redact(line, direction)
}

/// Redacts what a torrc holds of credentials (`HashedControlPassword`,
/// `Socks5ProxyUsername`, …) before it is recorded.
pub fn redact_torrc(torrc: &Torrc) -> Torrc {
    let secret_line = |line: &str| {
        line.split_whitespace()
            .next()
            .is_some_and(secret::is_secret_option)
            || line.to_ascii_lowercase().contains("password")
    };
    let mut t = torrc.clone();
    for f in &mut t.files {
        for l in &mut f.lines {
            if secret_line(l) {
                let word: String = l.split_whitespace().next().unwrap_or("").into();
                *l = format!("{word} {REDACTED}");
            }
        }
    }
    for (name, value) in t.settings.iter_mut().chain(t.command_line.iter_mut()) {
        if secret::is_secret_option(name) {
            *value = REDACTED.into();
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact("AUTHENTICATE 0a1b2c", false),
            "AUTHENTICATE <redacted>"
        );
        assert_eq!(
            redact("AUTHCHALLENGE SAFECOOKIE 00ff", false),
            "AUTHCHALLENGE <redacted>"
        );
        assert_eq!(
            redact("250 AUTHCHALLENGE SERVERHASH=AB SERVERNONCE=CD", true),
            "250 AUTHCHALLENGE <redacted>"
        );
        assert_eq!(
            redact("250-HashedControlPassword=16:ABCD", true),
            "250-HashedControlPassword=<redacted>"
        );
        assert_eq!(
            redact(
                "SETCONF Nickname=x HashedControlPassword=\"16:AB CD\"",
                false
            ),
            "SETCONF Nickname=x HashedControlPassword=<redacted>"
        );
        assert_eq!(
            redact("HashedControlPassword 16:ABCD", true),
            "HashedControlPassword <redacted>"
        );
        // Naming the option is no secret: the command must stay as sent.
        assert_eq!(
            redact("GETCONF Nickname HashedControlPassword", false),
            "GETCONF Nickname HashedControlPassword"
        );
        assert_eq!(redact("GETINFO version", false), "GETINFO version");
        // SOCKS credentials in a one-line event (IsolateSOCKSAuth).
        assert_eq!(
            redact(
                r#"650 STREAM 9 SUCCEEDED 4 example.com:80 SOCKS_USERNAME="u" SOCKS_PASSWORD="p""#,
                true
            ),
            "650 STREAM 9 SUCCEEDED 4 example.com:80 SOCKS_USERNAME=<redacted> SOCKS_PASSWORD=<redacted>"
        );
    }
}
