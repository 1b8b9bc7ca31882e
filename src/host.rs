//! The host: where a relay's controller task meets tor's machine — the
//! clock, connecting to tor's control port, and what is read of tor's
//! machine besides (its process, its sockets, its torrc, its signing
//! certificate, its log file). One trait, [`Host`]; the task is given one
//! and never asks which:
//!
//! - [`Local`]: this machine, through `/proc` and sock_diag; what it cannot
//!   see (tor's process in another pid namespace, another user's tor)
//!   falls back, capability by capability, to what the control port tells.
//! - [`ControlOnly`]: nothing but the control port (a tor in a container
//!   reached through its socket or a published port).
//! - [`Recording`]: any host, every answer also written to a recording.
//! - [`Replay`]: a recording played back, answering at the recorded times.

mod control_only;
mod files;
mod local;
pub mod metrics;
mod recording;
mod replay;
mod ssh;

pub use control_only::ControlOnly;
pub use local::Local;
pub use recording::Recording;
pub use replay::Replay;
pub use ssh::{runtime_dir, Ssh, SshSpec};

use crate::control::target::ControlStream;
use crate::control::{Client, ConnectError, Connection, Target};
use crate::procfs::sockets::Ports;
use rnyx_model::{ControllerState, ReplayControl, SocketScan, SystemInfo, Torrc};
use std::path::PathBuf;
use std::sync::Arc;

pub use crate::local::system_ms;
pub use crate::record::{Entries, TorLog};

/// The host a relay's task is given.
pub type SharedHost = Arc<dyn Host>;

/// What a control stream is passed through before use.
pub type Wrap = Arc<dyn Fn(Box<dyn ControlStream>) -> Box<dyn ControlStream> + Send + Sync>;

/// Connects to `targets` on this machine's network, through `wrap`.
pub(crate) async fn connect_here(
    targets: &[Target],
    password: Option<&str>,
    wrap: Option<Wrap>,
) -> Result<Connection, ConnectError> {
    crate::control::target::connect_through(targets, password, |s| match &wrap {
        Some(w) => w(s),
        None => s,
    })
    .await
}

/// A scan of tor's sockets, or why there is none.
pub type Scanned = Result<SocketScan, String>;

/// A scan and when it was made (unix s; `None`: now).
pub type TimedScan = (Option<u64>, Scanned);

/// The time a relay's task and screen go by: this machine's, or a
/// replay's.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    #[default]
    System,
    Replay(Arc<crate::replay::Clock>),
}

impl Clock {
    /// Unix milliseconds now: in a replay, when what the monitor was last
    /// given happened.
    pub fn now_ms(&self) -> u64 {
        match self {
            Clock::System => system_ms(),
            Clock::Replay(c) => c.now_ms(),
        }
    }

    pub fn now_secs(&self) -> u64 {
        self.now_ms() / 1000
    }

    /// Unix seconds the screen shows: in a replay, where its clock is (it
    /// runs on between the things played).
    pub fn shown_secs(&self) -> u64 {
        match self {
            Clock::System => self.now_secs(),
            Clock::Replay(c) => c.position_ms() / 1000,
        }
    }
}

/// Why a replay request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotReplay;

/// What a socket scan is asked with: tor's pid and ports, and its control
/// connection (for a host that asks tor rather than the kernel).
#[derive(Debug, Clone)]
pub struct SocketAsk {
    pub pid: Option<u32>,
    pub ports: Ports,
    pub client: Client,
}

/// What a target looked like: a socket file (device, inode, and the time
/// it changed: an inode number can be given again at once to the next
/// file made), or a port that accepts connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    File(u64, u64, i64, i64),
    Open,
}

/// tor's machine, as a relay's task reaches it.
#[async_trait::async_trait]
pub trait Host: Send + Sync + std::fmt::Debug {
    /// The machine's name for the overview and the header; `None` for
    /// this one.
    fn name(&self) -> Option<String> {
        None
    }

    /// The time this host goes by.
    fn clock(&self) -> Clock {
        Clock::System
    }

    /// A new connection to tor, for rnyx's own session (a replay's: its
    /// events from the start).
    async fn connect(
        &self,
        targets: &[Target],
        password: Option<&str>,
    ) -> Result<Connection, ConnectError> {
        self.connect_wrapped(targets, password, None).await
    }

    /// [`Host::connect`], the stream passed through `wrap` before anything
    /// is sent (a recording's tap sees all of it); on this machine's
    /// network unless the host says otherwise.
    async fn connect_wrapped(
        &self,
        targets: &[Target],
        password: Option<&str>,
        wrap: Option<Wrap>,
    ) -> Result<Connection, ConnectError> {
        connect_here(targets, password, wrap).await
    }

