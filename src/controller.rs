//! The background controller task: the one writer of the controller state.
//!
//! It connects, authenticates, reads the initial facts, subscribes to the
//! events the state needs (plus those the operator asked for), applies events
//! in batches and answers requests sent over a channel. When tor goes away
//! the state says so and since when, and the task reconnects with backoff.

pub mod apply;
mod connections;
mod consensus;
mod dispatch;
pub mod facts;
mod graphs;
mod handle;
pub mod health;
mod inbox;
mod interp;
mod liveness;
mod load;
pub mod logfile;
mod options;
pub use rnyx_grammar::policy;
mod readings;
mod requests;
mod shared;
pub mod startup;
mod subscription;
mod torconfig;

use crate::control::{Batch, Client, ClientError, Connection, Event, Incoming, Target};
use crate::host::SharedHost;
use apply::{apply_batch, apply_facts};
pub use connections::apply_connections;
use connections::ConnectionWatch;
use dispatch::{on_done, on_request, Parts};
pub use handle::{answer, Answer, Asked, ControllerHandle, RequestError};
use inbox::{delivered, Done, Mailbox, Post};
use liveness::{Comeback, Liveness};
use logfile::LogFile;
use readings::{record_system, settled, take_pending};
use requests::refuse;
pub use requests::MAX_READ;
use rnyx_grammar::request::{Request, Response, SessionRequest, TorRequest};
use rnyx_model::{ControllerState, EventSelection, LogEntry, LogSource, Runlevel};

pub use crate::local::utc_offset;
pub use options::{ControllerConfig, Starting};
pub use shared::SharedState;
use startup::Startup;
use std::sync::Arc;
use std::time::Duration;
use subscription::{log_rejected, subscribe, subscription};
use tokio::sync::mpsc;

/// Events the state itself is built from; always subscribed.
pub const REQUIRED_EVENTS: &[&str] = &[
    "BW",
    "CIRC",
    "ORCONN",
    "STREAM",
    "NS",
    "NEWCONSENSUS",
    "STATUS_GENERAL",
    "STATUS_CLIENT",
    "STATUS_SERVER",
    "CONF_CHANGED",
    "SIGNAL",
    "NETWORK_LIVENESS",
];

/// Event batches are applied at most this often; a flood is gathered between.
const APPLY_INTERVAL: Duration = Duration::from_millis(5);

/// A batch this large means a flood (tor at DEBUG on a busy relay): the
/// next one gathers for [`FLOOD_INTERVAL`], so most of its log lines fall
/// beyond what the log keeps and are only counted, and the state (and the
/// screen) changes 10 times a second — at 150,000 lines a second nobody
/// reads the log scroll by, and each update keeps (sanitises, keys) the
/// last 1,000 lines: a tenth of a second's worth rather than a 25th.
const FLOOD: usize = 512;
const FLOOD_INTERVAL: Duration = Duration::from_millis(100);

/// Starts the controller task on the current runtime.
pub fn spawn(config: ControllerConfig) -> ControllerHandle {
    spawn_with(config, None)
}

/// Starts the controller task with a connection already made (the one the
/// program opened to learn whether tor wants a password), saving a second
/// connection and authentication at start.
pub fn spawn_with(config: ControllerConfig, first: Option<Connection>) -> ControllerHandle {
    let mut initial = ControllerState::new(config.limits);
    // Said from the first frame, before the task has run.
    initial.session.connection.starting = config.starting.as_ref().map(|s| (s.progress)());
    let state = Arc::new(SharedState::new(initial, config.host.clock()));
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(run(config, first, Arc::clone(&state), rx));
    ControllerHandle {
        state,
        requests: tx,
    }
}

/// An entry of rnyx's own in the log, stamped with the update's time.
fn rnyx_log(state: &mut ControllerState, level: Runlevel, message: String) {
    let now = state.session.updated_ms;
    state.push_log(LogEntry::new(now, LogSource::Rnyx(level), message));
}

/// `write_logs_to`: every log entry appended to that file.
fn open_log_file(config: &ControllerConfig, state: &SharedState) {
    let Some(path) = &config.write_logs_to else {
        return;
    };
    match LogFile::open(path, config.utc_offset) {
        Ok(f) => state.set_log_file(f),
        Err(e) => state.update(|s| {
            rnyx_log(
                s,
                Runlevel::Warn,
                format!(
                    "cannot write the log to {} (write_logs_to): {e}",
                    path.display()
                ),
            );
        }),
    }
}

