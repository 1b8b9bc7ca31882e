//! The Prometheus rules shipped in docs/prometheus: one rule an alert kind
//! (its runbook the monitor's advice), and rules on rnyx_up, a relay that
//! left the consensus and a falling weight. Both files are made here from
//! the alert kinds (`RNYX_BLESS=1` writes them), so they cannot drift from
//! what rnyx judges; `promtool check rules` and `promtool test rules` (a
//! test per rule) pass on them.

use rnyx_model::health::RULES;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/prometheus")
}

/// A YAML double-quoted string.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `tor_down` → `RnyxTorDown`.
fn alert_name(kind: &str) -> String {
    let mut name = "Rnyx".to_owned();
    for word in kind.split('_') {
        let mut c = word.chars();
        if let Some(first) = c.next() {
            name.push(first.to_ascii_uppercase());
            name.push_str(c.as_str());
        }
    }
    name
}

/// A rule on rnyx's own series.
struct Extra {
    alert: &'static str,
    expr: &'static str,
    for_: &'static str,
    severity: &'static str,
    summary: &'static str,
    runbook: &'static str,
}

const UNWATCHED: Extra = Extra {
    alert: "RnyxTorUnwatched",
    expr: "rnyx_up == 0",
    for_: "1m",
    severity: "critical",
    summary: "{{ $labels.relay }}: rnyx cannot watch its tor",
    runbook: "the relay's rnyx_alert series say why (tor_down, not_answering, control_path, control_permission, control_auth); rnyx watch's log (journalctl -u rnyx-watch) has the error",
};

const LEFT: Extra = Extra {
    alert: "RnyxLeftConsensus",
    expr: "rnyx_in_consensus == 0 and on (relay) max_over_time(rnyx_in_consensus[1d]) == 1",
    for_: "0m",
    severity: "critical",
    summary: "{{ $labels.relay }}: listed in the consensus within a day, not now",
    runbook: "check that tor has run and been reachable for a few hours; see Relay Search and tor's log for reachability",
};

const WEIGHT: Extra = Extra {
    alert: "RnyxWeightFalling",
    expr: "rnyx_consensus_weight < 0.5 * max_over_time(rnyx_consensus_weight[1d])",
    for_: "0m",
    severity: "warning",
    summary: "{{ $labels.relay }}: consensus weight {{ $value }}, under half its highest within a day",
    runbook: "check flags, reachability and restarts around the fall; the bandwidth authorities measure again over hours",
};

const EXTRAS: [Extra; 3] = [UNWATCHED, LEFT, WEIGHT];

/// The rules file.
fn rules() -> String {
    let mut out = String::from(
        "# Prometheus alerting rules for rnyx's metrics: `rnyx watch --listen`\n\
         # (scraped) or `rnyx --dump --format openmetrics` (the textfile\n\
         # collector). Add this file to `rule_files:`. One rule an alert kind\n\
         # rnyx judges (its severity from the gauge: 1 warning, 2 critical; its\n\
         # runbook the monitor's advice), and three on rnyx's own series.\n\
         # Made by tests/prometheus.rs from rnyx's alert kinds: edit there.\n\
         groups:\n  - name: rnyx\n    rules:\n",
    );
    for e in EXTRAS {
        let _ = write!(
            out,
            "      - alert: {}\n        expr: {}\n        for: {}\n        labels:\n          severity: {}\n        annotations:\n          summary: {}\n          runbook: {}\n",
            e.alert,
            quoted(e.expr),
            e.for_,
            e.severity,
            quoted(e.summary),
            quoted(e.runbook)
        );
    }
    for r in RULES {
        let _ = write!(
            out,
            "      - alert: {}\n        expr: {}\n        labels:\n          severity: {}\n        annotations:\n          summary: {}\n          runbook: {}\n",
            alert_name(r.name),
            quoted(&format!("rnyx_alert{{kind=\"{}\"}} > 0", r.name)),
            quoted("{{ if eq $value 2.0 }}critical{{ else }}warning{{ end }}"),
            quoted(&format!("{{{{ $labels.relay }}}}: {}", r.title)),
            quoted(r.advice)
        );
    }
    out
}

