//! A tor on another machine, reached over SSH with the system's OpenSSH
//! client (so `~/.ssh/config`, the agent, ProxyJump and known_hosts work
//! as the operator set them), never asking anything (`BatchMode=yes`).
//!
//! One master connection per host, its control socket in a private
//! runtime directory (mode 0700), carries everything: the control
//! connection, through OpenSSH's stream-local forwarding from a socket in
//! that directory to tor's socket or port on the host; the cookie, read
//! with `cat` on the host and kept in memory only; and the samples of
//! tor's process, one small remote command per sample (`/proc` on the
//! host, with tor's sockets and descriptors when a scan is due). Nothing
//! is installed on the host beyond OpenSSH and tor, and no command runs
//! per event.
//!
//! What the samples read is kept as a copy of that part of the host's
//! `/proc` under the runtime directory, so the same readers as this
//! machine's (`procfs`) serve it.

use super::files::{read_torrc, Place};
use super::{ControlOnly, Host, SocketAsk, TimedScan, TorLog, Wrap};
use crate::control::auth::authenticate_reading;
use crate::control::target::open;
use crate::control::{Client, ConnectError, Connection, SshError, Target};
use crate::procfs::sockets::Scanner;
use crate::procfs::ProcSampler;
use rnyx_grammar::model::{SystemInfo, Torrc};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::process::Command;

/// Samples of tor's process are taken at most this often.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);
/// How long the master connection may take to come up.
const CONNECT_WITHIN: Duration = Duration::from_secs(15);
/// How long one remote command may take.
const COMMAND_WITHIN: Duration = Duration::from_secs(10);
/// The longest wait between attempts to reach the host again.
const RETRY_MAX: Duration = Duration::from_secs(2);
/// A remote file read is at most this large (a torrc, a certificate).
const MAX_FILE: usize = 4 << 20;

/// `[user@]host[:port][/path/to/control]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSpec {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// tor's control socket on the host, when given.
    pub path: Option<PathBuf>,
}

impl SshSpec {
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = |why: &str| {
            format!("--ssh {s}: {why} (give [user@]host[:port][/path/to/control], e.g. admin@relay1.example.org/run/tor/control)")
        };
        let (rest, path) = match s.find('/') {
            Some(i) => (&s[..i], Some(PathBuf::from(&s[i..]))),
            None => (s, None),
        };
        let (user, rest) = match rest.rsplit_once('@') {
            Some((u, r)) if !u.is_empty() => (Some(u.to_owned()), r),
            Some(_) => return Err(bad("an empty user")),
            None => (None, rest),
        };
        let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
            // [v6]:port
            let (h, after) = inner.split_once(']').ok_or_else(|| bad("an unclosed ["))?;
            let port = match after.strip_prefix(':') {
                Some(p) => Some(p.parse().map_err(|_| bad("not a port"))?),
                None if after.is_empty() => None,
                None => return Err(bad("text after ]")),
            };
            (h.to_owned(), port)
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (
                    h.to_owned(),
                    Some(p.parse().map_err(|_| bad("not a port"))?),
                ),
                None => (rest.to_owned(), None),
            }
        };
        if host.is_empty() || host.starts_with('-') || host.chars().any(char::is_whitespace) {
            return Err(bad("no host"));
        }
        if user
            .as_deref()
            .is_some_and(|u| u.starts_with('-') || u.chars().any(char::is_whitespace))
        {
            return Err(bad("not a user name"));
        }
        Ok(Self {
            user,
            host,
            port,
            path,
        })
    }

    /// The host as ssh takes it: `user@host`.
    fn destination(&self) -> String {
        match &self.user {
            Some(u) => format!("{u}@{}", self.host),
            None => self.host.clone(),
        }
    }
}

impl fmt::Display for SshSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(u) = &self.user {
            write!(f, "{u}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            write!(f, "{}", self.host)?;
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        if let Some(p) = &self.path {
            write!(f, "{}", p.display())?;
        }
        Ok(())
    }
}

/// rnyx's private runtime directory (`$XDG_RUNTIME_DIR/rnyx`, else
/// `/tmp/rnyx-UID`), made with mode 0700; one that others may enter is
/// refused.
pub fn runtime_dir() -> Result<PathBuf, String> {
    runtime_dir_in(std::env::var_os("XDG_RUNTIME_DIR"))
}

