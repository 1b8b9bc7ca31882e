use super::*;
use crate::page::{Effect, Outbox, Request, Response};
use rnyx_model::TorConfig;

fn state() -> ControllerState {
    let mut s = ControllerState::default();
    s.session.connection.connected = true;
    let names = [
        ("ContactInfo", "String"),
        ("CookieAuthentication", "Boolean"),
        ("ExitPolicy", "LineList"),
        ("Obscure", "Integer"),
        ("SetButRare", "Integer"),
        ("__Private", "String"),
        ("SocksPortLines", "Virtual"),
    ]
    .map(|(n, k)| (n.to_owned(), k.to_owned()));
    let values = [
        ("ContactInfo", Some("ops")),
        ("CookieAuthentication", Some("1")),
        ("SetButRare", Some("3")),
    ]
    .map(|(n, v)| (n.to_owned(), v.map(str::to_owned)));
    s.facts.config = TorConfig::from_tor(&names, &[], &values, "SetButRare 3\n".into(), None);
    s.facts.config.loaded = 1;
    s
}

fn with_cx(s: &ControllerState, f: impl FnOnce(&mut Cx)) -> Outbox {
    let mut out = Outbox::default();
    let mut cx = Cx {
        shown: s,
        live: s,
        now: 0,
        out: &mut out,
    };
    f(&mut cx);
    out
}

fn requests(out: &Outbox) -> Vec<Request> {
    out.effects
        .iter()
        .filter_map(|e| match e {
            Effect::Request { request, .. } => Some(request.clone()),
            _ => None,
        })
        .collect()
}

fn names(page: &ConfigPage, s: &ControllerState) -> Vec<String> {
    page.listed(s).iter().map(|o| o.name.clone()).collect()
}

#[test]
fn common_and_set_options_then_all_then_hidden_kinds() {
    let s = state();
    let mut page = ConfigPage::default();
    let mut shown = names(&page, &s);
    shown.sort();
    assert_eq!(
        shown,
        [
            "ContactInfo",
            "CookieAuthentication",
            "ExitPolicy",
            "SetButRare"
        ]
    );
    with_cx(&s, |cx| page.action(Action::ShowAll.id(), cx));
    assert_eq!(names(&page, &s).len(), 5);
    page.settings.show_private = true;
    page.settings.show_virtual = true;
    assert_eq!(names(&page, &s).len(), 7);
}

#[test]
fn edits_become_the_right_requests() {
    let s = state();
    let mut page = ConfigPage {
        filter: "cookieauthentication".into(),
        ..ConfigPage::default()
    };
    let out = with_cx(&s, |cx| {
        page.action(Action::Edit.id(), cx);
        // The prompt holds the value as a word.
        assert_eq!(page.prompt.as_ref().unwrap().1.text(), "true");
        page.modal_key(Key::Ctrl('u'), cx);
        for c in "false".chars() {
            page.modal_key(Key::Char(c), cx);
        }
        page.modal_key(Key::Enter, cx);
    });
    assert_eq!(
        requests(&out),
        [Request::Tor(rnyx_grammar::request::TorRequest::SetConf(
            vec![("CookieAuthentication".into(), Some("0".into()))]
        ))]
    );
    // Not a boolean: said here, nothing sent.
    let out = with_cx(&s, |cx| page.submit("CookieAuthentication", "maybe", cx));
    assert!(requests(&out).is_empty());
    assert!(page
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("takes true or false"));
    // A line list: one value per comma.
    let out = with_cx(&s, |cx| {
        page.submit("ExitPolicy", "accept *:80, reject *:*", cx);
    });
    assert_eq!(
        requests(&out),
        [Request::Tor(rnyx_grammar::request::TorRequest::SetConf(
            vec![
                ("ExitPolicy".into(), Some("accept *:80".into())),
                ("ExitPolicy".into(), Some("reject *:*".into())),
            ]
        ))]
    );
    // Empty: reset to tor's default.
    let out = with_cx(&s, |cx| {
        page.submit("ContactInfo", " ", cx);
    });
    assert_eq!(
        requests(&out),
        [Request::Tor(rnyx_grammar::request::TorRequest::ResetConf(
            vec!["ContactInfo".into()]
        ))]
    );
}

