//! Page 3: tor's configuration editor. Every option tor has (by default
//! the ones operators touch most, and those set), its value by type, a
//! summary from tor's manual, and the selected option's details above the
//! list. Enter edits (empty resets), `w` saves the torrc with SAVECONF
//! (offering FORCE when the torrc uses `%include`), `/` filters by name or
//! description, `s` sorts, `a` shows every option.

mod draw;
mod order;
mod save;

use crate::input::{Edit, LineInput};
use crate::keymap::{ActionId, ActionSpec, Key};
use crate::list::{Cursor, Scroll};
use crate::page::{ask, Cx, Failure, HitMap, Mouse, MouseKind, Page, PageInfo, Tag, View};
use crate::pages::PageEntry;
use crate::popup::{Answer, Menu};
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use rnyx_model::{ControllerState, Manual, TorOption};
use std::fmt::Write as _;

pub use crate::settings::ConfigSettings;
pub use order::ConfigOrder;

pub const ID: &str = "config";

/// The options listed before `a`: Nyx's (Stem's) list of the most used,
/// and a few relay operators reach for today.
pub const COMMON: &[&str] = &[
    "AccountingMax",
    "AccountingRule",
    "AccountingStart",
    "Address",
    "BandwidthBurst",
    "BandwidthRate",
    "Bridge",
    "BridgeRelay",
    "ContactInfo",
    "ControlPort",
    "ControlSocket",
    "CookieAuthentication",
    "DataDirectory",
    "DirPort",
    "DirPortFrontPage",
    "ExcludeNodes",
    "ExitPolicy",
    "ExitRelay",
    "FamilyId",
    "HashedControlPassword",
    "HiddenServiceDir",
    "HiddenServicePort",
    "IPv6Exit",
    "Log",
    "MaxAdvertisedBandwidth",
    "MaxCircuitDirtiness",
    "MetricsPort",
    "MyFamily",
    "Nickname",
    "ORPort",
    "RelayBandwidthBurst",
    "RelayBandwidthRate",
    "RunAsDaemon",
    "SocksPort",
    "UseBridges",
    "User",
];

/// The page as the app, nyxrc and the menus know it.
pub const INFO: PageInfo = PageInfo {
    id: ID,
    title: "Configuration",
    actions: ACTIONS,
};

pub const ENTRY: PageEntry = PageEntry {
    info: INFO,
    make: |s| {
        Box::new(ConfigPage {
            settings: s.config.clone(),
            ..ConfigPage::default()
        })
    },
};

const MENU: Option<&str> = Some("Configuration");

crate::actions! {
    /// The configuration editor's actions.
    pub enum Action {
        Edit = ("edit", "edit the value", &[Key::Enter], MENU),
        Save = ("save", "save the torrc", &[Key::Char('w')], MENU),
        ShowAll = ("show_all", "show all options", &[Key::Char('a')], MENU),
        Sort = ("sort", "sort ordering", &[Key::Char('s')], MENU),
        Filter = ("filter", "filter by name or description", &[Key::Char('/')], MENU),
    }
    scrolling
}

pub const ACTIONS: &[ActionSpec] = Action::SPECS;

/// What the prompt at the bottom is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Prompt {
    /// A new value for this option.
    Value(String),
    Filter,
}

/// A line under the list saying how the last change went.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Status {
    text: String,
    error: bool,
}

/// The configuration editor's view state.
/// What a popup this page opened is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opened {
    Sort,
    Save,
}

/// A change sent to tor: what it was, and tor's answer.
struct Changed {
    what: String,
    answer: Result<(), Failure>,
}

#[derive(Debug, Clone, Default)]
pub struct ConfigPage {
    pub settings: ConfigSettings,
    show_all: bool,
    filter: String,
    cursor: Cursor,
    prompt: Option<(Prompt, LineInput)>,
    status: Option<Status>,
    /// Rows drawn, for clicks.
    rows: HitMap<usize>,
}

