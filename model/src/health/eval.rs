//! The alerts read off the state: one check a kind (a table), then the
//! kinds tor raised with events, each given its severity by the operator's
//! settings; what became active or cleared, for the log.

use super::{rule_of, AlertKind, AlertSettings, Severity, Thresholds};
use super::{Alert, Health};
use crate::{ControllerState, Failure, VersionStatus};
use AlertKind as K;
use Severity::{Critical, Warning};

/// What a check found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    pub detail: String,
    pub words: Option<String>,
    /// When it began, where the signal says (else: when first found).
    pub since: Option<u64>,
}

fn finding(severity: Severity, detail: String) -> Finding {
    Finding {
        severity,
        detail,
        words: None,
        since: None,
    }
}

struct Ctx<'a> {
    s: &'a ControllerState,
    t: &'a Thresholds,
    now: u64,
}

impl Ctx<'_> {
    fn health(&self) -> &Health {
        &self.s.health
    }

    fn relay(&self) -> bool {
        self.s.facts.relay.is_relay()
    }
}

type Check = fn(&Ctx) -> Option<Finding>;

/// The kinds read off the state, one function each.
const CHECKS: &[(AlertKind, Check)] = &[
    (K::NotAnswering, not_answering),
    (K::NotInConsensus, not_in_consensus),
    (K::FlagLost, flag_lost),
    (K::Version, version),
    (K::BootstrapStuck, bootstrap_stuck),
    (K::Overload, overload),
    (K::FileDescriptors, file_descriptors),
    (K::Memory, memory),
    (K::Hibernating, hibernating),
    (K::Accounting, accounting),
    (K::BandwidthLow, bandwidth_low),
    (K::CertExpiry, cert_expiry),
    (K::DosRefusing, dos_refusing),
    (K::OnionskinsDropped, onionskins_dropped),
    (K::OomFreed, oom_freed),
    (K::WeightFell, weight_fell),
    (K::OnionDescriptor, onion_descriptor),
    (K::IntroPoints, intro_points),
    (K::TransportFailing, transport_failing),
    (K::BridgeClients, bridge_clients),
];

/// A change of the active alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// New, or worse than it was.
    Raised(Alert),
    Cleared(Alert),
}

/// Recomputes `state.health.active` at `now`; what changed.
pub fn evaluate(state: &mut ControllerState, settings: &AlertSettings, now: u64) -> Vec<Change> {
    let active = assess(state, settings, now);
    commit(state, active)
}

/// The alerts active at `now`, worst first (the state unchanged).
pub fn assess(state: &ControllerState, settings: &AlertSettings, now: u64) -> Vec<Alert> {
    let ctx = Ctx {
        s: state,
        t: &settings.thresholds,
        now,
    };
    let mut findings: Vec<(AlertKind, Finding)> = Vec::new();
    if state.session.connection.connected {
        findings.extend(
            CHECKS
                .iter()
                .filter(|(kind, _)| !settings.off(*kind))
                .filter_map(|(kind, check)| Some((*kind, check(&ctx)?))),
        );
        for r in &state.health.raised {
            let rule = rule_of(r.kind);
            let expired = rule.lasts.is_some_and(|l| now > r.last.saturating_add(l));
            let young = now.saturating_sub(r.since) < settings.thresholds.after(r.kind);
            if !expired && !young && !findings.iter().any(|(k, _)| *k == r.kind) {
                findings.push((
                    r.kind,
                    Finding {
                        severity: rule.severity,
                        detail: String::new(),
                        words: Some(r.words.clone()),
                        since: Some(r.since),
                    },
                ));
            }
        }
    } else if let Some(why) = state.session.connection.last_error.as_deref() {
        let kind = state
            .session
            .connection
            .failure
            .map_or(K::TorDown, Failure::alert);
        findings.push((
            kind,
            Finding {
                severity: rule_of(kind).severity,
                detail: why.to_owned(),
                words: None,
                since: Some(state.session.connection.since),
            },
        ));
    }
    let old = &state.health.active;
    let mut active: Vec<Alert> = findings
        .into_iter()
        .filter_map(|(kind, f)| {
            let severity = settings.severity(kind, f.severity)?;
            let before = old.iter().find(|a| a.kind == kind);
            Some(Alert {
                kind,
                severity,
                since: f.since.or(before.map(|a| a.since)).unwrap_or(now),
                detail: f.detail,
                words: f.words,
            })
        })
        .collect();
    active.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.kind.cmp(&b.kind)));
    active
}

