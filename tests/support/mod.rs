//! Shared helpers for the real-tor tests: one private network per test
//! binary, single DisableNetwork tors, and a raw control connection that
//! asks tor directly (without rnyx's client) for comparison.
#![allow(dead_code)]

pub mod receiver;
pub mod tmux;
pub mod ui;
pub mod watch;

use rnyx::launch::{NetworkSpec, PrivateNetwork, SingleTor, SingleTorOptions};
use rnyx_model::RelayName;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

/// The private network shared by every test of this binary. Its tors carry
/// `__OwningControllerProcess`, so they exit when the test binary does.
pub fn network() -> &'static PrivateNetwork {
    static NET: OnceLock<PrivateNetwork> = OnceLock::new();
    NET.get_or_init(start_network)
}

/// A private network of this test binary's own, bootstrapped (for a test
/// that stops and starts its tors).
pub fn start_network() -> PrivateNetwork {
    start_network_with(&NetworkSpec {
        exit_node: Some(rnyx::demo::EXIT_RELAY.into()),
        ..NetworkSpec::default()
    })
}

/// [`start_network`] of `spec`.
pub fn start_network_with(spec: &NetworkSpec) -> PrivateNetwork {
    remove_stale_dirs();
    let dir = std::env::temp_dir().join(format!("rnyx-net-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    remove_when_gone(&dir);
    let net = PrivateNetwork::start(&dir, spec)
        .unwrap_or_else(|e| panic!("cannot start the private network: {e}"));
    if let Err(e) = net.wait_bootstrapped(Duration::from_secs(180)) {
        panic!("{e}\n{}", net.logs());
    }
    net
}

/// The demo's traffic through the network (a byte server and two fetchers
/// on port 8080), started once and shared by every test of the binary: two
/// servers on one port would not both run. Its helpers exit with the test
/// binary.
pub fn traffic() -> &'static rnyx::demo::Traffic {
    static TRAFFIC: OnceLock<rnyx::demo::Traffic> = OnceLock::new();
    TRAFFIC.get_or_init(|| {
        rnyx::demo::Traffic::start(network(), Path::new(env!("CARGO_BIN_EXE_rnyx")))
            .expect("the demo traffic starts")
    })
}

/// The home of the binary under test: HOME and the XDG directories in a
/// temporary directory of this test process, so that no test reads or
/// writes the user's files (`~/.nyxrc`, graph history, the interpreter's
/// history).
pub fn test_home() -> &'static Path {
    static HOME: OnceLock<std::path::PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        remove_stale_dirs();
        let dir = std::env::temp_dir().join(format!("rnyx-home-{}", std::process::id()));
        for sub in ["config", "state", "data", "cache", "run"] {
            std::fs::create_dir_all(dir.join(sub)).expect("the test home");
        }
        remove_when_gone(&dir);
        dir
    })
}

/// The environment that puts the binary's files in [`test_home`].
pub fn home_env() -> Vec<(&'static str, std::path::PathBuf)> {
    let home = test_home();
    vec![
        ("HOME", home.to_owned()),
        ("XDG_CONFIG_HOME", home.join("config")),
        ("XDG_STATE_HOME", home.join("state")),
        ("XDG_DATA_HOME", home.join("data")),
        ("XDG_CACHE_HOME", home.join("cache")),
        ("XDG_RUNTIME_DIR", home.join("run")),
    ]
}

/// `env HOME=… XDG_…=…` for a shell command line (tmux sessions).
pub fn home_prefix() -> String {
    let vars: Vec<String> = home_env()
        .into_iter()
        .map(|(k, v)| format!("{k}='{}'", v.display()))
        .collect();
    format!("env {}", vars.join(" "))
}

/// The rnyx binary, its files in [`test_home`].
pub fn rnyx() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_rnyx"));
    c.envs(home_env());
    c
}

