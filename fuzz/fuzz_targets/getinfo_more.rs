//! Fuzzes the rest of tor's GETINFO values: exit policies
//! (`exit-policy/full`), `config/names` and `config/defaults`, byte pairs
//! (accounting, traffic), `config-text` into the configuration table,
//! version status, a server descriptor's observed bandwidth and onion
//! service ports. Nothing may panic; a policy summary holds no control
//! character.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::getinfo_more(data));
