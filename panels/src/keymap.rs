//! Keys and the actions they are bound to. The keymap is data: each action
//! is declared once ([`ActionSpec`]: its nyxrc name, what it does, its
//! default keys, its menu), globally by the app or by a page; nyxrc's
//! `[keys]` rebinds global actions and `[keys.<page>]` a page's.

use std::fmt;
use std::str::FromStr;

/// A key press, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Left,
    Right,
    Up,
    Down,
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Char(' ') => f.write_str("space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::Ctrl(c) => write!(f, "ctrl-{c}"),
            Key::F(n) => write!(f, "f{n}"),
            other => f.write_str(match other {
                Key::Left => "left",
                Key::Right => "right",
                Key::Up => "up",
                Key::Down => "down",
                Key::Enter => "enter",
                Key::Esc => "esc",
                Key::Tab => "tab",
                Key::BackTab => "backtab",
                Key::Backspace => "backspace",
                Key::Delete => "delete",
                Key::Home => "home",
                Key::End => "end",
                Key::PageUp => "pageup",
                _ => "pagedown",
            }),
        }
    }
}

impl FromStr for Key {
    type Err = String;

    fn from_str(s: &str) -> Result<Key, String> {
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(Key::Char(c));
        }
        let lower = s.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("ctrl-") {
            let mut cs = rest.chars();
            if let (Some(c), None) = (cs.next(), cs.next()) {
                return Ok(Key::Ctrl(c));
            }
        }
        if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            if (1..=12).contains(&n) {
                return Ok(Key::F(n));
            }
        }
        Ok(match lower.as_str() {
            "space" => Key::Char(' '),
            "left" => Key::Left,
            "right" => Key::Right,
            "up" => Key::Up,
            "down" => Key::Down,
            "enter" | "return" => Key::Enter,
            "esc" | "escape" => Key::Esc,
            "tab" => Key::Tab,
            "backtab" => Key::BackTab,
            "backspace" => Key::Backspace,
            "delete" | "del" => Key::Delete,
            "home" => Key::Home,
            "end" => Key::End,
            "pageup" | "pgup" => Key::PageUp,
            "pagedown" | "pgdn" => Key::PageDown,
            _ => {
                return Err(format!(
                    "'{s}' is not a key (a character, space, left, right, up, down, enter, esc, \
                     tab, backspace, delete, home, end, pageup, pagedown, f1-f12 or ctrl-<char>)"
                ))
            }
        })
    }
}

/// One action: declared once, it gives the keymap its default keys, nyxrc
/// its name, and the help popup and the menu bar their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionSpec {
    /// The name in nyxrc's `[keys]`: `graph_interval`.
    pub name: &'static str,
    /// What it does, as the help popup and the menu say it.
    pub description: &'static str,
    /// Bound unless nyxrc says otherwise.
    pub keys: &'static [Key],
    /// The menu it is listed in, if any (scrolling keys are not).
    pub menu: Option<&'static str>,
}

impl ActionSpec {
    pub const fn new(
        name: &'static str,
        description: &'static str,
        keys: &'static [Key],
        menu: Option<&'static str>,
    ) -> Self {
        Self {
            name,
            description,
            keys,
            menu,
        }
    }
}

/// One action of a scope (the app's, or one page's): its place in that
/// scope's list of [`ActionSpec`]s. The keymap is built from those lists,
/// so a key resolves to an action the scope has; the scope's `actions!`
/// enum turns it into its own value (`Action::of`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActionId(u16);

impl ActionId {
    pub const fn new(index: usize) -> Self {
        assert!(index <= u16::MAX as usize, "too many actions");
        #[allow(clippy::cast_possible_truncation)]
        ActionId(index as u16)
    }

    /// Its place in the scope's list.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// Which scope a key resolved in, and to what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// An action of the app, on every page.
    Global(ActionId),
    /// An action of the current page.
    Page(ActionId),
}

