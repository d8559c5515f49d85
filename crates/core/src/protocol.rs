//! The wire protocol between a device and its hub, shared by both sides so that they
//! cannot drift apart. `docs/openapi.yaml` documents the same shapes over HTTP.
//!
//! Everything a device sends is built from these types alone. [`LabelUpload`] has no
//! free-text field: ids, closed enums and numbers only, and `deny_unknown_fields`
//! everywhere, so an upload that carries anything else does not even parse.

use crate::labels::{Flag, Span, Verdict};
use serde::{Deserialize, Serialize};

/// Version prefix of every endpoint.
pub const API_PREFIX: &str = "/v1";
/// Header carrying the device id on device requests.
pub const H_DEVICE: &str = "x-lv-device";
/// Header carrying the request time (Unix seconds).
pub const H_TIMESTAMP: &str = "x-lv-timestamp";
/// Header carrying a fresh random nonce (hex, 16–64 chars).
pub const H_NONCE: &str = "x-lv-nonce";
/// Header carrying the device's Ed25519 signature (base64) over [`request_message`].
pub const H_SIGNATURE: &str = "x-lv-signature";
/// Header carrying the sequence number of the device's ledger entry for this request.
pub const H_LEDGER_SEQ: &str = "x-lv-ledger-seq";
/// Header carrying that entry's hash (hex): with [`H_LEDGER_SEQ`], the device chain head
/// the hub records and countersigns in its receipt.
pub const H_LEDGER_HEAD: &str = "x-lv-ledger-head";
/// Requests whose timestamp is further than this from the hub's clock are refused.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;
/// Largest label upload body the hub accepts.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;
/// Most labels in one upload.
pub const MAX_LABELS_PER_UPLOAD: usize = 20_000;

/// The bytes a device signs for one request: binds method, path, time, nonce and the
/// exact body.
pub fn request_message(
    method: &str,
    path: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    let mut m = Vec::with_capacity(96 + path.len());
    m.extend_from_slice(b"labelvault/request/v1\0");
    m.extend_from_slice(method.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(path.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(timestamp.to_string().as_bytes());
    m.push(b'\n');
    m.extend_from_slice(nonce.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(hex::encode(digest.as_ref()).as_bytes());
    m
}

/// Manager → hub: create an annotator and a one-time enrollment code.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAnnotator {
    /// A display name for the manager's lists (not personal data of customers).
    pub name: String,
}

/// Hub → manager: the code to hand to the annotator (valid once, for a limited time).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnotatorCreated {
    /// Annotator id.
    pub annotator_id: String,
    /// One-time enrollment code.
    pub enrollment_code: String,
    /// Unix seconds after which the code is refused.
    pub code_expires_at: i64,
}

/// Device → hub: enroll with a one-time code and register the device's public keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The one-time code.
    pub enrollment_code: String,
    /// Device Ed25519 public key, base64.
    pub signing_key: String,
    /// Device age recipient (`age1…`).
    pub recipient: String,
}

/// Hub → device: the device id and the hub key the device pins.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollResponse {
    /// Device id for the `x-lv-device` header.
    pub device_id: String,
    /// Hub Ed25519 public key, base64: the device pins it.
    pub hub_public_key: String,
    /// Its key id.
    pub hub_key_id: String,
}

/// One assigned batch, as listed for a device.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BatchListing {
    /// Batch id.
    pub batch_id: String,
    /// Items in it.
    pub item_count: u64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

