//! The outbound ledger: any appended sequence verifies; any single-byte change, dropped,
//! reordered or duplicated entry is refused, naming the entry.

use crate::identity::{DeviceIdentity, HubKey, B64};
use crate::labels::{Flag, Span, Verdict};
use crate::ledger::{self, LedgerLine, GENESIS};
use crate::protocol::{self, LabelUpload, Receipt, SignedReceipt, WireLabel};
use base64::Engine as _;
use proptest::prelude::*;
use std::sync::OnceLock;

/// Keys are costly to make; one pair serves every case.
fn keys() -> &'static (DeviceIdentity, HubKey) {
    static K: OnceLock<(DeviceIdentity, HubKey)> = OnceLock::new();
    K.get_or_init(|| {
        (
            DeviceIdentity::generate().unwrap(),
            HubKey::generate().unwrap(),
        )
    })
}

fn hub_public() -> [u8; 32] {
    crate::identity::parse_public_key(&keys().1.public_key()).unwrap()
}

/// What one entry records: a request (method, path, body) and, for a label upload,
/// whether the hub's receipt came back.
#[derive(Debug, Clone)]
enum Request {
    Enroll(String),
    ListBatches,
    GetBatch(String),
    Labels(LabelUpload, bool),
}

/// Labels as the device makes them, within the label grammar (crate::grammar): a
/// retraction carries nothing; a decision has a verdict, an intent where the verdict
/// needs one, flags in order, and disjoint spans in order with the missed_pii flag.
fn wire_label() -> impl Strategy<Value = WireLabel> {
    (
        "it_[0-9a-f]{32}",
        1u32..5,
        any::<bool>(),
        prop::sample::select(vec![
            Verdict::Correct,
            Verdict::Wrong,
            Verdict::Unsure,
            Verdict::Skip,
        ]),
        prop::option::of("[a-z_]{1,12}"),
        prop::sample::subsequence(Flag::ALL.to_vec(), 0..=4),
        prop::collection::vec((0u32..50, 1u32..20), 0..3),
        0u64..100_000,
        crate::grammar::EARLIEST_MS..1_763_000_000_000,
    )
        .prop_map(
            |(
                item_id,
                revision,
                retracted,
                verdict,
                intent_id,
                mut flags,
                spans,
                duration_ms,
                at,
            )| {
                if retracted {
                    return WireLabel {
                        item_id,
                        revision,
                        retracted,
                        verdict: None,
                        intent_id: None,
                        flags: vec![],
                        pii_spans: vec![],
                        length_class: None,
                        duration_ms: 0,
                        decided_at_ms: at,
                        also_intents: Vec::new(),
                    };
                }
                let intent_id = match verdict {
                    Verdict::Correct | Verdict::Wrong => {
                        Some(intent_id.unwrap_or_else(|| "card_arrival".into()))
                    }
                    _ => intent_id,
                };
                // Disjoint spans in order: each starts at or after the previous end.
                let mut end = 0;
                let pii_spans: Vec<Span> = spans
                    .into_iter()
                    .map(|(gap, len)| {
                        let start = end + gap;
                        end = start + len;
                        Span { start, end }
                    })
                    .collect();
                if !pii_spans.is_empty() && !flags.contains(&Flag::MissedPii) {
                    flags.push(Flag::MissedPii);
                    flags.sort();
                }
                WireLabel {
                    item_id,
                    revision,
                    retracted,
                    verdict: Some(verdict),
                    intent_id,
                    flags,
                    length_class: pii_spans
                        .last()
                        .map(|s| crate::grammar::length_class(s.end)),
                    pii_spans,
                    duration_ms,
                    decided_at_ms: at,
                    also_intents: Vec::new(),
                }
            },
        )
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        "[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}".prop_map(Request::Enroll),
        Just(Request::ListBatches),
        "b_[0-9a-f]{32}".prop_map(Request::GetBatch),
        (
            "u_[0-9a-f]{32}",
            prop::collection::vec(wire_label(), 1..4),
            any::<bool>()
        )
            .prop_map(|(upload_id, labels, acked)| Request::Labels(
                LabelUpload {
                    upload_id,
                    device_id: "d_0123456789abcdef01234567".into(),
                    labels,
                },
                acked
            )),
    ]
}

/// The ledger the vault would export for these requests, one JSON line per entry; an
/// acknowledged upload is followed by its receipt entry, which pins it.
fn build(requests: &[Request]) -> Vec<String> {
    let (device, hub) = keys();
    let signing_key = device.public().signing_key;
    let mut prev = GENESIS;
    let mut out: Vec<String> = Vec::new();
    let mut push = |method: &str, path: String, body: Vec<u8>| {
        let seq = out.len() as u64 + 1;
        let created_at_ms = 1_763_800_000_000 + seq as i64;
        let (line, h) = LedgerLine::signed(
            device,
            seq,
            &prev,
            created_at_ms,
            ("http://127.0.0.1:7878", method, &path, &body),
        );
        out.push(serde_json::to_string(&line).unwrap());
        prev = h;
        (seq, h, ledger::sha256(&body), created_at_ms)
    };
    for r in requests {
        match r {
            Request::Enroll(code) => {
                push(
                    "POST",
                    "/v1/enroll".to_string(),
                    serde_json::to_vec(&protocol::EnrollRequest {
                        enrollment_code: code.clone(),
                        signing_key: signing_key.clone(),
                        recipient: device.public().recipient,
                    })
                    .unwrap(),
                );
            }
            Request::ListBatches => {
                push("GET", "/v1/batches".to_string(), vec![]);
            }
            Request::GetBatch(id) => {
                push("GET", format!("/v1/batches/{id}"), vec![]);
            }
            Request::Labels(u, acked) => {
                let (seq, h, body_sha, at) = push(
                    "POST",
                    "/v1/labels".to_string(),
                    serde_json::to_vec(u).unwrap(),
                );
                if *acked {
                    let receipt = Receipt {
                        upload_id: u.upload_id.clone(),
                        device_id: u.device_id.clone(),
                        body_sha256: hex::encode(body_sha),
                        accepted: u.labels.len() as u32,
                        duplicates: 0,
                        rejected: vec![],
                        server_time_ms: at + 5,
                        hub_key_id: hub.key_id(),
                        device_seq: Some(seq),
                        device_head: Some(hex::encode(h)),
                    };
                    let signed = SignedReceipt {
                        signature: B64.encode(hub.sign(&protocol::receipt_message(&receipt))),
                        receipt,
                    };
                    push(
                        ledger::RECEIPT,
                        "/v1/labels".to_string(),
                        serde_json::to_vec(&signed).unwrap(),
                    );
                }
            }
        }
    }
    out
}

