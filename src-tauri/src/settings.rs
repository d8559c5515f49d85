//! Preferences (key bindings, theme, the interface language).

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use labelvault_core::settings::Settings;

/// File in the profile directory holding the interface language: one short language
/// tag (`en`, `de`, …) and nothing else. Kept beside `settings.json`, per profile.
pub const LANGUAGE_FILE: &str = "language";

/// The saved settings (defaults when none).
#[tauri::command]
pub fn settings_get(state: tauri::State<'_, AppState>) -> IpcResult<Settings> {
    Ok(Settings::load(state.profile()?)?)
}

/// Validate and save settings.
#[tauri::command]
pub fn settings_set(state: tauri::State<'_, AppState>, settings: Settings) -> IpcResult<()> {
    Ok(settings.save(state.profile()?)?)
}

/// A language tag the UI may have a catalogue for: 2–3 lowercase letters, optionally
/// `-` and a region or script (`de`, `pt-BR`, `zh-Hant`).
fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let lang = parts.next().unwrap_or_default();
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The saved interface language, or none (the UI then follows the system's).
#[tauri::command]
pub fn language_get(state: tauri::State<'_, AppState>) -> IpcResult<Option<String>> {
    let path = state.profile()?.dir().join(LANGUAGE_FILE);
    match std::fs::read_to_string(&path) {
        Ok(s) if valid_language(s.trim()) => Ok(Some(s.trim().to_string())),
        // A damaged file is not worth refusing to start over: the default applies.
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(IpcError::new(
            "io",
            format!("{} could not be read: {e}", path.display()),
        )),
    }
}

/// Save the interface language.
#[tauri::command]
pub fn language_set(state: tauri::State<'_, AppState>, language: String) -> IpcResult<()> {
    if !valid_language(&language) {
        return Err(IpcError::new(
            "invalid",
            "the language must be a short language tag such as en or de",
        ));
    }
    let path = state.profile()?.dir().join(LANGUAGE_FILE);
    std::fs::write(&path, format!("{language}\n")).map_err(|e| {
        IpcError::new(
            "io",
            format!("{} could not be written: {e}", path.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::valid_language;

    #[test]
    fn language_tags() {
        for ok in ["en", "de", "pt-BR", "zh-Hant"] {
            assert!(valid_language(ok), "{ok}");
        }
        for bad in ["", "E", "english", "de_DE", "../x", "de-", "en\n"] {
            assert!(!valid_language(bad), "{bad:?}");
        }
    }
}
