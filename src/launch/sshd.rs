//! A real OpenSSH server for tests and benchmarks of relays reached over
//! ssh: listening on loopback only, inside a private network's namespace
//! (where its tors are) or here; its host key, the client's key, the
//! authorized keys, known_hosts and the client's configuration all in a
//! directory of the caller's (a test's temporary home).

use super::{kill, wait_until, LaunchError};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// An sshd and the files a client needs to reach it.
#[derive(Debug)]
pub struct Sshd {
    child: Option<Child>,
    dir: PathBuf,
    port: u16,
    /// The namespace holder whose network sshd (and the client) enter.
    netns: Option<u32>,
}

/// Makes an ed25519 key pair at `path` (and `path.pub`).
pub fn keygen(path: &Path) -> Result<(), LaunchError> {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(path.with_extension("pub"));
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "rnyx-test", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(LaunchError::Command {
            what: "ssh-keygen".into(),
            detail: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(())
}

impl Sshd {
    /// Starts sshd on `127.0.0.1:port`, in the network namespace of the
    /// process `netns` (a private network's holder) or here; everything
    /// under `dir`. Needs root: sshd separates its privileges, which a
    /// user namespace mapping only root refuses. Its sessions start with
    /// `SHLVL=1`, so bash runs no `~/.bashrc` for a command: what the
    /// machine's rc files do (and a lock they may leave behind) is not the
    /// test's.
    pub fn start(dir: &Path, port: u16, netns: Option<u32>) -> Result<Self, LaunchError> {
        let sshd = Path::new("/usr/sbin/sshd");
        if !sshd.is_file() {
            return Err(LaunchError::Tool("sshd", "openssh-server"));
        }
        super::which("ssh").map_err(|_| LaunchError::Tool("ssh", "openssh-client"))?;
        std::fs::create_dir_all(dir)?;
        // Where sshd drops its privileges, as Debian's service makes it.
        let _ = std::fs::create_dir_all("/run/sshd");
        keygen(&dir.join("host_key"))?;
        keygen(&dir.join("id"))?;
        std::fs::copy(dir.join("id.pub"), dir.join("authorized_keys"))?;
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\n\
             AuthorizedKeysFile {d}/authorized_keys\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
             StrictModes no\nUsePAM no\nAllowStreamLocalForwarding yes\n\
             AllowTcpForwarding yes\nPidFile {d}/sshd.pid\nMaxStartups 100\nLogLevel VERBOSE\n\
             SetEnv SHLVL=1\n",
            d = dir.display()
        );
        std::fs::write(dir.join("sshd_config"), config)?;
        std::fs::write(
            dir.join("known_hosts"),
            format!(
                "[127.0.0.1]:{port} {}",
                std::fs::read_to_string(dir.join("host_key.pub"))?
            ),
        )?;
        let mut s = Self {
            child: None,
            dir: dir.to_owned(),
            port,
            netns,
        };
        s.start_again()?;
        Ok(s)
    }

    /// Starts sshd again (after [`Sshd::stop`]).
    pub fn start_again(&mut self) -> Result<(), LaunchError> {
        let log = self.dir.join("sshd.log");
        let _ = std::fs::remove_file(&log);
        let mut c = self.in_namespace("/usr/sbin/sshd");
        c.args(["-D", "-e", "-f"])
            .arg(self.dir.join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?);
        self.child = Some(c.spawn()?);
        let ready = wait_until("sshd", Duration::from_secs(30), &log, || {
            std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Server listening"))
        });
        if ready.is_err() {
            self.stop();
        }
        ready
    }

    /// Stops sshd and every session it holds, as a host going away.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // Each session is a process of its own session (setsid), but
            // a descendant of the listener still.
            for pid in descendants(c.id()) {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .stderr(Stdio::null())
                    .status();
            }
            kill(&mut c);
        }
    }

    /// `program` run in sshd's network namespace (or here).
    fn in_namespace(&self, program: &str) -> Command {
        match self.netns {
            Some(pid) => {
                let mut c = Command::new("nsenter");
                c.args(["-t", &pid.to_string(), "-n", program]);
                c
            }
            None => Command::new(program),
        }
    }

    /// What sshd logs (at VERBOSE: each command started).
    pub fn log(&self) -> PathBuf {
        self.dir.join("sshd.log")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The client's key pair (`id`, `id.pub`).
    pub fn identity(&self) -> PathBuf {
        self.dir.join("id")
    }

    /// The client's known_hosts, holding sshd's host key.
    pub fn known_hosts(&self) -> PathBuf {
        self.dir.join("known_hosts")
    }

    /// Writes an ssh client configuration naming each of `aliases` a host
    /// reaching this sshd as root, with `identity` and `known_hosts`
    /// (strictly checked); its path.
    pub fn client_config(
        &self,
        file: &Path,
        aliases: &[&str],
        identity: &Path,
        known_hosts: &Path,
    ) -> Result<PathBuf, LaunchError> {
        let mut text = String::new();
        for a in aliases {
            let _ = write!(
                text,
                "Host {a}\n  HostName 127.0.0.1\n  Port {}\n  User root\n  IdentityFile {}\n  \
                 IdentitiesOnly yes\n  IdentityAgent none\n  UserKnownHostsFile {}\n  \
                 GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  \
                 LogLevel ERROR\n",
                self.port,
                identity.display(),
                known_hosts.display()
            );
        }
        std::fs::write(file, text)?;
        Ok(file.to_owned())
    }

    /// The ssh client command (nyxrc's `ssh_command`) that reaches this
    /// sshd with `config`: entering its network namespace first.
    pub fn ssh_command(&self, config: &Path) -> String {
        match self.netns {
            Some(pid) => format!("nsenter -t {pid} -n ssh -F {}", config.display()),
            None => format!("ssh -F {}", config.display()),
        }
    }
}

/// The processes descended from `root`, read from `/proc`.
pub fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let child: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // After the command's closing parenthesis: state, then parent.
            let parent = stat.rsplit_once(") ")?.1.split(' ').nth(1)?.parse().ok()?;
            Some((child, parent))
        })
        .collect();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    found.remove(0);
    found
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}
