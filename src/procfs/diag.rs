//! tor's established TCP sockets from the kernel's sock_diag netlink
//! interface, in tor's own network namespace: a few milliseconds for
//! 10,000 sockets where the text tables of `/proc/<pid>/net/tcp{,6}` take
//! tens (they list every socket, in every state, as text).
//!
//! A netlink socket answers for the namespace it was made in. When tor runs
//! in another namespace than rnyx, the socket is made on a short-lived
//! thread that first enters tor's (`setns`, which needs root, or rnyx's user
//! owning that namespace); when that is refused, the caller falls back to
//! the text tables, which are read through tor's `/proc` directory.

use super::sockets::Row;
use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, IPPROTO_TCP};
use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
use netlink_packet_sock_diag::SockDiagMessage;
use netlink_sys::{protocols::NETLINK_SOCK_DIAG, Socket, SocketAddr};
use std::net::IpAddr;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// A sock_diag socket in one network namespace.
pub struct Diag {
    socket: Socket,
    buf: Vec<u8>,
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
        })
    }

    /// Every established TCP socket of the namespace, IPv4 and IPv6.
    pub fn established(&mut self, rows: &mut Vec<Row>) -> Result<(), String> {
        for family in [AF_INET, AF_INET6] {
            self.dump(family, rows)
                .map_err(|e| format!("sock_diag dump: {e}"))?;
        }
        Ok(())
    }

    fn dump(&mut self, family: u8, rows: &mut Vec<Row>) -> std::io::Result<()> {
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_DUMP;
        let mut request = NetlinkMessage::new(
            header,
            SockDiagMessage::InetRequest(InetRequest {
                family,
                protocol: IPPROTO_TCP,
                extensions: ExtensionFlags::empty(),
                states: StateFlags::ESTABLISHED,
                socket_id: if family == AF_INET {
                    SocketId::new_v4()
                } else {
                    SocketId::new_v6()
                },
            })
            .into(),
        );
        request.finalize();
        let mut out = vec![0; request.buffer_len()];
        request.serialize(&mut out);
        self.socket.send(&out, 0)?;
        loop {
            let size = self.socket.recv(&mut &mut self.buf[..], 0)?;
            if size == 0 {
                return Err(std::io::Error::other("the kernel closed the dump"));
            }
            let mut at = 0;
            while at < size {
                let message =
                    <NetlinkMessage<SockDiagMessage>>::deserialize(&self.buf[at..size])
                        .map_err(|e| std::io::Error::other(format!("a malformed answer: {e}")))?;
                let length = message.header.length as usize;
                match message.payload {
                    NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(r)) => {
                        let id = &r.header.socket_id;
                        rows.push(Row {
                            local: std::net::SocketAddr::new(
                                unmap(id.source_address),
                                id.source_port,
                            ),
                            remote: std::net::SocketAddr::new(
                                unmap(id.destination_address),
                                id.destination_port,
                            ),
                            established: true,
                            uid: r.header.uid,
                            inode: u64::from(r.header.inode),
                        });
                    }
                    NetlinkPayload::Done(_) => return Ok(()),
                    NetlinkPayload::Error(e) => {
                        return Err(std::io::Error::other(format!("the kernel refused: {e}")))
                    }
                    _ => {}
                }
                if length == 0 {
                    break;
                }
                at += length;
            }
        }
    }
}

/// tor's IPv4 peers on a dual-stack socket.
fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 @ IpAddr::V4(_) => v4,
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
        // A second dump on the same socket works.
        let mut again = Vec::new();
        diag.established(&mut again).unwrap();
        assert!(again
            .iter()
            .any(|r| r.local == client.local_addr().unwrap()));
    }
}
