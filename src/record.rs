//! Recording the control connection (`rnyx record FILE`): every line rnyx
//! wrote to tor and read from it, with its time, gzip-compressed as JSON
//! lines, bounded in size, and with secrets never written — AUTHENTICATE's
//! and AUTHCHALLENGE's arguments, tor's SAFECOOKIE answer, and any line
//! naming a password are replaced by `<redacted>`.
//!
//! The file: a first line `{"format":"rnyx-recording","version":1,
//! "started":<unix ms>}`, then one line a control line:
//! `{"t":<ms since start>,"d":">"|"<","l":"<line>"}` (`>` written by rnyx,
//! `<` read from tor), and `{"truncated":true}` when the size bound ended
//! it.

mod kind;
mod read;
mod redact;

pub use kind::Kind;
pub(crate) use read::{parse_line, parse_text};
pub use read::{read, read_from, Recording};
use redact::redact;
pub use redact::redact_torrc;

use flate2::write::GzEncoder;
use rnyx_model::{SocketScan, SystemInfo, Torrc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;
use std::pin::Pin;
use std::sync::{mpsc, Arc, OnceLock};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What rnyx read of tor besides the control connection (a recording
/// keeps each, at the time it was taken).
#[derive(Debug, Clone)]
pub enum Sample {
    System(SystemInfo),
    Sockets(Result<SocketScan, String>),
    Torrc(Torrc),
    /// Entries read from tor's log file at the start (an older rnyx's).
    Log(Entries),
    /// The end of tor's log file, read at the start.
    Tail(TorLog),
    /// The signing certificate's expiry (unix s), where it was read.
    Cert(Option<u64>),
    /// tor's MetricsPort read (the families shown), or why not.
    Metrics(Result<String, String>),
    /// tor's child processes (name, pid), where they could be read.
    Children(Option<Vec<(String, u32)>>),
}

/// The end of tor's log file, as a host read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TorLog {
    /// Its last lines, oldest first, and where it is as the host sees it.
    Lines { path: String, lines: Vec<String> },
    /// It could not be read: where, and why.
    Unreadable { path: String, why: String },
    /// Already read into entries (a recording of an older rnyx).
    Entries { entries: Entries },
}

/// A sample and when it was taken (unix ms).
pub type Timed = (u64, Sample);

/// Log entries as a recording keeps them: (unix ms, source, message).
pub type Entries = Vec<(u64, rnyx_model::LogSource, String)>;

const FORMAT: &str = "rnyx-recording";
const VERSION: u32 = 1;

/// The last line of a recording closed properly.
const END: &str = "{\"end\":true}";
/// The last line of a recording the size bound stopped.
const TRUNCATED: &str = "{\"truncated\":true}";

/// The first line of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// Unix milliseconds when recording started.
    pub started: u64,
}

/// How the recorded connection was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connected {
    pub target: String,
    pub method: String,
}

/// One control line of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Milliseconds since the recording started.
    pub t: u64,
    /// What it is: `>` rnyx wrote it, `<` tor sent it, or a reading.
    pub d: Kind,
    /// The line, without its CRLF.
    pub l: String,
}

/// Bytes going one way on the connection, or a sample rnyx took.
enum Chunk {
    Written(Vec<u8>),
    Read(Vec<u8>),
    /// What rnyx read of tor outside the control connection (`/proc`,
    /// files), as JSON: the kind (the line's `d`) and the value.
    Sample(Kind, String),
    /// Finish the file; the writer says when it has on the sender.
    Close(mpsc::Sender<()>),
}

/// A handle the taps send to; cheap to clone, one file behind it.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::Sender<(u64, Chunk)>,
    started: std::time::Instant,
    path: std::path::PathBuf,
    /// Why writing stopped, and whether that was said.
    failed: Arc<OnceLock<String>>,
    said: Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

impl Recorder {
    /// Starts writing to `path` (created owner-only, replaced if there),
    /// at most `max_bytes` compressed.
    pub fn create(path: &Path, max_bytes: u64) -> Result<Self, String> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| format!("cannot write the recording {}: {e}", path.display()))?;
        let started_ms = crate::local::system_ms();
        let (tx, rx) = mpsc::channel();
        let failed = Arc::new(OnceLock::new());
        let out = Counting {
            inner: std::io::BufWriter::new(file),
            written: 0,
            failed: Arc::clone(&failed),
        };
        std::thread::Builder::new()
            .name("rnyx-record".into())
            .spawn(move || write_all(out, started_ms, max_bytes, &rx))
            .map_err(|e| e.to_string())?;
        Ok(Self {
            tx,
            started: std::time::Instant::now(),
            path: path.to_owned(),
            failed,
            said: Arc::default(),
        })
    }

    /// Why the file could not be written (a full disk), the first time
    /// it is asked after that happened; what was written before stays
    /// readable.
    pub fn failure(&self) -> Option<String> {
        let why = self.failed.get()?;
        (!self.said.swap(true, std::sync::atomic::Ordering::Relaxed)).then(|| {
            format!(
                "cannot write the recording {}: {why}; it ends where it stopped",
                self.path.display()
            )
        })
    }

    fn send(&self, chunk: Chunk) {
        let t = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let _ = self.tx.send((t, chunk));
    }

    /// Records a sample of `kind` (one of [`SYSTEM`], [`SOCKETS`],
    /// [`TORRC`]) taken now.
    pub fn sample(&self, kind: Kind, value: &impl Serialize) {
        if let Ok(json) = serde_json::to_string(value) {
            self.send(Chunk::Sample(kind, json));
        }
    }

    /// Ends the recording (its last line says it ended properly) and waits
    /// up to 3 seconds for the file to be written.
    pub fn close(&self) {
        let (tx, rx) = mpsc::channel();
        let _ = self.tx.send((0, Chunk::Close(tx)));
        let _ = rx.recv_timeout(std::time::Duration::from_secs(3));
    }

    /// The stream `inner` with everything through it recorded.
    pub fn tap<S>(&self, inner: S) -> Tap<S> {
        Tap {
            inner,
            sink: self.clone(),
        }
    }
}

