use serde::{Deserialize, Serialize};

/// What the operating system says about the machine, tor and rnyx, sampled
/// once a second from `/proc` by the I/O side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SystemInfo {
    pub hostname: String,
    /// e.g. `Linux`.
    pub os: String,
    /// e.g. `6.1.0-18-amd64`.
    pub kernel: String,
    /// Percent of one core over the last sample period.
    pub tor_cpu: Option<f64>,
    pub rnyx_cpu: Option<f64>,
    pub tor_memory: Option<u64>,
    pub memory_total: Option<u64>,
    pub tor_fds: Option<u64>,
    pub tor_fd_limit: Option<u64>,
    /// Connections tor accepted (to its ORPort/DirPort) and made.
    pub inbound: Option<u64>,
    pub outbound: Option<u64>,
    /// Why tor's process could not be read from where rnyx runs (another
    /// pid namespace, another machine seen only through its control port):
    /// its CPU, memory and descriptors are then unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unseen: Option<String>,
}
