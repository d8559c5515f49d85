//! The retraining webhook against a real receiver on loopback HTTP: each event is
//! signed with the hub's key (checked here with the public key; a tampered body fails),
//! retried on 503 until delivered, not retried on 400, retried while the receiver is
//! unreachable, resumed by a restarted hub, sent once per due episode, recorded attempt
//! by attempt (`GET /v1/admin/webhook-deliveries`, metrics) and free of message text.

use base64::Engine as _;
use labelvault_core::identity::DeviceIdentity;
use labelvault_core::protocol::WireLabel;
use labelvault_hub::webhook::{self, Retry, WebhookConfig, WebhookUrl};
use labelvault_hub::{config, routes, store, AppState};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::Backend;

on_both_stores!(
    signed_retried_recorded_once_per_episode,
    a_refusal_is_not_retried,
    an_unreachable_receiver_is_retried_until_the_attempts_run_out,
    a_restarted_hub_resumes_a_pending_delivery,
    a_late_attempt_never_overwrites_a_newer_record,
    an_event_whose_episode_ended_is_superseded_not_sent,
    webhook_history_survives_the_superseded_migration,
);

/// Distinctive message text and ids: none of it may reach the receiver.
const SECRET_TEXT: &str = "Quokka-Zebra-7731 my card never arrived";
const ID_PREFIX: &str = "msgZQX";

/// A hub served in-process on one store, its store URL kept so a test can open the
/// same database again (a restart).
struct Hub {
    url: String,
    state: AppState,
    token: String,
    store_url: String,
    _dir: tempfile::TempDir,
    _rt: tokio::runtime::Runtime,
    _backend: Backend,
}

