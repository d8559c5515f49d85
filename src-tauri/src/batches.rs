//! Batches: list, import (file picker or drag-and-drop send the bytes), taxonomy,
//! guidelines.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use base64::Engine as _;
use labelvault_core::batch::{ImportReport, Intent};
use labelvault_core::vault::BatchSummary;

/// Every batch on the device.
#[tauri::command]
pub fn batches_list(state: tauri::State<'_, AppState>) -> IpcResult<Vec<BatchSummary>> {
    Ok(state.vault()?.batches()?)
}

/// The intents an item of this batch may be labelled with.
#[tauri::command]
pub fn batch_taxonomy(
    state: tauri::State<'_, AppState>,
    batch_id: String,
) -> IpcResult<Vec<Intent>> {
    Ok(state.vault()?.taxonomy(&batch_id)?)
}

/// The manager's guidelines for annotators of this batch (plain text, may be empty).
#[tauri::command]
pub fn batch_guidelines(state: tauri::State<'_, AppState>, batch_id: String) -> IpcResult<String> {
    Ok(state.vault()?.guidelines(&batch_id)?)
}

/// Import a `.lvbatch` file's bytes (base64), verified and all-or-nothing.
#[tauri::command]
pub fn batch_import(
    state: tauri::State<'_, AppState>,
    bytes_b64: String,
) -> IpcResult<ImportReport> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(bytes_b64.as_bytes())
        .map_err(|_| {
            IpcError::new(
                "batch_format",
                "the file could not be read; choose the .lvbatch file again",
            )
        })?;
    Ok(state
        .vault()?
        .import_batch(&bytes, labelvault_core::batch::now_unix())?)
}
