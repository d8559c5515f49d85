//! The admin API's shared types against a real hub, on both stores: what the hub
//! answers on the account, enrollment, retraining, assignment and webhook routes reads
//! as the type the CLI and the app read it with, and writing that type back gives the
//! same JSON the hub sent (no field lost, renamed or added), with the values the test
//! put in.

use labelvault_core::admin_api::{
    AccountCreated, AccountEnroll, AccountEnrolled, AccountList, AccountRequest, AssignAnswer,
    AssignItem, AssignRequest, RetrainMarkKind, RetrainMarkRequest, RetrainStatus,
    RetrainThresholdRequest, Role, WebhookDeliveries,
};
use labelvault_core::batch::Reason;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

mod common;
use common::{raw, start, Backend, Hub};

on_both_stores!(
    accounts_read_as_the_shared_types,
    retraining_reads_as_the_shared_types,
    an_assignment_reads_as_the_shared_types,
    webhook_deliveries_read_as_the_shared_types,
);

/// `body` read as `T` and written back is the same JSON.
fn round_trip<T: Serialize + DeserializeOwned>(body: &str) -> T {
    let typed: T = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let sent: Value = serde_json::from_str(body).expect("the hub's answer is JSON");
    assert_eq!(
        serde_json::to_value(&typed).expect("serialize"),
        sent,
        "the type changes the hub's answer"
    );
    typed
}

/// `POST path` with the bootstrap token and a typed body: (status, answer text).
fn post<B: Serialize>(hub: &Hub, path: &str, body: &B) -> (u16, String) {
    let (st, _, _, text) = raw(
        "POST",
        &format!("{}{path}", hub.url),
        &hub.auth(),
        &serde_json::to_vec(body).expect("body"),
    );
    (st, text)
}

fn accounts_read_as_the_shared_types(backend: Backend) {
    let hub = start(backend);
    let (st, body) = post(
        &hub,
        "/v1/admin/accounts",
        &AccountRequest {
            name: "Lena Lead".into(),
            role: Role::Lead,
        },
    );
    assert_eq!(st, 200, "{body}");
    let created: AccountCreated = round_trip(&body);
    assert_eq!(created.role, Role::Lead);
    assert!(created.account_id.starts_with("ac_"), "{body}");

    let key = labelvault_core::identity::HubKey::generate().expect("key");
    let (st, _, _, body) = raw(
        "POST",
        &format!("{}/v1/accounts/enroll", hub.url),
        &[],
        &serde_json::to_vec(&AccountEnroll {
            enrollment_code: created.enrollment_code.clone(),
            signing_key: key.public_key(),
        })
        .expect("body"),
    );
    assert_eq!(st, 200, "{body}");
    let enrolled: AccountEnrolled = round_trip(&body);
    assert_eq!(
        (enrolled.account_id.as_str(), enrolled.role),
        (created.account_id.as_str(), Role::Lead)
    );
    assert_eq!(enrolled.hub_public_key, hub.state.key.public_key());

    let (st, _, _, body) = hub.get("/v1/admin/accounts");
    assert_eq!(st, 200, "{body}");
    let list: AccountList = round_trip(&body);
    let lena = list
        .accounts
        .iter()
        .find(|a| a.account_id == created.account_id)
        .unwrap_or_else(|| panic!("the new account is listed: {body}"));
    assert_eq!(
        (lena.name.as_str(), lena.role, lena.revoked),
        ("Lena Lead", Role::Lead, false)
    );
    assert_eq!(lena.signing_key.as_deref(), Some(key.public_key().as_str()));
    // The bootstrap manager has no key.
    assert!(
        list.accounts.iter().any(|a| a.account_id == "bootstrap"
            && a.role == Role::Manager
            && a.signing_key.is_none()),
        "{body}"
    );
}

