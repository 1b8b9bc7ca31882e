//! tor's connections for the connection table: scans of tor's sockets
//! (off the controller loop: a busy relay's take tens of milliseconds in
//! the kernel) and their classification into the state.

use super::inbox::{Done, Located, Post};
use crate::procfs::sockets::{Ports, Scanner};
use crate::procfs::ProcSampler;
use rnyx_grammar::model::{ControllerState, Listeners};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use super::inbox::Scanned;

/// Scans tor's sockets on a blocking thread; the result comes back to the
/// task's inbox.
fn spawn_scan(
    scanner: &Arc<Mutex<Scanner>>,
    dir: Result<PathBuf, String>,
    ports: Ports,
    post: &Post,
) {
    let (scanner, post) = (scanner.clone(), post.clone());
    tokio::task::spawn_blocking(move || {
        let found = dir.and_then(|d| {
            let mut scanner = scanner
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            scanner.scan(&d, &ports)
        });
        post.blocking_send(Done::Scan(found));
    });
}

/// tor's directory under `/proc`, or why there is none.
fn scan_dir(pid: Option<u32>, sampler: &mut ProcSampler) -> Result<PathBuf, String> {
    let pid = pid.ok_or("tor did not say its pid (GETINFO process/pid)")?;
    sampler
        .tor_dir(pid)
        .ok_or_else(|| format!("tor's process (pid {pid}) is not visible in /proc here"))
}

/// tor's sockets, from the `/proc` directory of tor's `pid`, in one scan.
pub fn scan_connections(
    pid: Option<u32>,
    listeners: &Listeners,
    sampler: &mut ProcSampler,
) -> Scanned {
    Scanner::default().scan(&scan_dir(pid, sampler)?, &Ports::of(listeners))
}

/// Classifies a scan into the state's connection table.
pub fn apply_connections(s: &mut ControllerState, scan: Scanned, now: u64) {
    match scan {
        Ok(scan) => {
            let classifier = rnyx_grammar::model::Classifier::new(
                &s.relay.listeners,
                &s.consensus,
                &s.circuits,
                &s.relay.hidden_targets,
                s.relay.exits,
            );
            s.connections.refresh(scan, &classifier, now);
        }
        Err(e) => s.connections.error = Some(e),
    }
}

/// Asks tor (in a task of its own) for the countries of addresses it has
/// not located yet; the answers come back to the task's inbox. tor
/// without GeoIP data refuses: `None` then, and rnyx stops asking for this
/// connection.
fn spawn_locate(client: &crate::control::Client, ips: Vec<std::net::IpAddr>, post: &Post) {
    if ips.is_empty() {
        return;
    }
    let (client, post) = (client.clone(), post.clone());
    tokio::spawn(async move {
        let keys: Vec<String> = ips.iter().map(|ip| format!("ip-to-country/{ip}")).collect();
        let answer = match client
            .send(&rnyx_grammar::command::Command::GetInfo(keys))
            .await
        {
            Ok(reply) if reply.is_ok() => Some(
                reply
                    .key_values()
                    .filter_map(|(k, v)| {
                        let ip = k.strip_prefix("ip-to-country/")?.parse().ok()?;
                        Some((ip, rnyx_grammar::text::strip_controls(v.trim())))
                    })
                    .collect(),
            ),
            _ => None,
        };
        post.send(Done::Located(answer)).await;
    });
}

/// Addresses located per refresh at most.
const LOCATE_PER_REFRESH: usize = 500;

/// The session's side of the connection table: the refresh timer; scans
/// and countries come back to the task's inbox.
pub(super) struct ConnectionWatch {
    pub tick: tokio::time::Interval,
    scanner: Arc<Mutex<Scanner>>,
    post: Post,
    /// tor has GeoIP data (until it refuses a lookup).
    geoip: bool,
}

impl ConnectionWatch {
    pub fn new(rate: std::time::Duration, post: Post) -> Self {
        let mut tick = tokio::time::interval(rate);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self {
            tick,
            scanner: Arc::default(),
            post,
            geoip: true,
        }
    }

    /// Starts a scan of tor's sockets.
    pub fn scan(&self, state: &super::SharedState, sampler: &mut ProcSampler) {
        let (pid, ports) = state.read(|s| (s.relay.pid, Ports::of(&s.relay.listeners)));
        spawn_scan(&self.scanner, scan_dir(pid, sampler), ports, &self.post);
    }

    /// A scan is back: classify it, then locate the new addresses.
    pub fn scanned(
        &self,
        state: &super::SharedState,
        client: &crate::control::Client,
        scan: Scanned,
        now: u64,
    ) {
        let ips = state.update(|s| {
            apply_connections(s, scan, now);
            s.connections.unlocated(LOCATE_PER_REFRESH)
        });
        if self.geoip {
            spawn_locate(client, ips, &self.post);
        }
    }

    /// Countries are back (or tor has no GeoIP).
    pub fn countries(&mut self, state: &super::SharedState, found: Located) {
        match found {
            Some(found) => state.update(|s| s.connections.countries.extend(found)),
            None => self.geoip = false,
        }
    }
}
