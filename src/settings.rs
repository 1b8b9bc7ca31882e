//! nyxrc and the command line made one validated value, once, in one place
//! ([`Settings::load`]); each part of rnyx takes the piece it needs from it
//! — a relay's controller task ([`Settings::task`]), the screen
//! (`monitor`), `--check`, `--dump`, `prompt` — so every nyxrc setting
//! that applies reaches every command.

use crate::cli::Cli;
use crate::config::Config;
use crate::control::Target;
use crate::controller::ControllerConfig;
use crate::relays::RelaySpec;

/// What rnyx runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// nyxrc, with the command line's `--log` and `--alert` over it.
    pub config: Config,
    /// The password given for every relay (`--password-file`,
    /// `RNYX_PASSWORD`).
    pub password: Option<String>,
}

impl Settings {
    /// nyxrc (`--config`, else the usual places), with the command line
    /// over it; what is wrong in either, said with where.
    pub fn load(cli: &Cli) -> Result<Self, String> {
        let mut config = Config::load(cli.config.as_deref())
            .map(|(c, _)| c)
            .map_err(|e| e.to_string())?;
        if let Some(list) = &cli.log {
            let (known, unknown) = rnyx_model::EventSelection::parse([list.as_str()]);
            if !unknown.is_empty() {
                config
                    .warnings
                    .push(crate::config::unknown_events_warning(&unknown, "--log"));
            }
            config.logged_events = known;
        }
        for a in &cli.alerts {
            crate::config::set_alert(&mut config.alerts, a)?;
        }
        Ok(Self {
            config,
            password: None,
        })
    }

    /// The same, with the password given for every relay read.
    pub fn with_password(mut self, cli: &Cli) -> Result<Self, String> {
        self.password = cli.given_password()?;
        Ok(self)
    }

    /// The relays the command line names, else nyxrc's, else those found.
    pub async fn relays(&self, cli: &Cli) -> Result<Vec<RelaySpec>, String> {
        cli.relays(&self.config.relays).await
    }

    /// A relay's password: its own file (nyxrc), else the one given.
    pub fn password_of(&self, r: &RelaySpec) -> Result<Option<String>, String> {
        match &r.password_file {
            Some(path) => std::fs::read_to_string(path)
                .map(|t| Some(t.lines().next().unwrap_or("").to_owned()))
                .map_err(|e| {
                    format!(
                        "relay `{}`: cannot read the password file {}: {e}",
                        r.name,
                        path.display()
                    )
                }),
            None => Ok(self.password.clone()),
        }
    }

    /// What the task of a replay of `player` is started with: its host the
    /// recording's stand-in, no graph history kept.
    pub fn replay(&self, player: std::sync::Arc<crate::replay::Player>) -> ControllerConfig {
        let target = crate::control::Target::Unix(player.name.clone().into());
        ControllerConfig {
            host: crate::host::replay(player),
            history_dir: None,
            ..task_of(&self.config, vec![target], None)
        }
    }

    /// What a relay's controller task is started with: its host this
    /// machine (under nyxrc's `tor_chroot`), or the one ssh reaches.
    pub fn task(
        &self,
        r: &RelaySpec,
        password: Option<String>,
    ) -> Result<ControllerConfig, String> {
        let mut task = task_of(&self.config, r.targets.clone(), password);
        if let Some(spec) = &r.ssh {
            let dir = crate::host::runtime_dir()?;
            task.host = std::sync::Arc::new(crate::host::Ssh::new(
                spec.clone(),
                &self.config.ssh_command,
                &dir,
            ));
        }
        Ok(task)
    }
}

/// What a controller task takes from nyxrc, watching `targets` on this
/// machine (under `tor_chroot`).
pub fn task_of(
    config: &Config,
    targets: Vec<Target>,
    password: Option<String>,
) -> ControllerConfig {
    let c = config;
    ControllerConfig {
        targets,
        password,
        log_events: c.logged_events.clone(),
        limits: rnyx_model::Limits {
            log_entries: c.max_log_size,
            ..rnyx_model::Limits::default()
        },
        reconnect_initial: ControllerConfig::RECONNECT_INITIAL,
        reconnect_max: ControllerConfig::RECONNECT_MAX,
        refresh_interval: ControllerConfig::REFRESH_INTERVAL,
        utc_offset: crate::local::utc_offset(),
        history_read_only: false,
        starting: None,
        write_logs_to: c.write_logs_to.clone(),
        prepopulate_lines: if c.prepopulate_log {
            c.prepopulate_read_limit
        } else {
            0
        },
        warnings: c.warnings.clone(),
        notices: c.notices.clone(),
        connection_rate: std::time::Duration::from_secs(u64::from(c.connection_rate)),
        metrics_port: c.metrics_port.clone(),
        metrics_interval: std::time::Duration::from_secs(u64::from(c.metrics_interval)),
        host: crate::host::local(c.tor_chroot.clone()),
        alerts: c.alerts.clone(),
        history_dir: if c.keep_history {
            crate::history::default_dir()
        } else {
            None
        },
    }
}

/// `task`, everything its host reads also written to `recorder`.
pub fn recorded(task: ControllerConfig, recorder: &crate::record::Recorder) -> ControllerConfig {
    ControllerConfig {
        host: crate::host::recording(task.host.clone(), recorder.clone()),
        ..task
    }
}
