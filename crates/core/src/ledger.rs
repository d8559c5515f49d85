//! The outbound ledger: every request a device sends, exactly as sent, in an
//! append-only SHA-256 hash chain whose entries are signed by the device key, with the
//! hub's signed receipt beside each label upload.
//!
//! This module holds what a privacy officer needs offline: the entry hash, the export
//! line format, [`verify`] and [`reconcile`]. Storage is in the vault
//! (`vault/outbound.rs`). The format is specified in docs/ledger.md.

use crate::identity::{self, B64};
use crate::protocol::{self, EnrollRequest, LabelUpload, SignedReceipt};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// `prev_hash` of the first entry.
pub const GENESIS: [u8; 32] = [0u8; 32];

/// The fields an entry's hash covers.
#[derive(Debug, Clone)]
pub struct EntryFields<'a> {
    /// 1, 2, 3… without gaps.
    pub seq: u64,
    /// Hash of the previous entry ([`GENESIS`] for the first).
    pub prev_hash: &'a [u8; 32],
    /// When the entry was written, Unix ms.
    pub created_at_ms: i64,
    /// Hub base URL the request went to.
    pub hub_url: &'a str,
    /// HTTP method.
    pub method: &'a str,
    /// Request path.
    pub path: &'a str,
    /// SHA-256 of the exact body bytes.
    pub body_sha256: &'a [u8; 32],
}

fn put(ctx: &mut ring::digest::Context, field: &[u8]) {
    ctx.update(&(field.len() as u64).to_be_bytes());
    ctx.update(field);
}

/// SHA-256 over a domain tag and the length-prefixed fields.
pub fn entry_hash(f: &EntryFields<'_>) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(b"labelvault/ledger/v1\0");
    ctx.update(f.prev_hash);
    ctx.update(&f.seq.to_be_bytes());
    ctx.update(&f.created_at_ms.to_be_bytes());
    put(&mut ctx, f.hub_url.as_bytes());
    put(&mut ctx, f.method.as_bytes());
    put(&mut ctx, f.path.as_bytes());
    ctx.update(f.body_sha256);
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// What the device signs for an entry.
pub fn signed_message(entry_hash: &[u8; 32]) -> Vec<u8> {
    let mut m = b"labelvault/ledger-entry/v1\0".to_vec();
    m.extend_from_slice(entry_hash);
    m
}

/// SHA-256 of bytes.
pub fn sha256(b: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, b).as_ref());
    out
}

/// One line of `labelvault audit export` (JSONL).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LedgerLine {
    /// Position in the chain.
    pub seq: u64,
    /// Hex.
    pub prev_hash: String,
    /// Hex.
    pub entry_hash: String,
    /// Unix ms.
    pub created_at_ms: i64,
    /// Hub base URL.
    pub hub_url: String,
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// The exact body, base64.
    pub body_b64: String,
    /// Hex SHA-256 of the body.
    pub body_sha256: String,
    /// Device Ed25519 public key, base64.
    pub device_signing_key: String,
    /// Device signature over the entry hash, base64.
    pub signature: String,
}

impl LedgerLine {
    /// The export line for `request` (hub URL, method, path, body) at position `seq`
    /// after the entry hashed `prev`, written at `created_at_ms` and signed by `device`:
    /// what the vault would export for it. Returns the line and its entry hash (the next
    /// entry's `prev`). Tests, benchmarks and fixtures for other implementations build
    /// ledgers with it.
    pub fn signed(
        device: &identity::DeviceIdentity,
        seq: u64,
        prev: &[u8; 32],
        created_at_ms: i64,
        request: (&str, &str, &str, &[u8]),
    ) -> (LedgerLine, [u8; 32]) {
        let (hub_url, method, path, body) = request;
        let body_sha = sha256(body);
        let h = entry_hash(&EntryFields {
            seq,
            prev_hash: prev,
            created_at_ms,
            hub_url,
            method,
            path,
            body_sha256: &body_sha,
        });
        let line = LedgerLine {
            seq,
            prev_hash: hex::encode(prev),
            entry_hash: hex::encode(h),
            created_at_ms,
            hub_url: hub_url.into(),
            method: method.into(),
            path: path.into(),
            body_b64: B64.encode(body),
            body_sha256: hex::encode(body_sha),
            device_signing_key: device.public().signing_key,
            signature: B64.encode(device.sign(&signed_message(&h))),
        };
        (line, h)
    }
}

/// Where and why verification failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("ledger entry {seq} (line {line}): {reason}")]
pub struct VerifyError {
    /// Line number in the file (1-based).
    pub line: usize,
    /// The entry's `seq` (or the expected one if unreadable).
    pub seq: u64,
    /// What is wrong.
    pub reason: String,
}

/// What a successful verification found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: u64,
    /// Label uploads among them.
    pub label_uploads: u64,
    /// Labels carried by those uploads.
    pub labels: u64,
    /// Receipt entries whose signature was checked against the given hub key.
    pub receipts_verified: u64,
    /// Label uploads without a receipt entry yet (still queued or lost in transit).
    pub awaiting_receipt: u64,
    /// Admin calls the app made for a manager (recorded by hash, size and rows only).
    pub admin_calls: u64,
    /// The highest entry a receipt in the chain pins: with a hub key, the hub has
    /// countersigned the chain up to here (0: nothing countersigned).
    pub countersigned_through: u64,
    /// Fingerprint of the device key that signed every entry.
    pub device_fingerprint: String,
    /// Hash of the last entry (the chain head), hex.
    pub head: String,
}

/// A SHA-256 in the canonical lower-case hex the device writes. Upper case is refused:
/// it is the same hash in other bytes, and a ledger that verifies must be byte-for-byte
/// the one exported.
fn hex32(s: &str) -> Option<[u8; 32]> {
    if !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let v = hex::decode(s).ok()?;
    v.try_into().ok()
}

/// What an entry's body is, once checked.
#[derive(Debug, Clone)]
pub enum Body {
    /// An enrollment or a GET: nothing to link.
    Other,
    /// A label upload.
    Upload(LabelUpload),
    /// The hub's signed receipt for an earlier upload, recorded in the chain.
    Receipt(SignedReceipt),
    /// An admin call the app made for a manager: its hash, size and row count.
    Admin(crate::protocol::AdminCall),
}

