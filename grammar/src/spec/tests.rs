use super::*;

#[test]
fn ids_are_decimal_up_to_16_digits() {
    assert_eq!(id("ID", "0"), Ok(0));
    assert_eq!(id("ID", "1234567890123456"), Ok(1_234_567_890_123_456));
    for bad in ["", "12345678901234567", "12a", "-1", "+1", " 1", "1 "] {
        let e = id("ID", bad).unwrap_err();
        assert!(e.0.starts_with("ID "), "{bad:?}: {e}");
    }
}

#[test]
fn counts_are_digits() {
    assert_eq!(count("NCIRCS", "007"), Ok(7));
    for bad in ["", "x", "-1", "1.5", "99999999999999999999999"] {
        assert!(count("NCIRCS", bad).is_err(), "{bad:?}");
    }
}

#[test]
fn iso_times() {
    for good in [
        "2026-11-21T10:00:00",
        "2026-11-21T10:00:00.123456",
        "1999-12-31T23:59:60.0",
    ] {
        assert_eq!(iso_time2frac("TIME_CREATED", good), Ok(()), "{good}");
    }
    for bad in [
        "2026-11-21 10:00:00",
        "2026-11-21T10:00",
        "2026-13-01T00:00:00",
        "2026-00-01T00:00:00",
        "2026-11-32T00:00:00",
        "2026-11-21T24:00:00",
        "2026-11-21T10:60:00",
        "2026-11-21T10:00:00.",
        "2026-11-21T10:00:00.12a",
        "2026-11-21T10:00:00Z",
        "yesterday",
        "２０２6-11-21T10:00:00",
    ] {
        let e = iso_time2frac("TIME_CREATED", bad).unwrap_err();
        assert!(e.0.contains("is not an ISO time"), "{bad}: {e}");
    }
}

#[test]
fn ports_and_targets() {
    assert_eq!(port("p", "1"), Ok(1));
    assert_eq!(port("p", "65535"), Ok(65535));
    for bad in ["0", "001", "65536", "", "http", "-1", "+80", "80 "] {
        assert!(port("p", bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        target("t", "example.com:443", false),
        Ok(("example.com", 443))
    );
    assert_eq!(target("t", "10.0.0.1:9001", false), Ok(("10.0.0.1", 9001)));
    assert_eq!(
        target("t", "[2001:db8::1]:443", false),
        Ok(("[2001:db8::1]", 443))
    );
    assert_eq!(target("t", "example.com:0", true), Ok(("example.com", 0)));
    for bad in [
        "example.com",
        "example.com:",
        "example.com:001",
        "example.com:http",
        "example.com:0",
        ":80",
        "[2001:db8::1:443",
        "[nothex]:443",
        "exa mple.com:80",
        "exa\u{1b}mple:80",
    ] {
        assert!(target("t", bad, false).is_err(), "{bad:?}");
    }
}

#[test]
fn names_and_keywords() {
    assert!(is_nickname("relay1"));
    assert!(!is_nickname(""));
    assert!(!is_nickname("a_b"));
    assert!(!is_nickname(&"n".repeat(20)));
    assert!(is_fingerprint(&"aF".repeat(20)));
    assert!(!is_fingerprint(&"a".repeat(39)));
    assert!(is_keyword("SOCKS_USERNAME"));
    assert!(is_keyword("Bandwidth"));
    assert!(is_keyword("__OwningControllerProcess"));
    assert!(!is_keyword("$AAAA"));
    assert!(!is_keyword(""));
    assert!(!is_keyword("1A"));
}

#[test]
fn reasons_show_no_control_characters_and_stay_short() {
    let e = iso_time2frac("TIME_CREATED", &format!("\u{1b}[2J{}", "x".repeat(200))).unwrap_err();
    assert!(!e.0.contains('\u{1b}'));
    assert!(e.0.len() < 140, "{}", e.0);
}
