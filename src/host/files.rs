//! tor's files as this machine reads them: the torrc and what it
//! includes (as tor reads them, under `tor_chroot` or through tor's
//! `/proc/<pid>/root` when tor sees another filesystem), the end of tor's
//! log file, and the signing certificate.

use rnyx_grammar::torrc::{self, command_line, glob};
use rnyx_model::{Torrc, TorrcFile};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// How deep `%include` is followed (tor's own limit is 31).
const MAX_DEPTH: usize = 8;

/// Files larger than this are not read whole (a torrc is a few KB).
const MAX_FILE: u64 = 4 * 1024 * 1024;

/// Where tor's files are, seen from here.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// tor's `/proc/<pid>` directory.
    pub proc_dir: Option<PathBuf>,
    /// nyxrc's `tor_chroot`: prefix of every path tor gives.
    pub chroot: Option<PathBuf>,
}

impl Place {
    /// A path of tor's as this process can open it: under `tor_chroot`;
    /// else through `/proc/<pid>/root` when tor sees another filesystem
    /// (a container); relative ones against tor's working directory.
    fn resolve(&self, path: &str) -> PathBuf {
        let mut p = PathBuf::from(path);
        if p.is_relative() {
            if let Some(cwd) = self
                .proc_dir
                .as_ref()
                .and_then(|d| std::fs::read_link(d.join("cwd")).ok())
            {
                p = cwd.join(p);
            }
        }
        if let Some(root) = &self.chroot {
            return root.join(p.strip_prefix("/").unwrap_or(&p));
        }
        if let Some(dir) = &self.proc_dir {
            if other_root(dir) {
                return dir.join("root").join(p.strip_prefix("/").unwrap_or(&p));
            }
        }
        p
    }
}

/// tor sees another root directory than rnyx (a container, a chroot).
fn other_root(proc_dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Ok(theirs), Ok(ours)) = (
        std::fs::metadata(proc_dir.join("root")),
        std::fs::metadata("/proc/self/root"),
    ) else {
        return false;
    };
    (theirs.dev(), theirs.ino()) != (ours.dev(), ours.ino())
}

/// Reads the torrc at `path` (as tor gave it) and every file it includes,
/// and the options on tor's command line.
pub fn read_torrc(path: Option<&str>, place: &Place, now: u64) -> Torrc {
    let mut torrc = Torrc {
        read_at: now,
        command_line: place
            .proc_dir
            .as_ref()
            .map(|d| command_line(&std::fs::read(d.join("cmdline")).unwrap_or_default()))
            .unwrap_or_default(),
        ..Torrc::default()
    };
    let Some(path) = path else {
        torrc.error = Some("tor did not say its torrc (GETINFO config-file)".into());
        return torrc;
    };
    let resolved = place.resolve(path);
    torrc.path = Some(resolved.display().to_string());
    read_file(&resolved, place, 0, &mut torrc);
    if let Some(e) = torrc.files.first().and_then(|f| f.error.clone()) {
        torrc.error = Some(e);
    }
    torrc
}

/// Reads one file into the torrc's `files`, following its `%include`
/// lines at their place; its settings, in tor's order, go to `settings`
/// (where each is, to `origins`).
fn read_file(path: &Path, place: &Place, depth: usize, torrc: &mut Torrc) {
    let text = std::fs::File::open(path).and_then(|f| {
        use std::io::Read;
        let mut s = String::new();
        f.take(MAX_FILE).read_to_string(&mut s)?;
        Ok(s)
    });
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            torrc.files.push(TorrcFile {
                path: path.display().to_string(),
                error: Some(format!("cannot read {}: {e}", path.display())),
                depth,
                ..TorrcFile::default()
            });
            return;
        }
    };
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let this = torrc.files.len();
    torrc.files.push(TorrcFile {
        path: path.display().to_string(),
        lines: lines.clone(),
        error: None,
        depth,
    });
    for (n, line) in lines.iter().enumerate() {
        if let Some(target) = torrc::include(line) {
            if depth + 1 > MAX_DEPTH {
                torrc.files.push(TorrcFile {
                    path: target.to_owned(),
                    error: Some(format!("%include deeper than {MAX_DEPTH} levels")),
                    depth: depth + 1,
                    ..TorrcFile::default()
                });
                continue;
            }
            for included in include_targets(&place.resolve(target)) {
                read_file(&included, place, depth + 1, torrc);
            }
        } else if let Some((k, v)) = rnyx_model::torrc_entry(line) {
            torrc.settings.push((k.to_owned(), v.to_owned()));
            torrc.origins.push((this, n));
        }
    }
}

