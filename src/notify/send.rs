//! Delivering one message on one channel, blocking (run on tokio's
//! blocking pool, never on the watch loop): ntfy and webhooks with ureq
//! (rustls with ring, no OpenSSL; the system's trust store), mail through the system's sendmail, a program of
//! the operator's. Each has a deadline, so a receiver that hangs costs a
//! retry, not the channel.

use super::message::{Change, Message};
use crate::config::notify::{ChannelKind, ChannelSpec};
use rnyx_model::health::Severity;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A delivery is given up (and tried again later) after this long.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failed {
    /// Worth trying again (the receiver down, slow, 5xx, 429), after
    /// `after` when it said (`Retry-After`).
    Retry {
        why: String,
        after: Option<Duration>,
    },
    /// The receiver refused it for good (a 4xx): dropped, said in the log.
    Refused(String),
}

/// How a channel delivers: its address and what it runs with.
#[derive(Debug, Clone)]
pub struct Sender {
    pub spec: ChannelSpec,
    /// sendmail, for mail.
    pub program: Option<PathBuf>,
    agent: Option<ureq::Agent>,
}

impl Sender {
    /// A sender for `spec`, or why it cannot work (sendmail missing, the
    /// program not there), said with nyxrc's line.
    pub fn new(spec: ChannelSpec, source: &Path) -> Result<Self, String> {
        let wrong = |why: String| {
            format!(
                "{}, line {}: {}: {why}",
                source.display(),
                spec.line,
                spec.kind.name()
            )
        };
        let (program, agent) = match spec.kind {
            ChannelKind::Ntfy | ChannelKind::Webhook => {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(DEADLINE))
                    .http_status_as_error(false)
                    // A POST is not sent on to another address unasked.
                    .max_redirects(0)
                    .user_agent(concat!("rnyx/", env!("CARGO_PKG_VERSION")))
                    // The system's trust store (Debian's ca-certificates,
                    // and a CA of the operator's own for an internal
                    // webhook), as the machine's other programs trust.
                    .tls_config(
                        ureq::tls::TlsConfig::builder()
                            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                            .build(),
                    )
                    .build()
                    .into();
                (None, Some(agent))
            }
            ChannelKind::Email => (
                Some(sendmail(&std::env::var_os("PATH").unwrap_or_default(), &SENDMAILS).ok_or_else(|| {
                    wrong(
                        "no sendmail on PATH, in /usr/sbin or /usr/lib (msmtp-mta, exim4 or postfix give one)"
                            .into(),
                    )
                })?),
                None,
            ),
            ChannelKind::Exec => {
                let p = PathBuf::from(&spec.target);
                let meta = std::fs::metadata(&p).map_err(|e| {
                    wrong(format!("{}: {}", p.display(), crate::config::io_reason(&e)))
                })?;
                if !p.is_file() || std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 == 0 {
                    return Err(wrong(format!("{} is not an executable file", p.display())));
                }
                (Some(p), None)
            }
        };
        Ok(Self {
            spec,
            program,
            agent,
        })
    }

    /// Delivers `m` once.
    pub fn deliver(&self, m: &Message) -> Result<(), Failed> {
        match (self.spec.kind, &self.agent, &self.program) {
            (ChannelKind::Ntfy, Some(agent), _) => {
                let request = agent
                    .post(&self.spec.target)
                    .header("Title", header_text(&m.title()))
                    .header("Priority", priority(m))
                    .header("Tags", tags(m))
                    .header("X-Rnyx-Id", m.id.as_str());
                answered(request.send(m.text()))
            }
            (ChannelKind::Webhook, Some(agent), _) => {
                let request = agent
                    .post(&self.spec.target)
                    .content_type("application/json")
                    .header("X-Rnyx-Id", m.id.as_str());
                answered(request.send(m.json()))
            }
            (ChannelKind::Email, _, Some(sendmail)) => {
                let mut cmd = Command::new(sendmail);
                cmd.args(["-i", "--", &self.spec.target]);
                run(cmd, mail(&self.spec.target, m).as_bytes())
            }
            (ChannelKind::Exec, _, Some(program)) => {
                run(Command::new(program), m.json().as_bytes())
            }
            _ => Err(Failed::Refused("the channel is not set up".into())),
        }
    }
}

