//! Readers of `/proc`: cpu, memory, file descriptors and connections of tor
//! and of rnyx, sampled once a second for the header and the graphs.
//!
//! tor is found by the pid it reports. When tor runs in a container with a
//! pid namespace of its own, that pid is not ours; then the process whose
//! innermost `NSpid` matches and whose name is `tor` is used.

mod diag;
pub(crate) use diag::read_answer;
pub mod sockets;

use rnyx_model::SystemInfo;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A TCP socket as the kernel lists it: a row of `/proc/net/tcp{,6}` or a
/// `sock_diag` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    pub local: std::net::SocketAddr,
    pub remote: std::net::SocketAddr,
    pub established: bool,
    pub uid: u32,
    pub inode: u64,
}

/// Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ; 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// Cpu times at one instant: tor's (with the pid they belong to) and ours.
#[derive(Debug, Clone, Copy)]
struct CpuSample {
    at: Instant,
    tor: Option<(u32, u64)>,
    own: Option<u64>,
}

/// Samples system facts; keeps the previous cpu times to compute rates.
#[derive(Debug)]
pub struct ProcSampler {
    root: PathBuf,
    previous: Option<CpuSample>,
    resolved: Option<(u32, u32)>,
    host: (String, String, String),
    /// Descriptor and connection counts, which cost a scan of tor's fds and
    /// TCP tables: refreshed every `SLOW_EVERY`, reused in between.
    slow: Option<(Instant, u32, SlowCounts)>,
}

/// How often descriptors and connections are counted.
const SLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Debug, Clone, Copy, Default)]
struct SlowCounts {
    fds: Option<u64>,
}

impl Default for ProcSampler {
    fn default() -> Self {
        Self::new("/proc")
    }
}

impl ProcSampler {
    /// A sampler reading from `root` (a fake tree in tests).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        let read = |p: &str| {
            std::fs::read_to_string(root.join(p))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let host = (
            read("sys/kernel/hostname"),
            read("sys/kernel/ostype"),
            read("sys/kernel/osrelease"),
        );
        Self {
            root,
            previous: None,
            resolved: None,
            host,
            slow: None,
        }
    }

    /// Samples now. `tor_pid` is the pid tor reports. Inbound and outbound
    /// connections are left to the connection table.
    pub fn sample(&mut self, tor_pid: Option<u32>) -> SystemInfo {
        let now = Instant::now();
        let pid = tor_pid.and_then(|p| self.resolve(p));
        let tor_ticks = pid.and_then(|p| cpu_ticks(&self.root.join(p.to_string())));
        let own_ticks = cpu_ticks(&self.root.join("self"));
        let (tor_cpu, rnyx_cpu) = match &self.previous {
            Some(prev) => {
                let secs = now.duration_since(prev.at).as_secs_f64().max(1e-3);
                let rate = |a: Option<u64>, b: Option<u64>| {
                    Some(a?.saturating_sub(b?) as f64 / TICKS_PER_SECOND / secs * 100.0)
                };
                let prev_tor = prev.tor.filter(|(p, _)| Some(*p) == pid).map(|(_, t)| t);
                (rate(tor_ticks, prev_tor), rate(own_ticks, prev.own))
            }
            None => (None, None),
        };
        self.previous = Some(CpuSample {
            at: now,
            tor: pid.zip(tor_ticks),
            own: own_ticks,
        });
        let (hostname, os, kernel) = self.host.clone();
        let mut info = SystemInfo {
            hostname,
            os,
            kernel,
            tor_cpu,
            rnyx_cpu,
            memory_total: meminfo_total(&self.root),
            ..SystemInfo::default()
        };
        if let Some(pid) = pid {
            let dir = self.root.join(pid.to_string());
            info.tor_memory = rss(&dir);
            info.tor_fd_limit = fd_limit(&dir);
            let counts = match self.slow {
                Some((at, p, counts)) if p == pid && at.elapsed() < SLOW_EVERY => counts,
                _ => {
                    let counts = slow_counts(&dir);
                    self.slow = Some((now, pid, counts));
                    counts
                }
            };
            info.tor_fds = counts.fds;
        }
        info
    }

    /// tor's directory under `/proc` for the pid tor reports (its pid
    /// in our namespace when tor runs in a container).
    pub fn tor_dir(&mut self, tor_pid: u32) -> Option<PathBuf> {
        self.resolve(tor_pid).map(|p| self.root.join(p.to_string()))
    }

    /// Our pid for tor's `pid`, cached while it stays valid.
    fn resolve(&mut self, pid: u32) -> Option<u32> {
        if let Some((reported, ours)) = self.resolved {
            if reported == pid && is_tor(&self.root.join(ours.to_string())) {
                return Some(ours);
            }
        }
        let ours = if is_tor(&self.root.join(pid.to_string())) {
            Some(pid)
        } else {
            find_by_nspid(&self.root, pid)
        };
        self.resolved = ours.map(|o| (pid, o));
        ours
    }
}

