//! The manager's read model, over real loopback HTTP on real stores: answers are exact
//! on a small hub right after an upload; when served from the state held (forced here
//! with a zero sync budget, as on a hub whose rebuild is slow) they say how old they are
//! and catch up after the background refresh; an erasure is never served stale; and two
//! hubs sharing one PostgreSQL database see each other's labels.

use labelvault_core::identity::DeviceIdentity;
use labelvault_core::protocol::WireLabel;
use labelvault_hub::readmodel;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

mod common;
use common::{raw, start, Backend, Hub};

on_both_stores!(
    answers_are_exact_right_after_an_upload,
    answers_from_the_state_held_report_their_lag,
    an_erasure_is_never_served_stale,
    every_export_is_on_the_access_ledger_with_its_messages,
);

const INTENTS: [&str; 3] = ["card_arrival", "card_lost", "refund"];

fn wire(item: &str, verdict: &str, intent: Option<&str>) -> WireLabel {
    serde_json::from_value(json!({"item_id": item, "revision": 1, "retracted": false, "verdict": verdict,
        "intent_id": intent, "flags": [], "pii_spans": [], "duration_ms": 5, "decided_at_ms": 1_763_800_000_000i64}))
    .unwrap()
}

/// The copies dispatched: (item id, message id, device id).
struct Items(Vec<(String, String, String)>);

/// 20 messages, two annotators, each message dispatched to both.
fn setup(h: &Hub) -> ((DeviceIdentity, String), (DeviceIdentity, String), Items) {
    let ms: Vec<Value> = (0..20)
        .map(|i| {
            json!({"message_id": format!("m{i:03}"), "text": format!("secret text {i} about my card"),
                   "company": "acme", "received_at": 1000 + i,
                   "model_intent": INTENTS[i % 3], "confidence": 0.1})
        })
        .collect();
    let (st, r) = h.post("/v1/admin/messages", json!({ "messages": ms }));
    assert_eq!(st, 200, "{r}");
    let a = h.enroll("a");
    let b = h.enroll("b");
    let (st, r) = h.post(
        "/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 100},
               "overlap": 2, "batch_size": 20, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    let items = h
        .state
        .store
        .items_jsonl()
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["item_id"].as_str().unwrap().to_string(),
                v["message_id"].as_str().unwrap().to_string(),
                v["device_id"].as_str().unwrap().to_string(),
            )
        })
        .collect::<Vec<_>>();
    assert_eq!(items.len(), 40, "each of 20 messages to both devices");
    (a, b, Items(items))
}

/// Both annotators label messages `from..to`: A confirms the model, B says `refund`.
fn label(
    url: &str,
    a: &(DeviceIdentity, String),
    b: &(DeviceIdentity, String),
    items: &Items,
    from: usize,
    to: usize,
) {
    let (mut la, mut lb) = (Vec::new(), Vec::new());
    for (item, m, dev) in &items.0 {
        let i: usize = m[1..].parse().unwrap();
        if !(from..to).contains(&i) {
            continue;
        }
        if *dev == a.1 {
            la.push(wire(item, "correct", None));
        } else if INTENTS[i % 3] == "refund" {
            lb.push(wire(item, "correct", None));
        } else {
            lb.push(wire(item, "wrong", Some("refund")));
        }
    }
    common::upload_to(url, &a.0, &a.1, la);
    common::upload_to(url, &b.0, &b.1, lb);
}

/// `GET path` on the hub at `url` with `token`: (status, X-LabelVault-As-Of, body).
fn get(url: &str, token: &str, path: &str) -> (u16, String, String) {
    let a: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = a
        .get(format!("{url}{path}"))
        .header("authorization", format!("Bearer {token}"))
        .call()
        .unwrap();
    let as_of = r
        .headers()
        .get("x-labelvault-as-of")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let status = r.status().as_u16();
    (status, as_of, r.body_mut().read_to_string().unwrap())
}

