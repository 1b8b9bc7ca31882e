//! tor's TCP connections, with no outside tool: the established sockets of
//! tor's own network namespace (right even when tor runs in a container or
//! another namespace than rnyx) from sock_diag (`diag.rs`), else from
//! `/proc/<tor pid>/net/tcp{,6}`; joined to the socket inodes of tor's
//! descriptors when rnyx may read them (tor's user or root), else the
//! sockets of tor's user and those on tor's ports.

use super::diag::Diag;
use super::Row;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rnyx_model::{Socket, SocketScan, SocketSource, SocketTable};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// Scans of one tor's sockets, keeping between scans what need not be read
/// again: the sock_diag socket in tor's namespace, which of tor's
/// descriptors are which sockets, and the processes found at the other end
/// of SOCKS and control connections.
#[derive(Default)]
pub struct Scanner {
    /// tor's `/proc` directory the rest is for.
    dir: Option<PathBuf>,
    diag: Option<Result<Diag, String>>,
    /// Descriptor number to socket inode (0: not a socket).
    fds: HashMap<u32, u64>,
    /// Socket inode to whether it is tor's, for the sockets decided.
    tors: HashMap<u64, bool>,
    /// Peer socket inode to its process (`None`: not found).
    owners: HashMap<u64, Option<String>>,
}

impl Scanner {
    /// Scans tor's sockets; `dir` is tor's `/proc/<pid>`. An error says
    /// what could not be read and where.
    pub fn scan(&mut self, dir: &Path, ports: &Ports) -> Result<SocketScan, String> {
        if self.dir.as_deref() != Some(dir) {
            *self = Self {
                dir: Some(dir.to_owned()),
                ..Self::default()
            };
        }
        let mut rows = Vec::new();
        let failed = match self.diag.get_or_insert_with(|| Diag::open(dir)) {
            Ok(diag) => diag.established(&mut rows).err().map(|why| (why, true)),
            Err(why) => Some((why.clone(), false)),
        };
        let table = match failed {
            None => SocketTable::SockDiag,
            Some((why, dump_failed)) => {
                if dump_failed {
                    // Read the text tables this time; try netlink afresh next.
                    self.diag = None;
                    rows.clear();
                }
                read_tables(dir, &mut rows)?;
                SocketTable::Proc { why }
            }
        };
        rows.retain(|r| r.established);
        // Exactly tor's sockets when its descriptors can be read, else its
        // user's and those on its listening ports.
        let source = match self.decide(dir, &rows) {
            Ok(()) => SocketSource::Descriptors,
            Err(why) => {
                self.tors.clear();
                let status = dir.join("status");
                let uid = tor_uid(dir)
                    .ok_or_else(|| format!("cannot read tor's user from {}", status.display()))?;
                SocketSource::TorUser { uid, why }
            }
        };
        let tors = |r: &Row| match &source {
            SocketSource::TorUser { uid, .. } => {
                r.uid == *uid || ports.listening.contains(&r.local.port())
            }
            _ => self.tors.get(&r.inode).copied().unwrap_or(false),
        };
        let sockets: Vec<Socket> = rows
            .iter()
            .filter(|r| tors(r))
            .map(|r| Socket {
                local: r.local,
                remote: r.remote,
            })
            .collect();
        let processes = self.clients(&sockets, &rows, &ports.clients, dir);
        Ok(SocketScan {
            sockets,
            source,
            table,
            processes,
        })
    }

    /// Decides for each socket of `rows` whether it is tor's, from tor's
    /// descriptors, or says why they cannot be read. Sockets decided before
    /// stay decided (socket inodes are not reused), so the descriptors are
    /// listed only when a socket is new, and only the descriptors that are
    /// new, or whose socket is gone, are read.
    fn decide(&mut self, dir: &Path, rows: &[Row]) -> Result<(), String> {
        let open: HashSet<u64> = rows.iter().map(|r| r.inode).collect();
        self.tors.retain(|i, _| open.contains(i));
        let new: HashSet<u64> = open
            .iter()
            .copied()
            .filter(|i| !self.tors.contains_key(i))
            .collect();
        if new.is_empty() || self.probe(dir, &open, &new) {
            return Ok(());
        }
        let fd = dir.join("fd");
        let entries = std::fs::read_dir(&fd).map_err(|e| {
            format!(
                "{}: {e} (tor's descriptors need tor's user or root)",
                fd.display()
            )
        })?;
        let mut listed = HashSet::with_capacity(self.fds.len());
        for entry in entries.flatten() {
            let Some(n) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            listed.insert(n);
            if self.fds.get(&n).is_some_and(|i| open.contains(i)) {
                continue;
            }
            self.fds.insert(n, socket_inode(&entry.path()).unwrap_or(0));
        }
        self.fds.retain(|n, _| listed.contains(n));
        let held: HashSet<u64> = self.fds.values().copied().collect();
        for inode in open {
            self.tors.insert(inode, held.contains(&inode));
        }
        Ok(())
    }