/// Where a [`Tap`] sends what goes through it.
pub trait Sink: Unpin {
    /// Bytes read from the stream.
    fn read(&self, bytes: &[u8]);
    /// Bytes written to the stream.
    fn written(&self, bytes: &[u8]);
}

impl Sink for Recorder {
    fn read(&self, bytes: &[u8]) {
        self.send(Chunk::Read(bytes.to_vec()));
    }

    fn written(&self, bytes: &[u8]) {
        self.send(Chunk::Written(bytes.to_vec()));
    }
}

/// A stream whose traffic goes to `sink` as well (a recording by default).
pub struct Tap<S, K = Recorder> {
    pub inner: S,
    pub sink: K,
}

impl<S: AsyncRead + Unpin, K: Sink> AsyncRead for Tap<S, K> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            let new = &buf.filled()[before..];
            if !new.is_empty() {
                self.sink.read(new);
            }
        }
        r
    }
}

impl<S: AsyncWrite + Unpin, K: Sink> AsyncWrite for Tap<S, K> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            self.sink.written(&buf[..n]);
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Appends one recording line, `{"t":…,"d":"…","l":"…"}` and a newline,
/// to `out`: the JSON written by hand, as it is done for every event.
fn push_line(out: &mut Vec<u8>, t: u64, d: &str, l: &str) {
    push_prefix(out, t, d);
    push_text(out, l);
}

/// `{"t":…,"d":"…","l":"`: what every line of one chunk starts with.
fn push_prefix(out: &mut Vec<u8>, t: u64, d: &str) {
    out.extend_from_slice(b"{\"t\":");
    let mut digits = [0u8; 20];
    let mut n = t;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
    out.extend_from_slice(b",\"d\":\"");
    out.extend_from_slice(d.as_bytes());
    out.extend_from_slice(b"\",\"l\":\"");
}

/// The line's text as a JSON string's inside, then `"}` and a newline.
fn push_text(out: &mut Vec<u8>, l: &str) {
    // Whether anything needs escaping, without stopping early (so the
    // check runs over many bytes at a time).
    let plain = !l.as_bytes().chunks(32).any(|c| {
        c.iter().fold(0u8, |any, &b| {
            any | u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\')
        }) != 0
    });
    if plain {
        out.extend_from_slice(l.as_bytes());
        out.extend_from_slice(b"\"}\n");
        return;
    }
    let mut from = 0;
    for (i, b) in l.bytes().enumerate() {
        let escaped: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&l.as_bytes()[from..i]);
        if escaped.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.extend_from_slice(escaped);
        }
        from = i + 1;
    }
    out.extend_from_slice(&l.as_bytes()[from..]);
    out.extend_from_slice(b"\"}\n");
}

/// Counts what goes into the file, for the size bound.
struct Counting<W> {
    inner: W,
    written: u64,
    /// The first write that failed (a full disk), for the monitor to say.
    failed: Arc<OnceLock<String>>,
}

impl<W> Counting<W> {
    fn note<T>(&self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            let _ = self.failed.set(e.to_string());
        }
        r
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf);
        let n = self.note(n)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.note(r)
    }
}

/// The file being written: compressed, counted for the size bound.
type Gz = GzEncoder<Counting<std::io::BufWriter<std::fs::File>>>;

/// The writer thread's state.
struct Writer {
    gz: Gz,
    max_bytes: u64,
    /// Bytes of each direction not yet ended by a newline.
    written: Vec<u8>,
    read: Vec<u8>,
    /// The lines of one chunk, encoded, then compressed in one write.
    out: Vec<u8>,
}