/// Runs `script` in bash, `RNYX` in it the binary, its files in
/// [`test_home`].
pub fn rnyx_shell(script: &str) -> std::process::Output {
    std::process::Command::new("bash")
        .arg("-c")
        .arg(script.replace("RNYX", env!("CARGO_BIN_EXE_rnyx")))
        .envs(home_env())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// Removes `dir` once this test binary has exited (statics are never
/// dropped, and the test harness has no hook after the last test): a
/// shell watches the binary's pid, waits up to 20 s for its tors to exit
/// with it (`__OwningControllerProcess` is checked every 15 s), kills any
/// still there (a tor can hang on its way out), and removes the directory.
/// [`remove_stale_dirs`] catches what it missed (a machine stopped
/// meanwhile).
fn remove_when_gone(dir: &Path) {
    // `[t]or`: the pattern must not match this shell's own command line.
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; i=0; \
         while pgrep -f -- '[t]or -f {dir}/' >/dev/null && [ $i -lt 20 ]; do sleep 1; i=$((i+1)); done; \
         pkill -KILL -f -- '[t]or -f {dir}/'; sleep 1; rm -rf -- '{dir}'",
        pid = std::process::id(),
        dir = dir.display()
    );
    let _ = std::process::Command::new("sh")
        .args(["-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// Removes directories left by test binaries that are gone.
fn remove_stale_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name
            .strip_prefix("rnyx-net-")
            .or_else(|| name.strip_prefix("rnyx-home-"))
        {
            if !Path::new(&format!("/proc/{pid}")).exists() {
                kill_users_of(&e.path());
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Kills the processes whose command line names a file in `dir` (a tor of
/// a test binary that is gone, hung on its way out).
fn kill_users_of(dir: &Path) {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    let needle = format!("{}/", dir.display());
    for p in procs.flatten() {
        let name = p.file_name().to_string_lossy().into_owned();
        if name.parse::<u32>().is_err() || name == std::process::id().to_string() {
            continue;
        }
        let Ok(cmdline) = std::fs::read(p.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline).contains(&needle) {
            let _ = std::process::Command::new("kill")
                .args(["-9", &name])
                .status();
        }
    }
}

/// A single DisableNetwork tor in a fresh temporary directory.
pub fn single_tor(options: SingleTorOptions) -> (tempfile::TempDir, SingleTor) {
    let dir = tempfile::Builder::new()
        .prefix("rnyx-tor-")
        .tempdir()
        .unwrap();
    let tor = SingleTor::start(&dir.path().join("tor"), options)
        .unwrap_or_else(|e| panic!("cannot start tor: {e}"));
    (dir, tor)
}

/// Asks tor over its control socket, with hand-written protocol, for one
/// GETINFO key. Authenticates with the cookie in `data_dir`.
pub fn raw_getinfo(socket: &Path, cookie: &Path, key: &str) -> String {
    let mut s = UnixStream::connect(socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let cookie = std::fs::read(cookie).unwrap();
    write!(
        s,
        "AUTHENTICATE {}\r\nGETINFO {key}\r\nQUIT\r\n",
        hex::encode(cookie)
    )
    .unwrap();
    let mut lines = BufReader::new(s).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "250 OK");
    let first = lines.next().unwrap().unwrap();
    let prefix_single = format!("250-{key}=");
    if let Some(v) = first.strip_prefix(&prefix_single) {
        return v.to_owned();
    }
    assert_eq!(first, format!("250+{key}="), "unexpected reply");
    let mut out = Vec::new();
    for l in lines {
        let l = l.unwrap();
        if l == "." {
            break;
        }
        out.push(l);
    }
    out.join("\n")
}

/// Whether the consensus the client holds lists `fp`.
pub fn client_lists(net: &rnyx::launch::PrivateNetwork, fp: &str) -> bool {
    let client = net.client();
    let reply = tor_command(
        &client.dir,
        &client.control_socket(),
        &format!("GETINFO ns/id/{fp}"),
    );
    reply
        .iter()
        .any(|l| l.starts_with("250+ns/id/") || l.starts_with("250-ns/id/"))
}

/// Every directory authority's `approved-routers` made `list` (`!reject
/// FP` drops a relay from their votes), read again with RELOAD.
pub fn approve_routers(net: &PrivateNetwork, list: &str) {
    for a in net.by_role(rnyx::launch::network::Role::Authority) {
        std::fs::write(a.dir.join("approved-routers"), list).unwrap();
        let r = tor_command(&a.dir, &a.control_socket(), "SIGNAL RELOAD");
        assert_eq!(r.get(1).map(String::as_str), Some("250 OK"), "{r:?}");
    }
}

/// Polls `f` every 100 ms until it returns `Some`, or panics after `secs`.
pub async fn eventually<T>(what: &str, secs: u64, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The controller task with the default configuration on `tor`'s control
/// socket, once it is connected.
pub async fn connected_controller(tor: &SingleTor) -> rnyx::controller::ControllerHandle {
    let handle = rnyx::controller::spawn(rnyx::controller::ControllerConfig {
        targets: vec![tor.socket_target()],
        // Nothing kept in the home directory of whoever runs the tests.
        history_dir: None,
        ..rnyx::settings::task_of(&rnyx::config::Config::default(), vec![], None)
    });
    eventually("connected", 30, || {
        handle
            .state
            .read(|s| s.session.connection.connected.then_some(()))
    })
    .await;
    handle
}

/// The controller task pointed at a socket that does not exist: tor away.
pub fn absent_controller() -> rnyx::controller::ControllerHandle {
    rnyx::controller::spawn(rnyx::controller::ControllerConfig {
        targets: vec![rnyx::control::Target::Unix("/nonexistent/control".into())],
        ..rnyx::controller::ControllerConfig::default()
    })
}

/// Runs `rnyx --dump` on a control socket and parses its JSON.
pub fn dump(socket: &Path) -> serde_json::Value {
    let mut command = rnyx();
    command.arg("--dump").arg("--socket").arg(socket);
    json_of(&mut command)
}

/// Runs `command` (rnyx printing JSON), asserts it succeeded, parses what
/// it printed.
pub fn json_of(command: &mut std::process::Command) -> serde_json::Value {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every cell of the last frame drawn on a test terminal, row after row.
pub fn screen_text(terminal: &ratatui::Terminal<ratatui::backend::TestBackend>) -> String {
    terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect()
}

/// Several relays watched at once, by name: a controller each, every one
/// connected; and the UI on the overview (200×20).
pub async fn watch_all(
    relays: Vec<(RelayName, rnyx::control::Target)>,
) -> (Vec<(RelayName, rnyx::controller::ControllerHandle)>, ui::Ui) {
    let fleet: Vec<(RelayName, rnyx::controller::ControllerHandle)> = relays
        .into_iter()
        .map(|(name, target)| {
            let h = rnyx::controller::spawn(rnyx::controller::ControllerConfig {
                targets: vec![target],
                reconnect_max: Duration::from_secs(1),
                ..rnyx::controller::ControllerConfig::default()
            });
            (name, h)
        })
        .collect();
    for (name, h) in &fleet {
        eventually(&name.text, 30, || {
            h.state
                .read(|s| s.session.connection.connected.then_some(()))
        })
        .await;
    }
    let mut settings = rnyx::config::Config::default().app_settings();
    settings
        .hidden_pages
        .retain(|p| *p != rnyx_panels::pages::overview::ID);
    let ui = ui::Ui::with_fleet(rnyx_panels::app::App::new(settings), fleet.clone(), 200, 20);
    (fleet, ui)
}

/// A recording's text so far (what the compressor has flushed), once it
/// holds `marker`.
pub fn recording_text(path: &Path, marker: &str) -> Option<String> {
    let raw = std::fs::read(path).ok()?;
    let mut bytes = Vec::new();
    let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw[..]), &mut bytes);
    let plain = String::from_utf8_lossy(&bytes).into_owned();
    plain.contains(marker).then_some(plain)
}

/// A fake tor on a unix socket: NULL authentication, every other command
/// but SETEVENTS refused (552), and once subscribed, `bursts` written one
/// after another with `pause` between them.
pub async fn fake_tor(listener: tokio::net::UnixListener, bursts: Vec<Vec<u8>>, pause: Duration) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let (stream, _) = listener.accept().await.unwrap();
    let (r, mut w) = stream.into_split();
    let mut lines = tokio::io::BufReader::new(r).lines();
    let mut bursts = Some(bursts);
    while let Ok(Some(line)) = lines.next_line().await {
        let reply: &[u8] = if line.starts_with("PROTOCOLINFO") {
            b"250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n250-VERSION Tor=\"0.4.9.11\"\r\n250 OK\r\n"
        } else if line.starts_with("AUTHENTICATE") || line.starts_with("SETEVENTS") {
            b"250 OK\r\n"
        } else {
            b"552 Unrecognized key\r\n"
        };
        w.write_all(reply).await.unwrap();
        if line.starts_with("SETEVENTS") {
            for burst in bursts.take().unwrap_or_default() {
                w.write_all(&burst).await.unwrap();
                tokio::time::sleep(pause).await;
            }
        }
    }
}

/// The child of `parent` whose command name is `name` (a program a tmux
/// pane's shell started).
pub fn child_pid(parent: u32, name: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
        let (comm, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
        let parent_of: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (parent_of == parent && comm == name).then_some(pid)
    })
}

/// A `kB` field of `/proc/<pid>/status` (`VmHWM:`, `VmRSS:`); 0 if gone.
pub fn status_kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(key))?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Starts rnyx with `args` in a tmux session of `width`×`height`, its
/// files in [`test_home`]; when it exits the pane says `RNYX-EXITED` and
/// its status. The pane's pid.
pub fn rnyx_in_tmux(
    tmux: &tmux::Tmux,
    session: &str,
    args: &str,
    width: u16,
    height: u16,
) -> Option<u32> {
    let cmd = format!(
        "{} {} {args}; echo RNYX-EXITED $?; sleep 600",
        home_prefix(),
        env!("CARGO_BIN_EXE_rnyx"),
    );
    tmux.start(session, &cmd, width, height)
}

/// Whether the tests run as root (who reads any file).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .is_some_and(|u| u.split_whitespace().nth(1) == Some("0"))
}

/// Sends `command` to the tor of `dir` on its control socket (cookie
/// authentication) and returns its reply's lines.
pub fn tor_command(dir: &Path, socket: &Path, command: &str) -> Vec<String> {
    use std::io::{BufRead, BufReader, Write};
    let mut s = std::os::unix::net::UnixStream::connect(socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let cookie = std::fs::read(dir.join("control_auth_cookie")).unwrap();
    write!(
        s,
        "AUTHENTICATE {}\r\n{command}\r\nQUIT\r\n",
        hex::encode(cookie)
    )
    .unwrap();
    let lines: Vec<String> = BufReader::new(s).lines().map_while(Result::ok).collect();
    assert_eq!(lines.first().map(String::as_str), Some("250 OK"));
    lines
}
