//! Domain types and the one controller state shared between the controller
//! task (its only writer) and the UI (a reader).

mod bandwidth;
mod circuit;
mod log;
mod orconn;
mod relay;
mod state;

pub use bandwidth::{BandwidthHistory, BandwidthSample};
pub use circuit::{Circuit, CircuitStatus, CircuitTable, Hop};
pub use log::{LogBuffer, LogEntry, LogSource, Runlevel};
pub use orconn::{OrConnStatus, OrConnTable, OrConnection};
pub use relay::{Accounting, Listeners, RelayInfo, VersionStatus};
pub use state::{ConnectionStatus, ControllerState, Limits};
