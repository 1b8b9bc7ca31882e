//! The relay's load and standing, the answers to "why is my relay not
//! used?":
//! - [`Metrics`]: tor's MetricsPort read on an interval — DoS refusals,
//!   overload, exit DNS errors, congestion control — each series a total
//!   and, for counters, a rate since the reading before with the last
//!   rates for a small graph;
//! - [`Standing`]: at each consensus, the relay's weight, its share and
//!   rank, its flags and whether it was listed; kept in the graph history
//!   files across restarts, at most [`STANDING_DAYS`] days.

mod standing;
#[cfg(test)]
mod tests;

pub use standing::{Change, Mark, Standing, What, STANDING_DAYS};

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How many rates each counter keeps for its graph.
pub const RATES: usize = 60;

/// The MetricsPort families rnyx keeps (by prefix), in the page's order.
pub const KEPT: &[&str] = &[
    "tor_relay_dos_total",
    "tor_relay_load_",
    "tor_relay_exit_dns_error_total",
    "tor_relay_exit_dns_query_total",
    "tor_relay_congestion_control_total",
    "tor_relay_circuits_total",
    // An onion service's (page 7), labelled with its address.
    "tor_hs_",
];

/// Whether a family is one rnyx keeps.
pub fn kept(family: &str) -> bool {
    KEPT.iter().any(|k| family.starts_with(k))
}

/// The two torrc lines that open a MetricsPort to this machine only.
pub const HOW_TO_ENABLE: &str = "MetricsPort 127.0.0.1:9035 and MetricsPortPolicy accept 127.0.0.1";

/// Where rnyx reads tor's MetricsPort, or why it does not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricsPort {
    /// Not known yet (tor not asked).
    #[default]
    Unknown,
    /// tor has none.
    Off,
    /// Read there: `HOST:PORT`, or `unix:PATH` (nyxrc's `metrics_port`).
    At(String),
}

/// One series of a MetricsPort family as last read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricSeries {
    pub family: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// A counter (a total that only grows), whose rate is shown.
    pub counter: bool,
    /// Per second since the reading before (counters; `None` for the
    /// first reading, or after tor restarted and the total fell).
    pub rate: Option<f64>,
    /// The last rates, oldest first, at most [`RATES`].
    #[serde(skip)]
    pub rates: VecDeque<f32>,
}

impl MetricSeries {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn same(&self, family: &str, labels: &[(String, String)]) -> bool {
        self.family == family && self.labels == labels
    }
}

/// One sample as read: family, labels, value, whether a counter.
pub type Reading = (String, Vec<(String, String)>, f64, bool);

/// tor's MetricsPort as rnyx last read it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub port: MetricsPort,
    /// nyxrc's `metrics_port`, which wins over where tor says.
    #[serde(skip)]
    pub configured: Option<String>,
    /// Why the last reading failed, if it did (the series stay as they
    /// were).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When it was last read (unix ms).
    pub read_ms: Option<u64>,
    /// The series kept, in tor's order.
    pub series: Vec<MetricSeries>,
}

impl Metrics {
    /// A reading at `at_ms`: the kept families' series, rates from the
    /// reading before.
    pub fn read(&mut self, readings: impl IntoIterator<Item = Reading>, at_ms: u64) {
        let seconds = self
            .read_ms
            .filter(|&t| at_ms > t)
            .map(|t| (at_ms - t) as f64 / 1000.0);
        let mut old = std::mem::take(&mut self.series);
        let mut next = 0;
        for (family, labels, value, counter) in readings {
            if !kept(&family) {
                continue;
            }
            // tor writes its series in the same order each time.
            let found = match old.get(next) {
                Some(s) if s.same(&family, &labels) => Some(next),
                _ => old.iter().position(|s| s.same(&family, &labels)),
            };
            let (previous, mut rates) = match found {
                Some(i) => {
                    next = i + 1;
                    (Some(old[i].value), std::mem::take(&mut old[i].rates))
                }
                None => (None, VecDeque::new()),
            };
            let rate = match (counter, previous, seconds) {
                (true, Some(p), Some(s)) if value >= p => Some((value - p) / s),
                _ => None,
            };
            if let Some(r) = rate {
                if rates.len() == RATES {
                    rates.pop_front();
                }
                #[allow(clippy::cast_possible_truncation)]
                rates.push_back(r as f32);
            }
            self.series.push(MetricSeries {
                family,
                labels,
                value,
                counter,
                rate,
                rates,
            });
        }
        self.read_ms = Some(at_ms);
        self.error = None;
    }

