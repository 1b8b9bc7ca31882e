//! Drawing one plot: y-axis labels, bars (newest at the left, as in Nyx),
//! x-axis time labels.

use super::Bound;
use crate::format;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::style::Style;

/// How values are labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Bytes per second.
    Rate,
    /// Bytes.
    Size,
    Count,
    Percent,
}

impl Scale {
    pub fn label(self, v: f64, bits: bool) -> String {
        match self {
            Scale::Rate => format::rate(v, bits),
            Scale::Size => format::size(v),
            Scale::Count => format!("{v:.0}"),
            Scale::Percent => format!("{v:.1}%"),
        }
    }
}

/// Everything about a plot but its values and area.
#[derive(Debug, Clone, Copy)]
pub struct PlotStyle {
    pub scale: Scale,
    pub bits: bool,
    pub bound: Bound,
    /// The largest value this interval has ever had.
    pub peak: f64,
    pub interval_seconds: u64,
    pub max_columns: usize,
    pub style: Style,
}

/// The y range `(min, max)` for `shown` values (newest first).
pub fn bounds(shown: &[f64], bound: Bound, peak: f64) -> (f64, f64) {
    let local_max = shown.iter().copied().fold(0.0, f64::max);
    let (min, max) = match bound {
        Bound::GlobalMax => (0.0, peak.max(local_max)),
        Bound::LocalMax => (0.0, local_max),
        Bound::Tight => (
            shown
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min)
                .min(local_max),
            local_max,
        ),
    };
    if max <= min {
        (min, min + 1.0)
    } else {
        (min, max)
    }
}

const EIGHTHS: [char; 8] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇'];

/// Draws labels and bars into `area`: its last row is the x axis.
pub fn draw_plot(values: &[f64], p: PlotStyle, area: Rect, buf: &mut Buffer) {
    if area.height < 2 || area.width < 4 {
        return;
    }
    let bar_rows = area.height - 1;
    let top_label_probe = bounds(values, p.bound, p.peak);
    let top = p.scale.label(top_label_probe.1, p.bits);
    let bottom = p.scale.label(top_label_probe.0, p.bits);
    let label_width =
        u16::try_from(top.chars().count().max(bottom.chars().count())).unwrap_or(0) + 1;
    let plot_x = area.x + label_width;
    let plot_width = usize::from(area.width.saturating_sub(label_width)).min(p.max_columns);
    let shown = &values[..values.len().min(plot_width)];
    let (min, max) = bounds(shown, p.bound, p.peak);
    let top = p.scale.label(max, p.bits);
    let bottom = p.scale.label(min, p.bits);

    buf.set_string(
        area.x,
        area.y,
        format!("{top:>w$}", w = usize::from(label_width - 1)),
        Style::new(),
    );
    if bar_rows > 1 {
        buf.set_string(
            area.x,
            area.y + bar_rows - 1,
            format!("{bottom:>w$}", w = usize::from(label_width - 1)),
            Style::new(),
        );
    }

    let total_eighths = f64::from(bar_rows) * 8.0;
    for (col, v) in shown.iter().enumerate() {
        let fraction = ((v - min) / (max - min)).clamp(0.0, 1.0);
        // At least a sliver for any non-zero value above the floor.
        // fraction is within 0..=1, so this fits: at most 8 × the bar rows.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let mut eighths = (fraction * total_eighths).round() as u32;
        if eighths == 0 && *v > min {
            eighths = 1;
        }
        let x = plot_x + u16::try_from(col).unwrap_or(u16::MAX);
        for row in 0..bar_rows {
            let y = area.y + bar_rows - 1 - row;
            let filled = eighths.saturating_sub(u32::from(row) * 8).min(8);
            let c = if filled == 8 {
                '█'
            } else {
                EIGHTHS[filled as usize]
            };
            if c != ' ' {
                buf[(x, y)].set_char(c).set_style(p.style);
            }
        }
    }

    // X axis: a time label every 10 columns, where it fits.
    let axis_y = area.y + bar_rows;
    let mut next_free = plot_x;
    for col in (10..plot_width).step_by(10) {
        let label = format::axis_duration(col as u64 * p.interval_seconds);
        let x = plot_x + u16::try_from(col).unwrap_or(u16::MAX);
        let len = u16::try_from(label.len()).unwrap_or(u16::MAX);
        let start = x.saturating_sub(len / 2);
        if start >= next_free && start + len <= plot_x + u16::try_from(plot_width).unwrap_or(0) {
            buf.set_string(start, axis_y, &label, Style::new());
            next_free = start + len + 1;
        }
    }
}
