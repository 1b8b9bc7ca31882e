//! Which fields are credentials: the one rule that every writer — the
//! recording, the interpreter's history and backlog, log files, the screen —
//! asks before a line of the control protocol leaves rnyx's memory.
//!
//! Secret are:
//! - the arguments of `AUTHENTICATE` (a password or a cookie, §3.5),
//!   `AUTHCHALLENGE` (§3.24) and tor's SAFECOOKIE answer (`SERVERHASH`,
//!   `SERVERNONCE`);
//! - onion-service keys and client credentials: `ADD_ONION`'s key blob and
//!   `ClientAuth`/`ClientAuthV3` (§3.27), its answer's `PrivateKey=` and
//!   `ClientAuth=`, `ONION_CLIENT_AUTH_ADD`'s key (§3.30) and
//!   `ONION_CLIENT_AUTH_VIEW`'s `CLIENT` lines;
//! - `SOCKS_USERNAME` and `SOCKS_PASSWORD` in any event or reply (CIRC and
//!   STREAM carry them, §4.1.1, §4.1.2, for `IsolateSOCKSAuth`);
//! - the values of options the manual marks as credentials: any option
//!   whose name holds `Password` (`HashedControlPassword`,
//!   `Socks5ProxyPassword`…), `Socks5ProxyUsername`,
//!   `HTTPProxyAuthenticator`, `HTTPSProxyAuthenticator` and `HidServAuth`,
//!   as `Key=value` (SETCONF, GETCONF's answer, CONF_CHANGED) or as a
//!   `Key value` line (a torrc, `config-text`, LOADCONF).

use std::borrow::Cow;

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// Which way a line goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A command rnyx (or the operator) sent.
    ToTor,
    /// A reply, event or data line from tor.
    FromTor,
}

/// Commands whose every argument is secret.
const SECRET_COMMANDS: [&str; 3] = ["AUTHENTICATE", "AUTHCHALLENGE", "ONION_CLIENT_AUTH_ADD"];

/// Options holding credentials, besides those named `*Password*`.
const SECRET_OPTIONS: [&str; 4] = [
    "socks5proxyusername",
    "httpproxyauthenticator",
    "httpsproxyauthenticator",
    "hidservauth",
];

/// Keywords (`KEY=value`) of replies and events whose values are secret.
const SECRET_KEYS: [&str; 7] = [
    "SOCKS_USERNAME",
    "SOCKS_PASSWORD",
    "SERVERHASH",
    "SERVERNONCE",
    "PRIVATEKEY",
    "CLIENTAUTH",
    "CLIENTAUTHV3",
];

/// An option of tor's whose value is a credential.
pub fn is_secret_option(name: &str) -> bool {
    // `+Option` and `/Option` (a torrc's append and remove), `__Hidden`;
    // tor reads option names in any case.
    let name = name.trim_start_matches(['_', '+', '/']);
    name.as_bytes()
        .windows(8)
        .any(|w| w.eq_ignore_ascii_case(b"password"))
        || SECRET_OPTIONS.iter().any(|o| o.eq_ignore_ascii_case(name))
}

/// A `KEY=value` keyword whose value is secret (an option's name too).
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) || is_secret_option(key)
}

/// A command whose arguments are all secret.
pub fn is_secret_command(word: &str) -> bool {
    SECRET_COMMANDS.iter().any(|c| c.eq_ignore_ascii_case(word))
}

/// `line` with every secret replaced by [`REDACTED`]; borrowed when it
/// holds none. `line` is one line of the protocol as it crosses the wire
/// (a command, `250-…`, `650 …`), or one line of a data block.
pub fn redact(line: &str, direction: Direction) -> Cow<'_, str> {
    let (prefix, body) = split_status(line, direction);
    // A torrc may separate an option from its value with any white space.
    let first = body.split(char::is_whitespace).next().unwrap_or("");
    let whole = match direction {
        Direction::ToTor => is_secret_command(first) || first.eq_ignore_ascii_case("ADD_ONION"),
        // tor's SAFECOOKIE answer; ONION_CLIENT_AUTH_VIEW's credentials.
        Direction::FromTor => first == "AUTHCHALLENGE" || first == "CLIENT",
    };
    if whole {
        return Cow::Owned(format!("{prefix}{first} {REDACTED}"));
    }
    // `Key value`: a torrc or config-text line, LOADCONF's data.
    if is_secret_option(first) && body.len() > first.len() && !first.contains('=') {
        return Cow::Owned(format!("{prefix}{first} {REDACTED}"));
    }
    // Past the first word, a secret is always a `KEY=value`.
    if memchr::memchr(b'=', body.as_bytes()).is_none() {
        return Cow::Borrowed(line);
    }
    let mut out: Option<String> = None;
    let mut rest = body;
    let mut done = 0;
    while let Some((start, key, end)) = next_secret_value(rest) {
        let o = out.get_or_insert_with(|| String::with_capacity(line.len()));
        if o.is_empty() {
            o.push_str(prefix);
        }
        let at = done + start;
        o.push_str(&body[done..at]);
        o.push_str(key);
        o.push('=');
        o.push_str(REDACTED);
        done += end;
        rest = &body[done..];
    }
    match out {
        Some(mut o) => {
            o.push_str(&body[done..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(line),
    }
}

/// The status and separator of a reply line (`250-`, `650 `), and the rest.
fn split_status(line: &str, direction: Direction) -> (&str, &str) {
    let b = line.as_bytes();
    let is_reply = direction == Direction::FromTor
        && b.len() >= 4
        && b[..3].iter().all(u8::is_ascii_digit)
        && matches!(b[3], b' ' | b'-' | b'+');
    if is_reply {
        (&line[..4], &line[4..])
    } else {
        ("", line)
    }
}

/// The next `KEY=value` with a secret key in `s`: where the key starts, the
/// key, and where the value ends (a quoted value to its closing quote).
fn next_secret_value(s: &str) -> Option<(usize, &str, usize)> {
    let mut at = 0;
    while at < s.len() {
        let word_start = at + s[at..].bytes().position(|b| b != b' ')?;
        let word = &s[word_start..];
        let value_end = |from: usize| -> usize {
            let v = &word[from..];
            if v.starts_with('"') {
                let (_, after) = crate::args::parse_quoted(v);
                word_start + from + (v.len() - after.len())
            } else {
                word_start + from + v.find(' ').unwrap_or(v.len())
            }
        };
        let space = word.find(' ').unwrap_or(word.len());
        match word[..space].find('=') {
            Some(eq) if is_secret_key(&word[..eq]) => {
                return Some((word_start, &word[..eq], value_end(eq + 1)));
            }
            Some(eq) => at = value_end(eq + 1),
            None if word.starts_with('"') => at = value_end(0),
            None => at = word_start + space,
        }
    }
    None
}

#[cfg(test)]
mod tests;
