//! tor's running configuration and the torrc it was started with, as the
//! configuration editor (page 3) and the torrc page (page 4) show them.
//! The controller task fills it (GETINFO config/names, config/defaults,
//! config-text, config-file, one GETCONF for every option; the torrc and
//! what it includes read from disk) and keeps it current on CONF_CHANGED.

use std::collections::HashMap;

mod kind;
pub use kind::OptionType;

/// One option of tor's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TorOption {
    pub name: String,
    /// tor's type: `Boolean`, `DataSize`, `LineList`, `Virtual`, …
    pub kind: OptionType,
    /// tor's values (GETCONF; several for a line list, none when unset).
    pub values: Vec<String>,
    /// tor's default (`config/defaults`), when it has one.
    pub default: Option<String>,
    /// Present in `config-text`: what SAVECONF would write.
    pub set: bool,
    /// tor runs with another value than its torrc (and command line) give.
    pub unsaved: bool,
}

impl TorOption {
    pub fn is_private(&self) -> bool {
        self.name.starts_with("__")
    }

    pub fn is_virtual(&self) -> bool {
        self.kind == OptionType::Virtual
    }

    pub fn is_boolean(&self) -> bool {
        self.kind.is_boolean()
    }

    /// Takes several values, each its own SETCONF argument.
    pub fn is_line_list(&self) -> bool {
        matches!(
            self.kind,
            OptionType::LineList | OptionType::Dependent | OptionType::Virtual
        )
    }
}

/// One file of the torrc: the main one, or one it includes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TorrcFile {
    pub path: String,
    pub lines: Vec<String>,
    /// Why it could not be read.
    pub error: Option<String>,
    /// 0 for the torrc, 1 for what it includes, …
    pub depth: usize,
}

/// The torrc tor was started with, with the files it includes, in tor's
/// order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Torrc {
    /// The path tor gave (`config-file`), resolved as tor resolves it.
    pub path: Option<String>,
    pub files: Vec<TorrcFile>,
    /// Every `(option, value)` the files set, in tor's order (included
    /// files' lines at their `%include`).
    pub settings: Vec<(String, String)>,
    /// Where each of `settings` is: its file (in `files`) and line.
    #[serde(default)]
    pub origins: Vec<(usize, usize)>,
    /// Options given on tor's command line (`--Option value`).
    pub command_line: Vec<(String, String)>,
    /// Why the torrc could not be read at all.
    pub error: Option<String>,
    /// Unix seconds it was read (0: never).
    pub read_at: u64,
}

impl Torrc {
    /// Some file uses `%include`.
    pub fn includes(&self) -> bool {
        self.files.len() > 1
            || self.files.iter().any(|f| {
                f.lines
                    .iter()
                    .any(|l| l.trim_start().starts_with("%include"))
            })
    }
}

/// The option and value of a torrc line, if it sets one: comments and
/// `%include` lines do not. A leading `+` or `/` (append, remove) is
/// dropped.
pub fn entry(line: &str) -> Option<(&str, &str)> {
    let code = strip_comment(line).trim();
    if code.is_empty() || code.starts_with('%') {
        return None;
    }
    let (key, value) = code
        .split_once(|c: char| c.is_whitespace())
        .unwrap_or((code, ""));
    let key = key.trim_start_matches(['+', '/']);
    Some((key, value.trim()))
}

/// A torrc line without its comment (`#` outside quotes).
pub fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// tor's configuration as the pages show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TorConfig {
    /// In tor's order (`config/names`).
    pub options: Vec<TorOption>,
    index: HashMap<String, usize>,
    /// `config-text`: what SAVECONF would write.
    pub text: String,
    /// `config-file` as tor says it.
    pub file: Option<String>,
    pub torrc: Torrc,
    /// Unix seconds of the last full read (0: never).
    pub loaded: u64,
    /// Why the last read failed.
    pub error: Option<String>,
    /// The torrc lines tor does not run, by file and line: an option that
    /// takes one value, set again later (tor takes the last).
    pub overridden: HashMap<(usize, usize), Overrider>,
}

/// What a torrc line that tor does not run is overridden by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overrider {
    /// A later line: its file (in `Torrc::files`) and line.
    Line(usize, usize),
    /// The option on tor's command line.
    CommandLine,
}

