//! The LabelVault hub: enrolls devices with one-time codes, hands each device the
//! batches sealed to it, and collects labels — verifying the device signature over the
//! exact body, accepting labels only for items assigned to that device, idempotent
//! under retries, answering with a signed receipt and keeping an inbound ledger.
//!
//! Storage is one [`store::HubStore`] trait (SQLite by default), so another database
//! can be added without touching the handlers.

pub mod access_ids;
pub mod at_rest;
pub mod auth;
pub mod config;
pub mod erasure;
pub mod error;
mod http;
pub mod missed_pii;
pub mod people;
pub mod pipeline;
pub mod quality;
pub mod readmodel;
pub mod review;
pub mod routes;
pub mod store;
pub mod webhook;

use labelvault_core::identity::HubKey;
use std::sync::Arc;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn store::HubStore>,
    /// The hub's signing key (batches and receipts).
    pub key: Arc<HubKey>,
    /// The redactor every dispatched and exported text goes through, built once from the
    /// hub's redaction settings (`serve --redaction FILE`).
    pub redactor: Arc<labelvault_core::redact::Redactor>,
}

/// Run a blocking store call off the async runtime.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, error::HubError> + Send + 'static,
) -> Result<T, error::HubError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| error::HubError::Internal("a storage task stopped unexpectedly".into()))?
}
