//! Every hub endpoint refuses its wrong callers, walking one table that mirrors
//! docs/authorization.md; and that table, the doc's and the router's endpoints agree.

use base64::Engine as _;
use labelvault_core::identity::DeviceIdentity;
use labelvault_core::protocol::{self, LabelUpload, SignedReceipt, WireLabel};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Who may call an endpoint (the doc's `caller` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anyone,
    Manager,
    Code,
    Device,
}

impl Caller {
    fn from_doc(word: &str) -> Option<Caller> {
        match word {
            "anyone" => Some(Caller::Anyone),
            "manager" => Some(Caller::Manager),
            "code" => Some(Caller::Code),
            "device" => Some(Caller::Device),
            _ => None,
        }
    }
}

/// Every endpoint, as in the doc table (`{id}` stands for any path parameter).
const ENDPOINTS: &[(&str, &str, Caller)] = &[
    ("GET", "/v1/health", Caller::Anyone),
    ("POST", "/v1/admin/annotators", Caller::Manager),
    ("GET", "/v1/admin/annotators", Caller::Manager),
    ("POST", "/v1/admin/assign", Caller::Manager),
    ("POST", "/v1/admin/devices/{id}/revoke", Caller::Manager),
    ("GET", "/v1/admin/labels", Caller::Manager),
    ("GET", "/v1/admin/ledger", Caller::Manager),
    ("POST", "/v1/admin/messages", Caller::Manager),
    ("POST", "/v1/admin/companies", Caller::Manager),
    ("POST", "/v1/admin/gold", Caller::Manager),
    ("POST", "/v1/admin/select", Caller::Manager),
    ("POST", "/v1/admin/dispatch", Caller::Manager),
    ("POST", "/v1/admin/leases/reclaim", Caller::Manager),
    ("GET", "/v1/admin/items", Caller::Manager),
    ("GET", "/v1/admin/pipeline", Caller::Manager),
    ("GET", "/v1/admin/missed-pii", Caller::Manager),
    ("POST", "/v1/admin/missed-pii/confirm", Caller::Manager),
    ("GET", "/v1/admin/quality", Caller::Manager),
    ("GET", "/v1/admin/disagreements", Caller::Manager),
    ("GET", "/v1/admin/adjudications", Caller::Manager),
    ("POST", "/v1/admin/adjudications", Caller::Manager),
    ("POST", "/v1/admin/adjudications/{id}/undo", Caller::Manager),
    ("GET", "/v1/admin/export", Caller::Manager),
    ("GET", "/v1/admin/evaluation", Caller::Manager),
    ("GET", "/v1/admin/evaluation.html", Caller::Manager),
    ("GET", "/v1/admin/evaluation/compare", Caller::Manager),
    ("GET", "/v1/admin/retrain", Caller::Manager),
    ("POST", "/v1/admin/retrain/mark", Caller::Manager),
    ("POST", "/v1/admin/retrain/threshold", Caller::Manager),
    ("GET", "/v1/admin/webhook-deliveries", Caller::Manager),
    ("GET", "/metrics", Caller::Manager),
    ("GET", "/v1/admin/batches/{id}", Caller::Manager),
    ("POST", "/v1/admin/batches/{id}/withdraw", Caller::Manager),
    ("POST", "/v1/admin/erase", Caller::Manager),
    ("GET", "/v1/admin/erasures/{id}", Caller::Manager),
    ("POST", "/v1/admin/accounts", Caller::Manager),
    ("GET", "/v1/admin/accounts", Caller::Manager),
    ("POST", "/v1/admin/accounts/{id}/role", Caller::Manager),
    ("POST", "/v1/admin/accounts/{id}/revoke", Caller::Manager),
    ("GET", "/v1/admin/access-ledger", Caller::Manager),
    ("POST", "/v1/admin/accounts/{id}/tokens", Caller::Manager),
    ("POST", "/v1/admin/tokens/{id}/revoke", Caller::Manager),
    ("POST", "/v1/enroll", Caller::Code),
    ("POST", "/v1/accounts/enroll", Caller::Code),
    ("GET", "/v1/batches", Caller::Device),
    ("GET", "/v1/batches/{id}", Caller::Device),
    ("POST", "/v1/labels", Caller::Device),
    ("GET", "/v1/notices", Caller::Device),
    ("POST", "/v1/notices/ack", Caller::Device),
];

fn ack_body(device_id: &str, notice_id: &str) -> Vec<u8> {
    serde_json::to_vec(&protocol::NoticeAck {
        device_id: device_id.into(),
        notice_ids: vec![notice_id.into()],
    })
    .expect("json")
}

fn normalize(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{id}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// The doc table: "METHOD PATH" → caller.
fn doc_table() -> BTreeMap<String, Caller> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/authorization.md"
    ))
    .expect("docs/authorization.md");
    let mut rows = BTreeMap::new();
    // The endpoint table ends where the roles table begins.
    for line in doc.lines().take_while(|l| !l.starts_with("## Roles")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | `METHOD /path` | caller | …
        let (Some(first), Some(caller)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        let Some(endpoint) = first
            .strip_prefix('`')
            .and_then(|s| s.strip_suffix('`'))
            .filter(|s| s.starts_with("GET /") || s.starts_with("POST /"))
        else {
            continue;
        };
        let caller = Caller::from_doc(caller)
            .unwrap_or_else(|| panic!("{endpoint}: unknown caller {caller:?} in the doc"));
        let (m, p) = endpoint.split_once(' ').expect("method and path");
        let key = format!("{m} {}", normalize(p));
        assert!(
            rows.insert(key.clone(), caller).is_none(),
            "{key} is listed twice in the doc"
        );
    }
    rows
}

