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

mod master;
mod mirror;
mod spec;

use super::files::{read_torrc, Place};
use super::{ControlOnly, Host, SocketAsk, TimedScan, TorLog, Wrap};
use crate::control::auth::authenticate_reading;
use crate::control::target::open;
use crate::control::{Client, ConnectError, Connection, SshError, Target};
use crate::procfs::sockets::Scanner;
use crate::procfs::ProcSampler;
use master::{master_for, next_name, Master};
use rnyx_model::{SystemInfo, Torrc};
use spec::quote;
pub use spec::{runtime_dir, SshSpec};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The longest wait between attempts to reach the host again.
const RETRY_MAX: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct Ssh {
    inner: Arc<Inner>,
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

impl Ssh {
    /// The host `spec` names, reached with `command` (`ssh` and any first
    /// arguments); its files in `dir` (see [`runtime_dir`]).
    pub fn new(spec: SshSpec, command: &[String], dir: &Path) -> Self {
        let m = master_for(&spec, command, dir);
        let n = next_name();
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

    async fn manual(&self) -> rnyx_model::Manual {
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
        rnyx_model::health::signals::signing_cert_expiry(&bytes)
    }

    async fn metrics(&self, at: &str) -> Vec<super::metrics::Metered> {
        let read = match self.inner.run(&metrics_command(at)).await {
            Ok(out) => super::metrics::complete_at_end(&out).map_err(|why| {
                format!("tor's MetricsPort at {}:{at}: {why}", self.inner.spec.host)
            }),
            Err(why) => Err(format!(
                "cannot read tor's MetricsPort at {}:{at}: {why}",
                self.inner.spec.host
            )),
        };
        vec![(None, read)]
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

/// A shell command that reads `at` on tor's machine and prints the whole
/// answer: curl where it is installed, else bash's `/dev/tcp`.
fn metrics_command(at: &str) -> String {
    let q = quote;
    if let Some(path) = at.strip_prefix("unix:") {
        return format!(
            "curl -sS -i -m 5 --unix-socket {} http://localhost/metrics",
            q(path)
        );
    }
    let (host, port) = at.rsplit_once(':').unwrap_or((at, "9035"));
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let bash = format!(
        "exec 3<>/dev/tcp/{host}/{port} && printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && {{ timeout 3 cat <&3; true; }}"
    );
    format!(
        "if command -v curl >/dev/null; then curl -sS -i -m 5 {}; else bash -c {}; fi",
        q(&format!("http://{at}/metrics")),
        q(&bash)
    )
}
