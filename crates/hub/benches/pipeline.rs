//! The hub's database-backed pipeline on 1,000,000 stored messages: ingest, the
//! candidate query (window, copies still needed), selection over it, the whole
//! `POST /v1/admin/select` over loopback, and one dispatch (redact, seal per device,
//! store) of the resulting pool to four devices with overlap 2 and 5% gold — on SQLite,
//! and on PostgreSQL too when a server is given, since a hub past one machine runs there
//! and every per-row round trip costs far more.
//!
//! Run: `cargo bench -p labelvault-hub --bench pipeline` (`LABELVAULT_BENCH_MESSAGES`
//! changes the count). PostgreSQL: `scripts/with-postgres.sh cargo bench -p
//! labelvault-hub --bench pipeline` (or set `LABELVAULT_BENCH_POSTGRES_URL` to a server;
//! the bench makes a database of its own there and drops it at the end);
//! `LABELVAULT_BENCH_STORES=postgres` (or `sqlite`) runs one store only;
//! `LABELVAULT_LOG=labelvault_hub=debug` logs how long each phase of the dispatch took.

use labelvault_core::identity::DeviceIdentity;
use labelvault_core::pipeline::select::{select, Rng, SelectionConfig, Strategy};
use labelvault_core::pipeline::Message;
use labelvault_hub::{config, routes, store, AppState};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

const T0: i64 = 1_760_000_000;

fn post(url: &str, token: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let mut r = ureq::post(&format!("{url}{path}"))
        .header("authorization", &format!("Bearer {token}"))
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
        .expect("admin call");
    serde_json::from_str(
        &r.body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .expect("body"),
    )
    .expect("json")
}

