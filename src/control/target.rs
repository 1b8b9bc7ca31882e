//! Where tor's control port is, and opening a connection to it.

use super::auth::{authenticate, AuthError, AuthMethod, ProtocolInfo};
use super::client::{Client, EventReceiver};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
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

/// Why rnyx could not get an authenticated connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    #[error("tor is not listening at {target} ({reason})")]
    NotListening { target: String, reason: String },
    #[error("tor is not listening at any of the usual places: {}", tried.iter().map(|(t, r)| format!("{t} ({r})")).collect::<Vec<_>>().join(", "))]
    NoneAnswered { tried: Vec<(String, String)> },
    #[error("{0}")]
    Auth(#[from] AuthError),
}

impl ConnectError {
    /// Whether asking the operator for a password would help.
    pub fn needs_password(&self) -> bool {
        matches!(self, ConnectError::Auth(AuthError::PasswordRequired))
    }
}

/// Opens a stream to `target`.
pub async fn open(target: &Target) -> Result<Box<dyn ControlStream>, ConnectError> {
    let not_listening = |reason: String| ConnectError::NotListening {
        target: target.to_string(),
        reason,
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
        Ok(Err(e)) => Err(not_listening(io_reason(&e))),
        Err(_) => Err(not_listening(format!(
            "no answer within {} s",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such socket".to_owned(),
        std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
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
            Err(ConnectError::NotListening { target, reason }) if targets.len() > 1 => {
                tried.push((target, reason));
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
                "tor is not listening at any of the usual places: {} (no such socket), 127.0.0.1:{port} (connection refused)",
                sock.display()
            )
        );
        let Err(e) = connect(&targets[1..], None).await else {
            panic!()
        };
        assert_eq!(
            e.to_string(),
            format!("tor is not listening at 127.0.0.1:{port} (connection refused)")
        );
    }
}
