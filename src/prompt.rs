//! `rnyx prompt`: the interpreter without the TUI, for a plain terminal or
//! a script. Its own control connection, authenticated as the monitor's;
//! line editing, Tab completion and history (kept in the same file as page
//! 5's, without secrets) by rustyline; `--run` runs commands and exits,
//! non-zero when tor answered an error.

use crate::control::event::parse_router_statuses;
use crate::control::{connect, Client, EventReceiver, Reply, Target};
use rnyx_grammar::model::{ControllerState, Manual};
use rnyx_panels::interp::{self, Completion, Names, Typed};
use rnyx_panels::pages::interpreter::info;
use rnyx_panels::pages::interpreter::output::Kind;
use std::collections::VecDeque;
use std::io::IsTerminal;

/// Events kept for `/events`.
const EVENTS_KEPT: usize = 1000;

/// One connection's shell.
pub struct Shell {
    client: Client,
    events: EventReceiver,
    received: VecDeque<String>,
    names: Names,
    manual: Manual,
    /// What `/info` looks relays up in, read on first use.
    index: Option<ControllerState>,
    colour: bool,
}

/// What running a line printed and how it went.
#[derive(Debug, Default)]
pub struct Outcome {
    pub lines: Vec<(Kind, String)>,
    /// tor answered an error, or the line was not understood.
    pub failed: bool,
    pub quit: bool,
}

impl Shell {
    pub async fn open(targets: &[Target], password: Option<&str>) -> Result<Self, String> {
        let conn = connect(targets, password)
            .await
            .map_err(|e| e.to_string())?;
        let mut shell = Shell {
            client: conn.client,
            events: conn.events,
            received: VecDeque::new(),
            names: Names::default(),
            manual: crate::manual::load(),
            index: None,
            colour: std::io::stdout().is_terminal(),
        };
        shell.names = shell.read_names().await;
        Ok(shell)
    }

    async fn read_names(&self) -> Names {
        let get =
            |key: &'static str| async move { self.client.getinfo(key).await.unwrap_or_default() };
        let (info, features, signals, events, options) = tokio::join!(
            get("info/names"),
            get("features/names"),
            get("signal/names"),
            get("events/names"),
            get("config/names"),
        );
        let words = |s: String| s.split_whitespace().map(str::to_owned).collect();
        Names {
            info: Names::parse_info(&info),
            features: words(features),
            signals: words(signals),
            events: words(events),
            options: options
                .lines()
                .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
                .collect(),
        }
    }

    /// Keeps the events that arrived since the last look.
    pub fn drain_events(&mut self) -> Vec<String> {
        let mut new = Vec::new();
        while let Ok(batch) = self.events.try_recv() {
            for item in &batch.items {
                for text in item.lines() {
                    new.push(rnyx_grammar::text::strip_controls(&text));
                }
            }
        }
        self.received.extend(new.iter().cloned());
        while self.received.len() > EVENTS_KEPT {
            self.received.pop_front();
        }
        new
    }

    /// Runs one typed line.
    pub async fn execute(&mut self, line: &str) -> Outcome {
        let mut out = Outcome::default();
        match interp::parse(line) {
            Typed::Empty => {}
            Typed::Tor(command) if command.starts_with('+') => {
                out.failed = true;
                out.lines.push((
                    Kind::Error,
                    "multi-line commands cannot be typed here".into(),
                ));
            }
            Typed::Tor(command) => match self.client.command(&command).await {
                Ok(reply) => {
                    out.failed = !reply.is_ok();
                    reply_lines(&reply, &mut out.lines);
                }
                Err(e) => {
                    out.failed = true;
                    out.lines.push((Kind::Error, e.to_string()));
                }
            },
            Typed::Slash { command, args } => self.slash(&command, &args, &mut out).await,
        }
        out
    }

