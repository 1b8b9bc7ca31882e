//! `rnyx demo`: a private tor network on this machine, steady traffic
//! through it, and the monitor attached to its exit relay. The network lives
//! in a network namespace of its own holding only loopback; everything is
//! torn down when the monitor quits.

use crate::config::Config;
use crate::launch::{which, NetworkSpec, PrivateNetwork};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

/// Port of the demo's byte server inside the namespace.
pub const SERVER_PORT: u16 = 8080;
/// The relay every demo circuit exits through, and the one monitored.
pub const EXIT_RELAY: &str = "relay0";

/// The recording played when the live demo cannot run: the demo network's
/// exit relay under load, made by `scripts/record-demo.sh`.
pub const RECORDING: &[u8] = include_bytes!("../assets/demo.rnyx.gz");

/// Why the live demo cannot run here, if it cannot: a tool missing, or
/// unprivileged network namespaces refused.
pub fn unavailable() -> Option<String> {
    for tool in ["tor", "tor-gencert", "unshare", "nsenter", "ip"] {
        if which(tool).is_err() {
            return Some(format!(
                "`{tool}` is not installed (Debian: apt-get install tor iproute2 util-linux)"
            ));
        }
    }
    let refused = |why: String| {
        Some(format!(
            "this system refuses unprivileged network namespaces ({why})"
        ))
    };
    match std::process::Command::new("unshare")
        .args(["-rn", "true"])
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) if out.status.success() => None,
        Ok(out) => refused(
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .unwrap_or("unshare -rn failed")
                .trim()
                .to_owned(),
        ),
        Err(e) => refused(format!("unshare: {e}")),
    }
}

/// The demo's first word in the log: what in a private test network's log
/// looks alarming and is not.
pub const NORMAL_WARNINGS: &str = "demo: a private test network's tors warn of things that are \
     normal here; the log marks those `expected`, with why; a relay of your own says none of them";

/// What a healthy private test network's tors warn of, and why each is
/// nothing to fix there: the words that tell it, then why.
pub const EXPECTED_WARNINGS: &[(&str, &str)] = &[
    (
        "You are running Tor as root",
        "the demo's tors run as the user who started rnyx",
    ),
    ("TestingTorNetwork is set", "this is a test network"),
    (
        "to specify alternate directory authorities",
        "the test network has its own authorities",
    ),
    (
        "you disabled SafeLogging",
        "every address here is on loopback",
    ),
    (
        "Received http status code 404",
        "the authorities have no consensus until they vote, in the network's first minute",
    ),
    (
        "Client asked me to extend back to the previous hop",
        "with two relays a client's path can name the same relay twice",
    ),
    (
        "connection_edge_process_relay_cell (away from origin) failed",
        "that circuit closing, after the line above",
    ),
    (
        "matches the configured _HSLayer2Nodes set",
        "two relays are too few for an onion service's path",
    ),
    (
        "due to an invalid selected path",
        "two relays are too few for the paths tor wants",
    ),
];

/// How long the demo's network may take to answer before "starting"
/// becomes "disconnected".
const STARTING_WITHIN: Duration = Duration::from_secs(120);

/// Runs the demo until the operator quits: live when tor and a network
/// namespace are there, else the shipped recording, saying why (on stderr
/// before the screen, and on it: the header and the log's first line).
pub async fn run(config: &Config) -> Result<(), String> {
    let mut notices = config.notices.clone();
    notices.push(NORMAL_WARNINGS.to_owned());
    let config = Config {
        keep_history: false,
        notices,
        expected_warnings: EXPECTED_WARNINGS
            .iter()
            .map(|(words, why)| rnyx_panels::log::Expected {
                words: (*words).to_owned(),
                why: (*why).to_owned(),
            })
            .collect(),
        ..config.clone()
    };
    if let Some(why) = unavailable() {
        let short = if why.contains("is not installed") {
            why.split(" (").next().unwrap_or(&why).to_owned()
        } else {
            "network namespaces refused".to_owned()
        };
        return play_recording(&config, &why, &short).await;
    }
    let dir = tempfile::Builder::new()
        .prefix("rnyx-demo-")
        .tempdir()
        .map_err(|e| format!("cannot create a directory for the demo: {e}"))?;
    eprintln!("rnyx demo: starting a private tor network (3 authorities, 2 relays, 1 client) in a loopback-only network namespace…");
    let (net, traffic) = match start_network(dir.path()).await {
        Ok(started) => started,
        Err(e) => {
            let why = format!("the private network did not start ({e})");
            return play_recording(&config, &why, "the network did not start").await;
        }
    };
    let starting = crate::controller::Starting {
        within: STARTING_WITHIN,
        progress: std::sync::Arc::new(progress(&net)),
    };
    let exit = exit_relay(&net)?;
    let mut task = crate::settings::task_of(&config, vec![exit], None);
    task.metrics_port = traffic.metrics_port();
    let result = crate::monitor::run(task, None, &config, Some(starting)).await;
    drop(traffic);
    drop(net);
    result
}

