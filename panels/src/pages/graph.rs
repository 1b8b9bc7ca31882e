//! Page 1: the graph over the event log, with their popups: interval and
//! statistic menus, the log filter menu, typed text (filter, save path), the
//! clear confirmation, the event-selection dialog, and resizing the graph.

use crate::events::{EventDialog, Outcome};
use crate::graph::{GraphPanel, GraphStat};
use crate::keymap::{ActionSpec, Key};
use crate::log::LogPanel;
use crate::model::Interval;
use crate::page::{Cx, Mouse, MouseKind, Page, PageInfo, Request, Response, Ticket, View};
use crate::pages::PageEntry;
use crate::popup::{draw_box, draw_confirm, Answer, Menu};
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::Line;
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

#[derive(Debug, Clone)]
enum Popup {
    Input {
        purpose: Input,
        text: String,
    },
    ConfirmClear,
    Events(Box<EventDialog>),
    /// Up/Down resize the graph; any other key ends it.
    Resize,
}

/// What the menu open on the app's stack picks.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MenuFor {
    Interval,
    Stat,
    /// The log filter: its options as shown.
    Filter(Vec<String>),
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
    popup: Option<Popup>,
    /// The menu open, by its ticket.
    menu: Option<(Ticket, MenuFor)>,
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
            popup: None,
            menu: None,
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

    /// Opens a menu on the app's stack.
    fn open(&mut self, menu: Menu, what: MenuFor, cx: &mut Cx) {
        self.menu = Some((cx.open(Box::new(menu)), what));
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

    fn events_chosen(&mut self, outcome: Outcome, dialog: Box<EventDialog>, cx: &mut Cx) {
        match outcome {
            Outcome::Open => self.popup = Some(Popup::Events(dialog)),
            Outcome::Cancel => {}
            Outcome::Apply(selection) => {
                cx.notify(format!("showing events: {}", selection.names().join(" ")));
                self.events_ticket = Some(cx.request(Request::SetEvents(selection)));
            }
        }
    }
}

