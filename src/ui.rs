//! The UI loop: one select over terminal input, state-changed notifications,
//! effect results and timers. It drains what is pending, then draws at most
//! once, only when something changed, and at most `max_fps` times a second.
//! Generic over the ratatui backend, so tests drive it on a `TestBackend`.

pub mod terminal;

use crate::controller::ControllerHandle;
use ratatui::backend::Backend;
use ratatui::Terminal;
use rnyx_model::RelayName;
use rnyx_panels::app::{App, Effect};
use rnyx_panels::keymap::Key;
use rnyx_panels::page::{Mouse, Response, Ticket};
use std::future::Future;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// What the terminal sends the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Key(Key),
    Mouse(Mouse),
    Resize,
}

/// Counters a test or benchmark can read after the loop ends.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LoopStats {
    pub frames: u64,
    pub inputs: u64,
    pub state_changes: u64,
    /// Microseconds spent drawing frames, in all and at most for one.
    pub draw_us: u64,
    pub draw_us_max: u64,
}

impl LoopStats {
    /// One line for a benchmark: `frames 120 draw_us 3400 draw_us_max 210 …`.
    pub fn line(&self) -> String {
        format!(
            "frames {} draw_us {} draw_us_max {} inputs {} state_changes {}",
            self.frames, self.draw_us, self.draw_us_max, self.inputs, self.state_changes
        )
    }
}

/// Runs until a quit effect, the end of input, or `shutdown` completes.
pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    handle: &ControllerHandle,
    input: mpsc::Receiver<Input>,
    max_fps: u32,
    shutdown: impl Future<Output = ()>,
) -> Result<LoopStats, B::Error> {
    let fleet = [(RelayName::default(), handle.clone())];
    run_fleet(terminal, app, &fleet, input, max_fps, shutdown).await
}

/// How long after the start the code met only then is handed back
/// ([`crate::memory::page_out_code`]): the connection made, the first
/// frames drawn.
const PAGE_OUT_AFTER: Duration = Duration::from_secs(10);

/// Several relays, by name: the pages show one at a time (`Tab`, the
/// overview), the overview all of them.
pub async fn run_fleet<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    fleet: &[(RelayName, ControllerHandle)],
    mut input: mpsc::Receiver<Input>,
    max_fps: u32,
    shutdown: impl Future<Output = ()>,
) -> Result<LoopStats, B::Error> {
    tokio::pin!(shutdown);
    let mut current = 0usize;
    let mut changed = changes(fleet);
    let frame_interval = Duration::from_secs_f64(1.0 / f64::from(max_fps.max(1)));
    let (response_tx, mut responses) = mpsc::unbounded_channel::<(Ticket, Response)>();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut stats = LoopStats::default();
    let mut dirty = true;
    let mut next_frame = Instant::now();
    let mut last_draw = Instant::now();
    let mut last_link = (false, 0);
    let began_at = Instant::now();
    let mut paged_out = false;
    loop {
        let handle = &fleet[current].1;
        if app.uses_manual() {
            handle.want_manual();
        }
        if dirty && Instant::now() >= next_frame {
            show_fleet(app, fleet, current);
            let began = Instant::now();
            draw(terminal, app, handle)?;
            let took = u64::try_from(began.elapsed().as_micros()).unwrap_or(u64::MAX);
            stats.draw_us += took;
            stats.draw_us_max = stats.draw_us_max.max(took);
            stats.frames += 1;
            last_draw = Instant::now();
            dirty = false;
            next_frame = Instant::now() + frame_interval;
        }
        tokio::select! {
            () = &mut shutdown => break,
            ev = input.recv() => {
                stats.inputs += 1;
                match ev {
                    None => break,
                    Some(Input::Resize) => {
                        terminal.autoresize()?;
                        // Re-lay out at once, cap or not.
                        next_frame = Instant::now();
                    }
                    Some(Input::Key(key)) => {
                        show_fleet(app, fleet, current);
                        let view = handle.state.view();
                        let effects = app.handle_key(key, &view, handle.state.shown_secs());
                        if perform_all(effects, fleet, &mut current, &response_tx) {
                            return Ok(stats);
                        }
                        next_frame = Instant::now();
                    }
                    Some(Input::Mouse(m)) => {
                        show_fleet(app, fleet, current);
                        let view = handle.state.view();
                        let effects = app.handle_mouse(m, &view, handle.state.shown_secs());
                        if perform_all(effects, fleet, &mut current, &response_tx) {
                            return Ok(stats);
                        }
                        next_frame = Instant::now();
                    }
                }
                dirty = true;
            }
            res = changed.recv(), if !app.is_paused() => {
                if res.is_none() {
                    break;
                }
                stats.state_changes += 1;
                dirty = true;
                // A (re)connection is drawn at once, cap or not: the operator
                // waits for exactly that frame.
                let link = handle.state.read(|s| (s.session.connection.connected, s.session.connection.connections));
                if link != last_link {
                    last_link = link;
                    next_frame = Instant::now();
                }
            }
            Some((ticket, response)) = responses.recv() => {
                let view = handle.state.view();
                let effects = app.respond(ticket, response, &view, handle.state.shown_secs());
                if perform_all(effects, fleet, &mut current, &response_tx) {
                    return Ok(stats);
                }
                dirty = true;
            }
            // The clock (uptime) needs a frame only if nothing else drew one.
            _ = clock.tick() => {
                dirty |= last_draw.elapsed() >= Duration::from_millis(900);
                if !paged_out && began_at.elapsed() >= PAGE_OUT_AFTER {
                    paged_out = true;
                    crate::memory::page_out_code();
                }
            }
            () = tokio::time::sleep_until(next_frame), if dirty => {}
        }
    }
    Ok(stats)
}

