//! The overview (first when watching several relays): one row per relay —
//! name, up or down since when, version, flags, traffic with a sparkline of
//! the last two minutes, circuits, connections, tor's cpu and memory,
//! uptime, the newest warning. Enter (or 1–9) shows that relay on every
//! other page; `s` sorts by name, traffic or state.

use crate::keymap::{ActionId, ActionSpec, Key};
use crate::list::{Cursor, Scroll};
use crate::page::{Cx, HitMap, Mouse, MouseKind, Page, PageInfo, Tag, View};
use crate::pages::PageEntry;
use crate::popup::{Answer, Menu};
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::style::Modifier;
use rnyx_model::RelayRow;

mod columns;

pub const ID: &str = "overview";

/// The sparkline's width.
const SPARK: usize = rnyx_model::SPARK;

/// The page as the app, nyxrc and the menus know it.
pub const INFO: PageInfo = PageInfo {
    id: ID,
    title: "Relays",
    actions: ACTIONS,
};

pub const ENTRY: PageEntry = PageEntry {
    info: INFO,
    make: |_| Box::new(OverviewPage::default()),
};

const MENU: Option<&str> = Some("Relays");

crate::actions! {
    /// The overview's actions.
    pub enum Action {
        Show = ("show", "show this relay on every page", &[Key::Enter], MENU),
        Sort = ("sort", "sort ordering", &[Key::Char('s')], MENU),
    }
    scrolling
}

pub const ACTIONS: &[ActionSpec] = Action::SPECS;

/// How the rows are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// As given (nyxrc, the command line).
    #[default]
    Given,
    Name,
    /// Busiest first.
    Traffic,
    /// Down first.
    State,
}

impl Order {
    const ALL: [Order; 4] = [Order::Given, Order::Name, Order::Traffic, Order::State];

    fn name(self) -> &'static str {
        match self {
            Order::Given => "as given",
            Order::Name => "name",
            Order::Traffic => "traffic",
            Order::State => "state",
        }
    }
}

/// What a popup this page opened is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opened {
    Sort,
}

#[derive(Debug, Default)]
pub struct OverviewPage {
    order: Order,
    cursor: Cursor,
    rows: HitMap<usize>,
}

impl OverviewPage {
    /// Indices into the fleet, in the order shown.
    fn ordered(&self, fleet: &[RelayRow]) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..fleet.len()).collect();
        match self.order {
            Order::Given => {}
            Order::Name => idx.sort_by_key(|&i| fleet[i].name.to_lowercase()),
            Order::Traffic => idx.sort_by(|&a, &b| {
                let t = |r: &RelayRow| r.read + r.written;
                t(&fleet[b]).total_cmp(&t(&fleet[a]))
            }),
            Order::State => idx.sort_by_key(|&i| fleet[i].connected),
        }
        idx
    }

    fn show(cx: &mut Cx, fleet_index: Option<usize>) {
        if let Some(i) = fleet_index {
            cx.select_relay(i);
        }
    }
}

impl Page for OverviewPage {
    fn info(&self) -> &'static PageInfo {
        &INFO
    }

    fn action(&mut self, action: ActionId, cx: &mut Cx) {
        let action = Action::of(action);
        match action {
            Action::Scroll(step) => self.cursor.step(step),
            Action::Show => {
                let at = self.cursor.at();
                let i = self.ordered(cx.fleet()).get(at).copied();
                Self::show(cx, i);
            }
            Action::Sort => {
                let menu = Menu::of("Sort relays by", &Order::ALL, &self.order, |o| o.name());
                cx.open(Box::new(menu), Opened::Sort);
            }
        }
    }

    fn value(&self, action: ActionId) -> Option<String> {
        (Action::of(action) == Action::Sort).then(|| self.order.name().to_owned())
    }

    fn hints(&self) -> &'static [ActionId] {
        const HINTS: &[ActionId] = &[Action::Show.id(), Action::Sort.id()];
        HINTS
    }

    fn answered(&mut self, tag: Tag, answer: Answer, _cx: &mut Cx) {
        if let (Some(Opened::Sort), Answer::Picked(v)) = (tag.take::<Opened>(), answer) {
            if let Some(order) = v.take::<Order>() {
                self.order = order;
            }
        }
    }

    fn mouse(&mut self, m: Mouse, cx: &mut Cx) {
        match m.kind {
            MouseKind::WheelUp => {
                self.cursor.step(Scroll::Up);
            }
            MouseKind::WheelDown => {
                self.cursor.step(Scroll::Down);
            }
            MouseKind::Click => {
                if let Some(at) = self.rows.at(m.column, m.row) {
                    self.cursor.set(at);
                    let i = self.ordered(cx.fleet()).get(at).copied();
                    Self::show(cx, i);
                }
            }
        }
    }

    fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        self.rows.clear();
        if area.height < 3 || area.width < 30 {
            return;
        }
        let theme = view.theme;
        let fleet = view.fleet;
        let up = fleet.iter().filter(|r| r.connected).count();
        let title = format!("Relays ({} watched, {up} up):", fleet.len());
        buf.set_stringn(
            area.x,
            area.y,
            title,
            usize::from(area.width),
            theme.title(),
        );
        let width = usize::from(area.width);
        let layout = columns::Layout::of(width, fleet);
        let head = layout.heading();
        buf.set_stringn(area.x, area.y + 1, head, width, theme.secondary());
        let body = Rect::new(area.x, area.y + 2, area.width, area.height - 2);
        let order = self.ordered(fleet);
        let height = usize::from(body.height);
        let first = self.cursor.window(order.len(), height);
        for (row, (at, &i)) in order
            .iter()
            .enumerate()
            .skip(first)
            .take(height)
            .enumerate()
        {
            let r = &fleet[i];
            let y = body.y + u16::try_from(row).unwrap_or(0);
            self.rows.add(Rect::new(body.x, y, body.width, 1), at);
            let mark = if i == view.relay { '▸' } else { ' ' };
            let text = rnyx_model::text::strip_controls(&layout.row(r, view.now));
            let mut style = if r.connected && r.silent_since.is_none() {
                theme.plain()
            } else {
                theme.error()
            };
            if at == self.cursor.at() {
                style = style.add_modifier(Modifier::REVERSED);
            }
            buf.set_stringn(body.x, y, format!("{mark} {text:<width$}"), width, style);
        }
    }
}

