//! Log files: rnyx's own (`write_logs_to`) and tor's, read at start to
//! prepopulate the log panel.

pub use rnyx_grammar::logfile::{parse_tor_log_line, tor_log_file};
use rnyx_model::LogEntry;
use std::fs::File;
use std::io::{self, BufWriter, Write};
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
        let file = crate::files::open_private(path, true)?;
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
                rnyx_grammar::time::date_time(e.time_ms, self.utc_offset),
                e.source.label(),
                e.message
            )?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnyx_model::{LogSource, Runlevel};

    /// 2026-11-21 10:00:00 UTC.
    const NOW: u64 = 1_795_255_200_000;

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