/// Check an entry: its kind (method and path) is known, its path and body follow the
/// label grammar ([`crate::grammar`]), and its body is byte-for-byte the canonical
/// serialization of its schema, so nothing else can hide in it. `created_at_ms` is when
/// the entry was made: no decision in it may be later. Errors name the field and the
/// rule, never a value.
pub fn check_body(
    method: &str,
    path: &str,
    body: &[u8],
    created_at_ms: i64,
) -> Result<Body, String> {
    use crate::grammar;
    let broken = |p: grammar::Problem| format!("breaks the label grammar: {p}");
    match (method, path) {
        ("POST", "/v1/labels") => {
            let u: LabelUpload = serde_json::from_slice(body).map_err(|e| {
                format!(
                    "body is not a label-only upload ({})",
                    crate::batch::json_error_without_values(&e)
                )
            })?;
            let canon = serde_json::to_vec(&u).map_err(|e| e.to_string())?;
            if canon != body {
                return Err("body has bytes beyond the label schema (not canonical)".into());
            }
            grammar::check_upload(&u, created_at_ms).map_err(broken)?;
            Ok(Body::Upload(u))
        }
        (RECEIPT, "/v1/labels") => {
            let r: SignedReceipt = serde_json::from_slice(body).map_err(|e| {
                format!(
                    "body is not a hub receipt ({})",
                    crate::batch::json_error_without_values(&e)
                )
            })?;
            if serde_json::to_vec(&r).map_err(|e| e.to_string())? != body {
                return Err("receipt is not canonical".into());
            }
            grammar::check_receipt(&r).map_err(broken)?;
            Ok(Body::Receipt(r))
        }
        (ADMIN, p) if p.starts_with("/v1/admin/") => {
            let c: crate::protocol::AdminCall = serde_json::from_slice(body).map_err(|e| {
                format!(
                    "body is not an admin call record ({})",
                    crate::batch::json_error_without_values(&e)
                )
            })?;
            if serde_json::to_vec(&c).map_err(|e| e.to_string())? != body {
                return Err("admin call record is not canonical".into());
            }
            grammar::check_admin_call(p, &c).map_err(broken)?;
            Ok(Body::Admin(c))
        }
        ("POST", "/v1/enroll") => {
            let e: EnrollRequest = serde_json::from_slice(body).map_err(|e| {
                format!(
                    "body is not an enrollment request ({})",
                    crate::batch::json_error_without_values(&e)
                )
            })?;
            if serde_json::to_vec(&e).map_err(|e| e.to_string())? != body {
                return Err("enrollment body is not canonical".into());
            }
            grammar::check_enroll(&e).map_err(broken)?;
            Ok(Body::Other)
        }
        ("POST", crate::protocol::NOTICES_ACK_PATH) => {
            let a: crate::protocol::NoticeAck = serde_json::from_slice(body).map_err(|e| {
                format!(
                    "body is not a notice acknowledgement ({})",
                    crate::batch::json_error_without_values(&e)
                )
            })?;
            if serde_json::to_vec(&a).map_err(|e| e.to_string())? != body {
                return Err("notice acknowledgement is not canonical".into());
            }
            grammar::check_notice_ack(&a).map_err(broken)?;
            Ok(Body::Other)
        }
        ("GET", p) if p.starts_with("/v1/batches") || p == crate::protocol::NOTICES_PATH => {
            grammar::check_get_path(p).map_err(broken)?;
            if body.is_empty() {
                Ok(Body::Other)
            } else {
                Err("a GET request carried a body".into())
            }
        }
        _ => Err("unknown request kind (method and path)".into()),
    }
}

/// The `method` of a ledger entry that records the hub's receipt for an earlier upload
/// (its `path` is `/v1/labels`, its body the signed receipt as received).
pub const RECEIPT: &str = "RECEIPT";

/// The `method` of a ledger entry that records an admin call the app made for a manager
/// (its `path` is the admin path, its body a [`crate::protocol::AdminCall`]: the call's
/// method, body hash, size and row count — never the body).
pub const ADMIN: &str = "ADMIN";

/// [`LedgerLine`] borrowed from the input: verify reads hundreds of MB, and copying every
/// field would cost more than hashing it. Same fields, same strictness.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerLineRef<'a> {
    seq: u64,
    #[serde(borrow)]
    prev_hash: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    entry_hash: std::borrow::Cow<'a, str>,
    created_at_ms: i64,
    #[serde(borrow)]
    hub_url: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    method: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    path: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    body_b64: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    body_sha256: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    device_signing_key: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    signature: std::borrow::Cow<'a, str>,
}

/// What one line yields before the chain is linked and signatures are checked.
struct CheckedLine {
    line: usize,
    seq: u64,
    prev_hash: [u8; 32],
    entry_hash: [u8; 32],
    device_key: String,
    signature: [u8; 64],
    body_sha256: [u8; 32],
    /// For a label upload: its id, device id and label count.
    upload: Option<(String, String, u64)>,
    /// For a receipt entry: the receipt, and (message, signature) to check.
    receipt: Option<(crate::protocol::Receipt, Vec<u8>, [u8; 64])>,
    /// An admin call's record.
    admin: bool,
}

fn sig64(b64: &str) -> Option<[u8; 64]> {
    B64.decode(b64).ok()?.try_into().ok()
}

