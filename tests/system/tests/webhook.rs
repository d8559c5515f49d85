//! The retraining webhook with the real hub binary: started with `--retrain-webhook`
//! (through its environment variables), the hub POSTs the signed `retraining_due` event
//! once the device's synced labels reach the threshold, retries it after a 503, and
//! `labelvault webhook-deliveries` lists both attempts. Neither the receiver nor the
//! hub's log sees message text or the URL's secrets (path or query), and a proxy set in
//! the hub's environment is not used. A plain-HTTP URL off loopback stops the hub before
//! it serves, saying why, without the secrets; `serve --help` does not print the webhook
//! or database URL set in the environment.

use labelvault_system_tests::{cli_ok, enroll, Hub, HubOptions, PostgresDb};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A minimal HTTP/1.1 receiver on loopback: answers the scripted statuses in turn, then
/// 200, closing each connection; keeps every request's raw bytes.
fn receiver(script: Vec<u16>) -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://{}/hooks/T01/path-s3cret/retrain?token=hook-s3cret",
        l.local_addr().expect("addr")
    );
    let got: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let g = got.clone();
    std::thread::spawn(move || {
        let mut script = script.into_iter();
        for conn in l.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut r = BufReader::new(conn.try_clone().expect("clone"));
            let mut raw = Vec::new();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                raw.extend_from_slice(line.as_bytes());
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            raw.extend_from_slice(&body);
            g.lock().expect("lock").push(raw);
            let code = script.next().unwrap_or(200);
            let _ = write!(
                conn,
                "HTTP/1.1 {code} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, got)
}

#[test]
fn the_hub_calls_the_webhook_and_the_cli_lists_the_attempts() {
    webhook_on(None);
}

#[test]
fn the_hub_calls_the_webhook_and_the_cli_lists_the_attempts_postgres() {
    if let Some(db) = PostgresDb::create("webhook") {
        webhook_on(Some(db.url.clone()));
    }
}

fn webhook_on(db: Option<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, got) = receiver(vec![503]);
    // A proxy in the hub's environment: the loopback-only plain-HTTP webhook must not go
    // through it (it could forward the token off the machine).
    let (proxy_url, proxied) = receiver(vec![]);
    let proxy_url = proxy_url
        .split("/hooks/")
        .next()
        .expect("proxy origin")
        .to_string();
    let env = |k: &str, v: &str| (k.to_string(), v.to_string());
    let hub = Hub::start_with(
        &dir.path().join("hub"),
        "127.0.0.1:0",
        HubOptions {
            db,
            env: vec![
                env("LABELVAULT_HUB_RETRAIN_WEBHOOK", &url),
                env("LABELVAULT_HUB_RETRAIN_WEBHOOK_EVERY", "1"),
                env("LABELVAULT_HUB_RETRAIN_WEBHOOK_FIRST_RETRY", "1"),
                env("ALL_PROXY", &proxy_url),
                env("HTTP_PROXY", &proxy_url),
                env("http_proxy", &proxy_url),
                env("NO_PROXY", ""),
                env("no_proxy", ""),
            ],
        },
    );
    let messages: Vec<Value> = (0..3)
        .map(|i| {
            json!({"message_id": format!("msgWHK{i}"), "text": format!("Wombat-Sprocket-4417 parcel {i} never came"),
                   "company": "acme", "received_at": 1_764_000_000 + i, "model_intent": "delivery", "confidence": 0.2})
        })
        .collect();
    let (st, r) = hub.admin_post("/v1/admin/messages", &json!({ "messages": messages }));
    assert_eq!(st, 200, "{r}");
    let (st, r) = hub.admin_post("/v1/admin/retrain/threshold", &json!({"threshold": 2}));
    assert_eq!(st, 200, "{r}");
    let device = enroll(&hub, &dir.path().join("dev"), "ann");
    let (st, r) = hub.admin_post(
        "/v1/admin/dispatch",
        &json!({"selection": {"from": 0, "to": 2_000_000_000, "max_confidence": 1.0, "low_confidence_budget": 10},
                "overlap": 1, "batch_size": 10, "gold_share": 0.0}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&device.profile, &["pull"]);
    for _ in 0..2 {
        cli_ok(&device.profile, &["label", "--verdict", "correct"]);
    }
    cli_ok(&device.profile, &["sync"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while got.lock().expect("lock").len() < 2 {
        assert!(Instant::now() < deadline, "no retried webhook call");
        std::thread::sleep(Duration::from_millis(100));
    }
    let token_file = hub.data_dir.join("admin.token");
    let token_file = token_file.to_str().expect("path");
    let list = |extra: &[&str]| {
        let mut args = vec![
            "webhook-deliveries",
            "--hub",
            &hub.url,
            "--admin-token-file",
            token_file,
        ];
        args.extend_from_slice(extra);
        cli_ok(&device.profile, &args)
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let listed: Value = loop {
        let v: Value = serde_json::from_str(&list(&["--json"])).expect("json");
        if v["deliveries"][0]["state"] == "delivered" {
            break v;
        }
        assert!(Instant::now() < deadline, "never delivered: {v}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let d = &listed["deliveries"][0];
    assert_eq!(listed["deliveries"].as_array().expect("list").len(), 1);
    assert_eq!(d["attempts"][0]["status"], 503);
    assert_eq!(d["attempts"][1]["status"], 200);
    let text = list(&[]);
    assert!(
        text.contains("delivered") && text.contains("HTTP 503") && text.contains("HTTP 200"),
        "{text}"
    );
    // What the receiver got: the signed event, with the hub's key id; no message data.
    let reqs = got.lock().expect("lock").clone();
    assert_eq!(reqs.len(), 2);
    for raw in &reqs {
        let s = String::from_utf8_lossy(raw);
        assert!(
            s.starts_with("POST /hooks/T01/path-s3cret/retrain?token=hook-s3cret HTTP/1.1\r\n"),
            "{s}"
        );
        assert!(s.contains("x-lv-webhook-signature: "), "{s}");
        assert!(s.contains("\"type\":\"retraining_due\""), "{s}");
        assert!(!s.contains("Wombat") && !s.contains("msgWHK"), "{s}");
    }
    assert!(
        proxied.lock().expect("lock").is_empty(),
        "the webhook went through the proxy from the environment"
    );
    // The log names attempts and the receiver's origin, never the path's or the query's
    // secret, nor the text.
    let log = std::fs::read_to_string(&hub.log).expect("log");
    assert!(log.contains("retraining webhook attempt"), "{log}");
    assert!(log.contains("http://127.0.0.1:"), "{log}");
    assert!(
        !log.contains("hook-s3cret"),
        "the log holds the webhook token"
    );
    assert!(
        !log.contains("path-s3cret"),
        "the log holds the secret in the webhook's path"
    );
    assert!(!log.contains("Wombat"), "the log holds message text");
}

#[test]
fn a_plain_http_webhook_off_loopback_stops_the_hub() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(labelvault_system_tests::bin(
        "labelvault-hub",
        "labelvault-hub",
    ))
    .args(["serve", "--data-dir"])
    .arg(dir.path().join("hub"))
    .args([
        "--listen",
        "127.0.0.1:0",
        "--retrain-webhook",
        "http://trainer.example/T01/path-s3cret/hook?token=hook-s3cret",
    ])
    .output()
    .expect("hub");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refusing the plain-HTTP webhook"), "{err}");
    assert!(err.contains("https://"), "{err}");
    assert!(!err.contains("hook-s3cret"), "{err}");
    assert!(!err.contains("path-s3cret"), "{err}");
}

#[test]
fn serve_help_never_prints_the_webhook_url_or_database_url_from_the_environment() {
    let out = std::process::Command::new(labelvault_system_tests::bin(
        "labelvault-hub",
        "labelvault-hub",
    ))
    .args(["serve", "--help"])
    .env(
        "LABELVAULT_HUB_RETRAIN_WEBHOOK",
        "https://hooks.example/T01/path-s3cret",
    )
    .env("LABELVAULT_HUB_DB", "postgres://hub:pg-s3cret@db/labels")
    .output()
    .expect("hub");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("LABELVAULT_HUB_RETRAIN_WEBHOOK"), "{help}");
    assert!(help.contains("LABELVAULT_HUB_DB"), "{help}");
    assert!(!help.contains("s3cret"), "{help}");
}
