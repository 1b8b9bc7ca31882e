//! The overview's columns at a width: the name, state and alerts always;
//! the others dropped least useful first until the flags fit (whole from
//! 120 columns, Nyx's one-letter forms below); the newest warning takes
//! whatever is left, cut with `…`.

use crate::format;
use rnyx_model::{RelayRow, VersionStatus, NAME_WIDTH};
use std::fmt::Write as _;

/// A column between the alerts and the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// The machine tor is on (a fleet across machines only).
    Host,
    Version,
    Down,
    Up,
    Spark,
    Circ,
    Conn,
    Cpu,
    Memory,
    Uptime,
}

/// In the order shown.
const SHOWN: [Col; 9] = [
    Col::Version,
    Col::Down,
    Col::Up,
    Col::Spark,
    Col::Circ,
    Col::Conn,
    Col::Cpu,
    Col::Memory,
    Col::Uptime,
];

/// In the order dropped when the row is too narrow: the least useful to an
/// operator scanning relays first (the sparkline is the widest and says
/// what `down` and `up` say), the traffic last; the host before the
/// traffic (the header names it too).
const DROPPED: [Col; 10] = [
    Col::Spark,
    Col::Memory,
    Col::Cpu,
    Col::Circ,
    Col::Conn,
    Col::Version,
    Col::Uptime,
    Col::Host,
    Col::Up,
    Col::Down,
];

/// The flags are whole from this width, single letters below.
pub const WHOLE_FLAGS: usize = 120;

/// The mark, name, state and alerts, with their spaces.
const FIXED: usize = 2 + NAME_WIDTH + 1 + 11 + 1 + 7 + 1;

/// What the tail (flags, newest warning) gets at least.
const MIN_TAIL: usize = 12;

impl Col {
    fn width(self) -> usize {
        match self {
            Col::Host => 14,
            Col::Version | Col::Down | Col::Up => 10,
            Col::Spark => super::SPARK,
            Col::Circ | Col::Conn => 5,
            Col::Cpu => 6,
            Col::Memory => 8,
            Col::Uptime => 9,
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Col::Host => "host",
            Col::Version => "version",
            Col::Down => "down",
            Col::Up => "up",
            Col::Spark => "last 2 minutes",
            Col::Circ => "circ",
            Col::Conn => "conn",
            Col::Cpu => "cpu",
            Col::Memory => "memory",
            Col::Uptime => "uptime",
        }
    }

    fn left(self) -> bool {
        matches!(self, Col::Host | Col::Version | Col::Spark)
    }

    fn cell(self, r: &RelayRow, now: u64) -> String {
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        match self {
            Col::Host => rnyx_model::keep_end(
                &rnyx_model::text::strip_controls(r.host.as_deref().unwrap_or("local")),
                14,
            ),
            Col::Version => r
                .version
                .as_deref()
                .and_then(|v| v.split_whitespace().next())
                .unwrap_or("-")
                .chars()
                .take(10)
                .collect(),
            Col::Down => format::rate(r.read, false),
            Col::Up => format::rate(r.written, false),
            Col::Spark => crate::format::sparkline(&r.spark),
            Col::Circ => r.circuits.to_string(),
            Col::Conn => r.connections.to_string(),
            Col::Cpu => opt(r.tor_cpu.map(|c| format!("{c:.1}%"))),
            Col::Memory => opt(r.tor_memory.map(|m| format::size(m as f64))),
            Col::Uptime => opt(r.start_time.map(|t| format::uptime(now.saturating_sub(t)))),
        }
    }
}

/// Which columns a width shows, and how the flags are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    cols: Vec<Col>,
    short_flags: bool,
    /// Characters left for the flags and the newest warning.
    tail: usize,
}

impl Layout {
    /// The columns for `width`: those least useful dropped until the
    /// longest flags of `fleet` fit.
    pub fn of(width: usize, fleet: &[RelayRow]) -> Layout {
        let short_flags = width < WHOLE_FLAGS;
        let flags = fleet
            .iter()
            .map(|r| flags(r, short_flags).chars().count())
            .max()
            .unwrap_or(0)
            .max(MIN_TAIL);
        let mut cols = SHOWN.to_vec();
        // Relays on other machines: which is where.
        if fleet.iter().any(|r| r.host.is_some()) {
            cols.insert(0, Col::Host);
        }
        let used = |cols: &[Col]| FIXED + cols.iter().map(|c| c.width() + 1).sum::<usize>() + 1;
        for c in DROPPED {
            if used(&cols) + flags <= width {
                break;
            }
            cols.retain(|k| *k != c);
        }
        let tail = width.saturating_sub(used(&cols));
        Layout {
            cols,
            short_flags,
            tail,
        }
    }

