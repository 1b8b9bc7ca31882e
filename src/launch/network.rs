//! A private tor network — directory authorities, relays and clients — inside
//! a network namespace of its own that holds nothing but loopback. Even with
//! every peer on 127.0.0.1, tor probes a public address to learn its
//! interface; in the namespace there is none to reach. Its tors are reached
//! from outside through their `ControlSocket` paths.

use super::{kill, log_tail, opt, private_dir, wait_until, which, write_torrc, LaunchError};
use crate::control::Target;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

/// How many tors of each kind, and how fast the authorities vote.
#[derive(Debug, Clone)]
pub struct NetworkSpec {
    pub authorities: usize,
    pub relays: usize,
    pub clients: usize,
    /// Seconds between consensus votes.
    pub voting_interval: u32,
    /// Nickname of the relay the clients must exit through (`ExitNodes`).
    pub exit_node: Option<String>,
    /// More torrc lines for every relay (not the authorities).
    pub relay_options: Vec<(String, String)>,
    /// More torrc lines for every client.
    pub client_options: Vec<(String, String)>,
}

impl Default for NetworkSpec {
    fn default() -> Self {
        Self {
            authorities: 3,
            relays: 2,
            clients: 1,
            voting_interval: 20,
            exit_node: None,
            relay_options: Vec::new(),
            client_options: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Authority,
    Relay,
    Client,
}

/// One tor of the network.
#[derive(Debug)]
pub struct NetTor {
    pub name: String,
    pub role: Role,
    pub dir: PathBuf,
    pub or_port: Option<u16>,
    pub dir_port: Option<u16>,
    pub socks_port: Option<u16>,
    /// The MetricsPort (relays), on the namespace's loopback.
    pub metrics_port: Option<u16>,
    child: Option<Child>,
}

impl NetTor {
    pub fn control_socket(&self) -> PathBuf {
        self.dir.join("control")
    }

    pub fn target(&self) -> Target {
        Target::Unix(self.control_socket())
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("notice.log")
    }

    /// Waits (30 s at most) for the control socket.
    fn wait_for_socket(&self) -> Result<(), LaunchError> {
        let sock = self.control_socket();
        wait_until(
            &format!("{}'s control socket", self.name),
            Duration::from_secs(30),
            &self.log_path(),
            || sock.exists(),
        )
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The identity fingerprint tor wrote to its data directory.
    pub fn fingerprint(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.dir.join("fingerprint")).ok()?;
        Some(text.split_whitespace().nth(1)?.to_owned())
    }
}

/// A running private network. Everything is stopped when it drops.
#[derive(Debug)]
pub struct PrivateNetwork {
    pub dir: PathBuf,
    pub tors: Vec<NetTor>,
    holder: Child,
    /// Held open: the namespace holder exits when this closes.
    _holder_stdin: ChildStdin,
}

impl PrivateNetwork {
    /// Creates the namespace, the keys and the torrcs under `dir`, and starts
    /// every tor. Returns once every control socket answers; use
    /// [`PrivateNetwork::wait_bootstrapped`] to wait for circuits.
    pub fn start(dir: &Path, spec: &NetworkSpec) -> Result<PrivateNetwork, LaunchError> {
        let tor = which("tor")?;
        let gencert = which("tor-gencert")?;
        which("unshare")?;
        which("nsenter")?;
        private_dir(dir)?;
        let (holder, holder_stdin) = start_namespace(dir)?;
        let mut net = PrivateNetwork {
            dir: dir.to_owned(),
            tors: Vec::new(),
            holder,
            _holder_stdin: holder_stdin,
        };
        let mut dir_authority_lines = Vec::new();
        for i in 0..spec.authorities {
            let t = net.add(Role::Authority, i)?;
            let (or_port, dir_port) = (t.or_port.unwrap_or(0), t.dir_port.unwrap_or(0));
            let (v3ident, fingerprint) = authority_keys(&tor, &gencert, &t.dir, &t.name, dir_port)?;
            dir_authority_lines.push(opt(
                "DirAuthority",
                format!("{} orport={or_port} no-v2 v3ident={v3ident} 127.0.0.1:{dir_port} {fingerprint}", t.name),
            ));
        }
        for i in 0..spec.relays {
            net.add(Role::Relay, i)?;
        }
        for i in 0..spec.clients {
            net.add(Role::Client, i)?;
        }
        let empty = super::empty_file(dir)?;
        for i in 0..net.tors.len() {
            let torrc = net.tors[i].dir.join("torrc");
            write_torrc(
                &torrc,
                &torrc_lines(&net.tors[i], spec, &dir_authority_lines),
            )?;
            let child = net.spawn_tor(&tor, &torrc, &empty)?;
            net.tors[i].child = Some(child);
        }
        for t in &net.tors {
            t.wait_for_socket()?;
        }
        Ok(net)
    }

    /// Starts tor on `torrc` inside the network's namespace.
    fn spawn_tor(&self, tor: &Path, torrc: &Path, empty: &Path) -> Result<Child, LaunchError> {
        Ok(Command::new("nsenter")
            .args([
                "-t",
                &self.holder.id().to_string(),
                "-U",
                "-n",
                "--preserve-credentials",
            ])
            .arg(tor)
            .arg("-f")
            .arg(torrc)
            .arg("--defaults-torrc")
            .arg(empty)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?)
    }

    /// Stops the tor called `name` (its control socket goes with it).
    pub fn stop(&mut self, name: &str) {
        if let Some(t) = self.tors.iter_mut().find(|t| t.name == name) {
            if let Some(mut c) = t.child.take() {
                kill(&mut c);
            }
            let _ = std::fs::remove_file(t.control_socket());
        }
    }

    /// Starts the tor called `name` again, with its torrc and keys; returns
    /// once its control socket is there.
    pub fn start_again(&mut self, name: &str) -> Result<(), LaunchError> {
        let tor = which("tor")?;
        let empty = super::empty_file(&self.dir)?;
        let i = self
            .tors
            .iter()
            .position(|t| t.name == name)
            .ok_or_else(|| LaunchError::Command {
                what: format!("starting {name} again"),
                detail: "no tor of that name in the network".into(),
            })?;
        let torrc = self.tors[i].dir.join("torrc");
        let child = self.spawn_tor(&tor, &torrc, &empty)?;
        self.tors[i].child = Some(child);
        self.tors[i].wait_for_socket()
    }

    fn add(&mut self, role: Role, i: usize) -> Result<&NetTor, LaunchError> {
        let i16 = u16::try_from(i).unwrap_or(0);
        let (prefix, or_port, dir_port, socks_port, metrics_port) = match role {
            Role::Authority => ("auth", Some(5000 + i16), Some(7000 + i16), None, None),
            Role::Relay => ("relay", Some(5100 + i16), None, None, Some(9100 + i16)),
            Role::Client => ("client", None, None, Some(9000 + i16), None),
        };
        let name = format!("{prefix}{i}");
        let dir = self.dir.join(&name);
        private_dir(&dir)?;
        self.tors.push(NetTor {
            name,
            role,
            dir,
            or_port,
            dir_port,
            socks_port,
            metrics_port,
            child: None,
        });
        Ok(self.tors.last().expect("just pushed"))
    }

    pub fn by_role(&self, role: Role) -> impl Iterator<Item = &NetTor> {
        self.tors.iter().filter(move |t| t.role == role)
    }

    pub fn client(&self) -> &NetTor {
        self.by_role(Role::Client)
            .next()
            .expect("the network has a client")
    }

    pub fn relay(&self) -> &NetTor {
        self.by_role(Role::Relay)
            .next()
            .expect("the network has a relay")
    }

    /// Waits until the first client has bootstrapped to 100 % (it then has a
    /// consensus naming every relay and can build circuits).
    pub fn wait_bootstrapped(&self, timeout: Duration) -> Result<(), LaunchError> {
        let log = self.client().log_path();
        wait_until(
            "the private network's client bootstrap",
            timeout,
            &log,
            || std::fs::read_to_string(&log).is_ok_and(|t| t.contains("Bootstrapped 100%")),
        )
    }

    /// The process holding the network's namespaces (`nsenter -t PID`).
    pub fn namespace_pid(&self) -> u32 {
        self.holder.id()
    }

    /// A command that runs inside the network's namespace (to reach the
    /// tors' TCP ports, e.g. a client's SocksPort).
    pub fn command_in_namespace(&self, program: &str) -> Command {
        let mut c = Command::new("nsenter");
        c.args([
            "-t",
            &self.holder.id().to_string(),
            "-U",
            "-n",
            "--preserve-credentials",
            program,
        ]);
        c
    }

    /// The last lines of every tor's log, for failure reports.
    pub fn logs(&self) -> String {
        self.tors
            .iter()
            .map(|t| format!("== {} ==\n{}", t.name, log_tail(&t.log_path(), 8)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for PrivateNetwork {
    fn drop(&mut self) {
        for t in &mut self.tors {
            if let Some(mut c) = t.child.take() {
                kill(&mut c);
            }
        }
        kill(&mut self.holder);
    }
}

/// Starts the namespace holder: a shell in a new user + network namespace
/// that brings loopback up, says so, and waits for its stdin to close.
/// Closed without the network being dropped (its owner killed), it gives
/// the tors in `dir` 30 s to see their owner gone
/// (`__OwningControllerProcess`), then kills any still there: a tor has
/// been seen to hang on its way out.
fn start_namespace(dir: &Path) -> Result<(Child, ChildStdin), LaunchError> {
    let script = format!(
        "ip link set lo up 2>/dev/null || ifconfig lo up; echo up; cat >/dev/null; \
         sleep 30; pkill -KILL -f -- '[t]or -f {}/' 2>/dev/null; true",
        dir.display()
    );
    let mut holder = Command::new("unshare")
        .args(["-rn", "sh", "-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdin = holder.stdin.take().expect("piped");
    let mut first = String::new();
    let _ = BufReader::new(holder.stdout.take().expect("piped")).read_line(&mut first);
    if first.trim() != "up" {
        let mut err = String::new();
        if let Some(mut e) = holder.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        kill(&mut holder);
        return Err(LaunchError::NoNamespace(err.trim().to_owned()));
    }
    Ok((holder, stdin))
}

/// Creates an authority's v3 keys and relay keys; returns (v3ident, fingerprint).
fn authority_keys(
    tor: &Path,
    gencert: &Path,
    dir: &Path,
    name: &str,
    dir_port: u16,
) -> Result<(String, String), LaunchError> {
    let keys = dir.join("keys");
    private_dir(&keys)?;
    let mut gen = Command::new(gencert)
        .args([
            "--create-identity-key",
            "-m",
            "12",
            "-a",
            &format!("127.0.0.1:{dir_port}"),
        ])
        .arg("-i")
        .arg(keys.join("authority_identity_key"))
        .arg("-s")
        .arg(keys.join("authority_signing_key"))
        .arg("-c")
        .arg(keys.join("authority_certificate"))
        .arg("--passphrase-fd")
        .arg("0")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    gen.stdin.take().expect("piped").write_all(b"\n")?;
    let out = gen.wait_with_output()?;
    if !out.status.success() {
        return Err(LaunchError::Command {
            what: "tor-gencert".into(),
            detail: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    let cert = std::fs::read_to_string(keys.join("authority_certificate"))?;
    let v3ident = cert
        .lines()
        .find_map(|l| l.strip_prefix("fingerprint "))
        .unwrap_or_default()
        .trim()
        .to_owned();
    let out = Command::new(tor)
        .args(["--list-fingerprint", "--orport", "1", "--dirserver"])
        .arg("x 127.0.0.1:1 ffffffffffffffffffffffffffffffffffffffff")
        .arg("--datadirectory")
        .arg(dir)
        .args([
            "--Nickname",
            name,
            "--DisableNetwork",
            "1",
            "--SocksPort",
            "0",
        ])
        .arg("--defaults-torrc")
        .arg(super::empty_file(dir)?)
        .arg("-f")
        .arg(super::empty_file(dir)?)
        .output()?;
    let fingerprint = std::fs::read_to_string(dir.join("fingerprint"))
        .ok()
        .and_then(|t| t.split_whitespace().nth(1).map(str::to_owned));
    match fingerprint {
        Some(fp) if !v3ident.is_empty() => Ok((v3ident, fp)),
        _ => Err(LaunchError::Command {
            what: "tor --list-fingerprint".into(),
            detail: String::from_utf8_lossy(&out.stdout).into_owned(),
        }),
    }
}

fn torrc_lines(
    t: &NetTor,
    spec: &NetworkSpec,
    authorities: &[(String, String)],
) -> Vec<(String, String)> {
    let vi = spec.voting_interval;
    let mut l = vec![
        opt("TestingTorNetwork", 1),
        opt("DataDirectory", t.dir.display()),
        opt("Nickname", &t.name),
        opt("ControlSocket", t.control_socket().display()),
        opt("CookieAuthentication", 1),
        opt("Log", format!("notice file {}", t.log_path().display())),
        opt("__OwningControllerProcess", std::process::id()),
        opt("ShutdownWaitLength", 0),
        opt("SafeLogging", 0),
        opt("ProtocolWarnings", 1),
        opt("Address", "127.0.0.1"),
        opt("TestingServerDownloadInitialDelay", 0),
        opt("TestingServerConsensusDownloadInitialDelay", 0),
        opt("TestingClientDownloadInitialDelay", 0),
        opt("TestingClientConsensusDownloadInitialDelay", 0),
    ];
    l.extend(authorities.iter().cloned());
    match t.socks_port {
        Some(p) => l.push(opt("SocksPort", format!("127.0.0.1:{p}"))),
        None => l.push(opt("SocksPort", 0)),
    }
    if let (Role::Client, Some(exit)) = (t.role, &spec.exit_node) {
        l.push(opt("ExitNodes", exit));
        l.push(opt("StrictNodes", 1));
    }
    if let Some(p) = t.or_port {
        l.push(opt("ORPort", format!("127.0.0.1:{p}")));
        l.push(opt("AssumeReachable", 1));
        l.push(opt("ContactInfo", format!("{}@rnyx.test", t.name)));
        // Exits to loopback, so traffic can stay inside the namespace.
        l.push(opt("ExitRelay", 1));
        l.push(opt("ExitPolicyRejectPrivate", 0));
        l.push(opt("ExitPolicyRejectLocalInterfaces", 0));
        l.push(opt("ExitPolicy", "accept *:*"));
    }
    if let Some(p) = t.dir_port {
        l.push(opt("DirPort", format!("127.0.0.1:{p}")));
    }
    if let Some(p) = t.metrics_port {
        l.push(opt("MetricsPort", format!("127.0.0.1:{p}")));
        l.push(opt("MetricsPortPolicy", "accept 127.0.0.1"));
    }
    match t.role {
        Role::Relay => l.extend(spec.relay_options.iter().cloned()),
        Role::Client => l.extend(spec.client_options.iter().cloned()),
        Role::Authority => {}
    }
    if t.role == Role::Authority {
        for (k, v) in [
            ("AuthoritativeDirectory", "1".to_owned()),
            ("V3AuthoritativeDirectory", "1".to_owned()),
            ("TestingDirAuthVoteExit", "*".to_owned()),
            ("TestingDirAuthVoteGuard", "*".to_owned()),
            ("TestingDirAuthVoteHSDir", "*".to_owned()),
            // Running from the descriptor, without the authorities' own
            // reachability test: on loopback it always succeeds, but a relay
            // they dropped and that came back would wait for its next turn
            // in their test cycle (up to 21 minutes).
            ("AuthDirTestReachability", "0".to_owned()),
            ("V3AuthVotingInterval", vi.to_string()),
            ("V3AuthVoteDelay", (vi / 5).to_string()),
            ("V3AuthDistDelay", (vi / 5).to_string()),
            ("V3AuthNIntervalsValid", "2".to_owned()),
            ("TestingV3AuthInitialVotingInterval", vi.to_string()),
            ("TestingV3AuthInitialVoteDelay", (vi / 5).to_string()),
            ("TestingV3AuthInitialDistDelay", (vi / 5).to_string()),
        ] {
            l.push(opt(k, v));
        }
    }
    l
}
