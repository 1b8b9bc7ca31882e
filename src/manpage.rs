//! rnyx(1) and the shell completions, made from the clap definitions, the
//! pages' actions and nyxrc.example, so the manual says what the binary does.

use clap::CommandFactory;
use clap_mangen::roff::{bold, italic, roman, Inline, Roff};
use std::fmt::Write as _;
use std::io::{self, Write};

/// nyxrc.example, whose comments are the documentation of each key.
const NYXRC_EXAMPLE: &str = include_str!("../nyxrc.example");

/// Writes rnyx(1) as roff.
pub fn write_man(out: &mut dyn Write) -> io::Result<()> {
    let man = clap_mangen::Man::new(crate::cli::Cli::command())
        .title("RNYX")
        .section("1")
        .manual("rnyx manual")
        .source(format!("rnyx {}", env!("CARGO_PKG_VERSION")));
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    description().to_writer(out)?;
    man.render_options_section(out)?;
    subcommands().to_writer(out)?;
    pages().to_writer(out)?;
    configuration().to_writer(out)?;
    closing().to_writer(out)
}

/// Writes the completion script for `shell`.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    let mut cmd = crate::cli::Cli::command();
    clap_complete::generate(shell, &mut cmd, "rnyx", out);
}

/// Each visible subcommand with its usage and options (clap_mangen's own
/// section points to rnyx-SUBCOMMAND(1) pages, which there are not).
fn subcommands() -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["COMMANDS"]);
    let cli = crate::cli::Cli::command();
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut usage = format!("rnyx {}", sub.get_name());
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            let value = arg
                .get_value_names()
                .and_then(|v| v.first())
                .map_or_else(|| arg.get_id().as_str().to_uppercase(), ToString::to_string);
            match arg.get_long() {
                Some(long) => {
                    let _ = write!(usage, " [--{long} {value}]");
                }
                None if arg.is_positional() => {
                    let _ = write!(usage, " {value}");
                }
                None => {}
            }
        }
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        tagged(&mut r, &usage, [roman(about)]);
        for arg in sub
            .get_arguments()
            .filter(|a| a.get_long().is_some() && !a.is_hide_set())
        {
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            r.control("RS", []);
            tagged(
                &mut r,
                &format!("--{}", arg.get_long().unwrap_or("")),
                [roman(help)],
            );
            r.control("RE", []);
        }
    }
    r
}

fn paragraph(roff: &mut Roff, text: &str) {
    roff.control("PP", []).text([roman(text)]);
}

/// A tagged paragraph: `tag` in bold, then `text`.
fn tagged(roff: &mut Roff, tag: &str, text: impl Into<Vec<Inline>>) {
    roff.control("TP", []).text([bold(tag)]).text(text);
}

fn description() -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["DESCRIPTION"]);
    r.text([roman(
        "rnyx is a terminal monitor for Tor relays, the successor to Nyx. It \
         attaches to a relay's control port or socket and keeps an up-to-date \
         picture of it: version, fingerprint, flags, listeners, bandwidth, \
         circuits, connections and tor's log. It edits tor's configuration, \
         shows the torrc and talks to tor's control port.",
    )]);
    paragraph(
        &mut r,
        "With no option rnyx watches every control socket it finds in \
         /run/tor/control and /run/tor-instances/*/control and every tor \
         answering on 127.0.0.1:9051 or 127.0.0.1:9151, else the relays nyxrc \
         lists ([[relays]]), else it tries /run/tor/control, \
         /var/run/tor/control, 127.0.0.1:9051 and 127.0.0.1:9151 in turn and \
         says what it tried when none answers. Watching several relays, an \
         overview of them comes first.",
    );
    paragraph(
        &mut r,
        "rnyx authenticates as tor offers: no authentication, SAFECOOKIE, \
         COOKIE or a password (from --password-file, RNYX_PASSWORD or a \
         prompt without echo). The usual relay setup is ControlSocket \
         /run/tor/control, or ControlPort 9051 with CookieAuthentication 1; \
         the cookie is readable by tor's group (debian-tor on Debian).",
    );
    paragraph(
        &mut r,
        "Client and exit addresses are scrubbed unless asked for; passwords \
         and cookies never reach the screen, a log or a recording.",
    );
    r
}

