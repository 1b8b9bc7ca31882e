//! A notification: one or more alerts that started, ended, changed
//! severity or are still active, on one or more relays; said as a title
//! and text (ntfy, mail) or as JSON (webhook, exec; schema in
//! docs/notify.md, versioned by `schema`).

use rnyx_model::health::Severity;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Alerts a title names; the rest are counted.
const TITLED: usize = 2;

/// The JSON's schema name and version.
pub const SCHEMA: &str = "rnyx-notify/1";

/// What became of an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Started,
    /// Active before, now of another severity.
    Changed,
    /// Still active (a reminder).
    Still,
    Over,
}

impl Change {
    fn word(self) -> &'static str {
        match self {
            Change::Started => "STARTED",
            Change::Changed => "CHANGED",
            Change::Still => "STILL",
            Change::Over => "OVER",
        }
    }
}

/// One alert in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub relay: String,
    /// The machine tor is on, when not this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The kind's name (`not_in_consensus`), as nyxrc and the metrics say it.
    pub kind: String,
    pub change: Change,
    pub severity: Severity,
    pub title: String,
    /// What rnyx saw and tor's words (addresses scrubbed).
    pub detail: String,
    pub advice: String,
    /// Unix second the alert began.
    pub since: u64,
    /// Unix second it ended (`over` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<u64>,
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Unique: a receiver may drop a message it has seen (after a restart
    /// rnyx sends again what it could not be sure was received).
    pub id: String,
    /// Unix second it was made.
    pub time: u64,
    pub events: Vec<Event>,
}

impl Message {
    pub fn new(time: u64, events: Vec<Event>) -> Self {
        let mut bytes = [0u8; 8];
        // No randomness: the time and the content still tell messages apart.
        let _ = getrandom::fill(&mut bytes);
        Self {
            id: format!("{:x}-{}", time, hex::encode(bytes)),
            time,
            events,
        }
    }

    /// The events a channel that takes `min` and worse is sent; `None`
    /// when none is left.
    pub fn at_least(&self, min: Severity) -> Option<Message> {
        let events: Vec<Event> = self
            .events
            .iter()
            .filter(|e| e.severity >= min)
            .cloned()
            .collect();
        (!events.is_empty()).then(|| Message {
            events,
            ..self.clone()
        })
    }

    /// The worst severity of an alert started, changed or still active;
    /// `None` when every one is over.
    pub fn worst_active(&self) -> Option<Severity> {
        self.events
            .iter()
            .filter(|e| e.change != Change::Over)
            .map(|e| e.severity)
            .max()
    }

    /// The worst severity in it.
    pub fn severity(&self) -> Severity {
        self.events
            .iter()
            .map(|e| e.severity)
            .max()
            .unwrap_or(Severity::Warning)
    }

    /// A line: `relay1: the relay is not in the consensus; over: tor is
    /// down` — the first [`TITLED`] alerts, the relay named when it
    /// changes — and how many more.
    pub fn title(&self) -> String {
        if self.events.is_empty() {
            return "rnyx".to_owned();
        }
        let mut t = String::new();
        let mut relay = None;
        for e in self.events.iter().take(TITLED) {
            if !t.is_empty() {
                t.push_str("; ");
            }
            if relay != Some(&e.relay) {
                let _ = write!(t, "{}: ", e.relay);
                relay = Some(&e.relay);
            }
            match e.change {
                Change::Started => {}
                Change::Changed => {
                    let _ = write!(t, "now {}: ", e.severity.as_str());
                }
                Change::Still => t.push_str("still: "),
                Change::Over => t.push_str("over: "),
            }
            t.push_str(&e.title);
        }
        if self.events.len() > TITLED {
            let _ = write!(t, ", and {} more", self.events.len() - TITLED);
        }
        t
    }

    /// The text: a paragraph an alert, with when and what to do.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for e in &self.events {
            let _ = write!(
                out,
                "{} {} {}: {}",
                e.change.word(),
                e.severity.as_str(),
                e.relay,
                e.title
            );
            if let Some(h) = &e.host {
                let _ = write!(out, " (on {h})");
            }
            out.push('\n');
            if !e.detail.is_empty() {
                let _ = writeln!(out, "  {}", e.detail);
            }
            let since = rnyx_grammar::time::date_time(e.since, 0);
            match e.ended {
                Some(end) => {
                    let _ = writeln!(
                        out,
                        "  since {since} UTC, for {}",
                        span(end.saturating_sub(e.since))
                    );
                }
                None => {
                    let _ = writeln!(out, "  since {since} UTC; to do: {}", e.advice);
                }
            }
        }
        out
    }

    /// The JSON a webhook or a program gets.
    pub fn json(&self) -> String {
        serde_json::json!({
            "schema": SCHEMA,
            "id": self.id,
            "time": self.time,
            "title": self.title(),
            "severity": self.severity(),
            "alerts": self.events,
        })
        .to_string()
    }
}

/// `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
fn span(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => format!("{} d {} h", secs / 86_400, secs % 86_400 / 3600),
    }
}

