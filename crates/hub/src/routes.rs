//! The HTTP endpoints (documented in docs/openapi.yaml).

use crate::error::HubError;
use crate::http::jsonl;
use crate::store::{NewBatch, Upload};
use crate::{auth, blocking, pipeline, review, AppState};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use labelvault_core::admin_api::{
    Annotator, AnnotatorDevice, AnnotatorList, AssignAnswer, AssignRequest,
};
use labelvault_core::batch::{self, input::InputItem};
use labelvault_core::protocol::{
    AnnotatorCreated, CreateAnnotator, EnrollRequest, EnrollResponse, LabelUpload, SignedReceipt,
    MAX_LABELS_PER_UPLOAD, MAX_UPLOAD_BYTES,
};

/// Largest admin request (an assignment of many items).
const MAX_ADMIN_BYTES: usize = 256 * 1024 * 1024;

/// The router.
pub fn router(state: AppState) -> Router {
    let device = Router::new()
        .route("/v1/batches", get(list_batches))
        .route("/v1/batches/{batch_id}", get(get_batch))
        .route("/v1/labels", post(upload_labels))
        .route("/v1/enroll", post(enroll))
        .route("/v1/accounts/enroll", post(crate::people::enroll))
        .route("/v1/notices", get(crate::erasure::pending))
        .route("/v1/notices/ack", post(crate::erasure::ack))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES));
    let admin = Router::new()
        .route(
            "/v1/admin/annotators",
            post(create_annotator).get(list_annotators),
        )
        .route("/v1/admin/assign", post(assign))
        .route("/v1/admin/devices/{device_id}/revoke", post(revoke))
        .route("/v1/admin/labels", get(admin_labels))
        .route("/v1/admin/erase", post(crate::erasure::erase))
        .route(
            "/v1/admin/erasures/{erasure_id}",
            get(crate::erasure::status),
        )
        .route("/v1/admin/ledger", get(admin_ledger))
        .route("/v1/admin/messages", post(pipeline::ingest))
        .route("/v1/admin/companies", post(pipeline::company))
        .route("/v1/admin/gold", post(pipeline::gold))
        .route("/v1/admin/select", post(pipeline::select_pool))
        .route("/v1/admin/dispatch", post(pipeline::dispatch))
        .route("/v1/admin/leases/reclaim", post(pipeline::reclaim))
        .route("/v1/admin/items", get(pipeline::items))
        .route("/v1/admin/pipeline", get(pipeline::status))
        .route("/v1/admin/missed-pii", get(crate::missed_pii::report))
        .route(
            "/v1/admin/missed-pii/confirm",
            post(crate::missed_pii::confirm),
        )
        .route("/v1/admin/batches/{batch_id}", get(pipeline::batch_file))
        .route(
            "/v1/admin/batches/{batch_id}/withdraw",
            post(pipeline::withdraw_batch),
        )
        .route("/v1/admin/quality", get(review::quality))
        .route("/v1/admin/disagreements", get(review::disagreements))
        .route(
            "/v1/admin/adjudications",
            get(review::adjudications).post(review::adjudicate),
        )
        .route(
            "/v1/admin/adjudications/{seq}/undo",
            post(review::undo_adjudication),
        )
        .route("/v1/admin/export", get(review::export))
        .route("/v1/admin/evaluation", get(review::evaluation_json))
        .route("/v1/admin/evaluation.html", get(review::evaluation_html))
        .route(
            "/v1/admin/evaluation/compare",
            get(review::evaluation_compare),
        )
        .route("/v1/admin/retrain", get(review::retrain_status))
        .route("/v1/admin/retrain/mark", post(review::retrain_mark))
        .route(
            "/v1/admin/retrain/threshold",
            post(review::retrain_threshold),
        )
        .route(
            "/v1/admin/webhook-deliveries",
            get(crate::webhook::deliveries),
        )
        .route("/metrics", get(review::metrics))
        .route(
            "/v1/admin/accounts",
            post(crate::people::create).get(crate::people::list),
        )
        .route(
            "/v1/admin/accounts/{account_id}/role",
            post(crate::people::set_role),
        )
        .route(
            "/v1/admin/accounts/{account_id}/revoke",
            post(crate::people::revoke),
        )
        .route("/v1/admin/access-ledger", get(crate::people::access_ledger))
        .route(
            "/v1/admin/accounts/{account_id}/tokens",
            post(crate::people::create_token),
        )
        .route(
            "/v1/admin/tokens/{token_id}/revoke",
            post(crate::people::revoke_token),
        )
        // Every admin route: who, which role may, and the access ledger entry.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::people::gate,
        ))
        .layer(DefaultBodyLimit::max(MAX_ADMIN_BYTES));
    Router::new()
        .route(
            "/v1/health",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .merge(device)
        .merge(admin)
        .fallback(|| async {
            HubError::not_found(
                "no_such_endpoint",
                "no such endpoint; see docs/openapi.yaml",
            )
        })
        // A known path with another method: an ApiError too, not an empty body.
        .method_not_allowed_fallback(|| async { HubError::MethodNotAllowed })
        .with_state(state)
}

