//! This machine's tor: `/proc` for its process, sock_diag (or
//! `/proc/<pid>/net`) for its sockets, its files read from disk. What
//! cannot be seen from here — tor's process in another pid namespace, or
//! another user's — falls back, one capability at a time, to what the
//! control port tells ([`ControlOnly`]).

use super::files::{cert_expiry, read_tail, read_torrc, resolve_tor_path, Place};
use super::{ControlOnly, Host, Seen, SocketAsk, TimedScan, TorLog};
use crate::control::Target;
use crate::procfs::sockets::Scanner;
use crate::procfs::ProcSampler;
use rnyx_model::{SystemInfo, Torrc};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How long a look at a TCP port may take.
const PORT_LOOK: Duration = Duration::from_millis(200);

pub struct Local {
    sampler: Mutex<ProcSampler>,
    scanner: Arc<Mutex<Scanner>>,
    /// nyxrc's `tor_chroot`: prefix of every path tor gives.
    chroot: Option<PathBuf>,
    /// What tells of tor when its process cannot be seen.
    fallback: ControlOnly,
}

impl std::fmt::Debug for Local {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Local")
            .field("chroot", &self.chroot)
            .finish_non_exhaustive()
    }
}

impl Local {
    pub fn new(chroot: Option<PathBuf>) -> Self {
        Self {
            sampler: Mutex::new(ProcSampler::default()),
            scanner: Arc::default(),
            chroot,
            fallback: ControlOnly::default(),
        }
    }

    fn sampler(&self) -> std::sync::MutexGuard<'_, ProcSampler> {
        self.sampler.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// tor's directory under `/proc`, or why it cannot be seen.
    fn tor_dir(&self, pid: Option<u32>) -> Result<PathBuf, String> {
        let pid = pid.ok_or("tor did not say its pid (GETINFO process/pid)")?;
        self.sampler().tor_dir(pid).ok_or_else(|| unseen(pid))
    }
}

/// Scans the sockets of the tor whose `/proc` directory is `dir`, on a
/// blocking thread (a busy relay's take tens of milliseconds).
pub(super) async fn scan(
    scanner: &Arc<Mutex<Scanner>>,
    dir: PathBuf,
    ports: crate::procfs::sockets::Ports,
) -> super::Scanned {
    let scanner = Arc::clone(scanner);
    tokio::task::spawn_blocking(move || {
        scanner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .scan(&dir, &ports)
    })
    .await
    .unwrap_or_else(|e| Err(format!("the socket scan failed: {e}")))
}

/// Why tor's process is not read here.
fn unseen(pid: u32) -> String {
    format!("tor's process (pid {pid}) is not visible from here")
}

#[async_trait::async_trait]
impl Host for Local {
    fn process(&self, pid: Option<u32>) -> Vec<SystemInfo> {
        let mut sampler = self.sampler();
        let mut info = sampler.sample(pid);
        if let Some(pid) = pid {
            if sampler.tor_dir(pid).is_none() {
                info.unseen = Some(unseen(pid));
            }
        }
        vec![info]
    }

    async fn sockets(&self, ask: SocketAsk) -> Vec<TimedScan> {
        let dir = match self.tor_dir(ask.pid) {
            Ok(dir) => dir,
            // Not visible from here: as tor reports them.
            Err(why) if ask.pid.is_some() => return self.fallback.scan(&ask, &why).await,
            Err(why) => return vec![(None, Err(why))],
        };
        vec![(None, scan(&self.scanner, dir, ask.ports).await)]
    }

    async fn torrc(&self, path: Option<String>, pid: Option<u32>, now: u64) -> Option<Torrc> {
        let place = Place {
            proc_dir: self.tor_dir(pid).ok(),
            chroot: self.chroot.clone(),
        };
        tokio::task::spawn_blocking(move || read_torrc(path.as_deref(), &place, now))
            .await
            .ok()
    }

    async fn cert(&self, keys: PathBuf) -> Option<u64> {
        let chroot = self.chroot.clone();
        tokio::task::spawn_blocking(move || cert_expiry(&keys, chroot.as_deref()))
            .await
            .ok()
            .flatten()
    }

    async fn tor_log(&self, path: String, pid: Option<u32>, max_lines: usize) -> TorLog {
        let mut resolved = resolve_tor_path(&path, pid, std::path::Path::new("/proc"));
        if let Some(root) = &self.chroot {
            resolved = root.join(resolved.strip_prefix("/").unwrap_or(&resolved));
        }
        let shown = resolved.display().to_string();
        match tokio::task::spawn_blocking(move || read_tail(&resolved, max_lines)).await {
            Ok(Ok(lines)) => TorLog::Lines { path: shown, lines },
            Ok(Err(e)) => TorLog::Unreadable {
                path: shown,
                why: e.to_string(),
            },
            Err(e) => TorLog::Unreadable {
                path: shown,
                why: e.to_string(),
            },
        }
    }

    fn children(&self, pid: u32) -> Option<Vec<(String, u32)>> {
        let dir = self.tor_dir(Some(pid)).ok()?;
        let root = dir.parent()?;
        Some(crate::procfs::children(root, &dir))
    }

    fn path_here(&self, path: &str) -> Option<PathBuf> {
        let p = PathBuf::from(path);
        Some(match &self.chroot {
            Some(root) => root.join(p.strip_prefix("/").unwrap_or(&p)),
            None => p,
        })
    }

    async fn look(&self, target: &Target) -> Option<Seen> {
        match target {
            Target::Unix(path) => {
                use std::os::unix::fs::MetadataExt;
                let m = std::fs::metadata(path).ok()?;
                Some(Seen::File(m.dev(), m.ino(), m.ctime(), m.ctime_nsec()))
            }
            Target::Tcp(addr) => {
                let open =
                    tokio::time::timeout(PORT_LOOK, tokio::net::TcpStream::connect(addr)).await;
                matches!(open, Ok(Ok(_))).then_some(Seen::Open)
            }
        }
    }
}
