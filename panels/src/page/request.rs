//! What pages and the app ask of the I/O side, and what comes back.

/// Names one request, so its response reaches the page that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ticket(pub u64);

/// What the app asks the I/O side to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
    /// Retry connecting to tor now.
    Reconnect,
    /// Show this relay (of those watched) on every page.
    SelectRelay(usize),
    /// Carry out `request`; its [`Response`] comes back with `ticket`.
    Request {
        ticket: Ticket,
        request: Request,
    },
}

/// Work only the I/O side can do. Every control-port command is typed
/// (built and quoted by `rnyx_grammar::command`); only the interpreter's
/// typed text goes to tor as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
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
    Signal(String),
    /// `GETCONF`: [`Response::Conf`], one `(option, value)` a line of tor's
    /// reply (`None`: unset / default).
    GetConf(Vec<String>),
    /// `SETCONF option=value …` (`None` resets the option to its
    /// default): [`Response::Done`] or [`Response::Failed`] with tor's words.
    SetConf(Vec<(String, Option<String>)>),
    /// Replace the events shown in the log: [`Response::Events`].
    SetEvents(crate::model::EventSelection),
    /// Read a text file (`~` is the home directory): [`Response::Text`].
    ReadFile(String),
    /// Write `text` to a file readable by its owner only (`~` is the home
    /// directory), creating parent directories: [`Response::Done`] with the
    /// path written.
    WriteFile { path: String, text: String },
    /// Pause, seek or change the speed of a replay: [`Response::Done`]
    /// saying where it is, or [`Response::Failed`] when this is no replay.
    Replay(crate::model::ReplayControl),
}

/// One line of a reply from tor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TorReplyLine {
    pub status: u16,
    pub text: String,
    /// The data block of a `+` line.
    pub data: Option<String>,
}

/// A whole reply from tor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TorReply {
    pub status: u16,
    pub lines: Vec<TorReplyLine>,
}

impl TorReply {
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// What came of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// tor's whole reply to an interpreted command.
    Reply(TorReply),
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