impl TorConfig {
    /// Builds the table from tor's answers: `names` (`name type`),
    /// `defaults` (`name value`), `values` (GETCONF's pairs, `None` unset),
    /// `text` (`config-text`).
    pub fn from_tor(
        names: &[(String, String)],
        defaults: &[(String, String)],
        values: &[(String, Option<String>)],
        text: String,
        file: Option<String>,
    ) -> Self {
        let mut c = TorConfig {
            options: names
                .iter()
                .map(|(name, kind)| TorOption {
                    name: name.clone(),
                    kind: OptionType::of(kind),
                    ..TorOption::default()
                })
                .collect(),
            text,
            file,
            ..TorConfig::default()
        };
        c.reindex();
        for (name, value) in defaults {
            if let Some(o) = c.get_mut(name) {
                o.default = Some(value.clone());
            }
        }
        c.set_values(values);
        c.reconcile();
        c
    }

    fn reindex(&mut self) {
        self.index = self
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| (o.name.to_ascii_lowercase(), i))
            .collect();
    }

    pub fn get(&self, name: &str) -> Option<&TorOption> {
        self.index
            .get(&name.to_ascii_lowercase())
            .map(|i| &self.options[*i])
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut TorOption> {
        self.index
            .get(&name.to_ascii_lowercase())
            .map(|i| &mut self.options[*i])
    }

    /// New values from GETCONF or CONF_CHANGED: each option named gets
    /// exactly the values given with it (`None`: unset).
    pub fn set_values(&mut self, values: &[(String, Option<String>)]) {
        let mut fresh: HashMap<usize, Vec<String>> = HashMap::new();
        for (name, value) in values {
            let Some(&i) = self.index.get(&name.to_ascii_lowercase()) else {
                continue;
            };
            let list = fresh.entry(i).or_default();
            if let Some(v) = value {
                list.push(v.clone());
            }
        }
        for (i, list) in fresh {
            self.options[i].values = list;
        }
    }

    /// Recomputes what is set (in `config-text`) and what is unsaved
    /// (running values other than the torrc's and command line's).
    pub fn reconcile(&mut self) {
        let mut running_text: HashMap<String, Vec<&str>> = HashMap::new();
        for (k, v) in self.text.lines().filter_map(entry) {
            running_text
                .entry(k.to_ascii_lowercase())
                .or_default()
                .push(v);
        }
        let read = self.torrc.read_at != 0 && self.torrc.error.is_none();
        let mut expected: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in &self.torrc.settings {
            expected
                .entry(k.to_ascii_lowercase())
                .or_default()
                .push(v.clone());
        }
        // The command line replaces the torrc's lines of an option.
        let mut from_command_line: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in &self.torrc.command_line {
            from_command_line
                .entry(k.to_ascii_lowercase())
                .or_default()
                .push(v.clone());
        }
        self.overridden = self.overrides(&from_command_line);
        expected.extend(from_command_line);
        for o in &mut self.options {
            let key = o.name.to_ascii_lowercase();
            o.set = running_text.contains_key(&key);
            // An option of one value runs the last line that sets it.
            let given = expected.get(&key).map(|v| {
                if o.is_line_list() {
                    &v[..]
                } else {
                    &v[v.len().saturating_sub(1)..]
                }
            });
            o.unsaved = read
                && !o.is_private()
                && !o.is_virtual()
                && match given {
                    Some(file) => !same_values(&o.kind, file, &o.values),
                    None => o.set,
                };
        }
    }

    /// The torrc lines tor does not run: every line of a one-value option
    /// but its last (tor warns that it ignores them), and all of them where
    /// the command line gives the option. A line list runs every line.
    fn overrides(
        &self,
        command_line: &HashMap<String, Vec<String>>,
    ) -> HashMap<(usize, usize), Overrider> {
        let torrc = &self.torrc;
        // Each one-value option's line that tor runs: its last.
        let one_value = |k: &str| self.get(k).filter(|o| !o.is_line_list());
        let mut last: HashMap<String, (usize, usize)> = HashMap::new();
        for ((k, _), at) in torrc.settings.iter().zip(&torrc.origins) {
            if one_value(k).is_some() {
                last.insert(k.to_ascii_lowercase(), *at);
            }
        }
        let mut out = HashMap::new();
        for ((k, _), at) in torrc.settings.iter().zip(&torrc.origins) {
            let key = k.to_ascii_lowercase();
            if self.get(k).is_some() && command_line.contains_key(&key) {
                out.insert(*at, Overrider::CommandLine);
            } else if let Some(runs) = last.get(&key).filter(|runs| *runs != at) {
                out.insert(*at, Overrider::Line(runs.0, runs.1));
            }
        }
        out
    }

    /// Options whose running value the torrc does not have.
    pub fn unsaved(&self) -> usize {
        self.options.iter().filter(|o| o.unsaved).count()
    }
}

