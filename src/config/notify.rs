//! nyxrc's `[notify]`: where `rnyx watch` sends its alerts (ntfy, a
//! webhook, mail through the system's sendmail, a program of the
//! operator's), how often it reminds, and how long it gathers alerts into
//! one message. Each channel is a string (its address) or a table with its
//! address and the least severity it is sent.

use super::values::Ranged;
use super::ConfigError;
use rnyx_model::health::Severity;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The validated `[notify]`.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    pub channels: Vec<ChannelSpec>,
    /// A reminder of an alert still active this often; `None`: never.
    pub remind_after: Option<Duration>,
    /// Alerts that start (or end) within this long go in one message.
    pub group_wait: Duration,
    /// The nyxrc they were read from (named in errors found later).
    pub source: PathBuf,
}

/// Equal settings: where they were read is not a setting.
impl PartialEq for NotifySettings {
    fn eq(&self, other: &Self) -> bool {
        (&self.channels, self.remind_after, self.group_wait)
            == (&other.channels, other.remind_after, other.group_wait)
    }
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            channels: Vec::new(),
            remind_after: Some(Duration::from_secs(DEFAULT_REMIND)),
            group_wait: Duration::from_secs(DEFAULT_GROUP_WAIT),
            source: PathBuf::new(),
        }
    }
}

const DEFAULT_REMIND: u64 = 24 * 3600;
const DEFAULT_GROUP_WAIT: u64 = 30;

/// How a channel delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// An HTTP POST of the text, title, priority and tags as ntfy's headers.
    Ntfy,
    /// An HTTP POST of the message as JSON (docs/notify.md).
    Webhook,
    /// A mail, through the system's `sendmail`.
    Email,
    /// A program, the JSON on its standard input.
    Exec,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 4] = [Self::Ntfy, Self::Webhook, Self::Email, Self::Exec];

    /// Its key in `[notify]`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ntfy => "ntfy",
            Self::Webhook => "webhook",
            Self::Email => "email",
            Self::Exec => "exec",
        }
    }

    /// Its address's key in the table form.
    fn address_key(self) -> &'static str {
        match self {
            Self::Ntfy | Self::Webhook => "url",
            Self::Email => "to",
            Self::Exec => "path",
        }
    }
}

/// One channel: where, from which severity on, and its line in nyxrc.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelSpec {
    pub kind: ChannelKind,
    /// A URL, a mail address or a program's path.
    pub target: String,
    /// Alerts below this are not sent here.
    pub min: Severity,
    pub line: usize,
}

impl ChannelSpec {
    /// A name for the log and the outbox: the kind, and a short hash of
    /// the address (which may hold a secret topic or token).
    pub fn id(&self) -> String {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(self.target.as_bytes());
        format!("{}-{}", self.kind.name(), hex::encode(&digest[..4]))
    }
}

/// The table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NotifyTable {
    remind_after: Option<Ranged<0, 31_536_000>>,
    group_wait: Option<Ranged<0, 600>>,
    severity: Option<String>,
    ntfy: Option<toml::Spanned<Written>>,
    webhook: Option<toml::Spanned<Written>>,
    email: Option<toml::Spanned<Written>>,
    exec: Option<toml::Spanned<Written>>,
}

/// A channel as written: its address, or a table.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Written {
    Address(String),
    Table(std::collections::BTreeMap<String, String>),
}

fn severity_named(s: &str) -> Result<Severity, String> {
    Severity::parse(s)
        .ok_or_else(|| format!("unknown severity \"{s}\"; use \"warning\" or \"critical\""))
}

impl NotifyTable {
    /// The settings, or what is wrong and on which line.
    pub(super) fn settings(self, text: &str, path: &Path) -> Result<NotifySettings, ConfigError> {
        let table_line = super::line_of(text, "[notify]");
        let wrong = |line: usize, detail: String| ConfigError::Invalid {
            path: path.to_owned(),
            line,
            detail,
        };
        let least = match &self.severity {
            Some(s) => {
                severity_named(s).map_err(|e| wrong(table_line, format!("severity: {e}")))?
            }
            None => Severity::Warning,
        };
        let mut channels = Vec::new();
        let written = [self.ntfy, self.webhook, self.email, self.exec];
        for (kind, w) in ChannelKind::ALL.into_iter().zip(written) {
            let Some(w) = w else { continue };
            let line = text[..w.span().start.min(text.len())].matches('\n').count() + 1;
            let (target, min) = match w.into_inner() {
                Written::Address(a) => (a, least),
                Written::Table(mut t) => {
                    let key = kind.address_key();
                    let target = t.remove(key).ok_or_else(|| {
                        wrong(line, format!("{}: the table needs `{key}`", kind.name()))
                    })?;
                    let min = match t.remove("severity") {
                        Some(s) => severity_named(&s)
                            .map_err(|e| wrong(line, format!("{}: {e}", kind.name())))?,
                        None => least,
                    };
                    if let Some(other) = t.keys().next() {
                        return Err(wrong(
                            line,
                            format!(
                                "{}: unknown key `{other}`; use `{key}` and `severity`",
                                kind.name()
                            ),
                        ));
                    }
                    (target, min)
                }
            };
            let target =
                checked(kind, &target).map_err(|e| wrong(line, format!("{}: {e}", kind.name())))?;
            channels.push(ChannelSpec {
                kind,
                target,
                min,
                line,
            });
        }
        let remind = self.remind_after.map_or(DEFAULT_REMIND, |r| u64::from(r.0));
        Ok(NotifySettings {
            channels,
            remind_after: (remind > 0).then(|| Duration::from_secs(remind)),
            group_wait: Duration::from_secs(
                self.group_wait
                    .map_or(DEFAULT_GROUP_WAIT, |r| u64::from(r.0)),
            ),
            source: path.to_owned(),
        })
    }
}

