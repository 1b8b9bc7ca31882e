//! The onion services the watched tor hosts, as a controller can know
//! them:
//! - from its configuration (`HiddenServiceDir` blocks: ports, the
//!   introduction points wanted) and `GETINFO onions/detached`;
//! - from HS_DESC events (control-spec §4.1.25): each upload of the
//!   descriptor to an HSDir, accepted or failed;
//! - from the circuits of the service's purposes (`HS_SERVICE_INTRO`
//!   established, `HS_SERVICE_REND`), counted once a second, with a
//!   rendezvous count a minute over the last hour.
//!
//! Client-side onion addresses (the services this tor visits) are never
//! kept: only an address tor uploads a descriptor for, or builds a
//! service circuit for, is the operator's own.

use crate::circuit::{CircuitStatus, CircuitTable, Hop};
use serde::Serialize;
use std::collections::VecDeque;

/// tor's default `HiddenServiceNumIntroductionPoints`.
pub const INTRO_DEFAULT: u32 = 3;
/// Descriptors a v3 service keeps at once (the current time period's and
/// the next's), each with its own introduction points.
pub const DESCRIPTORS: u32 = 2;
/// Minutes of rendezvous counts kept for the graph.
pub const REND_MINUTES: usize = 60;
/// Seconds after which an upload tor has had no answer to is taken as
/// lost: tor closes a directory connection stalled this long
/// (`DIR_CONN_MAX_STALL`).
pub const ANSWER_WITHIN: u64 = 300;
/// HSDirs kept per service (tor uploads to 8 a time period, two periods).
pub const HSDIRS_KEPT: usize = 32;
/// Seconds within which tor uploads the descriptor again, at the latest
/// (`HS_SERVICE_NEXT_UPLOAD_TIME_MAX`, 120 minutes).
pub const REUPLOAD_MAX: u64 = 7_200;

/// Where rnyx learnt of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A `HiddenServiceDir` of tor's configuration.
    Torrc,
    /// `ADD_ONION … Flags=Detach` (`onions/detached`).
    Detached,
    /// Only from tor's events (another controller's `ADD_ONION`).
    Events,
}

/// How the last upload to one HSDir went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Upload {
    Uploading,
    Uploaded,
    Failed,
}

/// One HSDir's last upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HsDirUpload {
    pub hsdir: Hop,
    pub state: Upload,
    /// Unix second of the event.
    pub at: u64,
    /// tor's reason when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The service's descriptor, as its uploads went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Descriptor {
    /// Each HSDir's last upload, newest last.
    pub hsdirs: Vec<HsDirUpload>,
    /// Unix second tor last began an upload.
    pub last_upload: Option<u64>,
    /// Unix second an HSDir last accepted it.
    pub last_uploaded: Option<u64>,
    /// Unix second an upload last failed, and tor's reason.
    pub last_failed: Option<(u64, String)>,
    /// Since rnyx started: uploads accepted, and failed.
    pub uploaded: u64,
    pub failed: u64,
}

impl Descriptor {
    /// When tor will upload it again at the latest.
    pub fn next_due(&self) -> Option<u64> {
        self.last_uploaded.map(|t| t + REUPLOAD_MAX)
    }

    /// HSDirs of the last round whose last upload was accepted.
    pub fn accepted(&self) -> usize {
        self.current()
            .filter(|h| h.state == Upload::Uploaded)
            .count()
    }

    /// HSDirs of the last round that refused the descriptor, or have not
    /// answered within [`ANSWER_WITHIN`].
    pub fn refused_or_silent(&self, now: u64) -> impl Iterator<Item = &HsDirUpload> {
        self.current().filter(move |h| match h.state {
            Upload::Failed => true,
            Upload::Uploading => now > h.at + ANSWER_WITHIN,
            Upload::Uploaded => false,
        })
    }