/// Text from tor made fit for a message: no control characters, and no
/// IP address (a client's or an exit's could be in tor's words; the
/// monitor scrubs them by default, and a message leaves the machine).
pub fn scrub(text: &str) -> String {
    let text = rnyx_model::text::strip_controls(text);
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        out.push_str(&scrub_run(run));
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_hexdigit() || c == ':' || c == '.' {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A run of hex digits, colons and dots: an address (with a port) becomes
/// `<scrubbed>`; anything else (a time, a fingerprint, a version) stays.
fn scrub_run(run: &str) -> String {
    use std::net::{IpAddr, Ipv4Addr};
    let body = run.trim_end_matches(['.', ':']);
    let tail = &run[body.len()..];
    // 0.x.y.z is no host's address, and is how tor's versions read; this
    // machine's own (loopback: a control port) is no one's to hide.
    let address = |ip: &str| match ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.octets()[0] != 0 && !v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => !v6.is_loopback() && !v6.is_unspecified(),
        Err(_) => false,
    };
    if address(body) {
        return format!("<scrubbed>{tail}");
    }
    if let Some((ip, port)) = body.rsplit_once(':') {
        if ip.parse::<Ipv4Addr>().is_ok() && address(ip) && port.parse::<u16>().is_ok() {
            return format!("<scrubbed>:{port}{tail}");
        }
    }
    run.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(relay: &str, change: Change, severity: Severity) -> Event {
        Event {
            relay: relay.into(),
            host: None,
            kind: "not_in_consensus".into(),
            change,
            severity,
            title: "the relay is not in the consensus".into(),
            detail: "7 relays listed, not AB12".into(),
            advice: "check that tor has run".into(),
            since: 1_765_000_000,
            ended: (change == Change::Over).then_some(1_765_000_720),
        }
    }

    #[test]
    fn a_title_says_the_first_alert_and_how_many_more() {
        let one = Message::new(
            1,
            vec![event("relay1", Change::Started, Severity::Critical)],
        );
        assert_eq!(one.title(), "relay1: the relay is not in the consensus");
        let over = Message::new(1, vec![event("relay1", Change::Over, Severity::Critical)]);
        assert_eq!(
            over.title(),
            "relay1: over: the relay is not in the consensus"
        );
        assert!(over.text().contains("for 12 min"), "{}", over.text());
        assert_eq!(over.worst_active(), None);
        let two = Message::new(
            1,
            vec![
                event("relay1", Change::Changed, Severity::Critical),
                event("relay2", Change::Still, Severity::Warning),
            ],
        );
        assert_eq!(
            two.title(),
            "relay1: now critical: the relay is not in the consensus; relay2: still: the relay is not in the consensus"
        );
        let mut three = two.clone();
        three
            .events
            .insert(1, event("relay1", Change::Over, Severity::Warning));
        assert_eq!(
            three.title(),
            "relay1: now critical: the relay is not in the consensus; over: the relay is not in the consensus, and 1 more"
        );
        assert_eq!(two.worst_active(), Some(Severity::Critical));
        let warn_only = two.at_least(Severity::Critical).unwrap();
        assert_eq!(warn_only.events.len(), 1);
        assert!(
            Message::new(1, vec![event("r", Change::Still, Severity::Warning)])
                .at_least(Severity::Critical)
                .is_none()
        );
        assert_ne!(one.id, over.id);
    }

    #[test]
    fn the_json_is_the_documented_schema() {
        let m = Message::new(
            1_765_000_800,
            vec![event("relay1", Change::Over, Severity::Critical)],
        );
        let v: serde_json::Value = serde_json::from_str(&m.json()).unwrap();
        assert_eq!(v["schema"], "rnyx-notify/1");
        assert_eq!(v["id"], m.id.as_str());
        assert_eq!(v["severity"], "critical");
        assert_eq!(v["alerts"][0]["change"], "over");
        assert_eq!(v["alerts"][0]["kind"], "not_in_consensus");
        assert_eq!(v["alerts"][0]["ended"], 1_765_000_720);
        assert!(v["alerts"][0].get("host").is_none());
    }

    #[test]
    fn addresses_are_scrubbed_and_nothing_else() {
        assert_eq!(
            scrub("client 203.0.113.9:443 and [2001:db8::7]:9001 at 11:20:33, version 0.4.9.1"),
            "client <scrubbed>:443 and [<scrubbed>]:9001 at 11:20:33, version 0.4.9.1"
        );
        assert_eq!(scrub("from 10.0.0.1."), "from <scrubbed>.");
        assert_eq!(
            scrub("127.0.0.1:9051 (refused), [::1]:9051, [::]:9001"),
            "127.0.0.1:9051 (refused), [::1]:9051, [::]:9001"
        );
        let fp = "ABCDEF0123456789ABCDEF0123456789ABCDEF01";
        assert_eq!(scrub(fp), fp);
        assert_eq!(scrub("bell\x07 esc\x1b[2J"), "bell esc[2J");
    }
}
