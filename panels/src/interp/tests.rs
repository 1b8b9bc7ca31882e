use super::*;

/// tor 0.4.9's names, as a tor of the test network answered them
/// (shortened).
fn names() -> Names {
    Names {
        info: Names::parse_info(
            "version -- The current version of Tor.\nns/id/* -- Brief summary of router status by ID (v3 directory style).\nns/name/* -- Brief summary of router status by nickname (v3 directory style).\nns/all -- Brief summary of router status (v3 directory style)\nnet/listeners/or -- Bound addresses by type\nnet/listeners/socks -- Bound addresses by type",
        ),
        options: vec!["ContactInfo".into(), "ControlPort".into(), "ExitPolicy".into()],
        events: vec!["BW".into(), "CIRC".into(), "CIRC_MINOR".into(), "NOTICE".into()],
        features: vec!["EXTENDED_EVENTS".into(), "VERBOSE_NAMES".into()],
        signals: vec!["RELOAD".into(), "NEWNYM".into(), "HEARTBEAT".into()],
    }
}

#[test]
fn typed_lines() {
    assert_eq!(parse("  "), Typed::Empty);
    assert_eq!(
        parse("GETINFO version"),
        Typed::Tor("GETINFO version".into())
    );
    assert_eq!(
        parse("/HELP  getinfo "),
        Typed::Slash {
            command: "/help".into(),
            args: "getinfo".into()
        }
    );
    assert!(is_secret("authenticate 0011"));
    assert!(is_secret("SETCONF HashedControlPassword=16:AB"));
    assert!(is_secret("setconf Socks5ProxyPassword=x"));
    assert!(!is_secret("GETINFO version"));
    assert_eq!(shown("AUTHENTICATE \"hunter2\""), "AUTHENTICATE <hidden>");
    assert_eq!(shown("GETINFO \u{1b}[2Jversion"), "GETINFO [2Jversion");
}

#[test]
fn completion_unique_several_none() {
    let n = names();
    assert_eq!(complete("geti", &n), Completion::Line("GETINFO ".into()));
    assert_eq!(
        complete("GETINFO ver", &n),
        Completion::Line("GETINFO version ".into())
    );
    // Several: the common start, and the candidates listed.
    assert_eq!(
        complete("GETINFO ns/", &n),
        Completion::Several(
            "GETINFO ns/".into(),
            vec!["ns/all".into(), "ns/id/".into(), "ns/name/".into()]
        )
    );
    assert_eq!(
        complete("getinfo net/l", &n),
        Completion::Several(
            "getinfo net/listeners/".into(),
            vec!["net/listeners/or".into(), "net/listeners/socks".into()]
        )
    );
    assert_eq!(
        complete("GETINFO ns/i", &n),
        Completion::Line("GETINFO ns/id/".into())
    );
    assert_eq!(
        complete("setconf cont", &n),
        Completion::Several(
            "setconf cont".into(),
            vec!["ContactInfo".into(), "ControlPort".into()]
        )
    );
    assert_eq!(
        complete("SETCONF exitp", &n),
        Completion::Line("SETCONF ExitPolicy=".into())
    );
    assert_eq!(
        complete("SETEVENTS BW circ_", &n),
        Completion::Line("SETEVENTS BW CIRC_MINOR ".into())
    );
    assert_eq!(
        complete("SIGNAL new", &n),
        Completion::Line("SIGNAL NEWNYM ".into())
    );
    assert_eq!(
        complete("USEFEATURE v", &n),
        Completion::Line("USEFEATURE VERBOSE_NAMES ".into())
    );
    assert_eq!(complete("/he", &n), Completion::Line("/help ".into()));
    assert_eq!(
        complete("/help setev", &n),
        Completion::Line("/help SETEVENTS ".into())
    );
    assert_eq!(complete("GETINFO zzz", &n), Completion::None);
    assert_eq!(complete("MAPADDRESS x", &n), Completion::None);
}

