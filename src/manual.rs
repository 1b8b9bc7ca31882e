//! tor's manual page, parsed for the configuration editor: the installed
//! `tor.1` (troff, usually gzipped), else the copy of tor 0.4.9's manual in
//! the binary (`assets/tor.1.gz`, made by `scripts/embed-manual.sh`) for
//! machines without man pages.
//!
//! Each option's entry is a `.PP` paragraph whose first line names it (in
//! bold, with its usage; several options can share one), then its
//! description indented between `.RS` and `.RE`, inside a section
//! `.SH "… OPTIONS"` that gives its category.

use rnyx_model::{Manual, ManualEntry};
use std::io::Read;
use std::path::Path;

/// The installed manual's usual place.
pub const INSTALLED: &str = "/usr/share/man/man1/tor.1.gz";

/// The copy in the binary.
const EMBEDDED: &[u8] = include_bytes!("../assets/tor.1.gz");

/// The installed manual, else the embedded copy (saying why).
pub fn load() -> Manual {
    match read(Path::new(INSTALLED)) {
        Ok(text) => Manual::new(INSTALLED.to_owned(), parse(&text)),
        Err(why) => {
            let mut m = embedded();
            m.source = format!("{} ({why})", m.source);
            m
        }
    }
}

/// The manual in `bytes` (troff, gzipped or not), read from `source`.
pub fn of_bytes(source: String, bytes: &[u8]) -> Result<Manual, String> {
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        gunzip(bytes).map_err(|e| format!("{source}: {e}"))?
    } else {
        String::from_utf8(bytes.to_vec()).map_err(|e| format!("{source}: {e}"))?
    };
    Ok(Manual::new(source, parse(&text)))
}

/// The copy of tor 0.4.9's manual in rnyx.
pub fn embedded() -> Manual {
    let text = gunzip(EMBEDDED).expect("the embedded manual is gzip");
    Manual::new(
        "the copy of tor 0.4.9's manual in rnyx".to_owned(),
        parse(&text),
    )
}

/// A man page's text, gzipped or not.
pub fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        gunzip(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    } else {
        String::from_utf8(bytes).map_err(|e| format!("{}: {e}", path.display()))
    }
}

fn gunzip(bytes: &[u8]) -> Result<String, String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| format!("not a readable gzip file: {e}"))?;
    Ok(text)
}

/// The category a `.SH` title gives, if its section lists options.
fn category(title: &str) -> Option<String> {
    let title = unescape(title.trim().trim_matches('"'));
    let name = title.strip_suffix(" OPTIONS")?;
    if name.starts_with("COMMAND") {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let mut c = lower.chars();
    Some(c.next().map_or_else(String::new, |f| {
        f.to_ascii_uppercase().to_string() + c.as_str()
    }))
}

/// The options a heading names, each with its usage: `\fBName\fR usage`,
/// alternatives after `, \fB`.
fn heading(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in line.split(", \\fB") {
        let part = part.strip_prefix("\\fB").unwrap_or(part);
        let Some(end) = part.find("\\f") else {
            continue;
        };
        let name = &part[..end];
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && (name.starts_with('_') || name.starts_with(|c: char| c.is_ascii_uppercase()));
        if valid {
            let usage = unescape(&part[end..]).trim().to_owned();
            out.push((name.to_owned(), usage));
        } else if let Some((_, usage)) = out.last_mut() {
            // A comma inside the usage, not a second option.
            usage.push_str(", ");
            usage.push_str(unescape(part).trim());
        }
    }
    out
}

/// troff's escapes to plain text: fonts dropped, special characters named.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('f') => {
                // \fB, \fI, \fR, \fP, or \f(XY
                if chars.next() == Some('(') {
                    chars.next();
                    chars.next();
                }
            }
            Some('(') => {
                let name: String = [chars.next(), chars.next()].into_iter().flatten().collect();
                out.push_str(match name.as_str() {
                    "cq" | "aq" | "oq" => "'",
                    "dq" | "lq" | "rq" => "\"",
                    "em" => "—",
                    "en" | "hy" => "-",
                    "bu" => "•",
                    "co" => "©",
                    "ga" => "`",
                    "ti" => "~",
                    "ha" => "^",
                    _ => "",
                });
            }
            Some('*') => {
                // \*(XY or \*X strings: quotes in practice.
                if chars.next() == Some('(') {
                    chars.next();
                    chars.next();
                }
                out.push('"');
            }
            Some('-') => out.push('-'),
            Some('e' | '\\') => out.push('\\'),
            Some(' ' | '~') => out.push(' '),
            Some('&' | '%' | 'c' | ')') | None => {}
            Some(other) => out.push(other),
        }
    }
    out
}

