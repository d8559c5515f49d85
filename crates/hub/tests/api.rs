//! The hub's API over real loopback HTTP: authorization of every endpoint, replay and
//! tamper refusal, strict bodies, idempotency, the inbound ledger, and the manager's
//! pipeline (ingest, select, dispatch, leases, revocation).

use base64::Engine as _;
use labelvault_core::identity::DeviceIdentity;
use labelvault_core::protocol::{self, LabelUpload, SignedReceipt, WireLabel};
use labelvault_hub::store;
use serde_json::{json, Value};

mod common;
use common::{start, Backend, Hub};

on_both_stores!(
    admin_endpoints_need_the_token,
    enrollment_codes_are_single_use_and_expire,
    devices_see_only_their_own_batches_and_items,
    replay_tamper_stale_revoked_are_refused,
    strict_bodies_and_idempotent_retries,
    ingest_is_strict_and_all_or_nothing,
    select_is_a_dry_run_in_priority_order,
    dispatch_overlap_gold_leases_and_revocation,
    a_racing_dispatch_stores_nothing,
    hostile_uploads_with_valid_signatures_are_refused_by_rule,
    the_api_keeps_its_contract,
    items_assigned_outside_the_pipeline_count_as_pending,
    a_dispatch_and_an_adjudication_can_be_undone,
);

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn send(method: &str, url: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, Value) {
    let a = agent();
    let resp = if method == "GET" {
        let mut r = a.get(url);
        for (k, v) in headers {
            r = r.header(*k, v.as_str());
        }
        r.call()
    } else {
        let mut r = a.post(url).header("content-type", "application/json");
        for (k, v) in headers {
            r = r.header(*k, v.as_str());
        }
        r.send(body)
    };
    let mut resp = resp.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

impl Hub {
    fn admin(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        send(
            method,
            &format!("{}{path}", self.url),
            &[("authorization", format!("Bearer {}", self.token.as_str()))],
            body.to_string().as_bytes(),
        )
    }

    fn assign(&self, device_id: &str, n: usize) -> (String, Vec<String>) {
        let items: Vec<Value> = (0..n).map(|i| json!({"text": format!("text {i} about cards"), "intent": "a", "confidence": 0.4, "reason": "low_confidence"})).collect();
        let (st, r) = self.admin("POST", "/v1/admin/assign", json!({"device_id": device_id, "taxonomy": {"id": "t", "version": "1", "intents": [{"id": "a", "description": ""}, {"id": "b", "description": ""}]}, "items": items}));
        assert_eq!(st, 200, "{r}");
        (
            r["batch_id"].as_str().unwrap().into(),
            r["item_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().into())
                .collect(),
        )
    }
}

fn signed_headers(
    id: &DeviceIdentity,
    device_id: &str,
    method: &str,
    path: &str,
    body: &[u8],
    ts: i64,
    nonce: &str,
) -> Vec<(&'static str, String)> {
    let sig = id.sign(&protocol::request_message(method, path, ts, nonce, body));
    vec![
        (protocol::H_DEVICE, device_id.to_string()),
        (protocol::H_TIMESTAMP, ts.to_string()),
        (protocol::H_NONCE, nonce.to_string()),
        (
            protocol::H_SIGNATURE,
            base64::engine::general_purpose::STANDARD.encode(sig),
        ),
    ]
}

fn now() -> i64 {
    labelvault_core::batch::now_unix()
}

fn nonce() -> String {
    labelvault_core::batch::random_id("").unwrap()
}

fn device_call(
    h: &Hub,
    id: &DeviceIdentity,
    dev: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, Value) {
    send(
        method,
        &format!("{}{path}", h.url),
        &signed_headers(id, dev, method, path, body, now(), &nonce()),
        body,
    )
}

fn label(item: &str, verdict: &str, intent: Option<&str>) -> WireLabel {
    serde_json::from_value(json!({"item_id": item, "revision": 1, "retracted": false, "verdict": verdict, "intent_id": intent,
        "flags": [], "pii_spans": [], "duration_ms": 5, "decided_at_ms": now() * 1000 - 1000})).unwrap()
}

/// An upload id in the label grammar (`u_` and 32 hex digits) named by a short tag.
fn uid(tag: &str) -> String {
    format!(
        "u_{}",
        hex::encode(&ring::digest::digest(&ring::digest::SHA256, tag.as_bytes()).as_ref()[..16])
    )
}

fn upload_body(dev: &str, upload_id: &str, labels: Vec<WireLabel>) -> Vec<u8> {
    serde_json::to_vec(&LabelUpload {
        upload_id: uid(upload_id),
        device_id: dev.into(),
        labels,
    })
    .unwrap()
}

fn admin_endpoints_need_the_token(b: Backend) {
    let h = start(b);
    for (m, p) in [
        ("POST", "/v1/admin/annotators"),
        ("POST", "/v1/admin/assign"),
        ("POST", "/v1/admin/devices/d_x/revoke"),
        ("GET", "/v1/admin/labels"),
        ("GET", "/v1/admin/ledger"),
        ("POST", "/v1/admin/messages"),
        ("POST", "/v1/admin/companies"),
        ("POST", "/v1/admin/gold"),
        ("POST", "/v1/admin/select"),
        ("POST", "/v1/admin/dispatch"),
        ("POST", "/v1/admin/leases/reclaim"),
        ("GET", "/v1/admin/items"),
        ("GET", "/v1/admin/pipeline"),
        ("GET", "/v1/admin/batches/b_x"),
    ] {
        let (st, e) = send(m, &format!("{}{p}", h.url), &[], b"{}");
        assert_eq!(
            (st, e["code"].as_str()),
            (401, Some("admin_token_required")),
            "{m} {p}"
        );
        let (st, e) = send(
            m,
            &format!("{}{p}", h.url),
            &[("authorization", "Bearer nope".into())],
            b"{}",
        );
        assert_eq!(
            (st, e["code"].as_str()),
            (401, Some("bad_admin_token")),
            "{m} {p}"
        );
    }
    let (st, _) = send("GET", &format!("{}/v1/health", h.url), &[], b"");
    assert_eq!(st, 200);
}

fn enrollment_codes_are_single_use_and_expire(b: Backend) {
    let h = start(b);
    let (_, a) = h.admin("POST", "/v1/admin/annotators", json!({"name": "x"}));
    let code = a["enrollment_code"].as_str().unwrap();
    let body = |id: &DeviceIdentity, code: &str| {
        json!({"enrollment_code": code, "signing_key": id.public().signing_key, "recipient": id.public().recipient}).to_string()
    };
    let d1 = DeviceIdentity::generate().unwrap();
    assert_eq!(
        send(
            "POST",
            &format!("{}/v1/enroll", h.url),
            &[],
            body(&d1, code).as_bytes()
        )
        .0,
        200
    );
    let d2 = DeviceIdentity::generate().unwrap();
    let (st, e) = send(
        "POST",
        &format!("{}/v1/enroll", h.url),
        &[],
        body(&d2, code).as_bytes(),
    );
    assert_eq!((st, e["code"].as_str()), (401, Some("code_used")));
    let (st, e) = send(
        "POST",
        &format!("{}/v1/enroll", h.url),
        &[],
        body(&d2, "ABCD-EFGH").as_bytes(),
    );
    assert_eq!((st, e["code"].as_str()), (401, Some("bad_code")));
    // An expired code (made directly in the store with a past expiry).
    let hash = hex::encode(ring::digest::digest(&ring::digest::SHA256, b"OLDCODE1"));
    h.state
        .store
        .create_annotator("old", &hash, now() - 1)
        .unwrap();
    let (st, e) = send(
        "POST",
        &format!("{}/v1/enroll", h.url),
        &[],
        body(&d2, "OLD-CODE1").as_bytes(),
    );
    assert_eq!((st, e["code"].as_str()), (401, Some("code_expired")));
}

fn devices_see_only_their_own_batches_and_items(b: Backend) {
    let h = start(b);
    let (a, da) = h.enroll("x");
    let (b, db) = h.enroll("x");
    let (batch_a, items_a) = h.assign(&da, 3);
    let (batch_b, items_b) = h.assign(&db, 6);
    let (st, list) = device_call(&h, &a, &da, "GET", "/v1/batches", b"");
    assert_eq!(st, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["batch_id"], batch_a.as_str());
    let (st, e) = device_call(&h, &a, &da, "GET", &format!("/v1/batches/{batch_b}"), b"");
    assert_eq!((st, e["code"].as_str()), (404, Some("not_assigned")));
    // A labels one of its items and one of B's: B's is rejected, A's accepted.
    let body = upload_body(
        &da,
        "u_1",
        vec![
            label(&items_a[0], "correct", Some("a")),
            label(&items_b[0], "correct", Some("a")),
        ],
    );
    let (st, r) = device_call(&h, &a, &da, "POST", "/v1/labels", &body);
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["receipt"]["accepted"], 1);
    assert_eq!(r["receipt"]["rejected"][0]["code"], "not_assigned");
    // An upload claiming to be B's, signed by A.
    let body = upload_body(&db, "u_2", vec![label(&items_b[1], "correct", Some("a"))]);
    let (st, e) = device_call(&h, &a, &da, "POST", "/v1/labels", &body);
    assert_eq!((st, e["code"].as_str()), (403, Some("device_mismatch")));
    // `wrong` without an intent breaks the label grammar: the whole upload is refused,
    // naming the label by position, the field and the rule — never a value.
    let body = upload_body(
        &db,
        "u_3",
        vec![
            label(&items_b[1], "wrong", Some("zzz")),
            label(&items_b[2], "wrong", None),
        ],
    );
    let (st, e) = device_call(&h, &b, &db, "POST", "/v1/labels", &body);
    assert_eq!(
        (st, e["code"].as_str()),
        (400, Some("malformed_label")),
        "{e}"
    );
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.starts_with("label 2: intent_id:") && !msg.contains(&items_b[2]),
        "{msg}"
    );
    // An intent outside the batch's taxonomy is refused per label in the receipt.
    let body = upload_body(&db, "u_3b", vec![label(&items_b[1], "wrong", Some("zzz"))]);
    let (_, r) = device_call(&h, &b, &db, "POST", "/v1/labels", &body);
    let codes: Vec<&str> = r["receipt"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["unknown_intent"]);
    // So is another intent (`also_intents`) outside it, even when the label's own is in it.
    let mut also = label(&items_b[1], "wrong", Some("a"));
    also.flags = vec![labelvault_core::labels::Flag::MultipleIntents];
    also.also_intents = vec!["zzz".into()];
    let body = upload_body(&db, "u_3c", vec![also]);
    let (_, r) = device_call(&h, &b, &db, "POST", "/v1/labels", &body);
    assert_eq!(r["receipt"]["rejected"][0]["code"], "unknown_intent", "{r}");
    // Missed-PII spans must fit the item as the hub sealed it ("text 3 about cards",
    // 18 code points, length class 5): the right class is stored; a class claiming a
    // longer item, or a span past the text but within the class, is refused per label.
    let marked = |item: &str, end: u32, class: u8| {
        let mut l = label(item, "correct", None);
        l.flags = vec![labelvault_core::labels::Flag::MissedPii];
        l.pii_spans = vec![labelvault_core::labels::Span { start: 0, end }];
        l.length_class = Some(class);
        l
    };
    let body = upload_body(
        &db,
        &uid("spans"),
        vec![
            marked(&items_b[3], 18, 5),
            marked(&items_b[4], 4, 6),
            marked(&items_b[5], 20, 5),
        ],
    );
    let (st, r) = device_call(&h, &b, &db, "POST", "/v1/labels", &body);
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["receipt"]["accepted"], 1, "{r}");
    let refused: Vec<(&str, &str)> = r["receipt"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["item_id"].as_str().unwrap(), x["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        refused,
        vec![
            (items_b[4].as_str(), "wrong_length"),
            (items_b[5].as_str(), "wrong_length")
        ]
    );
}

