//! Page 5: the interpreter. Enter starts input, Esc or an empty line ends
//! it; typed commands go to tor on the interpreter's own connection and the
//! reply appears under the echoed command, coloured by status. `/help`,
//! `/events`, `/info` and `/quit` are rnyx's own. Tab completes from tor's
//! names, ↑/↓ walk the history (kept in a file across runs, without lines
//! holding secrets). The backlog is bounded; only what shows is wrapped.

pub mod output;

use crate::input::{Edit, LineInput};
use crate::interp::{self, Ask, Completion, History, Names, Typed};
use crate::keymap::{ActionId, ActionSpec, Key};
use crate::list::Scroll;
use crate::page::{
    ask, Cx, Failure, Mouse, MouseKind, Page, PageInfo, Request, Response, Tag, View,
};
use crate::pages::PageEntry;
use output::{Backlog, Kind};
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use std::cell::Cell;

pub const ID: &str = "interpreter";

/// The page as the app, nyxrc and the menus know it.
pub const INFO: PageInfo = PageInfo {
    id: ID,
    title: "Interpreter",
    actions: ACTIONS,
};

pub const ENTRY: PageEntry = PageEntry {
    info: INFO,
    make: |s| {
        Box::new(InterpreterPage {
            history_path: s.interpreter_history.clone(),
            ..InterpreterPage::default()
        })
    },
};

const MENU: Option<&str> = Some("Interpreter");

crate::actions! {
    /// The interpreter's actions.
    pub enum Action {
        Input = ("input", "type a command", &[Key::Enter], MENU),
        Clear = ("clear", "clear the output", &[Key::Char('c')], MENU),
    }
    scrolling
}

pub const ACTIONS: &[ActionSpec] = Action::SPECS;

/// What this page asked, with the answer.
enum Asked {
    /// tor's answer to a typed line's ask, as tor gave it (the
    /// interpreter's core words every answer).
    Answer(Ask, Response),
    /// tor's names for completion.
    Names(Result<Vec<(String, String)>, Failure>),
    /// The history file read.
    History(Result<String, Failure>),
    /// The history file written.
    Saved(Result<String, Failure>),
}

/// The interpreter's view state.
#[derive(Debug, Default)]
pub struct InterpreterPage {
    pub backlog: Backlog,
    input: Option<LineInput>,
    history: History,
    /// Walking the history: the index shown, and the line being typed.
    walking: Option<(usize, String)>,
    /// Candidates of the last Tab with several.
    candidates: Vec<String>,
    names: Names,
    /// tor's names and the history were asked for.
    started: bool,
    /// Events numbered above this show in the output.
    events_from: Option<u64>,
    /// `/events clear`: events up to this number are left out.
    events_cleared: u64,
    /// Rows scrolled back from the newest; rows a page at the last draw.
    scroll: Cell<usize>,
    height: Cell<usize>,
    history_path: Option<String>,
    /// Why the history file was last not written (said once).
    unsaved: Option<String>,
}

impl InterpreterPage {
    /// The first Enter: tor's names for completion, the saved history.
    fn start(&mut self, cx: &mut Cx) {
        if self.started {
            return;
        }
        self.started = true;
        self.events_from = Some(cx.live.logs.interpreter_events.total);
        // Options and events come with the state.
        let keys = interp::NAME_KEYS[..3]
            .iter()
            .map(|k| (*k).to_owned())
            .collect();
        cx.ask(ask::GetInfo(keys), Asked::Names);
        if let Some(path) = &self.history_path {
            cx.ask(ask::ReadFile(path.clone()), Asked::History);
        }
    }

    /// The names completion draws from: tor's, with the options and
    /// events the state already has.
    fn names(&self, cx: &Cx) -> Names {
        let mut n = self.names.clone();
        n.options = cx
            .live
            .facts
            .config
            .options
            .iter()
            .map(|o| o.name.clone())
            .collect();
        n.events.clone_from(&cx.live.facts.event_names);
        n
    }

