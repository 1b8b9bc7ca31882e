//! A bridge, as its operator watches it: `BridgeRelay 1`, how it is
//! handed out (`BridgeDistribution`), its pluggable transports — each
//! configured (`ServerTransportPlugin`, `ServerTransportListenAddr`), where
//! tor says it launched (TRANSPORT_LAUNCHED, control-spec §4.1.21), what
//! it says of itself (PT_STATUS, PT_LOG) and whether tor saw its process
//! end — and the clients tor counted (`status/clients-seen`: by country
//! and IP version, rounded up to multiples of 8 by tor), over time.

use serde::Serialize;
use std::collections::VecDeque;

/// Readings of the client total kept (one every [`CLIENT_EVERY`] s: a day).
pub const CLIENT_READINGS: usize = 144;
/// Seconds between two kept readings of the client total.
pub const CLIENT_EVERY: u64 = 600;
/// Seconds a transport's warning stays an alert after it said it.
pub const WARNING_LASTS: u64 = 600;

/// One pluggable transport of the bridge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Transport {
    /// `obfs4`, `webtunnel`…
    pub name: String,
    /// The program tor runs for it (`exec …`), when managed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// `ServerTransportListenAddr`, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// Where tor says it listens (`ADDRESS:PORT`) and since when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launched: Option<(String, u64)>,
    /// Its process, where the host can see tor's children.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// When tor said its process ended (or it was seen gone), and the
    /// words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exited: Option<(u64, String)>,
    /// When its process last ended and tor started it again (a new pid),
    /// and what was seen; how many times since rnyx started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restarted: Option<(u64, String)>,
    pub restarts: u32,
    /// Its last PT_LOG at warning or error: when, and its words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<(u64, String)>,
    /// Its last PT_STATUS fields and when.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<(String, String)>,
    /// The bridge line to hand out (the transport's state file, where the
    /// host has it here: obfs4's `obfs4_bridgeline.txt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge_line: Option<String>,
}

impl Transport {
    /// Whether its process is known to run: launched or seen, and not
    /// ended since.
    pub fn running(&self) -> bool {
        (self.launched.is_some() || self.pid.is_some()) && self.exited.is_none()
    }
}

/// Clients tor counted (`status/clients-seen`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClientsSeen {
    /// Unix second it was read.
    pub at: u64,
    /// Since when tor counts (`TimeStarted`, as tor wrote it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Clients by country (`??` unknown), as tor rounds them.
    pub countries: Vec<(String, u32)>,
    /// Clients by IP version (`v4`, `v6`).
    pub ip_versions: Vec<(String, u32)>,
}

impl ClientsSeen {
    pub fn total(&self) -> u32 {
        self.countries.iter().map(|(_, n)| n).sum()
    }
}

/// The bridge side of the watched tor; empty when it is not a bridge and
/// runs no server transport.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Bridge {
    /// `BridgeRelay 1`.
    pub bridge: bool,
    /// `BridgeDistribution` (`any`, `https`, `email`, `moat`, `none`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<String>,
    pub transports: Vec<Transport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clients: Option<ClientsSeen>,
    /// The client total over time: (Unix second, total), oldest first.
    pub client_totals: VecDeque<(u64, u32)>,
    /// Unix second clients were first read, and last read above none.
    #[serde(skip)]
    pub counting_since: Option<u64>,
    #[serde(skip)]
    pub last_client: Option<u64>,
    /// What tor last said of publishing the descriptor to the bridge
    /// authority, since rnyx started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<AuthorityAnswer>,
}

/// The bridge authority's answer to the bridge's descriptor, as tor
/// reports it: STATUS_SERVER `ACCEPTED_SERVER_DESCRIPTOR` or
/// `BAD_SERVER_DESCRIPTOR` (control-spec §4.1.10, `DIRAUTH`, `REASON`), or
/// tor's warning that it knows no bridge authority. tor publishes when its
/// descriptor changes, at least every 18 hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum AuthorityAnswer {
    Accepted {
        at: u64,
        authority: String,
    },
    Rejected {
        at: u64,
        authority: String,
        reason: String,
    },
    NoneListed {
        at: u64,
    },
}

/// The bridge's configuration as tor gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BridgeConfig {
    pub bridge: bool,
    pub distribution: Option<String>,
    /// `ServerTransportPlugin` values (`obfs4 exec /usr/bin/obfs4proxy`).
    pub plugins: Vec<String>,
    /// `ServerTransportListenAddr` values (`obfs4 0.0.0.0:443`).
    pub listen: Vec<String>,
}

impl Bridge {
    /// Whether there is anything to show or watch.
    pub fn is_empty(&self) -> bool {
        !self.bridge && self.transports.is_empty()
    }

