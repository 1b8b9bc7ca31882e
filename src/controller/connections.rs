//! tor's connections for the connection table: scans of tor's sockets,
//! through the host (off the controller loop: a busy relay's take tens of
//! milliseconds in the kernel), and their classification into the state.

use super::inbox::{Done, Located, Post};
use crate::host::{SharedHost, SocketAsk};
use crate::procfs::sockets::Ports;
use rnyx_model::ControllerState;

pub use super::inbox::Scanned;

/// Classifies a scan into the state's connection table.
pub fn apply_connections(s: &mut ControllerState, scan: Scanned, now: u64) {
    match scan {
        Ok(scan) => {
            let classifier = rnyx_model::Classifier::new(
                &s.facts.relay.listeners,
                &s.facts.consensus,
                &s.net.circuits,
                &s.facts.relay.hidden_targets,
                s.facts.relay.exits,
            );
            s.net.connections.refresh(scan, &classifier, now);
        }
        Err(e) => s.net.connections.error = Some(e),
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
                        Some((ip, rnyx_model::text::strip_controls(v.trim())))
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
    host: SharedHost,
    post: Post,
    /// tor has GeoIP data (until it refuses a lookup).
    geoip: bool,
}

impl ConnectionWatch {
    pub fn new(rate: std::time::Duration, host: SharedHost, post: Post) -> Self {
        let mut tick = tokio::time::interval(rate);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self {
            tick,
            host,
            post,
            geoip: true,
        }
    }

    /// What a scan is asked with.
    pub fn ask(state: &super::SharedState, client: &crate::control::Client) -> SocketAsk {
        let (pid, ports) = state.read(|s| (s.facts.relay.pid, Ports::of(&s.facts.relay.listeners)));
        SocketAsk {
            pid,
            ports,
            client: client.clone(),
        }
    }

    /// Starts a scan of tor's sockets; what the host answers comes back to
    /// the task's inbox.
    pub fn scan(&self, state: &super::SharedState, client: &crate::control::Client) {
        let (host, post, ask) = (
            self.host.clone(),
            self.post.clone(),
            Self::ask(state, client),
        );
        tokio::spawn(async move {
            for found in host.sockets(ask).await {
                post.send(Done::Scan(Box::new(found))).await;
            }
        });
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
            s.net.connections.unlocated(LOCATE_PER_REFRESH)
        });
        if self.geoip {
            spawn_locate(client, ips, &self.post);
        }
    }

    /// Countries are back (or tor has no GeoIP).
    pub fn countries(&mut self, state: &super::SharedState, found: Located) {
        match found {
            Some(found) => state.update(|s| s.net.connections.countries.extend(found)),
            None => self.geoip = false,
        }
    }
}
