//! The page contract end to end: pages and the menu bar driven through the
//! UI loop with keys, clicks and the wheel at two terminal sizes; typed
//! requests answered by a real tor (`DisableNetwork 1`) reaching the page
//! that asked and no other; and rnyx in a real terminal (tmux) opening its
//! menu with `m`, picking an entry and scrolling with the wheel.

mod support;

use rnyx::config::Config;
use rnyx::launch::SingleTorOptions;
use rnyx::ui::Input;
use rnyx_panels::app::{App, GLOBAL_ACTIONS};
use rnyx_panels::keymap::{ActionId, ActionSpec, Key, Keymap};
use rnyx_panels::page::{
    ask, Ask, Cx, HitMap, Mouse, MouseKind, Page, PageInfo, Request, Response, Tag, View,
};
use rnyx_panels::pages::graph;
use support::ui::Ui;
use support::{eventually, single_tor};

/// A page with three rows that sends `request` on `v`.
#[derive(Debug, Default)]
struct ListPage {
    request: Option<Request>,
    selected: usize,
    responses: Vec<Response>,
    rows: HitMap<usize>,
}

const LIST_ACTIONS: &[ActionSpec] = &[
    ActionSpec {
        name: "send",
        description: "send the request",
        keys: &[Key::Char('v')],
        menu: Some("List"),
    },
    ActionSpec {
        name: "sort",
        description: "sort",
        keys: &[Key::Char('s')],
        menu: Some("List"),
    },
];

/// The answer to the page's request, as tor or the file gave it.
struct Answered(Result<Response, rnyx_panels::page::Failure>);

const ROWS: [&str; 3] = ["row one", "row two", "row three"];

impl Page for ListPage {
    fn info(&self) -> &'static PageInfo {
        &PageInfo {
            id: "list",
            title: "List",
            actions: LIST_ACTIONS,
        }
    }

    fn action(&mut self, action: ActionId, cx: &mut Cx) {
        // `send` is the first of LIST_ACTIONS.
        if let (0, Some(r)) = (action.index(), &self.request) {
            cx.ask(ask::Unread(r.clone()), Answered);
        }
    }
    fn mouse(&mut self, m: Mouse, _cx: &mut Cx) {
        if m.kind == MouseKind::Click {
            if let Some(i) = self.rows.at(m.column, m.row) {
                self.selected = i;
            }
        }
    }
    fn respond(&mut self, answer: Tag, _cx: &mut Cx) {
        if let Some(Answered(Ok(response))) = answer.take() {
            self.responses.push(response);
        }
    }
    fn render(&self, _view: &View, area: ratatui::layout::Rect, buf: &mut ratatui::buffer::Buffer) {
        self.rows.clear();
        for (i, y) in (0..ROWS.len()).zip(area.y..area.y + area.height) {
            let mark = if i == self.selected { ">" } else { " " };
            buf.set_string(
                area.x,
                y,
                format!("{mark} {}", ROWS[i]),
                ratatui::style::Style::new(),
            );
            self.rows
                .add(ratatui::layout::Rect::new(area.x, y, area.width, 1), i);
        }
    }
}

/// Page 1 and the given list pages.
fn app(lists: Vec<ListPage>) -> App {
    let mut settings = Config::default().app_settings();
    settings.keymap = Keymap::new(
        GLOBAL_ACTIONS,
        &[(graph::ID, graph::ACTIONS), ("list", LIST_ACTIONS)],
    );
    let mut pages = vec![(graph::ENTRY.make)(&settings)];
    pages.extend(lists.into_iter().map(|l| Box::new(l) as Box<dyn Page>));
    App::with_pages(settings, pages)
}

fn lists(app: &App) -> Vec<&ListPage> {
    // page::<P>() finds the first; the others by index through the menu order.
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = app.page_at::<ListPage>(i) {
        out.push(p);
        i += 1;
    }
    out
}

