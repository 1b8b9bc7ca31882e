//! Fuzzes the rest of tor's GETINFO values: exit policies
//! (`exit-policy/full`), `config/names` and `config/defaults`, byte pairs
//! (accounting, traffic), `config-text` into the configuration table,
//! version status, a server descriptor's observed bandwidth and onion
//! service ports. Nothing may panic; a policy summary holds no control
//! character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rnyx_grammar::getinfo::{byte_pair, config_defaults, config_names};
use rnyx_grammar::model::{TorConfig, VersionStatus};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let policy = rnyx_grammar::policy::describe(&text);
    assert!(!format!("{policy:?}").contains('\u{1b}'));
    let names = config_names(&text);
    let defaults = config_defaults(&text);
    let _ = byte_pair(&text);
    let values: Vec<(String, Option<String>)> = names
        .iter()
        .map(|(n, _)| (n.clone(), text.lines().next().map(str::to_owned)))
        .collect();
    let mut config = TorConfig::from_tor(&names, &defaults, &values, text.to_string(), None);
    config.reconcile();
    let _ = config.unsaved();
    let _ = VersionStatus::parse(&text);
    let _ = rnyx::fuzzing::descriptor_observed(&text);
    for line in text.lines() {
        let _ = rnyx::fuzzing::hidden_port(line);
    }
});
