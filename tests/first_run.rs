//! What an operator meets on a first run, outside the monitor itself.

mod support;

/// Without a terminal (cron, a systemd unit, `ssh host rnyx` without `-t`)
/// the monitor says so in one sentence, exit status 2, and draws nothing;
/// `--dump` and `prompt --run` are named as what works there.
#[test]
fn the_monitor_without_a_terminal_says_so_in_a_sentence() {
    for args in [
        &["--socket", "/nonexistent/control"][..],
        &["demo"],
        &["replay", "/nonexistent/recording.rnyx.gz"],
        &[
            "record",
            "/nonexistent/out.rnyx.gz",
            "--socket",
            "/nonexistent/control",
        ],
    ] {
        let out = support::rnyx()
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing drawn");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("rnyx: the monitor needs a terminal")
                && err.contains("rnyx --dump")
                && err.contains("rnyx prompt --run"),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "one sentence: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // What needs no terminal still runs: --dump says why it cannot reach tor.
    let out = support::rnyx()
        .args(["--dump", "--socket", "/nonexistent/control"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("needs a terminal"));
}

/// Every test that runs the binary gives it a home of its own: nothing of
/// the user's is read or written.
#[test]
fn the_binary_under_test_has_a_home_of_its_own() {
    let cmd = support::rnyx();
    let set: Vec<(String, String)> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?.to_owned(), v?.to_str()?.to_owned())))
        .collect();
    let tmp = std::env::temp_dir().display().to_string();
    for key in [
        "HOME",
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
    ] {
        let value = set
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| panic!("{key} not set"), |(_, v)| v.as_str());
        assert!(value.starts_with(&tmp), "{key}={value}");
        assert!(std::path::Path::new(value).is_dir(), "{key}={value}");
    }
}

/// `--dump` reads nyxrc as the monitor does: `--config` and its
/// `[[relays]]`; a broken nyxrc is said, not ignored.
#[test]
fn dump_reads_nyxrc_like_the_monitor() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("relay1").join("control");
    let nyxrc = dir.path().join("nyxrc");
    std::fs::write(
        &nyxrc,
        format!(
            "[[relays]]\nname = \"relay1\"\nsocket = \"{}\"\n",
            socket.display()
        ),
    )
    .unwrap();
    let dump = || {
        support::rnyx()
            .arg("--dump")
            .arg("--config")
            .arg(&nyxrc)
            .output()
            .unwrap()
    };
    let out = dump();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&*socket.display().to_string()), "{err}");
    std::fs::write(&nyxrc, "max_fps = 0\n").unwrap();
    let out = dump();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`max_fps = 0`: 0 is out of range"), "{err}");
}

/// A reader that has gone is a normal end for every command that prints:
/// exit 0, nothing on stderr. Each command writes into a pipe whose reader
/// is closed before it starts (every write fails), then into `head -c1`
/// in a loop, as an operator's `rnyx man | head` does.
#[test]
fn a_closed_pipe_ends_quietly() {
    let (_d, tor) = support::single_tor(rnyx::launch::SingleTorOptions::default());
    let sock = tor.socket_path().display().to_string();
    let commands: [&[&str]; 7] = [
        &["man"],
        &["completions", "bash"],
        &["--help"],
        &["--dump", "-s", &sock],
        &["--dump", "--format", "openmetrics", "-s", &sock],
        &["prompt", "-s", &sock, "--run", "GETINFO config-text"],
        &["--check", "-s", &sock],
    ];
    for args in commands {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = support::rnyx()
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
        for _ in 0..5 {
            let words: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
            let out = support::rnyx_shell(&format!(
                "set -o pipefail; {{ RNYX {} 2>&3 | head -c1 >/dev/null; }} 3>&2",
                words.join(" ")
            ));
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{args:?} | head -c1: {err}");
            assert!(err.is_empty(), "{args:?} | head -c1: {err}");
        }
    }
}