fn find(screen: &[String], text: &str) -> (u16, u16) {
    for (y, l) in screen.iter().enumerate() {
        if let Some(i) = l.find(text) {
            let x = l[..i].chars().count();
            return (u16::try_from(x).unwrap(), u16::try_from(y).unwrap());
        }
    }
    panic!("`{text}` is not on the screen:\n{}", screen.join("\n"));
}

fn click((column, row): (u16, u16)) -> Input {
    Input::Mouse(Mouse {
        kind: MouseKind::Click,
        column,
        row,
    })
}

fn wheel(kind: MouseKind, (column, row): (u16, u16)) -> Input {
    Input::Mouse(Mouse { kind, column, row })
}

/// The first log entry under the log's title.
fn first_log_line(screen: &[String]) -> String {
    let (_, y) = find(screen, "Events (");
    screen[usize::from(y) + 1].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn menu_clicks_and_wheel_through_the_ui_loop_at_two_sizes() {
    let (_dir, tor) = single_tor(SingleTorOptions::default());
    let handle = support::connected_controller(&tor).await;
    // Enough of tor's log that the log panel scrolls at either size; the
    // app is paused below, so the log holds still.
    let debug = rnyx_model::EventSelection::parse(["DEBUG,INFO,NOTICE,WARN,ERR"]).0;
    handle.set_events(debug).await.unwrap();
    for _ in 0..20 {
        handle
            .command(rnyx_grammar::command::Command::GetInfo(vec![
                "version".into()
            ]))
            .await
            .unwrap();
    }
    eventually("tor's log in the state", 30, || {
        handle
            .state
            .read(|s| (s.logs.log.len() >= 100).then_some(()))
    })
    .await;
    for (w, h) in [(80, 24), (160, 50)] {
        let mut ui = Ui::new(app(vec![ListPage::default()]), &handle, w, h);
        let screen = ui.step(&[Input::Key(Key::Char('p'))]).await;
        assert!(ui.app.is_paused());
        // The footer's "m: menu" opens the menu bar on the page's first menu.
        let screen = ui.step(&[click(find(&screen, "m: menu"))]).await;
        assert!(ui.app.menu_open(), "{w}x{h}");
        assert!(
            screen[0].starts_with(" General │ Pages │ Graph │ Log │"),
            "{}",
            screen[0]
        );
        // A click on a title opens that menu; on an entry picks it.
        let screen = ui.step(&[click(find(&screen, " Log "))]).await;
        let screen = ui
            .step(&[click(find(&screen, "hide duplicates (on)"))])
            .await;
        assert!(!ui.app.menu_open());
        assert!(
            screen[usize::from(h) - 1].starts_with("duplicate log messages shown"),
            "{w}x{h}"
        );
        // The same by keys: m, right to Log, down to "hide duplicates", enter.
        let keys: Vec<Input> = [Key::Char('m'), Key::Right, Key::Down, Key::Down, Key::Enter]
            .into_iter()
            .map(Input::Key)
            .collect();
        let screen = ui.step(&keys).await;
        assert!(
            screen[usize::from(h) - 1].starts_with("duplicate log messages hidden"),
            "{w}x{h}"
        );
        // The wheel over the log scrolls it, and back.
        let newest = first_log_line(&screen);
        let at = find(&screen, newest.trim());
        let screen = ui.step(&[wheel(MouseKind::WheelDown, at)]).await;
        assert_ne!(
            first_log_line(&screen),
            newest,
            "{w}x{h}: the wheel scrolled"
        );
        let screen = ui.step(&[wheel(MouseKind::WheelUp, at)]).await;
        assert_eq!(first_log_line(&screen), newest, "{w}x{h}");
        // The page indicator goes to the next page, where a click selects a row.
        let screen = ui.step(&[click(find(&screen, "page 1 / 2"))]).await;
        assert_eq!(ui.app.page_index(), 1);
        ui.step(&[click(find(&screen, "row three"))]).await;
        assert_eq!(lists(&ui.app)[0].selected, 2, "{w}x{h}");
        // The menu of pages goes back.
        let screen = ui.step(&[Input::Key(Key::Char('m'))]).await;
        let screen = ui.step(&[click(find(&screen, " Pages "))]).await;
        ui.step(&[click(find(&screen, "Graph / Log"))]).await;
        assert_eq!(ui.app.page_index(), 0, "{w}x{h}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_responses_from_tor_reach_the_page_that_asked() {
    let (dir, tor) = single_tor(SingleTorOptions::default());
    let handle = support::connected_controller(&tor).await;
    let torrc = tor.dir.join("torrc");
    let missing = dir.path().join("missing").display().to_string();
    let keys = |k: &[&str]| k.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
    let requests: [Request; 6] = [
        ask::GetInfo(keys(&["version"])).into(),
        ask::GetConf(keys(&["Nickname", "DisableNetwork", "ContactInfo"])).into(),
        ask::SetConf(vec![(
            "MaxCircuitDirtiness".into(),
            Some("nonsense".into()),
        )])
        .into(),
        ask::ReadFile(torrc.display().to_string()).into(),
        ask::ReadFile(missing).into(),
        // What the client-locales chart asks: tor's own GeoIP data.
        ask::GetInfo(keys(&["ip-to-country/8.8.8.8", "ip-to-country/127.0.0.1"])).into(),
    ];

    let pages: Vec<ListPage> = requests
        .iter()
        .map(|r| ListPage {
            request: Some(r.clone()),
            ..ListPage::default()
        })
        .collect();
    let mut ui = Ui::new(app(pages), &handle, 100, 30);
    // On each list page, v sends its request; then back to page 1.
    let mut inputs = Vec::new();
    for _ in &requests {
        inputs.extend([Input::Key(Key::Right), Input::Key(Key::Char('v'))]);
    }
    inputs.push(Input::Key(Key::Right));
    ui.step(&inputs).await;
    // Every response arrives within the timeout, each at its own page.
    for _ in 0..50 {
        if lists(&ui.app).iter().all(|l| !l.responses.is_empty()) {
            break;
        }
        ui.step(&[]).await;
    }
    let got: Vec<&Vec<Response>> = lists(&ui.app).iter().map(|l| &l.responses).collect();
    for r in &got {
        assert_eq!(r.len(), 1, "one response per page: {got:?}");
    }
    let Response::Info(version) = &got[0][0] else {
        panic!("{:?}", got[0])
    };
    assert_eq!(version[0].0, "version");
    assert!(version[0].1.starts_with("0.4."), "{version:?}");
    let nickname = std::fs::read_to_string(&torrc)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Nickname ").map(str::to_owned))
        .unwrap();
    assert_eq!(
        got[1][0],
        Response::Conf(vec![
            ("Nickname".into(), Some(nickname)),
            ("DisableNetwork".into(), Some("1".into())),
            ("ContactInfo".into(), None),
        ])
    );
    let Response::Failed(why) = &got[2][0] else {
        panic!("{:?}", got[2])
    };
    assert!(why.starts_with("tor refused SETCONF: 513 "), "{why}");
    let Response::Text(text) = &got[3][0] else {
        panic!("{:?}", got[3])
    };
    assert!(text.contains("DisableNetwork 1"), "{text}");
    let Response::Failed(why) = &got[4][0] else {
        panic!("{:?}", got[4])
    };
    assert!(
        why.starts_with("cannot read ") && why.contains("No such file"),
        "{why}"
    );
    let Response::Info(geo) = &got[5][0] else {
        panic!("{:?}", got[5])
    };
    assert_eq!(
        geo[..2],
        [
            ("ip-to-country/8.8.8.8".to_owned(), "us".to_owned()),
            ("ip-to-country/127.0.0.1".to_owned(), "??".to_owned())
        ],
        "{geo:?}"
    );
    // Each is the kind its ask's type reads: the typed answer, or a
    // failure, never "an unexpected answer".
    assert!(ask::GetInfo::answer(got[0][0].clone()).is_ok());
    assert!(ask::GetConf::answer(got[1][0].clone()).is_ok());
    assert!(matches!(
        ask::SetConf::answer(got[2][0].clone()),
        Err(rnyx_panels::page::Failure::Failed(_))
    ));
    assert!(ask::ReadFile::answer(got[3][0].clone()).is_ok());
    assert!(matches!(
        ask::ReadFile::answer(got[4][0].clone()),
        Err(rnyx_panels::page::Failure::Failed(_))
    ));
    // Page 1 heard of none of it.
    assert_eq!(ui.app.notice(), None);
}

/// A typed request tor refuses comes back with tor's words; one that
/// cannot be a single word is never sent, and the connection stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_requests_refused_by_tor_or_never_sent() {
    let (_dir, tor) = single_tor(SingleTorOptions::default());
    let handle = support::connected_controller(&tor).await;
    let carry_out = |h: &rnyx::controller::ControllerHandle, r: Request| {
        let h = h.clone();
        async move { h.ask(r).await }
    };
    assert_eq!(
        carry_out(
            &handle,
            Request::Tor(rnyx_grammar::request::TorRequest::GetInfo(vec![
                "no-such-key".into()
            ]))
        )
        .await,
        Response::Refused {
            status: 552,
            message: "Unrecognized key \"no-such-key\"".into()
        }
    );
    let Response::Failed(why) = carry_out(
        &handle,
        Request::Tor(rnyx_grammar::request::TorRequest::GetInfo(vec![
            "version\r\nSIGNAL HALT".into(),
        ])),
    )
    .await
    else {
        panic!("sent")
    };
    assert!(why.starts_with("cannot send GETINFO: GETINFO key"), "{why}");
    assert!(!why.contains('\n'), "{why}");
    let Response::Info(version) = carry_out(
        &handle,
        Request::Tor(rnyx_grammar::request::TorRequest::GetInfo(vec![
            "version".into()
        ])),
    )
    .await
    else {
        panic!("tor went away")
    };
    assert!(version[0].1.starts_with("0.4."), "{version:?}");
    assert!(handle.state.read(|s| s.session.connection.connected));
}

#[tokio::test]
async fn a_request_while_tor_is_away_is_answered_not_connected() {
    let handle = support::absent_controller();
    let app = app(vec![ListPage {
        request: Some(Request::Tor(rnyx_grammar::request::TorRequest::GetInfo(
            vec!["version".into()],
        ))),
        ..ListPage::default()
    }]);
    let mut ui = Ui::new(app, &handle, 80, 24);
    let keys = [Input::Key(Key::Right), Input::Key(Key::Char('v'))];
    ui.step(&keys).await;
    assert_eq!(lists(&ui.app)[0].responses[0], Response::NotConnected);
    // Files need no tor: the same task reads and writes them meanwhile.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/snapshot.txt").display().to_string();
    let written = handle
        .ask(Request::File(rnyx_grammar::request::FileRequest::Write {
            path: path.clone(),
            text: "a line\n".into(),
        }))
        .await;
    assert_eq!(written, Response::Done(path.clone()));
    assert_eq!(
        handle
            .ask(Request::File(rnyx_grammar::request::FileRequest::Read(
                path
            )))
            .await,
        Response::Text("a line\n".into())
    );
}

#[test]
fn in_a_real_terminal_m_opens_the_menu_an_entry_is_picked_and_the_wheel_scrolls() {
    let (_d, tor) = single_tor(SingleTorOptions::default());
    let tmux = support::tmux::Tmux::new("rnyx-menu");
    let cmd = format!(
        "{} {} --socket {}; echo RNYX-EXITED $?; sleep 600",
        support::home_prefix(),
        env!("CARGO_BIN_EXE_rnyx"),
        tor.socket_path().display()
    );
    // Tall enough that the log shows more rows than a notch of the wheel.
    tmux.start("t", &cmd, 80, 30);
    let fp = tor.fingerprint().unwrap();
    tmux.wait_for("t", 30, |s| s.contains(&fp) && s.contains("Events ("));
    assert_eq!(
        tmux.display("t", "#{mouse_sgr_flag}"),
        "1",
        "rnyx asked for the mouse"
    );
    // Paused, the log holds still while the wheel moves it.
    tmux.keys("t", &["p"]);
    let before = tmux.wait_for("t", 30, |s| s.contains("(Paused)"));
    let before: Vec<&str> = before.lines().collect();
    let title_row = before
        .iter()
        .position(|l| l.starts_with("Events ("))
        .unwrap();
    // The wheel (an SGR report, as a terminal sends it) over the log.
    tmux.literal("t", &format!("\x1b[<65;10;{}M", title_row + 2));
    let scrolled = tmux.wait_for("t", 30, |s| {
        s.lines().nth(title_row + 1) != Some(before[title_row + 1])
    });
    // The new top row is one that was below it: the view moved down the log.
    let top = scrolled.lines().nth(title_row + 1).unwrap();
    assert!(before[title_row + 2..].contains(&top), "{scrolled}");
    assert!(
        !scrolled.contains("[<"),
        "no mouse report leaked to the screen"
    );
    // m, right to the Log menu, down to "hide duplicates", enter.
    tmux.keys("t", &["m"]);
    // (tmux's screen comes trimmed: the bar's leading space is gone.)
    tmux.wait_for("t", 30, |s| {
        s.starts_with("General │ Pages │ Graph │ Log │")
    });
    tmux.keys("t", &["Right", "Down", "Down", "Enter"]);
    tmux.wait_for("t", 30, |s| s.contains("duplicate log messages shown"));
    // A click on "m: menu" in the footer opens the menu (once a key has
    // cleared the notice drawn over the footer).
    tmux.keys("t", &["Escape"]);
    tmux.wait_for("t", 30, |s| s.contains("m: menu"));
    let footer = before[29];
    let col = footer.find("m: menu").unwrap() + 1;
    tmux.literal("t", &format!("\x1b[<0;{col};30M"));
    tmux.wait_for("t", 30, |s| s.starts_with("General │"));
    tmux.keys("t", &["Escape"]);
    tmux.keys("t", &["q", "q"]);
    tmux.wait_for("t", 30, |s| s.contains("RNYX-EXITED 0"));
    assert_eq!(
        tmux.display("t", "#{mouse_sgr_flag}"),
        "0",
        "the mouse is given back"
    );
    assert_eq!(tmux.display("t", "#{alternate_on}"), "0");
}

#[tokio::test]
async fn every_page_one_menu_entry_through_the_ui_loop() {
    // tor away: every entry still opens its popup or changes its value.
    let handle = support::absent_controller();
    // (menus to the right of Graph, entries down, what the screen then shows)
    let entries = [
        (0, 0, "Graph interval"),
        (0, 1, "graph bounds: tight"),
        (0, 2, "Graphed statistic"),
        (0, 3, "graph height: 7 (up/down to resize"),
        (1, 0, "Events shown in the log"),
        (1, 1, "Filter the log"),
        (1, 2, "duplicate log messages shown"),
        (1, 3, "Save the log"),
        (1, 4, "Clear the log"),
    ];
    for (right, down, shown) in entries {
        let mut ui = Ui::new(App::new(Config::default().app_settings()), &handle, 100, 40);
        let mut keys = vec![Input::Key(Key::Char('m'))];
        keys.extend(std::iter::repeat_n(Input::Key(Key::Right), right));
        keys.extend(std::iter::repeat_n(Input::Key(Key::Down), down));
        keys.push(Input::Key(Key::Enter));
        let screen = ui.step(&keys).await.join("\n");
        assert!(!ui.app.menu_open());
        assert!(screen.contains(shown), "{right}/{down}: {shown}\n{screen}");
    }
}
