//! The terminal rnyx is given: `NO_COLOR`, a locale that is not UTF-8,
//! `TERM=dumb`, and resize storms in a real terminal (tmux), on the demo's
//! recording (no tor needed).

mod support;

use support::tmux::Tmux;

/// What the environment of the tests may set that these tests set
/// themselves.
const UNSET: &str = "LC_ALL= LC_CTYPE= NO_COLOR=";

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo.rnyx.gz");

/// rnyx replaying the demo in tmux with `env` set; the screen once drawn.
fn replay_in(tmux: &Tmux, session: &str, env: &str) -> String {
    let cmd = format!(
        "{} {env} {} replay {DEMO}; echo RNYX-EXITED $?; sleep 600",
        support::home_prefix(),
        env!("CARGO_BIN_EXE_rnyx"),
    );
    tmux.start(session, &cmd, 100, 30);
    tmux.wait_for(session, 30, |s| {
        s.contains("Events (") && s.contains("replay of")
    })
}

#[test]
fn no_color_and_a_locale_that_is_not_utf8_are_respected() {
    let tmux = Tmux::new("rnyx-term");
    let styled = |s: &str| tmux.run(&["capture-pane", "-p", "-e", "-t", s]);
    // Colours: an SGR colour (30–37, 90–97, 38;…) is drawn unless NO_COLOR.
    replay_in(&tmux, "colour", &format!("{UNSET} LANG=C.UTF-8"));
    let colour = styled("colour");
    let has_colour = |text: &str| {
        text.split("\u{1b}[").skip(1).any(|sgr| {
            let params = sgr.split('m').next().unwrap_or("");
            params
                .split(';')
                .any(|p| matches!(p.parse::<u32>(), Ok(30..=38 | 90..=97)))
        })
    };
    assert!(has_colour(&colour), "colours expected:\n{colour}");
    // The graph's bars, once the recording's traffic is drawn.
    let bars = |s: &str, drawn: &[char]| {
        s.lines()
            .any(|l| l.trim_start().starts_with("0 B/s") && l.contains(|c| drawn.contains(&c)))
    };
    let unicode = tmux.wait_for("colour", 30, |s| bars(s, &['▁', '▂', '▃', '▄', '█']));
    assert!(!unicode.is_ascii(), "{unicode}");
    replay_in(&tmux, "plain", "LC_ALL= LC_CTYPE= NO_COLOR=1 LANG=C.UTF-8");
    let plain = styled("plain");
    assert!(!has_colour(&plain), "no colour expected:\n{plain}");
    // LANG=C: the same screen in ASCII (bars, lines and marks replaced).
    replay_in(&tmux, "ascii", &format!("{UNSET} LANG=C"));
    let ascii = tmux.wait_for("ascii", 30, |s| bars(s, &['_', '=', '#']));
    assert!(ascii.is_ascii(), "{ascii}");
    assert!(ascii.contains("Events ("), "{ascii}");
    tmux.keys("ascii", &["q", "q"]);
    tmux.wait_for("ascii", 30, |s| s.contains("RNYX-EXITED 0"));
}

#[test]
fn term_dumb_is_refused_with_a_sentence() {
    let out = support::rnyx()
        .args(["replay", DEMO])
        .env("TERM", "dumb")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("rnyx: TERM=dumb cannot place the cursor") && err.contains("rnyx --dump"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // What needs no terminal still works.
    let out = support::rnyx()
        .args(["--dump", "--replay", DEMO, "--at", "20"])
        .env("TERM", "dumb")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"fingerprint\""));
}

/// The terminal resized 200 times in a row while keys are typed (every page
/// in turn): rnyx stays up, and draws the last size.
#[test]
fn a_resize_storm_in_a_real_terminal() {
    let tmux = Tmux::new("rnyx-storm");
    replay_in(&tmux, "t", &format!("{UNSET} LANG=C.UTF-8"));
    let mut x: u32 = 0x9e37_79b9;
    for i in 0..200 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let (w, h) = (x % 200 + 1, (x >> 8) % 60 + 1);
        tmux.run(&[
            "resize-window",
            "-t",
            "t",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
        if i % 10 == 0 {
            tmux.keys("t", &["Right"]);
        }
    }
    tmux.run(&["resize-window", "-t", "t", "-x", "90", "-y", "25"]);
    let screen = tmux.wait_for("t", 30, |s| s.contains("page ") && s.lines().count() >= 20);
    assert!(!screen.contains("RNYX-EXITED"), "{screen}");
    let widest = screen.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 90, "{screen}");
    tmux.keys("t", &["q", "q"]);
    tmux.wait_for("t", 30, |s| s.contains("RNYX-EXITED 0"));
}
