//! How soon rnyx is back after tor restarts: a DisableNetwork tor with a
//! control socket and a control port, one controller on each with a
//! backoff of an hour (so only the socket and port watch can bring them
//! back), tor killed and started again several rounds; for each, how long
//! after tor first answered PROTOCOLINFO on the socket and on the port the
//! controller was connected. Not criterion: a real tor restarts in about
//! half a second, and a few rounds say enough. Prints a line a round and
//! the median.
//!
//! cargo bench --bench reconnect

use rnyx::control::Target;
use rnyx::controller::{spawn, ControllerConfig, ControllerHandle};
use rnyx::launch::{ControlKind, SingleTor, SingleTorOptions};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

const ROUNDS: usize = 7;

fn answers(mut stream: impl Read + Write) -> bool {
    let mut buf = [0u8; 64];
    stream.write_all(b"PROTOCOLINFO 1\r\n").is_ok()
        && stream
            .read(&mut buf)
            .is_ok_and(|n| buf[..n].starts_with(b"250-PROTOCOLINFO"))
}

/// The instant tor first answers on `target`, looked at every 2 ms from a
/// thread started while tor is down (its old socket, if left, refuses).
fn first_answer(target: Target) -> std::thread::JoinHandle<Instant> {
    let timeout = Some(Duration::from_millis(500));
    std::thread::spawn(move || loop {
        let answered = match &target {
            Target::Unix(p) => std::os::unix::net::UnixStream::connect(p)
                .is_ok_and(|s| s.set_read_timeout(timeout).is_ok() && answers(s)),
            Target::Tcp(a) => std::net::TcpStream::connect(a)
                .is_ok_and(|s| s.set_read_timeout(timeout).is_ok() && answers(s)),
        };
        if answered {
            return Instant::now();
        }
        std::thread::sleep(Duration::from_millis(2));
    })
}

async fn connected(handle: &ControllerHandle, n: u64) -> Instant {
    loop {
        if handle
            .state
            .read(|s| s.session.connection.connected && s.session.connection.connections == n)
        {
            return Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let dir = tempfile::Builder::new()
        .prefix("rnyx-bench-")
        .tempdir()
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut tor = SingleTor::start(
        &dir.path().join("tor"),
        SingleTorOptions {
            control: ControlKind::Socket,
            extra: vec![("ControlPort".into(), format!("127.0.0.1:{port}"))],
            ..SingleTorOptions::default()
        },
    )
    .unwrap();
    let hour = Duration::from_secs(3600);
    let watched = |target: Target| {
        spawn(ControllerConfig {
            targets: vec![target],
            history_dir: None,
            reconnect_initial: hour,
            reconnect_max: hour,
            ..rnyx::settings::task_of(&rnyx::config::Config::default(), vec![], None)
        })
    };
    let tcp_target = Target::Tcp(([127, 0, 0, 1], port).into());
    let socket = watched(tor.socket_target());
    let tcp = watched(tcp_target.clone());
    connected(&socket, 1).await;
    connected(&tcp, 1).await;
    let (mut by_socket, mut by_port) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        tor.kill();
        for h in [&socket, &tcp] {
            while h
                .state
                .read(|s| s.session.connection.connected || s.session.connection.failure.is_none())
            {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        // Past the first attempt after the kill: each waits out its hour.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let on_socket = first_answer(tor.socket_target());
        let on_port = first_answer(tcp_target.clone());
        let restarted = tokio::task::spawn_blocking(move || {
            tor.restart().unwrap();
            tor
        });
        let n = u64::try_from(round).unwrap() + 1;
        let (s_back, t_back) = tokio::join!(connected(&socket, n), connected(&tcp, n));
        tor = restarted.await.unwrap();
        let lag = |back: Instant, first: Instant| {
            back.saturating_duration_since(first).as_secs_f64() * 1000.0
        };
        let s = lag(s_back, on_socket.join().unwrap());
        let t = lag(t_back, on_port.join().unwrap());
        println!(
            "round {round}: back {s:.1} ms after tor answered on its socket, {t:.1} ms on its port"
        );
        by_socket.push(s);
        by_port.push(t);
    }
    println!(
        "median of {ROUNDS}: {:.1} ms (socket), {:.1} ms (port)",
        median(by_socket),
        median(by_port)
    );
}
