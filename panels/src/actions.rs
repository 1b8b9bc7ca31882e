//! [`actions!`](crate::actions): how a page (or the app) declares its
//! actions once, as an enum and the specs the keymap is made from.
//!
//! [`ActionId`]: crate::keymap::ActionId

/// Declares a set of actions once: an enum whose variants are the actions
/// (so a page's handler, matching on it, must handle every one) and its
/// `SPECS`, from which the keymap, nyxrc's names, the help and the menus
/// are made. The keymap resolves a key to the action's [`ActionId`] (its
/// place in `SPECS`) once, when nyxrc is read; `of` turns it back into the
/// page's own value without a search, `id` is the way there. `scrolling` adds `Scroll(Scroll)` with the list scrolling
/// actions ([`crate::list::SCROLL_ACTIONS`]) after the page's own.
///
/// ```text
/// actions! {
///     pub enum Action {
///         Details = ("details", "details of the selection", &[Key::Enter], MENU),
///     }
///     scrolling
/// }
/// ```
#[macro_export]
macro_rules! actions {
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident {
            $($variant:ident = ($nyxrc:literal, $desc:expr, $keys:expr, $menu:expr)),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name { $($variant),* }

        impl $name {
            /// Every action, in the order of [`Self::SPECS`].
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// What the keymap, help and menus know of each action.
            pub const SPECS: &'static [$crate::keymap::ActionSpec] =
                &[$($crate::keymap::ActionSpec::new($nyxrc, $desc, $keys, $menu)),*];

            /// The action's name in nyxrc.
            #[allow(dead_code)]
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $nyxrc),* }
            }

            /// The action's place in [`Self::SPECS`]: what the keymap, the
            /// menus and the footer carry.
            pub const fn id(self) -> $crate::keymap::ActionId {
                $crate::keymap::ActionId::new(self as usize)
            }

            /// The action the keymap (built from [`Self::SPECS`]) resolved.
            pub fn of(id: $crate::keymap::ActionId) -> Self {
                Self::ALL[id.index()]
            }
        }
    };
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident {
            $($variant:ident = ($nyxrc:literal, $desc:expr, $keys:expr, $menu:expr)),* $(,)?
        }
        scrolling
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name { $($variant,)* Scroll($crate::list::Scroll) }

        impl $name {
            /// Every action, in the order of [`Self::SPECS`].
            pub const ALL: &'static [$name] = &[
                $($name::$variant,)*
                $name::Scroll($crate::list::Scroll::Up),
                $name::Scroll($crate::list::Scroll::Down),
                $name::Scroll($crate::list::Scroll::PageUp),
                $name::Scroll($crate::list::Scroll::PageDown),
                $name::Scroll($crate::list::Scroll::Top),
                $name::Scroll($crate::list::Scroll::Bottom),
            ];
            /// What the keymap, help and menus know of each action.
            pub const SPECS: &'static [$crate::keymap::ActionSpec] = &[
                $($crate::keymap::ActionSpec::new($nyxrc, $desc, $keys, $menu),)*
                $crate::list::SCROLL_ACTIONS[0],
                $crate::list::SCROLL_ACTIONS[1],
                $crate::list::SCROLL_ACTIONS[2],
                $crate::list::SCROLL_ACTIONS[3],
                $crate::list::SCROLL_ACTIONS[4],
                $crate::list::SCROLL_ACTIONS[5],
            ];

            /// The action's name in nyxrc.
            #[allow(dead_code)]
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $nyxrc,)*
                    $name::Scroll(s) => s.name(),
                }
            }

            /// The action's place in [`Self::SPECS`]: what the keymap, the
            /// menus and the footer carry.
            pub const fn id(self) -> $crate::keymap::ActionId {
                #[allow(dead_code, non_camel_case_types, clippy::enum_variant_names)]
                enum Own { $($variant,)* Count }
                $crate::keymap::ActionId::new(match self {
                    $($name::$variant => Own::$variant as usize,)*
                    $name::Scroll(s) => Own::Count as usize + s as usize,
                })
            }

            /// The action the keymap (built from [`Self::SPECS`]) resolved.
            pub fn of(id: $crate::keymap::ActionId) -> Self {
                Self::ALL[id.index()]
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::keymap::{ActionId, Key};
    use crate::list::Scroll;

    crate::actions! {
        enum Plain {
            One = ("one", "first", &[Key::Char('1')], None),
            Two = ("two", "second", &[Key::Char('2')], None),
        }
    }

    crate::actions! {
        enum Listing {
            Sort = ("sort", "sort", &[Key::Char('s')], None),
            Show = ("show", "show", &[Key::Enter], None),
        }
        scrolling
    }

    /// An action's id is its place in `SPECS`, and reads back as itself:
    /// the keymap, built from `SPECS`, and the page agree without a name.
    #[test]
    fn ids_are_places_in_the_specs_and_read_back() {
        for a in Plain::ALL {
            assert_eq!(Plain::SPECS[a.id().index()].name, a.name());
            assert_eq!(Plain::of(a.id()), *a);
        }
        for a in Listing::ALL {
            assert_eq!(Listing::SPECS[a.id().index()].name, a.name());
            assert_eq!(Listing::of(a.id()), *a);
        }
        assert_eq!(Listing::Scroll(Scroll::Up).id(), ActionId::new(2));
        assert_eq!(Listing::Scroll(Scroll::Bottom).id(), ActionId::new(7));
        assert_eq!(Listing::SPECS.len(), 8);
    }
}
