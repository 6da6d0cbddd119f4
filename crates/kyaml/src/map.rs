//! [`Map`]: a YAML mapping with string keys in insertion order.
//!
//! Most mappings in a Kubernetes object are small (`metadata`, a container, a port), so a map is
//! a plain vector of entries searched linearly: one allocation, no per-entry hash, and a small
//! [`Value`]. Past [`INDEX_FROM`] keys (a CRD schema's `properties`, a big ConfigMap) a hash
//! index from key to position is kept beside the entries, so lookups stay constant-time on
//! untrusted input. The API follows `indexmap`'s names and meanings (`insert` keeps a key's
//! place, `shift_remove` keeps the order), and equality ignores order, as a mapping's does.

use std::fmt;
use std::hash::BuildHasher;
use std::sync::LazyLock;

use hashbrown::HashTable;

use crate::Value;

/// Keys from which a map keeps a hash index (below it a linear scan is faster).
const INDEX_FROM: usize = 16;

/// One seed per process: key hashes cannot be predicted from outside.
static HASHER: LazyLock<foldhash::fast::RandomState> = LazyLock::new(Default::default);

fn hash(key: &str) -> u64 {
    HASHER.hash_one(key)
}

/// A mapping key: keys up to 24 bytes (nearly all of them) are stored inline, without an
/// allocation of their own.
pub type Key = compact_str::CompactString;

/// A mapping with string keys that keeps insertion order (emitters sort where Go would).
#[derive(Default)]
pub struct Map {
    entries: Vec<(Key, Value)>,
    /// Positions in `entries` by key hash, once the map has [`INDEX_FROM`] keys.
    index: Option<Box<HashTable<usize>>>,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    pub fn with_capacity(capacity: usize) -> Map {
        Map {
            entries: Vec::with_capacity(capacity),
            index: None,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
        if let Some(index) = &mut self.index {
            let entries = &self.entries;
            index.shrink_to_fit(|&j| hash(&entries[j].0));
        }
    }

    /// Position of `key`.
    pub fn get_index_of<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<usize> {
        let key = key.as_ref();
        match &self.index {
            Some(index) => index
                .find(hash(key), |&i| self.entries[i].0 == key)
                .copied(),
            None => self.entries.iter().position(|(k, _)| k == key),
        }
    }

    pub fn get<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<&Value> {
        self.get_index_of(key).map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<&mut Value> {
        self.get_index_of(key).map(|i| &mut self.entries[i].1)
    }

    pub fn get_key_value<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<(&Key, &Value)> {
        self.get_index_of(key).map(|i| {
            let (k, v) = &self.entries[i];
            (k, v)
        })
    }

    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> bool {
        self.get_index_of(key).is_some()
    }

    pub fn get_index(&self, i: usize) -> Option<(&Key, &Value)> {
        self.entries.get(i).map(|(k, v)| (k, v))
    }

    pub fn get_index_mut(&mut self, i: usize) -> Option<(&Key, &mut Value)> {
        self.entries.get_mut(i).map(|(k, v)| (&*k, v))
    }

    pub fn first(&self) -> Option<(&Key, &Value)> {
        self.get_index(0)
    }

    pub fn last(&self) -> Option<(&Key, &Value)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    /// Sets `key` to `value`: a new key goes last, a present one keeps its place. Returns the
    /// value it replaced.
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.get_index_of(&key) {
            Some(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            None => {
                self.push_new(key, value);
                None
            }
        }
    }

    /// Appends a key known to be absent.
    fn push_new(&mut self, key: Key, value: Value) -> usize {
        let i = self.entries.len();
        if let Some(index) = &mut self.index {
            let entries = &self.entries;
            index.insert_unique(hash(&key), i, |&j| hash(&entries[j].0));
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() >= INDEX_FROM {
            self.reindex();
        }
        i
    }

    pub fn entry(&mut self, key: impl Into<Key>) -> Entry<'_> {
        let key = key.into();
        match self.get_index_of(&key) {
            Some(index) => Entry::Occupied(OccupiedEntry { map: self, index }),
            None => Entry::Vacant(VacantEntry { map: self, key }),
        }
    }

    /// Removes `key`, keeping the order of the others.
    pub fn shift_remove<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<Value> {
        self.shift_remove_entry(key).map(|(_, v)| v)
    }

    pub fn shift_remove_entry<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<(Key, Value)> {
        let i = self.get_index_of(key)?;
        Some(self.shift_remove_index(i))
    }

    fn shift_remove_index(&mut self, i: usize) -> (Key, Value) {
        let removed = self.entries.remove(i);
        if let Some(index) = &mut self.index {
            if let Ok(slot) = index.find_entry(hash(&removed.0), |&j| j == i) {
                slot.remove();
            }
            for j in index.iter_mut() {
                if *j > i {
                    *j -= 1;
                }
            }
        }
        removed
    }

    /// Removes `key`, moving the last entry into its place.
    pub fn swap_remove<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<Value> {
        let i = self.get_index_of(key)?;
        let (_, value) = self.entries.swap_remove(i);
        if self.index.is_some() {
            self.reindex();
        }
        Some(value)
    }

    /// Keeps the entries for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Key, &mut Value) -> bool) {
        let before = self.entries.len();
        self.entries.retain_mut(|(k, v)| keep(k, v));
        if self.entries.len() != before {
            self.reindex();
        }
    }

    /// Sorts the entries with `cmp(key1, value1, key2, value2)` (a stable sort).
    pub fn sort_by(
        &mut self,
        mut cmp: impl FnMut(&Key, &Value, &Key, &Value) -> std::cmp::Ordering,
    ) {
        self.entries
            .sort_by(|(k1, v1), (k2, v2)| cmp(k1, v1, k2, v2));
        self.reindex();
    }

    /// Sorts the entries by key.
    pub fn sort_keys(&mut self) {
        self.entries.sort_by(|(a, _), (b, _)| a.cmp(b));
        self.reindex();
    }

    pub fn reverse(&mut self) {
        self.entries.reverse();
        self.reindex();
    }

    pub fn truncate(&mut self, len: usize) {
        if len < self.entries.len() {
            self.entries.truncate(len);
            self.reindex();
        }
    }

    pub fn pop(&mut self) -> Option<(Key, Value)> {
        let last = self.entries.len().checked_sub(1)?;
        Some(self.shift_remove_index(last))
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.index = None;
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(self.entries.iter_mut())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = Key> + ExactSizeIterator {
        self.entries.into_iter().map(|(k, _)| k)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = Value> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }

    /// Removes every entry, in order.
    pub fn drain(&mut self) -> std::vec::IntoIter<(Key, Value)> {
        self.index = None;
        std::mem::take(&mut self.entries).into_iter()
    }

    /// Builds the hash index from the entries (or drops it when the map is small).
    fn reindex(&mut self) {
        if self.entries.len() < INDEX_FROM {
            self.index = None;
            return;
        }
        let mut table = HashTable::with_capacity(self.entries.len());
        for (i, (k, _)) in self.entries.iter().enumerate() {
            table.insert_unique(hash(k), i, |&j| hash(&self.entries[j].0));
        }
        self.index = Some(Box::new(table));
    }
}

impl Clone for Map {
    fn clone(&self) -> Map {
        Map {
            entries: self.entries.clone(),
            index: self.index.clone(),
        }
    }
}

/// Equal when both have the same keys with equal values, in any order.
impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len()
            && self
                .entries
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|o| o == v))
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<Q: AsRef<str> + ?Sized> std::ops::Index<&Q> for Map {
    type Output = Value;

    fn index(&self, key: &Q) -> &Value {
        self.get(key).expect("Map: key not present")
    }
}

