//! Every relay of the consensus tor holds, by fingerprint and by address
//! (IPv4 and IPv6; several relays may share one address). Filled from
//! `ns/all` at start and replaced or updated by NEWCONSENSUS and NS events.

use foldhash::HashMap;
use std::net::{IpAddr, SocketAddr};

/// One relay as the consensus lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayEntry {
    /// 40 upper-case hex digits.
    pub fingerprint: String,
    /// As tor gave it, control characters removed.
    pub nickname: String,
    /// The IPv4 ORPort.
    pub or_address: Option<SocketAddr>,
    /// An IPv6 ORPort (`a` line), if any.
    pub ipv6_address: Option<SocketAddr>,
    /// Flags, space-separated (one allocation for all of them).
    pub flags: String,
}

impl RelayEntry {
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.split(' ').any(|f| f == flag)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ConsensusIndex {
    relays: HashMap<String, RelayEntry>,
    by_address: HashMap<IpAddr, Vec<String>>,
}

impl ConsensusIndex {
    /// Replaces everything (a new consensus, or `ns/all`).
    pub fn replace(&mut self, entries: impl IntoIterator<Item = RelayEntry>) {
        self.relays.clear();
        self.by_address.clear();
        self.update(entries);
    }

    /// Adds or replaces entries (an NS event).
    pub fn update(&mut self, entries: impl IntoIterator<Item = RelayEntry>) {
        for e in entries {
            if let Some(old) = self.relays.remove(&e.fingerprint) {
                self.unlink(&old);
            }
            for addr in [e.or_address, e.ipv6_address].into_iter().flatten() {
                let list = self.by_address.entry(addr.ip()).or_default();
                if !list.contains(&e.fingerprint) {
                    list.push(e.fingerprint.clone());
                }
            }
            self.relays.insert(e.fingerprint.clone(), e);
        }
    }

    fn unlink(&mut self, old: &RelayEntry) {
        for addr in [old.or_address, old.ipv6_address].into_iter().flatten() {
            if let Some(list) = self.by_address.get_mut(&addr.ip()) {
                list.retain(|f| f != &old.fingerprint);
                if list.is_empty() {
                    self.by_address.remove(&addr.ip());
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.relays.len()
    }

    pub fn is_empty(&self) -> bool {
        self.relays.is_empty()
    }

    pub fn get(&self, fingerprint: &str) -> Option<&RelayEntry> {
        self.relays.get(fingerprint)
    }

    /// Every relay at an address, any port.
    pub fn at(&self, ip: IpAddr) -> impl Iterator<Item = &RelayEntry> {
        self.by_address
            .get(&ip)
            .into_iter()
            .flatten()
            .filter_map(|f| self.relays.get(f))
    }

    /// Relays of that nickname (any case).
    pub fn named<'a>(&'a self, nickname: &'a str) -> impl Iterator<Item = &'a RelayEntry> {
        self.relays
            .values()
            .filter(move |r| r.nickname.eq_ignore_ascii_case(nickname))
    }

    /// The relay whose ORPort is exactly `addr`.
    pub fn relay_at(&self, addr: SocketAddr) -> Option<&RelayEntry> {
        self.at(addr.ip())
            .find(|r| r.or_address == Some(addr) || r.ipv6_address == Some(addr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay(fp: &str, nick: &str, v4: &str, v6: Option<&str>) -> RelayEntry {
        RelayEntry {
            fingerprint: fp.into(),
            nickname: nick.into(),
            or_address: v4.parse().ok(),
            ipv6_address: v6.and_then(|a| a.parse().ok()),
            flags: "Fast Running".into(),
        }
    }

    #[test]
    fn by_fingerprint_and_by_address_with_shared_addresses() {
        let mut c = ConsensusIndex::default();
        c.replace([
            relay("A", "a", "10.0.0.1:9001", Some("[2001:db8::1]:9001")),
            relay("B", "b", "10.0.0.1:443", None),
            relay("C", "c", "10.0.0.2:9001", None),
        ]);
        let at: Vec<&str> = c
            .at("10.0.0.1".parse().unwrap())
            .map(|r| r.nickname.as_str())
            .collect();
        assert_eq!(at, ["a", "b"]);
        assert_eq!(
            c.relay_at("10.0.0.1:443".parse().unwrap())
                .unwrap()
                .nickname,
            "b"
        );
        assert_eq!(
            c.relay_at("[2001:db8::1]:9001".parse().unwrap())
                .unwrap()
                .nickname,
            "a"
        );
        assert!(c.relay_at("10.0.0.1:80".parse().unwrap()).is_none());
        assert!(c.get("C").unwrap().has_flag("Running"));
        // An NS update moves A; its old addresses no longer find it.
        c.update([relay("A", "a", "10.0.0.9:9001", None)]);
        let at: Vec<&str> = c
            .at("10.0.0.1".parse().unwrap())
            .map(|r| r.nickname.as_str())
            .collect();
        assert_eq!(at, ["b"]);
        assert!(c.at("2001:db8::1".parse().unwrap()).next().is_none());
        c.replace([]);
        assert!(c.is_empty());
    }
}
