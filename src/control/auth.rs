//! Authentication (control-spec §3.5, §3.21, §3.24): PROTOCOLINFO tells the
//! methods tor accepts; we pick NULL, SAFECOOKIE, COOKIE or HASHEDPASSWORD.

use super::args::{quote, tokens};
use super::client::{Client, ClientError};
use hmac::{Hmac, Mac};
use rnyx_model::Failure;
use sha2::Sha256;
use std::path::{Path, PathBuf};

type HmacSha256 = Hmac<Sha256>;

const SERVER_KEY: &[u8] = b"Tor safe cookie authentication server-to-controller hash";
const CLIENT_KEY: &[u8] = b"Tor safe cookie authentication controller-to-server hash";
const COOKIE_LEN: usize = 32;

/// What PROTOCOLINFO told us.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProtocolInfo {
    pub methods: Vec<String>,
    pub cookie_file: Option<PathBuf>,
    pub tor_version: Option<String>,
}

impl ProtocolInfo {
    /// Reads a PROTOCOLINFO reply.
    pub fn parse(reply: &super::Reply) -> ProtocolInfo {
        let mut info = ProtocolInfo::default();
        for line in &reply.lines {
            let (kw, rest) = line.text.split_once(' ').unwrap_or((&line.text, ""));
            for t in tokens(rest) {
                match (kw, t.key) {
                    ("AUTH", Some("METHODS")) => {
                        info.methods = t.value.split(',').map(str::to_owned).collect();
                    }
                    ("AUTH", Some("COOKIEFILE")) => {
                        info.cookie_file = Some(PathBuf::from(t.value.into_owned()));
                    }
                    ("VERSION", Some("Tor")) => info.tor_version = Some(t.value.into_owned()),
                    _ => {}
                }
            }
        }
        info
    }

    fn offers(&self, method: &str) -> bool {
        self.methods.iter().any(|m| m == method)
    }
}

/// The method that authenticated us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    None,
    SafeCookie,
    Cookie,
    Password,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 4] = [
        AuthMethod::None,
        AuthMethod::SafeCookie,
        AuthMethod::Cookie,
        AuthMethod::Password,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::None => "none",
            AuthMethod::SafeCookie => "safecookie",
            AuthMethod::Cookie => "cookie",
            AuthMethod::Password => "password",
        }
    }
}

/// Why authentication failed, each as one sentence for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(
        "cannot read tor's authentication cookie {path}: {reason}; the usual fix is to add \
         your user to the group that owns it{group_hint} and log in again"
    )]
    CookieUnreadable {
        path: PathBuf,
        reason: String,
        /// e.g. ` (debian-tor: sudo usermod -aG debian-tor $USER)`.
        group_hint: String,
    },
    #[error("tor's authentication cookie {path} is {len} bytes, but a cookie is 32 bytes")]
    CookieWrongSize { path: PathBuf, len: usize },
    #[error("tor offers cookie authentication but does not say where the cookie is")]
    CookieFileMissing,
    #[error(
        "tor's SAFECOOKIE proof does not match the cookie {path}; another tor may be \
         listening on this control port"
    )]
    ServerHashMismatch { path: PathBuf },
    #[error("tor rejected the password (wrong password)")]
    WrongPassword,
    #[error(
        "tor requires a control password; give it with --password-file, the RNYX_PASSWORD \
         variable, or run rnyx in a terminal to be asked"
    )]
    PasswordRequired,
    #[error("tor offers no authentication method rnyx supports (it offers: {offered})")]
    NoSupportedMethod { offered: String },
    #[error("tor refused authentication: {0}")]
    Refused(String),
    #[error("{0}")]
    Client(#[from] ClientError),
}

