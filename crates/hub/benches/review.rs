//! The manager's review endpoints on a hub holding 1,000,000 labels (500,000 messages ×
//! 2 annotators out of 20, 77 intents, annotators 70–95% accurate, 1% gold): loading
//! the labels from SQLite, aggregation with Dawid–Skene and agreement, then each
//! endpoint end to end over loopback HTTP — quality, disagreements, export of the
//! labelled messages, the evaluation as JSON and as the HTML report, and /metrics.
//!
//! Run: `cargo bench -p labelvault-hub --bench review` (`LABELVAULT_BENCH_LABELS`
//! changes the number of labels).

use labelvault_core::batch::Reason;
use labelvault_core::pipeline::select::Rng;
use labelvault_core::pipeline::Message;
use labelvault_core::protocol::{SignedReceipt, WireLabel};
use labelvault_hub::quality::{self, Aggregation, Method};
use labelvault_hub::store::{DispatchBatch, NewBatch, NewCopy, Upload};
use labelvault_hub::{config, routes, store, AppState};
use std::sync::Arc;
use std::time::Instant;

const T0: i64 = 1_760_000_000;

fn get(url: &str, token: &str, path: &str) -> (usize, f64) {
    let t = Instant::now();
    let mut r = ureq::get(&format!("{url}{path}"))
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .expect("admin call");
    let body = r
        .body_mut()
        .with_config()
        .limit(1 << 34)
        .read_to_vec()
        .expect("body");
    (body.len(), t.elapsed().as_secs_f64())
}

