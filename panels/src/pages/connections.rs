//! Page 2: tor's connections and circuits, as Nyx lays them out. One list:
//! connections (tor's sockets, classified) and circuits (a header row and a
//! row per hop), ordered by category and then the chosen sort. Client and
//! exit addresses are scrubbed unless `show_addresses`.

mod charts;
mod descriptor;
mod rows;

pub use rows::SCRUBBED;

use crate::keymap::{ActionId, ActionSpec, Key};
use crate::list::Scroll;
use crate::page::{Cx, HitMap, Mouse, MouseKind, Page, PageInfo, Tag, View};
use crate::pages::PageEntry;
use crate::popup::{Answer, Menu};
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::Line;
use rnyx_model::{ControllerState, SocketSource};
use rows::{entries, Entry};
use std::cell::Cell;

pub use rows::Order;

pub const ID: &str = "connections";

/// The page as the app, nyxrc and the menus know it.
pub const INFO: PageInfo = PageInfo {
    id: ID,
    title: "Connections",
    actions: ACTIONS,
};

pub const ENTRY: PageEntry = PageEntry {
    info: INFO,
    make: |s| {
        Box::new(ConnectionsPage {
            show_addresses: s.show_addresses,
            order: s.connection_order,
            ..ConnectionsPage::default()
        })
    },
};

const MENU: Option<&str> = Some("Connections");

crate::actions! {
    /// The connections page's actions.
    pub enum Action {
        Details = ("details", "details of the selection", &[Key::Enter], MENU),
        Descriptor = ("descriptor", "descriptors of the peer relay", &[Key::Char('d')], MENU),
        Sort = ("sort", "sort ordering", &[Key::Char('s')], MENU),
        ExitPorts = ("exit_ports", "exit port usage", &[Key::Char('e')], MENU),
        ClientLocales = ("client_locales", "client locales", &[Key::Char('c')], MENU),
        Addresses = ("addresses", "show client and exit addresses", &[Key::Char('A')], MENU),
    }
    scrolling
}

pub const ACTIONS: &[ActionSpec] = Action::SPECS;

/// View state of the connections page.
/// What a popup this page opened is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opened {
    Sort,
    Details,
    Descriptor,
    Chart,
}

#[derive(Debug, Clone, Default)]
pub struct ConnectionsPage {
    pub order: Order,
    pub show_addresses: bool,
    /// The selected entry (a connection or a circuit).
    selected: Cell<usize>,
    /// Entries at the last draw, rows a page, first entry drawn.
    shown: Cell<(usize, usize, usize)>,
    rows: HitMap<usize>,
}

impl ConnectionsPage {
    fn move_by(&mut self, delta: isize) {
        let (n, _, _) = self.shown.get();
        let to = self.selected.get().saturating_add_signed(delta);
        self.selected.set(to.min(n.saturating_sub(1)));
    }

    fn page(&self) -> isize {
        isize::try_from(self.shown.get().1.max(1)).unwrap_or(1)
    }
}

/// How the sockets were read, for the title's right: the table (sock_diag,
/// else the text tables and why) and how tor's were told apart.
fn source_words(table: &rnyx_model::Connections) -> Option<String> {
    use rnyx_model::SocketTable;
    let read = match &table.table {
        SocketTable::None => return None,
        SocketTable::SockDiag => "sock_diag".to_owned(),
        SocketTable::Proc { why } => format!("/proc net/tcp ({why})"),
        SocketTable::ControlPort => "tor's control port".to_owned(),
    };
    let whose = match table.source {
        SocketSource::Descriptors => "tor's descriptors",
        SocketSource::TorUser { .. } => "tor's user",
        SocketSource::ControlPort { .. } => "orconn-status and stream-status",
        SocketSource::Unavailable { .. } => return None,
    };
    Some(format!("via {read}, {whose}"))
}