impl<K: Into<Key>> Extend<(K, Value)> for Map {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, items: I) {
        for (k, v) in items {
            self.insert(k, v);
        }
    }
}

impl<K: Into<Key>> FromIterator<(K, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(items: I) -> Map {
        let items = items.into_iter();
        let mut map = Map {
            entries: Vec::with_capacity(items.size_hint().0),
            index: None,
        };
        map.extend(items);
        map
    }
}

impl<K: Into<Key>, const N: usize> From<[(K, Value); N]> for Map {
    fn from(items: [(K, Value); N]) -> Map {
        items.into_iter().collect()
    }
}

impl IntoIterator for Map {
    type Item = (Key, Value);
    type IntoIter = std::vec::IntoIter<(Key, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Key, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a Key, &'a mut Value);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

/// The entries of a [`Map`] in order.
#[derive(Clone)]
pub struct Iter<'a>(std::slice::Iter<'a, (Key, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Key, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The entries of a [`Map`] in order, values writable.
pub struct IterMut<'a>(std::slice::IterMut<'a, (Key, Value)>);

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a Key, &'a mut Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IterMut<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&*k, v))
    }
}

impl ExactSizeIterator for IterMut<'_> {}

/// A key's place in a [`Map`], present or not.
pub enum Entry<'a> {
    Occupied(OccupiedEntry<'a>),
    Vacant(VacantEntry<'a>),
}

impl<'a> Entry<'a> {
    pub fn or_insert(self, default: Value) -> &'a mut Value {
        self.or_insert_with(|| default)
    }

    pub fn or_insert_with(self, default: impl FnOnce() -> Value) -> &'a mut Value {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(default()),
        }
    }

    pub fn or_default(self) -> &'a mut Value {
        self.or_insert_with(Value::default)
    }

    pub fn key(&self) -> &str {
        match self {
            Entry::Occupied(e) => e.key(),
            Entry::Vacant(e) => &e.key,
        }
    }
}

/// A key present in a [`Map`].
pub struct OccupiedEntry<'a> {
    map: &'a mut Map,
    index: usize,
}

