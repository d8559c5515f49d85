//! Sync with the enrolled hub: upload labels (ledgered, leak-guarded, receipted), then
//! pull new batches.

use crate::error::IpcResult;
use crate::state::AppState;
use labelvault_core::sync::{
    Client, HttpTransport, NoticeReport, SyncError, SyncOptions, SyncReport, VaultAccess,
};
use labelvault_core::{Vault, VaultError};
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

/// The vault reached through the app's lock one step at a time: the lock is never held
/// across a hub call, so decisions are recorded while a sync waits on the network.
struct StepByStep<'a>(&'a AppState);

impl VaultAccess for StepByStep<'_> {
    fn with<R>(&mut self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, SyncError> {
        let mut v = self.0.vault().map_err(|e| {
            SyncError::Vault(VaultError::Storage(format!("{} ({})", e.message, e.code)))
        })?;
        Ok(f(&mut v))
    }
}

/// One sync attempt (the app retries later by itself; nothing is lost on failure). Runs
/// off the main thread (`async`): its HTTP calls may wait up to their timeouts, and the
/// window must keep painting meanwhile. The vault's lock is taken per step, never across
/// a hub call, so labelling goes on during a slow sync; one sync runs at a time.
#[tauri::command(async)]
pub fn sync_now(state: tauri::State<'_, AppState>) -> IpcResult<SyncOutcome> {
    let _turn = state.sync_turn()?;
    let transport = HttpTransport::new(Duration::from_secs(15));
    let opts = SyncOptions {
        attempts: 1,
        ..SyncOptions::default()
    };
    let mut client = Client::over(StepByStep(&state), &transport);
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
