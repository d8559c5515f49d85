//! People and roles on the hub: who may call which admin endpoint (one table,
//! [`RULES`]), how an admin request proves who sent it (a per-person Ed25519 signature,
//! or the bootstrap admin token as the documented fallback for scripts), and the access
//! ledger entry every admin act leaves (`crate::store::HubStore::append_access`).
//!
//! Every `/v1/admin/…` route and `/metrics` passes through [`gate`]: a route without a
//! rule is refused, so a new endpoint cannot be served unguarded.

use crate::error::HubError;
use crate::store::NewAccess;
use crate::{auth, blocking, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use labelvault_core::admin_api::{
    Account, AccountCreated, AccountEnroll, AccountEnrolled, AccountList, AccountRequest,
};
use serde::Deserialize;

/// A role. What each may do is [`RULES`]; docs/authorization.md has the same table. The
/// type is the admin API's, so the CLI and the app send the names the hub reads.
pub use labelvault_core::admin_api::Role;

use Role::{Lead as L, Manager as M, PrivacyOfficer as P, Viewer as V};

/// One admin route: the act it records and the roles that may call it.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The route as axum matches it.
    pub route: &'static str,
    /// What the access ledger calls the act.
    pub act: &'static str,
    /// Who may.
    pub roles: &'static [Role],
}

const fn r(
    method: &'static str,
    route: &'static str,
    act: &'static str,
    roles: &'static [Role],
) -> Rule {
    Rule {
        method,
        route,
        act,
        roles,
    }
}

/// Who may call which admin endpoint. Raw text leaves only through `export` (manager)
/// and `disagreements?with_text=true` (manager, lead), both recorded as
/// `raw_text_read` with the message ids.
pub const RULES: &[Rule] = &[
    r("POST", "/v1/admin/annotators", "annotator_create", &[M]),
    r("GET", "/v1/admin/annotators", "annotators_read", &[M, L]),
    r("POST", "/v1/admin/assign", "assign", &[M]),
    r(
        "POST",
        "/v1/admin/devices/{device_id}/revoke",
        "device_revoke",
        &[M],
    ),
    r("GET", "/v1/admin/labels", "labels_read", &[M, P]),
    r("GET", "/v1/admin/ledger", "ledger_read", &[M, P]),
    r("POST", "/v1/admin/erase", "erase", &[M, P]),
    r(
        "GET",
        "/v1/admin/erasures/{erasure_id}",
        "erasure_read",
        &[M, P],
    ),
    r("POST", "/v1/admin/messages", "ingest", &[M]),
    r("POST", "/v1/admin/companies", "company_set", &[M]),
    r("POST", "/v1/admin/gold", "gold_set", &[M]),
    r("POST", "/v1/admin/select", "select", &[M]),
    r("POST", "/v1/admin/dispatch", "dispatch", &[M]),
    r("POST", "/v1/admin/leases/reclaim", "reclaim", &[M]),
    r("GET", "/v1/admin/items", "items_read", &[M]),
    r("GET", "/v1/admin/pipeline", "pipeline_read", &[M, L, P, V]),
    r("GET", "/v1/admin/missed-pii", "missed_pii_read", &[M, L]),
    r(
        "POST",
        "/v1/admin/missed-pii/confirm",
        "missed_pii_confirm",
        &[M],
    ),
    r(
        "GET",
        "/v1/admin/batches/{batch_id}",
        "batch_file_read",
        &[M],
    ),
    r(
        "POST",
        "/v1/admin/batches/{batch_id}/withdraw",
        "dispatch_undo",
        &[M],
    ),
    r("GET", "/v1/admin/quality", "quality_read", &[M, L]),
    r(
        "GET",
        "/v1/admin/disagreements",
        "disagreements_read",
        &[M, L],
    ),
    r(
        "GET",
        "/v1/admin/adjudications",
        "adjudications_read",
        &[M, L],
    ),
    r("POST", "/v1/admin/adjudications", "adjudicate", &[M, L]),
    r(
        "POST",
        "/v1/admin/adjudications/{seq}/undo",
        "adjudication_undo",
        &[M, L],
    ),
    r("GET", "/v1/admin/export", "export", &[M]),
    r("GET", "/v1/admin/evaluation", "evaluation_read", &[M, L, V]),
    r(
        "GET",
        "/v1/admin/evaluation.html",
        "evaluation_read",
        &[M, L, V],
    ),
    r(
        "GET",
        "/v1/admin/evaluation/compare",
        "evaluation_read",
        &[M, L, V],
    ),
    r("GET", "/v1/admin/retrain", "retrain_read", &[M, L, V]),
    r("POST", "/v1/admin/retrain/mark", "retrain_mark", &[M]),
    r(
        "POST",
        "/v1/admin/retrain/threshold",
        "retrain_threshold",
        &[M],
    ),
    r(
        "GET",
        "/v1/admin/webhook-deliveries",
        "webhook_deliveries_read",
        &[M, L, V],
    ),
    r("GET", "/metrics", "metrics_read", &[M, L, P, V]),
    r("POST", "/v1/admin/accounts", "account_create", &[M]),
    r("GET", "/v1/admin/accounts", "accounts_read", &[M, P]),
    r(
        "POST",
        "/v1/admin/accounts/{account_id}/role",
        "account_role",
        &[M],
    ),
    r(
        "POST",
        "/v1/admin/accounts/{account_id}/revoke",
        "account_revoke",
        &[M],
    ),
    r(
        "GET",
        "/v1/admin/access-ledger",
        "access_ledger_read",
        &[M, P],
    ),
    r(
        "POST",
        "/v1/admin/accounts/{account_id}/tokens",
        "token_create",
        &[M],
    ),
    r(
        "POST",
        "/v1/admin/tokens/{token_id}/revoke",
        "token_revoke",
        &[M],
    ),
];

