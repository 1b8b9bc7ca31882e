//! tor's manual, as the configuration editor shows it: for each option its
//! category, usage and description. The I/O side reads it (the installed
//! man page, else the copy in the binary); this is only the typed result.

use std::collections::HashMap;

/// One option's entry in tor's manual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualEntry {
    /// As the manual spells it.
    pub name: String,
    /// The manual's section: `General`, `Client`, `Server`, …
    pub category: String,
    /// The arguments, as the manual writes them (`N bytes|KBytes|…`).
    pub usage: String,
    /// Paragraphs; a preformatted one (an example) keeps its line breaks.
    pub description: Vec<String>,
    /// Position in the manual (for sorting in the manual's order).
    pub index: usize,
}

impl ManualEntry {
    /// The description's first sentence: up to the first `. ` that ends
    /// one, not an abbreviation's (`e.g. `, `i.e. `, `etc. ` before a
    /// lower-case word).
    pub fn summary(&self) -> &str {
        let first = self.description.first().map_or("", String::as_str);
        let first = first.lines().next().unwrap_or("");
        let ends_sentence = |end: usize| {
            let word = first[..end].rsplit(' ').next().unwrap_or("");
            let next = first[end + 2..].chars().next();
            // `e.g`, `i.e`: never an end; `etc`: not before a lower-case word.
            let dotted = word.contains('.') && word.len() <= 4;
            let abbreviation = word.contains('.')
                || matches!(word, "etc" | "vs" | "approx" | "cf" | "incl" | "resp");
            let lower_next = next.is_some_and(|c| !c.is_uppercase());
            let not_an_end = dotted || (abbreviation && lower_next);
            !not_an_end
        };
        match first
            .match_indices(". ")
            .map(|(i, _)| i)
            .find(|&i| ends_sentence(i))
        {
            Some(end) => &first[..=end],
            None => first,
        }
    }
}

/// tor's manual: entries by option name (any case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manual {
    /// Where it came from (the man page's path, or the copy in rnyx).
    pub source: String,
    entries: Vec<ManualEntry>,
    by_name: HashMap<String, usize>,
}

impl Manual {
    pub fn new(source: String, entries: Vec<ManualEntry>) -> Self {
        let by_name = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.to_ascii_lowercase(), i))
            .collect();
        Self {
            source,
            entries,
            by_name,
        }
    }

    pub fn get(&self, option: &str) -> Option<&ManualEntry> {
        self.by_name
            .get(&option.to_ascii_lowercase())
            .map(|i| &self.entries[*i])
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[ManualEntry] {
        &self.entries
    }
}

#[cfg(test)]
mod summary_tests {
    use super::ManualEntry;

    fn summary(text: &str) -> String {
        ManualEntry {
            name: "X".into(),
            category: String::new(),
            usage: String::new(),
            description: vec![text.into()],
            index: 0,
        }
        .summary()
        .to_owned()
    }

    #[test]
    fn the_summary_runs_past_abbreviations_to_the_sentence_end() {
        assert_eq!(
            summary("Tor can scrub potentially sensitive strings from log messages (e.g. addresses) by replacing them with the string [scrubbed]. This way logs can still be useful."),
            "Tor can scrub potentially sensitive strings from log messages (e.g. addresses) by replacing them with the string [scrubbed]."
        );
        assert_eq!(
            summary("Use a, b, etc. as needed. More."),
            "Use a, b, etc. as needed."
        );
        assert_eq!(summary("One. Two."), "One.");
        assert_eq!(summary("No end at all"), "No end at all");
        assert_eq!(
            summary("Ends with i.e. Upper. Then."),
            "Ends with i.e. Upper."
        );
    }
}
