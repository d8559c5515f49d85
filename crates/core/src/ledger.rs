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

fn hex32(s: &str) -> Option<[u8; 32]> {
    let v = hex::decode(s).ok()?;
    v.try_into().ok()
}

/// Check that a body parses under its request's schema and is byte-for-byte the
/// canonical serialization: nothing else can hide in it.
pub fn check_body(method: &str, path: &str, body: &[u8]) -> Result<Option<LabelUpload>, String> {
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
            Ok(None)
        }
        ("GET", p) if p == "/v1/batches" || p.starts_with("/v1/batches/") => {
            if body.is_empty() {
                Ok(None)
            } else {
                Err("a GET request carried a body".into())
            }
        }
        _ => Err(format!("unknown request kind {method} {path}")),
    }
}

/// Verify an exported ledger offline: line format, hash chain, every device signature
/// (one device key throughout), every body under its schema, and — with `hub_key` —
/// every receipt's signature and that it acknowledges exactly this body.
pub fn verify(jsonl: &str, hub_key: Option<&[u8; 32]>) -> Result<VerifyReport, VerifyError> {
    let mut report = VerifyReport::default();
    let mut prev = GENESIS;
    let mut device_key: Option<(String, [u8; 32])> = None;
    let mut expected_seq = 1u64;
    let mut lines = 0usize;
    for (i, raw) in jsonl.lines().enumerate() {
        let line_no = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        lines += 1;
        let fail = |seq: u64, reason: String| VerifyError {
            line: line_no,
            seq,
            reason,
        };
        let l: LedgerLine = serde_json::from_str(raw).map_err(|e| {
            fail(
                expected_seq,
                format!(
                    "unreadable line ({})",
                    crate::batch::json_error_without_values(&e)
                ),
            )
        })?;
        let seq = l.seq;
        if seq != expected_seq {
            return Err(fail(
                seq,
                format!("sequence gap: expected entry {expected_seq}"),
            ));
        }
        if l.prev_hash != hex::encode(prev) {
            return Err(fail(
                seq,
                "prev_hash does not match the previous entry (chain broken)".into(),
            ));
        }
        let body = B64
            .decode(&l.body_b64)
            .map_err(|_| fail(seq, "body is not valid base64".into()))?;
        let body_hash = sha256(&body);
        if hex::encode(body_hash) != l.body_sha256 {
            return Err(fail(seq, "body does not match its recorded SHA-256".into()));
        }
        let h = entry_hash(&EntryFields {
            seq,
            prev_hash: &prev,
            created_at_ms: l.created_at_ms,
            hub_url: &l.hub_url,
            method: &l.method,
            path: &l.path,
            body_sha256: &body_hash,
        });
        if hex32(&l.entry_hash) != Some(h) {
            return Err(fail(
                seq,
                "entry_hash does not match the entry's content".into(),
            ));
        }
        let key = match &device_key {
            Some((k, pk)) if *k == l.device_signing_key => *pk,
            Some(_) => {
                return Err(fail(
                    seq,
                    "signed by a different device key than earlier entries".into(),
                ))
            }
            None => {
                let pk = identity::parse_public_key(&l.device_signing_key)
                    .map_err(|_| fail(seq, "device_signing_key is not an Ed25519 key".into()))?;
                report.device_fingerprint =
                    identity::fingerprint(&[l.device_signing_key.as_bytes()]);
                device_key = Some((l.device_signing_key.clone(), pk));
                pk
            }
        };
        let sig = B64
            .decode(&l.signature)
            .map_err(|_| fail(seq, "signature is not valid base64".into()))?;
        if !identity::verify(&key, &signed_message(&h), &sig) {
            return Err(fail(seq, "device signature does not verify".into()));
        }
        let upload = check_body(&l.method, &l.path, &body).map_err(|r| fail(seq, r))?;
        if let Some(u) = &upload {
            report.label_uploads += 1;
            report.labels += u.labels.len() as u64;
            match &l.receipt {
                None => report.awaiting_receipt += 1,
                Some(r) => {
                    if r.receipt.body_sha256 != l.body_sha256 || r.receipt.upload_id != u.upload_id
                    {
                        return Err(fail(
                            seq,
                            "the receipt acknowledges a different body".into(),
                        ));
                    }
                    if let Some(hk) = hub_key {
                        let rsig = B64.decode(&r.signature).map_err(|_| {
                            fail(seq, "receipt signature is not valid base64".into())
                        })?;
                        if !identity::verify(hk, &protocol::receipt_message(&r.receipt), &rsig) {
                            return Err(fail(
                                seq,
                                "the hub's receipt signature does not verify".into(),
                            ));
                        }
                        report.receipts_verified += 1;
                    }
                }
            }
        } else if l.receipt.is_some() {
            return Err(fail(
                seq,
                "a receipt on a request that is not a label upload".into(),
            ));
        }
        prev = h;
        expected_seq += 1;
        report.entries += 1;
    }
    let _ = lines;
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
            .decode(&l.body_b64)
            .map_err(|_| format!("device ledger line {}: bad body", i + 1))?;
        if let Ok(Some(u)) = check_body(&l.method, &l.path, &body) {
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
                br#"{"enrollment_code":"c","signing_key":"k","recipient":"r"}"#,
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
                upload_id: format!("u_{round}"),
                device_id: "d_1".into(),
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
                    device_id: "d_1".into(),
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

    #[test]
    fn reconcile_matches_by_body_hash() {
        let hub = HubKey::generate().unwrap();
        let (_d, vault) = ledger_fixture(&hub);
        let lines = vault.export_ledger().unwrap();
        let uploads: Vec<&LedgerLine> = lines.iter().filter(|l| l.path == "/v1/labels").collect();
        let hub_line = |seq: u64, l: &LedgerLine| {
            serde_json::json!({"seq": seq, "device_id": "d_1", "body_sha256": l.body_sha256, "receipt": null, "extra": 1}).to_string()
        };
        let device = export(&vault);
        let both = format!("{}\n{}\n", hub_line(1, uploads[0]), hub_line(2, uploads[1]));
        let r = reconcile(&device, &both).unwrap();
        assert!(r.is_clean() && r.matched == 2, "{r:?}");
        let partial = format!(
            "{}\n{}\n",
            hub_line(1, uploads[0]),
            serde_json::json!({"seq": 7, "device_id": "d_1", "body_sha256": "ff", "receipt": null})
        );
        let r = reconcile(&device, &partial).unwrap();
        assert_eq!(r.matched, 1);
        assert_eq!(r.only_on_device, vec![(uploads[1].seq, "u_1".to_string())]);
        assert_eq!(r.only_on_hub, vec![(7, "ff".to_string())]);
    }
}
