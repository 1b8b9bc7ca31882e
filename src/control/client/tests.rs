use super::*;
use crate::control::event::Event;
use tokio::io::{AsyncBufReadExt, BufReader};

/// A scripted tor: for each command line received, writes the given bytes.
fn scripted(script: Vec<(&'static str, &'static str)>) -> (Client, EventReceiver) {
    let (ours, theirs) = tokio::io::duplex(4096);
    tokio::spawn(async move {
        let (r, mut w) = tokio::io::split(theirs);
        let mut lines = BufReader::new(r).lines();
        for (expect, answer) in script {
            let Ok(Some(line)) = lines.next_line().await else {
                return;
            };
            assert_eq!(line, expect);
            if !answer.is_empty() {
                w.write_all(answer.as_bytes()).await.unwrap();
            }
        }
        // Keep the stream open until the client side goes.
        while let Ok(Some(_)) = lines.next_line().await {}
    });
    Client::new(ours)
}

#[tokio::test]
async fn replies_match_pipelined_commands_and_events_go_apart() {
    let (client, mut events) = scripted(vec![
        ("GETINFO version", ""),
        // Both replies come after the second command, with an event between.
        (
            "GETINFO uptime",
            "250-version=0.4.9.11\r\n250 OK\r\n650 BW 5 6\r\n250-uptime=42\r\n250 OK\r\n",
        ),
    ]);
    let (a, b) = tokio::join!(client.getinfo("version"), async {
        tokio::task::yield_now().await;
        client.getinfo("uptime").await
    });
    assert_eq!(a.unwrap(), "0.4.9.11");
    assert_eq!(b.unwrap(), "42");
    let batch = events.recv().await.unwrap();
    assert_eq!(
        batch.at, None,
        "a live tor's events are stamped when applied"
    );
    assert_eq!(
        batch.items,
        [Incoming::Event(Event::Bandwidth {
            read: 5,
            written: 6
        })]
    );
}

#[tokio::test]
async fn rejected_command_is_an_error_naming_it() {
    let (client, _ev) = scripted(vec![("GETINFO nope", "552 Unrecognized key \"nope\"\r\n")]);
    let err = client.getinfo("nope").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "tor refused `GETINFO`: 552 Unrecognized key \"nope\""
    );
}

#[tokio::test]
async fn a_silent_tor_is_a_timeout_not_a_hang() {
    let (client, _ev) = scripted(vec![("GETINFO version", "")]);
    let client = client.with_timeout(Duration::from_millis(50));
    let err = client.command("GETINFO version").await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout { .. }), "{err}");
}

#[tokio::test]
async fn a_late_reply_does_not_shift_later_ones() {
    let (ours, theirs) = tokio::io::duplex(4096);
    let (client, _ev) = Client::new(ours);
    let client = client.with_timeout(Duration::from_millis(30));
    let (r, mut w) = tokio::io::split(theirs);
    let mut lines = BufReader::new(r).lines();
    assert!(client.command("GETINFO a").await.is_err());
    assert_eq!(lines.next_line().await.unwrap().unwrap(), "GETINFO a");
    let client2 = client.clone().with_timeout(Duration::from_secs(5));
    let second = tokio::spawn(async move { client2.getinfo("b").await });
    assert_eq!(lines.next_line().await.unwrap().unwrap(), "GETINFO b");
    w.write_all(b"250-a=late\r\n250 OK\r\n250-b=right\r\n250 OK\r\n")
        .await
        .unwrap();
    assert_eq!(second.await.unwrap().unwrap(), "right");
}

#[tokio::test]
async fn closing_fails_waiters_and_ends_events() {
    let (ours, theirs) = tokio::io::duplex(4096);
    let (client, mut events) = Client::new(ours);
    let waiting = tokio::spawn({
        let c = client.clone();
        async move { c.command("GETINFO version").await }
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    drop(theirs);
    assert_eq!(waiting.await.unwrap().unwrap_err(), ClientError::Closed);
    assert!(events.recv().await.is_none());
    assert!(client.is_closed());
    assert_eq!(
        client.command("GETINFO x").await.unwrap_err(),
        ClientError::Closed
    );
}

#[tokio::test]
async fn malformed_input_is_reported_and_the_connection_goes_on() {
    let (client, mut events) = scripted(vec![(
        "GETINFO version",
        "garbage line\r\n250-version=1\r\n250 OK\r\n",
    )]);
    assert_eq!(client.getinfo("version").await.unwrap(), "1");
    let batch = events.recv().await.unwrap();
    assert!(matches!(
        batch.items[0],
        Incoming::Malformed(FrameError::Malformed(_))
    ));
}

#[test]
fn command_lines_cannot_smuggle_a_second_command() {
    assert_eq!(
        to_wire("GETINFO x\r\nSIGNAL HALT"),
        Err(ClientError::BadCommand)
    );
    assert_eq!(to_wire("GETINFO x\n").unwrap(), "GETINFO x\r\n");
    assert!(to_wire("+LOADCONF\r\nLog notice stdout\r\n.\r\n").is_ok());
    assert_eq!(to_wire("+LOADCONF\r\nx"), Err(ClientError::BadCommand));
}

/// Log lines gathered into runs are the events the reply-by-reply path
/// gives, in the same order, whatever else is interleaved: other events,
/// a reply to a command, multi-line and data-block log events (not runs),
/// names that only look like runlevels, invalid UTF-8, framing errors.
#[test]
fn log_runs_are_the_events_framed_one_by_one() {
    let input: &[u8] = b"650 DEBUG first line\r\n\
        650 INFO second\r\n\
        650 BW 1 2\r\n\
        650 NOTICE bad \xff byte\r\n\
        650 WARNING not a runlevel\r\n\
        650 DEBUG\r\n\
        650 ERR \r\n\
        250-version=1\r\n\
        650 WARN between a reply's lines\r\n\
        250 OK\r\n\
        650-NOTICE a multi-line\r\n\
        650 OK\r\n\
        650+INFO\r\n\
        a data block\r\n\
        .\r\n\
        650 OK\r\n\
        garbage\r\n\
        650 DEBUG last\r\n";
    let lines = |items: &[Incoming]| -> Vec<String> {
        items
            .iter()
            .flat_map(|i| match i {
                Incoming::Malformed(e) => vec![format!("malformed: {e}")],
                other => other.lines(),
            })
            .collect()
    };
    // Each split of the input into two reads gives the same.
    let mut expected = Vec::new();
    let mut framer = ReplyFramer::new();
    framer.push(input);
    let mut replies = 0;
    while let Some(r) = framer.next_reply() {
        match r {
            Ok(r) if r.is_async() => expected.push(Incoming::Event(Event::from_reply(r))),
            Ok(_) => replies += 1,
            Err(e) => expected.push(Incoming::Malformed(e)),
        }
    }
    assert_eq!(replies, 1);
    let expected = lines(&expected);
    assert_eq!(expected.len(), 12, "{expected:#?}");
    for cut in [0, 1, 5, 30, 100, 200, input.len() - 3] {
        let mut framer = ReplyFramer::new();
        let mut items = Vec::new();
        let mut replies = Vec::new();
        let mut n = 0;
        for part in [&input[..cut], &input[cut..]] {
            framer.push(part);
            n += take_events(&mut framer, &mut items, |r| {
                replies.push(r);
                None
            });
        }
        assert_eq!(lines(&items), expected, "cut at {cut}");
        assert_eq!(n, 11, "events counted, cut at {cut}");
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0].lines[0].text, "version=1");
        // The first two log lines are one run, across reads too.
        assert!(matches!(&items[0], Incoming::Logs(run) if run.len() == 2));
    }
}
