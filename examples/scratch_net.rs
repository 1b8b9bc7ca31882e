use rnyx::launch::{NetworkSpec, PrivateNetwork};
use std::time::Duration;
fn main() {
    let dir = std::path::PathBuf::from("/tmp/scratch/net");
    let o = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    let spec = NetworkSpec {
        relay_options: vec![
            o("DoSCircuitCreationEnabled", "1"),
            o("DoSCircuitCreationMinConnections", "1"),
            o("DoSCircuitCreationRate", "1"),
            o("DoSCircuitCreationBurst", "1"),
            o("DoSConnectionEnabled", "1"),
            o("DoSConnectionMaxConcurrentCount", "1"),
            o("DoSRefuseSingleHopClientRendezvous", "1"),
        ],
        client_options: vec![
            o("EntryNodes", "relay0"),
            o("OutboundBindAddress", "127.0.0.2"),
        ],
        ..NetworkSpec::default()
    };
    let net = PrivateNetwork::start(&dir, &spec).unwrap();
    let exe = std::path::Path::new("/work/main/target/release/rnyx");
    let fwd = rnyx::demo::MetricsForward::start(&net, "relay0", exe).unwrap();
    println!("ns {} fwd {}", net.namespace_pid(), fwd.path.display());
    let r = net.wait_bootstrapped(Duration::from_secs(180));
    println!("bootstrapped {r:?}");
    std::thread::sleep(Duration::from_secs(1800));
}
