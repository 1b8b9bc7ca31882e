//! tor's configuration for pages 3 and 4: read from tor in one go (names,
//! defaults, one GETCONF for every option, config-text, config-file), the
//! torrc and what it includes read from disk as tor reads them, and tor's
//! command line from `/proc`. Re-read on CONF_CHANGED and SIGNAL RELOAD.

use super::inbox::{Done, Loaded};
use crate::control::Client;
use rnyx_grammar::getinfo;
use rnyx_grammar::model::{TorConfig, Torrc, TorrcFile};
use rnyx_grammar::torrc::{self, command_line, glob};
use std::path::{Path, PathBuf};

/// How deep `%include` is followed (tor's own limit is 31).
const MAX_DEPTH: usize = 8;

/// Files larger than this are not read whole (a torrc is a few KB).
const MAX_FILE: u64 = 4 * 1024 * 1024;

/// Asks tor for its whole configuration.
pub async fn load(client: &Client) -> Result<TorConfig, String> {
    let names = client
        .getinfo("config/names")
        .await
        .map_err(|e| format!("GETINFO config/names: {e}"))?;
    let names = getinfo::config_names(&names);
    let (defaults, text, file) = tokio::join!(
        client.getinfo("config/defaults"),
        client.getinfo("config-text"),
        client.getinfo("config-file"),
    );
    let defaults = getinfo::config_defaults(&defaults.unwrap_or_default());
    // Virtual options answer with the lines of others (`SocksPortLines`
    // gives `SocksPort=…`): they are not asked, so no option gets another's.
    let all: Vec<&str> = names
        .iter()
        .filter(|(_, kind)| kind != "Virtual")
        .map(|(n, _)| n.as_str())
        .collect();
    let reply = client
        .send_ok(&rnyx_grammar::command::Command::GetConf(
            all.iter().map(|o| (*o).to_owned()).collect(),
        ))
        .await
        .map_err(|e| format!("GETCONF of {} options: {e}", all.len()))?;
    let file = file.ok().filter(|f| !f.is_empty());
    Ok(TorConfig::from_tor(
        &names,
        &defaults,
        &reply.conf_values(),
        text.unwrap_or_default(),
        file,
    ))
}

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
        } else if let Some((k, v)) = rnyx_grammar::model::torrc_entry(line) {
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

/// The session's side of the configuration: reads in tasks of their own,
/// one at a time (a burst of CONF_CHANGED gives one more read, not many).
pub(super) struct ConfigWatch {
    /// Reads come back to the task's inbox.
    post: super::inbox::Post,
    chroot: Option<PathBuf>,
    reading: bool,
    again: bool,
    /// The torrc comes as a sample from the host, not from this disk.
    sampled: bool,
    clock: crate::host::Clock,
}

impl ConfigWatch {
    pub fn new(
        chroot: Option<PathBuf>,
        sampled: bool,
        clock: crate::host::Clock,
        post: super::inbox::Post,
    ) -> Self {
        Self {
            post,
            chroot,
            reading: false,
            again: false,
            sampled,
            clock,
        }
    }

    /// Reads tor's configuration and torrc again (once the read under way
    /// is done, if there is one).
    pub fn reload(&mut self, client: &Client, proc_dir: Option<PathBuf>) {
        if self.reading {
            self.again = true;
            return;
        }
        self.reading = true;
        let (client, post) = (client.clone(), self.post.clone());
        let place = Place {
            proc_dir,
            chroot: self.chroot.clone(),
        };
        let (sampled, now) = (self.sampled, self.clock.now_secs());
        tokio::spawn(async move {
            let config = load(&client).await;
            let file = config.as_ref().ok().and_then(|c| c.file.clone());
            if sampled {
                post.send(Done::Torrc(Box::new((config, Torrc::default()))))
                    .await;
                return;
            }
            let torrc =
                tokio::task::spawn_blocking(move || read_torrc(file.as_deref(), &place, now))
                    .await
                    .unwrap_or_default();
            post.send(Done::Torrc(Box::new((config, torrc)))).await;
        });
    }

    /// A read is back: into the state. True when another read is due.
    pub fn apply(&mut self, state: &super::SharedState, (config, torrc): Loaded) -> bool {
        self.reading = false;
        state.update(|s| match config {
            Ok(mut c) => {
                c.torrc = if self.sampled {
                    std::mem::take(&mut s.config.torrc)
                } else {
                    torrc
                };
                c.loaded = s.updated_ms / 1000;
                c.reconcile();
                s.config = c;
            }
            Err(e) => s.config.error = Some(e),
        });
        std::mem::take(&mut self.again)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tors_command_line_options_without_its_flags() {
        let cmd = b"/usr/bin/tor\0--defaults-torrc\0/usr/share/tor/defaults\0-f\0/etc/tor/torrc\0--RunAsDaemon\x000\0--verify-config\0__OwningControllerProcess\x0042\0";
        assert_eq!(
            command_line(cmd),
            [
                ("RunAsDaemon".to_owned(), "0".to_owned()),
                ("__OwningControllerProcess".to_owned(), "42".to_owned())
            ]
        );
    }

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
}
