//! The interpreter, one core for page 5 and `rnyx prompt`: what a typed
//! line is and what running it shows and asks of tor ([`run`]), how tor's
//! answers read ([`answer_lines`]), which lines hold secrets, Tab
//! completion, `/help`, `/info`, tor's names and the history file.

use rnyx_grammar::secret::Direction;
mod docs;
pub mod history;
pub mod info;
mod run;

pub use docs::{CommandDoc, COMMANDS, SIGNALS};
pub use history::History;
pub use run::{answer_lines, run, Ask, Context, Ran, CONTROL, MULTI_LINE};

/// What a line of the interpreter's output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The typed command.
    Echo,
    /// tor's reply, 2xx.
    Reply,
    /// tor's reply, an error status.
    ReplyError,
    /// An event received on the interpreter's connection.
    Event,
    /// rnyx's word about the output.
    Note,
    /// What went wrong (not tor's reply).
    Error,
}

/// rnyx's own commands.
pub const SLASH_COMMANDS: &[(&str, &str)] = &[
    (
        "/help",
        "help on a command or keyword: /help [COMMAND|KEYWORD]",
    ),
    (
        "/events",
        "events received on the interpreter's connection, newest first: /events [TYPES|clear]",
    ),
    (
        "/info",
        "a relay as the local tor knows it: /info [fingerprint|nickname|address[:port]]",
    ),
    ("/quit", "end input"),
];

/// A typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    Empty,
    /// One of rnyx's commands (lower case, with its `/`) and its arguments.
    Slash {
        command: String,
        args: String,
    },
    /// A command for tor, as typed.
    Tor(String),
}

pub fn parse(line: &str) -> Typed {
    let line = line.trim();
    if line.is_empty() {
        return Typed::Empty;
    }
    if line.starts_with('/') {
        let (command, args) = line.split_once(' ').unwrap_or((line, ""));
        return Typed::Slash {
            command: command.to_ascii_lowercase(),
            args: args.trim().to_owned(),
        };
    }
    Typed::Tor(line.to_owned())
}

/// A line that holds a secret: never kept in the history, never shown in
/// clear (`AUTHENTICATE`, `HashedControlPassword=`, SOCKS credentials…, as
/// the grammar's one rule says, [`rnyx_grammar::secret`]). Naming a
/// password option without a value (`GETCONF HashedControlPassword`) is
/// taken as secret too, so that a typo'd value never lands in the history.
pub fn is_secret(line: &str) -> bool {
    line.to_ascii_lowercase().contains("password")
        || matches!(
            rnyx_grammar::secret::redact(line.trim(), Direction::ToTor),
            std::borrow::Cow::Owned(_)
        )
}

/// The line as it may be shown: a secret's arguments hidden (a secret
/// as typed or as shown: without its control characters a line can read
/// differently).
pub fn shown(line: &str) -> String {
    let clean = rnyx_model::text::strip_controls(line);
    if !is_secret(&clean) && !is_secret(line) {
        return clean;
    }
    // The first word as typed: without its control characters it could
    // run into the secret.
    let first = line.split_whitespace().next().unwrap_or("");
    format!("{} <hidden>", rnyx_model::text::strip_controls(first))
}

/// `/events TYPES`: which events to show (all when none are named).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter(Vec<String>);

impl EventFilter {
    pub fn parse(args: &str) -> Self {
        Self(
            args.split([' ', ','])
                .filter(|t| !t.is_empty())
                .map(str::to_ascii_uppercase)
                .collect(),
        )
    }

    /// `text` is an event line (`650 NAME …`) of a type asked for.
    pub fn shows(&self, text: &str) -> bool {
        let name = text.split_whitespace().nth(1).unwrap_or("");
        self.0.is_empty() || self.0.iter().any(|t| t == name)
    }
}

/// What the interpreter completes from: tor's names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// `info/names`: key (without a trailing `*`) and description.
    pub info: Vec<(String, String)>,
    pub options: Vec<String>,
    pub events: Vec<String>,
    pub features: Vec<String>,
    pub signals: Vec<String>,
}

/// The GETINFO keys tor's names are read from.
pub const NAME_KEYS: [&str; 5] = [
    "info/names",
    "features/names",
    "signal/names",
    "events/names",
    "config/names",
];

impl Names {
    /// Takes tor's value of one of [`NAME_KEYS`].
    pub fn set(&mut self, key: &str, value: &str) {
        let words = || value.split_whitespace().map(str::to_owned).collect();
        match key {
            "info/names" => self.info = Self::parse_info(value),
            "features/names" => self.features = words(),
            "signal/names" => self.signals = words(),
            "events/names" => self.events = words(),
            // `name type description`, a line each.
            "config/names" => {
                self.options = value
                    .lines()
                    .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
                    .collect();
            }
            _ => {}
        }
    }

    /// Parses tor's `info/names` (`key -- description`).
    pub fn parse_info(text: &str) -> Vec<(String, String)> {
        text.lines()
            .filter_map(|l| {
                let (key, desc) = l.split_once(" -- ").unwrap_or((l, ""));
                let key = key.trim().trim_end_matches('*');
                (!key.is_empty()).then(|| (key.to_owned(), desc.trim().to_owned()))
            })
            .collect()
    }
}

/// What Tab did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Nothing matches.
    None,
    /// The new line.
    Line(String),
    /// The new line (the longest common start) and the candidates.
    Several(String, Vec<String>),
}

