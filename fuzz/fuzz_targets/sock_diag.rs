//! Fuzzes the reader of the kernel's sock_diag answers (netlink messages
//! holding `inet_diag_msg`s): nothing may panic, a malformed answer is
//! refused with a reason, and no more sockets are read than the answer has
//! room for.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnyx::fuzzing::targets::sock_diag(data));
