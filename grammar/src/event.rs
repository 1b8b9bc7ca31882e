//! Typed asynchronous events (control-spec §4.1). Events this version does not
//! know are kept as [`Event::Other`] with their raw text; a known event whose
//! values the spec rules out is [`Event::Malformed`], with the reason: it
//! reaches no table of the state, and nothing tor sends is dropped unseen.

use super::args::tokens;
use super::reply::Reply;
use crate::spec::{self, Refused};
use base64::Engine as _;
use rnyx_model::text::strip_controls;
use rnyx_model::{Circuit, CircuitStatus, CompactString, OrConnStatus, OrConnection, Runlevel};

/// Which STATUS_* event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    General,
    Client,
    Server,
}

impl StatusKind {
    /// The event's name as tor spells it.
    pub fn event_name(self) -> &'static str {
        match self {
            StatusKind::General => "STATUS_GENERAL",
            StatusKind::Client => "STATUS_CLIENT",
            StatusKind::Server => "STATUS_SERVER",
        }
    }
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
    /// CIRC_MINOR (§4.1.14): a circuit's purpose changed (an onion
    /// service's introduction point established) or it was cannibalized;
    /// `circuit.status` holds the event's word (`PURPOSE_CHANGED`).
    CircuitMinor {
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
    Signal(crate::signal::Signal),
    /// NETWORK_LIVENESS: whether tor thinks the network is up (`UP`,
    /// `DOWN`, or a word a newer tor adds, kept as tor wrote it).
    Liveness {
        status: String,
    },
    /// HS_DESC: an onion service descriptor's upload or fetch.
    HsDesc(Box<onion::HsDesc>),
    /// PT_STATUS: a pluggable transport's status (`CONNECT=Success`…).
    PtStatus {
        program: String,
        transport: Option<String>,
        fields: Vec<(String, String)>,
    },
    /// TRANSPORT_LAUNCHED (§4.1.21): a pluggable transport tor launched
    /// listens: `server` (a bridge's) or `client`, its name, address and
    /// port.
    TransportLaunched {
        kind: String,
        name: String,
        address: std::net::IpAddr,
        port: u16,
    },
    /// PT_LOG: a pluggable transport's log line.
    PtLog {
        program: String,
        severity: String,
        message: String,
    },
    /// Any other event.
    Other {
        name: String,
        text: String,
    },
    /// A known event whose values the control-spec rules out: why, and
    /// everything tor sent for it.
    Malformed {
        name: String,
        reason: String,
        text: String,
    },
}

impl Event {
    /// The event's name as tor spells it (`BW`, `CIRC`, `NOTICE`…).
    pub fn name(&self) -> &str {
        match self {
            Event::Other { name, .. } | Event::Malformed { name, .. } => name,
            known => known.known_name().unwrap_or_default(),
        }
    }

    /// The name of any event but [`Event::Other`], without borrowing it.
    pub fn known_name(&self) -> Option<&'static str> {
        Some(match self {
            Event::Bandwidth { .. } => "BW",
            Event::Log { runlevel, .. } => runlevel.as_str(),
            Event::Circuit { .. } => "CIRC",
            Event::CircuitMinor { .. } => "CIRC_MINOR",
            Event::Stream(_) => "STREAM",
            Event::OrConn { .. } => "ORCONN",
            Event::NewConsensus(_) => "NEWCONSENSUS",
            Event::Ns(_) => "NS",
            Event::Status { kind, .. } => kind.event_name(),
            Event::ConfChanged(_) => "CONF_CHANGED",
            Event::Signal(_) => "SIGNAL",
            Event::Liveness { .. } => "NETWORK_LIVENESS",
            Event::HsDesc(_) => "HS_DESC",
            Event::PtStatus { .. } => "PT_STATUS",
            Event::PtLog { .. } => "PT_LOG",
            Event::TransportLaunched { .. } => "TRANSPORT_LAUNCHED",
            Event::Other { .. } | Event::Malformed { .. } => return None,
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
            "CIRC" => parse_circ(rest).map(|(circuit, reason)| Event::Circuit {
                circuit: Box::new(circuit),
                reason,
            }),
            "CIRC_MINOR" => parse_circ(rest).map(|(circuit, reason)| Event::CircuitMinor {
                circuit: Box::new(circuit),
                reason,
            }),
            "STREAM" => parse_stream(rest).map(Event::Stream),
            "ORCONN" => parse_orconn(rest),
            "NEWCONSENSUS" => Ok(Event::NewConsensus(parse_router_statuses(
                &data_or_mid_lines(reply),
            ))),
            "NS" => Ok(Event::Ns(parse_router_statuses(&data_or_mid_lines(reply)))),
            "STATUS_GENERAL" => parse_status(StatusKind::General, rest),
            "STATUS_CLIENT" => parse_status(StatusKind::Client, rest),
            "STATUS_SERVER" => parse_status(StatusKind::Server, rest),
            "CONF_CHANGED" => Ok(parse_conf_changed(reply)),
            "SIGNAL" => Ok(Event::Signal(crate::signal::Signal::of(rest.trim()))),
            "NETWORK_LIVENESS" => parse_liveness(rest),
            "HS_DESC" => onion::parse_hs_desc(rest),
            "PT_STATUS" => onion::parse_pt_status(rest),
            "PT_LOG" => onion::parse_pt_log(rest),
            "TRANSPORT_LAUNCHED" => onion::parse_transport_launched(rest),
            _ => match name.parse::<Runlevel>() {
                // Only tor's exact names are log events (not "WARNING").
                Ok(runlevel) if runlevel.as_str() == name => Ok(Event::Log {
                    runlevel,
                    message: match &first.data {
                        // `650+WARN` then the message's lines (§4.1.5):
                        // kept as lines, `\n` between them.
                        Some(d) => d.clone(),
                        None => rest.to_owned(),
                    },
                }),
                _ => return other(name, raw_text(reply)),
            },
        };
        parsed.unwrap_or_else(|refused| Event::Malformed {
            name: name.to_owned(),
            reason: refused.0,
            text: raw_text(reply),
        })
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

/// `BW BytesRead BytesWritten *(SP Type "=" Num)` (§4.1.4).
fn parse_bw(rest: &str) -> Result<Event, Refused> {
    let mut it = rest.split(' ');
    let read = spec::count("BytesRead", it.next().unwrap_or_default())?;
    let written = spec::count("BytesWritten", it.next().unwrap_or_default())?;
    Ok(Event::Bandwidth { read, written })
}

/// The next positional word, or why it is missing.
fn positional<'a>(
    toks: &mut super::args::Tokens<'a>,
    what: &str,
) -> Result<std::borrow::Cow<'a, str>, Refused> {
    match toks.next() {
        Some(t) if t.key.is_none() => Ok(t.value),
        Some(t) => Err(spec::refuse(what, &t.value, "given (a keyword came first)")),
        None => Err(Refused(format!("{what} is missing"))),
    }
}

