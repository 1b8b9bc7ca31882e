//! What the UI asks of the controller task, and what comes back: one type
//! from a page's request to the task that carries it out. Pure data: the
//! pages build them, the task answers them.

use crate::reply::Reply;

mod ask;
pub use ask::{
    Ask, Failure, GetConf, GetInfo, Interpret, ReadFile, Replay, ResetConf, SaveConf, SendCommand,
    SetConf, SetEvents, Signal, Unread, WriteFile,
};

/// Work only the I/O side can do, by where it goes: to tor, to the
/// operator's files, or to the session itself (the task, a replay's
/// clock). Every control-port command is typed (built and quoted by
/// `rnyx_grammar::command`); only the interpreter's typed text goes to tor
/// as it is. Which [`Response`] answers which request is said once, by the
/// request's [`Ask`] type (`GetInfo`'s answer is its keys' values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// To tor, on rnyx's connection or the interpreter's.
    Tor(TorRequest),
    /// A file of the operator's.
    File(FileRequest),
    /// The session: the task or a replay's clock.
    Session(SessionRequest),
}

impl Request {
    /// Whether it needs tor connected (and answering): a request to tor.
    /// A file, a replay's clock or the session's own work does not.
    pub fn needs_tor(&self) -> bool {
        matches!(self, Request::Tor(_))
    }
}

/// What goes to tor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TorRequest {
    /// A typed command on rnyx's connection (`crate::command`):
    /// [`Response::Reply`] whatever its status.
    Command(crate::command::Command),
    /// `GETINFO key…`: [`Response::Info`] (each key with its value), or
    /// [`Response::Refused`] with tor's words.
    GetInfo(Vec<String>),
    /// `RESETCONF option…`: [`Response::Done`] or [`Response::Refused`].
    ResetConf(Vec<String>),
    /// `SAVECONF`, with `FORCE` when asked: [`Response::Done`] or
    /// [`Response::Refused`].
    SaveConf { force: bool },
    /// A command typed in the interpreter, sent on the interpreter's own
    /// connection (so QUIT or SETEVENTS cannot touch rnyx's):
    /// [`Response::Reply`] whatever its status.
    Interpret(String),
    /// `SIGNAL name`: [`Response::Done`] or [`Response::Failed`].
    Signal(crate::signal::Signal),
    /// `GETCONF`: [`Response::Conf`], one `(option, value)` a line of tor's
    /// reply (`None`: unset / default).
    GetConf(Vec<String>),
    /// `SETCONF option=value …` (`None` resets the option to its
    /// default): [`Response::Done`] or [`Response::Failed`] with tor's words.
    SetConf(Vec<(String, Option<String>)>),
    /// Replace the events shown in the log: [`Response::Events`].
    SetEvents(rnyx_model::EventSelection),
}

/// What goes to the operator's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRequest {
    /// Read a text file (`~` is the home directory): [`Response::Text`].
    Read(String),
    /// Write `text` to a file readable by its owner only (`~` is the home
    /// directory), creating parent directories: [`Response::Done`] with the
    /// path written.
    Write { path: String, text: String },
}

/// What the session does itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionRequest {
    /// Pause, seek or change the speed of a replay: [`Response::Done`]
    /// saying where it is, or [`Response::Failed`] when this is no replay.
    Replay(rnyx_model::ReplayControl),
    /// Write the graph history now (rnyx is stopping): [`Response::Done`].
    SaveHistory,
    /// Connect again now, not after the backoff: no response.
    Reconnect,
    /// Read tor's manual into the state, once (a page showing it was first
    /// shown): no response; the state says when it is there.
    WantManual,
    /// Answer once what is due has reached the state (`--dump`): tor's
    /// facts and the subscription, a first scan of tor's sockets where tor
    /// is here, and in a replay everything up to its clock's position:
    /// [`Response::Done`], or [`Response::NotConnected`].
    Settled,
}

impl From<TorRequest> for Request {
    fn from(r: TorRequest) -> Self {
        Request::Tor(r)
    }
}

impl From<FileRequest> for Request {
    fn from(r: FileRequest) -> Self {
        Request::File(r)
    }
}

impl From<SessionRequest> for Request {
    fn from(r: SessionRequest) -> Self {
        Request::Session(r)
    }
}

/// What came of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// tor's whole reply (an interpreted or typed command).
    Reply(Reply),
    /// GETINFO's answer: each key with its value (a data block whole).
    Info(Vec<(String, String)>),
    /// tor refused a typed request: its status and the end line's text.
    Refused {
        status: u16,
        message: String,
    },
    Conf(Vec<(String, Option<String>)>),
    /// The events tor refused (the rest apply).
    Events {
        rejected: Vec<String>,
    },
    Text(String),
    /// It worked; what to say about it (the path written, …).
    Done(String),
    /// It did not: why, in one sentence (tor's refusal, a file error).
    Failed(String),
    /// tor did not answer in time.
    Timeout(String),
    /// tor is not connected.
    NotConnected,
}

impl Response {
    /// GETINFO's `key=value` lines and `key=` data blocks, as typed values.
    pub fn info(reply: &Reply) -> Response {
        Response::Info(
            reply
                .key_values()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }

    /// tor's refusal of a typed request, in its words.
    pub fn refusal(reply: &Reply) -> Response {
        Response::Refused {
            status: reply.status,
            message: reply.message().to_owned(),
        }
    }

    /// The failure in words, if it is one.
    pub fn error(&self) -> Option<String> {
        match self {
            Response::Failed(why) | Response::Timeout(why) => Some(why.clone()),
            Response::Refused { status, message } => Some(format!("{status} {message}")),
            Response::NotConnected => Some("tor is not connected".to_owned()),
            _ => None,
        }
    }
}
