//! What the benches check of their own inputs, checked in `cargo test`
//! too (the benches' asserts do not run there): the event mix parses to as
//! many events as it holds, and a refresh of a busy relay's connections
//! finds every socket held, before and after a hundred are replaced.

#[path = "../benches/common/events.rs"]
mod events;

#[path = "../benches/common/busy.rs"]
mod busy;

use rnyx::controller::apply_connections;
use rnyx::procfs::sockets::{Ports, Scanner};

#[test]
fn the_event_mix_parses_to_as_many_events() {
    for n in [10, 1_000, 25_000] {
        assert_eq!(events::parse_all(&events::event_mix(n)), n);
    }
}

#[test]
fn a_refresh_finds_every_socket_held() {
    const NOW: u64 = 1_795_255_200;
    let (listener, mut held) = busy::sockets(400);
    assert_eq!(held.len(), 400, "the descriptor limit is too low");
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", std::process::id()));
    let mut s = busy::state(200, 50);
    s.facts.relay.listeners.or = vec![listener.local_addr().unwrap().to_string()];
    let mut scanner = Scanner::default();
    apply_connections(&mut s, scanner.scan(&proc_dir, &Ports::default()), NOW);
    assert_eq!(s.net.connections.list.len(), held.len());
    // A hundred closed, a hundred new (fifty pairs): tor's descriptors read
    // again.
    held.drain(..100);
    for _ in 0..50 {
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        held.push(busy::reset_on_close(client));
        held.push(busy::reset_on_close(server));
    }
    apply_connections(&mut s, scanner.scan(&proc_dir, &Ports::default()), NOW);
    assert_eq!(s.net.connections.list.len(), held.len());
}
