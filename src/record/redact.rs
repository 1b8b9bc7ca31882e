//! What a recording must not hold: AUTHENTICATE's and AUTHCHALLENGE's
//! arguments, tor's SAFECOOKIE answer, and the values of password options
//! (in commands, replies, config-text and the torrc).

use rnyx_panels::model::Torrc;

/// A line as it may be written: secrets replaced. Most lines (every event)
/// hold none and are not copied.
pub(super) fn redact(line: &str, from_tor: bool) -> std::borrow::Cow<'_, str> {
    // A one-line event (`650 ` and text: a log line, BW, CIRC…) holds no
    // secret; CONF_CHANGED's values come in `650-` lines, checked.
    let suspect = if from_tor {
        !line.starts_with("650 ")
            && (line.starts_with("250 AUTHCHALLENGE")
                || memchr::memmem::find(line.as_bytes(), b"assword").is_some()
                || memchr::memmem::find(line.as_bytes(), b"ASSWORD").is_some())
    } else {
        true
    };
    if suspect {
        std::borrow::Cow::Owned(redact_line(line, from_tor))
    } else {
        std::borrow::Cow::Borrowed(line)
    }
}

fn redact_line(line: &str, from_tor: bool) -> String {
    let lower = line.to_ascii_lowercase();
    let first = lower.split_whitespace().next().unwrap_or("");
    if !from_tor && matches!(first, "authenticate" | "authchallenge") {
        let word = line.split_whitespace().next().unwrap_or("");
        return format!("{word} <redacted>");
    }
    // tor's SAFECOOKIE answer: `250 AUTHCHALLENGE SERVERHASH=… SERVERNONCE=…`.
    if from_tor && lower.contains("authchallenge") && lower.contains("serverhash") {
        return format!("{} AUTHCHALLENGE <redacted>", &line[..line.len().min(3)]);
    }
    if !lower.contains("password") {
        return line.to_owned();
    }
    // `Key=value` with a password key (SETCONF, GETCONF's answer): the
    // value, to the end of the line, whatever quoting it has.
    let mut from = 0;
    for token in line.split(' ') {
        if let Some((key, _)) = token.split_once('=') {
            if key.to_ascii_lowercase().contains("password") {
                return format!("{}<redacted>", &line[..=from + key.len()]);
            }
        }
        from += token.len() + 1;
    }
    // `Key value` (config-text, a torrc): the first word is the key.
    let mut words = line.splitn(2, ' ');
    let first = words.next().unwrap_or("");
    if first.to_ascii_lowercase().contains("password") && words.next().is_some() {
        return format!("{first} <redacted>");
    }
    line.to_owned()
}

/// Redacts what a torrc holds of passwords (`HashedControlPassword`, …)
/// before it is recorded.
pub fn redact_torrc(torrc: &Torrc) -> Torrc {
    let secret = |name: &str| name.to_ascii_lowercase().contains("password");
    let mut t = torrc.clone();
    for f in &mut t.files {
        for l in &mut f.lines {
            if secret(l) {
                let word: String = l.split_whitespace().next().unwrap_or("").into();
                *l = format!("{word} <redacted>");
            }
        }
    }
    for (name, value) in t.settings.iter_mut().chain(t.command_line.iter_mut()) {
        if secret(name) {
            *value = "<redacted>".into();
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
    }
}
