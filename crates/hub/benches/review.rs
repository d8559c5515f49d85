//! The manager's review endpoints on a hub holding 1,000,000 labels (500,000 messages ×
//! 2 annotators out of 20, 77 intents, annotators 70–95% accurate, 1% gold): loading
//! the labels, aggregation with Dawid–Skene and agreement, then each endpoint end to
//! end over loopback HTTP — quality, disagreements, export of the labelled messages,
//! the evaluation as JSON and as the HTML report, and /metrics — twice in the same run:
//! "before", every request recomputing everything from the store (the read model
//! bypassed), and "after", answered from the maintained read model: p95 over 10 rounds
//! after warm-up, each round first storing a new upload of labels so the store has
//! changed and a background refresh is under way (the lag each answer reports is shown).
//!
//! Run: `cargo bench -p labelvault-hub --bench review` (`LABELVAULT_BENCH_LABELS`
//! changes the number of labels; PostgreSQL too when `LABELVAULT_TEST_POSTGRES_URL`
//! names a server, e.g. under scripts/with-postgres.sh; `LABELVAULT_BENCH_STORES=sqlite`
//! or `=postgres` runs one store only; `LABELVAULT_BENCH_BEFORE=0` skips the "before"
//! recompute, which takes minutes at a million labels, to measure the answers alone).

use labelvault_core::batch::Reason;
use labelvault_core::pipeline::select::Rng;
use labelvault_core::pipeline::Message;
use labelvault_core::protocol::{SignedReceipt, WireLabel};
use labelvault_hub::quality::{self, Aggregation, Method};
use labelvault_hub::store::{DispatchBatch, NewBatch, NewCopy, Upload};
use labelvault_hub::{config, readmodel, routes, store, AppState};
use std::sync::Arc;
use std::time::Instant;

const T0: i64 = 1_760_000_000;

/// One admin GET: (body bytes, seconds, the lag it reports in ms).
fn get(url: &str, token: &str, path: &str) -> (usize, f64, u64) {
    let t = Instant::now();
    let mut r = ureq::get(&format!("{url}{path}"))
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .expect("admin call");
    let header_lag = r
        .headers()
        .get("x-labelvault-as-of")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split("; ")
                .find_map(|kv| kv.strip_prefix("lag_ms="))
                .and_then(|n| n.parse().ok())
        });
    let body = r
        .body_mut()
        .with_config()
        .limit(1 << 34)
        .read_to_vec()
        .expect("body");
    let secs = t.elapsed().as_secs_f64();
    let lag = header_lag.unwrap_or_else(|| {
        serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["as_of"]["lag_ms"].as_u64())
            .unwrap_or(0)
    });
    (body.len(), secs, lag)
}

/// A fresh PostgreSQL database on the server of `LABELVAULT_TEST_POSTGRES_URL`.
fn postgres_url(server: &str) -> String {
    let name = format!("lv_bench_review_{}", std::process::id());
    let mut c = postgres::Client::connect(server, postgres::NoTls).expect("connect");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .expect("drop database");
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    let (head, query) = server.split_at(server.find('?').unwrap_or(server.len()));
    let start = head.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match head[start..].find('/') {
        Some(j) => &head[..start + j],
        None => head,
    };
    format!("{base}/{name}{query}")
}

fn main() {
    let which = std::env::var("LABELVAULT_BENCH_STORES").unwrap_or_default();
    if which != "postgres" {
        let dir = tempfile::tempdir().expect("tempdir");
        run(
            "SQLite",
            &format!("sqlite://{}", dir.path().join("hub.db").display()),
            dir.path(),
        );
    }
    if which != "sqlite" {
        if let Ok(server) = std::env::var("LABELVAULT_TEST_POSTGRES_URL") {
            let dir = tempfile::tempdir().expect("tempdir");
            run("PostgreSQL", &postgres_url(&server), dir.path());
        }
    }
}

/// The p95 (nearest rank) of some seconds.
fn p95(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 * 0.95).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