/// [`runtime_dir`], `$XDG_RUNTIME_DIR` being `xdg`.
fn runtime_dir_in(xdg: Option<std::ffi::OsString>) -> Result<PathBuf, String> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let uid = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .map_err(|e| format!("cannot read /proc/self: {e}"))?;
    let dir = match xdg.filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d).join("rnyx"),
        None => std::env::temp_dir().join(format!("rnyx-{uid}")),
    };
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("cannot make {}: {e}", dir.display())),
    }
    let m = std::fs::symlink_metadata(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if !m.is_dir() || m.uid() != uid || m.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "{} is not a private directory of this user (mode 0700): remove it, and rnyx makes it",
            dir.display()
        ));
    }
    remove_stale(&dir);
    Ok(dir)
}

/// Removes what an rnyx that is gone left in `dir` (its names start with
/// `s<pid>-`): one killed has no chance to.
fn remove_stale(dir: &Path) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix('s'))
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let path = e.path();
            let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
        }
    }
}

/// Distinguishes the hosts of one rnyx in the runtime directory.
static NEXT: AtomicU64 = AtomicU64::new(0);

#[derive(Debug)]
pub struct Ssh {
    inner: Arc<Inner>,
}

/// One master connection per host (per ssh command, destination and
/// port), shared by the relays there.
struct Master {
    spec: SshSpec,
    /// The ssh client and its first arguments (nyxrc's `ssh_command`).
    command: Vec<String>,
    /// The master's control socket.
    ctl: PathBuf,
    /// Where the local ends of forwardings are made (`<sock>-<n>.sock`).
    sock: PathBuf,
    /// The master's forwardings: tor's socket or port, and the local end.
    forwards: tokio::sync::Mutex<Vec<(String, PathBuf)>>,
    child: tokio::sync::Mutex<Option<tokio::process::Child>>,
    /// What the master last said on its way out.
    said: Arc<Mutex<String>>,
    /// A master connection was up once: a new failure is a loss.
    was_up: AtomicBool,
}

struct Inner {
    spec: SshSpec,
    m: Arc<Master>,
    /// A copy of what was read of the host's `/proc`.
    mirror: PathBuf,
    /// tor's process, from the mirror; rnyx's own, from here.
    sampler: Mutex<Option<ProcSampler>>,
    own: Mutex<ProcSampler>,
    scanner: Arc<Mutex<Scanner>>,
    /// One remote sample at a time, at most one a [`SAMPLE_EVERY`]: when
    /// the last began.
    sampling: tokio::sync::Mutex<Option<Instant>>,
    busy: AtomicBool,
    latest: Mutex<Option<SystemInfo>>,
    fallback: ControlOnly,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ssh")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.mirror);
    }
}

impl Drop for Master {
    fn drop(&mut self) {
        for (_, local) in self.forwards.get_mut().drain(..) {
            let _ = std::fs::remove_file(local);
        }
        let _ = std::fs::remove_file(&self.ctl);
    }
}

/// The masters up, by host.
static MASTERS: Mutex<Vec<(String, std::sync::Weak<Master>)>> = Mutex::new(Vec::new());

/// The master connection for `spec`'s host, shared with the relays there.
fn master_for(spec: &SshSpec, command: &[String], dir: &Path) -> Arc<Master> {
    let key = format!("{command:?} {} {:?}", spec.destination(), spec.port);
    let mut masters = MASTERS.lock().unwrap_or_else(PoisonError::into_inner);
    masters.retain(|(_, m)| m.strong_count() > 0);
    if let Some(m) = masters
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, m)| m.upgrade())
    {
        return m;
    }
    let n = format!(
        "s{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let m = Arc::new(Master {
        spec: SshSpec {
            path: None,
            ..spec.clone()
        },
        command: if command.is_empty() {
            vec!["ssh".to_owned()]
        } else {
            command.to_vec()
        },
        ctl: dir.join(format!("{n}.ctl")),
        sock: dir.join(n),
        forwards: tokio::sync::Mutex::new(Vec::new()),
        child: tokio::sync::Mutex::new(None),
        said: Arc::default(),
        was_up: AtomicBool::new(false),
    });
    masters.push((key, Arc::downgrade(&m)));
    m
}

