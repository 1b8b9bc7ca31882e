//! tor's established TCP sockets from the kernel's sock_diag netlink
//! interface, in tor's own network namespace: a few milliseconds for
//! 10,000 sockets where the text tables of `/proc/<pid>/net/tcp{,6}` take
//! tens (they list every socket, in every state, as text).
//!
//! One dump gives IPv4 and IPv6 together: the request is the original
//! `TCPDIAG_GETSOCK` form (`struct inet_diag_req`), which the kernel
//! answers for every address family in one walk of its table of
//! established sockets, where the newer form walks it once per family.
//! Requests and answers are fixed C structures (`linux/inet_diag.h`), read
//! here in place: nothing is allocated per socket but its row.
//!
//! A netlink socket answers for the namespace it was made in. When tor runs
//! in another namespace than rnyx, the socket is made on a short-lived
//! thread that first enters tor's (`setns`, which needs root, or rnyx's user
//! owning that namespace); when that is refused, the caller falls back to
//! the text tables, which are read through tor's `/proc` directory.

use super::Row;
use netlink_sys::{protocols::NETLINK_SOCK_DIAG, Socket, SocketAddr};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// `TCPDIAG_GETSOCK`: the request type that dumps every family at once.
const TCPDIAG_GETSOCK: u16 = 18;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const TCP_ESTABLISHED: u32 = 1;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;
/// `struct nlmsghdr`.
const HEADER: usize = 16;
/// `struct inet_diag_sockid`.
const SOCKID: usize = 48;
/// `struct inet_diag_msg`: family, state, timer, retrans, the socket id,
/// then expires, rqueue, wqueue, uid and inode.
const MESSAGE: usize = 4 + SOCKID + 20;

/// A sock_diag socket in one network namespace.
pub struct Diag {
    socket: Socket,
    buf: Vec<u8>,
    sequence: u32,
}

/// The identity of the network namespace of the process at `dir`: the
/// inode of its `net/tcp`, one per namespace, and readable for any
/// process (unlike `ns/net`, which needs the right to trace it).
fn namespace(dir: &Path) -> Result<u64, String> {
    let tcp = dir.join("net/tcp");
    std::fs::metadata(&tcp)
        .map(|m| m.ino())
        .map_err(|e| format!("{}: {e}", tcp.display()))
}

fn new_socket() -> std::io::Result<Socket> {
    let mut socket = Socket::new(NETLINK_SOCK_DIAG)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    Ok(socket)
}

/// Makes a sock_diag socket inside the namespace of the process at `dir`,
/// on a thread of its own (entering a namespace changes only the thread
/// that does it, and that thread ends here).
fn socket_in(dir: &Path) -> Result<Socket, String> {
    let ns_path = dir.join("ns/net");
    let ns = std::fs::File::open(&ns_path).map_err(|e| format!("{}: {e}", ns_path.display()))?;
    std::thread::spawn(move || {
        nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET).map_err(|e| {
            format!("entering tor's network namespace: {e} (needs root or the namespace's owner)")
        })?;
        new_socket().map_err(|e| format!("sock_diag socket: {e}"))
    })
    .join()
    .unwrap_or_else(|_| Err("the namespace thread panicked".into()))
}

/// The dump request for established TCP sockets of every family: a
/// netlink header and a `struct inet_diag_req` (family, source and
/// destination lengths, extensions, the socket id, states, tables), all
/// zero but the states asked for.
fn request(sequence: u32) -> Vec<u8> {
    let body = 4 + SOCKID + 8;
    let mut out = Vec::with_capacity(HEADER + body);
    out.extend_from_slice(&u32::try_from(HEADER + body).unwrap_or(0).to_ne_bytes());
    out.extend_from_slice(&TCPDIAG_GETSOCK.to_ne_bytes());
    out.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    out.extend_from_slice(&sequence.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(&[0; 4 + SOCKID]);
    out.extend_from_slice(&(1u32 << TCP_ESTABLISHED).to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out
}

fn u16_ne(b: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([b[at], b[at + 1]])
}

fn u32_ne(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// An address of a socket id: the first four bytes for IPv4, all sixteen
/// for IPv6 (an IPv4 peer of a dual-stack socket is given as IPv4).
fn address(family: u8, b: &[u8]) -> IpAddr {
    if family == AF_INET {
        return IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]));
    }
    let mut octets = [0; 16];
    octets.copy_from_slice(&b[..16]);
    let v6 = Ipv6Addr::from(octets);
    v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
}