/// The test of an extra rule: its input and when it fires.
fn extra_test(e: &Extra) -> String {
    let (series, fires_at, labels, summary) = match e.alert {
        "RnyxTorUnwatched" => (
            "      - series: 'rnyx_up{relay=\"relay1\"}'\n        values: '1 0 0 0'\n".to_owned(),
            "3m",
            "relay: relay1",
            "relay1: rnyx cannot watch its tor".to_owned(),
        ),
        "RnyxLeftConsensus" => (
            "      - series: 'rnyx_in_consensus{relay=\"relay1\"}'\n        values: '1 1 0 0'\n".to_owned(),
            "2m",
            "relay: relay1",
            "relay1: listed in the consensus within a day, not now".to_owned(),
        ),
        _ => (
            "      - series: 'rnyx_consensus_weight{relay=\"relay1\"}'\n        values: '9000 9000 4000 4000'\n".to_owned(),
            "2m",
            "relay: relay1",
            "relay1: consensus weight 4000, under half its highest within a day".to_owned(),
        ),
    };
    format!(
        "  - name: {alert}\n    interval: 1m\n    input_series:\n{series}    alert_rule_test:\n      - eval_time: 1m\n        alertname: {alert}\n        exp_alerts: []\n      - eval_time: {fires_at}\n        alertname: {alert}\n        exp_alerts:\n          - exp_labels:\n              severity: {severity}\n              {labels}\n            exp_annotations:\n              summary: {summary}\n              runbook: {runbook}\n",
        alert = e.alert,
        severity = e.severity,
        summary = quoted(&summary),
        runbook = quoted(e.runbook),
    )
}

/// The tests file: a test a rule.
fn rule_tests() -> String {
    let mut out = String::from(
        "# promtool test rules docs/prometheus/rnyx-rules.test.yml: a test a\n\
         # rule of rnyx-rules.yml. Made by tests/prometheus.rs: edit there.\n\
         rule_files:\n  - rnyx-rules.yml\nevaluation_interval: 1m\ntests:\n",
    );
    for e in &EXTRAS {
        out.push_str(&extra_test(e));
    }
    for (i, r) in RULES.iter().enumerate() {
        // Warnings and criticals both: the severity follows the gauge.
        let (value, severity) = if i % 2 == 0 {
            (2, "critical")
        } else {
            (1, "warning")
        };
        let _ = write!(
            out,
            "  - name: {kind}\n    interval: 1m\n    input_series:\n      - series: 'rnyx_alert{{relay=\"relay1\",kind=\"{kind}\"}}'\n        values: '0 {value} {value} 0'\n    alert_rule_test:\n      - eval_time: 0m\n        alertname: {alert}\n        exp_alerts: []\n      - eval_time: 1m\n        alertname: {alert}\n        exp_alerts:\n          - exp_labels:\n              severity: {severity}\n              relay: relay1\n              kind: {kind}\n            exp_annotations:\n              summary: {summary}\n              runbook: {runbook}\n      - eval_time: 3m\n        alertname: {alert}\n        exp_alerts: []\n",
            kind = r.name,
            alert = alert_name(r.name),
            summary = quoted(&format!("relay1: {}", r.title)),
            runbook = quoted(r.advice),
        );
    }
    out
}

#[test]
fn the_shipped_rules_are_made_from_the_alert_kinds() {
    let files = [
        ("rnyx-rules.yml", rules()),
        ("rnyx-rules.test.yml", rule_tests()),
    ];
    for (name, text) in files {
        let path = dir().join(name);
        if std::env::var_os("RNYX_BLESS").is_some() {
            std::fs::create_dir_all(dir()).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let shipped = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            shipped == text,
            "{} differs from what tests/prometheus.rs makes; RNYX_BLESS=1 cargo test --test prometheus writes it",
            path.display()
        );
    }
    assert_eq!(
        rule_tests().matches("\n  - name: ").count(),
        RULES.len() + EXTRAS.len()
    );
}

fn promtool(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("promtool")
        .args(args)
        .current_dir(dir())
        .output()
        .expect("promtool (Debian's prometheus package) is installed");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn promtool_checks_the_rules_and_runs_a_test_for_each() {
    let (ok, text) = promtool(&["check", "rules", "rnyx-rules.yml"]);
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!(
            "SUCCESS: {} rules found",
            RULES.len() + EXTRAS.len()
        )),
        "{text}"
    );
    let (ok, text) = promtool(&["test", "rules", "rnyx-rules.test.yml"]);
    assert!(ok, "{text}");
    assert!(text.contains("SUCCESS"), "{text}");
    // A test that could fail: a runbook changed in the rules fails it.
    let broken = std::env::temp_dir().join(format!("rnyx-promtool-{}", std::process::id()));
    std::fs::create_dir_all(&broken).unwrap();
    let rules = rules().replacen("start tor (systemctl", "start tor (service", 1);
    std::fs::write(broken.join("rnyx-rules.yml"), rules).unwrap();
    std::fs::write(broken.join("rnyx-rules.test.yml"), rule_tests()).unwrap();
    let out = std::process::Command::new("promtool")
        .args(["test", "rules", "rnyx-rules.test.yml"])
        .current_dir(&broken)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&broken);
    assert!(
        !out.status.success(),
        "a wrong runbook passes promtool's tests"
    );
}