fn start(backend: Backend) -> Hub {
    let dir = tempfile::tempdir().unwrap();
    let key = config::load_or_create_key(dir.path()).unwrap();
    let token = config::load_or_create_token(dir.path()).unwrap();
    let store_url = backend.url(dir.path());
    let store = store::open(&store_url).unwrap();
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
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app =
        routes::router(state.clone()).layer(axum::middleware::map_response(routes::limit_errors));
    rt.spawn(async move { axum::serve(listener, app).await });
    Hub {
        url,
        state,
        token: token.as_str().to_string(),
        store_url,
        _dir: dir,
        _rt: rt,
        _backend: backend,
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

impl Hub {
    fn get_text(&self, path: &str) -> (u16, String) {
        let mut r = agent()
            .get(format!("{}{path}", self.url))
            .header("authorization", format!("Bearer {}", self.token))
            .call()
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    }

    fn post_ok(&self, path: &str, body: Value) -> Value {
        let mut r = agent()
            .post(format!("{}{path}", self.url))
            .header("authorization", format!("Bearer {}", self.token))
            .header("content-type", "application/json")
            .send(body.to_string().as_bytes())
            .unwrap();
        let st = r.status().as_u16();
        let t = r.body_mut().read_to_string().unwrap();
        assert_eq!(st, 200, "{path}: {t}");
        serde_json::from_str(&t).unwrap()
    }

    fn deliveries(&self) -> Vec<Value> {
        let (st, t) = self.get_text("/v1/admin/webhook-deliveries");
        assert_eq!(st, 200, "{t}");
        let v: Value = serde_json::from_str(&t).unwrap();
        v["deliveries"].as_array().unwrap().clone()
    }

    /// Ingest `n` messages, set the threshold to `threshold`, enroll a device and
    /// dispatch every message to it; returns the device and its item ids.
    fn prepare(&self, n: usize, threshold: u64) -> (DeviceIdentity, String, Vec<String>) {
        let ms: Vec<Value> = (0..n)
            .map(|i| {
                json!({"message_id": format!("{ID_PREFIX}{i:03}"), "text": format!("{SECRET_TEXT} #{i}"),
                       "company": "acme", "received_at": 1000 + i, "model_intent": "card_arrival",
                       "confidence": 0.1})
            })
            .collect();
        self.post_ok("/v1/admin/messages", json!({ "messages": ms }));
        self.post_ok(
            "/v1/admin/retrain/threshold",
            json!({ "threshold": threshold }),
        );
        let a = self.post_ok("/v1/admin/annotators", json!({ "name": "ann" }));
        let id = DeviceIdentity::generate().unwrap();
        let p = id.public();
        let mut r = agent()
            .post(format!("{}/v1/enroll", self.url))
            .header("content-type", "application/json")
            .send(
                json!({"enrollment_code": a["enrollment_code"], "signing_key": p.signing_key, "recipient": p.recipient})
                    .to_string()
                    .as_bytes(),
            )
            .unwrap();
        let r: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        let dev = r["device_id"].as_str().unwrap().to_string();
        self.post_ok(
            "/v1/admin/dispatch",
            json!({"selection": {"from": 0, "to": 10_000, "max_confidence": 1.0, "low_confidence_budget": 1000},
                   "overlap": 1, "batch_size": 100, "gold_share": 0.0}),
        );
        let items: Vec<String> = self
            .state
            .store
            .items_jsonl()
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["item_id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(items.len(), n);
        (id, dev, items)
    }

    /// Upload a "correct" label for each of `items`.
    fn label(&self, id: &DeviceIdentity, dev: &str, items: &[String]) {
        let labels: Vec<WireLabel> = items
            .iter()
            .map(|it| {
                serde_json::from_value(json!({"item_id": it, "revision": 1, "retracted": false,
                    "verdict": "correct", "intent_id": null, "flags": [], "pii_spans": [],
                    "duration_ms": 5, "decided_at_ms": 1_763_800_000_000i64}))
                .unwrap()
            })
            .collect();
        common::upload_to(&self.url, id, dev, labels);
    }

    fn public_key(&self) -> [u8; 32] {
        labelvault_core::identity::parse_public_key(&self.state.key.public_key()).unwrap()
    }
}

/// One request as the receiver saw it.
#[derive(Clone, Debug)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    key_id: String,
    /// Every header, name and value, as raw bytes.
    headers: Vec<u8>,
    body: Vec<u8>,
}

/// A webhook receiver on a loopback port: answers the scripted statuses in turn, then
/// 200, and keeps every request.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    _rt: tokio::runtime::Runtime,
}

fn receiver(script: &[u16]) -> Receiver {
    use axum::http::{HeaderMap, StatusCode};
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let script = Arc::new(Mutex::new(script.to_vec()));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}/hooks/retrain", listener.local_addr().unwrap());
    let g = got.clone();
    let app = axum::Router::new().route(
        "/hooks/retrain",
        axum::routing::post(move |h: HeaderMap, body: axum::body::Bytes| {
            let (g, script) = (g.clone(), script.clone());
            async move {
                let hv = |n: &str| {
                    h.get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string()
                };
                let mut headers = Vec::new();
                for (k, v) in &h {
                    headers.extend_from_slice(k.as_str().as_bytes());
                    headers.extend_from_slice(v.as_bytes());
                }
                g.lock().unwrap().push(Received {
                    id: hv(webhook::H_ID),
                    timestamp: hv(webhook::H_TIMESTAMP),
                    signature: hv(webhook::H_SIGNATURE),
                    key_id: hv(webhook::H_KEY_ID),
                    headers,
                    body: body.to_vec(),
                });
                let mut s = script.lock().unwrap();
                let code = if s.is_empty() { 200 } else { s.remove(0) };
                StatusCode::from_u16(code).unwrap()
            }
        }),
    );
    rt.spawn(async move { axum::serve(listener, app).await });
    Receiver { url, got, _rt: rt }
}

