use super::bounded::Bounded;
use crate::text::strip_controls;
use compact_str::CompactString;
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

/// A relay's fingerprint as a path gives it: 40 upper-case hex digits,
/// held inline (a CIRC event names a few relays; none costs an allocation).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    len: u8,
    digits: [u8; 40],
}

impl Fingerprint {
    /// `text` upper-cased, if it is 1 to 40 ASCII letters and digits (tor's
    /// are 40 hex digits; anything else is not a fingerprint).
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        // Branch-free over the bytes, so it vectorises (a CIRC event has
        // several fingerprints).
        let alphanumeric = b.iter().fold(true, |ok, c| ok & c.is_ascii_alphanumeric());
        if b.is_empty() || b.len() > 40 || !alphanumeric {
            return None;
        }
        let mut digits = [0; 40];
        digits[..b.len()].copy_from_slice(b);
        digits.make_ascii_uppercase();
        Some(Self {
            len: u8::try_from(b.len()).ok()?,
            digits,
        })
    }

    /// `text` upper-cased, if it is exactly 40 hex digits (control-spec
    /// §2.1's `Fingerprint` without its `$`): checked and copied in one
    /// branch-free pass.
    pub fn parse_hex(text: &str) -> Option<Self> {
        let b: &[u8; 40] = text.as_bytes().try_into().ok()?;
        let hex = b.iter().fold(true, |ok, c| ok & c.is_ascii_hexdigit());
        if !hex {
            return None;
        }
        let mut digits = *b;
        digits.make_ascii_uppercase();
        Some(Self { len: 40, digits })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters and digits are ever stored.
        std::str::from_utf8(&self.digits[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl std::ops::Deref for Fingerprint {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One relay in a path: `$FINGERPRINT~nickname` in tor's long-name syntax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// When tor gave one.
    pub fingerprint: Option<Fingerprint>,
    /// Without control characters; inline up to 24 bytes (tor's nicknames
    /// are at most 19).
    pub nickname: Option<CompactString>,
}

impl Hop {
    /// A hop known by fingerprint and nickname (tests and fixtures; tor's
    /// own text is read by `rnyx::control::names`).
    pub fn named(fingerprint: &str, nickname: &str) -> Self {
        Hop {
            fingerprint: Fingerprint::parse(fingerprint),
            nickname: Some(nickname.into()),
        }
    }

    /// Its nickname, else the start of its fingerprint (8 digits).
    pub fn short_name(&self) -> String {
        self.nickname
            .as_deref()
            .map(crate::text::strip_controls)
            .or_else(|| {
                self.fingerprint
                    .map(|f| f.as_str().chars().take(8).collect())
            })
            .unwrap_or_default()
    }
}

/// A circuit, as last reported by CIRC or `circuit-status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Circuit {
    pub id: u64,
    pub status: CircuitStatus,
    pub path: Vec<Hop>,
    /// As tor gives them: comma-separated (`IS_INTERNAL,NEED_CAPACITY`).
    pub build_flags: CompactString,
    pub purpose: Option<CompactString>,
    pub time_created: Option<CompactString>,
    /// An onion service's circuit (`HS_SERVICE_*` purposes only): its
    /// `HS_STATE` and the service's address (`REND_QUERY`). A client
    /// circuit's onion address is never kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hs_state: Option<CompactString>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rend_query: Option<CompactString>,
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

    /// A CIRC_MINOR event: a known circuit's purpose, onion state and
    /// flags as they are now (its status stays; an unknown circuit is left
    /// to its next CIRC event).
    pub fn amend(&mut self, changed: Circuit) {
        if let Some(c) = self.circuits.get_mut(&changed.id) {
            c.purpose = changed.purpose;
            c.hs_state = changed.hs_state;
            c.rend_query = changed.rend_query;
            if !changed.build_flags.is_empty() {
                c.build_flags = changed.build_flags;
            }
            if !changed.path.is_empty() {
                c.path = changed.path;
            }
        }
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
            build_flags: CompactString::default(),
            purpose: None,
            time_created: None,
            hs_state: None,
            rend_query: None,
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

    #[test]
    fn fingerprints_are_upper_case_letters_and_digits_held_inline() {
        let fp = Fingerprint::parse(&"ab12".repeat(10)).unwrap();
        assert_eq!(fp.as_str(), "AB12".repeat(10));
        assert_eq!(format!("{fp}"), fp.as_str());
        assert_eq!(Fingerprint::parse("DDDD").as_deref(), Some("DDDD"));
        for bad in ["", "AB~nick", "AB\u{1b}[2J", "é", &"A".repeat(41)] {
            assert_eq!(Fingerprint::parse(bad), None, "{bad:?}");
        }
    }
}
