//! Saving the torrc (`w`): what tor would write and where, then SAVECONF;
//! when tor refuses because the torrc uses `%include`, what SAVECONF FORCE
//! would do, and FORCE if the operator says so.

use crate::keymap::Key;
use crate::model::ControllerState;
use crate::page::{Cx, Mouse, Request, Response, Ticket, View};
use crate::popup::{Answer, Popup, Step};
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::Line;

/// Lines of the configuration shown in the popup at most.
const SHOWN: usize = 14;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    Ask,
    Saving(Ticket),
    /// tor refused (its words): offer FORCE.
    Force(String),
    Forcing(Ticket),
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Save {
    stage: Stage,
    path: String,
    text: Vec<String>,
}

impl Save {
    pub fn ask(state: &ControllerState) -> Self {
        let c = &state.config;
        let includes = c.torrc.includes();
        Self {
            // tor refuses a plain SAVECONF on a torrc with %include, but
            // after any SETCONF it forgets the include and overwrites the
            // file all the same: say what saving does before it is done.
            stage: if includes {
                Stage::Force(String::new())
            } else {
                Stage::Ask
            },
            path: c
                .file
                .clone()
                .unwrap_or_else(|| "the torrc tor was started with".into()),
            text: c.text.lines().map(crate::text::strip_controls).collect(),
        }
    }

    fn waiting(&self) -> bool {
        matches!(self.stage, Stage::Saving(_) | Stage::Forcing(_))
    }

    /// tor's answer: what to say under the list, if it is this popup's.
    fn answer(&mut self, ticket: Ticket, response: &Response) -> Option<(String, bool)> {
        let forcing = match self.stage {
            Stage::Saving(t) if t == ticket => false,
            Stage::Forcing(t) if t == ticket => true,
            _ => return None,
        };
        let refusal = match response {
            Response::Done(_) => {
                self.stage = Stage::Done;
                let how = if forcing { " (FORCE)" } else { "" };
                return Some((format!("saved to {}{how}", self.path), false));
            }
            Response::Refused { status, message } => format!("{status} {message}"),
            Response::Failed(why) | Response::Timeout(why) => why.clone(),
            Response::NotConnected => "tor is not connected".into(),
            _ => return None,
        };
        if !forcing {
            // The torrc (or a file rnyx could not read) may use %include.
            self.stage = Stage::Force(refusal.clone());
            return Some((format!("tor refused SAVECONF: {refusal}"), true));
        }
        self.stage = Stage::Done;
        Some((format!("tor refused SAVECONF: {refusal}"), true))
    }

    fn render(&self, theme: Theme, area: Rect, buf: &mut Buffer) {
        let mut lines: Vec<Line> = Vec::new();
        match &self.stage {
            Stage::Force(refusal) => {
                if refusal.is_empty() {
                    lines.push(Line::styled("the torrc uses %include.", theme.warning()));
                } else {
                    lines.push(Line::styled(
                        format!("tor refused SAVECONF ({refusal})."),
                        theme.error(),
                    ));
                    lines.push(Line::raw(
                        "If the torrc uses %include, tor will not rewrite it on its own.",
                    ));
                }
                lines.push(Line::raw(format!(
                    "SAVECONF FORCE writes the running configuration to {},",
                    self.path
                )));
                lines.push(Line::raw(
                    "replacing its %include lines by what they set: the included",
                ));
                lines.push(Line::raw("files stay on disk but are no longer read."));
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    "f: SAVECONF FORCE, any other key: cancel",
                    theme.bold(),
                ));
            }
            Stage::Saving(_) | Stage::Forcing(_) => lines.push(Line::raw("saving…")),
            Stage::Ask | Stage::Done => {
                lines.push(Line::styled(
                    format!("tor will write {}:", self.path),
                    theme.bold(),
                ));
                for l in self.text.iter().take(SHOWN) {
                    lines.push(Line::raw(format!("  {l}")));
                }
                if self.text.len() > SHOWN {
                    lines.push(Line::raw(format!(
                        "  … {} more lines",
                        self.text.len() - SHOWN
                    )));
                }
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    "y: save (SAVECONF), any other key: cancel",
                    theme.bold(),
                ));
            }
        }
        let width = usize::from(area.width.saturating_sub(6));
        let lines = lines
            .into_iter()
            .map(|l| {
                let text: String = l.to_string().chars().take(width).collect();
                Line::styled(text, l.style)
            })
            .collect();
        crate::popup::draw_box("Save the torrc", lines, theme, area, buf);
    }
}

impl Popup for Save {
    fn key(&mut self, key: Key, cx: &mut Cx) -> Step {
        match (&self.stage, key) {
            (Stage::Ask, Key::Char('y') | Key::Enter) => {
                self.stage = Stage::Saving(cx.request(Request::SaveConf { force: false }));
            }
            (Stage::Force(_), Key::Char('f')) => {
                self.stage = Stage::Forcing(cx.request(Request::SaveConf { force: true }));
            }
            // Keys wait while tor answers.
            (Stage::Saving(_) | Stage::Forcing(_), _) => {}
            _ => return Step::Close,
        }
        Step::Stay
    }

    fn esc(&mut self, _cx: &mut Cx) -> Step {
        if self.waiting() {
            Step::Stay
        } else {
            Step::Close
        }
    }

    fn mouse(&mut self, _m: Mouse, _cx: &mut Cx) -> Step {
        Step::Stay
    }

    fn respond(&mut self, ticket: Ticket, response: Response, _cx: &mut Cx) -> Step {
        match self.answer(ticket, &response) {
            Some((text, error)) if self.stage == Stage::Done => {
                Step::Done(Answer::Status(text, error))
            }
            Some((text, error)) => Step::Tell(Answer::Status(text, error)),
            None => Step::Stay,
        }
    }

    fn draw(&self, view: &View, area: Rect, buf: &mut Buffer) {
        self.render(view.theme, area, buf);
    }
}
