//! The application shell: what is global (page switching, pause, help, the
//! menu bar, quit, NEWNYM, RELOAD, reconnect, notices, the footer) and the
//! routing of everything else to the current page. Pure: keys, clicks and
//! responses come in, effects go out, and drawing is into a buffer.

use crate::header;
use crate::keymap::{ActionId, Bound, Key, Keymap};
use crate::menubar::{self, MenuBar, Target};
use crate::page::{ask, HitMap, Mouse, MouseKind, Page, View};
use crate::popup::Confirm;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::{Line, Span};
use rnyx_grammar::signal::Signal;
use rnyx_model::ControllerState;
use std::cell::Cell;
use std::fmt::Write as _;

mod actions;
mod alerts;
mod routing;
mod stack;

use routing::Pending;
use stack::{AppPopup, Opened};

pub use crate::page::{Effect, Request, Response, Ticket};
use actions::GENERAL_MENU;
pub use actions::{default_keymap, GlobalAction, GLOBAL_ACTIONS};

/// Seconds tor makes a controller wait between NEWNYMs.
pub const NEWNYM_INTERVAL: u64 = 10;

pub use crate::settings::AppSettings;

/// Whose a popup on the stack is: its answer goes there (to a page, with
/// the tag it opened the popup with).
enum Holder {
    App(AppPopup),
    Page(usize, crate::page::Retag),
}

/// Parts of the footer a click can hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FooterHit {
    PageIndicator,
    Menu,
}

/// The whole UI state.
pub struct App {
    keymap: Keymap,
    theme: Theme,
    /// Drawn in ASCII (a terminal whose locale is not UTF-8).
    ascii: bool,
    confirm_quit: bool,
    pages: Vec<Box<dyn Page>>,
    page: usize,
    paused: Option<Box<ControllerState>>,
    /// The menu bar, when open (over everything).
    menu: Option<MenuBar>,
    /// The popups open, the app's and the pages', top last.
    stack: Vec<Opened>,
    quit_pending: bool,
    notice: Option<String>,
    last_newnym: Option<u64>,
    next_ticket: u64,
    pending: Vec<Pending>,
    /// The page's body and the footer as drawn last.
    body: Cell<Rect>,
    footer: HitMap<FooterHit>,
    /// Every relay watched (when several), and the one the pages show.
    fleet: Vec<rnyx_model::RelayRow>,
    relay: usize,
    /// The state drawn last was a replay's (its keys are then in the help).
    replaying: Cell<bool>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("page", &self.pages[self.page].id())
            .field("menu", &self.menu.is_some())
            .field("popups", &self.stack.len())
            .finish_non_exhaustive()
    }
}

impl App {
    /// The app with the given pages (at least one).
    pub fn with_pages(settings: AppSettings, pages: Vec<Box<dyn Page>>) -> Self {
        assert!(!pages.is_empty(), "the app needs a page");
        Self {
            keymap: settings.keymap,
            theme: settings.theme,
            ascii: settings.ascii,
            confirm_quit: settings.confirm_quit,
            pages,
            page: 0,
            paused: None,
            menu: None,
            stack: Vec::new(),
            quit_pending: false,
            notice: None,
            last_newnym: None,
            next_ticket: 0,
            pending: Vec::new(),
            body: Cell::new(Rect::default()),
            footer: HitMap::default(),
            fleet: Vec::new(),
            relay: 0,
            replaying: Cell::new(false),
        }
    }

    /// Every relay watched and the one the pages show; with one relay, the
    /// overview and relay switching stay out of the way.
    pub fn set_fleet(&mut self, rows: Vec<rnyx_model::RelayRow>, current: usize) {
        self.relay = current.min(rows.len().saturating_sub(1));
        self.fleet = rows;
    }

    /// The current page's index.
    pub fn page_index(&self) -> usize {
        self.page
    }

    /// Whether the current page shows tor's manual.
    pub fn uses_manual(&self) -> bool {
        self.pages[self.page].uses_manual()
    }

