//! The async control-port client. Generic over any `AsyncRead + AsyncWrite`
//! (a TCP stream, a unix socket, or `tokio::io::duplex` in tests). Commands
//! are pipelined and replies matched to them in order; asynchronous events
//! are framed, parsed and delivered in batches on their own channel.

use super::reply::{FrameError, Reply, ReplyFramer};
use rnyx_grammar::command::Command;
pub use rnyx_grammar::incoming::{take_events, Batch, Incoming};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

/// How long a command may wait for its reply unless told otherwise.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(15);

/// Event batches waiting for the consumer. Few: while they wait, what the
/// reader reads goes into the one batch it holds (one run of log lines
/// growing), not into many small ones each with its own buffers (64 queued
/// reads of 64 KiB were 4 MB more at the peak of a flood).
const EVENT_BATCHES_QUEUED: usize = 4;

/// Events held by the reader beyond the queue (about 200 ms of tor's DEBUG
/// firehose, twice what the controller gathers in a flood; log lines are
/// held as their bytes, about 100 each); past this it stops reading (and
/// tor buffers) until the consumer takes them.
const MAX_PENDING_EVENTS: usize = 32_768;

/// The read buffer.
const READ_BUFFER: usize = 64 * 1024;

/// What can go wrong talking to tor once connected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("the connection to tor closed")]
    Closed,
    #[error("error talking to tor: {0}")]
    Io(String),
    #[error("tor did not answer `{command}` within {secs} s")]
    Timeout { command: String, secs: u64 },
    #[error("tor refused `{command}`: {status} {message}")]
    Rejected {
        command: String,
        status: u16,
        message: String,
    },
    #[error("a command must be one line, or a multi-line `+` command ending in CRLF.CRLF")]
    BadCommand,
    #[error("cannot send {verb}: {reason}")]
    Unsendable { verb: &'static str, reason: String },
}

/// Receives event batches; `None` once the connection is gone.
pub type EventReceiver = mpsc::Receiver<Batch>;

type Waiter = oneshot::Sender<Result<Reply, ClientError>>;

struct Shared {
    /// Waiting commands, in the order they were written.
    pending: Mutex<VecDeque<Waiter>>,
    closed: Mutex<Option<ClientError>>,
    /// When the connection was made, and the milliseconds after it at which
    /// tor was last heard from (anything read).
    start: Instant,
    heard_ms: AtomicU64,
}

impl Shared {
    fn heard(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.heard_ms.store(ms, Ordering::Relaxed);
    }
}

/// A connected control-port client. Cheap to clone; all clones share the
/// connection.
#[derive(Clone)]
pub struct Client {
    writer: Arc<tokio::sync::Mutex<Box<dyn AsyncWrite + Send + Unpin>>>,
    shared: Arc<Shared>,
    timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a client on `stream`. Spawns the reader task on the current
    /// tokio runtime; it ends when the stream does.
    pub fn new<S>(stream: S) -> (Client, EventReceiver)
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (read, write) = tokio::io::split(stream);
        let shared = Arc::new(Shared {
            pending: Mutex::new(VecDeque::new()),
            closed: Mutex::new(None),
            start: Instant::now(),
            heard_ms: AtomicU64::new(0),
        });
        let (tx, rx) = mpsc::channel(EVENT_BATCHES_QUEUED);
        tokio::spawn(read_loop(read, Arc::clone(&shared), tx));
        let client = Client {
            writer: Arc::new(tokio::sync::Mutex::new(Box::new(write))),
            shared,
            timeout: DEFAULT_COMMAND_TIMEOUT,
        };
        (client, rx)
    }

    /// Sets how long commands wait for their reply.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether the connection has ended.
    pub fn is_closed(&self) -> bool {
        lock(&self.shared.closed).is_some()
    }

    /// How long since tor last sent anything (a reply or an event).
    pub fn silent_for(&self) -> Duration {
        let heard = Duration::from_millis(self.shared.heard_ms.load(Ordering::Relaxed));
        self.shared.start.elapsed().saturating_sub(heard)
    }

    /// Why the connection ended, once it has.
    pub fn close_reason(&self) -> Option<ClientError> {
        lock(&self.shared.closed).clone()
    }

    /// Sends one command and waits for its reply, whatever its status.
    pub async fn command(&self, command: &str) -> Result<Reply, ClientError> {
        let wire = to_wire(command)?;
        let rx = {
            let mut writer = self.writer.lock().await;
            if let Some(e) = lock(&self.shared.closed).clone() {
                return Err(e);
            }
            let (tx, rx) = oneshot::channel();
            // Queue the waiter before writing, under the writer lock, so the
            // queue's order is the wire's order.
            lock(&self.shared.pending).push_back(tx);
            let written = async {
                writer.write_all(wire.as_bytes()).await?;
                writer.flush().await
            }
            .await;
            if let Err(e) = written {
                let err = ClientError::Io(e.to_string());
                close(&self.shared, &err);
                return Err(err);
            }
            rx
        };
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(ClientError::Closed),
            // The waiter stays queued, so later replies still match their commands.
            Err(_) => Err(ClientError::Timeout {
                command: first_word(command).to_owned(),
                secs: self.timeout.as_secs(),
            }),
        }
    }

    /// Sends a command and returns its reply if tor accepted it (2xx).
    pub async fn command_ok(&self, command: &str) -> Result<Reply, ClientError> {
        let reply = self.command(command).await?;
        if reply.is_ok() {
            Ok(reply)
        } else {
            Err(ClientError::Rejected {
                command: first_word(command).to_owned(),
                status: reply.status,
                message: reply.message().to_owned(),
            })
        }
    }

    /// Sends a typed command (`rnyx_grammar::command`), written per the
    /// spec; the reply whatever its status.
    pub async fn send(&self, command: &Command) -> Result<Reply, ClientError> {
        self.command(&Self::line(command)?).await
    }

    /// Sends a typed command; a refusal is an error.
    pub async fn send_ok(&self, command: &Command) -> Result<Reply, ClientError> {
        self.command_ok(&Self::line(command)?).await
    }

    fn line(command: &Command) -> Result<String, ClientError> {
        command.line().map_err(|e| ClientError::Unsendable {
            verb: command.verb(),
            reason: e.0,
        })
    }

    /// `GETINFO key`: the value of one key.
    pub async fn getinfo(&self, key: &str) -> Result<String, ClientError> {
        let line = Self::line(&Command::GetInfo(vec![key.to_owned()]))?;
        let reply = self.command_ok(&line).await?;
        let value = reply
            .key_values()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_owned());
        Ok(value.unwrap_or_default())
    }

    /// `GETCONF key`: every value of one option (empty when unset).
    pub async fn getconf(&self, key: &str) -> Result<Vec<String>, ClientError> {
        let line = Self::line(&Command::GetConf(vec![key.to_owned()]))?;
        let reply = self.command_ok(&line).await?;
        Ok(reply
            .lines
            .iter()
            .filter_map(|l| match l.text.split_once('=') {
                Some((k, v)) if k.eq_ignore_ascii_case(key) => Some(v.to_owned()),
                _ => None,
            })
            .collect())
    }
}

