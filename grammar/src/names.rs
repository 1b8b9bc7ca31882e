//! tor's names for relays: `LongName` (`$fingerprint~nickname`,
//! `$fingerprint=nickname`, `$fingerprint` or a bare nickname, control-spec
//! §2.1) and paths of them, as CIRC events and `circuit-status` give them.

use crate::spec::{is_nickname, refuse, Refused};
use compact_str::CompactString;
use rnyx_model::{Fingerprint, Hop};

/// Parses a `LongName = Fingerprint [ ( "=" / "~" ) Nickname ]` or a bare
/// `Nickname`; the fingerprint upper-cased. `=` (a Named relay's, in older
/// tors and other implementations) and `~` read the same.
pub fn parse_long_name(long_name: &str) -> Result<Hop, Refused> {
    let bad = || refuse("relay", long_name, "a LongName ($fingerprint[~=]nickname)");
    let (fingerprint, nick) = match long_name.strip_prefix('$') {
        Some(rest) => {
            let (fp, nick) = match rest.as_bytes().get(40) {
                None => (rest, None),
                Some(b'~' | b'=') => (&rest[..40], Some(&rest[41..])),
                Some(_) => return Err(bad()),
            };
            (Some(Fingerprint::parse_hex(fp).ok_or_else(bad)?), nick)
        }
        None => (None, Some(long_name)),
    };
    if nick.is_some_and(|n| !is_nickname(n)) {
        return Err(bad());
    }
    Ok(Hop {
        fingerprint,
        nickname: nick.map(CompactString::from),
    })
}

/// Parses a comma-separated path of long names (`Path = LongName *( ","
/// LongName )`, §4.1.1).
pub fn parse_path(path: &str) -> Result<Vec<Hop>, Refused> {
    let commas = memchr::memchr_iter(b',', path.as_bytes());
    let mut hops = Vec::with_capacity(commas.clone().count() + 1);
    let mut start = 0;
    for end in commas.chain(std::iter::once(path.len())) {
        hops.push(parse_long_name(&path[start..end])?);
        start = end + 1;
    }
    Ok(hops)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    #[test]
    fn every_form_of_long_name() {
        for sep in ["~", "="] {
            let h = parse_long_name(&format!("${FP}{sep}relay1")).unwrap();
            assert_eq!(h.fingerprint.as_deref(), Some(&*FP.to_uppercase()));
            assert_eq!(h.nickname.as_deref(), Some("relay1"));
        }
        let h = parse_long_name(&format!("${FP}")).unwrap();
        assert_eq!(h.fingerprint.as_deref(), Some(&*FP.to_uppercase()));
        assert_eq!(h.nickname, None);
        let h = parse_long_name("plain").unwrap();
        assert_eq!(
            (h.fingerprint, h.nickname.as_deref()),
            (None, Some("plain"))
        );
        assert_eq!(parse_path(&format!("${FP}~a,${FP}=b")).unwrap().len(), 2);
    }

    #[test]
    fn forms_the_spec_rules_out() {
        for bad in [
            "$AB=x".to_owned(),                  // short fingerprint
            format!("${FP}0~x"),                 // 41 digits
            format!("${}~x", "g".repeat(40)),    // not hex
            format!("${FP}~"),                   // empty nickname
            format!("${FP}~{}", "n".repeat(20)), // nickname over 19
            format!("${FP}~evil\u{1b}[2J"),      // not alphanumeric
            format!("${FP}-x"),                  // other separator
            "two words".to_owned(),
            String::new(),
        ] {
            let err = parse_long_name(&bad).unwrap_err();
            assert!(err.0.contains("is not a LongName"), "{bad}: {err}");
            assert!(!err.0.contains('\u{1b}'));
        }
        assert!(parse_path(&format!("${FP}~a,")).is_err());
        assert!(parse_path(&format!("${FP}~a,,${FP}~b")).is_err());
    }
}