/// One socket of the dump from its `struct inet_diag_msg`, or `None` for a
/// family other than IPv4 and IPv6.
fn row(m: &[u8]) -> Option<Row> {
    let family = m[0];
    if family != AF_INET && family != AF_INET6 {
        return None;
    }
    let id = &m[4..4 + SOCKID];
    let port = |at: usize| u16::from_be_bytes([id[at], id[at + 1]]);
    Some(Row {
        local: std::net::SocketAddr::new(address(family, &id[4..20]), port(0)),
        remote: std::net::SocketAddr::new(address(family, &id[20..36]), port(2)),
        established: true,
        uid: u32_ne(m, 4 + SOCKID + 12),
        inode: u64::from(u32_ne(m, 4 + SOCKID + 16)),
    })
}

/// One answer of the kernel read as a scan reads it: the sockets, and
/// whether it was the last; why not, for a malformed one. (The fuzz
/// targets' way in.)
pub(crate) fn read_answer(buf: &[u8], sequence: u32) -> Result<(Vec<Row>, bool), String> {
    let mut rows = Vec::new();
    match messages(buf, sequence, &mut rows) {
        Ok(read) => Ok((rows, matches!(read, Read::Done))),
        Err(e) => Err(e.to_string()),
    }
}

/// What one answer of the kernel held.
enum Read {
    More,
    Done,
}

/// Reads the netlink messages of one answer into `rows`.
fn messages(buf: &[u8], sequence: u32, rows: &mut Vec<Row>) -> std::io::Result<Read> {
    let malformed = |what: &str| std::io::Error::other(format!("a malformed answer: {what}"));
    let mut at = 0;
    while at + HEADER <= buf.len() {
        let length = u32_ne(buf, at) as usize;
        if length < HEADER || at + length > buf.len() {
            return Err(malformed(&format!(
                "a message of {length} bytes at byte {at}"
            )));
        }
        let kind = u16_ne(buf, at + 4);
        let body = &buf[at + HEADER..at + length];
        if u32_ne(buf, at + 8) == sequence {
            match kind {
                NLMSG_DONE => return Ok(Read::Done),
                NLMSG_ERROR => {
                    let code = if body.len() >= 4 {
                        i32::from_ne_bytes([body[0], body[1], body[2], body[3]])
                    } else {
                        0
                    };
                    return Err(std::io::Error::other(format!(
                        "the kernel refused: {}",
                        std::io::Error::from_raw_os_error(-code)
                    )));
                }
                TCPDIAG_GETSOCK if body.len() < MESSAGE => {
                    return Err(malformed(&format!("a socket of {} bytes", body.len())));
                }
                TCPDIAG_GETSOCK => rows.extend(row(body)),
                _ => {}
            }
        }
        at += (length + 3) & !3;
    }
    Ok(Read::More)
}

impl Diag {
    /// A sock_diag socket for the network namespace of the process whose
    /// `/proc` directory is `dir`, or why there is none.
    pub fn open(dir: &Path) -> Result<Self, String> {
        let ours = namespace(Path::new("/proc/self"))?;
        let socket = if namespace(dir)? == ours {
            new_socket().map_err(|e| format!("sock_diag socket: {e}"))?
        } else {
            socket_in(dir)?
        };
        Ok(Self {
            socket,
            buf: vec![0; 64 * 1024],
            sequence: 0,
        })
    }

    /// Every established TCP socket of the namespace, IPv4 and IPv6.
    pub fn established(&mut self, rows: &mut Vec<Row>) -> Result<(), String> {
        self.dump(rows).map_err(|e| format!("sock_diag dump: {e}"))
    }