/// How a session with tor ended.
enum SessionEnd {
    Lost(String),
    Reconnect,
    Shutdown,
}

async fn run(
    config: ControllerConfig,
    mut first: Option<Connection>,
    state: Arc<SharedState>,
    mut requests: mpsc::Receiver<Asked>,
) {
    let host = &config.host;
    let info = host.process(None).pop().unwrap_or_default();
    let mut wanted = config.log_events.clone();
    open_log_file(&config, &state);
    state.update(|s| {
        s.session.connection.host = host.name();
        s.session.connection.since = s.session.updated_ms / 1000;
        s.health.settings.clone_from(&config.alerts);
        s.record_system(info);
        s.logs.logged_events.clone_from(&wanted);
    });
    // Logged after the entries prepopulated from tor's log (which are older),
    // or at once when tor cannot be reached.
    let mut startup = Startup {
        prepopulate: host.log_lines(config.prepopulate_lines),
        warnings: config.warnings.clone(),
        notices: config.notices.clone(),
        host: Some(host.clone()),
    };
    let first_startup = startup.clone();
    let mut inbox = Mailbox::new();
    let mut interp = interp::Interp::spawn(
        interp::Tor {
            targets: config.targets.clone(),
            password: config.password.clone(),
            host: host.clone(),
        },
        inbox.for_interpreter(),
    );
    let mut keeper = graphs::Keeper::new(config.history_dir.clone(), !config.history_read_only);
    let mut backoff = config.reconnect_initial;
    let began = host.clock().now_secs();
    loop {
        let attempt = match first.take() {
            Some(conn) => Ok(conn),
            None => {
                host.connect(&config.targets, config.password.as_deref())
                    .await
            }
        };
        match attempt {
            Ok(conn) => {
                backoff = config.reconnect_initial;
                if state.update(|s| host.session_start(s)) {
                    // A fresh state (a replay gone back): the first
                    // connection's work again.
                    startup = first_startup.clone();
                }
                // On the heap: a session's future holds the facts gathered
                // (16 KB), allocated once a connection.
                let end = Box::pin(session(
                    &config,
                    &state,
                    conn,
                    (&mut requests, &mut interp, &mut keeper, &mut inbox),
                    &mut wanted,
                    std::mem::take(&mut startup),
                ))
                .await;
                inbox.settle(&Response::NotConnected);
                // The graphs as they stand when tor went away (or rnyx stops).
                let unsaved = keeper.save(&state).await;
                let reason = match end {
                    SessionEnd::Shutdown => return,
                    SessionEnd::Reconnect => "reconnect requested".to_owned(),
                    SessionEnd::Lost(reason) => reason,
                };
                if let Some(progress) = config.starting_now(&state, began) {
                    state.update(|s| s.session.connection.starting = Some(progress));
                    continue;
                }
                state.update(|s| disconnected(s, reason, unsaved));
                continue;
            }
            Err(e) => {
                if let Some(progress) = config.starting_now(&state, began) {
                    // Not down: on its way. Asked again soon.
                    state.update(|s| s.session.connection.starting = Some(progress));
                    backoff = liveness::SOON;
                } else {
                    let info = host.process(None).pop().unwrap_or_default();
                    cannot_connect(&state, &e, info, &mut startup);
                }
            }
        }
        let mut comeback = Comeback::new(&config.targets, host).await;
        let waiting = (&mut requests, &mut inbox, &mut comeback);
        match wait_out(backoff, &state, waiting, &mut wanted).await {
            Waited::Out => backoff = (backoff * 2).min(host.reconnect_max(config.reconnect_max)),
            // tor's socket or port is back: tried at once, and soon again
            // (a tor just started may not have written its cookie yet).
            Waited::Back => backoff = liveness::SOON.min(config.reconnect_initial),
            Waited::Stop => return,
        }
    }
}

