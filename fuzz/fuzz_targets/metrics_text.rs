//! Fuzzes the MetricsPort's Prometheus text: nothing may panic, refusals
//! say why without control characters, and what is read round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::metrics_text(data));
