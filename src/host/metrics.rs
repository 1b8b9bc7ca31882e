//! Reading tor's MetricsPort: one HTTP GET of `/metrics` over TCP
//! (`HOST:PORT`) or a unix socket (`unix:PATH`), the body returned. tor
//! answers HTTP/1.0 with a Content-Length and may keep the connection
//! open, so the body is read to its length, not to the end.

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// A reading and when it was made (unix ms; `None`: now).
pub type Metered = (Option<u64>, Result<String, String>);

/// How long one reading may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// A larger answer is not tor's (an exit relay's is about 26 KB).
const MAX: usize = 4 << 20;

/// The body of `GET /metrics` at `at`, or why there is none.
pub async fn fetch(at: &str) -> Result<String, String> {
    let read = async {
        if let Some(path) = at.strip_prefix("unix:") {
            let s = tokio::net::UnixStream::connect(path)
                .await
                .map_err(|e| format!("cannot connect to tor's MetricsPort at {at}: {e}"))?;
            get(s, at).await
        } else {
            let s = tokio::net::TcpStream::connect(at)
                .await
                .map_err(|e| format!("cannot connect to tor's MetricsPort at {at}: {e}"))?;
            get(s, at).await
        }
    };
    tokio::time::timeout(TIMEOUT, read)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "tor's MetricsPort at {at} did not answer within 5 s"
            ))
        })
}

async fn get<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, at: &str) -> Result<String, String> {
    let host = at.strip_prefix("unix:").map_or(at, |_| "localhost");
    let request = format!("GET /metrics HTTP/1.0\r\nHost: {host}\r\n\r\n");
    s.write_all(request.as_bytes())
        .await
        .map_err(|e| format!("cannot write to tor's MetricsPort at {at}: {e}"))?;
    let mut buf = Vec::with_capacity(32 * 1024);
    let mut chunk = vec![0u8; 32 * 1024];
    loop {
        if let Some(done) = complete(&buf) {
            return done.map_err(|why| format!("tor's MetricsPort at {at}: {why}"));
        }
        let n = s
            .read(&mut chunk)
            .await
            .map_err(|e| format!("cannot read tor's MetricsPort at {at}: {e}"))?;
        if n == 0 {
            return match complete_at_end(&buf) {
                Ok(body) => Ok(body),
                Err(why) => Err(format!("tor's MetricsPort at {at}: {why}")),
            };
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX {
            return Err(format!(
                "tor's MetricsPort at {at} sent more than {} MB",
                MAX >> 20
            ));
        }
    }
}

/// The head's end, its status and Content-Length.
fn head(buf: &[u8]) -> Option<Result<(usize, Option<usize>), String>> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let text = String::from_utf8_lossy(&buf[..end]);
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap_or_default();
    let code = status.split(' ').nth(1).unwrap_or_default();
    if !status.starts_with("HTTP/") {
        return Some(Err(format!(
            "the answer is not HTTP: {:?}",
            rnyx_model::text::strip_controls(&status.chars().take(60).collect::<String>())
        )));
    }
    if code != "200" {
        let why = rnyx_model::text::strip_controls(status);
        return Some(Err(format!(
            "refused: {why} (MetricsPortPolicy must accept this address)"
        )));
    }
    let length = lines.find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse().ok())
            .flatten()
    });
    Some(Ok((end + 4, length)))
}

/// The body once all of it has come.
fn complete(buf: &[u8]) -> Option<Result<String, String>> {
    match head(buf)? {
        Err(e) => Some(Err(e)),
        Ok((start, Some(len))) if buf.len() >= start + len => Some(Ok(String::from_utf8_lossy(
            &buf[start..start + len],
        )
        .into_owned())),
        Ok(_) => None,
    }
}

/// The body when the connection closed (or of a whole answer another
/// program read).
pub fn complete_at_end(buf: &[u8]) -> Result<String, String> {
    match head(buf) {
        None if buf.is_empty() => Err("closed without answering (is this a MetricsPort? MetricsPortPolicy must accept this address)".into()),
        None => Err("the answer ended inside its head".into()),
        Some(Err(e)) => Err(e),
        Some(Ok((start, Some(len)))) if buf.len() < start + len => Err(format!(
            "the answer ended after {} of {len} bytes",
            buf.len() - start
        )),
        Some(Ok((start, len))) => {
            let end = len.map_or(buf.len(), |l| start + l);
            Ok(String::from_utf8_lossy(&buf[start..end]).into_owned())
        }
    }
}

/// The lines of `text` of the families rnyx keeps (a recording holds only
/// those).
pub fn kept_text(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let name = match line.strip_prefix("# ") {
            Some(c) => c.split_whitespace().nth(1).unwrap_or_default(),
            None => line.split(['{', ' ']).next().unwrap_or_default(),
        };
        if rnyx_model::load::kept(name) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_read_to_its_length_and_refusals_say_why() {
        let ok = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nabcde";
        assert_eq!(complete(ok), Some(Ok("abcde".into())));
        assert_eq!(complete(&ok[..ok.len() - 1]), None);
        assert_eq!(
            complete_at_end(&ok[..ok.len() - 1]),
            Err("the answer ended after 4 of 5 bytes".into())
        );
        let refused = b"HTTP/1.0 404 Not found\r\n\r\n";
        assert!(complete(refused)
            .unwrap()
            .unwrap_err()
            .contains("MetricsPortPolicy"));
        assert!(complete_at_end(b"").unwrap_err().contains("closed without"));
        assert!(complete(b"SSH-2.0-OpenSSH\r\n\r\n")
            .unwrap()
            .unwrap_err()
            .contains("not HTTP"));
    }

    #[test]
    fn a_recording_keeps_only_the_families_shown() {
        let text = "# HELP tor_relay_dos_total x\n# TYPE tor_relay_dos_total counter\ntor_relay_dos_total{type=\"conn_rejected\"} 3\n# TYPE tor_relay_connections_total counter\ntor_relay_connections_total{type=\"or\"} 9\n";
        assert_eq!(
            kept_text(text),
            "# HELP tor_relay_dos_total x\n# TYPE tor_relay_dos_total counter\ntor_relay_dos_total{type=\"conn_rejected\"} 3\n"
        );
    }
}
