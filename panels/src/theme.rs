//! Colours, switched off entirely by `color_interface = false`.

use ratatui_core::style::{Color, Modifier, Style};
use rnyx_model::{LogSource, Runlevel, VersionStatus};

/// Styles for everything the panels draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn plain(self) -> Style {
        Style::new()
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn title(self) -> Style {
        self.bold()
    }

    pub fn primary(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn secondary(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn warning(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red)
    }

    /// The menu bar's row of titles.
    pub fn menu(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn highlight(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn version(self, status: VersionStatus) -> Style {
        self.fg(match status {
            VersionStatus::Recommended => Color::Green,
            VersionStatus::New | VersionStatus::NewInSeries => Color::Blue,
            VersionStatus::Old | VersionStatus::Obsolete | VersionStatus::Unrecommended => {
                Color::Red
            }
            VersionStatus::Unknown => Color::Cyan,
        })
    }

    /// Nyx's colour for each relay flag.
    pub fn flag(self, flag: &str) -> Style {
        self.fg(match flag {
            "Authority" | "V3Dir" => Color::White,
            "BadExit" | "BadDirectory" => Color::Red,
            "Exit" | "V2Dir" => Color::Cyan,
            "Fast" | "Running" => Color::Yellow,
            "Guard" | "Valid" => Color::Green,
            "HSDir" | "Unnamed" => Color::Magenta,
            "Named" | "Stable" => Color::Blue,
            _ => Color::Reset,
        })
    }

    /// Nyx's colour for each kind of log entry.
    pub fn log(self, source: &LogSource) -> Style {
        let level = |l: &Runlevel| match l {
            Runlevel::Debug => Color::Magenta,
            Runlevel::Info => Color::Blue,
            Runlevel::Notice => Color::Green,
            Runlevel::Warn => Color::Yellow,
            Runlevel::Err => Color::Red,
        };
        self.fg(match source {
            LogSource::Tor(l) | LogSource::Rnyx(l) => level(l),
            LogSource::Event(name) => match name.as_ref() {
                "BW" | "CONN_BW" | "CIRC_BW" | "STREAM_BW" => Color::Cyan,
                "CIRC" | "CIRC_MINOR" | "GUARD" | "ORCONN" => Color::Yellow,
                "NS" | "NEWCONSENSUS" | "NEWDESC" | "DESCCHANGED" => Color::Blue,
                "STREAM" | "ADDRMAP" => Color::Magenta,
                _ => Color::White,
            },
        })
    }
}
