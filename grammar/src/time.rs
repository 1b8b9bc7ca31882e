//! Calendar arithmetic on unix times, for tor's timestamps (log-file
//! lines, `YYYY-MM-DD HH:MM:SS` in descriptors and GETINFO values).

/// Days since 1970-01-01 of a unix time in milliseconds, in the zone
/// `offset` seconds east of UTC.
pub fn day_number(time_ms: u64, offset: i32) -> i64 {
    local_seconds(time_ms, offset).div_euclid(86_400)
}

/// Seconds since 1970-01-01 00:00 of a unix time in milliseconds, in the
/// zone `offset` seconds east of UTC.
pub fn local_seconds(time_ms: u64, offset: i32) -> i64 {
    i64::try_from(time_ms / 1000).unwrap_or(i64::MAX) + i64::from(offset)
}

/// Year, month (1–12) and day of a day number, after H. Hinnant's
/// civil-from-days.
pub fn civil(day: i64) -> (i64, u32, u32) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `HH:MM:SS` of a unix time in milliseconds, `offset` seconds east of UTC.
pub fn local_clock(time_ms: u64, offset: i32) -> String {
    let s = local_seconds(time_ms, offset).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// `2026-11-21 10:00:05` of a unix time in milliseconds, `offset` seconds
/// east of UTC (log files).
pub fn date_time(time_ms: u64, offset: i32) -> String {
    let (y, m, d) = civil(day_number(time_ms, offset));
    format!("{y}-{m:02}-{d:02} {}", local_clock(time_ms, offset))
}

/// Parses `YYYY-MM-DD HH:MM:SS` (UTC) into unix seconds.
pub fn parse_utc(text: &str) -> Option<u64> {
    let (date, time) = text.trim().split_once(' ')?;
    let mut date_parts = date.split('-').map(str::parse::<i64>);
    let year = date_parts.next()?.ok()?;
    let month = date_parts.next()?.ok()?;
    let day = date_parts.next()?.ok()?;
    let mut time_parts = time.split(':').map(str::parse::<i64>);
    let hour = time_parts.next()?.ok()?;
    let minute = time_parts.next()?.ok()?;
    let second = time_parts.next()?.ok()?;
    // Days from civil (proleptic Gregorian), after H. Hinnant's algorithm.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    u64::try_from(days * 86_400 + hour * 3600 + minute * 60 + second).ok()
}
