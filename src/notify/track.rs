//! Which alerts each relay has, as told so far: the task's active alerts
//! compared with what was last told give the starts, ends and changes of
//! severity; they wait out the group window together, where an alert that
//! starts and ends within it (or ends and starts again, a reconnection)
//! says nothing; reminders come due while an alert lasts.

use super::message::{scrub, Change, Event, Message};
use rnyx_model::health::{Alert, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An alert as last told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Told {
    /// The relay's key (its name in nyxrc or on the command line).
    pub key: String,
    pub event: Event,
    /// When it was last said (started, changed or reminded), Unix seconds.
    pub said: u64,
}

/// What a relay and kind were before the window opened, and are now.
#[derive(Debug, Clone)]
struct Pending {
    was: Option<Severity>,
    now: Option<Event>,
    /// The alert as it was, for an end.
    last: Event,
}

/// The tracker: alerts told, changes waiting for the window to close.
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    /// (relay, kind) → the alert as told.
    pub told: BTreeMap<(String, String), Told>,
    pending: BTreeMap<(String, String), Pending>,
    /// When the open window closes, Unix seconds.
    closes: Option<u64>,
}

/// One relay's alerts as its task has them now.
pub struct Current<'a> {
    /// The relay's key: its name in nyxrc or on the command line.
    pub key: &'a str,
    /// Its name in messages (tor's nickname for a relay found).
    pub relay: &'a str,
    pub host: Option<&'a str>,
    pub alerts: &'a [Alert],
}

fn event_of(relay: &str, host: Option<&str>, a: &Alert) -> Event {
    let rule = a.rule();
    let mut detail = a.detail.clone();
    if let Some(w) = &a.words {
        if !detail.is_empty() {
            detail.push_str("; ");
        }
        detail.push_str("tor: ");
        detail.push_str(w);
    }
    Event {
        relay: relay.to_owned(),
        host: host.map(str::to_owned),
        kind: rule.name.to_owned(),
        change: Change::Started,
        severity: a.severity,
        title: rule.title.to_owned(),
        detail: scrub(&detail),
        advice: rule.advice.to_owned(),
        since: a.since,
        ended: None,
    }
}

impl Tracker {
    /// A tracker that has told `told` (kept across restarts).
    pub fn with(told: Vec<Told>) -> Self {
        Self {
            told: told
                .into_iter()
                .map(|t| ((t.key.clone(), t.event.kind.clone()), t))
                .collect(),
            ..Self::default()
        }
    }

    /// What a relay has now; each change opens the window (if none is
    /// open) and is returned, for the log.
    pub fn observe(&mut self, cur: &Current, now: u64, window: u64) -> Vec<Event> {
        let mut changes = Vec::new();
        let mut seen = Vec::new();
        for a in cur.alerts {
            let e = event_of(cur.relay, cur.host, a);
            let key = (cur.key.to_owned(), e.kind.clone());
            let before = self.state_of(&key);
            seen.push(key.clone());
            if before == Some(e.severity) {
                continue;
            }
            let mut change = e.clone();
            change.change = if before.is_some() {
                Change::Changed
            } else {
                Change::Started
            };
            changes.push(change);
            self.pend(key, Some(e), now, window);
        }
        let gone: Vec<(String, String)> = self
            .keys_of(cur.key)
            .into_iter()
            .filter(|k| !seen.contains(k) && self.state_of(k).is_some())
            .collect();
        for key in gone {
            let mut last = self.last_of(&key).expect("active before");
            last.change = Change::Over;
            last.ended = Some(now);
            changes.push(last);
            self.pend(key, None, now, window);
        }
        changes
    }

    /// A relay no longer watched (nyxrc changed): forgotten, unsaid.
    pub fn forget_others(&mut self, relays: &[String]) {
        self.told.retain(|(r, _), _| relays.contains(r));
        self.pending.retain(|(r, _), _| relays.contains(r));
    }

