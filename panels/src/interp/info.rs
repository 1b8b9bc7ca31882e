//! `/info [fingerprint | nickname | address[:port]]`: a relay as the local
//! tor knows it — the consensus index rnyx keeps, then what tor answers for
//! `ns/id`, `desc/id`, `md/id` and `ip-to-country`. Never a download.

use super::Kind;
use crate::page::Response;
use rnyx_model::{ControllerState, RelayEntry};
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

/// What an answer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Consensus,
    Descriptor,
    Micro,
    Country,
}

/// The lines known at once, and the GETINFO keys to ask tor.
pub type Resolved = (Vec<String>, Vec<(Part, String)>);

/// What `/info` shows at once and asks, or why there is no such relay.
pub fn resolve(args: &str, state: &ControllerState) -> Result<Resolved, String> {
    let arg = args.trim().trim_start_matches('$');
    let mut lines = Vec::new();
    let own = arg.is_empty();
    let relay: Option<&RelayEntry>;
    let fingerprint: String;
    if own {
        fingerprint = state.facts.relay.fingerprint.clone().ok_or(
            "this tor is not a relay (it has no fingerprint): /info takes a fingerprint, nickname or address",
        )?;
        relay = state.facts.consensus.get(&fingerprint);
    } else if arg.len() == 40 && arg.chars().all(|c| c.is_ascii_hexdigit()) {
        fingerprint = arg.to_ascii_uppercase();
        relay = state.facts.consensus.get(&fingerprint);
    } else {
        let found: Vec<&RelayEntry> = match (arg.parse::<SocketAddr>(), arg.parse::<IpAddr>()) {
            (Ok(addr), _) => state.facts.consensus.relay_at(addr).into_iter().collect(),
            (_, Ok(ip)) => state.facts.consensus.at(ip).collect(),
            _ => state.facts.consensus.named(arg).collect(),
        };
        let Some(first) = found.first() else {
            return Err(format!(
                "no relay `{}` in the consensus tor has ({} relays)",
                rnyx_model::text::strip_controls(arg),
                state.facts.consensus.len()
            ));
        };
        if found.len() > 1 {
            lines.push(format!("{} relays match; the first:", found.len()));
            for r in &found[1..] {
                lines.push(format!("  also {} {}", r.fingerprint, r.nickname));
            }
        }
        fingerprint = first.fingerprint.clone();
        relay = Some(first);
    }
    let nickname = relay
        .map(|r| r.nickname.clone())
        .or_else(|| own.then(|| state.facts.relay.nickname.clone()).flatten());
    lines.push(format!(
        "nickname: {}",
        nickname.as_deref().unwrap_or("unknown")
    ));
    lines.push(format!("fingerprint: {fingerprint}"));
    let ip = relay.and_then(|r| r.or_address).map(|a| a.ip());
    if let Some(r) = relay {
        let mut address = r.or_address.map(|a| a.to_string()).unwrap_or_default();
        if let Some(v6) = r.ipv6_address {
            let _ = write!(address, ", {v6}");
        }
        lines.push(format!("address: {address}"));
        lines.push(format!("flags: {}", r.flags));
    } else {
        lines.push("not in the consensus tor has".into());
    }
    if own {
        if let Some(v) = &state.facts.relay.version {
            lines.push(format!("version: {v}"));
        }
        if let Some(p) = &state.facts.relay.exit_policy {
            lines.push(format!("exit policy: {p}"));
        }
        if let Some(c) = state
            .facts
            .config
            .get("ContactInfo")
            .and_then(|o| o.values.first())
        {
            lines.push(format!("contact: {c}"));
        }
    }
    let mut asks = vec![
        (Part::Consensus, format!("ns/id/{fingerprint}")),
        (Part::Descriptor, format!("desc/id/{fingerprint}")),
        (Part::Micro, format!("md/id/{fingerprint}")),
    ];
    if let Some(ip) = ip {
        asks.insert(0, (Part::Country, format!("ip-to-country/{ip}")));
    }
    Ok((lines, asks))
}

/// The value of a one-key GETINFO reply.
fn value(response: &Response) -> Result<String, String> {
    match response {
        Response::Info(values) => Ok(values.first().map(|(_, v)| v.clone()).unwrap_or_default()),
        Response::Refused { status, message } => Err(format!("{status} {message}")),
        Response::Failed(why) | Response::Timeout(why) => Err(why.clone()),
        Response::NotConnected => Err("tor is not connected".into()),
        _ => Err(String::new()),
    }
}

/// The lines an answer adds.
pub fn answer(part: &Part, response: &Response) -> Vec<(Kind, String)> {
    let (title, text) = match (part, value(response)) {
        (Part::Country, Ok(cc)) => return vec![(Kind::Reply, format!("country: {cc}"))],
        (Part::Country, Err(_)) => {
            return vec![(
                Kind::Note,
                "country: unknown (tor has no GeoIP data)".into(),
            )];
        }
        (Part::Consensus, Ok(t)) => ("consensus entry:", t),
        (Part::Descriptor, Ok(t)) => ("server descriptor:", t),
        (Part::Micro, Ok(t)) => ("microdescriptor:", t),
        (part, Err(why)) => {
            let what = match part {
                Part::Consensus => "consensus entry",
                Part::Descriptor => "server descriptor",
                _ => "microdescriptor",
            };
            return vec![(Kind::Note, format!("no {what} here: {why}"))];
        }
    };
    let mut out = Vec::new();
    if *part == Part::Descriptor {
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_owned()))
        };
        if let Some(v) = field("platform ") {
            out.push((Kind::Reply, format!("version: {v}")));
        }
        if let Some(v) = field("contact ") {
            out.push((Kind::Reply, format!("contact: {v}")));
        }
        let rules: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("accept ") || l.starts_with("reject "))
            .collect();
        if !rules.is_empty() {
            let shown = rules.iter().take(6).copied().collect::<Vec<_>>().join(", ");
            let more = if rules.len() > 6 { ", …" } else { "" };
            out.push((Kind::Reply, format!("exit policy: {shown}{more}")));
        }
    }
    out.push((Kind::Note, title.into()));
    out.extend(text.lines().map(|l| (Kind::Reply, format!("  {l}"))));
    out
}