/// Makes `active` the state's alerts; what changed.
pub fn commit(state: &mut ControllerState, active: Vec<Alert>) -> Vec<Change> {
    let old = std::mem::take(&mut state.health.active);
    let mut changes: Vec<Change> = active
        .iter()
        .filter(|a| {
            !old.iter()
                .any(|o| o.kind == a.kind && o.severity >= a.severity)
        })
        .cloned()
        .map(Change::Raised)
        .collect();
    changes.extend(
        old.into_iter()
            .filter(|o| !active.iter().any(|a| a.kind == o.kind))
            .map(Change::Cleared),
    );
    state.health.active = active;
    changes
}

fn not_answering(c: &Ctx) -> Option<Finding> {
    let since = c.s.session.connection.silent_since?;
    Some(Finding {
        severity: Critical,
        detail: format!("nothing heard for {} s", c.now.saturating_sub(since)),
        words: None,
        since: Some(since),
    })
}

fn own_fingerprint<'a>(c: &'a Ctx) -> Option<&'a str> {
    c.s.facts.relay.fingerprint.as_deref()
}

fn not_in_consensus(c: &Ctx) -> Option<Finding> {
    let since = c.health().missing_since?;
    c.relay().then_some(())?;
    let fp = own_fingerprint(c)?;
    Some(Finding {
        severity: Critical,
        detail: format!("{} relays listed, not {fp}", c.s.facts.consensus.len()),
        words: None,
        since: Some(since),
    })
}

/// Flags lost within this long, as the consensuses kept across restarts
/// say (an rnyx just started has not seen them held).
const LOST_WITHIN: u64 = 86_400;

/// The watched flags lost: since rnyx started, or, from the consensuses
/// kept, within [`LOST_WITHIN`] of the last; each with when.
fn lost_flags(c: &Ctx) -> Vec<(String, u64)> {
    let mut lost = c.health().flags_lost.clone();
    let standing = &c.s.load.standing;
    let Some(newest) = standing.latest().filter(|m| m.listed) else {
        return lost;
    };
    for f in super::WATCHED_FLAGS {
        if lost.iter().any(|(x, _)| x == f) || newest.flags.iter().any(|x| x == f) {
            continue;
        }
        if let Some(at) = standing.lost_since(f, newest.at.saturating_sub(LOST_WITHIN)) {
            lost.push(((*f).to_owned(), at));
        }
    }
    lost
}

fn flag_lost(c: &Ctx) -> Option<Finding> {
    let h = c.health();
    if !c.relay() || h.missing_since.is_some() {
        return None;
    }
    let lost = lost_flags(c);
    if lost.is_empty() {
        return None;
    }
    let names: Vec<&str> = lost.iter().map(|(f, _)| f.as_str()).collect();
    let severity = if names.contains(&"Running") || names.contains(&"Valid") {
        Critical
    } else {
        Warning
    };
    // The consensus that took each, where rnyx saw it.
    let when: Vec<String> = names
        .iter()
        .filter_map(|f| {
            Some(format!(
                "{f} in {}",
                consensus_of(c.s.load.standing.lost_since(f, 0)?)
            ))
        })
        .collect();
    let when = if when.is_empty() {
        String::new()
    } else {
        format!("; {}", when.join(", "))
    };
    Some(Finding {
        severity,
        detail: format!(
            "lost {} (has {}){when}",
            names.join(" "),
            c.s.facts.relay.flags.join(" ")
        ),
        words: None,
        since: lost.iter().map(|(_, t)| *t).min(),
    })
}

/// `HH:MM` UTC of a unix time: a consensus's name.
fn consensus_of(t: u64) -> String {
    format!(
        "the consensus of {:02}:{:02} UTC",
        t / 3600 % 24,
        t / 60 % 60
    )
}

/// The DoS refusals a second, of the last two MetricsPort readings.
fn dos_refusing(c: &Ctx) -> Option<Finding> {
    let m = &c.s.load.metrics;
    let mut parts = Vec::new();
    let mut sum = 0.0;
    for (kind, _) in crate::load::DOS_REFUSALS {
        if let Some((rate, total)) = m.rate("tor_relay_dos_total", &[("type", kind)]) {
            sum += rate;
            if rate > 0.0 {
                parts.push(format!("{kind} {rate:.1}/s ({total:.0} in all)"));
            }
        }
    }
    (sum > c.t.dos_refused_rate && sum > 0.0).then(|| {
        finding(
            Warning,
            format!("{sum:.1} refusals/s: {}", parts.join(", ")),
        )
    })
}

