//! The operator's files that rnyx writes: a snapshot saved from a page or
//! the prompt, a file replaced whole (the OpenMetrics text), a copy of the
//! log appended to. None is tor's: those are the host's (`crate::host`).

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Writes `text` to `path` (`~` is the home directory), owner-only,
/// creating its parent directories. Returns the path written.
pub fn save_snapshot(path: &str, text: &str) -> std::io::Result<std::path::PathBuf> {
    let path = crate::local::expand_home(std::path::Path::new(path));
    replace_file(&path, text, true)?;
    Ok(path)
}

/// Writes `text` to `path` whole or not at all: a file beside it, synced,
/// then renamed over it, so on a full disk the file that was there stays
/// whole and a reader never sees half of it. `private`: owner-only (and
/// its parent directories created); else readable by all (the textfile
/// collector runs as a user of its own).
pub fn replace_file(path: &std::path::Path, text: &str, private: bool) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(format!(".rnyx-{}.tmp", std::process::id()));
    let temp = path.with_file_name(name);
    let written = (|| {
        let mut file = if private {
            let file = open_private(&temp, false)?;
            // A file that was there keeps its mode when opened: made owner-only.
            file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
            file
        } else {
            std::fs::File::create(&temp)?
        };
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
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
