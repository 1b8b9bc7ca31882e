//! Log files: rnyx's own (`write_logs_to`) and tor's, read at start to
//! prepopulate the log panel.

pub use rnyx_grammar::logfile::{parse_tor_log_line, tor_log_file};
use rnyx_grammar::model::LogEntry;
use rnyx_panels::format;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// A file every log entry is appended to as it arrives.
#[derive(Debug)]
pub struct LogFile {
    path: PathBuf,
    out: BufWriter<File>,
    utc_offset: i32,
}

impl LogFile {
    /// Opens `path` for appending, creating it and its parent directories.
    pub fn open(path: &Path, utc_offset: i32) -> io::Result<LogFile> {
        let file = open_private(path, true)?;
        Ok(LogFile {
            path: path.to_owned(),
            out: BufWriter::with_capacity(64 * 1024, file),
            utc_offset,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `2026-11-21 10:00:05 [NOTICE] message` lines and flushes.
    pub fn write(&mut self, entries: &[LogEntry]) -> io::Result<()> {
        for e in entries {
            writeln!(
                self.out,
                "{} [{}] {}",
                format::date_time(e.time_ms, self.utc_offset),
                e.source.label(),
                e.message
            )?;
        }
        self.out.flush()
    }
}

/// Opens a file for a copy of the log, appending or replacing, creating it
/// and its parent directories. Relay logs name addresses and fingerprints:
/// a new file is readable by its owner only.
pub fn open_private(path: &Path, append: bool) -> io::Result<File> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    OpenOptions::new()
        .create(true)
        .append(append)
        .write(!append)
        .truncate(!append)
        .mode(0o600)
        .open(path)
}

/// Resolves a path from tor's configuration as tor does: `~` is the home of
/// the user tor runs as, a relative path is relative to tor's working
/// directory (both read from `/proc/<pid>`).
pub fn resolve_tor_path(path: &str, tor_pid: Option<u32>, proc_root: &Path) -> PathBuf {
    let proc_dir = tor_pid.map(|pid| proc_root.join(pid.to_string()));
    if let Some(rest) = path
        .strip_prefix("~/")
        .or(if path == "~" { Some("") } else { None })
    {
        let home = proc_dir
            .as_deref()
            .and_then(process_home)
            .or_else(|| std::env::var_os("HOME").map(PathBuf::from));
        if let Some(home) = home {
            return home.join(rest);
        }
    }
    let p = PathBuf::from(path);
    if p.is_relative() {
        if let Some(cwd) = proc_dir.and_then(|d| std::fs::read_link(d.join("cwd")).ok()) {
            return cwd.join(p);
        }
    }
    p
}

/// The home directory of the user a process runs as, from /etc/passwd.
fn process_home(proc_dir: &Path) -> Option<PathBuf> {
    let status = std::fs::read_to_string(proc_dir.join("status")).ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_owned();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 5 && f[2] == uid).then(|| PathBuf::from(f[5]))
    })
}

/// The last `max_lines` lines of a file, read backwards in blocks so a large
/// file costs only its end.
pub fn read_tail(path: &Path, max_lines: usize) -> io::Result<Vec<String>> {
    const BLOCK: u64 = 64 * 1024;
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut start = len;
    let mut data: Vec<u8> = Vec::new();
    // Lines are short; a file of a few huge lines is still read only so far.
    let max_bytes = (max_lines as u64 + 1).saturating_mul(4096);
    while start > 0
        && len - start < max_bytes
        && memchr::memchr_iter(b'\n', &data).count() <= max_lines
    {
        let from = start.saturating_sub(BLOCK);
        let mut block = vec![0; usize::try_from(start - from).unwrap_or(0)];
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(&mut block)?;
        block.extend_from_slice(&data);
        data = block;
        start = from;
    }
    let text = String::from_utf8_lossy(&data);
    let mut lines: Vec<&str> = text.lines().collect();
    // A partial first line (we started mid-file) is dropped.
    if start > 0 && !lines.is_empty() {
        lines.remove(0);
    }
    let skip = lines.len().saturating_sub(max_lines);
    Ok(lines[skip..].iter().map(|l| (*l).to_owned()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnyx_grammar::model::{LogSource, Runlevel};

    /// 2026-11-21 10:00:00 UTC.
    const NOW: u64 = 1_795_255_200_000;

    #[test]
    fn resolves_home_and_relative_paths() {
        let root = tempfile::tempdir().unwrap();
        let proc_dir = root.path().join("42");
        std::fs::create_dir_all(&proc_dir).unwrap();
        std::os::unix::fs::symlink("/var/lib/tor", proc_dir.join("cwd")).unwrap();
        assert_eq!(
            resolve_tor_path("notices.log", Some(42), root.path()),
            PathBuf::from("/var/lib/tor/notices.log")
        );
        assert_eq!(
            resolve_tor_path("/abs/log", Some(42), root.path()),
            PathBuf::from("/abs/log")
        );
        // No status file: home falls back to ours.
        let home = std::env::var("HOME").unwrap();
        assert_eq!(
            resolve_tor_path("~/tor.log", Some(42), root.path()),
            PathBuf::from(home).join("tor.log")
        );
    }

    #[test]
    fn reads_only_the_tail() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("log");
        let text = (0..50_000).fold(String::new(), |mut t, i| {
            t.push_str("line ");
            t.push_str(&i.to_string());
            t.push('\n');
            t
        });
        std::fs::write(&p, text).unwrap();
        let tail = read_tail(&p, 3).unwrap();
        assert_eq!(tail, ["line 49997", "line 49998", "line 49999"]);
        assert_eq!(read_tail(&p, 100_000).unwrap().len(), 50_000);
    }

    #[test]
    fn appends_entries_creating_directories() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a/b/rnyx.log");
        let mut f = LogFile::open(&p, 0).unwrap();
        f.write(&[LogEntry::new(
            NOW,
            LogSource::Event("BW".into()),
            "READ: 1, WRITTEN: 2".into(),
        )])
        .unwrap();
        drop(f);
        let mut f = LogFile::open(&p, 0).unwrap();
        f.write(&[LogEntry::new(
            NOW,
            LogSource::Tor(Runlevel::Notice),
            "x".into(),
        )])
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "2026-11-21 10:00:00 [BW] READ: 1, WRITTEN: 2\n2026-11-21 10:00:00 [NOTICE] x\n"
        );
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&p).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600);
    }
}
