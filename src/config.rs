//! nyxrc: rnyx's TOML dotfile. Every key is optional; a missing file means
//! the defaults. Unknown keys and bad values are errors that name the file,
//! the line, the key and the value, and rnyx does not start on them.

use crate::local::expand_home;
use rnyx_model::{EventSelection, Interval};
use rnyx_panels::graph::{Bound, GraphStat};
use rnyx_panels::keymap::Keymap;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use values::{IntervalName, KeysTable, OneOrMany, Ranged};

mod alerts;
pub use alerts::set_alert;
pub mod notify;
mod values;

/// The validated configuration.
#[allow(clippy::struct_excessive_bools)] // one per nyxrc switch, as in Nyx
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub show_bits: bool,
    pub confirm_quit: bool,
    pub color_interface: bool,
    pub max_fps: u32,
    pub graph_stat: GraphStat,
    pub graph_interval: Interval,
    pub graph_bound: Bound,
    pub graph_height: u16,
    pub max_graph_width: u16,
    pub show_accounting: bool,
    /// Events shown in the log.
    pub logged_events: EventSelection,
    pub deduplicate_log: bool,
    /// Log entries kept in memory.
    pub max_log_size: usize,
    /// Rows a long log entry may take.
    pub max_line_wrap: usize,
    /// Append every log entry to this file as it arrives.
    pub write_logs_to: Option<PathBuf>,
    /// Read the end of tor's own log file at start.
    pub prepopulate_log: bool,
    /// Lines read from tor's log file at most.
    pub prepopulate_read_limit: usize,
    pub keys: Keymap,
    /// Seconds between reads of tor's connections.
    pub connection_rate: u32,
    /// Where tor's MetricsPort is read (`HOST:PORT` or `unix:PATH`),
    /// instead of where tor says it is.
    pub metrics_port: Option<String>,
    /// Seconds between reads of tor's MetricsPort.
    pub metrics_interval: u32,
    /// Show client and exit addresses (scrubbed by default).
    pub show_addresses: bool,
    /// Show the addresses of tor's own onion services (page 7, `--dump`).
    pub show_onion_addresses: bool,
    /// How page 2 orders entries within a category.
    pub connection_order: rnyx_panels::pages::connections::Order,
    /// Show page 3 (the configuration editor) and page 4 (the torrc).
    pub show_config: bool,
    pub show_torrc: bool,
    pub show_interpreter: bool,
    /// Keep the graphs' history across restarts (in the state directory).
    pub keep_history: bool,
    /// `rnyx record` stops past this many MB (compressed).
    pub record_max_size: u64,
    /// The relays to watch (`[[relays]]`), when the command line names none.
    pub relays: Vec<crate::relays::RelayConfig>,
    /// How page 3 sorts options, the first key deciding most.
    pub config_order: Vec<rnyx_panels::pages::config::ConfigOrder>,
    /// Page 3 lists tor's private (`__…`) and virtual options too.
    pub show_private_options: bool,
    pub show_virtual_options: bool,
    /// Where tor's chroot is: prefix of the paths tor gives (its torrc).
    pub tor_chroot: Option<PathBuf>,
    /// The ssh client and its first arguments, for relays on other
    /// machines (`ssh`; `ssh -F FILE` for another configuration).
    pub ssh_command: Vec<String>,
    /// Take the mouse: clicks and the wheel act in rnyx (false leaves the
    /// terminal's own selection alone).
    pub mouse: bool,
    /// Things worth telling the operator that do not stop rnyx (unknown
    /// event names dropped); shown in the log at start.
    pub warnings: Vec<String>,
    /// Shown in the log at start as rnyx's NOTICEs (the demo's word on its
    /// network's usual warnings). Not read from nyxrc.
    pub notices: Vec<String>,
    /// tor's warnings that are expected where rnyx runs (the demo's test
    /// network), shown marked with why. Not read from nyxrc.
    pub expected_warnings: Vec<rnyx_panels::log::Expected>,
    /// `[alerts]`: thresholds, and kinds changed or off.
    pub alerts: rnyx_model::health::AlertSettings,
    /// `[notify]`: where `rnyx watch` sends alerts.
    pub notify: notify::NotifySettings,
}

