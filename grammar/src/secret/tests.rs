use super::*;

fn to(line: &str) -> String {
    redact(line, Direction::ToTor).into_owned()
}

fn from(line: &str) -> String {
    redact(line, Direction::FromTor).into_owned()
}

#[test]
fn authentication() {
    assert_eq!(to("AUTHENTICATE 0011aabb"), "AUTHENTICATE <redacted>");
    assert_eq!(to("authenticate \"hunter2\""), "authenticate <redacted>");
    assert_eq!(
        to("AUTHCHALLENGE SAFECOOKIE 0011"),
        "AUTHCHALLENGE <redacted>"
    );
    assert_eq!(
        from("250 AUTHCHALLENGE SERVERHASH=AB SERVERNONCE=CD"),
        "250 AUTHCHALLENGE <redacted>"
    );
}

#[test]
fn socks_credentials_in_events_and_replies() {
    assert_eq!(
        from(r#"650 CIRC 5 BUILT $A~a PURPOSE=GENERAL SOCKS_USERNAME="alice" SOCKS_PASSWORD="hunter 2\"x" TIME_CREATED=2026-01-01T00:00:00"#),
        "650 CIRC 5 BUILT $A~a PURPOSE=GENERAL SOCKS_USERNAME=<redacted> SOCKS_PASSWORD=<redacted> TIME_CREATED=2026-01-01T00:00:00"
    );
    assert_eq!(
        from("650 STREAM 3 SUCCEEDED 5 example.com:443 SOCKS_USERNAME=alice SOCKS_PASSWORD=pw"),
        "650 STREAM 3 SUCCEEDED 5 example.com:443 SOCKS_USERNAME=<redacted> SOCKS_PASSWORD=<redacted>"
    );
    // stream-status / circuit-status lines in a reply's data block.
    assert_eq!(
        from(r#"7 BUILT $A~a SOCKS_PASSWORD="x""#),
        "7 BUILT $A~a SOCKS_PASSWORD=<redacted>"
    );
    // A quoted value holding `KEY=` is not read as keys.
    assert_eq!(
        from(r#"650 X NOTE="SOCKS_PASSWORD=no" SOCKS_USERNAME=u"#),
        r#"650 X NOTE="SOCKS_PASSWORD=no" SOCKS_USERNAME=<redacted>"#
    );
}

#[test]
fn password_options_every_way_they_are_written() {
    assert_eq!(
        to("SETCONF HashedControlPassword=16:ABCD"),
        "SETCONF HashedControlPassword=<redacted>"
    );
    assert_eq!(
        to(r#"setconf Socks5ProxyPassword="a b" ORPort=9001"#),
        "setconf Socks5ProxyPassword=<redacted> ORPort=9001"
    );
    assert_eq!(
        from("250 HashedControlPassword=16:ABCD"),
        "250 HashedControlPassword=<redacted>"
    );
    assert_eq!(
        from("650-HTTPSProxyAuthenticator=user:pass"),
        "650-HTTPSProxyAuthenticator=<redacted>"
    );
    assert_eq!(
        from("HashedControlPassword 16:ABCD"),
        "HashedControlPassword <redacted>"
    );
    assert_eq!(
        from("Socks5ProxyUsername bob"),
        "Socks5ProxyUsername <redacted>"
    );
    assert_eq!(
        from("HidServAuth abc.onion cookie"),
        "HidServAuth <redacted>"
    );
    assert_eq!(
        from("250 __HashedControlSessionPassword=16:AB"),
        "250 __HashedControlSessionPassword=<redacted>"
    );
}

#[test]
fn onion_service_keys() {
    assert_eq!(
        to("ADD_ONION ED25519-V3:c2VjcmV0 Port=80"),
        "ADD_ONION <redacted>"
    );
    assert_eq!(
        from("250-PrivateKey=ED25519-V3:c2VjcmV0"),
        "250-PrivateKey=<redacted>"
    );
    assert_eq!(
        from("250-ClientAuth=bob:c2VjcmV0"),
        "250-ClientAuth=<redacted>"
    );
    assert_eq!(
        to("ONION_CLIENT_AUTH_ADD abc x25519:c2VjcmV0"),
        "ONION_CLIENT_AUTH_ADD <redacted>"
    );
    assert_eq!(
        from("250-CLIENT abc x25519:c2VjcmV0"),
        "250-CLIENT <redacted>"
    );
}

#[test]
fn lines_without_secrets_are_not_copied() {
    for line in [
        "650 BW 1 2",
        "650 DEBUG conn_read_callback(): socket 7 wants to read.",
        "650 NOTICE the word password in a log line",
        "250-version=0.4.9.1",
        "GETINFO version",
        "SETCONF ORPort=9001",
        "650 STATUS_CLIENT NOTICE CIRCUIT_ESTABLISHED",
    ] {
        let got = redact(line, Direction::FromTor);
        assert_eq!(got, line);
        assert!(matches!(
            redact("650 BW 1 2", Direction::FromTor),
            Cow::Borrowed(_)
        ));
    }
}

#[test]
fn options_and_keys() {
    assert!(is_secret_option("HashedControlPassword"));
    assert!(is_secret_option("socks5proxypassword"));
    assert!(is_secret_option("HTTPProxyAuthenticator"));
    assert!(!is_secret_option("ControlPort"));
    assert!(!is_secret_option("CookieAuthFile"));
    assert!(is_secret_key("SOCKS_USERNAME"));
    assert!(!is_secret_key("PURPOSE"));
    assert!(is_secret_command("authenticate"));
    assert!(!is_secret_command("GETINFO"));
}