/// Series of `family` whose rate is above zero, as `label value`.
fn growing(c: &Ctx, family: &str, labels: &[(&str, &str)], label: &str) -> Vec<String> {
    c.s.load
        .metrics
        .find(family, labels)
        .filter(|s| s.rate.is_some_and(|r| r > 0.0))
        .map(|s| {
            format!(
                "{} {:.0} (+{:.1}/s)",
                s.label(label).unwrap_or("all"),
                s.value,
                s.rate.unwrap_or_default()
            )
        })
        .collect()
}

fn onionskins_dropped(c: &Ctx) -> Option<Finding> {
    let dropped = growing(
        c,
        "tor_relay_load_onionskins_total",
        &[("action", "dropped")],
        "type",
    );
    (!dropped.is_empty()).then(|| finding(Warning, format!("dropped: {}", dropped.join(", "))))
}

fn oom_freed(c: &Ctx) -> Option<Finding> {
    let freed = growing(c, "tor_relay_load_oom_bytes_total", &[], "subsys");
    (!freed.is_empty()).then(|| finding(Warning, format!("bytes freed: {}", freed.join(", "))))
}

fn weight_fell(c: &Ctx) -> Option<Finding> {
    let standing = &c.s.load.standing;
    let (high, now, pct) = standing.weight_fall(86_400)?;
    (pct > c.t.weight_drop).then(|| {
        let last = standing.latest().map_or(0, |m| m.at);
        finding(
            Warning,
            format!(
                "{high} → {now} (−{pct:.0} %) within 24 h, in {}",
                consensus_of(last)
            ),
        )
    })
}

/// `abcdefgh….onion` (a service without a known address: its directory).
fn service_name(s: &crate::onion::OnionService) -> String {
    match (&s.address, &s.dir) {
        (Some(a), _) => format!("{}….onion", &a[..a.len().min(8)]),
        (None, Some(d)) => d.clone(),
        (None, None) => "a service".to_owned(),
    }
}

/// The services for which `since` says how long something has been wrong,
/// for `after` seconds or more (0: at once): the worst's start and each
/// named.
fn services_wrong(
    c: &Ctx,
    after: u64,
    since: impl Fn(&crate::onion::OnionService) -> Option<u64>,
    say: impl Fn(&crate::onion::OnionService) -> String,
) -> Option<Finding> {
    let wrong: Vec<(u64, String)> =
        c.s.onions
            .services
            .iter()
            .filter_map(|s| {
                let t = since(s)?;
                (c.now.saturating_sub(t) >= after).then(|| (t, say(s)))
            })
            .collect();
    let first = wrong.iter().map(|(t, _)| *t).min()?;
    let said: Vec<String> = wrong.into_iter().map(|(_, s)| s).collect();
    Some(Finding {
        since: Some(first),
        ..finding(Critical, said.join("; "))
    })
}

/// A descriptor missing at every HSDir (critical), or at some of the last
/// round's (a warning: clients that ask those fail), past
/// `onion_descriptor_after`.
fn onion_descriptor(c: &Ctx) -> Option<Finding> {
    use crate::onion::Missing;
    let wrong: Vec<(Missing, String)> =
        c.s.onions
            .services
            .iter()
            .filter_map(|s| {
                let m = s.descriptor_missing(c.now, c.s.facts.relay.start_time)?;
                let past = c.now.saturating_sub(m.since()) >= c.t.onion_descriptor_after;
                past.then(|| {
                    let what = missing_words(s, &m, c.now);
                    (m, format!("{}: {what}", service_name(s)))
                })
            })
            .collect();
    let since = wrong.iter().map(|(m, _)| m.since()).min()?;
    let everywhere = wrong
        .iter()
        .any(|(m, _)| matches!(m, Missing::Everywhere(_)));
    let said: Vec<String> = wrong.into_iter().map(|(_, s)| s).collect();
    Some(Finding {
        since: Some(since),
        ..finding(if everywhere { Critical } else { Warning }, said.join("; "))
    })
}

