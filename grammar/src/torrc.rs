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

#[cfg(test)]
mod tests {
    use super::*;

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
