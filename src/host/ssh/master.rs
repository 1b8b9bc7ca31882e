//! The master connection to a host: one per host (per ssh command,
//! destination and port), shared by the relays there; what runs through
//! it — the forwardings, remote commands, files read there.

use super::spec::{quote, SshSpec};
use crate::control::{SshError, Target};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::process::Command;

/// How long the master connection may take to come up.
const CONNECT_WITHIN: Duration = Duration::from_secs(15);
/// How long one remote command may take.
const COMMAND_WITHIN: Duration = Duration::from_secs(10);
/// A remote file read is at most this large (a torrc, a certificate).
const MAX_FILE: usize = 4 << 20;

/// Distinguishes the hosts of one rnyx in the runtime directory.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// A name for this rnyx's next files in the runtime directory.
pub(super) fn next_name() -> String {
    format!(
        "s{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// One master connection per host (per ssh command, destination and
/// port), shared by the relays there.
pub(super) struct Master {
    pub(super) spec: SshSpec,
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
pub(super) fn master_for(spec: &SshSpec, command: &[String], dir: &Path) -> Arc<Master> {
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
    let n = next_name();
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

impl Master {
    pub(super) fn host(&self) -> String {
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
    pub(super) async fn alive(&self) -> bool {
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
    pub(super) async fn up(&self) -> Result<(), SshError> {
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
                    let line = rnyx_model::text::strip_controls(line.trim());
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
    pub(super) fn why(&self, otherwise: &str) -> SshError {
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
    pub(super) async fn run(&self, script: &str) -> Result<Vec<u8>, String> {
        let mut c = self.ssh();
        c.arg(self.spec.destination())
            .arg(format!("exec sh -c {}", quote(script)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match tokio::time::timeout(COMMAND_WITHIN, c.output()).await {
            Ok(Ok(out)) if out.status.success() => Ok(out.stdout),
            Ok(Ok(out)) => Err(rnyx_model::text::strip_controls(
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
    pub(super) async fn forward(&self, target: &Target) -> Result<PathBuf, String> {
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
            Ok(Ok(out)) => Err(rnyx_model::text::strip_controls(
                String::from_utf8_lossy(&out.stderr).trim(),
            )),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("ssh did not forward in time".into()),
        }
    }

    /// Which of `targets` are there on the host: sockets that exist, and
    /// every port (a port cannot be looked at without connecting). Globs
    /// (`/run/tor-instances/*/control`) are expanded there.
    pub(super) async fn present(&self, targets: &[Target]) -> Result<Vec<Target>, SshError> {
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

impl Master {
    /// Reads `path` on the host (at most [`MAX_FILE`]).
    pub(super) async fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let mut bytes = self
            .run(&format!("head -c {MAX_FILE} -- {}", quote(path)))
            .await?;
        bytes.truncate(MAX_FILE);
        Ok(bytes)
    }

    /// Copies `paths` of the host (globs expanded there, directories with
    /// their files) under `into`.
    pub(super) async fn copy(&self, paths: &[String], into: &Path) -> Result<(), String> {
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