impl<'a> OccupiedEntry<'a> {
    pub fn key(&self) -> &str {
        &self.map.entries[self.index].0
    }

    /// The entry's position in the map.
    pub fn index(&self) -> usize {
        self.index
    }

    pub fn get(&self) -> &Value {
        &self.map.entries[self.index].1
    }

    pub fn get_mut(&mut self) -> &mut Value {
        &mut self.map.entries[self.index].1
    }

    pub fn into_mut(self) -> &'a mut Value {
        &mut self.map.entries[self.index].1
    }

    /// Replaces the value, returning the old one.
    pub fn insert(&mut self, value: Value) -> Value {
        std::mem::replace(self.get_mut(), value)
    }

    /// Removes the entry, keeping the order of the others.
    pub fn shift_remove(self) -> Value {
        self.map.shift_remove_index(self.index).1
    }
}

/// A key absent from a [`Map`].
pub struct VacantEntry<'a> {
    map: &'a mut Map,
    key: Key,
}

impl<'a> VacantEntry<'a> {
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Adds the key last with `value`.
    pub fn insert(self, value: Value) -> &'a mut Value {
        let i = self.map.push_new(self.key, value);
        &mut self.map.entries[i].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.to_string().into())
    }

    /// Maps below and above the indexing threshold behave the same.
    fn sizes() -> [usize; 3] {
        [3, INDEX_FROM, INDEX_FROM * 4]
    }

    fn numbered(n: usize) -> Map {
        (0..n)
            .map(|i| (format!("k{i}"), Value::Int(i as i64)))
            .collect()
    }

    #[test]
    fn insert_keeps_the_place_of_a_present_key() {
        for n in sizes() {
            let mut m = numbered(n);
            assert_eq!(m.insert("k1", s("x")), Some(Value::Int(1)));
            assert_eq!(m.get_index_of("k1"), Some(1));
            assert_eq!(m.insert("new", s("y")), None);
            assert_eq!(m.get_index_of("new"), Some(n));
            assert_eq!(m.get("new"), Some(&s("y")));
            assert_eq!(m.len(), n + 1);
        }
    }

    #[test]
    fn shift_remove_keeps_order_and_lookups() {
        for n in sizes() {
            let mut m = numbered(n);
            assert_eq!(m.shift_remove("k0"), Some(Value::Int(0)));
            assert_eq!(m.shift_remove("k0"), None);
            assert_eq!(m.keys().next().map(Key::as_str), Some("k1"));
            for i in 1..n {
                assert_eq!(m.get_index_of(&format!("k{i}")), Some(i - 1), "n={n} i={i}");
            }
        }
    }

    #[test]
    fn swap_remove_moves_the_last_entry() {
        for n in sizes() {
            let mut m = numbered(n);
            assert_eq!(m.swap_remove("k0"), Some(Value::Int(0)));
            assert_eq!(m.get_index_of(&format!("k{}", n - 1)), Some(0));
            assert!(!m.contains_key("k0"));
        }
    }

    #[test]
    fn retain_sort_and_reverse_keep_lookups_right() {
        for n in sizes() {
            let mut m = numbered(n);
            m.retain(|_, v| matches!(v, Value::Int(i) if *i % 2 == 1));
            m.reverse();
            for (pos, (k, _)) in m.iter().enumerate() {
                assert_eq!(m.get_index_of(k), Some(pos));
            }
            m.sort_keys();
            let keys: Vec<_> = m.keys().cloned().collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted);
            assert_eq!(m.get_index_of(&keys[0]), Some(0));
        }
    }

    #[test]
    fn entry_inserts_once() {
        for n in sizes() {
            let mut m = numbered(n);
            *m.entry("k2").or_insert(s("no")) = s("yes");
            m.entry("z").or_insert(Value::Null);
            assert_eq!(m.get("k2"), Some(&s("yes")));
            match m.entry("z") {
                Entry::Occupied(e) => assert_eq!(e.index(), n),
                Entry::Vacant(_) => panic!("z was inserted"),
            }
        }
    }

    #[test]
    fn equality_ignores_order() {
        let a: Map = [("a", s("1")), ("b", s("2"))].into();
        let b: Map = [("b", s("2")), ("a", s("1"))].into();
        let c: Map = [("a", s("1")), ("b", s("3"))].into();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            numbered(40),
            numbered(40).into_iter().rev().collect::<Map>()
        );
    }

    #[test]
    /// A value is four words: a mapping is one vector and an optional index.
    fn values_stay_small() {
        assert!(std::mem::size_of::<Value>() <= 32);
    }

    #[test]
    fn many_keys_stay_fast_to_find() {
        let m = numbered(50_000);
        assert!(m.index.is_some());
        assert!((0..50_000).all(|i| m.get_index_of(&format!("k{i}")) == Some(i)));
    }
}