/// Whether the torrc's values and tor's running ones are the same, read as
/// tor reads them (sizes and intervals in any unit, lists by item).
pub fn same_values(kind: &OptionType, file: &[String], running: &[String]) -> bool {
    let norm = |vs: &[String]| -> Vec<String> {
        // Comma lists, and line lists (policies) written on one line or many.
        let joined: Vec<String> = if kind.is_list() {
            vs.iter()
                .flat_map(|v| v.split(','))
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        } else {
            vs.to_vec()
        };
        joined.iter().map(|v| normalise(kind, v)).collect()
    };
    norm(file) == norm(running)
}

/// One value in a form that compares as tor reads it.
fn normalise(kind: &OptionType, value: &str) -> String {
    let v = value.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v);
    let number = match kind {
        OptionType::DataSize => parse_units(v, SIZE_UNITS),
        OptionType::TimeInterval => parse_units(v, TIME_UNITS),
        OptionType::TimeMsecInterval => parse_units(v, MSEC_UNITS),
        OptionType::Integer | OptionType::SignedInteger | OptionType::Float => {
            v.parse::<f64>().ok()
        }
        _ => None,
    };
    match number {
        Some(n) => format!("{n}"),
        None => v.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// Bytes per unit, as tor's memory units (`KBytes`, `kilobytes`, `kb`,
/// `KBits`, …; case does not matter).
const SIZE_UNITS: &[(&[&str], f64)] = &[
    (&["", "b", "byte", "bytes"], 1.0),
    (&["kb", "kbyte", "kbytes", "kilobyte", "kilobytes"], 1024.0),
    (
        &["mb", "mbyte", "mbytes", "megabyte", "megabytes"],
        1_048_576.0,
    ),
    (
        &["gb", "gbyte", "gbytes", "gigabyte", "gigabytes"],
        1_073_741_824.0,
    ),
    (
        &["tb", "tbyte", "tbytes", "terabyte", "terabytes"],
        1_099_511_627_776.0,
    ),
    (&["bit", "bits"], 0.125),
    (&["kbit", "kbits", "kilobit", "kilobits"], 128.0),
    (&["mbit", "mbits", "megabit", "megabits"], 131_072.0),
    (&["gbit", "gbits", "gigabit", "gigabits"], 134_217_728.0),
    (&["tbit", "tbits", "terabit", "terabits"], 137_438_953_472.0),
];

/// Seconds per unit.
const TIME_UNITS: &[(&[&str], f64)] = &[
    (&["", "s", "sec", "secs", "second", "seconds"], 1.0),
    (&["min", "mins", "minute", "minutes"], 60.0),
    (&["hour", "hours", "hr", "hrs"], 3600.0),
    (&["day", "days"], 86_400.0),
    (&["week", "weeks"], 604_800.0),
    (&["month", "months"], 2_592_000.0),
];

/// Milliseconds per unit.
const MSEC_UNITS: &[(&[&str], f64)] = &[
    (
        &["", "ms", "msec", "msecs", "millisecond", "milliseconds"],
        1.0,
    ),
    (&["s", "sec", "secs", "second", "seconds"], 1000.0),
    (&["min", "mins", "minute", "minutes"], 60_000.0),
    (&["hour", "hours", "hr", "hrs"], 3_600_000.0),
    (&["day", "days"], 86_400_000.0),
    (&["week", "weeks"], 604_800_000.0),
];

/// A `DataSize` value as tor writes it (`8 GB`, `512 MBytes`, bytes), in
/// bytes.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub fn data_size(value: &str) -> Option<u64> {
    parse_units(value.trim(), SIZE_UNITS)
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n as u64)
}

