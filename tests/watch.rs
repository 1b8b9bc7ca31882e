//! `rnyx watch` on a real tor (DisableNetwork), its channels a test HTTP
//! receiver (standing for ntfy and a webhook), a fake sendmail on PATH and
//! a program: each alert's start and end reaches every channel exactly
//! once, through the receiver down for a minute, a 429 with Retry-After,
//! a hang, and a restart of rnyx; the exporter answers meanwhile; SIGHUP
//! and SIGTERM do what they say.

mod support;

use rnyx::launch::SingleTorOptions;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use support::eventually;
use support::receiver::{Next, Receiver};
use support::watch::{fake_programs, get, home_in, kept, sample, Watch};

/// The titles the receiver got on `path`, each message's id counted.
fn titles(r: &Receiver, path: &str) -> (Vec<String>, BTreeMap<String, usize>) {
    let mut ids = BTreeMap::new();
    let titles = r
        .received(path)
        .iter()
        .map(|m| {
            let id = m.header("x-rnyx-id").unwrap_or("").to_owned();
            *ids.entry(id).or_insert(0) += 1;
            match path {
                "/ntfy" => m.header("title").unwrap_or("").to_owned(),
                _ => m.json()["title"].as_str().unwrap_or("").to_owned(),
            }
        })
        .collect();
    (titles, ids)
}

/// Waits until each HTTP channel has `n` messages, every id once.
async fn each_has(r: &Receiver, n: usize, what: &str, secs: u64) -> Vec<String> {
    eventually(what, secs, || {
        let (hook, hook_ids) = titles(r, "/hook");
        let (ntfy, ntfy_ids) = titles(r, "/ntfy");
        (hook.len() >= n && ntfy.len() >= n).then_some(())?;
        assert_eq!(hook, ntfy, "both channels got the same messages");
        assert!(
            hook_ids.values().chain(ntfy_ids.values()).all(|c| *c == 1),
            "{hook_ids:?} {ntfy_ids:?}"
        );
        assert_eq!(hook.len(), n, "{hook:?}");
        Some(hook)
    })
    .await
}

const DOWN: &str = "relay0: tor is down";
const BACK: &str = "relay0: over: tor is down";

fn nyxrc(dir: &Path, socket: &Path, r: &Receiver, exec: &Path) -> std::path::PathBuf {
    let path = dir.join("nyxrc");
    std::fs::write(
        &path,
        format!(
            "[[relays]]\nname = \"relay0\"\nsocket = \"{}\"\n\n\
             [alerts]\noff = [\"network_down\", \"bootstrap_stuck\"]\n\n\
             [notify]\ngroup_wait = 2\n\
             ntfy = \"{}\"\nwebhook = {{ url = \"{}\", severity = \"warning\" }}\n\
             email = \"ops@example.org\"\nexec = \"{}\"\n",
            socket.display(),
            r.url("/ntfy"),
            r.url("/hook"),
            exec.display()
        ),
    )
    .unwrap();
    path
}

/// The test's tor, receiver, programs and `rnyx watch`.
struct Scene {
    dir: tempfile::TempDir,
    tor: rnyx::launch::SingleTor,
    _tor_dir: tempfile::TempDir,
    r: Receiver,
    mails: std::path::PathBuf,
    execs: std::path::PathBuf,
    config: std::path::PathBuf,
    env: Vec<(String, String)>,
    watch: Watch,
    at: std::net::SocketAddr,
}