impl ConfigPage {
    /// The options listed, in order.
    pub fn listed<'a>(&self, state: &'a ControllerState) -> Vec<&'a TorOption> {
        let manual = state.facts.manual.as_deref();
        let filter = self.filter.to_lowercase();
        let mut list: Vec<&TorOption> = state
            .facts
            .config
            .options
            .iter()
            .filter(|o| self.settings.show_private || !o.is_private())
            .filter(|o| self.settings.show_virtual || !o.is_virtual())
            .filter(|o| {
                self.show_all
                    || !filter.is_empty()
                    || o.set
                    || o.unsaved
                    || COMMON.iter().any(|c| c.eq_ignore_ascii_case(&o.name))
            })
            .filter(|o| filter.is_empty() || matches_filter(o, manual, &filter))
            .collect();
        order::sort(&mut list, &self.settings.order, manual);
        if !filter.is_empty() {
            // The option named so first, then names holding the filter,
            // then the ones only their description mentions.
            list.sort_by_key(|o| {
                let name = o.name.to_lowercase();
                (name != filter, !name.contains(&filter))
            });
        }
        list
    }

    fn selected<'a>(&self, state: &'a ControllerState) -> Option<&'a TorOption> {
        self.listed(state).get(self.cursor.at()).copied()
    }

    /// The edit typed for `option`, sent to tor.
    fn submit(&mut self, option: &str, text: &str, cx: &mut Cx) {
        let Some(o) = cx.live.facts.config.get(option) else {
            return;
        };
        let text = text.trim();
        let what = if text.is_empty() {
            format!("{} reset to its default", o.name)
        } else {
            format!("{} set", o.name)
        };
        let changed = move |answer| Changed { what, answer };
        let values = if text.is_empty() {
            cx.ask(ask::ResetConf(vec![o.name.clone()]), changed);
            return;
        } else if o.is_boolean() {
            let Some(v) = boolean(text, o.kind == rnyx_model::OptionType::BooleanAuto) else {
                self.say(
                    &format!(
                        "{} takes true or false{}",
                        o.name,
                        if o.kind == rnyx_model::OptionType::BooleanAuto {
                            " or auto"
                        } else {
                            ""
                        }
                    ),
                    true,
                );
                return;
            };
            vec![(o.name.clone(), Some(v.into()))]
        } else if o.is_line_list() {
            text.split(',')
                .map(|v| (o.name.clone(), Some(v.trim().to_owned())))
                .collect()
        } else {
            vec![(o.name.clone(), Some(text.to_owned()))]
        };
        cx.ask(ask::SetConf(values), changed);
    }

    fn say(&mut self, text: &str, error: bool) {
        self.status = Some(Status {
            text: rnyx_model::text::strip_controls(text),
            error,
        });
    }
}

/// `true`/`false` (and the like) as tor's `1`/`0`.
fn boolean(text: &str, auto: bool) -> Option<&'static str> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some("1"),
        "false" | "0" | "no" | "off" => Some("0"),
        "auto" if auto => Some("auto"),
        _ => None,
    }
}

/// The option's name, or its manual entry, holds `filter` (lower case).
fn matches_filter(o: &TorOption, manual: Option<&Manual>, filter: &str) -> bool {
    o.name.to_lowercase().contains(filter)
        || manual.and_then(|m| m.get(&o.name)).is_some_and(|e| {
            e.description
                .iter()
                .any(|p| p.to_lowercase().contains(filter))
        })
}