/// The rule of a route, if it has one.
pub fn rule(method: &str, route: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.method == method && r.route == route)
}

/// Who sent an admin request.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `ac_…`, or `bootstrap` for the hub's admin token.
    pub account_id: String,
    /// Their role.
    pub role: Role,
}

/// The id the bootstrap admin token acts as: the first manager, until people have
/// accounts of their own (and for scripts after that).
pub const BOOTSTRAP: &str = crate::store::BOOTSTRAP_ACCOUNT;

/// Headers of a signed admin request (the device scheme with an account id).
pub const H_ACCOUNT: &str = "x-lv-account";

/// What a handler tells the access ledger beyond the route: the act when it differs
/// (a raw-text read), and the messages concerned. Put in the response's extensions.
#[derive(Debug, Clone, Default)]
pub struct AccessNote {
    /// Replaces the route's act.
    pub act: Option<&'static str>,
    /// Message ids (never text), shared with whatever keeps them (an export body).
    pub message_ids: crate::access_ids::AccessIds,
}

impl AccessNote {
    /// Attach to a response.
    pub fn attach(self, mut resp: Response) -> Response {
        resp.extensions_mut().insert(self);
        resp
    }
}

/// Largest admin request body read by the gate (as the admin routes allow).
const MAX_BODY: usize = 256 * 1024 * 1024;

