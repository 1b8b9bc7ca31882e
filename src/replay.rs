//! Playing a recording (`rnyx replay FILE`): a stand-in for tor that the
//! monitor connects to as to any tor. Events come at the times they were
//! recorded; a command is answered with the reply tor gave to the same
//! command in the recording (the first not used yet), else with
//! `551 not available in a replay`.

use crate::control::{AuthMethod, Client, Connection, ProtocolInfo, Target};
use crate::record::Line;
use std::collections::VecDeque;
use std::path::Path;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// What a recording holds, ready to play.
#[derive(Debug, Default)]
pub struct Script {
    /// (ms since start, the event's lines).
    pub events: Vec<(u64, Vec<String>)>,
    /// (the command as written, tor's reply's lines), in order.
    pub replies: Vec<(String, Vec<String>)>,
}

/// A reply's or an event's lines end with a line `NNN ` (a space after the
/// status), outside a data block.
fn ends_reply(line: &str, in_data: bool) -> bool {
    !in_data && line.len() >= 4 && line.as_bytes()[3] == b' '
}

impl Script {
    /// Pairs each command with the reply that followed it (tor answers in
    /// order) and sets the events apart.
    pub fn of(lines: &[Line]) -> Self {
        let mut s = Script::default();
        let mut commands: VecDeque<String> = VecDeque::new();
        let mut current: Vec<String> = Vec::new();
        let mut started_at = 0;
        let mut in_data = false;
        for l in lines {
            if l.d == ">" {
                commands.push_back(l.l.clone());
                continue;
            }
            if current.is_empty() {
                started_at = l.t;
            }
            current.push(l.l.clone());
            if in_data {
                in_data = l.l != ".";
                continue;
            }
            if l.l.len() >= 4 && l.l.as_bytes()[3] == b'+' {
                in_data = true;
                continue;
            }
            if ends_reply(&l.l, false) {
                let lines = std::mem::take(&mut current);
                if lines[0].starts_with("650") {
                    s.events.push((started_at, lines));
                } else if let Some(command) = commands.pop_front() {
                    s.replies.push((command, lines));
                }
            }
        }
        s
    }

    /// The reply to `command`: the first recorded for it not used yet.
    fn answer(&mut self, used: &mut [bool], command: &str) -> Option<Vec<String>> {
        let i = self
            .replies
            .iter()
            .enumerate()
            .position(|(i, (c, _))| !used[i] && c == command)?;
        used[i] = true;
        Some(self.replies[i].1.clone())
    }
}

/// A connection to the stand-in for the recording at `path`, playing at
/// `speed` (2: twice as fast).
pub fn connect(path: &Path, speed: f64) -> Result<Connection, String> {
    let (_, lines) = crate::record::read(path)?;
    let mut script = Script::of(&lines);
    let (ours, theirs) = tokio::io::duplex(1 << 20);
    let (client, events) = Client::new(ours);
    tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(theirs);
        let mut commands = BufReader::new(read).lines();
        let mut used = vec![false; script.replies.len()];
        let events = std::mem::take(&mut script.events);
        let start = tokio::time::Instant::now();
        let mut next = events.into_iter().peekable();
        loop {
            let due = next.peek().map(|(t, _)| {
                start + std::time::Duration::from_secs_f64(*t as f64 / 1000.0 / speed.max(0.01))
            });
            tokio::select! {
                command = commands.next_line() => {
                    let Ok(Some(command)) = command else { return };
                    let reply = script.answer(&mut used, command.trim_end()).unwrap_or_else(|| {
                        vec![format!("551 {} is not available in a replay", first_word(&command))]
                    });
                    for l in reply {
                        if write.write_all(format!("{l}\r\n").as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
                () = async {
                    match due {
                        Some(d) => tokio::time::sleep_until(d).await,
                        None => std::future::pending().await,
                    }
                } => {
                    if let Some((_, lines)) = next.next() {
                        for l in lines {
                            if write.write_all(format!("{l}\r\n").as_bytes()).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            }
        }
    });
    Ok(Connection {
        client,
        events,
        target: Target::Unix(path.to_owned()),
        method: AuthMethod::None,
        protocol_info: ProtocolInfo::default(),
    })
}

fn first_word(command: &str) -> &str {
    command.split_whitespace().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(t: u64, d: &str, l: &str) -> Line {
        Line {
            t,
            d: d.into(),
            l: l.into(),
        }
    }

    #[test]
    fn commands_get_their_replies_and_events_their_times() {
        let lines = [
            line(0, ">", "GETINFO version"),
            line(1, "<", "250-version=0.4.9.11"),
            line(1, "<", "250 OK"),
            line(5, "<", "650 BW 10 20"),
            line(6, ">", "GETINFO ns/all"),
            line(7, "<", "250+ns/all="),
            line(7, "<", "r relay 250 x"),
            line(7, "<", "."),
            line(7, "<", "250 OK"),
        ];
        let mut s = Script::of(&lines);
        assert_eq!(s.events, [(5, vec!["650 BW 10 20".to_owned()])]);
        assert_eq!(s.replies.len(), 2);
        let mut used = vec![false; 2];
        assert_eq!(
            s.answer(&mut used, "GETINFO ns/all").unwrap(),
            ["250+ns/all=", "r relay 250 x", ".", "250 OK"]
        );
        assert_eq!(s.answer(&mut used, "GETINFO ns/all"), None);
        assert_eq!(s.answer(&mut used, "SIGNAL NEWNYM"), None);
    }
}