/// Uploads signed by an enrolled device whose content breaks the label grammar: each is
/// refused before anything is stored, naming the label's position, the field and the
/// rule, and never echoing the value.
fn hostile_uploads_with_valid_signatures_are_refused_by_rule(b: Backend) {
    let h = start(b);
    let (a, da) = h.enroll("x");
    let (_, items) = h.assign(&da, 1);
    let good = |f: &dyn Fn(&mut Value)| {
        let mut u = json!({"upload_id": uid("hostile"), "device_id": da, "labels": [
            {"item_id": items[0], "revision": 1, "retracted": false, "verdict": "wrong", "intent_id": "a",
             "flags": [], "pii_spans": [], "duration_ms": 900, "decided_at_ms": now() * 1000 - 1000}]});
        f(&mut u);
        let u: LabelUpload = serde_json::from_value(u).unwrap();
        serde_json::to_vec(&u).unwrap()
    };
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "item_id",
            Box::new(|u| u["labels"][0]["item_id"] = json!("it_jane.doe@example.com")),
            "jane",
        ),
        (
            "intent_id",
            Box::new(|u| u["labels"][0]["intent_id"] = json!("Jane Doe, 1 Elm Street")),
            "Jane",
        ),
        (
            "upload_id",
            Box::new(|u| u["upload_id"] = json!("u_Jane_Doe")),
            "Jane",
        ),
        (
            "duration_ms",
            Box::new(|u| u["labels"][0]["duration_ms"] = json!(0x004a_616e_6544_6f65_u64)),
            "20912",
        ),
        (
            "pii_spans",
            Box::new(|u| {
                u["labels"][0]["flags"] = json!(["missed_pii"]);
                u["labels"][0]["pii_spans"] = json!([{"start": 74, "end": 65}]);
            }),
            "74",
        ),
        (
            "flags",
            Box::new(|u| {
                u["labels"][0]["flags"] = json!(["misclassification", "misclassification"])
            }),
            "xx",
        ),
        (
            "intent_id",
            Box::new(|u| u["labels"][0]["intent_id"] = Value::Null),
            "xx",
        ),
        (
            "decided_at_ms",
            Box::new(|u| u["labels"][0]["decided_at_ms"] = json!(4_000_000_000_000_i64)),
            "4000",
        ),
    ];
    for (field, change, secret) in cases {
        let body = good(&*change);
        let (st, e) = device_call(&h, &a, &da, "POST", "/v1/labels", &body);
        assert_eq!(
            (st, e["code"].as_str()),
            (400, Some("malformed_label")),
            "{field}: {e}"
        );
        let msg = e["message"].as_str().unwrap();
        assert!(msg.contains(&format!("{field}:")), "{field}: {msg}");
        assert!(!msg.contains(secret), "{field} echoed: {msg}");
    }
    // Nothing of it was stored: the well-formed upload of the same item and revision is
    // accepted as new, not as a duplicate.
    let (st, r) = device_call(&h, &a, &da, "POST", "/v1/labels", &good(&|_| {}));
    assert_eq!(st, 200, "{r}");
    assert_eq!(
        (
            r["receipt"]["accepted"].as_u64(),
            r["receipt"]["duplicates"].as_u64()
        ),
        (Some(1), Some(0)),
        "{r}"
    );
}

