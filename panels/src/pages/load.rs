//! Page 6: why the relay is used or not, and what load tor turns away.
//! - Standing: the relay's weight in the last consensus, its share of the
//!   network's and its rank, its flags, the weight over the consensuses
//!   kept, and each change with its consensus (`Guard lost 3 h ago`).
//! - From tor's MetricsPort: the DoS defences' refusals, each a total, a
//!   rate and a small graph of its last rates, with what it counts in
//!   plain words; overload (onionskins, OOM, sockets, rate limits, TCP
//!   exhaustion, and the descriptor's `overload-general`); exit DNS errors;
//!   congestion control. Where tor has no MetricsPort, the two torrc lines
//!   that open one.
//!
//! A page of its own rather than a section of page 1: it is as long as a
//! screen, and operators come to it with one question.

use crate::format;
use crate::keymap::{ActionId, ActionSpec, Key};
use crate::list::Cursor;
use crate::page::{Cx, Mouse, Page, PageInfo, View};
use crate::pages::PageEntry;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::style::Style;
use rnyx_model::load::{self, Metrics, MetricsPort, Standing};
use rnyx_model::text::strip_controls;
use rnyx_model::ControllerState;

pub const ID: &str = "load";

/// The page as the app, nyxrc and the menus know it.
pub const INFO: PageInfo = PageInfo {
    id: ID,
    title: "Load / Weight",
    actions: ACTIONS,
};

pub const ENTRY: PageEntry = PageEntry {
    info: INFO,
    make: |_| Box::new(LoadPage::default()),
};

const MENU: Option<&str> = Some("Load");

crate::actions! {
    /// The load page's actions.
    pub enum Action {
        Timeline = ("timeline", "every change of weight and flags", &[Key::Char('t')], MENU),
    }
    scrolling
}

pub const ACTIONS: &[ActionSpec] = Action::SPECS;

/// Changes shown unless the whole timeline is asked for.
const CHANGES: usize = 8;

/// The load page's view state.
#[derive(Debug, Clone, Default)]
pub struct LoadPage {
    /// Every change, not only the last few.
    pub timeline: bool,
    scroll: Cursor,
}

/// One drawn row: pieces of text and their styles.
type Row = Vec<(String, Style)>;

impl Page for LoadPage {
    fn info(&self) -> &'static PageInfo {
        &INFO
    }

    fn action(&mut self, action: ActionId, _cx: &mut Cx) {
        match Action::of(action) {
            Action::Scroll(step) => self.scroll.step(step),
            Action::Timeline => self.timeline = !self.timeline,
        }
    }

    fn value(&self, action: ActionId) -> Option<String> {
        match Action::of(action) {
            Action::Timeline => Some(if self.timeline { "all" } else { "last 8" }.to_owned()),
            Action::Scroll(_) => None,
        }
    }

    fn hints(&self) -> &'static [ActionId] {
        const HINTS: &[ActionId] = &[Action::Timeline.id()];
        HINTS
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) {
        self.scroll.wheel(m.kind);
    }

    fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        if area.height < 2 || area.width < 20 {
            return;
        }
        let rows = self.rows(view.state, view.now, view.theme, usize::from(area.width));
        let first = self.scroll.scroll(rows.len(), usize::from(area.height));
        crate::popup::draw_rows(&rows, first, (area, 0), buf);
    }
}

/// `the consensus of 14:00 UTC` (a mark's own time when tor gave none).
fn consensus_name(at: u64, dated: bool) -> String {
    let hm = &format::clock(at)[..5];
    if dated {
        format!("consensus of {hm} UTC")
    } else {
        format!("consensus seen at {hm} UTC")
    }
}

/// `3 h ago`.
fn ago(now: u64, at: u64) -> String {
    format!("{} ago", format::short_duration(now.saturating_sub(at)))
}

/// A count as people read it: `90,331`.
fn count(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn rate_of(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r >= 10.0 => format!("{r:.0}/s"),
        Some(r) => format!("{r:.1}/s"),
        None => "–".to_owned(),
    }
}