/// Everything about one line that does not depend on other lines: format, body hash,
/// entry hash (over the line's own `prev_hash`), body schema, receipt binding.
fn check_line(line: usize, raw: &str) -> Result<CheckedLine, VerifyError> {
    let l: LedgerLineRef<'_> = serde_json::from_str(raw).map_err(|e| VerifyError {
        line,
        seq: 0,
        reason: format!(
            "unreadable line ({})",
            crate::batch::json_error_without_values(&e)
        ),
    })?;
    let seq = l.seq;
    let fail = |reason: &str| VerifyError {
        line,
        seq,
        reason: reason.to_string(),
    };
    let prev_hash =
        hex32(&l.prev_hash).ok_or_else(|| fail("prev_hash is not a SHA-256 in lower-case hex"))?;
    let body = B64
        .decode(l.body_b64.as_bytes())
        .map_err(|_| fail("body is not valid base64"))?;
    let body_hash = sha256(&body);
    if hex::encode(body_hash) != l.body_sha256 {
        return Err(fail("body does not match its recorded SHA-256"));
    }
    let entry_hash = entry_hash(&EntryFields {
        seq,
        prev_hash: &prev_hash,
        created_at_ms: l.created_at_ms,
        hub_url: &l.hub_url,
        method: &l.method,
        path: &l.path,
        body_sha256: &body_hash,
    });
    if hex32(&l.entry_hash) != Some(entry_hash) {
        return Err(fail("entry_hash does not match the entry's content"));
    }
    let signature =
        sig64(&l.signature).ok_or_else(|| fail("signature is not a base64 Ed25519 signature"))?;
    crate::grammar::check_hub_url(&l.hub_url)
        .map_err(|p| fail(&format!("breaks the label grammar: {p}")))?;
    if l.created_at_ms < crate::grammar::EARLIEST_MS {
        return Err(fail("created_at_ms is before 2024-01-01"));
    }
    let kind = check_body(&l.method, &l.path, &body, l.created_at_ms).map_err(|r| fail(&r))?;
    let admin = matches!(kind, Body::Admin(_));
    let (upload, receipt) = match kind {
        Body::Other | Body::Admin(_) => (None, None),
        Body::Upload(u) => (
            Some((u.upload_id, u.device_id, u.labels.len() as u64)),
            None,
        ),
        Body::Receipt(r) => {
            let rs = sig64(&r.signature)
                .ok_or_else(|| fail("receipt signature is not a base64 Ed25519 signature"))?;
            let msg = protocol::receipt_message(&r.receipt);
            (None, Some((r.receipt, msg, rs)))
        }
    };
    Ok(CheckedLine {
        line,
        seq,
        prev_hash,
        entry_hash,
        device_key: l.device_signing_key.into_owned(),
        signature,
        body_sha256: body_hash,
        upload,
        receipt,
        admin,
    })
}

/// One signature to check: message, signature, and which key (0 = device, 1 = hub).
type SigItem<'a> = (&'a [u8], [u8; 64], usize);

/// Index of the first signature in `items` that does not verify; `None` if all verify.
/// Each signature is checked on its own under the strict rules of [`identity::verify`]
/// (libsodium's), spread across cores: a batch equation would accept signatures whose
/// `R` carries a small-order component, which strict verifiers refuse. `Err(k)`: key `k`
/// is not a usable Ed25519 public key.
fn first_bad_signature(keys: &[[u8; 32]], items: &[SigItem<'_>]) -> Result<Option<usize>, usize> {
    let mut prepared = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        prepared.push(identity::StrictKey::new(k).ok_or(i)?);
    }
    let ok = crate::par::map(items, 64, |(m, s, k)| prepared[*k].verify(m, s));
    Ok(ok.iter().position(|v| !v))
}

