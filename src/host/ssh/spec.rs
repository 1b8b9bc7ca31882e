//! How a relay over ssh is named (`[user@]host[:port][/path]`), words for
//! the remote shell, and rnyx's private runtime directory.

use std::fmt;
use std::path::{Path, PathBuf};

/// `[user@]host[:port][/path/to/control]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSpec {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// tor's control socket on the host, when given.
    pub path: Option<PathBuf>,
}

impl SshSpec {
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = |why: &str| {
            format!("--ssh {s}: {why} (give [user@]host[:port][/path/to/control], e.g. admin@relay1.example.org/run/tor/control)")
        };
        let (rest, path) = match s.find('/') {
            Some(i) => (&s[..i], Some(PathBuf::from(&s[i..]))),
            None => (s, None),
        };
        let (user, rest) = match rest.rsplit_once('@') {
            Some((u, r)) if !u.is_empty() => (Some(u.to_owned()), r),
            Some(_) => return Err(bad("an empty user")),
            None => (None, rest),
        };
        let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
            // [v6]:port
            let (h, after) = inner.split_once(']').ok_or_else(|| bad("an unclosed ["))?;
            let port = match after.strip_prefix(':') {
                Some(p) => Some(p.parse().map_err(|_| bad("not a port"))?),
                None if after.is_empty() => None,
                None => return Err(bad("text after ]")),
            };
            (h.to_owned(), port)
        } else {
            match rest.rsplit_once(':') {
                Some((h, p)) => (
                    h.to_owned(),
                    Some(p.parse().map_err(|_| bad("not a port"))?),
                ),
                None => (rest.to_owned(), None),
            }
        };
        if host.is_empty() || host.starts_with('-') || host.chars().any(char::is_whitespace) {
            return Err(bad("no host"));
        }
        if user
            .as_deref()
            .is_some_and(|u| u.starts_with('-') || u.chars().any(char::is_whitespace))
        {
            return Err(bad("not a user name"));
        }
        Ok(Self {
            user,
            host,
            port,
            path,
        })
    }

    /// The host as ssh takes it: `user@host`.
    pub(super) fn destination(&self) -> String {
        match &self.user {
            Some(u) => format!("{u}@{}", self.host),
            None => self.host.clone(),
        }
    }
}

impl fmt::Display for SshSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(u) = &self.user {
            write!(f, "{u}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            write!(f, "{}", self.host)?;
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        if let Some(p) = &self.path {
            write!(f, "{}", p.display())?;
        }
        Ok(())
    }
}

/// rnyx's private runtime directory (`$XDG_RUNTIME_DIR/rnyx`, else
/// `/tmp/rnyx-UID`), made with mode 0700; one that others may enter is
/// refused.
pub fn runtime_dir() -> Result<PathBuf, String> {
    runtime_dir_in(std::env::var_os("XDG_RUNTIME_DIR"))
}

/// [`runtime_dir`], `$XDG_RUNTIME_DIR` being `xdg`.
pub(super) fn runtime_dir_in(xdg: Option<std::ffi::OsString>) -> Result<PathBuf, String> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let uid = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .map_err(|e| format!("cannot read /proc/self: {e}"))?;
    let dir = match xdg.filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d).join("rnyx"),
        None => std::env::temp_dir().join(format!("rnyx-{uid}")),
    };
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("cannot make {}: {e}", dir.display())),
    }
    let m = std::fs::symlink_metadata(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if !m.is_dir() || m.uid() != uid || m.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "{} is not a private directory of this user (mode 0700): remove it, and rnyx makes it",
            dir.display()
        ));
    }
    remove_stale(&dir);
    Ok(dir)
}

/// Removes what an rnyx that is gone left in `dir` (its names start with
/// `s<pid>-`): one killed has no chance to.
fn remove_stale(dir: &Path) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix('s'))
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let path = e.path();
            let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
        }
    }
}

/// `text` as one word for a POSIX shell.
pub(super) fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_as_ssh_takes_them() {
        let s = SshSpec::parse("admin@relay1.example.org:2222/run/tor/control").unwrap();
        assert_eq!(s.user.as_deref(), Some("admin"));
        assert_eq!(s.host, "relay1.example.org");
        assert_eq!(s.port, Some(2222));
        assert_eq!(s.path, Some(PathBuf::from("/run/tor/control")));
        assert_eq!(
            s.to_string(),
            "admin@relay1.example.org:2222/run/tor/control"
        );
        let s = SshSpec::parse("relay2").unwrap();
        assert_eq!((s.user, s.port, s.path), (None, None, None));
        let s = SshSpec::parse("[2001:db8::1]:22").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("2001:db8::1", Some(22)));
        assert_eq!(s.to_string(), "[2001:db8::1]:22");
        for bad in ["", "@host", "host:port", "-oProxyCommand=x", "a b", "[::1"] {
            assert!(SshSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn words_are_quoted_for_the_remote_shell() {
        assert_eq!(quote("/run/tor/control"), "'/run/tor/control'");
        assert_eq!(quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn the_runtime_directory_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let run = d.path().join("run");
        std::fs::create_dir(&run).unwrap();
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        let dir = runtime_dir_in(Some(run.clone().into())).unwrap();
        assert_eq!(dir, run.join("rnyx"));
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        // What an rnyx that is gone left is removed; a running one's stays.
        let gone = dir.join("s4194303-0.ctl");
        let ours = dir.join(format!("s{}-0.proc", std::process::id()));
        std::fs::write(&gone, "").unwrap();
        std::fs::create_dir(&ours).unwrap();
        runtime_dir_in(Some(run.clone().into())).unwrap();
        assert!(!gone.exists() && ours.exists());
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let refused = runtime_dir_in(Some(run.into()));
        assert!(refused.unwrap_err().contains("not a private directory"));
    }
}
