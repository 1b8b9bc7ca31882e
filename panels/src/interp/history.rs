//! The interpreter's history, one file for page 5 and `rnyx prompt`: a
//! line of text per command, oldest first, at most [`KEPT`], never a line
//! holding a secret. Files `rnyx prompt` wrote with rustyline (`#V2` first,
//! `\` escaped) read as well.

use super::is_secret;

/// Commands kept (in memory and in the file).
pub const KEPT: usize = 1000;

/// rustyline's history header.
const RUSTYLINE: &str = "#V2";

/// Commands typed, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    lines: Vec<String>,
}

impl History {
    /// A history file's text as commands: blank lines, control characters
    /// and lines holding secrets left out.
    pub fn parse(text: &str) -> Self {
        let mut lines = text.lines().peekable();
        let escaped = lines.peek() == Some(&RUSTYLINE);
        let mut history = History::default();
        for line in lines.skip(usize::from(escaped)) {
            let line = if escaped {
                unescape(line)
            } else {
                line.to_owned()
            };
            history.add(&rnyx_model::text::strip_controls(&line));
        }
        history
    }

    /// Keeps `line` unless it is blank, holds a control character (a paste:
    /// such a line is not sent either, and without them it could read as
    /// something else), holds a secret, repeats the last or is rustyline's
    /// header (which would make the file read as rustyline's); true when
    /// kept.
    pub fn add(&mut self, line: &str) -> bool {
        let line = line.trim();
        if line.is_empty()
            || line.contains(char::is_control)
            || line == RUSTYLINE
            || is_secret(line)
            || self.lines.last().is_some_and(|l| l == line)
        {
            return false;
        }
        self.lines.push(line.to_owned());
        let excess = self.lines.len().saturating_sub(KEPT);
        self.lines.drain(..excess);
        true
    }

    /// `older` first, then these (a file read after typing began).
    pub fn after(older: History, newer: &History) -> History {
        let mut all = older;
        for l in &newer.lines {
            all.add(l);
        }
        all
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// The file's text.
    pub fn text(&self) -> String {
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }
}

/// A line of rustyline's file: `\\` is a backslash; an escaped newline
/// (`\n`) ends the command there (a typed command is one line).
fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => return out,
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_format_and_rustylines_read() {
        let mut h = History::default();
        assert!(h.add("GETINFO version"));
        assert!(!h.add("GETINFO version"), "a repeat");
        assert!(!h.add("AUTHENTICATE \"secret\""), "a secret");
        assert!(!h.add("   "));
        assert!(h.add("/help"));
        assert_eq!(h.text(), "GETINFO version\n/help\n");
        assert_eq!(History::parse(&h.text()), h);
        // rustyline's file, as `rnyx prompt` wrote it before.
        let old = "#V2\nGETINFO version\nGETCONF C:\\\\tor\nSETCONF Log=x\\nsecond\n\x1b[2JGETINFO uptime\nSETCONF HashedControlPassword=16:00\n";
        let read = History::parse(old);
        assert_eq!(
            read.lines(),
            [
                "GETINFO version",
                "GETCONF C:\\tor",
                "SETCONF Log=x",
                "[2JGETINFO uptime"
            ]
        );
        let both = History::after(read, &h);
        assert_eq!(both.lines().last().unwrap(), "/help");
        assert_eq!(both.len(), 6);
        let mut many = History::default();
        for i in 0..KEPT + 10 {
            many.add(&format!("GETINFO n{i}"));
        }
        assert_eq!(many.len(), KEPT);
        assert_eq!(many.lines()[0], "GETINFO n10");
    }

    /// Found by the `interpreter_input` fuzz target: a line with control
    /// characters was kept without them (read back differently, and a
    /// secret could lose what made it one), and a first command `#V2` made
    /// the file read as rustyline's.
    #[test]
    fn what_is_kept_reads_back_the_same() {
        let mut h = History::default();
        assert!(!h.add("#V2"));
        assert!(h.add("GETINFO\\040version"));
        assert!(!h.add("\0\0\u{1b}]0;title\u{7}GETCONF ORPort"));
        assert!(!h.add("GETINFO\tversion"));
        // Found next: U+0085 is white space to Rust, so the line read as
        // ADD_ONION with a key; without it, as one word, no secret.
        assert!(!h.add("ADD_ONION\u{85}ED25519-V3:c2VjcmV0 Port=80"));
        assert!(h.add("GETCONF ORPort"));
        assert_eq!(h.lines(), ["GETINFO\\040version", "GETCONF ORPort"]);
        assert_eq!(History::parse(&h.text()), h);
    }
}