/// Verify an exported ledger offline: line format, hash chain, every device signature
/// (one device key throughout), every body under its schema, and — with `hub_key` —
/// every receipt's signature and that it acknowledges exactly this body. Fails at the
/// first bad entry, naming it.
///
/// Lines and signatures are checked in parallel across cores; the result is the same as
/// checking one entry after another.
pub fn verify(jsonl: &str, hub_key: Option<&[u8; 32]>) -> Result<VerifyReport, VerifyError> {
    let lines: Vec<(usize, &str)> = jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
        .collect();
    let checked = crate::par::map(&lines, 512, |(n, raw)| check_line(*n, raw));
    // Link the chain in order; stop at the first problem.
    let mut report = VerifyReport::default();
    let mut prev = GENESIS;
    let mut first_err: Option<VerifyError> = None;
    let mut ok: Vec<CheckedLine> = Vec::with_capacity(checked.len());
    let mut receipted = std::collections::HashSet::new();
    for c in checked {
        let c = match c {
            Ok(c) => c,
            Err(mut e) => {
                if e.seq == 0 {
                    e.seq = ok.len() as u64 + 1;
                }
                first_err = Some(e);
                break;
            }
        };
        let expected = ok.len() as u64 + 1;
        let fail = |reason: String| VerifyError {
            line: c.line,
            seq: c.seq,
            reason,
        };
        if c.seq != expected {
            first_err = Some(fail(format!("sequence gap: expected entry {expected}")));
            break;
        }
        if c.prev_hash != prev {
            first_err = Some(fail(
                "prev_hash does not match the previous entry (chain broken)".into(),
            ));
            break;
        }
        if let Some(first) = ok.first() {
            if first.device_key != c.device_key {
                first_err = Some(fail(
                    "signed by a different device key than earlier entries".into(),
                ));
                break;
            }
        }
        // A receipt entry pins an earlier upload entry: its position, its hash (so the
        // whole chain up to it) and its body. One receipt per upload.
        if let Some((r, _, _)) = &c.receipt {
            let pinned = r.device_seq.unwrap_or(0);
            let target = (pinned >= 1 && pinned < c.seq)
                .then(|| &ok[pinned as usize - 1])
                .filter(|t| t.upload.is_some());
            let Some(t) = target else {
                first_err = Some(fail(
                    "the receipt pins an entry that is not an earlier label upload".into(),
                ));
                break;
            };
            let (upload_id, device_id, _) = t.upload.as_ref().expect("filtered");
            if r.device_head.as_deref() != Some(hex::encode(t.entry_hash).as_str())
                || r.body_sha256 != hex::encode(t.body_sha256)
                || &r.upload_id != upload_id
                || &r.device_id != device_id
            {
                first_err = Some(fail(
                    "the receipt acknowledges another body or chain head than the entry it pins"
                        .into(),
                ));
                break;
            }
            if !receipted.insert(pinned) {
                first_err = Some(fail("a second receipt for the same upload".into()));
                break;
            }
            report.countersigned_through = report.countersigned_through.max(pinned);
        }
        prev = c.entry_hash;
        ok.push(c);
    }
    // Signatures of every entry before the first problem.
    if let Some(first) = ok.first() {
        let pk = identity::parse_public_key(&first.device_key).map_err(|_| VerifyError {
            line: first.line,
            seq: first.seq,
            reason: "device_signing_key is not an Ed25519 key".into(),
        })?;
        report.device_fingerprint = identity::fingerprint(&[first.device_key.as_bytes()]);
        let msgs: Vec<Vec<u8>> = ok.iter().map(|c| signed_message(&c.entry_hash)).collect();
        // Device signatures, then (with a hub key) receipt signatures, in one batch run;
        // `owner[i]` is the entry index of item i.
        let mut items: Vec<SigItem<'_>> = msgs
            .iter()
            .zip(&ok)
            .map(|(m, c)| (m.as_slice(), c.signature, 0))
            .collect();
        let mut owner: Vec<usize> = (0..ok.len()).collect();
        let mut keys = vec![pk];
        if let Some(hk) = hub_key {
            keys.push(*hk);
            for (i, c) in ok.iter().enumerate() {
                if let Some((_, m, s)) = &c.receipt {
                    items.push((m.as_slice(), *s, 1));
                    owner.push(i);
                }
            }
            report.receipts_verified = (items.len() - ok.len()) as u64;
        }
        let bad = first_bad_signature(&keys, &items).map_err(|k| VerifyError {
            line: first.line,
            seq: first.seq,
            reason: if k == 0 {
                "device_signing_key is not an Ed25519 key"
            } else {
                "the hub key is not an Ed25519 key"
            }
            .into(),
        })?;
        if let Some(i) = bad {
            // A bad device signature at an earlier entry wins over a bad receipt later.
            let device_bad = items[..ok.len()]
                .iter()
                .zip(&ok)
                .position(|((m, s, _), _)| !identity::verify(&pk, m, s));
            let (idx, reason) = match device_bad {
                Some(d) if d <= owner[i] => (d, "device signature does not verify"),
                _ if items[i].2 == 0 => (owner[i], "device signature does not verify"),
                _ => (owner[i], "the hub's receipt signature does not verify"),
            };
            return Err(VerifyError {
                line: ok[idx].line,
                seq: ok[idx].seq,
                reason: reason.into(),
            });
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    for c in &ok {
        if c.admin {
            report.admin_calls += 1;
        }
        if let Some((_, _, n)) = &c.upload {
            report.label_uploads += 1;
            report.labels += n;
            if !receipted.contains(&c.seq) {
                report.awaiting_receipt += 1;
            }
        }
    }
    if hub_key.is_none() {
        // Receipts pin entries, but nothing here shows the hub signed them.
        report.countersigned_through = 0;
    }
    report.entries = ok.len() as u64;
    report.head = hex::encode(prev);
    Ok(report)
}

/// The hash of one entry of the hub's inbound ledger: SHA-256 over a domain tag, the
/// previous entry's hash, the receive time, the device id, the body hash and the signed
/// receipt's JSON. Every store chains entries this way.
pub fn hub_entry_hash(
    prev: &[u8],
    received_at_ms: i64,
    device_id: &str,
    body_sha256: &str,
    receipt_json: &str,
) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(b"labelvault/hub-ledger/v1\0");
    ctx.update(prev);
    ctx.update(&received_at_ms.to_be_bytes());
    put(&mut ctx, device_id.as_bytes());
    ctx.update(body_sha256.as_bytes());
    ctx.update(receipt_json.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// One entry of the hub's inbound ledger export (`GET /v1/admin/ledger`): a label
/// upload as received, and the receipt the hub answered with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HubLedgerLine {
    /// Hub sequence number, 1, 2, 3 … without gaps.
    pub seq: u64,
    /// Previous entry's hash, hex (64 zeros for the first).
    pub prev_hash: String,
    /// [`hub_entry_hash`], hex.
    pub entry_hash: String,
    /// Device that sent the upload.
    pub device_id: String,
    /// Hub time of receipt, Unix ms.
    pub received_at_ms: i64,
    /// The exact body received, base64.
    pub body_b64: String,
    /// Hex SHA-256 of the body.
    pub body_sha256: String,
    /// The receipt the hub issued.
    pub receipt: SignedReceipt,
}

/// A hub ledger export: its entries and, as its last line, the hub's signed head.
#[derive(Debug, Clone, Default)]
pub struct HubLedger {
    /// The entries, in order.
    pub entries: Vec<HubLedgerLine>,
    /// The signed head (absent in an export cut short).
    pub head: Option<protocol::SignedHubHead>,
}

/// Read a hub ledger export; errors name the line, never a value.
pub fn read_hub_ledger(jsonl: &str) -> Result<HubLedger, VerifyError> {
    let mut out = HubLedger::default();
    for (i, raw) in jsonl.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let fail = |reason: String| VerifyError {
            line: i + 1,
            seq: out.entries.len() as u64 + 1,
            reason,
        };
        if out.head.is_some() {
            return Err(fail("an entry after the signed head".into()));
        }
        if raw.starts_with("{\"signed_head\"") {
            out.head = Some(serde_json::from_str(raw).map_err(|e| {
                fail(format!(
                    "unreadable signed head ({})",
                    crate::batch::json_error_without_values(&e)
                ))
            })?);
            continue;
        }
        out.entries.push(serde_json::from_str(raw).map_err(|e| {
            fail(format!(
                "unreadable hub ledger entry ({})",
                crate::batch::json_error_without_values(&e)
            ))
        })?);
    }
    Ok(out)
}

/// What a hub ledger verification found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HubLedgerReport {
    /// Entries checked.
    pub entries: u64,
    /// The last entry's hash, hex.
    pub head: String,
    /// Whether a signed head was present and checked (with a hub key).
    pub head_signed: bool,
    /// Devices the signed head lists.
    pub devices: u64,
}