/// The entries of the options `pending` names, sharing `description`; a
/// usage holding `: text` gives its own description.
fn emit(
    entries: &mut Vec<ManualEntry>,
    pending: &mut Vec<(String, String)>,
    category: Option<&str>,
    description: &[String],
) {
    for (name, usage) in pending.drain(..) {
        let (usage, description) = match usage.split_once(": ") {
            Some((u, text)) if description.is_empty() => (u.to_owned(), vec![text.to_owned()]),
            _ => (usage, description.to_vec()),
        };
        entries.push(ManualEntry {
            name,
            category: category.unwrap_or_default().to_owned(),
            usage,
            description,
            index: entries.len(),
        });
    }
}

/// Every option entry of a man page's text, in the manual's order.
pub fn parse(text: &str) -> Vec<ManualEntry> {
    let mut entries = Vec::new();
    let mut cat: Option<String> = None;
    // Options named by the last heading, waiting for their description.
    let mut pending: Vec<(String, String)> = Vec::new();
    let mut after_pp = false;
    let mut depth = 0usize;
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut literal = false;
    let flush = |current: &mut String, paragraphs: &mut Vec<String>| {
        let p = current.trim_end().to_owned();
        if !p.trim().is_empty() {
            paragraphs.push(p);
        }
        current.clear();
    };
    for line in text.lines() {
        if depth == 0 {
            // A heading with its text after a colon ends at the next
            // paragraph; others wait for the description they share.
            let inline = pending.last().is_some_and(|(_, u)| u.contains(": "));
            let ends = line.starts_with(".SH ") || (line.starts_with(".PP") && inline);
            if ends && !pending.is_empty() {
                // A heading with no indented description: its text, if any,
                // follows a colon on the heading itself.
                emit(&mut entries, &mut pending, cat.as_deref(), &[]);
            }
            if let Some(title) = line.strip_prefix(".SH ") {
                cat = category(title);
                after_pp = false;
            } else if line.starts_with(".PP") || line.starts_with(".sp") {
                after_pp = true;
            } else if after_pp && line.starts_with("\\fB") && cat.is_some() {
                // Headings separated by `.sp` share the description after
                // the last of them.
                pending.extend(heading(line));
                after_pp = false;
            } else if line.starts_with(".RS") && !pending.is_empty() {
                depth = 1;
                paragraphs.clear();
                current.clear();
            } else {
                after_pp = false;
            }
            continue;
        }
        if line.starts_with(".RS") {
            depth += 1;
        } else if line.starts_with(".RE") {
            depth -= 1;
            if depth == 0 {
                flush(&mut current, &mut paragraphs);
                emit(&mut entries, &mut pending, cat.as_deref(), &paragraphs);
            }
        } else if line.starts_with(".nf") {
            flush(&mut current, &mut paragraphs);
            literal = true;
        } else if line.starts_with(".fi") {
            flush(&mut current, &mut paragraphs);
            literal = false;
        } else if line.starts_with(".sp") || line.starts_with(".PP") || line.starts_with(".IP") {
            flush(&mut current, &mut paragraphs);
            if line.starts_with(".IP") && line.contains("\\(bu") {
                current.push_str("• ");
            }
        } else if line.starts_with('.') || line.starts_with('\'') {
            // Other requests (.if, .el, .br, …) carry no text of their own.
        } else if line.trim().is_empty() && !literal {
            flush(&mut current, &mut paragraphs);
        } else {
            let text = unescape(line);
            if literal {
                current.push_str(&text);
                current.push('\n');
            } else {
                if !current.is_empty() && !current.ends_with(' ') {
                    current.push(' ');
                }
                current.push_str(text.trim());
            }
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#".SH "COMMAND\-LINE OPTIONS"
.PP
\fB\-f\fR \fIFILE\fR
.RS 4
Not an option of the torrc\&.
.RE
.SH "GENERAL OPTIONS"
.PP
\fBBandwidthRate\fR \fIN\fR \fBbytes\fR|\fBKBytes\fR
.RS 4
A token bucket limits the average incoming bandwidth\&. It\(cqs \fIat the very least\fR
75 KBytes\&. (Default: 1 GByte)


Tor uses powers of two\&.
.sp
.if n \{\
.RS 4
.\}
.nf
ExitPolicy accept *:6660\-6667
ExitPolicy reject *:*
.fi
.if n \{\
.RE
.\}
.RE
.PP
\fBAlternateBridgeAuthority\fR [\fInickname\fR], \fBAlternateDirAuthority\fR [\fInickname\fR]
.RS 4
These behave as DirAuthority\&.
.RE
.sp
\fBPathBiasCircThreshold\fR \fINUM\fR
.sp
\fBPathBiasDropGuards\fR \fINUM\fR
.PP
\fBPathBiasScaleThreshold\fR \fINUM\fR
.RS 4
These options override path bias detection\&.
.RE
.sp
\fBFamilyKeyDirectory\fR \fIdirectory\fR: Configure a directory for family keys\&.
.PP
\fBNickname\fR \fIname\fR
.RS 4
The nickname\&.
.RE
.SH "NON\-PERSISTENT OPTIONS"
.PP
\fB__ControlPort\fR, \fB__DirPort\fR
.RS 4
Variants of the Port options\&.
.RE
.SH "SIGNALS"
.PP
\fBSIGTERM\fR
.RS 4
Not an option\&.
.RE
"#;

    #[test]
    fn entries_with_category_usage_and_paragraphs() {
        let e = parse(PAGE);
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "BandwidthRate",
                "AlternateBridgeAuthority",
                "AlternateDirAuthority",
                "PathBiasCircThreshold",
                "PathBiasDropGuards",
                "PathBiasScaleThreshold",
                "FamilyKeyDirectory",
                "Nickname",
                "__ControlPort",
                "__DirPort"
            ]
        );
        let bw = &e[0];
        assert_eq!(bw.category, "General");
        assert_eq!(bw.usage, "N bytes|KBytes");
        assert_eq!(
            bw.description,
            [
                "A token bucket limits the average incoming bandwidth. It's at the very least 75 KBytes. (Default: 1 GByte)",
                "Tor uses powers of two.",
                "ExitPolicy accept *:6660-6667\nExitPolicy reject *:*",
            ]
        );
        assert_eq!(e[2].usage, "[nickname]");
        assert_eq!(e[2].description, ["These behave as DirAuthority."]);
        assert_eq!(
            e[3].description,
            ["These options override path bias detection."]
        );
        assert_eq!(e[3].description, e[5].description);
        assert_eq!(e[6].usage, "directory");
        assert_eq!(e[6].description, ["Configure a directory for family keys."]);
        assert_eq!(e[7].description, ["The nickname."]);
        assert_eq!(e[8].category, "Non-persistent");
        let m = Manual::new("test".into(), e);
        assert_eq!(
            m.get("bandwidthrate").unwrap().summary(),
            "A token bucket limits the average incoming bandwidth."
        );
    }

    #[test]
    fn the_embedded_copy_is_tors_manual() {
        let m = embedded();
        assert!(m.len() > 300, "{} entries", m.len());
        let e = m.get("ContactInfo").expect("ContactInfo");
        assert_eq!(e.category, "Server");
        assert!(e.description[0].contains("contact"), "{:?}", e.description);
        // A summary runs past "e.g." to its sentence's end.
        let safe = m.get("SafeLogging").expect("SafeLogging").summary();
        assert!(safe.ends_with("with the string [scrubbed]."), "{safe}");
        // No troff escape is left in any text.
        for e in m.entries() {
            for text in std::iter::once(&e.usage).chain(&e.description) {
                assert!(
                    !text.contains("\\f") && !text.contains("\\&"),
                    "{}: {text}",
                    e.name
                );
            }
        }
    }
}