fn main() {
    let labels: usize = std::env::var("LABELVAULT_BENCH_LABELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let n = labels / 2;
    const ANN: usize = 20;
    const K: usize = 77;
    let dir = tempfile::tempdir().expect("tempdir");
    let key = config::load_or_create_key(dir.path()).expect("key");
    let token = config::load_or_create_token(dir.path()).expect("token");
    let st =
        store::open(&format!("sqlite://{}", dir.path().join("hub.db").display())).expect("store");
    let t = Instant::now();
    let mut rng = Rng::new(5);
    let intents: Vec<String> = (0..K).map(|i| format!("intent_{i}")).collect();
    let truth: Vec<usize> = (0..n).map(|_| rng.below(K)).collect();
    let messages: Vec<Message> = (0..n)
        .map(|i| {
            let right = rng.below(100) < 80;
            let model = if right { truth[i] } else { rng.below(K) };
            Message {
                message_id: format!("m{i:07}"),
                text: format!(
                    "customer message {i}: my card payment did not go through, please help"
                ),
                company: ["acme", "globex", "initech", "newco", "freshly"][i % 5].into(),
                channel: "chat".into(),
                received_at: T0 + i as i64,
                model_intent: intents[model].clone(),
                confidence: (rng.below(1000) as f64) / 1000.0,
                probabilities: Vec::new(),
                reported_false_positive: false,
                training_consent: true,
                model_version: labelvault_core::pipeline::UNVERSIONED.into(),
                language: None,
            }
        })
        .collect();
    for chunk in messages.chunks(20_000) {
        st.insert_messages(chunk, T0).expect("insert");
    }
    let gold: Vec<(String, String)> = (0..n)
        .step_by(100)
        .map(|i| (format!("m{i:07}"), intents[truth[i]].clone()))
        .collect();
    st.set_gold(&gold).expect("gold");
    let mut devices = Vec::new();
    for a in 0..ANN {
        let code = format!("{a:064x}");
        st.create_annotator(&format!("a{a}"), &code, T0 + 86_400)
            .expect("annotator");
        let mut k = [0u8; 32];
        k[0] = a as u8 + 1;
        devices.push(
            st.enroll(&code, T0, &k, &format!("age1bench{a}"))
                .expect("enroll"),
        );
    }
    // Each message to two distinct devices.
    let skill: Vec<f64> = (0..ANN)
        .map(|a| 0.70 + 0.25 * a as f64 / ANN as f64)
        .collect();
    let mut per_device: Vec<Vec<(String, String, usize, bool)>> = vec![Vec::new(); ANN];
    for (i, m) in messages.iter().enumerate() {
        let a = rng.below(ANN);
        let b = (a + 1 + rng.below(ANN - 1)) % ANN;
        for d in [a, b] {
            let right = (rng.below(1000) as f64) < skill[d] * 1000.0;
            let c = if right { truth[i] } else { rng.below(K) };
            per_device[d].push((
                format!("it_{i:07}_{d}"),
                m.message_id.clone(),
                c,
                i % 100 == 0,
            ));
        }
    }
    let model_of: std::collections::HashMap<&str, &str> = messages
        .iter()
        .map(|m| (m.message_id.as_str(), m.model_intent.as_str()))
        .collect();
    let sign = |r: labelvault_core::protocol::Receipt| SignedReceipt {
        receipt: r,
        signature: String::new(),
    };
    let mut batch_no = 0;
    for (d, items) in per_device.iter().enumerate() {
        for chunk in items.chunks(10_000) {
            batch_no += 1;
            let batch_id = format!("b_{batch_no:05}");
            let item_ids: Vec<String> = chunk.iter().map(|c| c.0.clone()).collect();
            st.store_dispatch(
                &[DispatchBatch {
                    batch: NewBatch {
                        batch_id: batch_id.clone(),
                        device_id: devices[d].clone(),
                        created_at: T0,
                        expires_at: T0 + 86_400,
                        bytes: vec![0; 16],
                        item_ids: item_ids.clone(),
                        item_chars: vec![],
                        item_texts: vec![],
                        intents: intents.clone(),
                    },
                    copies: chunk
                        .iter()
                        .map(|c| NewCopy {
                            item_id: c.0.clone(),
                            message_id: c.1.clone(),
                            gold: c.3,
                            reason: Reason::LowConfidence,
                            prediction: None,
                        })
                        .collect(),
                    lease_expires_at: T0 + 86_400,
                }],
                2,
                T0,
            )
            .expect("dispatch");
            let wire: Vec<WireLabel> = chunk
                .iter()
                .map(|c| {
                    let said = &intents[c.2];
                    let correct = model_of[c.1.as_str()] == said;
                    serde_json::from_value(serde_json::json!({
                        "item_id": c.0, "revision": 1, "retracted": false,
                        "verdict": if correct { "correct" } else { "wrong" },
                        "intent_id": if correct { None } else { Some(said) },
                        "flags": [], "pii_spans": [], "duration_ms": 900, "decided_at_ms": T0 * 1000,
                    }))
                    .expect("label")
                })
                .collect();
            let upload_id = format!("u_{batch_no}");
            st.ingest(
                &Upload {
                    device_id: &devices[d],
                    upload_id: &upload_id,
                    body: b"{}",
                    body_sha256: "00",
                    labels: &wire,
                    now_ms: T0 * 1000 + 5_000,
                },
                &sign,
            )
            .expect("ingest");
        }
    }
    println!(
        "set-up: {n} messages, {} labels by {ANN} annotators, {} gold, stored in {:.0} s",
        2 * n,
        gold.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let copies = st.labelled_copies(None).expect("copies");
    let load = t.elapsed().as_secs_f64();
    let adj = st.adjudications().expect("adjudications");
    let t = Instant::now();
    let agg = Aggregation::build(copies, adj, Method::DawidSkene);
    let build = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let q = quality::quality(&agg);
    let qt = t.elapsed().as_secs_f64();
    println!(
        "load {} labels from SQLite: {load:.2} s; intern + majority + Dawid-Skene ({} iterations): {build:.2} s; agreement (alpha {:.3}, kappa {:.3}, {} batches, {} pairs) + annotator quality + disagreements: {qt:.2} s",
        agg.copies.len(),
        agg.dawid_skene.as_ref().map_or(0, |d| d.iterations),
        q.overall.alpha.unwrap_or(f64::NAN),
        q.overall.kappa.unwrap_or(f64::NAN),
        q.by_batch.len(),
        q.pairs.len()
    );
    drop(agg);

    labelvault_hub::people::register_bootstrap(&*st, &token, 30, None).expect("admin token");
    let state = AppState {
        store: st,
        key: Arc::new(key),
        redactor: Default::default(),
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = routes::router(state).layer(axum::middleware::map_response(routes::limit_errors));
    rt.spawn(async move { axum::serve(listener, app).await });
    for path in [
        "/v1/admin/quality",
        "/v1/admin/quality?method=majority",
        "/v1/admin/disagreements?limit=1000",
        "/v1/admin/export?format=jsonl&mark=false",
        "/v1/admin/export?format=chat&mark=false",
        "/v1/admin/evaluation",
        "/v1/admin/evaluation.html",
        "/metrics",
    ] {
        let (bytes, secs) = get(&url, &token, path);
        println!("GET {path}: {secs:.2} s, {:.1} MB", bytes as f64 / 1e6);
    }
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    println!("peak resident memory of the bench process (hub in-process): {peak}");
}
