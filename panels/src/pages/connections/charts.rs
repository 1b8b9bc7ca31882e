//! Two small bar charts of the connections page, counted without showing a
//! single address: exit port usage (`e`, exits: connections per port, one
//! per distinct destination) and client locales (`c`, guards and bridges:
//! inbound clients per country, one per distinct address, from tor's own
//! GeoIP data with `ip-to-country`).

use crate::page::{ask, Cx, Failure, Tag};
use crate::popup::{draw_box, Step};
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::Line;
use rnyx_model::{Category, Connection};
use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

/// Clients asked about at most, in one GETINFO.
const MAX_LOOKUPS: usize = 2000;
/// Bars shown at most.
const MAX_BARS: usize = 20;

#[derive(Debug, Clone)]
pub struct Chart {
    title: &'static str,
    /// Label and count, largest first; empty while asked.
    bars: Vec<(String, usize)>,
    note: Option<String>,
}

/// tor's countries for the clients asked about.
struct Countries(Result<Vec<(String, String)>, Failure>);

impl Chart {
    /// Exit connections per destination port, one per distinct destination.
    pub fn exit_ports(list: &[Connection]) -> Chart {
        let mut seen = HashSet::new();
        let mut ports: BTreeMap<u16, usize> = BTreeMap::new();
        for c in list.iter().filter(|c| c.category == Category::Exit) {
            if seen.insert(c.remote) {
                *ports.entry(c.remote.port()).or_default() += 1;
            }
        }
        let bars = ports
            .into_iter()
            .map(|(p, n)| match super::rows::port_purpose(p) {
                Some(name) => (format!("{p} ({name})"), n),
                None => (p.to_string(), n),
            })
            .collect();
        Chart::done("Exit port usage", bars, "no exit connections")
    }

    /// Inbound clients (not relays) per country: asks tor's GeoIP.
    pub fn client_locales(list: &[Connection], cx: &mut Cx) -> Chart {
        let clients: Vec<IpAddr> = list
            .iter()
            .filter(|c| c.category == Category::Inbound && c.relays_at_address == 0)
            .map(|c| c.remote.ip())
            .collect::<HashSet<_>>()
            .into_iter()
            .take(MAX_LOOKUPS)
            .collect();
        if clients.is_empty() {
            return Chart::done("Client locales", Vec::new(), "no clients connected");
        }
        let keys: Vec<String> = clients
            .iter()
            .map(|ip| format!("ip-to-country/{ip}"))
            .collect();
        cx.ask(ask::GetInfo(keys), Countries);
        Chart {
            title: "Client locales",
            bars: Vec::new(),
            note: Some(format!("asking tor for {} addresses…", clients.len())),
        }
    }

    fn done(title: &'static str, mut bars: Vec<(String, usize)>, empty: &str) -> Chart {
        bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let note = bars.is_empty().then(|| empty.to_owned());
        Chart { title, bars, note }
    }

    /// Takes tor's answer to the lookups.
    fn countries(&mut self, answer: Result<Vec<(String, String)>, Failure>) {
        match answer {
            Ok(values) => {
                let mut countries: BTreeMap<String, usize> = BTreeMap::new();
                for (_, cc) in values {
                    let cc = rnyx_model::text::strip_controls(cc.trim());
                    let cc = if cc.is_empty() || cc == "??" {
                        "unknown".to_owned()
                    } else {
                        cc
                    };
                    *countries.entry(cc).or_default() += 1;
                }
                *self = Chart::done(self.title, countries.into_iter().collect(), "no answer");
            }
            Err(why @ Failure::Refused { .. }) => {
                // tor without GeoIP data refuses the keys.
                self.note = Some(format!("tor cannot tell countries: {why}"));
            }
            Err(why) => self.note = Some(why.to_string()),
        }
    }

    pub fn render(&self, theme: Theme, area: Rect, buf: &mut Buffer) {
        let mut lines: Vec<Line> = Vec::new();
        if let Some(n) = &self.note {
            lines.push(Line::raw(rnyx_model::text::strip_controls(n)));
        }
        let max = self.bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
        let label_w = self
            .bars
            .iter()
            .map(|b| b.0.chars().count())
            .max()
            .unwrap_or(0);
        let bar_w = usize::from(area.width)
            .saturating_sub(label_w + 16)
            .clamp(5, 40);
        for (label, n) in self.bars.iter().take(MAX_BARS) {
            let len = (n * bar_w).div_ceil(max);
            lines.push(Line::raw(format!(
                "{label:>label_w$} {:<bar_w$} {n}",
                "█".repeat(len)
            )));
        }
        if self.bars.len() > MAX_BARS {
            lines.push(Line::raw(format!("… {} more", self.bars.len() - MAX_BARS)));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("any key to close", theme.secondary()));
        draw_box(self.title, lines, theme, area, buf);
    }
}
impl crate::popup::Popup for Chart {
    /// Any key closes it.
    fn key(&mut self, _key: crate::keymap::Key, _cx: &mut Cx) -> Step {
        Step::Close
    }

    /// A click closes it.
    fn mouse(&mut self, m: crate::page::Mouse, _cx: &mut Cx) -> Step {
        if m.kind == crate::page::MouseKind::Click {
            Step::Close
        } else {
            Step::Stay
        }
    }

    fn respond(&mut self, answer: Tag, _cx: &mut Cx) -> Step {
        if let Some(Countries(answer)) = answer.take() {
            self.countries(answer);
        }
        Step::Stay
    }

    fn draw(&self, view: &crate::page::View, area: Rect, buf: &mut Buffer) {
        self.render(view.theme, area, buf);
    }
}
