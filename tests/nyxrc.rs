//! nyxrc fixtures: good ones parse to what they say, bad ones give the exact
//! message an operator reads; nyxrc.example parses and equals the defaults.

mod support;

use rnyx::config::Config;
use rnyx_model::Interval;
use rnyx_panels::app::GlobalAction;
use rnyx_panels::graph::Bound;
use rnyx_panels::keymap::{Bound as Binding, Key};
use rnyx_panels::pages::graph;
use std::path::{Path, PathBuf};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/nyxrc")
        .join(kind);
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn example_parses_and_equals_the_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("nyxrc.example");
    let (config, used) = Config::load(Some(&path)).unwrap();
    assert_eq!(used.as_deref(), Some(path.as_path()));
    assert_eq!(config, Config::default());
    // Every action appears in the example, in its own table.
    let text = std::fs::read_to_string(&path).unwrap();
    let table = |header: &str| -> String {
        let line = format!("\n{header}\n");
        let start = text.find(&line).unwrap_or_else(|| panic!("no {header}"));
        let rest = &text[start + line.len() - 1..];
        rest[..rest.find("\n[").unwrap_or(rest.len())].to_owned()
    };
    let mut tables = vec![("[keys]".to_owned(), rnyx_panels::app::GLOBAL_ACTIONS)];
    for (id, actions) in rnyx_panels::pages::catalog() {
        tables.push((format!("[keys.{id}]"), actions));
    }
    for (header, actions) in tables {
        let body = table(&header);
        for a in actions {
            assert!(
                body.contains(&format!("\n{} = ", a.name)),
                "nyxrc.example lacks {header} {}",
                a.name
            );
        }
    }
    assert!(text.contains("\nmouse = true\n"));
}

#[test]
fn good_fixtures_parse() {
    let good = fixtures("good");
    assert!(good.len() >= 2);
    for path in good {
        let text = std::fs::read_to_string(&path).unwrap();
        Config::parse(&text, &path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nyxrc/good/custom.toml");
    let c = Config::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    assert!(c.show_bits && !c.confirm_quit);
    assert_eq!(
        (c.graph_interval, c.graph_bound, c.graph_height, c.max_fps),
        (Interval::FifteenMinute, Bound::Tight, 12, 5)
    );
    assert!(!c.mouse);
    let on = |page, key| c.keys.action(page, key);
    assert_eq!(
        on("graph", Key::Esc),
        Some(Binding::Global(GlobalAction::Quit.id()))
    );
    assert_eq!(
        on("graph", Key::Char(' ')),
        Some(Binding::Global(GlobalAction::Pause.id()))
    );
    assert_eq!(
        on("graph", Key::Char('p')),
        None,
        "binding replaces the default key"
    );
    // [keys.graph]: the page's own binding, and the key it gave up.
    assert_eq!(
        on("graph", Key::Char('S')),
        Some(Binding::Page(graph::Action::GraphStat.id()))
    );
    assert_eq!(on("graph", Key::Char('s')), None);
    assert_eq!(
        c.keys.page_label("graph", graph::Action::LogClear.id()),
        "C/delete"
    );
}

#[test]
fn logging_options_and_unknown_events() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nyxrc/good/logging.toml");
    let c = Config::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    assert_eq!(
        c.logged_events.names(),
        ["DEBUG", "INFO", "NOTICE", "RNYX_WARN", "CIRC"]
    );
    assert_eq!(
        c.warnings,
        [format!(
            "{}, logged_events: unknown event BOGUS dropped (tor's runlevels, RNYX_<runlevel>, or events such as CIRC, BW, ORCONN)",
            path.display()
        )]
    );
    assert!(!c.deduplicate_log && !c.prepopulate_log);
    assert_eq!((c.max_log_size, c.max_line_wrap), (50_000, 3));
    let home = std::env::var("HOME").unwrap();
    assert_eq!(
        c.write_logs_to,
        Some(Path::new(&home).join("rnyx/events.log"))
    );
    let cc = rnyx::settings::task_of(&c, vec![], None);
    assert_eq!(cc.limits.log_entries, 50_000);
    assert_eq!(cc.prepopulate_lines, 0);
    assert_eq!(cc.warnings.len(), 1);
}

#[test]
fn bad_fixtures_say_what_and_where() {
    let bad = fixtures("bad");
    assert!(bad.len() >= 8);
    for path in bad {
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = std::fs::read_to_string(path.with_extension("err")).unwrap();
        let err = Config::parse(&text, &path)
            .expect_err(&path.display().to_string())
            .to_string();
        assert!(
            err.starts_with(&format!("{}, line ", path.display())),
            "{err}"
        );
        assert!(
            err.contains(expected.trim()),
            "{}:\n  got:      {err}\n  expected: …{expected}…",
            path.display()
        );
    }
}

#[test]
fn missing_explicit_file_is_an_error() {
    let e = Config::load(Some(Path::new("/nonexistent/nyxrc")))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("cannot read the configuration /nonexistent/nyxrc: "),
        "{e}"
    );
    assert!(!e.contains("os error"), "{e}");
}

#[test]
fn rnyx_does_not_start_on_a_bad_nyxrc() {
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nyxrc/bad/fps_range.toml");
    let out = support::rnyx()
        .arg("--config")
        .arg(&bad)
        .args(["--socket", "/nonexistent/control"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no TUI was drawn");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "rnyx: {}, line 1: `max_fps = 0`: 0 is out of range; use 1 to 60\n",
            bad.display()
        )
    );
}

#[test]
fn alerts_thresholds_kinds_and_command_line_overrides() {
    use rnyx_model::health::{AlertKind, Severity};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nyxrc/good/alerts.toml");
    let mut c = Config::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    let a = &c.alerts;
    assert_eq!(
        (a.thresholds.fd_warning, a.thresholds.bootstrap_after),
        (60.0, 600)
    );
    assert!(
        (a.thresholds.fd_critical - 95.0).abs() < 1e-9,
        "the rest stay the defaults"
    );
    assert!(a.off(AlertKind::BandwidthLow) && a.off(AlertKind::DirPortUnreachable));
    assert_eq!(
        a.severity(AlertKind::FlagLost, Severity::Warning),
        Some(Severity::Critical)
    );
    assert_eq!(
        a.severity(AlertKind::NotInConsensus, Severity::Critical),
        Some(Severity::Warning)
    );
    assert_eq!(
        a.severity(AlertKind::Dns, Severity::Critical),
        Some(Severity::Critical)
    );
    rnyx::config::set_alert(&mut c.alerts, "bandwidth_low=on").unwrap();
    rnyx::config::set_alert(&mut c.alerts, "fd_critical=99").unwrap();
    assert!(!c.alerts.off(AlertKind::BandwidthLow));
    assert!((c.alerts.thresholds.fd_critical - 99.0).abs() < 1e-9);
    for bad in ["fd_critical", "fd_critical=lots", "no_such=1", "dns=loud"] {
        let e = rnyx::config::set_alert(&mut c.alerts, bad).unwrap_err();
        assert!(e.starts_with(&format!("--alert {bad}: ")), "{e}");
    }
    let cc = rnyx::settings::task_of(&c, vec![], None);
    assert_eq!(cc.alerts, c.alerts);
}
