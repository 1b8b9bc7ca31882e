//! `rnyx watch` on the private network: relay1 stopped until the
//! directory authorities drop it, then started again. The receiver
//! (standing for a webhook and ntfy) is down for the first minute; the
//! fake sendmail is not. Each channel gets "tor is down", then "relay1:
//! the relay is not in the consensus", then its end, each exactly once; a
//! real Prometheus scraping `rnyx watch` with the shipped rules has the
//! alert while tor is stopped and again once it is back, and fires the
//! rules.

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::eventually;
use support::receiver::Receiver;
use support::watch::{fake_programs, get, home_in, kept, Watch};

/// A Prometheus server of the test's (no service), killed on drop.
struct Prometheus {
    child: Child,
    at: std::net::SocketAddr,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prometheus {
    /// Scraping `target` every second, evaluating the shipped rules every
    /// second, its data in `dir`, on a free loopback port.
    fn start(dir: &Path, target: std::net::SocketAddr) -> Self {
        let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/prometheus/rnyx-rules.yml");
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}\nscrape_configs:\n  - job_name: rnyx\n    static_configs:\n      - targets: ['{target}']\n",
                rules.display()
            ),
        )
        .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("prometheus.log")).unwrap())
            .spawn()
            .expect("prometheus (Debian's package) is installed");
        Self { child, at: port }
    }

    /// The value of an instant query's first sample.
    fn value(&self, query: &str) -> Option<f64> {
        let (status, body) = get(self.at, &format!("/api/v1/query?query={}", encoded(query)))?;
        (status == 200).then_some(())?;
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        v["data"]["result"][0]["value"][1].as_str()?.parse().ok()
    }
}