fn retraining_reads_as_the_shared_types(backend: Backend) {
    let hub = start(backend);
    let (st, _, _, body) = hub.get("/v1/admin/retrain");
    assert_eq!(st, 200, "{body}");
    let before: RetrainStatus = round_trip(&body);
    assert_eq!((before.new_labels, before.last_mark), (0, None));

    let (st, body) = post(
        &hub,
        "/v1/admin/retrain/threshold",
        &RetrainThresholdRequest { threshold: 7 },
    );
    assert_eq!(st, 200, "{body}");
    let set: RetrainStatus = round_trip(&body);
    assert_eq!((set.threshold, set.due), (7, false));

    let (st, body) = post(
        &hub,
        "/v1/admin/retrain/mark",
        &RetrainMarkRequest::of(RetrainMarkKind::Export),
    );
    assert_eq!(st, 200, "{body}");
    let marked: RetrainStatus = round_trip(&body);
    let mark = marked.last_mark.expect("the mark is reported");
    assert_eq!(mark.kind, "export");
    assert_eq!(marked.threshold, 7);

    // A kind outside the two is refused with both named.
    let (st, body) = post(
        &hub,
        "/v1/admin/retrain/mark",
        &RetrainMarkRequest {
            kind: "deploy".into(),
        },
    );
    assert_eq!(st, 400, "{body}");
    assert!(body.contains("training or export"), "{body}");
    let (st, body) = post(
        &hub,
        "/v1/admin/retrain/threshold",
        &RetrainThresholdRequest {
            threshold: RetrainThresholdRequest::MAX + 1,
        },
    );
    assert_eq!(st, 400, "{body}");
}

fn an_assignment_reads_as_the_shared_types(backend: Backend) {
    let hub = start(backend);
    let (_, device) = hub.enroll("Ann");
    let items: Vec<AssignItem> = ["card_arrival", "refund", "card_arrival"]
        .iter()
        .enumerate()
        .map(|(i, intent)| AssignItem {
            text: format!("item {i} about [PERSON]"),
            intent: intent.to_string(),
            confidence: 0.4,
            reason: Reason::LowConfidence,
            alternatives: Vec::new(),
        })
        .collect();
    let (st, body) = post(
        &hub,
        "/v1/admin/assign",
        &AssignRequest {
            device_id: device.clone(),
            taxonomy: None,
            items: items.clone(),
            expires_days: Some(3),
        },
    );
    assert_eq!(st, 200, "{body}");
    let a: AssignAnswer = round_trip(&body);
    assert!(a.batch_id.starts_with("b_"), "{body}");
    assert_eq!(a.item_ids.len(), items.len());
    let distinct: std::collections::BTreeSet<&String> = a.item_ids.iter().collect();
    assert_eq!(distinct.len(), items.len(), "{body}");
}

fn webhook_deliveries_read_as_the_shared_types(backend: Backend) {
    let hub = start(backend);
    let (st, _, _, body) = hub.get("/v1/admin/webhook-deliveries");
    assert_eq!(st, 200, "{body}");
    let empty: WebhookDeliveries = round_trip(&body);
    assert!(empty.deliveries.is_empty());

    // An event with one refused attempt, as the delivery loop records it.
    let store = &hub.state.store;
    let event = format!("wh_{}", "ab".repeat(12));
    let now = 1_767_225_600_000;
    assert!(store
        .webhook_enqueue(0, &event, "{\"due\":true}", now)
        .unwrap());
    let claimed = store
        .webhook_claim(now, now + 60_000)
        .unwrap()
        .expect("the event is due");
    assert_eq!(claimed.event_id, event);
    let attempt = labelvault_hub::store::WebhookAttempt {
        event_id: event.clone(),
        attempt: 1,
        at_ms: now + 5,
        status: Some(503),
        error: None,
        next_attempt_at_ms: Some(now + 30_000),
        state: "pending".into(),
    };
    assert!(store.webhook_record(&attempt).unwrap());

    let (st, _, _, body) = hub.get("/v1/admin/webhook-deliveries?limit=5");
    assert_eq!(st, 200, "{body}");
    let list: WebhookDeliveries = round_trip(&body);
    let [d] = list.deliveries.as_slice() else {
        panic!("one event: {body}");
    };
    assert_eq!(
        (d.event_id.as_str(), d.state.as_str(), d.episode),
        (event.as_str(), "pending", 0)
    );
    assert_eq!(d.next_attempt_at_ms, Some(now + 30_000));
    let [a] = d.attempts.as_slice() else {
        panic!("one attempt: {body}");
    };
    assert_eq!(
        (a.attempt, a.at_ms, a.status, a.error.as_deref()),
        (1, now + 5, Some(503), None)
    );
}
