//! Every page, in Nyx's order. Adding a page is a module here and one line
//! in [`PAGES`].

pub mod config;
pub mod connections;
pub mod graph;
pub mod interpreter;
pub mod overview;
pub mod torrc;

use crate::app::{App, GLOBAL_ACTIONS};
use crate::keymap::ActionSpec;
use crate::keymap::Keymap;
use crate::page::Page;
use crate::settings::AppSettings;

/// A page as the app and nyxrc know it before it exists.
pub struct PageEntry {
    pub info: crate::page::PageInfo,
    pub make: fn(&AppSettings) -> Box<dyn Page>,
}

/// The pages, in order.
pub const PAGES: &[PageEntry] = &[
    overview::ENTRY,
    graph::ENTRY,
    connections::ENTRY,
    config::ENTRY,
    torrc::ENTRY,
    interpreter::ENTRY,
];

/// Each page's id and actions, for the keymap and nyxrc.
pub fn catalog() -> Vec<(&'static str, &'static [ActionSpec])> {
    PAGES.iter().map(|p| (p.info.id, p.info.actions)).collect()
}

/// The default keymap: global actions and every page's.
pub fn default_keymap() -> Keymap {
    Keymap::new(GLOBAL_ACTIONS, &catalog())
}

impl App {
    /// The app with every page of [`PAGES`].
    pub fn new(settings: AppSettings) -> Self {
        let pages = PAGES
            .iter()
            .filter(|p| !settings.hidden_pages.contains(&p.info.id))
            .map(|p| (p.make)(&settings))
            .collect();
        Self::with_pages(settings, pages)
    }
}
