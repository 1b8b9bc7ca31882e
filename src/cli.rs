//! Command-line options.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Terminal monitor for tor relays.
// Each flag is an independent switch of the command line, as clap reads it.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Parser)]
#[command(name = "rnyx", version, about)]
pub struct Cli {
    /// Control port to connect to: [ADDRESS:]PORT, e.g. 9051 or [::1]:9051.
    /// Repeatable (with --socket too): each is a relay to watch.
    #[arg(short = 'i', long, global = true, value_name = "[ADDRESS:]PORT")]
    pub interface: Vec<String>,

    /// Control socket to connect to, e.g. /run/tor/control. Repeatable.
    #[arg(short = 's', long, global = true, value_name = "PATH")]
    pub socket: Vec<PathBuf>,

    /// A tor on another machine, over ssh (the system's OpenSSH, your
    /// ~/.ssh/config and agent; never asks for a password): its control
    /// socket PATH there, else tor's usual places there. Repeatable, with
    /// --socket and --interface too.
    #[arg(long, global = true, value_name = "[USER@]HOST[:PORT][/PATH]")]
    pub ssh: Vec<String>,

    /// File whose first line is the control password (HashedControlPassword).
    /// Also read from the RNYX_PASSWORD variable; else asked for when needed.
    #[arg(long, global = true, value_name = "PATH")]
    pub password_file: Option<PathBuf>,

    /// Open the monitor and wait for tor whatever keeps it from being
    /// watched at start (no such socket, a permission, the password);
    /// without it rnyx says why and exits 1 when no relay can be watched,
    /// and waits only for a tor that is down or not answering.
    #[arg(long)]
    pub wait: bool,

    /// Print the controller state as one JSON object and exit.
    #[arg(long)]
    pub dump: bool,

    /// Check the relays' health once and exit as a monitoring plugin does
    /// (Nagios, Icinga): 0 OK, 1 WARNING, 2 CRITICAL (tor down or not
    /// answering too), 3 UNKNOWN (the check itself cannot work: a path, a
    /// permission, the password).
    #[arg(long, conflicts_with = "dump")]
    pub check: bool,

    /// With --check or --dump: an alert threshold or kind, over nyxrc's
    /// [alerts]: fd_warning=70, bootstrap_after=600, flag_lost=critical,
    /// bandwidth_low=off… Repeatable.
    #[arg(long = "alert", value_name = "KEY=VALUE")]
    pub alerts: Vec<String>,

