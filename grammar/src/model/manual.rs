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
    /// The description's first sentence.
    pub fn summary(&self) -> &str {
        let first = self.description.first().map_or("", String::as_str);
        let first = first.lines().next().unwrap_or("");
        match first.find(". ") {
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
