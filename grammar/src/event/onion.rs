//! What an onion service and a bridge's transports tell a controller:
//! HS_DESC (§4.1.25: a descriptor requested, uploaded, received or
//! failed), PT_LOG and PT_STATUS (§4.1.28, §4.1.29: a pluggable
//! transport's log lines and status). Words the spec lists (actions, auth
//! types, reasons, severities) are read open: a newer tor's are kept.

use super::{positional, status_word, Event};
use crate::args::tokens;
use crate::names::parse_long_name;
use crate::spec::{self, Refused};
use rnyx_model::text::strip_controls;
use rnyx_model::Hop;

/// An HS_DESC event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HsDesc {
    /// `REQUESTED`, `UPLOAD`, `RECEIVED`, `UPLOADED`, `IGNORE`, `FAILED`,
    /// `CREATED` (or a newer tor's word).
    pub action: String,
    /// The service's address without `.onion` (56 characters for v3);
    /// `None` where tor says `UNKNOWN`.
    pub address: Option<String>,
    /// `NO_AUTH`, `BASIC_AUTH`, `STEALTH_AUTH`, `UNKNOWN`…
    pub auth: String,
    /// The directory asked or uploaded to; `None` for `UNKNOWN`.
    pub hsdir: Option<Hop>,
    /// The descriptor's id (v3: the blinded key, base64).
    pub descriptor_id: Option<String>,
    /// Why it failed (`UPLOAD_REJECTED`, `NOT_FOUND`…).
    pub reason: Option<String>,
    pub replica: Option<u32>,
    /// The directory's index on the hash ring (64 hex digits).
    pub hsdir_index: Option<String>,
}

fn base32(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b) || b.is_ascii_uppercase())
}

/// An onion address without `.onion`: 16 or 56 base32 characters.
pub(crate) fn hs_address<'a>(what: &str, a: &'a str) -> Result<&'a str, Refused> {
    if (a.len() == 16 || a.len() == 56) && base32(a) {
        Ok(a)
    } else {
        Err(spec::refuse(what, a, "16 or 56 base32 characters"))
    }
}

/// Whether `a` is an onion address without `.onion` (`onions/detached`).
pub fn onion_address(a: &str) -> bool {
    hs_address("address", a).is_ok()
}

fn base64ish(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// `HS_DESC Action HSAddress AuthType HsDir [DescriptorID] [REASON=…]
/// [REPLICA=…] [HSDIR_INDEX=…]`.
pub(super) fn parse_hs_desc(rest: &str) -> Result<Event, Refused> {
    let mut toks = tokens(rest);
    let action = positional(&mut toks, "Action")?;
    status_word("Action", &action)?;
    let address = positional(&mut toks, "HSAddress")?;
    let address = match &*address {
        "UNKNOWN" => None,
        a => Some(hs_address("HSAddress", a)?.to_owned()),
    };
    let auth = positional(&mut toks, "AuthType")?;
    status_word("AuthType", &auth)?;
    let hsdir = positional(&mut toks, "HsDir")?;
    let hsdir = match &*hsdir {
        "UNKNOWN" => None,
        h => Some(parse_long_name(h)?),
    };
    let mut event = HsDesc {
        action: action.into_owned(),
        address,
        auth: auth.into_owned(),
        hsdir,
        descriptor_id: None,
        reason: None,
        replica: None,
        hsdir_index: None,
    };
    for (i, t) in toks.enumerate() {
        match t.key {
            None if i == 0 => {
                let id = &*t.value;
                let ok = (id.len() == 32 && base32(id)) || (id.len() == 43 && base64ish(id));
                if !ok {
                    return Err(spec::refuse(
                        "DescriptorID",
                        id,
                        "32 base32 or 43 base64 characters",
                    ));
                }
                event.descriptor_id = Some(id.to_owned());
            }
            Some("REASON") => {
                status_word("REASON", &t.value)?;
                event.reason = Some(t.value.into_owned());
            }
            Some("REPLICA") => {
                let n = spec::count("REPLICA", &t.value)?;
                event.replica = Some(
                    u32::try_from(n)
                        .map_err(|_| spec::refuse("REPLICA", &t.value, "a small number"))?,
                );
            }
            Some("HSDIR_INDEX") => {
                let v = &*t.value;
                if v.len() != 64 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(spec::refuse("HSDIR_INDEX", v, "64 hex digits"));
                }
                event.hsdir_index = Some(v.to_owned());
            }
            // Extra positional arguments and unknown keywords are tolerated.
            _ => {}
        }
    }
    Ok(Event::HsDesc(Box::new(event)))
}