impl AuthError {
    /// What kind of failure it is: a cookie that may not be read is a
    /// permission; the connection closing or silent, tor down or hung.
    pub fn failure(&self) -> Failure {
        match self {
            AuthError::CookieUnreadable { reason, .. }
                if reason.as_str() == std::io::ErrorKind::PermissionDenied.to_string() =>
            {
                Failure::Permission
            }
            AuthError::Client(ClientError::Closed | ClientError::Io(_)) => Failure::Down,
            AuthError::Client(ClientError::Timeout { .. }) => Failure::NotAnswering,
            _ => Failure::Authentication,
        }
    }
}

/// Authenticates `client`. `password` is used only when tor asks for one.
pub async fn authenticate(
    client: &Client,
    password: Option<&str>,
) -> Result<(AuthMethod, ProtocolInfo), AuthError> {
    let info = ProtocolInfo::parse(&client.command_ok("PROTOCOLINFO 1").await?);
    let cookie = wants_cookie(&info).then(|| read_cookie(&info));
    let method = authenticate_with(client, &info, password, cookie).await?;
    Ok((method, info))
}

/// [`authenticate`], the cookie (where tor offers cookie authentication)
/// read by `read` from the path tor gives — on tor's machine, which may
/// not be this one. The cookie is kept in memory only.
pub async fn authenticate_reading<F, Fut>(
    client: &Client,
    password: Option<&str>,
    read: F,
) -> Result<(AuthMethod, ProtocolInfo), AuthError>
where
    F: FnOnce(PathBuf) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<u8>, String>>,
{
    let info = ProtocolInfo::parse(&client.command_ok("PROTOCOLINFO 1").await?);
    let cookie = match (wants_cookie(&info), info.cookie_file.clone()) {
        (false, _) => None,
        (true, None) => Some(Err(AuthError::CookieFileMissing)),
        (true, Some(path)) => Some(match read(path.clone()).await {
            Ok(bytes) => checked(path, bytes),
            Err(reason) => Err(AuthError::CookieUnreadable {
                path,
                reason,
                group_hint: String::new(),
            }),
        }),
    };
    let method = authenticate_with(client, &info, password, cookie).await?;
    Ok((method, info))
}

fn wants_cookie(info: &ProtocolInfo) -> bool {
    !info.offers("NULL") && (info.offers("SAFECOOKIE") || info.offers("COOKIE"))
}

/// Authenticates with one given method, whatever tor would prefer (for
/// operators who pin a method, and for tests of each method).
pub async fn authenticate_as(
    client: &Client,
    method: AuthMethod,
    password: Option<&str>,
) -> Result<ProtocolInfo, AuthError> {
    let mut info = ProtocolInfo::parse(&client.command_ok("PROTOCOLINFO 1").await?);
    let name = match method {
        AuthMethod::None => "NULL",
        AuthMethod::SafeCookie => "SAFECOOKIE",
        AuthMethod::Cookie => "COOKIE",
        AuthMethod::Password => "HASHEDPASSWORD",
    };
    if !info.offers(name) {
        return Err(AuthError::NoSupportedMethod {
            offered: info.methods.join(", "),
        });
    }
    info.methods.retain(|m| m == name);
    let cookie = wants_cookie(&info).then(|| read_cookie(&info));
    authenticate_with(client, &info, password, cookie).await?;
    Ok(info)
}

/// Authenticates by the method tor prefers; `cookie`: the cookie as read
/// where tor offers cookie authentication.
async fn authenticate_with(
    client: &Client,
    info: &ProtocolInfo,
    password: Option<&str>,
    cookie: Option<Result<(PathBuf, Vec<u8>), AuthError>>,
) -> Result<AuthMethod, AuthError> {
    if info.offers("NULL") {
        send_authenticate(client, "AUTHENTICATE").await?;
        return Ok(AuthMethod::None);
    }
    let mut cookie_error = None;
    if let Some(cookie) = cookie {
        match cookie {
            Ok((path, cookie)) => {
                if info.offers("SAFECOOKIE") {
                    safecookie(client, &path, &cookie).await?;
                    return Ok(AuthMethod::SafeCookie);
                }
                send_authenticate(client, &format!("AUTHENTICATE {}", hex::encode(cookie))).await?;
                return Ok(AuthMethod::Cookie);
            }
            Err(e) => cookie_error = Some(e),
        }
    }
    if info.offers("HASHEDPASSWORD") {
        if let Some(pw) = password {
            return match send_authenticate(client, &format!("AUTHENTICATE {}", quote(pw))).await {
                Err(AuthError::Refused(_)) => Err(AuthError::WrongPassword),
                other => other.map(|()| AuthMethod::Password),
            };
        }
        if cookie_error.is_none() {
            return Err(AuthError::PasswordRequired);
        }
    }
    Err(
        cookie_error.unwrap_or_else(|| AuthError::NoSupportedMethod {
            offered: info.methods.join(", "),
        }),
    )
}