impl Receiver {
    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

/// A webhook worker on its own runtime (dropping it stops the worker, as a hub's exit).
struct Worker(Option<tokio::runtime::Runtime>);

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

fn run_worker(state: &AppState, url: &str, max_attempts: u32, first_delay_ms: u64) -> Worker {
    let cfg = WebhookConfig {
        url: WebhookUrl::parse(url).unwrap(),
        check_every: Duration::from_millis(40),
        timeout: Duration::from_secs(5),
        retry: Retry {
            max_attempts,
            first_delay: Duration::from_millis(first_delay_ms),
            max_delay: Duration::from_secs(2),
        },
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (s, k) = (state.store.clone(), state.key.clone());
    rt.spawn(async move {
        webhook::spawn(s, k, cfg);
    });
    Worker(Some(rt))
}

/// Wait (at most 20 s) until `f` holds.
fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < Duration::from_secs(20), "timed out: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn states(d: &Value) -> Vec<String> {
    d["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["state"].as_str().unwrap().to_string())
        .collect()
}

/// The Python recipe of docs/webhook.md, run as written there: the event verifies,
/// the same event with its body changed does not. Skipped (said so) without python3 and
/// its `cryptography` package.
fn python_recipe_agrees(h: &Hub, r: &Received) {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let has = Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        eprintln!("skipping the Python recipe of docs/webhook.md: no python3 with cryptography");
        return;
    }
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/webhook.md"
    ))
    .unwrap();
    let script = doc
        .split("<!-- verify.py -->\n```python\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/webhook.md holds the verify.py block");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("verify.py"), script).unwrap();
    std::fs::write(
        dir.path().join("hub.pem"),
        labelvault_core::identity::public_key_pem(&h.public_key()),
    )
    .unwrap();
    let run = |body: &[u8]| {
        let mut c = Command::new("python3")
            .current_dir(dir.path())
            .args(["verify.py", "hub.pem", &r.id, &r.timestamp, &r.signature])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(body).unwrap();
        let o = c.wait_with_output().unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    let (ok, out) = run(&r.body);
    assert!(ok && out.trim() == "ok", "{out}");
    let mut tampered = r.body.clone();
    tampered.push(b' ');
    let (ok, out) = run(&tampered);
    assert!(!ok && out.contains("bad signature"), "{out}");
}

/// Nothing about any message reached the receiver: not its text, not its id.
fn assert_no_message_data(got: &[Received]) {
    for r in got {
        for bytes in [&r.body, &r.headers] {
            let s = String::from_utf8_lossy(bytes);
            assert!(!s.contains("Quokka"), "message text sent: {s}");
            assert!(!s.contains(ID_PREFIX), "message id sent: {s}");
        }
    }
}

