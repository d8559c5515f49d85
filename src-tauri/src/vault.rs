//! Vault status and the queue.

use crate::error::IpcResult;
use crate::state::{off_main, AppState};
use labelvault_core::{QueueItem, VaultStatus};

/// What the vault holds (or the error that keeps it closed). Counted on a worker thread:
/// on a large vault the counts take tens of milliseconds, which must not stall the window.
#[tauri::command]
pub async fn vault_status(state: tauri::State<'_, AppState>) -> IpcResult<VaultStatus> {
    let state = state.inner().clone();
    off_main(move || Ok(state.vault()?.status()?)).await
}

/// The next items to label, in queue order (the UI prefetches a few).
#[tauri::command]
pub fn queue_next(
    state: tauri::State<'_, AppState>,
    limit: Option<usize>,
) -> IpcResult<Vec<QueueItem>> {
    Ok(state.vault()?.peek_queue(limit.unwrap_or(3).clamp(1, 50))?)
}

/// A longer look at the queue (status screen).
#[tauri::command]
pub fn queue_peek(state: tauri::State<'_, AppState>, limit: usize) -> IpcResult<Vec<QueueItem>> {
    Ok(state.vault()?.peek_queue(limit.clamp(1, 500))?)
}
