//! What a recording's line is: its `d`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a recording's line holds: a control line one way or the other, or
/// something rnyx read of tor or did. A kind a newer rnyx writes is kept
/// as written (`Other`), and a replay passes it by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `>`: rnyx wrote it.
    Sent,
    /// `<`: tor sent it.
    Received,
    /// tor's process and rnyx's (`SystemInfo`).
    System,
    /// A scan of tor's sockets.
    Sockets,
    /// The torrc, secrets redacted.
    Torrc,
    /// The time (unix ms) rnyx gave the events it read since the last such
    /// line, so a replay stamps them alike.
    Applied,
    /// The entries read from tor's log file at the start (an older rnyx's).
    Log,
    /// The end of tor's log file, read at the start (`TorLog`).
    Tail,
    /// The signing certificate's expiry (unix s, or `null`).
    Cert,
    /// How the connection was made: `{"target": …, "method": …}`.
    Connected,
    /// A kind this rnyx does not know, as written.
    Other(String),
}

impl Kind {
    const NAMED: [(Kind, &'static str); 10] = [
        (Kind::Sent, ">"),
        (Kind::Received, "<"),
        (Kind::System, "system"),
        (Kind::Sockets, "sockets"),
        (Kind::Torrc, "torrc"),
        (Kind::Applied, "applied"),
        (Kind::Log, "log"),
        (Kind::Tail, "tail"),
        (Kind::Cert, "cert"),
        (Kind::Connected, "connected"),
    ];

    /// The word the file has for it.
    pub fn as_str(&self) -> &str {
        match self {
            Kind::Other(word) => word,
            known => Self::NAMED
                .iter()
                .find(|(k, _)| k == known)
                .map_or("", |(_, w)| w),
        }
    }

    /// The kind the file's word names.
    pub fn of(word: &str) -> Kind {
        match word {
            ">" => Kind::Sent,
            "<" => Kind::Received,
            _ => Self::NAMED
                .iter()
                .find(|(_, w)| *w == word)
                .map_or_else(|| Kind::Other(word.to_owned()), |(k, _)| k.clone()),
        }
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let word = std::borrow::Cow::<str>::deserialize(d)?;
        Ok(Kind::of(&word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_and_new_kinds_are_kept() {
        for (kind, word) in Kind::NAMED {
            assert_eq!(kind.as_str(), word);
            assert_eq!(Kind::of(word), kind);
        }
        let newer = Kind::of("weights");
        assert_eq!(newer, Kind::Other("weights".into()));
        assert_eq!(newer.as_str(), "weights");
        let json = serde_json::to_string(&Kind::Applied).unwrap();
        assert_eq!(json, "\"applied\"");
        assert_eq!(
            serde_json::from_str::<Kind>("\"<\"").unwrap(),
            Kind::Received
        );
    }
}