    /// A connection for the interpreter: never recorded; in a replay, one
    /// that gets answers and no events.
    async fn connect_interpreter(
        &self,
        targets: &[Target],
        password: Option<&str>,
    ) -> Result<Connection, ConnectError> {
        self.connect(targets, password).await
    }

    /// Samples of tor's process (CPU, memory, descriptors) and rnyx's:
    /// one taken now, or — where samples come on the host's own time (a
    /// replay) — those due since the last ask, perhaps none. A sample's
    /// `unseen` says why tor's process could not be read.
    fn process(&self, pid: Option<u32>) -> Vec<SystemInfo>;

    /// Scans of tor's sockets: one made now, or those due since the last
    /// ask.
    async fn sockets(&self, ask: SocketAsk) -> Vec<TimedScan>;

    /// tor's torrc at `path` (as tor gave it) with its `%include`s and
    /// tor's command line; `None`: nothing new to say (a replay between
    /// the torrc's readings).
    async fn torrc(&self, path: Option<String>, pid: Option<u32>, now: u64) -> Option<Torrc>;

    /// The expiry (unix s) of tor's signing certificate under `keys` (tor's
    /// `DataDirectory/keys`), where it can be read.
    async fn cert(&self, keys: PathBuf) -> Option<u64>;

    /// How many lines of tor's log file to read at the start, of the
    /// `wanted` (nyxrc's `prepopulate_read_limit`): a replay's are what it
    /// holds, whatever the replay's own settings.
    fn log_lines(&self, wanted: usize) -> usize {
        wanted
    }

    /// The last `max_lines` lines of tor's log file at `path` (as tor gave
    /// it).
    async fn tor_log(&self, path: String, pid: Option<u32>, max_lines: usize) -> TorLog;

    /// tor's manual, for the configuration editor: on tor's machine where
    /// it is installed there, else this machine's, else rnyx's copy.
    async fn manual(&self) -> rnyx_model::Manual {
        tokio::task::spawn_blocking(crate::manual::load)
            .await
            .unwrap_or_else(|_| crate::manual::embedded())
    }

    /// tor's MetricsPort at `at` (`HOST:PORT` or `unix:PATH`, as tor's
    /// machine reaches it): a reading made now, or — where readings come
    /// on the host's own time (a replay) — those due since the last ask.
    async fn metrics(&self, at: &str) -> Vec<metrics::Metered> {
        vec![(None, metrics::fetch(at).await)]
    }

    /// How a target looks now, to notice tor coming back; `None` where it
    /// cannot be looked at from here.
    async fn look(&self, _target: &Target) -> Option<Seen> {
        None
    }

    /// The programs tor runs (its children: a pluggable transport), each
    /// with its pid; `None` where the host cannot see them.
    fn children(&self, _pid: u32) -> Option<Vec<(String, u32)>> {
        None
    }

    /// Where a path of tor's (its torrc) is on this machine, when it is
    /// here to be opened.
    fn path_here(&self, _path: &str) -> Option<PathBuf> {
        None
    }

    /// The longest wait between attempts to reconnect, of the `configured`:
    /// a host that cannot be watched for tor's return (a socket that comes
    /// back) is tried more often.
    fn reconnect_max(&self, configured: std::time::Duration) -> std::time::Duration {
        configured
    }

    /// Whether readings due on the host's own time wait to be asked for.
    fn pending(&self) -> bool {
        false
    }

    /// Whether everything due by the host's clock has been given to the
    /// task (a replay's position); `None` where tor goes on (a live tor's
    /// events come as they come).
    fn caught_up(&self) -> Option<bool> {
        None
    }

    /// What went wrong with what the host writes (a recording on a full
    /// disk), once.
    fn trouble(&self) -> Option<String> {
        None
    }

    /// A new session's state: a replay starts from a fresh state (true:
    /// the first connection's work is done again); live, the state goes on.
    fn session_start(&self, _s: &mut ControllerState) -> bool {
        false
    }

    /// Pauses, seeks or changes the speed of a replay, and says so in the
    /// state. `Ok(true)` when it went back (the session starts again).
    fn control(&self, _s: &mut ControllerState, _c: ReplayControl) -> Result<bool, NotReplay> {
        Err(NotReplay)
    }
}

/// This machine's tor; `chroot`: nyxrc's `tor_chroot`.
pub fn local(chroot: Option<PathBuf>) -> SharedHost {
    Arc::new(Local::new(chroot))
}

/// `inner`, everything read also written to `recorder`.
pub fn recording(inner: SharedHost, recorder: crate::record::Recorder) -> SharedHost {
    Arc::new(Recording::new(inner, recorder))
}

/// A recording's stand-in for tor, on the recording's clock.
pub fn replay(player: Arc<crate::replay::Player>) -> SharedHost {
    Arc::new(Replay::new(player))
}
