//! The fuzz targets' bodies, one function a target: what each does with
//! its input and the properties it checks. `fuzz/fuzz_targets/*.rs` call
//! these, and the workspace's tests replay every seed through them
//! (`tests/fuzz_seeds.rs`), so a seed the fuzzer once found fails
//! `cargo test` too.

use rnyx_grammar::args::tokens;
use rnyx_grammar::event::{parse_router_statuses, Event};
use rnyx_grammar::getinfo::{
    bw_event_cache, byte_pair, circuit_status, config_defaults, config_names, listeners,
    orconn_status, stream_status, Lines,
};
use rnyx_grammar::logfile::{parse_tor_log_line, tor_log_file};
use rnyx_grammar::reply::ReplyFramer;
use rnyx_grammar::secret::{is_secret_option, redact, Direction};
use rnyx_grammar::torrc::{command_line, glob, include};
use rnyx_model::text::strip_controls;
use rnyx_model::{
    dedup_key, same_values, strip_comment, torrc_entry, ControllerState, LogSource, Runlevel,
    TorConfig, VersionStatus,
};
use rnyx_panels::interp::{self, Ask, Context, History, Names};
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target: its name (its folder under `fuzz/seeds`) and body.
pub const ALL: &[(&str, Target)] = &[
    ("framing_events", framing_events),
    ("getinfo_more", getinfo_more),
    ("getinfo_values", getinfo_values),
    ("history_file", history_file),
    ("interpreter_input", interpreter_input),
    ("log_file_lines", log_file_lines),
    ("manual", manual),
    ("metrics_text", metrics_text),
    ("nyxrc", nyxrc),
    ("proc_files", proc_files),
    ("recording", recording),
    ("sock_diag", sock_diag),
    ("torrc_lines", torrc_lines),
];

/// The reply framer and event parser: arbitrary bytes, split at an
/// arbitrary point, must never panic, and must frame the same however
/// split; the owning parser (`from_reply`, the firehose's path) must agree
/// with the borrowing one; a refusal's reason holds no control character;
/// and the secret rule never leaves a SOCKS password's value in a line.
pub fn framing_events(data: &[u8]) {
    let Some((&split, input)) = data.split_first() else {
        return;
    };
    let at = usize::from(split) * input.len() / 256;
    let whole = frame(&[input]);
    let split = frame(&[&input[..at], &input[at..]]);
    assert_eq!(whole, split);
}

fn frame(chunks: &[&[u8]]) -> Vec<String> {
    let mut f = ReplyFramer::with_limits(4096, 65_536);
    let mut out = Vec::new();
    for c in chunks {
        f.push(c);
        while let Some(r) = f.next_reply() {
            out.push(match r {
                Ok(reply) if reply.is_async() => {
                    let parsed = Event::parse(&reply);
                    if let Event::Malformed { reason, .. } = &parsed {
                        assert!(!reason.chars().any(char::is_control), "{reason:?}");
                    }
                    for line in &reply.lines {
                        let shown = redact(&line.text, Direction::FromTor);
                        for t in tokens(&shown) {
                            if t.key
                                .is_some_and(|k| k.eq_ignore_ascii_case("SOCKS_PASSWORD"))
                            {
                                assert_eq!(t.value, "<redacted>", "{:?} -> {shown:?}", line.text);
                            }
                        }
                    }
                    assert_eq!(Event::from_reply(reply), parsed);
                    format!("{parsed:?}")
                }
                Ok(reply) => format!("{reply:?}"),
                Err(e) => e.to_string(),
            });
        }
    }
    out
}

