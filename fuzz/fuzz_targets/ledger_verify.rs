//! The offline ledger verifier (`ledger::verify`) on arbitrary JSONL.
//!
//! Each input is verified as it is, and again after "fixing" every line that has the
//! right shape: body hash, chain link, entry hash, device signature and receipt signature
//! recomputed with the test keys (a receipt entry's receipt re-signed by the test hub
//! key). The fixed ledger reaches the checks behind the hashes (body schema, canonical
//! bodies, the label grammar, receipt pins, sequence numbers).
//!
//! Asserts: no panic; the same result twice; with and without a hub key the outcome
//! agrees except for receipt signatures; a success counts every non-blank line; a failure
//! names a non-blank line; on a ledger whose every line was fixed, no failure blames a
//! hash, the chain or a signature.
#![no_main]

use base64::Engine as _;
use labelvault_core::ledger::{self, EntryFields, GENESIS};
use labelvault_core::protocol::{self, SignedReceipt};
use labelvault_fuzz::{keys, B64};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn sha256(b: &[u8]) -> [u8; 32] {
    ledger::sha256(b)
}

/// Recompute everything the test keys can sign; `None` if the line lacks the shape.
fn fix_line(v: &mut Value, prev: &[u8; 32]) -> Option<[u8; 32]> {
    let k = keys();
    let o = v.as_object_mut()?;
    let seq = o.get("seq")?.as_u64()?;
    let created_at_ms = o.get("created_at_ms")?.as_i64()?;
    let hub_url = o.get("hub_url")?.as_str()?.to_string();
    let method = o.get("method")?.as_str()?.to_string();
    let path = o.get("path")?.as_str()?.to_string();
    let mut body = B64.decode(o.get("body_b64")?.as_str()?).ok()?;
    // A receipt entry: re-sign the receipt with the test hub key (canonical form).
    if method == ledger::RECEIPT {
        if let Ok(mut sr) = serde_json::from_slice::<SignedReceipt>(&body) {
            sr.signature = B64.encode(k.hub.sign(&protocol::receipt_message(&sr.receipt)));
            body = serde_json::to_vec(&sr).ok()?;
            o.insert("body_b64".into(), B64.encode(&body).into());
        }
    }
    let body_sha = sha256(&body);
    let h = ledger::entry_hash(&EntryFields {
        seq,
        prev_hash: prev,
        created_at_ms,
        hub_url: &hub_url,
        method: &method,
        path: &path,
        body_sha256: &body_sha,
    });
    o.insert("prev_hash".into(), hex::encode(prev).into());
    o.insert("body_sha256".into(), hex::encode(body_sha).into());
    o.insert("entry_hash".into(), hex::encode(h).into());
    o.insert(
        "device_signing_key".into(),
        k.device_public_b64.clone().into(),
    );
    let sig = k.device.sign(&ledger::signed_message(&h));
    o.insert("signature".into(), B64.encode(sig.as_ref()).into());
    Some(h)
}

/// The input with every line fixed, and whether every non-blank line could be.
fn fix(text: &str) -> (String, bool) {
    let mut prev = GENESIS;
    let mut all = true;
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        if line.trim().is_empty() {
            out.push_str(line);
        } else {
            match serde_json::from_str::<Value>(line) {
                Ok(mut v) => match fix_line(&mut v, &prev) {
                    Some(h) => {
                        prev = h;
                        out.push_str(&v.to_string());
                    }
                    None => {
                        all = false;
                        out.push_str(line);
                    }
                },
                Err(_) => {
                    all = false;
                    out.push_str(line);
                }
            }
        }
        out.push('\n');
    }
    (out, all)
}

fn check(text: &str, all_fixed: bool) {
    let hub = keys().hub_public;
    let with_hub = ledger::verify(text, Some(&hub));
    assert_eq!(
        with_hub,
        ledger::verify(text, Some(&hub)),
        "not deterministic"
    );
    let without = ledger::verify(text, None);
    let lines: Vec<&str> = text.lines().collect();
    let non_blank = lines.iter().filter(|l| !l.trim().is_empty()).count() as u64;
    match &with_hub {
        Ok(r) => {
            assert_eq!(r.entries, non_blank);
            assert!(r.receipts_verified <= r.label_uploads);
            assert!(r.awaiting_receipt <= r.label_uploads);
            let w = without
                .as_ref()
                .expect("verifies with a hub key but not without");
            assert_eq!(
                (w.entries, &w.head, w.labels),
                (r.entries, &r.head, r.labels)
            );
        }
        Err(e) => {
            assert!(e.line >= 1 && e.line <= lines.len(), "line out of range");
            assert!(!lines[e.line - 1].trim().is_empty(), "blames a blank line");
            if let Err(w) = &without {
                assert!(w.line <= e.line || e.reason.contains("receipt"));
            }
            // An unreadable line's reason quotes serde's message, which names the line's
            // own (fuzzed) field: "unknown field `entry_different device keyhash`" is not
            // the verifier blaming a key.
            if all_fixed && !e.reason.starts_with("unreadable line") {
                for r in [
                    "does not match its recorded SHA-256",
                    "entry_hash does not match",
                    "chain broken",
                    "signature does not verify",
                    "different device key",
                ] {
                    assert!(!e.reason.contains(r), "fixed ledger refused: {e}");
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check(text, false);
    let (fixed, all) = fix(text);
    check(&fixed, all);
});
