//! Running a typed line: one dispatcher for page 5 and `rnyx prompt`. It
//! does no I/O: it says what to show and what to ask tor; the caller asks
//! (page 5 through the controller task, the prompt on its own connection)
//! and hands each answer to [`answer_lines`].

use super::{help, info, parse, shown, EventFilter, Kind, Names, Typed};
use crate::page::Response;
use rnyx_model::{ControllerState, Manual};
use std::borrow::Cow;

/// What the interpreter refuses to send: a command whose data follows on
/// lines of its own.
pub const MULTI_LINE: &str =
    "multi-line commands (+LOADCONF, +POSTDESCRIPTOR, …) cannot be typed here";

/// What a line holding a control character gets.
pub const CONTROL: &str = "the line holds control characters (a paste?): not sent";

/// What a line is run with.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// tor's names, for `/help`.
    pub names: &'a Names,
    pub manual: Option<&'a Manual>,
    /// Where `/info` looks relays up (the consensus index, our relay).
    pub relays: &'a ControllerState,
    /// The events received on the interpreter's connection and not
    /// cleared, oldest first.
    pub events: &'a [&'a str],
}

/// Something to ask tor for a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// The command as typed, on the interpreter's connection.
    Command(String),
    /// `GETINFO key` for a part of `/info`.
    Info(info::Part, String),
}

/// What running a line came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ran {
    /// Shown at once.
    pub lines: Vec<(Kind, String)>,
    /// Asked of tor, in order; each answer goes to [`answer_lines`].
    pub asks: Vec<Ask>,
    /// The line was not understood or refused.
    pub failed: bool,
    /// `/quit`.
    pub quit: bool,
    /// `/events clear`: the events so far are to be left out from now on.
    pub clear_events: bool,
}

impl Ran {
    fn error(&mut self, text: String) {
        self.failed = true;
        self.lines.push((Kind::Error, text));
    }
}

/// Runs a typed line (what to show, what to ask).
pub fn run(line: &str, cx: &Context<'_>) -> Ran {
    let mut out = Ran::default();
    // Pasted text can hold them; tor would take a CR or LF as the end of
    // the command, and the rest as another.
    if line.chars().any(|c| c.is_control() && c != '\t') {
        out.error(CONTROL.to_owned());
        return out;
    }
    match parse(line) {
        Typed::Empty => {}
        Typed::Tor(command) if command.starts_with('+') => out.error(MULTI_LINE.to_owned()),
        Typed::Tor(command) => out.asks.push(Ask::Command(command)),
        Typed::Slash { command, args } => slash(&command, &args, cx, &mut out),
    }
    out
}

fn slash(command: &str, args: &str, cx: &Context<'_>, out: &mut Ran) {
    match command {
        "/quit" => out.quit = true,
        "/help" => out.lines.extend(
            help(args, cx.names, cx.manual)
                .into_iter()
                .map(|l| (Kind::Reply, l)),
        ),
        "/events" => events(args, cx.events, out),
        "/info" => match info::resolve(args, cx.relays) {
            Ok((lines, asks)) => {
                out.lines
                    .extend(lines.into_iter().map(|l| (Kind::Reply, l)));
                out.asks
                    .extend(asks.into_iter().map(|(part, key)| Ask::Info(part, key)));
            }
            Err(why) => out.error(why),
        },
        other => out.error(format!(
            "unknown command {}: /help lists them",
            shown(other)
        )),
    }
}

/// `/events [TYPES|clear]`: newest first.
fn events(args: &str, events: &[&str], out: &mut Ran) {
    if args.eq_ignore_ascii_case("clear") {
        out.clear_events = true;
        out.lines.push((Kind::Note, "events cleared".into()));
        return;
    }
    let filter = EventFilter::parse(args);
    let before = out.lines.len();
    out.lines.extend(
        events
            .iter()
            .rev()
            .filter(|e| filter.shows(e))
            .map(|e| (Kind::Event, (*e).to_owned())),
    );
    if out.lines.len() == before {
        out.lines.push((
            Kind::Note,
            "no events received on the interpreter's connection (SETEVENTS subscribes to some)"
                .into(),
        ));
    }
}

/// Lines of output, made as they are read (a reply of megabytes is not
/// copied to be shown in part).
pub type Lines<'a> = Box<dyn Iterator<Item = (Kind, Cow<'a, str>)> + 'a>;

/// The lines tor's answer to `ask` adds, and whether it is an error:
/// a reply's values for 2xx, `status text` otherwise, data blocks whole.
pub fn answer_lines<'a>(ask: &'a Ask, response: &'a Response) -> (Lines<'a>, bool) {
    match (ask, response) {
        (Ask::Info(part, _), response) => {
            let lines = info::answer(part, response);
            (
                Box::new(lines.into_iter().map(|(k, l)| (k, Cow::Owned(l)))),
                false,
            )
        }
        (Ask::Command(_), Response::Reply(r)) => {
            let many = r.lines.len() > 1;
            let last = r.lines.len().saturating_sub(1);
            let lines = r.lines.iter().enumerate().flat_map(move |(i, line)| {
                let ok = (200..300).contains(&line.status);
                let head = if ok && many && i == last && line.text == "OK" {
                    None
                } else if ok {
                    Some((Kind::Reply, Cow::Borrowed(line.text.as_str())))
                } else {
                    Some((
                        Kind::ReplyError,
                        Cow::Owned(format!("{} {}", line.status, line.text)),
                    ))
                };
                let kind = if ok { Kind::Reply } else { Kind::ReplyError };
                let data = line
                    .data
                    .as_deref()
                    .into_iter()
                    .flat_map(str::lines)
                    .map(move |l| (kind, Cow::Borrowed(l)));
                head.into_iter().chain(data)
            });
            (Box::new(lines), !r.is_ok())
        }
        (Ask::Command(_), other) => {
            let why = other.error().map(|why| (Kind::Error, Cow::Owned(why)));
            (Box::new(why.into_iter()), true)
        }
    }
}
