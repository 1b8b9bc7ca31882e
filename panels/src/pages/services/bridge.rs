//! Page 7's bridge section: how the bridge is handed out, each pluggable
//! transport (its program, where tor says it listens, whether its process
//! ended, its last warning and status, the bridge line to hand out) and
//! the clients tor counted, by country and IP version, over time. Not a
//! page of its own: the services page draws it first.

use crate::format;
use crate::theme::Theme;
use ratatui_core::style::Style;
use rnyx_model::bridge::{Bridge, Transport};
use rnyx_model::text::strip_controls;
use rnyx_model::ControllerState;

use super::{ago, label};

type Row = Vec<(String, Style)>;

/// The section's rows.
pub fn rows(b: &Bridge, state: &ControllerState, now: u64, theme: Theme, rows: &mut Vec<Row>) {
    let title = if b.bridge {
        "Bridge"
    } else {
        "Server transports (not a bridge: BridgeRelay 0)"
    };
    let distribution = b
        .distribution
        .as_deref()
        .map(|d| format!(" (BridgeDistribution {})", strip_controls(d)))
        .unwrap_or_default();
    rows.push(vec![
        (format!("{title}:"), theme.title()),
        (distribution, theme.secondary()),
    ]);
    if b.transports.is_empty() {
        rows.push(vec![(
            "  no pluggable transport: clients reach it on its ORPort only (ServerTransportPlugin adds one)".into(),
            theme.secondary(),
        )]);
    }
    for t in &b.transports {
        transport_rows(t, now, theme, rows);
    }
    if b.bridge {
        client_rows(b, now, theme, rows);
        let fp = state
            .facts
            .relay
            .fingerprint
            .as_deref()
            .unwrap_or("<fingerprint>");
        rows.push(authority_row(b, now, theme));
        rows.push(vec![
            label("handed out", theme),
            (
                format!("tor cannot tell whether BridgeDB lists it: https://bridges.torproject.org/status?id={fp}"),
                theme.secondary(),
            ),
        ]);
    }
}

/// What tor said of publishing the descriptor to the bridge authority.
fn authority_row(b: &Bridge, now: u64, theme: Theme) -> Row {
    use rnyx_model::bridge::AuthorityAnswer;
    let (text, style) = match &b.authority {
        Some(AuthorityAnswer::Accepted { at, authority }) => (
            format!("accepted the descriptor {} ({authority})", ago(now, *at)),
            theme.plain(),
        ),
        Some(AuthorityAnswer::Rejected {
            at,
            authority,
            reason,
        }) => (
            format!(
                "rejected the descriptor {} ({authority}): {reason}",
                ago(now, *at)
            ),
            theme.error(),
        ),
        Some(AuthorityAnswer::NoneListed { at }) => (
            format!(
                "tor knows none to publish to ({}): BridgeDB cannot hand the bridge out",
                ago(now, *at)
            ),
            theme.warning(),
        ),
        None => (
            "no upload seen since rnyx started (tor publishes when its descriptor changes)".into(),
            theme.secondary(),
        ),
    };
    vec![label("authority", theme), (text, style)]
}

fn transport_rows(t: &Transport, now: u64, theme: Theme, rows: &mut Vec<Row>) {
    let program = t
        .program
        .as_deref()
        .map_or_else(|| "not managed by tor".to_owned(), strip_controls);
    let pid = t.pid.map(|p| format!(", pid {p}")).unwrap_or_default();
    let (state, style) = match (&t.launched, &t.exited) {
        (_, Some((at, _))) => (
            format!("its process ended {}", ago(now, *at)),
            theme.error(),
        ),
        (Some((addr, at)), None) => (
            format!(
                "listening on {} (launched {}{pid})",
                strip_controls(addr),
                ago(now, *at)
            ),
            theme.plain(),
        ),
        (None, None) if t.pid.is_some() => (
            format!(
                "running{pid} (launched before rnyx connected: tor said where only then{})",
                t.listen
                    .as_deref()
                    .map(|l| format!("; ServerTransportListenAddr {}", strip_controls(l)))
                    .unwrap_or_default()
            ),
            theme.plain(),
        ),
        (None, None) => (
            match &t.listen {
                Some(l) => format!(
                    "not launched yet (ServerTransportListenAddr {})",
                    strip_controls(l)
                ),
                None => "not launched yet".to_owned(),
            },
            theme.warning(),
        ),
    };
    rows.push(vec![
        label("transport", theme),
        (format!("{} ", strip_controls(&t.name)), theme.bold()),
        (format!("{program}: "), theme.secondary()),
        (state, style),
    ]);
    if let Some((_, words)) = &t.exited {
        rows.push(vec![
            label("", theme),
            (format!("tor: {}", strip_controls(words)), theme.error()),
        ]);
    }
    if let Some((at, words)) = &t.restarted {
        rows.push(vec![
            label("", theme),
            (
                format!(
                    "restarted {} ({} since rnyx started): {}",
                    ago(now, *at),
                    t.restarts,
                    strip_controls(words)
                ),
                theme.warning(),
            ),
        ]);
    }
    if let Some((at, words)) = &t.warning {
        rows.push(vec![
            label("", theme),
            (
                format!("last warning {}: {}", ago(now, *at), strip_controls(words)),
                theme.warning(),
            ),
        ]);
    }
    if !t.status.is_empty() {
        let fields: Vec<String> = t
            .status
            .iter()
            .map(|(k, v)| format!("{}={}", strip_controls(k), strip_controls(v)))
            .collect();
        rows.push(vec![
            label("", theme),
            (format!("status: {}", fields.join(" ")), theme.plain()),
        ]);
    }
    if let Some(line) = &t.bridge_line {
        rows.push(vec![
            label("hand out", theme),
            (strip_controls(line), theme.primary()),
        ]);
    }
}

fn client_rows(b: &Bridge, now: u64, theme: Theme, rows: &mut Vec<Row>) {
    let Some(seen) = &b.clients else {
        rows.push(vec![
            label("clients", theme),
            (
                "tor gave no count (status/clients-seen)".into(),
                theme.secondary(),
            ),
        ]);
        return;
    };
    let pairs = |list: &[(String, u32)]| {
        list.iter()
            .map(|(k, n)| format!("{} {n}", strip_controls(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let since = seen
        .since
        .as_deref()
        .map(|s| format!(" since {} UTC", strip_controls(s)))
        .unwrap_or_default();
    rows.push(vec![
        label("clients", theme),
        (format!("{}", seen.total()), theme.bold()),
        (
            format!("{since} (read {})", ago(now, seen.at)),
            theme.secondary(),
        ),
    ]);
    if seen.total() > 0 {
        rows.push(vec![
            label("", theme),
            (
                format!(
                    "by country: {} · by IP version: {}",
                    pairs(&seen.countries),
                    pairs(&seen.ip_versions)
                ),
                theme.plain(),
            ),
        ]);
    }
    let totals: Vec<f64> = b.client_totals.iter().map(|(_, n)| f64::from(*n)).collect();
    if totals.len() > 1 {
        rows.push(vec![
            label("", theme),
            (format::sparkline(&totals), theme.primary()),
            (
                format!(" the total at {} readings", totals.len()),
                theme.secondary(),
            ),
        ]);
    }
    rows.push(vec![
        label("", theme),
        (
            "tor rounds counts up to multiples of 8; by transport only in its extra-info, a day later".into(),
            theme.secondary(),
        ),
    ]);
}
