//! Typed control-port commands (control-spec §3), written out per the spec:
//! keys checked, values quoted and escaped. Only the interpreter (page 5,
//! `rnyx prompt`) sends text an operator typed; everything else rnyx asks
//! of tor is one of these.

use crate::args::quote;
use crate::spec::{refuse, Refused};

/// A command rnyx sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `GETINFO key…` (§3.9).
    GetInfo(Vec<String>),
    /// `GETCONF option…` (§3.3).
    GetConf(Vec<String>),
    /// `SETCONF option[=value]…` (§3.1): `None` resets the option.
    SetConf(Vec<(String, Option<String>)>),
    /// `RESETCONF option…` (§3.2).
    ResetConf(Vec<String>),
    /// `SAVECONF [FORCE]` (§3.6).
    SaveConf { force: bool },
    /// `SIGNAL name` (§3.7).
    Signal(crate::signal::Signal),
    /// `SETEVENTS name…` (§3.4): none stops every event.
    SetEvents(Vec<String>),
}

/// `Keyword` of a GETINFO key (§3.9): what tor's keys are made of —
/// letters, digits and `-_/.:@[]` (`ip-to-country/1.2.3.4`,
/// `desc/id/$FP`, `ip-to-country/[::1]`) — and never a space, `=` or a
/// control character.
fn is_info_key(key: &str) -> bool {
    !key.is_empty()
        && key.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'/' | b'.' | b':' | b'@' | b'[' | b']' | b'$'
                )
        })
}

/// A configuration option's name: letters, digits and `_` (tor's own
/// `__Hidden` options start with `_`).
fn is_option(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A signal's or an event's name: upper-case letters, digits and `_`
/// (either case accepted, as tor does).
fn is_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn words(
    out: &mut String,
    field: &str,
    items: &[String],
    ok: fn(&str) -> bool,
    what: &str,
) -> Result<(), Refused> {
    for item in items {
        if !ok(item) {
            return Err(refuse(field, item, what));
        }
        out.push(' ');
        out.push_str(item);
    }
    Ok(())
}

impl Command {
    /// The command's line, without CRLF; refused when a key or name could
    /// not be sent as one word. Values are always `QuotedString`s.
    pub fn line(&self) -> Result<String, Refused> {
        let mut out = String::from(self.verb());
        match self {
            Command::GetInfo(keys) => {
                need(keys, "GETINFO")?;
                words(&mut out, "GETINFO key", keys, is_info_key, "a GETINFO key")?;
            }
            Command::GetConf(names) => {
                need(names, "GETCONF")?;
                words(&mut out, "option", names, is_option, "an option name")?;
            }
            Command::ResetConf(names) => {
                need(names, "RESETCONF")?;
                words(&mut out, "option", names, is_option, "an option name")?;
            }
            Command::SetConf(pairs) => {
                if pairs.is_empty() {
                    return Err(Refused("SETCONF needs an option".into()));
                }
                for (name, value) in pairs {
                    if !is_option(name) {
                        return Err(refuse("option", name, "an option name"));
                    }
                    out.push(' ');
                    out.push_str(name);
                    if let Some(v) = value {
                        out.push('=');
                        out.push_str(&quote(v));
                    }
                }
            }
            Command::SaveConf { force } => {
                if *force {
                    out.push_str(" FORCE");
                }
            }
            Command::Signal(name) => {
                words(
                    &mut out,
                    "signal",
                    &[name.as_str().to_owned()],
                    is_name,
                    "a signal",
                )?;
            }
            Command::SetEvents(names) => {
                words(&mut out, "event", names, is_name, "an event name")?;
            }
        }
        Ok(out)
    }

    /// The command's keyword.
    pub fn verb(&self) -> &'static str {
        match self {
            Command::GetInfo(_) => "GETINFO",
            Command::GetConf(_) => "GETCONF",
            Command::SetConf(_) => "SETCONF",
            Command::ResetConf(_) => "RESETCONF",
            Command::SaveConf { .. } => "SAVECONF",
            Command::Signal(_) => "SIGNAL",
            Command::SetEvents(_) => "SETEVENTS",
        }
    }
}