fn replay_tamper_stale_revoked_are_refused(b: Backend) {
    let h = start(b);
    let (a, da) = h.enroll("x");
    let (_, items) = h.assign(&da, 2);
    let body = upload_body(&da, "u_1", vec![label(&items[0], "correct", Some("a"))]);
    let headers = signed_headers(&a, &da, "POST", "/v1/labels", &body, now(), &nonce());
    let url = format!("{}/v1/labels", h.url);
    assert_eq!(send("POST", &url, &headers, &body).0, 200);
    let (st, e) = send("POST", &url, &headers, &body);
    assert_eq!((st, e["code"].as_str()), (401, Some("replayed")));
    // Signed for one body, sent with another.
    let other = upload_body(&da, "u_2", vec![label(&items[1], "correct", Some("a"))]);
    let headers = signed_headers(&a, &da, "POST", "/v1/labels", &body, now(), &nonce());
    let (st, e) = send("POST", &url, &headers, &other);
    assert_eq!((st, e["code"].as_str()), (401, Some("bad_signature")));
    let headers = signed_headers(
        &a,
        &da,
        "POST",
        "/v1/labels",
        &other,
        now() - 3600,
        &nonce(),
    );
    let (st, e) = send("POST", &url, &headers, &other);
    assert_eq!((st, e["code"].as_str()), (401, Some("stale_request")));
    let (st, e) = send("POST", &url, &[], &other);
    assert_eq!((st, e["code"].as_str()), (401, Some("signature_required")));
    assert_eq!(
        h.admin("POST", &format!("/v1/admin/devices/{da}/revoke"), json!({}))
            .0,
        200
    );
    let (st, e) = device_call(&h, &a, &da, "POST", "/v1/labels", &other);
    assert_eq!((st, e["code"].as_str()), (403, Some("revoked")));
    let (st, e) = h.admin("POST", "/v1/admin/assign", json!({"device_id": da, "items": [{"text": "t t t", "intent": "a", "confidence": 0.5, "reason": "random_sample"}]}));
    assert_eq!((st, e["code"].as_str()), (409, Some("revoked")));
    assert_eq!(h.state.store.labels_jsonl().unwrap().lines().count(), 1);
}

fn strict_bodies_and_idempotent_retries(b: Backend) {
    let h = start(b);
    let (a, da) = h.enroll("x");
    let (_, items) = h.assign(&da, 2);
    let (st, e) = device_call(&h, &a, &da, "POST", "/v1/labels", b"{not json");
    assert_eq!((st, e["code"].as_str()), (400, Some("malformed")));
    let extra =
        format!(r#"{{"upload_id":"u","device_id":"{da}","labels":[],"comment":"free text"}}"#);
    let (st, e) = device_call(&h, &a, &da, "POST", "/v1/labels", extra.as_bytes());
    assert_eq!((st, e["code"].as_str()), (400, Some("unknown_field")));
    assert!(!e["message"].as_str().unwrap().contains("free text"));
    let huge = vec![b' '; protocol::MAX_UPLOAD_BYTES + 10];
    let (st, e) = device_call(&h, &a, &da, "POST", "/v1/labels", &huge);
    assert_eq!((st, e["code"].as_str()), (413, Some("too_large")));
    assert!(
        h.state.store.labels_jsonl().unwrap().is_empty(),
        "nothing may be stored from refused bodies"
    );
    // Retry: same receipt, counted once.
    let body = upload_body(
        &da,
        "u_1",
        vec![
            label(&items[0], "correct", Some("a")),
            label(&items[1], "skip", None),
        ],
    );
    let (_, r1) = device_call(&h, &a, &da, "POST", "/v1/labels", &body);
    let (_, r2) = device_call(&h, &a, &da, "POST", "/v1/labels", &body);
    assert_eq!(r1, r2);
    assert_eq!(r1["receipt"]["accepted"], 2);
    // Same labels under a new upload id: duplicates, not double counted.
    let again = upload_body(&da, "u_2", vec![label(&items[0], "correct", Some("a"))]);
    let (_, r3) = device_call(&h, &a, &da, "POST", "/v1/labels", &again);
    assert_eq!(
        (
            r3["receipt"]["accepted"].as_u64(),
            r3["receipt"]["duplicates"].as_u64()
        ),
        (Some(0), Some(1))
    );
    let clash = upload_body(&da, "u_1", vec![label(&items[0], "unsure", None)]);
    let (st, e) = device_call(&h, &a, &da, "POST", "/v1/labels", &clash);
    assert_eq!((st, e["code"].as_str()), (409, Some("upload_id_reused")));
    assert_eq!(h.state.store.labels_jsonl().unwrap().lines().count(), 2);

    // The receipt verifies with the hub key and names the exact body.
    let signed: SignedReceipt = serde_json::from_value(r1).unwrap();
    let pk = labelvault_core::identity::parse_public_key(&h.state.key.public_key()).unwrap();
    let sig = base64::engine::general_purpose::STANDARD
        .decode(&signed.signature)
        .unwrap();
    assert!(labelvault_core::identity::verify(
        &pk,
        &protocol::receipt_message(&signed.receipt),
        &sig
    ));
    assert_eq!(
        signed.receipt.body_sha256,
        hex::encode(ring::digest::digest(&ring::digest::SHA256, &body))
    );
    // The inbound ledger: a chain whose bodies hash to what the receipts say.
    let ledger = h.state.store.ledger_jsonl().unwrap();
    let mut prev = "0".repeat(64);
    for l in ledger.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["prev_hash"], prev.as_str());
        let b = base64::engine::general_purpose::STANDARD
            .decode(v["body_b64"].as_str().unwrap())
            .unwrap();
        assert_eq!(
            v["body_sha256"].as_str().unwrap(),
            hex::encode(ring::digest::digest(&ring::digest::SHA256, &b))
        );
        assert_eq!(v["receipt"]["receipt"]["body_sha256"], v["body_sha256"]);
        prev = v["entry_hash"].as_str().unwrap().to_string();
    }
    assert_eq!(ledger.lines().count(), 2);
    // The full check (hashes recomputed) agrees, and notices a changed entry.
    assert_eq!(store::verify_ledger(&ledger), Ok(2));
    let forged = ledger.replacen("\"received_at_ms\":", "\"received_at_ms\":1", 1);
    assert!(store::verify_ledger(&forged).is_err());
}

