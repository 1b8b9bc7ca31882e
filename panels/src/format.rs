//! Number and time formatting shared by the panels.

/// `1.5 KB`, `12 MB` (binary multiples, as tor counts).
pub fn size(bytes: f64) -> String {
    scaled(bytes, "B")
}

/// A rate in bytes per second, as `1.5 KB/s` or, with `bits`, `12 Kb/s`.
pub fn rate(bytes_per_second: f64, bits: bool) -> String {
    if bits {
        format!("{}/s", scaled(bytes_per_second * 8.0, "b"))
    } else {
        format!("{}/s", scaled(bytes_per_second, "B"))
    }
}

fn scaled(value: f64, unit: &str) -> String {
    const PREFIXES: [&str; 6] = ["", "K", "M", "G", "T", "P"];
    let mut v = value.max(0.0);
    let mut i = 0;
    while v >= 1024.0 && i < PREFIXES.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 || v >= 100.0 {
        format!("{v:.0} {}{unit}", PREFIXES[i])
    } else {
        format!("{v:.1} {}{unit}", PREFIXES[i])
    }
}

/// Uptime as Nyx shows it: `5-03:22:11`, `03:22:11`, `22:11`.
pub fn uptime(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    if d > 0 {
        format!("{d}-{h:02}:{m:02}:{s:02}")
    } else if h > 0 {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// A short duration for axis labels: `30s`, `5m`, `2h`, `3d`.
pub fn short_duration(seconds: u64) -> String {
    if seconds < 60 {
        format!("{seconds}s")
    } else if seconds < 3600 {
        format!("{}m", seconds / 60)
    } else if seconds < 86_400 {
        format!("{}h", seconds / 3600)
    } else {
        format!("{}d", seconds / 86_400)
    }
}

/// A time-axis label: the largest unit and, when it is not whole, the next
/// one (`1m10s`, `1h30m`), so no two labels of an axis read the same.
pub fn axis_duration(seconds: u64) -> String {
    let (unit, next, big, small) = match seconds {
        0..60 => return format!("{seconds}s"),
        60..3600 => (60, 1, "m", "s"),
        3600..86_400 => (3600, 60, "h", "m"),
        _ => (86_400, 3600, "d", "h"),
    };
    let rest = seconds % unit / next;
    if rest == 0 {
        format!("{}{big}", seconds / unit)
    } else {
        format!("{}{big}{rest}{small}", seconds / unit)
    }
}

/// `s` in at most `width` characters: cut, it ends with `…`, so a cut
/// value is never taken for a whole one.
pub fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        out.push('…');
    }
    out
}

/// `HH:MM:SS` (UTC) of a unix time.
pub fn clock(unix: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        unix / 3600 % 24,
        unix / 60 % 60,
        unix % 60
    )
}

/// Values as block characters, scaled to their largest.
pub fn sparkline(values: &[f64]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    values
        .iter()
        .map(|v| {
            // Eight steps from zero to the largest.
            let step = (1..8)
                .filter(|k| *v > 0.0 && *v / max * 7.0 >= f64::from(*k) - 0.5)
                .count();
            BLOCKS[step]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_rates() {
        assert_eq!(size(0.0), "0 B");
        assert_eq!(size(1023.0), "1023 B");
        assert_eq!(size(1536.0), "1.5 KB");
        assert_eq!(size(200.0 * 1024.0 * 1024.0), "200 MB");
        assert_eq!(rate(1024.0, false), "1.0 KB/s");
        assert_eq!(rate(1024.0, true), "8.0 Kb/s");
    }

    #[test]
    fn durations() {
        assert_eq!(uptime(59), "00:59");
        assert_eq!(uptime(3 * 3600 + 61), "03:01:01");
        assert_eq!(uptime(5 * 86_400 + 3 * 3600 + 22 * 60 + 11), "5-03:22:11");
        assert_eq!(short_duration(30), "30s");
        assert_eq!(short_duration(300), "5m");
        assert_eq!(short_duration(7200), "2h");
        assert_eq!(short_duration(3 * 86_400), "3d");
        let axis: Vec<String> = (1..=9).map(|c| axis_duration(c * 10)).collect();
        assert_eq!(
            axis,
            ["10s", "20s", "30s", "40s", "50s", "1m", "1m10s", "1m20s", "1m30s"]
        );
        assert_eq!(axis_duration(5400), "1h30m");
        assert_eq!(cut("exit policy", 20), "exit policy");
        assert_eq!(cut("ExitPolicyRejectPrivate", 10), "ExitPolic…");
        assert_eq!(cut("abc", 0), "");
        assert_eq!(axis_duration(30 * 3600), "1d6h");
        assert_eq!(clock(86_400 + 3661), "01:01:01");
    }
}

pub use rnyx_grammar::time::{civil, date_time, day_number, local_clock};

/// `November 21, 2026`.
pub fn long_date(day: i64) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (y, m, d) = civil(day);
    format!("{} {d}, {y}", MONTHS[(m as usize - 1) % 12])
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn dates_and_clocks() {
        // 2026-11-21 23:30:00 UTC
        let t = 1_795_303_800_000;
        assert_eq!(date_time(t, 0), "2026-11-21 23:30:00");
        assert_eq!(date_time(t, 3600), "2026-11-22 00:30:00");
        assert_eq!(date_time(t, -5 * 3600), "2026-11-21 18:30:00");
        assert_eq!(long_date(day_number(t, 0)), "November 21, 2026");
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(day_number(951_782_400_000, 0)), (2000, 2, 29));
    }
}
