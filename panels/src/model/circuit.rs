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
    /// Parses a `LongName` (`$fp~nick`, `$fp=nick`, `$fp` or `nick`).
    pub fn parse(long_name: &str) -> Self {
        let (fp, nick) = match long_name.strip_prefix('$') {
            Some(rest) => match rest.find(['~', '=']) {
                Some(i) => (Some(&rest[..i]), Some(&rest[i + 1..])),
                None => (Some(rest), None),
            },
            None => (None, Some(long_name)),
        };
        Hop {
            fingerprint: fp.filter(|f| !f.is_empty()).map(str::to_ascii_uppercase),
            nickname: nick.filter(|n| !n.is_empty()).map(strip_controls),
        }
    }

    /// Parses a comma-separated path.
    pub fn parse_path(path: &str) -> Vec<Hop> {
        path.split(',')
            .filter(|p| !p.is_empty())
            .map(Hop::parse)
            .collect()
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
    fn long_names() {
        let h = Hop::parse("$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa~relay1");
        assert_eq!(
            h.fingerprint.as_deref(),
            Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        );
        assert_eq!(h.nickname.as_deref(), Some("relay1"));
        assert_eq!(Hop::parse("$AB=x").nickname.as_deref(), Some("x"));
        assert_eq!(Hop::parse("$AB").nickname, None);
        assert_eq!(Hop::parse("plain").fingerprint, None);
        assert_eq!(Hop::parse_path("$A~a,$B~b,").len(), 2);
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
