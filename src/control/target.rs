//! Where tor's control port is, and opening a connection to it.

use super::auth::{authenticate, AuthError, AuthMethod, ProtocolInfo};
use super::client::{Client, EventReceiver};
use rnyx_model::Failure;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A control port (TCP) or control socket (unix path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Tcp(addr) => write!(f, "{addr}"),
            Target::Unix(path) => write!(f, "{}", path.display()),
        }
    }
}

impl Target {
    /// Parses `--interface [ADDRESS:]PORT`: `9051`, `10.0.0.1:9051`, `[::1]:9051`.
    pub fn parse_interface(s: &str) -> Result<Target, String> {
        let s = s.trim();
        if let Ok(port) = s.parse::<u16>() {
            return Ok(Target::Tcp(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                port,
            )));
        }
        if let Ok(addr) = s.parse::<SocketAddr>() {
            return Ok(Target::Tcp(addr));
        }
        if let Some((host, port)) = s.rsplit_once(':') {
            if host == "localhost" {
                if let Ok(port) = port.parse::<u16>() {
                    return Ok(Target::Tcp(SocketAddr::new(
                        IpAddr::V4(Ipv4Addr::LOCALHOST),
                        port,
                    )));
                }
            }
        }
        Err(format!(
            "'{s}' is not [ADDRESS:]PORT (e.g. 9051, 127.0.0.1:9051 or [::1]:9051)"
        ))
    }

    /// Where tor usually listens, in the order rnyx tries them.
    pub fn defaults() -> Vec<Target> {
        vec![
            Target::Unix("/run/tor/control".into()),
            Target::Unix("/var/run/tor/control".into()),
            Target::Tcp(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9051)),
            Target::Tcp(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9151)),
        ]
    }
}

/// A connected stream to tor of either kind.
pub trait ControlStream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> ControlStream for T {}

/// Why rnyx could not get an authenticated connection: one sentence for
/// the operator, and its class ([`Failure`]: whether waiting can help).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    #[error("{}", why.sentence(target))]
    Unreachable { target: Target, why: Unreachable },
    #[error("tor is not at any of the usual places: {}", tried.iter().map(|(t, r)| format!("{t} ({})", r.short())).collect::<Vec<_>>().join(", "))]
    NoneAnswered { tried: Vec<(Target, Unreachable)> },
    #[error("{0}")]
    Auth(#[from] AuthError),
    #[error("{0}")]
    Ssh(SshError),
}

/// Why ssh to tor's machine failed, with what ssh said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SshError {
    /// The host's key is not known, or not the one known.
    #[error(
        "ssh to {host} refused: its host key is unknown or has changed (ssh said: {said}); \
         check the key, then accept it once with `ssh {host}`, or remove the old one with \
         `ssh-keygen -R {host}`"
    )]
    HostKey { host: String, said: String },
    /// The server refused every key (rnyx never types a password).
    #[error(
        "ssh to {host}: authentication failed (ssh said: {said}); rnyx uses your ssh agent, \
         keys and ~/.ssh/config and never asks for a password"
    )]
    Auth { host: String, said: String },
    /// The connection went away (rnyx reconnects).
    #[error("ssh to {host} lost: {said}")]
    Lost { host: String, said: String },
    /// The host could not be reached.
    #[error("ssh to {host} failed: {said}")]
    Failed { host: String, said: String },
    /// No control socket or port answered on the host.
    #[error("on {host}: {said}")]
    NoTor { host: String, said: String },
}

impl SshError {
    pub fn failure(&self) -> Failure {
        match self {
            SshError::HostKey { .. } | SshError::Auth { .. } => Failure::Authentication,
            SshError::NoTor { .. } => Failure::NoSuchPath,
            SshError::Lost { .. } | SshError::Failed { .. } => Failure::Down,
        }
    }
}

impl ConnectError {
    /// Whether asking the operator for a password would help.
    pub fn needs_password(&self) -> bool {
        matches!(self, ConnectError::Auth(AuthError::PasswordRequired))
    }

    /// What kind of failure it is. Of the usual places, the one that says
    /// most: a socket that may not be opened, one that is not a socket,
    /// else none there.
    pub fn failure(&self) -> Failure {
        match self {
            ConnectError::Unreachable { why, .. } => why.failure(),
            ConnectError::NoneAnswered { tried } => [Failure::Permission, Failure::NotASocket]
                .into_iter()
                .find(|f| tried.iter().any(|(_, why)| why.failure() == *f))
                .unwrap_or(Failure::NoSuchPath),
            ConnectError::Auth(e) => e.failure(),
            ConnectError::Ssh(e) => e.failure(),
        }
    }

