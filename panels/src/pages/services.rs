//! Page 7: the onion services the watched tor hosts. For each: its address
//! (unless `show_onion_addresses = false`), where its ports lead, the
//! descriptor's last upload and each HSDir's answer, the introduction
//! points established against those wanted, rendezvous circuits now and a
//! minute a column over the last hour, tor's `tor_hs_*` MetricsPort series,
//! and the service's own circuits (page 2 leaves them out).
//!
//! What a controller cannot tell is said: tor does not report whether the
//! service's local server answers, only the streams that fail to reach it.

use crate::format;
use crate::keymap::{ActionId, ActionSpec, Key};
use crate::list::Cursor;
use crate::page::{Cx, Mouse, Page, PageInfo, View};
use crate::pages::PageEntry;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::style::Style;
use rnyx_model::onion::{OnionService, Origin, Upload, ANSWER_WITHIN};
use rnyx_model::text::strip_controls;
use rnyx_model::ControllerState;

pub const ID: &str = "services";

/// The page as the app, nyxrc and the menus know it.
pub const INFO: PageInfo = PageInfo {
    id: ID,
    title: "Onion services / Bridge",
    actions: ACTIONS,
};

pub const ENTRY: PageEntry = PageEntry {
    info: INFO,
    make: |s| {
        Box::new(ServicesPage {
            show_addresses: s.show_onion_addresses,
            ..ServicesPage::default()
        })
    },
};

const MENU: Option<&str> = Some("Services");

crate::actions! {
    /// The services page's actions.
    pub enum Action {
        HsDirs = ("hsdirs", "each HSDir's answer and the service's circuits", &[Key::Char('d')], MENU),
    }
    scrolling
}

pub const ACTIONS: &[ActionSpec] = Action::SPECS;

/// What a service's address reads as when addresses are not shown.
pub const HIDDEN: &str = "<hidden>.onion";

/// The services page's view state.
#[derive(Debug, Clone, Default)]
pub struct ServicesPage {
    /// Each HSDir and circuit listed, not only counted.
    pub details: bool,
    /// nyxrc's `show_onion_addresses`.
    pub show_addresses: bool,
    scroll: Cursor,
}

/// One drawn row: pieces of text and their styles.
type Row = Vec<(String, Style)>;

impl Page for ServicesPage {
    fn info(&self) -> &'static PageInfo {
        &INFO
    }

    fn action(&mut self, action: ActionId, _cx: &mut Cx) {
        match Action::of(action) {
            Action::Scroll(step) => self.scroll.step(step),
            Action::HsDirs => self.details = !self.details,
        }
    }

    fn value(&self, action: ActionId) -> Option<String> {
        match Action::of(action) {
            Action::HsDirs => Some(if self.details { "listed" } else { "counted" }.to_owned()),
            Action::Scroll(_) => None,
        }
    }

    fn hints(&self) -> &'static [ActionId] {
        const HINTS: &[ActionId] = &[Action::HsDirs.id()];
        HINTS
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) {
        self.scroll.wheel(m.kind);
    }

    /// Only where tor hosts an onion service or is a bridge.
    fn shown(&self, state: &ControllerState) -> bool {
        !state.onions.is_empty() || !state.bridge.is_empty()
    }

    fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        if area.height < 2 || area.width < 20 {
            return;
        }
        let rows = self.rows(view.state, view.now, view.theme);
        let first = self.scroll.scroll(rows.len(), usize::from(area.height));
        crate::popup::draw_rows(&rows, first, (area, 0), buf);
    }
}

/// `3 min ago`.
fn ago(now: u64, at: u64) -> String {
    format!("{} ago", format::short_duration(now.saturating_sub(at)))
}

/// A row's label, in its column.
fn label(text: &str, theme: Theme) -> (String, Style) {
    (format!("  {text:<13}"), theme.secondary())
}

impl ServicesPage {
    /// A service's address as shown.
    pub fn address(&self, s: &OnionService) -> String {
        match &s.address {
            Some(_) if !self.show_addresses => HIDDEN.to_owned(),
            Some(a) => format!("{}.onion", strip_controls(a)),
            None => "address not known yet".to_owned(),
        }
    }

    /// Every row of the page.
    fn rows(&self, state: &ControllerState, now: u64, theme: Theme) -> Vec<Row> {
        let mut rows = Vec::new();
        if !state.bridge.is_empty() {
            bridge::rows(&state.bridge, state, now, theme, &mut rows);
            if state.onions.is_empty() {
                return rows;
            }
            rows.push(Vec::new());
        }
        let services = &state.onions.services;
        if services.is_empty() {
            rows.push(vec![("Onion services:".into(), theme.title())]);
            rows.push(vec![(
                "  tor hosts none (HiddenServiceDir and HiddenServicePort in the torrc add one)"
                    .into(),
                theme.secondary(),
            )]);
            return rows;
        }
        rows.push(vec![(
            format!("Onion services ({}):", services.len()),
            theme.title(),
        )]);
        for s in services {
            self.service_rows(state, s, now, theme, &mut rows);
            rows.push(Vec::new());
        }
        rows.push(vec![(
            "tor does not say whether a service's local server answers: a stream that cannot reach it closes, and the log says so at info."
                .into(),
            theme.secondary(),
        )]);
        rows
    }

