//! The orderings of the configuration editor (Nyx's), nyxrc's
//! `config_order`.

use rnyx_model::{display_value, Manual, ManualEntry, TorOption};
use std::cmp::Ordering;

pub use crate::settings::ConfigOrder;

impl ConfigOrder {
    /// `a` and `b` with their manual entries, looked up once a sort.
    fn compare(self, (a, ea): Keyed, (b, eb): Keyed) -> Ordering {
        let text =
            |e: Option<&ManualEntry>, f: fn(&ManualEntry) -> String| e.map(f).unwrap_or_default();
        match self {
            ConfigOrder::ManPageEntry => {
                let at = |e: Option<&ManualEntry>| e.map_or(usize::MAX, |e| e.index);
                at(ea).cmp(&at(eb))
            }
            ConfigOrder::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            ConfigOrder::IsSet => b.set.cmp(&a.set),
            ConfigOrder::Value => display_value(a).cmp(&display_value(b)),
            ConfigOrder::ValueType => a.kind.as_str().cmp(b.kind.as_str()),
            ConfigOrder::Category => {
                text(ea, |e| e.category.clone()).cmp(&text(eb, |e| e.category.clone()))
            }
            ConfigOrder::Usage => text(ea, |e| e.usage.clone()).cmp(&text(eb, |e| e.usage.clone())),
            ConfigOrder::Summary => {
                text(ea, |e| e.summary().to_owned()).cmp(&text(eb, |e| e.summary().to_owned()))
            }
            ConfigOrder::Description => {
                text(ea, |e| e.description.join(" ")).cmp(&text(eb, |e| e.description.join(" ")))
            }
        }
    }
}

impl std::str::FromStr for ConfigOrder {
    type Err = String;

    /// `name`, or Nyx's `NAME`.
    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase();
        ConfigOrder::ALL
            .into_iter()
            .find(|o| o.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = ConfigOrder::ALL.iter().map(|o| o.name()).collect();
                format!(
                    "unknown ordering `{s}`, expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Sorts `list` by `order`, the first key deciding most.
pub fn sort(list: &mut Vec<&TorOption>, order: &[ConfigOrder], manual: Option<&Manual>) {
    let mut keyed: Vec<(&TorOption, Option<&ManualEntry>)> = list
        .iter()
        .map(|o| (*o, manual.and_then(|m| m.get(&o.name))))
        .collect();
    keyed.sort_by(|a, b| {
        order
            .iter()
            .map(|o| o.compare(*a, *b))
            .find(|c| c.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    *list = keyed.into_iter().map(|(o, _)| o).collect();
}

/// An option and its manual entry.
type Keyed<'a> = (&'a TorOption, Option<&'a ManualEntry>);

/// `first` becomes the deciding key; the others keep their turn.
pub fn make_first(order: &mut Vec<ConfigOrder>, first: ConfigOrder) {
    order.retain(|o| *o != first);
    order.insert(0, first);
}
