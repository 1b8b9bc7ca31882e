//! tor's option types, as `GETINFO config/names` words them.

/// An option's type (`GETINFO config/names`: `Boolean`, `DataSize`,
/// `LineList`, …). A word this rnyx does not know (a newer tor's) is kept
/// as tor wrote it, and its values are shown as tor gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum OptionType {
    Boolean,
    /// `Boolean+Auto`: 0, 1 or `auto`.
    BooleanAuto,
    Integer,
    SignedInteger,
    Float,
    /// Bytes, written with a unit (`1 MB`, `8 MBits`).
    DataSize,
    /// Seconds, written with a unit (`2 hours`).
    TimeInterval,
    /// Milliseconds, written with a unit.
    TimeMsecInterval,
    #[default]
    String,
    Filename,
    /// Items separated by commas.
    CommaList,
    /// Relays separated by commas.
    RouterList,
    /// One value a line, each its own SETCONF argument.
    LineList,
    /// Set through the `Virtual` option it belongs to.
    Dependent,
    /// A group of `Dependent` options (`HiddenServiceOptions`).
    Virtual,
    /// A word this rnyx does not know, as tor wrote it.
    Other(String),
}

const WORDS: [(OptionType, &str); 15] = [
    (OptionType::Boolean, "Boolean"),
    (OptionType::BooleanAuto, "Boolean+Auto"),
    (OptionType::Integer, "Integer"),
    (OptionType::SignedInteger, "SignedInteger"),
    (OptionType::Float, "Float"),
    (OptionType::DataSize, "DataSize"),
    (OptionType::TimeInterval, "TimeInterval"),
    (OptionType::TimeMsecInterval, "TimeMsecInterval"),
    (OptionType::String, "String"),
    (OptionType::Filename, "Filename"),
    (OptionType::CommaList, "CommaList"),
    (OptionType::RouterList, "RouterList"),
    (OptionType::LineList, "LineList"),
    (OptionType::Dependent, "Dependent"),
    (OptionType::Virtual, "Virtual"),
];

impl OptionType {
    /// The type tor's word names.
    pub fn of(word: &str) -> Self {
        WORDS
            .iter()
            .find(|(_, w)| *w == word)
            .map_or_else(|| OptionType::Other(word.to_owned()), |(t, _)| t.clone())
    }

    /// tor's word for it.
    pub fn as_str(&self) -> &str {
        match self {
            OptionType::Other(word) => word,
            known => WORDS
                .iter()
                .find(|(t, _)| t == known)
                .map_or("", |(_, w)| w),
        }
    }

    /// `Boolean` or `Boolean+Auto`.
    pub fn is_boolean(&self) -> bool {
        matches!(self, OptionType::Boolean | OptionType::BooleanAuto)
    }

    /// Items separated by commas (or, for a line list, lines), compared
    /// item by item.
    pub fn is_list(&self) -> bool {
        matches!(
            self,
            OptionType::CommaList | OptionType::RouterList | OptionType::LineList
        )
    }
}

impl std::fmt::Display for OptionType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_tor_0_4_9_uses_is_known_and_a_new_one_is_kept() {
        for (t, w) in WORDS {
            assert_eq!(OptionType::of(w), t);
            assert_eq!(t.as_str(), w);
        }
        let newer = OptionType::of("Hostname");
        assert_eq!(newer, OptionType::Other("Hostname".into()));
        assert_eq!(newer.to_string(), "Hostname");
        assert!(OptionType::of("Boolean+Auto").is_boolean());
        assert!(!OptionType::of("String").is_list());
    }
}