async fn authenticate(
    s: &AppState,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Actor, HubError> {
    if let Some(account_id) = headers.get(H_ACCOUNT).and_then(|v| v.to_str().ok()) {
        let account_id = account_id.to_string();
        let get = |h: &str| {
            headers.get(h).and_then(|v| v.to_str().ok()).ok_or_else(|| {
                HubError::unauthorized(
                    "signature_required",
                    format!("signed admin requests need the {h} header"),
                )
            })
        };
        let ts: i64 = get(labelvault_core::protocol::H_TIMESTAMP)?
            .parse()
            .map_err(|_| {
                HubError::unauthorized("bad_timestamp", "x-lv-timestamp must be Unix seconds")
            })?;
        let nonce = get(labelvault_core::protocol::H_NONCE)?.to_string();
        if nonce.len() < 16 || nonce.len() > 64 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(HubError::unauthorized(
                "bad_nonce",
                "x-lv-nonce must be 16–64 hex characters",
            ));
        }
        let sig = base64::engine::general_purpose::STANDARD
            .decode(get(labelvault_core::protocol::H_SIGNATURE)?)
            .map_err(|_| HubError::unauthorized("bad_signature", "x-lv-signature is not base64"))?;
        let store = s.store.clone();
        let id = account_id.clone();
        let acc = blocking(move || store.account(&id)).await?.ok_or_else(|| {
            HubError::unauthorized("unknown_account", "no such account on this hub")
        })?;
        if acc.revoked {
            return Err(HubError::forbidden(
                "account_revoked",
                "this account has been revoked; ask a manager",
            ));
        }
        let key = acc.signing_key.ok_or_else(|| {
            HubError::unauthorized(
                "not_enrolled",
                "this account has no key yet; enroll it with its code (labelvault account enroll)",
            )
        })?;
        let now = auth::now();
        if (now - ts).abs() > labelvault_core::protocol::MAX_CLOCK_SKEW_SECS {
            return Err(HubError::unauthorized(
                "stale_request",
                "the request time is too far from the hub's clock; check this computer's clock",
            ));
        }
        let msg =
            labelvault_core::protocol::request_message(method, path_and_query, ts, &nonce, body);
        if !labelvault_core::identity::verify(&key, &msg, &sig) {
            return Err(HubError::unauthorized(
                "bad_signature",
                "the account signature does not match the request",
            ));
        }
        let store = s.store.clone();
        let id = account_id.clone();
        if !blocking(move || store.use_nonce(&id, &nonce, now)).await? {
            return Err(HubError::unauthorized(
                "replayed",
                "this request was already received (replayed nonce)",
            ));
        }
        let role = Role::parse(&acc.role)
            .ok_or_else(|| HubError::Internal("stored role damaged".into()))?;
        return Ok(Actor { account_id, role });
    }
    // A bearer token: the bootstrap admin token or an account's own, both stored as
    // SHA-256 only, expiring and revocable; it acts with its account's role.
    let sha = token_sha256(auth::bearer(headers)?);
    let store = s.store.clone();
    let acc = blocking(move || store.token_account(&sha, auth::now()))
        .await?
        .ok_or_else(|| {
            HubError::unauthorized(
                "bad_admin_token",
                "the admin token is wrong, expired or revoked (a bootstrap token is renewed with `labelvault-hub admin-token --renew`)",
            )
        })?;
    let role =
        Role::parse(&acc.role).ok_or_else(|| HubError::Internal("stored role damaged".into()))?;
    Ok(Actor {
        account_id: acc.account_id,
        role,
    })
}

/// What the store keeps of a bearer token (bootstrap or account): its SHA-256 in hex.
/// Tokens are looked up by it, so no comparison ever runs over the secret itself.
fn token_sha256(token: &str) -> String {
    hex::encode(ring::digest::digest(
        &ring::digest::SHA256,
        token.as_bytes(),
    ))
}

/// What became of the bootstrap admin token at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bootstrap {
    /// Valid until this Unix time.
    ValidUntil(i64),
    /// Expired at this Unix time.
    Expired(i64),
    /// Revoked (the bootstrap account or the token itself).
    Revoked,
}