    fn submit(&mut self, line: &str, cx: &mut Cx) {
        let events_at = cx.live.logs.interpreter_events.total;
        if interp::parse(line) == Typed::Empty {
            self.input = None;
            return;
        }
        self.backlog
            .push(events_at, Kind::Echo, &interp::shown(line.trim()));
        let names = self.names(cx);
        let ev = &cx.live.logs.interpreter_events;
        let first = ev.first_number();
        let events: Vec<&str> = (0u64..)
            .zip(&ev.list)
            .filter(|(i, _)| first + i > self.events_cleared)
            .map(|(_, (_, text))| text.as_str())
            .collect();
        let out = interp::run(
            line,
            &interp::Context {
                names: &names,
                manual: cx.live.facts.manual.as_deref(),
                relays: cx.live,
                events: &events,
            },
        );
        for (kind, text) in &out.lines {
            self.backlog.push(events_at, *kind, text);
        }
        if out.clear_events {
            self.events_cleared = ev.total;
        }
        for typed in out.asks {
            let request: Request = match &typed {
                Ask::Command(command) => ask::Interpret(command.clone()).into(),
                Ask::Info(_, key) => ask::GetInfo(vec![key.clone()]).into(),
            };
            cx.ask(ask::Unread(request), move |answer| {
                let response = answer.unwrap_or(Response::NotConnected);
                Asked::Answer(typed, response)
            });
        }
        if out.quit {
            self.input = None;
        }
        self.remember(line, cx);
        self.scroll.set(0);
    }

    /// Keeps `line` in the history (and its file) unless it holds a secret.
    fn remember(&mut self, line: &str, cx: &mut Cx) {
        if !self.history.add(line) {
            return;
        }
        if let Some(path) = &self.history_path {
            let write = ask::WriteFile {
                path: path.clone(),
                text: self.history.text(),
            };
            cx.ask(write, Asked::Saved);
        }
    }

    fn walk(&mut self, back: bool) {
        let Some(input) = &mut self.input else {
            return;
        };
        if self.history.is_empty() {
            return;
        }
        let (at, typed) = match self.walking.take() {
            Some(w) => w,
            None if back => (self.history.len(), input.text()),
            None => return,
        };
        let at = if back { at.saturating_sub(1) } else { at + 1 };
        if at >= self.history.len() {
            *input = LineInput::new(&typed);
            return;
        }
        *input = LineInput::new(&self.history.lines()[at]);
        self.walking = Some((at, typed));
    }

    fn tab(&mut self, cx: &Cx) {
        let names = self.names(cx);
        let Some(input) = &mut self.input else {
            return;
        };
        self.candidates.clear();
        match interp::complete(&input.text(), &names) {
            Completion::None => {}
            Completion::Line(line) => *input = LineInput::new(&line),
            Completion::Several(line, candidates) => {
                *input = LineInput::new(&line);
                self.candidates = candidates;
            }
        }
    }

    fn scroll_by(&self, delta: isize) {
        let to = self.scroll.get().saturating_add_signed(delta);
        self.scroll.set(to.min(self.backlog.rows_hint()));
    }
}

