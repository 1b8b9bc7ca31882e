//! tor's connections: its TCP sockets (read by the I/O side from tor's own
//! `/proc/<pid>/net/tcp{,6}`), each classified as Nyx does and named from
//! the consensus index. The controller task refreshes the table every
//! `connection_rate` seconds; the connections page draws it.

use super::consensus::ConsensusIndex;
use super::{CircuitStatus, CircuitTable, Listeners};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};

/// What a connection is for, decided in this order (Nyx's rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Category {
    Inbound,
    Outbound,
    Exit,
    Hidden,
    Socks,
    Circuit,
    Directory,
    Control,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Inbound,
        Category::Outbound,
        Category::Exit,
        Category::Hidden,
        Category::Socks,
        Category::Circuit,
        Category::Directory,
        Category::Control,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::Inbound => "INBOUND",
            Category::Outbound => "OUTBOUND",
            Category::Exit => "EXIT",
            Category::Hidden => "HIDDEN",
            Category::Socks => "SOCKS",
            Category::Circuit => "CIRCUIT",
            Category::Directory => "DIRECTORY",
            Category::Control => "CONTROL",
        }
    }

    /// The local end is on the left for connections to tor, the remote for
    /// connections from it.
    pub fn is_incoming(self) -> bool {
        matches!(
            self,
            Category::Inbound | Category::Socks | Category::Control
        )
    }
}

/// An established TCP connection of tor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct Socket {
    pub local: SocketAddr,
    pub remote: SocketAddr,
}

/// Where the sockets came from, and why not from something better.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SocketSource {
    /// Not read (yet): why.
    Unavailable { why: String },
    /// tor's network namespace, joined to tor's own descriptors: exactly
    /// tor's sockets.
    Descriptors,
    /// tor's network namespace, sockets of tor's user: tor's descriptors
    /// could not be read (why).
    TorUser { uid: u32, why: String },
    /// What tor reports on its control port (`orconn-status`,
    /// `stream-status`): its sockets cannot be read from here (why).
    ControlPort { why: String },
}

/// How tor's namespace's socket table was read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SocketTable {
    /// Not read yet.
    #[default]
    None,
    /// The kernel's sock_diag netlink interface, in tor's namespace.
    SockDiag,
    /// The text tables `/proc/<tor pid>/net/tcp{,6}`: sock_diag was refused
    /// (why).
    Proc { why: String },
    /// No socket table: tor's control port told.
    ControlPort,
}

/// One scan of tor's sockets, as the I/O side read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SocketScan {
    pub sockets: Vec<Socket>,
    pub source: SocketSource,
    pub table: SocketTable,
    /// `name (pid)` of the local process at the other end of SOCKS and
    /// control connections, where `/proc` tells (as pairs when stored).
    #[serde(with = "as_pairs")]
    pub processes: HashMap<Socket, String>,
}

impl SocketScan {
    /// Exactly tor's `sockets`, no process known.
    pub fn exact(sockets: &[Socket]) -> Self {
        Self {
            sockets: sockets.to_vec(),
            source: SocketSource::Descriptors,
            table: SocketTable::SockDiag,
            processes: HashMap::new(),
        }
    }
}

impl Default for SocketSource {
    fn default() -> Self {
        SocketSource::Unavailable {
            why: "not read yet".into(),
        }
    }
}

/// One connection on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    pub category: Category,
    pub local: SocketAddr,
    pub remote: SocketAddr,
    /// The peer relay, when the consensus has exactly one at the remote
    /// address (and port, for connections tor made).
    pub fingerprint: Option<String>,
    pub nickname: Option<String>,
    /// Relays the consensus lists at the remote address: more than one
    /// leaves the peer unnamed (an inbound connection's port says nothing).
    pub relays_at_address: usize,
    /// Unix seconds rnyx first saw it.
    pub first_seen: u64,
    /// Open already at rnyx's first look: its age is a lower bound.
    pub before_start: bool,
    /// The local process at the other end (SOCKS and control clients).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
}

impl Connection {
    /// Client and exit addresses are private by default: an inbound
    /// connection from something that is not a relay (a client of a guard
    /// or bridge) and what an exit connects to.
    pub fn is_private(&self) -> bool {
        match self.category {
            Category::Inbound => self.relays_at_address == 0,
            Category::Exit => true,
            _ => false,
        }
    }
}

