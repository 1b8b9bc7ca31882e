//! `rnyx watch` as a process of the test: its home, its log (stderr, in a
//! file), its exporter's address, signals; killed on drop.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Watch {
    pub child: Child,
    pub log: PathBuf,
}

/// The environment of a home of its own under `dir` (HOME and the XDG
/// directories), `bin` first on PATH.
pub fn home_in(dir: &Path, bin: &Path) -> Vec<(String, String)> {
    let home = dir.join("home");
    for sub in ["config", "state", "data", "cache", "run"] {
        std::fs::create_dir_all(home.join(sub)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut env = vec![
        ("HOME".to_owned(), home.display().to_string()),
        ("PATH".to_owned(), path),
    ];
    for (k, sub) in [
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_RUNTIME_DIR", "run"),
    ] {
        env.push((k.to_owned(), home.join(sub).display().to_string()));
    }
    env
}

impl Watch {
    /// `rnyx watch ARGS`, its stderr in `log`.
    pub fn start(env: &[(String, String)], args: &[&str], log: &Path) -> Self {
        let err = std::fs::File::create(log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_rnyx"))
            .arg("watch")
            .args(args)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .unwrap();
        Self {
            child,
            log: log.to_owned(),
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The exporter's address, once it said it.
    pub fn exporter(&self) -> Option<SocketAddr> {
        let log = self.log();
        let at = log
            .split("serving /metrics and /healthz on http://")
            .nth(1)?;
        at.lines().next()?.trim().parse().ok()
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// SIGTERM, then its exit status (killed if not gone within 60 s).
    pub fn stop(&mut self) -> Option<i32> {
        self.signal("TERM");
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        None
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` on `at`: the status and the body (a 30 s deadline each way,
/// which only catches a hang).
pub fn get(at: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&at, Duration::from_secs(30)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {at}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((status, body.to_owned()))
}

/// A sample's value in OpenMetrics text: `name{labels}` exactly.
pub fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

/// A fake sendmail in `bin` that keeps each mail (its arguments, then its
/// input) as a file in `mails`; and an exec program that keeps each JSON
/// in `execs`.
pub fn fake_programs(bin: &Path, mails: &Path, execs: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::create_dir_all(bin).unwrap();
    std::fs::create_dir_all(mails).unwrap();
    std::fs::create_dir_all(execs).unwrap();
    let keep = |dir: &Path| {
        format!(
            "#!/bin/sh\nf=$(mktemp '{}/XXXXXXXX')\n{{ echo \"ARGS: $*\"; cat; }} > \"$f.tmp\" && mv \"$f.tmp\" \"$f.msg\" && rm -f \"$f\"\n",
            dir.display()
        )
    };
    let sendmail = bin.join("sendmail");
    std::fs::write(&sendmail, keep(mails)).unwrap();
    let exec = bin.join("alert");
    std::fs::write(&exec, keep(execs)).unwrap();
    for p in [&sendmail, &exec] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    exec
}

/// The files a fake program kept, oldest first.
pub fn kept(dir: &Path) -> Vec<String> {
    let mut files: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "msg"))
                .map(|e| {
                    (
                        e.metadata().and_then(|m| m.modified()).unwrap(),
                        std::fs::read_to_string(e.path()).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort_by_key(|f| f.0);
    files.into_iter().map(|(_, t)| t).collect()
}