type Bindings = Vec<(Key, ActionId)>;

/// Keys bound to actions: global ones, and each page's own. On a page its
/// own bindings come first, so the same key can mean different things on
/// two pages.
#[derive(Debug, Clone)]
pub struct Keymap {
    global: Bindings,
    pages: Vec<(&'static str, Bindings)>,
}

/// Equal when every scope binds the same keys to the same actions, in
/// whatever order they were bound.
impl PartialEq for Keymap {
    fn eq(&self, other: &Self) -> bool {
        let same =
            |a: &Bindings, b: &Bindings| a.len() == b.len() && a.iter().all(|x| b.contains(x));
        same(&self.global, &other.global)
            && self.pages.len() == other.pages.len()
            && self
                .pages
                .iter()
                .zip(&other.pages)
                .all(|((i, a), (j, b))| i == j && same(a, b))
    }
}

impl Eq for Keymap {}

fn defaults(specs: &[ActionSpec]) -> Bindings {
    specs
        .iter()
        .enumerate()
        .flat_map(|(i, a)| a.keys.iter().map(move |k| (*k, ActionId::new(i))))
        .collect()
}

/// Binds `action` to `keys` only, replacing its defaults; a key taken from
/// another action of the same scope leaves that action.
fn rebind(bindings: &mut Bindings, action: ActionId, keys: &[Key]) {
    bindings.retain(|(k, a)| *a != action && !keys.contains(k));
    bindings.extend(keys.iter().map(|k| (*k, action)));
}

fn label(bindings: &Bindings, action: ActionId) -> Option<String> {
    let keys: Vec<String> = bindings
        .iter()
        .filter(|(_, a)| *a == action)
        .map(|(k, _)| k.to_string())
        .collect();
    (!keys.is_empty()).then(|| keys.join("/"))
}

impl Keymap {
    /// The default bindings of the global actions and of each page
    /// (`(page id, its actions)`).
    pub fn new(global: &[ActionSpec], pages: &[(&'static str, &[ActionSpec])]) -> Self {
        Self {
            global: defaults(global),
            pages: pages
                .iter()
                .map(|(id, specs)| (*id, defaults(specs)))
                .collect(),
        }
    }

    /// Binds a global action to `keys` only. A key a page uses by default
    /// is taken from that page too: what the operator binds globally works
    /// everywhere.
    pub fn bind_global(&mut self, action: ActionId, keys: &[Key]) {
        rebind(&mut self.global, action, keys);
        for (_, bindings) in &mut self.pages {
            bindings.retain(|(k, _)| !keys.contains(k));
        }
    }

    /// Binds an action of `page` to `keys` only; on that page the keys win
    /// over global bindings.
    pub fn bind_page(&mut self, page: &str, action: ActionId, keys: &[Key]) {
        if let Some((_, bindings)) = self.pages.iter_mut().find(|(id, _)| *id == page) {
            rebind(bindings, action, keys);
        }
    }

    fn page(&self, page: &str) -> Option<&Bindings> {
        self.pages
            .iter()
            .find(|(id, _)| *id == page)
            .map(|(_, b)| b)
    }

    /// What `key` does on `page`.
    pub fn action(&self, page: &str, key: Key) -> Option<Bound> {
        let find = |b: &Bindings| b.iter().find(|(k, _)| *k == key).map(|(_, a)| *a);
        if let Some(a) = self.page(page).and_then(find) {
            return Some(Bound::Page(a));
        }
        find(&self.global).map(Bound::Global)
    }

    /// `q` or `q/Q`: the keys of a global action, for help, menus and the
    /// footer.
    pub fn global_label(&self, action: ActionId) -> String {
        label(&self.global, action).unwrap_or_else(|| "unbound".to_owned())
    }

    /// The keys of an action of `page`.
    pub fn page_label(&self, page: &str, action: ActionId) -> String {
        self.page(page)
            .and_then(|b| label(b, action))
            .unwrap_or_else(|| "unbound".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_round_trip() {
        for (s, shown) in [
            ("q", "q"),
            ("Q", "Q"),
            ("LEFT", "left"),
            ("ctrl-c", "ctrl-c"),
            ("f5", "f5"),
            ("space", "space"),
            ("pgdn", "pagedown"),
        ] {
            let k: Key = s.parse().unwrap();
            assert_eq!(k.to_string(), shown);
            assert_eq!(shown.parse::<Key>().unwrap(), k);
        }
        assert!("ctrl-".parse::<Key>().is_err());
        assert!("f13".parse::<Key>().unwrap_err().contains("is not a key"));
    }

    const GLOBAL: &[ActionSpec] = &[
        ActionSpec {
            name: "quit",
            description: "quit",
            keys: &[Key::Char('q')],
            menu: None,
        },
        ActionSpec {
            name: "reload",
            description: "reload",
            keys: &[Key::Char('x')],
            menu: None,
        },
    ];
    const ONE: &[ActionSpec] = &[ActionSpec {
        name: "stat",
        description: "graph statistic",
        keys: &[Key::Char('s')],
        menu: None,
    }];
    const TWO: &[ActionSpec] = &[
        ActionSpec {
            name: "sort",
            description: "sort",
            keys: &[Key::Char('s')],
            menu: None,
        },
        ActionSpec {
            name: "details",
            description: "details",
            keys: &[Key::Enter, Key::Char('e')],
            menu: None,
        },
    ];

    /// The action `name` of `specs`.
    fn id(specs: &[ActionSpec], name: &str) -> ActionId {
        ActionId::new(specs.iter().position(|a| a.name == name).unwrap())
    }

    fn keymap() -> Keymap {
        Keymap::new(GLOBAL, &[("one", ONE), ("two", TWO)])
    }

    #[test]
    fn rebinding_replaces_and_steals() {
        let mut km = keymap();
        km.bind_global(id(GLOBAL, "quit"), &[Key::Char('x'), Key::Esc]);
        assert_eq!(
            km.action("one", Key::Char('x')),
            Some(Bound::Global(id(GLOBAL, "quit")))
        );
        assert_eq!(km.action("one", Key::Char('q')), None);
        assert_eq!(km.global_label(id(GLOBAL, "quit")), "x/esc");
        assert_eq!(km.global_label(id(GLOBAL, "reload")), "unbound");
    }

    #[test]
    fn one_key_two_pages_two_actions() {
        let mut km = keymap();
        assert_eq!(
            km.action("one", Key::Char('s')),
            Some(Bound::Page(id(ONE, "stat")))
        );
        assert_eq!(
            km.action("two", Key::Char('s')),
            Some(Bound::Page(id(TWO, "sort")))
        );
        assert_eq!(
            km.action("two", Key::Char('q')),
            Some(Bound::Global(id(GLOBAL, "quit")))
        );
        // A page binding wins over a global one on that page only.
        km.bind_page("two", id(TWO, "sort"), &[Key::Char('q')]);
        assert_eq!(
            km.action("two", Key::Char('q')),
            Some(Bound::Page(id(TWO, "sort")))
        );
        assert_eq!(km.action("two", Key::Char('s')), None);
        assert_eq!(
            km.action("one", Key::Char('q')),
            Some(Bound::Global(id(GLOBAL, "quit")))
        );
        assert_eq!(km.page_label("two", id(TWO, "sort")), "q");
        assert_eq!(km.page_label("two", id(TWO, "details")), "enter/e");
        // A key bound globally leaves every page's defaults.
        km.bind_global(id(GLOBAL, "reload"), &[Key::Char('e')]);
        assert_eq!(
            km.action("two", Key::Char('e')),
            Some(Bound::Global(id(GLOBAL, "reload")))
        );
        assert_eq!(km.page_label("two", id(TWO, "details")), "enter");
    }
}
