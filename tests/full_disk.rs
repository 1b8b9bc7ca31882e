//! rnyx on a full disk: its home on a 1 MiB tmpfs, filled before it
//! starts, in a mount namespace of the test's own (`unshare -rm`), watching
//! a real tor. Writing a recording, `write_logs_to`, the graph history, the
//! interpreter's history and a log snapshot each fail with one notice that
//! names the file; rnyx keeps running; the history files that were there
//! before are the same, byte for byte, afterwards.

mod support;

use rnyx::launch::{ControlKind, SingleTorOptions};
use std::path::{Path, PathBuf};
use support::single_tor;
use support::tmux::Tmux;

fn md5(path: &std::path::Path) -> String {
    let out = std::process::Command::new("md5sum")
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// What was written before, staged to be copied onto the disk: the
/// interpreter's history and the relay's graphs as earlier runs left them,
/// and a nyxrc with `write_logs_to` on the disk. Their checksums, and where
/// the graphs are.
fn stage_files(stage: &Path, d: &str, fp: &str) -> ((String, String), PathBuf) {
    let graphs = stage.join("state/rnyx/graphs");
    std::fs::create_dir_all(&graphs).unwrap();
    std::fs::write(stage.join("state/rnyx/history"), "GETINFO uptime\n/help\n").unwrap();
    let mut s = rnyx_grammar::model::ControllerState::default();
    for i in 0..120 {
        s.bandwidth_graph.push(f64::from(i) * 1000.0, 500.0);
    }
    let saved = rnyx::history::Saved::of(&s, fp, rnyx::local::system_ms() / 1000 - 30);
    let graph_file = rnyx::history::path(&graphs, fp);
    std::fs::write(&graph_file, serde_json::to_string(&saved).unwrap()).unwrap();
    std::fs::create_dir_all(stage.join("logs")).unwrap();
    std::fs::create_dir_all(stage.join("config")).unwrap();
    std::fs::write(
        stage.join("nyxrc"),
        format!("write_logs_to = \"{d}/logs/rnyx.log\"\n"),
    )
    .unwrap();
    let sums = (md5(&stage.join("state/rnyx/history")), md5(&graph_file));
    (sums, graph_file)
}

#[test]
fn a_full_disk_is_said_for_each_file_and_nothing_written_before_is_lost() {
    let (_d, mut tor) = single_tor(SingleTorOptions {
        control: ControlKind::Socket,
        ..Default::default()
    });
    let fp = tor.fingerprint().unwrap();
    let work = tempfile::Builder::new()
        .prefix("rnyx-full-")
        .tempdir()
        .unwrap();
    let (stage, disk) = (work.path().join("stage"), work.path().join("disk"));
    std::fs::create_dir_all(&disk).unwrap();
    let d = disk.display().to_string();
    let (before, graph_file) = stage_files(&stage, &d, &fp);
    let graph_on_disk = disk.join(graph_file.strip_prefix(&stage).unwrap());
    let script = format!(
        "set -e; mount -t tmpfs -o size=1m rnyx-full '{d}'; cp -a '{stage}/.' '{d}/'; \
         dd if=/dev/zero of='{d}/filler' bs=4k 2>/dev/null || true; \
         echo FREE $(df -k '{d}' | tail -n 1 | awk '{{print $4}}'); \
         HOME='{d}' XDG_CONFIG_HOME='{d}/config' XDG_STATE_HOME='{d}/state' \
         XDG_DATA_HOME='{d}/data' XDG_CACHE_HOME='{d}/cache' \
         '{rnyx}' record '{d}/rec.rnyx.gz' --socket '{socket}' --config '{d}/nyxrc' \
         2>'{stage}/stderr' || true; echo RNYX-EXITED; cat '{stage}/stderr'; md5sum '{d}/state/rnyx/history' '{graph}' | awk '{{print \"MD5\", $1}}'; \
         ls -l '{d}/rec.rnyx.gz'; sleep 600",
        stage = stage.display(),
        rnyx = env!("CARGO_BIN_EXE_rnyx"),
        socket = tor.socket_path().display(),
        graph = graph_on_disk.display(),
    );
    let tmux = Tmux::new("rnyx-full");
    let quoted = script.replace('\'', "'\\''");
    tmux.start("t", &format!("unshare -rm sh -c '{quoted}'"), 160, 50);
    let screen = tmux.wait_for("t", 20, |s| s.contains(&fp) && s.contains("Events ("));
    assert!(!screen.contains("RNYX-EXITED"), "{screen}");
    // The recording and write_logs_to: said in the log, once each.
    let said = |s: &str, what: &str| s.matches(what).count();
    let recording = format!("cannot write the recording {d}/rec.rnyx.gz: No space left on device");
    let log_file = format!("stopped writing the log to {d}/logs/rnyx.log: No space left on device");
    tmux.wait_for("t", 15, |s| {
        said(s, &recording) == 1 && said(s, &log_file) == 1
    });
    // A log snapshot.
    tmux.keys("t", &["a"]);
    tmux.wait_for("t", 5, |s| s.contains("Save what is shown to"));
    tmux.literal("t", &format!("{d}/snapshot.txt"));
    tmux.keys("t", &["Enter"]);
    tmux.wait_for("t", 10, |s| {
        s.contains(&format!("cannot save the log to {d}/snapshot.txt"))
            && s.contains("No space left on device")
    });
    // The interpreter's history, on page 5.
    tmux.keys("t", &["Right", "Right", "Right", "Right", "Enter"]);
    tmux.literal("t", "GETINFO version");
    tmux.keys("t", &["Enter"]);
    let page5 = tmux.wait_for("t", 10, |s| {
        s.contains(&format!(
            "cannot write the interpreter's history {d}/state/rnyx/history"
        ))
    });
    // tor's answer still came: rnyx keeps going.
    assert!(page5.contains("version="), "{page5}");
    // The graph history: written when tor goes away, and when rnyx stops.
    let graphs_said = format!(
        "cannot keep the graph history: cannot write {}",
        graph_on_disk.display()
    );
    tmux.keys("t", &["Escape"]);
    for _ in 0..4 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        tmux.keys("t", &["Left"]);
    }
    tmux.wait_for("t", 5, |s| s.contains("Events ("));
    tor.kill();
    let screen = tmux.wait_for("t", 15, |s| {
        s.contains(&graphs_said) && s.contains("tor disconnected")
    });
    assert_eq!(said(&screen, &recording), 1, "{screen}");
    // Back, and rnyx stops while connected: it writes the graphs once more.
    tor.restart().unwrap();
    tmux.wait_for("t", 15, |s| {
        s.contains(&fp) && !s.contains("Tor Disconnected")
    });
    std::thread::sleep(std::time::Duration::from_secs(1));
    tmux.keys("t", &["q", "q"]);
    let end = tmux.wait_for("t", 15, |s| {
        s.contains("RNYX-EXITED") && s.matches("MD5").count() == 2
    });
    // Stopping, rnyx tried once more, and said so on the terminal it left.
    assert!(end.contains(&format!("rnyx: {graphs_said}")), "{end}");
    let sums: Vec<&str> = end.lines().filter_map(|l| l.strip_prefix("MD5 ")).collect();
    assert_eq!(sums, [before.0.as_str(), before.1.as_str()], "{end}");
    let free: u64 = end
        .lines()
        .find_map(|l| l.strip_prefix("FREE "))
        .and_then(|f| f.trim().parse().ok())
        .unwrap_or(u64::MAX);
    assert_eq!(free, 0, "the disk was full: {end}");
}
