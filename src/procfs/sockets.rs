//! tor's TCP connections from `/proc`, with no outside tool: the tables of
//! tor's own network namespace (`/proc/<tor pid>/net/tcp{,6}`, right even
//! when tor runs in a container or another namespace than rnyx), joined to
//! the socket inodes of tor's descriptors when rnyx may read them (tor's
//! user or root), else the sockets owned by tor's user.

use rnyx_panels::model::{Socket, SocketSource};
use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

/// What a scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    pub sockets: Vec<Socket>,
    pub source: SocketSource,
}

/// Scans tor's sockets; `dir` is tor's `/proc/<pid>`. An error says what
/// could not be read and where.
pub fn scan(dir: &Path) -> Result<Scan, String> {
    let mut rows = Vec::new();
    let mut read_any = false;
    for table in ["net/tcp", "net/tcp6"] {
        let path = dir.join(table);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                read_any = true;
                rows.extend(text.lines().skip(1).filter_map(parse_row));
            }
            // A kernel without IPv6 has no tcp6.
            Err(e) if table == "net/tcp6" && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        }
    }
    if !read_any {
        return Err(format!("no TCP table under {}", dir.display()));
    }
    // Exactly tor's sockets when its descriptors can be read, else its user's.
    let (inodes, source) = match socket_inodes(dir) {
        Ok(inodes) => (Some(inodes), SocketSource::Descriptors),
        Err(why) => {
            let status = dir.join("status");
            let uid = tor_uid(dir)
                .ok_or_else(|| format!("cannot read tor's user from {}", status.display()))?;
            (None, SocketSource::TorUser { uid, why })
        }
    };
    let keep = |r: &Row| match (&inodes, &source) {
        (Some(inodes), _) => inodes.contains(&r.inode),
        (None, SocketSource::TorUser { uid, .. }) => r.uid == *uid,
        (None, _) => false,
    };
    let sockets = rows
        .iter()
        .filter(|r| r.established && keep(r))
        .map(|r| Socket {
            local: r.local,
            remote: r.remote,
        })
        .collect();
    Ok(Scan { sockets, source })
}

/// One row of `/proc/net/tcp{,6}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    local: SocketAddr,
    remote: SocketAddr,
    established: bool,
    uid: u32,
    inode: u64,
}

/// `sl local rem st tx:rx tr:when retrnsmt uid timeout inode …`; a row
/// that does not parse is skipped.
fn parse_row(line: &str) -> Option<Row> {
    let f: Vec<&str> = line.split_whitespace().collect();
    Some(Row {
        local: parse_addr(f.get(1)?)?,
        remote: parse_addr(f.get(2)?)?,
        established: *f.get(3)? == "01",
        uid: f.get(7)?.parse().ok()?,
        inode: f.get(9)?.parse().ok()?,
    })
}

/// `0100007F:2329` (IPv4) or 32 hex digits `:port` (IPv6), each 32-bit word
/// in the kernel's byte order (little-endian here).
fn parse_addr(s: &str) -> Option<SocketAddr> {
    let (ip, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |i: usize| -> Option<[u8; 4]> {
        let w = u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok()?;
        Some(w.to_le_bytes())
    };
    let ip = match ip.len() {
        8 => Ipv4Addr::from(word(0)?).into(),
        32 => {
            let mut b = [0u8; 16];
            for i in 0..4 {
                b[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            let v6 = Ipv6Addr::from(b);
            // tor's IPv4 peers on a dual-stack socket.
            v6.to_ipv4_mapped().map_or(v6.into(), Into::into)
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// The inodes of tor's sockets, or why they cannot be read.
fn socket_inodes(dir: &Path) -> Result<HashSet<u64>, String> {
    let fd = dir.join("fd");
    let entries = std::fs::read_dir(&fd).map_err(|e| {
        format!(
            "{}: {e} (tor's descriptors need tor's user or root)",
            fd.display()
        )
    })?;
    Ok(entries
        .flatten()
        .filter_map(|e| {
            let target = std::fs::read_link(e.path()).ok()?;
            let t = target.to_str()?;
            t.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
        })
        .collect())
}

fn tor_uid(dir: &Path) -> Option<u32> {
    let status = std::fs::read_to_string(dir.join("status")).ok()?;
    super::field(&status, "Uid:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:2329 0100007F:D431 01 00000000:00000000 00:00000000 00000000   110        0 111 1
   1: 0100007F:A001 0100007F:1388 01 00000000:00000000 00:00000000 00000000   110        0 222 1
   2: 0100007F:A002 0100007F:1388 01 00000000:00000000 00:00000000 00000000     0        0 999 1
   3: 00000000:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000   110        0 333 1
   4: garbage
";
    const TCP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:2329 B80D0120000000000000000001000000:C350 01 00000000:00000000 00:00000000 00000000   110        0 444 1
   1: 0000000000000000FFFF00000100007F:2329 0000000000000000FFFF00000200007F:C351 01 00000000:00000000 00:00000000 00000000   110        0 555 1
";

    fn fake(with_fds: bool) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::create_dir_all(p.join("net")).unwrap();
        std::fs::write(p.join("net/tcp"), TCP).unwrap();
        std::fs::write(p.join("net/tcp6"), TCP6).unwrap();
        std::fs::write(p.join("status"), "Name:\ttor\nUid:\t110\t110\t110\t110\n").unwrap();
        if with_fds {
            std::fs::create_dir_all(p.join("fd")).unwrap();
            for (n, inode) in [(3, 111), (4, 333), (5, 444), (6, 555)] {
                std::os::unix::fs::symlink(format!("socket:[{inode}]"), p.join(format!("fd/{n}")))
                    .unwrap();
            }
            std::os::unix::fs::symlink("/dev/null", p.join("fd/7")).unwrap();
        }
        d
    }

    fn sock(l: &str, r: &str) -> Socket {
        Socket {
            local: l.parse().unwrap(),
            remote: r.parse().unwrap(),
        }
    }

    #[test]
    fn descriptors_give_exactly_tors_established_sockets() {
        let d = fake(true);
        let scan = scan(d.path()).unwrap();
        assert_eq!(scan.source, SocketSource::Descriptors);
        assert_eq!(
            scan.sockets,
            [
                sock("127.0.0.1:9001", "127.0.0.1:54321"),
                sock("[::1]:9001", "[2001:db8::1]:50000"),
                sock("127.0.0.1:9001", "127.0.0.2:50001"),
            ]
        );
    }

    #[test]
    fn without_descriptors_tors_user_and_why() {
        let d = fake(false);
        let scan = scan(d.path()).unwrap();
        let SocketSource::TorUser { uid, why } = &scan.source else {
            panic!("{:?}", scan.source)
        };
        assert_eq!(*uid, 110);
        assert!(why.contains("need tor's user or root"), "{why}");
        // Inode 222 is tor's user's too; 999 is root's.
        assert_eq!(scan.sockets.len(), 4);
        assert!(scan
            .sockets
            .contains(&sock("127.0.0.1:40961", "127.0.0.1:5000")));
    }

    #[test]
    fn a_missing_table_is_an_error_that_says_where() {
        let d = tempfile::tempdir().unwrap();
        let e = scan(d.path()).unwrap_err();
        assert!(
            e.starts_with("cannot read ") && e.contains("net/tcp"),
            "{e}"
        );
    }
}
