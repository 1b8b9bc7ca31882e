//! A test HTTP receiver on loopback standing in for ntfy and a webhook:
//! it keeps every request it answered with a 2xx, and can be down (its
//! port closed), answer an error with `Retry-After`, or hang.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request answered 2xx.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }
}

/// How the next request is answered (then the receiver answers 200 again).
#[derive(Debug, Clone, Copy)]
pub enum Next {
    /// This status, with `Retry-After: secs` when given.
    Status(u16, Option<u64>),
    /// No answer for this long, then the connection closed.
    Hang(Duration),
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    /// Requests that got a 2xx, a failure or nothing, in order (path, what).
    seen: Vec<(String, String)>,
    next: VecDeque<Next>,
}

/// The receiver; `stop` closes its port, `start` opens it again.
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    stop: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl Receiver {
    /// Listening on a free loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut r = Self {
            addr,
            shared: Arc::default(),
            stop: None,
        };
        r.serve(listener);
        r
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Its port closed: connections are refused.
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            s.store(true, std::sync::atomic::Ordering::SeqCst);
            // Wakes the accepting thread, which then drops the listener.
            let _ = TcpStream::connect(self.addr);
        }
        // A deadline that only catches a hang.
        for _ in 0..600 {
            if TcpStream::connect(self.addr).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the receiver's port stays open after 60 s");
    }

    /// Its port open again.
    pub fn start_again(&mut self) {
        let listener = TcpListener::bind(self.addr).unwrap();
        self.serve(listener);
    }

    /// How the next requests are answered, in order.
    pub fn then(&self, next: Next) {
        self.shared.lock().unwrap().next.push_back(next);
    }

    /// Requests answered 2xx on `path`.
    pub fn received(&self, path: &str) -> Vec<Received> {
        let s = self.shared.lock().unwrap();
        s.received
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Every request seen, with what it got.
    pub fn seen(&self) -> Vec<(String, String)> {
        self.shared.lock().unwrap().seen.clone()
    }

    fn serve(&mut self, listener: TcpListener) {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        self.stop = Some(stop.clone());
        let shared = self.shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let shared = shared.clone();
                std::thread::spawn(move || answer(stream, &shared));
            }
        });
    }
}

fn answer(stream: TcpStream, shared: &Mutex<Shared>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_lowercase(), v.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let next = shared.lock().unwrap().next.pop_front();
    let mut stream = stream;
    let (status, extra, what) = match next {
        Some(Next::Hang(d)) => {
            shared
                .lock()
                .unwrap()
                .seen
                .push((path, format!("hung {} s", d.as_secs())));
            std::thread::sleep(d);
            return;
        }
        Some(Next::Status(code, after)) => (
            code,
            after.map_or(String::new(), |s| format!("Retry-After: {s}\r\n")),
            format!("{code}"),
        ),
        None => (200, String::new(), "200".to_owned()),
    };
    {
        let mut s = shared.lock().unwrap();
        s.seen.push((path.clone(), what));
        if (200..300).contains(&status) {
            s.received.push(Received {
                path,
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
    }
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
}
