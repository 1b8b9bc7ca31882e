//! Framing of control-port replies (control-spec §2.3 and §4): mid lines
//! (`250-`), data lines (`250+` followed by a dot-terminated block) and end
//! lines (`250 `). Works on bytes pushed in any split; imports no runtime.

use memchr::memchr;
use rnyx_model::Runlevel;
use std::fmt;

/// The separator after a reply line's status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `-`: more lines follow.
    Mid,
    /// `+`: a data block follows.
    Data,
    /// ` `: the last line of the reply.
    End,
}

/// What the framer gives: a reply (or why the input broke the rules), or a
/// one-line log event read in place.
#[derive(Debug)]
pub enum Frame<'a> {
    Reply(Result<Reply, FrameError>),
    Log(Runlevel, &'a [u8]),
}

/// One line of a reply, with its data block if it had one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyLine {
    pub status: u16,
    pub kind: LineKind,
    pub text: String,
    /// The dot-unstuffed data block of a `+` line, lines joined with `\n`.
    pub data: Option<String>,
}

/// A complete reply: every line up to and including the end line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code of the end line.
    pub status: u16,
    pub lines: Vec<ReplyLine>,
}

impl Reply {
    /// Asynchronous event (status 6xx).
    pub fn is_async(&self) -> bool {
        (600..700).contains(&self.status)
    }

    /// Positive completion (status 2xx).
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The end line's text, e.g. `OK` or an error message.
    pub fn message(&self) -> &str {
        self.lines.last().map_or("", |l| l.text.as_str())
    }

    /// `key=value` pairs of a GETINFO/GETCONF reply: `250-key=value` lines and
    /// `250+key=` data lines. The trailing `250 OK` is skipped.
    pub fn key_values(&self) -> impl Iterator<Item = (&str, &str)> {
        self.lines.iter().filter_map(|l| {
            let (k, v) = match l.text.split_once('=') {
                Some(kv) => kv,
                None if l.kind == LineKind::End => return None,
                None => (l.text.as_str(), ""),
            };
            Some((k, l.data.as_deref().unwrap_or(v)))
        })
    }
}

impl Reply {
    /// A GETCONF reply's `(option, value)` pairs, one a line (`None`: the
    /// option is unset), quoted values decoded.
    pub fn conf_values(&self) -> Vec<(String, Option<String>)> {
        self.lines
            .iter()
            .filter(|l| !(l.kind == LineKind::End && l.text == "OK"))
            .map(|l| match l.text.split_once('=') {
                Some((k, v)) if v.starts_with('"') => (
                    k.to_owned(),
                    Some(super::args::parse_quoted(v).0.into_owned()),
                ),
                Some((k, v)) => (
                    k.to_owned(),
                    Some(l.data.clone().unwrap_or_else(|| v.to_owned())),
                ),
                None => (l.text.clone(), None),
            })
            .collect()
    }
}

/// The input broke the framing rules. The offending line is consumed, so
/// framing resumes with what follows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("malformed reply line (expected a 3-digit status and '-', '+' or ' '): {0:?}")]
    Malformed(String),
    #[error("reply line longer than {limit} bytes was discarded")]
    LineTooLong { limit: usize },
    #[error("reply longer than {limit} bytes was discarded")]
    ReplyTooLong { limit: usize },
}

/// Lines of a reply not yet finished.
#[derive(Default)]
struct Partial {
    lines: Vec<ReplyLine>,
    /// Bytes held by `lines` and the data block being read.
    bytes: usize,
    /// Discarding the rest of an over-long reply up to its end line.
    skipping: bool,
}

/// Incremental reply framer. Push bytes as they arrive; take replies out with
/// [`ReplyFramer::next_reply`].
///
/// Asynchronous (6xx) lines are collected apart from the reply in progress, so
/// an event that arrives between the lines of a reply is framed on its own.
pub struct ReplyFramer {
    buf: Vec<u8>,
    pos: usize,
    sync: Partial,
    events: Partial,
    /// The `+` line whose data block is being read, and whether it is async.
    data_line: Option<(ReplyLine, bool)>,
    data: String,
    /// Discarding the rest of an over-long line.
    skipping_line: bool,
    max_line: usize,
    max_reply: usize,
}

impl Default for ReplyFramer {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ReplyFramer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyFramer")
            .field("buffered", &(self.buf.len() - self.pos))
            .finish_non_exhaustive()
    }
}

/// A line may be up to 1 MiB; a whole reply (a consensus in a data block) up to 64 MiB.
pub const MAX_LINE: usize = 1 << 20;
pub const MAX_REPLY: usize = 64 << 20;

impl ReplyFramer {
    pub fn new() -> Self {
        Self::with_limits(MAX_LINE, MAX_REPLY)
    }

    pub fn with_limits(max_line: usize, max_reply: usize) -> Self {
        Self {
            buf: Vec::with_capacity(16 * 1024),
            pos: 0,
            sync: Partial::default(),
            events: Partial::default(),
            data_line: None,
            data: String::new(),
            skipping_line: false,
            max_line,
            max_reply,
        }
    }

    /// Appends bytes read from the socket.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > 64 * 1024 && self.pos * 2 > self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes pushed but not yet framed into complete lines.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next complete reply, an error for input that broke the rules, or
    /// `None` when more bytes are needed.
    pub fn next_reply(&mut self) -> Option<Result<Reply, FrameError>> {
        match self.next_frame()? {
            Frame::Reply(r) => Some(r),
            Frame::Log(level, message) => {
                let mut text = String::with_capacity(message.len() + 7);
                text.push_str(level.as_str());
                text.push(' ');
                push_lossy(&mut text, message);
                Some(Ok(Reply {
                    status: 650,
                    lines: vec![ReplyLine {
                        status: 650,
                        kind: LineKind::End,
                        text,
                        data: None,
                    }],
                }))
            }
        }
    }

