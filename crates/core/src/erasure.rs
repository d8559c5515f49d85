//! Erasure requests and their signed receipts: what a hub removed of a customer's
//! messages, on itself and on every device that held a copy. The hub signs the receipt
//! with its key, so a privacy officer checks it offline (`labelvault audit
//! verify-erasure`) against the key the devices pinned.

use serde::{Deserialize, Serialize};

/// What to erase: messages by id, every message of a company, every message received
/// before a time — given together, a message must match all that are given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    /// Message ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub message_ids: Vec<String>,
    /// A company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Unix seconds: messages received before this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_before: Option<i64>,
}

impl EraseRequest {
    /// Why the request cannot be carried out, if it cannot: it must select something,
    /// by at most 100,000 ids of at most 200 bytes each.
    pub fn problem(&self) -> Option<&'static str> {
        if self.message_ids.is_empty() && self.company.is_none() && self.received_before.is_none() {
            return Some(
                "give message_ids, company or received_before (an erasure must select something)",
            );
        }
        if self.message_ids.len() > 100_000 {
            return Some("at most 100,000 message ids per erasure");
        }
        if self
            .message_ids
            .iter()
            .any(|m| m.is_empty() || m.len() > 200)
        {
            return Some("every message id must be 1 to 200 bytes");
        }
        if self
            .company
            .as_deref()
            .is_some_and(|c| c.is_empty() || c.len() > 200)
        {
            return Some("company must be 1 to 200 bytes");
        }
        None
    }
}

/// What the hub removed of its own copies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubErasure {
    /// Raw message texts deleted.
    pub texts_removed: u64,
    /// Redacted copies (as sealed for devices) deleted.
    pub copies_cleared: u64,
    /// Sealed batch files deleted because they held an erased item.
    pub sealed_batches_deleted: u64,
    /// Other items of those batches, never fetched, returned to the pool.
    pub copies_returned_to_pool: u64,
    /// A company's confirmed personal-data terms deleted (company erasures).
    pub company_terms_deleted: u64,
}

/// Where a device stands with an erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceErasureState {
    /// The device has not synced since.
    Pending,
    /// The device deleted the items and said so in its ledger.
    Purged,
    /// The device was revoked: it can no longer sync (its vault key is only on it).
    Revoked,
}

/// One device that held copies of erased messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceErasure {
    /// The device.
    pub device_id: String,
    /// The notice sent to it.
    pub notice_id: String,
    /// Items it held or was sent.
    pub items: u64,
    /// Where it stands.
    pub state: DeviceErasureState,
    /// When it acknowledged (Unix seconds).
    pub purged_at: Option<i64>,
    /// The device ledger entry of its acknowledgement (`POST /v1/notices/ack`): the
    /// privacy officer finds it in the device's exported ledger.
    pub device_ledger_seq: Option<u64>,
    /// That entry's hash (hex).
    pub device_ledger_head: Option<String>,
}

/// One erasure as carried out so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erasure {
    /// `er_` and 24 hex digits.
    pub erasure_id: String,
    /// Unix seconds.
    pub requested_at: i64,
    /// Who asked (the admin credential's holder).
    pub requested_by: String,
    /// The request.
    pub request: EraseRequest,
    /// Message ids erased now.
    pub erased: Vec<String>,
    /// Ids asked for that the hub does not hold.
    pub not_found: Vec<String>,
    /// Ids asked for that an earlier erasure already removed.
    pub already_erased: Vec<String>,
    /// What the hub removed.
    pub hub: HubErasure,
    /// Every device sent a notice, by device id.
    pub devices: Vec<DeviceErasure>,
}

impl Erasure {
    /// Whether every device that held a copy has purged it (revoked devices cannot).
    pub fn complete(&self) -> bool {
        self.devices
            .iter()
            .all(|d| d.state == DeviceErasureState::Purged)
    }
}

/// An erasure signed by the hub at `signed_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErasureReceipt {
    /// What was done.
    pub erasure: Erasure,
    /// Unix seconds: the state is as of this time.
    pub signed_at: i64,
    /// Which hub key signed.
    pub hub_key_id: String,
    /// Base64 Ed25519 signature over [`receipt_message`].
    pub signature: String,
}

/// The bytes the hub signs for an erasure receipt.
pub fn receipt_message(e: &Erasure, signed_at: i64) -> Vec<u8> {
    let mut m = b"labelvault/erasure/v1\0".to_vec();
    m.extend_from_slice(signed_at.to_string().as_bytes());
    m.push(b'\n');
    // Serializing a struct of plain fields cannot fail.
    m.extend_from_slice(&serde_json::to_vec(e).unwrap_or_default());
    m
}

/// Check a receipt against the hub's public key: the signature, and that its figures
/// agree with themselves (each device counted once, a purged device with its ledger
/// entry). Errors say what is wrong.
pub fn verify_receipt(r: &ErasureReceipt, hub_key: &[u8; 32]) -> Result<(), String> {
    use base64::Engine as _;
    let sig = base64::engine::general_purpose::STANDARD
        .decode(&r.signature)
        .map_err(|_| "the signature is not base64".to_string())?;
    if !crate::identity::verify(hub_key, &receipt_message(&r.erasure, r.signed_at), &sig) {
        return Err(
            "the hub signature does not verify (altered receipt, or another hub's key)".into(),
        );
    }
    let e = &r.erasure;
    if !crate::grammar::ERASURE_ID.matches(&e.erasure_id) {
        return Err("the erasure id is not \"er_\" and 24 hex digits".into());
    }
    let mut seen = std::collections::HashSet::new();
    for d in &e.devices {
        if !seen.insert(d.device_id.as_str()) {
            return Err(format!("device {} is listed twice", d.device_id));
        }
        let purged = d.state == DeviceErasureState::Purged;
        if purged != (d.purged_at.is_some() && d.device_ledger_seq.is_some()) {
            return Err(format!(
                "device {}: a purge must come with its time and ledger entry, and only a purge",
                d.device_id
            ));
        }
    }
    if r.signed_at < e.requested_at {
        return Err("signed before it was requested".into());
    }
    Ok(())
}
