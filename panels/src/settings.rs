//! Settings the app and its pages take from nyxrc, and the orderings
//! among them: plain data, so the app, the pages and nyxrc's reader share
//! them without importing each other.

use crate::graph::GraphPanel;
use crate::keymap::Keymap;
use crate::log::LogPanel;
use crate::theme::Theme;

/// Settings the app and its pages take from nyxrc.
#[derive(Debug, Clone)]
// Settings are nyxrc's switches, one field each.
#[allow(clippy::struct_excessive_bools)]
pub struct AppSettings {
    pub keymap: Keymap,
    pub theme: Theme,
    pub confirm_quit: bool,
    pub graph: GraphPanel,
    pub log: LogPanel,
    /// Show client and exit addresses on the connections page.
    pub show_addresses: bool,
    /// Show the addresses of the operator's own onion services (page 7).
    pub show_onion_addresses: bool,
    /// How the connections page orders entries within a category.
    pub connection_order: ConnectionOrder,
    /// The configuration editor's settings.
    pub config: ConfigSettings,
    /// Pages left out (nyxrc `show_config = false`, …), by id.
    pub hidden_pages: Vec<&'static str>,
    /// Where the interpreter keeps its history (`None`: not kept).
    pub interpreter_history: Option<String>,
    /// The terminal shows ASCII only (its locale is not UTF-8).
    pub ascii: bool,
}

/// nyxrc's settings for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigSettings {
    /// Sort keys, the first deciding most.
    pub order: Vec<ConfigOrder>,
    pub show_private: bool,
    pub show_virtual: bool,
}

impl Default for ConfigSettings {
    fn default() -> Self {
        Self {
            order: ConfigOrder::DEFAULT.to_vec(),
            show_private: false,
            show_virtual: false,
        }
    }
}

/// How entries are ordered within their category (categories always come
/// first, in Nyx's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionOrder {
    /// Address, then uptime (Nyx's default).
    #[default]
    Category,
    Uptime,
    Address,
    Port,
    Fingerprint,
    Nickname,
}

impl ConnectionOrder {
    pub const ALL: [ConnectionOrder; 6] = [
        ConnectionOrder::Category,
        ConnectionOrder::Uptime,
        ConnectionOrder::Address,
        ConnectionOrder::Port,
        ConnectionOrder::Fingerprint,
        ConnectionOrder::Nickname,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConnectionOrder::Category => "category",
            ConnectionOrder::Uptime => "uptime",
            ConnectionOrder::Address => "address",
            ConnectionOrder::Port => "port",
            ConnectionOrder::Fingerprint => "fingerprint",
            ConnectionOrder::Nickname => "nickname",
        }
    }
}

/// The configuration editor's sort keys (Nyx's), nyxrc's `config_order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConfigOrder {
    /// The manual's order (options it lacks last).
    #[default]
    ManPageEntry,
    Name,
    /// Set options first.
    IsSet,
    Value,
    ValueType,
    Category,
    Usage,
    Summary,
    Description,
}

impl ConfigOrder {
    pub const ALL: [ConfigOrder; 9] = [
        ConfigOrder::ManPageEntry,
        ConfigOrder::Name,
        ConfigOrder::IsSet,
        ConfigOrder::Value,
        ConfigOrder::ValueType,
        ConfigOrder::Category,
        ConfigOrder::Usage,
        ConfigOrder::Summary,
        ConfigOrder::Description,
    ];

    /// Nyx's default: the manual's order, then name, then set first.
    pub const DEFAULT: [ConfigOrder; 3] = [
        ConfigOrder::ManPageEntry,
        ConfigOrder::Name,
        ConfigOrder::IsSet,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ConfigOrder::ManPageEntry => "man_page_entry",
            ConfigOrder::Name => "name",
            ConfigOrder::IsSet => "is_set",
            ConfigOrder::Value => "value",
            ConfigOrder::ValueType => "value_type",
            ConfigOrder::Category => "category",
            ConfigOrder::Usage => "usage",
            ConfigOrder::Summary => "summary",
            ConfigOrder::Description => "description",
        }
    }
}