pub(crate) use crate::http::parse_object as parse;

async fn create_annotator(
    State(s): State<AppState>,
    body: Bytes,
) -> Result<Json<AnnotatorCreated>, HubError> {
    let req: CreateAnnotator = parse(&body)?;
    if req.name.trim().is_empty() || req.name.len() > 200 {
        return Err(HubError::bad("invalid", "name must be 1–200 characters"));
    }
    let code = auth::random_code()?;
    let expires = auth::now() + 24 * 3600;
    let hash = auth::code_hash(&code);
    let store = s.store.clone();
    let id = blocking(move || store.create_annotator(&req.name, &hash, expires)).await?;
    tracing::info!(annotator = %id, "created annotator");
    Ok(Json(AnnotatorCreated {
        annotator_id: id,
        enrollment_code: code,
        code_expires_at: expires,
    }))
}

/// `GET /v1/admin/annotators`: the people behind the device ids, for the manager's
/// views (names are the annotators' own personal data: managers only).
async fn list_annotators(State(s): State<AppState>) -> Result<Json<AnnotatorList>, HubError> {
    let store = s.store.clone();
    let annotators = blocking(move || store.annotators()).await?;
    Ok(Json(AnnotatorList {
        annotators: annotators.into_iter().map(annotator).collect(),
    }))
}

/// The store's record of a person as the admin API lists it.
fn annotator(a: crate::store::AnnotatorRecord) -> Annotator {
    Annotator {
        annotator_id: a.annotator_id,
        name: a.name,
        devices: a
            .devices
            .into_iter()
            .map(|d| AnnotatorDevice {
                device_id: d.device_id,
                revoked: d.revoked,
            })
            .collect(),
    }
}

async fn enroll(State(s): State<AppState>, body: Bytes) -> Result<Json<EnrollResponse>, HubError> {
    let req: EnrollRequest = parse(&body)?;
    let key = labelvault_core::identity::parse_public_key(&req.signing_key)
        .map_err(|_| HubError::bad("invalid", "signing_key must be a base64 Ed25519 public key"))?;
    if !req.recipient.starts_with("age1") || req.recipient.len() > 100 {
        return Err(HubError::bad(
            "invalid",
            "recipient must be an age X25519 recipient (age1…)",
        ));
    }
    let hash = auth::code_hash(&req.enrollment_code);
    let store = s.store.clone();
    let id = blocking(move || store.enroll(&hash, auth::now(), &key, &req.recipient)).await?;
    tracing::info!(device = %id, "enrolled device");
    Ok(Json(EnrollResponse {
        device_id: id,
        hub_public_key: s.key.public_key(),
        hub_key_id: s.key.key_id(),
    }))
}

async fn assign(State(s): State<AppState>, body: Bytes) -> Result<Json<AssignAnswer>, HubError> {
    let req: AssignRequest = crate::http::parse_object_allowing_null(&body, &["taxonomy"])?;
    let store = s.store.clone();
    let dev_id = req.device_id.clone();
    let dev = blocking(move || store.device(&dev_id))
        .await?
        .ok_or_else(|| HubError::not_found("unknown_device", "no such device"))?;
    if dev.revoked {
        return Err(HubError::conflict(
            "revoked",
            "this device is revoked; assign the items to another device",
        ));
    }
    let items: Vec<InputItem> = req.items.into_iter().map(InputItem::from).collect();
    let now = auth::now();
    let ttl = i64::from(req.expires_days.unwrap_or(14).clamp(1, 365)) * 86_400;
    let key = s.key.clone();
    let store = s.store.clone();
    let (batch_id, item_ids) = blocking(move || {
        let payload = batch::input::build_payload(items, req.taxonomy, &dev.recipient, now, ttl)
            .map_err(|e| HubError::bad("invalid", e.to_string()))?;
        let bytes =
            batch::seal(&payload, &key).map_err(|e| HubError::bad("invalid", e.to_string()))?;
        let item_ids: Vec<String> = payload.items.iter().map(|i| i.item_id.clone()).collect();
        store.store_batch(&NewBatch {
            batch_id: payload.batch_id.clone(),
            device_id: dev.device_id.clone(),
            created_at: payload.created_at,
            expires_at: payload.expires_at,
            bytes,
            item_ids: item_ids.clone(),
            item_chars: payload.items.iter().map(|i| i.text_chars()).collect(),
            item_texts: Vec::new(),
            intents: payload
                .taxonomy
                .intents
                .iter()
                .map(|i| i.id.clone())
                .collect(),
        })?;
        Ok((payload.batch_id, item_ids))
    })
    .await?;
    tracing::info!(batch = %batch_id, items = item_ids.len(), "assigned batch");
    Ok(Json(AssignAnswer { batch_id, item_ids }))
}

async fn revoke(
    State(s): State<AppState>,
    Path(device_id): Path<String>,
) -> Result<Json<serde_json::Value>, HubError> {
    let store = s.store.clone();
    let id = device_id.clone();
    let Some(returned) = blocking(move || store.revoke(&id, auth::now())).await? else {
        return Err(HubError::not_found("unknown_device", "no such device"));
    };
    tracing::info!(device = %device_id, returned, "revoked device");
    Ok(Json(
        serde_json::json!({"revoked": device_id, "returned_to_pool": returned}),
    ))
}

