//! What the log shows: tor's runlevels, rnyx's own runlevels, and other
//! events tor sends as log lines. One type with one default, used by nyxrc,
//! the command line, the controller task, the event dialog and the log.

use super::Runlevel;
use serde::{Serialize, Serializer};

/// Events offered when tor has not said which it knows (not connected).
pub const KNOWN_EVENTS: &[&str] = &[
    "CIRC",
    "CIRC_MINOR",
    "STREAM",
    "ORCONN",
    "BW",
    "NEWDESC",
    "ADDRMAP",
    "DESCCHANGED",
    "NS",
    "STATUS_GENERAL",
    "STATUS_CLIENT",
    "STATUS_SERVER",
    "GUARD",
    "STREAM_BW",
    "CLIENTS_SEEN",
    "NEWCONSENSUS",
    "BUILDTIMEOUT_SET",
    "SIGNAL",
    "CONF_CHANGED",
    "CONN_BW",
    "CELL_STATS",
    "CIRC_BW",
    "TRANSPORT_LAUNCHED",
    "HS_DESC",
    "HS_DESC_CONTENT",
    "NETWORK_LIVENESS",
];

/// The events shown in the log.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventSelection {
    tor: [bool; 5],
    rnyx: [bool; 5],
    /// Other event names, upper-case, sorted, without repeats.
    others: Vec<String>,
}

/// NOTICE and up, from tor and from rnyx: the one default.
const NOTICE_AND_UP: [bool; 5] = [false, false, true, true, true];

impl Default for EventSelection {
    fn default() -> Self {
        Self {
            tor: NOTICE_AND_UP,
            rnyx: NOTICE_AND_UP,
            others: Vec::new(),
        }
    }
}

impl EventSelection {
    /// Nothing selected.
    pub fn none() -> Self {
        Self {
            tor: [false; 5],
            rnyx: [false; 5],
            others: Vec::new(),
        }
    }

    /// Reads a list as written in nyxrc or on the command line
    /// (`DEBUG,INFO,CIRC` or the items of a TOML array), case-insensitive.
    /// A list naming none of rnyx's runlevels keeps rnyx's default (NOTICE
    /// and up), so `--log DEBUG` does not hide rnyx's own warnings. Returns
    /// the names it does not know apart.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> (Self, Vec<String>) {
        let mut s = Self::none();
        let mut unknown = Vec::new();
        for item in items
            .into_iter()
            .flat_map(|i| i.split(','))
            .map(str::trim)
            .filter(|i| !i.is_empty())
        {
            if !s.insert(item) {
                unknown.push(item.to_owned());
            }
        }
        if !s.rnyx.contains(&true) {
            s.rnyx = NOTICE_AND_UP;
        }
        (s, unknown)
    }

    /// Adds one name (`NOTICE`, `RNYX_WARN`, `CIRC`); false if rnyx knows
    /// no such event.
    pub fn insert(&mut self, name: &str) -> bool {
        let upper = name.to_ascii_uppercase();
        if let Some(level) = upper.strip_prefix("RNYX_") {
            let Ok(level) = level.parse::<Runlevel>() else {
                return false;
            };
            self.rnyx[level.index()] = true;
        } else if let Ok(level) = upper.parse::<Runlevel>() {
            self.tor[level.index()] = true;
        } else if KNOWN_EVENTS.contains(&upper.as_str()) {
            self.add_other(upper);
        } else {
            return false;
        }
        true
    }

    /// Adds an event tor listed in `events/names`, known to rnyx or not.
    pub fn add_other(&mut self, name: String) {
        if let Err(at) = self.others.binary_search(&name) {
            self.others.insert(at, name);
        }
    }

    /// Drops an event (tor refused it).
    pub fn remove_other(&mut self, name: &str) {
        self.others.retain(|o| !o.eq_ignore_ascii_case(name));
    }

    pub fn set_tor(&mut self, level: Runlevel, on: bool) {
        self.tor[level.index()] = on;
    }

    pub fn set_rnyx(&mut self, level: Runlevel, on: bool) {
        self.rnyx[level.index()] = on;
    }

    pub fn shows_tor(&self, level: Runlevel) -> bool {
        self.tor[level.index()]
    }

    pub fn shows_rnyx(&self, level: Runlevel) -> bool {
        self.rnyx[level.index()]
    }

    /// Whether a non-log event (`CIRC`, `BW`…) becomes a log line. Called
    /// per event: a binary search over a handful of names.
    pub fn logs_event(&self, name: &str) -> bool {
        self.others
            .binary_search_by(|o| o.as_str().cmp(name))
            .is_ok()
    }

    /// The other events, sorted.
    pub fn others(&self) -> &[String] {
        &self.others
    }

    /// Every name selected: tor's runlevels, rnyx's, then the others.
    pub fn names(&self) -> Vec<String> {
        self.listed(true)
    }

    /// What to ask tor for with SETEVENTS: its runlevels and the others
    /// (rnyx's own runlevels are not tor's).
    pub fn tor_events(&self) -> Vec<String> {
        self.listed(false)
    }

    fn listed(&self, with_rnyx: bool) -> Vec<String> {
        let levels = |set: [bool; 5], name: fn(Runlevel) -> &'static str| {
            Runlevel::ALL
                .into_iter()
                .filter(move |l| set[l.index()])
                .map(move |l| name(l).to_owned())
        };
        let rnyx = if with_rnyx { self.rnyx } else { [false; 5] };
        levels(self.tor, Runlevel::as_str)
            .chain(levels(rnyx, Runlevel::rnyx_name))
            .chain(self.others.iter().cloned())
            .collect()
    }

    /// Nyx's short form, runs condensed: `TOR/RNYX NOTICE-ERR, CIRC` or
    /// `TOR DEBUG,NOTICE-ERR, RNYX NOTICE-ERR`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        match (levels(self.tor), levels(self.rnyx)) {
            (Some(t), Some(r)) if t == r => parts.push(format!("TOR/RNYX {t}")),
            (t, r) => {
                parts.extend(t.map(|t| format!("TOR {t}")));
                parts.extend(r.map(|r| format!("RNYX {r}")));
            }
        }
        parts.extend(self.others.iter().cloned());
        parts.join(", ")
    }
}

