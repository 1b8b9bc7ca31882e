use super::*;

fn notice(i: u64, text: &str) -> LogEntry {
    LogEntry::new(i, LogSource::Tor(Runlevel::Notice), text.to_owned())
}

#[test]
fn bounded_and_sanitised() {
    let mut b = LogBuffer::new(2);
    for i in 0..5 {
        b.push(notice(i, &format!("m{i}\x1b[2J")));
    }
    assert_eq!(b.len(), 2);
    assert_eq!(b.total(), 5);
    assert_eq!(b.first_seq(), 3);
    let msgs: Vec<&str> = b.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(msgs, ["m3[2J", "m4[2J"]);
}

#[test]
fn runlevel_names() {
    assert_eq!("warn".parse::<Runlevel>(), Ok(Runlevel::Warn));
    assert!("LOUD".parse::<Runlevel>().is_err());
    assert!(Runlevel::Debug < Runlevel::Err);
    assert_eq!(Runlevel::Warn.rnyx_name(), "RNYX_WARN");
}

#[test]
fn duplicates_link_to_the_newest() {
    let mut b = LogBuffer::new(10);
    b.push(notice(
        0,
        "Tried for 120 seconds to connect to 10.0.0.1:443",
    ));
    b.push(notice(1, "something else"));
    b.push(notice(
        2,
        "Tried for 30 seconds to connect to 192.168.1.7:9001",
    ));
    b.push(notice(3, "Tried for 5 seconds to connect to 10.0.0.2:443"));
    let e: Vec<(bool, u32)> = b.iter().map(|e| (e.superseded, e.duplicates)).collect();
    assert_eq!(e, [(true, 0), (false, 0), (true, 1), (false, 2)]);
}

#[test]
fn eviction_keeps_counts_true() {
    let mut b = LogBuffer::new(3);
    for i in 0..3 {
        b.push(notice(i, &format!("circuit {i} closed")));
    }
    assert_eq!(b.iter().last().unwrap().duplicates, 2);
    b.push(notice(3, "other"));
    // The oldest duplicate left: the newest now hides one.
    assert_eq!(b.iter().last().unwrap().duplicates, 0);
    let newest_dup = b.iter().nth(1).unwrap();
    assert_eq!((newest_dup.duplicates, newest_dup.superseded), (1, false));
    // Evict everything: the map forgets the key, a new one starts fresh.
    for i in 4..7 {
        b.push(notice(i, &format!("x{i}y")));
    }
    b.push(notice(8, "circuit 9 closed"));
    assert_eq!(b.iter().last().unwrap().duplicates, 0);
    assert!(b.newest.len() <= b.capacity());
}

#[test]
fn memory_stays_flat() {
    let mut b = LogBuffer::new(100);
    for i in 0..100_000u64 {
        b.push(notice(
            i,
            &format!("message number {} of kind {}", i, i % 7),
        ));
        b.push(notice(
            i,
            &format!("unique text {}", char::from(b'a' + (i % 26) as u8)),
        ));
    }
    assert_eq!(b.len(), 100);
    assert!(b.newest.len() <= 100, "{}", b.newest.len());
    assert_eq!(b.total(), 200_000);
}

#[test]
fn tap_copies_pushed_entries() {
    let mut b = LogBuffer::new(2);
    b.push(notice(0, "before"));
    b.set_tap(true);
    for i in 1..4 {
        b.push(notice(i, &format!("m{i}")));
    }
    let t: Vec<String> = b.take_tapped().into_iter().map(|e| e.message).collect();
    assert_eq!(t, ["m1", "m2", "m3"]);
    assert!(b.take_tapped().is_empty());
}