/// A word in a status's, purpose's or flag's place (`CircStatus`,
/// `StreamStatus`, `ORStatus`, `PURPOSE`): open, as the spec asks — any
/// word a newer tor writes is read (see [`spec`]'s rule); only an empty
/// one, or one with control characters, is not a word.
pub(crate) fn status_word(field: &str, value: &str) -> Result<(), Refused> {
    if !value.is_empty() && !value.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(spec::refuse(field, value, "a word"))
    }
}

/// `split_once(' ')` by `memchr` (faster on the short words of events).
fn split_space(s: &str) -> Option<(&str, &str)> {
    let i = memchr::memchr(b' ', s.as_bytes())?;
    Some((&s[..i], &s[i + 1..]))
}

/// Parses `CircuitID SP CircStatus [SP Path] *(SP KEY=VALUE)` (§4.1.1), as
/// in a CIRC event or a `circuit-status` line, with the close reason.
/// Unknown keywords are tolerated (the spec's extension rule); the values of
/// those read are checked. `SOCKS_USERNAME` and `SOCKS_PASSWORD` are not kept.
pub fn parse_circ(text: &str) -> Result<(Circuit, Option<String>), Refused> {
    let mut toks = tokens(text);
    let id = spec::id("CircuitID", &positional(&mut toks, "CircuitID")?)?;
    let status = positional(&mut toks, "CircStatus")?;
    status_word("CircStatus", &status)?;
    let status = CircuitStatus::parse(&status);
    let mut circuit = Circuit {
        id,
        status,
        path: Vec::new(),
        build_flags: CompactString::default(),
        purpose: None,
        time_created: None,
        hs_state: None,
        rend_query: None,
    };
    let mut reason = None;
    for (i, t) in toks.enumerate() {
        match t.key {
            None if i == 0 => circuit.path = super::names::parse_path(&t.value)?,
            Some("BUILD_FLAGS") => {
                // `BuildFlag *("," BuildFlag)`: words (open), none empty.
                let v = t.value.as_bytes();
                if v.is_empty()
                    || v.first() == Some(&b',')
                    || v.last() == Some(&b',')
                    || memchr::memmem::find(v, b",,").is_some()
                    || t.value.chars().any(char::is_control)
                {
                    return Err(spec::refuse("BUILD_FLAGS", &t.value, "a list of flags"));
                }
                circuit.build_flags = CompactString::from(&*t.value);
            }
            Some("PURPOSE") => {
                status_word("PURPOSE", &t.value)?;
                circuit.purpose = Some(CompactString::from(&*t.value));
            }
            Some("TIME_CREATED") => {
                spec::iso_time2frac("TIME_CREATED", &t.value)?;
                circuit.time_created = Some(CompactString::from(&*t.value));
            }
            Some("REASON") => reason = Some(strip_controls(&t.value)),
            Some("HS_STATE") => {
                status_word("HS_STATE", &t.value)?;
                circuit.hs_state = Some(CompactString::from(&*t.value));
            }
            Some("REND_QUERY") => {
                onion::hs_address("REND_QUERY", &t.value)?;
                circuit.rend_query = Some(CompactString::from(&*t.value));
            }
            // Extra positional arguments and unknown keywords are tolerated.
            _ => {}
        }
    }
    // Only a service's own circuits keep their onion state: a client's
    // REND_QUERY is an address the operator visits.
    if !circuit
        .purpose
        .as_deref()
        .is_some_and(rnyx_model::onion::service_purpose)
    {
        circuit.hs_state = None;
        circuit.rend_query = None;
    }
    Ok((circuit, reason))
}

