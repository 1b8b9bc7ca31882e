//! Events in words, as rnyx's log and the interpreter show them.

use super::Event;
use std::fmt::Write as _;

/// ` KEY=value` each (a positional argument without its `KEY=`).
fn push_arguments(s: &mut String, arguments: &[(String, String)]) {
    for (k, v) in arguments {
        s.push(' ');
        if !k.is_empty() {
            s.push_str(k);
            s.push('=');
        }
        s.push_str(v);
    }
}

impl Event {
    /// The event as rnyx logs it: `READ: n, WRITTEN: n` for BW, the
    /// event's text otherwise (secrets tor sends redacted).
    pub fn describe(&self) -> String {
        match self {
            Event::Bandwidth { read, written } => format!("READ: {read}, WRITTEN: {written}"),
            Event::Circuit { circuit, reason } | Event::CircuitMinor { circuit, reason } => {
                let mut s = String::with_capacity(64 + 50 * circuit.path.len());
                let _ = write!(s, "{} {}", circuit.id, circuit.status.as_str());
                for (i, hop) in circuit.path.iter().enumerate() {
                    s.push(if i == 0 { ' ' } else { ',' });
                    let name = hop.nickname.as_deref().or(hop.fingerprint.as_deref());
                    s.push_str(name.unwrap_or_default());
                }
                if let Some(p) = &circuit.purpose {
                    s.push_str(" PURPOSE=");
                    s.push_str(p);
                }
                if let Some(r) = reason {
                    s.push_str(" REASON=");
                    s.push_str(r);
                }
                s
            }
            Event::OrConn { connection, reason } => format!(
                "{} {}{}",
                connection.target,
                connection.status.as_str(),
                reason
                    .as_ref()
                    .map(|r| format!(" REASON={r}"))
                    .unwrap_or_default()
            ),
            Event::Stream(s) => format!("{} {} {} {}", s.id, s.status, s.circuit_id, s.target),
            Event::Status {
                severity,
                action,
                arguments,
                ..
            } => {
                let mut s = format!("{severity} {action}");
                push_arguments(&mut s, arguments);
                s
            }
            Event::ConfChanged(changes) => changes
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{k}={v}"),
                    None => k.clone(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Event::NewConsensus(e) | Event::Ns(e) => format!("{} router status entries", e.len()),
            Event::Signal(s) => s.to_string(),
            Event::Liveness { status } => format!("STATUS={status}"),
            Event::HsDesc(d) => d.describe_words(),
            Event::PtStatus {
                program,
                transport,
                fields,
            } => {
                let mut s = format!("PT={program}");
                if let Some(t) = transport {
                    let _ = write!(s, " TRANSPORT={t}");
                }
                push_arguments(&mut s, fields);
                s
            }
            Event::PtLog {
                program,
                severity,
                message,
            } => format!("{program} {severity}: {message}"),
            Event::TransportLaunched {
                kind,
                name,
                address,
                port,
            } => format!("{kind} {name} {address} {port}"),
            // tor's raw text: a credential in it (SOCKS_PASSWORD in an event
            // this version does not read) hidden by the grammar's rule.
            Event::Other { text, .. } | Event::Malformed { text, .. } if !text.contains('\n') => {
                crate::secret::redact(text, crate::secret::Direction::FromTor).into_owned()
            }
            Event::Other { text, .. } | Event::Malformed { text, .. } => text
                .split('\n')
                .map(|l| crate::secret::redact(l, crate::secret::Direction::FromTor))
                .collect::<Vec<_>>()
                .join("\n"),
            Event::Log { message, .. } => message.clone(),
        }
    }
}
