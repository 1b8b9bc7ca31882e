//! [`open_words!`](crate::open_words): an enum of the words a spec or a
//! format names, which keeps any other word as written (`Other`): words
//! are open, as tor and rnyx grow them.

/// Declares an enum of named words and `Other(String)` for any other:
/// `of` reads a word (an unknown one is kept), `as_str` gives it back as
/// written, `WORDS` lists the named ones; `Display` writes the word.
///
/// ```text
/// open_words! {
///     /// tor's signals.
///     pub enum Signal {
///         Reload = "RELOAD",
///         Newnym = "NEWNYM",
///     }
/// }
/// ```
#[macro_export]
macro_rules! open_words {
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A word this rnyx does not name, as written.
            Other(String),
        }

        impl $name {
            /// Every word named, in the order declared.
            pub const WORDS: &'static [&'static str] = &[$($word),*];

            /// The value `word` names; any other word is kept as written.
            pub fn of(word: &str) -> Self {
                match word {
                    $($word => $name::$variant,)*
                    other => $name::Other(other.to_owned()),
                }
            }

            /// The word, as written.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $word,)*
                    $name::Other(word) => word,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::open_words! {
        /// Two words.
        enum Pair {
            One = "one",
            Two = "two",
        }
    }

    #[test]
    fn named_words_read_back_and_others_are_kept() {
        for w in Pair::WORDS {
            assert_eq!(Pair::of(w).as_str(), *w);
            assert!(!matches!(Pair::of(w), Pair::Other(_)));
        }
        assert_eq!(Pair::of("two"), Pair::Two);
        assert_eq!(Pair::of("three"), Pair::Other("three".into()));
        assert_eq!(Pair::of("three").to_string(), "three");
    }
}
