//! The entries of the connections page and their rows, laid out to width.

use crate::format;
use rnyx_model::{Category, Circuit, CircuitStatus, Connection, ControllerState};
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::net::SocketAddr;

/// What a scrubbed address reads as.
pub const SCRUBBED: &str = "<scrubbed>";

pub use crate::settings::ConnectionOrder as Order;

impl Order {
    fn compare(self, a: &Connection, b: &Connection) -> Ordering {
        let by_address = || {
            a.is_private()
                .cmp(&b.is_private())
                .then(a.remote.ip().cmp(&b.remote.ip()))
                .then(a.remote.port().cmp(&b.remote.port()))
        };
        // Oldest first.
        let by_age = || a.first_seen.cmp(&b.first_seen);
        match self {
            Order::Category | Order::Address => by_address().then_with(by_age),
            Order::Uptime => by_age().then_with(by_address),
            Order::Port => a.remote.port().cmp(&b.remote.port()).then_with(by_address),
            Order::Fingerprint => {
                none_last(a.fingerprint.as_ref(), b.fingerprint.as_ref()).then_with(by_address)
            }
            Order::Nickname => {
                none_last(a.nickname.as_ref(), b.nickname.as_ref()).then_with(by_address)
            }
        }
    }
}

fn none_last(a: Option<&String>, b: Option<&String>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// One entry of the list.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    Connection(&'a Connection),
    /// A circuit and how many streams it carries.
    Circuit(&'a Circuit, usize),
}

impl Entry<'_> {
    pub fn category(&self) -> Category {
        match self {
            Entry::Connection(c) => c.category,
            Entry::Circuit(..) => Category::Circuit,
        }
    }

    /// Rows it takes: one, or a circuit's header, its hops and its streams.
    pub fn rows(&self) -> usize {
        match self {
            Entry::Connection(_) => 1,
            Entry::Circuit(c, streams) => 1 + c.path.len() + streams,
        }
    }

    /// Its rows laid out to `width` characters.
    pub fn lines(
        &self,
        state: &ControllerState,
        width: usize,
        show_addresses: bool,
        now: u64,
    ) -> Vec<String> {
        match self {
            Entry::Connection(c) => {
                let country = state.net.connections.country(c);
                let bridge = state.bridge.bridge;
                vec![connection_line(
                    c,
                    country,
                    width,
                    (show_addresses, bridge),
                    now,
                )]
            }
            Entry::Circuit(c, _) => circuit_lines(state, c, width, show_addresses),
        }
    }
}

/// Every entry, ordered: categories in Nyx's order, within one by `order`.
pub fn entries(state: &ControllerState, order: Order, _now: u64) -> Vec<Entry<'_>> {
    let mut streams: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for s in state.net.streams.iter() {
        *streams.entry(s.circuit_id).or_default() += 1;
    }
    let mut list: Vec<Entry> = state
        .net
        .connections
        .list
        .iter()
        .map(Entry::Connection)
        .chain(
            state
                .net
                .circuits
                .iter()
                // Listed on page 7 where it shows them.
                .filter(|c| state.onions.is_empty() || !super::onion_service_circuit(c))
                .map(|c| Entry::Circuit(c, streams.get(&c.id).copied().unwrap_or(0))),
        )
        .collect();
    list.sort_by(|a, b| {
        a.category().cmp(&b.category()).then_with(|| match (a, b) {
            (Entry::Connection(a), Entry::Connection(b)) => order.compare(a, b),
            (Entry::Circuit(a, _), Entry::Circuit(b, _)) => a.id.cmp(&b.id),
            _ => Ordering::Equal,
        })
    });
    list
}

fn address(addr: SocketAddr) -> String {
    addr.to_string()
}

/// What is usually behind a port an exit connects to.
pub(super) fn port_purpose(port: u16) -> Option<&'static str> {
    Some(match port {
        21 => "FTP",
        22 => "SSH",
        25 => "SMTP",
        53 => "DNS",
        80 | 8080 => "HTTP",
        110 => "POP3",
        143 => "IMAP",
        194 | 6667 | 6697 => "IRC",
        443 | 8443 => "HTTPS",
        465 | 587 => "SMTPS",
        993 => "IMAPS",
        995 => "POP3S",
        5222 => "XMPP",
        9001 | 9030 => "TOR",
        _ => return None,
    })
}