/// The rest of tor's GETINFO values: exit policies (`exit-policy/full`),
/// `config/names` and `config/defaults`, byte pairs (accounting, traffic),
/// `config-text` into the configuration table, version status, a server
/// descriptor's observed bandwidth and onion service ports. Nothing may
/// panic; a policy summary holds no control character.
pub fn getinfo_more(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let policy = rnyx_grammar::policy::describe(&text);
    assert!(!format!("{policy:?}").contains('\u{1b}'));
    let names = config_names(&text);
    let defaults = config_defaults(&text);
    let _ = byte_pair(&text);
    let values: Vec<(String, Option<String>)> = names
        .iter()
        .map(|(n, _)| (n.clone(), text.lines().next().map(str::to_owned)))
        .collect();
    let mut config = TorConfig::from_tor(&names, &defaults, &values, text.to_string(), None);
    config.reconcile();
    let _ = config.unsaved();
    let _ = VersionStatus::parse(&text);
    let _ = super::descriptor_observed(&text);
    for line in text.lines() {
        let _ = super::hidden_port(line);
    }
}

fn clean<T>(lines: &Lines<T>) {
    for r in &lines.refused {
        assert!(!r.0.chars().any(char::is_control), "{r:?}");
    }
}

/// The typed GETINFO values: arbitrary text as circuit-status,
/// orconn-status, stream-status, bw-event-cache, net/listeners and ns/all.
/// Nothing may panic; every line is either read or refused with a reason
/// free of control characters; what is read holds the spec's values (IDs,
/// ports, long names) and no control character.
pub fn getinfo_values(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let c = circuit_status(&text);
    clean(&c);
    assert!(c.entries.len() + c.refused.len() <= lines);
    for circ in &c.entries {
        for hop in &circ.path {
            if let Some(n) = &hop.nickname {
                assert!(n.chars().all(|c| c.is_ascii_alphanumeric()), "{n:?}");
            }
        }
        if let Some(t) = &circ.time_created {
            assert!(!t.chars().any(char::is_control));
        }
    }
    let o = orconn_status(&text);
    clean(&o);
    for conn in &o.entries {
        assert!(
            !conn.target.chars().any(char::is_control),
            "{:?}",
            conn.target
        );
    }
    let s = stream_status(&text);
    clean(&s);
    for st in &s.entries {
        assert!(!st.target.chars().any(char::is_control), "{:?}", st.target);
        assert!(st.target.contains(':'));
    }
    clean(&bw_event_cache(&text));
    let _ = listeners(&text);
    let _ = parse_router_statuses(&text);
}

/// A graph history file: nothing may panic; a file kept for another
/// relay, of another format or not JSON is refused with a reason; one that
/// is read restores into a state without panicking.
pub fn history_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match crate::history::parse(&text, "relay-key") {
        Ok(saved) => {
            let mut state = ControllerState::default();
            saved.restore(&mut state);
        }
        Err(why) => assert!(!why.is_empty()),
    }
}

thread_local! {
    /// Made once: a state is large to build, and every input reads it only.
    static STATE: ControllerState = ControllerState::default();
}

/// What the interpreter does with typed lines: each line run (tor
/// commands, `/help`, `/info`, `/events`), completed, shown and kept in the
/// history. Nothing may panic; what is asked of tor is one line; a line
/// shown holds no control character; a secret is never kept.
pub fn interpreter_input(data: &[u8]) {
    STATE.with(|state| interpret(data, state));
}

fn interpret(data: &[u8], state: &ControllerState) {
    let text = String::from_utf8_lossy(data);
    let names = Names::default();
    let events = ["650 BW 1 2", "650 NOTICE hello"];
    let cx = Context {
        names: &names,
        manual: None,
        relays: state,
        events: &events,
    };
    let mut history = History::parse(&text);
    let mut first = true;
    for line in text.lines() {
        let out = interp::run(line, &cx);
        for ask in &out.asks {
            let asked = match ask {
                Ask::Command(c) | Ask::Info(_, c) => c,
            };
            assert!(!asked.contains(['\r', '\n']), "{asked:?}");
        }
        let shown = interp::shown(line);
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        if interp::is_secret(line) {
            // The command's word and nothing of what follows it.
            let word = line.split_whitespace().next().unwrap_or("");
            let word = strip_controls(word);
            assert_eq!(shown, format!("{word} <hidden>"), "{line:?}");
        }
        // Completion sorts every candidate: the first line's is enough.
        if first {
            let _ = interp::complete(line, &names);
            first = false;
        }
        if history.add(line) {
            assert!(!interp::is_secret(line), "{line:?} kept");
        }
    }
    let kept = History::parse(&history.text());
    assert_eq!(kept.lines(), history.lines());
}

