//! The privacy officer's view: this device's outbound ledger and retention, and the
//! connected hub's access ledger (who did what on the hub, verified here).

use crate::error::{IpcError, IpcResult};
use crate::state::{off_main, AppState};
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

/// Largest number of access-ledger rows sent to the view by default (newest first).
const ACCESS_ROWS: usize = 500;

/// One act on the hub's access ledger, as the Audit view lists it: ids, counts and the
/// request line, never any message text.
#[derive(Debug, Serialize)]
pub struct AccessRow {
    /// Position in the hub's chain.
    pub seq: u64,
    /// When (Unix ms).
    pub at_ms: i64,
    /// The account (`bootstrap` for the hub's admin token).
    pub account_id: String,
    /// The account's name, if the hub lists it.
    pub name: Option<String>,
    /// Its role at the time.
    pub role: String,
    /// What was done (`ingest`, `dispatch`, `raw_text_read`, …).
    pub act: String,
    /// HTTP method.
    pub method: String,
    /// Request path, without its query.
    pub path: String,
    /// HTTP status answered (403: refused for the role).
    pub status: u16,
    /// How many message ids the entry names (raw-text reads, exports, erasures).
    pub messages: usize,
    /// Whether the filtered message is among them.
    pub names_message: bool,
}

/// The hub's access ledger for the Audit view.
#[derive(Debug, Serialize)]
pub struct HubAccessView {
    /// The hub it came from (the Manage view's connection).
    pub hub_url: String,
    /// `ok: …` with what was checked, or `FAILED: …` (then `rows` is empty).
    pub verification: String,
    /// Whether the export verified.
    pub verified: bool,
    /// Entries in the verified chain.
    pub entries: u64,
    /// When the hub signed the export's closing checkpoint (Unix ms), if it has one.
    pub checkpoint_at_ms: Option<i64>,
    /// The message filter, if one was given: then `rows` are the raw-text reads of it.
    pub message: Option<String>,
    /// Rows matching the filter (before `limit`).
    pub matching: u64,
    /// Matching rows, newest first, at most `limit`.
    pub rows: Vec<AccessRow>,
}

/// A message id as typed in the Audit view: trimmed; empty means no filter.
fn message_filter(message: Option<String>) -> IpcResult<Option<String>> {
    let m = message.map(|m| m.trim().to_string()).unwrap_or_default();
    if m.is_empty() {
        return Ok(None);
    }
    if m.chars().count() > 128 || m.chars().any(char::is_control) {
        return Err(IpcError::new(
            "bad_input",
            "a message id is at most 128 characters, without line breaks",
        ));
    }
    Ok(Some(m))
}

/// The hub key the access ledger must be signed with, and where it was pinned.
///
/// It is never taken from the hub at the time of the check (a hub that rewrote its
/// ledger would sign the rewrite with any key it handed out). It is the key pinned when
/// this machine enrolled with that hub — as `labelvault who-read` uses it without
/// `--hub-key`: the key the hub sent in its answer to the one-time account enrollment
/// code (`labelvault account enroll`), kept in the OS keyring; else the key this
/// device's own enrollment pinned (or `labelvault hub trust` set), when that enrollment
/// is with the same hub URL.
fn trusted_hub_key(state: &AppState, hub_url: &str) -> IpcResult<([u8; 32], &'static str)> {
    let entry = labelvault_core::manage::pinned_hub_key_entry(hub_url);
    if let Some(k) = state.manager_keys().get_text(&entry)? {
        let key = labelvault_core::identity::parse_public_key(k.trim()).map_err(|_| {
            IpcError::new(
                "hub_key_damaged",
                format!(
                    "the hub key pinned in the keyring for {hub_url} is damaged; enroll this machine's account again"
                ),
            )
        })?;
        return Ok((key, "pinned at account enrollment"));
    }
    let v = state.vault()?;
    if let Some(link) = v.hub_link()? {
        if link.hub_url.trim_end_matches('/') == hub_url.trim_end_matches('/') {
            if let Some(key) = v.hub_public_key(&link.hub_key_id)? {
                return Ok((key, "pinned at this device's enrollment"));
            }
        }
    }
    Err(IpcError::new(
        "hub_key_unknown",
        format!(
            "no key is pinned for the hub at {hub_url}, so its access record cannot be verified: enroll your account on this machine (labelvault account enroll --hub {hub_url} --code CODE), which pins the hub's key"
        ),
    ))
}

