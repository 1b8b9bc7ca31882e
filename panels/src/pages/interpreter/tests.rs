use super::*;
use crate::page::{Effect, Outbox};
use rnyx_grammar::reply::{LineKind, Reply as TorReply, ReplyLine as TorReplyLine};
use rnyx_model::ControllerState;

/// Tickets go on across calls, as the app numbers them.
static TICKETS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn with_cx<R>(s: &ControllerState, f: impl FnOnce(&mut Cx) -> R) -> (R, Outbox) {
    let mut out = Outbox {
        next_ticket: TICKETS.fetch_add(1000, std::sync::atomic::Ordering::Relaxed),
        ..Outbox::default()
    };
    let mut cx = Cx {
        shown: s,
        live: s,
        now: 0,
        out: &mut out,
    };
    let r = f(&mut cx);
    (r, out)
}

/// The requests made, each with how its answer is read.
type Sent = Vec<(Option<crate::page::Reader>, Request)>;

fn requests(out: &mut Outbox) -> Sent {
    let made: Vec<_> = out
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Request { ticket, request } => Some((*ticket, request.clone())),
            _ => None,
        })
        .collect();
    made.into_iter()
        .map(|(ticket, request)| {
            let i = out.issued.iter().position(|(t, _)| *t == ticket).unwrap();
            (Some(out.issued.remove(i).1), request)
        })
        .collect()
}

/// What the page gets for `response` to request `i` of `sent`.
fn answer(sent: &mut Sent, i: usize, response: Response) -> crate::page::Tag {
    (sent[i].0.take().expect("answered once"))(response)
}

fn typed(page: &mut InterpreterPage, s: &ControllerState, line: &str) -> Sent {
    let ((), mut out) = with_cx(s, |cx| {
        for c in line.chars() {
            page.modal_key(Key::Char(c), cx);
        }
        page.modal_key(Key::Enter, cx);
    });
    requests(&mut out)
}

fn reply(status: u16, lines: &[&str]) -> Response {
    Response::Reply(TorReply {
        status,
        lines: lines
            .iter()
            .map(|l| TorReplyLine {
                status,
                kind: LineKind::Mid,
                text: (*l).to_owned(),
                data: None,
            })
            .collect(),
    })
}

fn screen(page: &InterpreterPage, s: &ControllerState, w: u16, h: u16) -> Vec<String> {
    crate::page::testing::draw(page, s, 0, (w, h))
}

fn started(s: &ControllerState) -> InterpreterPage {
    started_with(s).0
}

/// The page started, and its first requests (tor's names, the history).
fn started_with(s: &ControllerState) -> (InterpreterPage, Sent) {
    let mut page = InterpreterPage {
        history_path: Some("~/.local/state/rnyx/history".into()),
        ..InterpreterPage::default()
    };
    let ((), mut out) = with_cx(s, |cx| page.action(Action::Input.id(), cx));
    // tor's names (on rnyx's connection: read only) and the history file.
    let sent = requests(&mut out);
    let asked: Vec<Request> = sent.iter().map(|(_, r)| r.clone()).collect();
    assert_eq!(
        asked,
        [
            Request::Tor(rnyx_grammar::request::TorRequest::GetInfo(vec![
                "info/names".into(),
                "features/names".into(),
                "signal/names".into()
            ])),
            Request::File(rnyx_grammar::request::FileRequest::Read(
                "~/.local/state/rnyx/history".into()
            ))
        ]
    );
    (page, sent)
}

#[test]
fn commands_go_on_the_interpreters_connection_and_replies_show_under_them() {
    let s = ControllerState::default();
    let mut page = started(&s);
    let mut sent = typed(&mut page, &s, "GETINFO version");
    assert_eq!(
        sent[0].1,
        Request::Tor(rnyx_grammar::request::TorRequest::Interpret(
            "GETINFO version".into()
        ))
    );
    // The history file is written with the new line.
    assert!(
        matches!(&sent[1].1, Request::File(rnyx_grammar::request::FileRequest::Write { text, .. }) if text == "GETINFO version\n")
    );
    with_cx(&s, |cx| {
        page.respond(
            answer(&mut sent, 0, reply(250, &["version=0.4.9.11", "OK"])),
            cx,
        );
    });
    let mut sent = typed(&mut page, &s, "GETINFO nope");
    with_cx(&s, |cx| {
        page.respond(
            answer(&mut sent, 0, reply(552, &["Unrecognized key \"nope\""])),
            cx,
        );
    });
    let rows = screen(&page, &s, 60, 8);
    assert_eq!(
        rows[3..8],
        [
            ">>> GETINFO version",
            "version=0.4.9.11",
            ">>> GETINFO nope",
            "552 Unrecognized key \"nope\"",
            ">>>"
        ]
    );
    // An empty line ends input.
    typed(&mut page, &s, "");
    assert!(!page.modal());
}

#[test]
fn secrets_are_hidden_and_not_kept() {
    let s = ControllerState::default();
    let (mut page, mut first) = started_with(&s);
    let sent = typed(&mut page, &s, "AUTHENTICATE \"hunter2\"");
    // Sent as typed, but no history write.
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].1,
        Request::Tor(rnyx_grammar::request::TorRequest::Interpret(
            "AUTHENTICATE \"hunter2\"".into()
        ))
    );
    let text = screen(&page, &s, 60, 6).join("\n");
    assert!(
        text.contains("AUTHENTICATE <hidden>") && !text.contains("hunter2"),
        "{text}"
    );
    assert!(page.history.is_empty());
    // A history file holding one is not taken either.
    let history = answer(
        &mut first,
        1,
        Response::Text("GETINFO version\nSETCONF HashedControlPassword=16:AA\n".into()),
    );
    with_cx(&s, |cx| page.respond(history, cx));
    assert_eq!(page.history.lines(), ["GETINFO version"]);
}

