//! The alerts' signals that events do not bring: tor's answers read with
//! the facts (bootstrap, liveness, reachability, overload lines,
//! MaxMemInQueues) and the signing certificate on disk; and judging the
//! state, with what changed said in the log.

use super::rnyx_log;
use crate::control::Client;
use rnyx_grammar::args::tokens;
use rnyx_model::health::{self, signals, AlertKind, Change, Severity};
use rnyx_model::{ControllerState, Runlevel};
use std::path::PathBuf;

/// tor's answers for the alerts, as given.
#[derive(Debug, Clone, Default)]
pub struct HealthFacts {
    /// `status/bootstrap-phase`: `NOTICE BOOTSTRAP PROGRESS=… …`.
    pub bootstrap: Option<String>,
    /// `network-liveness`: `up` or `down`.
    pub liveness: Option<String>,
    /// `status/reachability-succeeded/or` and `…/dir`: `0` or `1`.
    pub reachable: (Option<String>, Option<String>),
    /// The `overload-*` lines of the relay's descriptors.
    pub overload: Vec<String>,
    /// `MaxMemInQueues` in bytes when set (`0` is tor's automatic value).
    pub max_mem: Option<u64>,
    /// Where tor keeps its keys (`DataDirectory`/keys).
    pub keys: Option<PathBuf>,
    /// The signing certificate's expiry, when it could be read.
    pub cert_expires: Option<u64>,
}

/// tor keeps quiet about reachability this long after it starts (it tests
/// meanwhile); after it, not yet reachable is a failure.
const REACHABILITY_GRACE: u64 = 20 * 60;

/// Asks tor what the alerts need. `fingerprint`: set for a relay.
pub async fn gather(client: &Client, fingerprint: Option<&str>) -> HealthFacts {
    let get = |key: String| async move { client.getinfo(&key).await.ok() };
    let (bootstrap, liveness, or, dir, max_mem, data_dir) = tokio::join!(
        get("status/bootstrap-phase".into()),
        get("network-liveness".into()),
        get("status/reachability-succeeded/or".into()),
        get("status/reachability-succeeded/dir".into()),
        client.getconf("MaxMemInQueues"),
        client.getconf("DataDirectory"),
    );
    let mut overload = Vec::new();
    if let Some(fp) = fingerprint {
        if let Some(desc) = get(format!("desc/id/{fp}")).await {
            overload = signals::overload_lines(&desc);
            if let Some(digest) = signals::extra_info_digest(&desc) {
                if let Some(extra) = get(format!("extra-info/digest/{digest}")).await {
                    overload.extend(signals::overload_lines(&extra));
                }
            }
        }
    }
    let first = |v: Result<Vec<String>, _>| v.ok().and_then(|v| v.into_iter().next());
    HealthFacts {
        bootstrap,
        liveness,
        reachable: (or, dir),
        overload,
        max_mem: first(max_mem)
            .and_then(|m| rnyx_model::data_size(&m))
            .filter(|m| *m > 0),
        keys: first(data_dir).map(|d| PathBuf::from(d).join("keys")),
        cert_expires: None,
    }
}