impl Page for ConfigPage {
    fn info(&self) -> &'static PageInfo {
        &INFO
    }

    fn uses_manual(&self) -> bool {
        true
    }

    fn action(&mut self, action: ActionId, cx: &mut Cx) {
        let action = Action::of(action);
        match action {
            Action::Scroll(step) => self.cursor.step(step),
            Action::Edit => {
                if let Some(o) = self.selected(cx.shown) {
                    let current = if o.is_line_list() {
                        o.values.join(", ")
                    } else {
                        o.values.first().cloned().unwrap_or_default()
                    };
                    let current = match (o.is_boolean(), current.as_str()) {
                        (true, "1") => "true".to_owned(),
                        (true, "0") => "false".to_owned(),
                        _ => current,
                    };
                    self.prompt = Some((Prompt::Value(o.name.clone()), LineInput::new(&current)));
                }
            }
            Action::Save => cx.open(Box::new(save::Save::ask(cx.shown)), Opened::Save),
            Action::ShowAll => {
                self.show_all = !self.show_all;
                self.cursor.set(0);
            }
            Action::Sort => {
                let first = self.settings.order.first().copied().unwrap_or_default();
                let menu = Menu::of("Sort options by", &ConfigOrder::ALL, &first, |o| o.name());
                cx.open(Box::new(menu), Opened::Sort);
            }
            Action::Filter => self.prompt = Some((Prompt::Filter, LineInput::new(&self.filter))),
        }
    }

    fn value(&self, action: ActionId) -> Option<String> {
        match Action::of(action) {
            Action::ShowAll => Some(
                if self.show_all {
                    "all"
                } else {
                    "common and set"
                }
                .into(),
            ),
            Action::Sort => Some(
                self.settings
                    .order
                    .iter()
                    .map(|o| o.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Action::Filter if !self.filter.is_empty() => Some(self.filter.clone()),
            Action::Filter | Action::Edit | Action::Save | Action::Scroll(_) => None,
        }
    }

    fn hints(&self) -> &'static [ActionId] {
        const HINTS: &[ActionId] = &[
            Action::Edit.id(),
            Action::Save.id(),
            Action::ShowAll.id(),
            Action::Filter.id(),
        ];
        HINTS
    }

    fn modal(&self) -> bool {
        self.prompt.is_some()
    }

    fn modal_key(&mut self, key: Key, cx: &mut Cx) {
        if let Some((prompt, mut input)) = self.prompt.take() {
            match input.key(key) {
                Edit::Editing => self.prompt = Some((prompt, input)),
                Edit::Cancel => {}
                Edit::Done => match prompt {
                    Prompt::Filter => {
                        input.text().trim().clone_into(&mut self.filter);
                        self.cursor.set(0);
                    }
                    Prompt::Value(option) => self.submit(&option, &input.text(), cx),
                },
            }
        }
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) {
        if self.prompt.is_some() {
            return;
        }
        let step = match m.kind {
            MouseKind::WheelUp => Scroll::Up,
            MouseKind::WheelDown => Scroll::Down,
            MouseKind::Click => {
                if let Some(i) = self.rows.at(m.column, m.row) {
                    self.cursor.set(i);
                }
                return;
            }
        };
        for _ in 0..3 {
            self.cursor.step(step);
        }
    }

    fn answered(&mut self, tag: Tag, answer: Answer, _cx: &mut Cx) {
        match (tag.take::<Opened>(), answer) {
            (Some(Opened::Sort), Answer::Picked(v)) => {
                if let Some(first) = v.take::<ConfigOrder>() {
                    order::make_first(&mut self.settings.order, first);
                }
            }
            (Some(Opened::Save), Answer::Status(text, error)) => self.say(&text, error),
            _ => {}
        }
    }

    fn respond(&mut self, answer: Tag, _cx: &mut Cx) {
        let Some(Changed { what, answer }) = answer.take() else {
            return;
        };
        match answer {
            Ok(()) => self.say(&what, false),
            Err(why @ Failure::Refused { .. }) => self.say(&format!("tor refused: {why}"), true),
            Err(why) => self.say(&why.to_string(), true),
        }
    }

    fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        self.rows.clear();
        if area.height < 3 || area.width < 30 {
            return;
        }
        let state = view.state;
        let list = self.listed(state);
        let theme = view.theme;
        let c = &state.facts.config;
        let mut title = format!("Tor Configuration ({} options", list.len());
        if c.unsaved() > 0 {
            let _ = write!(title, ", {} unsaved", c.unsaved());
        }
        if !self.filter.is_empty() {
            let _ = write!(title, ", matching \"{}\"", self.filter);
        }
        title.push_str("):");
        buf.set_stringn(
            area.x,
            area.y,
            rnyx_model::text::strip_controls(&title),
            usize::from(area.width),
            theme.title(),
        );
        let mut top = area.y + 1;
        let mut bottom = area.y + area.height;
        if let Some(note) = draw::note(state) {
            buf.set_stringn(area.x, top, note, usize::from(area.width), theme.warning());
            top += 1;
        }
        // The prompt or the status takes the last row.
        if self.prompt.is_some() || self.status.is_some() {
            bottom -= 1;
            let row = Rect::new(area.x, bottom, area.width, 1);
            match &self.prompt {
                Some((Prompt::Filter, input)) => input.render("filter: ", theme, row, buf),
                Some((Prompt::Value(name), input)) => {
                    input.render(&format!("{name}: "), theme, row, buf);
                }
                None => {
                    if let Some(s) = &self.status {
                        let style = if s.error {
                            theme.error()
                        } else {
                            theme.secondary()
                        };
                        buf.set_stringn(row.x, row.y, &s.text, usize::from(row.width), style);
                    }
                }
            }
        }
        // The selection, as the list drawn below clamps it (sorted once a frame).
        let selected = list
            .get(self.cursor.at().min(list.len().saturating_sub(1)))
            .copied();
        // Details above the list when there is room.
        let rows = bottom.saturating_sub(top);
        if rows >= 16 {
            let height = 8.min(rows / 2);
            let pane = Rect::new(area.x, top, area.width, height);
            draw::details(selected, state.facts.manual.as_deref(), theme, pane, buf);
            top += height;
        }
        let body = Rect::new(area.x, top, area.width, bottom.saturating_sub(top));
        self.draw_list(&list, state.facts.manual.as_deref(), theme, body, buf);
        crate::popup::draw_scrollbar(
            body,
            list.len(),
            self.cursor.window(list.len(), usize::from(body.height)),
            buf,
        );
    }
}

#[cfg(test)]
mod tests;
