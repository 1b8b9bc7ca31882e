//! The header panel: who tor is, how it is doing, and whether rnyx is
//! attached to it. One column below 140 columns of width, two above.

use crate::format;
use crate::theme::Theme;
use ratatui_core::buffer::Buffer;
use ratatui_core::layout::Rect;
use ratatui_core::text::{Line, Span};
use rnyx_model::ControllerState;

/// Width from which the header uses two columns.
pub const WIDE: u16 = 140;

/// File-descriptor usage shown from this share of the limit on.
const FD_WARN_PERCENT: u64 = 60;

/// Rows the header needs at `width`.
pub fn height(state: &ControllerState, width: u16) -> u16 {
    match (state.facts.relay.is_relay(), width >= WIDE) {
        (true, false) => 6,
        _ => 3,
    }
}

/// A bridge's line instead of the exit policy (a bridge is no exit):
/// `bridge: obfs4 running, 8 clients, distribution any`.
fn bridge_words(b: &rnyx_model::bridge::Bridge) -> String {
    let mut parts: Vec<String> = b
        .transports
        .iter()
        .map(|t| {
            let state = if t.exited.is_some() {
                "ended"
            } else if t.running() {
                "running"
            } else {
                "not launched"
            };
            format!("{} {state}", rnyx_model::text::strip_controls(&t.name))
        })
        .collect();
    if let Some(c) = &b.clients {
        parts.push(format!("{} clients", c.total()));
    }
    if let Some(d) = &b.distribution {
        parts.push(format!(
            "distribution {}",
            rnyx_model::text::strip_controls(d)
        ));
    }
    if parts.is_empty() {
        "bridge".to_owned()
    } else {
        format!("bridge: {}", parts.join(", "))
    }
}

/// Draws the header into `area`. `now` is the unix time (for uptime).
pub fn render(state: &ControllerState, now: u64, theme: Theme, area: Rect, buf: &mut Buffer) {
    let title = Title::of(state, now, theme);
    let left = [
        title.whole(),
        identity_line(state, now, theme),
        resources_line(state, now),
    ];
    let right = if state.facts.relay.is_relay() {
        vec![
            fingerprint_line(state, theme),
            flags_line(state, theme),
            Line::from(if state.bridge.bridge {
                bridge_words(&state.bridge)
            } else {
                format!(
                    "exit policy: {}",
                    state
                        .facts
                        .relay
                        .exit_policy
                        .as_deref()
                        .unwrap_or("unknown")
                )
            }),
        ]
    } else {
        Vec::new()
    };
    if area.width >= WIDE {
        // Halves; where one column needs more and both fit, the split moves
        // so neither is cut (a long control socket path, a file
        // descriptor warning). When they cannot both fit, halves, each cut
        // with `…`.
        let widest = |lines: &[Line]| lines.iter().map(Line::width).max().unwrap_or(0);
        let badge = alerts_span(state, theme).map_or(0, |b| b.width() + 1);
        let need_left = widest(&left).max(left[0].width() + badge) + 1;
        let need_left = u16::try_from(need_left).unwrap_or(u16::MAX);
        let need_right = u16::try_from(widest(&right) + 2).unwrap_or(u16::MAX);
        let half = match area.width.checked_sub(need_right) {
            Some(room) if need_left <= room => (area.width / 2).clamp(need_left, room),
            _ => area.width / 2,
        };
        let left_area = Rect {
            width: half,
            ..area
        };
        let mut left = left;
        left[0] = title.fitted(alerts_span(state, theme), half, 1);
        draw_lines(&left, left_area, buf);
        let right_area = Rect {
            x: area.x + half,
            width: area.width - half,
            ..area
        };
        let right: Vec<Line> = right
            .into_iter()
            .map(|l| {
                let mut spans = vec![Span::raw("| ")];
                spans.extend(l.spans);
                Line::from(spans)
            })
            .collect();
        draw_lines(&right, right_area, buf);
    } else {
        let mut all: Vec<Line> = left.into_iter().chain(right).collect();
        all[0] = title.fitted(alerts_span(state, theme), area.width, 0);
        draw_lines(&all, area, buf);
    }
}

/// Each line on its row; one wider than `area` ends with `…` where cut.
fn draw_lines(lines: &[Line], area: Rect, buf: &mut Buffer) {
    for (i, line) in lines.iter().enumerate() {
        let Ok(dy) = u16::try_from(i) else { break };
        if dy >= area.height || area.width == 0 {
            break;
        }
        buf.set_line(area.x, area.y + dy, line, area.width);
        if line.width() > usize::from(area.width) {
            buf[(area.x + area.width - 1, area.y + dy)].set_symbol("…");
        }
    }
}

