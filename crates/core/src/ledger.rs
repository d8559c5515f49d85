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
    /// The hub's signed receipt (label uploads, once acknowledged).
    pub receipt: Option<SignedReceipt>,
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
    /// Receipts whose signature was checked against the given hub key.
    pub receipts_verified: u64,
    /// Label uploads without a receipt yet (still queued or lost in transit).
    pub awaiting_receipt: u64,
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

/// Check that a request is one a device may send: its kind (method and path) is known,
/// its path and body follow the label grammar ([`crate::grammar`]), and its body is
/// byte-for-byte the canonical serialization of its schema, so nothing else can hide in
/// it. `created_at_ms` is when the entry was made: no decision in it may be later.
/// Errors name the field and the rule, never a value.
pub fn check_body(
    method: &str,
    path: &str,
    body: &[u8],
    created_at_ms: i64,
) -> Result<Option<LabelUpload>, String> {
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
            Ok(Some(u))
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
            Ok(None)
        }
        ("GET", p) if p.starts_with("/v1/batches") => {
            grammar::check_get_path(p).map_err(broken)?;
            if body.is_empty() {
                Ok(None)
            } else {
                Err("a GET request carried a body".into())
            }
        }
        _ => Err("unknown request kind (method and path)".into()),
    }
}

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
    receipt: Option<SignedReceipt>,
}

/// What one line yields before the chain is linked and signatures are checked.
struct CheckedLine {
    line: usize,
    seq: u64,
    prev_hash: [u8; 32],
    entry_hash: [u8; 32],
    device_key: String,
    signature: [u8; 64],
    labels: Option<u64>,
    /// (message, signature) of the hub receipt, when there is one.
    receipt: Option<(Vec<u8>, [u8; 64])>,
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
    let upload = check_body(&l.method, &l.path, &body, l.created_at_ms).map_err(|r| fail(&r))?;
    let receipt = match (&upload, &l.receipt) {
        (None, Some(_)) => return Err(fail("a receipt on a request that is not a label upload")),
        (Some(u), Some(r)) => {
            if r.receipt.body_sha256 != l.body_sha256 || r.receipt.upload_id != u.upload_id {
                return Err(fail("the receipt acknowledges a different body"));
            }
            let rs = sig64(&r.signature)
                .ok_or_else(|| fail("receipt signature is not a base64 Ed25519 signature"))?;
            Some((protocol::receipt_message(&r.receipt), rs))
        }
        _ => None,
    };
    Ok(CheckedLine {
        line,
        seq,
        prev_hash,
        entry_hash,
        device_key: l.device_signing_key.into_owned(),
        signature,
        labels: upload.map(|u| u.labels.len() as u64),
        receipt,
    })
}

/// Run `f` over `items` split across the machine's cores, keeping order.
/// Below `min_len` items it stays on the calling thread.
fn par_map<T: Sync, R: Send>(items: &[T], min_len: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 16);
    if threads == 1 || items.len() < min_len {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
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
    if let Some(k) = keys.iter().position(|k| !identity::usable_public_key(k)) {
        return Err(k);
    }
    let ok = par_map(items, 64, |(m, s, k)| identity::verify(&keys[*k], m, s));
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
    let checked = par_map(&lines, 512, |(n, raw)| check_line(*n, raw));
    // Link the chain in order; stop at the first problem.
    let mut report = VerifyReport::default();
    let mut prev = GENESIS;
    let mut first_err: Option<VerifyError> = None;
    let mut ok: Vec<CheckedLine> = Vec::with_capacity(checked.len());
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
                if let Some((m, s)) = &c.receipt {
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
        if let Some(n) = c.labels {
            report.label_uploads += 1;
            report.labels += n;
            if c.receipt.is_none() {
                report.awaiting_receipt += 1;
            }
        }
    }
    report.entries = ok.len() as u64;
    report.head = hex::encode(prev);
    Ok(report)
}

/// One line of the hub's inbound ledger export (`GET /v1/admin/ledger`), as far as
/// reconciliation needs it; other fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct HubLedgerLine {
    /// Hub sequence number.
    pub seq: u64,
    /// Device that sent the upload.
    pub device_id: String,
    /// Hex SHA-256 of the body the hub received.
    pub body_sha256: String,
    /// The receipt the hub issued.
    pub receipt: Option<SignedReceipt>,
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
}