#[test]
fn history_walks_and_tab_lists_candidates() {
    let s = ControllerState::default();
    let mut page = started(&s);
    typed(&mut page, &s, "GETINFO version");
    typed(&mut page, &s, "GETINFO uptime");
    with_cx(&s, |cx| {
        for c in "GETINFO x".chars() {
            page.modal_key(Key::Char(c), cx);
        }
        page.modal_key(Key::Up, cx);
        assert_eq!(page.input.as_ref().unwrap().text(), "GETINFO uptime");
        page.modal_key(Key::Up, cx);
        assert_eq!(page.input.as_ref().unwrap().text(), "GETINFO version");
        page.modal_key(Key::Down, cx);
        page.modal_key(Key::Down, cx);
        // Back to what was being typed.
        assert_eq!(page.input.as_ref().unwrap().text(), "GETINFO x");
    });
    page.names.info = Names::parse_info("ns/all -- a\nns/id/* -- b\nversion -- c");
    with_cx(&s, |cx| {
        page.input = Some(LineInput::new("GETINFO ns/"));
        page.modal_key(Key::Tab, cx);
    });
    assert_eq!(page.candidates, ["ns/all", "ns/id/"]);
    let rows = screen(&page, &s, 60, 6);
    assert_eq!(rows[4], "ns/all  ns/id/");
}

#[test]
fn events_of_the_interpreters_connection_show_in_order_and_on_request() {
    let mut s = ControllerState::default();
    let mut page = started(&s);
    let mut sent = typed(&mut page, &s, "SETEVENTS BW");
    with_cx(&s, |cx| {
        page.respond(answer(&mut sent, 0, reply(250, &["OK"])), cx);
    });
    s.logs
        .interpreter_events
        .extend(1, vec!["650 BW 10 20".into(), "650 BW 30 40".into()]);
    typed(&mut page, &s, "GETINFO version");
    s.logs
        .interpreter_events
        .extend(2, vec!["650 CIRC 1 LAUNCHED".into()]);
    let rows = screen(&page, &s, 60, 9);
    assert_eq!(
        rows[2..8],
        [
            ">>> SETEVENTS BW",
            "OK",
            "650 BW 10 20",
            "650 BW 30 40",
            ">>> GETINFO version",
            "650 CIRC 1 LAUNCHED",
        ]
    );
    typed(&mut page, &s, "/events bw");
    let text = screen(&page, &s, 60, 14).join("\n");
    assert!(
        text.ends_with(">>> /events bw\n650 BW 30 40\n650 BW 10 20\n>>>"),
        "{text}"
    );
    typed(&mut page, &s, "/events clear");
    typed(&mut page, &s, "/events");
    let text = screen(&page, &s, 100, 14).join("\n");
    assert!(text.contains("no events received"), "{text}");
}

#[test]
fn a_huge_reply_is_bounded_and_drawing_it_costs_its_visible_rows() {
    let s = ControllerState::default();
    let mut page = started(&s);
    let mut sent = typed(&mut page, &s, "GETINFO ns/all");
    let data = "r relay 0123456789 ABCDEF 2026-11-23 10:00:00 10.0.0.1 9001 0\n".repeat(50_000);
    let big = Response::Reply(TorReply {
        status: 250,
        lines: vec![
            TorReplyLine {
                status: 250,
                kind: LineKind::Data,
                text: "ns/all=".into(),
                data: Some(data),
            },
            TorReplyLine {
                status: 250,
                kind: LineKind::End,
                text: "OK".into(),
                data: None,
            },
        ],
    });
    with_cx(&s, |cx| page.respond(answer(&mut sent, 0, big), cx));
    assert!(page.backlog.len() <= output::REPLY_LINES + 3);
    let last: Vec<&str> = vec![page.backlog.texts().last().unwrap()];
    assert!(last[0].contains("48001 more lines"), "{last:?}");
    let rows = screen(&page, &s, 80, 10);
    assert!(rows[8].contains("more lines"), "{rows:?}");
}

#[test]
fn slash_commands() {
    let s = ControllerState::default();
    let mut page = started(&s);
    typed(&mut page, &s, "/help");
    typed(&mut page, &s, "/nonsense");
    typed(&mut page, &s, "/info");
    let text: Vec<&str> = page.backlog.texts().collect();
    assert!(
        text.iter()
            .any(|l| l.contains("GETINFO") && l.contains("asks tor")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|l| l.starts_with("unknown command /nonsense")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|l| l.starts_with("this tor is not a relay")),
        "{text:?}"
    );
    typed(&mut page, &s, "/quit");
    assert!(!page.modal());
}

#[test]
fn a_reply_that_never_comes_says_so() {
    let s = ControllerState::default();
    let mut page = started(&s);
    let mut sent = typed(&mut page, &s, "GETINFO version");
    with_cx(&s, |cx| {
        let answered = answer(
            &mut sent,
            0,
            Response::Timeout("tor did not answer `GETINFO` within 15 s".into()),
        );
        page.respond(answered, cx);
    });
    let rows = screen(&page, &s, 60, 5);
    assert_eq!(rows[3], "tor did not answer `GETINFO` within 15 s");
}