fn signed_retried_recorded_once_per_episode(b: Backend) {
    let h = start(b);
    let rx = receiver(&[503, 503]);
    let (dev_key, dev, items) = h.prepare(8, 3);
    let _w = run_worker(&h.state, &rx.url, 6, 30);
    // Below the threshold: nothing is sent.
    h.label(&dev_key, &dev, &items[..2]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(rx.got().is_empty());
    assert!(h.deliveries().is_empty());
    // Due: 503, 503, then 200.
    h.label(&dev_key, &dev, &items[2..3]);
    wait_for("the first event delivered", || {
        h.deliveries()
            .first()
            .is_some_and(|d| d["state"] == "delivered")
    });
    let got = rx.got();
    assert_eq!(got.len(), 3, "{got:?}");
    let pk = h.public_key();
    let first: Value = serde_json::from_slice(&got[0].body).unwrap();
    let event_id = first["event_id"].as_str().unwrap().to_string();
    for r in &got {
        // Every attempt carries the same event, signed over the tag, then
        // id.timestamp.body; the same bytes without the tag do not verify.
        assert_eq!(r.id, event_id);
        assert_eq!(r.body, got[0].body);
        assert_eq!(r.key_id, h.state.key.key_id());
        let ts: i64 = r.timestamp.parse().unwrap();
        assert!((ts - labelvault_core::batch::now_unix()).abs() < 60);
        assert!(webhook::verify(&pk, &r.id, ts, &r.body, &r.signature));
        let sig = base64::engine::general_purpose::STANDARD
            .decode(&r.signature)
            .unwrap();
        let mut untagged = format!("{}.{ts}.", r.id).into_bytes();
        untagged.extend_from_slice(&r.body);
        assert!(!labelvault_core::identity::verify(&pk, &untagged, &sig));
        let mut tagged = b"labelvault/webhook/v1\0".to_vec();
        tagged.extend_from_slice(&untagged);
        assert!(labelvault_core::identity::verify(&pk, &tagged, &sig));
        // A tampered body, id or time fails.
        let mut tampered = r.body.clone();
        let at = tampered.iter().position(|&c| c == b'3').unwrap();
        tampered[at] = b'9';
        assert!(!webhook::verify(&pk, &r.id, ts, &tampered, &r.signature));
        assert!(!webhook::verify(&pk, "wh_other", ts, &r.body, &r.signature));
        assert!(!webhook::verify(&pk, &r.id, ts + 1, &r.body, &r.signature));
    }
    python_recipe_agrees(&h, &got[2]);
    assert_eq!(first["type"], "retraining_due");
    assert_eq!(first["new_labels"], 3);
    assert_eq!(first["threshold"], 3);
    assert_eq!(first["hub_key_id"], h.state.key.key_id());
    assert!(first["since_mark_at"].is_null());
    assert!(first["created_at"].as_str().unwrap().ends_with('Z'));
    // Recorded attempt by attempt.
    let d = h.deliveries();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["event_id"], event_id.as_str());
    let statuses: Vec<Value> = d[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!(503), json!(503), json!(200)]);
    assert_eq!(states(&d[0]), vec!["pending", "pending", "delivered"]);
    let a = d[0]["attempts"].as_array().unwrap();
    assert!(a[0]["next_attempt_at_ms"].as_i64().unwrap() >= a[0]["at_ms"].as_i64().unwrap());
    assert!(a[2]["next_attempt_at_ms"].is_null());
    assert_eq!(
        a.iter()
            .map(|a| a["attempt"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    // Still due, more labels, many checks later: no second event in this episode.
    h.label(&dev_key, &dev, &items[3..4]);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(rx.got().len(), 3);
    assert_eq!(h.deliveries().len(), 1);
    // A training mark opens a new episode: not due until three more labels.
    h.post_ok("/v1/admin/retrain/mark", json!({"kind": "training"}));
    std::thread::sleep(Duration::from_millis(50));
    h.label(&dev_key, &dev, &items[4..6]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rx.got().len(), 3);
    h.label(&dev_key, &dev, &items[6..7]);
    wait_for("the second episode's event delivered", || {
        let d = h.deliveries();
        d.len() == 2 && d[0]["state"] == "delivered"
    });
    let got = rx.got();
    assert_eq!(got.len(), 4);
    let second: Value = serde_json::from_slice(&got[3].body).unwrap();
    assert_ne!(second["event_id"], first["event_id"]);
    assert_eq!(second["new_labels"], 3);
    assert!(second["since_mark_at"].as_str().unwrap().ends_with('Z'));
    assert_no_message_data(&got);
    // The metrics count both.
    let (_, m) = h.get_text("/metrics");
    assert!(
        m.contains("labelvault_webhook_deliveries_total{state=\"delivered\"} 2"),
        "{m}"
    );
    assert!(m.contains("labelvault_webhook_pending 0"), "{m}");
}

fn a_refusal_is_not_retried(b: Backend) {
    let h = start(b);
    let rx = receiver(&[400]);
    let (dev_key, dev, items) = h.prepare(2, 2);
    let _w = run_worker(&h.state, &rx.url, 6, 20);
    h.label(&dev_key, &dev, &items);
    wait_for("the event failed", || {
        h.deliveries()
            .first()
            .is_some_and(|d| d["state"] == "failed")
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rx.got().len(), 1);
    let d = h.deliveries();
    assert_eq!(d[0]["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(d[0]["attempts"][0]["status"], 400);
    assert_eq!(states(&d[0]), vec!["failed"]);
    assert!(d[0]["next_attempt_at_ms"].is_null());
    assert_no_message_data(&rx.got());
    let (_, m) = h.get_text("/metrics");
    assert!(
        m.contains("labelvault_webhook_deliveries_total{state=\"failed\"} 1"),
        "{m}"
    );
}

/// A loopback URL nothing listens on (a port bound, then released).
fn unreachable_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}/hooks/retrain")
}

fn an_unreachable_receiver_is_retried_until_the_attempts_run_out(b: Backend) {
    let h = start(b);
    let (dev_key, dev, items) = h.prepare(2, 2);
    let _w = run_worker(&h.state, &unreachable_url(), 3, 30);
    h.label(&dev_key, &dev, &items);
    wait_for("the event failed", || {
        h.deliveries()
            .first()
            .is_some_and(|d| d["state"] == "failed")
    });
    let d = h.deliveries();
    let a = d[0]["attempts"].as_array().unwrap();
    assert_eq!(a.len(), 3, "{d:?}");
    for x in a {
        assert!(x["status"].is_null());
        assert_eq!(x["error"], "connect", "{x}");
    }
    assert_eq!(states(&d[0]), vec!["pending", "pending", "failed"]);
    // The waits grow: the second gap is longer than the first (30 ms then 60 ms, ±20 %).
    let at: Vec<i64> = a.iter().map(|x| x["at_ms"].as_i64().unwrap()).collect();
    assert!(at[1] - at[0] >= 24 && at[2] - at[1] >= 48, "{at:?}");
}

fn a_restarted_hub_resumes_a_pending_delivery(b: Backend) {
    let h = start(b);
    let (dev_key, dev, items) = h.prepare(2, 2);
    // The first hub process cannot reach the receiver and stops with the event pending.
    let w = run_worker(&h.state, &unreachable_url(), 6, 150);
    h.label(&dev_key, &dev, &items);
    wait_for("two attempts", || {
        h.deliveries()
            .first()
            .is_some_and(|d| d["attempts"].as_array().unwrap().len() >= 2)
    });
    drop(w);
    let before = h.deliveries();
    assert_eq!(before[0]["state"], "pending");
    let n = before[0]["attempts"].as_array().unwrap().len();
    // Restarted on the same database (opened afresh), the receiver now up.
    let rx = receiver(&[]);
    let state = AppState {
        store: store::open(&h.store_url).unwrap(),
        key: h.state.key.clone(),
        redactor: Default::default(),
    };
    let _w = run_worker(&state, &rx.url, 6, 150);
    wait_for("the event delivered", || {
        h.deliveries()
            .first()
            .is_some_and(|d| d["state"] == "delivered")
    });
    let d = h.deliveries();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["event_id"], before[0]["event_id"]);
    let a = d[0]["attempts"].as_array().unwrap();
    assert_eq!(a.len(), n + 1);
    assert_eq!(a[n]["attempt"], (n + 1) as u64);
    assert_eq!(a[n]["status"], 200);
    let got = rx.got();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, before[0]["event_id"].as_str().unwrap());
    assert!(webhook::verify(
        &h.public_key(),
        &got[0].id,
        got[0].timestamp.parse().unwrap(),
        &got[0].body,
        &got[0].signature
    ));
    assert_no_message_data(&got);
}

/// Two hubs on one database: hub B claims the event after hub A's lease ran out and
/// records its attempt first. A's late record of the same attempt is refused and changes
/// nothing; so is any record once the event is final.
fn a_late_attempt_never_overwrites_a_newer_record(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = b.url(dir.path());
    let store = store::open(&url).unwrap();
    assert!(store.webhook_enqueue(0, "wh_late", "{}", 1_000).unwrap());
    let a = store.webhook_claim(1_000, 2_000).unwrap().unwrap();
    // A's lease ran out: B claims the same event with the same attempt count.
    let b_ev = store.webhook_claim(2_000, 3_000).unwrap().unwrap();
    assert_eq!((a.attempts, b_ev.attempts), (0, 0));
    let rec = |n: u32, state: &str, status: u16| store::WebhookAttempt {
        event_id: "wh_late".into(),
        attempt: n,
        at_ms: 2_500,
        status: Some(status),
        error: None,
        next_attempt_at_ms: (state == "pending").then_some(9_000),
        state: state.into(),
    };
    assert!(store.webhook_record(&rec(1, "delivered", 200)).unwrap());
    // A's answer (a 503) comes late: refused, the delivered state kept.
    assert!(!store.webhook_record(&rec(1, "pending", 503)).unwrap());
    assert!(!store.webhook_record(&rec(2, "failed", 400)).unwrap());
    let d = store.webhook_deliveries(10).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].state, "delivered");
    assert_eq!(d[0].next_attempt_at_ms, None);
    assert_eq!(d[0].attempts.len(), 1);
    assert_eq!(d[0].attempts[0].status, Some(200));
    assert!(store.webhook_claim(10_000, 20_000).unwrap().is_none());
}