/// tor could not be reached: why, once (and the startup's words, which
/// waited for a connection).
fn cannot_connect(
    state: &SharedState,
    e: &crate::control::ConnectError,
    info: rnyx_model::SystemInfo,
    startup: &mut Startup,
) {
    let warnings = std::mem::take(&mut startup.warnings);
    let notices = std::mem::take(&mut startup.notices);
    let msg = e.to_string();
    let msg = msg.as_str();
    state.update(|s| {
        s.facts.system = info;
        for w in warnings {
            rnyx_log(s, Runlevel::Warn, w);
        }
        for n in notices {
            rnyx_log(s, Runlevel::Notice, n);
        }
        if s.session.connection.last_error.as_deref() != Some(msg) {
            rnyx_log(s, Runlevel::Warn, format!("cannot connect: {msg}"));
        }
        s.session.connection.last_error = Some(msg.to_owned());
        s.session.connection.failure = Some(e.failure());
        s.session.connection.starting = None;
        health::judge(s);
    });
}

/// How waiting to reconnect ended.
enum Waited {
    /// The backoff is over (or a reconnect was asked for).
    Out,
    /// tor's socket or port came back.
    Back,
    /// The UI has gone: the task ends.
    Stop,
}

/// Waits out the backoff, answering requests meanwhile, watching tor's
/// socket and port.
async fn wait_out(
    backoff: Duration,
    state: &SharedState,
    (requests, inbox, comeback): (&mut mpsc::Receiver<Asked>, &mut Mailbox, &mut Comeback),
    wanted: &mut EventSelection,
) -> Waited {
    let sleep = tokio::time::sleep(backoff);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            () = &mut sleep => return Waited::Out,
            _ = comeback.tick.tick() => {
                if comeback.changed().await {
                    return Waited::Back;
                }
            }
            Some(item) = inbox.rx.recv() => {
                delivered(state, item, None);
            }
            asked = requests.recv() => {
                let Some(Asked { request, reply }) = asked else { return Waited::Stop };
                match request {
                    Request::Session(SessionRequest::Reconnect) => return Waited::Out,
                    Request::Session(SessionRequest::WantManual) => {
                        inbox.read_manual(comeback.host());
                    }
                    // Kept for the next connection, which subscribes to it.
                    Request::Tor(TorRequest::SetEvents(events)) => {
                        *wanted = events;
                        state.update(|s| s.logs.logged_events.clone_from(wanted));
                        answer(reply, Response::Events { rejected: Vec::new() });
                    }
                    other => refuse(other, reply),
                }
            }
        }
    }
}

/// The state of a new connection: tor's facts, the target and how rnyx
/// authenticated.
fn connected(
    s: &mut ControllerState,
    facts: facts::Facts,
    target: &Target,
    method: crate::control::AuthMethod,
) {
    s.reset_for_new_connection();
    let now = s.session.updated_ms / 1000;
    apply_facts(s, facts, true, now);
    s.session.connection.connected = true;
    s.session.connection.since = now;
    s.session.connection.target = Some(target.to_string());
    s.session.connection.auth_method = Some(method.as_str().to_owned());
    s.session.connection.last_error = None;
    s.session.connection.failure = None;
    s.session.connection.starting = None;
    s.session.connection.silent_since = None;
    s.session.connection.connections += 1;
    health::judge(s);
}

/// The state once tor went away: why, and any graph history not written.
fn disconnected(s: &mut ControllerState, reason: String, unsaved: Option<String>) {
    s.session.connection.connected = false;
    s.session.connection.silent_since = None;
    s.session.connection.since = s.session.updated_ms / 1000;
    if let Some(e) = unsaved {
        rnyx_log(s, Runlevel::Warn, e);
    }
    rnyx_log(s, Runlevel::Warn, format!("tor disconnected: {reason}"));
    s.session.connection.last_error = Some(reason);
    s.session.connection.failure = Some(rnyx_model::Failure::Down);
    health::judge(s);
}

