use super::bounded::Bounded;
use crate::text::strip_controls;
use serde::Serialize;

/// An OR connection's status (`ORStatus` in the control spec).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrConnStatus {
    New,
    Launched,
    Connected,
    Failed,
    Closed,
    Other(String),
}

impl OrConnStatus {
    /// tor's word for the status (`BUILT`, `GUARD_WAIT`).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(s) => s,
            Self::New => "NEW",
            Self::Launched => "LAUNCHED",
            Self::Connected => "CONNECTED",
            Self::Failed => "FAILED",
            Self::Closed => "CLOSED",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "NEW" => Self::New,
            "LAUNCHED" => Self::Launched,
            "CONNECTED" => Self::Connected,
            "FAILED" => Self::Failed,
            "CLOSED" => Self::Closed,
            other => Self::Other(strip_controls(other)),
        }
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Failed | Self::Closed)
    }
}

/// A connection between this tor and another relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrConnection {
    /// tor's connection id (`ID=`), when known (not given by `orconn-status`).
    pub id: Option<u64>,
    /// The peer: a long name (`$fp~nick`) or `address:port`.
    pub target: String,
    pub status: OrConnStatus,
    pub circuits: Option<u32>,
    /// Unix seconds rnyx first saw it (0: not yet recorded).
    #[serde(skip)]
    pub first_seen: u64,
    /// Open already when rnyx connected (`orconn-status`): its age is at
    /// least the time since then.
    #[serde(skip)]
    pub before_start: bool,
}

/// How an OR connection is filed: by tor's id, or, for those listed by
/// `orconn-status` (which gives none), by the order they were listed, until
/// an ORCONN event names them with an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Listed(u64),
    Id(u64),
}

/// Every OR connection tor reports, one entry each: several connections to
/// one peer stay several. Bounded by the rule shared with the circuits.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct OrConnTable {
    conns: Bounded<Key, OrConnection>,
    #[serde(skip)]
    listed: u64,
}

impl OrConnTable {
    pub fn new(capacity: usize) -> Self {
        Self {
            conns: Bounded::new(capacity),
            listed: 0,
        }
    }

    /// Applies an ORCONN event, or a line of `orconn-status` (no id).
    pub fn apply(&mut self, mut conn: OrConnection) {
        let Some(id) = conn.id else {
            if !conn.status.is_terminal() {
                self.listed += 1;
                self.conns.insert(Key::Listed(self.listed), conn);
            }
            return;
        };
        let key = Key::Id(id);
        // A connection listed without an id, now named by an event.
        let adopted = (!self.conns.contains(&key))
            .then(|| {
                self.conns
                    .find_key(|c| c.id.is_none() && c.target == conn.target)
                    .copied()
            })
            .flatten()
            .and_then(|k| self.conns.remove(&k));
        if conn.status.is_terminal() {
            self.conns.remove(&key);
            return;
        }
        if let Some(old) = adopted.as_ref().or(self.conns.get(&key)) {
            conn.first_seen = old.first_seen;
            conn.before_start = old.before_start;
            if conn.circuits.is_none() {
                conn.circuits = old.circuits;
            }
        }
        self.conns.insert(key, conn);
    }

    /// Brings the table in line with tor's own list (`orconn-status`,
    /// targets only): a connection tor no longer lists goes, one it lists
    /// that rnyx missed is added. Events name a connection by its identity
    /// once the handshake is done where `orconn-status` may have listed it
    /// by address, so a listed entry can miss its event; this is the repair.
    pub fn reconcile(&mut self, listed: &[OrConnection]) {
        use std::collections::HashMap;
        let mut theirs: HashMap<&str, usize> = HashMap::new();
        for c in listed {
            *theirs.entry(c.target.as_str()).or_default() += 1;
        }
        let mut ours: HashMap<String, usize> = HashMap::new();
        for c in self.conns.values() {
            *ours.entry(c.target.clone()).or_default() += 1;
        }
        // Surplus: drop entries without an id first, then the oldest.
        for (target, n) in &ours {
            let keep = theirs.get(target.as_str()).copied().unwrap_or(0);
            for _ in keep..*n {
                let key = self
                    .conns
                    .find_key(|c| c.id.is_none() && &c.target == target)
                    .or_else(|| self.conns.find_key(|c| &c.target == target))
                    .copied();
                if let Some(k) = key {
                    self.conns.remove(&k);
                }
            }
        }
        // Missing: listed as tor lists them.
        for c in listed {
            let have = ours.get(&c.target).copied().unwrap_or(0);
            let want = theirs.get(c.target.as_str()).copied().unwrap_or(0);
            if have < want {
                ours.insert(c.target.clone(), have + 1);
                self.apply(OrConnection {
                    id: None,
                    ..c.clone()
                });
            }
        }
    }

