use clap::Parser;
use rnyx::cli::{print_out, prompt_password, Cli, Command};
use rnyx::config::Config;
use rnyx::settings::Settings;
use std::process::ExitCode;

// glibc's malloc: since log lines are read into runs without an allocation
// each, mimalloc was no faster under tor's DEBUG firehose and held twice
// the memory at the peak (docs/performance.md).

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // A check whose arguments are wrong is misconfigured: UNKNOWN.
        Err(e) if e.use_stderr() && std::env::args_os().any(|a| a == "--check") => {
            let _ = e.print();
            return ExitCode::from(rnyx::check::Status::Unknown.code());
        }
        Err(e) => e.exit(),
    };
    match &cli.command {
        Some(Command::DemoServe {
            port,
            parent,
            unthrottled,
        }) => return helper(rnyx::demo::serve(*port, *parent, *unthrottled)),
        Some(Command::DemoForward { unix, port, parent }) => {
            return helper(rnyx::demo::forward(unix, *port, *parent));
        }
        Some(Command::DemoFetch {
            socks,
            port,
            parent,
            once,
            socks_auth,
        }) => {
            let auth = socks_auth.as_deref().and_then(|a| a.split_once(':'));
            return helper(rnyx::demo::fetch(*socks, *port, *parent, *once, auth));
        }
        Some(Command::Man) => {
            let mut man = Vec::new();
            return match rnyx::manpage::write_man(&mut man) {
                Ok(()) => {
                    print_out(&String::from_utf8_lossy(&man));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&format!("cannot write the manual: {e}")),
            };
        }
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            rnyx::manpage::write_completions(*shell, &mut script);
            print_out(&String::from_utf8_lossy(&script));
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    // One thread for the screen, the controller and the control connection:
    // none of them waits on the others for long (blocking work goes to
    // tokio's blocking pool), and it holds less memory than a multi-thread
    // scheduler with a worker (a thread fewer, and no libm: about 0.8 MB idle,
    // docs/performance.md).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(run(cli))
}

/// nyxrc, with the command line over it (see [`Settings`]).
fn load_config(cli: &Cli) -> Result<Config, String> {
    Settings::load(cli).map(|s| s.config)
}

/// `demo`, `demo-record`, `replay` and `--dump --replay`: what needs no tor
/// of the command line's. `None` for everything else.
async fn without_tor(cli: &Cli) -> Option<ExitCode> {
    let done = |r: Result<(), String>| r.map_or_else(|e| fail(&e), |()| ExitCode::SUCCESS);
    Some(match &cli.command {
        Some(Command::DemoRecord {
            file,
            seconds,
            max_size,
        }) => done(rnyx::demo::record(file, *seconds, max_size.saturating_mul(1 << 20)).await),
        Some(Command::Demo) => match load_config(cli) {
            Ok(config) => done(rnyx::demo::run(&config).await),
            Err(e) => fail(&e),
        },
        Some(Command::Replay { file, speed }) => match load_config(cli) {
            Ok(config) => replay(file, *speed, config).await,
            Err(e) => fail(&e),
        },
        _ => match (cli.dump, &cli.replay) {
            (true, Some(file)) => dump_replay(file, cli).await,
            _ => return None,
        },
    })
}

/// Whether this command shows the monitor (which needs a terminal).
fn shows_monitor(cli: &Cli) -> bool {
    !cli.dump
        && !cli.check
        && matches!(
            cli.command,
            None | Some(Command::Demo | Command::Replay { .. } | Command::Record { .. })
        )
}

/// The monitor draws on a terminal: without one (cron, a systemd unit,
/// `ssh host rnyx` without `-t`) it says so in a sentence, exit status 2.
fn has_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
        && std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok()
}

