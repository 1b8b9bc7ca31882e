//! One tor with `DisableNetwork 1`: it never touches the network, but speaks
//! the whole control protocol, has a fingerprint (as a relay) and emits BW
//! events every second.

use super::{kill, opt, private_dir, wait_until, which, write_torrc, LaunchError};
use crate::control::Target;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How the tor's controller is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlKind {
    /// `ControlPort 127.0.0.1:auto`, port read from `ControlPortWriteToFile`.
    Port,
    /// `ControlSocket <dir>/control`.
    Socket,
    /// Both.
    Both,
}

/// What the single tor looks like.
#[derive(Debug, Clone)]
pub struct SingleTorOptions {
    pub control: ControlKind,
    /// `CookieAuthentication 1`.
    pub cookie: bool,
    /// `HashedControlPassword` of this password.
    pub password: Option<String>,
    /// An ORPort, so the tor is a relay with a fingerprint.
    pub relay: bool,
    pub nickname: String,
    /// Further `(option, value)` lines.
    pub extra: Vec<(String, String)>,
}

impl Default for SingleTorOptions {
    fn default() -> Self {
        Self {
            control: ControlKind::Both,
            cookie: true,
            password: None,
            relay: true,
            nickname: "rnyxTestRelay".to_owned(),
            extra: Vec::new(),
        }
    }
}

/// A running single tor. Killed on drop.
#[derive(Debug)]
pub struct SingleTor {
    pub dir: PathBuf,
    pub options: SingleTorOptions,
    child: Option<Child>,
    port: Option<u16>,
}

impl SingleTor {
    /// Starts a tor whose files all live in `dir`.
    pub fn start(dir: &Path, options: SingleTorOptions) -> Result<SingleTor, LaunchError> {
        let mut tor = SingleTor {
            dir: dir.to_owned(),
            options,
            child: None,
            port: None,
        };
        tor.launch()?;
        Ok(tor)
    }

    fn launch(&mut self) -> Result<(), LaunchError> {
        let tor = which("tor")?;
        let data = self.dir.join("data");
        private_dir(&self.dir)?;
        private_dir(&data)?;
        let port_file = self.dir.join("control-port");
        let _ = std::fs::remove_file(&port_file);
        let o = &self.options;
        let mut lines = vec![
            opt("DataDirectory", data.display()),
            opt("DisableNetwork", 1),
            opt("SocksPort", 0),
            opt("Nickname", &o.nickname),
            opt("Log", format!("notice file {}", self.log_path().display())),
            opt("__OwningControllerProcess", std::process::id()),
            opt("CookieAuthentication", u8::from(o.cookie)),
        ];
        if o.relay {
            lines.push(opt("ORPort", "127.0.0.1:auto"));
            lines.push(opt("AssumeReachable", 1));
            lines.push(opt("PublishServerDescriptor", 0));
        }
        if matches!(o.control, ControlKind::Port | ControlKind::Both) {
            lines.push(opt("ControlPort", "127.0.0.1:auto"));
            lines.push(opt("ControlPortWriteToFile", port_file.display()));
        }
        if matches!(o.control, ControlKind::Socket | ControlKind::Both) {
            lines.push(opt("ControlSocket", self.socket_path().display()));
        }
        if let Some(pw) = &o.password {
            lines.push(opt("HashedControlPassword", hash_password(&tor, pw)?));
        }
        lines.extend(o.extra.iter().cloned());
        let torrc = self.dir.join("torrc");
        write_torrc(&torrc, &lines)?;
        let child = Command::new(&tor)
            .arg("-f")
            .arg(&torrc)
            .arg("--defaults-torrc")
            .arg(super::empty_file(&self.dir)?)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        let want_port = matches!(self.options.control, ControlKind::Port | ControlKind::Both);
        let want_socket = matches!(
            self.options.control,
            ControlKind::Socket | ControlKind::Both
        );
        let socket = self.socket_path();
        let log = self.log_path();
        let fingerprint = self.options.relay.then(|| data.join("fingerprint"));
        let mut port = None;
        wait_until("tor's control port", Duration::from_secs(30), &log, || {
            if want_port && port.is_none() {
                port = std::fs::read_to_string(&port_file)
                    .ok()
                    .filter(|s| s.ends_with('\n'))
                    .and_then(|s| {
                        // PORT=127.0.0.1:NNNN, beside UNIX_PORT=… for a socket (and PORT=::1:NNNN for IPv6)
                        s.lines()
                            .find_map(|l| l.strip_prefix("PORT="))?
                            .rsplit(':')
                            .next()?
                            .parse()
                            .ok()
                    });
            }
            (!want_port || port.is_some())
                && (!want_socket || socket.exists())
                && fingerprint.as_ref().is_none_or(|f| f.exists())
        })?;
        self.port = port;
        Ok(())
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("notice.log")
    }

    pub fn socket_path(&self) -> PathBuf {
        self.dir.join("control")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    pub fn cookie_path(&self) -> PathBuf {
        self.data_dir().join("control_auth_cookie")
    }

    /// The relay's fingerprint as tor wrote it to its data directory.
    pub fn fingerprint(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.data_dir().join("fingerprint")).ok()?;
        Some(text.split_whitespace().nth(1)?.to_owned())
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The control port, when one was asked for.
    pub fn port_target(&self) -> Option<Target> {
        self.port.map(|p| Target::Tcp(([127, 0, 0, 1], p).into()))
    }

    pub fn socket_target(&self) -> Target {
        Target::Unix(self.socket_path())
    }

    /// Kills tor (SIGKILL: it gets no chance to clean up, as in a crash).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            kill(&mut c);
        }
    }

    /// Starts tor again with the same configuration and control socket.
    pub fn restart(&mut self) -> Result<(), LaunchError> {
        self.kill();
        let _ = std::fs::remove_file(self.socket_path());
        self.launch()
    }
}

impl Drop for SingleTor {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `tor --hash-password`.
fn hash_password(tor: &Path, password: &str) -> Result<String, LaunchError> {
    let out = Command::new(tor)
        .args(["--quiet", "--hash-password", password])
        .output()?;
    let hashed = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("16:"))
        .map(str::to_owned);
    hashed.ok_or_else(|| LaunchError::Command {
        what: "tor --hash-password".into(),
        detail: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}