/// Where MTAs put sendmail, when it is not on PATH.
const SENDMAILS: [&str; 2] = ["/usr/sbin/sendmail", "/usr/lib/sendmail"];

/// The system's sendmail: on `path` (PATH's value), else in `usual`.
fn sendmail(path: &std::ffi::OsStr, usual: &[&str]) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|d| d.join("sendmail"))
        .chain(usual.iter().map(PathBuf::from))
        .find(|p| p.is_file())
}

/// What an HTTP answer means for the message.
fn answered(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<(), Failed> {
    let response = r.map_err(|e| Failed::Retry {
        why: e.to_string(),
        after: None,
    })?;
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok());
    verdict(response.status().as_u16(), retry_after)
}

/// What a status means: 2xx delivered; 408, 425, 429 and 5xx worth trying
/// again (after `Retry-After` seconds when given; its date form is left to
/// the backoff); any other refused for good.
fn verdict(status: u16, retry_after: Option<&str>) -> Result<(), Failed> {
    if (200..300).contains(&status) {
        return Ok(());
    }
    let after = retry_after
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let why = format!("HTTP {status}");
    match status {
        408 | 425 | 429 | 500..=599 => Err(Failed::Retry { why, after }),
        300..=399 => Err(Failed::Refused(format!(
            "{why}, a redirect: give nyxrc the address it points to"
        ))),
        _ => Err(Failed::Refused(why)),
    }
}

/// Runs `cmd` with `input` on its standard input, within the deadline.
fn run(mut cmd: Command, input: &[u8]) -> Result<(), Failed> {
    let retry = |why: String| Failed::Retry { why, after: None };
    // The control password given in the environment is rnyx's alone.
    let mut child = cmd
        .env_remove("RNYX_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            retry(format!(
                "cannot run {}: {e}",
                Path::new(cmd.get_program()).display()
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A program that does not read it all still gets its exit judged.
        let _ = stdin.write_all(input);
    }
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                let first = err.lines().next().unwrap_or("").trim();
                return Err(retry(format!(
                    "{} ended with {status}{}{}",
                    Path::new(cmd.get_program()).display(),
                    if first.is_empty() { "" } else { ": " },
                    rnyx_model::text::strip_controls(first)
                )));
            }
            Ok(None) if start.elapsed() > DEADLINE => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(retry(format!(
                    "{} did not end within {} s",
                    Path::new(cmd.get_program()).display(),
                    DEADLINE.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(retry(e.to_string())),
        }
    }
}

/// A header's value: printable ASCII only (nyxrc's relay names may be
/// anything).
fn header_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// ntfy's priority: urgent for a critical alert, high for a warning,
/// default for what is over.
fn priority(m: &Message) -> &'static str {
    match m.worst_active() {
        Some(Severity::Critical) => "urgent",
        Some(Severity::Warning) => "high",
        None => "default",
    }
}

/// ntfy's tags (emoji short codes first).
fn tags(m: &Message) -> String {
    let mark = match m.worst_active() {
        Some(Severity::Critical) => "rotating_light",
        Some(Severity::Warning) => "warning",
        None => "white_check_mark",
    };
    let mut tags = vec![mark.to_owned(), "rnyx".to_owned()];
    for e in &m.events {
        let relay = header_text(&e.relay).replace(',', "_");
        if !tags.contains(&relay) {
            tags.push(relay);
        }
    }
    tags.join(",")
}

