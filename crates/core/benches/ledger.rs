//! `audit verify` throughput: a device ledger of 100,000 entries (label uploads of 5
//! labels each; every other upload followed by its receipt entry), verified offline with
//! the hub key; every
//! signature checked on its own under libsodium's rules (`identity::verify`). In the same
//! run, the cost of those rules: 20,000 signatures checked with `identity::verify` and
//! with `ring`'s plain verification (which lacks the small-order and canonical-key checks).
//!
//! Run: `cargo bench -p labelvault-core --bench ledger`.

use base64::Engine as _;
use labelvault_core::identity::{DeviceIdentity, HubKey};
use labelvault_core::labels::{Flag, Verdict};
use labelvault_core::ledger::{self, LedgerLine, GENESIS};
use labelvault_core::protocol::{self, LabelUpload, Receipt, SignedReceipt, WireLabel};
use std::time::Instant;

fn main() {
    const N: u64 = 100_000;
    const LABELS: usize = 5;
    let b64 = base64::engine::general_purpose::STANDARD;
    let device = DeviceIdentity::generate().expect("identity");
    let hub = HubKey::generate().expect("hub key");
    let key = device.public().signing_key;
    let mut prev = GENESIS;
    let mut text = String::with_capacity(N as usize * 1500);
    let t = Instant::now();
    let mut seq = 0u64;
    let mut push = |method: &str, body: &[u8], text: &mut String| {
        seq += 1;
        let created_at_ms = 1_763_800_000_000 + seq as i64;
        let (line, h) = LedgerLine::signed(
            &device,
            seq,
            &prev,
            created_at_ms,
            ("http://127.0.0.1:7878", method, "/v1/labels", body),
        );
        text.push_str(&serde_json::to_string(&line).expect("json"));
        text.push('\n');
        prev = h;
        (seq, h, ledger::sha256(body), created_at_ms)
    };
    // Entries in threes: an upload answered by its receipt entry, then one awaiting.
    let mut uploads = 0u64;
    let mut receipts = 0u64;
    let mut last = 0u64;
    while last < N {
        uploads += 1;
        let upload = LabelUpload {
            upload_id: format!("u_{uploads:032x}"),
            device_id: "d_0123456789abcdef01234567".into(),
            labels: (0..LABELS)
                .map(|i| WireLabel {
                    item_id: format!("it_{:032x}", uploads * 10 + i as u64),
                    revision: 1,
                    retracted: false,
                    verdict: Some(Verdict::Wrong),
                    intent_id: Some("card_arrival".into()),
                    flags: vec![Flag::Misclassification],
                    pii_spans: vec![],
                    length_class: None,
                    duration_ms: 900,
                    decided_at_ms: 1_763_800_000_000,
                    also_intents: Vec::new(),
                })
                .collect(),
        };
        let body = serde_json::to_vec(&upload).expect("json");
        let (useq, h, body_hash, at) = push("POST", &body, &mut text);
        last = useq;
        if uploads % 2 == 1 && last < N {
            let r = Receipt {
                upload_id: upload.upload_id.clone(),
                device_id: upload.device_id.clone(),
                body_sha256: hex::encode(body_hash),
                accepted: LABELS as u32,
                duplicates: 0,
                rejected: vec![],
                server_time_ms: at,
                hub_key_id: hub.key_id(),
                device_seq: Some(useq),
                device_head: Some(hex::encode(h)),
            };
            let signature = b64.encode(hub.sign(&protocol::receipt_message(&r)));
            let signed = SignedReceipt {
                receipt: r,
                signature,
            };
            last = push(
                ledger::RECEIPT,
                &serde_json::to_vec(&signed).expect("json"),
                &mut text,
            )
            .0;
            receipts += 1;
        }
    }
    println!(
        "ledger: {N} entries, {LABELS} labels each, {:.1} MB (generated in {:.1} s)",
        text.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let hub_pk = labelvault_core::identity::parse_public_key(&hub.public_key()).expect("key");
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let r = ledger::verify(&text, Some(&hub_pk)).expect("verifies");
        times.push(t.elapsed());
        assert_eq!(r.entries, N);
        assert_eq!(r.receipts_verified, receipts);
    }
    times.sort();
    let best = times[1];
    // Strict rules vs ring alone, same messages, same thread, alternating runs.
    let msgs: Vec<Vec<u8>> = (0..20_000u32).map(|i| i.to_be_bytes().repeat(8)).collect();
    let sigs: Vec<[u8; 64]> = msgs.iter().map(|m| device.sign(m)).collect();
    let pk = labelvault_core::identity::parse_public_key(&key).expect("key");
    let ring_pk = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, pk);
    let prepared = labelvault_core::identity::StrictKey::new(&pk).expect("usable key");
    let (mut strict, mut plain, mut table) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        let t = Instant::now();
        assert!(msgs.iter().zip(&sigs).all(|(m, s)| prepared.verify(m, s)));
        table.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        assert!(msgs
            .iter()
            .zip(&sigs)
            .all(|(m, s)| labelvault_core::identity::verify(&pk, m, s)));
        strict.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        assert!(msgs
            .iter()
            .zip(&sigs)
            .all(|(m, s)| ring_pk.verify(m, s).is_ok()));
        plain.push(t.elapsed().as_secs_f64());
    }
    strict.sort_by(f64::total_cmp);
    plain.sort_by(f64::total_cmp);
    table.sort_by(f64::total_cmp);
    println!(
        "one signature on one thread: strict (ring + libsodium's checks) {:.1} us, strict with the prepared key (audit verify's path) {:.1} us, ring alone {:.1} us (prepared / ring = {:.3})",
        strict[1] / 20_000.0 * 1e6,
        table[1] / 20_000.0 * 1e6,
        plain[1] / 20_000.0 * 1e6,
        table[1] / plain[1]
    );
    println!(
        "audit verify (chain + device signatures + label grammar + {} receipt entries and signatures): {:.0} ms median -> {:.0} entries/s ({:.0} labels/s) on {} thread(s)",
        receipts,
        best.as_secs_f64() * 1e3,
        N as f64 / best.as_secs_f64(),
        (uploads as usize * LABELS) as f64 / best.as_secs_f64(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
}
