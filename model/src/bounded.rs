//! The one eviction rule of the tables fed by tor (circuits, OR
//! connections): at most `capacity` entries; past it, the smallest key goes.
//! Keys are tor's ids, which only grow, so the oldest entry goes first.

use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Bounded<K, V> {
    map: BTreeMap<K, V>,
    capacity: usize,
}

impl<K: Ord, V> Bounded<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            map: BTreeMap::new(),
            capacity: capacity.max(1),
        }
    }

    /// Inserts or replaces; then evicts the oldest entries past the bound.
    pub fn insert(&mut self, key: K, value: V) {
        self.map.insert(key, value);
        while self.map.len() > self.capacity {
            self.map.pop_first();
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.map.remove(key)
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    pub fn contains(&self, key: &K) -> bool {
        self.map.contains_key(key)
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Values by key, oldest first.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.map.values()
    }

    /// The first entry whose value satisfies `f`.
    pub fn find_key(&self, mut f: impl FnMut(&V) -> bool) -> Option<&K> {
        self.map.iter().find(|(_, v)| f(v)).map(|(k, _)| k)
    }
}

/// Serialised as the list of values, oldest first.
impl<K, V: Serialize> Serialize for Bounded<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.map.values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_oldest_past_the_bound() {
        let mut t = Bounded::new(3);
        for k in [5, 1, 9, 7] {
            t.insert(k, k * 10);
        }
        assert_eq!(t.values().copied().collect::<Vec<_>>(), [50, 70, 90]);
        t.insert(7, 0);
        assert_eq!(t.len(), 3);
        assert_eq!(t.remove(&5), Some(50));
        assert_eq!(t.find_key(|v| *v == 90), Some(&9));
    }
}
