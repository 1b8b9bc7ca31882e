//! `rnyx demo`: a private tor network on this machine, steady traffic
//! through it, and the monitor attached to its exit relay. The network lives
//! in a network namespace of its own holding only loopback; everything is
//! torn down when the monitor quits.

use crate::config::Config;
use crate::launch::{which, NetworkSpec, PrivateNetwork};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

/// Port of the demo's byte server inside the namespace.
pub const SERVER_PORT: u16 = 8080;
/// The relay every demo circuit exits through, and the one monitored.
pub const EXIT_RELAY: &str = "relay0";

/// Runs the demo until the operator quits.
pub async fn run(config: &Config) -> Result<(), String> {
    for tool in ["tor", "tor-gencert", "unshare", "nsenter", "ip"] {
        if which(tool).is_err() {
            return Err(format!(
                "the demo needs `{tool}`, which is not installed (Debian: apt-get install tor iproute2 util-linux)"
            ));
        }
    }
    let dir = tempfile::Builder::new()
        .prefix("rnyx-demo-")
        .tempdir()
        .map_err(|e| format!("cannot create a directory for the demo: {e}"))?;
    eprintln!("rnyx demo: starting a private tor network (3 authorities, 2 relays, 1 client) in a loopback-only network namespace…");
    let spec = NetworkSpec {
        exit_node: Some(EXIT_RELAY.to_owned()),
        ..NetworkSpec::default()
    };
    let net_dir = dir.path().join("net");
    let net = tokio::task::spawn_blocking(move || PrivateNetwork::start(&net_dir, &spec))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find rnyx's own binary: {e}"))?;
    let traffic =
        Traffic::start(&net, &exe).map_err(|e| format!("cannot start the demo traffic: {e}"))?;
    let relay = net
        .tors
        .iter()
        .find(|t| t.name == EXIT_RELAY)
        .ok_or("the demo network has no exit relay")?;
    eprintln!("rnyx demo: attaching to {EXIT_RELAY}; the network bootstraps in about a minute, then traffic flows.");
    // The demo's network is new each time: nothing to keep for it.
    let config = Config {
        keep_history: false,
        ..config.clone()
    };
    let result = crate::monitor::run(vec![relay.target()], None, None, None, &config).await;
    drop(traffic);
    drop(net);
    result
}

/// The demo's traffic: a byte server and fetchers inside the namespace,
/// fetching through the client's SocksPort. Killed on drop; they also exit
/// by themselves within a second of this process going away.
pub struct Traffic {
    children: Vec<Child>,
}

impl Traffic {
    /// `rnyx` is the path of the rnyx binary, whose hidden `demo-serve` and
    /// `demo-fetch` commands run inside the namespace.
    pub fn start(net: &PrivateNetwork, rnyx: &Path) -> std::io::Result<Traffic> {
        let exe = rnyx.to_string_lossy();
        let parent = std::process::id().to_string();
        let socks = net.client().socks_port.unwrap_or(9000).to_string();
        let port = SERVER_PORT.to_string();
        let mut children = Vec::new();
        let quiet = |c: &mut std::process::Command| {
            c.stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
        };
        let mut server = net.command_in_namespace(&exe);
        server.args(["demo-serve", "--port", &port, "--parent", &parent]);
        quiet(&mut server);
        children.push(server.spawn()?);
        for _ in 0..2 {
            let mut fetch = net.command_in_namespace(&exe);
            fetch.args([
                "demo-fetch",
                "--socks",
                &socks,
                "--port",
                &port,
                "--parent",
                &parent,
            ]);
            quiet(&mut fetch);
            children.push(fetch.spawn()?);
        }
        Ok(Traffic { children })
    }
}

impl Drop for Traffic {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Exits this helper once `parent` is gone.
fn watch_parent(parent: u32) {
    std::thread::spawn(move || loop {
        if !Path::new(&format!("/proc/{parent}")).exists() {
            std::process::exit(0);
        }
        std::thread::sleep(Duration::from_secs(1));
    });
}

/// Serves every connection a steady stream of bytes (about 640 KB/s each,
/// or as fast as it is read when `unthrottled`).
pub fn serve(port: u16, parent: u32, unthrottled: bool) -> std::io::Result<()> {
    watch_parent(parent);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
    for conn in listener.incoming() {
        let Ok(mut conn) = conn else { continue };
        std::thread::spawn(move || {
            let chunk = vec![b'x'; 32 * 1024];
            while conn.write_all(&chunk).is_ok() {
                if !unthrottled {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        });
    }
    Ok(())
}

/// Repeatedly downloads 4 MiB from the byte server through tor's SocksPort,
/// retrying while tor bootstraps; with `once`, downloads that many bytes and
/// returns (an error if fewer arrived).
pub fn fetch(socks: u16, port: u16, parent: u32, once: Option<usize>) -> std::io::Result<()> {
    watch_parent(parent);
    if let Some(bytes) = once {
        let got = socks5_download(socks, port, bytes)?;
        if got < bytes {
            return Err(std::io::Error::other(format!(
                "the download ended after {got} of {bytes} bytes"
            )));
        }
        return Ok(());
    }
    loop {
        if socks5_download(socks, port, 4 << 20).is_err() {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

/// One SOCKS5 CONNECT to 127.0.0.1:`port` via tor, reading `bytes`.
pub fn socks5_download(socks: u16, port: u16, bytes: usize) -> std::io::Result<usize> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, socks))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    s.write_all(&[5, 1, 0])?;
    let mut reply = [0u8; 2];
    s.read_exact(&mut reply)?;
    if reply != [5, 0] {
        return Err(std::io::Error::other("SOCKS server refused no-auth"));
    }
    let [hi, lo] = port.to_be_bytes();
    s.write_all(&[5, 1, 0, 1, 127, 0, 0, 1, hi, lo])?;
    let mut reply = [0u8; 10];
    s.read_exact(&mut reply)?;
    if reply[1] != 0 {
        return Err(std::io::Error::other(format!(
            "SOCKS connect failed: {}",
            reply[1]
        )));
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = 0;
    while got < bytes {
        let n = s.read(&mut buf)?;
        if n == 0 {
            break;
        }
        got += n;
    }
    Ok(got)
}