/// Verify a hub ledger export: sequence numbers without gaps, each entry chained to the
/// one before, body and entry hashes recomputed, and — with `hub_key` — every receipt's
/// signature and the signed head (which must name the last entry and be the last line).
/// Reordering, dropping or altering an entry fails.
pub fn verify_hub_ledger(
    jsonl: &str,
    hub_key: Option<&[u8; 32]>,
) -> Result<HubLedgerReport, VerifyError> {
    let l = read_hub_ledger(jsonl)?;
    let mut prev = GENESIS;
    for (i, e) in l.entries.iter().enumerate() {
        let fail = |reason: &str| VerifyError {
            line: i + 1,
            seq: i as u64 + 1,
            reason: reason.into(),
        };
        if e.seq != i as u64 + 1 {
            return Err(fail("sequence gap: an entry is missing, repeated or moved"));
        }
        if hex32(&e.prev_hash) != Some(prev) {
            return Err(fail(
                "prev_hash does not match the previous entry (chain broken)",
            ));
        }
        let body = B64
            .decode(e.body_b64.as_bytes())
            .map_err(|_| fail("body is not valid base64"))?;
        if hex::encode(sha256(&body)) != e.body_sha256 {
            return Err(fail("body does not match its recorded SHA-256"));
        }
        if !crate::grammar::DEVICE_ID.matches(&e.device_id) {
            return Err(fail("breaks the label grammar: device_id"));
        }
        let receipt_json =
            serde_json::to_string(&e.receipt).map_err(|_| fail("unreadable receipt"))?;
        let h = hub_entry_hash(
            &prev,
            e.received_at_ms,
            &e.device_id,
            &e.body_sha256,
            &receipt_json,
        );
        if hex32(&e.entry_hash) != Some(h) {
            return Err(fail("entry_hash does not match the entry's content"));
        }
        if e.receipt.receipt.body_sha256 != e.body_sha256
            || e.receipt.receipt.device_id != e.device_id
        {
            return Err(fail("the receipt acknowledges another body or device"));
        }
        if let Some(k) = hub_key {
            let ok = sig64(&e.receipt.signature).is_some_and(|s| {
                identity::verify(k, &protocol::receipt_message(&e.receipt.receipt), &s)
            });
            if !ok {
                return Err(fail("the hub's receipt signature does not verify"));
            }
        }
        prev = h;
    }
    let n = l.entries.len();
    let mut report = HubLedgerReport {
        entries: n as u64,
        head: hex::encode(prev),
        ..Default::default()
    };
    if let Some(k) = hub_key {
        let fail = |reason: &str| VerifyError {
            line: n + 1,
            seq: n as u64 + 1,
            reason: reason.into(),
        };
        let Some(sh) = &l.head else {
            return Err(fail("no signed head: the export was cut short"));
        };
        let h = &sh.signed_head;
        if h.entries != n as u64 || h.head != report.head {
            return Err(fail(
                "the signed head names another last entry (entries dropped, added or moved)",
            ));
        }
        if h.devices.iter().any(|d| {
            !crate::grammar::DEVICE_ID.matches(&d.device_id)
                || d.seq == 0
                || hex32(&d.head).is_none()
        }) {
            return Err(fail("breaks the label grammar: devices"));
        }
        let ok = sig64(&sh.signature)
            .is_some_and(|s| identity::verify(k, &protocol::hub_head_message(h), &s));
        if !ok {
            return Err(fail("the hub's head signature does not verify"));
        }
        report.head_signed = true;
        report.devices = h.devices.len() as u64;
    }
    Ok(report)
}

/// The outcome of comparing a device ledger with the hub's.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reconciliation {
    /// The device's id at the hub (from its uploads).
    pub device_id: String,
    /// Uploads present on both sides with the same body hash.
    pub matched: u64,
    /// Device entries (seq, upload id) the hub has no record of.
    pub only_on_device: Vec<(u64, String)>,
    /// Hub entries (hub seq, body hash) for this device that the device never recorded.
    pub only_on_hub: Vec<(u64, String)>,
    /// Device receipt entries (seq) whose receipt the hub's ledger does not hold.
    pub receipts_only_on_device: Vec<u64>,
    /// Hub entries (hub seq) whose receipt the device export does not record as an
    /// entry (dropped, or not received by the device yet).
    pub receipts_only_on_hub: Vec<u64>,
    /// Device entries (seq) the hub countersigned or was told of — by a receipt, or as
    /// the device's latest entry in its signed head — that the export lacks or holds
    /// with another hash: a dropped tail, a dropped request (a GET too) or a fork.
    pub missing_from_device: Vec<u64>,
}

impl Reconciliation {
    /// True when both sides agree exactly.
    pub fn is_clean(&self) -> bool {
        self.only_on_device.is_empty()
            && self.only_on_hub.is_empty()
            && self.receipts_only_on_device.is_empty()
            && self.receipts_only_on_hub.is_empty()
            && self.missing_from_device.is_empty()
    }
}

