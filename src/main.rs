use clap::Parser;
use rnyx::cli::{prompt_password, Cli, Command};
use rnyx::config::Config;
use std::process::ExitCode;

// A DEBUG firehose allocates and frees a few small strings per event;
// mimalloc makes that about a quarter cheaper than glibc's malloc
// (benches/parse_events.rs, parse_and_apply).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::DemoServe {
            port,
            parent,
            unthrottled,
        }) => return helper(rnyx::demo::serve(*port, *parent, *unthrottled)),
        Some(Command::DemoFetch {
            socks,
            port,
            parent,
            once,
        }) => return helper(rnyx::demo::fetch(*socks, *port, *parent, *once)),
        _ => {}
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> ExitCode {
    // --dump does not read nyxrc: scripts keep working whatever it says.
    let load_config = || {
        Config::load(cli.config.as_deref()).map(|(mut c, _)| {
            if let Some(list) = &cli.log {
                let (known, unknown) = rnyx_panels::model::EventSelection::parse([list.as_str()]);
                if !unknown.is_empty() {
                    c.warnings
                        .push(rnyx::config::unknown_events_warning(&unknown, "--log"));
                }
                c.logged_events = known;
            }
            c
        })
    };
    if let Some(Command::Demo) = cli.command {
        let config = match load_config() {
            Ok(c) => c,
            Err(e) => return fail(&e.to_string()),
        };
        return match rnyx::demo::run(&config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        };
    }
    let targets = match cli.targets() {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let mut password = match cli.given_password() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if let Some(Command::Prompt { run }) = &cli.command {
        let mut result = rnyx::prompt::run(&targets, password.as_deref(), run).await;
        if matches!(&result, Err(e) if e.contains("password")) && password.is_none() {
            if let Some(p) = prompt_password() {
                password = Some(p);
                result = rnyx::prompt::run(&targets, password.as_deref(), run).await;
            }
        }
        return match result {
            Ok(status) => ExitCode::from(status),
            Err(e) => fail(&e),
        };
    }
    if cli.dump {
        let mut result =
            rnyx::dump::dump(&targets, password.as_deref(), !cli.no_scrub, cli.history).await;
        if matches!(&result, Err(e) if e.needs_password()) {
            if let Some(p) = prompt_password() {
                password = Some(p);
                result =
                    rnyx::dump::dump(&targets, password.as_deref(), !cli.no_scrub, cli.history)
                        .await;
            }
        }
        return match result {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        };
    }
    let config = match load_config() {
        Ok(c) => c,
        Err(e) => return fail(&e.to_string()),
    };
    // Connect before the TUI owns the terminal, so a password can be asked
    // for; the connection is handed to the controller task.
    let mut first = None;
    match rnyx::control::connect(&targets, password.as_deref()).await {
        Ok(conn) => first = Some(conn),
        Err(e) if e.needs_password() && password.is_none() => password = prompt_password(),
        Err(_) => {} // the monitor shows it and keeps trying
    }
    match rnyx::monitor::run(targets, password, first, &config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn helper(r: std::io::Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("rnyx: {msg}");
    ExitCode::FAILURE
}