    fn service_rows(
        &self,
        state: &ControllerState,
        s: &OnionService,
        now: u64,
        theme: Theme,
        rows: &mut Vec<Row>,
    ) {
        let origin = match (s.origin, &s.dir) {
            (Origin::Torrc, Some(dir)) => format!("  {}", strip_controls(dir)),
            (Origin::Detached, _) => "  ADD_ONION, detached".to_owned(),
            _ => "  seen in tor's events (another controller's ADD_ONION)".to_owned(),
        };
        rows.push(vec![
            (self.address(s), theme.bold()),
            (origin, theme.secondary()),
        ]);
        if !s.ports.is_empty() {
            let ports: Vec<String> = s.ports.iter().map(|p| port_of(p)).collect();
            rows.push(vec![
                label("ports", theme),
                (ports.join(", "), theme.plain()),
            ]);
        }
        descriptor_rows(s, now, theme, rows);
        let short = s.intro_points < s.intro_wanted_total();
        rows.push(vec![
            label("intro points", theme),
            (
                format!(
                    "{} of {} established ({} for each of tor's {} descriptors)",
                    s.intro_points,
                    s.intro_wanted_total(),
                    s.intro_wanted,
                    rnyx_model::onion::DESCRIPTORS
                ),
                if short {
                    theme.warning()
                } else {
                    theme.plain()
                },
            ),
            (
                s.intro_short_since
                    .map(|t| format!(" (short for {})", format::short_duration(now - t.min(now))))
                    .unwrap_or_default(),
                theme.secondary(),
            ),
        ]);
        let minutes: Vec<f64> = s.rend_minutes.iter().map(|&n| f64::from(n)).collect();
        rows.push(vec![
            label("rendezvous", theme),
            (format!("{} now ", s.rendezvous), theme.plain()),
            (format::sparkline(&minutes), theme.primary()),
            (
                format!(" most a minute, last {} min", minutes.len()),
                theme.secondary(),
            ),
        ]);
        metrics_rows(state, s, theme, rows);
        if self.details {
            hsdir_rows(s, now, theme, rows);
            circuit_rows(state, s, theme, rows);
        }
    }
}

/// `80 → 127.0.0.1:8080` from tor's `80 127.0.0.1:8080`.
fn port_of(p: &str) -> String {
    let mut words = p.split_whitespace();
    let virt = words.next().unwrap_or_default();
    match words.next() {
        Some(target) => format!("{virt} → {target}"),
        None => format!("{virt} → 127.0.0.1:{virt}"),
    }
}

fn descriptor_rows(s: &OnionService, now: u64, theme: Theme, rows: &mut Vec<Row>) {
    use std::fmt::Write as _;
    let d = &s.descriptor;
    let text = match (d.last_uploaded, d.last_upload) {
        (Some(t), _) => {
            let mut text = format!(
                "uploaded {}, accepted by {} of {} HSDirs",
                ago(now, t),
                d.accepted(),
                d.current().count()
            );
            if let Some(due) = d.next_due() {
                let _ = write!(text, "; next by {} UTC", &format::clock(due)[..5]);
            }
            (text, theme.plain())
        }
        (None, Some(t)) => (
            format!("uploading since {}, no HSDir accepted it yet", ago(now, t)),
            theme.warning(),
        ),
        (None, None) => (
            format!("no upload seen since rnyx started ({})", ago(now, s.since)),
            theme.secondary(),
        ),
    };
    rows.push(vec![label("descriptor", theme), text]);
    let missing: Vec<String> = d
        .refused_or_silent(now)
        .map(|h| {
            let why = h.reason.as_deref().map_or_else(
                || format!("no answer to the upload {}", ago(now, h.at)),
                strip_controls,
            );
            format!("{} ({why})", h.hsdir.short_name())
        })
        .collect();
    if !missing.is_empty() {
        rows.push(vec![
            label("", theme),
            (format!("not at {}", missing.join(", ")), theme.warning()),
        ]);
    }
    if let Some((at, why)) = &d.last_failed {
        rows.push(vec![
            label("", theme),
            (
                format!(
                    "last failure {}: {} ({} failed, {} accepted since rnyx started)",
                    ago(now, *at),
                    strip_controls(why),
                    d.failed,
                    d.uploaded
                ),
                theme.error(),
            ),
        ]);
    }
}