    /// The message due at `now`: the window's changes once it closes, with
    /// the reminders due (`remind`: how often).
    pub fn due(&mut self, now: u64, remind: Option<u64>) -> Option<Message> {
        if let Some(every) = remind {
            let due: Vec<(String, String)> = self
                .told
                .iter()
                .filter(|(k, t)| {
                    now >= t.said.saturating_add(every) && !self.pending.contains_key(*k)
                })
                .map(|(k, _)| k.clone())
                .collect();
            for key in due {
                let t = self.told.get_mut(&key).expect("listed");
                t.said = now;
                let mut e = t.event.clone();
                e.change = Change::Still;
                self.closes.get_or_insert(now);
                self.pending.insert(
                    key,
                    Pending {
                        was: Some(e.severity),
                        now: Some(e.clone()),
                        last: e,
                    },
                );
            }
        }
        if self.closes.is_none_or(|c| now < c) {
            return None;
        }
        self.closes = None;
        let mut events = Vec::new();
        for (key, p) in std::mem::take(&mut self.pending) {
            match (p.was, p.now) {
                (_, Some(e)) if e.change == Change::Still => events.push(e),
                (None, Some(mut e)) => {
                    e.change = Change::Started;
                    let told = Told {
                        key: key.0.clone(),
                        event: e.clone(),
                        said: now,
                    };
                    self.told.insert(key, told);
                    events.push(e);
                }
                (Some(was), Some(mut e)) => {
                    let changed = was != e.severity;
                    e.change = Change::Changed;
                    let said = self.told.get(&key).map_or(now, |t| t.said);
                    self.told.insert(
                        key.clone(),
                        Told {
                            key: key.0,
                            event: e.clone(),
                            said: if changed { now } else { said },
                        },
                    );
                    if changed {
                        events.push(e);
                    }
                }
                (Some(_), None) => {
                    self.told.remove(&key);
                    events.push(p.last);
                }
                (None, None) => {}
            }
        }
        // Worst first, then in the order of the kinds (the monitor's) and
        // of the relays; those over last.
        let rank = |kind: &str| {
            rnyx_model::health::RULES
                .iter()
                .position(|r| r.name == kind)
        };
        events.sort_by(|a, b| {
            (a.change == Change::Over)
                .cmp(&(b.change == Change::Over))
                .then(b.severity.cmp(&a.severity))
                .then(rank(&a.kind).cmp(&rank(&b.kind)))
                .then(a.relay.cmp(&b.relay))
        });
        (!events.is_empty()).then(|| Message::new(now, events))
    }

    /// The window closed at `now` (rnyx stopping): its message.
    pub fn close_now(&mut self, now: u64) -> Option<Message> {
        if !self.pending.is_empty() {
            self.closes = Some(now);
        }
        self.due(now, None)
    }

    /// Told alerts, for the file kept across restarts.
    pub fn told(&self) -> Vec<Told> {
        self.told.values().cloned().collect()
    }

    /// Its severity as far as the window goes: pending, else told.
    fn state_of(&self, key: &(String, String)) -> Option<Severity> {
        match self.pending.get(key) {
            Some(p) => p.now.as_ref().map(|e| e.severity),
            None => self.told.get(key).map(|t| t.event.severity),
        }
    }

    fn last_of(&self, key: &(String, String)) -> Option<Event> {
        match self.pending.get(key) {
            Some(p) => p.now.clone().or_else(|| Some(p.last.clone())),
            None => self.told.get(key).map(|t| t.event.clone()),
        }
    }

    fn keys_of(&self, relay: &str) -> Vec<(String, String)> {
        let told = self.told.keys().filter(|(r, _)| r == relay);
        let pending = self.pending.keys().filter(|(r, _)| r == relay);
        let mut keys: Vec<_> = told.chain(pending).cloned().collect();
        keys.sort();
        keys.dedup();
        keys
    }

