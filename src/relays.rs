//! Which tors to watch: each `--interface` / `--socket` given, else the
//! relays nyxrc lists (`[[relays]]`), else every control socket found in
//! the usual places (Debian's `/run/tor/control` and the
//! `/run/tor-instances/*/control` that `tor-instance-create` makes), else
//! tor's usual control ports.

use crate::control::Target;
use crate::host::SshSpec;
use std::path::{Path, PathBuf};

/// Where tor usually is on another machine, in the order tried there:
/// Debian's socket, `tor-instance-create`'s, then the control port.
pub fn remote_defaults() -> Vec<Target> {
    vec![
        Target::Unix("/run/tor/control".into()),
        Target::Unix("/run/tor-instances/*/control".into()),
        Target::Tcp(std::net::SocketAddr::from(([127, 0, 0, 1], 9051))),
    ]
}

/// One relay to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelaySpec {
    /// What the overview calls it.
    pub name: String,
    /// Places to try, in order.
    pub targets: Vec<Target>,
    /// Its own password file (nyxrc), else the one given for all.
    pub password_file: Option<PathBuf>,
    /// `name` was chosen by the operator (nyxrc): tor's nickname does not
    /// replace it on screen.
    pub given: bool,
    /// tor is on another machine, reached over ssh; `targets` are there.
    pub ssh: Option<SshSpec>,
}

impl RelaySpec {
    /// The name as the overview and the header take it.
    pub fn relay_name(&self) -> rnyx_model::RelayName {
        rnyx_model::RelayName {
            text: self.name.clone(),
            given: self.given,
        }
    }
}

/// nyxrc's `[[relays]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayConfig {
    pub name: String,
    pub socket: Option<PathBuf>,
    /// `[ADDRESS:]PORT`.
    pub address: Option<String>,
    pub password_file: Option<PathBuf>,
    /// `[user@]host[:port]`: tor is on that machine, reached over ssh;
    /// `socket` and `address` are there (left out: tor's usual places
    /// there).
    pub ssh: Option<String>,
}

impl RelayConfig {
    pub fn spec(&self) -> Result<RelaySpec, String> {
        let ssh = self
            .ssh
            .as_deref()
            .map(SshSpec::parse)
            .transpose()
            .map_err(|e| format!("relay `{}`: {e}", self.name))?;
        let targets = match (&self.socket, &self.address) {
            (Some(s), None) => vec![Target::Unix(s.clone())],
            (None, Some(a)) => vec![Target::parse_interface(a)?],
            (None, None) if ssh.is_some() => remote_defaults(),
            _ => {
                return Err(format!(
                    "relay `{}`: give either socket or address",
                    self.name
                ))
            }
        };
        Ok(RelaySpec {
            name: self.name.clone(),
            targets,
            password_file: self.password_file.clone(),
            given: true,
            ssh,
        })
    }
}

/// The relays of the command line (`interfaces`, `sockets`), else of
/// nyxrc, else those found under `run` (`/run` but in tests).
pub fn choose(
    (interfaces, sockets, ssh): (&[String], &[PathBuf], &[String]),
    configured: &[RelayConfig],
    run: &Path,
) -> Result<Vec<RelaySpec>, String> {
    let mut out = Vec::new();
    for i in interfaces {
        out.push(RelaySpec {
            name: i.clone(),
            targets: vec![Target::parse_interface(i)?],
            password_file: None,
            given: false,
            ssh: None,
        });
    }
    for s in sockets {
        out.push(RelaySpec {
            name: s.display().to_string(),
            targets: vec![Target::Unix(s.clone())],
            password_file: None,
            given: false,
            ssh: None,
        });
    }
    for s in ssh {
        let spec = SshSpec::parse(s)?;
        out.push(RelaySpec {
            name: spec.host.clone(),
            targets: spec
                .path
                .clone()
                .map_or_else(remote_defaults, |p| vec![Target::Unix(p)]),
            password_file: None,
            given: false,
            ssh: Some(spec),
        });
    }
    if !out.is_empty() {
        return Ok(out);
    }
    if !configured.is_empty() {
        return configured.iter().map(RelayConfig::spec).collect();
    }
    let found = discover(run);
    if found.is_empty() {
        return Ok(vec![RelaySpec {
            name: "tor".into(),
            targets: Target::defaults(),
            password_file: None,
            given: false,
            ssh: None,
        }]);
    }
    Ok(found)
}

/// [`choose`], and when it found sockets, the usual control ports that
/// answer for another tor too.
pub async fn choose_all(
    given: (&[String], &[PathBuf], &[String]),
    configured: &[RelayConfig],
    run: &Path,
) -> Result<Vec<RelaySpec>, String> {
    let chosen = choose(given, configured, run)?;
    let discovered =
        given.0.is_empty() && given.1.is_empty() && given.2.is_empty() && configured.is_empty();
    if discovered && !(chosen.len() == 1 && chosen[0].targets == Target::defaults()) {
        return Ok(with_ports(chosen, &usual_ports()).await);
    }
    Ok(chosen)
}

/// Every control socket in the usual places under `run`.
pub fn discover(run: &Path) -> Vec<RelaySpec> {
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    let main = run.join("tor/control");
    if is_socket(&main) {
        found.push(("tor".into(), main));
    }
    if let Ok(entries) = std::fs::read_dir(run.join("tor-instances")) {
        let mut instances: Vec<(String, PathBuf)> = entries
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    e.path().join("control"),
                )
            })
            .filter(|(_, p)| is_socket(p))
            .collect();
        instances.sort();
        found.extend(instances);
    }
    found
        .into_iter()
        .map(|(name, path)| RelaySpec {
            name,
            targets: vec![Target::Unix(path)],
            password_file: None,
            given: false,
            ssh: None,
        })
        .collect()
}