/// The service's `tor_hs_*` series (labelled with its address), summed
/// over their other labels: INTRODUCE2 cells received and refused, the
/// rendezvous and their failures (each reason seen), the PoW defence's
/// suggested effort and queue, and the bytes its streams carried.
fn metrics_rows(state: &ControllerState, s: &OnionService, theme: Theme, rows: &mut Vec<Row>) {
    let Some(address) = &s.address else { return };
    let series: Vec<&rnyx_model::load::MetricSeries> = state
        .load
        .metrics
        .series
        .iter()
        .filter(|m| m.family.starts_with("tor_hs_") && m.label("onion") == Some(address))
        .collect();
    if series.is_empty() {
        return;
    }
    let sum = |family: &str| {
        let mut of = series.iter().filter(|m| m.family == family).peekable();
        of.peek()?;
        Some(of.map(|m| m.value).sum::<f64>())
    };
    // "3 bad_auth_key, 1 invalid_introduce2" (those above 0).
    let reasons = |family: &str| {
        let seen: Vec<String> = series
            .iter()
            .filter(|m| m.family == family && m.value > 0.0)
            .map(|m| {
                let why = m.label("reason").map_or_else(String::new, strip_controls);
                format!("{} {why}", m.value)
            })
            .collect();
        if seen.is_empty() {
            String::new()
        } else {
            format!(" ({})", seen.join(", "))
        }
    };
    let mut parts = Vec::new();
    if let Some(n) = sum("tor_hs_intro_num_total") {
        let refused = sum("tor_hs_intro_rejected_intro_req_count").unwrap_or(0.0);
        parts.push(format!(
            "INTRODUCE2 {n} received, {refused} refused{}",
            reasons("tor_hs_intro_rejected_intro_req_count")
        ));
    }
    if let Some(n) = sum("tor_hs_rdv_num_total") {
        let failed = sum("tor_hs_rdv_error_count").unwrap_or(0.0);
        parts.push(format!(
            "rendezvous {n}, {failed} failed{}",
            reasons("tor_hs_rdv_error_count")
        ));
    }
    if let Some(effort) = sum("tor_hs_pow_suggested_effort") {
        let queue = sum("tor_hs_pow_num_pqueue_rdv").unwrap_or(0.0);
        parts.push(format!("PoW effort {effort}, queue {queue}"));
    }
    if let (Some(read), Some(written)) = (
        sum("tor_hs_app_read_bytes_total"),
        sum("tor_hs_app_write_bytes_total"),
    ) {
        parts.push(format!(
            "its server sent {}, got {}",
            format::size(read),
            format::size(written)
        ));
    }
    if !parts.is_empty() {
        rows.push(vec![
            label("MetricsPort", theme),
            (parts.join(" · "), theme.plain()),
        ]);
    }
}

fn hsdir_rows(s: &OnionService, now: u64, theme: Theme, rows: &mut Vec<Row>) {
    for h in s.descriptor.hsdirs.iter().rev() {
        let name = h.hsdir.short_name();
        let (word, style) = match h.state {
            Upload::Uploading if now > h.at + ANSWER_WITHIN => ("no answer", theme.error()),
            Upload::Uploading => ("uploading", theme.secondary()),
            Upload::Uploaded => ("accepted", theme.plain()),
            Upload::Failed => ("failed", theme.error()),
        };
        let why = h
            .reason
            .as_deref()
            .map(|r| format!(" ({})", strip_controls(r)))
            .unwrap_or_default();
        rows.push(vec![
            label("HSDir", theme),
            (format!("{name:<20} "), theme.plain()),
            (format!("{word}{why}"), style),
            (format!(" {}", ago(now, h.at)), theme.secondary()),
        ]);
    }
}

fn circuit_rows(state: &ControllerState, s: &OnionService, theme: Theme, rows: &mut Vec<Row>) {
    let Some(address) = &s.address else { return };
    for c in state
        .net
        .circuits
        .iter()
        .filter(|c| c.rend_query.as_deref() == Some(address.as_str()))
    {
        let path: Vec<String> = c
            .path
            .iter()
            .filter_map(|h| h.nickname.as_deref().map(strip_controls))
            .collect();
        rows.push(vec![
            label("circuit", theme),
            (
                format!(
                    "{} {} {} {}",
                    c.id,
                    strip_controls(c.purpose.as_deref().unwrap_or_default()),
                    strip_controls(c.hs_state.as_deref().unwrap_or_default()),
                    c.status.as_str()
                ),
                theme.plain(),
            ),
            (format!("  {}", path.join(", ")), theme.secondary()),
        ]);
    }
}

mod bridge;
#[cfg(test)]
mod tests;