impl Ssh {
    /// The host `spec` names, reached with `command` (`ssh` and any first
    /// arguments); its files in `dir` (see [`runtime_dir`]).
    pub fn new(spec: SshSpec, command: &[String], dir: &Path) -> Self {
        let m = master_for(&spec, command, dir);
        let n = format!(
            "s{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        Self {
            inner: Arc::new(Inner {
                spec,
                m,
                mirror: dir.join(format!("{n}.proc")),
                sampler: Mutex::new(None),
                own: Mutex::new(ProcSampler::default()),
                scanner: Arc::default(),
                sampling: tokio::sync::Mutex::new(None),
                busy: AtomicBool::new(false),
                latest: Mutex::new(None),
                fallback: ControlOnly::default(),
            }),
        }
    }
}

/// `text` as one word for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

impl Master {
    fn host(&self) -> String {
        self.spec.host.clone()
    }

    /// `ssh` with the options every use shares, through the master.
    fn ssh(&self) -> Command {
        let mut c = Command::new(&self.command[0]);
        c.args(&self.command[1..])
            .arg("-S")
            .arg(&self.ctl)
            .args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=10"])
            .stdin(Stdio::null())
            .kill_on_drop(true);
        if let Some(p) = self.spec.port {
            c.arg("-p").arg(p.to_string());
        }
        c
    }

    /// Whether the master is up.
    async fn alive(&self) -> bool {
        let mut c = self.ssh();
        c.args(["-O", "check"])
            .arg(self.spec.destination())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        matches!(
            tokio::time::timeout(COMMAND_WITHIN, c.status()).await,
            Ok(Ok(s)) if s.success()
        )
    }