    fn pend(&mut self, key: (String, String), now_is: Option<Event>, at: u64, window: u64) {
        let was = self.told.get(&key).map(|t| t.event.severity);
        let last = now_is
            .clone()
            .or_else(|| self.last_of(&key))
            .expect("an alert known");
        let entry = self.pending.entry(key).or_insert(Pending {
            was,
            now: None,
            last: last.clone(),
        });
        if let Some(e) = &now_is {
            entry.last = e.clone();
        } else {
            entry.last.change = Change::Over;
            entry.last.ended = Some(at);
        }
        entry.now = now_is;
        self.closes.get_or_insert(at.saturating_add(window));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnyx_model::health::AlertKind;

    fn alert(kind: AlertKind, severity: Severity, since: u64) -> Alert {
        Alert {
            kind,
            severity,
            since,
            detail: "seen at 198.51.100.4".into(),
            words: None,
        }
    }

    fn see(t: &mut Tracker, relay: &str, alerts: &[Alert], now: u64) -> usize {
        let cur = Current {
            key: relay,
            relay,
            host: None,
            alerts,
        };
        t.observe(&cur, now, 30).len()
    }

    fn said(m: &Message) -> Vec<(String, Change, Severity)> {
        m.events
            .iter()
            .map(|e| (format!("{}/{}", e.relay, e.kind), e.change, e.severity))
            .collect()
    }

    #[test]
    fn alerts_starting_within_the_window_are_one_message() {
        let mut t = Tracker::default();
        let down = alert(AlertKind::NotInConsensus, Severity::Critical, 100);
        let flag = alert(AlertKind::FlagLost, Severity::Warning, 110);
        assert_eq!(see(&mut t, "relay1", std::slice::from_ref(&down), 100), 1);
        assert_eq!(see(&mut t, "relay2", std::slice::from_ref(&flag), 110), 1);
        assert!(t.due(129, None).is_none(), "the window is open 30 s");
        let m = t.due(130, None).unwrap();
        assert_eq!(
            said(&m),
            [
                (
                    "relay1/not_in_consensus".into(),
                    Change::Started,
                    Severity::Critical
                ),
                (
                    "relay2/flag_lost".into(),
                    Change::Started,
                    Severity::Warning
                ),
            ]
        );
        assert_eq!(m.events[0].detail, "seen at <scrubbed>");
        // Seen again: nothing new.
        assert_eq!(see(&mut t, "relay1", std::slice::from_ref(&down), 140), 0);
        assert!(t.due(200, None).is_none());
        // Over, then once more the window.
        assert_eq!(see(&mut t, "relay1", &[], 300), 1);
        let m = t.due(330, None).unwrap();
        assert_eq!(
            said(&m),
            [(
                "relay1/not_in_consensus".into(),
                Change::Over,
                Severity::Critical
            )]
        );
        assert_eq!(m.events[0].ended, Some(300));
        assert_eq!(t.told().len(), 1, "relay2's alert still told");
    }

    #[test]
    fn a_blip_within_the_window_says_nothing() {
        let mut t = Tracker::default();
        let down = alert(AlertKind::TorDown, Severity::Critical, 100);
        see(&mut t, "relay1", std::slice::from_ref(&down), 100);
        see(&mut t, "relay1", &[], 105);
        assert!(t.due(200, None).is_none(), "started and over unsaid");
        assert!(t.told().is_empty());
        // Told, then over and back within the window (a reconnection).
        see(&mut t, "relay1", std::slice::from_ref(&down), 300);
        assert!(t.due(330, None).is_some());
        see(&mut t, "relay1", &[], 400);
        see(&mut t, "relay1", std::slice::from_ref(&down), 410);
        assert!(t.due(500, None).is_none());
        assert_eq!(t.told().len(), 1);
        // Worse: said as a change.
        let worse = alert(AlertKind::FlagLost, Severity::Warning, 600);
        see(&mut t, "relay1", &[down.clone(), worse.clone()], 600);
        t.due(630, None).unwrap();
        let critical = Alert {
            severity: Severity::Critical,
            ..worse
        };
        see(&mut t, "relay1", &[down, critical], 700);
        let m = t.due(730, None).unwrap();
        assert_eq!(
            said(&m),
            [(
                "relay1/flag_lost".into(),
                Change::Changed,
                Severity::Critical
            )]
        );
    }

    #[test]
    fn reminders_come_while_it_lasts_and_survive_a_restart() {
        let mut t = Tracker::default();
        let down = alert(AlertKind::TorDown, Severity::Critical, 100);
        see(&mut t, "relay1", std::slice::from_ref(&down), 100);
        t.due(130, Some(3600)).unwrap();
        assert!(t.due(3729, Some(3600)).is_none());
        let m = t.due(3730, Some(3600)).unwrap();
        assert_eq!(
            said(&m),
            [("relay1/tor_down".into(), Change::Still, Severity::Critical)]
        );
        // A new tracker from what was told: the alert still active is not
        // said again, its end is.
        let mut again = Tracker::with(t.told());
        see(&mut again, "relay1", std::slice::from_ref(&down), 4000);
        assert!(again.due(5000, Some(3600)).is_none());
        see(&mut again, "relay1", &[], 5000);
        let m = again.due(5030, Some(3600)).unwrap();
        assert_eq!(
            said(&m),
            [("relay1/tor_down".into(), Change::Over, Severity::Critical)]
        );
        // A relay no longer in nyxrc is forgotten.
        see(&mut again, "relay9", std::slice::from_ref(&down), 6000);
        again.forget_others(&["relay1".to_owned()]);
        assert!(again.due(7000, None).is_none());
    }

    #[test]
    fn a_thousand_changes_an_hour_make_at_most_a_message_a_window() {
        let mut t = Tracker::default();
        let down = alert(AlertKind::TorDown, Severity::Critical, 0);
        let mut messages = 0;
        for i in 0..1000u64 {
            let now = i * 36 / 10;
            let alerts = if i % 2 == 0 {
                vec![down.clone()]
            } else {
                Vec::new()
            };
            see(&mut t, "relay1", &alerts, now);
            if t.due(now, Some(86_400)).is_some() {
                messages += 1;
            }
        }
        assert!(messages <= 3600 / 30 + 1, "{messages}");
        assert!(t.told().len() <= 1);
    }
}
