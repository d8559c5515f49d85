//! The annotator's preferences (key bindings, theme), kept as plain JSON in the profile
//! directory: they hold nothing personal and nothing secret.

use crate::error::VaultError;
use crate::profile::Profile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// File name inside the profile directory.
pub const SETTINGS_FILE: &str = "settings.json";

/// Preferences. Unknown actions in a saved file are kept out by validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Action → keys (`KeyboardEvent.key` values). Missing actions use the defaults.
    #[serde(default)]
    pub keymap: BTreeMap<String, Vec<String>>,
    /// `system`, `light` or `dark`.
    #[serde(default)]
    pub theme: Option<String>,
}

/// The actions a key can be bound to.
pub const ACTIONS: &[&str] = &[
    "accept",
    "wrong",
    "flag_misclassification",
    "missed_pii",
    "not_customer",
    "multiple_intents",
    "undo",
    "skip",
    "unsure",
    "help",
];

impl Settings {
    /// Check values: known actions, short key names, a known theme.
    pub fn validate(&self) -> Result<(), VaultError> {
        for (action, keys) in &self.keymap {
            if !ACTIONS.contains(&action.as_str()) {
                return Err(VaultError::Invalid(format!(
                    "unknown action {action:?} in the key map"
                )));
            }
            if keys.len() > 4 || keys.iter().any(|k| k.is_empty() || k.chars().count() > 16) {
                return Err(VaultError::Invalid(format!(
                    "action {action}: 1 to 4 keys of at most 16 characters"
                )));
            }
        }
        // One key, one action.
        let mut seen = std::collections::HashMap::new();
        for (action, keys) in &self.keymap {
            for k in keys {
                if let Some(other) = seen.insert(k.as_str(), action.as_str()) {
                    return Err(VaultError::Invalid(format!(
                        "key {k:?} is bound to both {other} and {action}"
                    )));
                }
            }
        }
        match self.theme.as_deref() {
            None | Some("system") | Some("light") | Some("dark") => Ok(()),
            Some(_) => Err(VaultError::Invalid(
                "theme must be system, light or dark".into(),
            )),
        }
    }

    /// Load the profile's settings (defaults if the file does not exist).
    pub fn load(profile: &Profile) -> Result<Settings, VaultError> {
        let path = profile.dir().join(SETTINGS_FILE);
        match std::fs::read(&path) {
            Ok(b) => {
                let s: Settings = serde_json::from_slice(&b).map_err(|_| {
                    VaultError::Invalid(format!(
                        "{} is not valid; delete it to return to the default settings",
                        path.display()
                    ))
                })?;
                s.validate()?;
                Ok(s)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(VaultError::Profile {
                path,
                detail: e.to_string(),
            }),
        }
    }

    /// Validate and save atomically.
    pub fn save(&self, profile: &Profile) -> Result<(), VaultError> {
        self.validate()?;
        let path = profile.dir().join(SETTINGS_FILE);
        let body =
            serde_json::to_vec_pretty(self).map_err(|e| VaultError::Storage(e.to_string()))?;
        crate::keystore::write_atomically(&path, &body).map_err(|e| VaultError::Profile {
            path: path.clone(),
            detail: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_validation() {
        let dir = tempfile::tempdir().unwrap();
        let p = Profile::at(dir.path()).unwrap();
        assert_eq!(Settings::load(&p).unwrap(), Settings::default());
        let mut s = Settings::default();
        s.keymap.insert("accept".into(), vec!["y".into()]);
        s.save(&p).unwrap();
        assert_eq!(Settings::load(&p).unwrap(), s);
        s.keymap.insert("skip".into(), vec!["y".into()]);
        assert!(s.save(&p).is_err(), "duplicate key");
        let mut bad = Settings::default();
        bad.keymap.insert("launch_rockets".into(), vec!["r".into()]);
        assert!(bad.validate().is_err());
        std::fs::write(dir.path().join(SETTINGS_FILE), b"{nope").unwrap();
        assert!(Settings::load(&p)
            .unwrap_err()
            .to_string()
            .contains("delete it"));
    }
}