    /// The first page of type `P`, for tests and for settings that change
    /// at run time.
    pub fn page<P: Page>(&self) -> Option<&P> {
        self.page_at(0)
    }

    /// The `n`th page of type `P` (0 is the first).
    pub fn page_at<P: Page>(&self, n: usize) -> Option<&P> {
        self.pages
            .iter()
            .filter_map(|p| (&**p as &dyn std::any::Any).downcast_ref::<P>())
            .nth(n)
    }

    pub fn page_mut<P: Page>(&mut self) -> Option<&mut P> {
        self.pages
            .iter_mut()
            .find_map(|p| (&mut **p as &mut dyn std::any::Any).downcast_mut::<P>())
    }

    pub fn is_paused(&self) -> bool {
        self.paused.is_some()
    }

    /// Whether the menu bar is open.
    pub fn menu_open(&self) -> bool {
        self.menu.is_some()
    }

    /// A message for the status line, shown until the next key.
    pub fn notify(&mut self, message: impl Into<String>) {
        // Notices may quote tor (error replies): strip control characters.
        self.notice = Some(rnyx_model::text::strip_controls(&message.into()));
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
        let bound = self.keymap.action(self.pages[self.page].id(), key);
        if let Some(mut bar) = self.menu.take() {
            let close = bound == Some(Bound::Global(GlobalAction::Menu.id()));
            let outcome = bar.key(key, close);
            return self.menu_outcome(bar, outcome, live, now);
        }
        if self.quit_pending {
            self.quit_pending = false;
            return if bound == Some(Bound::Global(GlobalAction::Quit.id())) {
                vec![Effect::Quit]
            } else {
                vec![]
            };
        }
        if !self.stack.is_empty() {
            return self.on_popup(live, now, |p, cx| {
                if key == Key::Esc {
                    p.esc(cx)
                } else {
                    p.key(key, cx)
                }
            });
        }
        let page = self.page;
        if self.pages[page].modal() {
            return self.with_page(page, live, now, |p, cx| p.modal_key(key, cx));
        }
        match bound {
            Some(Bound::Page(action)) => {
                self.with_page(page, live, now, |p, cx| p.action(action, cx))
            }
            Some(Bound::Global(action)) => self.global(action, live, now),
            None => vec![],
        }
    }

    fn menu_outcome(
        &mut self,
        bar: MenuBar,
        outcome: menubar::MenuStep,
        live: &ControllerState,
        now: u64,
    ) -> Vec<Effect> {
        match outcome {
            menubar::MenuStep::Open => {
                self.menu = Some(bar);
                vec![]
            }
            menubar::MenuStep::Close => vec![],
            menubar::MenuStep::Pick(Target::GoTo(i)) => {
                self.page = i.min(self.pages.len() - 1);
                vec![]
            }
            menubar::MenuStep::Pick(Target::Global(a)) => self.global(a, live, now),
            menubar::MenuStep::Pick(Target::Page(a)) => {
                let page = self.page;
                self.with_page(page, live, now, |p, cx| p.action(a, cx))
            }
        }
    }

    fn global(&mut self, action: ActionId, live: &ControllerState, now: u64) -> Vec<Effect> {
        self.global_action(GlobalAction::of(action), live, now)
    }