/// Open descriptors: a listing of `/proc/<pid>/fd`, no look inside them
/// (the connection table reads tor's sockets; see `procfs::sockets`).
fn slow_counts(dir: &Path) -> SlowCounts {
    SlowCounts {
        fds: std::fs::read_dir(dir.join("fd"))
            .ok()
            .map(|d| d.count() as u64),
    }
}

fn is_tor(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("comm")).is_ok_and(|c| c.trim() == "tor")
}

/// The process named tor whose innermost namespace pid is `pid`.
fn find_by_nspid(root: &Path, pid: u32) -> Option<u32> {
    let want = pid.to_string();
    std::fs::read_dir(root).ok()?.flatten().find_map(|e| {
        let ours: u32 = e.file_name().to_str()?.parse().ok()?;
        let status = std::fs::read_to_string(e.path().join("status")).ok()?;
        let name = status.lines().find_map(|l| l.strip_prefix("Name:"))?.trim();
        let nspid = status.lines().find_map(|l| l.strip_prefix("NSpid:"))?;
        (name == "tor" && nspid.split_whitespace().last() == Some(want.as_str())).then_some(ours)
    })
}

/// utime + stime, in clock ticks.
fn cpu_ticks(dir: &Path) -> Option<u64> {
    stat_ticks(&std::fs::read_to_string(dir.join("stat")).ok()?)
}

/// utime + stime of a `/proc/<pid>/stat` text.
pub(crate) fn stat_ticks(stat: &str) -> Option<u64> {
    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let f: Vec<&str> = rest.split(' ').collect();
    f.get(11)?
        .parse::<u64>()
        .ok()?
        .checked_add(f.get(12)?.parse::<u64>().ok()?)
}

/// The first word after `key` on the line of `text` starting with it
/// (`/proc` status and limits files).
pub(crate) fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))?
        .split_whitespace()
        .next()
}

pub(crate) fn kb_field(text: &str, key: &str) -> Option<u64> {
    field(text, key)?.parse::<u64>().ok()?.checked_mul(1024)
}

fn rss(dir: &Path) -> Option<u64> {
    kb_field(&std::fs::read_to_string(dir.join("status")).ok()?, "VmRSS:")
}

fn meminfo_total(root: &Path) -> Option<u64> {
    kb_field(
        &std::fs::read_to_string(root.join("meminfo")).ok()?,
        "MemTotal:",
    )
}

fn fd_limit(dir: &Path) -> Option<u64> {
    limits_fds(&std::fs::read_to_string(dir.join("limits")).ok()?)
}

/// The soft limit of open files in a `/proc/<pid>/limits` text.
pub(crate) fn limits_fds(limits: &str) -> Option<u64> {
    field(limits, "Max open files")?.parse().ok()
}

