//! tor's connections for the connection table: scans of tor's sockets
//! (off the controller loop: a busy relay's take tens of milliseconds in
//! the kernel) and their classification into the state.

use crate::procfs::ProcSampler;
use rnyx_panels::model::ControllerState;
use std::path::PathBuf;
use tokio::sync::mpsc;

/// A finished scan of tor's sockets.
pub(super) type Scanned = Result<crate::procfs::sockets::Scan, String>;

/// Scans tor's sockets on a blocking thread; the result comes back on `tx`.
pub(super) fn spawn_scan(dir: Result<PathBuf, String>, tx: &mpsc::Sender<Scanned>) {
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let _ = tx.blocking_send(dir.and_then(|d| crate::procfs::sockets::scan(&d)));
    });
}

/// tor's directory under `/proc`, or why there is none.
pub(super) fn scan_dir(pid: Option<u32>, sampler: &mut ProcSampler) -> Result<PathBuf, String> {
    let pid = pid.ok_or("tor did not say its pid (GETINFO process/pid)")?;
    sampler
        .tor_dir(pid)
        .ok_or_else(|| format!("tor's process (pid {pid}) is not visible in /proc here"))
}

/// tor's sockets, from the `/proc` directory of tor's `pid`.
pub fn scan_connections(pid: Option<u32>, sampler: &mut ProcSampler) -> Scanned {
    crate::procfs::sockets::scan(&scan_dir(pid, sampler)?)
}

/// Classifies a scan into the state's connection table.
pub fn apply_connections(s: &mut ControllerState, scan: Scanned, now: u64) {
    match scan {
        Ok(scan) => {
            let classifier = rnyx_panels::model::Classifier::new(
                &s.relay.listeners,
                &s.consensus,
                &s.circuits,
                &s.relay.hidden_targets,
                s.relay.exits,
            );
            s.connections
                .refresh(&scan.sockets, scan.source, &classifier, now);
        }
        Err(e) => s.connections.error = Some(e),
    }
}