/// `N unit` as a number of base units, if the unit is one of `units`.
fn parse_units(value: &str, units: &[(&[&str], f64)]) -> Option<f64> {
    let split = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let n: f64 = value[..split].parse().ok()?;
    let unit = value[split..].trim().to_ascii_lowercase();
    units
        .iter()
        .find(|(names, _)| names.contains(&unit.as_str()))
        .map(|(_, per)| n * per)
}

/// A value as the editor shows it: sizes and intervals in the largest
/// whole unit, booleans as words, lists comma-joined, `<none>` if empty.
pub fn display_value(o: &TorOption) -> String {
    if o.values.is_empty() || o.values.iter().all(|v| v.trim().is_empty()) {
        return "<none>".into();
    }
    let one = |v: &str| -> String {
        match o.kind {
            OptionType::Boolean | OptionType::BooleanAuto => match v {
                "1" => "True".into(),
                "0" => "False".into(),
                other => other.into(),
            },
            OptionType::DataSize => parse_units(v, SIZE_UNITS).map_or_else(|| v.into(), size_label),
            OptionType::TimeInterval => {
                parse_units(v, TIME_UNITS).map_or_else(|| v.into(), |s| time_label(s, false))
            }
            OptionType::TimeMsecInterval => {
                parse_units(v, MSEC_UNITS).map_or_else(|| v.into(), |s| time_label(s, true))
            }
            _ => v.into(),
        }
    };
    o.values
        .iter()
        .map(|v| one(v))
        .collect::<Vec<_>>()
        .join(", ")
}

fn size_label(bytes: f64) -> String {
    const UNITS: [(&str, f64); 5] = [
        ("TB", 1_099_511_627_776.0),
        ("GB", 1_073_741_824.0),
        ("MB", 1_048_576.0),
        ("KB", 1024.0),
        ("B", 1.0),
    ];
    let (name, per) = UNITS
        .iter()
        .find(|(_, per)| bytes >= *per)
        .copied()
        .unwrap_or(("B", 1.0));
    let n = bytes / per;
    if (n - n.round()).abs() < 1e-9 {
        format!("{n:.0} {name}")
    } else {
        format!("{n:.1} {name}")
    }
}

