//! The actions of every page (the app's own), and the General menu.

use crate::keymap::{ActionSpec, Key};

const GENERAL: Option<&str> = Some("General");

/// The actions on every page.
pub const GLOBAL_ACTIONS: &[ActionSpec] = &[
    ActionSpec::new("next_page", "next page", &[Key::Right], None),
    ActionSpec::new("previous_page", "previous page", &[Key::Left], None),
    ActionSpec::new("menu", "menu bar", &[Key::Char('m')], None),
    ActionSpec::new("pause", "pause / unpause", &[Key::Char('p')], GENERAL),
    ActionSpec::new("help", "this help", &[Key::Char('h')], GENERAL),
    ActionSpec::new("quit", "quit", &[Key::Char('q')], GENERAL),
    ActionSpec::new(
        "newnym",
        "new identity (NEWNYM)",
        &[Key::Char('n')],
        GENERAL,
    ),
    ActionSpec::new(
        "reload",
        "reload torrc (RELOAD)",
        &[Key::Char('x')],
        GENERAL,
    ),
    ActionSpec::new("reconnect", "reconnect to tor", &[Key::Char('r')], GENERAL),
    ActionSpec::new(
        "next_relay",
        "next relay (watching several)",
        &[Key::Tab],
        None,
    ),
    ActionSpec::new(
        "replay_back",
        "replay: a minute back",
        &[Key::Char('<'), Key::Char(',')],
        None,
    ),
    ActionSpec::new(
        "replay_forward",
        "replay: a minute on",
        &[Key::Char('>'), Key::Char('.')],
        None,
    ),
    ActionSpec::new(
        "replay_slower",
        "replay: half as fast",
        &[Key::Char('-')],
        None,
    ),
    ActionSpec::new(
        "replay_faster",
        "replay: twice as fast",
        &[Key::Char('+'), Key::Char('=')],
        None,
    ),
];

/// The General menu, in Nyx's order.
pub(super) const GENERAL_MENU: [&str; 6] =
    ["pause", "reconnect", "newnym", "reload", "help", "quit"];