async fn run(cli: Cli) -> ExitCode {
    // A broken nyxrc is said first: it is what the operator must fix.
    if shows_monitor(&cli) {
        if let Err(e) = load_config(&cli) {
            return fail(&e);
        }
    }
    if shows_monitor(&cli) && rnyx::local::TerminalEnv::here().dumb {
        eprintln!(
            "rnyx: TERM=dumb cannot place the cursor, which the monitor needs; \
             `rnyx --dump` prints the relay's state and `rnyx prompt` talks to tor without it"
        );
        return ExitCode::from(2);
    }
    if shows_monitor(&cli) && !has_terminal() {
        eprintln!(
            "rnyx: the monitor needs a terminal (with ssh, `ssh -t`); without one, \
             `rnyx --dump` prints the relay's state and `rnyx prompt --run COMMAND` asks tor"
        );
        return ExitCode::from(2);
    }
    if let Some(code) = without_tor(&cli).await {
        return code;
    }
    if let Some(Command::Watch { .. }) = &cli.command {
        return fail(&watch());
    }
    if cli.check || cli.format == rnyx::cli::DumpFormat::Openmetrics {
        return check(&cli).await;
    }
    // Every command reads nyxrc as the monitor does (`--config`,
    // `[[relays]]`, `tor_chroot`, `connection_rate`…).
    let (settings, relays) = match settings_and_relays(&cli).await {
        Ok(both) => both,
        Err(e) => return fail(&e),
    };
    if cli.dump {
        return dump(&settings, &relays, &cli).await;
    }
    let config = settings.config.clone();
    let mut watched = Vec::new();
    for r in relays {
        let task = settings
            .password_of(&r)
            .and_then(|password| settings.task(&r, password));
        match task {
            Ok(task) => watched.push((r.relay_name(), task)),
            Err(e) => return fail(&e),
        }
    }
    if let Some(Command::Prompt { run }) = &cli.command {
        let (_, task) = watched.swap_remove(0);
        return Box::pin(prompt(task, run)).await;
    }
    if watched.len() > 1 && matches!(cli.command, Some(Command::Record { .. })) {
        return fail("rnyx record watches one relay: name it with --socket, --interface or --ssh");
    }
    let recorder = match &cli.command {
        Some(Command::Record { file, max_size }) => {
            let mb = max_size.unwrap_or(config.record_max_size);
            match rnyx::record::Recorder::create(file, mb.saturating_mul(1 << 20)) {
                Ok(r) => Some(r),
                Err(e) => return fail(&e),
            }
        }
        _ => None,
    };
    // Connect before the TUI owns the terminal, so a password can be asked
    // for and a relay that can never be watched as given is said here; the
    // connections are handed to the controller tasks.
    if let Some(r) = &recorder {
        for (_, task) in &mut watched {
            let t = std::mem::take(task);
            *task = rnyx::settings::recorded(t, r);
        }
    }
    let firsts = first_contact(&mut watched).await;
    let hopeless = firsts.iter().all(|f| matches!(f, Err(e) if !e.may_pass()));
    if hopeless && !cli.wait {
        say_why(&watched, &firsts);
        if let Some(r) = &recorder {
            r.close();
        }
        return ExitCode::FAILURE;
    }
    let firsts: Vec<_> = firsts.into_iter().map(Result::ok).collect();
    if watched.len() > 1 {
        return match rnyx::monitor::run_fleet(watched, firsts, &config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        };
    }
    let (_, task) = watched.swap_remove(0);
    let first = firsts.into_iter().next().flatten();
    let closing = recorder.clone();
    let result = rnyx::monitor::run(task, first, &config, None).await;
    closing.as_ref().map(rnyx::record::Recorder::close);
    result.map_or_else(|e| fail(&e), |()| ExitCode::SUCCESS)
}

/// A relay to watch: its name, and its controller task's settings (the
/// places to try, its password, its host).
type Watched = (rnyx_model::RelayName, rnyx::controller::ControllerConfig);

/// Why each relay cannot be watched, a sentence each on stderr.
fn say_why(
    watched: &[Watched],
    firsts: &[Result<rnyx::control::Connection, rnyx::control::ConnectError>],
) {
    let many = watched.len() > 1;
    for ((name, _), first) in watched.iter().zip(firsts) {
        if let Err(e) = first {
            // A name found is the place, which the sentence names.
            let who = if many && name.given {
                format!("{}: ", name.text)
            } else {
                String::new()
            };
            eprintln!("rnyx: {who}{e}");
        }
    }
}