impl HsDesc {
    /// In words: `UPLOADED <address> NO_AUTH relay1 REASON=…`.
    pub fn describe_words(&self) -> String {
        let hsdir = self.hsdir.as_ref().map_or("UNKNOWN".to_owned(), |h| {
            h.nickname
                .as_deref()
                .map(str::to_owned)
                .or_else(|| h.fingerprint.map(|f| format!("${f}")))
                .unwrap_or_default()
        });
        let mut s = format!(
            "{} {} {} {hsdir}",
            self.action,
            self.address.as_deref().unwrap_or("UNKNOWN"),
            self.auth
        );
        if let Some(r) = &self.reason {
            s.push_str(" REASON=");
            s.push_str(r);
        }
        s
    }
}

/// The value of keyword `key` among `rest`'s, control characters removed.
fn keyword(rest: &str, key: &str) -> Option<String> {
    tokens(rest)
        .find(|t| t.key == Some(key))
        .map(|t| strip_controls(&t.value))
}

/// `TRANSPORT_LAUNCHED Type SP Name SP TransportAddress SP Port`: the type
/// `server` or `client` (a word: open), the name a word, the address an
/// IPv4 or IPv6 address, the port 1–65535.
pub(super) fn parse_transport_launched(rest: &str) -> Result<Event, Refused> {
    let mut toks = tokens(rest);
    let kind = positional(&mut toks, "Type")?;
    status_word("Type", &kind)?;
    let name = positional(&mut toks, "Name")?;
    status_word("Name", &name)?;
    let address = positional(&mut toks, "TransportAddress")?;
    let bare = address.trim_start_matches('[').trim_end_matches(']');
    let address = bare
        .parse()
        .map_err(|_| spec::refuse("TransportAddress", &address, "an IP address"))?;
    let port = spec::port("Port", &positional(&mut toks, "Port")?)?;
    Ok(Event::TransportLaunched {
        kind: kind.into_owned(),
        name: name.into_owned(),
        address,
        port,
    })
}

/// `PT_LOG PT=Program SEVERITY=Severity MESSAGE=Message`.
pub(super) fn parse_pt_log(rest: &str) -> Result<Event, Refused> {
    let need = |key: &str| keyword(rest, key).ok_or_else(|| Refused(format!("{key} is missing")));
    let (program, severity, message) = (need("PT")?, need("SEVERITY")?, need("MESSAGE")?);
    status_word("SEVERITY", &severity)?;
    Ok(Event::PtLog {
        program,
        severity,
        message,
    })
}

