//! A tmux server on a socket of its own, for running the monitor in a real
//! terminal from tests and benchmarks. The server (and whatever runs in it)
//! is killed when the handle drops, even when a test fails.

use std::process::Command;

#[derive(Debug)]
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A server named after `prefix` and this process.
    pub fn new(prefix: &str) -> Tmux {
        Tmux {
            socket: format!("{prefix}-{}", std::process::id()),
        }
    }

    /// Runs a tmux command on this server; its output, trimmed.
    pub fn run(&self, args: &[&str]) -> String {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    }

    /// Starts `command` (run by the shell) in a new `width`×`height`
    /// session; returns the pane's pid.
    pub fn start(&self, session: &str, command: &str, width: u16, height: u16) -> Option<u32> {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            command,
        ]);
        self.run(&["display", "-p", "-t", session, "#{pane_pid}"])
            .parse()
            .ok()
    }

    /// What the session's pane shows.
    pub fn screen(&self, session: &str) -> String {
        self.run(&["capture-pane", "-p", "-t", session])
    }

    /// A tmux format value of the session, e.g. `#{alternate_on}`.
    pub fn display(&self, session: &str, format: &str) -> String {
        self.run(&["display", "-p", "-t", session, format])
    }

    /// Types keys (tmux key names: `m`, `Enter`, `Down`).
    pub fn keys(&self, session: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", session];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Sends bytes as typed, e.g. a terminal's mouse report: a click at
    /// 0-based `(column, row)` is `\x1b[<0;{column+1};{row+1}M` (SGR).
    pub fn literal(&self, session: &str, text: &str) {
        self.run(&["send-keys", "-t", session, "-l", text]);
    }

    /// Waits up to `secs` for the screen to satisfy `ready`; the screen.
    pub fn wait_for(&self, session: &str, secs: u64, ready: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let screen = self.screen(session);
            if ready(&screen) {
                return screen;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out after {secs} s; the screen:\n{screen}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    pub fn stop(&self, session: &str) {
        self.run(&["kill-session", "-t", session]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}