    /// The HSDirs of tor's last round of uploads: those uploaded to
    /// within [`REUPLOAD_MAX`] of the last upload (an HSDir of an older
    /// round may no longer be one of the service's).
    pub fn current(&self) -> impl Iterator<Item = &HsDirUpload> {
        let last = self.last_upload.unwrap_or(0);
        self.hsdirs
            .iter()
            .filter(move |h| h.at + REUPLOAD_MAX >= last)
    }
}

/// An HSDir whose copy of the descriptor is not the last one tor sent:
/// it refused it (HS_DESC FAILED), or never answered. tor reports no
/// failure when an HSDir answers 503 or the upload's circuit fails: the
/// upload then stays unanswered.
pub fn holds_no_copy(h: &HsDirUpload) -> bool {
    h.state != Upload::Uploaded
}

/// Where the descriptor is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// At every HSDir: clients cannot reach the service. Since when.
    Everywhere(u64),
    /// At some HSDirs of the last round (others hold it): since the
    /// earliest of their uploads, and how many of how many.
    AtSome {
        since: u64,
        missing: usize,
        of: usize,
    },
}

impl Missing {
    pub fn since(&self) -> u64 {
        match self {
            Missing::Everywhere(t) | Missing::AtSome { since: t, .. } => *t,
        }
    }
}

/// One onion service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnionService {
    /// The address without `.onion` (56 characters, v3), once known.
    pub address: Option<String>,
    pub origin: Origin,
    /// Its `HiddenServiceDir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// `HiddenServicePort` values as tor gives them (`80 127.0.0.1:8080`).
    pub ports: Vec<String>,
    /// Introduction points wanted for each descriptor
    /// (`HiddenServiceNumIntroductionPoints`), and established now for
    /// both.
    pub intro_wanted: u32,
    pub intro_points: u32,
    /// Unix second the established ones fell below those wanted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intro_short_since: Option<u64>,
    /// Rendezvous circuits now.
    pub rendezvous: u32,
    /// The most rendezvous circuits seen in each of the last minutes,
    /// oldest first.
    #[serde(skip)]
    pub rend_minutes: VecDeque<u16>,
    #[serde(skip)]
    rend_minute: u64,
    pub descriptor: Descriptor,
    /// Unix second rnyx first knew of it.
    pub since: u64,
}

impl OnionService {
    pub fn new(origin: Origin, address: Option<String>, now: u64) -> Self {
        OnionService {
            address,
            origin,
            dir: None,
            ports: Vec::new(),
            intro_wanted: INTRO_DEFAULT,
            intro_points: 0,
            intro_short_since: None,
            rendezvous: 0,
            rend_minutes: VecDeque::new(),
            rend_minute: 0,
            descriptor: Descriptor::default(),
            since: now,
        }
    }

    /// Since when the descriptor has been missing at the HSDirs, if it is:
    /// never accepted since rnyx knew the service; failed since the last
    /// acceptance; or past the latest re-upload. A service that ran before
    /// rnyx saw it (tor started over a minute earlier: `tor_started`) may
    /// have uploaded just before: it is given tor's re-upload time.
    pub fn descriptor_missing_since(&self, now: u64, tor_started: Option<u64>) -> Option<u64> {
        match self.descriptor_missing(now, tor_started)? {
            Missing::Everywhere(t) => Some(t),
            Missing::AtSome { .. } => None,
        }
    }

    /// Where the descriptor is missing, and since when: everywhere as
    /// [`descriptor_missing_since`](Self::descriptor_missing_since) says,
    /// or when every HSDir of the last round refused it or has not
    /// answered; at some when only some of them hold it. An upload in
    /// flight counts from its start: the caller's threshold gives tor
    /// time to answer.
    pub fn descriptor_missing(&self, now: u64, tor_started: Option<u64>) -> Option<Missing> {
        let d = &self.descriptor;
        let ran_before = tor_started.is_some_and(|t| self.since > t + 60);
        let everywhere = |t| Some(Missing::Everywhere(t));
        let Some(ok) = d.last_uploaded else {
            return match &d.last_failed {
                Some((failed, _)) => everywhere(self.since.min(*failed)),
                None if ran_before => everywhere(self.since + REUPLOAD_MAX)
                    .filter(|_| now > self.since + REUPLOAD_MAX),
                None => everywhere(self.since),
            };
        };
        if now > ok + REUPLOAD_MAX {
            return everywhere(ok + REUPLOAD_MAX);
        }
        let of = d.current().count();
        let missing: Vec<u64> = d
            .current()
            .filter(|h| holds_no_copy(h))
            .map(|h| h.at)
            .collect();
        let since = *missing.iter().min()?;
        if missing.len() == of {
            return everywhere(since);
        }
        Some(Missing::AtSome {
            since,
            missing: missing.len(),
            of,
        })
    }