impl Reconciliation {
    /// True when both sides agree exactly.
    pub fn is_clean(&self) -> bool {
        self.only_on_device.is_empty() && self.only_on_hub.is_empty()
    }
}

/// Compare a device's exported ledger with the hub's inbound ledger, by body hash.
pub fn reconcile(device_jsonl: &str, hub_jsonl: &str) -> Result<Reconciliation, String> {
    let mut out = Reconciliation::default();
    let mut device: HashMap<String, (u64, String)> = HashMap::new();
    for (i, raw) in device_jsonl.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let l: LedgerLine = serde_json::from_str(raw)
            .map_err(|_| format!("device ledger line {} is unreadable", i + 1))?;
        let body = B64
            .decode(l.body_b64.as_bytes())
            .map_err(|_| format!("device ledger line {}: bad body", i + 1))?;
        if let Ok(Some(u)) = check_body(&l.method, &l.path, &body, l.created_at_ms) {
            out.device_id = u.device_id.clone();
            device.insert(l.body_sha256.clone(), (l.seq, u.upload_id));
        }
    }
    let mut seen_on_hub = std::collections::HashSet::new();
    for (i, raw) in hub_jsonl.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let h: HubLedgerLine = serde_json::from_str(raw)
            .map_err(|_| format!("hub ledger line {} is unreadable", i + 1))?;
        if !out.device_id.is_empty() && h.device_id != out.device_id {
            continue;
        }
        if device.contains_key(&h.body_sha256) {
            if seen_on_hub.insert(h.body_sha256.clone()) {
                out.matched += 1;
            }
        } else {
            out.only_on_hub.push((h.seq, h.body_sha256));
        }
    }
    let mut missing: Vec<(u64, String)> = device
        .into_iter()
        .filter(|(hash, _)| !seen_on_hub.contains(hash))
        .map(|(_, v)| v)
        .collect();
    missing.sort();
    out.only_on_device = missing;
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
                vault
                    .record(&Decision {
                        item_id: q.item_id,
                        verdict: Verdict::Unsure,
                        intent_id: None,
                        flags: vec![Flag::MultipleIntents],
                        pii_spans: vec![Span { start: 0, end: 3 }],
                        duration_ms: 700,
                    })
                    .unwrap();
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
                    server_time_ms: 1,
                    hub_key_id: hub.key_id(),
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
            (4, 2, 4, 1, 1)
        );
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
        assert!(summaries[1]
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
        assert_eq!(err.seq, 5);
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
            duration_ms: 900,
            decided_at_ms: crate::grammar::EARLIEST_MS + 5,
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
            assert_eq!(e.seq, 5, "{field}: {e}");
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

    #[test]
    fn reconcile_matches_by_body_hash() {
        let hub = HubKey::generate().unwrap();
        let (_d, vault) = ledger_fixture(&hub);
        let lines = vault.export_ledger().unwrap();
        let uploads: Vec<&LedgerLine> = lines.iter().filter(|l| l.path == "/v1/labels").collect();
        let hub_line = |seq: u64, l: &LedgerLine| {
            serde_json::json!({"seq": seq, "device_id": DEVICE, "body_sha256": l.body_sha256, "receipt": null, "extra": 1}).to_string()
        };
        let device = export(&vault);
        let both = format!("{}\n{}\n", hub_line(1, uploads[0]), hub_line(2, uploads[1]));
        let r = reconcile(&device, &both).unwrap();
        assert!(r.is_clean() && r.matched == 2, "{r:?}");
        let partial = format!(
            "{}\n{}\n",
            hub_line(1, uploads[0]),
            serde_json::json!({"seq": 7, "device_id": DEVICE, "body_sha256": "ff", "receipt": null})
        );
        let r = reconcile(&device, &partial).unwrap();
        assert_eq!(r.matched, 1);
        assert_eq!(
            r.only_on_device,
            vec![(uploads[1].seq, format!("u_{:032x}", 1))]
        );
        assert_eq!(r.only_on_hub, vec![(7, "ff".to_string())]);
    }
}