/// The address, if it can work: an http(s) URL with a host, a single
/// mail address, an absolute path.
fn checked(kind: ChannelKind, target: &str) -> Result<String, String> {
    let t = target.trim();
    if t.is_empty() || t.chars().any(char::is_control) {
        return Err("empty, or with a control character".into());
    }
    match kind {
        ChannelKind::Ntfy | ChannelKind::Webhook => {
            if !t.contains("://") {
                return Err(format!("`{t}` has no scheme; use https://"));
            }
            let uri: http::Uri = t.parse().map_err(|e| format!("`{t}` is not a URL: {e}"))?;
            match uri.scheme_str() {
                Some("http" | "https") => {}
                Some(other) => {
                    return Err(format!(
                        "`{t}`: the scheme `{other}` cannot work; use https:// (or http://)"
                    ))
                }
                None => return Err(format!("`{t}` has no scheme; use https://")),
            }
            if uri.host().is_none_or(str::is_empty) {
                return Err(format!("`{t}` names no host"));
            }
            Ok(t.to_owned())
        }
        ChannelKind::Email => {
            let one = t.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty() && domain.contains('.') && !domain.contains('@')
            });
            // A leading `-` would be an option of sendmail's.
            if !one
                || t.starts_with('-')
                || t.chars()
                    .any(|c| c.is_whitespace() || ",;<>\"()".contains(c))
            {
                return Err(format!("`{t}` is not one mail address (user@example.org)"));
            }
            Ok(t.to_owned())
        }
        ChannelKind::Exec => {
            let p = crate::local::expand_home(Path::new(t));
            if !p.is_absolute() {
                return Err(format!("`{t}`: give the program's absolute path"));
            }
            Ok(p.display().to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn parse(text: &str) -> Result<NotifySettings, ConfigError> {
        Config::parse(text, Path::new("/home/op/.nyxrc")).map(|c| c.notify)
    }

    #[test]
    fn each_channel_as_an_address_or_a_table() {
        let n = parse(
            "[notify]\nremind_after = 3600\ngroup_wait = 5\nseverity = \"critical\"\n\
             ntfy = \"https://ntfy.sh/relays\"\n\
             webhook = { url = \"http://127.0.0.1:9/hook\", severity = \"warning\" }\n\
             email = \"ops@example.org\"\nexec = \"/usr/local/bin/alert\"\n",
        )
        .unwrap();
        assert_eq!(n.remind_after, Some(Duration::from_secs(3600)));
        assert_eq!(n.group_wait, Duration::from_secs(5));
        let got: Vec<(ChannelKind, &str, Severity, usize)> = n
            .channels
            .iter()
            .map(|c| (c.kind, c.target.as_str(), c.min, c.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    ChannelKind::Ntfy,
                    "https://ntfy.sh/relays",
                    Severity::Critical,
                    5
                ),
                (
                    ChannelKind::Webhook,
                    "http://127.0.0.1:9/hook",
                    Severity::Warning,
                    6
                ),
                (ChannelKind::Email, "ops@example.org", Severity::Critical, 7),
                (
                    ChannelKind::Exec,
                    "/usr/local/bin/alert",
                    Severity::Critical,
                    8
                ),
            ]
        );
        assert_eq!(n.source, Path::new("/home/op/.nyxrc"));
        assert_ne!(n.channels[0].id(), n.channels[1].id());
        assert!(n.channels[0].id().starts_with("ntfy-"));
        let never = parse("[notify]\nremind_after = 0\n").unwrap();
        assert_eq!(never.remind_after, None);
        assert_eq!(parse("").unwrap().group_wait, Duration::from_secs(30));
    }

    #[test]
    fn an_address_that_cannot_work_is_refused_with_its_line() {
        for (text, line, says) in [
            (
                "[notify]\n\nntfy = \"ftp://ntfy.sh/x\"\n",
                3,
                "the scheme `ftp` cannot work",
            ),
            (
                "[notify]\nwebhook = \"example.org/hook\"\n",
                2,
                "has no scheme",
            ),
            ("[notify]\nwebhook = \"https:///hook\"\n", 2, "webhook"),
            (
                "[notify]\nemail = \"-oQ/tmp@x.org\"\n",
                2,
                "is not one mail address",
            ),
            (
                "[notify]\nemail = \"a@x.org, b@y.org\"\n",
                2,
                "is not one mail address",
            ),
            ("[notify]\nexec = \"alert.sh\"\n", 2, "absolute path"),
            (
                "[notify]\nwebhook = { address = \"https://x.org\" }\n",
                2,
                "needs `url`",
            ),
            (
                "[notify]\nemail = { to = \"a@x.org\", severity = \"high\" }\n",
                2,
                "unknown severity",
            ),
        ] {
            match parse(text) {
                Err(ConfigError::Invalid {
                    line: l,
                    detail,
                    path,
                }) => {
                    assert_eq!(l, line, "{text}: {detail}");
                    assert!(detail.contains(says), "{text}: {detail}");
                    assert_eq!(path, Path::new("/home/op/.nyxrc"));
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
