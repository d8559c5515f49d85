//! What a person's signed admin request costs the hub against the bootstrap token, in
//! the same run: blocks of `GET /v1/admin/pipeline` over loopback, alternating token and
//! account signature (each request also appends its access-ledger entry), plus the
//! signature check alone.
//!
//! Run: `cargo bench -p labelvault-hub --bench admin_auth`.

use base64::Engine as _;
use labelvault_core::identity::HubKey;
use labelvault_core::protocol;
use labelvault_hub::{config, routes, store, AppState};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = config::load_or_create_token(dir.path()).expect("token");
    let st =
        store::open(&format!("sqlite://{}", dir.path().join("hub.db").display())).expect("store");
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
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let created: serde_json::Value = serde_json::from_str(
        &agent
            .post(&format!("{base}/v1/admin/accounts"))
            .header("authorization", &format!("Bearer {}", token.as_str()))
            .header("content-type", "application/json")
            .send(
                json!({"name": "bench", "role": "manager"})
                    .to_string()
                    .as_bytes(),
            )
            .expect("create")
            .body_mut()
            .read_to_string()
            .expect("body"),
    )
    .expect("json");
    let key = HubKey::generate().expect("key");
    agent
        .post(&format!("{base}/v1/accounts/enroll"))
        .header("content-type", "application/json")
        .send(
            json!({"enrollment_code": created["enrollment_code"], "signing_key": key.public_key()})
                .to_string()
                .as_bytes(),
        )
        .expect("enroll");
    let account = created["account_id"].as_str().expect("id").to_string();
    let path = "/v1/admin/pipeline";
    let by_token = || {
        agent
            .get(&format!("{base}{path}"))
            .header("authorization", &format!("Bearer {}", token.as_str()))
            .call()
            .expect("token call");
    };
    let signed = || {
        let ts = labelvault_core::batch::now_unix();
        let nonce = labelvault_core::batch::random_id("").expect("nonce");
        let sig = key.sign(&protocol::request_message("GET", path, ts, &nonce, b""));
        agent
            .get(&format!("{base}{path}"))
            .header("x-lv-account", &account)
            .header(protocol::H_TIMESTAMP, &ts.to_string())
            .header(protocol::H_NONCE, &nonce)
            .header(
                protocol::H_SIGNATURE,
                &base64::engine::general_purpose::STANDARD.encode(sig),
            )
            .call()
            .expect("signed call");
    };
    let (block, rounds) = (300, 5);
    let (mut t_token, mut t_signed) = (0.0, 0.0);
    for _ in 0..rounds {
        let t = Instant::now();
        (0..block).for_each(|_| by_token());
        t_token += t.elapsed().as_secs_f64();
        let t = Instant::now();
        (0..block).for_each(|_| signed());
        t_signed += t.elapsed().as_secs_f64();
    }
    let n = f64::from(block * rounds);
    let (tok, sig) = (t_token / n * 1e6, t_signed / n * 1e6);
    // The check alone: one strict Ed25519 verification of a request message.
    let pk = labelvault_core::identity::parse_public_key(&key.public_key()).expect("pk");
    let msg = protocol::request_message("GET", path, 1, "00ff00ff00ff00ff", b"");
    let s = key.sign(&msg);
    let t = Instant::now();
    for _ in 0..5_000 {
        assert!(labelvault_core::identity::verify(&pk, &msg, &s));
    }
    let verify = t.elapsed().as_secs_f64() / 5_000.0 * 1e6;
    println!(
        "GET {path} over loopback, {} requests each, alternating blocks of {block}:",
        block * rounds
    );
    println!(
        "  bootstrap token {tok:.0} µs/request; account signature {sig:.0} µs/request ({:.2}x, +{:.0} µs: signature check, nonce and account lookup)",
        sig / tok,
        sig - tok
    );
    println!("  the signature check alone: {verify:.1} µs");
}
