//! Keys and the actions they are bound to. The keymap is data: defaults
//! here, overridden by `[keys]` in nyxrc.

use serde::Deserialize;
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

/// What a key does. The names are those used in nyxrc's `[keys]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    NextPage,
    PreviousPage,
    Pause,
    Help,
    Quit,
    Newnym,
    Reload,
    Reconnect,
    GraphInterval,
    GraphBounds,
    GraphStat,
    GraphResize,
    LogEvents,
    LogFilter,
    LogDedup,
    LogSave,
    LogClear,
    ScrollUp,
    ScrollDown,
    PageUp,
    PageDown,
    ScrollTop,
    ScrollBottom,
}

impl Action {
    pub const ALL: [Action; 23] = [
        Action::NextPage,
        Action::PreviousPage,
        Action::Pause,
        Action::Help,
        Action::Quit,
        Action::Newnym,
        Action::Reload,
        Action::Reconnect,
        Action::GraphInterval,
        Action::GraphBounds,
        Action::GraphStat,
        Action::GraphResize,
        Action::LogEvents,
        Action::LogFilter,
        Action::LogDedup,
        Action::LogSave,
        Action::LogClear,
        Action::ScrollUp,
        Action::ScrollDown,
        Action::PageUp,
        Action::PageDown,
        Action::ScrollTop,
        Action::ScrollBottom,
    ];

    /// What the help popup says the action does.
    pub fn description(self) -> &'static str {
        match self {
            Action::NextPage => "next page",
            Action::PreviousPage => "previous page",
            Action::Pause => "pause / unpause",
            Action::Help => "this help",
            Action::Quit => "quit",
            Action::Newnym => "new identity (NEWNYM)",
            Action::Reload => "reload torrc (RELOAD)",
            Action::Reconnect => "reconnect to tor",
            Action::GraphInterval => "graph interval",
            Action::GraphBounds => "graph bounds",
            Action::GraphStat => "graph statistic",
            Action::GraphResize => "resize the graph",
            Action::LogEvents => "events to log",
            Action::LogFilter => "filter the log (regex)",
            Action::LogDedup => "hide duplicates",
            Action::LogSave => "save the log to a file",
            Action::LogClear => "clear the log",
            Action::ScrollUp => "scroll up",
            Action::ScrollDown => "scroll down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::ScrollTop => "newest entries",
            Action::ScrollBottom => "oldest entries",
        }
    }

    /// Actions that apply on every page (the rest belong to one page).
    pub fn is_global(self) -> bool {
        matches!(
            self,
            Action::NextPage
                | Action::PreviousPage
                | Action::Pause
                | Action::Help
                | Action::Quit
                | Action::Newnym
                | Action::Reload
                | Action::Reconnect
        )
    }
}

/// Keys bound to actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(Key, Action)>,
}

impl Default for Keymap {
    fn default() -> Self {
        use Action as A;
        let bindings = vec![
            (Key::Right, A::NextPage),
            (Key::Left, A::PreviousPage),
            (Key::Char('p'), A::Pause),
            (Key::Char('h'), A::Help),
            (Key::Char('q'), A::Quit),
            (Key::Char('n'), A::Newnym),
            (Key::Char('x'), A::Reload),
            (Key::Char('r'), A::Reconnect),
            (Key::Char('i'), A::GraphInterval),
            (Key::Char('b'), A::GraphBounds),
            (Key::Char('s'), A::GraphStat),
            (Key::Char('g'), A::GraphResize),
            (Key::Char('e'), A::LogEvents),
            (Key::Char('f'), A::LogFilter),
            (Key::Char('u'), A::LogDedup),
            (Key::Char('a'), A::LogSave),
            (Key::Char('c'), A::LogClear),
            (Key::Up, A::ScrollUp),
            (Key::Down, A::ScrollDown),
            (Key::PageUp, A::PageUp),
            (Key::PageDown, A::PageDown),
            (Key::Home, A::ScrollTop),
            (Key::End, A::ScrollBottom),
        ];
        Self { bindings }
    }
}

impl Keymap {
    /// Binds `action` to `keys` only, replacing its defaults. A key taken
    /// from another action leaves that action.
    pub fn bind(&mut self, action: Action, keys: &[Key]) {
        self.bindings
            .retain(|(k, a)| *a != action && !keys.contains(k));
        self.bindings.extend(keys.iter().map(|k| (*k, action)));
    }

    pub fn action(&self, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| *a)
    }

    pub fn keys_for(&self, action: Action) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| *k)
            .collect()
    }

    /// `q` or `q/Q`, for help and the status line.
    pub fn label(&self, action: Action) -> String {
        let keys = self.keys_for(action);
        if keys.is_empty() {
            return "unbound".to_owned();
        }
        keys.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/")
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

    #[test]
    fn rebinding_replaces_and_steals() {
        let mut km = Keymap::default();
        km.bind(Action::Quit, &[Key::Char('x'), Key::Esc]);
        assert_eq!(km.action(Key::Char('x')), Some(Action::Quit));
        assert_eq!(km.action(Key::Char('q')), None);
        assert!(km.keys_for(Action::Reload).is_empty());
        assert_eq!(km.label(Action::Quit), "x/esc");
        assert_eq!(km.label(Action::Reload), "unbound");
    }
}