    /// STATUS_SERVER of the bridge's own descriptor upload (the bridge
    /// authority's answer); nothing for a public relay.
    pub fn on_server_status(&mut self, action: &str, args: &[(String, String)], now: u64) {
        if !self.bridge {
            return;
        }
        let arg = |k: &str| {
            args.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| crate::text::strip_controls(v))
                .unwrap_or_default()
        };
        self.authority = match action {
            "ACCEPTED_SERVER_DESCRIPTOR" => Some(AuthorityAnswer::Accepted {
                at: now,
                authority: arg("DIRAUTH"),
            }),
            "BAD_SERVER_DESCRIPTOR" => Some(AuthorityAnswer::Rejected {
                at: now,
                authority: arg("DIRAUTH"),
                reason: arg("REASON"),
            }),
            _ => return,
        };
    }

    /// The events a bridge's transports need (none otherwise).
    pub fn events(&self) -> &'static [&'static str] {
        if self.transports.is_empty() {
            &[]
        } else {
            &["TRANSPORT_LAUNCHED", "PT_STATUS", "PT_LOG"]
        }
    }

    /// The configuration read now: transports kept keep what was seen.
    pub fn configure(&mut self, c: BridgeConfig) {
        self.bridge = c.bridge;
        self.distribution = c.distribution;
        let mut old = std::mem::take(&mut self.transports);
        for plugin in &c.plugins {
            let mut words = plugin.split_whitespace();
            let names = words.next().unwrap_or_default();
            let program = match words.next() {
                Some("exec") => words.next().map(crate::text::strip_controls),
                _ => None,
            };
            for name in names.split(',').filter(|n| !n.is_empty()) {
                let name = crate::text::strip_controls(name);
                let mut t = match old.iter().position(|t| t.name == name) {
                    Some(i) => old.remove(i),
                    None => Transport {
                        name: name.clone(),
                        ..Transport::default()
                    },
                };
                t.program.clone_from(&program);
                t.listen = c.listen.iter().find_map(|l| {
                    let (n, at) = l.split_once(char::is_whitespace)?;
                    (n == name).then(|| crate::text::strip_controls(at.trim()))
                });
                self.transports.push(t);
            }
        }
    }

    fn transport(&mut self, name: &str) -> Option<&mut Transport> {
        self.transports.iter_mut().find(|t| t.name == name)
    }

    /// TRANSPORT_LAUNCHED of a server transport.
    pub fn on_launched(&mut self, name: &str, at: String, now: u64) {
        if let Some(t) = self.transport(name) {
            t.launched = Some((at, now));
            t.exited = None;
        }
    }

    /// PT_STATUS (`transport` when it names one) or PT_LOG (`severity`):
    /// kept on the transports the program runs.
    pub fn on_pt(&mut self, program: &str, transport: Option<&str>, said: PtSaid<'_>, now: u64) {
        for t in &mut self.transports {
            let ours = t.program.as_deref() == Some(program)
                && transport.is_none_or(|name| name == t.name);
            if !ours {
                continue;
            }
            match said {
                PtSaid::Status(fields) => t.status = fields.to_vec(),
                PtSaid::Log(severity, message) => {
                    if matches!(severity, "warning" | "error") {
                        let words = crate::text::strip_controls(&format!("{severity}: {message}"));
                        t.warning = Some((now, words));
                    }
                }
            }
        }
    }

    /// A line of tor's log: tor says when a managed transport's process
    /// ended (`… terminated with status code N`), naming no transport, so
    /// every running one of the bridge is marked (tor starts them again
    /// only on HUP, with a TRANSPORT_LAUNCHED).
    pub fn on_tor_log(&mut self, message: &str, now: u64) {
        // Said as tor becomes a bridge, maybe before rnyx reads that it is.
        if message.contains("authorities of type 'Bridge', but no authorities") {
            self.authority = Some(AuthorityAnswer::NoneListed { at: now });
            return;
        }
        if !message.contains("Pluggable Transport process terminated")
            && !message.contains("Managed proxy")
        {
            return;
        }
        if !message.contains("terminated") && !message.contains("exited") {
            return;
        }
        let words = crate::text::strip_controls(message);
        for t in self.transports.iter_mut().filter(|t| t.program.is_some()) {
            if t.exited.is_none() {
                t.exited = Some((now, words.clone()));
            }
        }
    }

    /// tor's children as the host sees them (program, pid), read with the
    /// facts: a managed transport's process found, or gone since it was.
    pub fn on_processes(&mut self, children: &[(String, u32)], now: u64) {
        for t in &mut self.transports {
            let Some(program) = &t.program else { continue };
            let found = children.iter().find(|(p, _)| {
                p == program
                    || std::path::Path::new(p).file_name()
                        == std::path::Path::new(program).file_name()
            });
            match (found, t.pid) {
                (Some((_, pid)), old) => {
                    if let Some(old) = old.filter(|old| old != pid) {
                        t.restarted = Some((
                            now,
                            format!("process {old} ended; tor started it again as {pid}"),
                        ));
                        t.restarts += 1;
                    }
                    if old != Some(*pid) {
                        t.exited = None;
                    }
                    t.pid = Some(*pid);
                }
                // The pid stays: the one tor starts next is told apart.
                (None, Some(pid)) => {
                    t.exited
                        .get_or_insert((now, format!("process {pid} is gone")));
                }
                (None, None) => {}
            }
        }
    }

    /// A reading of `status/clients-seen` at `now`.
    pub fn on_clients(&mut self, seen: ClientsSeen, now: u64) {
        let total = seen.total();
        self.counting_since.get_or_insert(now);
        if total > 0 {
            self.last_client = Some(now);
        }
        let due = self
            .client_totals
            .back()
            .is_none_or(|(t, n)| now >= t + CLIENT_EVERY || *n != total);
        if due {
            self.client_totals.push_back((now, total));
            while self.client_totals.len() > CLIENT_READINGS {
                self.client_totals.pop_front();
            }
        }
        self.clients = Some(seen);
    }

    /// Since when no client has been counted, if none is now.
    pub fn clientless_since(&self) -> Option<u64> {
        if self.clients.as_ref().is_some_and(|c| c.total() > 0) {
            return None;
        }
        self.last_client.or(self.counting_since)
    }
}

/// What a transport said: its status fields, or a log line.
#[derive(Debug, Clone, Copy)]
pub enum PtSaid<'a> {
    Status(&'a [(String, String)]),
    /// Severity, message.
    Log(&'a str, &'a str),
}

#[cfg(test)]
mod tests;
