use crate::text::strip_controls;
use serde::Serialize;
use std::collections::BTreeMap;

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
}

/// Live OR connections keyed by target, bounded to `capacity`.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct OrConnTable {
    conns: BTreeMap<String, OrConnection>,
    #[serde(skip)]
    capacity: usize,
}

impl OrConnTable {
    pub fn new(capacity: usize) -> Self {
        Self {
            conns: BTreeMap::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn apply(&mut self, conn: OrConnection) {
        if conn.status.is_terminal() {
            self.conns.remove(&conn.target);
            return;
        }
        if self.conns.len() >= self.capacity && !self.conns.contains_key(&conn.target) {
            return;
        }
        self.conns.insert(conn.target.clone(), conn);
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

    fn conn(target: &str, status: &str) -> OrConnection {
        OrConnection {
            id: None,
            target: target.into(),
            status: OrConnStatus::parse(status),
            circuits: None,
        }
    }

    #[test]
    fn apply_and_bound() {
        let mut t = OrConnTable::new(2);
        t.apply(conn("a", "LAUNCHED"));
        t.apply(conn("a", "CONNECTED"));
        t.apply(conn("b", "CONNECTED"));
        t.apply(conn("c", "CONNECTED"));
        assert_eq!(t.len(), 2);
        t.apply(conn("a", "CLOSED"));
        assert_eq!(
            t.iter().map(|c| c.target.as_str()).collect::<Vec<_>>(),
            ["b"]
        );
    }
}