/// What is wrong with a service's descriptor, in words.
fn missing_words(s: &crate::onion::OnionService, m: &crate::onion::Missing, now: u64) -> String {
    use crate::onion::{holds_no_copy, Missing, REUPLOAD_MAX};
    let d = &s.descriptor;
    let which = || {
        let named: Vec<String> = d
            .current()
            .filter(|h| holds_no_copy(h))
            .map(|h| {
                let name = h.hsdir.short_name();
                let why = h.reason.as_deref().unwrap_or("no answer");
                format!("{name}: {}", crate::text::strip_controls(why))
            })
            .collect();
        named.join(", ")
    };
    match (m, d.last_uploaded, &d.last_failed) {
        (Missing::AtSome { missing, of, .. }, _, _) => {
            format!("{missing} of {of} HSDirs hold no copy ({})", which())
        }
        (_, Some(ok), _) if now > ok + REUPLOAD_MAX => "not uploaded again in 2 h".to_owned(),
        (_, Some(_), _) => format!("no HSDir holds it ({})", which()),
        (_, None, Some((_, why))) => format!("upload failed ({why})"),
        (_, None, None) if d.last_upload.is_some() => "no HSDir accepted it".to_owned(),
        (_, None, None) => "never uploaded".to_owned(),
    }
}

fn intro_points(c: &Ctx) -> Option<Finding> {
    let f = services_wrong(
        c,
        c.t.intro_points_after,
        |s| s.intro_short_since,
        |s| {
            format!(
                "{}: {} of {} established",
                service_name(s),
                s.intro_points,
                s.intro_wanted_total()
            )
        },
    )?;
    Some(Finding {
        severity: Warning,
        ..f
    })
}

/// A managed transport whose process tor saw end (critical), or that
/// logged a warning or error within [`WARNING_LASTS`] (a warning).
fn transport_failing(c: &Ctx) -> Option<Finding> {
    use crate::bridge::WARNING_LASTS;
    let transports = &c.s.bridge.transports;
    let ended: Vec<&crate::bridge::Transport> =
        transports.iter().filter(|t| t.exited.is_some()).collect();
    if let Some(first) = ended.first() {
        let names: Vec<&str> = ended.iter().map(|t| t.name.as_str()).collect();
        let (since, words) = first.exited.clone()?;
        return Some(Finding {
            severity: Critical,
            detail: format!("{}: its process ended", names.join(", ")),
            words: Some(words),
            since: Some(since),
        });
    }
    let recent = |said: &Option<(u64, String)>| {
        said.as_ref()
            .filter(|(at, _)| c.now.saturating_sub(*at) <= WARNING_LASTS)
            .cloned()
    };
    let (t, (at, words), what) = transports.iter().find_map(|t| {
        recent(&t.restarted)
            .map(|r| (t, r, "its process ended and tor started it again"))
            .or_else(|| recent(&t.warning).map(|w| (t, w, "it logged a warning")))
    })?;
    Some(Finding {
        severity: Warning,
        detail: format!("{}: {what}", t.name),
        words: Some(words),
        since: Some(at),
    })
}

/// A bridge that counted no client for `bridge_clients_days` (off at 0).
fn bridge_clients(c: &Ctx) -> Option<Finding> {
    let days = c.t.bridge_clients_days;
    if days == 0 || !c.s.bridge.bridge {
        return None;
    }
    let since = c.s.bridge.clientless_since()?;
    (c.now.saturating_sub(since) > days * 86_400).then(|| Finding {
        since: Some(since),
        ..finding(
            Warning,
            format!(
                "none counted for over {days} day{}",
                if days == 1 { "" } else { "s" }
            ),
        )
    })
}

fn version(c: &Ctx) -> Option<Finding> {
    let severity = match c.s.facts.relay.version_status {
        VersionStatus::Obsolete => Critical,
        VersionStatus::Old | VersionStatus::Unrecommended => Warning,
        _ => return None,
    };
    let status = c.s.facts.relay.version_status.as_str();
    Some(finding(
        severity,
        format!(
            "tor {} is {status}",
            c.s.facts.relay.version.as_deref().unwrap_or("?")
        ),
    ))
}

