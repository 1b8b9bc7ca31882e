//! The controller task, end to end without tor.

use super::*;

/// The manual reaches the state through the task (its one writer),
/// whether tor is there or not.
#[tokio::test]
async fn the_manual_asked_for_while_tor_is_away_arrives() {
    let handle = spawn(ControllerConfig {
        targets: vec![Target::Unix("/nonexistent/rnyx-test/control".into())],
        reconnect_initial: Duration::from_secs(30),
        ..ControllerConfig::default()
    });
    handle.want_manual();
    handle.want_manual();
    let mut generation = 0;
    for _ in 0..200 {
        if let Some(n) = handle
            .state
            .read(|s| s.facts.manual.as_ref().map(|m| m.len()))
        {
            assert!(n > 300, "{n} entries");
            generation = handle.state.read(|s| s.session.generation);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(generation > 0, "the manual never arrived");
    assert!(!handle.state.read(|s| s.session.connection.connected));
}