    fn global_action(
        &mut self,
        action: GlobalAction,
        live: &ControllerState,
        now: u64,
    ) -> Vec<Effect> {
        use rnyx_model::ReplayControl;
        use GlobalAction as A;
        let n = self.pages.len();
        match action {
            A::NextPage => self.page = self.step_page(live, 1),
            A::NextRelay if self.fleet.len() > 1 => {
                return vec![Effect::SelectRelay((self.relay + 1) % self.fleet.len())];
            }
            A::NextRelay => {}
            A::PreviousPage => self.page = self.step_page(live, n - 1),
            A::Menu => self.menu = Some(self.menu_bar(live)),
            // A replay pauses its clock: seeking still shows.
            A::Pause if live.session.replay.is_some() => {
                return self.replay(ReplayControl::TogglePause);
            }
            A::ReplayBack | A::ReplayForward | A::ReplaySlower | A::ReplayFaster
                if live.session.replay.is_none() =>
            {
                self.notify("only a replay (rnyx replay) has that key");
            }
            A::ReplayBack => return self.replay(ReplayControl::Seek(-60)),
            A::ReplayForward => return self.replay(ReplayControl::Seek(60)),
            A::ReplaySlower => return self.replay(ReplayControl::Slower),
            A::ReplayFaster => return self.replay(ReplayControl::Faster),
            A::Pause => {
                self.paused = match self.paused {
                    Some(_) => None,
                    None => Some(Box::new(live.clone())),
                };
            }
            A::Help => self.open(AppPopup::Help, Box::new(help::Help::new(self.help_lines()))),
            A::Alerts => self.open(AppPopup::Alerts, Box::<alerts::AlertsList>::default()),
            A::Quit if self.confirm_quit => {
                self.quit_pending = true;
                let key = self.keymap.global_label(A::Quit.id());
                self.notify(format!("Are you sure ({key} again to confirm)?"));
            }
            A::Quit => return vec![Effect::Quit],
            A::Newnym => return self.newnym(live, now),
            A::Reload if live.session.connection.connected => {
                let confirm = Confirm {
                    title: "Reload",
                    question: "Reload tor's configuration (RELOAD)?",
                };
                self.open(AppPopup::ConfirmReload, Box::new(confirm));
            }
            A::Reload => self.notify("tor is not connected"),
            A::Reconnect if live.session.connection.connected => {
                self.notify("already connected to tor");
            }
            A::Reconnect => {
                self.notify("reconnecting to tor…");
                return vec![Effect::Reconnect];
            }
        }
        vec![]
    }

