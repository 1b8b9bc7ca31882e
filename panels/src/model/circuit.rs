use super::bounded::Bounded;
use crate::text::strip_controls;
use serde::Serialize;

/// A circuit's status as tor reports it (`CircStatus` in the control spec).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CircuitStatus {
    Launched,
    Built,
    GuardWait,
    Extended,
    Failed,
    Closed,
    /// A status this version of rnyx does not know (kept, never dropped).
    Other(String),
}

impl CircuitStatus {
    /// tor's word for the status (`BUILT`, `GUARD_WAIT`).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(s) => s,
            Self::Launched => "LAUNCHED",
            Self::Built => "BUILT",
            Self::GuardWait => "GUARD_WAIT",
            Self::Extended => "EXTENDED",
            Self::Failed => "FAILED",
            Self::Closed => "CLOSED",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "LAUNCHED" => Self::Launched,
            "BUILT" => Self::Built,
            "GUARD_WAIT" => Self::GuardWait,
            "EXTENDED" => Self::Extended,
            "FAILED" => Self::Failed,
            "CLOSED" => Self::Closed,
            other => Self::Other(strip_controls(other)),
        }
    }

    /// A circuit in this status is gone and leaves the table.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Failed | Self::Closed)
    }
}

/// One relay in a path: `$FINGERPRINT~nickname` in tor's long-name syntax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// 40 upper-case hex digits, when tor gave one.
    pub fingerprint: Option<String>,
    pub nickname: Option<String>,
}

impl Hop {
    /// A hop known by fingerprint and nickname (tests and fixtures; tor's
    /// own text is read by `rnyx::control::names`).
    pub fn named(fingerprint: &str, nickname: &str) -> Self {
        Hop {
            fingerprint: Some(fingerprint.to_owned()),
            nickname: Some(nickname.to_owned()),
        }
    }
}

/// A circuit, as last reported by CIRC or `circuit-status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Circuit {
    pub id: u64,
    pub status: CircuitStatus,
    pub path: Vec<Hop>,
    pub build_flags: Vec<String>,
    pub purpose: Option<String>,
    pub time_created: Option<String>,
}

/// Live circuits by id. Terminal statuses remove a circuit; the table is
/// bounded by the rule shared with the OR connections (oldest ids go first).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct CircuitTable {
    circuits: Bounded<u64, Circuit>,
}

impl CircuitTable {
    pub fn new(capacity: usize) -> Self {
        Self {
            circuits: Bounded::new(capacity),
        }
    }

    /// Applies a status report for one circuit.
    pub fn apply(&mut self, circuit: Circuit) {
        if circuit.status.is_terminal() {
            self.circuits.remove(&circuit.id);
            return;
        }
        self.circuits.insert(circuit.id, circuit);
    }

    pub fn clear(&mut self) {
        self.circuits.clear();
    }

    pub fn len(&self) -> usize {
        self.circuits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.circuits.is_empty()
    }

    pub fn get(&self, id: u64) -> Option<&Circuit> {
        self.circuits.get(&id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Circuit> {
        self.circuits.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circ(id: u64, status: &str) -> Circuit {
        Circuit {
            id,
            status: CircuitStatus::parse(status),
            path: vec![],
            build_flags: vec![],
            purpose: None,
            time_created: None,
        }
    }

    #[test]
    fn table_removes_closed_and_is_bounded() {
        let mut t = CircuitTable::new(2);
        t.apply(circ(1, "LAUNCHED"));
        t.apply(circ(1, "BUILT"));
        assert_eq!(t.get(1).unwrap().status, CircuitStatus::Built);
        t.apply(circ(1, "CLOSED"));
        assert!(t.is_empty());
        for id in 10..15 {
            t.apply(circ(id, "EXTENDED"));
        }
        assert_eq!(t.iter().map(|c| c.id).collect::<Vec<_>>(), [13, 14]);
        assert_eq!(
            CircuitStatus::parse("NEWSTATE"),
            CircuitStatus::Other("NEWSTATE".into())
        );
    }
}