    /// The master connection, started if it is not up.
    async fn up(&self) -> Result<(), SshError> {
        let mut master = self.child.lock().await;
        if let Some(child) = master.as_mut() {
            if matches!(child.try_wait(), Ok(None)) && self.alive().await {
                return Ok(());
            }
            let _ = child.kill().await;
        }
        *master = None;
        let _ = std::fs::remove_file(&self.ctl);
        // A new master has none of the old one's forwardings.
        for (_, local) in self.forwards.lock().await.drain(..) {
            let _ = std::fs::remove_file(local);
        }
        let mut c = self.ssh();
        c.args([
            "-M",
            "-N",
            "-o",
            "ControlPersist=no",
            "-o",
            "StreamLocalBindUnlink=yes",
        ])
        .args(["-o", "ServerAliveInterval=2", "-o", "ServerAliveCountMax=2"])
        .arg(self.spec.destination())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        let mut child = c.spawn().map_err(|e| SshError::Lost {
            host: self.host(),
            said: format!("cannot run ssh: {e}"),
        })?;
        // What ssh says, kept: its last words say why it went.
        if let Some(err) = child.stderr.take() {
            let said = Arc::clone(&self.said);
            *said.lock().unwrap_or_else(PoisonError::into_inner) = String::new();
            tokio::spawn(async move {
                use tokio::io::AsyncBufReadExt;
                let mut lines = tokio::io::BufReader::new(err).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let line = rnyx_grammar::text::strip_controls(line.trim());
                    if !line.is_empty() {
                        let mut s = said.lock().unwrap_or_else(PoisonError::into_inner);
                        if s.len() < 2000 {
                            if !s.is_empty() {
                                s.push_str("; ");
                            }
                            s.push_str(&line);
                        }
                    }
                }
            });
        }
        let began = Instant::now();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                // Its last words reach the reader first.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return Err(self.why(&format!("ssh exited ({status})")));
            }
            if self.ctl.exists() && self.alive().await {
                break;
            }
            if began.elapsed() > CONNECT_WITHIN {
                let _ = child.kill().await;
                return Err(self.unreachable(format!(
                    "no connection within {} s",
                    CONNECT_WITHIN.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        *master = Some(child);
        self.was_up.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Why ssh failed, from what it said.
    fn why(&self, otherwise: &str) -> SshError {
        let said = self
            .said
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let said = if said.is_empty() {
            otherwise.to_owned()
        } else {
            said
        };
        let host = self.host();
        if said.contains("Host key verification failed")
            || said.contains("HOST IDENTIFICATION HAS CHANGED")
            || said.contains("host key is known")
        {
            // ssh's banner left out: what changed, and where it is kept.
            let lines: Vec<&str> = said
                .split("; ")
                .filter(|l| {
                    l.contains("SHA256:")
                        || l.starts_with("Host key for")
                        || l.starts_with("No ")
                        || l.starts_with("Offending")
                        || l.starts_with("Host key verification failed")
                })
                .collect();
            let said = if lines.is_empty() {
                said
            } else {
                lines.join("; ")
            };
            SshError::HostKey { host, said }
        } else if said.contains("Permission denied") || said.contains("Too many authentication") {
            SshError::Auth { host, said }
        } else {
            self.unreachable(said)
        }
    }

    /// The host not reached: lost when it was reached before.
    fn unreachable(&self, said: String) -> SshError {
        let host = self.host();
        if self.was_up.load(Ordering::Relaxed) {
            SshError::Lost { host, said }
        } else {
            SshError::Failed { host, said }
        }
    }

    /// Runs `script` on the host (through the master): its standard
    /// output, or why not.
    async fn run(&self, script: &str) -> Result<Vec<u8>, String> {
        let mut c = self.ssh();
        c.arg(self.spec.destination())
            .arg(format!("exec sh -c {}", quote(script)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match tokio::time::timeout(COMMAND_WITHIN, c.output()).await {
            Ok(Ok(out)) if out.status.success() => Ok(out.stdout),
            Ok(Ok(out)) => Err(rnyx_grammar::text::strip_controls(
                String::from_utf8_lossy(&out.stderr).trim(),
            )),
            Ok(Err(e)) => Err(format!("cannot run ssh: {e}")),
            Err(_) => Err(format!(
                "no answer from {} within {} s",
                self.spec.host,
                COMMAND_WITHIN.as_secs()
            )),
        }
    }

    /// A local socket forwarded to `target` on the host (made once per
    /// master connection).
    async fn forward(&self, target: &Target) -> Result<PathBuf, String> {
        let remote = match target {
            Target::Unix(p) => p.display().to_string(),
            Target::Tcp(a) => format!("{}:{}", a.ip(), a.port()),
        };
        let mut forwards = self.forwards.lock().await;
        if let Some((_, local)) = forwards.iter().find(|(r, _)| *r == remote) {
            return Ok(local.clone());
        }
        let local = PathBuf::from(format!("{}-{}.sock", self.sock.display(), forwards.len()));
        let _ = std::fs::remove_file(&local);
        let mut c = self.ssh();
        c.args(["-O", "forward", "-L"])
            .arg(format!("{}:{remote}", local.display()))
            .arg(self.spec.destination())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        match tokio::time::timeout(COMMAND_WITHIN, c.output()).await {
            Ok(Ok(out)) if out.status.success() => {
                forwards.push((remote, local.clone()));
                Ok(local)
            }
            Ok(Ok(out)) => Err(rnyx_grammar::text::strip_controls(
                String::from_utf8_lossy(&out.stderr).trim(),
            )),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("ssh did not forward in time".into()),
        }
    }

    /// Which of `targets` are there on the host: sockets that exist, and
    /// every port (a port cannot be looked at without connecting). Globs
    /// (`/run/tor-instances/*/control`) are expanded there.
    async fn present(&self, targets: &[Target]) -> Result<Vec<Target>, SshError> {
        let mut script = String::new();
        for t in targets {
            if let Target::Unix(p) = t {
                let p = p.display().to_string();
                // A glob's star stays outside the quotes so the shell expands it.
                let word = p.split('*').map(quote).collect::<Vec<_>>().join("*");
                let _ = write!(
                    script,
                    "for p in {word}; do [ -S \"$p\" ] && printf '%s\\n' \"$p\"; done; "
                );
            }
        }
        script.push_str("true");
        let out = self
            .run(&script)
            .await
            .map_err(|said| self.unreachable(said))?;
        let sockets: Vec<PathBuf> = String::from_utf8_lossy(&out)
            .lines()
            .map(PathBuf::from)
            .collect();
        let mut found = Vec::new();
        for t in targets {
            match t {
                Target::Unix(p) if p.to_string_lossy().contains('*') => {
                    let pattern = p.to_string_lossy().into_owned();
                    found.extend(
                        sockets
                            .iter()
                            .filter(|s| rnyx_grammar::torrc::glob(&pattern, &s.to_string_lossy()))
                            .map(|s| Target::Unix(s.clone())),
                    );
                }
                Target::Unix(p) => {
                    if sockets.contains(p) {
                        found.push(t.clone());
                    }
                }
                Target::Tcp(_) => found.push(t.clone()),
            }
        }
        Ok(found)
    }
}

impl Inner {
    async fn run(&self, script: &str) -> Result<Vec<u8>, String> {
        self.m.run(script).await
    }

    /// One sample of tor's process (`pid` on the host), and, with
    /// `tables`, its sockets and descriptors, copied into the mirror.
    async fn sample(&self, pid: u32, tables: bool) -> Result<(), String> {
        let mut script = format!(
            "cd /proc || exit 1; p={pid}; \
             echo @comm; cat $p/comm; echo @stat; cat $p/stat; \
             echo @status; cat $p/status; echo @limits; cat $p/limits; \
             echo @meminfo; cat meminfo; \
             echo @hostname; cat sys/kernel/hostname; echo @ostype; cat sys/kernel/ostype; \
             echo @osrelease; cat sys/kernel/osrelease; \
             echo @fds; ls $p/fd 2>/dev/null | wc -l; "
        );
        if tables {
            script.push_str(
                "echo @tcp; cat $p/net/tcp; echo @tcp6; cat $p/net/tcp6; \
                 echo @fd; ls -l $p/fd 2>/dev/null; ",
            );
        }
        script.push_str("echo @end");
        let out = self.run(&script).await?;
        let text = String::from_utf8_lossy(&out);
        let mut sections: Vec<(&str, String)> = Vec::new();
        for line in text.lines() {
            if let Some(name) = line.strip_prefix('@') {
                sections.push((name, String::new()));
            } else if let Some((_, body)) = sections.last_mut() {
                body.push_str(line);
                body.push('\n');
            }
        }
        let section = |n: &str| {
            sections
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.as_str())
        };
        if section("end").is_none() {
            return Err("the sample was cut short".into());
        }
        let root = &self.mirror;
        let dir = root.join(pid.to_string());
        let write = |rel: &Path, body: &str| {
            if let Some(parent) = rel.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(rel, body)
        };
        let io = |e: std::io::Error| format!("cannot keep the sample in {}: {e}", root.display());
        for (name, path) in [
            ("meminfo", root.join("meminfo")),
            ("hostname", root.join("sys/kernel/hostname")),
            ("ostype", root.join("sys/kernel/ostype")),
            ("osrelease", root.join("sys/kernel/osrelease")),
            ("comm", dir.join("comm")),
            ("stat", dir.join("stat")),
            ("status", dir.join("status")),
            ("limits", dir.join("limits")),
        ] {
            write(&path, section(name).unwrap_or_default()).map_err(io)?;
        }
        // The descriptors: listed with their targets when a scan is due,
        // else as many placeholders as there are.
        let fd_dir = dir.join("fd");
        if tables {
            for (name, path) in [("tcp", "net/tcp"), ("tcp6", "net/tcp6")] {
                write(&dir.join(path), section(name).unwrap_or_default()).map_err(io)?;
            }
            let listing: Vec<(String, String)> = section("fd")
                .unwrap_or_default()
                .lines()
                .filter_map(|l| {
                    let (left, target) = l.split_once(" -> ")?;
                    let n = left.rsplit(' ').next()?;
                    n.parse::<u32>().ok()?;
                    Some((n.to_owned(), target.to_owned()))
                })
                .collect();
            let _ = std::fs::remove_dir_all(&fd_dir);
            std::fs::create_dir_all(&fd_dir).map_err(io)?;
            for (n, target) in listing {
                std::os::unix::fs::symlink(target, fd_dir.join(n)).map_err(io)?;
            }
        } else {
            let count: usize = section("fds")
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(0);
            let have = std::fs::read_dir(&fd_dir).map_or(0, Iterator::count);
            if have != count {
                let _ = std::fs::remove_dir_all(&fd_dir);
                std::fs::create_dir_all(&fd_dir).map_err(io)?;
                for n in 0..count {
                    std::os::unix::fs::symlink("?", fd_dir.join(n.to_string())).map_err(io)?;
                }
            }
        }
        Ok(())
    }

    /// A sample now (or as soon as one may be taken), into `latest`.
    async fn refresh(&self, pid: Option<u32>, tables: bool) -> Result<(), String> {
        let mut last = self.sampling.lock().await;
        if let Some(at) = *last {
            if let Some(rest) = SAMPLE_EVERY.checked_sub(at.elapsed()) {
                tokio::time::sleep(rest).await;
            }
        }
        *last = Some(Instant::now());
        let Some(pid) = pid else {
            return Err("tor did not say its pid (GETINFO process/pid)".into());
        };
        let read = self.sample(pid, tables).await;
        let mut info = match &read {
            Ok(()) => {
                let mut sampler = self.sampler.lock().unwrap_or_else(PoisonError::into_inner);
                sampler
                    .get_or_insert_with(|| ProcSampler::new(&self.mirror))
                    .sample(Some(pid))
            }
            Err(_) => SystemInfo::default(),
        };
        let visible = std::fs::read_to_string(self.mirror.join(pid.to_string()).join("comm"))
            .is_ok_and(|c| c.trim() == "tor");
        if !visible {
            info.unseen = Some(format!(
                "tor's process (pid {pid}) is not visible on {}",
                self.spec.host
            ));
        }
        info.rnyx_cpu = self
            .own
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .sample(None)
            .rnyx_cpu;
        *self.latest.lock().unwrap_or_else(PoisonError::into_inner) = Some(info);
        read
    }
}

impl Master {
    /// Reads `path` on the host (at most [`MAX_FILE`]).
    async fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let mut bytes = self
            .run(&format!("head -c {MAX_FILE} -- {}", quote(path)))
            .await?;
        bytes.truncate(MAX_FILE);
        Ok(bytes)
    }

    /// Copies `paths` of the host (globs expanded there, directories with
    /// their files) under `into`.
    async fn copy(&self, paths: &[String], into: &Path) -> Result<(), String> {
        let words: Vec<String> = paths
            .iter()
            .map(|p| p.split('*').map(quote).collect::<Vec<_>>().join("*"))
            .collect();
        let out = self
            .run(&format!(
                "tar -cf - --ignore-failed-read -- {} 2>/dev/null; true",
                words.join(" ")
            ))
            .await?;
        std::fs::create_dir_all(into).map_err(|e| e.to_string())?;
        let mut tar = Command::new("tar")
            .args(["-xf", "-", "--no-same-owner", "--no-same-permissions", "-C"])
            .arg(into)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        if let Some(mut input) = tar.stdin.take() {
            use tokio::io::AsyncWriteExt;
            let _ = input.write_all(&out).await;
        }
        let _ = tar.wait().await;
        Ok(())
    }
}

#[async_trait::async_trait]
impl Host for Ssh {
    fn name(&self) -> Option<String> {
        Some(self.inner.spec.host.clone())
    }

    async fn connect_wrapped(
        &self,
        targets: &[Target],
        password: Option<&str>,
        wrap: Option<Wrap>,
    ) -> Result<Connection, ConnectError> {
        let inner = &self.inner;
        let m = &inner.m;
        m.up().await.map_err(ConnectError::Ssh)?;
        let targets = match &inner.spec.path {
            Some(p) => vec![Target::Unix(p.clone())],
            None => targets.to_vec(),
        };
        let present = m.present(&targets).await.map_err(ConnectError::Ssh)?;
        // Why each place did not answer, for the sentence.
        let found_at = |t: &Target| {
            let pattern = t.to_string();
            present.iter().any(|p| {
                matches!(p, Target::Unix(_)) && rnyx_grammar::torrc::glob(&pattern, &p.to_string())
            })
        };
        let mut why: Vec<String> = targets
            .iter()
            .filter(|t| matches!(t, Target::Unix(_)) && !found_at(t))
            .map(|t| format!("{t} (no socket)"))
            .collect();
        for target in &present {
            let local = match m.forward(target).await {
                Ok(local) => local,
                Err(e) => {
                    why.push(format!("{target} (ssh did not forward: {e})"));
                    continue;
                }
            };
            let stream = match open(&Target::Unix(local)).await {
                Ok(s) => s,
                Err(e) => {
                    why.push(format!("{target} ({e})"));
                    continue;
                }
            };
            let stream = match &wrap {
                Some(w) => w(stream),
                None => stream,
            };
            let (client, events) = Client::new(stream);
            let read = |path: PathBuf| async move { m.read(&path.display().to_string()).await };
            match authenticate_reading(&client, password, read).await {
                Ok((method, protocol_info)) => {
                    return Ok(Connection {
                        client,
                        events,
                        target: target.clone(),
                        method,
                        protocol_info,
                    })
                }
                // Closed at once: nothing behind this forwarding.
                Err(crate::control::AuthError::Client(_)) => {
                    why.push(format!("{target} (nothing answers)"));
                }
                Err(e) => return Err(ConnectError::Auth(e)),
            }
        }
        if !m.alive().await {
            return Err(ConnectError::Ssh(m.why("the connection closed")));
        }
        Err(ConnectError::Ssh(SshError::NoTor {
            host: m.host(),
            said: format!(
                "tor is not running, or not where rnyx looked: {}; give tor's ControlSocket \
                 as --ssh {}/PATH",
                why.join(", "),
                SshSpec {
                    path: None,
                    ..inner.spec.clone()
                }
            ),
        }))
    }

    /// Neither the host's sshd nor tor there can be watched from here for
    /// their return: tried every [`RETRY_MAX`] at most.
    fn reconnect_max(&self, configured: Duration) -> Duration {
        configured.min(RETRY_MAX)
    }

    fn process(&self, pid: Option<u32>) -> Vec<SystemInfo> {
        let inner = &self.inner;
        if !inner.busy.swap(true, Ordering::SeqCst) {
            let inner = Arc::clone(inner);
            tokio::spawn(async move {
                let _ = inner.refresh(pid, false).await;
                inner.busy.store(false, Ordering::SeqCst);
            });
        }
        let latest = inner
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        vec![latest.unwrap_or_default()]
    }

    async fn sockets(&self, ask: SocketAsk) -> Vec<TimedScan> {
        let inner = &self.inner;
        if let Err(why) = inner.refresh(ask.pid, true).await {
            return vec![(None, Err(format!("on {}: {why}", inner.spec.host)))];
        }
        let Some(pid) = ask.pid else {
            return vec![(None, Err("tor did not say its pid".into()))];
        };
        let unseen = inner
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|i| i.unseen.clone());
        if let Some(why) = unseen {
            return inner.fallback.scan(&ask, &why).await;
        }
        let dir = inner.mirror.join(pid.to_string());
        vec![(
            None,
            super::local::scan(&inner.scanner, dir, ask.ports).await,
        )]
    }

    async fn torrc(&self, path: Option<String>, _pid: Option<u32>, now: u64) -> Option<Torrc> {
        let inner = &self.inner;
        let files = inner.mirror.join("files");
        let _ = std::fs::remove_dir_all(&files);
        let place = Place {
            proc_dir: None,
            chroot: Some(files.clone()),
        };
        let mut wanted: Vec<String> = path.iter().cloned().collect();
        let mut fetched = std::collections::HashSet::new();
        let mut torrc = read_torrc(path.as_deref(), &place, now);
        // The torrc, then what it includes, level by level.
        for _ in 0..=4 {
            wanted.retain(|p| fetched.insert(p.clone()));
            if wanted.is_empty() {
                break;
            }
            if let Err(e) = inner.m.copy(&wanted, &files).await {
                torrc.error = Some(format!("on {}: {e}", inner.spec.host));
                break;
            }
            torrc = read_torrc(path.as_deref(), &place, now);
            wanted = torrc
                .files
                .iter()
                .flat_map(|f| {
                    f.lines
                        .iter()
                        .filter_map(|l| rnyx_grammar::torrc::include(l))
                })
                .map(str::to_owned)
                .collect();
        }
        // Paths as tor gives them, on its machine.
        let prefix = files.display().to_string();
        for f in &mut torrc.files {
            if let Some(rest) = f.path.strip_prefix(&prefix) {
                f.path = format!("{}:{rest}", inner.spec.host);
            }
        }
        if let Some(p) = &mut torrc.path {
            if let Some(rest) = p.strip_prefix(&prefix) {
                *p = format!("{}:{rest}", inner.spec.host);
            }
        }
        Some(torrc)
    }

    async fn manual(&self) -> rnyx_grammar::model::Manual {
        let m = &self.inner.m;
        let there = m.read(crate::manual::INSTALLED).await.and_then(|bytes| {
            let source = format!("{}:{}", m.spec.host, crate::manual::INSTALLED);
            crate::manual::of_bytes(source, &bytes)
        });
        match there {
            Ok(manual) if !manual.is_empty() => manual,
            _ => tokio::task::spawn_blocking(crate::manual::load)
                .await
                .unwrap_or_else(|_| crate::manual::embedded()),
        }
    }

    async fn cert(&self, keys: PathBuf) -> Option<u64> {
        let path = keys.join("ed25519_signing_cert");
        let bytes = self.inner.m.read(&path.display().to_string()).await.ok()?;
        rnyx_grammar::model::health::signals::signing_cert_expiry(&bytes)
    }

    async fn tor_log(&self, path: String, pid: Option<u32>, max_lines: usize) -> TorLog {
        let inner = &self.inner;
        // `~` and relative paths as tor takes them: its home and its
        // working directory on its machine.
        let cwd = pid.map_or_else(String::new, |p| format!("cd /proc/{p}/cwd 2>/dev/null; "));
        let word = match path.strip_prefix("~/") {
            Some(rest) => format!("\"$HOME\"/{}", quote(rest)),
            None => quote(&path),
        };
        let shown = format!("{}:{path}", inner.spec.host);
        match inner
            .run(&format!("{cwd}tail -n {max_lines} -- {word}"))
            .await
        {
            Ok(out) => TorLog::Lines {
                path: shown,
                lines: String::from_utf8_lossy(&out)
                    .lines()
                    .map(str::to_owned)
                    .collect(),
            },
            Err(why) => TorLog::Unreadable { path: shown, why },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_as_ssh_takes_them() {
        let s = SshSpec::parse("admin@relay1.example.org:2222/run/tor/control").unwrap();
        assert_eq!(s.user.as_deref(), Some("admin"));
        assert_eq!(s.host, "relay1.example.org");
        assert_eq!(s.port, Some(2222));
        assert_eq!(s.path, Some(PathBuf::from("/run/tor/control")));
        assert_eq!(
            s.to_string(),
            "admin@relay1.example.org:2222/run/tor/control"
        );
        let s = SshSpec::parse("relay2").unwrap();
        assert_eq!((s.user, s.port, s.path), (None, None, None));
        let s = SshSpec::parse("[2001:db8::1]:22").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("2001:db8::1", Some(22)));
        assert_eq!(s.to_string(), "[2001:db8::1]:22");
        for bad in ["", "@host", "host:port", "-oProxyCommand=x", "a b", "[::1"] {
            assert!(SshSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn words_are_quoted_for_the_remote_shell() {
        assert_eq!(quote("/run/tor/control"), "'/run/tor/control'");
        assert_eq!(quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn the_runtime_directory_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let run = d.path().join("run");
        std::fs::create_dir(&run).unwrap();
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        let dir = runtime_dir_in(Some(run.clone().into())).unwrap();
        assert_eq!(dir, run.join("rnyx"));
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        // What an rnyx that is gone left is removed; a running one's stays.
        let gone = dir.join("s4194303-0.ctl");
        let ours = dir.join(format!("s{}-0.proc", std::process::id()));
        std::fs::write(&gone, "").unwrap();
        std::fs::create_dir(&ours).unwrap();
        runtime_dir_in(Some(run.clone().into())).unwrap();
        assert!(!gone.exists() && ours.exists());
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let refused = runtime_dir_in(Some(run.into()));
        assert!(refused.unwrap_err().contains("not a private directory"));
    }
}
