//! tor's MetricsPort: the Prometheus text exposition format (version
//! 0.0.4) it serves at `/metrics`, read into samples.
//!
//! The rule of [`crate::spec`] holds here too: structure exact, words open.
//! A sample line is `name{label="value",…} value [timestamp]`; a name that
//! is not `[a-zA-Z_:][a-zA-Z0-9_:]*`, a label that is not quoted as the
//! format says, or a value that is not a number refuses that line, with a
//! reason, and the rest are read. A family, a label or a `# TYPE` word this
//! rnyx does not know is kept as written: a newer tor adds them.

use crate::spec::{refuse, Refused};

/// One sample: its family's name, its labels in the order written, and
/// its value (`NaN` and the infinities as the format writes them).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    /// The value of label `key`, if the sample has it.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The sample as a line of the format (labels escaped), without a
    /// timestamp.
    pub fn line(&self) -> String {
        let mut out = self.name.clone();
        if !self.labels.is_empty() {
            out.push('{');
            for (i, (k, v)) in self.labels.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(k);
                out.push_str("=\"");
                for c in v.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '"' => out.push_str("\\\""),
                        '\n' => out.push_str("\\n"),
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            out.push('}');
        }
        out.push(' ');
        out.push_str(&number(self.value));
        out
    }
}

/// A value as the format writes it: `NaN`, `+Inf`, `-Inf`, or the number.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        v.to_string()
    }
}

/// What a MetricsPort answered: every sample read, each family's `# TYPE`
/// word as written, and the lines refused.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposition {
    pub samples: Vec<Sample>,
    pub types: Vec<(String, String)>,
    pub refused: Vec<Refused>,
}

impl Exposition {
    /// The samples of family `name`.
    pub fn family<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| s.name == name)
    }

    /// The value of the sample of `name` whose labels include `labels`.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.family(name)
            .find(|s| labels.iter().all(|(k, v)| s.label(k) == Some(*v)))
            .map(|s| s.value)
    }

    /// The `# TYPE` word given for family `name`.
    pub fn kind(&self, name: &str) -> Option<&str> {
        self.types
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }
}