/// `-`, or how many alerts and the worst: `2 crit`, `1 warn`.
fn alert_count(r: &RelayRow) -> String {
    match r.alerts.iter().map(|a| a.severity).max() {
        None => "-".into(),
        Some(worst) => {
            let word = match worst {
                rnyx_model::health::Severity::Critical => "crit",
                rnyx_model::health::Severity::Warning => "warn",
            };
            format!("{} {word}", r.alerts.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnyx_model::{ControllerState, VersionStatus};

    fn fleet() -> Vec<RelayRow> {
        let row = |name: &str, up: bool, read: f64| RelayRow {
            name: name.into(),
            connected: up,
            since: 940,
            read,
            written: read / 2.0,
            spark: vec![0.0, read, read / 2.0],
            nickname: Some(name.into()),
            fingerprint: Some("AB".repeat(20)),
            version: Some("0.4.9.11".into()),
            flags: vec!["Fast".into(), "Running".into()],
            last_error: (!up)
                .then(|| "tor is not listening at /run/tor-instances/b/control".into()),
            circuits: 12,
            connections: 40,
            tor_cpu: Some(1.5),
            tor_memory: Some(80 << 20),
            start_time: Some(0),
            warning: up.then(|| "Your \u{1b}[31mclock is off".into()),
            ..RelayRow::default()
        };
        vec![
            row("relay-a", true, 2048.0),
            row("relay-b", false, 0.0),
            row("bridge", true, 8192.0),
        ]
    }

    fn draw(page: &OverviewPage, fleet: &[RelayRow], relay: usize) -> Vec<String> {
        let s = ControllerState::default();
        let area = Rect::new(0, 0, 200, 8);
        let mut buf = Buffer::empty(area);
        let keymap = crate::keymap::Keymap::new(&[], &[]);
        let view = View {
            state: &s,
            now: 1000,
            theme: crate::theme::Theme { color: false },
            keymap: &keymap,
            fleet,
            relay,
        };
        page.render(&view, area, &mut buf);
        (0..8)
            .map(|y| {
                (0..200)
                    .map(|x| buf[(x, y)].symbol().to_owned())
                    .collect::<String>()
                    .trim_end()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn one_row_a_relay_down_ones_said_and_sorted() {
        use rnyx_model::health::{AlertKind, Severity};
        let fleet = fleet();
        let mut page = OverviewPage::default();
        let rows = draw(&page, &fleet, 0);
        assert_eq!(rows[0], "Relays (3 watched, 2 up):");
        assert!(
            rows[2].starts_with(
                "▸ relay-a              up          -       0.4.9.11     2.0 KB/s   1.0 KB/s ▁█▅"
            ),
            "{}",
            rows[2]
        );
        assert!(
            rows[2].ends_with("Fast Running  Your [31mclock is off"),
            "{}",
            rows[2]
        );
        assert!(
            rows[3].starts_with("  relay-b              down 1m"),
            "{}",
            rows[3]
        );
        assert!(
            rows[3].ends_with("tor is not listening at /run/tor-instances/b/control"),
            "{}",
            rows[3]
        );
        let mut silent = fleet.clone();
        silent[2].silent_since = Some(988);
        let rows = draw(&page, &silent, 0);
        assert!(
            rows[4].starts_with("  bridge               silent 12s"),
            "{}",
            rows[4]
        );
        assert!(
            rows[4].ends_with("tor not answering since 00:16:28"),
            "{}",
            rows[4]
        );
        let mut alerted = fleet.clone();
        let alert = |kind, severity| rnyx_model::health::Alert {
            kind,
            severity,
            since: 900,
            detail: String::new(),
            words: None,
        };
        alerted[0].alerts = vec![
            alert(AlertKind::NotInConsensus, Severity::Critical),
            alert(AlertKind::Version, Severity::Warning),
        ];
        alerted[2].alerts = vec![alert(AlertKind::FlagLost, Severity::Warning)];
        let rows = draw(&page, &alerted, 0);
        assert!(
            rows[1].starts_with("  name                 state       alerts  version"),
            "{}",
            rows[1]
        );
        assert!(
            rows[2].starts_with("▸ relay-a              up          2 crit  0.4.9.11"),
            "{}",
            rows[2]
        );
        assert!(
            rows[4].starts_with("  bridge               up          1 warn  "),
            "{}",
            rows[4]
        );
        let mut old = fleet.clone();
        old[0].version_status = VersionStatus::Obsolete;
        let rows = draw(&page, &old, 0);
        assert!(
            rows[2].contains("tor version obsolete  Fast Running"),
            "{}",
            rows[2]
        );
        page.order = Order::Traffic;
        let rows = draw(&page, &fleet, 0);
        assert!(rows[2].starts_with("  bridge"), "{}", rows[2]);
        page.order = Order::State;
        let rows = draw(&page, &fleet, 0);
        assert!(rows[2].starts_with("  relay-b"), "{}", rows[2]);
    }
}
