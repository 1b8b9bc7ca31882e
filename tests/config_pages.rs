//! Pages 3 and 4 against a real tor (`DisableNetwork 1`), driven through
//! the UI loop: the editor lists tor's options, edits and resets reach tor
//! (and tor's refusals show), `w` saves a torrc tor reads back, a torrc
//! with `%include` shows the included lines and saves with FORCE, and an
//! unreadable torrc says why. tor's manual is checked against the options
//! tor lists.

mod support;

use rnyx::config::Config;
use rnyx::launch::{SingleTor, SingleTorOptions};
use rnyx::ui::Input;
use rnyx_panels::app::App;
use rnyx_panels::keymap::Key;
use rnyx_panels::pages::config::ConfigPage;
use std::time::Duration;
use support::ui::Ui;
use support::{eventually, raw_getinfo, single_tor};

/// Keys that type `text`.
fn typed(text: &str) -> Vec<Input> {
    text.chars().map(|c| Input::Key(Key::Char(c))).collect()
}

/// On page 3: filter to `option`, edit it, replace its value by `value`.
fn edit(option: &str, value: &str) -> Vec<Input> {
    let mut keys = vec![Input::Key(Key::Char('/'))];
    keys.push(Input::Key(Key::Ctrl('u')));
    keys.extend(typed(option));
    keys.extend([
        Input::Key(Key::Enter),
        Input::Key(Key::Enter),
        Input::Key(Key::Ctrl('u')),
    ]);
    keys.extend(typed(value));
    keys.push(Input::Key(Key::Enter));
    keys
}

/// tor's values of `option`, asked through the controller's connection.
async fn getconf(handle: &rnyx::controller::ControllerHandle, option: &str) -> Vec<String> {
    let reply = handle
        .command(rnyx_grammar::command::Command::GetConf(vec![
            option.to_string()
        ]))
        .await
        .unwrap();
    reply
        .conf_values()
        .into_iter()
        .filter_map(|(_, v)| v)
        .collect()
}

/// Steps the UI until its screen holds `text`; the screen.
async fn screen_with(ui: &mut Ui, text: &str) -> String {
    for _ in 0..60 {
        let screen = ui.step(&[]).await.join("\n");
        if screen.contains(text) {
            return screen;
        }
    }
    panic!("never on screen: {text}\n{}", ui.step(&[]).await.join("\n"));
}

async fn ready(tor: &SingleTor) -> rnyx::controller::ControllerHandle {
    let handle = support::connected_controller(tor).await;
    // As the UI does when page 3 is first shown.
    handle.want_manual();
    eventually("configuration, torrc and manual read", 30, || {
        handle.state.read(|s| {
            (s.facts.config.loaded != 0
                && s.facts.config.torrc.read_at != 0
                && s.facts.manual.is_some())
            .then_some(())
        })
    })
    .await;
    handle
}