impl Scene {
    async fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("rnyx-watch-")
            .tempdir()
            .unwrap();
        let (tor_dir, tor) = support::single_tor(SingleTorOptions {
            relay: false,
            ..SingleTorOptions::default()
        });
        let r = Receiver::start();
        let (mails, execs) = (dir.path().join("mails"), dir.path().join("execs"));
        let exec = fake_programs(&dir.path().join("bin"), &mails, &execs);
        let config = nyxrc(dir.path(), &tor.socket_path(), &r, &exec);
        let env = home_in(dir.path(), &dir.path().join("bin"));
        let watch = start_watch(&env, &config, &dir.path().join("watch.log"));
        let at = eventually("the exporter's address", 30, || watch.exporter()).await;
        eventually("relay0 watched, in /metrics", 60, || {
            let (_, body) = get(at, "/metrics")?;
            (sample(&body, "rnyx_up{relay=\"relay0\"}") == Some(1.0)).then_some(())
        })
        .await;
        Self {
            dir,
            tor,
            _tor_dir: tor_dir,
            r,
            mails,
            execs,
            config,
            env,
            watch,
            at,
        }
    }

    /// An alert starts: every channel says so.
    async fn first_alert(&mut self) {
        let r = &self.r;
        self.tor.kill();
        let got = each_has(r, 1, "tor down on ntfy and the webhook", 60).await;
        assert_eq!(got, [DOWN]);
        let ntfy = &r.received("/ntfy")[0];
        assert_eq!(ntfy.header("priority"), Some("urgent"));
        assert_eq!(ntfy.header("tags"), Some("rotating_light,rnyx,relay0"));
        assert!(
            ntfy.body
                .starts_with("STARTED critical relay0: tor is down\n"),
            "{}",
            ntfy.body
        );
        let hook = r.received("/hook")[0].json();
        assert_eq!(hook["schema"], "rnyx-notify/1");
        assert_eq!(hook["alerts"][0]["kind"], "tor_down");
        assert_eq!(hook["alerts"][0]["change"], "started");
        let mail = eventually("the mail", 30, || kept(&self.mails).pop()).await;
        assert!(mail.starts_with("ARGS: -i -- ops@example.org\nTo: ops@example.org\nSubject: [rnyx alert] relay0: tor is down\n"), "{mail}");
        let ran = eventually("the program's JSON", 30, || kept(&self.execs).pop()).await;
        let json: serde_json::Value =
            serde_json::from_str(ran.split_once('\n').unwrap().1).unwrap();
        assert_eq!(json["title"], DOWN);
        assert_eq!(json["id"], hook["id"]);
    }

    /// The receiver down for a minute while the alert ends and starts
    /// again: both delivered once it is back, once each.
    async fn receiver_down_a_minute(&mut self) {
        self.r.stop();
        self.tor.restart().unwrap();
        eventually("a failed delivery said in the log", 60, || {
            self.watch.log().contains(": not delivered (").then_some(())
        })
        .await;
        let first_failure = std::time::Instant::now();
        let mails = &self.mails;
        eventually("the end of the alert on sendmail", 60, || {
            (kept(mails).len() == 2).then_some(())
        })
        .await;
        self.tor.kill();
        eventually("the next start on sendmail", 60, || {
            (kept(mails).len() == 3).then_some(())
        })
        .await;
        tokio::time::sleep(Duration::from_secs(60).saturating_sub(first_failure.elapsed())).await;
        self.r.start_again();
        let got = each_has(&self.r, 3, "both messages once the receiver is back", 180).await;
        assert_eq!(got, [DOWN, BACK, DOWN]);
    }

    /// A 429 with Retry-After: tried again after it, delivered once.
    async fn too_many_requests(&mut self) {
        self.r.then(Next::Status(429, Some(3)));
        self.tor.restart().unwrap();
        let got = each_has(&self.r, 4, "the end after a 429", 90).await;
        assert_eq!(got[3], BACK);
        let log = self.watch.log();
        assert!(
            log.contains("not delivered (HTTP 429); again in 3 s"),
            "{log}"
        );
    }

    /// A receiver that hangs holds neither the other channel, nor the
    /// exporter, nor the watch loop.
    async fn hang(&mut self) {
        let r = &self.r;
        r.then(Next::Hang(Duration::from_secs(30)));
        self.tor.kill();
        eventually("a request hung", 60, || {
            r.seen()
                .iter()
                .any(|(_, w)| w.starts_with("hung"))
                .then_some(())
        })
        .await;
        eventually("the other channel delivered meanwhile", 30, || {
            let (hook, _) = titles(r, "/hook");
            let (ntfy, _) = titles(r, "/ntfy");
            (hook.len() + ntfy.len() == 9).then_some(())
        })
        .await;
        let (status, body) = get(self.at, "/healthz").expect("/healthz answers during the hang");
        assert_eq!(status, 200, "{body}");
        let (_, metrics) = get(self.at, "/metrics").expect("/metrics answers during the hang");
        assert_eq!(
            sample(&metrics, "rnyx_alert{relay=\"relay0\",kind=\"tor_down\"}"),
            Some(2.0)
        );
        assert_eq!(sample(&metrics, "rnyx_up{relay=\"relay0\"}"), Some(0.0));
        let got = each_has(r, 5, "the hung message tried again", 120).await;
        assert_eq!(got[4], DOWN);
    }

    /// SIGHUP with a broken nyxrc changes nothing; a good one reloads.
    async fn reload(&mut self) {
        let good = std::fs::read_to_string(&self.config).unwrap();
        std::fs::write(&self.config, format!("{good}\n[notify.oops]\n")).unwrap();
        self.watch.signal("HUP");
        let watch = &self.watch;
        eventually("the reload refused", 30, || {
            watch
                .log()
                .contains("<3>nyxrc not reloaded: ")
                .then_some(())
        })
        .await;
        std::fs::write(&self.config, &good).unwrap();
        watch.signal("HUP");
        eventually("the reload", 30, || {
            watch
                .log()
                .contains("nyxrc reloaded; the relays watched are the same")
                .then_some(())
        })
        .await;
    }

    /// Stopped and started again: the alert still active is not said
    /// again; its end is.
    async fn restart(&mut self) {
        assert_eq!(self.watch.stop(), Some(0));
        assert!(self.watch.log().contains("<5>stopping"));
        let state = Path::new(
            &self
                .env
                .iter()
                .find(|(k, _)| k == "XDG_STATE_HOME")
                .unwrap()
                .1,
        )
        .join("rnyx/notify.json");
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&state).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);
        self.watch = start_watch(&self.env, &self.config, &self.dir.path().join("watch2.log"));
        let watch = &self.watch;
        eventually("watching again", 60, || {
            watch.log().contains("watching relay0").then_some(())
        })
        .await;
        self.tor.restart().unwrap();
        let got = each_has(&self.r, 6, "the end after the restart", 90).await;
        assert_eq!(got, [DOWN, BACK, DOWN, BACK, DOWN, BACK]);
        let mails = kept(&self.mails);
        assert_eq!(mails.len(), 6, "{mails:?}");
        assert_eq!(kept(&self.execs).len(), 6);
        // The outbox names channels by a hash: a topic's URL is a secret.
        let kept_text = std::fs::read_to_string(&state).unwrap();
        assert!(!kept_text.contains(&self.r.url("/ntfy")), "{kept_text}");
        assert!(kept_text.contains("\"ntfy-"), "{kept_text}");
    }

    /// tor hung (stopped with SIGSTOP): the monitor's `not_answering`,
    /// told and then over once tor goes on.
    async fn hung(&mut self) {
        let pid = self.tor.pid().unwrap().to_string();
        let kill = |signal: &str| {
            let status = std::process::Command::new("kill")
                .args([signal, &pid])
                .status()
                .unwrap();
            assert!(status.success());
        };
        kill("-STOP");
        let got = each_has(&self.r, 7, "tor not answering", 90).await;
        assert_eq!(got[6], "relay0: tor is not answering");
        kill("-CONT");
        let got = each_has(&self.r, 8, "tor answering again", 90).await;
        assert_eq!(got[7], "relay0: over: tor is not answering");
        assert_eq!(self.watch.stop(), Some(0));
    }
}