impl LoadPage {
    /// Every row of the page.
    fn rows(&self, state: &ControllerState, now: u64, theme: Theme, width: usize) -> Vec<Row> {
        let mut rows = Vec::new();
        self.standing_rows(state, now, theme, width, &mut rows);
        rows.push(Vec::new());
        metrics_rows(state, now, theme, &mut rows);
        rows
    }

    fn standing_rows(
        &self,
        state: &ControllerState,
        now: u64,
        theme: Theme,
        width: usize,
        rows: &mut Vec<Row>,
    ) {
        rows.push(vec![("Standing in the consensus:".into(), theme.title())]);
        if !state.facts.relay.is_relay() {
            rows.push(vec![(
                "  tor is not a relay (no ORPort): no consensus weight or flags".into(),
                theme.secondary(),
            )]);
            return;
        }
        let standing = &state.load.standing;
        let Some(last) = standing.latest() else {
            rows.push(vec![(
                "  no consensus seen yet (tor has none, or is fetching it)".into(),
                theme.secondary(),
            )]);
            return;
        };
        latest_rows(last, now, theme, rows);
        weight_graph(standing, theme, width, rows);
        let changes = standing.changes();
        if changes.is_empty() {
            rows.push(vec![(
                format!(
                    "  no change in weight or flags across the {} consensuses kept",
                    standing.marks.len()
                ),
                theme.secondary(),
            )]);
            return;
        }
        let shown = if self.timeline {
            changes.len()
        } else {
            CHANGES
        };
        rows.push(vec![(
            format!(
                "  changes ({} of {}, t: all):",
                shown.min(changes.len()),
                changes.len()
            ),
            theme.secondary(),
        )]);
        for c in changes.iter().take(shown) {
            let style = match c.what {
                load::What::Lost(_) | load::What::Unlisted => theme.warning(),
                _ => theme.plain(),
            };
            rows.push(vec![
                (format!("  {:>9}  ", ago(now, c.at)), theme.secondary()),
                (strip_controls(&c.describe()), style),
                (
                    format!(" ({})", consensus_name(c.at, c.dated)),
                    theme.secondary(),
                ),
            ]);
        }
    }
}

/// The relay in the last consensus: weight, share, rank, flags.
fn latest_rows(last: &load::Mark, now: u64, theme: Theme, rows: &mut Vec<Row>) {
    use std::fmt::Write as _;
    let name = consensus_name(last.at, last.dated);
    if !last.listed {
        rows.push(vec![(
            format!("  not listed in the {name} ({})", ago(now, last.at)),
            theme.error(),
        )]);
        return;
    }
    let mut text = match last.weight {
        Some(w) => format!("  weight {}", count(w as f64)),
        None => "  weight not given".to_owned(),
    };
    if let Some(share) = last.share() {
        let _ = write!(
            text,
            ", {share:.3} % of the network's {}",
            count(last.total as f64)
        );
    }
    if let Some(rank) = last.rank {
        let _ = write!(text, ", rank {rank} of {}", last.relays);
    }
    let _ = write!(text, " ({name}, {})", ago(now, last.at));
    rows.push(vec![(text, theme.plain())]);
    let mut flags: Row = vec![("  flags ".into(), theme.secondary())];
    for f in &last.flags {
        let f = strip_controls(f);
        flags.push((format!("{f} "), theme.flag(&f)));
    }
    rows.push(flags);
}

/// The weight in each consensus kept, newest right.
fn weight_graph(standing: &Standing, theme: Theme, width: usize, rows: &mut Vec<Row>) {
    let room = width.saturating_sub(30).max(8);
    let weights: Vec<f64> = standing
        .marks
        .iter()
        .rev()
        .take(room)
        .map(|m| m.weight.unwrap_or(0) as f64)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if weights.len() < 2 {
        return;
    }
    let first = standing.marks.len() - weights.len();
    let since = standing.marks[first].at;
    rows.push(vec![
        ("  weight ".into(), theme.secondary()),
        (format::sparkline(&weights), theme.primary()),
        (
            format!(
                " {} consensuses since {}",
                weights.len(),
                &format::clock(since)[..5]
            ),
            theme.secondary(),
        ),
    ]);
}