    pub fn clear(&mut self) {
        self.conns.clear();
    }

    pub fn len(&self) -> usize {
        self.conns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &OrConnection> {
        self.conns.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(id: Option<u64>, target: &str, status: &str) -> OrConnection {
        OrConnection {
            id,
            target: target.into(),
            status: OrConnStatus::parse(status),
            circuits: None,
            first_seen: id.unwrap_or(0),
            before_start: id.is_none(),
        }
    }

    #[test]
    fn parallel_connections_to_one_peer_stay_apart() {
        let mut t = OrConnTable::new(10);
        t.apply(conn(Some(1), "$A~a", "LAUNCHED"));
        t.apply(conn(Some(2), "$A~a", "LAUNCHED"));
        t.apply(conn(Some(1), "$A~a", "CONNECTED"));
        assert_eq!(t.len(), 2);
        t.apply(conn(Some(2), "$A~a", "CLOSED"));
        assert_eq!(t.iter().map(|c| c.id).collect::<Vec<_>>(), [Some(1)]);
        assert_eq!(t.iter().next().unwrap().status, OrConnStatus::Connected);
    }

    #[test]
    fn listed_connections_are_adopted_by_their_first_event() {
        let mut t = OrConnTable::new(10);
        t.apply(conn(None, "$A~a", "CONNECTED"));
        t.apply(conn(None, "$A~a", "CONNECTED"));
        t.apply(conn(None, "$B~b", "CONNECTED"));
        assert_eq!(t.len(), 3);
        // An event for one of the two to A: it keeps its age and start mark.
        t.apply(conn(Some(7), "$A~a", "CONNECTED"));
        assert_eq!(t.len(), 3);
        let named = t.iter().find(|c| c.id == Some(7)).unwrap();
        assert!(named.before_start);
        assert_eq!(named.first_seen, 0);
        // Closing B without having seen its id drops the listed one.
        t.apply(conn(Some(9), "$B~b", "CLOSED"));
        assert_eq!(t.len(), 2);
        assert!(t.iter().all(|c| c.target == "$A~a"));
    }

    #[test]
    fn reconcile_with_tors_list() {
        let mut t = OrConnTable::new(10);
        // Listed by address, then named by identity: the listed one is stale.
        t.apply(conn(None, "127.0.0.1:5000", "NEW"));
        t.apply(conn(Some(3), "$A~a", "CONNECTED"));
        t.apply(conn(Some(4), "$B~b", "CONNECTED"));
        assert_eq!(t.len(), 3);
        let tor = [
            conn(None, "$A~a", "CONNECTED"),
            conn(None, "$C~c", "CONNECTED"),
        ];
        t.reconcile(&tor);
        let mut targets: Vec<&str> = t.iter().map(|c| c.target.as_str()).collect();
        targets.sort_unstable();
        assert_eq!(targets, ["$A~a", "$C~c"]);
        assert_eq!(t.iter().find(|c| c.target == "$A~a").unwrap().id, Some(3));
    }

    #[test]
    fn bounded_oldest_first() {
        let mut t = OrConnTable::new(2);
        t.apply(conn(None, "$L~l", "CONNECTED"));
        t.apply(conn(Some(5), "$A~a", "CONNECTED"));
        t.apply(conn(Some(6), "$B~b", "CONNECTED"));
        let ids: Vec<Option<u64>> = t.iter().map(|c| c.id).collect();
        assert_eq!(ids, [Some(5), Some(6)]);
    }
}
