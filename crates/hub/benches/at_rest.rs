//! What encryption at rest costs: ingest and dispatch throughput with the database key
//! (SQLite: a SQLCipher file; PostgreSQL: every text sealed with AES-256-GCM under a
//! per-value data key) against the same store without it, in the same run, alternating
//! plain and encrypted rounds so that machine drift hits both alike.
//!
//! Run: `cargo bench -p labelvault-hub --bench at_rest` (PostgreSQL too when
//! `LABELVAULT_TEST_POSTGRES_URL` names a server, e.g. under scripts/with-postgres.sh;
//! `LABELVAULT_BENCH_MESSAGES` changes the count, default 20,000; `LABELVAULT_BENCH_ROUNDS`
//! the rounds, default 3).

use labelvault_core::identity::DeviceIdentity;
use labelvault_core::pipeline::Message;
use labelvault_hub::at_rest::DbKey;
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

fn messages(n: usize) -> Vec<Message> {
    (0..n)
        .map(|i| Message {
            message_id: format!("m{i}"),
            text: format!(
                "Hi, order {i} has not arrived yet and I have waited two weeks; mail me at user{i}@example.com or call +44 7700 900{:03}",
                i % 1000
            ),
            company: ["acme", "globex", "initech"][i % 3].to_string(),
            channel: "chat".into(),
            received_at: T0 + i as i64,
            model_intent: format!("intent_{}", i % 40),
            confidence: (i % 1000) as f64 / 2000.0,
            probabilities: vec![(format!("intent_{}", i % 40), 0.4)],
            reported_false_positive: false,
            training_consent: true,
            model_version: labelvault_core::pipeline::UNVERSIONED.into(),
            language: None,
        })
        .collect()
}

/// One round: ingest `msgs` into a fresh store, then dispatch them all to two devices
/// (overlap 2). Returns (ingest messages/s, dispatch items/s).
fn round(url: &str, key: Option<DbKey>, msgs: &[Message]) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let st = store::open_at_rest(url, key, Vec::new()).expect("store");
    let t = Instant::now();
    for chunk in msgs.chunks(2_000) {
        st.insert_messages(chunk, T0).expect("insert");
    }
    let ingest = msgs.len() as f64 / t.elapsed().as_secs_f64();
    let token = config::load_or_create_token(dir.path()).expect("token");
    labelvault_hub::people::register_bootstrap(&*st, &token, 30, None).expect("admin token");
    let state = AppState {
        store: st,
        key: Arc::new(config::load_or_create_key(dir.path()).expect("key")),
        redactor: Default::default(),
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let app = routes::router(state).layer(axum::middleware::map_response(routes::limit_errors));
    rt.spawn(async move { axum::serve(listener, app).await });
    for k in 0..2 {
        let created = post(
            &base,
            &token,
            "/v1/admin/annotators",
            json!({"name": format!("a{k}")}),
        );
        let p = DeviceIdentity::generate().expect("identity").public();
        ureq::post(&format!("{base}/v1/enroll"))
            .header("content-type", "application/json")
            .send(
                json!({"enrollment_code": created["enrollment_code"], "signing_key": p.signing_key, "recipient": p.recipient})
                    .to_string()
                    .as_bytes(),
            )
            .expect("enroll");
    }
    let t = Instant::now();
    let r = post(
        &base,
        &token,
        "/v1/admin/dispatch",
        json!({"selection": {"from": T0, "to": T0 + msgs.len() as i64 + 1, "low_confidence_budget": msgs.len(),
                             "max_confidence": 1.0},
               "overlap": 2, "batch_size": 1000, "gold_share": 0.0}),
    );
    let items = r["copies"].as_u64().expect("copies") as f64;
    let dispatch = items / t.elapsed().as_secs_f64();
    rt.shutdown_background();
    (ingest, dispatch)
}

/// The database URL of round `i` of a backend (a fresh database each).
type UrlOf = Box<dyn Fn(usize) -> String>;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::var("LABELVAULT_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let rounds: usize = std::env::var("LABELVAULT_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let msgs = messages(n);
    let mut backends: Vec<(&str, UrlOf)> = Vec::new();
    let sqlite_dir = tempfile::tempdir().expect("tempdir");
    let sqlite_root = sqlite_dir.path().to_path_buf();
    backends.push((
        "SQLite",
        Box::new(move |i| format!("sqlite://{}/hub{i}.db", sqlite_root.display())),
    ));
    if let Ok(server) = std::env::var("LABELVAULT_TEST_POSTGRES_URL") {
        backends.push((
            "PostgreSQL",
            Box::new(move |i| {
                let name = format!("lv_bench_at_rest_{}_{i}", std::process::id());
                let mut c = postgres::Client::connect(&server, postgres::NoTls).expect("connect");
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
            }),
        ));
    }
    println!("{n} messages per round, {rounds} round(s) each, plain and encrypted alternating");
    for (name, url_of) in &backends {
        let (mut pi, mut pd, mut ei, mut ed) = (vec![], vec![], vec![], vec![]);
        for r in 0..rounds {
            let (i, d) = round(&url_of(2 * r), None, &msgs);
            pi.push(i);
            pd.push(d);
            let (i, d) = round(
                &url_of(2 * r + 1),
                Some(DbKey::generate().expect("key")),
                &msgs,
            );
            ei.push(i);
            ed.push(d);
            println!(
                "{name} round {r}: plain ingest {:.0}/s dispatch {:.0}/s; encrypted ingest {:.0}/s dispatch {:.0}/s",
                pi[r], pd[r], ei[r], ed[r]
            );
        }
        let (pi, pd, ei, ed) = (
            median(&mut pi),
            median(&mut pd),
            median(&mut ei),
            median(&mut ed),
        );
        println!(
            "{name}: ingest {pi:.0} vs {ei:.0} messages/s encrypted ({:.2}x slower); dispatch {pd:.0} vs {ed:.0} items/s encrypted ({:.2}x slower)",
            pi / ei,
            pd / ed
        );
    }
}
