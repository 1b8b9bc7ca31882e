use super::*;
use crate::control::reply::ReplyFramer;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn reply(text: &str) -> crate::control::Reply {
    let mut f = ReplyFramer::new();
    f.push(text.as_bytes());
    f.next_reply().unwrap().unwrap()
}

#[test]
fn protocolinfo() {
    let info = ProtocolInfo::parse(&reply(
        "250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE,HASHEDPASSWORD COOKIEFILE=\"/run/tor/control.authcookie\"\r\n250-VERSION Tor=\"0.4.9.11\"\r\n250 OK\r\n",
    ));
    assert_eq!(info.methods, ["COOKIE", "SAFECOOKIE", "HASHEDPASSWORD"]);
    assert_eq!(
        info.cookie_file.as_deref(),
        Some(Path::new("/run/tor/control.authcookie"))
    );
    assert_eq!(info.tor_version.as_deref(), Some("0.4.9.11"));
}

/// A fake tor that speaks SAFECOOKIE with `cookie`, optionally lying in its proof.
async fn fake_safecookie_tor(
    cookie: Vec<u8>,
    cookie_path: PathBuf,
    lie: bool,
) -> Result<AuthMethod, AuthError> {
    let (ours, theirs) = tokio::io::duplex(4096);
    let server = tokio::spawn(async move {
        let (r, mut w) = tokio::io::split(theirs);
        let mut lines = BufReader::new(r).lines();
        let l = lines.next_line().await.unwrap().unwrap();
        assert_eq!(l, "PROTOCOLINFO 1");
        w.write_all(format!("250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE=\"{}\"\r\n250 OK\r\n", cookie_path.display()).as_bytes()).await.unwrap();
        let l = lines.next_line().await.unwrap().unwrap();
        let client_nonce =
            hex::decode(l.strip_prefix("AUTHCHALLENGE SAFECOOKIE ").unwrap()).unwrap();
        let server_nonce = [7u8; 32];
        let mac = |key: &[u8]| {
            let mut m = HmacSha256::new_from_slice(key).unwrap();
            m.update(&cookie);
            m.update(&client_nonce);
            m.update(&server_nonce);
            m.finalize().into_bytes()
        };
        let mut server_hash = mac(SERVER_KEY);
        if lie {
            server_hash[0] ^= 1;
        }
        w.write_all(
            format!(
                "250 AUTHCHALLENGE SERVERHASH={} SERVERNONCE={}\r\n",
                hex::encode(server_hash),
                hex::encode(server_nonce)
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        if let Ok(Some(l)) = lines.next_line().await {
            assert_eq!(l, format!("AUTHENTICATE {}", hex::encode(mac(CLIENT_KEY))));
            w.write_all(b"250 OK\r\n").await.unwrap();
        }
    });
    let (client, events) = Client::new(ours);
    let result = authenticate(&client, None).await.map(|(m, _)| m);
    drop(client);
    drop(events);
    if !lie {
        server.await.unwrap();
    }
    result
}

#[tokio::test]
async fn safecookie_proves_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cookie");
    let cookie = vec![0x42; 32];
    std::fs::write(&path, &cookie).unwrap();
    assert_eq!(
        fake_safecookie_tor(cookie.clone(), path.clone(), false).await,
        Ok(AuthMethod::SafeCookie)
    );
    let err = fake_safecookie_tor(cookie, path.clone(), true)
        .await
        .unwrap_err();
    assert_eq!(err, AuthError::ServerHashMismatch { path });
}

#[test]
fn cookie_errors_are_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short");
    std::fs::write(&short, [1u8; 10]).unwrap();
    let info = |p: &Path| ProtocolInfo {
        methods: vec!["COOKIE".into()],
        cookie_file: Some(p.to_owned()),
        tor_version: None,
    };
    let e = read_cookie(&info(&short)).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("is 10 bytes, but a cookie is 32 bytes"),
        "{e}"
    );
    let missing = dir.path().join("absent");
    let e = read_cookie(&info(&missing)).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "cannot read tor's authentication cookie {}: entity not found",
            missing.display()
        )),
        "{e}"
    );
    assert!(e.contains("group that owns it"), "{e}");
}