/// `starting a private tor network (5 of 6 tors up)`: the tors whose
/// control sockets answer, until the exit relay does.
fn progress(net: &PrivateNetwork) -> impl Fn() -> String + Send + Sync + 'static {
    let sockets: Vec<std::path::PathBuf> = net
        .tors
        .iter()
        .map(crate::launch::network::NetTor::control_socket)
        .collect();
    move || {
        let up = sockets
            .iter()
            .filter(|s| std::os::unix::net::UnixStream::connect(s).is_ok())
            .count();
        format!(
            "starting a private tor network ({up} of {} tors up), waiting for {EXIT_RELAY}",
            sockets.len()
        )
    }
}

/// The shipped recording, in the monitor, saying why it plays: `why` on
/// stderr and as the log's first line, `short` in the header.
async fn play_recording(config: &Config, why: &str, short: &str) -> Result<(), String> {
    let said = format!("demo: {why}; playing the recording shipped with rnyx instead");
    eprintln!("rnyx {said}");
    let mut config = config.clone();
    // Last: the newest entry, at the top of the log.
    config.notices.push(said);
    let recording = crate::record::read_from("the demo recording", RECORDING)?;
    let player = crate::replay::Player::new(&format!("demo ({short})"), recording, 1.0);
    crate::monitor::replay(player, &config).await
}

/// The private network with traffic flowing through its exit relay.
async fn start_network(dir: &Path) -> Result<(PrivateNetwork, Traffic), String> {
    let spec = NetworkSpec {
        exit_node: Some(EXIT_RELAY.to_owned()),
        ..NetworkSpec::default()
    };
    let net_dir = dir.join("net");
    let net = tokio::task::spawn_blocking(move || PrivateNetwork::start(&net_dir, &spec))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find rnyx's own binary: {e}"))?;
    let traffic =
        Traffic::start(&net, &exe).map_err(|e| format!("cannot start the demo traffic: {e}"))?;
    Ok((net, traffic))
}

fn exit_relay(net: &PrivateNetwork) -> Result<crate::control::Target, String> {
    net.tors
        .iter()
        .find(|t| t.name == EXIT_RELAY)
        .map(crate::launch::network::NetTor::target)
        .ok_or_else(|| "the demo network has no exit relay".to_owned())
}

