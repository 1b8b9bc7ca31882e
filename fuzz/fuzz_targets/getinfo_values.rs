//! Fuzzes the typed GETINFO values: arbitrary text as circuit-status,
//! orconn-status, stream-status, bw-event-cache, net/listeners and ns/all.
//! Nothing may panic; every line is either read or refused with a reason
//! free of control characters; what is read holds the spec's values (IDs,
//! ports, long names) and no control character.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::getinfo_values(data));