fn ui(handle: &rnyx::controller::ControllerHandle) -> Ui {
    Ui::new(App::new(Config::default().app_settings()), handle, 140, 45)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_lists_edits_resets_and_saves_what_tor_has() {
    let (_dir, tor) = single_tor(SingleTorOptions::default());
    let handle = ready(&tor).await;
    let mut ui = ui(&handle);
    // `a`: every option tor lists but the private and virtual ones.
    let screen = ui
        .step(&[
            Input::Key(Key::Right),
            Input::Key(Key::Right),
            Input::Key(Key::Char('a')),
        ])
        .await
        .join("\n");
    assert!(screen.contains("Tor Configuration ("), "{screen}");
    let names = raw_getinfo(&tor.socket_path(), &tor.cookie_path(), "config/names");
    let mut expected: Vec<String> = names
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(n, k)| !n.starts_with("__") && *k != "Virtual")
        .map(|(n, _)| n.to_owned())
        .collect();
    expected.sort();
    let page = ui.app.page::<ConfigPage>().expect("page 3");
    let mut listed: Vec<String> = handle
        .state
        .read(|s| page.listed(s).iter().map(|o| o.name.clone()).collect());
    listed.sort();
    assert_eq!(listed, expected);
    assert!(expected.len() > 300, "{}", expected.len());

    // Edits reach tor, and show at once.
    ui.step(&edit("contactinfo", "ops at example dot org"))
        .await;
    screen_with(&mut ui, "ContactInfo set").await;
    assert_eq!(
        getconf(&handle, "ContactInfo").await,
        ["ops at example dot org"]
    );
    let shown = handle
        .state
        .read(|s| s.facts.config.get("ContactInfo").unwrap().values.clone());
    assert_eq!(shown, ["ops at example dot org"]);
    ui.step(&edit("bandwidthrate", "2 MB")).await;
    let screen = screen_with(&mut ui, "BandwidthRate set").await;
    assert_eq!(getconf(&handle, "BandwidthRate").await, ["2097152"]);
    let screen = screen_with(&mut ui, "Value: 2 MB (custom").await + &screen;
    assert!(
        screen.contains("*BandwidthRate"),
        "unsaved is marked\n{screen}"
    );
    // tor's refusal is shown in tor's words and nothing changes.
    let before = getconf(&handle, "MaxCircuitDirtiness").await;
    ui.step(&edit("maxcircuitdirtiness", "nonsense")).await;
    let screen = screen_with(&mut ui, "tor refused").await;
    assert!(screen.contains("MaxCircuitDirtiness"), "{screen}");
    assert_eq!(getconf(&handle, "MaxCircuitDirtiness").await, before);
    // An empty value resets the option to tor's default.
    ui.step(&edit("bandwidthrate", "")).await;
    screen_with(&mut ui, "BandwidthRate reset to its default").await;
    assert_eq!(getconf(&handle, "BandwidthRate").await, ["1073741824"]);

    // `w` saves; the title counted the unsaved change before.
    let screen = ui.step(&[]).await.join("\n");
    assert!(screen.contains("1 unsaved"), "{screen}");
    let screen = ui.step(&[Input::Key(Key::Char('w'))]).await.join("\n");
    assert!(
        screen.contains("ContactInfo ops at example dot org") && screen.contains("SAVECONF"),
        "{screen}"
    );
    ui.step(&[Input::Key(Key::Char('y'))]).await;
    screen_with(&mut ui, "saved to").await;
    let torrc = std::fs::read_to_string(tor.dir.join("torrc")).unwrap();
    assert!(
        torrc.contains("ContactInfo ops at example dot org"),
        "{torrc}"
    );
    // tor reads the saved torrc back: a change not saved is undone by RELOAD.
    ui.step(&edit("contactinfo", "not saved")).await;
    screen_with(&mut ui, "ContactInfo set").await;
    handle
        .signal(rnyx_grammar::signal::Signal::Reload)
        .await
        .unwrap();
    for _ in 0..50 {
        if getconf(&handle, "ContactInfo").await == ["ops at example dot org"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        getconf(&handle, "ContactInfo").await,
        ["ops at example dot org"]
    );
    // Page 4 shows the saved file, nothing marked as run otherwise.
    ui.step(&[Input::Key(Key::Right)]).await;
    let screen = screen_with(&mut ui, "ContactInfo ops at example dot org").await;
    assert!(
        screen.contains("This file was generated by Tor"),
        "{screen}"
    );
    eventually("nothing unsaved after the reload", 30, || {
        handle
            .state
            .read(|s| (s.facts.config.unsaved() == 0).then_some(()))
    })
    .await;
    let screen = ui.step(&[]).await.join("\n");
    assert!(!screen.contains("tor runs:"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torrc_with_include_is_shown_whole_and_saved_with_force() {
    let included = tempfile::tempdir().unwrap();
    let extra = included.path().join("extra.conf");
    std::fs::write(&extra, "ContactInfo from the included file\n").unwrap();
    let (_dir, tor) = single_tor(SingleTorOptions {
        extra: vec![("%include".into(), extra.display().to_string())],
        ..SingleTorOptions::default()
    });
    let handle = ready(&tor).await;
    assert_eq!(
        getconf(&handle, "ContactInfo").await,
        ["from the included file"]
    );
    let mut ui = ui(&handle);
    // Page 4: the included file under its heading.
    let keys = vec![Input::Key(Key::Right); 3];
    ui.step(&keys).await;
    let screen = screen_with(&mut ui, "ContactInfo from the included file").await;
    assert!(
        screen.contains(&format!("── %include {}", extra.display())),
        "{screen}"
    );
    // Page 3: saving says what FORCE does to a torrc with %include (tor
    // refuses a plain SAVECONF, or after a SETCONF overwrites it silently).
    ui.step(&[Input::Key(Key::Left)]).await;
    ui.step(&edit("nickname", "forcedSave")).await;
    screen_with(&mut ui, "Nickname set").await;
    ui.step(&[Input::Key(Key::Char('w'))]).await;
    let screen = screen_with(&mut ui, "SAVECONF FORCE").await;
    assert!(screen.contains("the torrc uses %include"), "{screen}");
    assert!(
        screen.contains("files stay on disk but are no longer read"),
        "{screen}"
    );
    ui.step(&[Input::Key(Key::Char('f'))]).await;
    screen_with(&mut ui, "(FORCE)").await;
    let torrc = std::fs::read_to_string(tor.dir.join("torrc")).unwrap();
    assert!(torrc.contains("Nickname forcedSave"), "{torrc}");
    assert!(
        torrc.contains("ContactInfo from the included file"),
        "{torrc}"
    );
    assert!(!torrc.contains("%include"), "{torrc}");
}

/// An option given twice, as a generated torrc with the relay's own lines
/// after the defaults has it: tor runs the last line, so nothing is
/// unsaved, and page 4 marks the first line as overridden by the second.
/// A line list (ExitPolicy) given twice runs both lines; one line in an
/// included file overrides the torrc's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicated_option_runs_its_last_line_and_the_others_are_marked() {
    let included = tempfile::tempdir().unwrap();
    let extra = included.path().join("extra.conf");
    std::fs::write(&extra, "ContactInfo from the included file\n").unwrap();
    let pairs = [
        ("ExitRelay", "0"),
        ("ContactInfo", "from the torrc"),
        ("ExitPolicy", "accept *:80"),
        ("%include", &*extra.display().to_string()),
        ("ExitRelay", "1"),
        ("ExitPolicy", "reject *:*"),
    ];
    let (_dir, tor) = single_tor(SingleTorOptions {
        extra: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..SingleTorOptions::default()
    });
    let handle = ready(&tor).await;
    assert_eq!(getconf(&handle, "ExitRelay").await, ["1"]);
    assert_eq!(
        getconf(&handle, "ContactInfo").await,
        ["from the included file"]
    );
    assert_eq!(handle.state.read(|s| s.facts.config.unsaved()), 0);
    let torrc = std::fs::read_to_string(tor.dir.join("torrc")).unwrap();
    let line_of = |text: &str| {
        torrc
            .lines()
            .position(|l| l.trim() == text)
            .unwrap_or_else(|| panic!("{text} not in\n{torrc}"))
            + 1
    };
    let (first, last) = (line_of("ExitRelay 0"), line_of("ExitRelay 1"));
    let mut ui = ui(&handle);
    // Page 3: no option unsaved.
    ui.step(&[Input::Key(Key::Right); 2]).await;
    let screen = screen_with(&mut ui, "options").await;
    assert!(!screen.contains("unsaved"), "{screen}");
    // Page 4: the first line overridden by the last, which tor runs.
    ui.step(&[Input::Key(Key::Right)]).await;
    let screen = screen_with(&mut ui, "ExitRelay 1").await;
    assert!(
        screen.contains(&format!("{first} ExitRelay 0  ← overridden by line {last}")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!(
            "ContactInfo from the torrc  ← overridden by line 1 of {}",
            extra.display()
        )),
        "{screen}"
    );
    assert!(!screen.contains("tor runs:"), "{screen}");
    let marked = |text: &str| {
        screen
            .lines()
            .find(|l| l.contains(text))
            .is_some_and(|l| l.contains('←'))
    };
    assert!(!marked("ExitRelay 1"), "{screen}");
    assert!(!marked("ExitPolicy accept *:80"), "{screen}");
    assert!(!marked("ExitPolicy reject *:*"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_torrc_says_why() {
    let (_dir, tor) = single_tor(SingleTorOptions::default());
    let torrc = tor.dir.join("torrc");
    std::fs::remove_file(&torrc).unwrap();
    let handle = ready(&tor).await;
    let mut ui = ui(&handle);
    let keys = vec![Input::Key(Key::Right); 3];
    ui.step(&keys).await;
    let screen = screen_with(&mut ui, "cannot read the torrc").await;
    assert!(screen.contains(&torrc.display().to_string()), "{screen}");
    assert!(screen.contains("No such file"), "{screen}");
    assert!(
        screen.contains("tor's running configuration (GETINFO config-text), shown instead"),
        "{screen}"
    );
    assert!(screen.contains("DisableNetwork 1"), "{screen}");
}

/// Every option tor lists has a description in the installed manual and
/// in the copy in rnyx, but the ones named here, which tor's manual leaves
/// out.
#[test]
fn tors_manual_describes_every_option_tor_lists() {
    const UNDESCRIBED: &[&str] = &["ReconfigDropsBridgeDescs"];
    let (_dir, tor) = single_tor(SingleTorOptions {
        relay: false,
        ..SingleTorOptions::default()
    });
    let names = raw_getinfo(&tor.socket_path(), &tor.cookie_path(), "config/names");
    let installed = rnyx::manual::read(std::path::Path::new(rnyx::manual::INSTALLED))
        .expect("tor's installed manual");
    let manuals = [
        rnyx_model::Manual::new("installed".into(), rnyx::manual::parse(&installed)),
        rnyx::manual::embedded(),
    ];
    for manual in manuals {
        let missing: Vec<&str> = names
            .lines()
            .filter_map(|l| l.split_once(' '))
            .filter(|(n, k)| !n.starts_with("__") && *k != "Virtual")
            .map(|(n, _)| n)
            .filter(|n| {
                manual
                    .get(n)
                    .is_none_or(|e| e.description.iter().all(|p| p.trim().is_empty()))
            })
            .collect();
        assert_eq!(missing, UNDESCRIBED, "{}", manual.source);
    }
}
