//! Typed asynchronous events (control-spec §4.1). Events this version does not
//! know, and known events whose text it cannot read, are kept as
//! [`Event::Other`] with their raw text: nothing tor sends is dropped.

use super::args::tokens;
use super::reply::Reply;
use base64::Engine as _;
use rnyx_panels::model::{
    Circuit, CircuitStatus, CompactString, OrConnStatus, OrConnection, Runlevel,
};
use rnyx_panels::text::{strip_controls, strip_controls_compact};

/// Which STATUS_* event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    General,
    Client,
    Server,
}

/// A STREAM event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEvent {
    pub id: u64,
    pub status: String,
    pub circuit_id: u64,
    pub target: String,
    pub purpose: Option<String>,
}

/// One router status entry (an `r`/`s`/`w` group of a consensus or NS event).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RouterStatus {
    pub nickname: String,
    /// Identity fingerprint, 40 upper-case hex digits.
    pub fingerprint: String,
    pub address: String,
    pub or_port: u16,
    /// An IPv6 ORPort (`a [addr]:port`), if listed.
    pub ipv6: Option<String>,
    pub flags: Vec<String>,
    /// Consensus weight (`w Bandwidth=`).
    pub bandwidth: Option<u64>,
}

/// An asynchronous event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// BW: bytes read and written in the last second.
    Bandwidth {
        read: u64,
        written: u64,
    },
    /// DEBUG, INFO, NOTICE, WARN, ERR.
    Log {
        runlevel: Runlevel,
        message: String,
    },
    /// CIRC, with the close reason when there is one.
    Circuit {
        circuit: Box<Circuit>,
        reason: Option<String>,
    },
    Stream(StreamEvent),
    /// ORCONN, with the close reason when there is one.
    OrConn {
        connection: OrConnection,
        reason: Option<String>,
    },
    NewConsensus(Vec<RouterStatus>),
    Ns(Vec<RouterStatus>),
    /// STATUS_GENERAL / STATUS_CLIENT / STATUS_SERVER.
    Status {
        kind: StatusKind,
        severity: String,
        action: String,
        arguments: Vec<(String, String)>,
    },
    /// CONF_CHANGED: option names and their new values (`None` when reset).
    ConfChanged(Vec<(String, Option<String>)>),
    /// SIGNAL: the signal tor acted on.
    Signal(String),
    /// Any other event, or a known one whose text could not be read.
    Other {
        name: String,
        text: String,
    },
}

impl Event {
    /// The event's name as tor spells it (`BW`, `CIRC`, `NOTICE`…).
    pub fn name(&self) -> &str {
        match self {
            Event::Other { name, .. } => name,
            known => known.known_name().unwrap_or_default(),
        }
    }