    /// Looks for the `new` sockets where tor's next ones are: at the
    /// descriptors whose socket closed, and just past the highest. True
    /// when every new socket was found there (all tor's), so the whole
    /// descriptor table need not be listed.
    fn probe(&mut self, dir: &Path, open: &HashSet<u64>, new: &HashSet<u64>) -> bool {
        if self.fds.is_empty() {
            return false;
        }
        let freed: Vec<u32> = self
            .fds
            .iter()
            .filter(|(_, i)| !open.contains(i))
            .map(|(n, _)| *n)
            .collect();
        let top = self.fds.keys().max().copied().unwrap_or(0);
        let fd = dir.join("fd");
        let mut found = HashSet::new();
        // Reads descriptor `n`; false when there is none.
        let read = |fds: &mut HashMap<u32, u64>, found: &mut HashSet<u64>, n: u32| -> bool {
            let Ok(target) = std::fs::read_link(fd.join(n.to_string())) else {
                fds.remove(&n);
                return false;
            };
            let inode = inode_of(&target).unwrap_or(0);
            fds.insert(n, inode);
            if new.contains(&inode) {
                found.insert(inode);
            }
            true
        };
        for n in freed {
            read(&mut self.fds, &mut found, n);
        }
        // Then past the highest, until 16 numbers in a row are free.
        let (mut n, mut misses) = (top, 0);
        while found.len() < new.len() && misses < 16 && n < u32::MAX {
            n += 1;
            misses = if read(&mut self.fds, &mut found, n) {
                0
            } else {
                misses + 1
            };
        }
        if found.len() < new.len() {
            return false;
        }
        for inode in found {
            self.tors.insert(inode, true);
        }
        true
    }

    /// The processes at the other end of tor's connections to `local_ports`
    /// (SOCKS and control clients on this host): `name (pid)` where `/proc`
    /// tells, looked up once per connection.
    fn clients(
        &mut self,
        sockets: &[Socket],
        rows: &[Row],
        local_ports: &[u16],
        tor: &Path,
    ) -> std::collections::HashMap<Socket, String> {
        let wanted: Vec<&Socket> = sockets
            .iter()
            .filter(|s| local_ports.contains(&s.local.port()))
            .collect();
        if wanted.is_empty() {
            return std::collections::HashMap::new();
        }
        // The client's socket is the one with the ends swapped.
        let by_ends: HashMap<(SocketAddr, SocketAddr), u64> = rows
            .iter()
            .map(|r| ((r.local, r.remote), r.inode))
            .collect();
        let peers: Vec<(Socket, u64)> = wanted
            .iter()
            .filter_map(|s| Some((**s, *by_ends.get(&(s.remote, s.local))?)))
            .filter(|(_, inode)| *inode != 0)
            .collect();
        let unknown: HashSet<u64> = peers
            .iter()
            .map(|(_, i)| *i)
            .filter(|i| !self.owners.contains_key(i))
            .collect();
        if !unknown.is_empty() {
            let root = tor.parent().unwrap_or(Path::new("/proc"));
            let mut found = owners_of(root, &unknown);
            for inode in unknown {
                self.owners.insert(inode, found.remove(&inode));
            }
        }
        let live: HashSet<u64> = peers.iter().map(|(_, i)| *i).collect();
        self.owners.retain(|i, _| live.contains(i));
        peers
            .into_iter()
            .filter_map(|(s, inode)| Some((s, self.owners.get(&inode)?.clone()?)))
            .collect()
    }
}

/// tor's listening ports, from what tor reports.
#[derive(Debug, Clone, Default)]
pub struct Ports {
    /// Every listener's port: a socket on one is tor's even when tor's
    /// descriptors cannot be read and the socket is not of tor's user
    /// (accepted on a listener opened as root before tor dropped to its
    /// user).
    pub listening: Vec<u16>,
    /// SOCKS and control ports, whose clients' processes are looked up.
    pub clients: Vec<u16>,
    /// ORPorts, where clients and relays connect, as tor listens on them.
    pub or: Vec<std::net::SocketAddr>,
}

