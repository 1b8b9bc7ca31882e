//! The interactive monitor: the controller task, the terminal and the UI loop.

use crate::config::Config;
use crate::control::Connection;
use crate::controller::{spawn_with, ControllerConfig};
use crate::ui::{self, terminal};
use rnyx_model::RelayName;
use rnyx_panels::app::App;
use std::io::Write as _;

/// Runs the monitor on the real terminal until the operator quits or a
/// termination signal arrives. The terminal is restored in every case.
pub async fn run(
    task: ControllerConfig,
    first: Option<Connection>,
    config: &Config,
    starting: Option<crate::controller::Starting>,
) -> Result<(), String> {
    let controller = crate::controller::ControllerConfig { starting, ..task };
    let handle = spawn_with(controller, first);
    let fleet = [(RelayName::default(), handle)];
    watch(&fleet, App::new(settings(config)), config).await
}

/// The monitor on a recording (`rnyx replay`).
pub async fn replay(
    player: std::sync::Arc<crate::replay::Player>,
    config: &Config,
) -> Result<(), String> {
    let fleet = [(RelayName::default(), spawn_replay(player, config))];
    watch(&fleet, App::new(settings(config)), config).await
}

/// The controller task of a replay (no graph history kept).
pub fn spawn_replay(
    player: std::sync::Arc<crate::replay::Player>,
    config: &Config,
) -> crate::controller::ControllerHandle {
    let settings = crate::settings::Settings {
        config: config.clone(),
        password: None,
    };
    spawn_with(settings.replay(player), None)
}

/// Several relays (name, places to try, password; the first connection
/// where one was made), each with a
/// controller task of its own: the overview first, every other page
/// showing one relay at a time.
pub async fn run_fleet(
    relays: Vec<(RelayName, ControllerConfig)>,
    firsts: Vec<Option<Connection>>,
    config: &Config,
) -> Result<(), String> {
    let fleet: Vec<(RelayName, crate::controller::ControllerHandle)> = relays
        .into_iter()
        .zip(firsts.into_iter().chain(std::iter::repeat_with(|| None)))
        .map(|((name, task), first)| (name, spawn_with(task, first)))
        .collect();
    let mut settings = settings(config);
    settings
        .hidden_pages
        .retain(|p| *p != rnyx_panels::pages::overview::ID);
    watch(&fleet, App::new(settings), config).await
}

async fn watch(
    fleet: &[(RelayName, crate::controller::ControllerHandle)],
    mut app: App,
    config: &Config,
) -> Result<(), String> {
    // ratatui::init installs a panic hook that restores the terminal first.
    let mut term = ratatui::init();
    if config.mouse {
        // Without the mouse the terminal's own selection keeps working.
        let _ = terminal::capture_mouse();
    }
    let input = terminal::spawn_input_thread();
    let result = ui::run_fleet(
        &mut term,
        &mut app,
        fleet,
        input,
        config.max_fps,
        terminal::termination(),
    )
    .await;
    if config.mouse {
        terminal::release_mouse();
    }
    if let (Ok(stats), Some(path)) = (&result, crate::local::loop_stats_file()) {
        // For benchmarks: how many frames, how long each took to draw.
        let _ = std::fs::write(path, stats.line() + "\n");
    }
    // The terminal may be gone (ssh dropped, the window closed): then the
    // terminal is not dropped (its drop would print that it could not show
    // the cursor, and printing to a closed terminal panics), and what
    // follows still runs (the graphs kept, the demo's network torn down
    // and its directory removed).
    if ratatui::try_restore().is_err() {
        std::mem::forget(term);
    } else {
        drop(term);
    }
    // The graphs as they stand, for the next start (at most a few seconds).
    // Said on the terminal the monitor has left: a full disk, say.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(3), async {
        for (_, h) in fleet {
            if let Err(e) = h.save_history().await {
                let _ = writeln!(std::io::stderr(), "rnyx: {e}");
            }
        }
    })
    .await;
    result.map(drop).map_err(|e| format!("terminal error: {e}"))
}

/// The app's settings from nyxrc, and what the terminal can show
/// (`NO_COLOR`, a locale that is not UTF-8).
fn settings(config: &Config) -> rnyx_panels::app::AppSettings {
    let env = crate::local::TerminalEnv::here();
    let mut settings = config.app_settings();
    settings.theme.color &= env.color;
    settings.ascii = !env.unicode;
    settings
}
