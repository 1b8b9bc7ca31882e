//! What the firehose bench reads of a process in /proc: cpu time, context
//! switches, memory.

/// utime + stime of a process, in seconds.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let f: Vec<u64> = after.split(' ').map(|x| x.parse().unwrap_or(0)).collect();
    // Fields 14 and 15 of stat; `after` starts at field 3.
    f.get(11)
        .zip(f.get(12))
        .map_or(0.0, |(u, s)| (u + s) as f64 / 100.0)
}

/// utime + stime of a process and of its children waited for (cutime +
/// cstime), in seconds.
pub fn cpu_with_children(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let f: Vec<u64> = after.split(' ').map(|x| x.parse().unwrap_or(0)).collect();
    f.get(11..15)
        .map_or(0.0, |t| t.iter().sum::<u64>() as f64 / 100.0)
}

/// Context switches of each of a process's threads so far (each one a
/// wake-up or a preemption), by thread name.
pub fn thread_switches(pid: u32) -> std::collections::BTreeMap<String, u64> {
    let mut by_name = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return by_name;
    };
    for t in tasks.flatten() {
        let status = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
        let n: u64 = status
            .lines()
            .filter(|l| l.contains("ctxt_switches:"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum();
        let name = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        *by_name.entry(name.trim().to_owned()).or_default() += n;
    }
    by_name
}

/// Context switches of all a process's threads so far.
pub fn switches(pid: u32) -> u64 {
    thread_switches(pid).values().sum()
}

pub fn status_kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key)?.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// A process's resident memory summed by what is mapped (file, or
/// `[heap]`, `[stack]`, `anon`), largest first.
pub fn resident_by_mapping(pid: u32) -> String {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut by: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    let mut name = String::new();
    for line in smaps.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields
            .first()
            .is_some_and(|f| f.contains('-') && !f.ends_with(':'))
        {
            name.clear();
            name.push_str(
                fields
                    .get(5)
                    .map_or("anon", |n| n.rsplit('/').next().unwrap_or(n)),
            );
        } else if fields.first() == Some(&"Rss:") {
            *by.entry(name.clone()).or_default() += fields[1].parse::<u64>().unwrap_or(0);
        }
    }
    let mut v: Vec<_> = by.into_iter().filter(|(_, kb)| *kb > 0).collect();
    v.sort_by_key(|(_, kb)| std::cmp::Reverse(*kb));
    v.iter()
        .map(|(n, kb)| format!("{n} {kb}"))
        .collect::<Vec<_>>()
        .join(", ")
}
