//! tor's option types, as `GETINFO config/names` words them.

crate::open_words! {
    /// An option's type (`GETINFO config/names`: `Boolean`, `DataSize`,
    /// `LineList`, …). A word this rnyx does not know (a newer tor's) is
    /// kept as tor wrote it, and its values are shown as tor gives them.
    #[derive(Default)]
    pub enum OptionType {
        Boolean = "Boolean",
        /// `Boolean+Auto`: 0, 1 or `auto`.
        BooleanAuto = "Boolean+Auto",
        Integer = "Integer",
        SignedInteger = "SignedInteger",
        Float = "Float",
        /// Bytes, written with a unit (`1 MB`, `8 MBits`).
        DataSize = "DataSize",
        /// Seconds, written with a unit (`2 hours`).
        TimeInterval = "TimeInterval",
        /// Milliseconds, written with a unit.
        TimeMsecInterval = "TimeMsecInterval",
        #[default]
        String = "String",
        Filename = "Filename",
        /// Items separated by commas.
        CommaList = "CommaList",
        /// Relays separated by commas.
        RouterList = "RouterList",
        /// One value a line, each its own SETCONF argument.
        LineList = "LineList",
        /// Set through the `Virtual` option it belongs to.
        Dependent = "Dependent",
        /// A group of `Dependent` options (`HiddenServiceOptions`).
        Virtual = "Virtual",
    }
}

impl OptionType {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_tor_0_4_9_uses_is_known_and_a_new_one_is_kept() {
        // GETINFO config/names of tor 0.4.9.11 used these 15 words.
        assert_eq!(OptionType::WORDS.len(), 15);
        for w in OptionType::WORDS {
            assert!(!matches!(OptionType::of(w), OptionType::Other(_)), "{w}");
        }
        let newer = OptionType::of("Hostname");
        assert_eq!(newer, OptionType::Other("Hostname".into()));
        assert_eq!(newer.to_string(), "Hostname");
        assert!(OptionType::of("Boolean+Auto").is_boolean());
        assert!(!OptionType::of("String").is_list());
    }
}