    /// Whether the monitor should wait for tor rather than stop at start:
    /// tor given is down or hung. Nothing found in the usual places, a
    /// path, a permission or the authentication needs the operator.
    pub fn may_pass(&self) -> bool {
        !matches!(self, ConnectError::NoneAnswered { .. }) && self.failure().may_pass()
    }
}

/// Why a control socket or port could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreachable {
    /// Nothing at the path, nor at its directory.
    NoSuchPath { dir: PathBuf },
    /// No socket at the path, but its directory is there: tor removes
    /// its socket when it stops.
    SocketGone,
    /// The path is something else (`a directory`, `a regular file`).
    NotASocket { what: &'static str },
    /// The socket or a directory on its way may not be opened.
    Permission(Denied),
    /// Refused: nothing listens (a port), or a socket left by a tor that
    /// stopped.
    Refused,
    /// No answer to the connection within `secs`.
    TimedOut { secs: u64 },
    /// Anything else the system said.
    Other(String),
}

/// What was denied: the file (the socket or a directory above it), its
/// mode, owner and group, as `ls -l` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub path: PathBuf,
    pub mode: String,
    pub owner: String,
    pub group: String,
    /// Whether its group may open it (so joining the group helps).
    pub group_may: bool,
}

impl Unreachable {
    pub fn failure(&self) -> Failure {
        match self {
            Unreachable::NoSuchPath { .. } => Failure::NoSuchPath,
            Unreachable::NotASocket { .. } => Failure::NotASocket,
            Unreachable::Permission(_) => Failure::Permission,
            Unreachable::TimedOut { .. } => Failure::NotAnswering,
            Unreachable::SocketGone | Unreachable::Refused | Unreachable::Other(_) => Failure::Down,
        }
    }

    /// A few words, for a list of places tried.
    pub fn short(&self) -> String {
        match self {
            Unreachable::NoSuchPath { .. } | Unreachable::SocketGone => "no such socket".into(),
            Unreachable::NotASocket { what } => format!("{what}, not a socket"),
            Unreachable::Permission(d) => format!(
                "permission denied: {} {} {}:{}",
                d.path.display(),
                d.mode,
                d.owner,
                d.group
            ),
            Unreachable::Refused => "connection refused".into(),
            Unreachable::TimedOut { secs } => format!("no answer within {secs} s"),
            Unreachable::Other(e) => e.clone(),
        }
    }

    /// The operator's sentence: what is wrong at `target`, and what to do.
    pub fn sentence(&self, target: &Target) -> String {
        match self {
            Unreachable::NoSuchPath { dir } => format!(
                "there is no control socket at {target}, nor the directory {}: give tor's \
                 ControlSocket path (its torrc says it) with --socket",
                dir.display()
            ),
            Unreachable::SocketGone => format!(
                "tor is not running: there is no control socket at {target} (tor removes it \
                 when it stops)"
            ),
            Unreachable::NotASocket { what } => format!(
                "{target} is {what}, not a socket: give tor's ControlSocket path (its torrc \
                 says it) with --socket"
            ),
            Unreachable::Permission(d) => {
                let on = if d.path.as_os_str() == target.to_string().as_str() {
                    String::new()
                } else {
                    format!(" on its directory {}", d.path.display())
                };
                let fix = if d.group_may {
                    format!(
                        "add your user to the group {g} and log in again: \
                         sudo usermod -aG {g} \"$USER\"",
                        g = d.group
                    )
                } else {
                    format!(
                        "only {} may open it: run rnyx as that user, or set \
                         ControlSocketsGroupWritable 1 in tor's torrc",
                        d.owner
                    )
                };
                format!(
                    "permission denied opening {target}{on} ({} {}:{}); {fix}",
                    d.mode, d.owner, d.group
                )
            }
            Unreachable::Refused => match target {
                Target::Tcp(_) => {
                    format!("tor is not running: nothing listens on {target} (connection refused)")
                }
                Target::Unix(_) => format!(
                    "tor is not running: {target} refuses connections (a socket left by a tor \
                     that stopped)"
                ),
            },
            Unreachable::TimedOut { secs } => {
                format!("tor is not answering at {target}: no answer within {secs} s")
            }
            Unreachable::Other(e) => format!("cannot connect to {target}: {e}"),
        }
    }

