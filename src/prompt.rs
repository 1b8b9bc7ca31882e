//! `rnyx prompt`: the interpreter without the TUI, for a plain terminal or
//! a script. Its own control connection, authenticated as the monitor's;
//! line editing, Tab completion and history (kept in the same file as page
//! 5's, without secrets) by rustyline; `--run` runs commands and exits,
//! non-zero when tor answered an error.

use crate::control::event::parse_router_statuses;
use crate::control::{Client, EventReceiver};
use rnyx_grammar::command::Command;
use rnyx_grammar::request::Response;
use rnyx_model::{ControllerState, Manual};
use rnyx_panels::interp::Kind;
use rnyx_panels::interp::{self, Ask, Completion, History, Names, Typed};
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
    relays: Option<ControllerState>,
    colour: bool,
}

/// What running a line printed and how it went.
#[derive(Debug, Default)]
pub struct Printed {
    pub lines: Vec<(Kind, String)>,
    /// tor answered an error, or the line was not understood.
    pub failed: bool,
    pub quit: bool,
}

impl Shell {
    /// A shell on its own connection to the tor `task` names, through its
    /// host.
    pub async fn open(
        task: &crate::controller::ControllerConfig,
    ) -> Result<Self, crate::control::ConnectError> {
        let conn = task
            .host
            .connect_interpreter(&task.targets, task.password.as_deref())
            .await?;
        let mut shell = Shell {
            client: conn.client,
            events: conn.events,
            received: VecDeque::new(),
            names: Names::default(),
            manual: crate::manual::load(),
            relays: None,
            colour: std::io::stdout().is_terminal(),
        };
        shell.names = shell.read_names().await;
        Ok(shell)
    }

    async fn read_names(&self) -> Names {
        let mut names = Names::default();
        let keys = interp::NAME_KEYS.map(str::to_owned).to_vec();
        if let Ok(reply) = self.client.send(&Command::GetInfo(keys)).await {
            if reply.is_ok() {
                for (key, value) in reply.key_values() {
                    names.set(key, value);
                }
            }
        }
        names
    }

    /// Keeps the events that arrived since the last look.
    pub fn drain_events(&mut self) -> Vec<String> {
        let mut new = Vec::new();
        while let Ok(batch) = self.events.try_recv() {
            for item in &batch.items {
                for text in item.lines() {
                    new.push(rnyx_model::text::strip_controls(&text));
                }
            }
        }
        self.received.extend(new.iter().cloned());
        while self.received.len() > EVENTS_KEPT {
            self.received.pop_front();
        }
        new
    }

    /// Runs one typed line with the interpreter's core, asking tor what it
    /// asks.
    pub async fn execute(&mut self, line: &str) -> Printed {
        self.drain_events();
        if matches!(interp::parse(line), Typed::Slash { command, .. } if command == "/info") {
            self.read_relays().await;
        }
        let empty = ControllerState::default();
        let events: Vec<&str> = self.received.iter().map(String::as_str).collect();
        let ran = interp::run(
            line,
            &interp::Context {
                names: &self.names,
                manual: Some(&self.manual),
                relays: self.relays.as_ref().unwrap_or(&empty),
                events: &events,
            },
        );
        if ran.clear_events {
            self.received.clear();
        }
        let mut out = Printed {
            lines: ran.lines,
            failed: ran.failed,
            quit: ran.quit,
        };
        for ask in &ran.asks {
            let response = self.ask(ask).await;
            let (lines, failed) = interp::answer_lines(ask, &response);
            out.lines
                .extend(lines.map(|(kind, text)| (kind, text.into_owned())));
            out.failed |= failed;
        }
        out
    }

    /// `/info`'s relays: tor's consensus and our relay, read once.
    async fn read_relays(&mut self) {
        if self.relays.is_some() {
            return;
        }
        let mut s = ControllerState::default();
        let ns = self.client.getinfo("ns/all").await.unwrap_or_default();
        s.consensus_mut().replace(
            parse_router_statuses(&ns)
                .into_iter()
                .map(rnyx_model::RelayEntry::from),
        );
        s.facts.relay.fingerprint = self
            .client
            .getinfo("fingerprint")
            .await
            .ok()
            .filter(|f| !f.is_empty());
        s.facts.relay.version = self.client.getinfo("version").await.ok();
        self.relays = Some(s);
    }

    /// A typed line as it is, or a GETINFO: tor's answer as page 5 gets
    /// it from the controller task.
    async fn ask(&self, ask: &Ask) -> Response {
        let sent = match ask {
            Ask::Command(line) => self.client.command(line).await,
            Ask::Info(_, key) => match Command::GetInfo(vec![key.clone()]).line() {
                Ok(line) => self.client.command(&line).await,
                Err(e) => return Response::Failed(format!("cannot send GETINFO: {e}")),
            },
        };
        match (ask, sent) {
            (Ask::Command(_), Ok(r)) => Response::Reply(r),
            (_, Ok(r)) if r.is_ok() => Response::info(&r),
            (_, Ok(r)) => Response::refusal(&r),
            (_, Err(e)) => Response::Failed(e.to_string()),
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
        let text = rnyx_model::text::strip_controls(&text);
        let colour = match kind {
            Kind::ReplyError | Kind::Error => "31",
            Kind::Event => "33",
            Kind::Note => "2",
            Kind::Echo => "1",
            Kind::Reply => "",
        };
        if self.colour && !colour.is_empty() {
            crate::cli::print_out(&format!("\x1b[{colour}m{text}\x1b[0m\n"));
        } else {
            crate::cli::print_out(&format!("{text}\n"));
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
    task: &crate::controller::ControllerConfig,
    runs: &[String],
) -> Result<u8, PromptError> {
    let mut shell = Shell::open(task).await.map_err(PromptError::Connect)?;
    if !runs.is_empty() {
        let mut failed = false;
        for line in scripted(runs).map_err(PromptError::Other)? {
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
    interactive(shell).await.map_err(PromptError::Other)
}

/// Why `rnyx prompt` could not run.
#[derive(Debug)]
pub enum PromptError {
    /// tor could not be reached or refused rnyx.
    Connect(crate::control::ConnectError),
    /// A script could not be read, or the terminal failed.
    Other(String),
}

impl PromptError {
    /// Whether asking the operator for a password would help.
    pub fn needs_password(&self) -> bool {
        matches!(self, PromptError::Connect(e) if e.needs_password())
    }
}

impl std::fmt::Display for PromptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PromptError::Connect(e) => e.fmt(f),
            PromptError::Other(e) => f.write_str(e),
        }
    }
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
    // The history file page 5 keeps too, in the one format.
    let path = crate::local::history_path();
    let mut history = path
        .as_deref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map_or_else(History::default, |text| History::parse(&text));
    for line in history.lines() {
        let _ = editor.add_history_entry(line.as_str());
    }
    crate::cli::print_out(
        "rnyx prompt: commands go to tor; /help for help, /quit or ctrl-d to leave.\n",
    );
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
            crate::cli::print_out(&format!("\x1b[1A\r\x1b[2K>>> {}\n", interp::shown(&line)));
        }
        if history.add(&line) {
            let _ = editor.add_history_entry(line.trim());
            if let Some(p) = &path {
                if let Err(e) = crate::files::save_snapshot(&p.to_string_lossy(), &history.text()) {
                    shell.print(
                        Kind::Error,
                        &format!("cannot keep the history in {}: {e}", p.display()),
                    );
                }
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
