//! Fuzzes the `/proc` readers: one text read as `stat`, `status`,
//! `limits`, `meminfo` and `net/tcp{,6}`. Nothing may panic; a socket row
//! read gives back the addresses its hex spells (written again the
//! kernel's way, it reads the same).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::net::{IpAddr, SocketAddr};

/// `addr` the way `/proc/net/tcp` writes it (little-endian words).
fn kernel_hex(addr: &SocketAddr) -> String {
    let words = |b: &[u8]| -> String {
        b.chunks(4)
            .map(|w| format!("{:08X}", u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
            .collect()
    };
    let ip = match addr.ip() {
        IpAddr::V4(v4) => words(&v4.octets()),
        IpAddr::V6(v6) => words(&v6.octets()),
    };
    format!("{ip}:{:04X}", addr.port())
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let read = rnyx::fuzzing::proc_files(&text);
    if let Some(uid) = &read.uid {
        assert!(!uid.contains(char::is_whitespace), "{uid:?}");
    }
    for (local, remote, inode) in &read.rows {
        let line = format!(
            "0: {} {} 01 0:0 0:0 0 0 0 {inode}",
            kernel_hex(local),
            kernel_hex(remote)
        );
        let again = rnyx::fuzzing::proc_files(&line);
        assert_eq!(again.rows, vec![(*local, *remote, *inode)], "{line}");
    }
});