async fn send_authenticate(client: &Client, command: &str) -> Result<(), AuthError> {
    let reply = client.command(command).await?;
    if reply.is_ok() {
        Ok(())
    } else {
        Err(AuthError::Refused(reply.message().to_owned()))
    }
}

async fn safecookie(client: &Client, path: &Path, cookie: &[u8]) -> Result<(), AuthError> {
    let mut client_nonce = [0u8; 32];
    getrandom::fill(&mut client_nonce).map_err(|e| AuthError::Refused(e.to_string()))?;
    let reply = client
        .command_ok(&format!(
            "AUTHCHALLENGE SAFECOOKIE {}",
            hex::encode(client_nonce)
        ))
        .await?;
    let mut server_hash = None;
    let mut server_nonce = None;
    let text = reply.message();
    for t in tokens(text.strip_prefix("AUTHCHALLENGE").unwrap_or(text)) {
        match t.key {
            Some("SERVERHASH") => server_hash = hex::decode(t.value.as_ref()).ok(),
            Some("SERVERNONCE") => server_nonce = hex::decode(t.value.as_ref()).ok(),
            _ => {}
        }
    }
    let (Some(server_hash), Some(server_nonce)) = (server_hash, server_nonce) else {
        return Err(AuthError::Refused(format!(
            "unreadable AUTHCHALLENGE reply: {text}"
        )));
    };
    let proof = |key: &[u8]| {
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(cookie);
        mac.update(&client_nonce);
        mac.update(&server_nonce);
        mac
    };
    // Constant-time comparison, before we reveal anything of our own.
    if proof(SERVER_KEY).verify_slice(&server_hash).is_err() {
        return Err(AuthError::ServerHashMismatch {
            path: path.to_owned(),
        });
    }
    let client_hash = proof(CLIENT_KEY).finalize().into_bytes();
    send_authenticate(
        client,
        &format!("AUTHENTICATE {}", hex::encode(client_hash)),
    )
    .await
}

fn read_cookie(info: &ProtocolInfo) -> Result<(PathBuf, Vec<u8>), AuthError> {
    let path = info
        .cookie_file
        .clone()
        .ok_or(AuthError::CookieFileMissing)?;
    match std::fs::read(&path) {
        Ok(bytes) => checked(path, bytes),
        Err(e) => Err(AuthError::CookieUnreadable {
            group_hint: group_hint(&path),
            reason: e.kind().to_string(),
            path,
        }),
    }
}

/// A cookie read: exactly 32 bytes.
fn checked(path: PathBuf, bytes: Vec<u8>) -> Result<(PathBuf, Vec<u8>), AuthError> {
    if bytes.len() == COOKIE_LEN {
        Ok((path, bytes))
    } else {
        Err(AuthError::CookieWrongSize {
            path,
            len: bytes.len(),
        })
    }
}

/// ` (group debian-tor: sudo usermod -aG debian-tor $USER)` for the file's
/// group, when /etc/group names it.
fn group_hint(path: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return " (e.g. debian-tor)".to_owned();
    };
    let name = crate::local::name_of("/etc/group", meta.gid());
    if name.parse::<u32>().is_ok() {
        format!(" (group id {name})")
    } else {
        format!(" ({name}: sudo usermod -aG {name} $USER)")
    }
}

#[cfg(test)]
mod tests;
