//! The stores a hub test runs on: SQLite always, PostgreSQL when
//! `LABELVAULT_TEST_POSTGRES_URL` names a server (each test gets a database of its own,
//! so tests run in parallel). With `LABELVAULT_REQUIRE_POSTGRES=1` a missing server is a
//! failure, so CI cannot skip the PostgreSQL runs silently.

#![allow(dead_code)]

/// Where one test keeps its hub's data.
pub enum Backend {
    /// A SQLite file in the test's temporary directory.
    Sqlite,
    /// A fresh database on the test server.
    Postgres(TestDb),
}

impl Backend {
    /// The store URL for this backend, given the test's temporary directory.
    pub fn url(&self, dir: &std::path::Path) -> String {
        match self {
            Backend::Sqlite => format!("sqlite://{}", dir.join("hub.db").display()),
            Backend::Postgres(db) => db.url.clone(),
        }
    }

    /// A PostgreSQL backend with a fresh database, or `None` (after saying so) when no
    /// server is configured and none is required.
    pub fn postgres(test: &str) -> Option<Backend> {
        TestDb::create(test).map(Backend::Postgres)
    }
}

/// A database created for one test on the server of `LABELVAULT_TEST_POSTGRES_URL`,
/// dropped when the test ends.
pub struct TestDb {
    /// The URL of the new database.
    pub url: String,
    server: String,
    name: String,
}

impl TestDb {
    /// Create a fresh database, or `None` when no server is configured (and
    /// `LABELVAULT_REQUIRE_POSTGRES` is not `1`).
    pub fn create(test: &str) -> Option<TestDb> {
        let Ok(server) = std::env::var("LABELVAULT_TEST_POSTGRES_URL") else {
            if std::env::var("LABELVAULT_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!(
                    "LABELVAULT_REQUIRE_POSTGRES=1 but LABELVAULT_TEST_POSTGRES_URL is not set: \
                     run the tests under scripts/with-postgres.sh"
                );
            }
            eprintln!(
                "skipping {test} on PostgreSQL: set LABELVAULT_TEST_POSTGRES_URL (or run under scripts/with-postgres.sh)"
            );
            return None;
        };
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).expect("randomness");
        let name = format!("lv_test_{}", hex::encode(b));
        let mut admin = postgres::Client::connect(&server, postgres::NoTls)
            .expect("connect to LABELVAULT_TEST_POSTGRES_URL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        Some(TestDb {
            url: with_database(&server, &name),
            server,
            name,
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Not on an async worker: the test thread owns this.
        if let Ok(mut c) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `postgres://USER@HOST:PORT/OLD?OPTS` with the database replaced by `name`.
pub fn with_database(server: &str, name: &str) -> String {
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

/// Run each named test (`fn NAME(backend: Backend)`) once per store: `NAME::sqlite`
/// always and `NAME::postgres` when a server is given.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name($crate::common::Backend::Sqlite)
            }
            #[test]
            fn postgres() {
                if let Some(b) = $crate::common::Backend::postgres(stringify!($name)) {
                    super::$name(b)
                }
            }
        }
    )*};
}

/// A hub served in-process on a loopback port by the real router, on one store.
pub struct Hub {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The handlers' state (tests reach the store directly through it).
    pub state: labelvault_hub::AppState,
    /// The bootstrap admin token (`admin.token`), registered as the hub's start does.
    pub token: String,
    _dir: tempfile::TempDir,
    _rt: tokio::runtime::Runtime,
    _backend: Backend,
}