/// A batch pushed at once leaves the buffer as pushing its entries one by
/// one does, in all that is shown: the same entries, superseded marks,
/// totals, and duplicate counts of the entries shown with them (the newest
/// of each kind; older ones' counts are never shown, and the one-by-one
/// path lets them go stale on eviction); links checked by pushing more
/// after; the tap gets every entry.
#[test]
fn a_batch_ends_as_its_entries_pushed_one_by_one() {
    let raw = |i: u64| -> RawEntry {
        // Duplicates across the batch's skipped part and the kept part,
        // and control characters to sanitise.
        let text = match i % 7 {
            0 | 3 => format!("circuit {} closed\x1b[1m", i % 5),
            1 => "Bootstrapped 100% (done): Done".to_owned(),
            _ => format!("line {i}"),
        };
        (i / 4, LogSource::Tor(Runlevel::Debug), text)
    };
    // The same lines as runs (those of an even time) and single entries.
    let raw_logs = |range: std::ops::Range<u64>| -> Vec<RawLog> {
        let mut out: Vec<RawLog> = Vec::new();
        for i in range {
            let (t, s, m) = raw(i);
            let LogSource::Tor(level) = s else {
                unreachable!()
            };
            match out.last_mut() {
                Some(RawLog::Run(time, run)) if *time == t => run.push(level, m.as_bytes()),
                _ if t % 2 == 0 => {
                    let mut run = LogRun::default();
                    run.push(level, m.as_bytes());
                    out.push(RawLog::Run(t, run));
                }
                _ => out.push(RawLog::One((t, s, m))),
            }
        }
        out
    };
    for (before, batch) in [(0, 10), (30, 9), (30, 95), (5, 40), (40, 41)] {
        let mut one = LogBuffer::new(40);
        let mut runs = LogBuffer::new(40);
        let mut all = LogBuffer::new(40);
        all.set_tap(true);
        for i in 0..before {
            let (t, s, m) = raw(i);
            one.push(LogEntry::new(t, s.clone(), m.clone()));
            runs.push(LogEntry::new(t, s.clone(), m.clone()));
            all.push(LogEntry::new(t, s, m));
        }
        all.take_tapped();
        for i in before..before + batch {
            let (t, s, m) = raw(i);
            one.push(LogEntry::new(t, s, m));
        }
        all.push_batch((before..before + batch).map(raw).collect());
        runs.push_raw(raw_logs(before..before + batch));
        let tapped = all.take_tapped();
        assert_eq!(tapped.len() as u64, batch);
        assert!(tapped.iter().all(|e| !e.message.contains('\x1b')));
        for more in before + batch..before + batch + 12 {
            let (t, s, m) = raw(more);
            one.push(LogEntry::new(t, s.clone(), m.clone()));
            runs.push(LogEntry::new(t, s.clone(), m.clone()));
            all.push(LogEntry::new(t, s, m));
            assert_eq!(one.total(), all.total());
            assert_eq!(one.total(), runs.total());
            let shown = |b: &LogBuffer| -> Vec<(u64, String, bool, u32)> {
                b.iter()
                    .map(|e| {
                        let count = if e.superseded { 0 } else { e.duplicates };
                        (e.time_ms, e.message.clone(), e.superseded, count)
                    })
                    .collect()
            };
            assert_eq!(shown(&one), shown(&all), "{before} then {batch}");
            assert_eq!(shown(&one), shown(&runs), "{before} then {batch} in runs");
        }
    }
}

#[test]
fn a_run_gives_its_lines_back_as_sent() {
    let mut run = LogRun::default();
    run.push(Runlevel::Debug, b"first");
    run.push(Runlevel::Warn, b"");
    run.push(Runlevel::Info, b"bad \xff byte \x1b[31m");
    assert_eq!(run.len(), 3);
    assert_eq!(run.get(0), Some((Runlevel::Debug, &b"first"[..])));
    assert_eq!(run.message(1), Some((Runlevel::Warn, String::new())));
    // Invalid UTF-8 replaced as for any line; control characters are
    // removed when the line becomes an entry.
    let (level, text) = run.message(2).unwrap();
    assert_eq!(
        (level, text.as_str()),
        (Runlevel::Info, "bad \u{fffd} byte \x1b[31m")
    );
    let mut log = LogBuffer::new(10);
    log.push_raw(vec![RawLog::Run(7, run)]);
    let shown: Vec<&str> = log.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(shown, ["first", "", "bad \u{fffd} byte [31m"]);
    assert!(log.iter().all(|e| e.time_ms == 7));
}

/// Lines of a run are written into the messages of the entries they evict:
/// text exact (a shorter line leaves nothing of a longer one behind, bad
/// bytes replaced, controls removed), and a message once long does not keep
/// its large allocation for a short line.
#[test]
fn evicted_messages_are_reused_without_keeping_their_size() {
    let mut log = LogBuffer::new(2);
    let mut run = LogRun::default();
    run.push(Runlevel::Debug, "x".repeat(5_000).as_bytes());
    run.push(Runlevel::Debug, b"a somewhat longer line of text");
    log.push_raw(vec![RawLog::Run(1, run)]);
    for (level, line) in [
        (Runlevel::Info, &b"short"[..]),
        (Runlevel::Notice, b"bad \xff\x1b[2J"),
        (Runlevel::Warn, b"tiny"),
    ] {
        let mut run = LogRun::default();
        run.push(level, line);
        log.push_raw(vec![RawLog::Run(2, run)]);
    }
    let shown: Vec<(Runlevel, &str)> = log
        .iter()
        .map(|e| match e.source {
            LogSource::Tor(level) => (level, e.message.as_str()),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        shown,
        [
            (Runlevel::Notice, "bad \u{fffd}[2J"),
            (Runlevel::Warn, "tiny")
        ]
    );
    assert!(log.iter().all(|e| e.message.capacity() <= 256));
    assert_eq!(log.total(), 5);
}