/// What the log does with text from tor: parsing tor's log-file lines and
/// `Log` options, dedup keys, sanitising and wrapping. Nothing may panic;
/// sanitised text holds no control character; wrapped rows fit the width
/// and the row limit.
pub fn log_file_lines(data: &[u8]) {
    let Some((&shape, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if let Some(e) = parse_tor_log_line(&text, 1_795_255_200_000, i32::from(shape) * 60) {
        assert!(!e.message.chars().any(char::is_control));
    }
    let _ = tor_log_file(&[text.to_string()]);
    let clean = strip_controls(&text);
    assert!(!clean.chars().any(char::is_control));
    let _ = dedup_key(&LogSource::Tor(Runlevel::Notice), &clean);
    let _ = dedup_key(&LogSource::Event("BW".into()), &clean);
    let width = usize::from(shape % 64) + 4;
    let max_rows = usize::from(shape / 64) + 1;
    let rows = rnyx_panels::log::wrap(&clean, width, max_rows);
    assert!(!rows.is_empty() && rows.len() <= max_rows, "{rows:?}");
    for r in &rows {
        assert!(r.chars().count() <= width, "{r:?} wider than {width}");
    }
}

/// The reader of tor's manual (troff, as `man` reads it): nothing may
/// panic; every entry has a name without white space.
pub fn manual(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::manual::unescape(&text);
    for (i, e) in crate::manual::parse(&text).iter().enumerate() {
        assert!(!e.name.is_empty(), "entry {i} has no name");
        assert!(!e.name.contains(char::is_whitespace), "{:?}", e.name);
    }
}

/// nyxrc: nothing may panic, and a file that cannot be used is refused
/// with its path (and the line, where there is one).
pub fn nyxrc(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match crate::config::Config::parse(&text, std::path::Path::new("/fuzz/nyxrc")) {
        Ok(config) => {
            let _ = config.app_settings();
        }
        Err(e) => {
            let said = e.to_string();
            assert!(said.starts_with("/fuzz/nyxrc"), "{said}");
        }
    }
}

/// `addr` the way `/proc/net/tcp` writes it (little-endian words).
fn kernel_hex(addr: &SocketAddr) -> String {
    let words = |b: &[u8]| -> String {
        let mut out = String::new();
        for w in b.chunks(4) {
            let _ = write!(out, "{:08X}", u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
        }
        out
    };
    let ip = match addr.ip() {
        IpAddr::V4(v4) => words(&v4.octets()),
        IpAddr::V6(v6) => words(&v6.octets()),
    };
    format!("{ip}:{:04X}", addr.port())
}

/// The `/proc` readers: one text read as `stat`, `status`, `limits`,
/// `meminfo` and `net/tcp{,6}`. Nothing may panic; a socket row read gives
/// back the addresses its hex spells (written again the kernel's way, it
/// reads the same).
pub fn proc_files(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let read = super::proc_files(&text);
    if let Some(uid) = &read.uid {
        assert!(!uid.contains(char::is_whitespace), "{uid:?}");
    }
    for (local, remote, inode) in &read.rows {
        let line = format!(
            "0: {} {} 01 0:0 0:0 0 0 0 {inode}",
            kernel_hex(local),
            kernel_hex(remote)
        );
        let again = super::proc_files(&line);
        assert_eq!(again.rows, vec![(*local, *remote, *inode)], "{line}");
    }
}

/// A recording (`rnyx replay` input): the bytes as a recording's text (as
/// decompressed), read and made a replay script that answers commands.
/// Nothing may panic; an error names the file; each line the fast path
/// reads, serde reads the same.
pub fn recording(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        if let (Some(fast), slow) = super::recorded_line(line) {
            assert_eq!(Some(fast), slow, "{line:?}");
        }
    }
    if let Err(why) = super::recording(data) {
        assert!(why.contains("fuzz.rnyx.gz"), "{why}");
    }
}

/// The reader of the kernel's sock_diag answers (netlink messages holding
/// `inet_diag_msg`s): nothing may panic, a malformed answer is refused with
/// a reason, and no more sockets are read than the answer has room for.
pub fn sock_diag(data: &[u8]) {
    let Some((seq, answer)) = data.split_first_chunk::<4>() else {
        return;
    };
    // Mostly the sequence the messages carry, sometimes another.
    let sequence = if seq[0] & 1 == 0 {
        answer
            .get(8..12)
            .map_or(0, |b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    } else {
        u32::from_ne_bytes(*seq)
    };
    match super::sock_diag(answer, sequence) {
        // A message is at least 16 bytes of header and 72 of socket.
        Ok((rows, _)) => assert!(rows.len() * 88 <= answer.len(), "{} rows", rows.len()),
        Err(why) => assert!(
            !why.is_empty() && !why.contains(char::is_control),
            "{why:?}"
        ),
    }
}

const KINDS: [&str; 8] = [
    "DataSize",
    "TimeInterval",
    "TimeMsecInterval",
    "Integer",
    "Float",
    "CommaList",
    "LineList",
    "String",
];

/// The torrc grammar: each line's option and value (comments, quotes,
/// `%include` and its patterns, `+`/`/` prefixes), values compared in every
/// kind's units, tor's command line, and the secret rule on torrc lines.
/// Nothing may panic; an entry's key holds no space; a secret option's
/// value never survives redaction.
pub fn torrc_lines(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let kind = KINDS[usize::from(kind) % KINDS.len()];
    let mut values = Vec::new();
    for line in text.lines() {
        let code = strip_comment(line);
        assert!(line.starts_with(code));
        if let Some(target) = include(line) {
            assert!(torrc_entry(line).is_none());
            let _ = glob(target, line);
        }
        if let Some((key, value)) = torrc_entry(line) {
            assert!(!key.contains(char::is_whitespace), "{key:?}");
            values.push(value.to_owned());
            if is_secret_option(key) && !value.is_empty() && !key.contains('=') {
                let shown = redact(line.trim_start(), Direction::FromTor);
                assert!(shown.ends_with("<redacted>"), "{shown:?}");
            }
        }
    }
    assert!(same_values(
        &rnyx_model::OptionType::of(kind),
        &values,
        &values
    ));
    for (name, _) in command_line(rest) {
        assert!(!name.starts_with(['+', '/']), "{name:?}");
    }
}

/// tor's MetricsPort text (`rnyx_grammar::metrics`): arbitrary text never
/// panics; a refusal's reason holds no control character; every sample's
/// name is a metric name; and the samples read, written back as the format
/// writes them and read again, are the same samples.
pub fn metrics_text(data: &[u8]) {
    use rnyx_grammar::metrics::parse;
    let text = String::from_utf8_lossy(data);
    let read = parse(&text);
    for r in &read.refused {
        assert!(!r.0.chars().any(char::is_control), "{r:?}");
    }
    let written: String = read.samples.iter().map(|s| s.line() + "\n").collect();
    let again = parse(&written);
    assert!(again.refused.is_empty(), "{written:?}: {:?}", again.refused);
    assert_eq!(again.samples.len(), read.samples.len(), "{written:?}");
    for (a, b) in again.samples.iter().zip(&read.samples) {
        assert!(!a.name.is_empty() && !a.name.starts_with(|c: char| c.is_ascii_digit()));
        assert_eq!((&a.name, &a.labels), (&b.name, &b.labels));
        assert_eq!(a.value.to_bits(), b.value.to_bits(), "{written:?}");
    }
}
