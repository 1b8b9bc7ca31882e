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
    let mut s = rnyx_model::ControllerState::default();
    for i in 0..120 {
        s.traffic.bandwidth_graph.push(f64::from(i) * 1000.0, 500.0);
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

/// Text as the screen has it, whatever rows a long line wrapped onto (a
/// longer temporary directory makes the paths wrap): no white space, no
/// row breaks, no scrollbar.
fn flat(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '█' | '║'))
        .collect()
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
    let screen = tmux.wait_for("t", 30, |s| s.contains(&fp) && s.contains("Events ("));
    assert!(!screen.contains("RNYX-EXITED"), "{screen}");
    // The recording and write_logs_to: said in the log, once each.
    let said = |s: &str, what: &str| flat(s).matches(&flat(what)).count();
    let recording = format!("cannot write the recording {d}/rec.rnyx.gz: No space left on device");
    let log_file = format!("stopped writing the log to {d}/logs/rnyx.log: No space left on device");
    tmux.wait_for("t", 30, |s| {
        said(s, &recording) == 1 && said(s, &log_file) == 1
    });
    // A log snapshot.
    tmux.keys("t", &["a"]);
    tmux.wait_for("t", 30, |s| s.contains("Save what is shown to"));
    tmux.literal("t", &format!("{d}/snapshot.txt"));
    tmux.keys("t", &["Enter"]);
    tmux.wait_for("t", 30, |s| {
        s.contains(&format!("cannot save the log to {d}/snapshot.txt"))
            && s.contains("No space left on device")
    });
    // The interpreter's history, on page 5.
    tmux.keys("t", &["Right", "Right", "Right", "Right", "Enter"]);
    tmux.literal("t", "GETINFO version");
    tmux.keys("t", &["Enter"]);
    let page5 = tmux.wait_for("t", 30, |s| {
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
    tmux.wait_for("t", 30, |s| s.contains("Events ("));
    tor.kill();
    let screen = tmux.wait_for("t", 30, |s| {
        flat(s).contains(&flat(&graphs_said)) && s.contains("tor disconnected")
    });
    assert_eq!(said(&screen, &recording), 1, "{screen}");
    // Back, and rnyx stops while connected: it writes the graphs once more.
    tor.restart().unwrap();
    tmux.wait_for("t", 30, |s| {
        s.contains(&fp) && !s.contains("Tor Disconnected")
    });
    std::thread::sleep(std::time::Duration::from_secs(1));
    tmux.keys("t", &["q", "q"]);
    let end = tmux.wait_for("t", 30, |s| {
        s.contains("RNYX-EXITED") && s.matches("MD5").count() == 2
    });
    // Stopping, rnyx tried once more, and said so on the terminal it left.
    assert!(
        flat(&end).contains(&flat(&format!("rnyx: {graphs_said}"))),
        "{end}"
    );
    let sums: Vec<&str> = end.lines().filter_map(|l| l.strip_prefix("MD5 ")).collect();
    assert_eq!(sums, [before.0.as_str(), before.1.as_str()], "{end}");
    let free: u64 = end
        .lines()
        .find_map(|l| l.strip_prefix("FREE "))
        .and_then(|f| f.trim().parse().ok())
        .unwrap_or(u64::MAX);
    assert_eq!(free, 0, "the disk was full: {end}");
}

/// SAVECONF on a full disk: tor (in the same mount namespace, its torrc on
/// the full tmpfs) refuses; the save dialog shows tor's words, rnyx keeps
/// running. tor itself renamed the torrc to `torrc.orig.1` before failing
/// to write the new one: rnyx says so, and that file is the torrc as it
/// was.
#[test]
fn saveconf_on_a_full_disk_says_tors_refusal_and_where_tor_moved_the_torrc() {
    let work = tempfile::Builder::new()
        .prefix("rnyx-full-")
        .tempdir()
        .unwrap();
    let (tor_dir, disk) = (work.path().join("tor"), work.path().join("disk"));
    std::fs::create_dir_all(tor_dir.join("data")).unwrap();
    std::fs::create_dir_all(&disk).unwrap();
    for dir in [&tor_dir, &tor_dir.join("data")] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let t = tor_dir.display();
    let torrc = format!(
        "DataDirectory {t}/data\nDisableNetwork 1\nSocksPort 0\nControlSocket {t}/control\n\
         CookieAuthentication 1\n__OwningControllerProcess {}\nLog notice file {t}/log\n\
         ContactInfo before the disk filled\n",
        std::process::id()
    );
    std::fs::write(tor_dir.join("torrc"), &torrc).unwrap();
    let before = md5(&tor_dir.join("torrc"));
    let d = disk.display();
    let home = work.path().join("home");
    let script = format!(
        "set -e; mount -t tmpfs -o size=1m rnyx-full '{d}'; cp '{t}/torrc' '{d}/torrc'; \
         tor -f '{d}/torrc' --defaults-torrc /dev/null >/dev/null 2>&1 & echo TORPID $!; \
         while [ ! -S '{t}/control' ]; do sleep 0.1; done; \
         dd if=/dev/zero of='{d}/filler' bs=4k 2>/dev/null || true; \
         HOME='{h}' XDG_CONFIG_HOME='{h}' XDG_STATE_HOME='{h}' XDG_DATA_HOME='{h}' XDG_CACHE_HOME='{h}' \
         '{rnyx}' --socket '{t}/control' || true; echo RNYX-EXITED; \
         md5sum '{d}/torrc.orig.1' | awk '{{print \"MD5\", $1}}'; sleep 600",
        h = home.display(),
        rnyx = env!("CARGO_BIN_EXE_rnyx"),
    );
    let tmux = Tmux::new("rnyx-saveconf");
    let quoted = script.replace('\'', "'\\''");
    tmux.start("t", &format!("unshare -rm sh -c '{quoted}'"), 160, 50);
    let screen = tmux.wait_for("t", 30, |s| s.contains("Events ("));
    let tor_pid: Option<u32> = screen
        .lines()
        .find_map(|l| l.strip_prefix("TORPID "))
        .and_then(|p| p.trim().parse().ok());
    // Page 3, `w`, yes.
    tmux.keys("t", &["Right", "Right"]);
    tmux.wait_for("t", 30, |s| s.contains("Tor Configuration"));
    tmux.keys("t", &["w"]);
    tmux.wait_for("t", 30, |s| {
        s.contains("ContactInfo before the disk filled")
    });
    tmux.keys("t", &["y"]);
    let refused = tmux.wait_for("t", 30, |s| s.contains("tor refused SAVECONF"));
    assert!(
        refused.contains("551 Unable to write configuration to disk"),
        "{refused}"
    );
    // tor renames the torrc aside before it writes: said, with where.
    let moved = format!("tor moved the torrc to {d}/torrc.orig.1 first: move it back");
    tmux.wait_for("t", 30, |s| s.contains(&moved));
    tmux.keys("t", &["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    tmux.keys("t", &["Left", "Left"]);
    tmux.wait_for("t", 30, |s| s.contains("Events ("));
    tmux.keys("t", &["q", "q"]);
    let end = tmux.wait_for("t", 30, |s| s.contains("MD5 "));
    if let Some(pid) = tor_pid {
        let _ = std::process::Command::new("kill")
            .arg(pid.to_string())
            .status();
    }
    let after = end
        .lines()
        .find_map(|l| l.strip_prefix("MD5 "))
        .unwrap_or_default();
    assert_eq!(after.trim(), before, "{end}");
}
