//! The fuzz targets' way (`fuzz/`) into parsers that are not public: what
//! the kernel, tor's files and rnyx's own files give it. Not an API.

use crate::procfs;

pub mod targets;

/// A socket read: local and remote address, inode.
pub type Socket = (std::net::SocketAddr, std::net::SocketAddr, u64);

/// What the `/proc` readers made of one text read as each of the files.
#[derive(Debug, Default)]
pub struct ProcRead {
    /// `stat`: utime + stime.
    pub ticks: Option<u64>,
    /// `status`: VmRSS in bytes, and the owner.
    pub rss: Option<u64>,
    pub uid: Option<String>,
    /// `limits`: the soft limit of open files.
    pub fds: Option<u64>,
    /// `meminfo`: MemTotal in bytes.
    pub memory: Option<u64>,
    /// `net/tcp` and `net/tcp6`: each row read.
    pub rows: Vec<Socket>,
}

/// `text` as every `/proc` file rnyx reads.
pub fn proc_files(text: &str) -> ProcRead {
    ProcRead {
        ticks: procfs::stat_ticks(text),
        rss: procfs::kb_field(text, "VmRSS:"),
        uid: procfs::field(text, "Uid:").map(str::to_owned),
        fds: procfs::limits_fds(text),
        memory: procfs::kb_field(text, "MemTotal:"),
        rows: text
            .lines()
            .filter_map(procfs::sockets::parse_row)
            .map(|r| (r.local, r.remote, r.inode))
            .collect(),
    }
}

/// A sock_diag answer: the sockets (local, remote, inode) and whether it
/// was the last answer; why not, for a malformed one.
pub fn sock_diag(answer: &[u8], sequence: u32) -> Result<(Vec<Socket>, bool), String> {
    let (rows, done) = procfs::read_answer(answer, sequence)?;
    Ok((
        rows.into_iter()
            .map(|r| (r.local, r.remote, r.inode))
            .collect(),
        done,
    ))
}

/// A `HiddenServicePort` value's target.
pub fn hidden_port(value: &str) -> Option<std::net::SocketAddr> {
    rnyx_grammar::torrc::hidden_service_target(value)
}

/// The observed bandwidth of a server descriptor (`desc/id/…`).
pub fn descriptor_observed(desc: &str) -> Option<u64> {
    rnyx_grammar::getinfo::descriptor_observed(desc)
}

/// A recorded line as the fast path reads it, and as serde does; the fast
/// path must agree wherever it reads one.
pub fn recorded_line(text: &str) -> (Option<crate::record::Line>, Option<crate::record::Line>) {
    (
        crate::record::parse_line(text),
        serde_json::from_str(text).ok(),
    )
}

/// A recording's text (decompressed) read as `rnyx replay` reads a file,
/// then made the replay's script, which answers a few commands.
pub fn recording(text: &[u8]) -> Result<usize, String> {
    let recording = crate::record::parse_text("fuzz.rnyx.gz", text)?;
    let script = crate::replay::Script::of(recording.lines);
    let mut answered = 0;
    for command in ["GETINFO version", "PROTOCOLINFO 1", "GETCONF ORPort"] {
        for at in [0, 1_000, u64::MAX] {
            answered += usize::from(script.answer(command, at).is_some());
        }
    }
    Ok(answered)
}
