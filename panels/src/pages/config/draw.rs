//! Drawing the configuration editor: the note over the list, the list,
//! and the selected option's details.

use super::ConfigPage;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::style::Modifier;
use ratatui_core::text::Line;
use rnyx_model::{display_value, ControllerState, Manual, TorOption};

/// Why the list may be empty or stale.
pub(super) fn note(state: &ControllerState) -> Option<String> {
    let c = &state.facts.config;
    if let Some(e) = &c.error {
        return Some(rnyx_model::text::strip_controls(&format!(
            "cannot read tor's configuration: {e}"
        )));
    }
    if c.loaded == 0 {
        return Some(if state.session.connection.connected {
            "reading tor's configuration…".into()
        } else {
            "tor is not connected".into()
        });
    }
    None
}

impl ConfigPage {
    pub(super) fn draw_list(
        &self,
        list: &[&TorOption],
        manual: Option<&Manual>,
        theme: Theme,
        area: Rect,
        buf: &mut Buffer,
    ) {
        let height = usize::from(area.height);
        let first = self.cursor.window(list.len(), height);
        // The first column is the scrollbar's.
        let width = usize::from(area.width.saturating_sub(1));
        let name_w = 26.min(width / 3);
        let value_w = 30.min(width / 3);
        for (row, (i, o)) in list.iter().enumerate().skip(first).take(height).enumerate() {
            let y = area.y + u16::try_from(row).unwrap_or(0);
            self.rows
                .add(Rect::new(area.x + 1, y, area.width - 1, 1), i);
            let mark = if o.unsaved { '*' } else { ' ' };
            // Cut values end with `…`.
            let name = crate::format::cut(&o.name, name_w.saturating_sub(2));
            let value = rnyx_model::text::strip_controls(&display_value(o));
            let value = crate::format::cut(&value, value_w.saturating_sub(1));
            let summary = manual
                .and_then(|m| m.get(&o.name))
                .map_or("", |e| e.summary());
            let line = format!(
                "{mark}{name:<w$}{value:<v$}{summary}",
                w = name_w - 1,
                v = value_w
            );
            let mut style = if o.set { theme.bold() } else { theme.plain() };
            if o.unsaved {
                style = style.patch(theme.warning());
            }
            if i == self.cursor.at() {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let line = crate::format::cut(&line, width);
            buf.set_stringn(area.x + 1, y, format!("{line:<width$}"), width, style);
        }
    }
}

/// The selected option's details: name and category, value with its
/// kind and usage, the manual's description wrapped.
pub(super) fn details(
    o: Option<&TorOption>,
    manual: Option<&Manual>,
    theme: Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let Some(o) = o else {
        return;
    };
    let entry = manual.and_then(|m| m.get(&o.name));
    let width = usize::from(area.width);
    let mut lines: Vec<Line> = Vec::new();
    let category = entry.map_or("", |e| e.category.as_str());
    lines.push(Line::styled(
        format!("{} ({category} Option)", o.name),
        theme.bold(),
    ));
    let kind = if o.set { "custom" } else { "default" };
    let usage = entry.map_or(String::new(), |e| format!(", usage: {}", e.usage));
    let mut value = format!(
        "Value: {} ({kind}, {}{usage})",
        rnyx_model::text::strip_controls(&display_value(o)),
        o.kind
    );
    if o.unsaved {
        value.push_str(" — not in the torrc yet (w saves)");
    }
    lines.push(Line::styled(value, theme.primary()));
    match entry {
        Some(e) => {
            for p in &e.description {
                for l in p.lines() {
                    for row in rnyx_model::text::wrap(l, width.saturating_sub(1), 0) {
                        lines.push(Line::styled(row, theme.secondary()));
                    }
                }
            }
        }
        None if manual.is_none() => lines.push(Line::raw("reading tor's manual…")),
        None => lines.push(Line::raw("tor's manual has no entry for this option")),
    }
    let rows = usize::from(area.height.saturating_sub(1));
    for (i, line) in lines.into_iter().take(rows).enumerate() {
        let y = area.y + u16::try_from(i).unwrap_or(0);
        buf.set_line(area.x, y, &line, area.width);
    }
    // A rule under the pane.
    let y = area.y + area.height - 1;
    buf.set_stringn(area.x, y, "─".repeat(width), width, theme.secondary());
}
