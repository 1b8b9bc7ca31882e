//! Arguments on reply and event lines: positional words, `KEY=value` pairs
//! and `QuotedString`s with the C-style escapes tor writes (control-spec §2.1).

use std::borrow::Cow;

/// One space-separated argument. `key` is set for `KEY=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub key: Option<&'a str>,
    pub value: Cow<'a, str>,
}

/// Splits a line into arguments, decoding quoted values. Tolerant: an
/// unterminated quote takes the rest of the line.
pub fn tokens(line: &str) -> Tokens<'_> {
    Tokens { rest: line }
}

/// Iterator returned by [`tokens`].
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let s = self.rest.trim_start_matches(' ');
        if s.is_empty() {
            self.rest = s;
            return None;
        }
        if s.starts_with('"') {
            let (value, rest) = parse_quoted(s);
            self.rest = rest;
            return Some(Token { key: None, value });
        }
        // A key is what precedes '=' if that comes before any space and is
        // a keyword: `$fingerprint=nickname` (a LongName, §2.1) is a word.
        let word_end = memchr::memchr(b' ', s.as_bytes()).unwrap_or(s.len());
        let key_end = memchr::memchr(b'=', &s.as_bytes()[..word_end]);
        match key_end {
            Some(eq) if crate::spec::is_keyword(&s[..eq]) => {
                let key = &s[..eq];
                let after = &s[eq + 1..];
                if after.starts_with('"') {
                    let (value, rest) = parse_quoted(after);
                    self.rest = rest;
                    Some(Token {
                        key: Some(key),
                        value,
                    })
                } else {
                    let end = memchr::memchr(b' ', after.as_bytes()).unwrap_or(after.len());
                    self.rest = &after[end..];
                    Some(Token {
                        key: Some(key),
                        value: Cow::Borrowed(&after[..end]),
                    })
                }
            }
            _ => {
                self.rest = &s[word_end..];
                Some(Token {
                    key: None,
                    value: Cow::Borrowed(&s[..word_end]),
                })
            }
        }
    }
}

/// Decodes the `QuotedString` at the start of `s` (which begins with `"`).
/// Returns the value and what follows the closing quote.
pub fn parse_quoted(s: &str) -> (Cow<'_, str>, &str) {
    debug_assert!(s.starts_with('"'));
    let body = &s[1..];
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut has_escape = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                has_escape = true;
                i += 2;
            }
            b'"' => {
                let raw = &body[..i];
                let value = if has_escape {
                    Cow::Owned(unescape(raw))
                } else {
                    Cow::Borrowed(raw)
                };
                return (value, &body[i + 1..]);
            }
            _ => i += 1,
        }
    }
    // Unterminated: the rest of the line is the value.
    let raw = &body[..body.len()];
    let value = if has_escape {
        Cow::Owned(unescape(raw))
    } else {
        Cow::Borrowed(raw)
    };
    (value, "")
}

/// Undoes C-style escapes: `\n \t \r \\ \" \'`, octal `\ooo` and hex `\xHH`.
/// An unknown escape keeps the escaped character.
pub fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte != b'\\' || i + 1 >= bytes.len() {
            out.push(byte);
            i += 1;
            continue;
        }
        let escaped = bytes[i + 1];
        i += 2;
        match escaped {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'0'..=b'7' => {
                let mut value = u32::from(escaped - b'0');
                let mut digits = 1;
                while digits < 3 && i < bytes.len() && (b'0'..=b'7').contains(&bytes[i]) {
                    value = value * 8 + u32::from(bytes[i] - b'0');
                    i += 1;
                    digits += 1;
                }
                out.push(u8::try_from(value & 0xff).unwrap_or(b'?'));
            }
            b'x' if i + 1 < bytes.len()
                && bytes[i].is_ascii_hexdigit()
                && bytes[i + 1].is_ascii_hexdigit() =>
            {
                let hi = hex_val(bytes[i]);
                let lo = hex_val(bytes[i + 1]);
                out.push(hi * 16 + lo);
                i += 2;
            }
            other => out.push(other),
        }
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    }
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// Encodes `s` as a `QuotedString` for a command.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Any other control character as an octal escape, which tor
            // decodes (§2.1's QuotedString): never a raw byte on the wire.
            c if c.is_ascii_control() => {
                let _ =
                    std::fmt::Write::write_fmt(&mut out, format_args!("\\{:03o}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(Option<&str>, String)> {
        tokens(s).map(|t| (t.key, t.value.into_owned())).collect()
    }

    #[test]
    fn positional_and_keywords() {
        assert_eq!(
            toks("1 BUILT $A~a,$B~b PURPOSE=GENERAL  TIME_CREATED=2026-01-01T00:00:00.000000"),
            vec![
                (None, "1".into()),
                (None, "BUILT".into()),
                (None, "$A~a,$B~b".into()),
                (Some("PURPOSE"), "GENERAL".into()),
                (Some("TIME_CREATED"), "2026-01-01T00:00:00.000000".into()),
            ]
        );
    }

    #[test]
    fn quoted_values_with_spaces_and_escapes() {
        assert_eq!(
            toks(
                r#"METHODS=COOKIE,SAFECOOKIE COOKIEFILE="/var/run/tor/control auth\\cookie" X="a\"b\n""#
            ),
            vec![
                (Some("METHODS"), "COOKIE,SAFECOOKIE".into()),
                (
                    Some("COOKIEFILE"),
                    "/var/run/tor/control auth\\cookie".into()
                ),
                (Some("X"), "a\"b\n".into()),
            ]
        );
        assert_eq!(
            toks(r#""pos one" two"#),
            vec![(None, "pos one".into()), (None, "two".into())]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(unescape(r"\101\x42\t\q\\"), "AB\tq\\");
        assert_eq!(unescape(r"\303\251"), "é");
        assert_eq!(unescape("trailing\\"), "trailing\\");
    }

    #[test]
    fn unterminated_quote_takes_rest() {
        assert_eq!(toks(r#"K="abc def"#), vec![(Some("K"), "abc def".into())]);
    }

    #[test]
    fn quote_round_trips() {
        let s = "pa\"ss\\wo\nrd";
        let q = quote(s);
        assert_eq!(parse_quoted(&q).0, s);
        let s = "bell\u{7}del\u{7f}é";
        let q = quote(s);
        assert_eq!(q, "\"bell\\007del\\177é\"");
        assert_eq!(parse_quoted(&q).0, s);
    }

    #[test]
    fn equals_inside_positional_value() {
        // '=' after a quote is not a key.
        assert_eq!(toks(r#""a=b""#), vec![(None, "a=b".into())]);
        assert_eq!(toks("=x"), vec![(None, "=x".into())]);
        // A LongName with '=' (control-spec §2.1) is a word, not KEY=value.
        let fp = "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(
            toks(&format!("{fp}=named,{fp}~other x")),
            vec![(None, format!("{fp}=named,{fp}~other")), (None, "x".into())]
        );
        assert_eq!(toks("a.b=c"), vec![(None, "a.b=c".into())]);
        assert_eq!(toks("_Key-2=v"), vec![(Some("_Key-2"), "v".into())]);
    }
}
