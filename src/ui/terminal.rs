//! The real terminal: crossterm setup and restore, and a thread that turns
//! crossterm events into [`Input`]s. The terminal is restored on quit, on
//! panic (ratatui's hook), and on SIGTERM/SIGINT (the loop's shutdown).

use super::Input;
use ratatui::crossterm::event::{
    self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent,
    MouseEventKind,
};
use rnyx_panels::keymap::Key;
use rnyx_panels::page::{Mouse, MouseKind};
use tokio::sync::mpsc;

/// Reads terminal events on a thread of its own (crossterm blocks).
pub fn spawn_input_thread() -> mpsc::Receiver<Input> {
    let (tx, rx) = mpsc::channel(256);
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            let input = match ev {
                Event::Key(k) => match convert(k) {
                    Some(key) => Input::Key(key),
                    None => continue,
                },
                Event::Mouse(m) => match convert_mouse(m) {
                    Some(m) => Input::Mouse(m),
                    None => continue,
                },
                Event::Resize(..) => Input::Resize,
                _ => continue,
            };
            if tx.blocking_send(input).is_err() {
                break;
            }
        }
    });
    rx
}

/// Only presses count (not releases or repeats on terminals that report them).
pub fn convert(k: KeyEvent) -> Option<Key> {
    if k.kind != KeyEventKind::Press {
        return None;
    }
    Some(match k.code {
        KeyCode::Char(c) if k.modifiers.contains(KeyModifiers::CONTROL) => {
            Key::Ctrl(c.to_ascii_lowercase())
        }
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::F(n) => Key::F(n),
        _ => return None,
    })
}

/// A press of the left button and the wheel; moves, drags and releases are
/// dropped here, so moving the mouse never wakes the loop.
pub fn convert_mouse(m: MouseEvent) -> Option<Mouse> {
    let kind = match m.kind {
        MouseEventKind::Down(MouseButton::Left) => MouseKind::Click,
        MouseEventKind::ScrollUp => MouseKind::WheelUp,
        MouseEventKind::ScrollDown => MouseKind::WheelDown,
        _ => return None,
    };
    Some(Mouse {
        kind,
        column: m.column,
        row: m.row,
    })
}

/// Turns mouse reporting on, and makes sure it is turned off again however
/// rnyx ends (quit, signal, panic), so the shell gets its mouse back.
pub fn capture_mouse() -> std::io::Result<()> {
    use ratatui::crossterm::{event::EnableMouseCapture, execute};
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        release_mouse();
        hook(info);
    }));
    execute!(std::io::stdout(), EnableMouseCapture)
}

pub fn release_mouse() {
    use ratatui::crossterm::{event::DisableMouseCapture, execute};
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
}

/// Completes on SIGTERM, SIGINT or SIGHUP.
pub async fn termination() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        _ = hup.recv() => {}
    }
}