/// The PostgreSQL server to bench on, if any: `LABELVAULT_BENCH_POSTGRES_URL`, else the
/// one `scripts/with-postgres.sh` starts.
fn postgres_server() -> Option<String> {
    std::env::var("LABELVAULT_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("LABELVAULT_TEST_POSTGRES_URL"))
        .ok()
}

/// `postgres://USER@HOST:PORT/OLD?OPTS` with the database replaced by `name`.
fn with_database(server: &str, name: &str) -> String {
    let start = server.find("://").map(|i| i + 3).unwrap_or(0);
    let (head, query) = match server.find('?') {
        Some(q) => (&server[..q], &server[q..]),
        None => (server, ""),
    };
    let base = match head[start..].find('/') {
        Some(i) => &head[..start + i],
        None => head,
    };
    format!("{base}/{name}{query}")
}

/// CPU seconds this process has used so far (user and system, every thread), from
/// `/proc/self/stat`: on a shared machine a phase's CPU time moves far less with the
/// other load than its wall time, so a change is judged by both. `None` off Linux.
fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at state (field 3).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// CPU seconds the calling thread has used, from `/proc/thread-self/schedstat`
/// (nanoseconds). `None` off Linux.
fn thread_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

/// `, X.XX s CPU` from two readings, or nothing when they are unavailable.
fn cpu_between(before: Option<f64>, after: Option<f64>) -> String {
    match (before, after) {
        (Some(b), Some(a)) => format!(", {:.2} s CPU", a - b),
        _ => String::new(),
    }
}

fn main() {
    // `LABELVAULT_LOG=labelvault_hub=debug` shows the dispatch's phases.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LABELVAULT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let n: usize = std::env::var("LABELVAULT_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let only = std::env::var("LABELVAULT_BENCH_STORES").unwrap_or_default();
    if only.is_empty() || only == "sqlite" {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("hub.db");
        run(
            "SQLite",
            &format!("sqlite://{}", db.display()),
            dir.path(),
            n,
            Some(&db),
        );
    }
    if only.is_empty() || only == "postgres" {
        let Some(server) = postgres_server() else {
            println!("PostgreSQL: skipped (set LABELVAULT_BENCH_POSTGRES_URL or run under scripts/with-postgres.sh)");
            return;
        };
        let name = format!("lv_bench_{}", std::process::id());
        let mut admin = postgres::Client::connect(&server, postgres::NoTls).expect("connect");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the bench database");
        let dir = tempfile::tempdir().expect("tempdir");
        run(
            "PostgreSQL",
            &with_database(&server, &name),
            dir.path(),
            n,
            None,
        );
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

/// The whole bench on the store at `url` (`db`: the SQLite file, to report its size).
fn run(backend: &str, url: &str, dir: &std::path::Path, n: usize, db: Option<&std::path::Path>) {
    println!("== {backend}, {n} messages");
    let key = config::load_or_create_key(dir).expect("key");
    let token = config::load_or_create_token(dir).expect("token");
    let st = store::open(url).expect("store");

    // Same shape as the engine's select bench: Zipf-ish intents, 5 companies, 0.5% FPs.
    let mut rng = Rng::new(42);
    let companies = ["acme", "globex", "initech", "newco", "freshly"];
    let channels = ["chat", "email", "app"];
    let intents: Vec<String> = (0..150).map(|i| format!("intent_{i}")).collect();
    let mut make = |i: usize| {
        let r = rng.below(1000) + 1;
        let intent = &intents[(150 * 150 / (r * 150 / 10 + 10)).min(149)];
        let conf = (rng.below(1000) as f64) / 1000.0;
        let p2 = (1.0 - conf) * (rng.below(1000) as f64) / 1000.0;
        Message {
            message_id: format!("m{i}"),
            text: format!(
                "Hi, order {i} has not arrived, mail me at user{i}@example.com or call +44 7700 900{:03}",
                i % 1000
            ),
            company: companies[rng.below(companies.len())].to_string(),
            channel: channels[rng.below(channels.len())].to_string(),
            received_at: T0 + rng.below(30 * 86_400) as i64,
            model_intent: intent.clone(),
            confidence: conf,
            probabilities: vec![
                (intent.clone(), conf),
                (intents[rng.below(150)].clone(), p2),
            ],
            reported_false_positive: rng.below(1000) < 5,
            training_consent: true,
            model_version: labelvault_core::pipeline::UNVERSIONED.into(),
            language: None,
        }
    };
    let t = Instant::now();
    let mut i = 0;
    while i < n {
        let chunk: Vec<Message> = (i..(i + 20_000).min(n)).map(&mut make).collect();
        st.insert_messages(&chunk, T0).expect("insert");
        i += chunk.len();
    }
    let ingest = t.elapsed();
    println!(
        "ingest {n} messages into {backend}: {:.1} s ({:.0} messages/s){}",
        ingest.as_secs_f64(),
        n as f64 / ingest.as_secs_f64(),
        db.map(|db| format!(
            ", database {:.0} MB",
            std::fs::metadata(db).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
        ))
        .unwrap_or_default()
    );
    st.set_company("newco", true, T0).expect("company");
    st.set_company("freshly", true, T0).expect("company");
    let gold: Vec<(String, String)> = (0..200)
        .map(|k| (format!("m{}", k * 997 % n), "intent_0".to_string()))
        .collect();
    st.set_gold(&gold).expect("gold");

    let window = (T0, T0 + 30 * 86_400);
    let cfg = SelectionConfig {
        window,
        strategy: Strategy::LeastConfidence,
        low_confidence_budget: 20_000,
        max_confidence: 0.6,
        per_intent_cap: 0,
        new_companies: st.new_companies().expect("companies"),
        sample_per_company: 2_000,
        seed: 1,
        label_error_budget: 0,
    };
    for round in 0..3 {
        let t = Instant::now();
        let cpu = thread_cpu_secs();
        let found = st
            .candidates(&store::CandidateQuery {
                from: window.0,
                to: window.1,
                overlap: 2,
                now: T0 + 1,
                with_probabilities: false,
                selectable_below: Some(cfg.max_confidence),
            })
            .expect("candidates");
        let messages = found.messages;
        let q = t.elapsed();
        let q_cpu = cpu_between(cpu, thread_cpu_secs());
        let t = Instant::now();
        let pool = select(&messages, &cfg);
        let s = t.elapsed();
        println!(
            "round {round}: candidate query {:.2} s{q_cpu} ({} candidates, {} of them selectable), select {:.3} s, pool {}",
            q.as_secs_f64(),
            found.in_window,
            messages.len(),
            s.as_secs_f64(),
            pool.entries.len()
        );
    }

    // Over HTTP, as the CLI calls it; then one dispatch.
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
    let app = routes::router(state).layer(axum::middleware::map_response(routes::limit_errors));
    rt.spawn(async move { axum::serve(listener, app).await });
    for k in 0..4 {
        let created = post(
            &url,
            &token,
            "/v1/admin/annotators",
            json!({"name": format!("a{k}")}),
        );
        let id = DeviceIdentity::generate().expect("identity");
        let p = id.public();
        let mut r = ureq::post(&format!("{url}/v1/enroll"))
            .header("content-type", "application/json")
            .send(
                json!({"enrollment_code": created["enrollment_code"], "signing_key": p.signing_key, "recipient": p.recipient})
                    .to_string()
                    .as_bytes(),
            )
            .expect("enroll");
        assert_eq!(
            r.status().as_u16(),
            200,
            "{:?}",
            r.body_mut().read_to_string()
        );
    }
    let selection = json!({"from": window.0, "to": window.1, "low_confidence_budget": 20_000,
                           "max_confidence": 0.6, "sample_per_company": 2_000, "seed": 1});
    let t = Instant::now();
    let r = post(
        &url,
        &token,
        "/v1/admin/select",
        json!({"selection": selection, "overlap": 2}),
    );
    println!(
        "POST /v1/admin/select over {n} messages: {:.2} s, {} pool entries",
        t.elapsed().as_secs_f64(),
        r["entries"].as_array().map(Vec::len).unwrap_or(0)
    );
    let t = Instant::now();
    let cpu = process_cpu_secs();
    let r = post(
        &url,
        &token,
        "/v1/admin/dispatch",
        json!({"selection": selection, "overlap": 2, "batch_size": 500, "gold_share": 0.05, "lease_secs": 86_400}),
    );
    let secs = t.elapsed().as_secs_f64();
    let dispatch_cpu = cpu_between(cpu, process_cpu_secs());
    let copies = r["copies"].as_u64().unwrap_or(0) + r["gold_copies"].as_u64().unwrap_or(0);
    assert!(
        r["batches"].as_array().is_some_and(|b| !b.is_empty()),
        "the dispatch stored no batch: {r}"
    );
    println!(
        "POST /v1/admin/dispatch ({backend}): {secs:.2} s{dispatch_cpu} for {} messages → {copies} items (redacted, sealed, stored) in {} batches, {:.0} items/s",
        r["dispatched_messages"],
        r["batches"].as_array().map(Vec::len).unwrap_or(0),
        copies as f64 / secs
    );
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
