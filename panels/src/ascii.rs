//! A terminal whose locale is not UTF-8 (`LANG=C`, ISO-8859-1) shows what
//! the pages draw in ASCII: box lines, graph bars, marks and ellipses by
//! their nearest ASCII, any other character (a nickname's, a log line's)
//! as `?`. One pass over the drawn frame, so every page and popup is
//! covered.

use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;

/// The ASCII shown for a cell's `symbol`; `None` when it is ASCII already.
pub fn fallback(symbol: &str) -> Option<&'static str> {
    if symbol.is_ascii() {
        return None;
    }
    let c = symbol.chars().next()?;
    Some(match c {
        '─' | '━' | '┄' | '┈' | '╌' | '═' | '–' | '—' => "-",
        '│' | '┃' | '┆' | '┊' | '╎' | '║' => "|",
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╰' | '╯' | '╔' | '╗'
        | '╚' | '╝' | '╠' | '╣' | '╦' | '╩' | '╬' => "+",
        '█' | '▇' | '▆' | '▅' | '▓' | '▒' | '░' | '▉' | '▊' | '▋' | '▌' | '▐' => {
            "#"
        }
        '▄' | '▃' => "=",
        '▂' | '▁' => "_",
        '…' => "~",
        '▸' | '▶' | '►' | '→' | '›' | '»' => ">",
        '◂' | '◀' | '◄' | '←' | '‹' | '«' => "<",
        '▲' | '↑' => "^",
        '▼' | '↓' => "v",
        '•' | '●' | '○' | '◦' | '∙' => "*",
        '·' => ".",
        '×' => "x",
        '‘' | '’' => "'",
        '“' | '”' => "\"",
        _ => "?",
    })
}

/// Every cell of `area` in ASCII.
pub fn to_ascii(buf: &mut Buffer, area: Rect) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            if let Some(a) = fallback(cell.symbol()) {
                cell.set_symbol(a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_drawn_becomes_ascii() {
        let area = Rect::new(0, 0, 12, 2);
        let mut buf = Buffer::empty(area);
        buf.set_string(0, 0, "│ ▂▄█ …▸ é", ratatui_core::style::Style::new());
        buf.set_string(0, 1, "┌─┐ 漢 ok", ratatui_core::style::Style::new());
        to_ascii(&mut buf, area);
        let row = |y| -> String { (0..12).map(|x| buf[(x, y)].symbol().to_owned()).collect() };
        assert_eq!(row(0), "| _=# ~> ?  ");
        assert!(row(1).starts_with("+-+ ?"), "{:?}", row(1));
        assert!(
            row(1).ends_with("ok") || row(1).contains("ok"),
            "{:?}",
            row(1)
        );
        assert!(row(0).is_ascii() && row(1).is_ascii());
    }
}
