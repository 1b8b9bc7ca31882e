//! Records control-port transcripts for the rendering snapshot tests: starts
//! the demo's private network with traffic, waits until the exit relay has
//! flags and carries traffic, then records, for the exit relay and the
//! client, every command rnyx sends while gathering its facts with tor's
//! replies, and then 8 seconds of events, each line with the milliseconds
//! since the first (`@1013 650 BW 5120 2048`), so that the tests apply
//! them at their times.
//!
//! cargo run --example record_transcript -- tests/transcripts

use rnyx::control::{target, Client};
use rnyx::controller::facts;
use rnyx::demo::{Traffic, EXIT_RELAY};
use rnyx::launch::{NetworkSpec, PrivateNetwork};
use rnyx::record::{Sink, Tap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A copy of everything read and written; what is read, with when.
#[derive(Default)]
struct Copies {
    read: Arc<Mutex<Vec<u8>>>,
    /// Where in `read` each read began, and when (unix ms).
    reads: Arc<Mutex<Vec<(usize, u64)>>>,
    written: Arc<Mutex<Vec<u8>>>,
}

impl Sink for Copies {
    fn read(&self, bytes: &[u8]) {
        let mut read = self.read.lock().unwrap();
        self.reads
            .lock()
            .unwrap()
            .push((read.len(), rnyx::host::system_ms()));
        read.extend_from_slice(bytes);
    }

    fn written(&self, bytes: &[u8]) {
        self.written.lock().unwrap().extend_from_slice(bytes);
    }
}

async fn record(target: &rnyx::control::Target, out: &std::path::Path) {
    let conn = rnyx::control::connect(std::slice::from_ref(target), None)
        .await
        .unwrap();
    drop(conn);
    let stream = target::open(target).await.unwrap();
    let copies = Copies::default();
    let (read, reads, written) = (
        copies.read.clone(),
        copies.reads.clone(),
        copies.written.clone(),
    );
    let (client, _events) = Client::new(Tap {
        inner: stream,
        sink: copies,
    });
    rnyx::control::auth::authenticate(&client, None)
        .await
        .unwrap();
    read.lock().unwrap().clear();
    written.lock().unwrap().clear();
    facts::gather(&client, rnyx::host::system_ms() / 1000, true)
        .await
        .unwrap();
    let commands = String::from_utf8(written.lock().unwrap().clone()).unwrap();
    let replies = String::from_utf8_lossy(&read.lock().unwrap()).into_owned();
    read.lock().unwrap().clear();
    reads.lock().unwrap().clear();
    client
        .command_ok("SETEVENTS BW CIRC ORCONN NOTICE WARN")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(8)).await;
    let events = String::from_utf8_lossy(&read.lock().unwrap()).into_owned();
    let reads = reads.lock().unwrap().clone();

    // Pair commands with replies: replies come in command order.
    let mut framer = rnyx::control::ReplyFramer::new();
    framer.push(replies.as_bytes());
    let mut text =
        String::from("# Recorded from a private tor network by examples/record_transcript.rs.\n");
    let mut cmds = commands.lines();
    while let Some(r) = framer.next_reply() {
        let r = r.unwrap();
        if r.is_async() {
            continue;
        }
        writeln!(text, "> {}", cmds.next().unwrap()).unwrap();
        for l in &r.lines {
            let sep = match l.kind {
                rnyx::control::LineKind::Mid => '-',
                rnyx::control::LineKind::Data => '+',
                rnyx::control::LineKind::End => ' ',
            };
            writeln!(text, "{}{sep}{}", l.status, l.text).unwrap();
            if let Some(d) = &l.data {
                for dl in d.lines() {
                    if dl.starts_with('.') {
                        text.push('.');
                    }
                    text.push_str(dl);
                    text.push('\n');
                }
                text.push_str(".\n");
            }
        }
    }
    text.push_str("## events\n");
    // Each line at the time of the read it began in, from the first.
    let first = reads.first().map_or(0, |r| r.1);
    let mut at = 0;
    for l in events.split_inclusive('\n') {
        let when = reads
            .iter()
            .rev()
            .find(|(start, _)| *start <= at)
            .map_or(first, |r| r.1);
        at += l.len();
        let l = l.trim_end_matches(['\r', '\n']);
        if l.starts_with("250 OK") {
            continue;
        }
        writeln!(text, "@{} {l}", when - first).unwrap();
    }
    std::fs::write(out, text).unwrap();
    eprintln!("wrote {}", out.display());
}

#[tokio::main]
async fn main() {
    let out_dir = std::path::PathBuf::from(std::env::args().nth(1).expect("output directory"));
    let dir = tempfile::tempdir().unwrap();
    let spec = NetworkSpec {
        exit_node: Some(EXIT_RELAY.into()),
        ..NetworkSpec::default()
    };
    let net = PrivateNetwork::start(&dir.path().join("net"), &spec).unwrap();
    // target/<profile>/examples/record_transcript → target/<profile>/rnyx
    let rnyx = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("rnyx");
    assert!(rnyx.is_file(), "build rnyx first: cargo build");
    let _traffic = Traffic::start(&net, &rnyx).unwrap();
    net.wait_bootstrapped(Duration::from_secs(180)).unwrap();
    eprintln!("bootstrapped");
    let relay = net.tors.iter().find(|t| t.name == EXIT_RELAY).unwrap();
    // Wait for flags and traffic.
    loop {
        let task =
            rnyx::settings::task_of(&rnyx::config::Config::default(), vec![relay.target()], None);
        let json = rnyx::dump::dump(task, (rnyx::dump::Scrub::default(), None))
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        // bw-event-cache is filled only while a controller listens for BW,
        // so judge by the totals.
        let flowing = v["traffic_read"].as_u64().unwrap() > 20 << 20;
        eprintln!("flags {} traffic flowing {flowing}", v["flags"]);
        if !v["flags"].as_array().unwrap().is_empty() && flowing {
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    record(&relay.target(), &out_dir.join("exit_relay.txt")).await;
    record(&net.client().target(), &out_dir.join("client.txt")).await;
}