impl Page for InterpreterPage {
    fn info(&self) -> &'static PageInfo {
        &INFO
    }

    fn uses_manual(&self) -> bool {
        true
    }

    fn action(&mut self, action: ActionId, cx: &mut Cx) {
        let action = Action::of(action);
        let page = isize::try_from(self.height.get().max(1)).unwrap_or(1);
        match action {
            Action::Input => {
                self.start(cx);
                self.input = Some(LineInput::default());
            }
            Action::Clear => {
                self.backlog = Backlog::default();
                self.events_from = Some(cx.live.logs.interpreter_events.total);
            }
            Action::Scroll(Scroll::Up) => self.scroll_by(1),
            Action::Scroll(Scroll::Down) => self.scroll_by(-1),
            Action::Scroll(Scroll::PageUp) => self.scroll_by(page),
            Action::Scroll(Scroll::PageDown) => self.scroll_by(-page),
            Action::Scroll(Scroll::Top) => self.scroll.set(self.backlog.rows_hint()),
            Action::Scroll(Scroll::Bottom) => self.scroll.set(0),
        }
    }

    fn hints(&self) -> &'static [ActionId] {
        const HINTS: &[ActionId] = &[Action::Input.id()];
        HINTS
    }

    fn modal(&self) -> bool {
        self.input.is_some()
    }

    fn modal_key(&mut self, key: Key, cx: &mut Cx) {
        let page = isize::try_from(self.height.get().max(1)).unwrap_or(1);
        match key {
            Key::Tab => return self.tab(cx),
            Key::Up => return self.walk(true),
            Key::Down => return self.walk(false),
            Key::PageUp => return self.scroll_by(page),
            Key::PageDown => return self.scroll_by(-page),
            _ => {}
        }
        let Some(input) = &mut self.input else {
            return;
        };
        self.candidates.clear();
        self.walking = None;
        match input.key(key) {
            Edit::Editing => {}
            Edit::Cancel => self.input = None,
            Edit::Done => {
                let line = input.text();
                *input = LineInput::default();
                self.submit(&line, cx);
            }
        }
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) {
        match m.kind {
            MouseKind::WheelUp => self.scroll_by(3),
            MouseKind::WheelDown => self.scroll_by(-3),
            MouseKind::Click => {}
        }
    }

    fn respond(&mut self, answer: Tag, cx: &mut Cx) {
        let Some(asked) = answer.take::<Asked>() else {
            return;
        };
        let at = cx.live.logs.interpreter_events.total;
        match asked {
            Asked::Answer(ask, response) => self.backlog.answer(at, &ask, &response),
            Asked::Names(Ok(values)) => {
                for (key, value) in &values {
                    self.names.set(key, value);
                }
            }
            Asked::History(Ok(text)) => {
                self.history = History::after(History::parse(&text), &self.history);
            }
            Asked::Saved(Ok(_)) => self.unsaved = None,
            // Said once, until a save works again: the file as it was
            // stays (written beside it, then renamed).
            Asked::Saved(Err(why)) => {
                let why = why.to_string();
                if self.unsaved.as_ref() != Some(&why) {
                    let path = self.history_path.as_deref().unwrap_or_default();
                    cx.notify(format!(
                        "cannot write the interpreter's history {path}: {why}"
                    ));
                    self.unsaved = Some(why);
                }
            }
            _ => {}
        }
    }

    fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        if area.height < 3 || area.width < 20 {
            return;
        }
        let theme = view.theme;
        let mut bottom = area.y + area.height;
        // The prompt, and the candidates above it.
        bottom -= 1;
        let prompt = Rect::new(area.x, bottom, area.width, 1);
        if let Some(input) = &self.input {
            input.render(">>> ", theme, prompt, buf);
        } else {
            {
                let hint = format!(
                    "{}: type a command for tor (/help for help)",
                    view.keys(self, Action::Input.id())
                );
                buf.set_stringn(
                    prompt.x,
                    prompt.y,
                    hint,
                    usize::from(prompt.width),
                    theme.secondary(),
                );
            }
        }
        if !self.candidates.is_empty() && self.input.is_some() {
            bottom -= 1;
            let line = self.candidates.join("  ");
            buf.set_stringn(
                area.x,
                bottom,
                rnyx_model::text::strip_controls(&line),
                usize::from(area.width),
                theme.secondary(),
            );
        }
        // A title, as every page has (Nyx: "Control Interpreter").
        buf.set_stringn(
            area.x,
            area.y,
            "Control Interpreter:",
            usize::from(area.width),
            theme.title(),
        );
        let body = Rect::new(area.x, area.y + 1, area.width, bottom - area.y - 1);
        self.height.set(usize::from(body.height));
        let events = &view.state.logs.interpreter_events;
        let from = self
            .events_from
            .unwrap_or(events.total)
            .max(self.events_cleared);
        let max_scroll = self
            .backlog
            .draw(events, from, self.scroll.get(), theme, body, buf);
        if self.scroll.get() > max_scroll {
            self.scroll.set(max_scroll);
        }
    }
}

#[cfg(test)]
mod tests;
