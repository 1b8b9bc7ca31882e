//! Carries out what pages ask for ([`Request`]) and turns the outcome into
//! the typed [`Response`] the asking page gets back with its ticket.

use crate::control::{ClientError, Reply};
use crate::controller::{ControllerHandle, RequestError};
use rnyx_grammar::command::Command;
use rnyx_panels::page::{Request, Response, TorReply, TorReplyLine};

/// Files read for a page (a torrc) are at most this large.
pub const MAX_READ: u64 = 8 << 20;

/// Performs one request; never fails: every failure is a response.
pub async fn carry_out(handle: &ControllerHandle, request: Request) -> Response {
    match request {
        Request::GetInfo(keys) => match send(handle, &Command::GetInfo(keys)).await {
            Ok(reply) => Response::Info(info_values(&reply)),
            Err(response) => response,
        },
        Request::ResetConf(names) => done(send(handle, &Command::ResetConf(names)).await),
        Request::SaveConf { force } => done(send(handle, &Command::SaveConf { force }).await),
        Request::Interpret(command) => match handle.interpret(&command).await {
            Ok(reply) => Response::Reply(tor_reply(reply)),
            Err(e) => failure(e),
        },
        Request::Signal(name) => match handle.signal(&name).await {
            Ok(()) => Response::Done(format!("{name} sent")),
            Err(e) => failure(e),
        },
        Request::GetConf(keys) => match send(handle, &Command::GetConf(keys)).await {
            Ok(reply) => Response::Conf(reply.conf_values()),
            Err(Response::Refused { status, message }) => {
                Response::Failed(format!("tor refused GETCONF: {status} {message}"))
            }
            Err(response) => response,
        },
        Request::SetConf(pairs) => match send(handle, &Command::SetConf(pairs)).await {
            Ok(_) => Response::Done(String::new()),
            Err(Response::Refused { status, message }) => {
                Response::Failed(format!("tor refused SETCONF: {status} {message}"))
            }
            Err(response) => response,
        },
        Request::SetEvents(selection) => match handle.set_events(selection).await {
            Ok(rejected) => Response::Events { rejected },
            Err(e) => failure(e),
        },
        Request::Replay(control) => match handle.replay(control).await {
            Ok(()) => Response::Done(String::new()),
            Err(e) => failure(e),
        },
        Request::ReadFile(path) => {
            blocking(move || {
                let full = crate::config::expand_home(std::path::Path::new(&path));
                match read_limited(&full) {
                    Ok(text) => Response::Text(text),
                    Err(e) => Response::Failed(format!("cannot read {}: {e}", full.display())),
                }
            })
            .await
        }
        Request::WriteFile { path, text } => {
            blocking(move || match crate::ui::save_snapshot(&path, &text) {
                Ok(p) => Response::Done(p.display().to_string()),
                Err(e) => Response::Failed(e.to_string()),
            })
            .await
        }
    }
}

/// Sends a typed command: tor's reply when it says yes, else the response
/// that says why not ([`Response::Refused`] with tor's words).
async fn send(handle: &ControllerHandle, command: &Command) -> Result<Reply, Response> {
    match handle.command(command.clone()).await {
        Ok(reply) if reply.is_ok() => Ok(reply),
        Ok(reply) => Err(refusal(&reply)),
        Err(e) => Err(failure(e)),
    }
}

fn done(sent: Result<Reply, Response>) -> Response {
    match sent {
        Ok(_) => Response::Done(String::new()),
        Err(response) => response,
    }
}

/// tor's refusal of a typed request, in its words.
pub(crate) fn refusal(reply: &Reply) -> Response {
    Response::Refused {
        status: reply.status,
        message: reply.message().to_owned(),
    }
}

/// GETINFO's `key=value` lines and `key=` data blocks, as typed values.
pub(crate) fn info_values(reply: &Reply) -> Vec<(String, String)> {
    reply
        .key_values()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Response::Failed(format!("the file task failed: {e}")))
}

fn read_limited(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_READ + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_READ {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            MAX_READ >> 20
        )));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn failure(e: RequestError) -> Response {
    match e {
        RequestError::NotConnected => Response::NotConnected,
        RequestError::Client(e @ ClientError::Timeout { .. }) => Response::Timeout(e.to_string()),
        other => Response::Failed(other.to_string()),
    }
}

pub(crate) fn tor_reply(reply: Reply) -> TorReply {
    TorReply {
        status: reply.status,
        lines: reply
            .lines
            .into_iter()
            .map(|l| TorReplyLine {
                status: l.status,
                text: l.text,
                data: l.data,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::ReplyFramer;

    fn reply(text: &str) -> Reply {
        let mut f = ReplyFramer::new();
        f.push(text.as_bytes());
        f.next_reply().unwrap().unwrap()
    }

    #[test]
    fn getconf_values_quoted_bare_and_unset() {
        let r = reply(
            "250-Nickname=relay0\r\n250-Log=\"notice file /var/log/tor/a b\"\r\n250 ORPort\r\n",
        );
        assert_eq!(
            r.conf_values(),
            [
                ("Nickname".to_owned(), Some("relay0".to_owned())),
                (
                    "Log".to_owned(),
                    Some("notice file /var/log/tor/a b".to_owned())
                ),
                ("ORPort".to_owned(), None),
            ]
        );
    }

    #[test]
    fn failures_keep_their_kind() {
        assert_eq!(failure(RequestError::NotConnected), Response::NotConnected);
        let timeout = failure(RequestError::Client(ClientError::Timeout {
            command: "GETINFO x".into(),
            secs: 15,
        }));
        assert_eq!(
            timeout,
            Response::Timeout("tor did not answer `GETINFO x` within 15 s".into())
        );
        assert!(matches!(
            failure(RequestError::Stopped),
            Response::Failed(_)
        ));
    }
}