/// The warning for event names rnyx does not know.
pub fn unknown_events_warning(unknown: &[String], source: &str) -> String {
    format!(
        "{source}: unknown event{} {} dropped (tor's runlevels, RNYX_<runlevel>, or events such as CIRC, BW, ORCONN)",
        if unknown.len() == 1 { "" } else { "s" },
        unknown.join(", ")
    )
}

impl Default for Config {
    fn default() -> Self {
        Self {
            show_bits: false,
            confirm_quit: true,
            color_interface: true,
            max_fps: 20,
            graph_stat: GraphStat::Bandwidth,
            graph_interval: Interval::EachSecond,
            graph_bound: Bound::LocalMax,
            graph_height: 7,
            max_graph_width: 150,
            show_accounting: true,
            logged_events: EventSelection::default(),
            deduplicate_log: true,
            max_log_size: 1000,
            max_line_wrap: 8,
            write_logs_to: None,
            prepopulate_log: true,
            prepopulate_read_limit: 5000,
            keys: rnyx_panels::app::default_keymap(),
            mouse: true,
            connection_rate: 5,
            metrics_port: None,
            metrics_interval: 5,
            show_addresses: false,
            show_onion_addresses: true,
            connection_order: rnyx_panels::pages::connections::Order::default(),
            show_config: true,
            show_torrc: true,
            show_interpreter: true,
            keep_history: true,
            record_max_size: 64,
            relays: Vec::new(),
            config_order: rnyx_panels::pages::config::ConfigOrder::DEFAULT.to_vec(),
            show_private_options: false,
            show_virtual_options: false,
            tor_chroot: None,
            ssh_command: vec!["ssh".to_owned()],
            warnings: Vec::new(),
            notices: Vec::new(),
            expected_warnings: Vec::new(),
            alerts: rnyx_model::health::AlertSettings::default(),
            notify: notify::NotifySettings::default(),
        }
    }
}

impl Config {
    /// What the app takes from the configuration.
    pub fn app_settings(&self) -> rnyx_panels::app::AppSettings {
        rnyx_panels::app::AppSettings {
            keymap: self.keys.clone(),
            theme: rnyx_panels::theme::Theme {
                color: self.color_interface,
            },
            confirm_quit: self.confirm_quit,
            graph: rnyx_panels::graph::GraphPanel {
                stat: self.graph_stat,
                interval: self.graph_interval,
                bound: self.graph_bound,
                height: self.graph_height,
                max_width: self.max_graph_width,
                bits: self.show_bits,
                show_accounting: self.show_accounting,
            },
            log: {
                let mut log = rnyx_panels::log::LogPanel::new(
                    self.deduplicate_log,
                    self.max_line_wrap,
                    crate::local::utc_offset(),
                );
                log.expected.clone_from(&self.expected_warnings);
                log
            },
            show_addresses: self.show_addresses,
            show_onion_addresses: self.show_onion_addresses,
            connection_order: self.connection_order,
            config: rnyx_panels::pages::config::ConfigSettings {
                order: self.config_order.clone(),
                show_private: self.show_private_options,
                show_virtual: self.show_virtual_options,
            },
            // The overview joins when several relays are watched.
            hidden_pages: [
                Some(rnyx_panels::pages::overview::ID),
                (!self.show_config).then_some(rnyx_panels::pages::config::ID),
                (!self.show_torrc).then_some(rnyx_panels::pages::torrc::ID),
                (!self.show_interpreter).then_some(rnyx_panels::pages::interpreter::ID),
            ]
            .into_iter()
            .flatten()
            .collect(),
            interpreter_history: crate::local::history_path().map(|p| p.display().to_string()),
            ascii: false,
        }
    }
}