/// The router's endpoints, read from routes.rs: every `.route("PATH", get(…))` /
/// `post(…)`, including chains like `get(a).post(b)`.
fn routed() -> Vec<String> {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes.rs"))
        .expect("routes.rs");
    let mut out = Vec::new();
    let mut rest = src.as_str();
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let open = rest.find('"').expect("a path literal");
        let close = open + 1 + rest[open + 1..].find('"').expect("end of path");
        let path = normalize(&rest[open + 1..close]);
        // The method router runs to the matching close parenthesis of `.route(`.
        let mut depth = 1;
        let mut end = close;
        for (i, c) in rest[close..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = close + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let methods = &rest[close + 1..end];
        let mut found = false;
        for (word, m) in [
            ("get(", "GET"),
            ("post(", "POST"),
            ("put(", "PUT"),
            ("delete(", "DELETE"),
            ("patch(", "PATCH"),
        ] {
            let hit = methods.match_indices(word).any(|(i, _)| {
                i == 0
                    || !methods.as_bytes()[i - 1].is_ascii_alphanumeric()
                        && methods.as_bytes()[i - 1] != b'_'
            });
            if hit {
                out.push(format!("{m} {path}"));
                found = true;
            }
        }
        assert!(found, "no method found for the route {path}");
        rest = &rest[end..];
    }
    assert!(out.len() > 10, "routes.rs parsed to only {out:?}");
    out
}

#[test]
fn doc_table_routes_and_this_test_agree() {
    let doc = doc_table();
    let routes = routed();
    for r in &routes {
        assert!(
            doc.contains_key(r),
            "routes.rs serves {r}, which docs/authorization.md does not list"
        );
    }
    for d in doc.keys() {
        assert!(
            routes.contains(d),
            "docs/authorization.md lists {d}, which routes.rs does not serve"
        );
    }
    let ours: BTreeMap<String, Caller> = ENDPOINTS
        .iter()
        .map(|(m, p, c)| (format!("{m} {p}"), *c))
        .collect();
    assert_eq!(
        ours, doc,
        "the test's endpoint table and the doc's must list the same endpoints and callers"
    );
}

// --- a real hub on loopback ---------------------------------------------------------

mod common;
use common::{Backend, Hub};

fn start() -> Hub {
    common::start(Backend::Sqlite)
}

