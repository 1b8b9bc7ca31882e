//! Page 1: the graph over the event log, with their popups: interval and
//! statistic menus, the log filter menu, typed text (filter, save path), the
//! clear confirmation, the event-selection dialog, and resizing the graph.

use crate::events::EventDialog;
use crate::graph::{GraphPanel, GraphStat};
use crate::keymap::{ActionId, ActionSpec, Key};
use crate::log::LogPanel;
use crate::page::{ask, Cx, Failure, Mouse, MouseKind, Page, PageInfo, Tag, View};
use crate::pages::PageEntry;
use crate::popup::{Answer, Confirm, Menu, Step, TextBox};
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use rnyx_model::Interval;
use std::cell::Cell;

pub const ID: &str = "graph";

/// The page as the app, nyxrc and the menus know it.
pub const INFO: PageInfo = PageInfo {
    id: ID,
    title: "Graph / Log",
    actions: ACTIONS,
};

pub const ENTRY: PageEntry = PageEntry {
    info: INFO,
    make: |s| {
        Box::new(GraphPage {
            graph: s.graph.clone(),
            log: s.log.clone(),
            ..GraphPage::default()
        })
    },
};

const GRAPH: Option<&str> = Some("Graph");
const LOG: Option<&str> = Some("Log");

crate::actions! {
    /// Page 1's actions: the graph's and the log's.
    pub enum Action {
        GraphInterval = ("graph_interval", "graph interval", &[Key::Char('i')], GRAPH),
        GraphBounds = ("graph_bounds", "graph bounds", &[Key::Char('b')], GRAPH),
        GraphStat = ("graph_stat", "graph statistic", &[Key::Char('s')], GRAPH),
        GraphResize = ("graph_resize", "resize the graph", &[Key::Char('g')], GRAPH),
        LogEvents = ("log_events", "events to log", &[Key::Char('e')], LOG),
        LogFilter = ("log_filter", "filter the log (regex)", &[Key::Char('f')], LOG),
        LogDedup = ("log_dedup", "hide duplicates", &[Key::Char('u')], LOG),
        LogSave = ("log_save", "save the log to a file", &[Key::Char('a')], LOG),
        LogClear = ("log_clear", "clear the log", &[Key::Char('c')], LOG),
        ScrollUp = ("scroll_up", "scroll up", &[Key::Up], None),
        ScrollDown = ("scroll_down", "scroll down", &[Key::Down], None),
        PageUp = ("page_up", "page up", &[Key::PageUp], None),
        PageDown = ("page_down", "page down", &[Key::PageDown], None),
        ScrollTop = ("scroll_top", "newest entries", &[Key::Home], None),
        ScrollBottom = ("scroll_bottom", "oldest entries", &[Key::End], None),
    }
}

pub const ACTIONS: &[ActionSpec] = Action::SPECS;

/// What the popup this page opened on the app's stack is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Opened {
    Interval,
    Stat,
    Filter,
    Text(Input),
    ConfirmClear,
    Events,
    Resize,
}

/// An entry of the log filter menu.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FilterPick {
    None,
    Recent(String),
    New,
}

/// What this page asked, with the answer.
enum Asked {
    /// The log saved: its lines, the path as typed, where it was written.
    Saved {
        lines: usize,
        path: String,
        written: Result<String, Failure>,
    },
    /// The events shown changed: those tor rejected.
    Events(Result<Vec<String>, Failure>),
}

/// Up/Down (or the wheel) resize the graph as they come; any other key or
/// a click ends it. Nothing is drawn: the status line says the height.
#[derive(Debug)]
struct Resizing;

impl crate::popup::Popup for Resizing {
    fn key(&mut self, key: Key, _cx: &mut Cx) -> Step {
        match key {
            Key::Down => Step::Tell(Answer::Moved(1)),
            Key::Up => Step::Tell(Answer::Moved(-1)),
            _ => Step::Close,
        }
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) -> Step {
        match m.kind {
            MouseKind::WheelUp => Step::Tell(Answer::Moved(-1)),
            MouseKind::WheelDown => Step::Tell(Answer::Moved(1)),
            MouseKind::Click => Step::Close,
        }
    }

    fn draw(&self, _view: &View, _area: Rect, _buf: &mut Buffer) {}
}