/// The file as written: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    show_bits: Option<bool>,
    confirm_quit: Option<bool>,
    color_interface: Option<bool>,
    max_fps: Option<Ranged<1, 60>>,
    graph_stat: Option<GraphStat>,
    graph_interval: Option<IntervalName>,
    graph_bound: Option<Bound>,
    graph_height: Option<Ranged<1, 40>>,
    max_graph_width: Option<Ranged<10, 2000>>,
    show_accounting: Option<bool>,
    logged_events: Option<OneOrMany<String>>,
    deduplicate_log: Option<bool>,
    max_log_size: Option<Ranged<10, 10_000_000>>,
    max_line_wrap: Option<Ranged<1, 100>>,
    write_logs_to: Option<PathBuf>,
    prepopulate_log: Option<bool>,
    prepopulate_read_limit: Option<Ranged<0, 10_000_000>>,
    mouse: Option<bool>,
    connection_rate: Option<Ranged<1, 3600>>,
    metrics_port: Option<String>,
    metrics_interval: Option<Ranged<1, 3600>>,
    show_addresses: Option<bool>,
    show_onion_addresses: Option<bool>,
    connection_order: Option<rnyx_panels::pages::connections::Order>,
    show_config: Option<bool>,
    show_torrc: Option<bool>,
    show_interpreter: Option<bool>,
    keep_history: Option<bool>,
    record_max_size: Option<u64>,
    relays: Option<Vec<crate::relays::RelayConfig>>,
    config_order: Option<OneOrMany<rnyx_panels::pages::config::ConfigOrder>>,
    show_private_options: Option<bool>,
    show_virtual_options: Option<bool>,
    tor_chroot: Option<PathBuf>,
    ssh_command: Option<String>,
    keys: Option<KeysTable>,
    alerts: Option<alerts::AlertsTable>,
    notify: Option<notify::NotifyTable>,
}

/// Every top-level key nyxrc takes, as serde lists them for an unknown one.
#[cfg(test)]
pub(crate) fn known_keys() -> Vec<String> {
    let e = toml::from_str::<FileConfig>("rnyx_no_such_key = 0").unwrap_err();
    let message = e.message().to_owned();
    let (_, list) = message.split_once("expected one of").unwrap();
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The line (from 1) where `needle` first starts a line, else 1.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(needle))
        .map_or(1, |i| i + 1)
}

/// Why the configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{path}, line {line}: {detail}")]
    Invalid {
        path: PathBuf,
        line: usize,
        detail: String,
    },
}

