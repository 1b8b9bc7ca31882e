//! Page 1: the graph over the event log, with their popups: interval and
//! statistic menus, the log filter menu, typed text (filter, save path), the
//! clear confirmation, the event-selection dialog, and resizing the graph.

use crate::events::EventDialog;
use crate::graph::{GraphPanel, GraphStat};
use crate::keymap::{ActionId, ActionSpec, Key};
use crate::log::LogPanel;
use crate::model::Interval;
use crate::page::{Cx, Mouse, MouseKind, Page, PageInfo, Request, Response, Ticket, View};
use crate::pages::PageEntry;
use crate::popup::{Answer, Confirm, Menu, Step, TextBox};
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
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
    /// The log filter menu: its options as shown.
    Filter(Vec<String>),
    Text(Input),
    ConfirmClear,
    Events,
    Resize,
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
    /// The popup open on the app's stack, by its ticket.
    opened: Option<(Ticket, Opened)>,
    /// Snapshots being written: ticket, line count, path as typed.
    saves: Vec<(Ticket, usize, String)>,
    /// The event-selection change under way.
    events_ticket: Option<Ticket>,
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
            opened: None,
            saves: Vec::new(),
            events_ticket: None,
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

    /// Opens a popup on the app's stack.
    fn open(&mut self, popup: impl crate::popup::Popup + 'static, what: Opened, cx: &mut Cx) {
        self.opened = Some((cx.open(Box::new(popup)), what));
    }

    /// The log filter, typed.
    fn type_filter(&mut self, cx: &mut Cx) {
        let text = TextBox::new("Filter the log", "Regular expression (empty: no filter):");
        self.open(text, Opened::Text(Input::Filter), cx);
    }

    fn submit(&mut self, purpose: Input, text: &str, cx: &mut Cx) {
        match purpose {
            Input::Filter => self.apply_filter(text, cx),
            Input::SavePath if text.is_empty() => cx.notify("not saved: no path given"),
            Input::SavePath => {
                let text_out = self.log.snapshot(&cx.shown.log);
                let lines = text_out.lines().count();
                let ticket = cx.request(Request::WriteFile {
                    path: text.to_owned(),
                    text: text_out,
                });
                self.saves.push((ticket, lines, text.to_owned()));
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
                self.open(menu, Opened::Interval, cx);
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
                self.open(menu, Opened::Stat, cx);
            }
            Action::GraphResize => {
                self.open(Resizing, Opened::Resize, cx);
                self.resize_notice(cx);
            }
            Action::LogEvents => {
                let dialog = EventDialog::new(&cx.live.logged_events, &cx.live.event_names);
                self.open(dialog, Opened::Events, cx);
            }
            Action::LogFilter => {
                let mut options = vec!["no filter".to_owned()];
                options.extend(log.recent_filters().iter().cloned());
                options.push("new…".to_owned());
                let selected = usize::from(log.filter().is_some());
                let menu = Menu::new("Filter the log", options.clone(), selected);
                self.open(menu, Opened::Filter(options), cx);
            }
            Action::LogDedup => {
                log.deduplicate = !log.deduplicate;
                let on = if log.deduplicate { "hidden" } else { "shown" };
                cx.notify(format!("duplicate log messages {on}"));
            }
            Action::LogSave => {
                let text = TextBox::new("Save the log", "Save what is shown to (path):");
                self.open(text, Opened::Text(Input::SavePath), cx);
            }
            Action::LogClear => {
                let confirm = Confirm {
                    title: "Clear the log",
                    question: "Clear every entry shown in the log?",
                };
                self.open(confirm, Opened::ConfirmClear, cx);
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

    fn answered(&mut self, ticket: Ticket, answer: Answer, cx: &mut Cx) {
        let Some((opened, what)) = self.opened.take() else {
            return;
        };
        if opened != ticket {
            self.opened = Some((opened, what));
            return;
        }
        match (what, answer) {
            (Opened::Interval, Answer::Picked(i)) => self.graph.interval = Interval::ALL[i],
            (Opened::Stat, Answer::Picked(i)) => self.graph.stat = GraphStat::ALL[i],
            (Opened::Filter(_), Answer::Picked(0)) => {
                let _ = self.log.set_filter("");
            }
            (Opened::Filter(options), Answer::Picked(i)) if i == options.len() - 1 => {
                self.type_filter(cx);
            }
            (Opened::Filter(options), Answer::Picked(i)) => self.apply_filter(&options[i], cx),
            (Opened::Text(purpose), Answer::Text(text)) => self.submit(purpose, &text, cx),
            (Opened::ConfirmClear, Answer::Yes) => {
                self.log.clear(&cx.shown.log);
                cx.notify("log cleared");
            }
            (Opened::Events, Answer::Events(selection)) => {
                cx.notify(format!("showing events: {}", selection.names().join(" ")));
                self.events_ticket = Some(cx.request(Request::SetEvents(selection)));
            }
            (Opened::Resize, Answer::Moved(delta)) => {
                self.graph.resize(delta.into());
                self.resize_notice(cx);
                // Still open: its next step comes with the same ticket.
                self.opened = Some((opened, Opened::Resize));
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

    fn respond(&mut self, ticket: Ticket, response: Response, cx: &mut Cx) {
        if let Some(i) = self.saves.iter().position(|(t, ..)| *t == ticket) {
            let (_, lines, path) = self.saves.remove(i);
            match response {
                Response::Done(written) => {
                    cx.notify(format!("saved {lines} log lines to {written}"));
                }
                other => cx.notify(format!(
                    "cannot save the log to {path}: {}",
                    other.error().unwrap_or_default()
                )),
            }
        } else if self.events_ticket == Some(ticket) {
            self.events_ticket = None;
            match response {
                Response::Events { rejected } if rejected.is_empty() => {}
                Response::Events { rejected } => cx.notify(format!(
                    "tor does not know {}; the rest apply",
                    rejected.join(", ")
                )),
                other => cx.notify(format!(
                    "cannot change the events: {}",
                    other.error().unwrap_or_default()
                )),
            }
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
