//! The privacy officer's view of this device: the outbound ledger and retention.

use crate::error::IpcResult;
use crate::state::AppState;
use labelvault_core::vault::{LedgerSummary, RetentionStatus, DEFAULT_GRACE_SECS};
use serde::Serialize;

/// The ledger, newest first, with the result of verifying the whole chain.
#[derive(Debug, Serialize)]
pub struct LedgerView {
    /// Entries, newest first.
    pub entries: Vec<LedgerSummary>,
    /// `ok`, or what failed.
    pub chain: String,
    /// Total entries.
    pub total: u64,
}

/// The ledger for the Audit view (the chain is verified on every call).
#[tauri::command]
pub fn audit_ledger(
    state: tauri::State<'_, AppState>,
    limit: Option<usize>,
) -> IpcResult<LedgerView> {
    let v = state.vault()?;
    let lines = v.export_ledger()?;
    let mut text = String::new();
    for l in &lines {
        text.push_str(&serde_json::to_string(l).unwrap_or_default());
        text.push('\n');
    }
    let hub_key = match v.hub_link()? {
        Some(link) => v.hub_public_key(&link.hub_key_id)?,
        None => None,
    };
    let chain = match labelvault_core::ledger::verify(&text, hub_key.as_ref()) {
        Ok(r) => format!(
            "ok: {} entries, {} receipts verified",
            r.entries, r.receipts_verified
        ),
        Err(e) => format!("FAILED: {e}"),
    };
    Ok(LedgerView {
        entries: v.ledger_summaries(limit.unwrap_or(100).clamp(1, 1000))?,
        chain,
        total: lines.len() as u64,
    })
}

/// What is stored now and when it will be purged.
#[tauri::command]
pub fn audit_retention(state: tauri::State<'_, AppState>) -> IpcResult<RetentionStatus> {
    Ok(state.vault()?.retention_status(DEFAULT_GRACE_SECS)?)
}