/// The files an `%include` names, as tor takes them: a file; a
/// directory's files (not hidden ones, not subdirectories) in name order;
/// or a pattern with `*` in its last part.
fn include_targets(path: &Path) -> Vec<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let listing = |dir: &Path, keep: &dyn Fn(&str) -> bool| -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                    .filter(|e| {
                        let n = e.file_name().to_string_lossy().into_owned();
                        !n.starts_with('.') && keep(&n)
                    })
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    };
    if name.contains('*') {
        let dir = path.parent().unwrap_or(Path::new("/"));
        return listing(dir, &|n| glob(&name, n));
    }
    if path.is_dir() {
        return listing(path, &|_| true);
    }
    vec![path.to_owned()]
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

/// The expiry (unix s) of the signing certificate under `keys`, as tor
/// gives the directory, under `chroot` if any.
pub fn cert_expiry(keys: &Path, chroot: Option<&Path>) -> Option<u64> {
    let path = keys.join("ed25519_signing_cert");
    let path = match chroot {
        Some(root) => root.join(path.strip_prefix("/").unwrap_or(&path)),
        None => path,
    };
    std::fs::read(path)
        .ok()
        .and_then(|b| rnyx_model::health::signals::signing_cert_expiry(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_are_followed_in_tors_order() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::create_dir(p.join("torrc.d")).unwrap();
        std::fs::write(p.join("torrc.d/20-b.conf"), "ExitPolicy reject *:*\n").unwrap();
        std::fs::write(p.join("torrc.d/10-a.conf"), "ExitPolicy accept *:80\n").unwrap();
        std::fs::write(p.join("torrc.d/.hidden"), "Nickname hidden\n").unwrap();
        std::fs::write(p.join("torrc.d/notes.txt"), "Nickname notes\n").unwrap();
        std::fs::write(
            p.join("torrc"),
            format!(
                "Nickname first\n%include {}/torrc.d/*.conf\nContactInfo last # who\n%include missing\n",
                p.display()
            ),
        )
        .unwrap();
        let place = Place {
            proc_dir: None,
            chroot: None,
        };
        let t = read_torrc(p.join("torrc").to_str(), &place, 7);
        let paths: Vec<String> = t
            .files
            .iter()
            .map(|f| f.path.rsplit('/').next().unwrap().to_owned())
            .collect();
        assert_eq!(paths, ["torrc", "10-a.conf", "20-b.conf", "missing"]);
        assert_eq!(t.files[1].depth, 1);
        assert!(t.files[3]
            .error
            .as_deref()
            .unwrap()
            .starts_with("cannot read"));
        assert_eq!(t.error, None);
        let settings: Vec<String> = t.settings.iter().map(|(k, v)| format!("{k} {v}")).collect();
        assert_eq!(
            settings,
            [
                "Nickname first",
                "ExitPolicy accept *:80",
                "ExitPolicy reject *:*",
                "ContactInfo last"
            ]
        );
        assert!(t.includes());
        // A torrc that cannot be read says why.
        let t = read_torrc(p.join("nope").to_str(), &place, 7);
        assert!(t.error.unwrap().contains("nope"));
    }

    #[test]
    fn chroot_prefixes_tors_paths() {
        let place = Place {
            proc_dir: None,
            chroot: Some("/srv/tor-chroot".into()),
        };
        assert_eq!(
            place.resolve("/etc/tor/torrc"),
            PathBuf::from("/srv/tor-chroot/etc/tor/torrc")
        );
    }
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
}