    async fn slash(&mut self, command: &str, args: &str, out: &mut Outcome) {
        match command {
            "/quit" => out.quit = true,
            "/help" => {
                for l in interp::help(args, &self.names, Some(&self.manual)) {
                    out.lines.push((Kind::Reply, l));
                }
            }
            "/events" => {
                self.drain_events();
                if args.eq_ignore_ascii_case("clear") {
                    self.received.clear();
                    return;
                }
                let filter = interp::EventFilter::parse(args);
                for e in self.received.iter().rev() {
                    if filter.shows(e) {
                        out.lines.push((Kind::Event, e.clone()));
                    }
                }
            }
            "/info" => self.info(args, out).await,
            other => {
                out.failed = true;
                out.lines.push((
                    Kind::Error,
                    format!("unknown command {}: /help lists them", interp::shown(other)),
                ));
            }
        }
    }

    /// `/info`, as page 5 does it, from what this tor has.
    async fn info(&mut self, args: &str, out: &mut Outcome) {
        if self.index.is_none() {
            let mut s = ControllerState::default();
            let ns = self.client.getinfo("ns/all").await.unwrap_or_default();
            s.consensus_mut().replace(
                parse_router_statuses(&ns)
                    .into_iter()
                    .map(rnyx_grammar::model::RelayEntry::from),
            );
            s.relay.fingerprint = self
                .client
                .getinfo("fingerprint")
                .await
                .ok()
                .filter(|f| !f.is_empty());
            s.relay.version = self.client.getinfo("version").await.ok();
            self.index = Some(s);
        }
        let Some(state) = &self.index else { return };
        match info::resolve(args, state) {
            Ok((lines, asks)) => {
                out.lines
                    .extend(lines.into_iter().map(|l| (Kind::Reply, l)));
                for (part, key) in asks {
                    let response = self.getinfo(key).await;
                    out.lines.extend(info::answer(&part, &response));
                }
            }
            Err(why) => {
                out.failed = true;
                out.lines.push((Kind::Error, why));
            }
        }
    }

    /// A typed GETINFO of one key, answered as page 5 is answered.
    async fn getinfo(&self, key: String) -> rnyx_panels::page::Response {
        use rnyx_panels::page::Response;
        let line = match rnyx_grammar::command::Command::GetInfo(vec![key]).line() {
            Ok(line) => line,
            Err(e) => return Response::Failed(format!("cannot send GETINFO: {e}")),
        };
        match self.client.command(&line).await {
            Ok(r) if r.is_ok() => Response::info(&r),
            Ok(r) => Response::refusal(&r),
            Err(e) => Response::Failed(e.to_string()),
        }
    }

    /// A line as printed: coloured on a terminal, never raw control bytes.
    pub fn print(&self, kind: Kind, text: &str) {
        // A credential from tor (a password option's value, SOCKS
        // credentials in an event) hidden, as page 5 hides it.
        let text = match kind {
            Kind::Echo => std::borrow::Cow::Borrowed(text),
            _ => rnyx_grammar::secret::redact(text, rnyx_grammar::secret::Direction::FromTor),
        };
        let text = rnyx_grammar::text::strip_controls(&text);
        let colour = match kind {
            Kind::ReplyError | Kind::Error => "31",
            Kind::Event => "33",
            Kind::Note => "2",
            Kind::Echo => "1",
            Kind::Reply => "",
        };
        if self.colour && !colour.is_empty() {
            println!("\x1b[{colour}m{text}\x1b[0m");
        } else {
            println!("{text}");
        }
    }
}

/// A reply's lines as page 5 shows them: values for 2xx, `status text`
/// otherwise, data blocks whole.
fn reply_lines(reply: &Reply, out: &mut Vec<(Kind, String)>) {
    let many = reply.lines.len() > 1;
    for (i, line) in reply.lines.iter().enumerate() {
        let ok = (200..300).contains(&line.status);
        if ok && many && i + 1 == reply.lines.len() && line.text == "OK" {
            continue;
        }
        if ok {
            out.push((Kind::Reply, line.text.clone()));
        } else {
            out.push((Kind::ReplyError, format!("{} {}", line.status, line.text)));
        }
        if let Some(data) = &line.data {
            out.extend(data.lines().map(|l| (Kind::Reply, l.to_owned())));
        }
    }
}

