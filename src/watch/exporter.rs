//! `rnyx watch --listen`: `/metrics` (OpenMetrics text, the families of
//! `--dump --format openmetrics`, read from the state each relay's task
//! keeps: a scrape opens no control connection) and `/healthz` (whether
//! the watch loop runs), over HTTP/1.1 with hyper.

use super::Watched;
use crate::check::Exposition;
use crate::notify::{say, Level};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// What a scrape reads: the relays watched, and the loop's last beat.
#[derive(Default)]
pub struct Exported {
    pub relays: RwLock<Vec<Watched>>,
    /// Unix second the watch loop last ran.
    pub beat: AtomicU64,
}

/// The watch loop is said stuck past this long without a beat.
const STUCK_AFTER: u64 = 10;

/// Connections served at once at most; more wait to be accepted.
const MAX_CONNECTIONS: usize = 64;

impl Exported {
    /// The relays a scrape reads from now on.
    pub fn set_relays(&self, watched: &[Watched]) {
        let mut relays = self.relays.write().unwrap_or_else(PoisonError::into_inner);
        relays.clear();
        relays.extend_from_slice(watched);
    }

    /// The OpenMetrics text now.
    pub fn metrics(&self) -> String {
        let mut e = Exposition::default();
        let relays = self.relays.read().unwrap_or_else(PoisonError::into_inner);
        for r in relays.iter() {
            r.handle.state.read(|s| {
                let name = r.shown(s);
                e.relay(
                    &name,
                    r.host.as_deref(),
                    s.session.connection.connected,
                    Some(s),
                );
            });
        }
        e.text()
    }

    /// `/healthz`: whether the loop beat lately.
    fn health(&self, now: u64) -> (StatusCode, String) {
        let beat = self.beat.load(Ordering::Relaxed);
        let age = now.saturating_sub(beat);
        if age <= STUCK_AFTER {
            let n = self
                .relays
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .len();
            (StatusCode::OK, format!("ok: watching {n} relays\n"))
        } else {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the watch loop has not run for {age} s\n"),
            )
        }
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

const TEXT: &str = "text/plain; charset=utf-8";

fn answer(exported: &Exported, req: &Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let reply = |status: StatusCode, kind: &'static str, body: String| {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = status;
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static(kind),
        );
        r
    };
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return reply(StatusCode::METHOD_NOT_ALLOWED, TEXT, "GET only\n".into());
    }
    match req.uri().path() {
        "/metrics" => reply(
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            exported.metrics(),
        ),
        "/healthz" => {
            let (status, body) = exported.health(unix_now());
            reply(status, TEXT, body)
        }
        _ => reply(
            StatusCode::NOT_FOUND,
            TEXT,
            "rnyx watch serves /metrics and /healthz\n".into(),
        ),
    }
}

/// Serves until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, exported: Arc<Exported>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of descriptors, say: said, and a pause before the next.
                say(Level::Warning, &format!("exporter: cannot accept: {e}"));
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let exported = exported.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let r = answer(&exported, &req);
                async move { Ok::<_, Infallible>(r) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}