    fn dump(&mut self, rows: &mut Vec<Row>) -> std::io::Result<()> {
        self.sequence = self.sequence.wrapping_add(1);
        self.socket.send(&request(self.sequence), 0)?;
        loop {
            let size = self.socket.recv(&mut &mut self.buf[..], 0)?;
            if size == 0 {
                return Err(std::io::Error::other("the kernel closed the dump"));
            }
            if let Read::Done = messages(&self.buf[..size], self.sequence, rows)? {
                return Ok(());
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn our_own_connection_is_in_the_dump_with_its_inode() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (_server, _) = listener.accept().unwrap();
        let mut diag = Diag::open(Path::new("/proc/self")).unwrap();
        let mut rows = Vec::new();
        diag.established(&mut rows).unwrap();
        let row = rows
            .iter()
            .find(|r| r.local == client.local_addr().unwrap())
            .expect("the client's socket");
        assert_eq!(row.remote, listener.local_addr().unwrap());
        // The inode is the one our descriptor names.
        let link = std::fs::read_link(format!("/proc/self/fd/{}", client.as_raw_fd())).unwrap();
        assert_eq!(link.to_str().unwrap(), format!("socket:[{}]", row.inode));
        // Listening sockets are not established.
        assert!(!rows
            .iter()
            .any(|r| r.local == listener.local_addr().unwrap() && r.remote.port() == 0));
        // IPv6 sockets come in the same dump (when this host has IPv6).
        if let Ok(listener6) = std::net::TcpListener::bind("[::1]:0") {
            let client6 = std::net::TcpStream::connect(listener6.local_addr().unwrap()).unwrap();
            let mut rows6 = Vec::new();
            diag.established(&mut rows6).unwrap();
            let row = rows6
                .iter()
                .find(|r| r.local == client6.local_addr().unwrap())
                .expect("the IPv6 client's socket");
            assert_eq!(row.remote, listener6.local_addr().unwrap());
            assert!(rows6
                .iter()
                .any(|r| r.local == client.local_addr().unwrap()));
        }
        // A second dump on the same socket works.
        let mut again = Vec::new();
        diag.established(&mut again).unwrap();
        assert!(again
            .iter()
            .any(|r| r.local == client.local_addr().unwrap()));
    }

    /// A netlink message of `kind` with `body`, as the kernel frames it.
    fn message(kind: u16, sequence: u32, body: &[u8]) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&u32::try_from(HEADER + body.len()).unwrap().to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&0u16.to_ne_bytes());
        m.extend_from_slice(&sequence.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(body);
        while m.len() % 4 != 0 {
            m.push(0);
        }
        m
    }

    fn socket(family: u8, local: &[u8], port: u16, inode: u32) -> Vec<u8> {
        let mut b = vec![family, 1, 0, 0];
        b.extend_from_slice(&port.to_be_bytes());
        b.extend_from_slice(&9001u16.to_be_bytes());
        let mut src = [0u8; 16];
        src[..local.len()].copy_from_slice(local);
        b.extend_from_slice(&src);
        b.extend_from_slice(&[0; 16]);
        b.extend_from_slice(&[0; 12]);
        b.extend_from_slice(&[0; 12]);
        b.extend_from_slice(&107u32.to_ne_bytes());
        b.extend_from_slice(&inode.to_ne_bytes());
        // An attribute after the fixed part is skipped.
        b.extend_from_slice(&[8, 0, 8, 0, 1, 0, 0, 0]);
        b
    }

    #[test]
    fn answers_are_read_in_place_and_bad_ones_refused() {
        let mut mapped = [0u8; 16];
        mapped[10..12].copy_from_slice(&[0xff, 0xff]);
        mapped[12..].copy_from_slice(&[192, 0, 2, 7]);
        let mut buf = message(
            TCPDIAG_GETSOCK,
            5,
            &socket(AF_INET, &[10, 0, 0, 1], 443, 77),
        );
        buf.extend(message(
            TCPDIAG_GETSOCK,
            5,
            &socket(AF_INET6, &mapped, 80, 78),
        ));
        // Another request's message is not ours.
        buf.extend(message(
            TCPDIAG_GETSOCK,
            4,
            &socket(AF_INET, &[1, 1, 1, 1], 1, 1),
        ));
        let mut rows = Vec::new();
        assert!(matches!(messages(&buf, 5, &mut rows), Ok(Read::More)));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].local, "10.0.0.1:443".parse().unwrap());
        assert_eq!(rows[0].remote, "0.0.0.0:9001".parse().unwrap());
        assert_eq!((rows[0].uid, rows[0].inode), (107, 77));
        // An IPv4 peer of a dual-stack socket is given as IPv4.
        assert_eq!(rows[1].local, "192.0.2.7:80".parse().unwrap());
        let done = message(NLMSG_DONE, 5, &[0; 4]);
        assert!(matches!(messages(&done, 5, &mut rows), Ok(Read::Done)));
        let refused = message(NLMSG_ERROR, 5, &(-13i32).to_ne_bytes());
        let e = messages(&refused, 5, &mut rows).err().unwrap().to_string();
        assert!(e.contains("refused") && e.contains("denied"), "{e}");
        // A length past the end, and a socket message too short.
        let mut cut = message(
            TCPDIAG_GETSOCK,
            5,
            &socket(AF_INET, &[10, 0, 0, 1], 443, 77),
        );
        cut.truncate(40);
        let e = messages(&cut, 5, &mut rows).err().unwrap().to_string();
        assert!(e.contains("malformed") && e.contains("at byte 0"), "{e}");
        let short = message(TCPDIAG_GETSOCK, 5, &[AF_INET, 1, 0, 0]);
        let e = messages(&short, 5, &mut rows).err().unwrap().to_string();
        assert!(e.contains("a socket of 4 bytes"), "{e}");
        assert_eq!(rows.len(), 2);
    }
}