async fn admin_labels(State(s): State<AppState>) -> Result<Response, HubError> {
    let store = s.store.clone();
    Ok(jsonl(blocking(move || store.labels_jsonl()).await?))
}

/// The inbound ledger, ending in its head signed by the hub key: the last entry and
/// each device's latest announced ledger entry (docs/ledger.md, "The hub ledger").
async fn admin_ledger(State(s): State<AppState>) -> Result<Response, HubError> {
    let store = s.store.clone();
    let (mut text, devices) =
        blocking(move || Ok((store.ledger_jsonl()?, store.device_heads()?))).await?;
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(serde_json::from_str::<serde_json::Value>)
        .transpose()
        .map_err(|_| HubError::Internal("stored ledger entry damaged".into()))?;
    let (entries, head) = match &last {
        Some(v) => (
            v["seq"].as_u64().unwrap_or(0),
            v["entry_hash"].as_str().unwrap_or_default().to_string(),
        ),
        None => (0, "0".repeat(64)),
    };
    let signed_head = labelvault_core::protocol::HubLedgerHead {
        entries,
        head,
        signed_at_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0),
        hub_key_id: s.key.key_id(),
        devices,
    };
    let signature = base64::engine::general_purpose::STANDARD.encode(
        s.key
            .sign(&labelvault_core::protocol::hub_head_message(&signed_head)),
    );
    let line = serde_json::to_string(&labelvault_core::protocol::SignedHubHead {
        signed_head,
        signature,
    })
    .map_err(|e| HubError::Internal(e.to_string()))?;
    text.push_str(&line);
    text.push('\n');
    Ok(jsonl(text))
}

async fn list_batches(
    State(s): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, HubError> {
    let dev = auth::device(&s, &method, "/v1/batches", &headers, b"").await?;
    let store = s.store.clone();
    let list = blocking(move || store.list_batches(&dev.device_id)).await?;
    Ok(Json(list).into_response())
}

async fn get_batch(
    State(s): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(batch_id): Path<String>,
) -> Result<Response, HubError> {
    let path = format!("/v1/batches/{batch_id}");
    let dev = auth::device(&s, &method, &path, &headers, b"").await?;
    let store = s.store.clone();
    let bytes = blocking(move || store.batch_bytes(&batch_id, &dev.device_id)).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/octet-stream")],
        bytes,
    )
        .into_response())
}

async fn upload_labels(
    State(s): State<AppState>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<SignedReceipt>, HubError> {
    let dev = auth::device(&s, &method, "/v1/labels", &headers, &body).await?;
    let upload: LabelUpload = crate::http::parse_object_with_nulls(&body)?;
    if upload.device_id != dev.device_id {
        return Err(HubError::forbidden(
            "device_mismatch",
            "the upload names another device",
        ));
    }
    if upload.labels.len() > MAX_LABELS_PER_UPLOAD {
        return Err(HubError::bad(
            "too_many_labels",
            format!("at most {MAX_LABELS_PER_UPLOAD} labels per upload"),
        ));
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    // The label grammar, before anything is stored or echoed: a refusal names the
    // label's position, the field and the rule, never the value.
    let latest = now_ms + labelvault_core::protocol::MAX_CLOCK_SKEW_SECS * 1000;
    labelvault_core::grammar::check_upload(&upload, latest)
        .map_err(|p| HubError::bad("malformed_label", p.to_string()))?;
    let pin = auth::ledger_pin(&headers)?;
    let body_sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, &body));
    let store = s.store.clone();
    let key = s.key.clone();
    let receipt = blocking(move || {
        let sign = move |mut r: labelvault_core::protocol::Receipt| {
            r.hub_key_id = key.key_id();
            // Countersign the device chain head this upload is (as the device announced it).
            if let Some((seq, head)) = &pin {
                r.device_seq = Some(*seq);
                r.device_head = Some(head.clone());
            }
            let signature = base64::engine::general_purpose::STANDARD
                .encode(key.sign(&labelvault_core::protocol::receipt_message(&r)));
            SignedReceipt {
                receipt: r,
                signature,
            }
        };
        store.ingest(
            &Upload {
                device_id: &dev.device_id,
                upload_id: &upload.upload_id,
                body: &body,
                body_sha256: &body_sha,
                labels: &upload.labels,
                now_ms,
            },
            &sign,
        )
    })
    .await?;
    tracing::info!(
        accepted = receipt.receipt.accepted,
        duplicates = receipt.receipt.duplicates,
        rejected = receipt.receipt.rejected.len(),
        "received labels"
    );
    Ok(Json(receipt))
}

/// Map axum's own body-limit rejection to our JSON error.
pub async fn limit_errors(resp: Response) -> Response {
    if resp.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return HubError::TooLarge {
            limit: MAX_UPLOAD_BYTES,
        }
        .into_response();
    }
    resp
}