/// The processes whose parent is the one of `/proc/<pid>` (`dir`), each
/// as its first argument (the program) and its pid: a tor's pluggable
/// transports. `root` is `/proc`.
pub fn children(root: &Path, dir: &Path) -> Vec<(String, u32)> {
    let Some(parent) = dir.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: the name may hold spaces and `)`. A
        // zombie (`Z`: ended, not yet reaped by tor) is not running.
        let mut fields = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace())
            .into_iter()
            .flatten();
        let (state, parent_of) = (fields.next(), fields.next());
        if parent_of != Some(parent) || matches!(state, Some("Z" | "X")) {
            continue;
        }
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let program = cmdline.split(|&b| b == 0).next().unwrap_or_default();
        found.push((
            rnyx_model::text::strip_controls(&String::from_utf8_lossy(program)),
            pid,
        ));
    }
    found.sort_by_key(|(_, pid)| *pid);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tors_children_are_its_transports() {
        let d = fake_proc();
        let p = d.path();
        for (pid, state, ppid, cmd) in [
            (5000, "S", 4242, "/usr/bin/obfs4proxy\0-enableLogging\0"),
            (5001, "S", 1, "/bin/sh\0"),
            (5002, "Z", 4242, ""),
        ] {
            std::fs::create_dir_all(p.join(format!("{pid}"))).unwrap();
            std::fs::write(
                p.join(format!("{pid}/stat")),
                format!("{pid} (a (b) c) {state} {ppid} 1 1 0\n"),
            )
            .unwrap();
            std::fs::write(p.join(format!("{pid}/cmdline")), cmd).unwrap();
        }
        assert_eq!(
            children(p, &p.join("4242")),
            [("/usr/bin/obfs4proxy".to_owned(), 5000)]
        );
        assert_eq!(children(p, &p.join("5001")), []);
    }

    fn fake_proc() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        let w = |rel: &str, text: &str| {
            let path = p.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        w("sys/kernel/hostname", "relayhost\n");
        w("sys/kernel/ostype", "Linux\n");
        w("sys/kernel/osrelease", "6.1.0-18-amd64\n");
        w("meminfo", "MemTotal:       16384000 kB\nMemFree: 1 kB\n");
        // A containerised tor: it reports pid 1; ours is 4242.
        w("4242/comm", "tor\n");
        w(
            "4242/status",
            "Name:\ttor\nVmRSS:\t   51200 kB\nNSpid:\t4242\t1\n",
        );
        w(
            "4242/stat",
            "4242 (tor (x)) S 1 1 1 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 100 0 0\n",
        );
        w("4242/limits", "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 4096                 files\n");
        w(
            "4242/net/tcp",
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:2329 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 111 1\n   1: 0100007F:A001 0100007F:1388 01 00000000:00000000 00:00000000 00000000     0        0 222 1\n   2: 0100007F:A002 0100007F:1388 01 00000000:00000000 00:00000000 00000000     0        0 999 1\n   3: 00000000:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1\n",
        );
        std::fs::create_dir_all(p.join("4242/fd")).unwrap();
        for (n, inode) in [(3, 111), (4, 222), (5, 333)] {
            std::os::unix::fs::symlink(format!("socket:[{inode}]"), p.join(format!("4242/fd/{n}")))
                .unwrap();
        }
        std::os::unix::fs::symlink("/dev/null", p.join("4242/fd/0")).unwrap();
        d
    }

    #[test]
    fn samples_a_containerised_tor() {
        let d = fake_proc();
        let mut s = ProcSampler::new(d.path());
        let info = s.sample(Some(1));
        assert_eq!(info.hostname, "relayhost");
        assert_eq!(
            (info.os.as_str(), info.kernel.as_str()),
            ("Linux", "6.1.0-18-amd64")
        );
        assert_eq!(info.tor_memory, Some(51_200 * 1024));
        assert_eq!(info.memory_total, Some(16_384_000 * 1024));
        assert_eq!(info.tor_fd_limit, Some(1024));
        assert_eq!(info.tor_fds, Some(4));
        assert_eq!((info.inbound, info.outbound), (None, None));
        assert_eq!(info.tor_cpu, None, "the first sample has no rate yet");
        assert_eq!(cpu_ticks(&d.path().join("4242")), Some(300));
    }

    #[test]
    fn samples_this_process() {
        let mut s = ProcSampler::default();
        s.sample(Some(std::process::id()));
        let info = s.sample(Some(std::process::id()));
        assert!(info.rnyx_cpu.is_some());
        assert!(!info.kernel.is_empty());
        assert!(info.memory_total.unwrap() > 0);
        // This process is not named tor, so no tor figures.
        assert_eq!(info.tor_memory, None);
    }
}
