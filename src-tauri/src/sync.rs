//! Sync with the enrolled hub: upload labels (ledgered, leak-guarded, receipted), then
//! pull new batches.

use crate::error::IpcResult;
use crate::state::AppState;
use labelvault_core::sync::{Client, HttpTransport, NoticeReport, SyncOptions, SyncReport};
use serde::Serialize;
use std::time::Duration;

/// What a sync did.
#[derive(Debug, Serialize)]
pub struct SyncOutcome {
    /// Upload results.
    pub report: SyncReport,
    /// Batches imported.
    pub new_batches: usize,
    /// What the hub's notices changed (items erased or masked).
    pub notices: NoticeReport,
    /// One notice per imported batch with items held back (personal data found).
    pub held_back: Vec<String>,
}

/// One sync attempt (the app retries later by itself; nothing is lost on failure). Runs
/// off the main thread (`async`): its HTTP calls may wait up to their timeouts, and the
/// window must keep painting meanwhile.
#[tauri::command(async)]
pub fn sync_now(state: tauri::State<'_, AppState>) -> IpcResult<SyncOutcome> {
    let mut v = state.vault()?;
    let transport = HttpTransport::new(Duration::from_secs(15));
    let opts = SyncOptions {
        attempts: 1,
        ..SyncOptions::default()
    };
    let mut client = Client::new(&mut v, &transport);
    let report = client.upload(&opts)?;
    let pulled = client.pull()?;
    let notices = client.apply_notices()?;
    Ok(SyncOutcome {
        report,
        notices,
        new_batches: pulled.len(),
        held_back: pulled
            .iter()
            .filter_map(|r| r.quarantine_notice())
            .collect(),
    })
}