/// What a line of typed text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Filter,
    SavePath,
}

/// Graph and log: their view state, the popup open, saves under way.
#[derive(Debug, Clone)]
pub struct GraphPage {
    pub graph: GraphPanel,
    pub log: LogPanel,
    /// Where the log was drawn last, for the wheel.
    log_area: Cell<Rect>,
}

impl Default for GraphPage {
    fn default() -> Self {
        Self {
            graph: GraphPanel {
                stat: GraphStat::Bandwidth,
                interval: Interval::EachSecond,
                bound: crate::graph::Bound::LocalMax,
                height: 7,
                max_width: 150,
                bits: false,
                show_accounting: true,
            },
            log: LogPanel::new(true, 8, 0),
            log_area: Cell::new(Rect::default()),
        }
    }
}

impl GraphPage {
    fn resize_notice(&self, cx: &mut Cx) {
        cx.notify(format!(
            "graph height: {} (up/down to resize, any other key when done)",
            self.graph.height
        ));
    }

    fn apply_filter(&mut self, text: &str, cx: &mut Cx) {
        if let Err(e) = self.log.set_filter(text) {
            cx.notify(e);
        }
    }

    fn submit(&mut self, purpose: Input, text: &str, cx: &mut Cx) {
        match purpose {
            Input::Filter => self.apply_filter(text, cx),
            Input::SavePath if text.is_empty() => cx.notify("not saved: no path given"),
            Input::SavePath => {
                let text_out = self.log.snapshot(&cx.shown.logs.log);
                let lines = text_out.lines().count();
                let path = text.to_owned();
                let write = ask::WriteFile {
                    path: path.clone(),
                    text: text_out,
                };
                cx.ask(write, move |written| Asked::Saved {
                    lines,
                    path,
                    written,
                });
            }
        }
    }
}