/// A connection's start: tor's facts (with the graphs kept from before),
/// the startup work, the subscription.
async fn begin(
    config: &ControllerConfig,
    state: &Arc<SharedState>,
    conn: Connection,
    keeper: &mut graphs::Keeper,
    wanted: &mut EventSelection,
    startup: Startup,
) -> Result<(Client, crate::control::EventReceiver), SessionEnd> {
    let Connection {
        client,
        events,
        target,
        method,
        ..
    } = conn;
    let mut facts = facts::gather(&client, state.now_secs(), true)
        .await
        .map_err(|e| SessionEnd::Lost(e.to_string()))?;
    if let Some(keys) = facts.health.keys.clone() {
        facts.health.cert_expires = config.host.cert(keys).await;
    }
    facts::service_files(config.host.as_ref(), &mut facts);
    let set_aside = keeper.load(&mut facts, &target, state.now_secs()).await;
    state.update(|s| {
        s.load.metrics.configured.clone_from(&config.metrics_port);
        connected(s, facts, &target, method);
        if let Some(note) = set_aside {
            rnyx_log(s, Runlevel::Warn, note);
        }
    });
    startup
        .carry_out(&client, state, wanted, config.utc_offset)
        .await;
    let extra = state.read(ControllerState::hosted_events);
    let rejected = subscribe(&client, wanted, &extra)
        .await
        .map_err(|e| SessionEnd::Lost(e.to_string()))?;
    state.update(|s| {
        s.logs.subscribed_events = subscription(wanted, &extra);
        log_rejected(s, &rejected);
    });
    Ok((client, events))
}

/// One connection's life: facts, subscription, then events and requests.
async fn session(
    config: &ControllerConfig,
    state: &Arc<SharedState>,
    conn: Connection,
    (requests, interp, keeper, inbox): (
        &mut mpsc::Receiver<Asked>,
        &mut interp::Interp,
        &mut graphs::Keeper,
        &mut Mailbox,
    ),
    wanted: &mut EventSelection,
    startup: Startup,
) -> SessionEnd {
    let (client, mut events) = match begin(config, state, conn, keeper, wanted, startup).await {
        Ok(c) => c,
        Err(end) => return end,
    };
    // Work done off the loop comes back to the inbox, so only this loop
    // writes; results of an older session are dropped there.
    let post = inbox.new_session();
    let this = inbox.session();
    let host = &config.host;
    let mut watch = ConnectionWatch::new(config.connection_rate, host.clone(), post.clone());
    let mut torrc_watch = torconfig::ConfigWatch::new(host.clone(), post.clone());
    let mut metrics = load::MetricsWatch::new(config.metrics_interval, host.clone(), post.clone());
    let pid = || state.read(|s| s.facts.relay.pid);
    torrc_watch.reload(&client, pid());
    let mut tick = tokio::time::interval(config.refresh_interval);
    tick.tick().await;
    // /proc is sampled with each BW event (tor sends one a second), in the
    // same state update, so an idle relay changes the state once a second.
    // The timer covers a tor that stops sending them.
    let mut last_apply = tokio::time::Instant::now();
    let mut gather = APPLY_INTERVAL;
    // While someone waits for the state to settle, it is looked at this
    // often (besides after everything the loop does).
    let mut settle_tick = tokio::time::interval(Duration::from_millis(20));
    let mut alive = Liveness::new();
    let mut second = tokio::time::interval(Duration::from_secs(2));
    second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            batch = events.recv() => {
                let Some(batch) = batch else {
                    let reason = client.close_reason().unwrap_or(ClientError::Closed);
                    return SessionEnd::Lost(reason.to_string());
                };
                gather_pause(last_apply, gather).await;
                let (batch, count, has_bw) = gathered(batch, &mut events);
                gather = if count >= FLOOD { FLOOD_INTERVAL } else { APPLY_INTERVAL };
                if has_bw {
                    second.reset();
                }
                let system = if has_bw { host.process(pid()) } else { Vec::new() };
                let follow = apply_events(state, batch, wanted, (system, has_bw));
                last_apply = tokio::time::Instant::now();
                if has_bw {
                    say_trouble(state, host);
                }
                if alive.flagged {
                    alive.check(&client, state);
                }
                if follow.refresh_facts {
                    refresh(client.clone(), post.clone(), state.now_secs(), host.clone());
                    torrc_watch.reload(&client, pid());
                }
                if follow.date_consensus {
                    load::date_consensus(client.clone(), post.clone());
                }
            }
            Some(item) = inbox.rx.recv() => {
                let Some(done) = delivered(state, item, Some(this)) else { continue };
                let mut parts = Parts { client: &client, watch: &mut watch, torrc: &mut torrc_watch, wanted: &mut *wanted };
                if let Err(e) = on_done(state, done, &mut parts, pid()) {
                    return SessionEnd::Lost(e);
                }
            }
            _ = watch.tick.tick() => watch.scan(state, &client),
            _ = metrics.tick.tick() => metrics.read(state),
            _ = keeper.tick.tick() => {
                if let Some(e) = keeper.save(state).await {
                    state.update(|s| rnyx_log(s, Runlevel::Warn, e));
                }
            }
            _ = tick.tick() => refresh(client.clone(), post.clone(), state.now_secs(), host.clone()),
            _ = second.tick() => {
                record_system(state, host.process(pid()));
                say_trouble(state, host);
            }
            asked = requests.recv() => {
                let Some(asked) = asked else { return SessionEnd::Shutdown };
                let torrc = state.read(|s| s.facts.config.file.clone()).and_then(|f| host.path_here(&f));
                let extra = state.read(ControllerState::hosted_events);
                let session = requests::Session { client: &client, post: &post, torrc, extra };
                if let Some(end) = on_request(config, state, asked, &session, (interp, keeper, inbox)).await {
                    return end;
                }
            }
            _ = alive.tick.tick() => {
                alive.check(&client, state);
                health::judge_if_changed(state);
            }
            _ = settle_tick.tick(), if !inbox.settling.is_empty() => {}
        }
        if host.pending() {
            take_pending(state, host, &watch, &client).await;
        }
        if !inbox.settling.is_empty() && settled(state, host.as_ref(), &events, inbox) {
            inbox.settle(&Response::Done(String::new()));
        }
    }
}

