//! The application: pages, popups and key handling. Pure: keys come in,
//! effects go out, and drawing is into a buffer. The I/O side performs the
//! effects and feeds results back as notices.

use crate::events::{EventDialog, Outcome};
use crate::graph::{GraphPanel, GraphStat};
use crate::header;
use crate::keymap::{Action, Key, Keymap};
use crate::log::LogPanel;
use crate::model::{ControllerState, Interval};
use crate::popup::{draw_box, Menu};
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::{Line, Span};

/// What the app asks the I/O side to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
    /// `SIGNAL name` through the controller task.
    Signal(String),
    /// Retry connecting to tor now.
    Reconnect,
    /// Replace the events shown in the log (SETEVENTS through the controller
    /// task; `RNYX_*` names select rnyx's own runlevels).
    SetEvents(Vec<String>),
    /// Write `text` to `path` (`~` is the home directory), creating parent
    /// directories.
    SaveLog {
        path: String,
        text: String,
    },
}

/// A page, in Nyx's order; pages whose panels do not exist yet are absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Graph and log.
    Graph,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Popup {
    Help,
    ConfirmReload,
    Interval(Menu),
    Stat(Menu),
    Filter(Menu),
    Input { purpose: Input, text: String },
    ConfirmClear,
    Events(Box<EventDialog>),
}

/// What a line of typed text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Filter,
    SavePath,
}

/// Seconds tor makes a controller wait between NEWNYMs.
pub const NEWNYM_INTERVAL: u64 = 10;

/// Settings the app takes from nyxrc.
#[derive(Debug, Clone)]
pub struct AppSettings {
    pub keymap: Keymap,
    pub theme: Theme,
    pub confirm_quit: bool,
    pub graph: GraphPanel,
    pub log: LogPanel,
}

/// The whole UI state.
#[derive(Debug, Clone)]
pub struct App {
    keymap: Keymap,
    theme: Theme,
    confirm_quit: bool,
    pub graph: GraphPanel,
    pub log: LogPanel,
    pages: Vec<Page>,
    page: usize,
    paused: Option<Box<ControllerState>>,
    popup: Option<Popup>,
    quit_pending: bool,
    resizing: bool,
    notice: Option<String>,
    last_newnym: Option<u64>,
}

impl App {
    pub fn new(settings: AppSettings) -> Self {
        Self {
            keymap: settings.keymap,
            theme: settings.theme,
            confirm_quit: settings.confirm_quit,
            graph: settings.graph,
            log: settings.log,
            pages: vec![Page::Graph],
            page: 0,
            paused: None,
            popup: None,
            quit_pending: false,
            resizing: false,
            notice: None,
            last_newnym: None,
        }
    }

    pub fn page(&self) -> Page {
        self.pages[self.page]
    }

    pub fn is_paused(&self) -> bool {
        self.paused.is_some()
    }