    /// Introduction points wanted in all: [`DESCRIPTORS`] times those of
    /// one descriptor.
    pub fn intro_wanted_total(&self) -> u32 {
        self.intro_wanted * DESCRIPTORS
    }

    fn note_rendezvous(&mut self, now: u64) {
        let minute = now / 60;
        let n = u16::try_from(self.rendezvous).unwrap_or(u16::MAX);
        if self.rend_minute == minute {
            if let Some(last) = self.rend_minutes.back_mut() {
                *last = (*last).max(n);
                return;
            }
        }
        // Minutes with no count (tor silent) read as none.
        let gap = minute.saturating_sub(self.rend_minute).saturating_sub(1);
        if self.rend_minute != 0 {
            for _ in 0..gap.min(REND_MINUTES as u64) {
                self.rend_minutes.push_back(0);
            }
        }
        self.rend_minute = minute;
        self.rend_minutes.push_back(n);
        while self.rend_minutes.len() > REND_MINUTES {
            self.rend_minutes.pop_front();
        }
    }
}

/// A service as tor's configuration or `onions/detached` gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Configured {
    pub dir: Option<String>,
    /// Read from `DIR/hostname`, or `onions/detached`.
    pub address: Option<String>,
    pub ports: Vec<String>,
    pub intro_wanted: Option<u32>,
}

/// Every onion service the watched tor hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Onions {
    pub services: Vec<OnionService>,
}

/// Whether a circuit purpose is a service's own (`HS_SERVICE_*`).
pub fn service_purpose(purpose: &str) -> bool {
    purpose.starts_with("HS_SERVICE")
}

