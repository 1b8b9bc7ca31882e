//! Reading a recording back: decompressed on a thread of its own while
//! the lines are parsed, recorded lines parsed without serde's general
//! path; a file cut short kept up to where it stops, a damaged one refused
//! with file, line and byte.

use super::{Header, Line, END, FORMAT, TRUNCATED, VERSION};
use std::path::Path;
use std::sync::mpsc;

/// A recording read back.
#[derive(Debug)]
pub struct Recording {
    pub header: Header,
    pub lines: Vec<Line>,
    /// Why it ends before its end was written (rnyx killed, a copy cut
    /// short), with the byte of the file it ends at; what comes before is
    /// kept.
    pub cut: Option<String>,
}

/// Counts the bytes read from the file, so an error can say where.
struct Offset<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Offset<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads the recording at `path`: its header and lines, or what is wrong
/// and where.
pub fn read(path: &Path) -> Result<Recording, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    read_from(&path.display().to_string(), file)
}

/// What the decompressing thread hands over.
enum Batch {
    /// Whole lines (each with its newline), and the byte of the file read
    /// so far.
    Text(Vec<u8>, u64),
    /// The file ended: properly, or cut short (why, and the unfinished
    /// line's start), or unreadable.
    End(Result<Option<String>, String>),
}

/// Decompressed bytes handed over at a time (at least).
const BATCH: usize = 256 * 1024;

/// Decompresses `input` on a thread of its own, handing over whole lines
/// (the other half of reading, parsing, goes on meanwhile).
fn lines_of(name: &str, input: impl std::io::Read + Send + 'static) -> mpsc::Receiver<Batch> {
    use std::io::Read;
    let (tx, rx) = mpsc::sync_channel(8);
    let name = name.to_owned();
    let offset = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let byte = {
        let offset = offset.clone();
        move || offset.load(std::sync::atomic::Ordering::Relaxed)
    };
    let mut reader = flate2::read::GzDecoder::new(Offset {
        inner: input,
        read: offset,
    });
    let spawned = std::thread::Builder::new()
        .name("rnyx-read".into())
        .spawn(move || {
            let mut buf = Vec::with_capacity(2 * BATCH);
            let mut chunk = vec![0; BATCH];
            // Hands over the whole lines of `buf` (at the end: whatever
            // there is); the start of the next one stays.
            let hand_over = |buf: &mut Vec<u8>, at_end: bool| {
                let last = memchr::memrchr(b'\n', buf).filter(|_| at_end || buf.len() >= BATCH);
                let Some(last) = last else { return true };
                let rest = buf.split_off(last + 1);
                tx.send(Batch::Text(std::mem::replace(buf, rest), byte()))
                    .is_ok()
            };
            let end = loop {
                let n = match reader.read(&mut chunk) {
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                        break Ok(Some(format!("{name} is cut short at byte {}: {e}", byte())));
                    }
                    Err(e) => break Err(format!("{name}: {e}, at byte {} of the file", byte())),
                };
                buf.extend_from_slice(&chunk[..n]);
                if n == 0 {
                    break Ok(None);
                }
                if !hand_over(&mut buf, false) {
                    return;
                }
            };
            hand_over(&mut buf, true);
            let end = match end {
                Ok(None) if !buf.is_empty() => Ok(Some(format!(
                    "{name} ends at byte {} in the middle of a line (cut short)",
                    byte()
                ))),
                other => other,
            };
            let _ = tx.send(Batch::End(end));
        });
    if let Err(e) = spawned {
        let (tx, rx) = mpsc::sync_channel(1);
        let _ = tx.send(Batch::End(Err(format!("cannot start reading: {e}"))));
        return rx;
    }
    rx
}

/// A line as [`push_line`] writes it, read without serde's general
/// machinery; `None` for anything else.
pub(crate) fn parse_line(text: &str) -> Option<Line> {
    let rest = text.strip_prefix("{\"t\":")?;
    let (t, rest) = rest.split_once(",\"d\":\"")?;
    let (d, rest) = rest.split_once("\",\"l\":\"")?;
    let l = rest.strip_suffix("\"}")?;
    // Escapes, quotes and raw control characters (which JSON refuses) are
    // serde's to read.
    let plain = |s: &str| !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
    // A JSON number: digits, no leading zero.
    let number =
        !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && (t == "0" || !t.starts_with('0'));
    if !number || !plain(d) || !plain(l) {
        return None;
    }
    Some(Line {
        t: t.parse().ok()?,
        d: super::Kind::of(d),
        l: l.to_owned(),
    })
}

/// Reads a recording from `input`; errors name it `name`.
pub fn read_from(
    name: &str,
    input: impl std::io::Read + Send + 'static,
) -> Result<Recording, String> {
    let batches = lines_of(name, input);
    parse(name, || batches.recv().ok())
}

/// A recording's text, decompressed: its header and lines, or what is
/// wrong and where. (The fuzz targets' way in, past the decompression.)
pub(crate) fn parse_text(name: &str, text: &[u8]) -> Result<Recording, String> {
    let mut batches = [
        Batch::Text(text.to_vec(), text.len() as u64),
        Batch::End(Ok(None)),
    ]
    .into_iter();
    parse(name, || batches.next())
}

