//! Every page, in Nyx's order. Adding a page is a module here and one line
//! in [`PAGES`].

pub mod config;
pub mod connections;
pub mod graph;
pub mod interpreter;
pub mod load;
pub mod overview;
pub mod services;
pub mod torrc;

use crate::keymap::ActionSpec;
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
    load::ENTRY,
    services::ENTRY,
];

/// Each page's id and actions, for the keymap and nyxrc.
pub fn catalog() -> Vec<(&'static str, &'static [ActionSpec])> {
    PAGES.iter().map(|p| (p.info.id, p.info.actions)).collect()
}
