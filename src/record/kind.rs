//! What a recording's line is: its `d`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

rnyx_model::open_words! {
    /// What a recording's line holds: a control line one way or the other,
    /// or something rnyx read of tor or did. A kind a newer rnyx writes is
    /// kept as written (`Other`), and a replay passes it by.
    pub enum Kind {
        /// rnyx wrote it.
        Sent = ">",
        /// tor sent it.
        Received = "<",
        /// tor's process and rnyx's (`SystemInfo`).
        System = "system",
        /// A scan of tor's sockets.
        Sockets = "sockets",
        /// The torrc, secrets redacted.
        Torrc = "torrc",
        /// The time (unix ms) rnyx gave the events it read since the last
        /// such line, so a replay stamps them alike.
        Applied = "applied",
        /// The entries read from tor's log file at the start (an older
        /// rnyx's).
        Log = "log",
        /// The end of tor's log file, read at the start (`TorLog`).
        Tail = "tail",
        /// The signing certificate's expiry (unix s, or `null`).
        Cert = "cert",
        /// How the connection was made: `{"target": …, "method": …}`.
        Connected = "connected",
        /// tor's MetricsPort read: `{"Ok": text}` (the families rnyx
        /// shows) or `{"Err": why}`.
        Metrics = "metrics",
        /// tor's child processes (a bridge's managed transports), as
        /// `[[name, pid], …]`, or `null` where they could not be read.
        Children = "children",
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
        for w in Kind::WORDS {
            assert_eq!(Kind::of(w).as_str(), *w);
            assert!(!matches!(Kind::of(w), Kind::Other(_)));
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
