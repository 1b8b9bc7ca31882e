//! rnyx against a private tor network (authorities, relays, a client) running
//! in its own loopback-only network namespace.

mod support;

use rnyx::controller::{spawn, ControllerConfig};
use support::{eventually, network, raw_getinfo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn circuits_appear_on_the_client() {
    let net = network();
    let client = net.client();
    let handle = spawn(ControllerConfig {
        targets: vec![client.target()],
        ..ControllerConfig::default()
    });
    let fingerprints: Vec<String> = net.tors.iter().filter_map(|t| t.fingerprint()).collect();
    let circuit = eventually("a built circuit", 60, || {
        handle.state.read(|s| {
            s.circuits
                .iter()
                .find(|c| {
                    c.status == rnyx_panels::model::CircuitStatus::Built && !c.path.is_empty()
                })
                .cloned()
        })
    })
    .await;
    for hop in &circuit.path {
        let fp = hop.fingerprint.as_ref().expect("hops carry fingerprints");
        assert!(
            fingerprints.contains(fp),
            "hop {fp} is not a relay of the network"
        );
    }
    let _ = raw_getinfo;
}
