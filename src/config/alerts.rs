//! nyxrc's `[alerts]`: thresholds, and which kinds are off, warnings or
//! critical (the kinds' names as `rnyx --check` and the metrics give them).

use super::values::Ranged;
use rnyx_model::health::{kind_named, AlertKind, AlertSettings, RULES};
use serde::{de, Deserialize, Deserializer};

/// The table as written: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AlertsTable {
    fd_warning: Option<Ranged<1, 100>>,
    fd_critical: Option<Ranged<1, 100>>,
    memory_warning: Option<Ranged<1, 100>>,
    bootstrap_after: Option<Ranged<10, 604_800>>,
    network_down_after: Option<Ranged<0, 604_800>>,
    accounting_warning: Option<Ranged<1, 100>>,
    bandwidth_low: Option<Ranged<0, 100>>,
    cert_warning_days: Option<Ranged<1, 3650>>,
    cert_critical_days: Option<Ranged<0, 3650>>,
    dos_refused_rate: Option<Ranged<0, 1_000_000>>,
    weight_drop: Option<Ranged<1, 100>>,
    onion_descriptor_after: Option<Ranged<10, 604_800>>,
    intro_points_after: Option<Ranged<10, 604_800>>,
    bridge_clients_days: Option<Ranged<0, 365>>,
    #[serde(default)]
    off: Vec<KindName>,
    #[serde(default)]
    warning: Vec<KindName>,
    #[serde(default)]
    critical: Vec<KindName>,
}

/// An alert kind's name.
#[derive(Debug, Clone, Copy)]
pub(super) struct KindName(AlertKind);

impl<'de> Deserialize<'de> for KindName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        kind_named(&s).map(KindName).ok_or_else(|| {
            let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
            de::Error::custom(format!(
                "unknown alert kind \"{s}\", expected one of {}",
                names.join(", ")
            ))
        })
    }
}

impl AlertsTable {
    /// The settings, or why not (a threshold pair the wrong way round).
    pub(super) fn settings(self) -> Result<AlertSettings, String> {
        let mut s = AlertSettings::default();
        let t = &mut s.thresholds;
        let pct = |v: Option<Ranged<1, 100>>, d: f64| v.map_or(d, |r| f64::from(r.0));
        t.fd_warning = pct(self.fd_warning, t.fd_warning);
        t.fd_critical = pct(self.fd_critical, t.fd_critical);
        t.memory_warning = pct(self.memory_warning, t.memory_warning);
        t.accounting_warning = pct(self.accounting_warning, t.accounting_warning);
        t.bandwidth_low = self
            .bandwidth_low
            .map_or(t.bandwidth_low, |r| f64::from(r.0));
        t.bootstrap_after = self
            .bootstrap_after
            .map_or(t.bootstrap_after, |r| u64::from(r.0));
        t.network_down_after = self
            .network_down_after
            .map_or(t.network_down_after, |r| u64::from(r.0));
        t.cert_warning_days = self
            .cert_warning_days
            .map_or(t.cert_warning_days, |r| f64::from(r.0));
        t.cert_critical_days = self
            .cert_critical_days
            .map_or(t.cert_critical_days, |r| f64::from(r.0));
        t.dos_refused_rate = self
            .dos_refused_rate
            .map_or(t.dos_refused_rate, |r| f64::from(r.0));
        t.weight_drop = pct(self.weight_drop, t.weight_drop);
        t.onion_descriptor_after = self
            .onion_descriptor_after
            .map_or(t.onion_descriptor_after, |r| u64::from(r.0));
        t.intro_points_after = self
            .intro_points_after
            .map_or(t.intro_points_after, |r| u64::from(r.0));
        t.bridge_clients_days = self
            .bridge_clients_days
            .map_or(t.bridge_clients_days, |r| u64::from(r.0));
        if t.fd_critical < t.fd_warning {
            return Err("[alerts] fd_critical is below fd_warning".into());
        }
        if t.cert_critical_days > t.cert_warning_days {
            return Err("[alerts] cert_critical_days is above cert_warning_days".into());
        }
        for (list, word) in [
            (self.warning, "warning"),
            (self.critical, "critical"),
            (self.off, "off"),
        ] {
            for KindName(kind) in list {
                s.set(kind, word)?;
            }
        }
        Ok(s)
    }
}

/// One `--alert KEY=VALUE`: a threshold (a number) or a kind (`off`, `on`,
/// `warning`, `critical`), over what nyxrc said.
pub fn set_alert(s: &mut AlertSettings, given: &str) -> Result<(), String> {
    let (key, value) = given
        .split_once('=')
        .ok_or_else(|| format!("--alert {given}: expected KEY=VALUE"))?;
    let (key, value) = (key.trim(), value.trim());
    if let Some(kind) = kind_named(key) {
        return s
            .set(kind, value)
            .map_err(|e| format!("--alert {given}: {e}"));
    }
    let n: f64 = value
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| format!("--alert {given}: {value:?} is not a number"))?;
    let t = &mut s.thresholds;
    match key {
        "fd_warning" => t.fd_warning = n,
        "fd_critical" => t.fd_critical = n,
        "memory_warning" => t.memory_warning = n,
        "accounting_warning" => t.accounting_warning = n,
        "bandwidth_low" => t.bandwidth_low = n,
        "cert_warning_days" => t.cert_warning_days = n,
        "cert_critical_days" => t.cert_critical_days = n,
        "dos_refused_rate" => t.dos_refused_rate = n,
        "weight_drop" => t.weight_drop = n,
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        "bootstrap_after" => t.bootstrap_after = n as u64,
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        "network_down_after" => t.network_down_after = n as u64,
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        "onion_descriptor_after" => t.onion_descriptor_after = n as u64,
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        "intro_points_after" => t.intro_points_after = n as u64,
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        "bridge_clients_days" => t.bridge_clients_days = n as u64,
        _ => {
            let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
            return Err(format!(
                "--alert {given}: unknown key {key:?}; thresholds: fd_warning, fd_critical, memory_warning, bootstrap_after, network_down_after, accounting_warning, bandwidth_low, cert_warning_days, cert_critical_days, dos_refused_rate, weight_drop, onion_descriptor_after, intro_points_after, bridge_clients_days; kinds: {}",
                names.join(", ")
            ));
        }
    }
    Ok(())
}
