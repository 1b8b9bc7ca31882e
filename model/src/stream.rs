//! Streams this tor carries for its own clients (STREAM events and
//! `stream-status`), by id, bounded by the rule of the other tables. The
//! connections page lists them under their circuits.

use super::bounded::Bounded;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stream {
    pub id: u64,
    /// tor's word: NEW, SENTCONNECT, SUCCEEDED, DETACHED…
    pub status: String,
    /// 0 while attached to none.
    pub circuit_id: u64,
    /// `host:port` as the client asked for it; control characters removed.
    pub target: String,
}

impl Stream {
    /// A stream in this status is gone.
    pub fn is_terminal(&self) -> bool {
        matches!(self.status.as_str(), "CLOSED" | "FAILED")
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct StreamTable {
    streams: Bounded<u64, Stream>,
}

impl StreamTable {
    pub fn new(capacity: usize) -> Self {
        Self {
            streams: Bounded::new(capacity),
        }
    }

    pub fn apply(&mut self, stream: Stream) {
        if stream.is_terminal() {
            self.streams.remove(&stream.id);
        } else {
            self.streams.insert(stream.id, stream);
        }
    }

    pub fn clear(&mut self) {
        self.streams.clear();
    }

    pub fn len(&self) -> usize {
        self.streams.len()
    }

    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Stream> {
        self.streams.values()
    }

    /// The streams on one circuit, oldest first.
    pub fn on(&self, circuit: u64) -> impl Iterator<Item = &Stream> {
        self.iter().filter(move |s| s.circuit_id == circuit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(id: u64, status: &str, circuit_id: u64) -> Stream {
        Stream {
            id,
            status: status.into(),
            circuit_id,
            target: "example.com:443".into(),
        }
    }

    #[test]
    fn streams_follow_their_status_and_circuit() {
        let mut t = StreamTable::new(2);
        t.apply(stream(1, "NEW", 0));
        t.apply(stream(1, "SENTCONNECT", 5));
        t.apply(stream(2, "SUCCEEDED", 5));
        t.apply(stream(3, "SUCCEEDED", 6));
        assert_eq!(t.len(), 2, "bounded: the oldest went");
        assert_eq!(t.on(5).map(|s| s.id).collect::<Vec<_>>(), [2]);
        t.apply(stream(2, "CLOSED", 5));
        assert_eq!(t.on(5).count(), 0);
    }
}
