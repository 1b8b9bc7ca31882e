//! The state rnyx keeps of one tor: the one controller state shared
//! between the controller task (its only writer) and the UI (a reader),
//! its domain types, and what is wrong with the relay (`health`), as plain
//! data. Nothing here reads tor's text (that is `rnyx-grammar`'s) or does
//! I/O; `text` is what untrusted text may show.

mod bandwidth;
mod bounded;
pub mod bridge;
mod circuit;
mod connections;
mod consensus;
mod fleet;
pub mod health;
mod interp;
pub mod load;
mod log;
mod manual;
pub mod onion;
mod orconn;
mod refused;
mod relay;
mod replay;
mod selection;
mod series;
mod state;
mod stream;
mod system;
mod torconfig;

pub mod text;
mod words;

pub use bandwidth::{BandwidthHistory, BandwidthSample};
pub use circuit::{Circuit, CircuitStatus, CircuitTable, Fingerprint, Hop};
pub use compact_str::CompactString;
pub use connections::{
    Category, Classifier, Connection, Connections, Peer, Socket, SocketScan, SocketSource,
    SocketTable,
};
pub use consensus::{ConsensusIndex, RelayEntry};
pub use fleet::{keep_end, RelayName, RelayRow, NAME_WIDTH, SPARK};
pub use interp::{InterpreterEvents, INTERPRETER_EVENTS_KEPT};
pub use log::{dedup_key, LogBuffer, LogEntry, LogRun, LogSource, RawEntry, RawLog, Runlevel};
pub use manual::{Manual, ManualEntry};
pub use orconn::{OrConnStatus, OrConnTable, OrConnection};
pub use refused::{RefusedInput, REFUSED_EVERY_MS};
pub use relay::{Accounting, Listeners, RelayInfo, VersionStatus};
pub use replay::{ReplayControl, ReplayStatus};
pub use selection::{EventSelection, KNOWN_EVENTS};
pub use series::{Column, Interval, IntervalHistory, Series, SeriesHistory};
pub use state::{
    ConnectionStatus, ControllerState, Facts, Failure, Limits, Logs, Net, Session, Traffic,
};
pub use stream::{Stream, StreamTable};
pub use system::SystemInfo;
pub use torconfig::{
    data_size, display_value, entry as torrc_entry, same_values, strip_comment, OptionType,
    Overrider, TorConfig, TorOption, Torrc, TorrcFile,
};