fn run(store_name: &str, store_url: &str, dir: &std::path::Path) {
    let labels: usize = std::env::var("LABELVAULT_BENCH_LABELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let n = labels / 2;
    const ANN: usize = 20;
    const K: usize = 77;
    let key = config::load_or_create_key(dir).expect("key");
    let token = config::load_or_create_token(dir).expect("token");
    let st = store::open(store_url).expect("store");
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
    // The labels of each device's last few items are held back: stored one upload per
    // round while the "after" requests run, so the store keeps changing.
    const ROUNDS: usize = 10;
    let mut held: Vec<(usize, WireLabel)> = Vec::new();
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
            let mut wire: Vec<WireLabel> = chunk
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
            if chunk.len() < 10_000 && wire.len() > ROUNDS && held.len() < ROUNDS {
                held.push((d, wire.pop().expect("a label")));
            }
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
        "{store_name}: load {} labels: {load:.2} s; intern + majority + Dawid-Skene ({} iterations): {build:.2} s; agreement (alpha {:.3}, kappa {:.3}, {} batches, {} pairs) + annotator quality + disagreements: {qt:.2} s",
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
        store: st.clone(),
        key: Arc::new(key),
        redactor: Default::default(),
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app =
        routes::router(state.clone()).layer(axum::middleware::map_response(routes::limit_errors));
    rt.spawn(async move { axum::serve(listener, app).await });
    let reads = [
        ("quality (Dawid-Skene)", "/v1/admin/quality"),
        ("quality (majority)", "/v1/admin/quality?method=majority"),
        ("disagreements", "/v1/admin/disagreements?limit=1000"),
        ("export (jsonl)", "/v1/admin/export?format=jsonl&mark=false"),
        ("evaluation", "/v1/admin/evaluation"),
        ("evaluation.html", "/v1/admin/evaluation.html"),
        ("/metrics", "/metrics"),
    ];
    // Before: every request recomputes everything from the store.
    readmodel::set_bypass(&state, true);
    let mut before = Vec::new();
    let skip_before = std::env::var("LABELVAULT_BENCH_BEFORE").is_ok_and(|v| v == "0");
    for (name, path) in reads {
        if skip_before {
            before.push((name, f64::NAN));
            continue;
        }
        let (bytes, secs, _) = get(&url, &token, path);
        println!(
            "{store_name} before (full recompute) GET {path}: {secs:.2} s, {:.1} MB",
            bytes as f64 / 1e6
        );
        before.push((name, secs));
    }
    // After: warm-up (the hub's start does the same in the background), then rounds.
    readmodel::set_bypass(&state, false);
    let t = Instant::now();
    for (_, path) in reads {
        get(&url, &token, path);
    }
    println!(
        "{store_name} warm-up (read model built, all reads once): {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let mut after: Vec<Vec<f64>> = vec![Vec::new(); reads.len()];
    let mut lags: Vec<u64> = vec![0; reads.len()];
    for (round, (d, label)) in held.iter().enumerate() {
        let upload_id = format!("u_round_{round}");
        st.ingest(
            &Upload {
                device_id: &devices[*d],
                upload_id: &upload_id,
                body: b"{}",
                body_sha256: "00",
                labels: std::slice::from_ref(label),
                now_ms: T0 * 1000 + 9_000,
            },
            &sign,
        )
        .expect("ingest a round's label");
        for (i, (_, path)) in reads.iter().enumerate() {
            let (_, secs, lag) = get(&url, &token, path);
            after[i].push(secs);
            lags[i] = lags[i].max(lag);
        }
    }
    println!("{store_name}: read | before (full recompute, s) | after p95 over {} rounds (s) | ratio | largest lag reported (s)", held.len());
    for (i, (name, b)) in before.iter().enumerate() {
        let p = p95(&mut after[i]);
        println!(
            "{store_name}: {name} | {b:.2} | {p:.3} | {:.0}x | {:.1}",
            b / p.max(1e-6),
            lags[i] as f64 / 1000.0
        );
    }
    while readmodel::refreshing(&state) {
        std::thread::sleep(std::time::Duration::from_millis(100));
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
