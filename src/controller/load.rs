//! tor's MetricsPort and the relay's standing: where the MetricsPort is
//! (nyxrc's `metrics_port`, else `GETCONF MetricsPort`), reading it on an
//! interval through the host, and a mark of the relay at each consensus
//! dated with the consensus's valid-after.

use super::facts::LoadFacts;
use super::inbox::{Done, Post};
use super::SharedState;
use crate::control::event::RouterStatus;
use crate::control::Client;
use crate::host::metrics::Metered;
use crate::host::SharedHost;
use rnyx_model::load::{Mark, MetricsPort};
use rnyx_model::ControllerState;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Where to read tor's MetricsPort as tor gives it (`9035`,
/// `127.0.0.1:9035 prometheus`, `[::]:9035`): an address that listens
/// everywhere is read on loopback.
pub fn port_of(tor: &[String]) -> MetricsPort {
    let Some(first) = tor
        .iter()
        .filter_map(|v| v.split_whitespace().next())
        .find(|v| !v.is_empty() && *v != "0")
    else {
        return MetricsPort::Off;
    };
    let at = match first.rsplit_once(':') {
        None => format!("127.0.0.1:{first}"),
        Some(("0.0.0.0", port)) => format!("127.0.0.1:{port}"),
        Some(("[::]", port)) => format!("[::1]:{port}"),
        Some(_) => first.to_owned(),
    };
    MetricsPort::At(rnyx_model::text::strip_controls(&at))
}

/// The facts into the state: the MetricsPort (nyxrc's wins), and, on a
/// connection's `first` facts, the consensus's date for the mark made
/// from `ns/all` (later, a NEWCONSENSUS may have come since tor answered).
pub fn apply(s: &mut ControllerState, facts: LoadFacts, first: bool) {
    let m = &mut s.load.metrics;
    m.port = match (&m.configured, &facts.metrics_port) {
        (Some(at), _) => MetricsPort::At(at.clone()),
        (None, Some(ports)) => port_of(ports),
        // A tor that does not know the option (older than 0.4.7), or a
        // recording made before rnyx asked.
        (None, None) => MetricsPort::Off,
    };
    if let Some(t) = facts
        .valid_after
        .filter(|_| first)
        .as_deref()
        .and_then(rnyx_grammar::time::parse_utc)
    {
        s.load.standing.date_last(t);
    }
}

/// The relay in a consensus of `entries` (`fingerprint`'s entry), at
/// `now` until tor says the consensus's date.
pub fn mark_of(entries: &[RouterStatus], fingerprint: &str, now: u64) -> Mark {
    let own = entries.iter().find(|e| e.fingerprint == fingerprint);
    let weight = own.and_then(|o| o.bandwidth);
    let total = entries.iter().filter_map(|e| e.bandwidth).sum();
    let rank = weight.map(|w| {
        let heavier = entries
            .iter()
            .filter(|e| e.bandwidth.is_some_and(|b| b > w))
            .count();
        u32::try_from(heavier + 1).unwrap_or(u32::MAX)
    });
    Mark {
        at: now,
        dated: false,
        listed: own.is_some(),
        weight,
        flags: own.map(|o| o.flags.clone()).unwrap_or_default(),
        total,
        rank,
        relays: u32::try_from(entries.len()).unwrap_or(u32::MAX),
    }
}

/// A new consensus: the relay's mark in it (none while tor has no
/// consensus).
pub fn on_consensus(s: &mut ControllerState, entries: &[RouterStatus], now: u64) {
    if entries.is_empty() {
        return;
    }
    if let Some(fp) = s.facts.relay.fingerprint.clone() {
        s.load.standing.push(mark_of(entries, &fp, now), now);
    }
}

/// Asks tor of when its consensus is; the answer dates the last mark.
pub(super) fn date_consensus(client: Client, post: Post) {
    tokio::spawn(async move {
        if let Ok(v) = client.getinfo("consensus/valid-after").await {
            if let Some(t) = rnyx_grammar::time::parse_utc(&v) {
                post.send(Done::ConsensusDated(t)).await;
            }
        }
    });
}

/// Reads tor's MetricsPort on an interval, one reading at a time, through
/// the host; the readings arrive in the inbox.
pub struct MetricsWatch {
    pub tick: tokio::time::Interval,
    host: SharedHost,
    post: Post,
    busy: Arc<AtomicBool>,
}

impl MetricsWatch {
    pub(super) fn new(every: Duration, host: SharedHost, post: Post) -> Self {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self {
            tick,
            host,
            post,
            busy: Arc::default(),
        }
    }

    /// Reads it now, where tor has one and no reading is under way.
    pub fn read(&self, state: &SharedState) {
        let at = state.read(|s| match &s.load.metrics.port {
            MetricsPort::At(at) => Some(at.clone()),
            _ => None,
        });
        let Some(at) = at else { return };
        if self.busy.swap(true, Ordering::AcqRel) {
            return;
        }
        let (host, post, busy) = (self.host.clone(), self.post.clone(), self.busy.clone());
        tokio::spawn(async move {
            let readings = host.metrics(&at).await;
            busy.store(false, Ordering::Release);
            if !readings.is_empty() {
                post.send(Done::Metrics(readings)).await;
            }
        });
    }
}

/// Readings into the state, each at its time (`None`: `now_ms`).
pub fn apply_readings(s: &mut ControllerState, readings: Vec<Metered>, now_ms: u64) {
    for (at, reading) in readings {
        match reading {
            Ok(text) => {
                let exposition = rnyx_grammar::metrics::parse(&text);
                let kinds = exposition.types;
                let counter = |name: &str| {
                    kinds
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or(name.ends_with("_total"), |(_, k)| k == "counter")
                };
                let samples = exposition.samples.into_iter().map(|x| {
                    let c = counter(&x.name);
                    (x.name, x.labels, x.value, c)
                });
                s.load.metrics.read(samples, at.unwrap_or(now_ms));
            }
            Err(why) => s.load.metrics.failed(&why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_is_read_where_tor_listens() {
        let p = |v: &[&str]| port_of(&v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(p(&[]), MetricsPort::Off);
        assert_eq!(p(&[""]), MetricsPort::Off);
        assert_eq!(p(&["9035"]), MetricsPort::At("127.0.0.1:9035".into()));
        assert_eq!(
            p(&["127.0.0.1:9035 prometheus"]),
            MetricsPort::At("127.0.0.1:9035".into())
        );
        assert_eq!(
            p(&["0.0.0.0:9035"]),
            MetricsPort::At("127.0.0.1:9035".into())
        );
        assert_eq!(p(&["[::]:9035"]), MetricsPort::At("[::1]:9035".into()));
    }

    #[test]
    fn a_mark_has_the_weight_share_and_rank() {
        let e = |fp: &str, w: Option<u64>| RouterStatus {
            fingerprint: fp.into(),
            bandwidth: w,
            flags: vec!["Fast".into(), "Running".into()],
            ..RouterStatus::default()
        };
        let entries = vec![
            e("A", Some(500)),
            e("B", Some(300)),
            e("C", None),
            e("D", Some(200)),
        ];
        let m = mark_of(&entries, "B", 77);
        assert_eq!(
            (m.listed, m.weight, m.total, m.rank, m.relays),
            (true, Some(300), 1000, Some(2), 4)
        );
        assert!((m.share().unwrap() - 30.0).abs() < 1e-9);
        let gone = mark_of(&entries, "Z", 77);
        assert_eq!((gone.listed, gone.weight, gone.rank), (false, None, None));
    }
}