impl Writer {
    /// Takes one chunk. False once the file is done (closed, or the size
    /// bound reached).
    fn take(&mut self, t: u64, chunk: Chunk) -> bool {
        let (pending, d) = match chunk {
            Chunk::Close(done) => {
                self.finish(END);
                let _ = done.send(());
                return false;
            }
            Chunk::Sample(kind, l) => {
                self.out.clear();
                push_line(&mut self.out, t, kind.as_str(), &l);
                let _ = self.gz.write_all(&self.out);
                return true;
            }
            Chunk::Written(b) => {
                self.written.extend_from_slice(&b);
                (&mut self.written, ">")
            }
            Chunk::Read(b) => {
                self.read.extend_from_slice(&b);
                (&mut self.read, "<")
            }
        };
        self.out.clear();
        let mut prefix = Vec::with_capacity(32);
        push_prefix(&mut prefix, t, d);
        let mut start = 0;
        while let Some(n) = memchr::memchr(b'\n', &pending[start..]) {
            let end = start + n;
            let raw = &pending[start..end];
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let text = match std::str::from_utf8(raw) {
                Ok(text) => std::borrow::Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(raw),
            };
            self.out.extend_from_slice(&prefix);
            push_text(&mut self.out, &redact(&text, d == "<"));
            start = end + 1;
        }
        pending.drain(..start);
        let _ = self.gz.write_all(&self.out);
        // The compressed size so far (what is still in the compressor is
        // at most its window behind).
        if self.gz.get_ref().written > self.max_bytes {
            self.finish(TRUNCATED);
            return false;
        }
        true
    }

    /// Ends the file with `last` and writes it out.
    fn finish(&mut self, last: &str) {
        let _ = writeln!(self.gz, "{last}");
        let _ = self.gz.try_finish();
        let _ = self.gz.get_mut().flush();
    }
}

/// The writer thread: lines out of the chunks, redacted, compressed, until
/// the taps are gone or the bound is reached.
fn write_all(
    out: Counting<std::io::BufWriter<std::fs::File>>,
    started: u64,
    max_bytes: u64,
    rx: &mpsc::Receiver<(u64, Chunk)>,
) {
    let gz = GzEncoder::new(
        out,
        // Fast: under tor's DEBUG firehose this is most of the cost of
        // recording; the level barely changes the size of such text.
        flate2::Compression::fast(),
    );
    let mut w = Writer {
        gz,
        max_bytes,
        written: Vec::new(),
        read: Vec::new(),
        out: Vec::with_capacity(64 * 1024),
    };
    let header = Header {
        format: FORMAT.into(),
        version: VERSION,
        started,
    };
    let _ = writeln!(
        w.gz,
        "{}",
        serde_json::to_string(&header).unwrap_or_default()
    );
    // Flushed every second, so a recording cut short (rnyx killed, the
    // host down) is readable up to its last second.
    let mut flushed = std::time::Instant::now();
    loop {
        let (t, chunk) = match rx.recv_timeout(std::time::Duration::from_secs(1)) {
            Ok(c) => c,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = w.gz.flush();
                flushed = std::time::Instant::now();
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                w.finish(END);
                return;
            }
        };
        if !w.take(t, chunk) {
            return;
        }
        // Whatever else came meanwhile, then a pause: under a flood this
        // thread wakes 100 times a second, not once for every read.
        while let Ok((t, chunk)) = rx.try_recv() {
            if !w.take(t, chunk) {
                return;
            }
        }
        if flushed.elapsed() >= std::time::Duration::from_secs(1) {
            let _ = w.gz.flush();
            flushed = std::time::Instant::now();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn lines_are_json_whatever_they_hold() {
        let mut out = Vec::new();
        let l = "650 NOTICE \"quoted\" back\\slash \u{1b}[31m tab\t é ✓";
        push_line(&mut out, 42, "<", l);
        assert_eq!(out.last(), Some(&b'\n'));
        let back: Line = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            back,
            Line {
                t: 42,
                d: Kind::Received,
                l: l.into()
            }
        );
        // An event is not copied to be checked for secrets.
        assert!(matches!(
            redact("650 BW 1 2", true),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[tokio::test]
    async fn a_tapped_stream_is_recorded_line_by_line_and_read_back() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("rec.gz");
        let rec = Recorder::create(&path, 1 << 20).unwrap();
        let (a, mut b) = tokio::io::duplex(1024);
        let mut tapped = rec.tap(a);
        tapped
            .write_all(b"AUTHENTICATE \"hunter2\"\r\nGETINFO ver")
            .await
            .unwrap();
        tapped.write_all(b"sion\r\n").await.unwrap();
        b.write_all(b"250 OK\r\n250-version=0.4.9.11\r\n250 OK\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 64];
        let mut got = 0;
        while got < 38 {
            got += tapped.read(&mut buf[got..]).await.unwrap();
        }
        drop(tapped);
        drop(rec);
        // The writer thread finishes once the taps are gone.
        let mut lines = Vec::new();
        for _ in 0..50 {
            if let Ok(r) = read(&path) {
                if r.lines.len() == 5 {
                    assert_eq!(r.cut, None, "ended properly");
                    lines = r.lines;
                    break;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let text: Vec<String> = lines
            .iter()
            .map(|l| format!("{} {}", l.d.as_str(), l.l))
            .collect();
        assert_eq!(
            text,
            [
                "> AUTHENTICATE <redacted>",
                "> GETINFO version",
                "< 250 OK",
                "< 250-version=0.4.9.11",
                "< 250 OK"
            ]
        );
        let raw = std::fs::read(&path).unwrap();
        let mut plain = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&raw[..]), &mut plain)
            .unwrap();
        assert!(!plain.contains("hunter2"));
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
