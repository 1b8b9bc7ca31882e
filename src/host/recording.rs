//! Any host, everything it answers also written to a recording (`rnyx
//! record`): the control connection through a tap, each batch of events
//! with the time rnyx gives it, and every reading of tor's machine — the
//! certificate's included — so that a replay answers alike.

use super::{Clock, Host, NotReplay, Seen, SharedHost, SocketAsk, TimedScan, TorLog, Wrap};
use crate::control::{ConnectError, Connection, EventReceiver, Target};
use crate::record::{self, Recorder};
use rnyx_model::{ControllerState, ReplayControl, SystemInfo, Torrc};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// Batches of events queued between the connection and the task.
const QUEUED: usize = 4;

#[derive(Debug)]
pub struct Recording {
    inner: SharedHost,
    recorder: Recorder,
    /// The last socket scan and certificate written (only changes are).
    last: Mutex<(String, String)>,
}

impl Recording {
    pub fn new(inner: SharedHost, recorder: Recorder) -> Self {
        Self {
            inner,
            recorder,
            last: Mutex::default(),
        }
    }

    /// `value` under `kind`, when it differs from the last of its kind
    /// (`which` picks that one).
    fn changed<T: serde::Serialize>(
        &self,
        kind: record::Kind,
        value: &T,
        which: fn(&mut (String, String)) -> &mut String,
    ) {
        let json = serde_json::to_string(value).unwrap_or_default();
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let last = which(&mut last);
        if json != *last {
            self.recorder.sample(kind, value);
            *last = json;
        }
    }
}

/// Gives each batch of `events` its time (unix ms) as it passes, written
/// to the recording, so a replay stamps the events alike.
fn stamped(mut events: EventReceiver, recorder: Recorder) -> EventReceiver {
    let (tx, rx) = tokio::sync::mpsc::channel(QUEUED);
    tokio::spawn(async move {
        while let Some(mut batch) = events.recv().await {
            let at = *batch.at.get_or_insert_with(super::system_ms);
            recorder.sample(record::Kind::Applied, &at);
            if tx.send(batch).await.is_err() {
                break;
            }
        }
    });
    rx
}

#[async_trait::async_trait]
impl Host for Recording {
    fn name(&self) -> Option<String> {
        self.inner.name()
    }

    fn clock(&self) -> Clock {
        self.inner.clock()
    }

    async fn connect_wrapped(
        &self,
        targets: &[Target],
        password: Option<&str>,
        wrap: Option<Wrap>,
    ) -> Result<Connection, ConnectError> {
        let recorder = self.recorder.clone();
        let tap: Wrap = Arc::new(move |s| {
            let s = match &wrap {
                Some(w) => w(s),
                None => s,
            };
            Box::new(recorder.tap(s))
        });
        let mut conn = self
            .inner
            .connect_wrapped(targets, password, Some(tap))
            .await?;
        self.recorder.sample(
            record::Kind::Connected,
            &record::Connected {
                target: conn.target.to_string(),
                method: conn.method.as_str().to_owned(),
            },
        );
        let (_, placeholder) = tokio::sync::mpsc::channel(1);
        let events = std::mem::replace(&mut conn.events, placeholder);
        conn.events = stamped(events, self.recorder.clone());
        Ok(conn)
    }

    async fn connect_interpreter(
        &self,
        targets: &[Target],
        password: Option<&str>,
    ) -> Result<Connection, ConnectError> {
        self.inner.connect_interpreter(targets, password).await
    }

    fn process(&self, pid: Option<u32>) -> Vec<SystemInfo> {
        let samples = self.inner.process(pid);
        for s in &samples {
            self.recorder.sample(record::Kind::System, s);
        }
        samples
    }

    async fn sockets(&self, ask: SocketAsk) -> Vec<TimedScan> {
        let scans = self.inner.sockets(ask).await;
        for (_, s) in &scans {
            self.changed(record::Kind::Sockets, s, |l| &mut l.0);
        }
        scans
    }

    async fn torrc(&self, path: Option<String>, pid: Option<u32>, now: u64) -> Option<Torrc> {
        let torrc = self.inner.torrc(path, pid, now).await;
        if let Some(t) = &torrc {
            // Passwords left out.
            self.recorder
                .sample(record::Kind::Torrc, &record::redact_torrc(t));
        }
        torrc
    }

    async fn cert(&self, keys: PathBuf) -> Option<u64> {
        let expires = self.inner.cert(keys).await;
        self.changed(record::Kind::Cert, &expires, |l| &mut l.1);
        expires
    }

    async fn metrics(&self, at: &str) -> Vec<super::metrics::Metered> {
        let readings = self.inner.metrics(at).await;
        for (_, r) in &readings {
            let kept = r.as_ref().map(|text| super::metrics::kept_text(text));
            self.recorder.sample(record::Kind::Metrics, &kept);
        }
        readings
    }

    async fn tor_log(&self, path: String, pid: Option<u32>, max_lines: usize) -> TorLog {
        let log = self.inner.tor_log(path, pid, max_lines).await;
        self.recorder.sample(record::Kind::Tail, &log);
        log
    }

    async fn manual(&self) -> rnyx_model::Manual {
        self.inner.manual().await
    }

    async fn look(&self, target: &Target) -> Option<Seen> {
        self.inner.look(target).await
    }

    fn pending(&self) -> bool {
        self.inner.pending()
    }

    fn reconnect_max(&self, configured: std::time::Duration) -> std::time::Duration {
        self.inner.reconnect_max(configured)
    }

    fn caught_up(&self) -> Option<bool> {
        self.inner.caught_up()
    }

    fn trouble(&self) -> Option<String> {
        self.recorder.failure()
    }

    fn path_here(&self, path: &str) -> Option<PathBuf> {
        self.inner.path_here(path)
    }

    fn children(&self, pid: u32) -> Option<Vec<(String, u32)>> {
        let children = self.inner.children(pid);
        self.recorder.sample(record::Kind::Children, &children);
        children
    }

    fn session_start(&self, s: &mut ControllerState) -> bool {
        self.inner.session_start(s)
    }

    fn log_lines(&self, wanted: usize) -> usize {
        self.inner.log_lines(wanted)
    }

    fn control(&self, s: &mut ControllerState, c: ReplayControl) -> Result<bool, NotReplay> {
        self.inner.control(s, c)
    }
}
