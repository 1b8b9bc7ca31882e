//! One consensus index for every relay watched that holds the same
//! consensus (relays of one network do): built once, shared, dropped with
//! the last relay that holds it.

use crate::control::event::RouterStatus;
use rnyx_model::{ConsensusIndex, RelayEntry};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, Weak};

fn shared() -> &'static Mutex<HashMap<u64, Weak<ConsensusIndex>>> {
    static SHARED: OnceLock<Mutex<HashMap<u64, Weak<ConsensusIndex>>>> = OnceLock::new();
    SHARED.get_or_init(Mutex::default)
}

/// The index of `entries`: the one another relay built for the same
/// consensus, else a new one.
pub fn index_of(entries: Vec<RouterStatus>) -> Arc<ConsensusIndex> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    entries.hash(&mut h);
    let key = h.finish();
    let mut map = shared()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(index) = map.get(&key).and_then(Weak::upgrade) {
        return index;
    }
    let mut index = ConsensusIndex::default();
    index.replace(entries.into_iter().map(RelayEntry::from));
    let index = Arc::new(index);
    map.retain(|_, w| w.strong_count() > 0);
    map.insert(key, Arc::downgrade(&index));
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(n: u16) -> RouterStatus {
        RouterStatus {
            nickname: format!("r{n}"),
            fingerprint: format!("{n:040X}"),
            address: "10.0.0.1".into(),
            or_port: 9000 + n,
            ..RouterStatus::default()
        }
    }

    #[test]
    fn the_same_consensus_is_one_index() {
        let a = index_of((0..50).map(status).collect());
        let b = index_of((0..50).map(status).collect());
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.len(), 50);
        let c = index_of((0..51).map(status).collect());
        assert!(!Arc::ptr_eq(&a, &c));
        // A relay changing its copy (an NS event) leaves the other's alone.
        let mut mine = b.clone();
        Arc::make_mut(&mut mine).update([RelayEntry::from(status(99))]);
        assert_eq!((a.len(), mine.len()), (50, 51));
    }
}
