//! `rnyx-watch`: `rnyx watch` in a binary of its own, which `rnyx watch`
//! runs in its place (the same process). Its HTTP — ureq, rustls and ring
//! for the notifications, hyper for the exporter — stays out of the
//! monitor's binary: an operator who only runs the monitor does not load
//! it (docs/performance.md).

use clap::Parser;
use rnyx::cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(Command::Watch { listen }) = &cli.command else {
        eprintln!("rnyx-watch: run as `rnyx watch` (rnyx-watch watch [OPTIONS])");
        return ExitCode::from(2);
    };
    // One thread, as the monitor: the watch loop, the relays' tasks and
    // the exporter wait on nothing long (deliveries run on the blocking
    // pool).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rnyx: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(rnyx::watch::run(&cli, listen.as_deref())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rnyx: {e}");
            ExitCode::FAILURE
        }
    }
}