/// An event still pending when a training mark ends its episode is closed as
/// `superseded` at its next attempt, never sent; listed and counted as such.
fn an_event_whose_episode_ended_is_superseded_not_sent(b: Backend) {
    let h = start(b);
    let (dev_key, dev, items) = h.prepare(2, 2);
    h.label(&dev_key, &dev, &items[..2]);
    let store = &*h.state.store;
    let now = labelvault_core::batch::now_unix() * 1000;
    let id = webhook::enqueue_if_due(store, &h.state.key, now)
        .unwrap()
        .expect("due: an event recorded");
    h.post_ok("/v1/admin/retrain/mark", json!({"kind": "training"}));
    let rx = receiver(&[]);
    let cfg = WebhookConfig::new(WebhookUrl::parse(&rx.url).unwrap());
    webhook::run_once(store, &h.state.key, &cfg).unwrap();
    assert!(rx.got().is_empty(), "a superseded event was sent");
    let d = h.deliveries();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["event_id"], id.as_str());
    assert_eq!(d[0]["state"], "superseded");
    assert!(d[0]["next_attempt_at_ms"].is_null());
    assert!(d[0]["attempts"].as_array().unwrap().is_empty());
    let (_, m) = h.get_text("/metrics");
    assert!(
        m.contains("labelvault_webhook_deliveries_total{state=\"superseded\"} 1"),
        "{m}"
    );
    assert!(m.contains("labelvault_webhook_pending 0"), "{m}");
}

