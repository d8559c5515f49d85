//! Recording decisions, undo, and the recent-decisions list.

use crate::error::IpcResult;
use crate::state::AppState;
use labelvault_core::labels::{Decision, LabelRecord};
use labelvault_core::vault::RecentDecision;
use labelvault_core::QueueItem;
use serde::Serialize;

/// What the UI needs after a change: the stored revision and the refreshed queue head.
/// No counts: counting a 100k-item vault on every keypress costs more than the decision
/// itself, so the UI keeps its own counts (from `vault_status` at load).
#[derive(Debug, Serialize)]
pub struct AfterChange {
    /// The revision just stored (None when undo had nothing to undo).
    pub record: Option<LabelRecord>,
    /// The next items, in queue order (prefetch).
    pub next: Vec<QueueItem>,
}

fn after(v: &labelvault_core::Vault, record: Option<LabelRecord>) -> IpcResult<AfterChange> {
    Ok(AfterChange {
        record,
        next: v.peek_queue(3)?,
    })
}

/// Store a decision (committed before this returns) and return the next items.
#[tauri::command]
pub fn label_record(
    state: tauri::State<'_, AppState>,
    decision: Decision,
) -> IpcResult<AfterChange> {
    let mut v = state.vault()?;
    let rec = v.record(&decision)?;
    after(&v, Some(rec))
}

/// Take back the latest decision (a new revision) and return the queue head.
#[tauri::command]
pub fn label_undo(state: tauri::State<'_, AppState>) -> IpcResult<AfterChange> {
    let mut v = state.vault()?;
    let rec = v.undo()?;
    after(&v, rec)
}

/// The latest decisions still standing, newest first.
#[tauri::command]
pub fn label_recent(
    state: tauri::State<'_, AppState>,
    limit: Option<usize>,
) -> IpcResult<Vec<RecentDecision>> {
    Ok(state
        .vault()?
        .recent_decisions(limit.unwrap_or(20).clamp(1, 200))?)
}
