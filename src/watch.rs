//! `rnyx watch`: headless, for a systemd unit. One controller task a relay
//! (the monitor's task, whose alerts it judges as on screen), a loop that
//! hands their alerts to the [`Notifier`] every second, and, with
//! `--listen`, an exporter for Prometheus. It logs to stderr with
//! journald's priority prefixes, reloads nyxrc on SIGHUP and stops on
//! SIGTERM or SIGINT, what it holds written out.

mod exporter;

use crate::cli::Cli;
use crate::controller::{spawn, ControllerHandle};
use crate::notify::{say, Current, Level, Notifier};
use crate::relays::RelaySpec;
use crate::settings::Settings;
use exporter::Exported;
use rnyx_model::ControllerState;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One relay watched: its key (nyxrc's or the command line's name), its
/// task, and whether the task has settled (before that its alerts are
/// not yet judged on what tor says).
#[derive(Clone)]
pub struct Watched {
    pub key: String,
    /// The operator named it (nyxrc): tor's nickname does not replace it.
    pub given: bool,
    pub host: Option<String>,
    pub handle: ControllerHandle,
    pub settled: Arc<AtomicBool>,
}

impl Watched {
    /// Its name in messages and metrics: the operator's, else tor's
    /// nickname once known, else the place found.
    pub fn shown(&self, s: &ControllerState) -> String {
        match (&s.facts.relay.nickname, self.given) {
            (Some(nick), false) => nick.clone(),
            _ => self.key.clone(),
        }
    }
}

/// `--listen`'s value: `[ADDRESS:]PORT`, the address loopback unless given.
pub fn listen_address(s: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse()
        .map_err(|_| format!("`{s}`: expected [ADDRESS:]PORT, e.g. 9099 or 127.0.0.1:9099"))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What the relays' tasks are started with: nyxrc and the relays, built
/// once; compared on SIGHUP to know whether the tasks start again.
#[derive(PartialEq)]
struct Basis {
    config: crate::config::Config,
    relays: Vec<RelaySpec>,
}

async fn basis(cli: &Cli) -> Result<(Settings, Basis), String> {
    let settings = Settings::load(cli)?.with_password(cli)?;
    let relays = settings.relays(cli).await?;
    let mut config = settings.config.clone();
    config.notify = crate::config::notify::NotifySettings::default();
    Ok((settings, Basis { config, relays }))
}

/// Each relay's task, started.
fn start(settings: &Settings, relays: &[RelaySpec]) -> Result<Vec<Watched>, String> {
    let mut watched = Vec::new();
    for r in relays {
        let password = settings.password_of(r)?;
        let handle = spawn(settings.task(r, password)?);
        let settled = Arc::new(AtomicBool::new(false));
        let (h, flag) = (handle.clone(), settled.clone());
        tokio::spawn(async move {
            // Answered once the state holds what is due, or at once with
            // why tor cannot be watched: either way its alerts are judged.
            let _ = h
                .ask(rnyx_grammar::request::SessionRequest::Settled.into())
                .await;
            flag.store(true, Ordering::Relaxed);
        });
        say(
            Level::Info,
            &format!(
                "watching {}{}",
                r.name,
                r.ssh
                    .as_ref()
                    .map_or(String::new(), |s| format!(" on {}", s.host))
            ),
        );
        watched.push(Watched {
            key: r.name.clone(),
            given: r.given,
            host: r.ssh.as_ref().map(|s| s.host.clone()),
            handle,
            settled,
        });
    }
    Ok(watched)
}

/// Runs until SIGTERM or SIGINT. An error: what keeps it from starting.
pub async fn run(cli: &Cli, listen: Option<&str>) -> Result<(), String> {
    use tokio::signal::unix::{signal, SignalKind};
    let (settings, mut basis) = basis(cli).await?;
    let mut notifier =
        Notifier::start(settings.config.notify.clone(), crate::notify::outbox_path())?;
    let exported = Arc::new(Exported::default());
    let server = match listen {
        Some(l) => Some(listen_on(l, exported.clone()).await?),
        None => None,
    };
    let mut watched = start(&settings, &basis.relays)?;
    notifier.relays_are(&keys(&watched));
    exported.set_relays(&watched);
    let signals = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    );
    let (Ok(mut hup), Ok(mut term), Ok(mut int)) = signals else {
        return Err("cannot catch SIGHUP, SIGTERM and SIGINT".into());
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = unix_now();
                exported.beat.store(now, Ordering::Relaxed);
                observe(&mut notifier, &watched, now);
            }
            _ = hup.recv() => {
                if let Some(w) = reload(cli, &mut basis, &mut notifier).await {
                    watched = w;
                    notifier.relays_are(&keys(&watched));
                    exported.set_relays(&watched);
                }
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    say(Level::Notice, "stopping");
    if let Some(s) = server {
        s.abort();
    }
    notifier.close(unix_now());
    // The graphs as they stand, for the next start (at most a few seconds).
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        for w in &watched {
            if let Err(e) = w.handle.save_history().await {
                say(Level::Warning, &e);
            }
        }
    })
    .await;
    Ok(())
}

