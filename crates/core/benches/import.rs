//! Batch import benchmark: verify + decrypt + validate + insert 100,000 sealed items
//! (~300-byte texts) into a fresh SQLCipher vault, against the same insert into plain
//! SQLite in the same run; and next-item latency at 100k items.
//!
//! Run: `cargo bench -p labelvault-core --bench import` (prints its figures).

use labelvault_core::batch::{self, input::InputItem, Alternative, Reason};
use labelvault_core::identity::HubKey;
use labelvault_core::keystore::MemoryKeyStore;
use labelvault_core::labels::{Decision, Verdict};
use labelvault_core::{Profile, Vault};
use std::time::{Duration, Instant};

const N: usize = 100_000;
const WORDS: &[&str] = &[
    "card",
    "arrived",
    "payment",
    "refund",
    "transfer",
    "account",
    "please",
    "why",
    "still",
    "pending",
    "yesterday",
    "charged",
    "twice",
    "[EMAIL_1]",
    "[NAME_1]",
    "[CARD_1]",
    "help",
    "my",
    "the",
    "app",
];

fn items() -> Vec<InputItem> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..N)
        .map(|i| {
            let mut text = String::with_capacity(320);
            while text.len() < 300 {
                text.push_str(WORDS[(rnd() % WORDS.len() as u64) as usize]);
                text.push(' ');
            }
            InputItem {
                text,
                intent: format!("intent_{}", rnd() % 77),
                confidence: (rnd() % 1000) as f64 / 1000.0,
                reason: [
                    Reason::FalsePositive,
                    Reason::LowConfidence,
                    Reason::RandomSample,
                ][i % 3],
                alternatives: vec![
                    Alternative {
                        intent: format!("intent_{}", rnd() % 77),
                        confidence: 0.1,
                    },
                    Alternative {
                        intent: format!("intent_{}", rnd() % 77),
                        confidence: 0.05,
                    },
                ],
            }
        })
        .collect()
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 * p).ceil() as usize)
        .saturating_sub(1)
        .min(v.len() - 1)]
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let keys = MemoryKeyStore::default();
    let hub = HubKey::generate().expect("hub key");
    let items = items();
    let text_bytes: usize = items.iter().map(|i| i.text.len()).sum();

    let mut enc_full = Vec::new();
    let mut enc_open = Vec::new();
    let mut screening = Vec::new();
    let mut plain_insert = Vec::new();
    let mut vault_for_latency = None;
    for round in 0..5 {
        let profile = Profile::at(&tmp.path().join(format!("p{round}"))).expect("profile");
        let mut vault = Vault::open(&profile, &keys).expect("vault");
        vault.trust_hub_key(&hub.public_key()).expect("trust");
        let recipient = vault.identity().public().recipient;
        let t = Instant::now();
        let payload =
            batch::input::build_payload(items.clone(), None, &recipient, batch::now_unix(), 86_400)
                .expect("payload");
        let sealed = batch::seal(&payload, &hub).expect("seal");
        let seal_time = t.elapsed();
        if round == 0 {
            println!(
                "batch: {N} items, {:.1} MB of text, sealed file {:.1} MB (seal took {:.0} ms)",
                text_bytes as f64 / 1e6,
                sealed.len() as f64 / 1e6,
                seal_time.as_secs_f64() * 1e3
            );
        }
        // Verify + decrypt + parse + validate only.
        let t = Instant::now();
        let opened = vault.open_batch(&sealed, batch::now_unix()).expect("open");
        enc_open.push(t.elapsed());
        // Screening every item for personal data (part of every import), on its own.
        let t = Instant::now();
        let held = labelvault_core::vault::screen_items(&opened.payload.items);
        screening.push(t.elapsed());
        assert!(
            held.iter().all(Option::is_none),
            "bench items hold no personal data"
        );
        // The whole import into the encrypted vault.
        let t = Instant::now();
        let r = vault
            .import_batch(&sealed, batch::now_unix())
            .expect("import");
        enc_full.push(t.elapsed());
        assert_eq!(r.items, N);
        // Let the vault's background checkpoint finish so it does not disturb the baseline.
        vault.wait_for_background_work();
        // Baseline: the same rows into plain SQLite, same schema and settings.
        let t = Instant::now();
        let (_, conn) = labelvault_core::vault::plain_import_for_bench(
            &tmp.path().join(format!("plain{round}.db")),
            &opened,
        )
        .expect("plain");
        plain_insert.push(t.elapsed());
        drop(conn);
        vault_for_latency = Some(vault);
    }
    let med = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (full, open, plain, screen) = (
        med(&mut enc_full),
        med(&mut enc_open),
        med(&mut plain_insert),
        med(&mut screening),
    );
    let enc_insert = full.saturating_sub(open + screen);
    println!(
        "import into SQLCipher vault (verify+decrypt+validate+insert): {:.0} ms  -> {:.0} items/s",
        full.as_secs_f64() * 1e3,
        N as f64 / full.as_secs_f64()
    );
    println!(
        "  of which verify+decrypt+parse+validate: {:.0} ms; personal-data screening: {:.0} ms ({:.1} MB/s); encrypted insert: {:.0} ms",
        open.as_secs_f64() * 1e3,
        screen.as_secs_f64() * 1e3,
        text_bytes as f64 / 1e6 / screen.as_secs_f64(),
        enc_insert.as_secs_f64() * 1e3
    );
    println!(
        "baseline insert into plain SQLite (same rows, same schema): {:.0} ms",
        plain.as_secs_f64() * 1e3
    );
    println!(
        "ratio encrypted insert / plain insert: {:.2}x",
        enc_insert.as_secs_f64() / plain.as_secs_f64()
    );
    println!(
        "ratio full encrypted import / (open + screening + plain insert): {:.2}x",
        full.as_secs_f64() / (open + screen + plain).as_secs_f64()
    );

    // Next-item latency at 100k items: a labelling loop (decisions not timed).
    let mut vault = vault_for_latency.expect("vault");
    let mut lat = Vec::with_capacity(2000);
    let mut rec = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let t = Instant::now();
        let next = vault.next_item().expect("next").expect("an item");
        lat.push(t.elapsed());
        let t = Instant::now();
        vault
            .record(&Decision {
                item_id: next.item_id,
                verdict: Verdict::Correct,
                intent_id: None,
                flags: vec![],
                pii_spans: vec![],
                duration_ms: 900,
                also_intents: Vec::new(),
            })
            .expect("record");
        rec.push(t.elapsed());
    }
    println!(
        "record a decision (committed with fsync) at {N} items: p50 {:.2} ms, p99 {:.2} ms",
        pct(&mut rec, 0.5).as_secs_f64() * 1e3,
        pct(&mut rec, 0.99).as_secs_f64() * 1e3
    );
    let (p50, p99, max) = (pct(&mut lat, 0.5), pct(&mut lat, 0.99), pct(&mut lat, 1.0));
    let dir = vault.path().parent().expect("profile").to_path_buf();
    drop(vault);
    let t = Instant::now();
    let v = Vault::open(&Profile::at(&dir).expect("profile"), &keys).expect("reopen");
    let open = t.elapsed();
    let t = Instant::now();
    let _ = v.status().expect("status");
    println!(
        "reopen a {N}-item vault (key check, integrity check, migrations): {:.0} ms; status: {:.1} ms",
        open.as_secs_f64() * 1e3,
        t.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "next-item latency at {N} items over 2000 labelling steps: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
}