impl Serialize for EventSelection {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

/// A set of runlevels in Nyx's short form, runs condensed: `NOTICE-ERR`,
/// `DEBUG,NOTICE-ERR`.
fn levels(set: [bool; 5]) -> Option<String> {
    let name = |i: usize| Runlevel::ALL[i].as_str();
    let mut runs: Vec<String> = Vec::new();
    let mut i = 0;
    while i < 5 {
        if !set[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < 5 && set[i + 1] {
            i += 1;
        }
        runs.push(if start == i {
            name(i).to_owned()
        } else {
            format!("{}-{}", name(start), name(i))
        });
        i += 1;
    }
    (!runs.is_empty()).then(|| runs.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_notice_and_up_for_tor_and_rnyx() {
        let d = EventSelection::default();
        assert_eq!(
            d.names(),
            [
                "NOTICE",
                "WARN",
                "ERR",
                "RNYX_NOTICE",
                "RNYX_WARN",
                "RNYX_ERR"
            ]
        );
        assert_eq!(d.tor_events(), ["NOTICE", "WARN", "ERR"]);
        assert_eq!(d.summary(), "TOR/RNYX NOTICE-ERR");
        // Parsing the default's own names gives the default back.
        let names = d.names();
        assert_eq!(
            EventSelection::parse(names.iter().map(String::as_str)),
            (d, vec![])
        );
    }

    #[test]
    fn parse_keeps_rnyx_default_unless_named() {
        let (s, unknown) = EventSelection::parse(["debug,Info", "circ", "BOGUS", "bw, CIRC"]);
        assert_eq!(unknown, ["BOGUS"]);
        assert_eq!(
            s.names(),
            [
                "DEBUG",
                "INFO",
                "RNYX_NOTICE",
                "RNYX_WARN",
                "RNYX_ERR",
                "BW",
                "CIRC"
            ]
        );
        assert_eq!(s.summary(), "TOR DEBUG-INFO, RNYX NOTICE-ERR, BW, CIRC");
        assert!(s.logs_event("CIRC") && s.logs_event("BW") && !s.logs_event("ORCONN"));
        let (s, _) = EventSelection::parse(["RNYX_DEBUG", "RNYX_RUBBISH"]);
        assert_eq!(s.names(), ["RNYX_DEBUG"]);
        assert_eq!(s.summary(), "RNYX DEBUG");
    }

    #[test]
    fn others_stay_sorted_and_unique() {
        let mut s = EventSelection::none();
        s.add_other("STREAM".into());
        s.add_other("BW".into());
        s.add_other("STREAM".into());
        assert_eq!(s.others(), ["BW", "STREAM"]);
        s.remove_other("stream");
        assert_eq!(s.others(), ["BW"]);
    }
}
