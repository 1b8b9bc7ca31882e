//! tor's configuration for pages 3 and 4: read from tor in one go (names,
//! defaults, one GETCONF for every option, config-text, config-file), and
//! the torrc with what it includes, as the host reads them. Re-read on
//! CONF_CHANGED and SIGNAL RELOAD.

use super::inbox::{Done, Loaded};
use crate::control::Client;
use crate::host::SharedHost;
use rnyx_grammar::getinfo;
use rnyx_model::TorConfig;

/// Asks tor for its whole configuration.
pub async fn load(client: &Client) -> Result<TorConfig, String> {
    let names = client
        .getinfo("config/names")
        .await
        .map_err(|e| format!("GETINFO config/names: {e}"))?;
    let names = getinfo::config_names(&names);
    let (defaults, text, file) = tokio::join!(
        client.getinfo("config/defaults"),
        client.getinfo("config-text"),
        client.getinfo("config-file"),
    );
    let defaults = getinfo::config_defaults(&defaults.unwrap_or_default());
    // Virtual options answer with the lines of others (`SocksPortLines`
    // gives `SocksPort=…`): they are not asked, so no option gets another's.
    let all: Vec<&str> = names
        .iter()
        .filter(|(_, kind)| kind != "Virtual")
        .map(|(n, _)| n.as_str())
        .collect();
    let reply = client
        .send_ok(&rnyx_grammar::command::Command::GetConf(
            all.iter().map(|o| (*o).to_owned()).collect(),
        ))
        .await
        .map_err(|e| format!("GETCONF of {} options: {e}", all.len()))?;
    let file = file.ok().filter(|f| !f.is_empty());
    Ok(TorConfig::from_tor(
        &names,
        &defaults,
        &reply.conf_values(),
        text.unwrap_or_default(),
        file,
    ))
}

/// The session's side of the configuration: reads in tasks of their own,
/// one at a time (a burst of CONF_CHANGED gives one more read, not many).
pub(super) struct ConfigWatch {
    /// Reads come back to the task's inbox.
    post: super::inbox::Post,
    reading: bool,
    again: bool,
    host: SharedHost,
}

impl ConfigWatch {
    pub fn new(host: SharedHost, post: super::inbox::Post) -> Self {
        Self {
            post,
            reading: false,
            again: false,
            host,
        }
    }

    /// Reads tor's configuration and torrc again (once the read under way
    /// is done, if there is one). `pid`: tor's, as it gave it.
    pub fn reload(&mut self, client: &Client, pid: Option<u32>) {
        if self.reading {
            self.again = true;
            return;
        }
        self.reading = true;
        let (client, post, host) = (client.clone(), self.post.clone(), self.host.clone());
        let now = host.clock().now_secs();
        tokio::spawn(async move {
            let config = load(&client).await;
            let file = config.as_ref().ok().and_then(|c| c.file.clone());
            let torrc = host.torrc(file, pid, now).await;
            post.send(Done::Torrc(Box::new((config, torrc)))).await;
        });
    }

    /// A read is back: into the state. True when another read is due.
    pub fn apply(&mut self, state: &super::SharedState, (config, torrc): Loaded) -> bool {
        self.reading = false;
        state.update(|s| match config {
            Ok(mut c) => {
                // Nothing new from the host: the torrc as it was.
                c.torrc = torrc.unwrap_or_else(|| std::mem::take(&mut s.facts.config.torrc));
                c.loaded = s.session.updated_ms / 1000;
                c.reconcile();
                s.facts.config = c;
            }
            Err(e) => s.facts.config.error = Some(e),
        });
        std::mem::take(&mut self.again)
    }
}

#[cfg(test)]
mod tests {
    use rnyx_grammar::torrc::command_line;

    #[test]
    fn tors_command_line_options_without_its_flags() {
        let cmd = b"/usr/bin/tor\0--defaults-torrc\0/usr/share/tor/defaults\0-f\0/etc/tor/torrc\0--RunAsDaemon\x000\0--verify-config\0__OwningControllerProcess\x0042\0";
        assert_eq!(
            command_line(cmd),
            [
                ("RunAsDaemon".to_owned(), "0".to_owned()),
                ("__OwningControllerProcess".to_owned(), "42".to_owned())
            ]
        );
    }
}