/// `remote  -->  local` for connections to tor, `local  -->  remote` from
/// it; then the peer relay when there is room; on the right its age (`+`:
/// open before rnyx looked) and its category.
fn connection_line(
    c: &Connection,
    country: Option<&str>,
    width: usize,
    (show_addresses, bridge): (bool, bool),
    now: u64,
) -> String {
    let hidden = c.is_private() && !show_addresses;
    let remote = if hidden {
        SCRUBBED.to_owned()
    } else {
        let mut r = address(c.remote);
        if let Some(cc) = country {
            let _ = write!(r, " ({cc})");
        }
        if c.category == Category::Exit {
            if let Some(p) = port_purpose(c.remote.port()) {
                let _ = write!(r, " ({p})");
            }
        }
        r
    };
    let local = address(c.local);
    let (from, to) = if c.category.is_incoming() {
        (remote, local)
    } else {
        (local, remote)
    };
    let age = format!(
        "{}{}",
        if c.before_start { "+" } else { "" },
        format::short_duration(now.saturating_sub(c.first_seen))
    );
    let right = format!("{age:>6} {}", label(c.category, bridge));
    // Narrow terminals keep the names: address columns shrink first.
    let (from_w, to_w) = if width >= 120 { (28, 34) } else { (21, 22) };
    let mut left = format!("{from:<from_w$}  -->  {to:<to_w$}");
    let room = width.saturating_sub(right.len() + 1);
    if let (Some(fp), true) = (&c.fingerprint, room >= left.len() + 42) {
        let _ = write!(left, "{fp} ");
    }
    if let (Some(nick), true) = (&c.nickname, room >= left.len() + 8) {
        left.push_str(nick);
    } else if c.relays_at_address > 1 && room >= left.len() + 20 {
        let _ = write!(left, "({} relays here)", c.relays_at_address);
    } else if let Some(process) = &c.process {
        left.push_str(process);
    }
    fit(&left, &right, width)
}

/// `(EXIT)`, left-aligned as wide as the widest, `(DIRECTORY)`: the ages
/// before it line up. A bridge's inbound connections are its clients.
fn label(category: Category, bridge: bool) -> String {
    format!(
        "{:<11}",
        format!("({})", super::category_name(category, bridge))
    )
}

/// `left` and `right` on one row of `width`, `left` cut first.
fn fit(left: &str, right: &str, width: usize) -> String {
    let right_len = right.chars().count();
    if right_len + 1 >= width {
        return left.chars().take(width).collect();
    }
    let room = width - right_len - 1;
    let left: String = left.chars().take(room).collect();
    format!("{left:<room$} {right}")
}

fn circuit_lines(
    state: &ControllerState,
    c: &Circuit,
    width: usize,
    show_addresses: bool,
) -> Vec<String> {
    let purpose = c.purpose.as_deref().unwrap_or("GENERAL");
    let head = match c.status {
        CircuitStatus::Built => format!("Circuit {}, {}", c.id, purpose.to_ascii_lowercase()),
        _ => format!(
            "Circuit {}, {} ({}…)",
            c.id,
            purpose.to_ascii_lowercase(),
            c.status.as_str().to_ascii_lowercase()
        ),
    };
    let mut lines = vec![fit(&head, &label(Category::Circuit, false), width)];
    let n = c.path.len();
    for (i, hop) in c.path.iter().enumerate() {
        let relay = hop
            .fingerprint
            .as_deref()
            .and_then(|fp| state.facts.consensus.get(fp));
        let addr = relay
            .and_then(|r| r.or_address.or(r.ipv6_address))
            .map_or_else(|| "?".to_owned(), address);
        let branch = if i + 1 == n { "└─" } else { "│ " };
        let role = if i == 0 {
            "Guard"
        } else if i + 1 == n {
            if c.build_flags.split(',').any(|f| f == "IS_INTERNAL")
                || c.purpose.as_deref() != Some("GENERAL")
            {
                "End"
            } else {
                "Exit"
            }
        } else {
            "Middle"
        };
        let wide = width >= 120;
        let mut left = if wide {
            format!("{branch} {addr:<28}")
        } else {
            format!("{branch} {addr:<21}")
        };
        if let (Some(fp), true) = (&hop.fingerprint, wide) {
            let _ = write!(left, " {fp}");
        }
        let nick = hop
            .nickname
            .as_deref()
            .or(relay.map(|r| r.nickname.as_str()));
        if let Some(nick) = nick {
            let _ = write!(left, " {nick}");
        }
        lines.push(fit(&left, &format!("{} / {role}", i + 1), width));
    }
    // Beyond Nyx: the streams the circuit carries (their targets are this
    // tor's users' destinations: scrubbed unless shown).
    for s in state.net.streams.on(c.id) {
        let target = if show_addresses {
            s.target.as_str()
        } else {
            SCRUBBED
        };
        let left = format!("   stream {} to {target}", s.id);
        lines.push(fit(&left, &s.status.to_ascii_lowercase(), width));
    }
    lines
}