fn keys(watched: &[Watched]) -> Vec<String> {
    watched.iter().map(|w| w.key.clone()).collect()
}

/// Binds the exporter (a warning when not on loopback) and serves it.
async fn listen_on(
    listen: &str,
    exported: Arc<Exported>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let at = listen_address(listen)?;
    let listener = tokio::net::TcpListener::bind(at)
        .await
        .map_err(|e| format!("cannot listen on {at}: {}", crate::config::io_reason(&e)))?;
    if !at.ip().is_loopback() {
        say(
            Level::Warning,
            &format!(
                "the exporter listens on {at}, beyond this machine: anyone who reaches it reads the relays' alerts and figures; firewall it or use a loopback address"
            ),
        );
    }
    let at = listener.local_addr().unwrap_or(at);
    say(
        Level::Info,
        &format!("serving /metrics and /healthz on http://{at}"),
    );
    Ok(tokio::spawn(exporter::serve(listener, exported)))
}

/// Every settled relay's alerts to the notifier.
fn observe(notifier: &mut Notifier, watched: &[Watched], now: u64) {
    let seen: Vec<(String, Vec<rnyx_model::health::Alert>)> = watched
        .iter()
        .filter(|w| w.settled.load(Ordering::Relaxed))
        .map(|w| {
            w.handle
                .state
                .read(|s| (w.shown(s), s.health.active.clone()))
        })
        .collect();
    let current: Vec<Current> = watched
        .iter()
        .filter(|w| w.settled.load(Ordering::Relaxed))
        .zip(&seen)
        .map(|(w, (shown, alerts))| Current {
            key: &w.key,
            relay: shown,
            host: w.host.as_deref(),
            alerts,
        })
        .collect();
    notifier.observe(&current, now);
}

/// SIGHUP: nyxrc read again. The relays' tasks start again when what they
/// run with changed (their alerts told are kept; only changes are said);
/// the channels are replaced. A nyxrc that cannot be used changes nothing.
async fn reload(cli: &Cli, basis: &mut Basis, notifier: &mut Notifier) -> Option<Vec<Watched>> {
    let (settings, new) = match self::basis(cli).await {
        Ok(b) => b,
        Err(e) => {
            say(
                Level::Err,
                &format!("nyxrc not reloaded: {e}; going on as before"),
            );
            return None;
        }
    };
    if let Err(e) = notifier.reload(settings.config.notify.clone()) {
        say(
            Level::Err,
            &format!("[notify] not reloaded: {e}; going on as before"),
        );
    }
    if new == *basis {
        say(
            Level::Notice,
            "nyxrc reloaded; the relays watched are the same",
        );
        return None;
    }
    match start(&settings, &new.relays) {
        Ok(w) => {
            say(
                Level::Notice,
                &format!("nyxrc reloaded; watching {} relays anew", w.len()),
            );
            *basis = new;
            Some(w)
        }
        Err(e) => {
            say(
                Level::Err,
                &format!("nyxrc not reloaded: {e}; going on as before"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_takes_a_port_or_an_address() {
        assert_eq!(
            listen_address("9099").unwrap(),
            "127.0.0.1:9099".parse().unwrap()
        );
        assert_eq!(
            listen_address("[::1]:9099").unwrap(),
            "[::1]:9099".parse().unwrap()
        );
        assert!(listen_address("localhost:9099")
            .unwrap_err()
            .contains("[ADDRESS:]PORT"));
    }
}