fn start_watch(env: &[(String, String)], config: &Path, log: &Path) -> Watch {
    let args = ["-c", config.to_str().unwrap(), "--listen", "127.0.0.1:0"];
    Watch::start(env, &args, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_channel_gets_each_message_once_through_a_minute_down_a_429_a_hang_and_a_restart() {
    let mut scene = Scene::start().await;
    scene.first_alert().await;
    scene.receiver_down_a_minute().await;
    scene.too_many_requests().await;
    scene.hang().await;
    scene.reload().await;
    scene.restart().await;
    scene.hung().await;
}

#[test]
fn a_channel_that_cannot_work_is_refused_at_start_with_its_line() {
    let dir = tempfile::Builder::new()
        .prefix("rnyx-watch-")
        .tempdir()
        .unwrap();
    let env = home_in(dir.path(), &dir.path().join("bin"));
    for (text, says) in [
        (
            "[notify]\nntfy = \"ftp://ntfy.example/x\"\n",
            "line 2: ntfy: `ftp://ntfy.example/x`: the scheme `ftp` cannot work",
        ),
        (
            "[notify]\n\nexec = \"/nonexistent/alert\"\n",
            "line 3: exec: /nonexistent/alert: No such file or directory",
        ),
    ] {
        let config = dir.path().join("nyxrc");
        std::fs::write(&config, text).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rnyx"))
            .args([
                "watch",
                "-c",
                config.to_str().unwrap(),
                "-s",
                "/nonexistent/control",
            ])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!("{}, {says}", config.display())),
            "{err}"
        );
    }
}