    /// A message for the status line, shown until the next key.
    pub fn notify(&mut self, message: impl Into<String>) {
        // Notices may quote tor (error replies): strip control characters.
        self.notice = Some(crate::text::strip_controls(&message.into()));
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Handles one key press. `now` is the unix time.
    pub fn handle_key(&mut self, key: Key, live: &ControllerState, now: u64) -> Vec<Effect> {
        self.notice = None;
        if key == Key::Ctrl('c') {
            return vec![Effect::Quit];
        }
        if let Some(popup) = self.popup.take() {
            return self.popup_key(popup, key, live);
        }
        let action = self.keymap.action(key);
        if self.quit_pending {
            self.quit_pending = false;
            return if action == Some(Action::Quit) {
                vec![Effect::Quit]
            } else {
                vec![]
            };
        }
        if self.resizing {
            match key {
                Key::Down => self.graph.resize(1),
                Key::Up => self.graph.resize(-1),
                _ => self.resizing = false,
            }
            if self.resizing {
                self.notify(format!(
                    "graph height: {} (up/down to resize, any other key when done)",
                    self.graph.height
                ));
            }
            return vec![];
        }
        let Some(action) = action else { return vec![] };
        if !action.is_global() && self.page() != Page::Graph {
            return vec![];
        }
        self.action(action, live, now)
    }

    fn action(&mut self, action: Action, live: &ControllerState, now: u64) -> Vec<Effect> {
        let n = self.pages.len();
        match action {
            Action::NextPage => self.page = (self.page + 1) % n,
            Action::PreviousPage => self.page = (self.page + n - 1) % n,
            Action::Pause => {
                self.paused = match self.paused {
                    Some(_) => None,
                    None => Some(Box::new(live.clone())),
                };
            }
            Action::Help => self.popup = Some(Popup::Help),
            Action::Quit if self.confirm_quit => {
                self.quit_pending = true;
                let key = self.keymap.label(Action::Quit);
                self.notify(format!("Are you sure ({key} again to confirm)?"));
            }
            Action::Quit => return vec![Effect::Quit],
            Action::Newnym => return self.newnym(live, now),
            Action::Reload if live.connection.connected => self.popup = Some(Popup::ConfirmReload),
            Action::Reload => self.notify("tor is not connected"),
            Action::Reconnect if live.connection.connected => {
                self.notify("already connected to tor");
            }
            Action::Reconnect => {
                self.notify("reconnecting to tor…");
                return vec![Effect::Reconnect];
            }
            Action::GraphInterval => {
                self.popup = Some(Popup::Interval(Menu::of(
                    "Graph interval",
                    &Interval::ALL,
                    &self.graph.interval,
                    |i| i.name(),
                )));
            }
            Action::GraphBounds => {
                self.graph.bound = self.graph.bound.next();
                self.notify(format!("graph bounds: {}", self.graph.bound.name()));
            }
            Action::GraphStat => {
                self.popup = Some(Popup::Stat(Menu::of(
                    "Graphed statistic",
                    &GraphStat::ALL,
                    &self.graph.stat,
                    |s| s.name(),
                )));
            }
            Action::GraphResize => {
                self.resizing = true;
                self.notify(format!(
                    "graph height: {} (up/down to resize, any other key when done)",
                    self.graph.height
                ));
            }
            _ => return self.log_action(action, live),
        }
        vec![]
    }

    fn log_action(&mut self, action: Action, live: &ControllerState) -> Vec<Effect> {
        let log = &mut self.log;
        match action {
            Action::LogEvents => {
                self.popup = Some(Popup::Events(Box::new(EventDialog::new(
                    &live.logged_events,
                    &live.event_names,
                ))));
            }
            Action::LogFilter => {
                let mut options = vec!["no filter".to_owned()];
                options.extend(log.recent_filters().iter().cloned());
                options.push("new…".to_owned());
                let selected = usize::from(log.filter().is_some());
                self.popup = Some(Popup::Filter(Menu {
                    title: "Filter the log".into(),
                    options,
                    selected,
                }));
            }
            Action::LogDedup => {
                log.deduplicate = !log.deduplicate;
                let on = if log.deduplicate { "hidden" } else { "shown" };
                self.notify(format!("duplicate log messages {on}"));
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
            _ => {}
        }
        vec![]
    }

    fn newnym(&mut self, live: &ControllerState, now: u64) -> Vec<Effect> {
        if !live.connection.connected {
            self.notify("tor is not connected");
            return vec![];
        }
        if let Some(last) = self.last_newnym {
            let wait = (last + NEWNYM_INTERVAL).saturating_sub(now);
            if wait > 0 {
                self.notify(format!("tor allows a new identity every {NEWNYM_INTERVAL} seconds; try again in {wait} s"));
                return vec![];
            }
        }
        self.last_newnym = Some(now);
        self.notify("requested a new identity (NEWNYM)");
        vec![Effect::Signal("NEWNYM".into())]
    }

    fn popup_key(&mut self, mut popup: Popup, key: Key, live: &ControllerState) -> Vec<Effect> {
        if let Popup::Interval(menu) | Popup::Stat(menu) | Popup::Filter(menu) = &mut popup {
            if matches!(key, Key::Up | Key::Down) {
                if key == Key::Up {
                    menu.up();
                } else {
                    menu.down();
                }
                self.popup = Some(popup);
                return vec![];
            }
        }
        match popup {
            Popup::Help => vec![],
            Popup::ConfirmReload => {
                if matches!(key, Key::Char('y' | 'Y') | Key::Enter) {
                    self.notify("reloading tor's configuration (RELOAD)");
                    vec![Effect::Signal("RELOAD".into())]
                } else {
                    vec![]
                }
            }
            Popup::Interval(menu) => {
                if key == Key::Enter {
                    self.graph.interval = Interval::ALL[menu.selected];
                }
                vec![]
            }
            Popup::Stat(menu) => {
                if key == Key::Enter {
                    self.graph.stat = GraphStat::ALL[menu.selected];
                }
                vec![]
            }
            Popup::Filter(menu) => {
                if key == Key::Enter {
                    if menu.selected == 0 {
                        let _ = self.log.set_filter("");
                    } else if menu.selected == menu.options.len() - 1 {
                        self.popup = Some(Popup::Input {
                            purpose: Input::Filter,
                            text: String::new(),
                        });
                    } else {
                        self.apply_filter(&menu.options[menu.selected]);
                    }
                }
                vec![]
            }
            Popup::Input { purpose, mut text } => match key {
                Key::Enter => self.submit(purpose, text.trim(), live),
                Key::Esc => vec![],
                Key::Backspace => {
                    text.pop();
                    self.popup = Some(Popup::Input { purpose, text });
                    vec![]
                }
                Key::Char(c) => {
                    // Typed text is drawn: nothing that could steer the terminal.
                    if !c.is_control() {
                        text.push(c);
                    }
                    self.popup = Some(Popup::Input { purpose, text });
                    vec![]
                }
                _ => {
                    self.popup = Some(Popup::Input { purpose, text });
                    vec![]
                }
            },
            Popup::ConfirmClear => {
                if matches!(key, Key::Char('y' | 'Y') | Key::Enter) {
                    let shown = self.paused.as_deref().unwrap_or(live);
                    self.log.clear(&shown.log);
                    self.notify("log cleared");
                }
                vec![]
            }
            Popup::Events(mut dialog) => match dialog.key(key) {
                Outcome::Open => {
                    self.popup = Some(Popup::Events(dialog));
                    vec![]
                }
                Outcome::Cancel => vec![],
                Outcome::Apply(events) => {
                    self.notify(format!("showing events: {}", events.join(" ")));
                    vec![Effect::SetEvents(events)]
                }
            },
        }
    }

    fn apply_filter(&mut self, text: &str) {
        if let Err(e) = self.log.set_filter(text) {
            self.notify(e);
        }
    }

    fn submit(&mut self, purpose: Input, text: &str, live: &ControllerState) -> Vec<Effect> {
        match purpose {
            Input::Filter => {
                self.apply_filter(text);
                vec![]
            }
            Input::SavePath if text.is_empty() => {
                self.notify("not saved: no path given");
                vec![]
            }
            Input::SavePath => {
                let shown = self.paused.as_deref().unwrap_or(live);
                vec![Effect::SaveLog {
                    path: text.to_owned(),
                    text: self.log.snapshot(&shown.log),
                }]
            }
        }
    }

    /// Draws everything. `now` is the unix time (uptime, NEWNYM wait).
    pub fn render(&self, live: &ControllerState, now: u64, area: Rect, buf: &mut Buffer) {
        let state = self.paused.as_deref().unwrap_or(live);
        let now_ms = now * 1000;
        if area.height < 2 {
            return;
        }
        let header_h = header::height(state, area.width).min(area.height - 1);
        let header_area = Rect {
            height: header_h,
            ..area
        };
        header::render(state, now, self.theme, header_area, buf);
        if self.is_paused() {
            let label = "Paused";
            let x = area.x
                + area
                    .width
                    .saturating_sub(u16::try_from(label.len()).unwrap_or(0) + 1);
            buf.set_string(
                x,
                area.y,
                label,
                self.theme.warning().patch(self.theme.bold()),
            );
        }
        let body = Rect {
            y: area.y + header_h + 1,
            height: area.height.saturating_sub(header_h + 2),
            ..area
        };
        match self.page() {
            Page::Graph => {
                let h = self.graph.panel_height(state).min(body.height);
                self.graph
                    .render(state, now, self.theme, Rect { height: h, ..body }, buf);
                let log_area = Rect {
                    y: body.y + h,
                    height: body.height - h,
                    ..body
                };
                self.log.render(state, now_ms, self.theme, log_area, buf);
            }
        }
        let status_y = area.y + area.height - 1;
        buf.set_line(area.x, status_y, &self.status_line(), area.width);
        match &self.popup {
            Some(Popup::Help) => self.render_help(area, buf),
            Some(Popup::ConfirmReload) => draw_box(
                "Reload",
                vec![
                    Line::raw("Reload tor's configuration (RELOAD)?"),
                    Line::raw("y: yes, any other key: no"),
                ],
                self.theme,
                area,
                buf,
            ),
            Some(Popup::Interval(m) | Popup::Stat(m) | Popup::Filter(m)) => {
                m.render(self.theme, area, buf);
            }
            Some(Popup::ConfirmClear) => draw_box(
                "Clear the log",
                vec![
                    Line::raw("Clear every entry shown in the log?"),
                    Line::raw("y: yes, any other key: no"),
                ],
                self.theme,
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
                        Line::styled(format!("{visible}_"), self.theme.highlight()),
                        Line::raw("enter: done, esc: cancel"),
                    ],
                    self.theme,
                    area,
                    buf,
                );
            }
            Some(Popup::Events(dialog)) => dialog.render(self.theme, area, buf),
            None => {}
        }
    }