fn need(items: &[String], verb: &str) -> Result<(), Refused> {
    if items.is_empty() {
        Err(Refused(format!("{verb} needs at least one key")))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::Signal;

    fn line(c: &Command) -> String {
        let sent = c.line().unwrap();
        // Whatever is sent is one line.
        assert!(!sent.contains(['\r', '\n']));
        sent
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn each_command_as_the_spec_writes_it() {
        assert_eq!(
            line(&Command::GetInfo(strings(&[
                "version",
                "ip-to-country/[::1]",
                "desc/id/AB12"
            ]))),
            "GETINFO version ip-to-country/[::1] desc/id/AB12"
        );
        assert_eq!(
            line(&Command::GetConf(strings(&[
                "ORPort",
                "__OwningControllerProcess"
            ]))),
            "GETCONF ORPort __OwningControllerProcess"
        );
        assert_eq!(
            line(&Command::SetConf(vec![
                ("Nickname".into(), Some("x".into())),
                ("ExitPolicy".into(), Some("reject *:25".into())),
                ("ContactInfo".into(), Some("a \"b\" \\ c\nd".into())),
                ("Log".into(), None),
            ])),
            r#"SETCONF Nickname="x" ExitPolicy="reject *:25" ContactInfo="a \"b\" \\ c\nd" Log"#
        );
        assert_eq!(
            line(&Command::ResetConf(strings(&["Nickname"]))),
            "RESETCONF Nickname"
        );
        assert_eq!(line(&Command::SaveConf { force: false }), "SAVECONF");
        assert_eq!(line(&Command::SaveConf { force: true }), "SAVECONF FORCE");
        assert_eq!(line(&Command::Signal(Signal::Newnym)), "SIGNAL NEWNYM");
        assert_eq!(
            line(&Command::SetEvents(strings(&["BW", "CIRC"]))),
            "SETEVENTS BW CIRC"
        );
        assert_eq!(line(&Command::SetEvents(Vec::new())), "SETEVENTS");
    }

    #[test]
    fn what_cannot_be_one_word_is_refused() {
        for (bad, why) in [
            (
                Command::GetInfo(strings(&["version\r\nSIGNAL HALT"])),
                "GETINFO key \"versionSIGNAL HALT\" is not a GETINFO key",
            ),
            (
                Command::GetInfo(strings(&["a b"])),
                "GETINFO key \"a b\" is not",
            ),
            (
                Command::GetInfo(strings(&["k=v"])),
                "GETINFO key \"k=v\" is not",
            ),
            (
                Command::GetInfo(Vec::new()),
                "GETINFO needs at least one key",
            ),
            (
                Command::GetConf(strings(&["Nick name"])),
                "option \"Nick name\" is not an option name",
            ),
            (
                Command::ResetConf(strings(&["Nick\nname"])),
                "option \"Nickname\" is not an option name",
            ),
            (
                Command::SetConf(vec![("A=B".into(), None)]),
                "option \"A=B\" is not an option name",
            ),
            (Command::SetConf(Vec::new()), "SETCONF needs an option"),
            (
                Command::Signal(Signal::Other("HALT NOW".into())),
                "signal \"HALT NOW\" is not a signal",
            ),
            (
                Command::Signal(Signal::Other(String::new())),
                "signal \"\" is not a signal",
            ),
            (
                Command::SetEvents(strings(&["BW\r\n"])),
                "event \"BW\" is not",
            ),
        ] {
            let e = bad.line().unwrap_err();
            assert!(!e.0.contains('\n') && !e.0.contains('\r'), "{e}");
            assert!(e.0.starts_with(why), "{bad:?}: {e}, not {why}");
        }
    }
}