/// One label on the wire. Only ids, closed enums and numbers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WireLabel {
    /// Opaque item id from the batch.
    pub item_id: String,
    /// Label revision on the device (1, 2, …); later revisions supersede earlier ones.
    pub revision: u32,
    /// True if this revision takes the previous decision back.
    pub retracted: bool,
    /// Verdict (absent on a retraction).
    pub verdict: Option<Verdict>,
    /// Intent id from the batch taxonomy.
    pub intent_id: Option<String>,
    /// Closed-set flags.
    pub flags: Vec<Flag>,
    /// With the `multiple_intents` flag: the message's other intents, ids from the
    /// batch taxonomy (at most 4, distinct, none equal to `intent_id`). Left out of the
    /// JSON when empty, so labels without it are byte-for-byte what they were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_intents: Vec<String>,
    /// Missed-PII spans: code-point offsets only.
    pub pii_spans: Vec<Span>,
    /// With spans only (else `None`): the item's length class `c`, the smallest number
    /// with `len ≤ 2^c` for the item's length in code points (`grammar::length_class`).
    /// Every span ends at or before `2^c`, which an offline verifier can check; the hub
    /// checks `c` against the item it sealed. It tells the hub nothing it does not know.
    pub length_class: Option<u8>,
    /// Milliseconds spent.
    pub duration_ms: u64,
    /// Unix milliseconds when decided on the device.
    pub decided_at_ms: i64,
}

/// Device → hub: a set of labels. The exact bytes are what the ledger records.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LabelUpload {
    /// Random id of this upload; a retry sends the same id and body.
    pub upload_id: String,
    /// The sending device.
    pub device_id: String,
    /// The labels.
    pub labels: Vec<WireLabel>,
}

/// Why the hub refused one label of an upload.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RejectedLabel {
    /// Item id.
    pub item_id: String,
    /// Revision.
    pub revision: u32,
    /// Stable reason code from `grammar::REJECTION_CODES`, e.g. `not_assigned`.
    pub code: String,
}

/// What the hub signs after an upload: proof of what it received.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The upload's id.
    pub upload_id: String,
    /// The device that sent it.
    pub device_id: String,
    /// SHA-256 (hex) of the exact request body received.
    pub body_sha256: String,
    /// Labels newly stored.
    pub accepted: u32,
    /// Labels the hub already had (a retry): not counted twice.
    pub duplicates: u32,
    /// Labels refused, with reasons.
    pub rejected: Vec<RejectedLabel>,
    /// Hub time, Unix milliseconds.
    pub server_time_ms: i64,
    /// Id of the hub key that signed.
    pub hub_key_id: String,
    /// The device ledger entry this upload was, as the device announced it
    /// ([`H_LEDGER_SEQ`]): the hub countersigns the device's chain up to here.
    pub device_seq: Option<u64>,
    /// That entry's hash, lower-case hex ([`H_LEDGER_HEAD`]).
    pub device_head: Option<String>,
}

/// A receipt and the hub's Ed25519 signature (base64) over [`receipt_message`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SignedReceipt {
    /// The receipt.
    pub receipt: Receipt,
    /// Signature, base64.
    pub signature: String,
}

/// The bytes the hub signs for a receipt: a domain tag and the receipt's canonical JSON
/// (serde_json of [`Receipt`], fields in declaration order).
pub fn receipt_message(r: &Receipt) -> Vec<u8> {
    let mut m = b"labelvault/receipt/v1\0".to_vec();
    // Serializing a struct of plain fields cannot fail.
    m.extend_from_slice(&serde_json::to_vec(r).unwrap_or_default());
    m
}

/// What the device ledger records of one admin call the app made for a manager (an
/// entry of method `ADMIN`): never the body, only its hash, size and row count.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdminCall {
    /// `GET` or `POST`.
    pub method: String,
    /// Hex SHA-256 of the exact body sent (of nothing, for a GET).
    pub body_sha256: String,
    /// Body size in bytes.
    pub bytes: u64,
    /// Rows the body carried: the elements of its top-level arrays (messages, items…).
    pub rows: u64,
}

impl AdminCall {
    /// The record of sending `body` with `method`.
    pub fn of(method: &str, body: &[u8]) -> AdminCall {
        let rows = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| {
                v.as_object().map(|o| {
                    o.values()
                        .filter_map(|x| x.as_array().map(|a| a.len() as u64))
                        .sum()
                })
            })
            .unwrap_or(0);
        AdminCall {
            method: method.to_string(),
            body_sha256: hex::encode(ring::digest::digest(&ring::digest::SHA256, body)),
            bytes: body.len() as u64,
            rows,
        }
    }
}