/// `rnyx demo-record FILE`: the demo network's exit relay recorded for
/// `seconds` once traffic flows through it (no screen), at most `max_bytes`.
pub async fn record(file: &Path, seconds: u64, max_bytes: u64) -> Result<(), String> {
    if let Some(why) = unavailable() {
        return Err(format!("cannot record the demo: {why}"));
    }
    let dir = tempfile::Builder::new()
        .prefix("rnyx-demo-")
        .tempdir()
        .map_err(|e| format!("cannot create a directory for the demo: {e}"))?;
    let (net, traffic) = start_network(dir.path()).await?;
    let target = exit_relay(&net)?;
    eprintln!("rnyx demo-record: waiting for traffic through {EXIT_RELAY}…");
    let flowing = std::time::Instant::now();
    loop {
        if let Ok(conn) = crate::control::connect(std::slice::from_ref(&target), None).await {
            let read: u64 = conn
                .client
                .getinfo("traffic/read")
                .await
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if read > 8 << 20 {
                break;
            }
        }
        if flowing.elapsed() > Duration::from_secs(300) {
            return Err("no traffic through the exit relay after 5 minutes".into());
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let recorder = crate::record::Recorder::create(file, max_bytes)?;
    eprintln!(
        "rnyx demo-record: recording {seconds} s to {}",
        file.display()
    );
    let handle = crate::controller::spawn(crate::controller::ControllerConfig {
        history_dir: None,
        metrics_port: traffic.metrics_port(),
        ..crate::settings::recorded(
            crate::settings::task_of(&Config::default(), vec![target], None),
            &recorder,
        )
    });
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    drop(handle);
    recorder.close();
    drop(traffic);
    drop(net);
    Ok(())
}

/// The demo's traffic: a byte server and fetchers inside the namespace,
/// fetching through the client's SocksPort. Killed on drop; they also exit
/// by themselves within a second of this process going away.
pub struct Traffic {
    children: Vec<Child>,
    /// The exit relay's MetricsPort, reached from outside the namespace.
    metrics: Option<MetricsForward>,
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
        let metrics = MetricsForward::start(net, EXIT_RELAY, rnyx).ok();
        Ok(Traffic { children, metrics })
    }

    /// Where the monitor reads the exit relay's MetricsPort (nyxrc's
    /// `metrics_port`): its forward out of the namespace.
    pub fn metrics_port(&self) -> Option<String> {
        self.metrics
            .as_ref()
            .map(|m| format!("unix:{}", m.path.display()))
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

/// Listens on the unix socket `unix` and carries each connection to
/// `port` on this namespace's loopback, both ways.
pub fn forward(unix: &Path, port: u16, parent: u32) -> std::io::Result<()> {
    watch_parent(parent);
    let _ = std::fs::remove_file(unix);
    let listener = std::os::unix::net::UnixListener::bind(unix)?;
    for conn in listener.incoming() {
        let Ok(outside) = conn else { continue };
        let Ok(inside) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
            continue;
        };
        let (mut a, mut b) = (outside.try_clone()?, inside.try_clone()?);
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut a, &mut b);
            let _ = b.shutdown(std::net::Shutdown::Write);
        });
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut &inside, &mut &outside);
            let _ = outside.shutdown(std::net::Shutdown::Write);
        });
    }
    Ok(())
}

/// A relay's MetricsPort, reached from outside the namespace through the
/// unix socket `metrics` in its directory. Killed on drop.
pub struct MetricsForward {
    child: Child,
    pub path: PathBuf,
}

impl MetricsForward {
    /// `rnyx` is the path of the rnyx binary (its hidden `demo-forward`).
    pub fn start(net: &PrivateNetwork, relay: &str, rnyx: &Path) -> std::io::Result<Self> {
        let t = net
            .tors
            .iter()
            .find(|t| t.name == relay)
            .ok_or_else(|| std::io::Error::other(format!("no tor called {relay}")))?;
        let port = t
            .metrics_port
            .ok_or_else(|| std::io::Error::other(format!("{relay} has no MetricsPort")))?;
        let path = t.dir.join("metrics");
        let mut c = net.command_in_namespace(&rnyx.to_string_lossy());
        c.arg("demo-forward")
            .arg("--unix")
            .arg(&path)
            .args(["--port", &port.to_string()])
            .args(["--parent", &std::process::id().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = c.spawn()?;
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !path.exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self { child, path })
    }
}

impl Drop for MetricsForward {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
/// `auth` is a SOCKS5 username and password to send.
pub fn fetch(
    socks: u16,
    port: u16,
    parent: u32,
    once: Option<usize>,
    auth: Option<(&str, &str)>,
) -> std::io::Result<()> {
    watch_parent(parent);
    if let Some(bytes) = once {
        let got = socks5_download_as(socks, port, bytes, auth)?;
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
    socks5_download_as(socks, port, bytes, None)
}

/// The same, authenticating with a username and password (RFC 1929) when
/// `auth` is given.
pub fn socks5_download_as(
    socks: u16,
    port: u16,
    bytes: usize,
    auth: Option<(&str, &str)>,
) -> std::io::Result<usize> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, socks))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let method = if auth.is_some() { 2 } else { 0 };
    s.write_all(&[5, 1, method])?;
    let mut reply = [0u8; 2];
    s.read_exact(&mut reply)?;
    if reply != [5, method] {
        return Err(std::io::Error::other(format!(
            "SOCKS server refused method {method}"
        )));
    }
    if let Some((user, pass)) = auth {
        let len = |s: &str| u8::try_from(s.len()).map_err(std::io::Error::other);
        let mut m = vec![1, len(user)?];
        m.extend_from_slice(user.as_bytes());
        m.push(len(pass)?);
        m.extend_from_slice(pass.as_bytes());
        s.write_all(&m)?;
        s.read_exact(&mut reply)?;
        if reply[1] != 0 {
            return Err(std::io::Error::other("SOCKS username/password refused"));
        }
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
