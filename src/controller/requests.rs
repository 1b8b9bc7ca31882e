//! Requests to the controller task: carried out while connected (each in a
//! task of its own, so the session loop keeps draining events), refused
//! while tor is away — but for those that need no tor (files, the event
//! selection kept for the next connection).

use super::handle::{answer, Answer};
use super::inbox::{Done, Post};
use super::{log_rejected, subscribe, subscription, RequestError, SharedState};
use crate::control::{Client, ClientError, Reply};
use rnyx_grammar::command::Command;
use rnyx_grammar::request::{FileRequest, Request, Response, SessionRequest, TorRequest};
use rnyx_model::EventSelection;

/// Files read for a page (a torrc) are at most this large.
pub const MAX_READ: u64 = 8 << 20;

/// What a session's tor requests are carried out with: its connection,
/// and where results the session loop applies go (SETEVENTS answered, a
/// SAVECONF done).
pub(super) struct Session<'a> {
    pub client: &'a Client,
    pub post: &'a Post,
    /// The torrc tor was started with (`config-file`), where tor is here.
    pub torrc: Option<std::path::PathBuf>,
    /// The events of what tor hosts (an onion service's), subscribed too.
    pub extra: Vec<&'static str>,
}

/// Carries out a request of tor's or of files. The session's own requests
/// (history, replay, reconnect, manual) and the interpreter's are the
/// caller's.
pub(super) fn carry_out(session: &Session<'_>, request: Request, reply: Answer) {
    let request = match request {
        Request::Tor(r) => r,
        Request::File(file) => return files(file, reply),
        // Not reached (see `on_request`).
        Request::Session(_) => return,
    };
    let c = session.client.clone();
    // Each arm spawns the request's task (the handle is not awaited).
    let _task = match request {
        TorRequest::Command(command) => tokio::spawn(async move {
            let response = match c.send(&command).await {
                Ok(r) => Response::Reply(r),
                Err(e) => failure(e),
            };
            answer(reply, response);
        }),
        TorRequest::GetInfo(keys) => tokio::spawn(async move {
            let response = match c.send(&Command::GetInfo(keys)).await {
                Ok(r) if r.is_ok() => Response::info(&r),
                Ok(r) => Response::refusal(&r),
                Err(e) => failure(e),
            };
            answer(reply, response);
        }),
        TorRequest::ResetConf(names) => tokio::spawn(async move {
            answer(reply, done(c.send(&Command::ResetConf(names)).await));
        }),
        TorRequest::SaveConf { force } => {
            let (post, torrc) = (session.post.clone(), session.torrc.clone());
            tokio::spawn(async move {
                let result = c.send(&Command::SaveConf { force }).await;
                if result.as_ref().is_ok_and(Reply::is_ok) {
                    post.send(Done::Saved).await;
                }
                answer(reply, moved_aside(done(result), torrc.as_deref()));
            })
        }
        TorRequest::Signal(name) => tokio::spawn(async move {
            let response = match c.send_ok(&Command::Signal(name.clone())).await {
                Ok(_) => Response::Done(format!("{name} sent")),
                Err(e) => failure(e),
            };
            answer(reply, response);
        }),
        TorRequest::GetConf(keys) => tokio::spawn(async move {
            let response = match c.send(&Command::GetConf(keys)).await {
                Ok(r) if r.is_ok() => Response::Conf(r.conf_values()),
                Ok(r) => refused("GETCONF", &r),
                Err(e) => failure(e),
            };
            answer(reply, response);
        }),
        TorRequest::SetConf(pairs) => tokio::spawn(async move {
            let response = match c.send(&Command::SetConf(pairs)).await {
                Ok(r) if r.is_ok() => Response::Done(String::new()),
                Ok(r) => refused("SETCONF", &r),
                Err(e) => failure(e),
            };
            answer(reply, response);
        }),
        TorRequest::SetEvents(events) => {
            let (post, extra) = (session.post.clone(), session.extra.clone());
            tokio::spawn(async move {
                let mut events = events;
                let result = subscribe(&c, &mut events, &extra).await;
                post.send(Done::Subscribed((events, result, reply))).await;
            })
        }
        // The interpreter's own connection: not reached (see `on_request`).
        TorRequest::Interpret(_) => return,
    };
}

