//! Erasure and notices: a customer's messages removed from the hub and, through signed
//! notices, from every device that holds a copy — with a signed receipt that says what
//! was done where. Notices also carry masks of personal data confirmed after a copy was
//! sealed (`missed_pii::confirm`).

use crate::error::HubError;
use crate::http::parse_object as parse;
use crate::{auth, blocking, AppState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::IntoResponse as _;
use axum::Json;
use base64::Engine as _;
use labelvault_core::erasure::{self, EraseRequest, ErasureReceipt};
use labelvault_core::protocol::{
    self, Notice, NoticeAck, NoticeAckResponse, NoticeItem, NoticeKind, NoticeList, SignedNotice,
};

/// Sign an erasure's current state.
fn receipt(s: &AppState, e: erasure::Erasure) -> ErasureReceipt {
    let signed_at = auth::now().max(e.requested_at);
    let signature = base64::engine::general_purpose::STANDARD
        .encode(s.key.sign(&erasure::receipt_message(&e, signed_at)));
    ErasureReceipt {
        erasure: e,
        signed_at,
        hub_key_id: s.key.key_id(),
        signature,
    }
}

/// `POST /v1/admin/erase`: erase messages (by id, company and/or received-before) from
/// the hub now and from devices at their next sync; answers the signed receipt.
pub async fn erase(
    State(s): State<AppState>,
    axum::Extension(actor): axum::Extension<crate::people::Actor>,
    body: Bytes,
) -> Result<axum::response::Response, HubError> {
    let req: EraseRequest = parse(&body)?;
    if let Some(p) = req.problem() {
        return Err(HubError::bad("invalid", p));
    }
    let id = crate::store::random_id("er_")?;
    let store = s.store.clone();
    let by = actor.account_id.clone();
    let e = blocking(move || store.erase(&id, &by, &req, auth::now())).await?;
    tracing::info!(
        erasure = %e.erasure_id,
        messages = e.erased.len(),
        devices = e.devices.len(),
        "erased messages"
    );
    let ids = e.erased.clone();
    Ok(crate::people::AccessNote {
        act: None,
        message_ids: ids.into(),
    }
    .attach(Json(receipt(&s, e)).into_response()))
}

/// `GET /v1/admin/erasures/{erasure_id}`: the erasure's receipt signed now, with each
/// device's state (pending, purged with its ledger entry, or revoked).
pub async fn status(
    State(s): State<AppState>,
    Path(erasure_id): Path<String>,
) -> Result<Json<ErasureReceipt>, HubError> {
    if !labelvault_core::grammar::ERASURE_ID.matches(&erasure_id) {
        return Err(HubError::bad(
            "invalid",
            "an erasure id is \"er_\" and 24 lower-case hex digits",
        ));
    }
    let store = s.store.clone();
    let e = blocking(move || store.erasure(&erasure_id))
        .await?
        .ok_or_else(|| HubError::not_found("unknown_erasure", "no such erasure"))?;
    Ok(Json(receipt(&s, e)))
}

/// `GET /v1/notices` (device): this device's pending notices, each signed by the hub key.
pub async fn pending(
    State(s): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<NoticeList>, HubError> {
    let dev = auth::device(&s, &method, protocol::NOTICES_PATH, &headers, b"").await?;
    let store = s.store.clone();
    let notices = blocking(move || store.pending_notices(&dev.device_id)).await?;
    let notices = notices
        .into_iter()
        .map(|notice| {
            let signature = base64::engine::general_purpose::STANDARD
                .encode(s.key.sign(&protocol::notice_message(&notice)));
            SignedNotice { notice, signature }
        })
        .collect();
    Ok(Json(NoticeList { notices }))
}

/// `POST /v1/notices/ack` (device): notices carried out; recorded with the device
/// ledger entry this request is, which the erasure receipt then names.
pub async fn ack(
    State(s): State<AppState>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<NoticeAckResponse>, HubError> {
    let dev = auth::device(&s, &method, protocol::NOTICES_ACK_PATH, &headers, &body).await?;
    let a: NoticeAck = parse(&body)?;
    labelvault_core::grammar::check_notice_ack(&a)
        .map_err(|p| HubError::bad("invalid", p.to_string()))?;
    if a.device_id != dev.device_id {
        return Err(HubError::forbidden(
            "device_mismatch",
            "the acknowledgement names another device",
        ));
    }
    let pin = auth::ledger_pin(&headers)?;
    let store = s.store.clone();
    let acknowledged =
        blocking(move || store.ack_notices(&dev.device_id, &a.notice_ids, auth::now(), pin))
            .await?;
    tracing::info!(acknowledged, "device carried out notices");
    Ok(Json(NoticeAckResponse { acknowledged }))
}

/// The code-point spans of every occurrence of each term (compared case-insensitively)
/// in `text`, sorted and merged.
pub fn term_spans(text: &str, terms: &[String]) -> Vec<labelvault_core::labels::Span> {
    let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    // Lower-casing can change a text's length (rarely); then offsets would not fit.
    if lower.len() != text.chars().count() {
        return Vec::new();
    }
    let mut spans = Vec::new();
    for term in terms {
        let t: Vec<char> = term.chars().flat_map(char::to_lowercase).collect();
        if t.is_empty() || t.len() > lower.len() {
            continue;
        }
        for start in 0..=lower.len() - t.len() {
            if lower[start..start + t.len()] == t[..] {
                spans.push((start as u32, (start + t.len()) as u32));
            }
        }
    }
    spans.sort_unstable();
    let mut out: Vec<labelvault_core::labels::Span> = Vec::new();
    for (start, end) in spans {
        match out.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => out.push(labelvault_core::labels::Span { start, end }),
        }
    }
    out
}

/// Mask notices for a company's newly confirmed terms in every copy already out on a
/// device (the copies sealed later are redacted with the terms anyway); one notice per
/// device. Returns how many items will be masked.
pub fn mask_confirmed_terms(
    store: &dyn crate::store::HubStore,
    company: &str,
    terms: &[String],
) -> Result<u64, HubError> {
    let mut notices: Vec<Notice> = Vec::new();
    let mut items = 0u64;
    for (device_id, item_id, text) in store.company_copies(company)? {
        let spans = term_spans(&text, terms);
        if spans.is_empty() {
            continue;
        }
        if notices.last().is_none_or(|n| n.device_id != device_id) {
            notices.push(Notice {
                notice_id: crate::store::random_id("n_")?,
                device_id,
                kind: NoticeKind::Mask,
                items: Vec::new(),
            });
        }
        if let Some(n) = notices.last_mut() {
            n.items.push(NoticeItem { item_id, spans });
            items += 1;
        }
    }
    store.add_notices(&notices, auth::now())?;
    Ok(items)
}

/// Retention: replace the raw text of every message ingested more than `keep_secs` ago
/// by its redacted form (with the company's confirmed terms), in chunks of 500. After
/// this only redacted text and labels stay. Returns how many texts were retired.
pub fn retire_raw_text(s: &AppState, keep_secs: i64, now: i64) -> Result<u64, HubError> {
    let terms = crate::pipeline::company_terms(s.store.as_ref())?;
    let mut n = 0u64;
    loop {
        let rows = s.store.raw_texts_before(now - keep_secs, 500)?;
        if rows.is_empty() {
            break;
        }
        for (id, text, company) in rows {
            let redacted = s.redactor.redact_with(&text, terms.get(&company)).text;
            n += u64::from(s.store.retire_text(&id, &redacted, now)?);
        }
    }
    if n > 0 {
        tracing::info!(
            messages = n,
            "retention: raw text replaced by its redaction"
        );
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_spans_finds_every_occurrence_in_code_points() {
        let s = term_spans(
            "Zoë said zoë and ZOË; Quenton",
            &["zoë".to_string(), "Quenton".to_string()],
        );
        let got: Vec<(u32, u32)> = s.iter().map(|s| (s.start, s.end)).collect();
        assert_eq!(got, vec![(0, 3), (9, 12), (17, 20), (22, 29)]);
        assert!(term_spans("nothing here", &["zoë".into()]).is_empty());
    }
}