/// The title's row in two parts: what rnyx watches (`lead`: the host, or
/// the recording's name and date), given up first when room is short, and
/// what must stay (`keep`: a replay's position and state, tor's version).
struct Title {
    lead: Span<'static>,
    keep: Vec<Span<'static>>,
}

impl Title {
    fn of(state: &ControllerState, now: u64, theme: Theme) -> Self {
        let sys = &state.facts.system;
        let mut keep = Vec::new();
        let lead = match &state.session.replay {
            // A replay says so first, and of what, where and how fast.
            Some(r) => {
                let (what, when) = replay_title(r, now);
                keep.push(Span::styled(when, theme.warning()));
                Span::styled(what, theme.warning())
            }
            None => Span::styled(
                format!("rnyx - {} ({} {})", sys.hostname, sys.os, sys.kernel),
                theme.bold(),
            ),
        };
        if let Some(v) = &state.facts.relay.version {
            let status = state.facts.relay.version_status;
            let status_name = status.as_str();
            keep.push(Span::raw("  Tor "));
            keep.push(Span::styled(
                format!("{v} ({status_name})"),
                theme.version(status),
            ));
        }
        Self { lead, keep }
    }

    /// The whole title, for measuring.
    fn whole(&self) -> Line<'static> {
        let mut spans = vec![self.lead.clone()];
        spans.extend(self.keep.iter().cloned());
        Line::from(spans)
    }

    /// The title in `width` columns with the alert badge, when there is
    /// one, at its right end and `gap` blank columns after it. When room is
    /// short the lead gives way first, cut with `…`; the badge is never
    /// drawn over the title. Only when not even the badge and what must stay
    /// fit is the row cut at its end.
    fn fitted(&self, badge: Option<Span<'static>>, width: u16, gap: u16) -> Line<'static> {
        let width = usize::from(width.saturating_sub(gap));
        let badge_width = badge.as_ref().map_or(0, |b| b.width() + 1);
        let keep_width: usize = self.keep.iter().map(Span::width).sum();
        let room = width.saturating_sub(badge_width);
        let lead_width = self.lead.width();
        let mut spans = Vec::with_capacity(self.keep.len() + 3);
        if lead_width + keep_width <= room {
            spans.push(self.lead.clone());
        } else if keep_width + 2 <= room {
            let cut = format::cut(&self.lead.content, room - keep_width);
            spans.push(Span::styled(cut, self.lead.style));
        } else {
            // Too narrow for what must stay: the whole, cut at the end.
            return self.whole();
        }
        spans.extend(self.keep.iter().cloned());
        if let Some(badge) = badge {
            let used: usize = spans.iter().map(Span::width).sum();
            spans.push(Span::raw(
                " ".repeat(width.saturating_sub(used + badge.width()).max(1)),
            ));
            spans.push(badge);
        }
        Line::from(spans)
    }
}

/// `2 alerts (critical, press !)`, when any is active.
fn alerts_span(state: &ControllerState, theme: Theme) -> Option<Span<'static>> {
    let worst = state.health.worst()?;
    let n = state.health.active.len();
    let (style, word) = match worst {
        rnyx_model::health::Severity::Critical => (theme.error(), "critical"),
        rnyx_model::health::Severity::Warning => (theme.warning(), "warning"),
    };
    Some(Span::styled(
        format!(
            "{n} alert{} ({word}, press !)",
            if n == 1 { "" } else { "s" }
        ),
        style,
    ))
}

/// `replay of demo (2026-11-23 14:05:00 UTC)` and ` 01:23 / 05:00 x2 paused`.
fn replay_title(r: &rnyx_model::ReplayStatus, now: u64) -> (String, String) {
    let what = format!(
        "replay of {} ({} UTC)",
        rnyx_model::text::strip_controls(&r.name),
        format::date_time(r.started, 0),
    );
    let mut t = format!(
        " {} / {}",
        format::uptime(r.position(now) / 1000),
        format::uptime(r.length / 1000)
    );
    if (r.speed - 1.0).abs() > f64::EPSILON {
        let _ = std::fmt::Write::write_fmt(&mut t, format_args!(" x{}", r.speed));
    }
    if r.paused {
        t.push_str(" paused");
    } else if r.ended(now) {
        t.push_str(" ended");
    }
    (what, t)
}

