use clap::Parser;
use rnyx::cli::{prompt_password, Cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    let targets = match cli.targets() {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let mut password = match cli.given_password() {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if cli.dump {
        let mut result = rnyx::dump::dump(&targets, password.as_deref()).await;
        if matches!(&result, Err(e) if e.needs_password()) {
            if let Some(p) = prompt_password() {
                password = Some(p);
                result = rnyx::dump::dump(&targets, password.as_deref()).await;
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
    fail("the interactive monitor is not built yet; use --dump")
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("rnyx: {msg}");
    ExitCode::FAILURE
}