    /// The name of any event but [`Event::Other`], without borrowing it.
    pub fn known_name(&self) -> Option<&'static str> {
        Some(match self {
            Event::Bandwidth { .. } => "BW",
            Event::Log { runlevel, .. } => runlevel.as_str(),
            Event::Circuit { .. } => "CIRC",
            Event::Stream(_) => "STREAM",
            Event::OrConn { .. } => "ORCONN",
            Event::NewConsensus(_) => "NEWCONSENSUS",
            Event::Ns(_) => "NS",
            Event::Status { kind, .. } => match kind {
                StatusKind::General => "STATUS_GENERAL",
                StatusKind::Client => "STATUS_CLIENT",
                StatusKind::Server => "STATUS_SERVER",
            },
            Event::ConfChanged(_) => "CONF_CHANGED",
            Event::Signal(_) => "SIGNAL",
            Event::Other { .. } => return None,
        })
    }

    /// Reads an asynchronous (650) reply.
    /// Parses an event, taking the reply: a log event's message reuses the
    /// line's text instead of copying it (the DEBUG firehose is mostly those).
    pub fn from_reply(mut reply: Reply) -> Event {
        if let [line] = reply.lines.as_mut_slice() {
            if line.data.is_none() {
                let level = split_space(&line.text).and_then(|(name, _)| {
                    let l = name.parse::<Runlevel>().ok()?;
                    // Only tor's exact names are log events (not "WARNING").
                    (l.as_str() == name).then_some(l)
                });
                if let Some(runlevel) = level {
                    let mut message = std::mem::take(&mut line.text);
                    message.drain(..=runlevel.as_str().len());
                    return Event::Log { runlevel, message };
                }
            }
        }
        Event::parse(&reply)
    }

    pub fn parse(reply: &Reply) -> Event {
        let Some(first) = reply.lines.first() else {
            return other("", String::new());
        };
        let (name, rest) = split_space(&first.text).unwrap_or((&first.text, ""));
        let parsed = match name {
            "BW" => parse_bw(rest),
            "CIRC" => parse_circ(rest, true).map(|(circuit, reason)| Event::Circuit {
                circuit: Box::new(circuit),
                reason,
            }),
            "STREAM" => parse_stream(rest),
            "ORCONN" => parse_orconn(rest),
            "NEWCONSENSUS" => Some(Event::NewConsensus(parse_router_statuses(
                &data_or_mid_lines(reply),
            ))),
            "NS" => Some(Event::Ns(parse_router_statuses(&data_or_mid_lines(reply)))),
            "STATUS_GENERAL" => parse_status(StatusKind::General, rest),
            "STATUS_CLIENT" => parse_status(StatusKind::Client, rest),
            "STATUS_SERVER" => parse_status(StatusKind::Server, rest),
            "CONF_CHANGED" => Some(parse_conf_changed(reply)),
            "SIGNAL" => Some(Event::Signal(rest.trim().to_owned())),
            _ => name.parse::<Runlevel>().ok().and_then(|runlevel| {
                // Only tor's exact names are log events (not "WARNING").
                (runlevel.as_str() == name).then(|| Event::Log {
                    runlevel,
                    message: match &first.data {
                        Some(d) => d.clone(),
                        None => rest.to_owned(),
                    },
                })
            }),
        };
        parsed.unwrap_or_else(|| other(name, raw_text(reply)))
    }
}

fn other(name: &str, text: String) -> Event {
    Event::Other {
        name: name.to_owned(),
        text,
    }
}

/// Everything tor sent for this event, lines joined with `\n`.
fn raw_text(reply: &Reply) -> String {
    let mut out = String::new();
    for l in &reply.lines {
        if l.kind == super::reply::LineKind::End && l.text == "OK" && reply.lines.len() > 1 {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&l.text);
        if let Some(d) = &l.data {
            out.push('\n');
            out.push_str(d);
        }
    }
    out
}

/// NS/NEWCONSENSUS bodies come as a data block (`650+NS`), or as mid lines.
fn data_or_mid_lines(reply: &Reply) -> String {
    if let Some(d) = reply.lines.iter().find_map(|l| l.data.as_deref()) {
        return d.to_owned();
    }
    let mut out = String::new();
    for l in reply.lines.iter().skip(1) {
        out.push_str(&l.text);
        out.push('\n');
    }
    out
}

fn parse_bw(rest: &str) -> Option<Event> {
    let mut it = rest.split(' ');
    let read = it.next()?.parse().ok()?;
    let written = it.next()?.parse().ok()?;
    Some(Event::Bandwidth { read, written })
}

/// `split_once(' ')` by `memchr` (faster on the short words of events).
fn split_space(s: &str) -> Option<(&str, &str)> {
    let i = memchr::memchr(b' ', s.as_bytes())?;
    Some((&s[..i], &s[i + 1..]))
}

/// Parses `CircuitID CircStatus [Path] [KEY=VALUE…]`, as in a CIRC event or a
/// `circuit-status` line. `with_keywords` is false for nothing today but keeps
/// the grammar explicit.
pub fn parse_circ(text: &str, with_keywords: bool) -> Option<(Circuit, Option<String>)> {
    let mut toks = tokens(text);
    let id = toks
        .next()
        .filter(|t| t.key.is_none())?
        .value
        .parse()
        .ok()?;
    let status = CircuitStatus::parse(&toks.next().filter(|t| t.key.is_none())?.value);
    let mut circuit = Circuit {
        id,
        status,
        path: Vec::new(),
        build_flags: CompactString::default(),
        purpose: None,
        time_created: None,
    };
    let mut reason = None;
    for t in toks {
        match t.key {
            None if circuit.path.is_empty() => circuit.path = super::names::parse_path(&t.value),
            Some(_) if !with_keywords => {}
            Some("BUILD_FLAGS") => {
                circuit.build_flags = strip_controls_compact(&t.value);
            }
            Some("PURPOSE") => circuit.purpose = Some(strip_controls_compact(&t.value)),
            Some("TIME_CREATED") => circuit.time_created = Some(strip_controls_compact(&t.value)),
            Some("REASON") => reason = Some(strip_controls(&t.value)),
            // Extra positional arguments and unknown keywords are tolerated.
            _ => {}
        }
    }
    Some((circuit, reason))
}