/// The commands `--run` gives: each argument, or each line of the file it
/// names (blank lines and `#` comments skipped).
pub fn scripted(runs: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for r in runs {
        let path = std::path::Path::new(r);
        if path.is_file() {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{r}: {e}"))?;
            out.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_owned),
            );
        } else {
            out.push(r.clone());
        }
    }
    Ok(out)
}

/// `rnyx prompt`: runs `runs` and returns the exit status, or, with none,
/// the interactive shell.
pub async fn run(
    targets: &[Target],
    password: Option<&str>,
    runs: &[String],
) -> Result<u8, String> {
    let mut shell = Shell::open(targets, password).await?;
    if !runs.is_empty() {
        let mut failed = false;
        for line in scripted(runs)? {
            let outcome = shell.execute(&line).await;
            for (kind, text) in &outcome.lines {
                shell.print(*kind, text);
            }
            failed |= outcome.failed;
            if outcome.quit {
                break;
            }
        }
        return Ok(u8::from(failed));
    }
    interactive(shell).await
}

/// The shell with line editing, completion and history.
async fn interactive(mut shell: Shell) -> Result<u8, String> {
    use rustyline::error::ReadlineError;
    let config = rustyline::Config::builder()
        .completion_type(rustyline::CompletionType::List)
        .max_history_size(1000)
        .map_err(|e| e.to_string())?
        .auto_add_history(false)
        .build();
    let mut editor: rustyline::Editor<Helper, rustyline::history::DefaultHistory> =
        rustyline::Editor::with_config(config).map_err(|e| e.to_string())?;
    editor.set_helper(Some(Helper {
        names: shell.names.clone(),
    }));
    let history = crate::local::history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!("rnyx prompt: commands go to tor; /help for help, /quit or ctrl-d to leave.");
    loop {
        for e in shell.drain_events() {
            shell.print(Kind::Event, &e);
        }
        // Read off the runtime's one thread, which meanwhile keeps reading
        // tor's events.
        let (back, read) = tokio::task::spawn_blocking(move || {
            let read = editor.readline(">>> ");
            (editor, read)
        })
        .await
        .map_err(|e| e.to_string())?;
        editor = back;
        let line = match read {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.to_string()),
        };
        if interp::is_secret(&line) && shell.colour {
            // The typed secret off the screen: the line rewritten, masked.
            println!("\x1b[1A\r\x1b[2K>>> {}", interp::shown(&line));
        }
        if !line.trim().is_empty() && !interp::is_secret(&line) {
            let _ = editor.add_history_entry(line.trim());
            if let Some(h) = &history {
                save_history(&mut editor, h);
            }
        }
        let outcome = shell.execute(&line).await;
        for (kind, text) in &outcome.lines {
            shell.print(*kind, text);
        }
        if outcome.quit {
            break;
        }
    }
    Ok(0)
}

/// Writes the history file, owner-only, creating its directory.
fn save_history(
    editor: &mut rustyline::Editor<Helper, rustyline::history::DefaultHistory>,
    path: &std::path::Path,
) {
    use std::os::unix::fs::PermissionsExt;
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if editor.save_history(path).is_ok() {
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

/// rustyline's side: Tab completion from tor's names.
struct Helper {
    names: Names,
}

impl rustyline::completion::Completer for Helper {
    type Candidate = rustyline::completion::Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Self::Candidate>)> {
        let typed = &line[..pos];
        let start = typed.rfind(' ').map_or(0, |i| i + 1);
        let pair = |s: &str| rustyline::completion::Pair {
            display: s.to_owned(),
            replacement: s.to_owned(),
        };
        Ok(match interp::complete(typed, &self.names) {
            Completion::None => (pos, Vec::new()),
            Completion::Line(new) => (0, vec![pair(&new)]),
            Completion::Several(_, candidates) => {
                (start, candidates.iter().map(|c| pair(c)).collect())
            }
        })
    }
}

impl rustyline::hint::Hinter for Helper {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Helper {}
impl rustyline::validate::Validator for Helper {}
impl rustyline::Helper for Helper {}