fn send(method: &str, url: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let resp = if method == "GET" {
        let mut r = agent.get(url);
        for (k, v) in headers {
            r = r.header(*k, v.as_str());
        }
        r.call()
    } else {
        let mut r = agent.post(url).header("content-type", "application/json");
        for (k, v) in headers {
            r = r.header(*k, v.as_str());
        }
        r.send(body)
    };
    let mut resp = resp.expect("an HTTP answer");
    let status = resp.status().as_u16();
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_vec()
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

struct Dev {
    id: DeviceIdentity,
    device_id: String,
}

fn now() -> i64 {
    labelvault_core::batch::now_unix()
}

fn nonce() -> String {
    labelvault_core::batch::random_id("").expect("nonce")
}

fn signed(
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

impl Hub {
    fn token(&self) -> String {
        self.token.as_str().to_string()
    }

    fn admin(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        send(
            method,
            &format!("{}{path}", self.url),
            &[("authorization", format!("Bearer {}", self.token()))],
            body.to_string().as_bytes(),
        )
    }

    fn code(&self) -> String {
        let (st, a) = self.admin("POST", "/v1/admin/annotators", &json!({"name": "x"}));
        assert_eq!(st, 200, "{a}");
        a["enrollment_code"].as_str().expect("code").to_string()
    }

    /// An account code for a person with `role`.
    fn account_code(&self, role: &str) -> (String, String) {
        let (st, a) = self.admin(
            "POST",
            "/v1/admin/accounts",
            &json!({"name": format!("a {role}"), "role": role}),
        );
        assert_eq!(st, 200, "{a}");
        (
            a["account_id"].as_str().expect("id").to_string(),
            a["enrollment_code"].as_str().expect("code").to_string(),
        )
    }

    fn enroll_device(&self) -> Dev {
        let id = DeviceIdentity::generate().expect("identity");
        let p = id.public();
        let body = json!({"enrollment_code": self.code(), "signing_key": p.signing_key, "recipient": p.recipient});
        let (st, r) = send(
            "POST",
            &format!("{}/v1/enroll", self.url),
            &[],
            body.to_string().as_bytes(),
        );
        assert_eq!(st, 200, "{r}");
        Dev {
            id,
            device_id: r["device_id"].as_str().expect("device id").to_string(),
        }
    }

    fn assign(&self, device_id: &str) -> (String, Vec<String>) {
        let (st, r) = self.admin(
            "POST",
            "/v1/admin/assign",
            &json!({"device_id": device_id, "items": [
                {"text": "my card is late", "intent": "a", "confidence": 0.4, "reason": "low_confidence"},
                {"text": "change my pin", "intent": "a", "confidence": 0.3, "reason": "low_confidence"}],
                "taxonomy": {"id": "t", "version": "1", "intents": [{"id": "a", "description": ""}]}}),
        );
        assert_eq!(st, 200, "{r}");
        (
            r["batch_id"].as_str().expect("batch").to_string(),
            r["item_ids"]
                .as_array()
                .expect("items")
                .iter()
                .map(|v| v.as_str().expect("id").to_string())
                .collect(),
        )
    }

    /// A device request signed by `signer` as `as_device`, at time `ts` with `nonce`.
    #[allow(clippy::too_many_arguments)]
    fn device_call(
        &self,
        signer: &DeviceIdentity,
        as_device: &str,
        method: &str,
        path: &str,
        signed_body: &[u8],
        sent_body: &[u8],
        ts: i64,
        nonce: &str,
    ) -> (u16, Value) {
        let h = signed(signer, as_device, method, path, signed_body, ts, nonce);
        send(method, &format!("{}{path}", self.url), &h, sent_body)
    }

    fn labels_on_hub(&self) -> usize {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent
            .get(&format!("{}/v1/admin/labels", self.url))
            .header("authorization", &format!("Bearer {}", self.token()))
            .call()
            .expect("labels");
        r.body_mut()
            .read_to_string()
            .expect("text")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
    }
}

fn upload_body(device_id: &str, item: &str, upload_id: &str) -> Vec<u8> {
    serde_json::to_vec(&LabelUpload {
        upload_id: format!(
            "u_{}",
            hex::encode(
                &ring::digest::digest(&ring::digest::SHA256, upload_id.as_bytes()).as_ref()[..16]
            )
        ),
        device_id: device_id.into(),
        labels: vec![WireLabel {
            item_id: item.into(),
            revision: 1,
            retracted: false,
            verdict: Some(labelvault_core::labels::Verdict::Correct),
            intent_id: None,
            flags: vec![],
            pii_spans: vec![],
            length_class: None,
            duration_ms: 900,
            decided_at_ms: now() * 1000,
            also_intents: Vec::new(),
        }],
    })
    .expect("json")
}

fn expect(what: &str, got: (u16, Value), status: u16, code: &str) {
    assert_eq!(got.0, status, "{what}: {}", got.1);
    assert_eq!(got.1["code"], code, "{what}: {}", got.1);
}

/// Every row of the table, every wrong caller of its kind: refused, and nothing changed.
#[test]
fn wrong_callers_are_refused_for_every_endpoint() {
    let hub = start();
    let a = hub.enroll_device();
    let b = hub.enroll_device();
    let revoked = hub.enroll_device();
    let (batch_a, items_a) = hub.assign(&a.device_id);
    let (batch_b, items_b) = hub.assign(&b.device_id);
    hub.assign(&revoked.device_id);
    let (st, r) = hub.admin(
        "POST",
        &format!("/v1/admin/devices/{}/revoke", revoked.device_id),
        &json!({}),
    );
    assert_eq!(st, 200, "{r}");
    let stranger = DeviceIdentity::generate().expect("identity");
    // A message on both a and b, then erased: each has an erase notice of its own.
    let (st, r) = hub.admin(
        "POST",
        "/v1/admin/messages",
        &json!({"messages": [{"message_id": "m1", "text": "close my account", "company": "acme",
            "received_at": 1_764_000_000, "model_intent": "a", "confidence": 0.2}]}),
    );
    assert_eq!(st, 200, "{r}");
    let (st, r) = hub.admin(
        "POST",
        "/v1/admin/dispatch",
        &json!({"selection": {"from": 0, "to": 2_000_000_000, "max_confidence": 1.0, "low_confidence_budget": 10},
                "overlap": 2, "batch_size": 10, "gold_share": 0.0, "devices": [a.device_id, b.device_id]}),
    );
    assert_eq!(st, 200, "{r}");
    let (st, r) = hub.admin("POST", "/v1/admin/erase", &json!({"message_ids": ["m1"]}));
    assert_eq!(st, 200, "{r}");
    let notice_of = |d: &str| -> String {
        r["erasure"]["devices"]
            .as_array()
            .expect("devices")
            .iter()
            .find(|x| x["device_id"] == d)
            .and_then(|x| x["notice_id"].as_str())
            .expect("a notice for the device")
            .to_string()
    };
    let (notice_a, notice_b) = (notice_of(&a.device_id), notice_of(&b.device_id));
    let erasure_id = r["erasure"]["erasure_id"]
        .as_str()
        .expect("erasure id")
        .to_string();

    let mut checked = 0;
    for &(method, template, caller) in ENDPOINTS {
        let what = |case: &str| format!("{method} {template}: {case}");
        match caller {
            Caller::Anyone => {
                let (st, _) = send(method, &format!("{}{template}", hub.url), &[], b"");
                assert_eq!(st, 200, "{}", what("open to anyone"));
            }
            Caller::Manager => {
                // A concrete path: a real device / batch, so only the token can be wrong.
                let path = template.replace(
                    "{id}",
                    if template.contains("devices") {
                        &a.device_id
                    } else {
                        &batch_a
                    },
                );
                let url = format!("{}{path}", hub.url);
                let body = b"{}";
                expect(
                    &what("no token"),
                    send(method, &url, &[], body),
                    401,
                    "admin_token_required",
                );
                expect(
                    &what("wrong token"),
                    send(
                        method,
                        &url,
                        &[("authorization", format!("Bearer {}", "0".repeat(64)))],
                        body,
                    ),
                    401,
                    "bad_admin_token",
                );
                expect(
                    &what("token with a different last character"),
                    send(
                        method,
                        &url,
                        &[("authorization", {
                            let mut t = hub.token();
                            let last = if t.ends_with('0') { "1" } else { "0" };
                            t.pop();
                            format!("Bearer {t}{last}")
                        })],
                        body,
                    ),
                    401,
                    "bad_admin_token",
                );
                expect(
                    &what("not a bearer token"),
                    send(method, &url, &[("authorization", hub.token())], body),
                    401,
                    "admin_token_required",
                );
                let h = signed(&a.id, &a.device_id, method, &path, body, now(), &nonce());
                expect(
                    &what("a device's signature"),
                    send(method, &url, &h, body),
                    401,
                    "admin_token_required",
                );
            }
            Caller::Code => {
                let url = format!("{}{template}", hub.url);
                let p = DeviceIdentity::generate().expect("identity").public();
                let accounts = template == "/v1/accounts/enroll";
                let enroll = |code: &str, key: &str| {
                    if accounts {
                        json!({"enrollment_code": code, "signing_key": key}).to_string()
                    } else {
                        json!({"enrollment_code": code, "signing_key": key, "recipient": p.recipient})
                            .to_string()
                    }
                };
                let new_code = || {
                    if accounts {
                        hub.account_code("viewer").1
                    } else {
                        hub.code()
                    }
                };
                expect(
                    &what("unknown code"),
                    send(
                        method,
                        &url,
                        &[],
                        enroll("0000-0000-0000-0000-0000", &p.signing_key).as_bytes(),
                    ),
                    401,
                    "bad_code",
                );
                let code = new_code();
                let (st, r) = send(method, &url, &[], enroll(&code, &p.signing_key).as_bytes());
                assert_eq!(st, 200, "{r}");
                let other = DeviceIdentity::generate().expect("identity").public();
                expect(
                    &what("used code"),
                    send(
                        method,
                        &url,
                        &[],
                        enroll(&code, &other.signing_key).as_bytes(),
                    ),
                    401,
                    "code_used",
                );
                expect(
                    &what("a key already enrolled"),
                    send(
                        method,
                        &url,
                        &[],
                        enroll(&new_code(), &p.signing_key).as_bytes(),
                    ),
                    409,
                    "already_enrolled",
                );
                let h = [("authorization", format!("Bearer {}", hub.token()))];
                expect(
                    &what("the admin token is no code"),
                    send(method, &url, &h, enroll("", &other.signing_key).as_bytes()),
                    401,
                    "bad_code",
                );
            }
            Caller::Device => {
                let (path, body, upload) = match template {
                    "/v1/labels" => {
                        let b =
                            upload_body(&a.device_id, &items_a[0], &format!("u_auth_{checked}"));
                        (template.to_string(), b, true)
                    }
                    "/v1/notices/ack" => (
                        template.to_string(),
                        ack_body(&a.device_id, &notice_a),
                        true,
                    ),
                    t => (t.replace("{id}", &batch_a), Vec::new(), false),
                };
                let url = format!("{}{path}", hub.url);
                let before = hub.labels_on_hub();
                // No signature at all.
                expect(
                    &what("unsigned"),
                    send(method, &url, &[], &body),
                    401,
                    "signature_required",
                );
                // Signed by a key that is not a's.
                expect(
                    &what("another key's signature"),
                    hub.device_call(
                        &stranger,
                        &a.device_id,
                        method,
                        &path,
                        &body,
                        &body,
                        now(),
                        &nonce(),
                    ),
                    401,
                    "bad_signature",
                );
                // Signed by b, claiming to be a.
                expect(
                    &what("another device's signature"),
                    hub.device_call(
                        &b.id,
                        &a.device_id,
                        method,
                        &path,
                        &body,
                        &body,
                        now(),
                        &nonce(),
                    ),
                    401,
                    "bad_signature",
                );
                // Signed over another body (or another path for GETs).
                let (signed_path, sent) = if upload {
                    let other = if template == "/v1/labels" {
                        upload_body(&a.device_id, &items_a[1], "u_other")
                    } else {
                        ack_body(&a.device_id, &notice_b)
                    };
                    (path.clone(), other)
                } else {
                    (format!("{path}x"), Vec::new())
                };
                let h = signed(
                    &a.id,
                    &a.device_id,
                    method,
                    &signed_path,
                    &body,
                    now(),
                    &nonce(),
                );
                expect(
                    &what("tampered request"),
                    send(method, &url, &h, &sent),
                    401,
                    "bad_signature",
                );
                expect(
                    &what("unknown device"),
                    hub.device_call(
                        &a.id,
                        "dev_unknown",
                        method,
                        &path,
                        &body,
                        &body,
                        now(),
                        &nonce(),
                    ),
                    401,
                    "unknown_device",
                );
                for skew in [
                    -(protocol::MAX_CLOCK_SKEW_SECS + 5),
                    protocol::MAX_CLOCK_SKEW_SECS + 5,
                ] {
                    expect(
                        &what("stale timestamp"),
                        hub.device_call(
                            &a.id,
                            &a.device_id,
                            method,
                            &path,
                            &body,
                            &body,
                            now() + skew,
                            &nonce(),
                        ),
                        401,
                        "stale_request",
                    );
                }
                let rbody = if template == "/v1/notices/ack" {
                    ack_body(&revoked.device_id, &notice_a)
                } else if upload {
                    upload_body(&revoked.device_id, &items_a[0], "u_revoked")
                } else {
                    body.clone()
                };
                expect(
                    &what("revoked device"),
                    hub.device_call(
                        &revoked.id,
                        &revoked.device_id,
                        method,
                        &path,
                        &rbody,
                        &rbody,
                        now(),
                        &nonce(),
                    ),
                    403,
                    "revoked",
                );
                assert_eq!(
                    hub.labels_on_hub(),
                    before,
                    "{}",
                    what("refusals store nothing")
                );
                // Replay: the first call passes, the same signed request again is refused.
                let (ts, n) = (now(), nonce());
                let first =
                    hub.device_call(&a.id, &a.device_id, method, &path, &body, &body, ts, &n);
                assert_eq!(first.0, 200, "{}: {}", what("the genuine call"), first.1);
                expect(
                    &what("replayed nonce"),
                    hub.device_call(&a.id, &a.device_id, method, &path, &body, &body, ts, &n),
                    401,
                    "replayed",
                );
                // Each endpoint's own boundary between devices.
                match template {
                    "/v1/batches" => {
                        let list = first.1.as_array().expect("a list");
                        assert!(
                            list.iter().all(|l| l["batch_id"] == batch_a.as_str()),
                            "{}: {list:?}",
                            what("only its own batches")
                        );
                    }
                    "/v1/batches/{id}" => {
                        let p = format!("/v1/batches/{batch_b}");
                        expect(
                            &what("another device's batch"),
                            hub.device_call(
                                &a.id,
                                &a.device_id,
                                method,
                                &p,
                                b"",
                                b"",
                                now(),
                                &nonce(),
                            ),
                            404,
                            "not_assigned",
                        );
                    }
                    "/v1/labels" => {
                        let foreign = upload_body(&b.device_id, &items_b[0], "u_foreign");
                        expect(
                            &what("another device's id in the upload"),
                            hub.device_call(
                                &a.id,
                                &a.device_id,
                                method,
                                &path,
                                &foreign,
                                &foreign,
                                now(),
                                &nonce(),
                            ),
                            403,
                            "device_mismatch",
                        );
                        let theirs = upload_body(&a.device_id, &items_b[0], "u_their_item");
                        let (st, r) = hub.device_call(
                            &a.id,
                            &a.device_id,
                            method,
                            &path,
                            &theirs,
                            &theirs,
                            now(),
                            &nonce(),
                        );
                        assert_eq!(st, 200, "{r}");
                        let receipt: SignedReceipt = serde_json::from_value(r).expect("receipt");
                        assert_eq!(
                            receipt.receipt.accepted,
                            0,
                            "{}",
                            what("another device's item")
                        );
                        assert_eq!(receipt.receipt.rejected.len(), 1);
                        assert_eq!(receipt.receipt.rejected[0].code, "not_assigned");
                    }
                    "/v1/notices" => {
                        let list = first.1["notices"].as_array().expect("a list");
                        assert_eq!(list.len(), 1, "{}: {list:?}", what("its one notice"));
                        assert_eq!(list[0]["notice"]["notice_id"], notice_a.as_str());
                        assert_eq!(list[0]["notice"]["device_id"], a.device_id.as_str());
                    }
                    "/v1/notices/ack" => {
                        assert_eq!(first.1["acknowledged"], 1, "{}", what("its own notice"));
                        let foreign = ack_body(&b.device_id, &notice_b);
                        expect(
                            &what("another device's id in the acknowledgement"),
                            hub.device_call(
                                &a.id,
                                &a.device_id,
                                method,
                                &path,
                                &foreign,
                                &foreign,
                                now(),
                                &nonce(),
                            ),
                            403,
                            "device_mismatch",
                        );
                        // a cannot acknowledge b's notice under its own id either.
                        let theirs = ack_body(&a.device_id, &notice_b);
                        let (st, r) = hub.device_call(
                            &a.id,
                            &a.device_id,
                            method,
                            &path,
                            &theirs,
                            &theirs,
                            now(),
                            &nonce(),
                        );
                        assert_eq!((st, r["acknowledged"].as_u64()), (200, Some(0)), "{r}");
                        let (st, r) = hub.admin(
                            "GET",
                            &format!("/v1/admin/erasures/{erasure_id}"),
                            &json!({}),
                        );
                        assert_eq!(st, 200, "{r}");
                        let states: Vec<(String, String)> = r["erasure"]["devices"]
                            .as_array()
                            .expect("devices")
                            .iter()
                            .map(|d| {
                                (
                                    d["device_id"].as_str().unwrap_or("").to_string(),
                                    d["state"].as_str().unwrap_or("").to_string(),
                                )
                            })
                            .collect();
                        assert!(states.contains(&(a.device_id.clone(), "purged".into())));
                        assert!(states.contains(&(b.device_id.clone(), "pending".into())));
                    }
                    other => panic!("no endpoint-specific check for {other}"),
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, ENDPOINTS.len());
    // The refused revocations and uploads changed nothing: a still works, one label.
    assert_eq!(
        hub.labels_on_hub(),
        1,
        "only the one genuine upload is stored"
    );
}

/// The doc's roles table: "METHOD PATH" → the roles marked `yes`.
fn doc_roles() -> BTreeMap<String, Vec<String>> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/authorization.md"
    ))
    .expect("docs/authorization.md");
    let roles = ["manager", "lead", "privacy_officer", "viewer"];
    let mut out = BTreeMap::new();
    for line in doc.lines().skip_while(|l| !l.starts_with("## Roles")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(endpoint) = cells
            .get(1)
            .and_then(|c| c.strip_prefix('`'))
            .and_then(|c| c.strip_suffix('`'))
        else {
            continue;
        };
        let allowed: Vec<String> = roles
            .iter()
            .enumerate()
            .filter(|(i, _)| cells.get(i + 2) == Some(&"yes"))
            .map(|(_, r)| r.to_string())
            .collect();
        out.insert(endpoint.to_string(), allowed);
    }
    out
}

/// A person's request signed with their account key.
fn account_call(
    hub: &Hub,
    account: &str,
    key: &labelvault_core::identity::HubKey,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, Value) {
    let (ts, n) = (now(), nonce());
    let sig = key.sign(&protocol::request_message(method, path, ts, &n, body));
    let h = vec![
        ("x-lv-account", account.to_string()),
        (protocol::H_TIMESTAMP, ts.to_string()),
        (protocol::H_NONCE, n),
        (
            protocol::H_SIGNATURE,
            base64::engine::general_purpose::STANDARD.encode(sig),
        ),
    ];
    send(method, &format!("{}{path}", hub.url), &h, body)
}

fn get_text(
    hub: &Hub,
    account: &str,
    key: &labelvault_core::identity::HubKey,
    path: &str,
) -> String {
    let (ts, n) = (now(), nonce());
    let sig = key.sign(&protocol::request_message("GET", path, ts, &n, b""));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .get(&format!("{}{path}", hub.url))
        .header("x-lv-account", account)
        .header(protocol::H_TIMESTAMP, &ts.to_string())
        .header(protocol::H_NONCE, &n)
        .header(
            protocol::H_SIGNATURE,
            &base64::engine::general_purpose::STANDARD.encode(sig),
        )
        .call()
        .expect("answer");
    assert_eq!(r.status().as_u16(), 200);
    r.body_mut().read_to_string().expect("text")
}

/// Every role against every admin row of the roles table: served where it says `yes`,
/// refused with 403 `role_forbidden` elsewhere — each act, refused or not, on the
/// access ledger with the account and role, and the ledger verifying under the hub key
/// while a dropped, altered or reordered entry does not.
#[test]
fn every_role_is_served_or_refused_as_the_roles_table_says() {
    roles_on(start());
}

#[test]
fn every_role_is_served_or_refused_as_the_roles_table_says_postgres() {
    if let Some(b) = common::Backend::postgres("roles") {
        roles_on(common::start(b));
    }
}

fn roles_on(hub: Hub) {
    let table = doc_roles();
    let ours: BTreeMap<String, Vec<String>> = labelvault_hub::people::RULES
        .iter()
        .map(|r| {
            let route = normalize(r.route);
            (
                format!("{} {route}", r.method),
                r.roles.iter().map(|x| x.as_str().to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(
        ours, table,
        "people::RULES and the doc's roles table differ"
    );
    let dev = hub.enroll_device();
    let (batch, _) = hub.assign(&dev.device_id);
    let spare = hub.account_code("viewer").0;
    let mut people = Vec::new();
    for role in ["manager", "lead", "privacy_officer", "viewer"] {
        let (id, code) = hub.account_code(role);
        let key = labelvault_core::identity::HubKey::generate().expect("key");
        let (st, r) = send(
            "POST",
            &format!("{}/v1/accounts/enroll", hub.url),
            &[],
            json!({"enrollment_code": code, "signing_key": key.public_key()})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(st, 200, "{r}");
        assert_eq!(r["account_id"], id.as_str());
        assert_eq!(r["role"], role);
        people.push((role, id, key));
    }
    let mut sent = Vec::new();
    for (endpoint, allowed) in &table {
        let (method, template) = endpoint.split_once(' ').expect("method and path");
        let path = if template.contains("devices/") {
            template.replace("{id}", &dev.device_id)
        } else if template.contains("accounts/") {
            template.replace("{id}", &spare)
        } else if template.contains("erasures/") {
            template.replace("{id}", &format!("er_{}", "0".repeat(24)))
        } else {
            template.replace("{id}", &batch)
        };
        for (role, id, key) in &people {
            let body: &[u8] = if method == "POST" { b"{}" } else { b"" };
            let (st, r) = account_call(&hub, id, key, method, &path, body);
            if allowed.iter().any(|a| a == role) {
                assert!(
                    st != 401 && st != 403,
                    "{role} may call {method} {path}: {st} {r}"
                );
            } else {
                assert_eq!(
                    (st, r["code"].as_str()),
                    (403, Some("role_forbidden")),
                    "{role} may not call {method} {path}: {r}"
                );
            }
            sent.push((id.clone(), role.to_string(), st));
        }
    }
    // A revoked account is refused from then on.
    let (role, id, key) = &people[3];
    assert_eq!(*role, "viewer");
    let (st, r) = hub.admin(
        "POST",
        &format!("/v1/admin/accounts/{id}/revoke"),
        &json!({}),
    );
    assert_eq!(st, 200, "{r}");
    let (st, r) = account_call(&hub, id, key, "GET", "/v1/admin/pipeline", b"");
    assert_eq!((st, r["code"].as_str()), (403, Some("account_revoked")));

    // The access ledger: every signed call above, in order, with who and which role.
    let (_, po_id, po_key) = &people[2];
    let text = get_text(&hub, po_id, po_key, "/v1/admin/access-ledger");
    let hub_key =
        labelvault_core::identity::parse_public_key(&hub.state.key.public_key()).expect("hub key");
    let (lines, report) = labelvault_core::access::verify(&text, &hub_key).expect("verifies");
    let signed: Vec<(String, String, u16)> = lines
        .iter()
        .filter(|l| l.account_id.starts_with("ac_"))
        .map(|l| (l.account_id.clone(), l.role.clone(), l.status))
        .collect();
    assert_eq!(
        &signed[..sent.len()],
        &sent[..],
        "one entry per call, in order"
    );
    assert!(report.refused as usize >= sent.iter().filter(|s| s.2 == 403).count());
    assert!(lines
        .iter()
        .any(|l| l.account_id == "bootstrap" && l.act == "account_create"));
    // Dropped, altered, reordered: each caught.
    let all: Vec<&str> = text.lines().collect();
    let dropped: String = all
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    assert!(labelvault_core::access::verify(&dropped, &hub_key).is_err());
    let altered = text.replacen("\"role\":\"viewer\"", "\"role\":\"manager\"", 1);
    assert_ne!(altered, text);
    assert!(labelvault_core::access::verify(&altered, &hub_key).is_err());
    // A cut tail: the last entry dropped, the export's checkpoint kept.
    let n = all.len();
    let cut: String = all
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != n - 2)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    assert!(
        all[n - 1].starts_with("{\"signed_head\""),
        "the export ends in a checkpoint"
    );
    assert_eq!(report.signed_head.map(|h| h.0), Some(lines.len() as u64));
    assert!(labelvault_core::access::verify(&cut, &hub_key)
        .unwrap_err()
        .contains("cut or altered tail"));
    let mut swapped = all.clone();
    swapped.swap(2, 3);
    let swapped: String = swapped.iter().map(|l| format!("{l}\n")).collect();
    assert!(labelvault_core::access::verify(&swapped, &hub_key).is_err());
    let other = labelvault_core::identity::HubKey::generate().expect("key");
    let other_key = labelvault_core::identity::parse_public_key(&other.public_key()).expect("k");
    assert!(labelvault_core::access::verify(&text, &other_key).is_err());
}

/// An account's bearer token acts with that account's role, is recorded under its id,
/// and stops working once revoked, once expired, or once its account is revoked.
#[test]
fn account_tokens_act_with_their_role_until_expired_or_revoked() {
    tokens_on(start());
}

#[test]
fn account_tokens_act_with_their_role_until_expired_or_revoked_postgres() {
    if let Some(b) = common::Backend::postgres("tokens") {
        tokens_on(common::start(b));
    }
}

fn tokens_on(hub: Hub) {
    let (lead, _) = hub.account_code("lead");
    let (st, r) = hub.admin(
        "POST",
        &format!("/v1/admin/accounts/{lead}/tokens"),
        &json!({"expires_days": 30}),
    );
    assert_eq!(st, 200, "{r}");
    let token = r["token"].as_str().expect("token").to_string();
    let token_id = r["token_id"].as_str().expect("id").to_string();
    assert!(token.starts_with("lvt_") && token.len() == 68, "{token}");
    let call = |path: &str| {
        send(
            "GET",
            &format!("{}{path}", hub.url),
            &[("authorization", format!("Bearer {token}"))],
            b"",
        )
    };
    // A lead may read quality, not export.
    assert_eq!(call("/v1/admin/quality").0, 200);
    let (st, r) = call("/v1/admin/export");
    assert_eq!((st, r["code"].as_str()), (403, Some("role_forbidden")));
    // Out of range, and for an unknown account.
    let (st, _) = hub.admin(
        "POST",
        &format!("/v1/admin/accounts/{lead}/tokens"),
        &json!({"expires_days": 0}),
    );
    assert_eq!(st, 400);
    let (st, _) = hub.admin(
        "POST",
        &format!("/v1/admin/accounts/ac_{}/tokens", "9".repeat(24)),
        &json!({"expires_days": 3}),
    );
    assert_eq!(st, 404);
    // Revoked: refused from then on.
    let (st, _) = hub.admin(
        "POST",
        &format!("/v1/admin/tokens/{token_id}/revoke"),
        &json!({}),
    );
    assert_eq!(st, 200);
    let (st, r) = call("/v1/admin/quality");
    assert_eq!((st, r["code"].as_str()), (401, Some("bad_admin_token")));
    // Expired: a token stored with a past expiry is refused.
    let sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, b"lvt_expired"));
    hub.state
        .store
        .create_token(
            &lead,
            &format!("tk_{}", "1".repeat(24)),
            &sha,
            now() - 1,
            now() - 100,
        )
        .expect("store a token");
    let (st, _) = send(
        "GET",
        &format!("{}/v1/admin/quality", hub.url),
        &[("authorization", "Bearer lvt_expired".to_string())],
        b"",
    );
    assert_eq!(st, 401);
    // The token's acts are on the access ledger under the lead's account and role.
    let ledger = {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent
            .get(&format!("{}/v1/admin/access-ledger", hub.url))
            .header("authorization", &format!("Bearer {}", hub.token()))
            .call()
            .expect("ledger");
        r.body_mut().read_to_string().expect("text")
    };
    let key =
        labelvault_core::identity::parse_public_key(&hub.state.key.public_key()).expect("key");
    let (lines, _) = labelvault_core::access::verify(&ledger, &key).expect("verifies");
    let by_lead: Vec<(&str, u16)> = lines
        .iter()
        .filter(|l| l.account_id == lead)
        .map(|l| (l.act.as_str(), l.status))
        .collect();
    assert_eq!(by_lead, vec![("quality_read", 200), ("export", 403)]);
    assert!(lines
        .iter()
        .all(|l| l.role == "lead" || l.account_id != lead));
}

/// The bootstrap admin token is an account token like any other: the store holds its
/// SHA-256 only, under the `bootstrap` manager account; it expires, a renewal refuses
/// the old one, and revoking the bootstrap account refuses every token it has.
#[test]
fn the_bootstrap_token_is_stored_hashed_expires_and_is_renewed_or_revoked() {
    bootstrap_on(start());
}

#[test]
fn the_bootstrap_token_is_stored_hashed_expires_and_is_renewed_or_revoked_postgres() {
    if let Some(b) = common::Backend::postgres("bootstrap") {
        bootstrap_on(common::start(b));
    }
}

fn bootstrap_on(hub: Hub) {
    use labelvault_hub::people::{register_bootstrap, Bootstrap};
    let call = |token: &str| {
        send(
            "GET",
            &format!("{}/v1/admin/pipeline", hub.url),
            &[("authorization", format!("Bearer {token}"))],
            b"",
        )
        .0
    };
    let store = &*hub.state.store;
    let first = hub.token();
    assert_eq!(call(&first), 200);
    // Listed as a manager account with no key; registering again keeps its expiry.
    let boot = store
        .account("bootstrap")
        .expect("read")
        .expect("the bootstrap account exists");
    assert_eq!((boot.role.as_str(), boot.revoked), ("manager", false));
    let again = register_bootstrap(store, &first, 365, None).expect("register");
    let Bootstrap::ValidUntil(until) = again else {
        panic!("{again:?}")
    };
    assert!(
        (until - now() - 30 * 86_400).abs() < 120,
        "kept its first expiry: {until}"
    );
    // Stored hashed: the token itself is nowhere in what the store gives back.
    assert!(store.token_account(&first, now()).expect("read").is_none());
    // Expired: refused.
    let stale = format!("{:064x}", 7);
    let sha = hex::encode(ring::digest::digest(
        &ring::digest::SHA256,
        stale.as_bytes(),
    ));
    let got = store
        .register_bootstrap_token(&sha, now() - 1, now() - 100, None)
        .expect("store");
    assert!(!got.1);
    assert!(matches!(
        register_bootstrap(store, &stale, 30, None).expect("state"),
        Bootstrap::Expired(_)
    ));
    assert_eq!(call(&stale), 401);
    // Renewed: the old token is refused, the new one served.
    let renewed = format!("{:064x}", 9);
    assert!(matches!(
        register_bootstrap(store, &renewed, 30, Some(&first)).expect("renew"),
        Bootstrap::ValidUntil(_)
    ));
    assert_eq!(call(&first), 401);
    assert_eq!(call(&renewed), 200);
    assert_eq!(
        register_bootstrap(store, &first, 30, None).expect("state"),
        Bootstrap::Revoked
    );
    // The bootstrap account revoked: every token it has is refused.
    let (st, r) = send(
        "POST",
        &format!("{}/v1/admin/accounts/bootstrap/revoke", hub.url),
        &[("authorization", format!("Bearer {renewed}"))],
        b"{}",
    );
    assert_eq!(st, 200, "{r}");
    assert_eq!(call(&renewed), 401);
    assert_eq!(
        register_bootstrap(store, &renewed, 30, None).expect("state"),
        Bootstrap::Revoked
    );
}