/// The head of the hub's inbound ledger, signed by the hub like a Certificate
/// Transparency tree head: the last entry, and for each device the latest ledger entry it
/// announced (on any request, GETs included), so that a device export that stops short
/// of it is caught by `audit reconcile`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HubLedgerHead {
    /// Entries in the hub ledger (the last entry's `seq`; 0 when empty).
    pub entries: u64,
    /// The last entry's hash, hex (64 zeros when empty).
    pub head: String,
    /// When the head was signed, hub time, Unix ms.
    pub signed_at_ms: i64,
    /// Id of the hub key that signed.
    pub hub_key_id: String,
    /// Per device, the latest device ledger entry the hub was told of, by device id.
    pub devices: Vec<DeviceHead>,
}

/// A device's latest announced ledger entry, as the hub recorded it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeviceHead {
    /// Device id.
    pub device_id: String,
    /// Its ledger entry's sequence number.
    pub seq: u64,
    /// That entry's hash, hex.
    pub head: String,
}

/// The last line of `GET /v1/admin/ledger`: the head and the hub's signature over
/// [`hub_head_message`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SignedHubHead {
    /// The head.
    pub signed_head: HubLedgerHead,
    /// Signature, base64.
    pub signature: String,
}

/// The bytes the hub signs for its ledger head: a domain tag and the head's canonical
/// JSON (fields in declaration order, no spaces).
pub fn hub_head_message(h: &HubLedgerHead) -> Vec<u8> {
    let mut m = b"labelvault/hub-ledger-head/v1\0".to_vec();
    m.extend_from_slice(&serde_json::to_vec(h).unwrap_or_default());
    m
}

/// Every refusal from the hub: a stable machine code and a message for people.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    /// Stable code, e.g. `bad_signature`, `replayed`, `revoked`, `not_assigned`.
    pub code: String,
    /// What happened and what to do.
    pub message: String,
}

/// Device path for the hub's pending notices (erasures and masks of items it holds).
pub const NOTICES_PATH: &str = "/v1/notices";
/// Device path to acknowledge notices carried out.
pub const NOTICES_ACK_PATH: &str = "/v1/notices/ack";
/// Most notice ids in one acknowledgement.
pub const MAX_NOTICES_PER_ACK: usize = 1_000;

/// What a notice asks the device to do with the items it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// Delete the items and every label of them (an erasure request: the customer's
    /// message must leave every device).
    Erase,
    /// Mask these spans of the items' text (personal data the hub's redaction missed and
    /// a manager confirmed since the copy was sealed).
    Mask,
}

/// One item a notice names, with the spans to mask (code points of the text as the
/// device holds it; empty for an erasure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeItem {
    /// The opaque item id.
    pub item_id: String,
    /// Spans to mask, sorted and disjoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<Span>,
}

/// Hub → device: something to do to items the device holds. Signed by the hub key, so
/// that only the hub the device pinned can make it delete or change anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// `n_` and 24 lower-case hex digits.
    pub notice_id: String,
    /// The device it is for.
    pub device_id: String,
    /// What to do.
    pub kind: NoticeKind,
    /// The items.
    pub items: Vec<NoticeItem>,
}

/// A notice with the hub's signature over [`notice_message`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedNotice {
    /// The notice.
    pub notice: Notice,
    /// Base64 Ed25519 signature by the hub key.
    pub signature: String,
}

/// The bytes the hub signs for a notice.
pub fn notice_message(n: &Notice) -> Vec<u8> {
    let mut m = b"labelvault/notice/v1\0".to_vec();
    // Serializing a struct of plain fields cannot fail.
    m.extend_from_slice(&serde_json::to_vec(n).unwrap_or_default());
    m
}

/// Answer to `GET /v1/notices`: the device's notices not yet acknowledged.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeList {
    /// Oldest first.
    pub notices: Vec<SignedNotice>,
}

/// Device → hub (`POST /v1/notices/ack`): these notices were carried out. Ids only,
/// like every device body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeAck {
    /// The sending device.
    pub device_id: String,
    /// Notices carried out, each once.
    pub notice_ids: Vec<String>,
}

/// Answer to a [`NoticeAck`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeAckResponse {
    /// Notices newly marked as carried out.
    pub acknowledged: u64,
}
