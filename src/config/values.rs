//! nyxrc's value types, each read with an error that names what was
//! expected: bounded numbers, interval names, lists, and the `[keys]`
//! tables.

use rnyx_model::Interval;
use rnyx_panels::keymap::{ActionId, ActionSpec, Key};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

/// An integer within `MIN..=MAX`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ranged<const MIN: u32, const MAX: u32>(pub(super) u32);

impl<'de, const MIN: u32, const MAX: u32> Deserialize<'de> for Ranged<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        match u32::try_from(v) {
            Ok(v) if (MIN..=MAX).contains(&v) => Ok(Ranged(v)),
            _ => Err(de::Error::custom(format!(
                "{v} is out of range; use {MIN} to {MAX}"
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct IntervalName(pub(super) Interval);

impl<'de> Deserialize<'de> for IntervalName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Interval::from_name(&s).map(IntervalName).ok_or_else(|| {
            let names: Vec<String> = Interval::ALL
                .iter()
                .map(|i| format!("\"{}\"", i.name()))
                .collect();
            de::Error::custom(format!(
                "unknown interval \"{s}\", expected one of {}",
                names.join(", ")
            ))
        })
    }
}

/// `[keys]`: global actions (`quit = "q"`) and a table per page
/// (`[keys.graph]`, `graph_stat = "s"`), every name checked against the
/// actions the app and that page declare.
#[derive(Debug, Default)]
pub(super) struct KeysTable {
    pub(super) global: Vec<(ActionId, Vec<Key>)>,
    pub(super) pages: Vec<(&'static str, ActionId, Vec<Key>)>,
}

/// A name in `[keys]`: a global action or a page's table; an action is
/// resolved here, once, to its place in its scope's list.
enum KeysName {
    Action(ActionId),
    Page(&'static str, &'static [ActionSpec]),
}

/// Reads a name in `[keys]` or in a page's table; an unknown one is an
/// error at its line that lists what would do.
struct NameSeed {
    /// The page whose table this is; `None` for `[keys]` itself.
    page: Option<(&'static str, &'static [ActionSpec])>,
}

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = KeysName;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeysName, D::Error> {
        let name = String::deserialize(d)?;
        let pages = rnyx_panels::pages::catalog();
        let actions = match self.page {
            Some((_, specs)) => specs,
            None => rnyx_panels::app::GLOBAL_ACTIONS,
        };
        if let Some(i) = actions.iter().position(|a| a.name == name) {
            return Ok(KeysName::Action(ActionId::new(i)));
        }
        if self.page.is_none() {
            if let Some((id, specs)) = pages.iter().find(|(id, _)| *id == name) {
                return Ok(KeysName::Page(id, specs));
            }
        }
        if self.page.is_none() {
            if let Some((id, _)) = pages
                .iter()
                .find(|(_, specs)| specs.iter().any(|a| a.name == name))
            {
                return Err(de::Error::custom(format!(
                    "`{name}` is an action of page {id}: bind it under [keys.{id}]"
                )));
            }
        }
        let quoted = |names: Vec<String>| names.join(", ");
        let action_names = quoted(actions.iter().map(|a| format!("`{}`", a.name)).collect());
        Err(de::Error::custom(match self.page {
            None => format!(
                "unknown action `{name}`, expected one of {action_names}, or a page's table ({})",
                quoted(pages.iter().map(|(id, _)| format!("[keys.{id}]")).collect()),
            ),
            Some((id, _)) => {
                format!("unknown action `{name}` of page {id}, expected one of {action_names}")
            }
        }))
    }
}

impl<'de> Deserialize<'de> for KeysTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeysTable;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of actions and keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeysTable, A::Error> {
                let mut table = KeysTable::default();
                while let Some(name) = map.next_key_seed(NameSeed { page: None })? {
                    match name {
                        KeysName::Action(a) => {
                            let keys: OneOrMany<Key> = map.next_value()?;
                            table.global.push((a, keys.0));
                        }
                        KeysName::Page(id, specs) => {
                            let bindings = map.next_value_seed(PageKeys { id, specs })?;
                            table
                                .pages
                                .extend(bindings.into_iter().map(|(a, k)| (id, a, k)));
                        }
                    }
                }
                Ok(table)
            }
        }
        d.deserialize_map(V)
    }
}

/// `[keys.<page>]`: that page's actions and their keys.
struct PageKeys {
    id: &'static str,
    specs: &'static [ActionSpec],
}

impl<'de> DeserializeSeed<'de> for PageKeys {
    type Value = Vec<(ActionId, Vec<Key>)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageKeys {
    type Value = Vec<(ActionId, Vec<Key>)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a table of page {}'s actions and keys", self.id)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        let page = Some((self.id, self.specs));
        while let Some(name) = map.next_key_seed(NameSeed { page })? {
            if let KeysName::Action(a) = name {
                let keys: OneOrMany<Key> = map.next_value()?;
                out.push((a, keys.0));
            }
        }
        Ok(out)
    }
}

/// One value (`"q"`, `"NOTICE,WARN"`) or several (`["q", "esc"]`), each
/// read with `FromStr`.
#[derive(Debug, Clone)]
pub(super) struct OneOrMany<T>(pub(super) Vec<T>);

impl<'de, T: FromStr<Err: fmt::Display>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: FromStr<Err: fmt::Display>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                s.parse().map(|v| OneOrMany(vec![v])).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut values = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    values.push(s.parse().map_err(de::Error::custom)?);
                }
                Ok(OneOrMany(values))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The known name closest to `name` by edit distance, if it is close enough
/// to be a typo (at most a third of the name's letters, at least 2).
pub(super) fn nearest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (distance(name, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod nearest_tests {
    use super::*;

    #[test]
    fn typos_find_their_key_and_strangers_none() {
        let known = ["graph_interval", "graph_bound", "show_bits", "max_fps"];
        assert_eq!(nearest("graph_intervall", &known), Some("graph_interval"));
        assert_eq!(nearest("graph_stats", &known), None);
        assert_eq!(nearest("show_bit", &known), Some("show_bits"));
        assert_eq!(nearest("maxfps", &known), Some("max_fps"));
        assert_eq!(nearest("colour", &known), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