#[test]
fn help_lists_what_tor_names() {
    let n = names();
    let lines = help("", &n, None);
    let all = lines.join("\n");
    assert!(all.contains("GETINFO") && all.contains("/events"), "{all}");
    // Every summary starts in one column, the longest name's included.
    let column = |l: &str| {
        l.trim_start()
            .find(' ')
            .map(|i| i + 2 + l[2 + i..].len() - l[2 + i..].trim_start().len())
    };
    let columns: std::collections::BTreeSet<_> = lines
        .iter()
        .filter(|l| l.starts_with("  "))
        .map(|l| column(l))
        .collect();
    assert_eq!(columns.len(), 1, "{all}");
    assert!(all.contains("ONION_CLIENT_AUTH_REMOVE "), "{all}");
    let getinfo = help("getinfo", &n, None).join("\n");
    assert!(
        getinfo.starts_with("GETINFO — asks tor for information"),
        "{getinfo}"
    );
    assert!(
        getinfo.contains("ns/id/") && getinfo.contains("Brief summary of router status by ID"),
        "{getinfo}"
    );
    let events = help("SETEVENTS", &n, None).join("\n");
    assert!(events.contains("CIRC_MINOR"), "{events}");
    let signals = help("signal", &n, None).join("\n");
    assert!(
        signals.contains("NEWNYM") && signals.contains("clean circuits"),
        "{signals}"
    );
    let unknown = help("nonsense", &n, None).join("\n");
    assert!(unknown.contains("no help for `nonsense`"), "{unknown}");
    let quit = help("QUIT", &n, None).join("\n");
    assert!(quit.contains("interpreter's own connection"), "{quit}");
}

/// tor 0.4.9.11's own answers (a DisableNetwork tor), recorded with
/// `rnyx prompt --run 'GETINFO info/names'` and the like.
fn recorded() -> Names {
    let words = |s: &str| s.split_whitespace().map(str::to_owned).collect();
    Names {
        info: Names::parse_info(include_str!("fixtures/info_names.txt")),
        options: include_str!("fixtures/config_names.txt")
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .collect(),
        events: words(include_str!("fixtures/events_names.txt")),
        features: words(include_str!("fixtures/features_names.txt")),
        signals: words(include_str!("fixtures/signal_names.txt")),
    }
}

#[test]
fn completion_and_help_against_tors_recorded_names() {
    let n = recorded();
    assert!(
        n.info.len() > 100 && n.options.len() > 380,
        "{} {}",
        n.info.len(),
        n.options.len()
    );
    assert_eq!(
        complete("GETINFO ns/", &n),
        Completion::Several(
            "GETINFO ns/".into(),
            ["ns/all", "ns/id/", "ns/name/", "ns/purpose/"]
                .map(str::to_owned)
                .to_vec()
        )
    );
    assert_eq!(
        complete("getconf bandwidthr", &n),
        Completion::Line("getconf BandwidthRate ".into())
    );
    assert_eq!(
        complete("SETEVENTS HS_DESC_", &n),
        Completion::Line("SETEVENTS HS_DESC_CONTENT ".into())
    );
    assert_eq!(
        complete("SIGNAL CLEARD", &n),
        Completion::Line("SIGNAL CLEARDNSCACHE ".into())
    );
    let getinfo = help("GETINFO", &n, None).join("\n");
    assert!(
        getinfo.contains("accounting/bytes") && getinfo.contains("Number of bytes read/written"),
        "{getinfo}"
    );
    let events = help("setevents", &n, None).join("\n");
    assert!(
        events.contains("HS_DESC") && events.contains("CIRC_MINOR"),
        "{events}"
    );
    let signals = help("SIGNAL", &n, None).join("\n");
    assert!(
        signals.contains("CLEARDNSCACHE") && signals.contains("forget the client DNS cache"),
        "{signals}"
    );
}

/// Found by the `interpreter_input` fuzz target: a pasted line holding a
/// CR went to tor as typed (the client then refused it as two lines).
#[test]
fn a_line_with_control_characters_is_not_sent() {
    use super::{run, Ask, Context, CONTROL};
    let n = names();
    let state = rnyx_model::ControllerState::default();
    let cx = Context {
        names: &n,
        manual: None,
        relays: &state,
        events: &[],
    };
    for pasted in [
        "GE\rTINFO version",
        "GETINFO version\nSIGNAL HALT",
        "GETINFO \u{1b}]52;c;eA==\u{7}",
    ] {
        let out = run(pasted, &cx);
        assert!(out.asks.is_empty() && out.failed, "{pasted:?}");
        assert_eq!(out.lines.len(), 1);
        assert_eq!(out.lines[0].1, CONTROL);
    }
    // U+0085 is white space to Rust: as typed this reads as ADD_ONION with
    // a key, without it as one word. Hidden either way.
    assert_eq!(
        super::shown("ADD_ONION\u{85}ED25519-V3:c2VjcmV0 Port=80"),
        "ADD_ONION <hidden>"
    );
    let out = run("GETINFO\tversion", &cx);
    assert_eq!(out.asks, [Ask::Command("GETINFO\tversion".into())]);
}
