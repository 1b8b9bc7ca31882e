//! The help popup and the menu bar, both made from the same action lists
//! (the app's and the current page's), with current values and the keys
//! as bound: they cannot disagree.

use super::{App, GlobalAction, GENERAL_MENU, GLOBAL_ACTIONS};
use crate::keymap::{ActionId, ActionSpec};
use crate::menubar::{self, MenuBar, Target};
use crate::popup::draw_box;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::Line;

impl App {
    /// The menus: General, the pages, then the current page's own, each
    /// entry labelled and keyed from the same action lists as the help.
    pub(super) fn menu_bar(&self, live: &rnyx_model::ControllerState) -> MenuBar {
        let page = &*self.pages[self.page];
        let entry = |spec: &ActionSpec, value: Option<String>, keys: String, target| {
            let label = match value {
                Some(v) => format!("{} ({v})", spec.description),
                None => spec.description.to_owned(),
            };
            menubar::Entry {
                label,
                keys,
                target,
            }
        };
        let general = GENERAL_MENU
            .iter()
            .map(|a| {
                entry(
                    &GLOBAL_ACTIONS[a.id().index()],
                    self.global_value(*a),
                    self.keymap.global_label(a.id()),
                    Target::Global(a.id()),
                )
            })
            .collect();
        let mut menus = vec![
            menubar::Menu {
                title: "General".into(),
                entries: general,
            },
            menubar::Menu {
                title: "Pages".into(),
                entries: self
                    .pages
                    .iter()
                    .enumerate()
                    .filter(|(i, p)| *i == self.page || p.shown(live))
                    .map(|(i, p)| menubar::Entry {
                        label: format!(
                            "[{}] {} {}",
                            if i == self.page { 'x' } else { ' ' },
                            i + 1,
                            p.title()
                        ),
                        keys: String::new(),
                        target: Target::GoTo(i),
                    })
                    .collect(),
            },
        ];
        for (i, spec) in page.actions().iter().enumerate() {
            let Some(title) = spec.menu else { continue };
            let id = ActionId::new(i);
            let e = entry(
                spec,
                page.value(id),
                self.keymap.page_label(page.id(), id),
                Target::Page(id),
            );
            match menus.iter_mut().find(|m| m.title == title) {
                Some(m) => m.entries.push(e),
                None => menus.push(menubar::Menu {
                    title: title.to_owned(),
                    entries: vec![e],
                }),
            }
        }
        // Opens on the page's first menu, as Nyx opens on its own.
        MenuBar::new(menus, 2)
    }

    fn global_value(&self, action: GlobalAction) -> Option<String> {
        match action {
            GlobalAction::Pause => Some(
                if self.is_paused() {
                    "paused"
                } else {
                    "running"
                }
                .to_owned(),
            ),
            GlobalAction::Quit => Some(format!(
                "confirm: {}",
                if self.confirm_quit { "yes" } else { "no" }
            )),
            _ => None,
        }
    }

    /// Every global action and the page's, with their keys and values.
    pub(super) fn help_lines(&self) -> Vec<String> {
        use GlobalAction as A;
        let page = &*self.pages[self.page];
        let line = |keys: String, spec: &ActionSpec, value: Option<String>| {
            let mut text = format!("{keys:>8}: {}", spec.description);
            if let Some(v) = value {
                text.push_str(" (");
                text.push_str(&v);
                text.push(')');
            }
            text
        };
        let replay = [
            A::ReplayBack,
            A::ReplayForward,
            A::ReplaySlower,
            A::ReplayFaster,
        ];
        let mut lines: Vec<String> = GlobalAction::ALL
            .iter()
            .filter(|a| self.replaying.get() || !replay.contains(a))
            // Watching one relay, there is no next one.
            .filter(|a| self.fleet.len() > 1 || **a != A::NextRelay)
            .map(|a| {
                line(
                    self.keymap.global_label(a.id()),
                    &GLOBAL_ACTIONS[a.id().index()],
                    self.global_value(*a),
                )
            })
            .collect();
        lines.extend(page.actions().iter().enumerate().map(|(i, a)| {
            let id = ActionId::new(i);
            line(self.keymap.page_label(page.id(), id), a, page.value(id))
        }));
        lines
    }
}

/// The help popup: every global action and the page's, with their keys
/// and values as they were when it opened; any key or a click closes it.
pub(super) struct Help {
    lines: Vec<String>,
}

impl Help {
    pub(super) fn new(lines: Vec<String>) -> Self {
        Self { lines }
    }
}

impl crate::popup::Popup for Help {
    fn key(&mut self, _key: crate::keymap::Key, _cx: &mut crate::page::Cx) -> crate::popup::Step {
        crate::popup::Step::Close
    }

    fn mouse(&mut self, m: crate::page::Mouse, _cx: &mut crate::page::Cx) -> crate::popup::Step {
        if m.kind == crate::page::MouseKind::Click {
            crate::popup::Step::Close
        } else {
            crate::popup::Step::Stay
        }
    }

    fn draw(&self, view: &crate::page::View, area: Rect, buf: &mut Buffer) {
        let lines = self.lines.clone();
        // Two columns when one does not fit the screen's height.
        let rows = if lines.len() + 4 > usize::from(area.height) {
            let half = lines.len().div_ceil(2);
            let width = lines[..half]
                .iter()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0);
            (0..half)
                .map(|i| match lines.get(half + i) {
                    Some(right) => format!("{:<width$}  {right}", lines[i]),
                    None => lines[i].clone(),
                })
                .collect()
        } else {
            lines
        };
        let mut rows: Vec<Line> = rows.into_iter().map(Line::raw).collect();
        rows.push(Line::raw(""));
        rows.push(Line::raw("Press any key to close."));
        draw_box("Page help", rows, view.theme, area, buf);
    }
}