/// A refused SAVECONF where tor had already renamed the torrc aside
/// (`torrc.orig.N`) before it failed to write the new one (a full disk):
/// the refusal says where the torrc is now, or tor will not start next time.
fn moved_aside(response: Response, torrc: Option<&std::path::Path>) -> Response {
    let (Response::Refused { status, message }, Some(torrc)) = (&response, torrc) else {
        return response;
    };
    if torrc.exists() {
        return response;
    }
    let newest = (1..100)
        .map(|n| {
            let mut name = torrc.as_os_str().to_owned();
            name.push(format!(".orig.{n}"));
            std::path::PathBuf::from(name)
        })
        .take_while(|p| p.exists())
        .last();
    match newest {
        Some(orig) => Response::Refused {
            status: *status,
            message: format!(
                "{message} tor moved the torrc to {} first: move it back, or tor will not start again",
                orig.display()
            ),
        },
        None => response,
    }
}

/// Answers a request while tor is not connected: files are read and
/// written all the same; tor's requests are refused.
pub(super) fn refuse(request: Request, reply: Answer) {
    match request {
        Request::File(file) => files(file, reply),
        // Written at the end of the last session already.
        Request::Session(SessionRequest::SaveHistory) => {
            answer(reply, Response::Done(String::new()));
        }
        _ => answer(reply, Response::NotConnected),
    }
}

/// `ReadFile` and `WriteFile`, off the task's loop.
fn files(request: FileRequest, reply: Answer) {
    tokio::task::spawn_blocking(move || {
        let response = match request {
            FileRequest::Read(path) => {
                let full = crate::local::expand_home(std::path::Path::new(&path));
                match read_limited(&full) {
                    Ok(text) => Response::Text(text),
                    Err(e) => Response::Failed(format!("cannot read {}: {e}", full.display())),
                }
            }
            FileRequest::Write { path, text } => match crate::files::save_snapshot(&path, &text) {
                Ok(p) => Response::Done(p.display().to_string()),
                Err(e) => Response::Failed(e.to_string()),
            },
        };
        answer(reply, response);
    });
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

/// A typed command's reply: done when tor said yes, else tor's refusal.
fn done(sent: Result<Reply, ClientError>) -> Response {
    match sent {
        Ok(r) if r.is_ok() => Response::Done(String::new()),
        Ok(r) => Response::refusal(&r),
        Err(e) => failure(e),
    }
}

/// tor's refusal of GETCONF or SETCONF, in a sentence for the page.
fn refused(command: &str, r: &Reply) -> Response {
    match Response::refusal(r) {
        Response::Refused { status, message } => {
            Response::Failed(format!("tor refused {command}: {status} {message}"))
        }
        other => other,
    }
}

/// The connection's error as a response (a timeout keeps its kind).
pub(super) fn failure(e: ClientError) -> Response {
    RequestError::Client(e).response()
}

/// A SETEVENTS done: the selection and tor's answer into the state, the
/// answer to who asked; the connection's error if it broke.
pub(super) fn subscribed(
    state: &SharedState,
    wanted: &mut EventSelection,
    new: EventSelection,
    result: Result<Vec<String>, ClientError>,
    reply: Answer,
) -> Result<(), String> {
    match result {
        Ok(rejected) => {
            *wanted = new;
            state.update(|s| {
                s.logs.logged_events.clone_from(wanted);
                s.logs.subscribed_events = subscription(wanted, &s.hosted_events());
                log_rejected(s, &rejected);
            });
            answer(reply, Response::Events { rejected });
            Ok(())
        }
        Err(e) => {
            answer(reply, failure(e.clone()));
            Err(e.to_string())
        }
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
        assert_eq!(
            RequestError::NotConnected.response(),
            Response::NotConnected
        );
        let timeout = failure(ClientError::Timeout {
            command: "GETINFO x".into(),
            secs: 15,
        });
        assert_eq!(
            timeout,
            Response::Timeout("tor did not answer `GETINFO x` within 15 s".into())
        );
        assert!(matches!(
            RequestError::Stopped.response(),
            Response::Failed(_)
        ));
    }
}
