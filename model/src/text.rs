//! Helpers for text that comes from tor or the network, which is untrusted.

use compact_str::CompactString;

/// Returns `s` with every control character (C0, DEL, C1) removed, so that
/// nothing tor or a remote relay says can move the cursor or recolour the
/// terminal. Tabs become a single space.
pub fn strip_controls(s: &str) -> String {
    if is_clean(s) {
        return s.to_owned();
    }
    s.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if is_unsafe(c) => None,
            c => Some(c),
        })
        .collect()
}

/// [`strip_controls`] into a [`CompactString`]: short texts (nicknames, a
/// circuit's purpose) stay inline, with no allocation.
pub fn strip_controls_compact(s: &str) -> CompactString {
    if is_clean(s) {
        CompactString::from(s)
    } else {
        CompactString::from(strip_controls(s))
    }
}

/// In-place variant of [`strip_controls`]; allocates only when something is removed.
pub fn strip_controls_in_place(s: &mut String) {
    if !is_clean(s) {
        *s = strip_controls(s);
    }
}

/// No control character: printable ASCII checked bytewise (the common
/// case, and fast), anything else by character.
fn is_clean(s: &str) -> bool {
    // Branch-free over the bytes, so it vectorises.
    if s.bytes()
        .fold(true, |ok, b| ok & (b.wrapping_sub(0x20) < 0x5f))
    {
        return true;
    }
    !s.chars().any(is_unsafe)
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
}

/// `s` broken into rows of at most `width` characters, at spaces where it
/// can be, else mid-word; continuation rows get `indent` spaces.
pub fn wrap(s: &str, width: usize, indent: usize) -> Vec<String> {
    let width = width.max(indent + 2);
    let mut rows = Vec::new();
    let mut rest: Vec<char> = s.chars().collect();
    let room = width;
    // Continuation rows may not break inside their indent.
    let mut lead = 0;
    loop {
        if rest.len() <= room {
            rows.push(rest.iter().collect());
            return rows;
        }
        let cut = rest[..=room]
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|&i| i > lead)
            .unwrap_or(room);
        rows.push(rest[..cut].iter().collect::<String>().trim_end().to_owned());
        let skip = usize::from(rest.get(cut) == Some(&' '));
        rest.drain(..cut + skip);
        rest.splice(0..0, std::iter::repeat_n(' ', indent));
        lead = indent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_at_spaces_with_an_indent() {
        assert_eq!(
            wrap("ExitPolicy accept *:80", 12, 2),
            ["ExitPolicy", "  accept", "  *:80"]
        );
        assert_eq!(wrap("abcdefgh", 5, 0), ["abcde", "fgh"]);
        assert_eq!(wrap("", 5, 0), [""]);
        assert_eq!(wrap("a bcdefghij", 5, 2), ["a", "  bcd", "  efg", "  hij"]);
    }

    #[test]
    fn removes_escape_sequences_and_c1() {
        assert_eq!(strip_controls("a\x1b[31mred\u{9b}2J\x07b"), "a[31mred2Jb");
        assert_eq!(strip_controls("tab\there"), "tab here");
        assert_eq!(strip_controls("plain ünïcode"), "plain ünïcode");
        let mut s = String::from("x\r\ny\x7f");
        strip_controls_in_place(&mut s);
        assert_eq!(s, "xy");
    }
}