    fn newnym(&mut self, live: &ControllerState, now: u64) -> Vec<Effect> {
        if !live.session.connection.connected {
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
        self.request(ask::Signal(Signal::Newnym).into(), "NEWNYM")
    }

    /// Asks the replay to pause, seek or change speed.
    fn replay(&mut self, control: rnyx_model::ReplayControl) -> Vec<Effect> {
        self.paused = None;
        self.request(ask::Replay(control).into(), "replay")
    }

    /// Handles a mouse event: the menu bar and popups first, then the
    /// footer, then the page's body.
    pub fn handle_mouse(&mut self, m: Mouse, live: &ControllerState, now: u64) -> Vec<Effect> {
        if let Some(mut bar) = self.menu.take() {
            let outcome = bar.mouse(m);
            return self.menu_outcome(bar, outcome, live, now);
        }
        if !self.stack.is_empty() {
            return self.on_popup(live, now, |p, cx| p.mouse(m, cx));
        }
        let page = self.page;
        if self.pages[page].modal() {
            return self.with_page(page, live, now, |p, cx| p.mouse(m, cx));
        }
        if m.kind == MouseKind::Click {
            match self.footer.at(m.column, m.row) {
                Some(FooterHit::PageIndicator) => {
                    return self.global_action(GlobalAction::NextPage, live, now)
                }
                Some(FooterHit::Menu) => return self.global_action(GlobalAction::Menu, live, now),
                None => {}
            }
        }
        if m.at(self.body.get()) {
            self.notice = None;
            return self.with_page(page, live, now, |p, cx| p.mouse(m, cx));
        }
        vec![]
    }

    /// Draws everything. `now` is the unix time (uptime, NEWNYM wait).
    pub fn render(&self, live: &ControllerState, now: u64, area: Rect, buf: &mut Buffer) {
        self.render_all(live, now, area, buf);
        if self.ascii {
            crate::ascii::to_ascii(buf, area);
        }
    }

    fn render_all(&self, live: &ControllerState, now: u64, area: Rect, buf: &mut Buffer) {
        let state = self.paused.as_deref().unwrap_or(live);
        self.footer.clear();
        self.replaying.set(live.session.replay.is_some());
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
        self.body.set(body);
        let view = View {
            state,
            now,
            theme: self.theme,
            keymap: &self.keymap,
            fleet: &self.fleet,
            relay: self.relay,
        };
        let page = &*self.pages[self.page];
        page.render(&view, body, buf);
        if self.fleet.len() > 1 {
            // The header names the relay the pages show.
            // `relay 2/3: relay0 (…/relay0/control)`: the name, and where
            // rnyx reaches it when the name is not that already.
            let (name, place) = self.fleet.get(self.relay).map_or(("", String::new()), |r| {
                let place = if r.target.is_empty() || r.target == r.name {
                    String::new()
                } else {
                    format!(" ({})", rnyx_model::keep_end(&r.target, 24))
                };
                (r.name.as_str(), place)
            });
            let tag = rnyx_model::text::strip_controls(&format!(
                " relay {}/{}: {name}{place} ",
                self.relay + 1,
                self.fleet.len()
            ));
            let w = u16::try_from(tag.chars().count())
                .unwrap_or(area.width)
                .min(area.width);
            let y = area.y + header_h;
            buf.set_stringn(
                area.x + area.width - w,
                y,
                tag,
                usize::from(w),
                self.theme.title(),
            );
        }
        let status_y = area.y + area.height - 1;
        self.render_footer(live, (area.x, status_y, area.width), buf);
        for opened in &self.stack {
            opened.popup.draw(&view, area, buf);
        }
        if let Some(bar) = &self.menu {
            bar.render(self.theme, area, buf);
        }
    }

    /// `page 1 / 5 - m: menu, p: pause, h: page help, q: quit`, then the
    /// page's own hints; a notice replaces it.
    /// The page `by` pages on (modulo their number), skipping those not
    /// shown for `live`.
    fn step_page(&self, live: &ControllerState, by: usize) -> usize {
        let n = self.pages.len();
        let mut page = self.page;
        for _ in 0..n {
            page = (page + by) % n;
            if self.pages[page].shown(live) {
                return page;
            }
        }
        self.page
    }

    fn render_footer(
        &self,
        state: &ControllerState,
        (x, y, width): (u16, u16, u16),
        buf: &mut Buffer,
    ) {
        if let Some(n) = &self.notice {
            let line = Line::styled(n.clone(), self.theme.bold());
            buf.set_line(x, y, &line, width);
            return;
        }
        if self.menu_open() {
            let text = format!(
                "arrows: move, enter: pick, {} or esc: close the menu",
                self.keymap.global_label(GlobalAction::Menu.id())
            );
            buf.set_line(x, y, &Line::styled(text, self.theme.bold()), width);
            return;
        }
        let g = |a: GlobalAction| self.keymap.global_label(a.id());
        let shown: Vec<usize> = (0..self.pages.len())
            .filter(|&i| i == self.page || self.pages[i].shown(state))
            .collect();
        let at = shown.iter().position(|&i| i == self.page).unwrap_or(0);
        let indicator = format!("page {} / {}", at + 1, shown.len());
        let menu = format!("{}: menu", g(GlobalAction::Menu));
        let mut text = format!(
            "{indicator} - {menu}, {}: pause, {}: page help, {}: quit",
            g(GlobalAction::Pause),
            g(GlobalAction::Help),
            g(GlobalAction::Quit)
        );
        let page = &*self.pages[self.page];
        for hint in page.hints() {
            if let Some(spec) = page.actions().get(hint.index()) {
                let _ = write!(
                    text,
                    ", {}: {}",
                    self.keymap.page_label(page.id(), *hint),
                    spec.description
                );
            }
        }
        let mut spans = vec![Span::raw(text)];
        if self.is_paused() {
            spans.push(Span::styled("  (Paused)", self.theme.warning()));
        }
        buf.set_line(x, y, &Line::from(spans), width);
        let w = |s: &str| u16::try_from(s.chars().count()).unwrap_or(u16::MAX);
        self.footer
            .add(Rect::new(x, y, w(&indicator), 1), FooterHit::PageIndicator);
        let menu_x = x + w(&indicator) + 3;
        self.footer
            .add(Rect::new(menu_x, y, w(&menu), 1), FooterHit::Menu);
    }
}

mod help;

#[cfg(test)]
mod tests;