/// The table the page shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Connections {
    pub source: SocketSource,
    pub table: SocketTable,
    pub list: Vec<Connection>,
    /// Unix seconds of the last refresh (0: never).
    pub refreshed: u64,
    /// Why the last refresh failed, if it did (the list is the one before).
    pub error: Option<String>,
    /// Countries of the remote addresses shown (tor's GeoIP, `??` when it
    /// does not know); never asked for private (scrubbed) connections.
    #[serde(skip)]
    pub countries: HashMap<IpAddr, String>,
}

impl Connections {
    /// Replaces the list with `sockets` classified; a connection seen before
    /// keeps its first-seen time. On the first refresh every connection
    /// predates rnyx.
    pub fn refresh(&mut self, scan: SocketScan, classifier: &Classifier, now: u64) {
        let first = self.refreshed == 0;
        let mut old = std::mem::take(&mut self.list);
        let mut seen = Seen::default();
        let SocketScan {
            sockets,
            source,
            table,
            mut processes,
        } = scan;
        self.list = sockets
            .iter()
            .map(|s| {
                let (category, peer) = classifier.classify(s);
                let relay = match peer {
                    Peer::One(fp, nick) => Some((fp, nick)),
                    _ => None,
                };
                let before = seen.find(&old, (s.local, s.remote)).map(|i| &mut old[i]);
                let (first_seen, before_start) = before
                    .as_ref()
                    .map_or((now, first), |c| (c.first_seen, c.before_start));
                // The names of a connection seen before are kept when the
                // same: no allocation per connection and refresh.
                let (mut fingerprint, mut nickname) = before
                    .map(|c| (c.fingerprint.take(), c.nickname.take()))
                    .unwrap_or_default();
                reuse(&mut fingerprint, relay.map(|r| r.0));
                reuse(&mut nickname, relay.map(|r| r.1));
                Connection {
                    category,
                    local: s.local,
                    remote: s.remote,
                    fingerprint,
                    nickname,
                    relays_at_address: peer.count(),
                    first_seen,
                    before_start,
                    process: if processes.is_empty() {
                        None
                    } else {
                        processes.remove(s)
                    },
                }
            })
            .collect();
        self.source = source;
        self.table = table;
        self.refreshed = now;
        self.error = None;
        if !self.countries.is_empty() {
            let shown: foldhash::HashSet<IpAddr> =
                self.list.iter().map(|c| c.remote.ip()).collect();
            self.countries.retain(|ip, _| shown.contains(ip));
        }
    }

    /// Remote addresses of connections that are not private and whose
    /// country is not known yet, at most `limit`.
    pub fn unlocated(&self, limit: usize) -> Vec<IpAddr> {
        let ips: HashSet<IpAddr> = self
            .list
            .iter()
            .filter(|c| !c.is_private())
            .map(|c| c.remote.ip())
            .filter(|ip| !self.countries.contains_key(ip))
            .collect();
        ips.into_iter().take(limit).collect()
    }

    /// The country of a connection's remote end, when known.
    pub fn country(&self, c: &Connection) -> Option<&str> {
        if c.is_private() {
            return None;
        }
        self.countries
            .get(&c.remote.ip())
            .map(String::as_str)
            .filter(|cc| *cc != "??")
    }

    /// Connections per category, in [`Category::ALL`] order, zeros left out.
    pub fn counts(&self) -> Vec<(Category, usize)> {
        let mut n = [0usize; 8];
        for c in &self.list {
            n[c.category as usize] += 1;
        }
        Category::ALL
            .into_iter()
            .zip(n)
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

/// Finds a connection of the previous list by its ends. The kernel lists
/// sockets in the same order from one scan to the next, so the one after
/// the last found is tried first; a map of the ends is made only when that
/// fails.
#[derive(Default)]
struct Seen {
    next: usize,
    map: Option<foldhash::HashMap<(SocketAddr, SocketAddr), usize>>,
}

impl Seen {
    fn find(&mut self, old: &[Connection], ends: (SocketAddr, SocketAddr)) -> Option<usize> {
        let at = |i: usize| {
            old.get(i)
                .filter(|c| (c.local, c.remote) == ends)
                .map(|_| i)
        };
        let found = at(self.next).or_else(|| {
            let map = self.map.get_or_insert_with(|| {
                old.iter()
                    .enumerate()
                    .map(|(i, c)| ((c.local, c.remote), i))
                    .collect()
            });
            map.get(&ends).copied()
        })?;
        self.next = found + 1;
        Some(found)
    }
}

/// Sets `slot` to `value`, keeping the string there when it is the same.
fn reuse(slot: &mut Option<String>, value: Option<&str>) {
    if slot.as_deref() != value {
        *slot = value.map(str::to_owned);
    }
}

/// A listener: a port, on one address or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Listener {
    ip: Option<IpAddr>,
    port: u16,
}

impl Listener {
    /// `127.0.0.1:9001`, `[::]:9001`, `0.0.0.0:9001` or a bare port; not
    /// `unix:` paths or `auto`.
    fn parse(s: &str) -> Option<Listener> {
        let s = s.trim().trim_matches('"');
        if let Ok(addr) = s.parse::<SocketAddr>() {
            let ip = (!addr.ip().is_unspecified()).then_some(addr.ip());
            return Some(Listener {
                ip,
                port: addr.port(),
            });
        }
        s.parse().ok().map(|port| Listener { ip: None, port })
    }