/// The keys of every page, from the actions the pages declare.
fn pages() -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["PAGES AND KEYS"]);
    r.text([roman(
        "The monitor has pages, left and right of each other. The keys below \
         are the defaults; nyxrc's [keys] rebinds the actions of every page, \
         [keys.PAGE] a page's own (the name in brackets). h shows the keys of \
         the page as bound, m the menu bar.",
    )]);
    r.control("SS", ["Every page"]);
    actions(&mut r, rnyx_panels::app::GLOBAL_ACTIONS);
    for entry in rnyx_panels::pages::PAGES {
        let heading = format!("{} [keys.{}]", entry.info.title, entry.info.id);
        r.control("SS", [heading.as_str()]);
        actions(&mut r, entry.info.actions);
    }
    r
}

fn actions(r: &mut Roff, specs: &[rnyx_panels::keymap::ActionSpec]) {
    for spec in specs {
        let keys: Vec<String> = spec.keys.iter().map(ToString::to_string).collect();
        tagged(
            r,
            &keys.join(", "),
            [
                roman(format!("{} (", spec.description)),
                italic(spec.name),
                roman(")"),
            ],
        );
    }
}

/// One key of nyxrc.example: its line(s) and the comment above them.
struct Setting<'a> {
    lines: Vec<&'a str>,
    /// Commented out in the example: unset by default.
    unset: bool,
    comment: Vec<&'a str>,
}

/// The settings of nyxrc.example before its `[keys]` table: each comment
/// paragraph with the `key = value` lines under it.
fn settings() -> Vec<Setting<'static>> {
    let mut out = Vec::new();
    let mut comment = Vec::new();
    let mut lines = Vec::new();
    let mut unset = false;
    let body = NYXRC_EXAMPLE
        .lines()
        .skip_while(|l| !l.trim().is_empty())
        .take_while(|l| !l.starts_with('['));
    for line in body.chain([""]) {
        let text = line.trim_start_matches('#').trim();
        let is_setting = text.contains(" = ") && !text.contains(". ");
        if is_setting {
            unset |= line.starts_with('#');
            lines.push(text);
        } else if text.is_empty() || !lines.is_empty() {
            if !lines.is_empty() {
                out.push(Setting {
                    unset: std::mem::take(&mut unset),
                    lines: std::mem::take(&mut lines),
                    comment: std::mem::take(&mut comment),
                });
            }
            if !text.is_empty() {
                comment.push(text);
            }
        } else {
            comment.push(text);
        }
    }
    out
}

fn configuration() -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["CONFIGURATION"]);
    r.text([roman(
        "nyxrc is a TOML file, read from the first of: --config PATH, \
         $RNYX_CONFIG, ~/.nyxrc, $XDG_CONFIG_HOME/rnyx/nyxrc (else \
         ~/.config/rnyx/nyxrc). Every key is optional; the values below are \
         the defaults. A key rnyx does not know, or a bad value, stops rnyx \
         with the file, line and key, and the nearest known key or the valid \
         values.",
    )]);
    for setting in settings() {
        let tag = setting.lines.join("; ");
        let mut text = setting.comment.join(" ");
        if setting.unset {
            text.push_str(" Unset by default; the value shown is an example.");
        }
        tagged(&mut r, &tag, [roman(text)]);
    }
    paragraph(
        &mut r,
        "Keys: action = \"key\" or [\"key\", \"key\"] under [keys] or \
         [keys.PAGE], with the action names of PAGES AND KEYS. A key is a \
         character, space, left, right, up, down, enter, esc, tab, backspace, \
         delete, home, end, pageup, pagedown, f1-f12 or ctrl-CHAR. Binding an \
         action replaces its default keys.",
    );
    paragraph(
        &mut r,
        "Relays to watch when the command line names none, each with a name, \
         a socket or an address, and optionally a password file:",
    );
    r.control("nf", []);
    r.text([roman(
        "[[relays]]\nname = \"relay1\"\nsocket = \"/run/tor-instances/relay1/control\"\n\
         [[relays]]\nname = \"bridge\"\naddress = \"127.0.0.1:9052\"\n\
         password_file = \"/etc/rnyx/bridge.password\"",
    )]);
    r.control("fi", []);
    paragraph(
        &mut r,
        "Alerts: [alerts] holds the thresholds of the alerts (shown by the \
         alerts key, judged by --check and --dump --format openmetrics) and \
         which kinds are off, warnings or critical; --alert KEY=VALUE \
         overrides one. The defaults:",
    );
    r.control("nf", []);
    r.text([roman(table_of("[alerts]"))]);
    r.control("fi", []);
    paragraph(
        &mut r,
        "Notifications: [notify] holds where rnyx watch sends alerts (ntfy, \
         webhook, email, exec), each channel's least severity, how often it \
         reminds, and how long it gathers alerts into one message. The \
         defaults, and the channels as examples:",
    );
    r.control("nf", []);
    r.text([roman(table_of("[notify]"))]);
    r.control("fi", []);
    r
}