    /// A reading that failed: why, the series kept.
    pub fn failed(&mut self, why: &str) {
        self.error = Some(crate::text::strip_controls(why));
    }

    /// The series of `family` whose labels include `labels`.
    pub fn find<'a>(
        &'a self,
        family: &'a str,
        labels: &'a [(&'a str, &'a str)],
    ) -> impl Iterator<Item = &'a MetricSeries> + 'a {
        self.series.iter().filter(move |s| {
            s.family == family && labels.iter().all(|(k, v)| s.label(k) == Some(*v))
        })
    }

    /// The value of one series.
    pub fn value(&self, family: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.find(family, labels).next().map(|s| s.value)
    }

    /// The summed rate of the series of `family` matching `labels`, and
    /// their summed totals; `None` before a second reading.
    pub fn rate(&self, family: &str, labels: &[(&str, &str)]) -> Option<(f64, f64)> {
        let mut found = self.find(family, labels).peekable();
        found.peek()?;
        let (mut rate, mut total, mut any) = (0.0, 0.0, false);
        for s in found {
            total += s.value;
            if let Some(r) = s.rate {
                rate += r;
                any = true;
            }
        }
        any.then_some((rate, total))
    }

    /// Whether there is anything read to show.
    pub fn has_readings(&self) -> bool {
        self.read_ms.is_some()
    }
}

/// The DoS refusals an alert counts (`tor_relay_dos_total{type=…}`), each
/// with what it counts in plain words.
pub const DOS_REFUSALS: &[(&str, &str)] = &[
    (
        "circuit_rejected",
        "circuits refused: a client address made them faster than DoSCircuitCreationRate",
    ),
    (
        "conn_rejected",
        "connections refused: a client address opened them faster than DoSConnectionConnectRate",
    ),
    (
        "concurrent_conn_rejected",
        "connections refused: a client address already had DoSConnectionMaxConcurrentCount open",
    ),
    (
        "single_hop_refused",
        "one-hop circuits refused (tor2web-style clients, DoSRefuseSingleHopClientRendezvous)",
    ),
    (
        "introduce2_rejected",
        "INTRODUCE2 cells refused by an onion service's intro point rate limit",
    ),
    (
        "stream_rejected",
        "exit streams refused: a circuit opened them faster than DoSStreamCreationRate",
    ),
];

/// What each kept series counts, in plain words (family, label value).
pub const MEANINGS: &[(&str, &str, &str)] = &[
    (
        "tor_relay_dos_total",
        "marked_address",
        "client addresses marked as attacking, whose circuits are now refused",
    ),
    (
        "tor_relay_dos_total",
        "marked_address_maxq",
        "client addresses marked for filling a circuit's queue",
    ),
    (
        "tor_relay_dos_total",
        "circuit_killed_max_cell",
        "circuits closed for queueing too many cells",
    ),
    (
        "tor_relay_dos_total",
        "circuit_killed_max_cell_outq",
        "circuits closed for too many cells waiting to be sent",
    ),
];

/// The plain words of a DoS series (`type` label).
pub fn dos_meaning(kind: &str) -> Option<&'static str> {
    DOS_REFUSALS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, m)| *m)
        .or_else(|| {
            MEANINGS
                .iter()
                .find(|(f, k, _)| *f == "tor_relay_dos_total" && *k == kind)
                .map(|(_, _, m)| *m)
        })
}

/// The relay's load and standing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Load {
    #[serde(skip)]
    pub metrics: Metrics,
    pub standing: Standing,
}