impl Onions {
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// The events the services need (none without services).
    pub fn events(&self) -> &'static [&'static str] {
        if self.is_empty() {
            &[]
        } else {
            // CIRC_MINOR: an introduction circuit becomes established
            // by a change of purpose, which CIRC does not report.
            &["HS_DESC", "CIRC_MINOR"]
        }
    }

    /// The services tor's configuration and `onions/detached` give now:
    /// those kept keep what was seen of them; ones only seen in events
    /// stay.
    pub fn configure(&mut self, configured: Vec<(Origin, Configured)>, now: u64) {
        let mut old = std::mem::take(&mut self.services);
        for (origin, c) in configured {
            let found = old.iter().position(|s| {
                (c.dir.is_some() && s.dir == c.dir)
                    || (c.address.is_some() && s.address == c.address)
            });
            let mut s = match found {
                Some(i) => old.remove(i),
                None => OnionService::new(origin, None, now),
            };
            s.origin = origin;
            if c.address.is_some() {
                s.address = c.address;
            }
            s.dir = c.dir;
            s.ports = c.ports;
            s.intro_wanted = c.intro_wanted.unwrap_or(INTRO_DEFAULT);
            self.services.push(s);
        }
        // Seen in events and not configured now: another controller's,
        // or an address learnt for a directory service.
        for s in old.into_iter().filter(|s| s.address.is_some()) {
            match self.unaddressed_dir() {
                Some(i) => {
                    let dir = &mut self.services[i];
                    dir.address.clone_from(&s.address);
                    dir.descriptor = s.descriptor;
                    dir.rend_minutes = s.rend_minutes;
                    dir.rend_minute = s.rend_minute;
                }
                None if s.origin == Origin::Events => self.services.push(s),
                None => {}
            }
        }
    }

    /// The one configured service whose address is not known, if exactly
    /// one is: an address tor uploads for that no other has is its.
    fn unaddressed_dir(&self) -> Option<usize> {
        let mut it = self
            .services
            .iter()
            .enumerate()
            .filter(|(_, s)| s.address.is_none());
        let (i, _) = it.next()?;
        it.next().is_none().then_some(i)
    }

    /// The service of an address tor says is its own (an upload, a service
    /// circuit): found, given to the one service without an address, or
    /// added.
    fn own(&mut self, address: &str, now: u64) -> &mut OnionService {
        let i = match self
            .services
            .iter()
            .position(|s| s.address.as_deref() == Some(address))
        {
            Some(i) => i,
            None => {
                if let Some(i) = self.unaddressed_dir() {
                    self.services[i].address = Some(address.to_owned());
                    i
                } else {
                    let s = OnionService::new(Origin::Events, Some(address.to_owned()), now);
                    self.services.push(s);
                    self.services.len() - 1
                }
            }
        };
        &mut self.services[i]
    }

    /// An HS_DESC event. Only uploads are kept: `UPLOAD` names an address
    /// as the service's own; `UPLOADED` and `FAILED` count for an address
    /// already known as own (a failed fetch of another's is not kept).
    pub fn on_descriptor(
        &mut self,
        action: &str,
        address: Option<&str>,
        hsdir: Option<&Hop>,
        reason: Option<&str>,
        now: u64,
    ) {
        let Some(address) = address else { return };
        let state = match action {
            "UPLOAD" => Upload::Uploading,
            "UPLOADED" => Upload::Uploaded,
            "FAILED" | "UPLOAD_FAILED" => Upload::Failed,
            _ => return,
        };
        let known = self
            .services
            .iter()
            .any(|s| s.address.as_deref() == Some(address));
        if state != Upload::Uploading && !known {
            return;
        }
        let d = &mut self.own(address, now).descriptor;
        match state {
            Upload::Uploading => d.last_upload = Some(now),
            Upload::Uploaded => {
                d.last_uploaded = Some(now);
                d.uploaded += 1;
            }
            Upload::Failed => {
                let why = reason.unwrap_or("UNKNOWN");
                d.last_failed = Some((now, crate::text::strip_controls(why)));
                d.failed += 1;
            }
        }
        let Some(hsdir) = hsdir else { return };
        d.hsdirs
            .retain(|h| h.hsdir.fingerprint != hsdir.fingerprint || hsdir.fingerprint.is_none());
        d.hsdirs.push(HsDirUpload {
            hsdir: hsdir.clone(),
            state,
            at: now,
            reason: (state == Upload::Failed)
                .then(|| reason.map(crate::text::strip_controls))
                .flatten(),
        });
        if d.hsdirs.len() > HSDIRS_KEPT {
            d.hsdirs.remove(0);
        }
    }

    /// Counts the services' circuits (once a second): introduction points
    /// established, rendezvous circuits; an address a service circuit
    /// names is the operator's own.
    pub fn count(&mut self, circuits: &CircuitTable, now: u64) {
        for s in &mut self.services {
            s.intro_points = 0;
            s.rendezvous = 0;
        }
        for c in circuits.iter() {
            let (Some(purpose), Some(address)) = (&c.purpose, &c.rend_query) else {
                continue;
            };
            let established = c.status == CircuitStatus::Built
                && c.hs_state.as_deref() == Some("HSSI_ESTABLISHED");
            match purpose.as_str() {
                "HS_SERVICE_INTRO" if established => self.own(address, now).intro_points += 1,
                "HS_SERVICE_REND" if c.status == CircuitStatus::Built => {
                    self.own(address, now).rendezvous += 1;
                }
                _ => {}
            }
        }
        for s in &mut self.services {
            if s.intro_points < s.intro_wanted_total() {
                s.intro_short_since.get_or_insert(now);
            } else {
                s.intro_short_since = None;
            }
            s.note_rendezvous(now);
        }
    }
}

#[cfg(test)]
mod tests;