/// Reads the text of a `/metrics` answer (its body: no HTTP headers).
pub fn parse(text: &str) -> Exposition {
    let mut out = Exposition::default();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.split_whitespace();
            if let (Some("TYPE"), Some(name), Some(kind)) =
                (words.next(), words.next(), words.next())
            {
                out.types.push((name.to_owned(), kind.to_owned()));
            }
            continue;
        }
        match sample(line) {
            Ok(s) => out.samples.push(s),
            Err(e) => out.refused.push(e),
        }
    }
    out
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*` (a family) or `[a-zA-Z_][a-zA-Z0-9_]*` (a
/// label, `colon` false).
fn is_name(s: &str, colon: bool) -> bool {
    let ok = |c: char, first: bool| {
        c.is_ascii_alphabetic() || c == '_' || (colon && c == ':') || (!first && c.is_ascii_digit())
    };
    let mut chars = s.chars();
    chars.next().is_some_and(|c| ok(c, true)) && chars.all(|c| ok(c, false))
}

/// One sample line.
fn sample(line: &str) -> Result<Sample, Refused> {
    let line = line.trim_start();
    let end = line
        .find(|c: char| c == '{' || c.is_whitespace())
        .unwrap_or(line.len());
    let name = &line[..end];
    if !is_name(name, true) {
        return Err(refuse("metric", name, "a metric name"));
    }
    let mut rest = &line[end..];
    let mut labels = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        rest = label_set(after, &mut labels).map_err(|what| refuse(name, line, what))?;
    }
    let mut words = rest.split_whitespace();
    let value = words
        .next()
        .ok_or_else(|| refuse(name, line, "a sample (no value)"))?;
    let value = parse_value(value).ok_or_else(|| refuse(name, value, "a number"))?;
    if let Some(t) = words.next() {
        if t.parse::<i64>().is_err() {
            return Err(refuse(name, t, "a timestamp (milliseconds)"));
        }
    }
    if let Some(extra) = words.next() {
        return Err(refuse(name, extra, "the end of the line"));
    }
    Ok(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// The labels after `{`, into `labels`; what follows the `}`, or what is
/// wrong.
fn label_set<'a>(
    mut s: &'a str,
    labels: &mut Vec<(String, String)>,
) -> Result<&'a str, &'static str> {
    loop {
        s = s.trim_start();
        if let Some(after) = s.strip_prefix('}') {
            return Ok(after);
        }
        let eq = s.find('=').ok_or("a label set (a label without `=`)")?;
        let key = s[..eq].trim();
        if !is_name(key, false) {
            return Err("a label set (a label name is not one)");
        }
        let after = s[eq + 1..].trim_start();
        let quoted = after
            .strip_prefix('"')
            .ok_or("a label set (a value not quoted)")?;
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        let close = loop {
            match chars.next() {
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    _ => return Err("a label set (an escape the format has not)"),
                },
                Some((_, c)) => value.push(c),
                None => return Err("a label set (a value not closed)"),
            }
        };
        labels.push((key.to_owned(), value));
        s = quoted[close + 1..].trim_start();
        if let Some(after) = s.strip_prefix(',') {
            s = after;
        } else if !s.starts_with('}') {
            return Err("a label set (no `,` or `}` after a value)");
        }
    }
}

/// A value as Go's `ParseFloat` reads it: a decimal number, `NaN`,
/// `+Inf`, `-Inf` (or `Inf`).
fn parse_value(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        // Rust reads `inf`, `nan` and `infinity` too: the format has not.
        _ if s
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && !matches!(b, b'e' | b'E')) =>
        {
            None
        }
        _ => s.parse().ok(),
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // values read from exact text, compared exactly
mod tests {
    use super::*;

    /// Lines as tor 0.4.9's MetricsPort writes them (relay families, a
    /// label set with several labels, a counter and a gauge).
    const TOR: &str = "# HELP tor_relay_dos_total Denial of Service defenses related counters\n\
        # TYPE tor_relay_dos_total counter\n\
        tor_relay_dos_total{type=\"circuits_rejected\"} 90331\n\
        tor_relay_dos_total{type=\"single_hop_refused\"} 0\n\
        # TYPE tor_relay_load_onionskins_total counter\n\
        tor_relay_load_onionskins_total{type=\"ntor\",action=\"processed\"} 1234\n\
        tor_relay_load_onionskins_total{type=\"ntor\",action=\"dropped\"} 5\n\
        # TYPE tor_relay_flag gauge\n\
        tor_relay_flag{type=\"Guard\"} 1\n\
        tor_relay_congestion_control_total{action=\"rtt_reset\"} 0\n";

    #[test]
    fn tors_lines_are_read_by_family_and_label() {
        let e = parse(TOR);
        assert!(e.refused.is_empty(), "{:?}", e.refused);
        assert_eq!(e.samples.len(), 6);
        assert_eq!(
            e.value("tor_relay_dos_total", &[("type", "circuits_rejected")]),
            Some(90_331.0)
        );
        assert_eq!(
            e.value(
                "tor_relay_load_onionskins_total",
                &[("type", "ntor"), ("action", "dropped")]
            ),
            Some(5.0)
        );
        assert_eq!(e.kind("tor_relay_flag"), Some("gauge"));
        // A family with no TYPE line is read all the same (words open).
        assert_eq!(e.kind("tor_relay_congestion_control_total"), None);
        assert_eq!(e.family("tor_relay_dos_total").count(), 2);
    }

    #[test]
    fn the_formats_values_escapes_and_timestamps() {
        let e = parse(
            "a NaN\nb +Inf\nc -Inf\nd 1.5e3 1700000000000\n\
             e{path=\"C:\\\\x\",say=\"a \\\"b\\\"\\nc\",} 2\nf{ } 3\n",
        );
        assert!(e.refused.is_empty(), "{:?}", e.refused);
        assert!(e.samples[0].value.is_nan());
        assert_eq!(e.samples[1].value, f64::INFINITY);
        assert_eq!(e.samples[2].value, f64::NEG_INFINITY);
        assert_eq!(e.samples[3].value, 1500.0);
        assert_eq!(e.samples[4].label("path"), Some("C:\\x"));
        assert_eq!(e.samples[4].label("say"), Some("a \"b\"\nc"));
        assert!(e.samples[5].labels.is_empty());
        // Written back and read again: the same samples.
        let text: String = e.samples.iter().map(|s| s.line() + "\n").collect();
        let again = parse(&text);
        assert_eq!(again.samples.len(), e.samples.len());
        for (a, b) in again.samples.iter().zip(&e.samples) {
            assert_eq!((&a.name, &a.labels), (&b.name, &b.labels));
            assert_eq!(a.value.to_bits(), b.value.to_bits());
        }
    }

    /// Each way a line can break the format, refused with its reason; the
    /// lines around it are read.
    #[test]
    fn each_broken_line_is_refused_and_says_why() {
        for (line, why) in [
            ("9lives 1", "metric \"9lives\" is not a metric name"),
            ("a-b 1", "metric \"a-b\" is not a metric name"),
            ("a", "is not a sample (no value)"),
            ("a x", "a \"x\" is not a number"),
            ("a inf", "a \"inf\" is not a number"),
            ("a 1 soon", "a \"soon\" is not a timestamp"),
            ("a 1 2 3", "a \"3\" is not the end of the line"),
            ("a{b} 1", "is not a label set (a label without `=`)"),
            (
                "a{1b=\"x\"} 1",
                "is not a label set (a label name is not one)",
            ),
            ("a{b=x} 1", "is not a label set (a value not quoted)"),
            ("a{b=\"x} 1", "is not a label set (a value not closed)"),
            (
                "a{b=\"\\t\"} 1",
                "is not a label set (an escape the format has not)",
            ),
            (
                "a{b=\"x\" c=\"y\"} 1",
                "is not a label set (no `,` or `}` after a value)",
            ),
        ] {
            let e = parse(&format!("before 1\n{line}\nafter 2\n"));
            assert_eq!(e.samples.len(), 2, "{line}");
            assert_eq!(e.refused.len(), 1, "{line}");
            let reason = &e.refused[0].0;
            assert!(reason.contains(why), "{line}: {reason}");
        }
    }
}