fn draw<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &App,
    handle: &ControllerHandle,
) -> Result<(), B::Error> {
    let now = handle.state.shown_secs();
    // Drawn from a view: the controller task applies events meanwhile.
    let view = handle.state.view();
    terminal.draw(|frame| {
        let area = frame.area();
        app.render(&view, now, area, frame.buffer_mut());
    })?;
    Ok(())
}

/// A message whenever any relay's state changes (several changes in a row
/// give one); closed once every relay's controller is gone.
fn changes(fleet: &[(RelayName, ControllerHandle)]) -> mpsc::Receiver<()> {
    let (tx, rx) = mpsc::channel(1);
    for (_, h) in fleet {
        let mut watch = h.state.subscribe();
        let tx = tx.clone();
        tokio::spawn(async move {
            while watch.changed().await.is_ok() {
                watch.borrow_and_update();
                if tx.is_closed() {
                    return;
                }
                let _ = tx.try_send(());
            }
        });
    }
    rx
}

/// With several relays, the app learns every relay's row and which one
/// the pages show.
fn show_fleet(app: &mut App, fleet: &[(RelayName, ControllerHandle)], current: usize) {
    if fleet.len() > 1 {
        let rows = fleet
            .iter()
            .map(|(name, h)| h.state.read(|s| rnyx_model::RelayRow::of(name, s)))
            .collect();
        app.set_fleet(rows, current);
    }
}

/// Performs effects; true means quit. Requests run in tasks of their own
/// (to the relay shown); each response comes back on `responses` with its
/// ticket.
fn perform_all(
    effects: Vec<Effect>,
    fleet: &[(RelayName, ControllerHandle)],
    current: &mut usize,
    responses: &mpsc::UnboundedSender<(Ticket, Response)>,
) -> bool {
    for effect in effects {
        let handle = &fleet[*current].1;
        match effect {
            Effect::Quit => return true,
            Effect::SelectRelay(i) => *current = i.min(fleet.len() - 1),
            Effect::Reconnect => {
                let h = handle.clone();
                tokio::spawn(async move { h.reconnect().await });
            }
            Effect::Request { ticket, request } => {
                let (h, tx) = (handle.clone(), responses.clone());
                tokio::spawn(async move {
                    let response = h.ask(request).await;
                    let _ = tx.send((ticket, response));
                });
            }
        }
    }
    false
}