    fn status_line(&self) -> Line<'static> {
        if let Some(n) = &self.notice {
            return Line::styled(n.clone(), self.theme.bold());
        }
        let k = |a| self.keymap.label(a);
        let mut spans = vec![Span::raw(format!(
            "page {} / {} - {}: pause, {}: page help, {}: quit",
            self.page + 1,
            self.pages.len(),
            k(Action::Pause),
            k(Action::Help),
            k(Action::Quit)
        ))];
        if self.is_paused() {
            spans.push(Span::styled("  (Paused)", self.theme.warning()));
        }
        Line::from(spans)
    }

    fn render_help(&self, area: Rect, buf: &mut Buffer) {
        let mut lines = Vec::new();
        for action in Action::ALL {
            if !action.is_global() && self.page() != Page::Graph {
                continue;
            }
            let value = match action {
                Action::Pause => Some(
                    if self.is_paused() {
                        "paused"
                    } else {
                        "running"
                    }
                    .to_owned(),
                ),
                Action::Quit => Some(format!(
                    "confirm: {}",
                    if self.confirm_quit { "yes" } else { "no" }
                )),
                Action::GraphInterval => Some(self.graph.interval.name().to_owned()),
                Action::GraphBounds => Some(self.graph.bound.name().to_owned()),
                Action::GraphStat => Some(self.graph.stat.name().to_owned()),
                Action::GraphResize => Some(format!("{} rows", self.graph.height)),
                Action::LogDedup => Some(if self.log.deduplicate { "on" } else { "off" }.into()),
                Action::LogFilter => self.log.filter().map(str::to_owned),
                _ => None,
            };
            let mut text = format!("{:>8}: {}", self.keymap.label(action), action.description());
            if let Some(v) = value {
                text.push_str(" (");
                text.push_str(&v);
                text.push(')');
            }
            lines.push(text);
        }
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
        draw_box("Page help", rows, self.theme, area, buf);
    }
}

#[cfg(test)]
mod tests;
