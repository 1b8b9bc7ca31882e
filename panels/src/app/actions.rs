//! The actions of every page (the app's own), and the General menu.

use crate::keymap::{ActionSpec, Key, Keymap};

const GENERAL: Option<&str> = Some("General");

crate::actions! {
    /// The actions on every page.
    pub enum GlobalAction {
        NextPage = ("next_page", "next page", &[Key::Right], None),
        PreviousPage = ("previous_page", "previous page", &[Key::Left], None),
        Menu = ("menu", "menu bar", &[Key::Char('m')], None),
        Pause = ("pause", "pause / unpause", &[Key::Char('p')], GENERAL),
        Help = ("help", "this help", &[Key::Char('h')], GENERAL),
        Quit = ("quit", "quit", &[Key::Char('q')], GENERAL),
        Newnym = ("newnym", "new identity (NEWNYM)", &[Key::Char('n')], GENERAL),
        Reload = ("reload", "reload torrc (RELOAD)", &[Key::Char('x')], GENERAL),
        Reconnect = ("reconnect", "reconnect to tor", &[Key::Char('r')], GENERAL),
        Alerts = ("alerts", "what is wrong (alerts)", &[Key::Char('!')], GENERAL),
        NextRelay = ("next_relay", "next relay (watching several)", &[Key::Tab], None),
        ReplayBack = ("replay_back", "replay: a minute back", &[Key::Char('<'), Key::Char(',')], None),
        ReplayForward = ("replay_forward", "replay: a minute on", &[Key::Char('>'), Key::Char('.')], None),
        ReplaySlower = ("replay_slower", "replay: half as fast", &[Key::Char('-')], None),
        ReplayFaster = ("replay_faster", "replay: twice as fast", &[Key::Char('+'), Key::Char('=')], None),
    }
}

/// The actions on every page, as the keymap, help and menus take them.
pub const GLOBAL_ACTIONS: &[ActionSpec] = GlobalAction::SPECS;

/// The General menu, in Nyx's order (and the alerts).
pub(super) const GENERAL_MENU: [GlobalAction; 7] = [
    GlobalAction::Pause,
    GlobalAction::Reconnect,
    GlobalAction::Newnym,
    GlobalAction::Reload,
    GlobalAction::Alerts,
    GlobalAction::Help,
    GlobalAction::Quit,
];

/// The default keymap: global actions and every page's.
pub fn default_keymap() -> Keymap {
    Keymap::new(GLOBAL_ACTIONS, &crate::pages::catalog())
}

impl super::App {
    /// The app with every page of [`crate::pages::PAGES`].
    pub fn new(settings: crate::settings::AppSettings) -> Self {
        let pages = crate::pages::PAGES
            .iter()
            .filter(|p| !settings.hidden_pages.contains(&p.info.id))
            .map(|p| (p.make)(&settings))
            .collect();
        Self::with_pages(settings, pages)
    }
}
