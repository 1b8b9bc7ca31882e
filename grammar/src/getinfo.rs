//! Typed GETINFO values (control-spec §3.9): each key's answer read once,
//! into the state's types. A line the spec rules out is refused with its
//! reason and the rest are kept.

use crate::args::tokens;
use crate::event::{or_target, parse_circ, parse_stream, StreamEvent};
use crate::spec::{self, Refused};
use rnyx_model::{Circuit, OrConnStatus, OrConnection};

/// What a multi-line value gave: the entries read, and why any line was not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lines<T> {
    pub entries: Vec<T>,
    pub refused: Vec<Refused>,
}

impl<T> Default for Lines<T> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            refused: Vec::new(),
        }
    }
}

impl<T> Lines<T> {
    /// The entries; the reasons added to `refused`.
    pub fn keep(self, refused: &mut Vec<String>) -> Vec<T> {
        refused.extend(self.refused.into_iter().map(|r| r.0));
        self.entries
    }
}

fn read_lines<T>(
    key: &str,
    text: &str,
    mut read: impl FnMut(&str) -> Result<Option<T>, Refused>,
) -> Lines<T> {
    let mut out = Lines::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match read(line) {
            Ok(Some(entry)) => out.entries.push(entry),
            Ok(None) => {}
            Err(e) => out.refused.push(Refused(format!("{key}: {e}"))),
        }
    }
    out
}

/// `circuit-status`: one `CircuitID CircStatus [Path] …` line per circuit,
/// as in a CIRC event (§4.1.1); closed and failed circuits left out.
pub fn circuit_status(text: &str) -> Lines<Circuit> {
    read_lines("circuit-status", text, |l| {
        let (c, _) = parse_circ(l)?;
        Ok((!c.status.is_terminal()).then_some(c))
    })
}

/// `stream-status`: `StreamID StreamStatus CircuitID Target` per stream.
pub fn stream_status(text: &str) -> Lines<StreamEvent> {
    read_lines("stream-status", text, |l| parse_stream(l).map(Some))
}

/// `orconn-status`: `(LongName / Target) SP ORStatus` per connection; those
/// closed or failed left out.
pub fn orconn_status(text: &str) -> Lines<OrConnection> {
    read_lines("orconn-status", text, |line| {
        let Some((target, status)) = line.trim().rsplit_once(' ') else {
            return Err(spec::refuse("line", line, "a target and an ORStatus"));
        };
        or_target(target)?;
        crate::event::status_word("ORStatus", status)?;
        let status = OrConnStatus::parse(status);
        Ok((!status.is_terminal()).then(|| OrConnection {
            id: None,
            target: target.to_owned(),
            status,
            circuits: None,
            first_seen: 0,
            before_start: true,
        }))
    })
}

/// `bw-event-cache`: `read,written read,written …`, oldest first. Pairs
/// that are not two counts are refused.
pub fn bw_event_cache(text: &str) -> Lines<(u64, u64)> {
    let mut out = Lines::default();
    for pair in text.split(' ').filter(|p| !p.is_empty()) {
        let read = pair
            .split_once(',')
            .ok_or_else(|| spec::refuse("bw-event-cache pair", pair, "read,written"));
        match read.and_then(|(r, w)| Ok((spec::count("read", r)?, spec::count("written", w)?))) {
            Ok(p) => out.entries.push(p),
            Err(e) => out.refused.push(Refused(format!("bw-event-cache: {e}"))),
        }
    }
    out
}

/// `config/names`: `Name Type` per option.
pub fn config_names(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let (n, k) = l.split_once(' ')?;
            Some((n.to_owned(), k.trim().to_owned()))
        })
        .collect()
}

/// `config/defaults`: `Name Value` per option, a quoted value decoded.
pub fn config_defaults(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let (n, v) = l.split_once(' ')?;
            let v = if v.starts_with('"') {
                crate::args::parse_quoted(v).0.into_owned()
            } else {
                v.to_owned()
            };
            Some((n.to_owned(), v))
        })
        .collect()
}

/// `accounting/bytes` and `accounting/bytes-left`: `read written`; what
/// is not a count reads as 0.
pub fn byte_pair(text: &str) -> (u64, u64) {
    let mut it = text
        .split(' ')
        .map(|n| spec::count("bytes", n).unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

/// `net/listeners/*`: a space-separated list of `QuotedString`s
/// (`"127.0.0.1:9051" "unix:/run/tor/control"`), unquoted.
pub fn listeners(text: &str) -> Vec<String> {
    tokens(text).map(|t| t.value.into_owned()).collect()
}

/// `status/clients-seen` (a bridge's): `TimeStarted="…"
/// CountrySummary=cc=N,… IPVersions=v4=N,v6=N`, each list as the extra-info
/// `bridge-ips` line writes it (a country code two letters or `??`, counts
/// numbers). `at`: when it was read. An empty summary is no clients yet.
pub fn clients_seen(text: &str, at: u64) -> Result<rnyx_model::bridge::ClientsSeen, Refused> {
    let pairs = |field: &str, list: &str| -> Result<Vec<(String, u32)>, Refused> {
        list.split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, n) = p
                    .split_once('=')
                    .ok_or_else(|| spec::refuse(field, p, "KEY=COUNT pairs"))?;
                let word = !k.is_empty()
                    && k.len() <= 8
                    && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'?');
                if !word {
                    return Err(spec::refuse(field, p, "a country code or IP version"));
                }
                let n = u32::try_from(spec::count(field, n)?)
                    .map_err(|_| spec::refuse(field, n, "a count of clients"))?;
                Ok((k.to_ascii_lowercase(), n))
            })
            .collect()
    };
    let mut seen = rnyx_model::bridge::ClientsSeen {
        at,
        ..Default::default()
    };
    for t in tokens(text) {
        match t.key {
            Some("TimeStarted") => seen.since = Some(rnyx_model::text::strip_controls(&t.value)),
            Some("CountrySummary") => seen.countries = pairs("CountrySummary", &t.value)?,
            Some("IPVersions") => seen.ip_versions = pairs("IPVersions", &t.value)?,
            _ => {}
        }
    }
    Ok(seen)
}

/// The observed bandwidth of a server descriptor (`bandwidth avg burst
/// observed`).
pub fn descriptor_observed(desc: &str) -> Option<u64> {
    desc.lines().find_map(|l| {
        let rest = l.strip_prefix("bandwidth ")?;
        rest.split(' ').nth(2)?.parse().ok()
    })
}

#[cfg(test)]
mod tests;