/// The mail: headers (the subject encoded when not ASCII), then the text.
fn mail(to: &str, m: &Message) -> String {
    let title = m.title();
    let subject = if title.is_ascii() {
        title
    } else {
        use base64::Engine as _;
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(title)
        )
    };
    let over = m.events.iter().all(|e| e.change == Change::Over);
    format!(
        "To: {to}\nSubject: [rnyx{}] {subject}\nAuto-Submitted: auto-generated\nX-Rnyx-Id: {}\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{}",
        if over { "" } else { " alert" },
        m.id,
        m.text()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::Event;

    fn message(change: Change) -> Message {
        Message::new(
            5,
            vec![Event {
                relay: "relay1".into(),
                host: None,
                kind: "not_in_consensus".into(),
                change,
                severity: Severity::Critical,
                title: "the relay is not in the consensus".into(),
                detail: String::new(),
                advice: "wait".into(),
                since: 1,
                ended: None,
            }],
        )
    }

    #[test]
    fn ntfy_headers_say_how_bad() {
        let m = message(Change::Started);
        assert_eq!(priority(&m), "urgent");
        assert_eq!(tags(&m), "rotating_light,rnyx,relay1");
        let over = message(Change::Over);
        assert_eq!(priority(&over), "default");
        assert!(tags(&over).starts_with("white_check_mark,"));
        assert_eq!(header_text("relé\n1"), "rel??1");
    }

    #[test]
    fn a_mail_has_its_headers_and_the_text() {
        let text = mail("ops@example.org", &message(Change::Started));
        assert!(text.starts_with("To: ops@example.org\nSubject: [rnyx alert] relay1: the relay is not in the consensus\n"), "{text}");
        assert!(
            text.contains("\n\nSTARTED critical relay1: the relay is not in the consensus\n"),
            "{text}"
        );
    }

    #[test]
    fn sendmail_is_found_on_path_else_where_mtas_put_it() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("sendmail");
        assert_eq!(sendmail(dir.path().as_os_str(), &[]), None);
        let spec = ChannelSpec {
            kind: ChannelKind::Email,
            target: "ops@example.org".into(),
            min: Severity::Warning,
            line: 7,
        };
        std::fs::write(&bin, "#!/bin/sh\n").unwrap();
        assert_eq!(sendmail(dir.path().as_os_str(), &[]), Some(bin.clone()));
        let elsewhere = bin.display().to_string();
        assert_eq!(sendmail("/nonexistent".as_ref(), &[&elsewhere]), Some(bin));
        // None at all: refused at start, with nyxrc's line.
        let why = Sender::new(
            ChannelSpec {
                kind: ChannelKind::Exec,
                target: dir.path().join("none").display().to_string(),
                ..spec
            },
            Path::new("/etc/rnyx/nyxrc"),
        )
        .unwrap_err();
        assert!(why.starts_with("/etc/rnyx/nyxrc, line 7: exec: "), "{why}");
    }

    #[test]
    fn a_status_says_delivered_again_later_or_never() {
        assert_eq!(verdict(204, None), Ok(()));
        let retry = |why: &str, after: Option<u64>| {
            Err(Failed::Retry {
                why: why.into(),
                after: after.map(Duration::from_secs),
            })
        };
        assert_eq!(verdict(500, None), retry("HTTP 500", None));
        assert_eq!(verdict(503, Some(" 120 ")), retry("HTTP 503", Some(120)));
        assert_eq!(verdict(429, Some("7")), retry("HTTP 429", Some(7)));
        assert_eq!(
            verdict(429, Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            retry("HTTP 429", None)
        );
        assert_eq!(verdict(404, None), Err(Failed::Refused("HTTP 404".into())));
        assert_eq!(
            verdict(301, None),
            Err(Failed::Refused(
                "HTTP 301, a redirect: give nyxrc the address it points to".into()
            ))
        );
    }

    #[test]
    fn a_program_that_fails_or_hangs_is_retried() {
        assert_eq!(run(Command::new("true"), b"{}"), Ok(()));
        // It never sees the control password rnyx was given.
        let mut sees = Command::new("sh");
        sees.args(["-c", "test -z \"$RNYX_PASSWORD\""])
            .env("RNYX_PASSWORD", "s3cret");
        assert_eq!(run(sees, b"{}"), Ok(()));
        let mut fails = Command::new("sh");
        fails.args(["-c", "echo 'no route' >&2; exit 3"]);
        match run(fails, b"{}") {
            Err(Failed::Retry { why, .. }) => assert!(why.contains("no route"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