    /// With --dump: `json` (the state) or `openmetrics` (the alerts and
    /// headline figures, for Prometheus' textfile collector).
    #[arg(
        long,
        requires = "dump",
        value_name = "FORMAT",
        value_enum,
        default_value_t
    )]
    pub format: DumpFormat,

    /// With --dump: write to this file, atomically (a temporary file
    /// beside it, renamed), instead of standard output.
    #[arg(long, requires = "dump", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// With --dump: show client and exit addresses instead of `<scrubbed>`.
    #[arg(long, requires = "dump")]
    pub no_scrub: bool,

    /// With --dump: add the graphs' columns of this interval ("5 seconds",
    /// "minutely", "hourly", "daily", …), from the history kept across
    /// restarts.
    #[arg(long, requires = "dump", value_name = "INTERVAL", value_parser = parse_interval)]
    pub history: Option<rnyx_model::Interval>,

    /// With --dump: the state from this recording (`rnyx record`) instead
    /// of a tor.
    #[arg(long, requires = "dump", value_name = "FILE")]
    pub replay: Option<PathBuf>,

    /// With --replay: this many seconds into the recording (default: its
    /// end).
    #[arg(long, requires = "replay", value_name = "SECONDS")]
    pub at: Option<u64>,

    /// Events shown in the log, comma-separated: tor's runlevels (DEBUG, INFO,
    /// NOTICE, WARN, ERR), rnyx's (RNYX_NOTICE…) and others (CIRC, BW…).
    /// Overrides nyxrc's logged_events.
    #[arg(short = 'l', long = "log", global = true, value_name = "EVENTS")]
    pub log: Option<String>,

    /// nyxrc to read (default: the first of $RNYX_CONFIG, ~/.nyxrc,
    /// $XDG_CONFIG_HOME/rnyx/nyxrc, ~/.config/rnyx/nyxrc).
    #[arg(short = 'c', long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_interval(s: &str) -> Result<rnyx_model::Interval, String> {
    rnyx_model::Interval::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = rnyx_model::Interval::ALL.iter().map(|i| i.name()).collect();
        format!("expected one of: {}", names.join(", "))
    })
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// The monitor on a recording instead of a tor (`rnyx record`): events
    /// at their recorded times, commands answered from the recording.
    Replay {
        file: PathBuf,
        /// 2 plays twice as fast.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
    },
    /// The monitor, with everything read from and written to tor's control
    /// connection also written to FILE (gzip, secrets left out).
    Record {
        file: PathBuf,
        /// Stop recording past this many MB (compressed; default: nyxrc's
        /// record_max_size, 64).
        #[arg(long, value_name = "MB")]
        max_size: Option<u64>,
    },
    /// A control-port shell, as page 5 without the monitor: line editing,
    /// Tab completion, history, /help, /events, /info.
    Prompt {
        /// Run this command (or each line of this file) and exit; non-zero
        /// when tor answers an error. Repeatable.
        #[arg(long, value_name = "COMMAND|FILE")]
        run: Vec<String>,
    },
    /// Start a private tor network on this machine (its own loopback-only
    /// network namespace), drive traffic through it, and monitor its exit
    /// relay; without tor or namespaces, play the recording shipped with
    /// rnyx of such a run.
    Demo,
    /// Watch the relays without a screen (for a systemd unit): their
    /// alerts sent on nyxrc's [notify] channels (ntfy, webhook, email,
    /// exec), logged to stderr; with --listen, /metrics for Prometheus.
    /// SIGHUP reloads nyxrc.
    Watch {
        /// Serve /metrics (OpenMetrics) and /healthz on [ADDRESS:]PORT;
        /// a port alone listens on 127.0.0.1.
        #[arg(long, value_name = "[ADDRESS:]PORT")]
        listen: Option<String>,
    },
    /// Print rnyx's manual page (roff): `rnyx man | man -l -`.
    Man,
    /// Print a completion script for SHELL (bash, zsh, fish, elvish,
    /// powershell), e.g. `rnyx completions bash >
    /// ~/.local/share/bash-completion/completions/rnyx`.
    Completions { shell: clap_complete::Shell },
    /// Record the demo network's exit relay under load, without the
    /// monitor's screen (scripts/record-demo.sh makes the shipped recording).
    #[command(hide = true)]
    DemoRecord {
        file: PathBuf,
        /// How long to record once traffic flows.
        #[arg(long, default_value_t = 180)]
        seconds: u64,
        /// Stop recording past this many MB (compressed).
        #[arg(long, value_name = "MB", default_value_t = 4)]
        max_size: u64,
    },
    /// Demo helper run inside the namespace: serves a steady byte stream.
    #[command(hide = true)]
    DemoServe {
        #[arg(long)]
        port: u16,
        #[arg(long)]
        parent: u32,
        /// Send as fast as the reader takes it (benchmarks), not ~640 KB/s.
        #[arg(long)]
        unthrottled: bool,
    },
    /// Demo helper run inside the namespace: a unix socket outside it that
    /// reaches a TCP port inside (a relay's MetricsPort).
    #[command(hide = true)]
    DemoForward {
        #[arg(long)]
        unix: PathBuf,
        #[arg(long)]
        port: u16,
        #[arg(long)]
        parent: u32,
    },
    /// Demo helper run inside the namespace: downloads through tor's SocksPort.
    #[command(hide = true)]
    DemoFetch {
        #[arg(long)]
        socks: u16,
        #[arg(long)]
        port: u16,
        #[arg(long)]
        parent: u32,
        /// Download this many bytes once and exit (benchmarks); by default
        /// 4 MiB downloads repeat forever.
        #[arg(long)]
        once: Option<usize>,
        /// SOCKS5 username and password (`USER:PASS`, RFC 1929), as a
        /// client isolating its streams with IsolateSOCKSAuth sends them.
        #[arg(long)]
        socks_auth: Option<String>,
    },
}

impl Cli {
    /// The relays to watch: the command line's, else nyxrc's, else those
    /// found (`crate::relays`).
    pub async fn relays(
        &self,
        configured: &[crate::relays::RelayConfig],
    ) -> Result<Vec<crate::relays::RelaySpec>, String> {
        crate::relays::choose_all(
            (&self.interface, &self.socket, &self.ssh),
            configured,
            std::path::Path::new("/run"),
        )
        .await
    }

    /// The password from `--password-file` or `RNYX_PASSWORD`, if given.
    pub fn given_password(&self) -> Result<Option<String>, String> {
        if let Some(path) = &self.password_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the password file {}: {e}", path.display()))?;
            return Ok(Some(text.lines().next().unwrap_or("").to_owned()));
        }
        Ok(std::env::var("RNYX_PASSWORD").ok())
    }
}

/// Writes `text` to standard output. A reader that has gone (`rnyx man |
/// head`) is a normal end for a command that prints: rnyx exits 0 at once,
/// saying nothing; any other failure is said, exit 1.
pub fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("rnyx: cannot write to standard output: {e}");
            std::process::exit(1);
        }
    }
}

/// Asks for the control password without echo, when a person is there to answer.
pub fn prompt_password() -> Option<String> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password("Tor controller password: ").ok()
}

/// What `--dump` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DumpFormat {
    // The state, as JSON.
    #[default]
    Json,
    // The alerts and headline figures, for the textfile collector.
    Openmetrics,
}