    /// The heading row.
    pub fn heading(&self) -> String {
        let mut out = format!("  {:<NAME_WIDTH$} {:<11} {:<7} ", "name", "state", "alerts");
        for c in &self.cols {
            push_cell(&mut out, *c, c.heading());
        }
        let tail = if self.tail >= "flags / newest warning".len() {
            "flags / newest warning"
        } else {
            "flags"
        };
        out.push(' ');
        out.push_str(&format::cut(tail, self.tail));
        out
    }

    /// One relay's row after the selection mark.
    pub fn row(&self, r: &RelayRow, now: u64) -> String {
        let ago = format::short_duration(now.saturating_sub(r.since));
        let state = match (r.connected, r.silent_since) {
            (true, None) => "up".to_owned(),
            (true, Some(heard)) => format!(
                "silent {}",
                format::short_duration(now.saturating_sub(heard))
            ),
            (false, _) => format!("down {ago}"),
        };
        let name = rnyx_model::keep_end(&r.name, NAME_WIDTH);
        let alerts = super::alert_count(r);
        let mut out = format!("{name:<NAME_WIDTH$} {state:<11} {alerts:<7} ");
        for c in &self.cols {
            push_cell(&mut out, *c, &c.cell(r, now));
        }
        out.push(' ');
        out.push_str(&format::cut(&self.tail_text(r), self.tail));
        out
    }

    /// The flags and the newest warning; down, why; not answering, since
    /// when.
    fn tail_text(&self, r: &RelayRow) -> String {
        let flags = flags(r, self.short_flags);
        let mut tail = match (&r.warning, r.connected) {
            (_, false) => r.last_error.clone().unwrap_or_default(),
            _ if r.silent_since.is_some() => format!(
                "tor not answering since {}",
                format::clock(r.silent_since.unwrap_or_default())
            ),
            (Some(w), true) => format!("{flags}  {w}"),
            (None, true) => flags,
        };
        // A tor the directory authorities no longer recommend says so first.
        let status = match r.version_status {
            VersionStatus::Old => Some("old"),
            VersionStatus::Obsolete => Some("obsolete"),
            VersionStatus::Unrecommended => Some("unrecommended"),
            _ => None,
        };
        if let (Some(status), true) = (status, r.connected) {
            tail = format!("tor version {status}  {tail}");
        }
        tail
    }
}

fn push_cell(out: &mut String, c: Col, text: &str) {
    let w = c.width();
    if c.left() {
        let _ = write!(out, "{:<w$} ", format::cut(text, w));
    } else {
        let _ = write!(out, "{:>w$} ", format::cut(text, w));
    }
}

/// A relay's flags, whole or as Nyx's letters (`E F G H R S V`).
pub fn flags(r: &RelayRow, short: bool) -> String {
    if !short {
        return r.flags.join(" ");
    }
    let letters: Vec<String> = r.flags.iter().map(|f| letter(f).to_string()).collect();
    letters.join(" ")
}

/// A flag's letter: its first, but for those that share one.
fn letter(flag: &str) -> char {
    match flag {
        "BadExit" => 'X',
        "StaleDesc" => 'D',
        "V2Dir" => '2',
        "NoEdConsensus" => 'N',
        other => other.chars().next().unwrap_or('?'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay(flags: &[&str]) -> RelayRow {
        RelayRow {
            name: "relay".into(),
            connected: true,
            flags: flags.iter().map(|f| (*f).to_owned()).collect(),
            warning: Some("a warning that is rather long for any row at all".into()),
            ..RelayRow::default()
        }
    }

    #[test]
    fn the_least_useful_columns_go_first_and_the_flags_always_fit() {
        let all = [
            "Exit", "Fast", "Guard", "HSDir", "Running", "Stable", "V2Dir", "Valid",
        ];
        let fleet = [relay(&all)];
        let wide = Layout::of(230, &fleet);
        assert_eq!(wide.cols, SHOWN);
        assert!(!wide.short_flags);
        let at160 = Layout::of(160, &fleet);
        assert_eq!(
            at160.cols,
            [
                Col::Version,
                Col::Down,
                Col::Up,
                Col::Circ,
                Col::Conn,
                Col::Cpu,
                Col::Uptime
            ]
        );
        let narrow = Layout::of(80, &fleet);
        assert!(narrow.short_flags);
        assert_eq!(narrow.cols, [Col::Down]);
        for width in [80, 100, 120, 160, 230] {
            let layout = Layout::of(width, &fleet);
            let row = layout.row(&fleet[0], 0);
            assert!(row.chars().count() + 2 <= width, "{width}: {row}");
            let whole = flags(&fleet[0], layout.short_flags);
            assert!(row.contains(&whole), "{width}: {row}");
            assert!(row.ends_with('…'), "{width}: the warning is cut: {row}");
        }
        assert_eq!(flags(&fleet[0], true), "E F G H R S 2 V");
    }
}