fn json_of(url: &str, token: &str, path: &str) -> Value {
    let (st, _, body) = get(url, token, path);
    assert_eq!(st, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// A value of the metrics text (`name value`).
fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
        .parse()
        .unwrap()
}

fn wait_for_refresh(h: &Hub) {
    let t = Instant::now();
    while readmodel::refreshing(&h.state) {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the refresh did not end"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn answers_are_exact_right_after_an_upload(b: Backend) {
    let h = start(b);
    let (a, b, items) = setup(&h);
    label(&h.url, &a, &b, &items, 0, 5);
    let tok = h.token.clone();
    let q = json_of(&h.url, &tok, "/v1/admin/quality");
    assert_eq!(q["counts"]["messages_labelled"], 5, "{q}");
    assert_eq!(q["as_of"]["labels"], 10, "{q}");
    assert_eq!(q["as_of"]["current"], true, "{q}");
    assert_eq!(q["as_of"]["lag_ms"], 0, "{q}");
    let (_, as_of, export) = get(&h.url, &tok, "/v1/admin/export?mark=false");
    assert_eq!(export.lines().count(), 5);
    assert!(as_of.contains("current=true"), "{as_of}");
    // More labels: every read sees them at once.
    label(&h.url, &a, &b, &items, 5, 12);
    let q = json_of(&h.url, &tok, "/v1/admin/quality");
    assert_eq!(q["counts"]["messages_labelled"], 12, "{q}");
    assert_eq!(q["as_of"]["labels"], 24, "{q}");
    let d = json_of(&h.url, &tok, "/v1/admin/disagreements");
    // B said refund where the model did not: messages 0..12 not ≡ 2 (mod 3).
    let want = (0..12).filter(|i| i % 3 != 2).count();
    assert_eq!(d["total"], want, "{d}");
    assert_eq!(d["as_of"]["current"], true, "{d}");
    let (_, _, export) = get(&h.url, &tok, "/v1/admin/export?mark=false");
    assert_eq!(export.lines().count(), 12);
    let e = json_of(&h.url, &tok, "/v1/admin/evaluation?method=majority");
    assert_eq!(e["as_of"]["labels"], 24, "{e}");
    let (_, as_of, m) = get(&h.url, &tok, "/metrics");
    assert_eq!(metric(&m, "labelvault_messages_labelled"), 12.0);
    assert_eq!(metric(&m, "labelvault_read_model_lag_seconds"), 0.0);
    assert!(as_of.contains("labels=24"), "{as_of}");
    // An adjudication is seen at once too.
    let (st, r) = h.post(
        "/v1/admin/adjudications",
        json!({"message_id": "m000", "intent": "card_arrival"}),
    );
    assert_eq!(st, 200, "{r}");
    let d = json_of(&h.url, &tok, "/v1/admin/disagreements");
    assert_eq!(d["open"], want - 1, "{d}");
    assert_eq!(d["as_of"]["adjudications"], 1, "{d}");
}

fn answers_from_the_state_held_report_their_lag(b: Backend) {
    let h = start(b);
    let (a, b, items) = setup(&h);
    label(&h.url, &a, &b, &items, 0, 5);
    let tok = h.token.clone();
    // As on a hub whose rebuild takes longer than the sync budget.
    readmodel::set_sync_budget(&h.state, Duration::ZERO);
    let q = json_of(&h.url, &tok, "/v1/admin/quality");
    assert_eq!(q["counts"]["messages_labelled"], 5, "{q}");
    assert_eq!(q["as_of"]["current"], true, "{q}");
    get(&h.url, &tok, "/metrics");
    label(&h.url, &a, &b, &items, 5, 12);
    std::thread::sleep(Duration::from_millis(30));
    // Served at once from the state held, saying it is behind.
    let q = json_of(&h.url, &tok, "/v1/admin/quality");
    assert_eq!(q["counts"]["messages_labelled"], 5, "{q}");
    assert_eq!(q["as_of"]["current"], false, "{q}");
    assert_eq!(q["as_of"]["labels"], 10, "{q}");
    assert!(q["as_of"]["lag_ms"].as_u64().unwrap() >= 30, "{q}");
    // The refresh runs in the background; afterwards the answers are current.
    wait_for_refresh(&h);
    let q = json_of(&h.url, &tok, "/v1/admin/quality");
    assert_eq!(q["counts"]["messages_labelled"], 12, "{q}");
    assert_eq!(q["as_of"]["current"], true, "{q}");
    assert_eq!(q["as_of"]["lag_ms"], 0, "{q}");
    // The same for the export and /metrics (their freshness in the header, and a gauge).
    let (_, as_of, export) = get(&h.url, &tok, "/v1/admin/export?mark=false");
    assert_eq!(export.lines().count(), 12);
    assert!(as_of.contains("current=true"), "{as_of}");
    label(&h.url, &a, &b, &items, 12, 20);
    std::thread::sleep(Duration::from_millis(30));
    let (_, as_of, export) = get(&h.url, &tok, "/v1/admin/export?mark=false");
    assert_eq!(export.lines().count(), 12, "served from the state held");
    assert!(as_of.contains("current=false"), "{as_of}");
    let (_, as_of, m) = get(&h.url, &tok, "/metrics");
    assert!(as_of.contains("current=false"), "{as_of}");
    assert!(
        metric(&m, "labelvault_read_model_lag_seconds") >= 0.03,
        "{m}"
    );
    wait_for_refresh(&h);
    let (_, as_of, export) = get(&h.url, &tok, "/v1/admin/export?mark=false");
    assert_eq!(export.lines().count(), 20);
    assert!(as_of.contains("current=true"), "{as_of}");
}

fn an_erasure_is_never_served_stale(b: Backend) {
    let h = start(b);
    let (a, b, items) = setup(&h);
    label(&h.url, &a, &b, &items, 0, 10);
    let tok = h.token.clone();
    readmodel::set_sync_budget(&h.state, Duration::ZERO);
    let (_, _, export) = get(&h.url, &tok, "/v1/admin/export?mark=false");
    assert!(export.contains("secret text 3 about"), "{export}");
    // New labels: the state held is now behind (and answers are served from it)...
    label(&h.url, &a, &b, &items, 10, 20);
    let (st, r) = h.post("/v1/admin/erase", json!({"message_ids": ["m003"]}));
    assert_eq!(st, 200, "{r}");
    // ...but nothing derived from text is served from before the erasure.
    let (st, as_of, export) = get(&h.url, &tok, "/v1/admin/export?mark=false");
    assert_eq!(st, 200);
    assert!(!export.contains("secret text 3 about"), "{export}");
    assert!(export.contains("secret text 4 about"), "{export}");
    let (_, _, _, erased) = raw(
        "GET",
        &format!("{}/v1/admin/export?mark=false", h.url),
        &h.auth(),
        b"",
    );
    assert!(!erased.contains("secret text 3 about"));
    let d = json_of(
        &h.url,
        &tok,
        "/v1/admin/disagreements?with_text=true&include_adjudicated=true",
    );
    assert!(!d.to_string().contains("secret text 3 about"), "{d}");
    // After the refresh too.
    wait_for_refresh(&h);
    let (_, as_of2, export) = get(&h.url, &tok, "/v1/admin/export?mark=false");
    assert!(!export.contains("secret text 3 about"), "{export}");
    assert!(!as_of.is_empty() && !as_of2.is_empty());
}

/// The message ids of an export body's lines, in order.
fn exported_ids(body: &str) -> Vec<String> {
    body.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Each export — the body made, served again from memory, another shape, remade after
/// an erasure — leaves its own signed, chained entry on the access ledger naming
/// exactly the messages whose text it holds (the ids are kept with the body and their
/// ledger forms computed once, which must not change what an entry says).
fn every_export_is_on_the_access_ledger_with_its_messages(b: Backend) {
    let h = start(b);
    let (a, b, items) = setup(&h);
    label(&h.url, &a, &b, &items, 0, 12);
    let tok = h.token.clone();
    let mut bodies = Vec::new();
    for path in [
        "/v1/admin/export?mark=false",
        "/v1/admin/export?mark=false",
        "/v1/admin/export?mark=false&part=train",
    ] {
        let (st, _, body) = get(&h.url, &tok, path);
        assert_eq!(st, 200, "{body}");
        bodies.push(exported_ids(&body));
    }
    assert_eq!(bodies[0].len(), 12);
    assert_eq!(bodies[0], bodies[1], "served again from memory");
    assert!(bodies[2].len() < 12, "the train part only");
    let (st, r) = h.post("/v1/admin/erase", json!({"message_ids": ["m003"]}));
    assert_eq!(st, 200, "{r}");
    let (_, _, body) = get(&h.url, &tok, "/v1/admin/export?mark=false");
    bodies.push(exported_ids(&body));
    assert_eq!(bodies[3].len(), 11);
    assert!(!bodies[3].contains(&"m003".to_string()));

    let (st, _, ledger) = get(&h.url, &tok, "/v1/admin/access-ledger");
    assert_eq!(st, 200, "{ledger}");
    let hub_key = labelvault_core::identity::parse_public_key(&h.state.key.public_key()).unwrap();
    let (lines, _) = labelvault_core::access::verify(&ledger, &hub_key).unwrap();
    let exports: Vec<&labelvault_core::access::AccessLine> = lines
        .iter()
        .filter(|l| l.path == "/v1/admin/export")
        .collect();
    assert_eq!(exports.len(), 4, "one entry per export");
    for (l, ids) in exports.iter().zip(&bodies) {
        assert_eq!(l.act, "raw_text_read");
        assert_eq!(l.status, 200);
        assert_eq!(&l.message_ids, ids);
    }
    assert_ne!(exports[0].entry_hash, exports[1].entry_hash);
}

/// A second hub on the same PostgreSQL database (its own key, token and read model).
fn second_hub(url: &str) -> (String, String, tokio::runtime::Runtime, tempfile::TempDir) {
    use labelvault_hub::{config, routes, store, AppState};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let key = config::load_or_create_key(dir.path()).unwrap();
    let token = config::load_or_create_token(dir.path()).unwrap();
    let store = store::open(url).unwrap();
    labelvault_hub::people::register_bootstrap(&*store, &token, 30, None).unwrap();
    let state = AppState {
        store,
        key: Arc::new(key),
        redactor: Default::default(),
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let hub_url = format!("http://{}", listener.local_addr().unwrap());
    let app = routes::router(state).layer(axum::middleware::map_response(routes::limit_errors));
    rt.spawn(async move { axum::serve(listener, app).await });
    (hub_url, token.as_str().to_string(), rt, dir)
}

#[test]
fn two_hubs_on_one_postgres_database_see_each_others_labels() {
    let Some(backend) = Backend::postgres("two_hubs_read_model") else {
        return;
    };
    let db_url = match &backend {
        Backend::Postgres(db) => db.url.clone(),
        Backend::Sqlite => unreachable!(),
    };
    let h = start(backend);
    let (a, b, items) = setup(&h);
    let (other, other_token, _rt, _dir) = second_hub(&db_url);
    label(&h.url, &a, &b, &items, 0, 5);
    // Both read models built.
    let q = json_of(&other, &other_token, "/v1/admin/quality");
    assert_eq!(q["counts"]["messages_labelled"], 5, "{q}");
    assert_eq!(
        json_of(&h.url, &h.token, "/v1/admin/quality")["counts"]["messages_labelled"],
        5
    );
    // Labels stored through the other hub: this hub sees them at once.
    label(&other, &a, &b, &items, 5, 9);
    let q = json_of(&h.url, &h.token, "/v1/admin/quality");
    assert_eq!(q["counts"]["messages_labelled"], 9, "{q}");
    assert_eq!(q["as_of"]["current"], true, "{q}");
    // And the other way round, export included.
    label(&h.url, &a, &b, &items, 9, 14);
    let q = json_of(&other, &other_token, "/v1/admin/quality");
    assert_eq!(q["counts"]["messages_labelled"], 14, "{q}");
    let (_, _, export) = get(&other, &other_token, "/v1/admin/export?mark=false");
    assert_eq!(export.lines().count(), 14);
    assert!(export.contains("secret text 2 about"));
    // An erasure through this hub: the other hub's export no longer holds the text.
    let (st, r) = h.post("/v1/admin/erase", json!({"message_ids": ["m002"]}));
    assert_eq!(st, 200, "{r}");
    let (_, _, export) = get(&other, &other_token, "/v1/admin/export?mark=false");
    assert!(!export.contains("secret text 2 about"), "{export}");
    assert_eq!(export.lines().count(), 13);
}
