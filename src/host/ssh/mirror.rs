//! Samples of tor's process on its machine: one remote command reads what
//! `/proc` there says (with tor's sockets and descriptors when a scan is
//! due), kept as a copy of that part of `/proc` so that `procfs`'s readers
//! serve it as they serve this machine's.

use super::Inner;
use crate::procfs::ProcSampler;
use rnyx_model::SystemInfo;
use std::path::Path;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

/// Samples of tor's process are taken at most this often.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);

impl Inner {
    pub(super) async fn run(&self, script: &str) -> Result<Vec<u8>, String> {
        self.m.run(script).await
    }

    /// One sample of tor's process (`pid` on the host), and, with
    /// `tables`, its sockets and descriptors, copied into the mirror.
    async fn sample(&self, pid: u32, tables: bool) -> Result<(), String> {
        let mut script = format!(
            "cd /proc || exit 1; p={pid}; \
             echo @comm; cat $p/comm; echo @stat; cat $p/stat; \
             echo @status; cat $p/status; echo @limits; cat $p/limits; \
             echo @meminfo; cat meminfo; \
             echo @hostname; cat sys/kernel/hostname; echo @ostype; cat sys/kernel/ostype; \
             echo @osrelease; cat sys/kernel/osrelease; \
             echo @fds; ls $p/fd 2>/dev/null | wc -l; "
        );
        if tables {
            script.push_str(
                "echo @tcp; cat $p/net/tcp; echo @tcp6; cat $p/net/tcp6; \
                 echo @fd; ls -l $p/fd 2>/dev/null; ",
            );
        }
        script.push_str("echo @end");
        let out = self.run(&script).await?;
        let text = String::from_utf8_lossy(&out);
        let mut sections: Vec<(&str, String)> = Vec::new();
        for line in text.lines() {
            if let Some(name) = line.strip_prefix('@') {
                sections.push((name, String::new()));
            } else if let Some((_, body)) = sections.last_mut() {
                body.push_str(line);
                body.push('\n');
            }
        }
        let section = |n: &str| {
            sections
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.as_str())
        };
        if section("end").is_none() {
            return Err("the sample was cut short".into());
        }
        let root = &self.mirror;
        let dir = root.join(pid.to_string());
        let write = |rel: &Path, body: &str| {
            if let Some(parent) = rel.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(rel, body)
        };
        let io = |e: std::io::Error| format!("cannot keep the sample in {}: {e}", root.display());
        for (name, path) in [
            ("meminfo", root.join("meminfo")),
            ("hostname", root.join("sys/kernel/hostname")),
            ("ostype", root.join("sys/kernel/ostype")),
            ("osrelease", root.join("sys/kernel/osrelease")),
            ("comm", dir.join("comm")),
            ("stat", dir.join("stat")),
            ("status", dir.join("status")),
            ("limits", dir.join("limits")),
        ] {
            write(&path, section(name).unwrap_or_default()).map_err(io)?;
        }
        // The descriptors: listed with their targets when a scan is due,
        // else as many placeholders as there are.
        let fd_dir = dir.join("fd");
        if tables {
            for (name, path) in [("tcp", "net/tcp"), ("tcp6", "net/tcp6")] {
                write(&dir.join(path), section(name).unwrap_or_default()).map_err(io)?;
            }
            let listing: Vec<(String, String)> = section("fd")
                .unwrap_or_default()
                .lines()
                .filter_map(|l| {
                    let (left, target) = l.split_once(" -> ")?;
                    let n = left.rsplit(' ').next()?;
                    n.parse::<u32>().ok()?;
                    Some((n.to_owned(), target.to_owned()))
                })
                .collect();
            let _ = std::fs::remove_dir_all(&fd_dir);
            std::fs::create_dir_all(&fd_dir).map_err(io)?;
            for (n, target) in listing {
                std::os::unix::fs::symlink(target, fd_dir.join(n)).map_err(io)?;
            }
        } else {
            let count: usize = section("fds")
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(0);
            let have = std::fs::read_dir(&fd_dir).map_or(0, Iterator::count);
            if have != count {
                let _ = std::fs::remove_dir_all(&fd_dir);
                std::fs::create_dir_all(&fd_dir).map_err(io)?;
                for n in 0..count {
                    std::os::unix::fs::symlink("?", fd_dir.join(n.to_string())).map_err(io)?;
                }
            }
        }
        Ok(())
    }

    /// A sample now (or as soon as one may be taken), into `latest`.
    pub(super) async fn refresh(&self, pid: Option<u32>, tables: bool) -> Result<(), String> {
        let mut last = self.sampling.lock().await;
        if let Some(at) = *last {
            if let Some(rest) = SAMPLE_EVERY.checked_sub(at.elapsed()) {
                tokio::time::sleep(rest).await;
            }
        }
        *last = Some(Instant::now());
        let Some(pid) = pid else {
            return Err("tor did not say its pid (GETINFO process/pid)".into());
        };
        let read = self.sample(pid, tables).await;
        let mut info = match &read {
            Ok(()) => {
                let mut sampler = self.sampler.lock().unwrap_or_else(PoisonError::into_inner);
                sampler
                    .get_or_insert_with(|| ProcSampler::new(&self.mirror))
                    .sample(Some(pid))
            }
            Err(_) => SystemInfo::default(),
        };
        let visible = std::fs::read_to_string(self.mirror.join(pid.to_string()).join("comm"))
            .is_ok_and(|c| c.trim() == "tor");
        if !visible {
            info.unseen = Some(format!(
                "tor's process (pid {pid}) is not visible on {}",
                self.spec.host
            ));
        }
        info.rnyx_cpu = self
            .own
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .sample(None)
            .rnyx_cpu;
        *self.latest.lock().unwrap_or_else(PoisonError::into_inner) = Some(info);
        read
    }
}