fn bootstrap_stuck(c: &Ctx) -> Option<Finding> {
    let b = c.health().bootstrap.as_ref()?;
    let stuck = c.now.saturating_sub(b.since);
    if b.progress >= 100 || stuck < c.t.bootstrap_after {
        return None;
    }
    Some(Finding {
        severity: Warning,
        detail: format!("at {}% for {stuck} s", b.progress),
        words: Some(b.words.clone()),
        since: Some(b.since),
    })
}

fn overload(c: &Ctx) -> Option<Finding> {
    let lines = &c.health().overload;
    if lines.is_empty() || !c.relay() {
        return None;
    }
    Some(Finding {
        severity: Warning,
        detail: "the relay's descriptors say it was overloaded".into(),
        words: Some(lines.join("; ")),
        since: None,
    })
}

fn percent(part: u64, whole: u64) -> f64 {
    part as f64 * 100.0 / whole as f64
}

fn file_descriptors(c: &Ctx) -> Option<Finding> {
    let (used, limit) = (c.s.facts.system.tor_fds?, c.s.facts.system.tor_fd_limit?);
    if limit == 0 {
        return None;
    }
    let p = percent(used, limit);
    let severity = if p >= c.t.fd_critical {
        Critical
    } else if p >= c.t.fd_warning {
        Warning
    } else {
        return None;
    };
    Some(finding(
        severity,
        format!("{used} of {limit} open ({p:.0}%)"),
    ))
}

fn memory(c: &Ctx) -> Option<Finding> {
    let (used, max) = (c.s.facts.system.tor_memory?, c.health().max_mem?);
    let p = percent(used, max);
    (max > 0 && p >= c.t.memory_warning).then_some(())?;
    Some(finding(
        Warning,
        format!(
            "{} MB resident, MaxMemInQueues {} MB ({p:.0}%)",
            used >> 20,
            max >> 20
        ),
    ))
}

fn hibernating(c: &Ctx) -> Option<Finding> {
    let a = c.s.facts.relay.accounting.as_ref()?;
    matches!(a.status.as_str(), "soft" | "hard").then_some(())?;
    Some(Finding {
        severity: Warning,
        detail: format!("accounting is {} until {} UTC", a.status, a.interval_end),
        words: Some(format!("accounting/hibernating={}", a.status)),
        since: None,
    })
}

fn accounting(c: &Ctx) -> Option<Finding> {
    let a = c.s.facts.relay.accounting.as_ref()?;
    if a.status != "awake" {
        return None;
    }
    let used = a.read.max(a.written);
    let left = a.read_left.min(a.written_left);
    let whole = used.saturating_add(left);
    (whole > 0).then_some(())?;
    let p = percent(used, whole);
    (p >= c.t.accounting_warning).then_some(())?;
    Some(finding(
        Warning,
        format!(
            "{p:.0}% of the allowance used, {} MB left until {} UTC",
            left >> 20,
            a.interval_end
        ),
    ))
}

/// Samples the average needs: ten minutes.
const BANDWIDTH_SAMPLES: usize = 600;

fn bandwidth_low(c: &Ctx) -> Option<Finding> {
    let r = &c.s.facts.relay;
    if !r.is_relay() || c.health().missing_since.is_some() {
        return None;
    }
    let advertised = [r.bandwidth_rate, r.bandwidth_burst, r.bandwidth_observed]
        .into_iter()
        .flatten()
        .min()?;
    r.bandwidth_observed?;
    let samples = &c.s.traffic.bandwidth;
    (samples.len() >= BANDWIDTH_SAMPLES && advertised > 0).then_some(())?;
    let sum: u64 = samples.iter().map(|s| s.read.max(s.written)).sum();
    let average = sum / samples.len() as u64;
    let p = percent(average, advertised);
    (p < c.t.bandwidth_low).then_some(())?;
    Some(finding(
        Warning,
        format!(
            "{} KB/s over {} min, {p:.1}% of the {} KB/s advertised",
            average >> 10,
            samples.len() / 60,
            advertised >> 10
        ),
    ))
}

fn cert_expiry(c: &Ctx) -> Option<Finding> {
    let expires = c.health().cert_expires?;
    let days = (expires as f64 - c.now as f64) / 86_400.0;
    let severity = if days <= c.t.cert_critical_days {
        Critical
    } else if days <= c.t.cert_warning_days {
        Warning
    } else {
        return None;
    };
    let detail = if days < 0.0 {
        format!("expired {:.1} days ago", -days)
    } else {
        format!("{days:.1} days left")
    };
    Some(finding(severity, detail))
}