/// What went wrong with the host's own writing (a recording on a full
/// disk), in the log once.
fn say_trouble(state: &SharedState, host: &SharedHost) {
    if let Some(e) = host.trouble() {
        state.update(|s| rnyx_log(s, Runlevel::Warn, e));
    }
}

/// Re-reads the facts (and, through the host, the signing certificate) in
/// a task of its own; they arrive in the inbox.
fn refresh(client: Client, post: Post, now_secs: u64, host: SharedHost) {
    tokio::spawn(async move {
        if let Ok(mut f) = facts::gather(&client, now_secs, false).await {
            if let Some(keys) = f.health.keys.clone() {
                f.health.cert_expires = host.cert(keys).await;
            }
            facts::service_files(host.as_ref(), &mut f);
            post.send(Done::Facts(Box::new(f))).await;
        }
    });
}

/// Gathers events until `interval` after the last update, so the state (and
/// the UI waiting on it) changes at most ~200 times a second, 25 under a
/// flood; the reader keeps reading meanwhile.
async fn gather_pause(last_apply: tokio::time::Instant, interval: Duration) {
    if let Some(rest) = interval.checked_sub(last_apply.elapsed()) {
        tokio::time::sleep(rest).await;
    }
}

/// The batch read and whatever else is already queued, for one update:
/// batches that happened at the same time (always, live) joined; how many
/// events they hold, and whether a BW event is among them.
fn gathered(first: Batch, events: &mut crate::control::EventReceiver) -> (Vec<Batch>, usize, bool) {
    let mut batches = vec![first];
    while let Ok(more) = events.try_recv() {
        match batches.last_mut() {
            Some(last) if last.at == more.at => last.items.extend(more.items),
            _ => batches.push(more),
        }
    }
    let count = batches.iter().map(Batch::events).sum();
    let has_bw = batches
        .iter()
        .flat_map(|b| &b.items)
        .any(|i| matches!(i, Incoming::Event(Event::Bandwidth { .. })));
    (batches, count, has_bw)
}

/// Applies batches in one state update, each at its time (else now), with
/// the samples of tor's process given.
fn apply_events(
    state: &SharedState,
    batches: Vec<Batch>,
    logged: &EventSelection,
    (system, second): (Vec<rnyx_model::SystemInfo>, bool),
) -> apply::Followup {
    let now = state.now_ms();
    state.update(|s| {
        let mut follow = apply::Followup::default();
        for b in batches {
            let f = apply_batch(s, b.items, logged, b.at.unwrap_or(now));
            follow.refresh_facts |= f.refresh_facts;
            follow.date_consensus |= f.date_consensus;
        }
        for info in system {
            s.record_system(info);
        }
        // Once a second (with tor's BW event): the services' circuits.
        if second && !s.onions.is_empty() {
            s.onions.count(&s.net.circuits, s.session.updated_ms / 1000);
        }
        health::judge(s);
        follow
    })
}

#[cfg(test)]
mod tests;