/// A table of nyxrc.example (`[alerts]`), its settings and their comments.
fn table_of(header: &str) -> String {
    NYXRC_EXAMPLE
        .lines()
        .skip_while(|l| *l != header)
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn closing() -> Roff {
    let mut r = Roff::new();
    let files = [
        (
            "~/.nyxrc, $XDG_CONFIG_HOME/rnyx/nyxrc",
            "the configuration (CONFIGURATION).",
        ),
        (
            "$XDG_STATE_HOME/rnyx/graphs/ (else ~/.local/state/rnyx/graphs/)",
            "the graphs' history, one file per relay, kept across restarts \
             (keep_history).",
        ),
        (
            "$XDG_STATE_HOME/rnyx/notify.json (else ~/.local/state/rnyx/notify.json)",
            "rnyx watch's alerts told and the messages still to deliver, \
             owner-only, kept across restarts. Under systemd, \
             $STATE_DIRECTORY replaces $XDG_STATE_HOME/rnyx.",
        ),
        (
            "$XDG_STATE_HOME/rnyx/history (else ~/.local/state/rnyx/history)",
            "the interpreter's command history, owner-only, never lines \
             holding secrets.",
        ),
        (
            "/run/tor/control, /run/tor-instances/*/control",
            "control sockets rnyx looks for.",
        ),
        (
            "/usr/share/doc/rnyx/nyxrc.example",
            "every nyxrc key with its default (in the Debian package).",
        ),
    ];
    let vars = [
        (
            "RNYX_CONFIG",
            "the nyxrc to read when --config is not given.",
        ),
        (
            "RNYX_PASSWORD",
            "the control password when --password-file is not given.",
        ),
        (
            "HOME, XDG_CONFIG_HOME, XDG_STATE_HOME",
            "where nyxrc and rnyx's state are (FILES).",
        ),
    ];
    let statuses = [
        ("0", "success."),
        (
            "1",
            "an error: a broken nyxrc; tor could not be reached or \
             authenticated by --dump or prompt; a command of prompt --run \
             answered with an error; the monitor could watch none of its \
             relays as given (no such socket, not a socket, permission \
             denied, authentication refused: one sentence each on stderr; a \
             tor that is only down or not answering is waited for, and \
             --wait waits in every case).",
        ),
        (
            "2",
            "wrong command-line options, or the monitor started without a \
             terminal.",
        ),
        (
            "0, 1, 2, 3 with --check",
            "OK, WARNING, CRITICAL (tor not running or not answering too), \
             UNKNOWN (the check cannot work: bad options, a broken nyxrc, no \
             such socket, not a socket, permission denied, authentication \
             refused), as monitoring plugins do.",
        ),
    ];
    let sections: [(&str, &[(&str, &str)]); 3] = [
        ("FILES", &files),
        ("ENVIRONMENT", &vars),
        ("EXIT STATUS", &statuses),
    ];
    for (heading, entries) in sections {
        r.control("SH", [heading]);
        for (tag, what) in entries {
            tagged(&mut r, tag, [roman(*what)]);
        }
    }
    r.control("SH", ["EXAMPLES"]);
    r.control("nf", []);
    r.text([roman(
        "rnyx demo                        # a private tor network, monitored\n\
         rnyx -s /run/tor/control         # the relay on this socket\n\
         rnyx --dump | jq .flags          # the relay's state as JSON\n\
         rnyx --check                     # Nagios/Icinga: is anything wrong?\n\
         rnyx --dump --format openmetrics --output /var/lib/prometheus/node-exporter/rnyx.prom\n\
         rnyx prompt --run 'GETINFO version'\n\
         rnyx record relay.rnyx.gz        # the monitor, recording\n\
         rnyx replay relay.rnyx.gz --speed 4",
    )]);
    r.control("fi", []);
    r.control("SH", ["SEE ALSO"]);
    r.text([
        bold("tor"),
        roman("(1), "),
        bold("nyx"),
        roman("(1); tor's control-spec.txt"),
    ]);
    r.control("SH", ["VERSION"]);
    r.text([roman(format!("rnyx {}", env!("CARGO_PKG_VERSION")))]);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn man() -> String {
        let mut out = Vec::new();
        write_man(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_manual_names_every_option_action_and_nyxrc_key() {
        let text = man();
        for arg in crate::cli::Cli::command().get_arguments() {
            if let Some(long) = arg.get_long() {
                assert!(
                    text.contains(&format!("\\-\\-{}", long.replace('-', "\\-"))),
                    "--{long}"
                );
            }
        }
        for spec in rnyx_panels::app::GLOBAL_ACTIONS.iter().chain(
            rnyx_panels::pages::PAGES
                .iter()
                .flat_map(|p| p.info.actions),
        ) {
            assert!(text.contains(spec.name), "{}", spec.name);
        }
        let keys = crate::config::known_keys();
        assert!(keys.len() > 30, "{keys:?}");
        for key in &keys {
            assert!(
                text.contains(&format!("{key} = "))
                    || key == "keys"
                    || key == "relays"
                    || (key == "alerts"
                        && text.contains("\n[alerts]\n")
                        && text.contains("\nfd_warning = 80\n"))
                    || (key == "notify"
                        && text.contains("\n[notify]\n")
                        && text.contains("\ngroup_wait = 30\n")),
                "nyxrc key {key} is not in rnyx(1)"
            );
        }
        for section in [
            "PAGES AND KEYS",
            "CONFIGURATION",
            "FILES",
            "ENVIRONMENT",
            "EXIT STATUS",
        ] {
            assert!(
                text.contains(&format!(".SH \"{section}\""))
                    || text.contains(&format!(".SH {section}")),
                "{section}"
            );
        }
    }

    #[test]
    fn each_nyxrc_setting_keeps_its_own_comment() {
        let all = settings();
        let find = |key: &str| {
            all.iter()
                .find(|s| s.lines.iter().any(|l| l.starts_with(&format!("{key} = "))))
                .unwrap_or_else(|| panic!("{key}"))
        };
        assert!(find("max_fps").comment.join(" ").contains("frames drawn"));
        assert!(find("write_logs_to")
            .comment
            .join(" ")
            .contains("Append every log entry"));
        let rate = find("show_addresses");
        assert!(rate.lines.contains(&"connection_rate = 5"));
        assert!(!find("connection_order").comment.is_empty());
        assert!(find("tor_chroot").unset && !find("max_fps").unset);
    }

    #[test]
    fn completions_cover_subcommands_and_options() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
        ] {
            let mut out = Vec::new();
            write_completions(shell, &mut out);
            let text = String::from_utf8(out).unwrap();
            for word in ["--socket", "--dump", "replay", "prompt", "completions"] {
                assert!(text.contains(word), "{shell}: {word}");
            }
        }
    }
}
