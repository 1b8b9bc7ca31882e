//! Several relays of a private network (in its own loopback-only
//! namespace) watched at once from outside it: one relay stops and shows
//! down while the others keep updating; started again, it alone
//! reconnects. The network is this binary's own, so stopping a relay
//! disturbs no other test.

mod support;

use rnyx::launch::network::Role;
use rnyx::launch::{NetworkSpec, PrivateNetwork};
use rnyx_model::{RelayName, NAME_WIDTH};
use support::eventually;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_of_the_network_stops_and_comes_back() {
    let dir = tempfile::Builder::new()
        .prefix("rnyx-fleet-")
        .tempdir()
        .unwrap();
    let mut net = PrivateNetwork::start(&dir.path().join("net"), &NetworkSpec::default())
        .unwrap_or_else(|e| panic!("cannot start the private network: {e}"));
    let (fleet, mut ui) = support::watch_all(
        net.by_role(Role::Relay)
            .chain(net.by_role(Role::Client))
            .map(|t| (RelayName::given(t.name.clone()), t.target()))
            .collect(),
    )
    .await;
    let n = fleet.len();
    let screen = ui.step(&[]).await.join("\n");
    assert!(
        screen.contains(&format!("Relays ({n} watched, {n} up):")),
        "{screen}"
    );
    // relay1 stops.
    net.stop("relay1");
    let stopped = fleet
        .iter()
        .position(|(name, _)| name.text == "relay1")
        .unwrap();
    eventually("relay1 down", 30, || {
        fleet[stopped]
            .1
            .state
            .read(|s| (!s.session.connection.connected).then_some(()))
    })
    .await;
    let screen = ui.step(&[]).await.join("\n");
    assert!(
        screen.contains(&format!("{:<NAME_WIDTH$} down", "relay1")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("Relays ({n} watched, {} up):", n - 1)),
        "{screen}"
    );
    // The others keep updating.
    let events = || -> Vec<u64> {
        fleet
            .iter()
            .map(|(_, h)| h.state.read(|s| s.session.events_received))
            .collect()
    };
    let before = events();
    eventually("the others updating", 30, || {
        let after = events();
        (0..fleet.len())
            .all(|i| i == stopped || after[i] > before[i])
            .then_some(())
    })
    .await;
    // Started again: it alone reconnects.
    net.start_again("relay1").unwrap();
    eventually("relay1 back", 30, || {
        fleet[stopped]
            .1
            .state
            .read(|s| s.session.connection.connected.then_some(()))
    })
    .await;
    for (i, (name, h)) in fleet.iter().enumerate() {
        let connections = h.state.read(|s| s.session.connection.connections);
        assert_eq!(connections, if i == stopped { 2 } else { 1 }, "{name:?}");
    }
    let screen = ui.step(&[]).await.join("\n");
    assert!(
        screen.contains(&format!("Relays ({n} watched, {n} up):")),
        "{screen}"
    );
}