/// A database an earlier hub left at schema 15 (before `superseded`), with an event and
/// its attempt: upgraded, both are still listed, and the event can now be superseded.
fn webhook_history_survives_the_superseded_migration(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let name = match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    let mdir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&mdir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut sql: String = files
        .iter()
        .take(15)
        .map(|p| std::fs::read_to_string(p).unwrap() + "\n")
        .collect();
    sql.push_str(
        "INSERT INTO webhook_events (event_id, episode, body, created_at_ms, state, attempts, next_attempt_at_ms) \
             VALUES ('wh_old', 0, '{}', 1000, 'pending', 1, 5000);
         INSERT INTO webhook_attempts (event_id, attempt, at_ms, status, error, next_attempt_at_ms, state) \
             VALUES ('wh_old', 1, 1000, 503, NULL, 5000, 'pending');",
    );
    match &b {
        Backend::Sqlite => {
            let c = rusqlite::Connection::open(dir.path().join("hub.db")).unwrap();
            c.execute_batch(&sql).unwrap();
            c.pragma_update(None, "user_version", 15).unwrap();
        }
        Backend::Postgres(db) => {
            let mut c = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
            c.batch_execute(
                "CREATE TABLE labelvault_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
            )
            .unwrap();
            c.batch_execute(&sql).unwrap();
            for v in 1..=15i32 {
                c.execute(
                    "INSERT INTO labelvault_schema (version, applied_at) VALUES ($1, 0)",
                    &[&v],
                )
                .unwrap();
            }
        }
    }
    let st = store::open(&b.url(dir.path())).unwrap();
    let d = st.webhook_deliveries(10).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].event_id.as_str(), d[0].state.as_str()),
        ("wh_old", "pending")
    );
    assert_eq!(d[0].attempts.len(), 1);
    assert_eq!(d[0].attempts[0].status, Some(503));
    assert!(st.webhook_supersede("wh_old", 1).unwrap());
    assert_eq!(st.webhook_deliveries(10).unwrap()[0].state, "superseded");
    // Attempts still belong to their event.
    assert!(st.webhook_enqueue(1, "wh_new", "{}", 2000).unwrap());
    assert_eq!(st.webhook_deliveries(10).unwrap().len(), 2);
}