/// The MetricsPort's sections, or why there are none.
fn metrics_rows(state: &ControllerState, now: u64, theme: Theme, rows: &mut Vec<Row>) {
    let m = &state.load.metrics;
    let source = match &m.port {
        MetricsPort::Unknown => {
            rows.push(vec![(
                "DoS defences and overload: asking tor where its MetricsPort is…".into(),
                theme.secondary(),
            )]);
            return;
        }
        MetricsPort::Off => {
            rows.push(vec![("DoS defences and overload:".into(), theme.title())]);
            rows.push(vec![(
                "  tor has no MetricsPort, where tor counts these. Add to the torrc, then reload tor:"
                    .into(),
                theme.warning(),
            )]);
            rows.push(vec![(
                "    MetricsPort 127.0.0.1:9035".into(),
                theme.primary(),
            )]);
            rows.push(vec![(
                "    MetricsPortPolicy accept 127.0.0.1".into(),
                theme.primary(),
            )]);
            rows.push(vec![(
                "  (keep it on loopback: the Tor Project warns against exposing it)".into(),
                theme.secondary(),
            )]);
            return;
        }
        MetricsPort::At(at) => strip_controls(at),
    };
    let read = match m.read_ms {
        Some(t) => ago(now, t / 1000),
        None => "not read yet".to_owned(),
    };
    rows.push(vec![
        ("DoS defences".into(), theme.title()),
        (
            format!(" (tor's MetricsPort {source}, read {read}):"),
            theme.secondary(),
        ),
    ]);
    if let Some(e) = &m.error {
        rows.push(vec![(format!("  {}", strip_controls(e)), theme.error())]);
    }
    if !m.has_readings() {
        return;
    }
    dos_rows(m, theme, rows);
    rows.push(Vec::new());
    overload_rows(state, m, theme, rows);
    rows.push(Vec::new());
    dns_and_cc_rows(m, theme, rows);
}

/// Each DoS series: total, rate, its last rates, and what it counts.
fn dos_rows(m: &Metrics, theme: Theme, rows: &mut Vec<Row>) {
    for s in m.find("tor_relay_dos_total", &[]) {
        let kind = strip_controls(s.label("type").unwrap_or("?"));
        let meaning = load::dos_meaning(&kind).unwrap_or("(a kind this rnyx does not know)");
        let rates: Vec<f64> = s.rates.iter().map(|r| f64::from(*r)).collect();
        let busy = s.rate.is_some_and(|r| r > 0.0);
        rows.push(vec![
            (format!("  {:>12} ", count(s.value)), theme.bold()),
            (
                format!("{:>8} ", rate_of(s.rate)),
                if busy { theme.warning() } else { theme.plain() },
            ),
            (
                format!("{:<12} ", format::sparkline(&rates)),
                theme.primary(),
            ),
            (format!("{kind}: "), theme.secondary()),
            (meaning.to_owned(), theme.plain()),
        ]);
    }
}

/// A family's series as `label total (+rate)` pieces on one row.
fn series_row(
    m: &Metrics,
    title: &str,
    family: &str,
    labels: &[(&str, &str)],
    label: &str,
    bytes: bool,
) -> Option<String> {
    let parts: Vec<String> = m
        .find(family, labels)
        .map(|s| {
            let total = if bytes {
                format::size(s.value)
            } else {
                count(s.value)
            };
            let rate = match s.rate {
                Some(r) if r > 0.0 && bytes => format!(" (+{}/s)", format::size(r)),
                Some(r) if r > 0.0 => format!(" (+{})", rate_of(Some(r))),
                _ => String::new(),
            };
            format!(
                "{} {total}{rate}",
                strip_controls(s.label(label).unwrap_or("all"))
            )
        })
        .collect();
    (!parts.is_empty()).then(|| format!("  {title}: {}", parts.join(", ")))
}