impl Config {
    /// Parses nyxrc text; `path` is named in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|e| invalid(text, path, &e))?;
        let d = Config::default();
        let mut keys = d.keys.clone();
        let table = file.keys.unwrap_or_default();
        // Global bindings first: a page's own then win on that page.
        for (action, list) in &table.global {
            keys.bind_global(*action, list);
        }
        for (page, action, list) in &table.pages {
            keys.bind_page(page, *action, list);
        }
        let mut warnings = Vec::new();
        let alerts = match file.alerts {
            None => d.alerts.clone(),
            Some(table) => table.settings().map_err(|detail| ConfigError::Invalid {
                path: path.to_owned(),
                line: line_of(text, "[alerts]"),
                detail,
            })?,
        };
        let notify = file.notify.unwrap_or_default().settings(text, path)?;
        let logged_events = match file.logged_events {
            None => d.logged_events.clone(),
            Some(list) => {
                let (known, unknown) = EventSelection::parse(list.0.iter().map(String::as_str));
                if !unknown.is_empty() {
                    let source = format!("{}, logged_events", path.display());
                    warnings.push(unknown_events_warning(&unknown, &source));
                }
                known
            }
        };
        Ok(Config {
            show_bits: file.show_bits.unwrap_or(d.show_bits),
            confirm_quit: file.confirm_quit.unwrap_or(d.confirm_quit),
            color_interface: file.color_interface.unwrap_or(d.color_interface),
            max_fps: file.max_fps.map_or(d.max_fps, |r| r.0),
            graph_stat: file.graph_stat.unwrap_or(d.graph_stat),
            graph_interval: file.graph_interval.map_or(d.graph_interval, |i| i.0),
            graph_bound: file.graph_bound.unwrap_or(d.graph_bound),
            graph_height: file.graph_height.map_or(d.graph_height, |r| {
                u16::try_from(r.0).unwrap_or(d.graph_height)
            }),
            max_graph_width: file.max_graph_width.map_or(d.max_graph_width, |r| {
                u16::try_from(r.0).unwrap_or(d.max_graph_width)
            }),
            show_accounting: file.show_accounting.unwrap_or(d.show_accounting),
            logged_events,
            deduplicate_log: file.deduplicate_log.unwrap_or(d.deduplicate_log),
            max_log_size: file.max_log_size.map_or(d.max_log_size, |r| r.0 as usize),
            max_line_wrap: file.max_line_wrap.map_or(d.max_line_wrap, |r| r.0 as usize),
            write_logs_to: file.write_logs_to.map(|p| expand_home(&p)),
            prepopulate_log: file.prepopulate_log.unwrap_or(d.prepopulate_log),
            prepopulate_read_limit: file
                .prepopulate_read_limit
                .map_or(d.prepopulate_read_limit, |r| r.0 as usize),
            keys,
            mouse: file.mouse.unwrap_or(d.mouse),
            connection_rate: file.connection_rate.map_or(d.connection_rate, |r| r.0),
            metrics_port: file.metrics_port.or(d.metrics_port),
            metrics_interval: file.metrics_interval.map_or(d.metrics_interval, |r| r.0),
            show_addresses: file.show_addresses.unwrap_or(d.show_addresses),
            show_onion_addresses: file.show_onion_addresses.unwrap_or(d.show_onion_addresses),
            connection_order: file.connection_order.unwrap_or(d.connection_order),
            show_config: file.show_config.unwrap_or(d.show_config),
            show_torrc: file.show_torrc.unwrap_or(d.show_torrc),
            show_interpreter: file.show_interpreter.unwrap_or(d.show_interpreter),
            keep_history: file.keep_history.unwrap_or(d.keep_history),
            record_max_size: file.record_max_size.unwrap_or(d.record_max_size),
            relays: file.relays.unwrap_or_default(),
            config_order: file
                .config_order
                .map(|o| o.0)
                .filter(|o| !o.is_empty())
                .unwrap_or(d.config_order),
            show_private_options: file.show_private_options.unwrap_or(d.show_private_options),
            show_virtual_options: file.show_virtual_options.unwrap_or(d.show_virtual_options),
            tor_chroot: file.tor_chroot.map(|p| expand_home(&p)),
            ssh_command: match file.ssh_command {
                Some(c) if !c.trim().is_empty() => {
                    c.split_whitespace().map(str::to_owned).collect()
                }
                _ => d.ssh_command.clone(),
            },
            warnings,
            notices: Vec::new(),
            expected_warnings: Vec::new(),
            alerts,
            notify,
        })
    }

    /// Loads from the first of: `explicit` (`--config`), `$RNYX_CONFIG`,
    /// `~/.nyxrc`, `$XDG_CONFIG_HOME/rnyx/nyxrc`. None there: the defaults.
    /// Returns the path used, if any.
    pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_owned()),
            None => search_path(
                std::env::var_os("RNYX_CONFIG").map(PathBuf::from),
                std::env::var_os("HOME").map(PathBuf::from),
                std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from),
            ),
        };
        let Some(path) = path else {
            return Ok((Config::default(), None));
        };
        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Read {
            path: path.clone(),
            reason: io_reason(&e),
        })?;
        Ok((Config::parse(&text, &path)?, Some(path)))
    }
}

/// An I/O error in words, without Rust's ` (os error N)`.
pub fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// The first configuration file that exists (the explicit variable always wins).
fn search_path(
    env: Option<PathBuf>,
    home: Option<PathBuf>,
    xdg: Option<PathBuf>,
) -> Option<PathBuf> {
    if env.is_some() {
        return env;
    }
    let dotfile = home.as_ref().map(|h| h.join(".nyxrc"));
    let xdg = xdg
        .or_else(|| home.map(|h| h.join(".config")))
        .map(|x| x.join("rnyx").join("nyxrc"));
    [dotfile, xdg].into_iter().flatten().find(|p| p.is_file())
}