/// Percent-encoded for a query string.
fn encoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The lines a message says, one an alert, as its text does
/// (`STARTED critical relay1: tor is down`): ntfy's body, the webhook's
/// JSON.
fn lines_of(m: &support::receiver::Received, path: &str) -> Vec<String> {
    if path == "/ntfy" {
        return m
            .body
            .lines()
            .filter(|l| !l.starts_with(' '))
            .map(str::to_owned)
            .collect();
    }
    let json = m.json();
    json["alerts"]
        .as_array()
        .map(|alerts| {
            alerts
                .iter()
                .map(|a| {
                    let s = |k: &str| a[k].as_str().unwrap_or("").to_owned();
                    format!(
                        "{} {} {}: {}",
                        s("change").to_uppercase(),
                        s("severity"),
                        s("relay"),
                        s("title")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Each HTTP channel's messages (their lines) once one says `line`: both
/// channels the same, every message once.
async fn until_told(r: &Receiver, line: &str, secs: u64) -> Vec<Vec<String>> {
    eventually(line, secs, || {
        let told = |path: &str| -> (Vec<Vec<String>>, Vec<String>) {
            let got = r.received(path);
            let ids = got
                .iter()
                .map(|m| m.header("x-rnyx-id").unwrap_or("").to_owned())
                .collect();
            (got.iter().map(|m| lines_of(m, path)).collect(), ids)
        };
        let ((hook, hook_ids), (ntfy, ntfy_ids)) = (told("/hook"), told("/ntfy"));
        let says = |list: &[Vec<String>]| list.iter().flatten().any(|l| l == line);
        (says(&hook) && says(&ntfy)).then_some(())?;
        assert_eq!(hook, ntfy, "both channels got the same messages");
        assert_eq!(hook_ids, ntfy_ids);
        let mut ids = hook_ids.clone();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), hook_ids.len(), "each message once: {hook:?}");
        Some(hook)
    })
    .await
}

/// The mails' texts once one says `line`.
async fn mailed(mails: &Path, line: &str) -> String {
    eventually(line, 60, || {
        kept(mails)
            .into_iter()
            .find(|m| m.lines().any(|l| l == line))
    })
    .await
}

/// Whether Prometheus' `ALERTS` had `name` firing for relay1 within 10
/// minutes.
fn fired(p: &Prometheus, name: &str) -> bool {
    let q = format!(
        "max_over_time(ALERTS{{alertname=\"{name}\",alertstate=\"firing\",relay=\"relay1\"}}[10m])"
    );
    p.value(&q) == Some(1.0)
}

/// What the test watches with: the receiver, the mails, `rnyx watch` and
/// Prometheus scraping it.
struct Watching {
    _dir: tempfile::TempDir,
    r: Receiver,
    mails: std::path::PathBuf,
    watch: Watch,
    prometheus: Prometheus,
}

/// `rnyx watch` on relay1 (its socket), scraped by Prometheus, once
/// Prometheus has it listed and without an alert.
async fn watching(socket: &Path) -> Watching {
    let dir = tempfile::Builder::new()
        .prefix("rnyx-watch-")
        .tempdir()
        .unwrap();
    let r = Receiver::start();
    let mails = dir.path().join("mails");
    fake_programs(&dir.path().join("bin"), &mails, &dir.path().join("execs"));
    let config = dir.path().join("nyxrc");
    std::fs::write(
        &config,
        format!(
            "[[relays]]\nname = \"relay1\"\nsocket = \"{}\"\n\n[notify]\ngroup_wait = 5\n\
             ntfy = \"{}\"\nwebhook = \"{}\"\nemail = \"ops@example.org\"\n",
            socket.display(),
            r.url("/ntfy"),
            r.url("/hook")
        ),
    )
    .unwrap();
    let env = home_in(dir.path(), &dir.path().join("bin"));
    let args = ["-c", config.to_str().unwrap(), "--listen", "127.0.0.1:0"];
    let watch = Watch::start(&env, &args, &dir.path().join("watch.log"));
    let at = eventually("the exporter's address", 30, || watch.exporter()).await;
    let prometheus = Prometheus::start(dir.path(), at);
    eventually("Prometheus has scraped relay1 up", 120, || {
        (prometheus.value("rnyx_up{relay=\"relay1\"}") == Some(1.0)).then_some(())
    })
    .await;
    eventually("relay1 listed, no alert", 120, || {
        (prometheus.value("rnyx_in_consensus{relay=\"relay1\"}") == Some(1.0)
            && prometheus.value("rnyx_alerts_worst{relay=\"relay1\"}") == Some(0.0))
        .then_some(())
    })
    .await;
    Watching {
        _dir: dir,
        r,
        mails,
        watch,
        prometheus,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_dropped_from_the_consensus_is_told_once_on_every_channel_and_fires_prometheus_rules(
) {
    let mut net = support::start_network();
    let relay = net.tors.iter().find(|t| t.name == "relay1").unwrap();
    let (socket, fp) = (relay.control_socket(), relay.fingerprint().unwrap());
    let Watching {
        _dir,
        mut r,
        mails,
        mut watch,
        prometheus,
    } = watching(&socket).await;
    // The receiver down for a minute from when relay1 stops.
    r.stop();
    let down = Instant::now();
    net.stop("relay1");
    support::approve_routers(&net, &format!("!reject {fp}\n"));
    eventually("tor down, through Prometheus' API", 60, || {
        (prometheus.value("rnyx_alert{relay=\"relay1\",kind=\"tor_down\"}") == Some(2.0))
            .then_some(())
    })
    .await;
    eventually("the shipped rules fire", 120, || {
        (fired(&prometheus, "RnyxTorDown") && fired(&prometheus, "RnyxTorUnwatched")).then_some(())
    })
    .await;
    let down_line = "STARTED critical relay1: tor is down";
    mailed(&mails, down_line).await;
    tokio::time::sleep(Duration::from_secs(60).saturating_sub(down.elapsed())).await;
    r.start_again();
    let got = until_told(&r, down_line, 180).await;
    assert_eq!(got[0], [down_line], "{got:?}");
    assert_eq!(
        r.received("/hook")[0].json()["title"],
        "relay1: tor is down"
    );

    eventually("the authorities' consensus without relay1", 240, || {
        (!support::client_lists(&net, &fp)).then_some(())
    })
    .await;
    support::approve_routers(&net, "");
    net.start_again("relay1").unwrap();
    let dropped = "STARTED critical relay1: the relay is not in the consensus";
    let got = until_told(&r, dropped, 180).await;
    let message = got.iter().find(|m| m.iter().any(|l| l == dropped)).unwrap();
    assert_eq!(message[0], dropped, "worst and first: {got:?}");
    assert!(
        message
            .iter()
            .any(|l| l == "OVER critical relay1: tor is down"),
        "{got:?}"
    );
    let mail = mailed(&mails, dropped).await;
    assert!(
        mail.contains("\nSubject: [rnyx alert] relay1: the relay is not in the consensus"),
        "{mail}"
    );
    // Through Prometheus, once it is back (the authorities list it again at
    // their next vote, 20 s here): the gauge and the rule, within minutes.
    eventually("not in the consensus, through Prometheus", 60, || {
        let q = "max_over_time(rnyx_alert{relay=\"relay1\",kind=\"not_in_consensus\"}[10m])";
        (prometheus.value(q) == Some(2.0) && fired(&prometheus, "RnyxNotInConsensus")).then_some(())
    })
    .await;

    let over = "OVER critical relay1: the relay is not in the consensus";
    let got = until_told(&r, over, 240).await;
    mailed(&mails, over).await;
    assert_eq!(watch.stop(), Some(0));
    let log = watch.log();
    assert!(
        log.contains("<3>relay1: alert (critical): the relay is not in the consensus"),
        "{log}"
    );
    assert!(
        log.contains("<5>relay1: alert over: the relay is not in the consensus"),
        "{log}"
    );
    eprintln!("told, in order: {got:?}");
}