/// Register the bootstrap admin token (read from `DATA_DIR/admin.token`) in the store by
/// its SHA-256, valid `days` from its first registration, as the `bootstrap` manager;
/// `retire` is the token a renewal replaces (revoked at once). The hub never keeps the
/// token itself: a request's token is hashed and looked up like an account's.
pub fn register_bootstrap(
    store: &dyn crate::store::HubStore,
    token: &str,
    days: u32,
    retire: Option<&str>,
) -> Result<Bootstrap, HubError> {
    let now = auth::now();
    let old = retire.map(token_sha256);
    let (expires_at, revoked) = store.register_bootstrap_token(
        &token_sha256(token),
        now + i64::from(days) * 86_400,
        now,
        old.as_deref(),
    )?;
    let account_revoked = store.account(BOOTSTRAP)?.map(|a| a.revoked).unwrap_or(true);
    Ok(if revoked || account_revoked {
        Bootstrap::Revoked
    } else if expires_at <= now {
        Bootstrap::Expired(expires_at)
    } else {
        Bootstrap::ValidUntil(expires_at)
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

async fn record(
    s: &AppState,
    actor: &Actor,
    act: &str,
    method: &str,
    path: &str,
    status: u16,
    message_ids: crate::access_ids::AccessIds,
) -> Result<(), HubError> {
    let e = NewAccess {
        at_ms: now_ms(),
        account_id: actor.account_id.clone(),
        role: actor.role.as_str().into(),
        act: act.into(),
        method: method.into(),
        path: path.into(),
        status,
        message_ids,
    };
    let store = s.store.clone();
    let key = s.key.clone();
    blocking(move || store.append_access(&e, &|h| key.sign(h))).await?;
    Ok(())
}

/// The admin gate: authenticate, check the role against [`RULES`], run the handler,
/// and append the act to the access ledger before the answer leaves (if that fails,
/// the answer is a 500 and nothing read leaves).
pub async fn gate(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let Some(rule) = rule(&method, &route) else {
        return HubError::Internal(format!("no role rule for {method} {route}")).into_response();
    };
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return HubError::TooLarge { limit: MAX_BODY }.into_response(),
    };
    let actor = match authenticate(&s, &method, &path_and_query, &parts.headers, &bytes).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    if !rule.roles.contains(&actor.role) {
        if let Err(e) = record(
            &s,
            &actor,
            rule.act,
            &method,
            &path,
            403,
            Default::default(),
        )
        .await
        {
            return e.into_response();
        }
        return HubError::forbidden(
            "role_forbidden",
            format!(
                "the {} role may not do this ({})",
                actor.role.as_str(),
                rule.act
            ),
        )
        .into_response();
    }
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(actor.clone());
    let mut resp = next.run(req).await;
    // Taken, not copied: an export's note holds half a million ids.
    let note = resp
        .extensions_mut()
        .remove::<AccessNote>()
        .unwrap_or_default();
    let act = note.act.unwrap_or(rule.act);
    match record(
        &s,
        &actor,
        act,
        &method,
        &path,
        resp.status().as_u16(),
        note.message_ids,
    )
    .await
    {
        Ok(()) => resp,
        Err(e) => e.into_response(),
    }
}

/// `POST /v1/admin/accounts` (manager): an account for a person, with a one-time code.
pub async fn create(
    State(s): State<AppState>,
    body: Bytes,
) -> Result<Json<AccountCreated>, HubError> {
    let req: AccountRequest = crate::http::parse_object(&body)?;
    if req.name.trim().is_empty() || req.name.len() > 200 {
        return Err(HubError::bad("invalid", "name must be 1–200 characters"));
    }
    let code = crate::auth::random_code()?;
    let expires = auth::now() + 24 * 3600;
    let hash = crate::auth::code_hash(&code);
    let store = s.store.clone();
    let role = req.role;
    let id = blocking(move || {
        store.create_account(&req.name, role.as_str(), &hash, expires, auth::now())
    })
    .await?;
    tracing::info!(account = %id, role = role.as_str(), "created account");
    Ok(Json(AccountCreated {
        account_id: id,
        role,
        enrollment_code: code,
        code_expires_at: expires,
    }))
}

/// `GET /v1/admin/accounts` (manager, privacy officer).
pub async fn list(State(s): State<AppState>) -> Result<Json<AccountList>, HubError> {
    let store = s.store.clone();
    let accounts = blocking(move || store.accounts()).await?;
    let accounts = accounts
        .into_iter()
        .map(account)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(AccountList { accounts }))
}

/// The store's record of an account as the admin API lists it.
fn account(a: crate::store::AccountRecord) -> Result<Account, HubError> {
    let role = Role::parse(&a.role).ok_or_else(|| {
        HubError::Internal(format!(
            "account {} has a stored role the hub does not know",
            a.account_id
        ))
    })?;
    Ok(Account {
        account_id: a.account_id,
        name: a.name,
        role,
        signing_key: a
            .signing_key
            .map(|k| base64::engine::general_purpose::STANDARD.encode(k)),
        revoked: a.revoked,
        created_at: a.created_at,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleChange {
    role: Role,
}

/// `POST /v1/admin/accounts/{account_id}/role` (manager).
pub async fn set_role(
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, HubError> {
    let req: RoleChange = crate::http::parse_object(&body)?;
    let store = s.store.clone();
    let account = id.clone();
    if !blocking(move || store.set_account_role(&account, req.role.as_str())).await? {
        return Err(HubError::not_found("unknown_account", "no such account"));
    }
    Ok(Json(
        serde_json::json!({"account_id": id, "role": req.role}),
    ))
}

/// `POST /v1/admin/accounts/{account_id}/revoke` (manager).
pub async fn revoke(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, HubError> {
    let store = s.store.clone();
    let account = id.clone();
    if !blocking(move || store.revoke_account(&account, auth::now())).await? {
        return Err(HubError::not_found("unknown_account", "no such account"));
    }
    Ok(Json(serde_json::json!({"revoked": id})))
}

/// `POST /v1/accounts/enroll` (holder of an account code): register the key.
pub async fn enroll(
    State(s): State<AppState>,
    body: Bytes,
) -> Result<Json<AccountEnrolled>, HubError> {
    let req: AccountEnroll = crate::http::parse_object(&body)?;
    let key = labelvault_core::identity::parse_public_key(&req.signing_key)
        .ok()
        .filter(labelvault_core::identity::usable_public_key)
        .ok_or_else(|| {
            HubError::bad(
                "invalid",
                "signing_key must be a usable base64 Ed25519 public key",
            )
        })?;
    let hash = crate::auth::code_hash(&req.enrollment_code);
    let store = s.store.clone();
    let acc = blocking(move || store.enroll_account(&hash, auth::now(), &key)).await?;
    tracing::info!(account = %acc.account_id, "enrolled account key");
    let role = Role::parse(&acc.role).ok_or_else(|| {
        HubError::Internal(format!(
            "account {} has a stored role the hub does not know",
            acc.account_id
        ))
    })?;
    Ok(Json(AccountEnrolled {
        account_id: acc.account_id,
        role,
        hub_public_key: s.key.public_key(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    expires_days: u32,
}

/// `POST /v1/admin/accounts/{account_id}/tokens` (manager): a bearer token for scripts
/// acting as that account (with its role), valid 1–365 days; shown once, stored hashed.
pub async fn create_token(
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, HubError> {
    let req: TokenRequest = crate::http::parse_object(&body)?;
    if !(1..=365).contains(&req.expires_days) {
        return Err(HubError::bad("invalid", "`expires_days` must be 1–365"));
    }
    let store = s.store.clone();
    let account = id.clone();
    let acc = blocking(move || store.account(&account))
        .await?
        .filter(|a| !a.revoked)
        .ok_or_else(|| {
            HubError::not_found("unknown_account", "no such account (or it is revoked)")
        })?;
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|_| HubError::Internal("no system randomness".into()))?;
    let token = format!("lvt_{}", hex::encode(raw));
    let sha = token_sha256(&token);
    let token_id = crate::store::random_id("tk_")?;
    let expires_at = auth::now() + i64::from(req.expires_days) * 86_400;
    let store = s.store.clone();
    let (tid, aid) = (token_id.clone(), acc.account_id.clone());
    blocking(move || store.create_token(&aid, &tid, &sha, expires_at, auth::now())).await?;
    Ok(Json(serde_json::json!({
        "token_id": token_id,
        "account_id": acc.account_id,
        "role": acc.role,
        "token": token,
        "expires_at": expires_at,
    })))
}

/// `POST /v1/admin/tokens/{token_id}/revoke` (manager).
pub async fn revoke_token(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, HubError> {
    let store = s.store.clone();
    let token = id.clone();
    if !blocking(move || store.revoke_token(&token, auth::now())).await? {
        return Err(HubError::not_found("unknown_token", "no such token"));
    }
    Ok(Json(serde_json::json!({"revoked": id})))
}

/// `GET /v1/admin/access-ledger` (manager, privacy officer): JSONL, every entry signed.
pub async fn access_ledger(State(s): State<AppState>) -> Result<Response, HubError> {
    let store = s.store.clone();
    let mut text = blocking(move || store.access_jsonl()).await?;
    // Close the export with a signed checkpoint: entries and the last hash.
    let last = text
        .lines()
        .last()
        .map(serde_json::from_str::<labelvault_core::access::AccessLine>)
        .transpose()
        .map_err(|_| HubError::Internal("stored access entry damaged".into()))?;
    let signed_head = labelvault_core::access::AccessHead {
        entries: last.as_ref().map(|l| l.seq).unwrap_or(0),
        head: last.map(|l| l.entry_hash).unwrap_or_else(|| "0".repeat(64)),
        signed_at_ms: now_ms(),
        hub_key_id: s.key.key_id(),
    };
    let signature = base64::engine::general_purpose::STANDARD.encode(
        s.key
            .sign(&labelvault_core::access::head_message(&signed_head)),
    );
    let line = serde_json::to_string(&labelvault_core::access::SignedAccessHead {
        signed_head,
        signature,
    })
    .map_err(|e| HubError::Internal(e.to_string()))?;
    text.push_str(&line);
    text.push('\n');
    Ok(crate::http::jsonl(text))
}
