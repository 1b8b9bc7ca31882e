//! tor's control-port grammar (control-spec) and the types of the state rnyx
//! keeps of a relay. Pure: no runtime, no terminal, no socket — the async
//! client (`rnyx::control`) and the pages (`rnyx-panels`) both depend on this
//! crate, never the other way.
//!
//! - [`reply`]: framing replies and events (§2.3, §4);
//! - [`args`]: the words of a line, `KEY=value`, `QuotedString` (§2.1);
//! - [`command`]: typed commands, quoted and escaped per the spec (§3);
//! - [`names`]: `LongName`s and circuit paths (§2.1);
//! - [`event`]: typed asynchronous events (§4.1);
//! - [`getinfo`]: typed GETINFO values (§3.9);
//! - [`policy`]: exit policies (`exit-policy/full`) as the header shows them;
//! - [`logfile`]: tor's log-file lines and `Log` options;
//! - [`time`]: calendar arithmetic for tor's timestamps;
//! - [`torrc`]: `%include` lines and tor's command line;
//! - [`model`]: the controller state and its domain types;
//! - [`secret`]: which fields are credentials, and lines with them hidden;
//! - [`spec`]: the productions of single values (IDs, times, ports…);
//! - [`text`]: what of tor's text may reach a terminal.

pub mod args;
pub mod command;
pub mod event;
pub mod getinfo;
pub mod incoming;
pub mod logfile;
pub mod model;
pub mod names;
pub mod policy;
pub mod reply;
pub mod request;
pub mod secret;
pub mod signal;
pub mod spec;
pub mod text;
pub mod time;
pub mod torrc;

#[cfg(test)]
mod tests {
    /// The crate stays pure: no runtime, terminal, UI or socket crate among
    /// its dependencies, and neither of rnyx's other crates.
    #[test]
    fn depends_on_no_runtime_terminal_or_ui() {
        let manifest = include_str!("../Cargo.toml");
        let deps = manifest
            .split("[dependencies]")
            .nth(1)
            .expect("a [dependencies] table");
        let deps = deps.split("\n[").next().unwrap_or(deps);
        let names: Vec<&str> = deps
            .lines()
            .filter_map(|l| l.split_once('=').map(|(n, _)| n.trim()))
            .filter(|n| !n.is_empty() && !n.starts_with('#'))
            .collect();
        assert!(names.contains(&"memchr"), "{names:?}");
        for name in names {
            let root = name.split('.').next().unwrap_or(name);
            for banned in [
                "tokio",
                "ratatui",
                "crossterm",
                "rnyx",
                "mio",
                "netlink",
                "nix",
            ] {
                assert!(!root.starts_with(banned), "rnyx-grammar depends on {name}");
            }
        }
    }
}