/// The answers into the state's health.
pub fn apply(s: &mut ControllerState, facts: HealthFacts, now: u64) {
    let h = &mut s.health;
    if let Some(phase) = &facts.bootstrap {
        let args: Vec<(String, String)> = tokens(phase)
            .filter_map(|t| Some((t.key?.to_owned(), t.value.into_owned())))
            .collect();
        let first = h.bootstrap.is_none();
        h.on_bootstrap(&args, now);
        // Seen first now: not done since tor started, as far as rnyx knows.
        if let (true, Some(b), Some(start)) = (first, &mut h.bootstrap, s.facts.relay.start_time) {
            b.since = b.since.min(start);
        }
    }
    match facts.liveness.as_deref().map(str::trim) {
        Some("down") => {
            let first = !h.raised.iter().any(|r| r.kind == AlertKind::NetworkDown);
            h.raise(AlertKind::NetworkDown, "network-liveness=down".into(), now);
            // Seen first now: down since tor started, as far as rnyx knows.
            if let (true, Some(start)) = (first, s.facts.relay.start_time) {
                if let Some(r) = h
                    .raised
                    .iter_mut()
                    .find(|r| r.kind == AlertKind::NetworkDown)
                {
                    r.since = r.since.min(start);
                }
            }
        }
        Some("up") => h.raised.retain(|r| r.kind != AlertKind::NetworkDown),
        _ => {}
    }
    if s.facts.relay.is_relay() {
        let uptime = s
            .facts
            .relay
            .start_time
            .map_or(0, |t| now.saturating_sub(t));
        // A relay without a DirPort has no DirPort to reach.
        let no_dir = s.facts.relay.listeners.dir.is_empty();
        for (answer, kind, name) in [
            (&facts.reachable.0, AlertKind::OrPortUnreachable, "or"),
            (&facts.reachable.1, AlertKind::DirPortUnreachable, "dir"),
        ] {
            match answer.as_deref().map(str::trim) {
                Some("1") => s.health.raised.retain(|r| r.kind != kind),
                Some("0")
                    if uptime >= REACHABILITY_GRACE
                        && !(no_dir && kind == AlertKind::DirPortUnreachable) =>
                {
                    s.health.raise(
                        kind,
                        format!(
                            "status/reachability-succeeded/{name}=0 after {} min",
                            uptime / 60
                        ),
                        now,
                    );
                }
                _ => {}
            }
        }
    }
    let h = &mut s.health;
    h.overload = facts.overload;
    h.max_mem = facts.max_mem;
    h.cert_expires = facts.cert_expires;
    if let Some(fp) = s.facts.relay.fingerprint.clone() {
        if !s.facts.consensus.is_empty() {
            let own = s.facts.consensus.get(&fp).map(|e| {
                e.flags
                    .split(' ')
                    .map(str::to_owned)
                    .collect::<Vec<String>>()
            });
            s.health.on_consensus(&fp, own.as_deref(), now);
        }
    }
}

/// Judges the state at its update's time; a change said in the log.
pub fn judge(s: &mut ControllerState) {
    let now = s.session.updated_ms / 1000;
    // Taken out for the evaluation and put back: no copy per batch.
    let settings = std::mem::take(&mut s.health.settings);
    let changes = health::evaluate(s, &settings, now);
    s.health.settings = settings;
    for change in changes {
        let (level, message) = said(&change, now);
        rnyx_log(s, level, message);
    }
}

/// Judges the state only when its alerts would change (the tick's check,
/// which should not wake the screen for nothing).
pub fn judge_if_changed(state: &super::SharedState) {
    let now = state.now_secs();
    let changed = state.read(|s| health::assess(s, &s.health.settings, now) != s.health.active);
    if changed {
        state.update(judge);
    }
}

/// A change as the log says it.
fn said(change: &Change, now: u64) -> (Runlevel, String) {
    match change {
        Change::Raised(a) => {
            let rule = a.rule();
            let level = match a.severity {
                Severity::Critical => Runlevel::Err,
                Severity::Warning => Runlevel::Warn,
            };
            (
                level,
                format!(
                    "alert ({}): {}; to do: {}",
                    a.severity.as_str(),
                    a.described(),
                    rule.advice
                ),
            )
        }
        Change::Cleared(a) => (
            Runlevel::Notice,
            format!(
                "alert over: {} (after {} s)",
                a.rule().title,
                now.saturating_sub(a.since)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_as_getconf_says_it() {
        use rnyx_model::data_size;
        assert_eq!(data_size("8 GB"), Some(8 << 30));
        assert_eq!(data_size("512 MBytes"), Some(512 << 20));
        assert_eq!(data_size("0"), Some(0));
        assert_eq!(data_size("12 parsecs"), None);
    }

    #[test]
    fn answers_set_bootstrap_liveness_and_reachability() {
        let mut s = ControllerState::default();
        s.facts.relay.fingerprint = Some("AB".repeat(20));
        s.facts.relay.start_time = Some(0);
        s.facts.relay.listeners.dir = vec!["0.0.0.0:9030".into()];
        let facts = HealthFacts {
            bootstrap: Some(
                "NOTICE BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY=\"Connecting to a relay\"".into(),
            ),
            liveness: Some("down".into()),
            reachable: (Some("0".into()), Some("1".into())),
            ..HealthFacts::default()
        };
        apply(&mut s, facts.clone(), 600);
        assert_eq!(s.health.bootstrap.as_ref().unwrap().progress, 5);
        let kinds: Vec<AlertKind> = s.health.raised.iter().map(|r| r.kind).collect();
        // Too early to call the ORPort unreachable.
        assert_eq!(kinds, [AlertKind::NetworkDown]);
        apply(&mut s, facts, 1800);
        let kinds: Vec<AlertKind> = s.health.raised.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [AlertKind::NetworkDown, AlertKind::OrPortUnreachable]
        );
        assert_eq!(
            s.health.raised[1].words,
            "status/reachability-succeeded/or=0 after 30 min"
        );
    }
}