impl Page for GraphPage {
    fn info(&self) -> &'static PageInfo {
        &INFO
    }

    fn action(&mut self, action: ActionId, cx: &mut Cx) {
        let action = Action::of(action);
        let log = &mut self.log;
        match action {
            Action::GraphInterval => {
                let menu = Menu::of(
                    "Graph interval",
                    &Interval::ALL,
                    &self.graph.interval,
                    |i| i.name(),
                );
                cx.open(Box::new(menu), Opened::Interval);
            }
            Action::GraphBounds => {
                self.graph.bound = self.graph.bound.next();
                cx.notify(format!("graph bounds: {}", self.graph.bound.name()));
            }
            Action::GraphStat => {
                let menu = Menu::of(
                    "Graphed statistic",
                    &GraphStat::ALL,
                    &self.graph.stat,
                    |s| s.name(),
                );
                cx.open(Box::new(menu), Opened::Stat);
            }
            Action::GraphResize => {
                cx.open(Box::new(Resizing), Opened::Resize);
                self.resize_notice(cx);
            }
            Action::LogEvents => {
                let dialog =
                    EventDialog::new(&cx.live.logs.logged_events, &cx.live.facts.event_names);
                cx.open(Box::new(dialog), Opened::Events);
            }
            Action::LogFilter => {
                let mut options = vec![FilterPick::None];
                options.extend(log.recent_filters().iter().cloned().map(FilterPick::Recent));
                options.push(FilterPick::New);
                let current = match log.filter() {
                    Some(f) => FilterPick::Recent(f.to_owned()),
                    None => FilterPick::None,
                };
                let menu = Menu::of("Filter the log", &options, &current, |o| match o {
                    FilterPick::None => "no filter".to_owned(),
                    FilterPick::Recent(f) => f.clone(),
                    FilterPick::New => "new…".to_owned(),
                });
                cx.open(Box::new(menu), Opened::Filter);
            }
            Action::LogDedup => {
                log.deduplicate = !log.deduplicate;
                let on = if log.deduplicate { "hidden" } else { "shown" };
                cx.notify(format!("duplicate log messages {on}"));
            }
            Action::LogSave => {
                let text = TextBox::new("Save the log", "Save what is shown to (path):");
                cx.open(Box::new(text), Opened::Text(Input::SavePath));
            }
            Action::LogClear => {
                let confirm = Confirm {
                    title: "Clear the log",
                    question: "Clear every entry shown in the log?",
                };
                cx.open(Box::new(confirm), Opened::ConfirmClear);
            }
            Action::ScrollUp => log.scroll_up(1),
            Action::ScrollDown => log.scroll_down(1),
            Action::PageUp => log.scroll_up(log.page()),
            Action::PageDown => log.scroll_down(log.page()),
            Action::ScrollTop => log.scroll_to_top(),
            Action::ScrollBottom => log.scroll_to_bottom(),
        }
    }

    fn value(&self, action: ActionId) -> Option<String> {
        match Action::of(action) {
            Action::GraphInterval => Some(self.graph.interval.name().to_owned()),
            Action::GraphBounds => Some(self.graph.bound.name().to_owned()),
            Action::GraphStat => Some(self.graph.stat.name().to_owned()),
            Action::GraphResize => Some(format!("{} rows", self.graph.height)),
            Action::LogDedup => Some(if self.log.deduplicate { "on" } else { "off" }.into()),
            Action::LogFilter => self.log.filter().map(str::to_owned),
            _ => None,
        }
    }

    fn answered(&mut self, tag: Tag, answer: Answer, cx: &mut Cx) {
        let Some(what) = tag.take::<Opened>() else {
            return;
        };
        match (what, answer) {
            (Opened::Interval, Answer::Picked(v)) => {
                if let Some(i) = v.take::<Interval>() {
                    self.graph.interval = i;
                }
            }
            (Opened::Stat, Answer::Picked(v)) => {
                if let Some(s) = v.take::<GraphStat>() {
                    self.graph.stat = s;
                }
            }
            (Opened::Filter, Answer::Picked(v)) => match v.take::<FilterPick>() {
                Some(FilterPick::None) => {
                    let _ = self.log.set_filter("");
                }
                Some(FilterPick::New) => {
                    let text =
                        TextBox::new("Filter the log", "Regular expression (empty: no filter):");
                    cx.open(Box::new(text), Opened::Text(Input::Filter));
                }
                Some(FilterPick::Recent(f)) => self.apply_filter(&f, cx),
                None => {}
            },
            (Opened::Text(purpose), Answer::Text(text)) => self.submit(purpose, &text, cx),
            (Opened::ConfirmClear, Answer::Yes) => {
                self.log.clear(&cx.shown.logs.log);
                cx.notify("log cleared");
            }
            (Opened::Events, Answer::Events(selection)) => {
                cx.notify(format!("showing events: {}", selection.names().join(" ")));
                cx.ask(ask::SetEvents(selection), Asked::Events);
            }
            (Opened::Resize, Answer::Moved(delta)) => {
                self.graph.resize(delta.into());
                self.resize_notice(cx);
            }
            _ => {}
        }
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) {
        // The wheel scrolls the log, three rows a notch.
        match m.kind {
            MouseKind::WheelUp => self.log.scroll_up(3),
            MouseKind::WheelDown => self.log.scroll_down(3),
            MouseKind::Click => {}
        }
    }

    fn respond(&mut self, answer: Tag, cx: &mut Cx) {
        match answer.take::<Asked>() {
            Some(Asked::Saved {
                lines,
                written: Ok(written),
                ..
            }) => cx.notify(format!("saved {lines} log lines to {written}")),
            Some(Asked::Saved {
                path,
                written: Err(why),
                ..
            }) => cx.notify(format!("cannot save the log to {path}: {why}")),
            Some(Asked::Events(Ok(rejected))) if rejected.is_empty() => {}
            Some(Asked::Events(Ok(rejected))) => cx.notify(format!(
                "tor does not know {}; the rest apply",
                rejected.join(", ")
            )),
            Some(Asked::Events(Err(why))) => {
                cx.notify(format!("cannot change the events: {why}"));
            }
            None => {}
        }
    }

    fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let state = view.state;
        let h = self.graph.panel_height(state).min(area.height);
        self.graph
            .render(state, view.now, view.theme, Rect { height: h, ..area }, buf);
        let log_area = Rect {
            y: area.y + h,
            height: area.height - h,
            ..area
        };
        self.log_area.set(log_area);
        self.log
            .render(state, view.now * 1000, view.theme, log_area, buf);
    }
}