#[test]
fn a_refused_saveconf_offers_force() {
    use crate::popup::{Answer, Step};
    let s = state();
    let mut page = ConfigPage::default();
    let mut opened = None;
    with_cx(&s, |cx| {
        page.action(Action::Save.id(), cx);
        opened = cx.out.opened.pop();
    });
    // The save popup is on the app's stack, its answers go to the page.
    let (_, mut save, _, retag) = opened.expect("the save popup opened");
    assert!(!page.modal());
    let mut out = with_cx(&s, |cx| {
        assert!(matches!(save.key(Key::Char('y'), cx), Step::Stay));
    });
    assert_eq!(
        requests(&out),
        [Request::Tor(rnyx_grammar::request::TorRequest::SaveConf {
            force: false
        })]
    );
    let ticket = out.issued[0].0;
    let refusal = Response::Refused {
        status: 551,
        message: "Unable to write configuration to disk.".into(),
    };
    let refused = out.answer(ticket, refusal);
    let mut step = Step::Stay;
    with_cx(&s, |cx| step = save.respond(refused, cx));
    let Step::Tell(answer @ Answer::Status(..)) = step else {
        panic!("{step:?}: the refusal is said and FORCE offered")
    };
    with_cx(&s, |cx| page.answered(retag(), answer, cx));
    assert!(page.status.as_ref().unwrap().error);
    let mut out = with_cx(&s, |cx| {
        assert!(matches!(save.key(Key::Char('f'), cx), Step::Stay));
        assert!(
            matches!(save.esc(cx), Step::Stay),
            "Esc waits for tor's answer"
        );
    });
    assert_eq!(
        requests(&out),
        [Request::Tor(rnyx_grammar::request::TorRequest::SaveConf {
            force: true
        })]
    );
    let ticket = out.issued[0].0;
    let done = out.answer(ticket, Response::Done(String::new()));
    let mut step = Step::Stay;
    with_cx(&s, |cx| step = save.respond(done, cx));
    assert!(
        matches!(step, Step::Done(Answer::Status(ref text, false)) if text.contains("(FORCE)"))
    );
}

#[test]
fn sorting_by_name_from_the_menu() {
    let s = state();
    let mut page = ConfigPage::default();
    with_cx(&s, |cx| {
        page.action(Action::ShowAll.id(), cx);
        page.action(Action::Sort.id(), cx);
        // man_page_entry, then name: the second entry.
        crate::page::testing::keys_to_popup(&mut page, &[Key::Down, Key::Enter], cx);
    });
    assert_eq!(page.settings.order[0], ConfigOrder::Name);
    assert_eq!(
        names(&page, &s),
        [
            "ContactInfo",
            "CookieAuthentication",
            "ExitPolicy",
            "Obscure",
            "SetButRare"
        ]
    );
}

#[test]
fn a_click_selects_a_row_and_the_wheel_moves() {
    let s = state();
    let mut page = ConfigPage::default();
    let rows = crate::page::testing::draw(&page, &s, 0, (100, 12));
    let y = rows.iter().position(|r| r.contains("ExitPolicy")).unwrap();
    with_cx(&s, |cx| {
        page.mouse(
            Mouse {
                kind: MouseKind::Click,
                column: 5,
                row: u16::try_from(y).unwrap(),
            },
            cx,
        );
    });
    assert_eq!(page.selected(&s).unwrap().name, "ExitPolicy");
    with_cx(&s, |cx| {
        page.mouse(
            Mouse {
                kind: MouseKind::WheelUp,
                column: 5,
                row: 3,
            },
            cx,
        );
    });
    assert_eq!(page.cursor.at(), 0);
}
