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

/// The ledger as export lines (JSONL) and the pinned hub key, if enrolled.
fn exported(v: &labelvault_core::Vault) -> IpcResult<(String, u64, Option<[u8; 32]>)> {
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
    Ok((text, lines.len() as u64, hub_key))
}

/// The ledger for the Audit view, with the result of verifying the whole chain as
/// `audit verify --hub-key` would (the chain is verified on every call, so "Verify now"
/// is this call again).
#[tauri::command]
pub fn audit_ledger(
    state: tauri::State<'_, AppState>,
    limit: Option<usize>,
) -> IpcResult<LedgerView> {
    let v = state.vault()?;
    let (text, total, hub_key) = exported(&v)?;
    let chain = match labelvault_core::ledger::verify(&text, hub_key.as_ref()) {
        Ok(r) => {
            let reach = match (hub_key.is_some(), r.countersigned_through) {
                (false, _) => "not enrolled: no hub key to check receipts".to_string(),
                (true, 0) => "no entry countersigned by the hub yet".to_string(),
                (true, n) if n == r.entries => {
                    format!("countersigned by the hub through entry {n} (all)")
                }
                (true, n) => format!(
                    "countersigned by the hub through entry {n}; {} later entr{} not yet",
                    r.entries - n,
                    if r.entries - n == 1 { "y" } else { "ies" }
                ),
            };
            format!(
                "ok: {} entries, hash chain intact, every signature valid, {} receipts verified; {reach}; device key {}",
                r.entries, r.receipts_verified, r.device_fingerprint
            )
        }
        Err(e) => format!("FAILED: {e}"),
    };
    Ok(LedgerView {
        entries: v.ledger_summaries(limit.unwrap_or(100).clamp(1, 1000))?,
        chain,
        total,
    })
}

/// Save the whole ledger as JSONL (what `labelvault audit export` writes) to the export
/// folder (`$LABELVAULT_EXPORT_DIR`, else Downloads/LabelVault), for a privacy officer
/// to verify offline with `labelvault audit verify` or any second implementation.
#[tauri::command]
pub fn audit_export(state: tauri::State<'_, AppState>) -> IpcResult<crate::manage::Saved> {
    let (text, total, _) = {
        let v = state.vault()?;
        exported(&v)?
    };
    let dir = crate::manage::export_dir(&state)?;
    let stamp = labelvault_core::batch::rfc3339(labelvault_core::batch::now_unix())
        .replace([':', '-'], "")
        .replace('T', "-");
    let name = format!("ledger-{stamp}-{total}-entries.jsonl");
    crate::manage::save(&dir, &name, text.as_bytes())
}

/// What is stored now and when it will be purged.
#[tauri::command]
pub fn audit_retention(state: tauri::State<'_, AppState>) -> IpcResult<RetentionStatus> {
    Ok(state.vault()?.retention_status(DEFAULT_GRACE_SECS)?)
}