impl Page for ConnectionsPage {
    fn info(&self) -> &'static PageInfo {
        &INFO
    }

    fn action(&mut self, action: ActionId, cx: &mut Cx) {
        let action = Action::of(action);
        match action {
            Action::Sort => {
                let menu = Menu::of("Sort connections by", &Order::ALL, &self.order, |o| {
                    o.name()
                });
                cx.open(Box::new(menu), Opened::Sort);
            }
            Action::Addresses => self.show_addresses = !self.show_addresses,
            Action::Details => {
                let pane = Details {
                    order: self.order,
                    show_addresses: self.show_addresses,
                    selected: self.selected.get(),
                };
                cx.open(Box::new(pane), Opened::Details);
            }
            Action::Descriptor => self.open_descriptor(0, cx),
            Action::ExitPorts if !cx.shown.facts.relay.exits => {
                cx.notify("this relay is not an exit");
            }
            Action::ExitPorts => {
                cx.open(
                    Box::new(charts::Chart::exit_ports(&cx.shown.net.connections.list)),
                    Opened::Chart,
                );
            }
            Action::ClientLocales => {
                cx.open_with(Opened::Chart, |cx| {
                    Box::new(charts::Chart::client_locales(
                        &cx.shown.net.connections.list,
                        cx,
                    ))
                });
            }
            Action::Scroll(Scroll::Up) => self.move_by(-1),
            Action::Scroll(Scroll::Down) => self.move_by(1),
            Action::Scroll(Scroll::PageUp) => self.move_by(-self.page()),
            Action::Scroll(Scroll::PageDown) => self.move_by(self.page()),
            Action::Scroll(Scroll::Top) => self.selected.set(0),
            Action::Scroll(Scroll::Bottom) => self.selected.set(usize::MAX),
        }
    }

    fn value(&self, action: ActionId) -> Option<String> {
        match Action::of(action) {
            Action::Sort => Some(self.order.name().to_owned()),
            Action::Addresses => Some(
                if self.show_addresses {
                    "shown"
                } else {
                    "scrubbed"
                }
                .into(),
            ),
            _ => None,
        }
    }

    fn answered(&mut self, tag: Tag, answer: Answer, cx: &mut Cx) {
        match (tag.take::<Opened>(), answer) {
            (Some(Opened::Sort), Answer::Picked(v)) => {
                if let Some(order) = v.take::<Order>() {
                    self.order = order;
                }
            }
            (Some(Opened::Details), Answer::Moved(step)) => self.move_by(step.into()),
            (Some(Opened::Descriptor), Answer::Moved(step)) => {
                self.open_descriptor(step.into(), cx);
            }
            _ => {}
        }
    }

    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) {
        match m.kind {
            MouseKind::WheelUp => self.move_by(-3),
            MouseKind::WheelDown => self.move_by(3),
            MouseKind::Click => {
                if let Some(i) = self.rows.at(m.column, m.row) {
                    self.selected.set(i);
                }
            }
        }
    }

    fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        self.rows.clear();
        if area.height < 2 || area.width < 20 {
            return;
        }
        let state = view.state;
        let theme = view.theme;
        let list = entries(state, self.order, view.now);
        let table = &state.net.connections;
        // Title: counts per category, then where the sockets came from.
        let title = title(state);
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(title.as_str(), theme.title()),
            area.width,
        );
        if let Some(via) = source_words(table) {
            let room = usize::from(area.width).saturating_sub(title.chars().count() + 2);
            let via = rnyx_model::text::strip_controls(&via);
            if via.chars().count() <= room {
                let x = area.x + area.width - u16::try_from(via.chars().count()).unwrap_or(0);
                buf.set_string(x, area.y, via, theme.secondary());
            }
        }
        let note = note(state, list.is_empty());
        let mut top = area.y + 1;
        if let Some(note) = note {
            let note = rnyx_model::text::strip_controls(&note);
            buf.set_stringn(area.x, top, note, usize::from(area.width), theme.warning());
            top += 1;
        }
        let height = usize::from((area.y + area.height).saturating_sub(top));
        // Rows of every entry, to scroll by entry and keep the selection in view.
        let selected = self.selected.get().min(list.len().saturating_sub(1));
        self.selected.set(selected);
        let heights: Vec<usize> = list.iter().map(Entry::rows).collect();
        let (_, _, mut first) = self.shown.get();
        first = first.min(selected);
        while first < selected && heights[first..=selected].iter().sum::<usize>() > height {
            first += 1;
        }
        self.shown.set((list.len(), height, first));
        let text_x = area.x + 2;
        let width = usize::from(area.width - 2);
        let mut y = top;
        for (i, entry) in list.iter().enumerate().skip(first) {
            if usize::from(y - top) >= height {
                break;
            }
            let lines = entry.lines(state, width, self.show_addresses, view.now);
            let start = y;
            for line in lines {
                if usize::from(y - top) >= height {
                    break;
                }
                let style = if i == selected {
                    theme.highlight()
                } else {
                    theme.plain()
                };
                buf.set_stringn(text_x, y, line, width, style);
                y += 1;
            }
            self.rows
                .add(Rect::new(area.x, start, area.width, y - start), i);
        }
        let total: usize = heights.iter().sum();
        let before: usize = heights[..first].iter().sum();
        let rows = u16::try_from(height).unwrap_or(u16::MAX);
        crate::popup::draw_scrollbar(
            Rect {
                y: top,
                height: rows,
                ..area
            },
            total,
            before,
            buf,
        );
    }
}

/// The details pane over the selection: Up and Down move the selection
/// under it (the page follows); any other key or the mouse closes it.
#[derive(Debug)]
struct Details {
    order: Order,
    show_addresses: bool,
    selected: usize,
}