fn time_label(n: f64, msec: bool) -> String {
    const UNITS: [(&str, f64); 5] = [
        ("day", 86_400.0),
        ("hour", 3600.0),
        ("minute", 60.0),
        ("second", 1.0),
        ("millisecond", 0.001),
    ];
    let secs = if msec { n / 1000.0 } else { n };
    if secs == 0.0 {
        return if msec { "0 milliseconds" } else { "0 seconds" }.into();
    }
    let (name, per) = UNITS
        .iter()
        .find(|(_, per)| secs >= *per && ((secs / per) - (secs / per).round()).abs() < 1e-9)
        .copied()
        .unwrap_or(("second", 1.0));
    let k = (secs / per).round();
    format!(
        "{k} {name}{}",
        if (k - 1.0).abs() < 1e-9 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(name: &str, kind: &str, values: &[&str]) -> TorOption {
        TorOption {
            name: name.into(),
            kind: OptionType::of(kind),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            ..TorOption::default()
        }
    }

    #[test]
    fn values_shown_by_type() {
        assert_eq!(display_value(&opt("A", "DataSize", &["1048576"])), "1 MB");
        assert_eq!(display_value(&opt("A", "DataSize", &["1536"])), "1.5 KB");
        assert_eq!(
            display_value(&opt("A", "TimeInterval", &["3600"])),
            "1 hour"
        );
        assert_eq!(
            display_value(&opt("A", "TimeInterval", &["90"])),
            "90 seconds"
        );
        assert_eq!(
            display_value(&opt("A", "TimeMsecInterval", &["1500"])),
            "1500 milliseconds"
        );
        assert_eq!(display_value(&opt("A", "Boolean", &["1"])), "True");
        assert_eq!(display_value(&opt("A", "Boolean+Auto", &["auto"])), "auto");
        assert_eq!(
            display_value(&opt("A", "LineList", &["accept *:80", "reject *:*"])),
            "accept *:80, reject *:*"
        );
        assert_eq!(display_value(&opt("A", "String", &[])), "<none>");
    }

    #[test]
    fn torrc_values_compare_as_tor_reads_them() {
        let s = |v: &[&str]| v.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        assert!(same_values(
            &OptionType::of("DataSize"),
            &s(&["1 MB"]),
            &s(&["1048576"])
        ));
        assert!(same_values(
            &OptionType::of("DataSize"),
            &s(&["8 MBits"]),
            &s(&["1048576"])
        ));
        assert!(!same_values(
            &OptionType::of("DataSize"),
            &s(&["2 MB"]),
            &s(&["1048576"])
        ));
        assert!(same_values(
            &OptionType::of("TimeInterval"),
            &s(&["2 hours"]),
            &s(&["7200"])
        ));
        assert!(same_values(
            &OptionType::of("String"),
            &s(&["\"a  b\""]),
            &s(&["a b"])
        ));
        assert!(same_values(
            &OptionType::of("CommaList"),
            &s(&["a, b", "c"]),
            &s(&["a,b,c"])
        ));
        assert!(!same_values(
            &OptionType::of("LineList"),
            &s(&["x"]),
            &s(&["x", "y"])
        ));
        assert!(same_values(
            &OptionType::of("LineList"),
            &s(&["accept *:80, reject *:*"]),
            &s(&["accept *:80", "reject *:*"])
        ));
    }

    #[test]
    fn set_and_unsaved_from_config_text_the_torrc_and_the_command_line() {
        let names = [
            ("ContactInfo", "String"),
            ("BandwidthRate", "DataSize"),
            ("Nickname", "String"),
            ("DataDirectory", "Filename"),
            ("__OwningControllerProcess", "String"),
        ]
        .map(|(n, k)| (n.to_owned(), k.to_owned()));
        let values = [
            ("ContactInfo", Some("new contact")),
            ("BandwidthRate", Some("1048576")),
            ("Nickname", None),
            ("DataDirectory", Some("/var/lib/tor")),
            ("__OwningControllerProcess", Some("42")),
        ]
        .map(|(n, v)| (n.to_owned(), v.map(str::to_owned)));
        let text = "BandwidthRate 1048576\nContactInfo new contact\nDataDirectory /var/lib/tor\n__OwningControllerProcess 42\n";
        let mut c = TorConfig::from_tor(&names, &[], &values, text.into(), None);
        // Before the torrc is read nothing is called unsaved.
        assert_eq!(c.unsaved(), 0);
        assert!(c.get("contactinfo").unwrap().set);
        assert!(!c.get("Nickname").unwrap().set);
        c.torrc = Torrc {
            files: vec![TorrcFile {
                path: "/etc/tor/torrc".into(),
                lines: vec![
                    "# a relay".into(),
                    "ContactInfo old contact # who".into(),
                    "BandwidthRate 1 MB".into(),
                ],
                ..TorrcFile::default()
            }],
            settings: vec![
                ("ContactInfo".into(), "old contact".into()),
                ("BandwidthRate".into(), "1 MB".into()),
            ],
            command_line: vec![("DataDirectory".into(), "/var/lib/tor".into())],
            read_at: 1,
            ..Torrc::default()
        };
        c.reconcile();
        let unsaved: Vec<&str> = c
            .options
            .iter()
            .filter(|o| o.unsaved)
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(unsaved, ["ContactInfo"]);
        // CONF_CHANGED resets one: not set in the torrc, so saved.
        c.set_values(&[("ContactInfo".into(), Some("old contact".into()))]);
        c.reconcile();
        assert_eq!(c.unsaved(), 0);
    }

    /// A torrc of files (path, depth, lines), read as the controller task
    /// reads one: settings in tor's order, `%include` lines naming the
    /// next file given.
    fn torrc_of(files: &[(&str, usize, &[&str])]) -> Torrc {
        fn walk(files: &[(&str, usize, &[&str])], i: &mut usize, out: &mut Torrc) {
            let at = *i;
            let (_, depth, lines) = files[at];
            *i += 1;
            for (n, line) in lines.iter().enumerate() {
                if line.starts_with("%include") {
                    if files.get(*i).is_some_and(|f| f.1 == depth + 1) {
                        walk(files, i, out);
                    }
                } else if let Some((k, v)) = entry(line) {
                    out.settings.push((k.to_owned(), v.to_owned()));
                    out.origins.push((at, n));
                }
            }
        }
        let mut t = Torrc {
            files: files
                .iter()
                .map(|(path, depth, lines)| TorrcFile {
                    path: (*path).to_owned(),
                    lines: lines.iter().map(|l| (*l).to_owned()).collect(),
                    depth: *depth,
                    error: None,
                })
                .collect(),
            read_at: 1,
            ..Torrc::default()
        };
        walk(files, &mut 0, &mut t);
        t
    }

    #[test]
    fn the_last_line_of_a_one_value_option_is_the_one_tor_runs() {
        let names = [
            ("ExitRelay", "Boolean"),
            ("ContactInfo", "String"),
            ("ExitPolicy", "LineList"),
            ("ORPort", "LineList"),
            ("Nickname", "String"),
            ("HiddenServiceDir", "Dependent"),
        ]
        .map(|(n, k)| (n.to_owned(), k.to_owned()));
        let values = [
            ("ExitRelay", Some("1")),
            ("ContactInfo", Some("included")),
            ("ExitPolicy", Some("accept *:80")),
            ("ExitPolicy", Some("reject *:*")),
            ("ORPort", Some("9001")),
            ("ORPort", Some("[::1]:9001")),
            ("Nickname", Some("fromcmd")),
        ]
        .map(|(n, v)| (n.to_owned(), v.map(str::to_owned)));
        let text = "ExitRelay 1\nContactInfo included\nExitPolicy accept *:80\nExitPolicy reject *:*\nORPort 9001\nORPort [::1]:9001\nNickname fromcmd\n";
        let mut c = TorConfig::from_tor(&names, &[], &values, text.into(), None);
        c.torrc = torrc_of(&[
            (
                "/etc/tor/torrc",
                0,
                &[
                    "ExitRelay 0",
                    "ContactInfo first",
                    "Nickname fromfile",
                    "ExitPolicy accept *:80",
                    "ORPort 9001",
                    "%include /etc/tor/torrc.d",
                    "ExitRelay 1",
                    "ExitPolicy reject *:*",
                ],
            ),
            (
                "/etc/tor/torrc.d/a.conf",
                1,
                &["ContactInfo included", "ORPort [::1]:9001"],
            ),
        ]);
        c.torrc.command_line = vec![("Nickname".into(), "fromcmd".into())];
        c.reconcile();
        // tor runs the last ExitRelay and ContactInfo, every ExitPolicy and
        // ORPort line, and the command line's Nickname: nothing unsaved.
        let unsaved: Vec<&str> = c
            .options
            .iter()
            .filter(|o| o.unsaved)
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(unsaved, Vec::<&str>::new());
        let mut marks: Vec<_> = c.overridden.iter().map(|(k, v)| (*k, *v)).collect();
        marks.sort_by_key(|(k, _)| *k);
        assert_eq!(
            marks,
            [
                ((0, 0), Overrider::Line(0, 6)),
                ((0, 1), Overrider::Line(1, 0)),
                ((0, 2), Overrider::CommandLine),
            ]
        );
        // tor running the first ExitRelay would be unsaved: the torrc's last
        // line says 1.
        c.set_values(&[("ExitRelay".into(), Some("0".into()))]);
        c.reconcile();
        assert_eq!(c.unsaved(), 1);
        assert!(c.get("ExitRelay").unwrap().unsaved);
        // A line list missing one of its lines is unsaved too.
        c.set_values(&[
            ("ExitRelay".into(), Some("1".into())),
            ("ORPort".into(), Some("9001".into())),
        ]);
        c.reconcile();
        assert!(c.get("ORPort").unwrap().unsaved);
        assert_eq!(c.unsaved(), 1);
    }

    #[test]
    fn torrc_lines() {
        assert_eq!(entry("  SocksPort 0 # none"), Some(("SocksPort", "0")));
        assert_eq!(
            entry("+ExitPolicy accept *:80"),
            Some(("ExitPolicy", "accept *:80"))
        );
        assert_eq!(
            entry("ContactInfo \"a # b\""),
            Some(("ContactInfo", "\"a # b\""))
        );
        assert_eq!(entry("# only a comment"), None);
        assert_eq!(entry("%include /etc/tor/torrc.d"), None);
        assert_eq!(entry("   "), None);
    }
}