/// Completes the last word of `line`.
pub fn complete(line: &str, names: &Names) -> Completion {
    let (head, word) = match line.rfind(' ') {
        Some(i) => (&line[..=i], &line[i + 1..]),
        None => ("", line),
    };
    let first = head
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    let commands = || -> Vec<String> {
        COMMANDS
            .iter()
            .map(|c| c.name.to_owned())
            .chain(SLASH_COMMANDS.iter().map(|(c, _)| (*c).to_owned()))
            .collect()
    };
    let (candidates, after): (Vec<String>, &str) = if head.is_empty() {
        (commands(), " ")
    } else {
        match first.as_str() {
            "GETINFO" => (names.info.iter().map(|(k, _)| k.clone()).collect(), " "),
            "GETCONF" | "RESETCONF" => (names.options.clone(), " "),
            "SETCONF" => (names.options.clone(), "="),
            "SETEVENTS" => (
                names
                    .events
                    .iter()
                    .cloned()
                    .chain(std::iter::once("EXTENDED".to_owned()))
                    .collect(),
                " ",
            ),
            "USEFEATURE" => (names.features.clone(), " "),
            "SIGNAL" => (names.signals.clone(), " "),
            "/HELP" => (
                commands()
                    .into_iter()
                    .filter(|c| !c.starts_with('/'))
                    .collect(),
                " ",
            ),
            "/EVENTS" => (names.events.clone(), " "),
            _ => return Completion::None,
        }
    };
    let lower = word.to_ascii_lowercase();
    let mut found: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.to_ascii_lowercase().starts_with(&lower))
        .collect();
    found.sort_unstable_by_key(|c| c.to_ascii_lowercase());
    found.dedup_by_key(|c| c.to_ascii_lowercase());
    match found.len() {
        0 => Completion::None,
        1 => {
            // A key that goes on (`ns/id/`) takes no space after it.
            let end = if found[0].ends_with('/') { "" } else { after };
            Completion::Line(format!("{head}{}{end}", found[0]))
        }
        _ => {
            let common = common_start(&found);
            let start = if common.len() > word.len() {
                common
            } else {
                word.to_owned()
            };
            Completion::Several(format!("{head}{start}"), found)
        }
    }
}

/// The longest start all of `words` share (ignoring case), as the first
/// spells it.
fn common_start(words: &[String]) -> String {
    let first = &words[0];
    let mut n = first.len();
    for w in &words[1..] {
        n = n.min(
            first
                .chars()
                .zip(w.chars())
                .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
                .map(|(a, _)| a.len_utf8())
                .sum(),
        );
    }
    first[..n].to_owned()
}

/// `/help [COMMAND|KEYWORD]`: the lines to show.
pub fn help(args: &str, names: &Names, manual: Option<&rnyx_model::Manual>) -> Vec<String> {
    let arg = args.trim();
    if arg.is_empty() {
        // One column as wide as the longest name (ONION_CLIENT_AUTH_REMOVE).
        let w = COMMANDS
            .iter()
            .map(|c| c.name.len())
            .chain(SLASH_COMMANDS.iter().map(|(c, _)| c.len()))
            .max()
            .unwrap_or(0);
        let mut out = vec!["Commands tor takes (/help COMMAND for more):".to_owned()];
        for c in COMMANDS {
            out.push(format!("  {:<w$} {}", c.name, c.summary));
        }
        out.push("rnyx's own:".to_owned());
        for (c, what) in SLASH_COMMANDS {
            out.push(format!("  {c:<w$} {what}"));
        }
        return out;
    }
    let upper = arg.to_ascii_uppercase();
    let mut out = Vec::new();
    if let Some(c) = COMMANDS.iter().find(|c| c.name == upper) {
        out.push(format!("{} — {}", c.name, c.summary));
        out.push(format!("usage: {}", c.usage));
        out.push(c.description.to_owned());
    }
    let listing: Vec<String> = match upper.as_str() {
        "GETINFO" => names
            .info
            .iter()
            .map(|(k, d)| format!("  {k:<38} {d}"))
            .collect(),
        "GETCONF" | "SETCONF" | "RESETCONF" => names
            .options
            .iter()
            .map(|o| {
                let summary = manual
                    .and_then(|m| m.get(o))
                    .map_or("", rnyx_model::ManualEntry::summary);
                format!("  {o:<38} {summary}")
            })
            .collect(),
        "SETEVENTS" => names
            .events
            .iter()
            .map(|e| format!("  {e:<22} {}", crate::events::description(e)))
            .collect(),
        "SIGNAL" => names
            .signals
            .iter()
            .map(|s| {
                let what = SIGNALS
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(s))
                    .map_or("", |(_, w)| *w);
                format!("  {s:<22} {what}")
            })
            .collect(),
        _ => Vec::new(),
    };
    if !listing.is_empty() {
        out.push(
            match upper.as_str() {
                "GETINFO" => "Keys tor answers (info/names):",
                "SETEVENTS" => "Events tor knows (events/names):",
                "SIGNAL" => "Signals tor takes (signal/names):",
                _ => "Options (config/names):",
            }
            .to_owned(),
        );
        out.extend(listing);
    }
    if out.is_empty() {
        // An option or an event, by name.
        if let Some(e) = manual.and_then(|m| m.get(arg)) {
            out.push(format!(
                "{} ({} option), usage: {} {}",
                e.name, e.category, e.name, e.usage
            ));
            out.extend(e.description.iter().cloned());
        } else if names.events.iter().any(|e| e.eq_ignore_ascii_case(arg)) {
            out.push(format!(
                "event {upper}: {}",
                crate::events::description(&upper)
            ));
        } else {
            out.push(format!(
                "no help for `{}`: /help lists the commands",
                shown(arg)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests;