impl Ports {
    pub fn of(listeners: &rnyx_model::Listeners) -> Self {
        let ports = |list: &[&Vec<String>]| -> Vec<u16> {
            list.iter()
                .flat_map(|l| l.iter())
                .filter_map(|l| l.rsplit_once(':')?.1.parse().ok())
                .collect()
        };
        let l = listeners;
        Self {
            listening: ports(&[&l.or, &l.dir, &l.socks, &l.control]),
            clients: ports(&[&l.socks, &l.control]),
            or: l.or.iter().filter_map(|a| a.parse().ok()).collect(),
        }
    }
}

/// Reads `/proc/<pid>/net/tcp{,6}` into `rows`.
fn read_tables(dir: &Path, rows: &mut Vec<Row>) -> Result<(), String> {
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
    Ok(())
}

/// The socket inode a descriptor link names.
fn socket_inode(link: &Path) -> Option<u64> {
    inode_of(&std::fs::read_link(link).ok()?)
}

/// The socket inode of a descriptor link's target, `socket:[N]`.
fn inode_of(target: &Path) -> Option<u64> {
    let t = target.to_str()?;
    t.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
}

/// `name (pid)` of the processes holding the sockets `inodes`, from every
/// process under `root` whose descriptors rnyx may read.
fn owners_of(root: &Path, inodes: &HashSet<u64>) -> HashMap<u64, String> {
    let mut found = HashMap::new();
    let Ok(procs) = std::fs::read_dir(root) else {
        return found;
    };
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Some(inode) = socket_inode(&fd.path()).filter(|i| inodes.contains(i)) else {
                continue;
            };
            let name = std::fs::read_to_string(p.path().join("comm")).unwrap_or_default();
            let name = rnyx_model::text::strip_controls(name.trim());
            found.insert(inode, format!("{name} ({pid})"));
        }
        if found.len() == inodes.len() {
            break;
        }
    }
    found
}

/// `sl local rem st tx:rx tr:when retrnsmt uid timeout inode …`; a row
/// that does not parse is skipped.
pub(crate) fn parse_row(line: &str) -> Option<Row> {
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
        let scan = Scanner::default()
            .scan(d.path(), &Ports::default())
            .unwrap();
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
        let scan = Scanner::default()
            .scan(d.path(), &Ports::default())
            .unwrap();
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
        let e = Scanner::default()
            .scan(d.path(), &Ports::default())
            .unwrap_err();
        assert!(
            e.starts_with("cannot read ") && e.contains("net/tcp"),
            "{e}"
        );
    }

    /// A connected pair in this process: (listener, client, server).
    fn pair() -> (
        std::net::TcpListener,
        std::net::TcpStream,
        std::net::TcpStream,
    ) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (listener, client, server)
    }

    fn ends(s: &std::net::TcpStream) -> Socket {
        Socket {
            local: s.local_addr().unwrap(),
            remote: s.peer_addr().unwrap(),
        }
    }

    #[test]
    fn later_scans_follow_new_and_closed_sockets_of_the_process() {
        let me = Path::new("/proc/self");
        let mut scanner = Scanner::default();
        let (_l1, c1, s1) = pair();
        let first = scanner.scan(me, &Ports::default()).unwrap();
        assert_eq!(first.source, SocketSource::Descriptors);
        assert!(first.sockets.contains(&ends(&c1)) && first.sockets.contains(&ends(&s1)));
        // New sockets (found by probing past the known descriptors or by
        // listing them) and a closed one.
        let (_l2, c2, s2) = pair();
        let gone = ends(&c1);
        drop(c1);
        let second = scanner.scan(me, &Ports::default()).unwrap();
        assert!(second.sockets.contains(&ends(&c2)) && second.sockets.contains(&ends(&s2)));
        assert!(!second.sockets.contains(&gone));
        // A socket of another process is not ours.
        assert!(!second.sockets.iter().any(|s| s.local.port() == 0));
    }

    #[test]
    fn a_control_clients_process_is_named() {
        let (listener, client, server) = pair();
        let ports = Ports {
            listening: vec![listener.local_addr().unwrap().port()],
            clients: vec![listener.local_addr().unwrap().port()],
            or: Vec::new(),
        };
        let scan = Scanner::default()
            .scan(Path::new("/proc/self"), &ports)
            .unwrap();
        let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
        let expected = format!("{} ({})", comm.trim(), std::process::id());
        // tor's end (here the server's) names the client's process.
        assert_eq!(scan.processes.get(&ends(&server)), Some(&expected));
        assert!(!scan.processes.contains_key(&ends(&client)));
    }
}
