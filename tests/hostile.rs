//! A hostile control port: a fake tor that authenticates anyone, then
//! answers every command and sends events carrying what a compromised or
//! buggy tor could send — terminal escapes (window title, clipboard,
//! hyperlinks, clear screen, colours, leaving the alternate screen) in
//! versions, nicknames, flags, log lines, circuit paths, config values,
//! descriptors and interpreter replies; invalid UTF-8; a 4 MB line; absurd
//! numbers; events between the lines of a reply; unknown events; replies to
//! commands never sent — and drops the connection every few seconds. rnyx
//! in tmux, visiting every page, stays up, its pane's title and tmux's
//! clipboard untouched, its memory bounded, and reconnects after every drop.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::tmux::Tmux;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// What a hostile tor puts where text goes.
/// Each payload that would move something outside rnyx's screen has a
/// text of its own, so a leak says which (PWNED-CLIP is the clipboard's,
/// in base64).
const PAYLOADS: &[&[u8]] = &[
    b"\x1b]0;PWNED-TITLE-OSC0\x07",
    b"\x1b]2;PWNED-TITLE-OSC2\x1b\\",
    b"\x1b]52;c;UFdORUQtQ0xJUA==\x07",
    b"\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    b"\x1b[2J\x1b[H",
    b"\x1b[31;1;5mred\x1b[0m",
    b"\x1b[?1049l\x1b[?25l",
    b"\x1bP+q544e\x1b\\",
    b"\xc2\x9b31m",
    b"\x9b\xff\xfe\xc3\x28 not utf-8",
    b"\rback\x08\x08\x7f",
    b"18446744073709551615",
    b"-1",
    b"NaN",
    b"99999999999999999999999999",
];

/// The fake tor's tallies.
#[derive(Default)]
struct Tally {
    /// Hostile lines written.
    sent: AtomicU64,
    accepted: AtomicU64,
    dropped: AtomicU64,
}

fn payload(i: u64) -> &'static [u8] {
    PAYLOADS[usize::try_from(i).unwrap_or(0) % PAYLOADS.len()]
}

/// `prefix`, a payload and CRLF, counted.
fn line(out: &mut Vec<u8>, tally: &Tally, prefix: &str, suffix: &str) {
    let n = tally.sent.fetch_add(1, Ordering::Relaxed);
    out.extend_from_slice(prefix.as_bytes());
    out.extend_from_slice(payload(n));
    out.extend_from_slice(suffix.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// The reply to one command line.
fn reply(command: &str, tally: &Tally) -> Vec<u8> {
    let mut out = Vec::new();
    let mut words = command.split_whitespace();
    let verb = words.next().unwrap_or("").to_ascii_uppercase();
    match verb.as_str() {
        "PROTOCOLINFO" => {
            out.extend_from_slice(b"250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n");
            line(&mut out, tally, "250-VERSION Tor=\"0.4.9.11", "\"");
            out.extend_from_slice(b"250 OK\r\n");
        }
        "GETINFO" | "GETCONF" => {
            for (i, key) in words.enumerate() {
                if i % 3 == 1 {
                    // A data reply, with an event in the middle of it.
                    out.extend_from_slice(format!("250+{key}=\r\n").as_bytes());
                    line(&mut out, tally, "r nick", " AAAA 127.0.0.1 9001");
                    line(&mut out, tally, "650 NOTICE between the lines ", "");
                    line(&mut out, tally, "s Fast ", " Running");
                    out.extend_from_slice(b".\r\n");
                } else {
                    line(&mut out, tally, &format!("250-{key}="), "");
                }
            }
            out.extend_from_slice(b"250 OK\r\n");
        }
        "QUIT" => out.extend_from_slice(b"250 closing connection\r\n"),
        _ if tally.sent.load(Ordering::Relaxed).is_multiple_of(5) => {
            line(&mut out, tally, "552 refused: ", "");
        }
        _ => out.extend_from_slice(b"250 OK\r\n"),
    }
    out
}

/// One round of events: every kind with payloads, unknown ones, a reply to
/// nothing, absurd numbers, and (every tenth round) a 4 MB line.
fn events(round: u64, tally: &Tally) -> Vec<u8> {
    let mut out = Vec::new();
    let p = |out: &mut Vec<u8>, prefix: &str, suffix: &str| line(out, tally, prefix, suffix);
    p(&mut out, "650 BW ", " 1000");
    p(&mut out, "650 BW 5 ", "");
    p(&mut out, "650 NOTICE ", " a log line");
    p(&mut out, "650 WARN ", "");
    p(&mut out, "650 ERR ", "");
    p(
        &mut out,
        "650 CIRC 7 BUILT $AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA~nick",
        ",$BB~x PURPOSE=GENERAL",
    );
    p(&mut out, "650 CIRC ", " EXTENDED");
    p(&mut out, "650 STREAM 3 NEW 7 ", ":443");
    p(
        &mut out,
        "650 ORCONN $CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC~",
        " CONNECTED",
    );
    p(
        &mut out,
        "650 STATUS_GENERAL WARN CLOCK_SKEW SKEW=",
        " SOURCE=x",
    );
    p(&mut out, "650 CONF_CHANGED ", "");
    p(&mut out, "650 FOO_UNKNOWN ", "");
    p(&mut out, "650-MULTI ", "");
    p(&mut out, "650 OK ", "");
    out.extend_from_slice(b"650+NS\r\n");
    p(
        &mut out,
        "r nick",
        " AAAAAAAAAAAAAAAAAAAAAAAAAAA 2026-12-04 00:00:00 127.0.0.1 9001 0",
    );
    p(&mut out, "s Fast Guard ", "");
    out.extend_from_slice(b".\r\n650 OK\r\n");
    // A reply to a command never sent.
    p(&mut out, "250 ", "");
    if round % 10 == 3 {
        out.extend_from_slice(b"650 NOTICE ");
        out.resize(out.len() + (4 << 20), b'A');
        out.extend_from_slice(b"\r\n");
        tally.sent.fetch_add(1, Ordering::Relaxed);
    }
    out
}

/// Serves one connection until `until`; false when the writer failed.
async fn serve(stream: tokio::net::UnixStream, tally: Arc<Tally>, until: Instant) {
    let (r, mut w) = stream.into_split();
    let mut lines = tokio::io::BufReader::new(r).lines();
    let mut round = 0u64;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut subscribed = false;
    loop {
        tokio::select! {
            l = lines.next_line() => {
                let Ok(Some(l)) = l else { return };
                subscribed |= l.starts_with("SETEVENTS");
                if w.write_all(&reply(&l, &tally)).await.is_err() {
                    return;
                }
            }
            _ = tick.tick() => {
                if Instant::now() >= until {
                    tally.dropped.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                if subscribed {
                    round += 1;
                    if w.write_all(&events(round, &tally)).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// The fake tor: each connection is served for `life`, then dropped.
fn start_fake_tor(path: std::path::PathBuf, tally: Arc<Tally>, life: Duration) {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::UnixListener::bind(&path).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tally.accepted.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(serve(stream, Arc::clone(&tally), Instant::now() + life));
            }
        });
    });
}

/// What reached outside the screen of `session`: a pane title other than
/// `baseline`, or anything in tmux's paste buffers (OSC 52).
fn leaked(tmux: &Tmux, session: &str, baseline: &str) -> Option<String> {
    let title = tmux.display(session, "#{pane_title}");
    if title != baseline || title.contains("PWNED") {
        return Some(format!("the pane's title became {title:?}"));
    }
    let buffers = tmux.run(&["list-buffers"]);
    (!buffers.is_empty()).then(|| format!("tmux's clipboard holds {buffers:?}"))
}

/// A session running `command` once tmux is set up to let a title (OSC 0,
/// 2) and the clipboard (OSC 52) through, and the pane's title before
/// `command` runs (taken while it waits for the word to start).
fn session_watched(
    tmux: &Tmux,
    session: &str,
    command: &str,
    dir: &std::path::Path,
) -> (u32, String) {
    let go = dir.join(format!("{session}-go"));
    let cmd = format!(
        "while [ ! -e '{}' ]; do sleep 0.05; done; {command}; echo RNYX-EXITED $?; sleep 600",
        go.display()
    );
    tmux.run(&["start-server"]);
    tmux.run(&["set", "-g", "set-clipboard", "on"]);
    tmux.run(&["set", "-g", "allow-rename", "on"]);
    let pid = tmux.start(session, &cmd, 160, 50).unwrap();
    tmux.run(&["set", "-g", "set-clipboard", "on"]);
    tmux.run(&["set", "-g", "allow-rename", "on"]);
    let baseline = tmux.display(session, "#{pane_title}");
    std::fs::write(&go, "").unwrap();
    (pid, baseline)
}

#[test]
fn a_hostile_tor_moves_nothing_outside_rnyxs_screen() {
    let dir = tempfile::Builder::new()
        .prefix("rnyx-hostile-")
        .tempdir()
        .unwrap();
    let socket = dir.path().join("control");
    let tally = Arc::new(Tally::default());
    start_fake_tor(socket.clone(), Arc::clone(&tally), Duration::from_secs(3));
    let tmux = Tmux::new("rnyx-hostile");
    // The check can fail: a program that writes one payload raw (the
    // title's) is caught by the same look, with the same settings.
    let raw = String::from_utf8_lossy(PAYLOADS[0])
        .replace('\x1b', "\\033")
        .replace('\x07', "\\007");
    let (_, baseline) = session_watched(&tmux, "raw", &format!("printf '{raw}'"), dir.path());
    tmux.wait_for("raw", 30, |s| s.contains("RNYX-EXITED"));
    let caught = leaked(&tmux, "raw", &baseline);
    assert!(
        caught
            .as_deref()
            .is_some_and(|c| c.contains("PWNED-TITLE-OSC0")),
        "a raw payload went unnoticed: {caught:?}"
    );
    tmux.stop("raw");
    let rnyx_cmd = format!(
        "{} {} --socket {}",
        support::home_prefix(),
        env!("CARGO_BIN_EXE_rnyx"),
        socket.display()
    );
    let (pid, title) = session_watched(&tmux, "t", &rnyx_cmd, dir.path());
    assert!(!title.contains("PWNED"), "{title}");
    tmux.wait_for("t", 30, |s| s.contains("Events ("));
    let rnyx = support::child_pid(pid, "rnyx").expect("rnyx under the shell");
    let start = Instant::now();
    let mut pages = 0;
    // The payloads' printable rest is drawn: the hostile text got through
    // to the screen, without its controls.
    let mut drawn = 0;
    while start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(1500));
        tmux.keys("t", &["Right"]);
        pages += 1;
        if pages % 6 == 5 {
            // The interpreter: a command and its hostile reply.
            tmux.keys("t", &["Enter"]);
            tmux.literal("t", "GETINFO version config-text");
            tmux.keys("t", &["Enter", "Escape"]);
        }
        assert_eq!(tmux.display("t", "#{alternate_on}"), "1", "still drawing");
        // Looked at every time, not only at the end.
        if let Some(leak) = leaked(&tmux, "t", &title) {
            panic!("{leak}");
        }
        drawn += usize::from(tmux.screen("t").contains("PWNED"));
    }
    let screen = tmux.screen("t");
    assert!(!screen.contains("RNYX-EXITED"), "{screen}");
    let peak_mb = support::status_kb(rnyx, "VmHWM:") / 1024;
    let (sent, accepted, dropped) = (
        tally.sent.load(Ordering::Relaxed),
        tally.accepted.load(Ordering::Relaxed),
        tally.dropped.load(Ordering::Relaxed),
    );
    eprintln!(
        "{sent} hostile lines in 30 s, {dropped} connections dropped, {accepted} accepted, \
         rnyx's peak RSS {peak_mb} MB, payloads on screen in {drawn} of {pages} looks"
    );
    assert!(drawn > 0, "no payload reached the screen");
    assert!(dropped >= 5, "{dropped} drops");
    // Every drop was followed by a new connection (page 5 opens its own).
    assert!(
        accepted > dropped,
        "{accepted} accepted after {dropped} drops"
    );
    assert!(peak_mb < 128, "peak RSS {peak_mb} MB");
    tmux.keys("t", &["Escape", "q", "q"]);
    tmux.wait_for("t", 30, |s| s.contains("RNYX-EXITED 0"));
}
