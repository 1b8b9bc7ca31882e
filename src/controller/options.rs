//! What a controller task is started with: its tor, its host, and what it
//! takes from nyxrc.

use crate::control::Target;
use crate::host::SharedHost;
use rnyx_model::{EventSelection, Limits};
use std::path::PathBuf;
use std::time::Duration;

/// How the controller task finds and watches tor.
#[derive(Debug, Clone)]
pub struct ControllerConfig {
    pub targets: Vec<Target>,
    pub password: Option<String>,
    /// Events shown in the log.
    pub log_events: EventSelection,
    pub limits: Limits,
    pub reconnect_initial: Duration,
    pub reconnect_max: Duration,
    /// How often traffic totals and accounting are re-read from tor.
    pub refresh_interval: Duration,
    /// Append every log entry to this file.
    pub write_logs_to: Option<PathBuf>,
    /// Lines of tor's own log file read at the first connection (0: none).
    pub prepopulate_lines: usize,
    /// Shown in the log at start (e.g. unknown event names dropped).
    pub warnings: Vec<String>,
    /// Shown in the log at start as rnyx's NOTICEs.
    pub notices: Vec<String>,
    /// Seconds east of UTC: tor's log file is in local time.
    pub utc_offset: i32,
    /// How often tor's connections are read from `/proc`.
    pub connection_rate: Duration,
    /// Where tor's MetricsPort is read (`HOST:PORT`, `unix:PATH`), instead
    /// of where tor says (`GETCONF MetricsPort`).
    pub metrics_port: Option<String>,
    /// How often tor's MetricsPort is read.
    pub metrics_interval: Duration,
    /// Where graph history is kept across restarts (`None`: not kept).
    pub history_dir: Option<PathBuf>,
    /// The kept graphs are read, never written or set aside (`--dump`).
    pub history_read_only: bool,
    /// tor's machine, as the task reaches it: this one, one seen only
    /// through the control port, either recorded (`rnyx record`), or a
    /// recording played back (`rnyx replay`). See [`crate::host`].
    pub host: SharedHost,
    /// nyxrc's `[alerts]`: thresholds, and kinds changed or off.
    pub alerts: rnyx_model::health::AlertSettings,
    /// What is starting tor (the demo's network), said instead of
    /// "disconnected" until tor first answers.
    pub starting: Option<Starting>,
}

/// Something starting tor, for a while: until tor first answers (or
/// `within` has passed), the screen says `progress()` rather than that
/// tor is down, and no alert is raised.
#[derive(Clone)]
pub struct Starting {
    pub within: Duration,
    pub progress: std::sync::Arc<dyn Fn() -> String + Send + Sync>,
}

impl ControllerConfig {
    /// What is starting tor, while it is: before the first connection
    /// (`state` has none) and within its time since `began` (unix s).
    pub(super) fn starting_now(&self, state: &super::SharedState, began: u64) -> Option<String> {
        let starting = self.starting.as_ref()?;
        let never = state.read(|s| s.session.connection.connections == 0);
        let waited = self.host.clock().now_secs().saturating_sub(began);
        (never && waited < starting.within.as_secs()).then(|| (starting.progress)())
    }
}

impl std::fmt::Debug for Starting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Starting")
            .field("within", &self.within)
            .finish_non_exhaustive()
    }
}

impl ControllerConfig {
    /// How long the task waits before its first reconnection, and at most.
    pub const RECONNECT_INITIAL: Duration = Duration::from_millis(500);
    pub const RECONNECT_MAX: Duration = Duration::from_secs(10);
    /// How often traffic totals and accounting are read again.
    pub const REFRESH_INTERVAL: Duration = Duration::from_secs(30);
    /// How often tor's MetricsPort is read unless nyxrc says.
    pub const METRICS_INTERVAL: Duration = Duration::from_secs(5);
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            targets: Target::defaults(),
            password: None,
            log_events: EventSelection::default(),
            limits: Limits::default(),
            reconnect_initial: Self::RECONNECT_INITIAL,
            reconnect_max: Self::RECONNECT_MAX,
            refresh_interval: Self::REFRESH_INTERVAL,
            write_logs_to: None,
            prepopulate_lines: 0,
            warnings: Vec::new(),
            notices: Vec::new(),
            utc_offset: crate::local::utc_offset(),
            starting: None,
            connection_rate: Duration::from_secs(5),
            metrics_port: None,
            metrics_interval: Self::METRICS_INTERVAL,
            history_dir: None,
            history_read_only: false,
            host: crate::host::local(None),
            alerts: rnyx_model::health::AlertSettings::default(),
        }
    }
}