    fn matches(&self, local: SocketAddr) -> bool {
        self.port == local.port() && self.ip.is_none_or(|ip| ip == local.ip())
    }
}

/// Which relay is at the other end, as the consensus tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer<'a> {
    None,
    /// Fingerprint and nickname.
    One(&'a str, &'a str),
    /// Several relays share the address.
    Several(usize),
}

impl Peer<'_> {
    pub fn count(self) -> usize {
        match self {
            Peer::None => 0,
            Peer::One(..) => 1,
            Peer::Several(n) => n,
        }
    }
}

/// What deciding a category needs to know of tor.
#[derive(Debug)]
pub struct Classifier<'a> {
    relay_ports: Vec<Listener>,
    socks: Vec<Listener>,
    control: Vec<Listener>,
    consensus: &'a ConsensusIndex,
    /// Relays at the end of a built one-hop circuit (directory fetches).
    directory_ends: HashSet<&'a str>,
    /// Where onion services' ports lead (`HiddenServicePort` targets).
    hidden_targets: &'a [SocketAddr],
    /// Whether this tor exits (its policy accepts something).
    exits: bool,
}

impl<'a> Classifier<'a> {
    pub fn new(
        listeners: &Listeners,
        consensus: &'a ConsensusIndex,
        circuits: &'a CircuitTable,
        hidden_targets: &'a [SocketAddr],
        exits: bool,
    ) -> Self {
        let parse = |v: &[String]| v.iter().filter_map(|s| Listener::parse(s)).collect();
        let mut relay_ports: Vec<Listener> = parse(&listeners.or);
        relay_ports.extend(parse(&listeners.dir) as Vec<Listener>);
        // A bridge's clients through a pluggable transport come in on the
        // Extended ORPort (from the transport's process, on this machine).
        relay_ports.extend(parse(&listeners.extor) as Vec<Listener>);
        let directory_ends = circuits
            .iter()
            .filter(|c| c.status == CircuitStatus::Built && c.path.len() == 1)
            .filter_map(|c| c.path[0].fingerprint.as_deref())
            .collect();
        Self {
            relay_ports,
            socks: parse(&listeners.socks),
            control: parse(&listeners.control),
            consensus,
            directory_ends,
            hidden_targets,
            exits,
        }
    }

    /// The category, and the peer relay.
    pub fn classify(&self, s: &Socket) -> (Category, Peer<'a>) {
        let named =
            |r: &'a super::RelayEntry| Peer::One(r.fingerprint.as_str(), r.nickname.as_str());
        let on = |ls: &[Listener]| ls.iter().any(|l| l.matches(s.local));
        if on(&self.relay_ports) {
            // The peer's port is ephemeral: the relay at its address, if
            // only one is there.
            let mut at = self.consensus.at(s.remote.ip());
            let peer = match (at.next(), at.count()) {
                (None, _) => Peer::None,
                (Some(r), 0) => named(r),
                (Some(_), more) => Peer::Several(more + 1),
            };
            return (Category::Inbound, peer);
        }
        if on(&self.socks) {
            return (Category::Socks, Peer::None);
        }
        if on(&self.control) {
            return (Category::Control, Peer::None);
        }
        if self.hidden_targets.contains(&s.remote) {
            return (Category::Hidden, Peer::None);
        }
        let relay = self.consensus.relay_at(s.remote);
        let category = match relay {
            Some(r) if self.directory_ends.contains(r.fingerprint.as_str()) => Category::Directory,
            None if self.exits => Category::Exit,
            _ => Category::Outbound,
        };
        (category, relay.map_or(Peer::None, named))
    }
}

#[cfg(test)]
mod tests;

/// A map with keys JSON cannot use as keys, stored as `[key, value]` pairs.
mod as_pairs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::HashMap;
    use std::hash::Hash;

    pub fn serialize<S: Serializer, K: Serialize, V: Serialize>(
        map: &HashMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, D, K, V>(d: D) -> Result<HashMap<K, V>, D::Error>
    where
        D: Deserializer<'de>,
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}