/// Verify an access-ledger export and turn it into the view (pure: tested without a hub).
fn access_view(
    hub_url: &str,
    jsonl: &str,
    key: &[u8; 32],
    source: &str,
    names: &std::collections::HashMap<String, String>,
    message: Option<String>,
    limit: usize,
) -> HubAccessView {
    let key_id = labelvault_core::identity::key_id(key);
    let (lines, report) = match labelvault_core::access::verify(jsonl, key) {
        Ok(v) => v,
        Err(e) => {
            return HubAccessView {
                hub_url: hub_url.to_string(),
                verification: format!("FAILED: {e} (hub key {key_id}, {source})"),
                verified: false,
                entries: 0,
                checkpoint_at_ms: None,
                message,
                matching: 0,
                rows: Vec::new(),
            }
        }
    };
    let checkpoint = match report.signed_head {
        Some((n, at)) => format!(
            "checkpoint signed by the hub at {} over all {n}",
            labelvault_core::batch::rfc3339(at.div_euclid(1000))
        ),
        None => "no closing checkpoint in this export".to_string(),
    };
    let verification = format!(
        "ok: {} entries, hash chain intact, every signature valid under hub key {key_id} ({source}), {checkpoint}; {} raw-text read(s), {} act(s) refused for the role",
        report.entries, report.raw_text_reads, report.refused
    );
    let names_it = |l: &labelvault_core::access::AccessLine| {
        message
            .as_ref()
            .is_some_and(|m| l.message_ids.iter().any(|x| x == m))
    };
    let matching: Vec<&labelvault_core::access::AccessLine> = lines
        .iter()
        .rev()
        .filter(|l| message.is_none() || (l.act == "raw_text_read" && names_it(l)))
        .collect();
    let rows = matching
        .iter()
        .take(limit)
        .map(|l| AccessRow {
            seq: l.seq,
            at_ms: l.at_ms,
            account_id: l.account_id.clone(),
            name: names.get(&l.account_id).cloned(),
            role: l.role.clone(),
            act: l.act.clone(),
            method: l.method.clone(),
            path: l.path.clone(),
            status: l.status,
            messages: l.message_ids.len(),
            names_message: names_it(l),
        })
        .collect();
    HubAccessView {
        hub_url: hub_url.to_string(),
        verification,
        verified: true,
        entries: report.entries,
        checkpoint_at_ms: report.signed_head.map(|(_, at)| at),
        message,
        matching: matching.len() as u64,
        rows,
    }
}

/// The connected hub's access ledger (`GET /v1/admin/access-ledger`; manager or privacy
/// officer), fetched through the Manage view's connection (its calls signed and in this
/// device's ledger like every admin call), verified with `labelvault_core::access::verify`
/// against the pinned hub key ([`trusted_hub_key`]), newest first. With `message`, only
/// the raw-text reads of that message: who read it, and when.
#[tauri::command]
pub async fn audit_hub_access(
    state: tauri::State<'_, AppState>,
    message: Option<String>,
    limit: Option<usize>,
) -> IpcResult<HubAccessView> {
    let message = message_filter(message)?;
    let limit = limit.unwrap_or(ACCESS_ROWS).clamp(1, 10_000);
    let st = state.inner().clone();
    off_main(move || {
        let c = crate::manage::client(&st).map_err(|e| {
            if e.code == "manager_not_connected" {
                IpcError::new(
                    "manager_not_connected",
                    "connect to a hub in Manage first: the hub's access record is read through that connection",
                )
            } else {
                e
            }
        })?;
        let hub_url = c.url().to_string();
        let (key, source) = trusted_hub_key(&st, &hub_url)?;
        let jsonl = String::from_utf8(c.get("/v1/admin/access-ledger")?).map_err(|_| {
            IpcError::new(
                "hub_answer",
                format!("the access record from {hub_url} is not text; is it a LabelVault hub?"),
            )
        })?;
        // Names are a convenience: without them the rows still show the account ids.
        let names = labelvault_core::admin_api::accounts(&c)
            .map(|l| l.accounts)
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.account_id, a.name))
            .collect();
        Ok(access_view(
            &hub_url, &jsonl, &key, source, &names, message, limit,
        ))
    })
    .await
}