/// Each relay's first connection, through its host, tried at once (asking
/// for a password where tor wants one and none was given).
async fn first_contact(
    watched: &mut [Watched],
) -> Vec<Result<rnyx::control::Connection, rnyx::control::ConnectError>> {
    let mut tries = tokio::task::JoinSet::new();
    for (i, (_, task)) in watched.iter().enumerate() {
        let (host, targets, password) = (
            task.host.clone(),
            task.targets.clone(),
            task.password.clone(),
        );
        tries.spawn(async move { (i, host.connect(&targets, password.as_deref()).await) });
    }
    let mut firsts: Vec<_> = (0..watched.len()).map(|_| None).collect();
    while let Some(Ok((i, result))) = tries.join_next().await {
        firsts[i] = Some(result);
    }
    let mut out = Vec::new();
    for (first, (_, task)) in firsts.into_iter().zip(watched.iter_mut()) {
        let mut result = first.expect("every try ends");
        if matches!(&result, Err(e) if e.needs_password()) && task.password.is_none() {
            task.password = prompt_password();
            if task.password.is_some() {
                result = task
                    .host
                    .connect(&task.targets, task.password.as_deref())
                    .await;
            }
        }
        out.push(result);
    }
    out
}

/// `--dump --replay FILE [--at SECONDS]`.
async fn dump_replay(file: &std::path::Path, cli: &Cli) -> ExitCode {
    let player = match rnyx::replay::Player::open(file, 1.0) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let settings = match Settings::load(cli) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let at = cli.at.unwrap_or(player.clock.length() / 1000 + 1);
    let replay = (player.clone(), settings.replay(player));
    let scrub = rnyx::dump::Scrub {
        addresses: !cli.no_scrub,
        onions: !settings.config.show_onion_addresses,
    };
    match rnyx::dump::dump_replay(replay, at, scrub, cli.history).await {
        Ok(json) => {
            print_out(&format!("{json}\n"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// `rnyx replay FILE`: the monitor on a recording.
async fn replay(file: &std::path::Path, speed: f64, config: Config) -> ExitCode {
    // A replay keeps no graph history of the relay it shows.
    let config = Config {
        keep_history: false,
        ..config
    };
    let player = match rnyx::replay::Player::open(file, speed) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    match rnyx::monitor::replay(player, &config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// `rnyx prompt`, asking for the password when tor wants one.
async fn prompt(mut task: rnyx::controller::ControllerConfig, run: &[String]) -> ExitCode {
    let mut result = rnyx::prompt::run(&task, run).await;
    if matches!(&result, Err(e) if e.needs_password()) && task.password.is_none() {
        if let Some(p) = prompt_password() {
            task.password = Some(p);
            result = rnyx::prompt::run(&task, run).await;
        }
    }
    match result {
        Ok(status) => ExitCode::from(status),
        Err(e) => fail(&e.to_string()),
    }
}

/// A relay's password: its own file (nyxrc), else the one given for all.
async fn dump(settings: &Settings, relays: &[rnyx::relays::RelaySpec], cli: &Cli) -> ExitCode {
    let scrub = rnyx::dump::Scrub {
        addresses: !cli.no_scrub,
        onions: !settings.config.show_onion_addresses,
    };
    let options = (scrub, cli.history);
    let one = |r: &rnyx::relays::RelaySpec, password: Option<String>| {
        let task = settings.task(r, password.clone());
        async move {
            let task = task.map_err(rnyx::dump::DumpError::Lost)?;
            let mut result = rnyx::dump::dump(task.clone(), options).await;
            if matches!(&result, Err(e) if e.needs_password()) && password.is_none() {
                if let Some(p) = prompt_password() {
                    let task = rnyx::controller::ControllerConfig {
                        password: Some(p),
                        ..task
                    };
                    result = rnyx::dump::dump(task, options).await;
                }
            }
            result
        }
    };
    if let [r] = relays {
        let password = match settings.password_of(r) {
            Ok(p) => p,
            Err(e) => return fail(&e),
        };
        return match one(r, password).await {
            Ok(json) => {
                print_out(&format!("{json}\n"));
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        };
    }
    let mut all = serde_json::Map::new();
    let mut failed = false;
    for r in relays {
        let value = match settings.password_of(r) {
            Err(e) => serde_json::json!({ "error": e }),
            Ok(password) => match one(r, password).await {
                Ok(json) => serde_json::from_str(&json).unwrap_or_default(),
                Err(e) => serde_json::json!({ "error": e.to_string() }),
            },
        };
        failed |= value.get("error").is_some();
        all.insert(r.name.clone(), value);
    }
    print_out(&format!(
        "{}\n",
        serde_json::to_string_pretty(&all).unwrap_or_default()
    ));
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The settings, built once, and the relays to watch.
async fn settings_and_relays(
    cli: &Cli,
) -> Result<(Settings, Vec<rnyx::relays::RelaySpec>), String> {
    let settings = Settings::load(cli)?.with_password(cli)?;
    let relays = settings.relays(cli).await?;
    Ok((settings, relays))
}

async fn check(cli: &Cli) -> ExitCode {
    use rnyx::check::{Checked, Finding, Status};
    let unknown = |why: &str| {
        if cli.check {
            print_out(&format!("RNYX UNKNOWN - {}\n", why.replace('|', "/")));
            ExitCode::from(Status::Unknown.code())
        } else {
            fail(why)
        }
    };
    let (settings, relays) = match settings_and_relays(cli).await {
        Ok(both) => both,
        Err(e) => return unknown(&e),
    };
    let mut checked = Vec::new();
    for r in &relays {
        let finding = match settings.password_of(r) {
            Err(e) => Finding::Unknown(e),
            Ok(p) => match settings.task(r, p) {
                Ok(task) => rnyx::check::watch(task).await,
                Err(e) => Finding::Unknown(e),
            },
        };
        // A place found stands for a name until tor says its nickname.
        let name = match &finding {
            Finding::Watched(s) if !r.given => {
                s.facts.relay.nickname.clone().unwrap_or(r.name.clone())
            }
            _ => r.name.clone(),
        };
        let host = r.ssh.as_ref().map(|s| s.host.clone());
        checked.push(Checked {
            name,
            host,
            finding,
        });
    }
    if cli.check {
        let (status, text) = rnyx::check::report(&checked);
        print_out(&text);
        return ExitCode::from(status.code());
    }
    let text = rnyx::check::openmetrics(&checked);
    if let Some(path) = &cli.output {
        if let Err(e) = rnyx::files::replace_file(path, &text, false) {
            return fail(&format!("cannot write {}: {e}", path.display()));
        }
    } else {
        print_out(&text);
    }
    // Written whatever happened (rnyx_up says which relays were watched);
    // a relay not watched still fails the run, so cron says so.
    if checked
        .iter()
        .all(|c| matches!(c.finding, Finding::Watched(_)))
    {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `rnyx watch`: `rnyx-watch`, beside this binary, run in this process's
/// place with the same arguments; what went wrong if it could not be.
fn watch() -> String {
    use std::os::unix::process::CommandExt as _;
    let beside = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.join("rnyx-watch")));
    let Some(program) = beside.filter(|p| p.is_file()) else {
        return "rnyx watch runs rnyx-watch, which is not beside this rnyx; install both (cargo install, the Debian package)".into();
    };
    let e = std::process::Command::new(&program)
        .args(std::env::args_os().skip(1))
        .exec();
    format!("cannot run {}: {e}", program.display())
}

fn helper(r: std::io::Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

/// Says why on stderr (if there is still one: a terminal gone is no
/// reason to panic), exit 1.
fn fail(msg: &str) -> ExitCode {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "rnyx: {msg}");
    ExitCode::FAILURE
}