impl Page for GraphPage {
    fn info(&self) -> &'static PageInfo {
        &INFO
    }

    fn action(&mut self, action: &'static str, cx: &mut Cx) {
        let Some(action) = Action::from_name(action) else {
            return;
        };
        let log = &mut self.log;
        match action {
            Action::GraphInterval => {
                let menu = Menu::of(
                    "Graph interval",
                    &Interval::ALL,
                    &self.graph.interval,
                    |i| i.name(),
                );
                self.open(menu, MenuFor::Interval, cx);
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
                self.open(menu, MenuFor::Stat, cx);
            }
            Action::GraphResize => {
                self.popup = Some(Popup::Resize);
                self.resize_notice(cx);
            }
            Action::LogEvents => {
                self.popup = Some(Popup::Events(Box::new(EventDialog::new(
                    &cx.live.logged_events,
                    &cx.live.event_names,
                ))));
            }
            Action::LogFilter => {
                let mut options = vec!["no filter".to_owned()];
                options.extend(log.recent_filters().iter().cloned());
                options.push("new…".to_owned());
                let selected = usize::from(log.filter().is_some());
                let menu = Menu::new("Filter the log", options.clone(), selected);
                self.open(menu, MenuFor::Filter(options), cx);
            }
            Action::LogDedup => {
                log.deduplicate = !log.deduplicate;
                let on = if log.deduplicate { "hidden" } else { "shown" };
                cx.notify(format!("duplicate log messages {on}"));
            }
            Action::LogSave => {
                self.popup = Some(Popup::Input {
                    purpose: Input::SavePath,
                    text: String::new(),
                });
            }
            Action::LogClear => self.popup = Some(Popup::ConfirmClear),
            Action::ScrollUp => log.scroll_up(1),
            Action::ScrollDown => log.scroll_down(1),
            Action::PageUp => log.scroll_up(log.page()),
            Action::PageDown => log.scroll_down(log.page()),
            Action::ScrollTop => log.scroll_to_top(),
            Action::ScrollBottom => log.scroll_to_bottom(),
        }
    }

    fn value(&self, action: &str) -> Option<String> {
        match Action::from_name(action)? {
            Action::GraphInterval => Some(self.graph.interval.name().to_owned()),
            Action::GraphBounds => Some(self.graph.bound.name().to_owned()),
            Action::GraphStat => Some(self.graph.stat.name().to_owned()),
            Action::GraphResize => Some(format!("{} rows", self.graph.height)),
            Action::LogDedup => Some(if self.log.deduplicate { "on" } else { "off" }.into()),
            Action::LogFilter => self.log.filter().map(str::to_owned),
            _ => None,
        }
    }

    fn modal(&self) -> bool {
        self.popup.is_some()
    }

    fn modal_key(&mut self, key: Key, cx: &mut Cx) {
        let Some(mut popup) = self.popup.take() else {
            return;
        };
        match &mut popup {
            Popup::Input { purpose, text } => match key {
                Key::Enter => {
                    let (purpose, text) = (*purpose, text.trim().to_owned());
                    self.submit(purpose, &text, cx);
                }
                Key::Esc => {}
                Key::Backspace => {
                    text.pop();
                    self.popup = Some(popup);
                }
                Key::Char(c) => {
                    // Typed text is drawn: nothing that could steer the terminal.
                    if !c.is_control() {
                        text.push(c);
                    }
                    self.popup = Some(popup);
                }
                _ => self.popup = Some(popup),
            },
            Popup::ConfirmClear => {
                if matches!(key, Key::Char('y' | 'Y') | Key::Enter) {
                    self.log.clear(&cx.shown.log);
                    cx.notify("log cleared");
                }
            }
            Popup::Events(dialog) => {
                let outcome = dialog.key(key);
                if let Popup::Events(dialog) = popup {
                    self.events_chosen(outcome, dialog, cx);
                }
            }
            Popup::Resize => {
                let delta = match key {
                    Key::Down => 1,
                    Key::Up => -1,
                    _ => return,
                };
                self.graph.resize(delta);
                self.popup = Some(popup);
                self.resize_notice(cx);
            }
        }
    }

    fn answered(&mut self, ticket: Ticket, answer: Answer, cx: &mut Cx) {
        let Some((opened, what)) = self.menu.take() else {
            return;
        };
        let Answer::Picked(index) = answer;
        if opened != ticket {
            return;
        }
        match what {
            MenuFor::Interval => self.graph.interval = Interval::ALL[index],
            MenuFor::Stat => self.graph.stat = GraphStat::ALL[index],
            MenuFor::Filter(_) if index == 0 => {
                let _ = self.log.set_filter("");
            }
            MenuFor::Filter(options) if index == options.len() - 1 => {
                self.popup = Some(Popup::Input {
                    purpose: Input::Filter,
                    text: String::new(),
                });
            }
            MenuFor::Filter(options) => self.apply_filter(&options[index], cx),
        }
    }

    fn mouse(&mut self, m: Mouse, cx: &mut Cx) {
        let Some(mut popup) = self.popup.take() else {
            // The wheel scrolls the log, three rows a notch.
            match m.kind {
                MouseKind::WheelUp => self.log.scroll_up(3),
                MouseKind::WheelDown => self.log.scroll_down(3),
                MouseKind::Click => {}
            }
            return;
        };
        match &mut popup {
            Popup::Events(dialog) => {
                let outcome = dialog.mouse(m);
                if let Popup::Events(dialog) = popup {
                    self.events_chosen(outcome, dialog, cx);
                }
            }
            Popup::Resize => {
                let delta = match m.kind {
                    MouseKind::WheelUp => -1,
                    MouseKind::WheelDown => 1,
                    MouseKind::Click => return,
                };
                self.graph.resize(delta);
                self.popup = Some(popup);
                self.resize_notice(cx);
            }
            // A click elsewhere answers a confirmation with no; typed text
            // stays open.
            Popup::ConfirmClear => {}
            Popup::Input { .. } => self.popup = Some(popup),
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

    fn render_popup(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let theme = view.theme;
        match &self.popup {
            Some(Popup::ConfirmClear) => draw_confirm(
                "Clear the log",
                "Clear every entry shown in the log?",
                theme,
                area,
                buf,
            ),
            Some(Popup::Input { purpose, text }) => {
                let (title, prompt) = match purpose {
                    Input::Filter => ("Filter the log", "Regular expression (empty: no filter):"),
                    Input::SavePath => ("Save the log", "Save what is shown to (path):"),
                };
                let width = area.width.saturating_sub(8).clamp(20, 70);
                // The end of a long entry stays in view.
                let room = usize::from(width - 4).saturating_sub(2);
                let skip = text.chars().count().saturating_sub(room);
                let visible: String = text.chars().skip(skip).collect();
                draw_box(
                    title,
                    vec![
                        Line::raw(format!("{prompt:<w$}", w = usize::from(width - 4))),
                        Line::styled(format!("{visible}_"), theme.highlight()),
                        Line::raw("enter: done, esc: cancel"),
                    ],
                    theme,
                    area,
                    buf,
                );
            }
            Some(Popup::Events(dialog)) => dialog.render(theme, area, buf),
            Some(Popup::Resize) | None => {}
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