impl crate::popup::Popup for Details {
    fn key(&mut self, key: Key, cx: &mut Cx) -> crate::popup::Step {
        let delta: i8 = match key {
            Key::Up => -1,
            Key::Down => 1,
            _ => return crate::popup::Step::Close,
        };
        let n = entries(cx.shown, self.order, cx.now).len();
        self.selected = self
            .selected
            .saturating_add_signed(delta.into())
            .min(n.saturating_sub(1));
        crate::popup::Step::Tell(Answer::Moved(delta))
    }

    fn mouse(&mut self, _m: Mouse, _cx: &mut Cx) -> crate::popup::Step {
        crate::popup::Step::Close
    }

    fn draw(&self, view: &View, area: Rect, buf: &mut Buffer) {
        let list = entries(view.state, self.order, view.now);
        if let Some(entry) = list.get(self.selected) {
            let lines = rows::details(view.state, entry, self.show_addresses, view.now);
            let lines = lines
                .into_iter()
                .map(|l| Line::raw(rnyx_model::text::strip_controls(&l)))
                .collect();
            crate::popup::draw_box("Details", lines, view.theme, area, buf);
        }
    }
}

impl ConnectionsPage {
    /// Opens the descriptor popup on the selected entry's relay, or, with
    /// `step`, on the nearest relay before (-1) or after (+1) it.
    fn open_descriptor(&mut self, step: isize, cx: &mut Cx) {
        let list = entries(cx.shown, self.order, cx.now);
        let relay = |e: &Entry| match e {
            Entry::Connection(c) => c.fingerprint.clone().map(|f| (f, c.nickname.clone())),
            Entry::Circuit(..) => None,
        };
        let mut i = self.selected.get().min(list.len().saturating_sub(1));
        let found = loop {
            if step == 0 || list.is_empty() {
                break list.get(i).and_then(relay).map(|r| (i, r));
            }
            match i.checked_add_signed(step) {
                Some(next) if next < list.len() => i = next,
                _ => break None,
            }
            if let Some(r) = list.get(i).and_then(relay) {
                break Some((i, r));
            }
        };
        match found {
            Some((i, (fp, nick))) => {
                self.selected.set(i);
                cx.open_with(Opened::Descriptor, |cx| {
                    Box::new(descriptor::Descriptor::ask(&fp, nick.as_deref(), cx))
                });
            }
            None if step == 0 => cx.notify("no relay is known at the other end of this entry"),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests;

/// `Connections (2 inbound, 1 outbound, 1 circuit):`, or `(none)`.
/// A category's name; a bridge's inbound connections are its clients
/// (`CLIENT`): a bridge carries no relay's circuits in.
pub(super) fn category_name(c: rnyx_model::Category, bridge: bool) -> &'static str {
    match c {
        rnyx_model::Category::Inbound if bridge => "CLIENT",
        c => c.name(),
    }
}

/// An onion service's own circuit: listed under its service on page 7,
/// not among the relay's.
fn onion_service_circuit(c: &rnyx_model::Circuit) -> bool {
    c.purpose
        .as_deref()
        .is_some_and(rnyx_model::onion::service_purpose)
}

fn title(state: &ControllerState) -> String {
    let mut counts: Vec<String> = state
        .net
        .connections
        .counts()
        .iter()
        .map(|(c, n)| {
            let name = category_name(*c, state.bridge.bridge);
            format!("{n} {}", name.to_ascii_lowercase())
        })
        .collect();
    // A service's circuits exist only where tor hosts one: no walk over
    // a relay's circuits each frame otherwise.
    let services = if state.onions.is_empty() {
        0
    } else {
        state
            .net
            .circuits
            .iter()
            .filter(|c| onion_service_circuit(c))
            .count()
    };
    let circuits = state.net.circuits.len() - services;
    if circuits > 0 {
        counts.push(format!("{circuits} circuit"));
    }
    if services > 0 {
        counts.push(format!("{services} onion-service circuit on page 7"));
    }
    if counts.is_empty() {
        "Connections (none):".to_owned()
    } else {
        format!("Connections ({}):", counts.join(", "))
    }
}

/// What the page says under its title: why the table is what it is, when
/// that needs saying (`empty`: no entry to list).
fn note(state: &ControllerState, empty: bool) -> Option<String> {
    match (&state.net.connections.error, &state.net.connections.source) {
        (Some(e), _) => Some(format!("cannot read tor's connections: {e}")),
        (None, SocketSource::TorUser { uid, why }) => Some(format!(
            "sockets of tor's user (uid {uid}), not tor's own: {why}"
        )),
        (None, SocketSource::ControlPort { why }) => Some(format!(
            "{why}: connections as tor reports them (no local ends; relays' direction unknown)"
        )),
        (None, SocketSource::Unavailable { why }) if state.session.connection.connected => {
            Some(format!("tor's sockets: {why}"))
        }
        _ if !state.session.connection.connected => Some(
            "tor is not connected: its connections and circuits show once rnyx is \
             attached again (r reconnects)"
                .to_owned(),
        ),
        _ if empty => Some("tor has no connections or circuits at the moment".to_owned()),
        _ => None,
    }
}