/// Start a hub on `backend` with a fresh key and admin token.
pub fn start(backend: Backend) -> Hub {
    use labelvault_hub::{config, routes, store, AppState};
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("tmp");
    let key = config::load_or_create_key(dir.path()).expect("key");
    let token = config::load_or_create_token(dir.path()).expect("token");
    let store = store::open(&backend.url(dir.path())).expect("store");
    labelvault_hub::people::register_bootstrap(&*store, &token, 30, None).expect("admin token");
    let state = AppState {
        store,
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
    Hub {
        url,
        state,
        token: token.as_str().to_string(),
        _dir: dir,
        _rt: rt,
        _backend: backend,
    }
}

// A client for the hub tests: plain HTTP requests, the admin token, enrolment and
// signed label uploads as a device makes them.

use base64::Engine as _;
use labelvault_core::identity::DeviceIdentity;
use labelvault_core::protocol::{self, LabelUpload, WireLabel};
use serde_json::{json, Value};

/// One request to the hub: (status, body text).
pub fn call(method: &str, url: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, String) {
    let (status, _, _, text) = raw(method, url, headers, body);
    (status, text)
}

/// One request to the hub: (status, content type, x-lv-split-counts, body text).
pub fn raw(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> (u16, String, String, String) {
    let a: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
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
    let h = |n: &str| {
        resp.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (ct, counts) = (h("content-type"), h("x-lv-split-counts"));
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_string()
        .unwrap();
    (status, ct, counts, text)
}

impl Hub {
    /// The bootstrap token as an `authorization` header.
    pub fn auth(&self) -> Vec<(&'static str, String)> {
        vec![("authorization", format!("Bearer {}", self.token.as_str()))]
    }
    /// `GET path` with the token: (status, content type, x-lv-split-counts, body text).
    pub fn get(&self, path: &str) -> (u16, String, String, String) {
        raw("GET", &format!("{}{path}", self.url), &self.auth(), b"")
    }
    /// `GET path` with the token, its body as JSON (`null` when it is not JSON).
    pub fn get_json(&self, path: &str) -> (u16, Value) {
        let (st, _, _, t) = self.get(path);
        (st, serde_json::from_str(&t).unwrap_or(Value::Null))
    }
    /// `POST path` with the token and a JSON body; the answer as JSON (`null` when it is not JSON).
    pub fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (st, _, _, t) = raw(
            "POST",
            &format!("{}{path}", self.url),
            &self.auth(),
            body.to_string().as_bytes(),
        );
        (st, serde_json::from_str(&t).unwrap_or(Value::Null))
    }

    /// A new annotator enrolled as a device: its identity and device id.
    pub fn enroll(&self, name: &str) -> (DeviceIdentity, String) {
        let (_, a) = self.post("/v1/admin/annotators", json!({ "name": name }));
        let id = DeviceIdentity::generate().unwrap();
        let p = id.public();
        let (st, _, _, r) = raw(
            "POST",
            &format!("{}/v1/enroll", self.url),
            &[],
            json!({"enrollment_code": a["enrollment_code"], "signing_key": p.signing_key, "recipient": p.recipient})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(st, 200, "{r}");
        let r: Value = serde_json::from_str(&r).unwrap();
        (id, r["device_id"].as_str().unwrap().to_string())
    }

    /// Enroll a device whose age identity the test holds, to open the batches sealed to
    /// it: (device id, identity).
    pub fn enroll_with_age(&self, name: &str) -> (String, age::x25519::Identity) {
        let age_id = age::x25519::Identity::generate();
        let (_, a) = self.post("/v1/admin/annotators", json!({ "name": name }));
        let signer = DeviceIdentity::generate().unwrap();
        let (st, _, _, r) = raw(
            "POST",
            &format!("{}/v1/enroll", self.url),
            &[],
            json!({"enrollment_code": a["enrollment_code"], "signing_key": signer.public().signing_key,
                   "recipient": age_id.to_public().to_string()})
            .to_string()
            .as_bytes(),
        );
        assert_eq!(st, 200, "{r}");
        let r: Value = serde_json::from_str(&r).unwrap();
        (r["device_id"].as_str().unwrap().to_string(), age_id)
    }

    /// A signed label upload from device `dev`, which the hub must accept whole.
    pub fn upload(&self, id: &DeviceIdentity, dev: &str, labels: Vec<WireLabel>) {
        upload_to(&self.url, id, dev, labels)
    }
}

/// A signed label upload from device `dev` to the hub at `url`, which the hub must accept
/// whole (for tests that run a hub of their own).
pub fn upload_to(url: &str, id: &DeviceIdentity, dev: &str, labels: Vec<WireLabel>) {
    let body = serde_json::to_vec(&LabelUpload {
        upload_id: labelvault_core::batch::random_id("u_").unwrap(),
        device_id: dev.into(),
        labels,
    })
    .unwrap();
    let ts = labelvault_core::batch::now_unix();
    let nonce = labelvault_core::batch::random_id("").unwrap();
    let sig = id.sign(&protocol::request_message(
        "POST",
        "/v1/labels",
        ts,
        &nonce,
        &body,
    ));
    let (st, _, _, r) = raw(
        "POST",
        &format!("{}/v1/labels", url),
        &[
            (protocol::H_DEVICE, dev.to_string()),
            (protocol::H_TIMESTAMP, ts.to_string()),
            (protocol::H_NONCE, nonce),
            (
                protocol::H_SIGNATURE,
                base64::engine::general_purpose::STANDARD.encode(sig),
            ),
        ],
        &body,
    );
    assert_eq!(st, 200, "{r}");
    let r: Value = serde_json::from_str(&r).unwrap();
    assert_eq!(r["receipt"]["rejected"], json!([]), "{r}");
}