    /// Why connecting to `target` failed with `e`, looking at the path
    /// where it is a socket's.
    pub fn of(target: &Target, e: &std::io::Error) -> Unreachable {
        use std::io::ErrorKind as E;
        let path = match target {
            Target::Unix(path) => path,
            Target::Tcp(_) => {
                return match e.kind() {
                    E::ConnectionRefused => Unreachable::Refused,
                    _ => Unreachable::Other(e.to_string()),
                }
            }
        };
        match std::fs::metadata(path) {
            Ok(meta) if !meta.file_type().is_socket() => {
                return Unreachable::NotASocket {
                    what: if meta.is_dir() {
                        "a directory"
                    } else {
                        "a regular file"
                    },
                };
            }
            Err(m) if m.kind() == E::NotFound => {
                let dir = path.parent().unwrap_or(Path::new("/"));
                return if dir.is_dir() {
                    Unreachable::SocketGone
                } else {
                    Unreachable::NoSuchPath {
                        dir: dir.to_owned(),
                    }
                };
            }
            _ => {}
        }
        match e.kind() {
            E::PermissionDenied => Unreachable::Permission(denied(path)),
            E::ConnectionRefused => Unreachable::Refused,
            E::NotFound => Unreachable::SocketGone,
            _ => Unreachable::Other(e.to_string()),
        }
    }
}

/// What denies `path`: the socket itself when it can be looked at, else
/// the deepest directory above it that can (it may not be searched).
fn denied(path: &Path) -> Denied {
    let at = if std::fs::metadata(path).is_ok() {
        path
    } else {
        path.ancestors()
            .skip(1)
            .find(|d| std::fs::metadata(d).is_ok())
            .unwrap_or(path)
    };
    let meta = std::fs::metadata(at).ok();
    let (mode, uid, gid) = meta.as_ref().map_or((0, None, None), |m| {
        (m.mode(), Some(m.uid()), Some(m.gid()))
    });
    let is_dir = meta.as_ref().is_some_and(std::fs::Metadata::is_dir);
    let is_socket = meta.as_ref().is_some_and(|m| m.file_type().is_socket());
    // A socket is opened by writing; a directory is passed by searching.
    let group_bit = if is_dir { 0o010 } else { 0o020 };
    Denied {
        path: at.to_owned(),
        mode: ls_mode(mode, is_dir, is_socket),
        owner: uid.map_or_else(|| "?".into(), |u| crate::local::name_of("/etc/passwd", u)),
        group: gid.map_or_else(|| "?".into(), |g| crate::local::name_of("/etc/group", g)),
        group_may: mode & group_bit != 0,
    }
}

/// `srw-rw----`, as `ls -l` shows a mode.
fn ls_mode(mode: u32, dir: bool, socket: bool) -> String {
    let kind = if socket {
        's'
    } else if dir {
        'd'
    } else {
        '-'
    };
    let mut s = String::from(kind);
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        let special = match shift {
            6 => mode & 0o4000 != 0,
            3 => mode & 0o2000 != 0,
            _ => mode & 0o1000 != 0,
        };
        s.push(match (bits & 1 != 0, special, shift) {
            (true, true, 0) => 't',
            (false, true, 0) => 'T',
            (true, true, _) => 's',
            (false, true, _) => 'S',
            (true, false, _) => 'x',
            (false, false, _) => '-',
        });
    }
    s
}

/// Opens a stream to `target`.
pub async fn open(target: &Target) -> Result<Box<dyn ControlStream>, ConnectError> {
    let unreachable = |why: Unreachable| ConnectError::Unreachable {
        target: target.clone(),
        why,
    };
    let attempt = async {
        Ok::<Box<dyn ControlStream>, std::io::Error>(match target {
            Target::Tcp(addr) => {
                let s = tokio::net::TcpStream::connect(addr).await?;
                s.set_nodelay(true)?;
                Box::new(s)
            }
            Target::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
        })
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(unreachable(Unreachable::of(target, &e))),
        Err(_) => Err(unreachable(Unreachable::TimedOut {
            secs: CONNECT_TIMEOUT.as_secs(),
        })),
    }
}