/// Compare a device's exported ledger with the hub's inbound ledger: uploads by body
/// hash, receipts both ways, and every device entry the hub pinned (receipts) or last
/// saw (the signed head's device list) must be in the export with the same hash. With
/// `hub_key`, the hub ledger is verified first ([`verify_hub_ledger`]).
pub fn reconcile(
    device_jsonl: &str,
    hub_jsonl: &str,
    hub_key: Option<&[u8; 32]>,
) -> Result<Reconciliation, String> {
    if let Some(k) = hub_key {
        verify_hub_ledger(hub_jsonl, Some(k)).map_err(|e| format!("hub ledger: {e}"))?;
    }
    let hub = read_hub_ledger(hub_jsonl).map_err(|e| format!("hub ledger: {e}"))?;
    let mut out = Reconciliation::default();
    let mut device: HashMap<String, (u64, String)> = HashMap::new();
    let mut hashes: HashMap<u64, String> = HashMap::new();
    let mut device_receipts: Vec<(u64, String)> = Vec::new();
    for (i, raw) in device_jsonl.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let l: LedgerLine = serde_json::from_str(raw)
            .map_err(|_| format!("device ledger line {} is unreadable", i + 1))?;
        let body = B64
            .decode(l.body_b64.as_bytes())
            .map_err(|_| format!("device ledger line {}: bad body", i + 1))?;
        hashes.insert(l.seq, l.entry_hash.clone());
        match check_body(&l.method, &l.path, &body, l.created_at_ms) {
            Ok(Body::Upload(u)) => {
                out.device_id = u.device_id.clone();
                device.insert(l.body_sha256.clone(), (l.seq, u.upload_id));
            }
            Ok(Body::Receipt(r)) => device_receipts.push((l.seq, r.signature)),
            _ => {}
        }
    }
    let device_receipt_sigs: std::collections::HashSet<&str> =
        device_receipts.iter().map(|(_, s)| s.as_str()).collect();
    let mut seen_on_hub = std::collections::HashSet::new();
    let mut hub_receipts = std::collections::HashSet::new();
    let mut pinned: Vec<(u64, String)> = Vec::new();
    for h in &hub.entries {
        if !out.device_id.is_empty() && h.device_id != out.device_id {
            continue;
        }
        hub_receipts.insert(h.receipt.signature.clone());
        if !device_receipt_sigs.contains(h.receipt.signature.as_str()) {
            out.receipts_only_on_hub.push(h.seq);
        }
        if let (Some(seq), Some(head)) =
            (h.receipt.receipt.device_seq, &h.receipt.receipt.device_head)
        {
            pinned.push((seq, head.clone()));
        }
        if device.contains_key(&h.body_sha256) {
            if seen_on_hub.insert(h.body_sha256.clone()) {
                out.matched += 1;
            }
        } else {
            out.only_on_hub.push((h.seq, h.body_sha256.clone()));
        }
    }
    if let Some(sh) = &hub.head {
        for d in sh
            .signed_head
            .devices
            .iter()
            .filter(|d| d.device_id == out.device_id)
        {
            pinned.push((d.seq, d.head.clone()));
        }
    }
    let mut missing: Vec<u64> = pinned
        .into_iter()
        .filter(|(seq, head)| hashes.get(seq) != Some(head))
        .map(|(seq, _)| seq)
        .collect();
    missing.sort_unstable();
    missing.dedup();
    out.missing_from_device = missing;
    out.receipts_only_on_device = device_receipts
        .into_iter()
        .filter(|(_, sig)| !hub_receipts.contains(sig))
        .map(|(seq, _)| seq)
        .collect();
    let mut only: Vec<(u64, String)> = device
        .into_iter()
        .filter(|(hash, _)| !seen_on_hub.contains(hash))
        .map(|(_, v)| v)
        .collect();
    only.sort();
    out.only_on_device = only;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::HubKey;
    use crate::labels::{Decision, Flag, Span, Verdict};
    use crate::protocol::{Receipt, RejectedLabel};
    use crate::testutil::keys;
    use crate::{Profile, Vault};

    /// A vault with a small ledger: an enrollment, a GET, one acknowledged label upload
    /// (receipt signed by `hub`) and one still awaiting its receipt.
    fn ledger_fixture(hub: &HubKey) -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::at(dir.path()).unwrap();
        let mut vault = Vault::open(&profile, &keys()).unwrap();
        crate::demo::ensure_demo_batch(&mut vault).unwrap();
        let url = "http://127.0.0.1:9";
        vault
            .append_ledger(
                url,
                "POST",
                "/v1/enroll",
                &serde_json::to_vec(&EnrollRequest {
                    enrollment_code: "ABCD-EF01-2345-6789-ABCD".into(),
                    signing_key: vault.identity().public().signing_key,
                    recipient: vault.identity().public().recipient,
                })
                .unwrap(),
                None,
            )
            .unwrap();
        vault
            .append_ledger(url, "GET", "/v1/batches", b"", None)
            .unwrap();
        for round in 0..2 {
            for q in vault.peek_queue(2).unwrap() {
                // The label carries the class of this item's length, not of its spans.
                let class = crate::grammar::length_class(q.text.chars().count() as u32);
                assert!(class > 2, "demo items are longer than 4 characters");
                let expect = (q.item_id.clone(), class);
                vault
                    .record(&Decision {
                        item_id: q.item_id,
                        verdict: Verdict::Unsure,
                        intent_id: None,
                        flags: vec![Flag::MultipleIntents],
                        pii_spans: vec![Span { start: 0, end: 3 }],
                        duration_ms: 700,
                        also_intents: Vec::new(),
                    })
                    .unwrap();
                let pending = vault.unsent_labels(100).unwrap();
                let sent = pending.iter().find(|(_, l)| l.item_id == expect.0).unwrap();
                assert_eq!(sent.1.length_class, Some(expect.1));
            }
            let pending = vault.unsent_labels(100).unwrap();
            let upload = LabelUpload {
                upload_id: format!("u_{round:032x}"),
                device_id: DEVICE.into(),
                labels: pending.iter().map(|(_, l)| l.clone()).collect(),
            };
            let body = serde_json::to_vec(&upload).unwrap();
            let events: Vec<i64> = pending.iter().map(|(e, _)| *e).collect();
            let entry = vault
                .append_ledger(
                    url,
                    "POST",
                    "/v1/labels",
                    &body,
                    Some((&upload.upload_id, &events)),
                )
                .unwrap();
            if round == 0 {
                let receipt = Receipt {
                    upload_id: upload.upload_id.clone(),
                    device_id: DEVICE.into(),
                    body_sha256: hex::encode(sha256(&body)),
                    accepted: 1,
                    duplicates: 0,
                    rejected: vec![RejectedLabel {
                        item_id: upload.labels[1].item_id.clone(),
                        revision: 1,
                        code: "not_assigned".into(),
                    }],
                    server_time_ms: crate::grammar::EARLIEST_MS + 1,
                    hub_key_id: hub.key_id(),
                    device_seq: Some(entry.seq),
                    device_head: Some(hex::encode(entry.entry_hash)),
                };
                let signature = B64.encode(hub.sign(&protocol::receipt_message(&receipt)));
                vault
                    .store_receipt(entry.seq, &SignedReceipt { receipt, signature })
                    .unwrap();
            }
        }
        (dir, vault)
    }

    const DEVICE: &str = "d_0123456789abcdef01234567";

    fn export(vault: &Vault) -> String {
        vault
            .export_ledger()
            .unwrap()
            .iter()
            .map(|l| serde_json::to_string(l).unwrap() + "\n")
            .collect()
    }

    #[test]
    fn an_exported_ledger_verifies_offline() {
        let hub = HubKey::generate().unwrap();
        let (_d, vault) = ledger_fixture(&hub);
        let text = export(&vault);
        let pk = identity::parse_public_key(&hub.public_key()).unwrap();
        let r = verify(&text, Some(&pk)).unwrap();
        assert_eq!(
            (
                r.entries,
                r.label_uploads,
                r.labels,
                r.receipts_verified,
                r.awaiting_receipt
            ),
            (5, 2, 4, 1, 1)
        );
        // The receipt (entry 4) pins upload entry 3: the proof reaches entry 3.
        assert_eq!(r.countersigned_through, 3);
        // The fingerprint is the one `device show` prints for this device.
        assert_eq!(r.device_fingerprint, vault.identity().public().fingerprint);
        // Without the hub key the chain and device signatures still verify.
        assert_eq!(verify(&text, None).unwrap().receipts_verified, 0);
        // A receipt from another hub key does not.
        let other = identity::parse_public_key(&HubKey::generate().unwrap().public_key()).unwrap();
        assert!(verify(&text, Some(&other))
            .unwrap_err()
            .reason
            .contains("receipt signature"));
        // Acknowledged events carry the hub's verdicts.
        let summaries = vault.ledger_summaries(10).unwrap();
        assert_eq!(summaries[1].request, "RECEIPT /v1/labels");
        assert!(summaries[0]
            .fields
            .contains(&"labels[].pii_spans[].start".to_string()));
        assert!(summaries
            .iter()
            .all(|s| !s.fields.iter().any(|f| f.contains("text"))));
    }

    #[test]
    fn any_changed_byte_fails_and_names_the_entry() {
        let hub = HubKey::generate().unwrap();
        let (_d, vault) = ledger_fixture(&hub);
        let text = export(&vault);
        let pk = identity::parse_public_key(&hub.public_key()).unwrap();
        let bytes = text.as_bytes();
        let line_of = |pos: usize| bytes[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
        for pos in 0..bytes.len() {
            let mut t = bytes.to_vec();
            t[pos] ^= 0x01;
            let Ok(s) = String::from_utf8(t) else {
                continue;
            };
            let err =
                verify(&s, Some(&pk)).expect_err(&format!("a change at byte {pos} went unnoticed"));
            // The error points at the changed line, or (a changed newline) the line it joined.
            let l = line_of(pos);
            assert!(
                err.line == l || err.line + 1 == l || err.line == l + 1,
                "byte {pos} on line {l}: {err}"
            );
        }
    }

    #[test]
    fn dropping_or_reordering_entries_fails() {
        let hub = HubKey::generate().unwrap();
        let (_d, vault) = ledger_fixture(&hub);
        let lines: Vec<String> = export(&vault).lines().map(str::to_string).collect();
        let without_second = [lines[0].clone(), lines[2].clone(), lines[3].clone()].join("\n");
        assert!(verify(&without_second, None).is_err());
        let swapped = [lines[1].clone(), lines[0].clone()].join("\n");
        assert!(verify(&swapped, None).is_err());
    }

    #[test]
    fn a_body_with_extra_content_is_refused() {
        let hub = HubKey::generate().unwrap();
        let (_d, mut vault) = ledger_fixture(&hub);
        let sneaky = br#"{"upload_id":"u_9","device_id":"d_1","labels":[],"note":"hello"}"#;
        vault
            .append_ledger(
                "http://127.0.0.1:9",
                "POST",
                "/v1/labels",
                sneaky,
                Some(("u_9", &[])),
            )
            .unwrap();
        let err = verify(&export(&vault), None).unwrap_err();
        assert_eq!(err.seq, 6);
        assert!(err.reason.contains("label-only"), "{err}");
        // Padding whitespace is refused too (not canonical).
        let (_d2, mut v2) = ledger_fixture(&hub);
        v2.append_ledger(
            "http://127.0.0.1:9",
            "POST",
            "/v1/labels",
            br#"{"upload_id":"u_9", "device_id":"d_1","labels":[]}"#,
            Some(("u_9", &[])),
        )
        .unwrap();
        assert!(verify(&export(&v2), None)
            .unwrap_err()
            .reason
            .contains("canonical"));
    }

    /// Hostile content with valid signatures: each case is a canonical body, appended and
    /// signed by the device key, that breaks one rule of the label grammar. `audit verify`
    /// refuses it, names the entry and the field, and never prints the value.
    #[test]
    fn hostile_entries_with_valid_signatures_are_refused_by_rule() {
        use crate::protocol::WireLabel;
        let hub = HubKey::generate().unwrap();
        let good = WireLabel {
            item_id: format!("it_{}", "ab".repeat(16)),
            revision: 1,
            retracted: false,
            verdict: Some(Verdict::Wrong),
            intent_id: Some("card_arrival".into()),
            flags: vec![],
            pii_spans: vec![],
            length_class: None,
            duration_ms: 900,
            decided_at_ms: crate::grammar::EARLIEST_MS + 5,
            also_intents: Vec::new(),
        };
        let upload = |f: &dyn Fn(&mut LabelUpload)| {
            let mut u = LabelUpload {
                upload_id: format!("u_{}", "cd".repeat(16)),
                device_id: DEVICE.into(),
                labels: vec![good.clone()],
            };
            f(&mut u);
            (
                "POST",
                "/v1/labels".to_string(),
                serde_json::to_vec(&u).unwrap(),
            )
        };
        /// (field named, (method, path, body), a piece of the value that must not show)
        type Case<'a> = (&'a str, (&'a str, String, Vec<u8>), &'a str);
        let cases: Vec<Case<'_>> = vec![
            (
                "item_id",
                upload(&|u| u.labels[0].item_id = "it_jane.doe@example.com".into()),
                "jane",
            ),
            (
                "intent_id",
                upload(&|u| u.labels[0].intent_id = Some("Jane Doe lives at 1 Elm St".into())),
                "Jane",
            ),
            (
                "upload_id",
                upload(&|u| u.upload_id = "u_Jane Doe".into()),
                "Jane",
            ),
            (
                "device_id",
                upload(&|u| u.device_id = "d_jane.doe".into()),
                "jane",
            ),
            (
                "duration_ms",
                upload(&|u| u.labels[0].duration_ms = 0x004a_616e_6544_6f65),
                "4a61",
            ),
            (
                "pii_spans",
                upload(&|u| {
                    u.labels[0].flags = vec![Flag::MissedPii];
                    u.labels[0].pii_spans = vec![Span { start: 74, end: 65 }];
                }),
                "74",
            ),
            (
                "pii_spans",
                upload(&|u| {
                    u.labels[0].flags = vec![Flag::MissedPii];
                    u.labels[0].pii_spans = vec![Span {
                        start: 1_000_074,
                        end: 1_000_097,
                    }];
                }),
                "1000074",
            ),
            (
                // A span past its own declared item length: bytes smuggled past the text.
                "pii_spans",
                upload(&|u| {
                    u.labels[0].flags = vec![Flag::MissedPii];
                    u.labels[0].pii_spans = vec![Span { start: 40, end: 74 }];
                    u.labels[0].length_class = Some(5);
                }),
                "74",
            ),
            (
                "length_class",
                upload(&|u| {
                    u.labels[0].flags = vec![Flag::MissedPii];
                    u.labels[0].pii_spans = vec![Span { start: 1, end: 2 }];
                }),
                "xx",
            ),
            (
                "length_class",
                upload(&|u| u.labels[0].length_class = Some(14)),
                "xx",
            ),
            (
                "flags",
                upload(&|u| {
                    u.labels[0].flags = vec![Flag::Misclassification, Flag::Misclassification]
                }),
                "xx",
            ),
            ("intent_id", upload(&|u| u.labels[0].intent_id = None), "xx"),
            (
                "decided_at_ms",
                upload(&|u| u.labels[0].decided_at_ms = i64::MAX),
                "9223",
            ),
            (
                "path",
                ("GET", "/v1/batches/Jane%20Doe".to_string(), vec![]),
                "Jane",
            ),
            (
                "enrollment_code",
                (
                    "POST",
                    "/v1/enroll".to_string(),
                    serde_json::to_vec(&EnrollRequest {
                        enrollment_code: "call me: jane@example.com".into(),
                        signing_key: crate::identity::DeviceIdentity::generate()
                            .unwrap()
                            .public()
                            .signing_key,
                        recipient: crate::identity::DeviceIdentity::generate()
                            .unwrap()
                            .public()
                            .recipient,
                    })
                    .unwrap(),
                ),
                "jane",
            ),
        ];
        for (field, (method, path, body), secret) in cases {
            let (_d, mut vault) = ledger_fixture(&hub);
            let upload_id = (path == "/v1/labels").then(|| format!("u_{}", "cd".repeat(16)));
            vault
                .append_ledger(
                    "http://127.0.0.1:9",
                    method,
                    &path,
                    &body,
                    upload_id.as_deref().map(|u| (u, &[][..])),
                )
                .unwrap();
            let e = verify(&export(&vault), None).expect_err(field);
            assert_eq!(e.seq, 6, "{field}: {e}");
            assert!(e.reason.contains(&format!("{field}:")), "{field}: {e}");
            assert!(
                !e.to_string().contains(secret),
                "{field} leaks its value: {e}"
            );
        }
        // The hub URL too: a query string is refused.
        let (_d, mut vault) = ledger_fixture(&hub);
        vault
            .append_ledger(
                "http://127.0.0.1:9?who=jane",
                "GET",
                "/v1/batches",
                b"",
                None,
            )
            .unwrap();
        let e = verify(&export(&vault), None).unwrap_err();
        assert!(
            e.reason.contains("hub_url") && !e.reason.contains("jane"),
            "{e}"
        );
    }

    /// Admin calls are recorded by hash, size and rows: such an entry verifies and is
    /// counted; a path that carries a name, or a record with the body in it, does not.
    #[test]
    fn admin_calls_are_recorded_without_their_bodies() {
        let hub = HubKey::generate().unwrap();
        let (_d, mut vault) = ledger_fixture(&hub);
        let body = br#"{"messages":[{"id":"m1","text":"Jane Doe's card"},{"id":"m2","text":"x"}]}"#;
        let call = protocol::AdminCall::of("POST", body);
        assert_eq!((call.bytes, call.rows), (body.len() as u64, 2));
        let record = serde_json::to_vec(&call).unwrap();
        vault
            .append_ledger(
                "http://127.0.0.1:9",
                ADMIN,
                "/v1/admin/messages",
                &record,
                None,
            )
            .unwrap();
        vault
            .append_ledger(
                "http://127.0.0.1:9",
                ADMIN,
                "/v1/admin/export?format=jsonl&seed=7",
                &serde_json::to_vec(&protocol::AdminCall::of("GET", b"")).unwrap(),
                None,
            )
            .unwrap();
        let r = verify(&export(&vault), None).unwrap();
        assert_eq!(r.admin_calls, 2);
        assert!(!export(&vault).contains("Jane"));
        for (path, body) in [
            ("/v1/admin/messages?who=Jane%20Doe", record.clone()),
            ("/v1/admin/messages", body.to_vec()),
        ] {
            let (_d, mut v) = ledger_fixture(&hub);
            v.append_ledger("http://127.0.0.1:9", ADMIN, path, &body, None)
                .unwrap();
            let e = verify(&export(&v), None).unwrap_err();
            assert_eq!(e.seq, 6, "{path}: {e}");
            assert!(!e.to_string().contains("Jane"), "{e}");
        }
    }

    /// Receipts are entries of the chain: one pinned to another upload, or to the right
    /// upload under another head, is refused even with every signature valid; removing
    /// one breaks the chain.
    #[test]
    fn receipts_in_the_chain_cannot_be_moved_or_dropped() {
        let hub = HubKey::generate().unwrap();
        let pk = identity::parse_public_key(&hub.public_key()).unwrap();
        let (_d, vault) = ledger_fixture(&hub);
        let lines: Vec<String> = export(&vault).lines().map(str::to_string).collect();
        assert_eq!(
            verify(&lines.join("\n"), Some(&pk))
                .unwrap()
                .countersigned_through,
            3
        );
        // Entry 4 is the receipt: without it, entry 5 no longer chains.
        let dropped = [&lines[..3], &lines[4..]].concat().join("\n");
        let e = verify(&dropped, Some(&pk)).unwrap_err();
        assert!(e.seq == 5 && e.reason.contains("sequence gap"), "{e}");
        // A receipt signed by the hub but pinned to entry 5 (another upload), appended
        // and signed by the device: refused.
        let receipt_of = |seq: u64, head: String, body: &[u8], upload_id: &str| {
            let r = Receipt {
                upload_id: upload_id.into(),
                device_id: DEVICE.into(),
                body_sha256: hex::encode(sha256(body)),
                accepted: 1,
                duplicates: 0,
                rejected: vec![],
                server_time_ms: crate::grammar::EARLIEST_MS + 9,
                hub_key_id: hub.key_id(),
                device_seq: Some(seq),
                device_head: Some(head),
            };
            let signature = B64.encode(hub.sign(&protocol::receipt_message(&r)));
            serde_json::to_vec(&SignedReceipt {
                receipt: r,
                signature,
            })
            .unwrap()
        };
        for name in ["pinned to entry 5", "another head", "a second receipt"] {
            let (_d, mut v) = ledger_fixture(&hub);
            // Rebuild the same situation in this vault: its own entry 3.
            let mine: LedgerLine =
                serde_json::from_str(export(&v).lines().nth(2).unwrap()).unwrap();
            let b3 = B64.decode(&mine.body_b64).unwrap();
            let up: LabelUpload = serde_json::from_slice(&b3).unwrap();
            let body = match name {
                "pinned to entry 5" => receipt_of(5, mine.entry_hash.clone(), &b3, &up.upload_id),
                "another head" => receipt_of(3, "ab".repeat(32), &b3, &up.upload_id),
                _ => receipt_of(3, mine.entry_hash.clone(), &b3, &up.upload_id),
            };
            v.append_ledger("http://127.0.0.1:9", RECEIPT, "/v1/labels", &body, None)
                .unwrap();
            let e = verify(&export(&v), Some(&pk)).expect_err(name);
            assert_eq!(e.seq, 6, "{name}: {e}");
            assert!(e.reason.contains("receipt"), "{name}: {e}");
        }
    }
}