fn jsonl(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn verify(lines: &[String]) -> Result<ledger::VerifyReport, ledger::VerifyError> {
    ledger::verify(&jsonl(lines), Some(&hub_public()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_appended_sequence_verifies(reqs in prop::collection::vec(request(), 1..10)) {
        let lines = build(&reqs);
        let r = verify(&lines).unwrap();
        let receipts = reqs.iter().filter(|r| matches!(r, Request::Labels(_, true))).count();
        prop_assert_eq!(r.entries, (reqs.len() + receipts) as u64);
        let uploads: Vec<_> = reqs.iter().filter_map(|r| match r {
            Request::Labels(u, acked) => Some((u.labels.len() as u64, *acked)),
            _ => None,
        }).collect();
        prop_assert_eq!(r.label_uploads, uploads.len() as u64);
        prop_assert_eq!(r.labels, uploads.iter().map(|u| u.0).sum::<u64>());
        prop_assert_eq!(r.receipts_verified, uploads.iter().filter(|u| u.1).count() as u64);
        prop_assert_eq!(r.awaiting_receipt, uploads.iter().filter(|u| !u.1).count() as u64);
    }

    #[test]
    fn any_single_byte_change_is_named(
        reqs in prop::collection::vec(request(), 1..6),
        line in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        byte in 0x20u8..0x7f,
    ) {
        let mut lines = build(&reqs);
        let n = line.index(lines.len());
        let mut b = lines[n].clone().into_bytes();
        let i = at.index(b.len());
        prop_assume!(b[i] != byte);
        b[i] = byte;
        lines[n] = String::from_utf8(b).unwrap();
        let e = verify(&lines).unwrap_err();
        prop_assert_eq!(e.line, n + 1, "{}", e);
    }

    #[test]
    fn a_dropped_entry_is_named_or_moves_the_head(
        reqs in prop::collection::vec(request(), 2..8),
        drop in any::<prop::sample::Index>(),
    ) {
        let mut lines = build(&reqs);
        let head = verify(&lines).unwrap().head;
        let d = drop.index(lines.len());
        lines.remove(d);
        match verify(&lines) {
            // The entry that followed the dropped one no longer links.
            Err(e) => prop_assert_eq!((e.line, e.seq), (d + 1, d as u64 + 2)),
            // Dropping the newest entry leaves a shorter valid chain: only the head,
            // which the hub's receipts and reconciliation pin, gives it away.
            Ok(r) => {
                prop_assert_eq!(d, lines.len());
                prop_assert_ne!(r.head, head);
            }
        }
    }

    #[test]
    fn a_reordered_entry_is_named(
        reqs in prop::collection::vec(request(), 2..8),
        a in any::<prop::sample::Index>(),
        b in any::<prop::sample::Index>(),
    ) {
        let mut lines = build(&reqs);
        let (i, j) = (a.index(lines.len()), b.index(lines.len()));
        prop_assume!(i != j);
        let (i, j) = (i.min(j), i.max(j));
        lines.swap(i, j);
        let e = verify(&lines).unwrap_err();
        prop_assert_eq!(e.line, i + 1, "{}", e);
    }

    #[test]
    fn a_duplicated_entry_is_named(
        reqs in prop::collection::vec(request(), 1..8),
        a in any::<prop::sample::Index>(),
    ) {
        let mut lines = build(&reqs);
        let i = a.index(lines.len());
        lines.insert(i + 1, lines[i].clone());
        let e = verify(&lines).unwrap_err();
        prop_assert_eq!(e.line, i + 2, "{}", e);
    }
}

/// A hash written in upper case is the same number but not the same bytes: the
/// verifier must refuse it, or two different files would both verify.
#[test]
fn upper_case_hex_in_a_hash_is_refused() {
    let lines = build(&[Request::ListBatches, Request::ListBatches]);
    for field in ["\"prev_hash\":\"", "\"entry_hash\":\""] {
        let at = lines[1].find(field).unwrap() + field.len();
        let hex = &lines[1][at..at + 64];
        let Some(p) = hex.find(|c: char| c.is_ascii_lowercase()) else {
            continue;
        };
        let mut changed = lines.clone();
        changed[1].replace_range(at + p..at + p + 1, &hex[p..p + 1].to_ascii_uppercase());
        let e = verify(&changed).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }
}
