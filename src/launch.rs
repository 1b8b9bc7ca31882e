//! Starting real tor processes for tests, benchmarks and the demo, safely:
//! a single tor always has `DisableNetwork 1`; a private network runs only
//! inside a network namespace of its own that holds nothing but loopback.
//! Every tor is started with `__OwningControllerProcess` set to this
//! process, so none outlives it, and is killed when its handle drops.

pub mod network;
pub mod single;
pub mod sshd;

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

pub use network::{NetworkSpec, PrivateNetwork};
pub use single::{ControlKind, SingleTor, SingleTorOptions};

/// Why a tor could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("tor is not installed (no `{0}` on PATH); install Debian's package `tor`")]
    Missing(&'static str),
    #[error("`{0}` is not installed; install Debian's package `{1}`")]
    Tool(&'static str, &'static str),
    #[error("cannot create a network namespace with `unshare -rn` ({0}); rnyx needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or root")]
    NoNamespace(String),
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    #[error("{what} was not ready within {secs} s; its log ends:\n{log_tail}")]
    Timeout {
        what: String,
        secs: u64,
        log_tail: String,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Finds `name` on PATH.
pub fn which(name: &'static str) -> Result<PathBuf, LaunchError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(LaunchError::Missing(name))
}

/// Polls `ready` every 50 ms until it is true or `timeout` passes.
fn wait_until(
    what: &str,
    timeout: Duration,
    log: &Path,
    mut ready: impl FnMut() -> bool,
) -> Result<(), LaunchError> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(LaunchError::Timeout {
        what: what.to_owned(),
        secs: timeout.as_secs(),
        log_tail: log_tail(log, 15),
    })
}

/// The last `n` lines of a log file.
pub fn log_tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Writes a torrc from `(option, value)` pairs.
fn write_torrc(path: &Path, lines: &[(String, String)]) -> Result<(), LaunchError> {
    let mut text = String::new();
    for (k, v) in lines {
        text.push_str(k);
        text.push(' ');
        text.push_str(v);
        text.push('\n');
    }
    std::fs::write(path, text)?;
    Ok(())
}

#[allow(clippy::needless_pass_by_value)] // call sites read best with plain values
fn opt(k: &str, v: impl ToString) -> (String, String) {
    (k.to_owned(), v.to_string())
}

/// Creates `dir` with mode 0700, as tor wants for its data directory.
fn private_dir(dir: &Path) -> Result<(), LaunchError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    Ok(())
}

/// An empty file in `dir`, for `--defaults-torrc` (tor will not read /dev/null).
fn empty_file(dir: &Path) -> Result<PathBuf, LaunchError> {
    let path = dir.join("empty-torrc");
    if !path.exists() {
        std::fs::write(&path, "")?;
    }
    Ok(path)
}
