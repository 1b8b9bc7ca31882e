//! tor's own log files (control-spec aside: tor's manual, `Log`): which file
//! a `Log` option names, and the lines tor writes there.

use rnyx_model::{LogEntry, Runlevel};

/// Where tor writes its most detailed log file, from `GETCONF Log` values
/// (`notice file /var/log/tor/notices.log`, `[handshake]debug info file x`):
/// the file whose lowest runlevel is lowest.
pub fn tor_log_file(values: &[String]) -> Option<(Runlevel, String)> {
    values
        .iter()
        .filter_map(|v| {
            let (levels, path) = v.split_once(" file ")?;
            let lowest = levels
                .split_whitespace()
                .filter(|group| !group.starts_with('['))
                .filter_map(|group| group.split('-').next()?.parse::<Runlevel>().ok())
                .min()?;
            Some((lowest, path.trim().to_owned()))
        })
        .min_by_key(|(level, _)| *level)
}

/// One line of tor's log file: `Nov 21 10:00:05.123 [notice] message`. tor
/// writes local time without a year: the year is the one that puts the line
/// not after `now_ms`.
pub fn parse_tor_log_line(line: &str, now_ms: u64, utc_offset: i32) -> Option<LogEntry> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut words = line.split_ascii_whitespace();
    let first = words.next()?;
    let month = MONTHS.iter().position(|m| *m == first)? + 1;
    // Days below 10 are padded with a space: `Nov  1`.
    let day: u32 = words.next()?.parse().ok()?;
    let time = words.next()?;
    let after_time = line.find(time)? + time.len();
    let tail = line[after_time..].trim_start();
    build(month, day, time, tail, now_ms, utc_offset)
}

fn build(
    month: usize,
    day: u32,
    time: &str,
    tail: &str,
    now_ms: u64,
    utc_offset: i32,
) -> Option<LogEntry> {
    let (hms, millis) = time.split_once('.').unwrap_or((time, "0"));
    let millis: u64 = millis.get(..3.min(millis.len()))?.parse().ok()?;
    let level_end = tail.find("] ")?;
    let level: Runlevel = tail.strip_prefix('[')?[..level_end - 1].parse().ok()?;
    let message = tail[level_end + 2..].to_owned();
    let (year, _, _) = crate::time::civil(crate::time::day_number(now_ms, utc_offset));
    let at = |year: i64| -> Option<u64> {
        let local = crate::time::parse_utc(&format!("{year}-{month:02}-{day:02} {hms}"))?;
        let utc = i64::try_from(local).ok()? - i64::from(utc_offset);
        Some(u64::try_from(utc).ok()? * 1000 + millis)
    };
    let mut t = at(year)?;
    // A line from "the future" is from last year (the log spans New Year).
    if t > now_ms + 86_400_000 {
        t = at(year - 1)?;
    }
    Some(LogEntry::new(t, rnyx_model::LogSource::Tor(level), message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnyx_model::LogSource;

    /// 2026-11-21 10:00:00 UTC.
    const NOW: u64 = 1_795_255_200_000;

    fn date_time(ms: u64) -> String {
        let (y, m, d) = crate::time::civil(crate::time::day_number(ms, 0));
        let s = (ms / 1000) % 86_400;
        format!(
            "{y}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }

    #[test]
    fn picks_the_most_detailed_file() {
        let v = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(tor_log_file(&v(&["notice stdout"])), None);
        assert_eq!(
            tor_log_file(&v(&[
                "notice-err file /var/log/tor/notices.log",
                "[handshake]debug info-warn file /var/log/tor/info.log",
                "debug syslog",
            ])),
            Some((Runlevel::Info, "/var/log/tor/info.log".to_owned()))
        );
    }

    #[test]
    fn parses_tor_log_lines() {
        let e = parse_tor_log_line(
            "Nov 21 09:59:58.250 [warn] Clock skew \x1b[2J detected",
            NOW,
            0,
        )
        .unwrap();
        assert_eq!(e.time_ms, NOW - 1750);
        assert_eq!(e.source, LogSource::Tor(Runlevel::Warn));
        assert_eq!(e.message, "Clock skew [2J detected");
        // Local time one hour east of UTC.
        let e = parse_tor_log_line("Nov 21 10:59:58.250 [notice] x", NOW, 3600).unwrap();
        assert_eq!(e.time_ms, NOW - 1750);
        // December's line read in November is from last year.
        let e = parse_tor_log_line("Dec 31 23:00:00.000 [notice] old", NOW, 0).unwrap();
        assert_eq!(date_time(e.time_ms), "2025-12-31 23:00:00");
        // A day below ten is padded.
        let e = parse_tor_log_line("Nov  1 10:00:00.000 [err] early", NOW, 0).unwrap();
        assert_eq!(date_time(e.time_ms), "2026-11-01 10:00:00");
        assert!(parse_tor_log_line("garbage", NOW, 0).is_none());
        assert!(parse_tor_log_line("Nov 21 10:00:00.000 [loud] x", NOW, 0).is_none());
    }
}