    /// The next reply, or a log event on a line of its own (`650 DEBUG …`,
    /// the bulk of tor's DEBUG firehose) given as its runlevel and message
    /// bytes, borrowed until the next call: no allocation for those.
    pub fn next_frame(&mut self) -> Option<Frame<'_>> {
        loop {
            let rest = &self.buf[self.pos..];
            let Some(nl) = memchr(b'\n', rest) else {
                // +1: a line of exactly max_line bytes may still await its "\r\n".
                if rest.len() > self.max_line + 1 {
                    // Drop what we have of this line and skip to its end.
                    self.pos = self.buf.len();
                    if !self.skipping_line {
                        self.skipping_line = true;
                        return Some(Frame::Reply(Err(FrameError::LineTooLong {
                            limit: self.max_line,
                        })));
                    }
                }
                return None;
            };
            let start = self.pos;
            self.pos += nl + 1;
            if self.skipping_line {
                self.skipping_line = false;
                continue;
            }
            let mut end = start + nl;
            if end > start && self.buf[end - 1] == b'\r' {
                end -= 1;
            }
            if end - start > self.max_line {
                return Some(Frame::Reply(Err(FrameError::LineTooLong {
                    limit: self.max_line,
                })));
            }
            if let Some((level, at)) = self.log_line(start, end) {
                return Some(Frame::Log(level, &self.buf[at..end]));
            }
            if let Some(done) = self.take_line(start, end) {
                return Some(Frame::Reply(done));
            }
        }
    }

    /// A one-line log event outside any other reply: its runlevel and
    /// where its message starts.
    fn log_line(&self, start: usize, end: usize) -> Option<(Runlevel, usize)> {
        if self.data_line.is_some() || !self.events.lines.is_empty() || self.events.skipping {
            return None;
        }
        let rest = self.buf[start..end].strip_prefix(b"650 ")?;
        let level = match rest.first()? {
            b'D' => Runlevel::Debug,
            b'I' => Runlevel::Info,
            b'N' => Runlevel::Notice,
            b'W' => Runlevel::Warn,
            b'E' => Runlevel::Err,
            _ => return None,
        };
        let name = level.as_str().as_bytes();
        (rest.starts_with(name) && rest.get(name.len()) == Some(&b' '))
            .then_some((level, start + 4 + name.len() + 1))
    }

    /// Handles one line (without its line ending); returns a finished reply or error.
    fn take_line(&mut self, start: usize, end: usize) -> Option<Result<Reply, FrameError>> {
        if let Some((_, is_async)) = &self.data_line {
            let is_async = *is_async;
            let line = &self.buf[start..end];
            if line == b"." {
                let (mut l, _) = self.data_line.take().expect("checked above");
                let mut data = std::mem::take(&mut self.data);
                if data.ends_with('\n') {
                    data.pop();
                }
                l.data = Some(data);
                let partial = self.partial(is_async);
                if !partial.skipping {
                    partial.lines.push(l);
                }
                return None;
            }
            let line = line.strip_prefix(b".").unwrap_or(line);
            let max_reply = self.max_reply;
            let partial = if is_async {
                &mut self.events
            } else {
                &mut self.sync
            };
            if partial.skipping {
                return None;
            }
            partial.bytes += line.len() + 1;
            if partial.bytes > max_reply {
                partial.skipping = true;
                partial.lines.clear();
                self.data.clear();
                return Some(Err(FrameError::ReplyTooLong { limit: max_reply }));
            }
            push_lossy(&mut self.data, line);
            self.data.push('\n');
            return None;
        }

        let line = &self.buf[start..end];
        let Some((status, kind)) = parse_status(line) else {
            let text = String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
            return Some(Err(FrameError::Malformed(text)));
        };
        let is_async = (600..700).contains(&status);
        let mut text = String::new();
        push_lossy(&mut text, line.get(4..).unwrap_or_default());
        let reply_line = ReplyLine {
            status,
            kind,
            text,
            data: None,
        };
        let partial = self.partial(is_async);
        partial.bytes += reply_line.text.len();
        match kind {
            LineKind::Data => {
                self.data_line = Some((reply_line, is_async));
                None
            }
            LineKind::Mid => {
                if !partial.skipping {
                    partial.lines.push(reply_line);
                }
                None
            }
            LineKind::End => {
                partial.bytes = 0;
                if partial.skipping {
                    partial.skipping = false;
                    partial.lines.clear();
                    return None;
                }
                partial.lines.push(reply_line);
                let lines = std::mem::take(&mut partial.lines);
                Some(Ok(Reply { status, lines }))
            }
        }
    }

    fn partial(&mut self, is_async: bool) -> &mut Partial {
        if is_async {
            &mut self.events
        } else {
            &mut self.sync
        }
    }
}

fn parse_status(line: &[u8]) -> Option<(u16, LineKind)> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let status = digits
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    let kind = match line.get(3) {
        Some(b'-') => LineKind::Mid,
        Some(b'+') => LineKind::Data,
        Some(b' ') | None => LineKind::End,
        Some(_) => return None,
    };
    Some((status, kind))
}

fn push_lossy(out: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

#[cfg(test)]
mod tests;