fn identity_line(state: &ControllerState, now: u64, theme: Theme) -> Line<'static> {
    let conn = &state.session.connection;
    if let (true, Some(heard)) = (conn.connected, conn.silent_since) {
        return Line::from(Span::styled(
            format!(
                "Tor Not Answering (nothing heard since {}, {} ago; press r to reconnect)",
                format::clock(heard),
                format::short_duration(now.saturating_sub(heard))
            ),
            theme.error(),
        ));
    }
    if let (false, Some(what)) = (conn.connected, &conn.starting) {
        let mut text = rnyx_model::text::strip_controls(what);
        if let Some(first) = text.get(..1) {
            let upper = first.to_ascii_uppercase();
            text.replace_range(..1, &upper);
        }
        return Line::from(Span::styled(format!("{text}…"), theme.secondary()));
    }
    if !conn.connected && conn.connections == 0 && conn.last_error.is_none() {
        return Line::from(Span::styled("Connecting to tor…", theme.secondary()));
    }
    if !conn.connected {
        let since = if conn.since > 0 {
            format!("since {}, ", format::clock(conn.since))
        } else {
            String::new()
        };
        // On another machine, why: the ssh connection lost, tor down there.
        let why = match (&conn.host, &conn.last_error) {
            (Some(_), Some(e)) => format!(": {}", rnyx_model::text::strip_controls(e)),
            _ => String::new(),
        };
        return Line::from(Span::styled(
            format!("Tor Disconnected{why} ({since}press r to reconnect)"),
            theme.error(),
        ));
    }
    let r = &state.facts.relay;
    let mut parts = Vec::new();
    if r.is_relay() {
        let or = r.listeners.or.first().map_or("", String::as_str);
        let (or_host, or_port) = or.rsplit_once(':').unwrap_or(("", or));
        let address = r.address.as_deref().unwrap_or(or_host);
        parts.push(format!(
            "{}{} - {address}:{or_port}",
            if state.bridge.bridge { "bridge " } else { "" },
            r.nickname.as_deref().unwrap_or("Unnamed")
        ));
        if let Some(dir) = r.listeners.dir.first() {
            let port = dir.rsplit(':').next().unwrap_or(dir);
            parts.push(format!("Dir Port: {port}"));
        }
    } else {
        parts.push("Relaying Disabled".to_owned());
    }
    if let Some(target) = &conn.target {
        let auth = conn.auth_method.as_deref().unwrap_or("none");
        if target.starts_with('/') {
            parts.push(format!("Control Socket ({auth}): {target}"));
        } else {
            let port = target.rsplit(':').next().unwrap_or(target);
            parts.push(format!("Control Port ({auth}): {port}"));
        }
    }
    Line::from(parts.join(", "))
}

fn resources_line(state: &ControllerState, now: u64) -> Line<'static> {
    let sys = &state.facts.system;
    let pct = |v: Option<f64>| v.map_or_else(|| "?".to_owned(), |v| format!("{v:.1}%"));
    let mut s = match &sys.unseen {
        // Said once, instead of a `?` in every field.
        Some(why) => format!(
            "{}: connections as tor reports them",
            rnyx_model::text::strip_controls(why)
        ),
        None => format!(
            "cpu: {} tor, {} rnyx    mem: {}",
            pct(sys.tor_cpu),
            pct(sys.rnyx_cpu),
            memory(sys)
        ),
    };
    let pid = state
        .facts
        .relay
        .pid
        .map_or_else(|| "?".to_owned(), |p| p.to_string());
    s.push_str("    pid: ");
    s.push_str(&pid);
    if let Some(start) = state.facts.relay.start_time {
        s.push_str("    uptime: ");
        s.push_str(&format::uptime(now.saturating_sub(start)));
    }
    Line::from(s)
}

/// tor's resident memory, with its share of the machine's.
fn memory(sys: &rnyx_model::SystemInfo) -> String {
    match (sys.tor_memory, sys.memory_total) {
        (Some(m), Some(t)) if t > 0 => {
            format!(
                "{} ({:.1}%)",
                format::size(m as f64),
                m as f64 * 100.0 / t as f64
            )
        }
        (Some(m), _) => format::size(m as f64),
        _ => "?".to_owned(),
    }
}

fn fingerprint_line(state: &ControllerState, theme: Theme) -> Line<'static> {
    let fp = state.facts.relay.fingerprint.clone().unwrap_or_default();
    let mut spans = vec![Span::raw(format!("fingerprint: {fp}"))];
    if let (Some(used), Some(limit)) = (state.facts.system.tor_fds, state.facts.system.tor_fd_limit)
    {
        let percent = used * 100 / limit.max(1);
        if percent >= FD_WARN_PERCENT {
            let style = if percent >= 90 {
                theme.error()
            } else {
                theme.warning()
            };
            spans.push(Span::raw(", "));
            spans.push(Span::styled(
                format!("file desc: {used} / {limit} ({percent}%)"),
                style,
            ));
        }
    }
    Line::from(spans)
}

