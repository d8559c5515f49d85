//! Hub storage: one trait, chosen by URL scheme. Everything several hub processes must
//! agree on (codes, nonces, receipts, labels, the ledger) lives here, not in memory.

mod sqlite;

pub use sqlite::SqliteStore;

use crate::error::HubError;
use labelvault_core::protocol::{BatchListing, SignedReceipt, WireLabel};

/// A registered device.
#[derive(Debug, Clone)]
pub struct DeviceRecord {
    /// Device id.
    pub device_id: String,
    /// Annotator it belongs to.
    pub annotator_id: String,
    /// Ed25519 public key, raw.
    pub signing_key: [u8; 32],
    /// age recipient.
    pub recipient: String,
    /// Revoked devices are refused.
    pub revoked: bool,
}

/// A batch to store for a device.
#[derive(Debug, Clone)]
pub struct NewBatch {
    /// Batch id.
    pub batch_id: String,
    /// Device it is sealed to.
    pub device_id: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// The sealed file.
    pub bytes: Vec<u8>,
    /// Item ids in it.
    pub item_ids: Vec<String>,
    /// Taxonomy intent ids labels may use.
    pub intents: Vec<String>,
}

/// An upload to ingest in one transaction.
pub struct Upload<'a> {
    /// Sending device.
    pub device_id: &'a str,
    /// Upload id.
    pub upload_id: &'a str,
    /// Exact body bytes.
    pub body: &'a [u8],
    /// Hex SHA-256 of the body.
    pub body_sha256: &'a str,
    /// Parsed labels.
    pub labels: &'a [WireLabel],
    /// Receipt time.
    pub now_ms: i64,
}

/// Storage operations the handlers need.
pub trait HubStore: Send + Sync {
    /// New annotator with a one-time enrollment code (stored hashed).
    fn create_annotator(
        &self,
        name: &str,
        code_sha256: &str,
        code_expires_at: i64,
    ) -> Result<String, HubError>;
    /// Consume a code and register the device; errors if the code is unknown, used or expired.
    fn enroll(
        &self,
        code_sha256: &str,
        now: i64,
        signing_key: &[u8; 32],
        recipient: &str,
    ) -> Result<String, HubError>;
    /// A device by id.
    fn device(&self, device_id: &str) -> Result<Option<DeviceRecord>, HubError>;
    /// Revoke a device; false if unknown.
    fn revoke(&self, device_id: &str, now: i64) -> Result<bool, HubError>;
    /// Record a nonce; false if the device used it before (a replay). Prunes old ones.
    fn use_nonce(&self, device_id: &str, nonce: &str, now: i64) -> Result<bool, HubError>;
    /// Store a sealed batch and its item assignments.
    fn store_batch(&self, batch: &NewBatch) -> Result<(), HubError>;
    /// Batches assigned to a device.
    fn list_batches(&self, device_id: &str) -> Result<Vec<BatchListing>, HubError>;
    /// A batch's bytes, if it is assigned to that device (`Err(not_assigned)` otherwise).
    fn batch_bytes(&self, batch_id: &str, device_id: &str) -> Result<Vec<u8>, HubError>;
    /// Ingest an upload atomically: idempotency on upload id and (device, item,
    /// revision), per-label validation, ledger append, receipt signed by `sign`.
    fn ingest(
        &self,
        upload: &Upload<'_>,
        sign: &(dyn Fn(labelvault_core::protocol::Receipt) -> SignedReceipt + Sync),
    ) -> Result<SignedReceipt, HubError>;
    /// Every stored label as JSONL.
    fn labels_jsonl(&self) -> Result<String, HubError>;
    /// The inbound ledger as JSONL.
    fn ledger_jsonl(&self) -> Result<String, HubError>;
}

/// Open storage by URL: `sqlite://PATH` (the embedded default).
pub fn open(url: &str) -> Result<std::sync::Arc<dyn HubStore>, HubError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        return Ok(std::sync::Arc::new(SqliteStore::open(
            std::path::Path::new(path),
        )?));
    }
    Err(HubError::bad(
        "unsupported_database",
        format!(
            "unsupported database URL {}; use sqlite://PATH",
            crate::config::redact_url(url)
        ),
    ))
}