#[test]
fn plain_http_only_on_loopback_and_tls_when_configured() {
    let bin = env!("CARGO_BIN_EXE_labelvault-hub");
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(bin)
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to serve plain HTTP"));
    // With a certificate it serves HTTPS.
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    std::fs::write(dir.path().join("c.pem"), cert.cert.pem()).unwrap();
    std::fs::write(dir.path().join("k.pem"), cert.signing_key.serialize_pem()).unwrap();
    let mut child = std::process::Command::new(bin)
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .args(["--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(dir.path().join("c.pem"))
        .arg("--tls-key")
        .arg(dir.path().join("k.pem"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("listening on https://127.0.0.1:"),
        "{line}"
    );
}

// ---- The manager's pipeline ----

const PII_EMAIL: &str = "jane.roe.canary@example.org";

/// `n` messages: every 10th a reported false positive, confidences spread over [0.05,
/// 0.95], two companies (`newco` for i % 4 == 0), an e-mail address in every 3rd text.
fn messages(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let intent = ["card_arrival", "change_pin", "top_up_failed"][i % 3];
            let text = if i % 3 == 0 {
                format!("message {i}: write to {PII_EMAIL} about my card please")
            } else {
                format!("message {i}: my card has not arrived yet")
            };
            json!({"message_id": format!("m{i:03}"), "text": text,
                   "company": if i % 4 == 0 { "newco" } else { "oldco" }, "channel": "chat",
                   "received_at": 1_700_000_000 + i as i64 * 60, "model_intent": intent,
                   "confidence": 0.05 + (i * 37 % 91) as f64 / 100.0,
                   "probabilities": [[intent, 0.05 + (i * 37 % 91) as f64 / 100.0], ["change_pin", 0.01]],
                   "reported_false_positive": i % 10 == 5})
        })
        .collect()
}

fn selection() -> Value {
    json!({"from": 1_700_000_000, "to": 1_800_000_000, "low_confidence_budget": 20,
           "max_confidence": 0.5, "sample_per_company": 6, "seed": 3})
}

fn pipeline_status(h: &Hub) -> Value {
    let (st, v) = h.admin("GET", "/v1/admin/pipeline", json!({}));
    assert_eq!(st, 200);
    v
}

fn items_map(h: &Hub) -> Vec<Value> {
    h.state
        .store
        .items_jsonl()
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ingest_is_strict_and_all_or_nothing(b: Backend) {
    let h = start(b);
    let ms = messages(30);
    let (st, r) = h.admin("POST", "/v1/admin/messages", json!({"messages": ms}));
    assert_eq!((st, r["inserted"].as_u64()), (200, Some(30)), "{r}");
    // A re-run of the same import changes nothing.
    let (st, r) = h.admin("POST", "/v1/admin/messages", json!({"messages": ms[..5]}));
    assert_eq!((st, r["duplicates"].as_u64()), (200, Some(5)));
    // One bad message refuses the whole chunk; the error names it, never its text.
    let mut bad = messages(3);
    for (i, m) in bad.iter_mut().enumerate() {
        m["message_id"] = json!(format!("new{i}"));
        m["text"] = json!(format!("SECRET-TEXT-{i}"));
    }
    bad[1]["confidence"] = json!(1.5);
    let (st, e) = h.admin("POST", "/v1/admin/messages", json!({"messages": bad}));
    assert_eq!((st, e["code"].as_str()), (400, Some("invalid")));
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.contains("messages[1]") && msg.contains("confidence"),
        "{msg}"
    );
    assert!(!msg.contains("SECRET"));
    bad[1]["confidence"] = json!(0.5);
    bad[2]["model_intent"] = json!("has space");
    assert_eq!(
        h.admin("POST", "/v1/admin/messages", json!({"messages": bad}))
            .1["code"],
        "invalid"
    );
    bad[2]["model_intent"] = json!("a");
    bad[2]["message_id"] = json!("new0");
    assert_eq!(
        h.admin("POST", "/v1/admin/messages", json!({"messages": bad}))
            .1["code"],
        "invalid",
        "an id repeated inside one request"
    );
    bad[2]["message_id"] = json!("new2");
    bad[2]["sneaky"] = json!(1);
    assert_eq!(
        h.admin("POST", "/v1/admin/messages", json!({"messages": bad}))
            .1["code"],
        "unknown_field"
    );
    let (st, e) = h.admin("POST", "/v1/admin/messages", json!({"messages": []}));
    assert_eq!((st, e["code"].as_str()), (400, Some("invalid")));
    let (st, e) = send(
        "POST",
        &format!("{}/v1/admin/messages", h.url),
        &[("authorization", format!("Bearer {}", h.token.as_str()))],
        b"{not json",
    );
    assert_eq!((st, e["code"].as_str()), (400, Some("malformed")));
    assert_eq!(
        pipeline_status(&h)["messages"],
        30,
        "nothing partially applied"
    );

    // Companies and gold answers.
    let (st, e) = h.admin(
        "POST",
        "/v1/admin/companies",
        json!({"company": "has space", "newly_onboarded": true}),
    );
    assert_eq!((st, e["code"].as_str()), (400, Some("invalid")));
    // Neither `newly_onboarded` nor `training_consent`: nothing to record.
    let (st, e) = h.admin("POST", "/v1/admin/companies", json!({"company": "newco"}));
    assert_eq!((st, e["code"].as_str()), (400, Some("invalid")));
    let (st, e) = h.admin(
        "POST",
        "/v1/admin/companies",
        json!({"company": "newco", "training_consent": "no"}),
    );
    assert_eq!((st, e["code"].as_str()), (400, Some("malformed")));
    assert_eq!(
        h.admin(
            "POST",
            "/v1/admin/companies",
            json!({"company": "newco", "newly_onboarded": true})
        )
        .0,
        200
    );
    let (st, e) = h.admin(
        "POST",
        "/v1/admin/gold",
        json!({"answers": [{"message_id": "m001", "intent": "change_pin"}, {"message_id": "nope", "intent": "a"}]}),
    );
    assert_eq!((st, e["code"].as_str()), (404, Some("unknown_message")));
    let s = pipeline_status(&h);
    assert_eq!(s["gold"], 0, "the valid first answer was rolled back too");
    assert_eq!(s["new_companies"], json!(["newco"]));
    let (st, e) = h.admin("POST", "/v1/admin/gold", json!({"answers": []}));
    assert_eq!((st, e["code"].as_str()), (400, Some("invalid")));
}

fn select_is_a_dry_run_in_priority_order(b: Backend) {
    let h = start(b);
    h.admin(
        "POST",
        "/v1/admin/messages",
        json!({"messages": messages(120)}),
    );
    h.admin(
        "POST",
        "/v1/admin/companies",
        json!({"company": "newco", "newly_onboarded": true}),
    );
    let (st, r) = h.admin(
        "POST",
        "/v1/admin/select",
        json!({"selection": selection(), "overlap": 2}),
    );
    assert_eq!(st, 200, "{r}");
    let entries = r["entries"].as_array().unwrap();
    let reasons: Vec<&str> = entries
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    let fp = reasons.iter().filter(|r| **r == "false_positive").count();
    let lc = reasons.iter().filter(|r| **r == "low_confidence").count();
    let rs = reasons.iter().filter(|r| **r == "random_sample").count();
    assert_eq!((fp, lc, rs), (12, 20, 6), "{:?}", r["composition"]);
    assert!(reasons[..fp].iter().all(|r| *r == "false_positive"));
    assert!(reasons[fp..fp + lc].iter().all(|r| *r == "low_confidence"));
    let conf: Vec<f64> = entries[fp..fp + lc]
        .iter()
        .map(|e| e["confidence"].as_f64().unwrap())
        .collect();
    assert!(
        conf.windows(2).all(|w| w[0] <= w[1]),
        "least confident first"
    );
    assert!(entries[fp + lc..].iter().all(|e| e["company"] == "newco"));
    assert_eq!(r["copies_needed"], 2 * 38);
    assert!(
        !r.to_string().contains(PII_EMAIL),
        "no text in the pool view"
    );
    // The same seed gives the same pool; nothing was stored.
    let (_, again) = h.admin(
        "POST",
        "/v1/admin/select",
        json!({"selection": selection(), "overlap": 2}),
    );
    assert_eq!(again, r);
    assert_eq!(pipeline_status(&h)["open_copies"], 0);
    // The other strategies read the model's distributions.
    for strategy in ["margin", "entropy"] {
        let mut sel = selection();
        sel["strategy"] = json!(strategy);
        let (st, m) = h.admin("POST", "/v1/admin/select", json!({"selection": sel}));
        assert_eq!(st, 200, "{m}");
        assert_eq!(m["composition"]["low_confidence"], 20);
    }
    let mut sel = selection();
    sel["strategy"] = json!("margin");
    let (_, margin) = h.admin("POST", "/v1/admin/select", json!({"selection": sel}));
    let (_, lc) = h.admin(
        "POST",
        "/v1/admin/select",
        json!({"selection": selection()}),
    );
    assert_ne!(
        margin["entries"], lc["entries"],
        "margin ranks by the distribution, not the top confidence alone"
    );
    // The CLI's spellings of least confidence select what the documented name does.
    for spelling in ["lc", "least-confidence", "least_confidence"] {
        let mut sel = selection();
        sel["strategy"] = json!(spelling);
        let (st, m) = h.admin("POST", "/v1/admin/select", json!({"selection": sel}));
        assert_eq!(st, 200, "{spelling}: {m}");
        assert_eq!(m["entries"], lc["entries"], "{spelling}");
    }
    let mut bad = selection();
    bad["strategy"] = json!("vibes");
    let (st, e) = h.admin("POST", "/v1/admin/select", json!({"selection": bad}));
    assert_eq!((st, e["code"].as_str()), (400, Some("bad_strategy")));
    let mut bad = selection();
    bad["to"] = json!(1);
    let (st, e) = h.admin("POST", "/v1/admin/select", json!({"selection": bad}));
    assert_eq!((st, e["code"].as_str()), (400, Some("invalid")));
    let (st, e) = h.admin(
        "POST",
        "/v1/admin/select",
        json!({"selection": selection(), "overlap": 0}),
    );
    assert_eq!((st, e["code"].as_str()), (400, Some("invalid")));
}

fn dispatch_overlap_gold_leases_and_revocation(b: Backend) {
    let h = start(b);
    let devs: Vec<(DeviceIdentity, String)> = (0..3).map(|_| h.enroll("x")).collect();
    h.admin(
        "POST",
        "/v1/admin/messages",
        json!({"messages": messages(120)}),
    );
    h.admin(
        "POST",
        "/v1/admin/companies",
        json!({"company": "newco", "newly_onboarded": true}),
    );
    let dispatch = |overlap: usize, gold_share: f64| {
        h.admin(
            "POST",
            "/v1/admin/dispatch",
            json!({"selection": selection(), "overlap": overlap, "batch_size": 10,
                   "gold_share": gold_share, "lease_secs": 3600}),
        )
    };
    // Refusals first; none of them stores anything.
    let (st, e) = dispatch(2, 0.1);
    assert_eq!((st, e["code"].as_str()), (409, Some("no_gold")));
    let answers: Vec<Value> = (100..110)
        .map(|i| json!({"message_id": format!("m{i:03}"), "intent": "card_arrival"}))
        .collect();
    assert_eq!(
        h.admin("POST", "/v1/admin/gold", json!({"answers": answers}))
            .0,
        200
    );
    let (st, e) = dispatch(4, 0.1);
    assert_eq!((st, e["code"].as_str()), (400, Some("overlap_too_large")));
    let (st, e) = dispatch(2, 0.7);
    assert_eq!((st, e["code"].as_str()), (400, Some("invalid")));
    let (st, e) = h.admin(
        "POST",
        "/v1/admin/dispatch",
        json!({"selection": selection(), "lease_secs": 0}),
    );
    assert_eq!((st, e["code"].as_str()), (400, Some("invalid")));
    let (st, e) = h.admin(
        "POST",
        "/v1/admin/dispatch",
        json!({"selection": selection(), "devices": ["d_nope"]}),
    );
    assert_eq!((st, e["code"].as_str()), (404, Some("unknown_device")));
    assert!(items_map(&h).is_empty(), "refused dispatches store nothing");

    let (st, r) = dispatch(2, 0.1);
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["shortfall"], 0);
    let items = items_map(&h);
    let pool: Vec<&Value> = items.iter().filter(|i| i["gold"] == false).collect();
    let gold: Vec<&Value> = items.iter().filter(|i| i["gold"] == true).collect();
    assert_eq!(
        r["dispatched_messages"].as_u64().unwrap() as usize * 2,
        pool.len()
    );
    let mut by_message: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for i in &pool {
        by_message
            .entry(i["message_id"].as_str().unwrap())
            .or_default()
            .push(i["device_id"].as_str().unwrap());
    }
    assert!(by_message.values().all(|d| d.len() == 2 && d[0] != d[1]));
    assert!(!gold.is_empty());
    assert!(gold
        .iter()
        .all(|g| g["message_id"].as_str().unwrap() >= "m100"));
    assert!(
        !by_message.keys().any(|m| *m >= "m100" && *m < "m110"),
        "gold is never in the pool"
    );
    // Item ids are opaque, and each device can download exactly its batches.
    assert!(items
        .iter()
        .all(|i| i["item_id"].as_str().unwrap().starts_with("it_")
            && !i["item_id"]
                .as_str()
                .unwrap()
                .contains(i["message_id"].as_str().unwrap())));
    for (id, dev) in &devs {
        let (st, list) = device_call(&h, id, dev, "GET", "/v1/batches", b"");
        assert_eq!(st, 200);
        let expected = r["batches"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["device_id"] == dev.as_str())
            .count();
        assert_eq!(list.as_array().unwrap().len(), expected);
        let bid = list[0]["batch_id"].as_str().unwrap();
        let (st, _) = h.admin("GET", &format!("/v1/admin/batches/{bid}"), json!({}));
        assert_eq!(st, 200);
        let bytes = h.state.store.batch_file(bid).unwrap().unwrap();
        let header = labelvault_core::batch::read_header(&bytes).unwrap();
        assert_eq!(header.recipient, id.public().recipient);
        assert!(!bytes
            .windows(PII_EMAIL.len())
            .any(|w| w == PII_EMAIL.as_bytes()));
    }
    let (st, e) = h.admin("GET", "/v1/admin/batches/b_nope", json!({}));
    assert_eq!((st, e["code"].as_str()), (404, Some("unknown_batch")));
    // What went out with overlap 2 is out of the pool (the next pool is made of others).
    let entries = |h: &Hub| -> Vec<Value> {
        let (_, sel) = h.admin(
            "POST",
            "/v1/admin/select",
            json!({"selection": selection(), "overlap": 2}),
        );
        sel["entries"].as_array().unwrap().clone()
    };
    assert!(entries(&h)
        .iter()
        .all(|e| !by_message.contains_key(e["message_id"].as_str().unwrap())));

    // Labels for dispatched items are accepted from the device they went to. Label a
    // reported false positive (those are always in the pool).
    let is_fp = |m: &str| m[1..].parse::<usize>().unwrap() % 10 == 5;
    let (ida, da) = &devs[0];
    let mine: Vec<&Value> = pool
        .iter()
        .copied()
        .filter(|i| i["device_id"] == da.as_str() && is_fp(i["message_id"].as_str().unwrap()))
        .collect();
    let body = upload_body(
        da,
        "u_p1",
        vec![label(mine[0]["item_id"].as_str().unwrap(), "correct", None)],
    );
    let (st, rc) = device_call(&h, ida, da, "POST", "/v1/labels", &body);
    assert_eq!(
        (st, rc["receipt"]["accepted"].as_u64()),
        (200, Some(1)),
        "{rc}"
    );
    let labelled_msg = mine[0]["message_id"].as_str().unwrap().to_string();

    // Revoking device C returns its unlabelled copies to the pool; the next dispatch
    // gives them to a device that does not hold the message yet.
    let dc = &devs[2].1;
    let c_msgs: std::collections::HashSet<&str> = pool
        .iter()
        .filter(|i| i["device_id"] == dc.as_str())
        .map(|i| i["message_id"].as_str().unwrap())
        .collect();
    let (st, rv) = h.admin("POST", &format!("/v1/admin/devices/{dc}/revoke"), json!({}));
    assert_eq!(
        (st, rv["returned_to_pool"].as_u64()),
        (200, Some(c_msgs.len() as u64))
    );
    let back = entries(&h);
    let partial: Vec<&str> = back
        .iter()
        .filter(|e| e["copies_needed"] == 1)
        .map(|e| e["message_id"].as_str().unwrap())
        .collect();
    assert!(partial.iter().all(|m| c_msgs.contains(m)));
    let c_fps: Vec<&&str> = c_msgs.iter().filter(|m| is_fp(m)).collect();
    assert!(!c_fps.is_empty() && c_fps.iter().all(|m| partial.contains(m)));
    let (st, r2) = dispatch(2, 0.0);
    assert_eq!(st, 200, "{r2}");
    let items = items_map(&h);
    let open_of = |m: &str| -> Vec<String> {
        items
            .iter()
            .filter(|i| i["message_id"] == m && i["state"] == "open" && i["gold"] == false)
            .map(|i| i["device_id"].as_str().unwrap().to_string())
            .collect()
    };
    for m in &partial {
        let open = open_of(m);
        assert_eq!(open.len(), 2, "{m}");
        assert!(open[0] != open[1] && !open.contains(dc));
    }

    // Lease expiry: every unlabelled copy returns; the labelled one stays out.
    let open_before = pipeline_status(&h)["open_copies"].as_u64().unwrap();
    let (st, rc) = h.admin(
        "POST",
        "/v1/admin/leases/reclaim",
        json!({"as_of": now() + 3601}),
    );
    assert_eq!((st, rc["returned"].as_u64()), (200, Some(open_before)));
    let s = pipeline_status(&h);
    assert_eq!(
        (s["open_copies"].as_u64(), s["labelled_copies"].as_u64()),
        (Some(0), Some(1))
    );
    let back = entries(&h);
    let needed: Vec<u64> = back
        .iter()
        .filter(|e| e["message_id"] == labelled_msg.as_str())
        .map(|e| e["copies_needed"].as_u64().unwrap())
        .collect();
    assert_eq!(needed, vec![1], "the labelled copy still counts");
    assert_eq!(
        back.iter()
            .filter(|e| e["reason"] == "false_positive")
            .count(),
        11,
        "every false positive is back in the pool (m105 is gold, so never in it)"
    );
    let (st, e) = h.admin("POST", "/v1/admin/leases/reclaim", json!({"as_of": "soon"}));
    assert_eq!((st, e["code"].as_str()), (400, Some("malformed")));
}

