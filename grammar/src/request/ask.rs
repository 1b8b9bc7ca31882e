//! Typed asks: each request a type of its own, whose [`Ask::Answer`] says
//! what answers it. A page asks with one and gets that answer, or a
//! [`Failure`], never a response of another kind.

use super::{FileRequest, Request, Response, SessionRequest, TorRequest};
use crate::reply::Reply;
use std::fmt;

/// Why a request came to nothing: tor refused it, it failed (a file
/// error, tor's words), tor did not answer in time, tor is not connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Refused {
        status: u16,
        message: String,
    },
    Failed(String),
    Timeout(String),
    NotConnected,
    /// An answer of another kind than the request's: a fault of rnyx's,
    /// said rather than dropped.
    Unexpected(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Refused { status, message } => write!(f, "{status} {message}"),
            Failure::Failed(why) | Failure::Timeout(why) => f.write_str(why),
            Failure::NotConnected => f.write_str("tor is not connected"),
            Failure::Unexpected(what) => write!(f, "an unexpected answer ({what})"),
        }
    }
}

impl Failure {
    /// The failure a response is, if it is one; else an unexpected answer.
    fn of(r: Response) -> Failure {
        match r {
            Response::Refused { status, message } => Failure::Refused { status, message },
            Response::Failed(why) => Failure::Failed(why),
            Response::Timeout(why) => Failure::Timeout(why),
            Response::NotConnected => Failure::NotConnected,
            other => Failure::Unexpected(format!("{other:?}").chars().take(60).collect()),
        }
    }
}

/// A request as a type of its own, and what answers it.
pub trait Ask: Into<Request> {
    /// What answers it.
    type Answer: 'static;
    /// The answer in a response, or why there is none.
    fn answer(response: Response) -> Result<Self::Answer, Failure>;
}

/// The asks: what each is, the request it makes, the response's variant
/// that answers it, read into its `Answer`.
macro_rules! ask {
    ($name:ident, |$a:ident| $request:expr, $answer:ty, $pat:pat => $value:expr) => {
        impl From<$name> for Request {
            fn from($a: $name) -> Request {
                $request.into()
            }
        }

        impl Ask for $name {
            type Answer = $answer;
            fn answer(response: Response) -> Result<$answer, Failure> {
                match response {
                    $pat => Ok($value),
                    other => Err(Failure::of(other)),
                }
            }
        }
    };
}

/// `GETINFO key…`: each key with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetInfo(pub Vec<String>);
ask!(GetInfo, |a| TorRequest::GetInfo(a.0), Vec<(String, String)>, Response::Info(v) => v);

/// `GETCONF option…`: each option with its value (`None`: unset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetConf(pub Vec<String>);
ask!(GetConf, |a| TorRequest::GetConf(a.0), Vec<(String, Option<String>)>, Response::Conf(v) => v);

/// `SETCONF`: done, or tor's refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetConf(pub Vec<(String, Option<String>)>);
ask!(SetConf, |a| TorRequest::SetConf(a.0), (), Response::Done(_) => ());

/// `RESETCONF`: done, or tor's refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetConf(pub Vec<String>);
ask!(ResetConf, |a| TorRequest::ResetConf(a.0), (), Response::Done(_) => ());

/// `SAVECONF` (with `FORCE`): what was done (the torrc moved aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveConf {
    pub force: bool,
}
ask!(SaveConf, |a| TorRequest::SaveConf { force: a.force }, String, Response::Done(said) => said);

/// `SIGNAL`: what was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal(pub crate::signal::Signal);
ask!(Signal, |a| TorRequest::Signal(a.0), String, Response::Done(said) => said);

/// `SETEVENTS` of the log's events: those tor rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetEvents(pub rnyx_model::EventSelection);
ask!(SetEvents, |a| TorRequest::SetEvents(a.0), Vec<String>, Response::Events { rejected } => rejected);

/// A typed command on rnyx's connection: tor's whole reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendCommand(pub crate::command::Command);
ask!(SendCommand, |a| TorRequest::Command(a.0), Reply, Response::Reply(r) => r);

/// A line typed in the interpreter, on its own connection: tor's whole
/// reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpret(pub String);
ask!(Interpret, |a| TorRequest::Interpret(a.0), Reply, Response::Reply(r) => r);

/// A text file of the operator's: its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile(pub String);
ask!(ReadFile, |a| FileRequest::Read(a.0), String, Response::Text(text) => text);

/// A file written, owner-only: the path written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteFile {
    pub path: String,
    pub text: String,
}
ask!(WriteFile, |a| FileRequest::Write { path: a.path, text: a.text }, String, Response::Done(path) => path);

/// A replay paused, moved or sped up: where it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay(pub rnyx_model::ReplayControl);
ask!(Replay, |a| SessionRequest::Replay(a.0), String, Response::Done(said) => said);

/// Any request, its response not read: for the interpreter, whose one
/// core (shared with `rnyx prompt`) words every answer tor gives, and for
/// the app's own requests, whose failure is all it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread(pub Request);

impl From<Unread> for Request {
    fn from(ask: Unread) -> Request {
        ask.0
    }
}

impl Ask for Unread {
    type Answer = Response;
    fn answer(response: Response) -> Result<Response, Failure> {
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ask_reads_its_own_answer_and_calls_another_a_fault() {
        let info = vec![("version".to_owned(), "0.4.9".to_owned())];
        assert_eq!(GetInfo::answer(Response::Info(info.clone())), Ok(info));
        assert_eq!(
            GetInfo::answer(Response::Refused {
                status: 552,
                message: "Unrecognized key".into()
            })
            .unwrap_err()
            .to_string(),
            "552 Unrecognized key"
        );
        assert_eq!(
            GetInfo::answer(Response::NotConnected),
            Err(Failure::NotConnected)
        );
        assert!(matches!(
            GetInfo::answer(Response::Text("x".into())),
            Err(Failure::Unexpected(_))
        ));
        assert_eq!(
            ReadFile::answer(Response::Text("a".into())),
            Ok("a".to_owned())
        );
        assert_eq!(
            Request::from(WriteFile {
                path: "p".into(),
                text: "t".into()
            }),
            Request::File(FileRequest::Write {
                path: "p".into(),
                text: "t".into()
            })
        );
        assert!(Request::from(GetConf(vec![])).needs_tor());
        assert!(!Request::from(ReadFile("x".into())).needs_tor());
        assert!(!Request::from(Replay(rnyx_model::ReplayControl::Faster)).needs_tor());
    }
}