/// The details pane: what there is to know of one entry.
pub fn details(
    state: &ControllerState,
    entry: &Entry,
    show_addresses: bool,
    now: u64,
) -> Vec<String> {
    let relay_lines = |fp: &str, out: &mut Vec<String>| {
        let Some(r) = state.facts.consensus.get(fp) else {
            out.push(format!("fingerprint: {fp}"));
            out.push("No consensus data found".to_owned());
            return;
        };
        out.push(format!("fingerprint: {}", r.fingerprint));
        out.push(format!("nickname: {}", r.nickname));
        if let Some(a) = r.or_address {
            out.push(format!("ORPort: {a}"));
        }
        if let Some(a) = r.ipv6_address {
            out.push(format!("IPv6 ORPort: {a}"));
        }
        out.push(format!("flags: {}", r.flags.replace(' ', ", ")));
    };
    let mut out = Vec::new();
    match entry {
        Entry::Connection(c) => {
            let hidden = c.is_private() && !show_addresses;
            let remote = if hidden {
                SCRUBBED.to_owned()
            } else {
                address(c.remote)
            };
            out.push(format!("{} connection", c.category.name()));
            out.push(format!("local: {}", address(c.local)));
            out.push(format!("remote: {remote}"));
            out.push(format!(
                "open for: {}{}",
                format::short_duration(now.saturating_sub(c.first_seen)),
                if c.before_start {
                    " at least (open before rnyx looked)"
                } else {
                    ""
                }
            ));
            if let Some(process) = &c.process {
                out.push(format!("process: {process}"));
            }
            if let Some(fp) = &c.fingerprint {
                relay_lines(fp, &mut out);
            } else if c.relays_at_address > 1 && !hidden {
                out.push(format!("{} relays at this address:", c.relays_at_address));
                let mut at: Vec<&str> = state
                    .facts
                    .consensus
                    .at(c.remote.ip())
                    .map(|r| r.nickname.as_str())
                    .collect();
                at.sort_unstable();
                let more = at.len().saturating_sub(4);
                at.truncate(4);
                out.push(format!("  {}", at.join(", ")));
                if more > 0 {
                    out.push(format!("  ... {more} more"));
                }
            } else if !hidden {
                out.push("No consensus data found".to_owned());
            }
        }
        Entry::Circuit(c, _) => {
            out.push(format!("circuit {} ({})", c.id, c.status.as_str()));
            if let Some(p) = &c.purpose {
                out.push(format!("purpose: {p}"));
            }
            if !c.build_flags.is_empty() {
                out.push(format!("build flags: {}", c.build_flags.replace(',', ", ")));
            }
            if let Some(t) = &c.time_created {
                out.push(format!("created: {t}"));
            }
            for (i, hop) in c.path.iter().enumerate() {
                out.push(format!("hop {}:", i + 1));
                match &hop.fingerprint {
                    Some(fp) => relay_lines(fp, &mut out),
                    None => out.push(format!("  {}", hop.nickname.as_deref().unwrap_or("?"))),
                }
            }
        }
    }
    out
}