/// `PT_STATUS PT=Program TRANSPORT=Transport Message`, the message the
/// transport's own `KEY=VALUE` pairs (pt-spec §3.3.5). A status without
/// TRANSPORT (a transport's version, say) is read too.
pub(super) fn parse_pt_status(rest: &str) -> Result<Event, Refused> {
    let mut program = None;
    let mut transport = None;
    let mut fields = Vec::new();
    for t in tokens(rest) {
        match t.key {
            Some("PT") if program.is_none() => program = Some(strip_controls(&t.value)),
            Some("TRANSPORT") if transport.is_none() => {
                status_word("TRANSPORT", &t.value)?;
                transport = Some(t.value.into_owned());
            }
            Some(k) => fields.push((k.to_owned(), strip_controls(&t.value))),
            None => fields.push((String::new(), strip_controls(&t.value))),
        }
    }
    Ok(Event::PtStatus {
        program: program.ok_or_else(|| Refused("PT is missing".into()))?,
        transport,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use crate::event::Event;
    use crate::reply::ReplyFramer;

    const V3: &str = "rh5d6reakhpvuxe2t3next6um6iiq4jf43m7gmdrphfhopfpnoglzcyd";
    const DIR: &str = "$F89DAD8F8DB3D1A1BDA10F8E7D0C4D0C0A9D1B2C~relay1";

    fn event(line: &str) -> Event {
        let mut f = ReplyFramer::new();
        f.push(format!("{line}\r\n").as_bytes());
        Event::parse(&f.next_reply().expect(line).expect(line))
    }

    #[test]
    fn a_v3_service_uploads_and_fails_as_the_spec_says() {
        let index = "A".repeat(64);
        let Event::HsDesc(d) = event(&format!(
            "650 HS_DESC UPLOAD {V3} UNKNOWN {DIR} cPKzfvDCbrdQkaFW3pKKRhR9EYJcpnj+9QPc9Y3NUyo HSDIR_INDEX={index}"
        )) else {
            panic!()
        };
        assert_eq!(d.action, "UPLOAD");
        assert_eq!(d.address.as_deref(), Some(V3));
        assert_eq!(d.auth, "UNKNOWN");
        assert_eq!(
            d.hsdir.as_ref().and_then(|h| h.nickname.as_deref()),
            Some("relay1")
        );
        assert_eq!(
            d.descriptor_id.as_deref(),
            Some("cPKzfvDCbrdQkaFW3pKKRhR9EYJcpnj+9QPc9Y3NUyo")
        );
        assert_eq!(d.hsdir_index, Some(index));
        let Event::HsDesc(d) = event(&format!(
            "650 HS_DESC FAILED {V3} NO_AUTH {DIR} REASON=UPLOAD_REJECTED"
        )) else {
            panic!()
        };
        assert_eq!(
            (d.action.as_str(), d.reason.as_deref()),
            ("FAILED", Some("UPLOAD_REJECTED"))
        );
        // tor's own UPLOAD_FAILED (tor#24230) and an address it does not
        // know: read, not refused.
        let Event::HsDesc(d) = event(&format!(
            "650 HS_DESC UPLOAD_FAILED UNKNOWN UNKNOWN {DIR} REPLICA=1 NEWKEY=x"
        )) else {
            panic!()
        };
        assert_eq!(
            (d.action.as_str(), d.address.as_deref(), d.replica),
            ("UPLOAD_FAILED", None, Some(1))
        );
        assert_eq!(d.describe_words(), "UPLOAD_FAILED UNKNOWN UNKNOWN relay1");
    }

    #[test]
    fn what_the_spec_rules_out_is_refused() {
        for (line, says) in [
            ("650 HS_DESC UPLOAD", "HSAddress is missing"),
            (
                "650 HS_DESC UPLOAD notanaddress NO_AUTH UNKNOWN",
                "HSAddress",
            ),
            (&*format!("650 HS_DESC UPLOAD {V3} NO_AUTH $ZZZZ"), "relay"),
            (
                &*format!("650 HS_DESC UPLOADED {V3} NO_AUTH {DIR} short"),
                "DescriptorID",
            ),
            (
                &*format!("650 HS_DESC UPLOADED {V3} NO_AUTH {DIR} REPLICA=x"),
                "REPLICA",
            ),
            (
                &*format!("650 HS_DESC UPLOADED {V3} NO_AUTH {DIR} HSDIR_INDEX=12"),
                "HSDIR_INDEX",
            ),
            (
                "650 PT_LOG PT=/usr/bin/obfs4proxy SEVERITY=warning",
                "MESSAGE is missing",
            ),
            (
                "650 PT_STATUS TRANSPORT=obfs4 CONNECT=Success",
                "PT is missing",
            ),
            (
                "650 TRANSPORT_LAUNCHED server obfs4",
                "TransportAddress is missing",
            ),
            (
                "650 TRANSPORT_LAUNCHED server obfs4 bridge.example 443",
                "TransportAddress",
            ),
            ("650 TRANSPORT_LAUNCHED server obfs4 127.0.0.1 0", "Port"),
        ] {
            match event(line) {
                Event::Malformed { reason, .. } => {
                    assert!(reason.contains(says), "{line}: {reason}");
                }
                other => panic!("{line}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_transport_says_its_state_and_logs() {
        assert_eq!(
            event("650 PT_STATUS PT=/usr/bin/obfs4proxy TRANSPORT=obfs4 CONNECT=Success"),
            Event::PtStatus {
                program: "/usr/bin/obfs4proxy".into(),
                transport: Some("obfs4".into()),
                fields: vec![("CONNECT".into(), "Success".into())],
            }
        );
        assert_eq!(
            event("650 PT_STATUS PT=/usr/bin/lyrebird TYPE=version IMPLEMENTATION=lyrebird VERSION=0.5.0"),
            Event::PtStatus {
                program: "/usr/bin/lyrebird".into(),
                transport: None,
                fields: vec![
                    ("TYPE".into(), "version".into()),
                    ("IMPLEMENTATION".into(), "lyrebird".into()),
                    ("VERSION".into(), "0.5.0".into()),
                ],
            }
        );
        let log = event("650 PT_LOG PT=/usr/bin/obfs4proxy SEVERITY=debug MESSAGE=\"Connected to bridge A\\x1b[2J\"");
        assert_eq!(
            log,
            Event::PtLog {
                program: "/usr/bin/obfs4proxy".into(),
                severity: "debug".into(),
                message: "Connected to bridge A[2J".into(),
            }
        );
        assert_eq!(
            log.describe(),
            "/usr/bin/obfs4proxy debug: Connected to bridge A[2J"
        );
        assert_eq!(log.known_name(), Some("PT_LOG"));
    }

    #[test]
    fn a_launched_transport_says_where_it_listens() {
        let e = event("650 TRANSPORT_LAUNCHED server obfs4 [::] 443");
        assert_eq!(
            e,
            Event::TransportLaunched {
                kind: "server".into(),
                name: "obfs4".into(),
                address: "::".parse().unwrap(),
                port: 443,
            }
        );
        assert_eq!(e.describe(), "server obfs4 :: 443");
        let Event::TransportLaunched { kind, .. } =
            event("650 TRANSPORT_LAUNCHED newkind webtunnel 127.0.0.1 8443")
        else {
            panic!()
        };
        assert_eq!(kind, "newkind", "a word the spec does not list is kept");
    }
}