/// A STREAM event's fields (also a line of `stream-status`).
pub fn parse_stream(rest: &str) -> Option<Event> {
    let mut toks = tokens(rest);
    let id = toks.next()?.value.parse().ok()?;
    let status = strip_controls(&toks.next()?.value);
    let circuit_id = toks.next()?.value.parse().ok()?;
    let target = strip_controls(&toks.next()?.value);
    let purpose = toks
        .find(|t| t.key == Some("PURPOSE"))
        .map(|t| t.value.into_owned());
    Some(Event::Stream(StreamEvent {
        id,
        status,
        circuit_id,
        target,
        purpose,
    }))
}

fn parse_orconn(rest: &str) -> Option<Event> {
    let mut toks = tokens(rest);
    let target = toks.next().filter(|t| t.key.is_none())?.value;
    let status = OrConnStatus::parse(&toks.next().filter(|t| t.key.is_none())?.value);
    let mut connection = OrConnection {
        id: None,
        target: strip_controls(&target),
        status,
        circuits: None,
        first_seen: 0,
        before_start: false,
    };
    let mut reason = None;
    for t in toks {
        match t.key {
            Some("ID") => connection.id = t.value.parse().ok(),
            Some("NCIRCS") => connection.circuits = t.value.parse().ok(),
            Some("REASON") => reason = Some(t.value.into_owned()),
            _ => {}
        }
    }
    Some(Event::OrConn { connection, reason })
}

fn parse_status(kind: StatusKind, rest: &str) -> Option<Event> {
    let mut toks = tokens(rest);
    let severity = toks.next()?.value.into_owned();
    let action = toks.next()?.value.into_owned();
    let arguments = toks
        .map(|t| (t.key.unwrap_or_default().to_owned(), t.value.into_owned()))
        .collect();
    Some(Event::Status {
        kind,
        severity,
        action,
        arguments,
    })
}

fn parse_conf_changed(reply: &Reply) -> Event {
    let changes = reply
        .lines
        .iter()
        .skip(1)
        .filter(|l| !(l.kind == super::reply::LineKind::End && l.text == "OK"))
        .map(|l| match l.text.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (l.text.clone(), None),
        })
        .collect();
    Event::ConfChanged(changes)
}

/// Parses router status entries (`r`, `s`, `w` lines; others ignored).
pub fn parse_router_statuses(text: &str) -> Vec<RouterStatus> {
    let mut out: Vec<RouterStatus> = Vec::new();
    for line in text.lines() {
        let (kw, rest) = line.split_once(' ').unwrap_or((line, ""));
        match kw {
            "r" => {
                let f: Vec<&str> = rest.split(' ').collect();
                let Some(identity) = f.get(1) else { continue };
                out.push(RouterStatus {
                    nickname: strip_controls(f[0]),
                    fingerprint: identity_to_hex(identity).unwrap_or_default(),
                    // r nickname identity digest date time address orport dirport
                    address: f.get(5).map(|s| (*s).to_owned()).unwrap_or_default(),
                    or_port: f.get(6).and_then(|p| p.parse().ok()).unwrap_or(0),
                    ipv6: None,
                    flags: Vec::new(),
                    bandwidth: None,
                });
            }
            "a" => {
                if let Some(last) = out.last_mut() {
                    if last.ipv6.is_none() && rest.starts_with('[') {
                        last.ipv6 = Some(rest.trim().to_owned());
                    }
                }
            }
            "s" => {
                if let Some(last) = out.last_mut() {
                    last.flags = rest
                        .split(' ')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
            }
            "w" => {
                if let Some(last) = out.last_mut() {
                    last.bandwidth = tokens(rest)
                        .find(|t| t.key == Some("Bandwidth"))
                        .and_then(|t| t.value.parse().ok());
                }
            }
            _ => {}
        }
    }
    out
}

/// A router status identity is unpadded base64 of the 20-byte digest.
fn identity_to_hex(b64: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(b64.trim_end_matches('='))
        .ok()?;
    Some(hex::encode_upper(bytes))
}

#[cfg(test)]
mod tests;
