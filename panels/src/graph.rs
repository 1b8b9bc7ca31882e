//! The graph panel: two series side by side (download and upload,
//! inbound and outbound connections, or tor's cpu and memory), at one of
//! eight intervals, with axis labels, current/average/total in the titles,
//! and the accounting block when `AccountingMax` is set.

mod plot;

pub use plot::{bounds, draw_plot, Scale};

use crate::format;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::Line;
use rnyx_model::{Column, ControllerState, Interval, Series};
use serde::Deserialize;

/// What the graph shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GraphStat {
    Bandwidth,
    Connections,
    Resources,
    None,
}

impl GraphStat {
    pub const ALL: [GraphStat; 4] = [
        GraphStat::Bandwidth,
        GraphStat::Connections,
        GraphStat::Resources,
        GraphStat::None,
    ];

    pub fn name(self) -> &'static str {
        match self {
            GraphStat::Bandwidth => "bandwidth",
            GraphStat::Connections => "connections",
            GraphStat::Resources => "resources",
            GraphStat::None => "none",
        }
    }
}

/// How the y axis is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// 0 to the largest value this interval has ever had.
    GlobalMax,
    /// 0 to the largest value shown.
    LocalMax,
    /// The smallest to the largest value shown.
    Tight,
}

impl Bound {
    pub fn name(self) -> &'static str {
        match self {
            Bound::GlobalMax => "global_max",
            Bound::LocalMax => "local_max",
            Bound::Tight => "tight",
        }
    }

    #[must_use]
    pub fn next(self) -> Bound {
        match self {
            Bound::GlobalMax => Bound::LocalMax,
            Bound::LocalMax => Bound::Tight,
            Bound::Tight => Bound::GlobalMax,
        }
    }
}

/// The graph panel's view state.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphPanel {
    pub stat: GraphStat,
    pub interval: Interval,
    pub bound: Bound,
    /// Rows of bars.
    pub height: u16,
    /// Columns of bars at most.
    pub max_width: u16,
    pub bits: bool,
    pub show_accounting: bool,
}

/// Rows of bars the graph may have.
pub const MIN_HEIGHT: u16 = 1;
pub const MAX_HEIGHT: u16 = 40;

impl GraphPanel {
    /// Rows the panel needs: title, subtitles, bars, x axis, totals, accounting.
    pub fn panel_height(&self, state: &ControllerState) -> u16 {
        if self.stat == GraphStat::None {
            return 0;
        }
        4 + self.height + if self.accounting_shown(state) { 3 } else { 0 }
    }

    fn accounting_shown(&self, state: &ControllerState) -> bool {
        self.show_accounting
            && self.stat == GraphStat::Bandwidth
            && state.facts.relay.accounting.is_some()
    }