/// An authenticated connection.
pub struct Connection {
    pub client: Client,
    pub events: EventReceiver,
    pub target: Target,
    pub method: AuthMethod,
    pub protocol_info: ProtocolInfo,
}

/// Tries `targets` in order; authenticates on the first that answers. With
/// one target its own error is returned; with several, what was tried.
pub async fn connect(
    targets: &[Target],
    password: Option<&str>,
) -> Result<Connection, ConnectError> {
    connect_through(targets, password, |s| s).await
}

/// [`connect`], the stream passed through `wrap` before anything is sent
/// (a recording's tap sees all of it).
pub async fn connect_through(
    targets: &[Target],
    password: Option<&str>,
    wrap: impl Fn(Box<dyn ControlStream>) -> Box<dyn ControlStream>,
) -> Result<Connection, ConnectError> {
    let mut tried = Vec::new();
    for target in targets {
        match open(target).await {
            Ok(stream) => {
                let (client, events) = Client::new(wrap(stream));
                let (method, protocol_info) = authenticate(&client, password).await?;
                return Ok(Connection {
                    client,
                    events,
                    target: target.clone(),
                    method,
                    protocol_info,
                });
            }
            Err(ConnectError::Unreachable { target, why }) if targets.len() > 1 => {
                tried.push((target, why));
            }
            Err(e) => return Err(e),
        }
    }
    Err(ConnectError::NoneAnswered { tried })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interfaces() {
        assert_eq!(
            Target::parse_interface("9051").unwrap().to_string(),
            "127.0.0.1:9051"
        );
        assert_eq!(
            Target::parse_interface("10.1.2.3:9151")
                .unwrap()
                .to_string(),
            "10.1.2.3:9151"
        );
        assert_eq!(
            Target::parse_interface("[::1]:9051").unwrap().to_string(),
            "[::1]:9051"
        );
        assert_eq!(
            Target::parse_interface("localhost:1").unwrap().to_string(),
            "127.0.0.1:1"
        );
        let e = Target::parse_interface("::1").unwrap_err();
        assert!(e.contains("[::1]:9051"), "{e}");
        assert!(Target::parse_interface("70000").is_err());
    }

    #[tokio::test]
    async fn says_what_was_tried() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("nothing");
        // A port nobody listens on: bind, read the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let targets = [
            Target::Unix(sock.clone()),
            Target::parse_interface(&port.to_string()).unwrap(),
        ];
        let Err(e) = connect(&targets, None).await else {
            panic!()
        };
        assert_eq!(
            e.to_string(),
            format!(
                "tor is not at any of the usual places: {} (no such socket), 127.0.0.1:{port} (connection refused)",
                sock.display()
            )
        );
        let Err(e) = connect(&targets[1..], None).await else {
            panic!()
        };
        assert_eq!(
            e.to_string(),
            format!("tor is not running: nothing listens on 127.0.0.1:{port} (connection refused)")
        );
        // One tor given and down: the monitor waits for it.
        assert!(e.may_pass());
        assert_eq!(e.failure(), Failure::Down);
        // Nothing in the usual places needs the operator: no waiting.
        let Err(e) = connect(&targets, None).await else {
            panic!()
        };
        assert!(!e.may_pass());
        assert_eq!(e.failure(), Failure::NoSuchPath);
    }

    #[test]
    fn a_failure_is_classed_by_what_is_at_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let of = |p: &Path| Unreachable::of(&Target::Unix(p.to_owned()), &refused);
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert_eq!(
            of(dir.path()),
            Unreachable::NotASocket {
                what: "a directory"
            }
        );
        assert_eq!(
            of(&file),
            Unreachable::NotASocket {
                what: "a regular file"
            }
        );
        assert_eq!(of(&dir.path().join("gone")), Unreachable::SocketGone);
        assert_eq!(
            of(&dir.path().join("no/control")),
            Unreachable::NoSuchPath {
                dir: dir.path().join("no")
            }
        );
        let sock = dir.path().join("sock");
        let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        assert_eq!(of(&sock), Unreachable::Refused);
        assert_eq!(ls_mode(0o140_660, false, true), "srw-rw----");
        assert_eq!(ls_mode(0o2750, true, false), "drwxr-s---");
        assert_eq!(ls_mode(0o1777, true, false), "drwxrwxrwt");
    }
}