fn first_word(command: &str) -> &str {
    command
        .trim_start_matches('+')
        .split([' ', '\r', '\n'])
        .next()
        .unwrap_or("")
}

/// Appends CRLF to a one-line command; multi-line (`+`) commands must
/// already be complete.
fn to_wire(command: &str) -> Result<String, ClientError> {
    if command.starts_with('+') {
        if !command.ends_with("\r\n.\r\n") {
            return Err(ClientError::BadCommand);
        }
        return Ok(command.to_owned());
    }
    let line = command.trim_end_matches(['\r', '\n']);
    if line.is_empty() || line.contains(['\r', '\n']) {
        return Err(ClientError::BadCommand);
    }
    Ok(format!("{line}\r\n"))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn close(shared: &Shared, err: &ClientError) {
    let mut closed = lock(&shared.closed);
    if closed.is_none() {
        *closed = Some(err.clone());
    }
    drop(closed);
    for waiter in lock(&shared.pending).drain(..) {
        let _ = waiter.send(Err(err.clone()));
    }
}

async fn read_loop<R>(mut read: R, shared: Arc<Shared>, events: mpsc::Sender<Batch>)
where
    R: AsyncRead + Unpin,
{
    let mut framer = ReplyFramer::new();
    let mut buf = vec![0u8; READ_BUFFER];
    // Events read but not handed over: while the consumer is busy (or
    // gathering a flood) they grow into one batch rather than filling the
    // queue with small ones, which would stop the reading.
    let mut pending: Vec<Incoming> = Vec::new();
    // The events `pending` holds.
    let mut held = 0;
    let end = loop {
        let reading = held < MAX_PENDING_EVENTS;
        tokio::select! {
            permit = events.reserve(), if !pending.is_empty() => {
                match permit {
                    Ok(p) => p.send(Batch::now(std::mem::take(&mut pending))),
                    // Nobody listens for events; replies still flow.
                    Err(_) => pending.clear(),
                }
                held = 0;
                continue;
            }
            n = read.read(&mut buf), if reading => {
                let n = match n {
                    Ok(0) => break ClientError::Closed,
                    Ok(n) => n,
                    Err(e) => break ClientError::Io(e.to_string()),
                };
                shared.heard();
                framer.push(&buf[..n]);
            }
        }
        held += take_events(&mut framer, &mut pending, |reply| {
            let waiter = lock(&shared.pending).pop_front();
            match waiter {
                Some(w) => {
                    let _ = w.send(Ok(reply));
                    None
                }
                None => Some(Incoming::Malformed(FrameError::Malformed(format!(
                    "unexpected reply with no command waiting: {} {}",
                    reply.status,
                    reply.message()
                )))),
            }
        });
        if !pending.is_empty() {
            // Sent, or nobody listens: held no more. Full: kept.
            match events.try_send(Batch::now(std::mem::take(&mut pending))) {
                Err(mpsc::error::TrySendError::Full(back)) => pending = back.items,
                Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => held = 0,
            }
        }
    };
    // What was read before the end still goes.
    if !pending.is_empty() {
        let _ = events.send(Batch::now(pending)).await;
    }
    close(&shared, &end);
}

#[cfg(test)]
mod tests;