    fn series<'a>(&self, state: &'a ControllerState) -> &'a Series {
        match self.stat {
            GraphStat::Connections => &state.traffic.connections_graph,
            GraphStat::Resources => &state.traffic.resources_graph,
            _ => &state.traffic.bandwidth_graph,
        }
    }

    /// Changes the height by `delta` rows, within bounds.
    pub fn resize(&mut self, delta: i32) {
        let h = i32::from(self.height) + delta;
        self.height = u16::try_from(h.clamp(i32::from(MIN_HEIGHT), i32::from(MAX_HEIGHT)))
            .unwrap_or(MIN_HEIGHT);
    }

    pub fn render(
        &self,
        state: &ControllerState,
        now: u64,
        theme: Theme,
        area: Rect,
        buf: &mut Buffer,
    ) {
        if self.stat == GraphStat::None || area.height < 4 {
            return;
        }
        let series = self.series(state);
        let columns = series.columns(self.interval);
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(self.title(state), theme.title()),
            area.width,
        );

        let half = area.width / 2;
        let (scale_a, scale_b) = self.scales();
        let (name_a, name_b) = self.names();
        let latest = series.latest().unwrap_or_default();
        let plot_height = self.height.min(area.height.saturating_sub(4));
        for (i, (name, scale, pick, style)) in [
            (
                name_a,
                scale_a,
                primary as fn(&Column) -> f64,
                theme.primary(),
            ),
            (
                name_b,
                scale_b,
                secondary as fn(&Column) -> f64,
                theme.secondary(),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let x = area.x + if i == 0 { 0 } else { half };
            let width = if i == 0 { half } else { area.width - half };
            let values: Vec<f64> = columns.iter().map(pick).collect();
            let current = pick(&latest);
            let heading = format!("{name} ({}):", scale.label(current, self.bits));
            buf.set_line(x, area.y + 1, &Line::styled(heading, style), width);
            let peak = pick(&series.peak(self.interval));
            let plot_area = Rect::new(x, area.y + 2, width.saturating_sub(1), plot_height + 1);
            draw_plot(
                &values,
                plot::PlotStyle {
                    scale,
                    bits: self.bits,
                    bound: self.bound,
                    peak,
                    interval_seconds: u64::from(self.interval.seconds()),
                    max_columns: usize::from(self.max_width),
                    style,
                },
                plot_area,
                buf,
            );
            let footer = self.footer(state, now, i == 0, &values);
            buf.set_line(x, area.y + 3 + plot_height, &Line::raw(footer), width);
        }
        if self.accounting_shown(state) {
            let y = area.y + 4 + plot_height;
            for (dy, line) in accounting_lines(state, now).into_iter().enumerate() {
                let dy = u16::try_from(dy).unwrap_or(0);
                if y + 1 + dy < area.y + area.height {
                    buf.set_line(area.x, y + 1 + dy, &line, area.width);
                }
            }
        }
    }

    fn title(&self, state: &ControllerState) -> String {
        match self.stat {
            GraphStat::Bandwidth => {
                let r = &state.facts.relay;
                let mut parts = Vec::new();
                if let Some(v) = r.bandwidth_rate {
                    parts.push(format!("cap: {}", format::rate(v as f64, self.bits)));
                }
                if let Some(v) = r.bandwidth_burst {
                    parts.push(format!("burst: {}", format::rate(v as f64, self.bits)));
                }
                if let Some(v) = r.bandwidth_observed {
                    parts.push(format!("observed: {}", format::rate(v as f64, self.bits)));
                }
                parts.push(format!("interval: {}", self.interval.name()));
                format!("Bandwidth ({}):", parts.join(", "))
            }
            GraphStat::Connections if state.facts.system.inbound.is_none() => {
                // Counting needs tor's /proc/<pid>/fd: tor's user, or root.
                "Connection Count (unavailable: rnyx cannot read tor's /proc/<pid>/fd; run it as tor's user):".to_owned()
            }
            GraphStat::Connections => {
                format!("Connection Count (interval: {}):", self.interval.name())
            }
            GraphStat::Resources => {
                format!("System Resources (interval: {}):", self.interval.name())
            }
            GraphStat::None => String::new(),
        }
    }

    fn names(&self) -> (&'static str, &'static str) {
        match self.stat {
            GraphStat::Connections => ("Inbound", "Outbound"),
            GraphStat::Resources => ("CPU", "Memory"),
            _ => ("Download", "Upload"),
        }
    }

    fn scales(&self) -> (Scale, Scale) {
        match self.stat {
            GraphStat::Connections => (Scale::Count, Scale::Count),
            GraphStat::Resources => (Scale::Percent, Scale::Size),
            _ => (Scale::Rate, Scale::Rate),
        }
    }

    /// `avg: …, total: …` — over tor's uptime for bandwidth (from
    /// `traffic/*`), over the columns shown otherwise.
    fn footer(&self, state: &ControllerState, now: u64, first: bool, values: &[f64]) -> String {
        if self.stat == GraphStat::Bandwidth {
            let total = if first {
                state.traffic.traffic_read
            } else {
                state.traffic.traffic_written
            };
            let uptime = state
                .facts
                .relay
                .start_time
                .map_or(0, |s| now.saturating_sub(s));
            let avg = if uptime > 0 {
                total as f64 / uptime as f64
            } else {
                0.0
            };
            return format!(
                "avg: {}, total: {}",
                format::rate(avg, self.bits),
                format::size(total as f64)
            );
        }
        let (scale, _) = self.scales();
        let scale = if first { scale } else { self.scales().1 };
        let avg = if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        };
        format!("avg: {}", scale.label(avg, self.bits))
    }
}

fn primary(c: &Column) -> f64 {
    c.primary
}

fn secondary(c: &Column) -> f64 {
    c.secondary
}

/// `Accounting (awake)  Time to reset: 1-02:03:04` and the read/written totals.
fn accounting_lines(state: &ControllerState, now: u64) -> Vec<Line<'static>> {
    let Some(a) = &state.facts.relay.accounting else {
        return Vec::new();
    };
    let reset = parse_utc(&a.interval_end).map_or_else(
        || "unknown".to_owned(),
        |end| format::uptime(end.saturating_sub(now)),
    );
    vec![
        Line::raw(format!(
            "Accounting ({})    Time to reset: {reset}",
            a.status
        )),
        Line::raw(format!(
            "  read: {} / {}    written: {} / {}",
            format::size(a.read as f64),
            format::size((a.read + a.read_left) as f64),
            format::size(a.written as f64),
            format::size((a.written + a.written_left) as f64),
        )),
    ]
}

pub use rnyx_grammar::time::parse_utc;

#[cfg(test)]
mod tests;
