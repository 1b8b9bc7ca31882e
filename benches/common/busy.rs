//! A busy relay made in this process: loopback sockets held open (the
//! relay's connections, read from this process's own `/proc`), a consensus
//! and circuits. Shared by the connections bench and tests/bench_inputs.rs.

use rnyx_model::{Circuit, CircuitStatus, CompactString, ControllerState, Listeners, RelayEntry};

/// 10.x.y.z for relay `i`.
pub fn ip(i: u32) -> [u8; 4] {
    let [_, b, c, d] = i.to_be_bytes();
    [10, b, c, d]
}

/// A socket that closes with a reset: none of the bench's sockets is left
/// in TIME_WAIT, where the kernel's table would hold thousands of them by
/// the end of a run (and for a minute after, slowing the next run's walk).
pub fn reset_on_close(s: std::net::TcpStream) -> std::net::TcpStream {
    socket2::SockRef::from(&s)
        .set_linger(Some(std::time::Duration::ZERO))
        .expect("SO_LINGER");
    s
}

/// `n` established loopback sockets held by this process (`n / 2`
/// connected pairs): the refresh then reads the real `/proc/self/net/tcp`
/// and joins it to this process's real descriptors, as it does for tor.
pub fn sockets(n: u32) -> (std::net::TcpListener, Vec<std::net::TcpStream>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut held = Vec::new();
    for _ in 0..n / 2 {
        let Ok(client) = std::net::TcpStream::connect(listener.local_addr().unwrap()) else {
            break;
        };
        let (server, _) = listener.accept().unwrap();
        held.push(reset_on_close(client));
        held.push(reset_on_close(server));
    }
    if held.len() < n as usize {
        eprintln!(
            "only {} sockets (raise the descriptor limit for the full {n})",
            held.len()
        );
    }
    (listener, held)
}

pub fn state(relays: u32, circuits: u64) -> ControllerState {
    let mut s = ControllerState::default();
    s.session.connection.connected = true;
    s.facts.relay.listeners = Listeners {
        or: vec!["203.0.113.5:9001".into()],
        ..Listeners::default()
    };
    s.facts.relay.exits = true;
    s.consensus_mut().replace((0..relays).map(|i| RelayEntry {
        fingerprint: format!("{i:040X}"),
        nickname: format!("relay{i}"),
        or_address: Some(std::net::SocketAddr::from((ip(i), 9001))),
        ipv6_address: None,
        flags: "Fast Guard Running Stable Valid".into(),
    }));
    for id in 0..circuits {
        let hop = |n: u64| format!("${:040X}~relay{n}", n % u64::from(relays));
        s.net.circuits.apply(Circuit {
            id,
            status: CircuitStatus::Built,
            path: rnyx::control::names::parse_path(&format!(
                "{},{},{}",
                hop(id),
                hop(id + 1),
                hop(id + 2)
            ))
            .expect("long names per the spec"),
            build_flags: CompactString::default(),
            purpose: Some("GENERAL".into()),
            time_created: None,
            hs_state: None,
            rend_query: None,
        });
    }
    s
}
