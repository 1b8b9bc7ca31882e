use super::*;
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
        batch,
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
        batch[0],
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