fn flags_line(state: &ControllerState, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::raw("flags: ")];
    if state.facts.relay.flags.is_empty() {
        spans.push(Span::raw("none"));
    }
    for (i, f) in state.facts.relay.flags.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(", "));
        }
        spans.push(Span::styled(f.clone(), theme.flag(f)));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_owned())
            .collect::<String>()
            .trim_end()
            .to_owned()
    }

    fn relay(socket: &str) -> ControllerState {
        let mut s = ControllerState::default();
        s.session.connection.connected = true;
        s.session.connection.target = Some(socket.into());
        s.session.connection.auth_method = Some("cookie".into());
        s.facts.relay.nickname = Some("relay0".into());
        s.facts.relay.fingerprint = Some("67D577B900FD4E6B8B24D29F75E09080F50F7437".into());
        s.facts.relay.listeners.or = vec!["127.0.0.1:5100".into()];
        s
    }

    fn draw(s: &ControllerState, width: u16) -> Buffer {
        let area = Rect::new(0, 0, width, 3);
        let mut buf = Buffer::empty(area);
        render(s, 0, Theme { color: false }, area, &mut buf);
        buf
    }

    #[test]
    fn a_long_socket_path_takes_the_width_a_wide_terminal_has() {
        let path = "/tmp/rnyx-net-123456/net/relay0/control";
        let s = relay(path);
        let buf = draw(&s, 160);
        let line = row(&buf, 1);
        assert!(
            line.contains(&format!("Control Socket (cookie): {path}")),
            "{line}"
        );
        assert!(line.contains("| flags: none"), "{line}");
        // Too narrow for both: cut with `…`, never mid-word without a mark.
        let buf = draw(&s, 80);
        let line = row(&buf, 1);
        assert_eq!(line.chars().count(), 80, "{line}");
        assert!(line.ends_with('…'), "{line}");
    }

    #[test]
    fn a_tor_that_stopped_answering_says_so_and_since_when() {
        let mut s = relay("/run/tor/control");
        s.session.connection.silent_since = Some(3_725);
        let area = Rect::new(0, 0, 120, 3);
        let mut buf = Buffer::empty(area);
        render(&s, 3_742, Theme { color: false }, area, &mut buf);
        let line = row(&buf, 1);
        assert!(
            line.starts_with(
                "Tor Not Answering (nothing heard since 01:02:05, 17s ago; press r to reconnect)"
            ),
            "{line}"
        );
        s.session.connection.silent_since = None;
        let buf = draw(&s, 120);
        assert!(row(&buf, 1).starts_with("relay0 - "), "{}", row(&buf, 1));
    }

    #[test]
    fn the_alert_count_is_at_the_titles_end_at_any_width() {
        use rnyx_model::health::{Alert, AlertKind, Severity};
        let mut s = relay("/run/tor/control");
        s.facts.system.hostname = "a-host-with-a-rather-long-name".into();
        s.facts.system.kernel = "6.18.44-fc-v1147-with-more".into();
        s.facts.relay.version = Some("0.4.9.11".into());
        let alert = |kind, severity| Alert {
            kind,
            severity,
            since: 0,
            detail: String::new(),
            words: None,
        };
        s.health.active = vec![
            alert(AlertKind::NotInConsensus, Severity::Critical),
            alert(AlertKind::Version, Severity::Warning),
        ];
        for width in [80, 100, 200] {
            let buf = draw(&s, width);
            let title = row(&buf, 0);
            assert!(title.starts_with("rnyx - a-host"), "{title}");
            if width >= WIDE {
                assert!(
                    title.contains("2 alerts (critical, press !) | fingerprint: "),
                    "{title}"
                );
            } else {
                assert!(
                    title.ends_with("2 alerts (critical, press !)"),
                    "{width}: {title}"
                );
                assert_eq!(title.chars().count(), usize::from(width), "{title}");
            }
        }
        s.health.active.truncate(0);
        s.health
            .active
            .push(alert(AlertKind::Version, Severity::Warning));
        assert!(row(&draw(&s, 100), 0).ends_with("1 alert (warning, press !)"));
        s.health.active.clear();
        assert!(!row(&draw(&s, 100), 0).contains("alert"));
    }
}
