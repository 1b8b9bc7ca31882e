//! A torrc's grammar beyond one line's option and value
//! ([`rnyx_model::torrc_entry`]): `%include` lines and their patterns, and
//! the options on tor's command line. Reading the files is the I/O side's.

/// The path or pattern an `%include` line names (comments and blanks
/// around it dropped), if the line is one.
pub fn include(line: &str) -> Option<&str> {
    let code = rnyx_model::strip_comment(line).trim();
    let target = code.strip_prefix("%include")?;
    // `%includefoo` is no `%include`.
    if !target.is_empty() && !target.starts_with(char::is_whitespace) {
        return None;
    }
    Some(target.trim())
}

/// `pattern` (with `*`) matches `name`.
pub fn glob(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// The configuration options on tor's command line (`--Option value`,
/// `Option value`, `+Option`, `/Option`), without tor's own flags.
pub fn command_line(cmdline: &[u8]) -> Vec<(String, String)> {
    // tor's flags and how many arguments each takes.
    const FLAGS: &[(&str, usize)] = &[
        ("-f", 1),
        ("--torrc-file", 1),
        ("--defaults-torrc", 1),
        ("--hash-password", 1),
        ("--passphrase-fd", 1),
        ("--key-expiration", 1),
        ("--format", 1),
        ("--dbg-dump-subsystem-list", 0),
        ("--ignore-missing-torrc", 0),
        ("--allow-missing-torrc", 0),
        ("--verify-config", 0),
        ("--list-fingerprint", 0),
        ("--list-torrc-options", 0),
        ("--list-deprecated-options", 0),
        ("--list-modules", 0),
        ("--nt-service", 0),
        ("--service", 1),
        ("--quiet", 0),
        ("--hush", 0),
        ("--keygen", 0),
        ("--newpass", 0),
        ("--version", 0),
        ("--help", 0),
        ("-h", 0),
    ];
    let args: Vec<String> = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .skip(1)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some((_, n)) = FLAGS.iter().find(|(f, _)| f == a) {
            i += 1 + n;
            continue;
        }
        let name = a.trim_start_matches('-').trim_start_matches(['+', '/']);
        let value = args.get(i + 1).cloned().unwrap_or_default();
        out.push((name.to_owned(), value));
        i += 2;
    }
    out
}

/// Where a `HiddenServicePort VIRTPORT [TARGET]` value leads: the target
/// an address and port, a port alone (on 127.0.0.1), or the virtual port
/// itself when none is given; a unix-socket target is not TCP (`None`).
pub fn hidden_service_target(v: &str) -> Option<std::net::SocketAddr> {
    let v = v.trim().trim_matches('"');
    let mut parts = v.split_whitespace();
    let virt = parts.next()?;
    let target = parts.next().unwrap_or(virt);
    if let Ok(a) = target.parse() {
        return Some(a);
    }
    let port: u16 = target.parse().ok()?;
    Some(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
}

/// The onion services of `GETCONF HiddenServiceOptions`, in tor's order:
/// each `HiddenServiceDir` begins one, and the lines after it are its own
/// (its ports, `HiddenServiceNumIntroductionPoints`).
pub fn hidden_services<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<rnyx_model::onion::Configured> {
    let mut services: Vec<rnyx_model::onion::Configured> = Vec::new();
    for (key, value) in pairs {
        let value = rnyx_model::text::strip_controls(value.trim().trim_matches('"'));
        if key.eq_ignore_ascii_case("HiddenServiceDir") {
            services.push(rnyx_model::onion::Configured {
                dir: Some(value),
                ..Default::default()
            });
            continue;
        }
        let Some(s) = services.last_mut() else {
            continue;
        };
        if key.eq_ignore_ascii_case("HiddenServicePort") {
            s.ports.push(value);
        } else if key.eq_ignore_ascii_case("HiddenServiceNumIntroductionPoints") {
            s.intro_wanted = value.parse().ok();
        }
    }
    services
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_services_begin_at_each_directory() {
        let pairs = [
            ("HiddenServicePort", "1 2"),
            ("HiddenServiceDir", "/var/lib/tor/a"),
            ("HiddenServicePort", "80 127.0.0.1:8080"),
            ("HiddenServicePort", "\"443 [::1]:8443\""),
            ("HiddenServiceDir", "/var/lib/tor/b\u{1b}[2J"),
            ("HiddenServiceNumIntroductionPoints", "5"),
            ("HiddenServiceVersion", "3"),
        ];
        let s = hidden_services(pairs);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].dir.as_deref(), Some("/var/lib/tor/a"));
        assert_eq!(s[0].ports, ["80 127.0.0.1:8080", "443 [::1]:8443"]);
        assert_eq!(s[0].intro_wanted, None);
        assert_eq!(s[1].dir.as_deref(), Some("/var/lib/tor/b[2J"));
        assert_eq!(s[1].intro_wanted, Some(5));
        assert!(s[1].ports.is_empty());
    }

    #[test]
    fn hidden_service_ports() {
        let t = |v: &str| hidden_service_target(v).map(|a| a.to_string());
        assert_eq!(t("80 127.0.0.1:8080").as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(t("80 8080").as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(t("22").as_deref(), Some("127.0.0.1:22"));
        assert_eq!(t("\"443 [::1]:8443\"").as_deref(), Some("[::1]:8443"));
        assert_eq!(t("80 unix:/run/site.sock"), None);
    }

    #[test]
    fn include_lines() {
        assert_eq!(
            include("%include /etc/tor/torrc.d/*.conf # more"),
            Some("/etc/tor/torrc.d/*.conf")
        );
        assert_eq!(include("  %include\t/x"), Some("/x"));
        assert_eq!(include("# %include /x"), None);
        assert_eq!(include("%includes /x"), None);
        assert_eq!(include("ORPort 9001"), None);
    }

    #[test]
    fn globs() {
        assert!(glob("*.conf", "a.conf"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("*.conf", "a.conf.bak"));
        assert!(!glob("a*a", "a"));
        // Without a `*`, only the name itself (found by fuzzing: it panicked).
        assert!(glob("", ""));
        assert!(!glob("", "x"));
        assert!(glob("a.conf", "a.conf"));
    }
}
