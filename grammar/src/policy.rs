//! The exit policy as the header shows it, the way Nyx does: tor's rules
//! (`exit-policy/full`) in order, without the private-address rejections
//! tor adds by itself, and tor's default policy at the end shown as
//! `<default>`. Never a summary that says less than tor does.

/// The policy to show, and whether it accepts anything (an exit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyView {
    pub text: String,
    pub exits: bool,
}

/// What tor's `ExitPolicyRejectPrivate` puts first.
const PRIVATE: &[&str] = &[
    "0.0.0.0/8",
    "169.254.0.0/16",
    "127.0.0.0/8",
    "192.168.0.0/16",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "[::]/8",
    "[fc00::]/7",
    "[fe80::]/10",
    "[fec0::]/10",
    "[ff00::]/8",
    "[::]/127",
];

/// tor's default exit policy, which ends a policy that does not end in
/// `reject *:*`.
const DEFAULT: &[&str] = &[
    "reject *:25",
    "reject *:119",
    "reject *:135-139",
    "reject *:445",
    "reject *:563",
    "reject *:1214",
    "reject *:4661-4666",
    "reject *:6346-6429",
    "reject *:6699",
    "reject *:6881-6999",
    "accept *:*",
];

/// One rule in a comparable form (for finding tor's own rules, not for
/// showing): `reject6 [::]/8:*` → `reject [::]/8:*`, `*4`/`*6` → `*`.
fn normal(rule: &str) -> String {
    let (action, target) = rule.split_once(' ').unwrap_or((rule, ""));
    let action = action.trim_end_matches('6');
    let target = target
        .trim()
        .replacen("*4:", "*:", 1)
        .replacen("*6:", "*:", 1);
    format!("{action} {target}")
}

fn is_private_reject(rule: &str) -> bool {
    let Some(target) = rule.strip_prefix("reject ") else {
        return false;
    };
    let Some((addr, ports)) = target.rsplit_once(':') else {
        return false;
    };
    if ports != "*" {
        return false;
    }
    // The ranges above, or one host (tor's own addresses).
    PRIVATE.contains(&addr)
        || (addr != "*" && (!addr.contains('/') || addr.ends_with("/32") || addr.ends_with("/128")))
}

pub fn describe(full: &str) -> PolicyView {
    // tor's words, control characters removed; compared in normal form.
    let mut rules: Vec<(String, String)> = full
        .split([',', '\n'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| (rnyx_model::text::strip_controls(r), normal(r)))
        .collect();
    rules.dedup();
    let private = rules
        .iter()
        .take_while(|(_, n)| is_private_reject(n))
        .count();
    rules.drain(..private);
    let ends_in_default = rules.len() >= DEFAULT.len()
        && rules[rules.len() - DEFAULT.len()..]
            .iter()
            .zip(DEFAULT)
            .all(|((_, n), d)| n == d);
    let exits = rules.iter().any(|(_, n)| n.starts_with("accept "));
    let mut shown: Vec<String> = rules.into_iter().map(|(r, _)| r).collect();
    if ends_in_default {
        shown.truncate(shown.len() - DEFAULT.len());
        shown.push("<default>".to_owned());
    }
    if shown.is_empty() {
        shown.push("reject *:*".to_owned());
    }
    PolicyView {
        text: shown.join(", "),
        exits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_as_tor_has_them() {
        let private = "reject 0.0.0.0/8:*,reject 169.254.0.0/16:*,reject 127.0.0.0/8:*,reject 192.168.0.0/16:*,reject 10.0.0.0/8:*,reject 172.16.0.0/12:*,reject 203.0.113.5:*,reject6 [::]/8:*";
        let view = describe("reject *:*");
        assert_eq!((view.text.as_str(), view.exits), ("reject *:*", false));
        // The private network's exit: its accept of loopback shows.
        let view = describe("accept 127.0.0.0/8:*,accept [::1]:*,reject *:*");
        assert_eq!(
            view.text,
            "accept 127.0.0.0/8:*, accept [::1]:*, reject *:*"
        );
        assert!(view.exits);
        let view = describe(&format!(
            "{private},accept *:80,accept *:443,reject *4:*,reject *6:*"
        ));
        assert_eq!(
            view.text,
            "accept *:80, accept *:443, reject *4:*, reject *6:*"
        );
        // IPv6 rules stay IPv6 rules.
        let view = describe("reject6 *:*\naccept *:*");
        assert_eq!(
            (view.text.as_str(), view.exits),
            ("reject6 *:*, accept *:*", true)
        );
        let default = DEFAULT.join(",");
        let view = describe(&format!("{private},reject *:22,{default}"));
        assert_eq!(view.text, "reject *:22, <default>");
        assert!(view.exits);
        assert_eq!(
            describe(&format!("{private},reject *:*")).text,
            "reject *:*"
        );
        assert_eq!(describe("").text, "reject *:*");
    }
}