/// `StreamID SP StreamStatus SP CircuitID SP Target *(SP KEY=VALUE)`
/// (§4.1.2), a STREAM event's text and a line of `stream-status`.
/// `SOCKS_USERNAME` and `SOCKS_PASSWORD` are not kept.
pub fn parse_stream(rest: &str) -> Result<StreamEvent, Refused> {
    let mut toks = tokens(rest);
    let id = spec::id("StreamID", &positional(&mut toks, "StreamID")?)?;
    let status = positional(&mut toks, "StreamStatus")?;
    status_word("StreamStatus", &status)?;
    // 0 while the stream is not attached to a circuit.
    let circuit_id = spec::id("CircuitID", &positional(&mut toks, "CircuitID")?)?;
    let target = positional(&mut toks, "Target")?;
    spec::target("Target", &target, true)?;
    let mut purpose = None;
    for t in toks {
        if t.key == Some("PURPOSE") {
            status_word("PURPOSE", &t.value)?;
            purpose = Some(t.value.into_owned());
        }
    }
    Ok(StreamEvent {
        id,
        status: status.into_owned(),
        circuit_id,
        target: target.into_owned(),
        purpose,
    })
}

/// `ORCONN (LongName / Target) SP ORStatus [SP "REASON=" Reason]
/// [SP "NCIRCS=" NumCircuits] [SP "ID=" ConnID]` (§4.1.3).
fn parse_orconn(rest: &str) -> Result<Event, Refused> {
    let mut toks = tokens(rest);
    let target = positional(&mut toks, "ORCONN target")?;
    or_target(&target)?;
    let status = positional(&mut toks, "ORStatus")?;
    status_word("ORStatus", &status)?;
    let mut connection = OrConnection {
        id: None,
        target: target.into_owned(),
        status: OrConnStatus::parse(&status),
        circuits: None,
        first_seen: 0,
        before_start: false,
    };
    let mut reason = None;
    for t in toks {
        match t.key {
            Some("ID") => connection.id = Some(spec::id("ID", &t.value)?),
            Some("NCIRCS") => {
                let n = spec::count("NCIRCS", &t.value)?;
                connection.circuits = Some(
                    u32::try_from(n)
                        .map_err(|_| spec::refuse("NCIRCS", &t.value, "a count of circuits"))?,
                );
            }
            Some("REASON") => reason = Some(strip_controls(&t.value)),
            _ => {}
        }
    }
    Ok(Event::OrConn { connection, reason })
}

/// An OR connection's peer: a `LongName`, or an `address:port` while tor
/// does not know the relay's identity.
pub fn or_target(target: &str) -> Result<(), Refused> {
    if target.starts_with('$') || !target.contains(':') {
        super::names::parse_long_name(target).map(drop)
    } else {
        spec::target("ORCONN target", target, false).map(drop)
    }
}

fn parse_status(kind: StatusKind, rest: &str) -> Result<Event, Refused> {
    let mut toks = tokens(rest);
    let severity = positional(&mut toks, "Severity")?.into_owned();
    let action = positional(&mut toks, "Action")?.into_owned();
    let arguments = toks
        .map(|t| (t.key.unwrap_or_default().to_owned(), t.value.into_owned()))
        .collect();
    Ok(Event::Status {
        kind,
        severity,
        action,
        arguments,
    })
}

/// `NETWORK_LIVENESS SP Status` (control-spec §4.1.27): the spec lists
/// `UP` and `DOWN`; another word, and keywords after it, are what a newer
/// tor may add, kept (§4.1: controllers accept them). A keyword in the
/// status's place breaks the structure and is refused.
fn parse_liveness(rest: &str) -> Result<Event, Refused> {
    let mut toks = tokens(rest);
    let status = positional(&mut toks, "Status")?;
    status_word("Status", &status)?;
    Ok(Event::Liveness {
        status: status.into_owned(),
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

/// A consensus entry as the model keeps it.
impl From<RouterStatus> for rnyx_model::RelayEntry {
    fn from(r: RouterStatus) -> Self {
        let v4 = format!("{}:{}", r.address, r.or_port);
        Self {
            or_address: v4.parse().ok(),
            ipv6_address: r.ipv6.as_deref().and_then(|a| a.parse().ok()),
            flags: r.flags.join(" "),
            fingerprint: r.fingerprint,
            nickname: r.nickname,
        }
    }
}

mod describe;
mod onion;
pub use onion::{onion_address, HsDesc};
#[cfg(test)]
mod refusals;
#[cfg(test)]
mod tests;
