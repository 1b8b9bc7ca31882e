//! A small page that exercises the contract: rows to select by key, wheel
//! or click, a key (`s`) that page 1 binds to something else, a menu of its
//! own, a footer hint, and a request whose response it records.

use crate::keymap::{ActionId, ActionSpec, Key};
use crate::page::{ask, Cx, HitMap, Mouse, MouseKind, Page, PageInfo, Response, Tag, View};
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;

pub const ID: &str = "list";

crate::actions! {
    /// The page's actions.
    pub enum ListAction {
        Sort = ("sort", "sort rows", &[Key::Char('s')], Some("Rows")),
        Version = ("version", "ask tor's version", &[Key::Char('v')], Some("Rows")),
        Up = ("up", "previous row", &[Key::Up], None),
    }
}

pub const ACTIONS: &[ActionSpec] = ListAction::SPECS;

/// tor's answer to `version`.
struct Version(Response);

const ROWS: [&str; 3] = ["row one", "row two", "row three"];

#[derive(Debug, Default)]
pub struct ListPage {
    pub selected: usize,
    pub sorted: usize,
    pub responses: Vec<Response>,
    rows: HitMap<usize>,
}

impl Page for ListPage {
    fn info(&self) -> &'static PageInfo {
        &PageInfo {
            id: ID,
            title: "List",
            actions: ACTIONS,
        }
    }

    fn action(&mut self, action: ActionId, cx: &mut Cx) {
        match ListAction::of(action) {
            ListAction::Sort => self.sorted += 1,
            ListAction::Version => {
                cx.ask(
                    ask::Unread(ask::GetInfo(vec!["version".into()]).into()),
                    |r| Version(r.unwrap_or(Response::NotConnected)),
                );
            }
            ListAction::Up => self.selected = self.selected.saturating_sub(1),
        }
    }

    fn value(&self, action: ActionId) -> Option<String> {
        (ListAction::of(action) == ListAction::Sort).then(|| "by name".to_owned())
    }

    fn hints(&self) -> &'static [ActionId] {
        const HINTS: &[ActionId] = &[ListAction::Sort.id()];
        HINTS
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) {
        match m.kind {
            MouseKind::Click => {
                if let Some(i) = self.rows.at(m.column, m.row) {
                    self.selected = i;
                }
            }
            MouseKind::WheelUp => self.selected = self.selected.saturating_sub(1),
            MouseKind::WheelDown => self.selected = (self.selected + 1).min(ROWS.len() - 1),
        }
    }

    fn respond(&mut self, answer: Tag, _cx: &mut Cx) {
        if let Some(Version(response)) = answer.take() {
            self.responses.push(response);
        }
    }

    fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        self.rows.clear();
        for (i, (row, y)) in ROWS.iter().zip(area.y..area.y + area.height).enumerate() {
            let style = if i == self.selected {
                view.theme.highlight()
            } else {
                view.theme.plain()
            };
            buf.set_stringn(area.x, y, row, usize::from(area.width), style);
            self.rows.add(Rect::new(area.x, y, area.width, 1), i);
        }
    }
}