fn overload_rows(state: &ControllerState, m: &Metrics, theme: Theme, rows: &mut Vec<Row>) {
    rows.push(vec![("Overload:".into(), theme.title())]);
    let onion = "tor_relay_load_onionskins_total";
    for (action, style) in [("processed", theme.plain()), ("dropped", theme.warning())] {
        let title = format!("onionskins {action}");
        if let Some(r) = series_row(m, &title, onion, &[("action", action)], "type", false) {
            let dropped =
                action == "dropped" && m.find(onion, &[("action", action)]).any(|s| s.value > 0.0);
            rows.push(vec![(r, if dropped { style } else { theme.plain() })]);
        }
    }
    let lines = [
        (
            "memory freed by the OOM handler",
            "tor_relay_load_oom_bytes_total",
            "subsys",
            true,
        ),
        (
            "global rate limit reached",
            "tor_relay_load_global_rate_limit_reached_total",
            "side",
            false,
        ),
        (
            "TCP port exhaustion",
            "tor_relay_load_tcp_exhaustion_total",
            "",
            false,
        ),
    ];
    for (title, family, label, bytes) in lines {
        if let Some(r) = series_row(m, title, family, &[], label, bytes) {
            rows.push(vec![(r, theme.plain())]);
        }
    }
    let sockets = (
        m.value("tor_relay_load_socket_total", &[("state", "opened")]),
        m.find("tor_relay_load_socket_total", &[])
            .find(|s| s.labels.is_empty())
            .map(|s| s.value),
    );
    if let (Some(open), Some(limit)) = sockets {
        rows.push(vec![(
            format!(
                "  sockets: {} open of tor's {} allowed",
                count(open),
                count(limit)
            ),
            theme.plain(),
        )]);
    }
    let general = state
        .health
        .overload
        .iter()
        .find(|l| l.starts_with("overload-general"));
    let (text, style) = match general {
        Some(l) => (
            format!(
                "  the descriptor says overloaded: {} (Relay Search shows it for 72 h)",
                strip_controls(l)
            ),
            theme.warning(),
        ),
        None => (
            "  the descriptor has no overload-general line".to_owned(),
            theme.secondary(),
        ),
    };
    rows.push(vec![(text, style)]);
}

fn dns_and_cc_rows(m: &Metrics, theme: Theme, rows: &mut Vec<Row>) {
    rows.push(vec![(
        "Exit DNS and congestion control:".into(),
        theme.title(),
    )]);
    let errors: Vec<String> = m
        .find("tor_relay_exit_dns_error_total", &[])
        .filter(|s| s.value > 0.0)
        .map(|s| {
            format!(
                "{} {}",
                strip_controls(s.label("reason").unwrap_or("?")),
                count(s.value)
            )
        })
        .collect();
    let queries = m.value("tor_relay_exit_dns_query_total", &[]);
    let line = match (errors.is_empty(), queries) {
        (true, Some(q)) => format!("  DNS: {} queries, no errors", count(q)),
        (true, None) => "  DNS: no errors".to_owned(),
        (false, q) => format!(
            "  DNS errors: {}{}",
            errors.join(", "),
            q.map_or(String::new(), |q| format!(" (of {} queries)", count(q)))
        ),
    };
    rows.push(vec![(line, theme.plain())]);
    let cc: Vec<String> = m
        .find("tor_relay_congestion_control_total", &[])
        .filter(|s| s.value > 0.0)
        .map(|s| {
            format!(
                "{} {}",
                strip_controls(s.label("action").unwrap_or("?")),
                count(s.value)
            )
        })
        .collect();
    let line = if cc.is_empty() {
        "  congestion control: nothing counted yet".to_owned()
    } else {
        format!("  congestion control: {}", cc.join(", "))
    };
    rows.push(vec![(line, theme.plain())]);
}

#[cfg(test)]
mod tests;
