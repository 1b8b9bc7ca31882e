//! Saving the torrc (`w`): what tor would write and where, then SAVECONF;
//! when tor refuses because the torrc uses `%include`, what SAVECONF FORCE
//! would do, and FORCE if the operator says so.

use crate::keymap::Key;
use crate::page::{ask, Cx, Failure, Mouse, Tag, View};
use crate::popup::{Answer, Popup, Step};
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::Line;
use rnyx_model::ControllerState;

/// Lines of the configuration shown in the popup at most.
const SHOWN: usize = 14;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    Ask,
    Saving,
    /// tor refused (its words): offer FORCE.
    Force(String),
    Forcing,
    Done,
}

/// tor's answer to SAVECONF, and whether it was forced.
struct Saved {
    forced: bool,
    answer: Result<String, Failure>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Save {
    stage: Stage,
    path: String,
    text: Vec<String>,
}

impl Save {
    pub fn ask(state: &ControllerState) -> Self {
        let c = &state.facts.config;
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
            text: c
                .text
                .lines()
                .map(rnyx_model::text::strip_controls)
                .collect(),
        }
    }

    fn waiting(&self) -> bool {
        matches!(self.stage, Stage::Saving | Stage::Forcing)
    }

    /// tor's answer: what to say under the list, if it is this popup's.
    fn answer(&mut self, saved: Saved) -> Option<(String, bool)> {
        let forcing = match self.stage {
            Stage::Saving if !saved.forced => false,
            Stage::Forcing if saved.forced => true,
            _ => return None,
        };
        let refusal = match saved.answer {
            Ok(_) => {
                self.stage = Stage::Done;
                let how = if forcing { " (FORCE)" } else { "" };
                return Some((format!("saved to {}{how}", self.path), false));
            }
            Err(why) => why.to_string(),
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
            Stage::Saving | Stage::Forcing => lines.push(Line::raw("saving…")),
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
                cx.ask(ask::SaveConf { force: false }, |answer| Saved {
                    forced: false,
                    answer,
                });
                self.stage = Stage::Saving;
            }
            (Stage::Force(_), Key::Char('f')) => {
                cx.ask(ask::SaveConf { force: true }, |answer| Saved {
                    forced: true,
                    answer,
                });
                self.stage = Stage::Forcing;
            }
            // Keys wait while tor answers.
            (Stage::Saving | Stage::Forcing, _) => {}
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

    fn respond(&mut self, answer: Tag, _cx: &mut Cx) -> Step {
        let Some(saved) = answer.take::<Saved>() else {
            return Step::Stay;
        };
        match self.answer(saved) {
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