fn a_racing_dispatch_stores_nothing(b: Backend) {
    use labelvault_hub::error::HubError;
    use labelvault_hub::store::{DispatchBatch, NewBatch, NewCopy};
    let h = start(b);
    let (_, d1) = h.enroll("x");
    let (_, d2) = h.enroll("x");
    h.admin(
        "POST",
        "/v1/admin/messages",
        json!({"messages": messages(10)}),
    );
    let (st, r) = h.admin(
        "POST",
        "/v1/admin/dispatch",
        json!({"selection": {"from": 0, "to": 1_800_000_000, "max_confidence": 1.0}, "overlap": 1}),
    );
    assert_eq!(st, 200, "{r}");
    let before = items_map(&h);
    let taken = before
        .iter()
        .find(|i| i["device_id"] == d1.as_str())
        .unwrap()["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Another dispatch that selected the same message before the first one committed.
    let batch = |device: &str, message: &str| DispatchBatch {
        batch: NewBatch {
            batch_id: format!("b_race_{device}"),
            device_id: device.into(),
            created_at: now(),
            expires_at: now() + 60,
            bytes: vec![1, 2, 3],
            item_ids: vec![format!("it_race_{device}_0001")],
            item_chars: vec![],
            item_texts: vec![],
            intents: vec!["card_arrival".into()],
        },
        copies: vec![NewCopy {
            item_id: format!("it_race_{device}_0001"),
            message_id: message.into(),
            gold: false,
            reason: labelvault_core::batch::Reason::LowConfidence,
            prediction: None,
        }],
        lease_expires_at: now() + 60,
    };
    let e = h
        .state
        .store
        .store_dispatch(&[batch(&d2, &taken)], 1, now())
        .unwrap_err();
    assert!(
        matches!(
            e,
            HubError::Conflict {
                code: "pool_changed",
                ..
            }
        ),
        "{e}"
    );
    // A device revoked between planning and commit.
    h.state.store.revoke(&d2, now()).unwrap();
    let e = h
        .state
        .store
        .store_dispatch(&[batch(&d1, "m000"), batch(&d2, "m001")], 2, now())
        .unwrap_err();
    assert!(
        matches!(
            e,
            HubError::Conflict {
                code: "revoked",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        items_map(&h).len(),
        before.len(),
        "nothing partially applied"
    );
    assert!(h
        .state
        .store
        .batch_file(&format!("b_race_{d1}"))
        .unwrap()
        .is_none());
    assert!(h
        .state
        .store
        .batch_file(&format!("b_race_{d2}"))
        .unwrap()
        .is_none());
}

/// What the OpenAPI document promises: bodies are JSON objects (serde alone would take a
/// struct from an array); the auth scheme is case-insensitive (RFC 9110); a known path
/// with another method answers 405 with an ApiError, not an empty body.
fn the_api_keeps_its_contract(b: Backend) {
    let h = start(b);
    let (st, e) = h.admin("POST", "/v1/admin/companies", json!(["globex", false]));
    assert_eq!((st, e["code"].as_str()), (400, Some("malformed")), "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("JSON object"),
        "{e}"
    );
    let (_, p) = h.admin("GET", "/v1/admin/pipeline", json!({}));
    assert!(!p["new_companies"].to_string().contains("globex"), "{p}");
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let (st, _) = send(
            "GET",
            &format!("{}/v1/admin/pipeline", h.url),
            &[("authorization", format!("{scheme} {}", h.token.as_str()))],
            b"",
        );
        assert_eq!(st, 200, "{scheme}");
    }
    // An integer-valued number is an integer; a fraction is refused naming the field.
    let (st, r) = h.admin(
        "POST",
        "/v1/admin/retrain/threshold",
        json!({"threshold": 250.0}),
    );
    assert_eq!(st, 200, "{r}");
    let (st, e) = h.admin(
        "POST",
        "/v1/admin/retrain/threshold",
        json!({"threshold": 2.5}),
    );
    assert_eq!(st, 400, "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("`threshold` must be an integer"),
        "{e}"
    );
    let (st, e) = h.admin("POST", "/v1/admin/pipeline", json!({}));
    assert_eq!(
        (st, e["code"].as_str()),
        (405, Some("method_not_allowed")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("openapi"), "{e}");
}

/// `labelvault_items_pending` counts items sent with `POST /v1/admin/assign` too (the
/// demo hub's way), under `reason="assigned"`, until they are labelled.
fn items_assigned_outside_the_pipeline_count_as_pending(b: Backend) {
    let h = start(b);
    let (id, dev) = h.enroll("x");
    let (_, items) = h.assign(&dev, 3);
    let pending = || -> f64 {
        let (st, body) = send_text(&format!("{}/metrics", h.url), &h.token);
        assert_eq!(st, 200, "{body}");
        body.lines()
            .find(|l| l.starts_with("labelvault_items_pending{reason=\"assigned\"}"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no assigned series in {body}"))
    };
    assert_eq!(pending(), 3.0);
    let body = upload_body(
        &dev,
        &uid("pending"),
        vec![label(&items[0], "correct", None)],
    );
    let (st, r) = device_call(&h, &id, &dev, "POST", "/v1/labels", &body);
    assert_eq!(st, 200, "{r}");
    assert_eq!(pending(), 2.0);
}

/// GET a text body with the admin token.
fn send_text(url: &str, token: &str) -> (u16, String) {
    let resp = agent()
        .get(url)
        .header("authorization", format!("Bearer {token}"))
        .call()
        .expect("request");
    let st = resp.status().as_u16();
    (st, resp.into_body().read_to_string().unwrap_or_default())
}

/// The manager's undo: a batch its device has not fetched is withdrawn (its items back
/// in the pool, the device never sees it), a fetched one is refused; an adjudication is
/// undone by a new entry restoring what was in force before, and only the latest.
fn a_dispatch_and_an_adjudication_can_be_undone(b: Backend) {
    let h = start(b);
    let (ida, da) = h.enroll("x");
    h.admin(
        "POST",
        "/v1/admin/messages",
        json!({"messages": messages(30)}),
    );
    let dispatch = || {
        let (st, r) = h.admin(
            "POST",
            "/v1/admin/dispatch",
            json!({"selection": selection(), "batch_size": 100, "lease_secs": 3600}),
        );
        assert_eq!(st, 200, "{r}");
        r
    };
    let pool_before = h
        .admin(
            "POST",
            "/v1/admin/select",
            json!({"selection": selection()}),
        )
        .1["entries"]
        .as_array()
        .unwrap()
        .len();
    let r = dispatch();
    let first = r["batches"][0]["batch_id"].as_str().unwrap().to_string();
    let sent = r["copies"].as_u64().unwrap();
    assert!(sent > 0);
    let (st, w) = h.admin(
        "POST",
        &format!("/v1/admin/batches/{first}/withdraw"),
        json!({}),
    );
    assert_eq!(
        (st, w["copies_returned"].as_u64()),
        (200, Some(sent)),
        "{w}"
    );
    // The device never sees it; the messages are selectable again.
    let (_, list) = device_call(&h, &ida, &da, "GET", "/v1/batches", b"");
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
    let (st, e) = device_call(&h, &ida, &da, "GET", &format!("/v1/batches/{first}"), b"");
    assert_eq!(
        (st, e["code"].as_str()),
        (404, Some("batch_withdrawn")),
        "{e}"
    );
    let pool_after = h
        .admin(
            "POST",
            "/v1/admin/select",
            json!({"selection": selection()}),
        )
        .1["entries"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(pool_after, pool_before);
    let (st, e) = h.admin(
        "POST",
        &format!("/v1/admin/batches/{first}/withdraw"),
        json!({}),
    );
    assert_eq!((st, e["code"].as_str()), (409, Some("already_withdrawn")));
    let (st, e) = h.admin(
        "POST",
        &format!("/v1/admin/batches/b_{}/withdraw", "0".repeat(32)),
        json!({}),
    );
    assert_eq!((st, e["code"].as_str()), (404, Some("unknown_batch")));
    // Dispatched again and fetched by its device: too late to withdraw.
    let r = dispatch();
    let second = r["batches"][0]["batch_id"].as_str().unwrap().to_string();
    let (st, _) = device_call(&h, &ida, &da, "GET", &format!("/v1/batches/{second}"), b"");
    assert_eq!(st, 200);
    let (st, e) = h.admin(
        "POST",
        &format!("/v1/admin/batches/{second}/withdraw"),
        json!({}),
    );
    assert_eq!(
        (st, e["code"].as_str()),
        (409, Some("already_fetched")),
        "{e}"
    );

    // Adjudications: decide m001 twice, undo the first (refused: not the latest), then
    // the second (restores the first), then that undo (restores the second).
    let adjudicate = |m: &str, intent: &str| {
        let (st, a) = h.admin(
            "POST",
            "/v1/admin/adjudications",
            json!({"message_id": m, "intent": intent, "by": "mara"}),
        );
        assert_eq!(st, 200, "{a}");
        a["seq"].as_i64().unwrap()
    };
    let undo = |seq: i64| {
        h.admin(
            "POST",
            &format!("/v1/admin/adjudications/{seq}/undo"),
            json!({"by": "mara"}),
        )
    };
    let s1 = adjudicate("m001", "change_pin");
    let s2 = adjudicate("m001", "top_up_failed");
    let (st, e) = undo(s1);
    assert_eq!((st, e["code"].as_str()), (409, Some("not_latest")));
    let (st, u) = undo(s2);
    assert_eq!(st, 200, "{u}");
    assert_eq!(
        (
            u["intent"].as_str(),
            u["supersedes"].as_i64(),
            u["previous_intent"].as_str()
        ),
        (Some("change_pin"), Some(s2), Some("top_up_failed"))
    );
    let (_, u2) = undo(u["seq"].as_i64().unwrap());
    assert_eq!(u2["intent"], "top_up_failed");
    // With nothing before it, an undo leaves no decision in force: the message is
    // open again.
    let s3 = adjudicate("m004", "change_pin");
    let (_, open_before) = h.admin("GET", "/v1/admin/disagreements", json!({}));
    let (_, u3) = undo(s3);
    assert_eq!(
        (u3["intent"].as_str(), u3["previous_intent"].as_str()),
        (Some(""), Some("change_pin"))
    );
    let (_, trail) = h.admin("GET", "/v1/admin/adjudications", json!({}));
    assert_eq!(
        trail["adjudications"].as_array().unwrap().len(),
        6,
        "append-only"
    );
    let (_, q) = h.admin("GET", "/v1/admin/quality?method=majority", json!({}));
    assert!(q.is_object(), "{q}");
    let (_, open_after) = h.admin("GET", "/v1/admin/disagreements", json!({}));
    assert_eq!(open_before["open"], open_after["open"]);
    let (st, e) = undo(999_999);
    assert_eq!(
        (st, e["code"].as_str()),
        (404, Some("unknown_adjudication"))
    );
}

/// Every error code the hub can answer is listed in the spec's `ApiError.code` enum
/// (docs/openapi.yaml), so clients and Schemathesis know every one of them.
#[test]
fn every_error_code_is_in_the_spec() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read_to_string(root.join("../../docs/openapi.yaml")).expect("spec");
    let start = spec
        .find("enum: [malformed")
        .expect("the ApiError code enum");
    let end = start + spec[start..].find(']').expect("end of the enum");
    let listed: std::collections::BTreeSet<&str> = spec[start + "enum: [".len()..end]
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    // Codes in `HubError::kind(\n "code"` calls and `code: "…"` patterns.
    let mut used = std::collections::BTreeSet::new();
    let mut dirs = vec![root.join("src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("source");
            for (i, _) in text.match_indices("HubError::") {
                let rest = &text[i + "HubError::".len()..];
                let Some(open) = rest.find('(') else { continue };
                let name = &rest[..open];
                if !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    continue;
                }
                let arg = rest[open + 1..].trim_start();
                if let Some(q) = arg.strip_prefix('"') {
                    let code = &q[..q.find('"').expect("closing quote")];
                    used.insert(code.to_string());
                }
            }
            for (i, _) in text.match_indices("code: \"") {
                let q = &text[i + "code: \"".len()..];
                used.insert(q[..q.find('"').expect("closing quote")].to_string());
            }
        }
    }
    let missing: Vec<&String> = used
        .iter()
        .filter(|c| !listed.contains(c.as_str()))
        .collect();
    assert!(used.len() > 40, "found only {used:?}");
    assert!(
        missing.is_empty(),
        "codes missing from the spec: {missing:?}"
    );
}
