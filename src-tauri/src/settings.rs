//! Preferences (key bindings, theme).

use crate::error::IpcResult;
use crate::state::AppState;
use labelvault_core::settings::Settings;

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
