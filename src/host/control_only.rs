//! A tor seen through its control port only: in a container reached
//! through a bind-mounted socket or a published port, in another pid
//! namespace, or another user's without privileges. Its process and files
//! are not visible; its connections are what tor reports: `orconn-status`
//! (each peer's address from the consensus, `ns/id/…`) and, for an exit,
//! `stream-status`.

use super::{Host, SocketAsk, TimedScan, TorLog};
use crate::control::Client;
use crate::procfs::ProcSampler;
use rnyx_model::{Socket, SocketScan, SocketSource, SocketTable, SystemInfo, Torrc};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// What the header says of a tor seen only through its control port.
pub const UNSEEN: &str = "tor's process is not visible from here";

#[derive(Debug, Default)]
pub struct ControlOnly {
    /// rnyx's own process (its CPU), sampled here.
    sampler: Mutex<Option<ProcSampler>>,
    /// Relays' ORPorts by fingerprint, as the consensus gave them (`None`:
    /// not in it).
    addresses: Mutex<HashMap<String, Option<SocketAddr>>>,
}

/// The local end of a connection tor reports without one.
const UNKNOWN_END: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);

impl ControlOnly {
    /// tor's connections as it reports them; `why`: why its sockets are
    /// not read.
    pub async fn scan(&self, ask: &SocketAsk, why: &str) -> Vec<TimedScan> {
        let (orconns, streams) = tokio::join!(
            ask.client.getinfo("orconn-status"),
            ask.client.getinfo("stream-status")
        );
        let orconns = match orconns {
            Ok(text) => rnyx_grammar::getinfo::orconn_status(&text).keep(&mut Vec::new()),
            Err(e) => return vec![(None, Err(format!("GETINFO orconn-status: {e}")))],
        };
        // Clients' connections reach tor on its ORPort, as it listens.
        let or_port = ask.ports.or.first().copied();
        let mut sockets = Vec::new();
        for c in orconns
            .iter()
            .filter(|c| c.status == rnyx_model::OrConnStatus::Connected)
        {
            if let Ok(addr) = c.target.parse::<SocketAddr>() {
                sockets.push(Socket {
                    local: or_port.unwrap_or(UNKNOWN_END),
                    remote: addr,
                });
            } else if let Some(addr) = self.relay_address(&ask.client, &c.target).await {
                sockets.push(Socket {
                    local: UNKNOWN_END,
                    remote: addr,
                });
            }
        }
        if let Ok(text) = streams {
            for s in rnyx_grammar::getinfo::stream_status(&text).keep(&mut Vec::new()) {
                if s.status == "SUCCEEDED" {
                    if let Ok(remote) = s.target.parse::<SocketAddr>() {
                        sockets.push(Socket {
                            local: UNKNOWN_END,
                            remote,
                        });
                    }
                }
            }
        }
        vec![(
            None,
            Ok(SocketScan {
                sockets,
                source: SocketSource::ControlPort {
                    why: why.to_owned(),
                },
                table: SocketTable::ControlPort,
                processes: HashMap::new(),
            }),
        )]
    }

    /// The ORPort of the relay `long_name` (`$FP~nick`, `$FP=nick`, `$FP`)
    /// names, from the consensus; asked once per relay.
    async fn relay_address(&self, client: &Client, long_name: &str) -> Option<SocketAddr> {
        let fp = long_name.strip_prefix('$')?.get(..40)?.to_ascii_uppercase();
        let known = self
            .addresses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&fp)
            .copied();
        if let Some(known) = known {
            return known;
        }
        let found = client
            .getinfo(&format!("ns/id/{fp}"))
            .await
            .ok()
            .and_then(|text| {
                let r = rnyx_grammar::event::parse_router_statuses(&text)
                    .into_iter()
                    .next()?;
                Some(SocketAddr::new(r.address.parse().ok()?, r.or_port))
            });
        self.addresses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(fp, found);
        found
    }
}

#[async_trait::async_trait]
impl Host for ControlOnly {
    fn process(&self, _pid: Option<u32>) -> Vec<SystemInfo> {
        let mut sampler = self.sampler.lock().unwrap_or_else(PoisonError::into_inner);
        let own = sampler
            .get_or_insert_with(ProcSampler::default)
            .sample(None);
        vec![SystemInfo {
            rnyx_cpu: own.rnyx_cpu,
            unseen: Some(UNSEEN.to_owned()),
            ..SystemInfo::default()
        }]
    }

    async fn sockets(&self, ask: SocketAsk) -> Vec<TimedScan> {
        self.scan(&ask, UNSEEN).await
    }

    async fn torrc(&self, path: Option<String>, _pid: Option<u32>, now: u64) -> Option<Torrc> {
        Some(Torrc {
            read_at: now,
            error: Some(format!(
                "{} is on tor's machine, which rnyx sees only through tor's control port",
                path.as_deref().unwrap_or("tor's torrc")
            )),
            ..Torrc::default()
        })
    }

    async fn cert(&self, _keys: PathBuf) -> Option<u64> {
        None
    }

    async fn tor_log(&self, path: String, _pid: Option<u32>, _max_lines: usize) -> TorLog {
        TorLog::Unreadable {
            path,
            why: "it is on tor's machine, which rnyx sees only through tor's control port".into(),
        }
    }
}
