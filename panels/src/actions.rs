//! [`actions!`](crate::actions): how a page (or the app) declares its
//! actions once, as an enum and the specs the keymap is made from.

/// Declares a set of actions once: an enum whose variants are the actions
/// (so a page's handler, matching on it, must handle every one) and its
/// `SPECS`, from which the keymap, nyxrc's names, the help and the menus
/// are made. `scrolling` adds `Scroll(Scroll)` with the list scrolling
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
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $nyxrc),* }
            }

            /// The action of that nyxrc name.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|a| a.name() == name)
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
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $nyxrc,)*
                    $name::Scroll(s) => s.name(),
                }
            }

            /// The action of that nyxrc name.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|a| a.name() == name)
            }
        }
    };
}
