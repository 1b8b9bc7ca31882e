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

/// tor's warnings reach the bridge's model though they come in a run of
/// log lines (the way every one-line log event is read), among others.
#[test]
fn warnings_in_a_run_of_log_lines_reach_the_bridge() {
    use rnyx_model::bridge::AuthorityAnswer;
    use rnyx_model::{LogRun, Runlevel};
    let mut state = ControllerState::default();
    let mut run = LogRun::default();
    run.push(Runlevel::Notice, b"Bootstrapped 100% (done): Done");
    run.push(
        Runlevel::Warn,
        b"Publishing server descriptor to directory authorities of type 'Bridge', but no authorities of that type listed!",
    );
    let batch = vec![rnyx_grammar::incoming::Incoming::Logs(run)];
    apply_batch(
        &mut state,
        batch,
        &rnyx_model::EventSelection::default(),
        7_000,
    );
    assert_eq!(
        state.bridge.authority,
        Some(AuthorityAnswer::NoneListed { at: 7 })
    );
    assert_eq!(state.session.events_received, 2);
}