fn invalid(text: &str, path: &Path, e: &toml::de::Error) -> ConfigError {
    let start = e.span().map_or(0, |s| s.start).min(text.len());
    let line = text[..start].matches('\n').count() + 1;
    let source = text.lines().nth(line - 1).unwrap_or("").trim();
    let mut detail = plainer(e.message().trim(), source);
    if looks_like_nyx(text) {
        detail.push_str(
            "; this looks like a Nyx 2.x nyxrc, but rnyx's is TOML (`key = value`, see nyxrc.example)",
        );
        if let Some(toml) = toml_form(source) {
            let _ = write!(detail, "; here: `{toml}`");
        }
    }
    let detail = if source.is_empty() {
        detail
    } else {
        format!("`{source}`: {detail}")
    };
    ConfigError::Invalid {
        path: path.to_owned(),
        line,
        detail,
    }
}

/// serde's words made an operator's: an unknown key names the nearest
/// known one instead of listing them all; a value of the wrong type says
/// which values there are.
fn plainer(message: &str, source: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, known) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = known.split('`').skip(1).step_by(2).collect();
        return match values::nearest(name, &known) {
            Some(near) => format!("unknown key `{name}`; did you mean `{near}`?"),
            None => format!("unknown key `{name}` (nyxrc.example lists every key)"),
        };
    }
    let key = source.split('=').next().unwrap_or("").trim();
    if message.starts_with("invalid type") {
        if message.ends_with("expected a boolean") {
            return format!("{message}: use true or false");
        }
        if key == "graph_interval" {
            let names: Vec<String> = Interval::ALL
                .iter()
                .map(|i| format!("\"{}\"", i.name()))
                .collect();
            return format!("{message}: use one of {}", names.join(", "));
        }
    }
    message.to_owned()
}

/// Nyx's own format: `features.graph.interval 5` lines.
fn looks_like_nyx(text: &str) -> bool {
    text.lines().any(|l| nyx_line(l).is_some())
}

/// A Nyx line's key and value: `key value`, with no `=`, the key a bare
/// word (Nyx's own dotted keys too).
fn nyx_line(line: &str) -> Option<(&str, &str)> {
    let l = line.trim();
    if l.starts_with(['#', '[']) || l.contains('=') {
        return None;
    }
    let (key, value) = l.split_once(char::is_whitespace)?;
    let bare = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    (bare && key.chars().next()?.is_ascii_alphabetic()).then_some((key, value.trim()))
}

/// The TOML form of a Nyx line, where rnyx has the same key and takes its
/// value: `show_bits true` → `show_bits = true`; `graph_interval each
/// second` → `graph_interval = "each second"`.
fn toml_form(line: &str) -> Option<String> {
    let (key, value) = nyx_line(line)?;
    let quoted = toml::Value::String(value.to_owned()).to_string();
    [format!("{key} = {value}"), format!("{key} = {quoted}")]
        .into_iter()
        .find(|form| {
            toml::from_str::<FileConfig>(form).is_ok() && Config::parse(form, Path::new("")).is_ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_order() {
        let d = tempfile::tempdir().unwrap();
        let home = d.path().join("home");
        let xdg = d.path().join("xdg");
        std::fs::create_dir_all(xdg.join("rnyx")).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        assert_eq!(
            search_path(None, Some(home.clone()), Some(xdg.clone())),
            None
        );
        std::fs::write(xdg.join("rnyx/nyxrc"), "").unwrap();
        assert_eq!(
            search_path(None, Some(home.clone()), Some(xdg.clone())),
            Some(xdg.join("rnyx/nyxrc"))
        );
        std::fs::write(home.join(".nyxrc"), "").unwrap();
        assert_eq!(
            search_path(None, Some(home.clone()), Some(xdg.clone())),
            Some(home.join(".nyxrc"))
        );
        let env = d.path().join("env.toml");
        assert_eq!(
            search_path(Some(env.clone()), Some(home), Some(xdg)),
            Some(env)
        );
    }
}
