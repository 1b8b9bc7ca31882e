//! Signals read from what tor answers or keeps on disk: overload lines of
//! the relay's own descriptors, the signing certificate's expiry.

/// The `overload-*` lines of a server or extra-info descriptor
/// (dir-spec: `overload-general`, `overload-ratelimits`,
/// `overload-fd-exhausted`), controls stripped.
pub fn overload_lines(descriptor: &str) -> Vec<String> {
    descriptor
        .lines()
        .filter(|l| l.starts_with("overload-"))
        .take(8)
        .map(|l| crate::text::strip_controls(l.trim_end()))
        .collect()
}

/// The digest of the extra-info descriptor a server descriptor names
/// (`extra-info-digest SHA1 [SHA256]`): 40 hex digits.
pub fn extra_info_digest(descriptor: &str) -> Option<&str> {
    descriptor.lines().find_map(|l| {
        let d = l.strip_prefix("extra-info-digest ")?.split(' ').next()?;
        (d.len() == 40 && d.bytes().all(|b| b.is_ascii_hexdigit())).then_some(d)
    })
}

/// The file's tag: tor writes `== ed25519v1-cert: type4 ==`, padded with
/// NULs to 32 bytes, before the certificate.
const TAG: &[u8] = b"== ed25519v1-cert: type4 ==";

/// When the ed25519 signing certificate in `keys/ed25519_signing_cert`
/// expires, in Unix seconds (cert-spec §2.1: version 1, a type, then the
/// expiry in hours since the epoch, 4 bytes big-endian).
pub fn signing_cert_expiry(file: &[u8]) -> Option<u64> {
    let cert = file.strip_prefix(TAG)?;
    let cert = cert.get(32 - TAG.len()..)?;
    match cert {
        [1, _, a, b, c, d, ..] => Some(u64::from(u32::from_be_bytes([*a, *b, *c, *d])) * 3600),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overload_lines_and_the_extra_info_digest() {
        let desc = "router r 10.0.0.1 9001 0 0\nextra-info-digest 0123456789ABCDEF0123456789abcdef01234567 x\noverload-general 1 2026-12-04 10:00:00\nbandwidth 1 2 3\n";
        assert_eq!(
            overload_lines(desc),
            ["overload-general 1 2026-12-04 10:00:00"]
        );
        assert_eq!(
            extra_info_digest(desc),
            Some("0123456789ABCDEF0123456789abcdef01234567")
        );
        assert_eq!(extra_info_digest("extra-info-digest 12\n"), None);
        assert!(overload_lines("router r\n").is_empty());
    }

    #[test]
    fn the_certificates_expiry_after_its_tag() {
        let mut file = TAG.to_vec();
        file.resize(32, 0);
        // version 1, type 4, 500,000 hours
        file.extend([1, 4]);
        file.extend(500_000u32.to_be_bytes());
        file.extend([1; 40]);
        assert_eq!(signing_cert_expiry(&file), Some(500_000 * 3600));
        file[32] = 2;
        assert_eq!(signing_cert_expiry(&file), None);
        assert_eq!(signing_cert_expiry(b"== ed25519v1-secret"), None);
        assert_eq!(signing_cert_expiry(&file[..34]), None);
    }
}
