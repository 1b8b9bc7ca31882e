use super::*;

fn frame_all(input: &[u8]) -> Vec<Result<Reply, FrameError>> {
    let mut f = ReplyFramer::new();
    f.push(input);
    std::iter::from_fn(|| f.next_reply()).collect()
}

/// Feeds `input` split at `at`, in two pushes, draining after each.
fn frame_split(input: &[u8], at: usize) -> Vec<Result<Reply, FrameError>> {
    let mut f = ReplyFramer::new();
    let mut out = Vec::new();
    f.push(&input[..at]);
    out.extend(std::iter::from_fn(|| f.next_reply()));
    f.push(&input[at..]);
    out.extend(std::iter::from_fn(|| f.next_reply()));
    out
}

const TRANSCRIPT: &[u8] = b"250-version=0.4.9.11\r\n\
250+config-text=\r\n\
ControlPort 9051\r\n\
..leading dot line\r\n\
.\r\n\
650 BW 10 20\r\n\
250 OK\r\n\
650+NS\r\n\
r relay AAAAAAAAAAAAAAAAAAAAAAAAAAA BBBBBBBBBBBBBBBBBBBBBBBBBBB 2026-11-21 00:00:00 127.0.0.1 5000 0\r\n\
s Fast Running\r\n\
.\r\n\
650 OK\r\n\
552 Unrecognized key \"x\"\r\n";

#[test]
fn frames_mid_data_end_and_interleaved_events() {
    let replies: Vec<Reply> = frame_all(TRANSCRIPT)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(replies.len(), 4);
    // The event that arrived between the lines of the GETINFO reply comes first.
    assert_eq!(replies[0].status, 650);
    assert_eq!(replies[0].lines[0].text, "BW 10 20");
    let getinfo = &replies[1];
    assert_eq!(getinfo.status, 250);
    assert_eq!(getinfo.lines.len(), 3);
    assert_eq!(getinfo.lines[1].kind, LineKind::Data);
    assert_eq!(
        getinfo.lines[1].data.as_deref(),
        Some("ControlPort 9051\n.leading dot line")
    );
    let kv: Vec<_> = getinfo.key_values().collect();
    assert_eq!(
        kv,
        [
            ("version", "0.4.9.11"),
            ("config-text", "ControlPort 9051\n.leading dot line")
        ]
    );
    assert!(replies[2].is_async());
    assert!(replies[2].lines[0]
        .data
        .as_deref()
        .unwrap()
        .starts_with("r relay"));
    assert_eq!(replies[3].status, 552);
    assert!(!replies[3].is_ok());
    assert_eq!(replies[3].message(), "Unrecognized key \"x\"");
}

#[test]
fn every_split_point_frames_the_same() {
    let whole = frame_all(TRANSCRIPT);
    for at in 0..=TRANSCRIPT.len() {
        assert_eq!(frame_split(TRANSCRIPT, at), whole, "split at {at}");
    }
}

#[test]
fn byte_at_a_time_frames_the_same() {
    let whole = frame_all(TRANSCRIPT);
    let mut f = ReplyFramer::new();
    let mut out = Vec::new();
    for b in TRANSCRIPT {
        f.push(std::slice::from_ref(b));
        out.extend(std::iter::from_fn(|| f.next_reply()));
    }
    assert_eq!(out, whole);
}

#[test]
fn bare_lf_is_accepted() {
    let r = frame_all(b"250-a=1\n250 OK\n");
    let r = r[0].as_ref().unwrap();
    assert_eq!(r.lines.len(), 2);
    assert_eq!(r.lines[0].text, "a=1");
}

#[test]
fn event_between_mid_lines_is_framed_apart() {
    let r = frame_all(b"250-a=1\r\n650 BW 1 2\r\n250-b=2\r\n250 OK\r\n");
    let r: Vec<Reply> = r.into_iter().map(Result::unwrap).collect();
    assert_eq!(r[0].lines[0].text, "BW 1 2");
    assert_eq!(
        r[1].key_values().collect::<Vec<_>>(),
        [("a", "1"), ("b", "2")]
    );
}

#[test]
fn garbage_is_an_error_and_framing_resumes() {
    let r = frame_all(b"hello there\r\n25\r\n2x0 nope\r\n250?bad\r\n250 OK\r\n");
    assert_eq!(r.len(), 5);
    for e in &r[..4] {
        assert!(matches!(e, Err(FrameError::Malformed(_))), "{e:?}");
    }
    assert_eq!(r[4].as_ref().unwrap().message(), "OK");
    let msg = r[0].as_ref().unwrap_err().to_string();
    assert!(msg.contains("hello there"), "{msg}");
}

#[test]
fn status_only_line_and_invalid_utf8() {
    let r = frame_all(b"250\r\n650 NOTICE caf\xe9\r\n");
    assert_eq!(r[0].as_ref().unwrap().message(), "");
    assert_eq!(r[1].as_ref().unwrap().lines[0].text, "NOTICE caf\u{fffd}");
}

#[test]
fn very_long_lines_within_limit_and_beyond() {
    let long = "x".repeat(200_000);
    let input = format!("650 NOTICE {long}\r\n250 OK\r\n");
    let r = frame_all(input.as_bytes());
    assert_eq!(r[0].as_ref().unwrap().lines[0].text.len(), 200_007);

    let mut f = ReplyFramer::with_limits(1000, 10_000);
    f.push(format!("650 NOTICE {long}").as_bytes());
    assert!(matches!(
        f.next_reply(),
        Some(Err(FrameError::LineTooLong { limit: 1000 }))
    ));
    assert!(f.next_reply().is_none());
    assert!(
        f.buffered() == 0,
        "the over-long line is not kept in memory"
    );
    f.push(b"more of it\r\n250 OK\r\n");
    assert_eq!(f.next_reply().unwrap().unwrap().message(), "OK");
    assert!(f.next_reply().is_none());
}

#[test]
fn oversized_data_block_is_discarded_whole() {
    let mut f = ReplyFramer::with_limits(1000, 100);
    let mut input = b"250+big=\r\n".to_vec();
    for _ in 0..20 {
        input.extend_from_slice(b"0123456789\r\n");
    }
    input.extend_from_slice(b".\r\n250 OK\r\n250 OK\r\n");
    f.push(&input);
    assert!(matches!(
        f.next_reply(),
        Some(Err(FrameError::ReplyTooLong { limit: 100 }))
    ));
    // The rest of the big reply is swallowed; the next reply is intact.
    assert_eq!(f.next_reply().unwrap().unwrap().lines.len(), 1);
    assert!(f.next_reply().is_none());
}

#[test]
fn data_line_terminator_only_on_exact_dot() {
    let r = frame_all(b"250+k=\r\n.x\r\n. \r\n..\r\n.\r\n250 OK\r\n");
    assert_eq!(
        r[0].as_ref().unwrap().lines[0].data.as_deref(),
        Some("x\n \n.")
    );
}

#[test]
fn empty_data_block() {
    let r = frame_all(b"250+k=\r\n.\r\n250 OK\r\n");
    assert_eq!(r[0].as_ref().unwrap().lines[0].data.as_deref(), Some(""));
}