/// tor's usual control ports on this host.
pub fn usual_ports() -> Vec<std::net::SocketAddr> {
    [9051, 9151]
        .into_iter()
        .map(|p| std::net::SocketAddr::from(([127, 0, 0, 1], p)))
        .collect()
}

/// The relays found on sockets, and those answering on `ports` that are
/// not one of them (a tor's control port beside its socket names the same
/// cookie file in PROTOCOLINFO; a port whose tor does not say is left out
/// when sockets were found, as it may be one of theirs).
pub async fn with_ports(found: Vec<RelaySpec>, ports: &[std::net::SocketAddr]) -> Vec<RelaySpec> {
    let mut cookies = Vec::new();
    for r in &found {
        if let Some(t) = r.targets.first() {
            cookies.push(cookie_file(t).await);
        }
    }
    let mut out = found;
    for addr in ports {
        let target = Target::Tcp(*addr);
        let Ok(stream) = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            crate::control::target::open(&target),
        )
        .await
        else {
            continue;
        };
        let Ok(stream) = stream else { continue };
        drop(stream);
        let cookie = cookie_file(&target).await;
        let known = match &cookie {
            Some(c) => cookies.iter().any(|k| k.as_ref() == Some(c)),
            None => !out.is_empty(),
        };
        if !known {
            cookies.push(cookie);
            out.push(RelaySpec {
                name: target.to_string(),
                targets: vec![target],
                password_file: None,
                given: false,
                ssh: None,
            });
        }
    }
    out
}

/// The cookie file a tor names in PROTOCOLINFO (no authentication needed).
async fn cookie_file(target: &Target) -> Option<PathBuf> {
    let stream = crate::control::target::open(target).await.ok()?;
    let (client, _events) = crate::control::Client::new(stream);
    let client = client.with_timeout(std::time::Duration::from_secs(2));
    let reply = client.command("PROTOCOLINFO 1").await.ok()?;
    crate::control::ProtocolInfo::parse(&reply).cookie_file
}

fn is_socket(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(p).is_ok_and(|m| m.file_type().is_socket())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_then_nyxrc_then_sockets_found_then_ports() {
        let d = tempfile::tempdir().unwrap();
        let run = d.path();
        // Nothing anywhere: tor's usual places, as one relay.
        let r = choose((&[], &[], &[]), &[], run).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].targets, Target::defaults());
        // Sockets as Debian makes them (a plain file is not one).
        std::fs::create_dir_all(run.join("tor")).unwrap();
        std::fs::create_dir_all(run.join("tor-instances/relay2")).unwrap();
        std::fs::create_dir_all(run.join("tor-instances/bridge")).unwrap();
        std::fs::create_dir_all(run.join("tor-instances/broken")).unwrap();
        let _a = std::os::unix::net::UnixListener::bind(run.join("tor/control")).unwrap();
        let _b = std::os::unix::net::UnixListener::bind(run.join("tor-instances/relay2/control"))
            .unwrap();
        let _c = std::os::unix::net::UnixListener::bind(run.join("tor-instances/bridge/control"))
            .unwrap();
        std::fs::write(run.join("tor-instances/broken/control"), "").unwrap();
        let names: Vec<String> = choose((&[], &[], &[]), &[], run)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["tor", "bridge", "relay2"]);
        // nyxrc's list wins over what is found.
        let configured = [
            RelayConfig {
                name: "a".into(),
                socket: Some("/run/a/control".into()),
                address: None,
                password_file: None,
                ssh: None,
            },
            RelayConfig {
                name: "b".into(),
                socket: None,
                address: Some("127.0.0.1:9052".into()),
                password_file: Some("/etc/rnyx/b.pw".into()),
                ssh: None,
            },
        ];
        let r = choose((&[], &[], &[]), &configured, run).unwrap();
        assert_eq!(
            r[1].targets,
            [Target::parse_interface("127.0.0.1:9052").unwrap()]
        );
        assert_eq!(
            r[1].password_file.as_deref(),
            Some(Path::new("/etc/rnyx/b.pw"))
        );
        // The command line wins over both, every target a relay.
        let r = choose(
            (
                &["9051".into()],
                &["/run/x/control".into()],
                &["admin@relay3.example.org:2222".into()],
            ),
            &configured,
            run,
        )
        .unwrap();
        let names: Vec<&str> = r.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["9051", "/run/x/control", "relay3.example.org"]);
        // Over ssh, tor's usual places there.
        assert_eq!(r[2].targets, remote_defaults());
        assert_eq!(r[2].ssh.as_ref().unwrap().port, Some(2222));
        // nyxrc's ssh relay: its socket is the remote one.
        let remote = RelayConfig {
            name: "r".into(),
            socket: Some("/run/tor-instances/r/control".into()),
            address: None,
            password_file: None,
            ssh: Some("relay4".into()),
        }
        .spec()
        .unwrap();
        assert_eq!(remote.ssh.unwrap().host, "relay4");
        assert_eq!(
            remote.targets,
            [Target::Unix("/run/tor-instances/r/control".into())]
        );
        // A relay with both or neither place is an error naming it.
        let bad = RelayConfig {
            name: "c".into(),
            socket: None,
            address: None,
            password_file: None,
            ssh: None,
        };
        assert_eq!(
            bad.spec().unwrap_err(),
            "relay `c`: give either socket or address"
        );
    }
}