/// Parses the batches `next` hands over (`None`: the reader stopped).
fn parse(name: &str, mut next: impl FnMut() -> Option<Batch>) -> Result<Recording, String> {
    let mut header = None;
    let mut lines = Vec::new();
    let mut number = 0;
    let mut ended = false;
    loop {
        match next() {
            Some(Batch::Text(text, byte)) => {
                let text = String::from_utf8_lossy(&text);
                for text in text.lines() {
                    number += 1;
                    if ended {
                        continue;
                    }
                    let at = || format!("{name}, line {number} (byte {byte} of the file)");
                    if header.is_none() {
                        let h: Header = serde_json::from_str(text)
                            .map_err(|e| format!("{}: not a recording ({e})", at()))?;
                        if h.format != FORMAT || h.version != VERSION {
                            return Err(format!(
                                "{name}: format {} version {}, not {FORMAT} {VERSION}",
                                h.format, h.version
                            ));
                        }
                        header = Some(h);
                    } else if text == END || text == TRUNCATED {
                        ended = true;
                    } else if let Some(l) = parse_line(text) {
                        lines.push(l);
                    } else {
                        lines.push(
                            serde_json::from_str(text).map_err(|e| format!("{}: {e}", at()))?,
                        );
                    }
                }
            }
            Some(Batch::End(end)) => {
                let cut = match end {
                    Ok(cut) => cut.filter(|_| !ended),
                    Err(e) if header.is_none() => return Err(format!("{e} (not a recording)")),
                    Err(e) => return Err(e),
                };
                let header =
                    header.ok_or_else(|| format!("{name}: empty or cut short, not a recording"))?;
                let cut = match (cut, ended) {
                    (None, false) => Some(format!(
                        "{name} stops after line {number} without its end (cut short)"
                    )),
                    (cut, _) => cut,
                };
                return Ok(Recording { header, lines, cut });
            }
            None => return Err(format!("{name}: the reading thread stopped")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    #[test]
    fn a_corrupt_recording_names_the_file_and_line() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("bad.gz");
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
        writeln!(
            gz,
            "{{\"format\":\"rnyx-recording\",\"version\":1,\"started\":5}}"
        )
        .unwrap();
        writeln!(gz, "{{\"t\":1,\"d\":\">\",\"l\":\"GETINFO version\"}}").unwrap();
        writeln!(gz, "not json").unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let e = read(&path).unwrap_err();
        assert!(e.contains("bad.gz, line 3"), "{e}");
        std::fs::write(&path, b"plain text").unwrap();
        let e = read(&path).unwrap_err();
        assert!(e.contains("bad.gz"), "{e}");
        // Cut short: what comes before is kept, and where it ends is said.
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
        writeln!(
            gz,
            "{{\"format\":\"rnyx-recording\",\"version\":1,\"started\":5}}"
        )
        .unwrap();
        for t in 0..2000 {
            writeln!(gz, "{{\"t\":{t},\"d\":\"<\",\"l\":\"650 BW {t} 0\"}}").unwrap();
        }
        let whole = gz.finish().unwrap();
        std::fs::write(&path, &whole[..whole.len() * 2 / 3]).unwrap();
        let r = read(&path).unwrap();
        assert!(
            r.lines.len() > 100 && r.lines.len() < 2000,
            "{}",
            r.lines.len()
        );
        let cut = r.cut.unwrap();
        assert!(cut.contains("bad.gz") && cut.contains("byte"), "{cut}");
        // Garbage in the middle of the compressed stream: an error, with
        // the file and the byte.
        let mut bad = whole.clone();
        let middle = bad.len() / 2;
        for b in &mut bad[middle..middle + 64] {
            *b ^= 0x5a;
        }
        std::fs::write(&path, &bad).unwrap();
        let e = read(&path).unwrap_err();
        assert!(e.contains("bad.gz") && e.contains("byte"), "{e}");
    }

    /// Found by the `recording` fuzz target: the fast path read a line
    /// holding a raw control character, or a time with a leading zero or
    /// `+`, which JSON (and so serde, and rnyx's writer) never has.
    #[test]
    fn the_fast_path_reads_only_what_serde_reads() {
        let good = "{\"t\":1,\"d\":\"<\",\"l\":\"650 BW 1 2\"}";
        let raw = "{\"t\":1,\"d\":\"<\",\"l\":\"650 BW \u{16}1 2\"}";
        let escaped = "{\"t\":1,\"d\":\"<\",\"l\":\"650 BW \\u0016 2\"}";
        let leading_zero = "{\"t\":07000,\"d\":\"applied\",\"l\":\"1795445947297\"}";
        let plus = "{\"t\":+7,\"d\":\"<\",\"l\":\"650 BW 1 2\"}";
        for line in [good, raw, escaped, leading_zero, plus] {
            let serde: Option<Line> = serde_json::from_str(line).ok();
            if let Some(fast) = parse_line(line) {
                assert_eq!(Some(fast), serde, "{line}");
            }
        }
        assert!(parse_line(good).is_some());
        assert!(parse_line(raw).is_none());
        assert!(parse_line(leading_zero).is_none() && parse_line(plus).is_none());
        assert!(serde_json::from_str::<Line>(escaped).is_ok());
    }
}
