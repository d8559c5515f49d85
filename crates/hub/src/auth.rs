//! Who may call what: the manager by bearer token, devices by an Ed25519 signature over
//! method, path, time, nonce and the exact body (docs/authorization.md has the table).

use crate::error::HubError;
use crate::store::DeviceRecord;
use crate::AppState;
use axum::http::{HeaderMap, Method};
use base64::Engine as _;
use labelvault_core::protocol::{
    self, H_DEVICE, H_NONCE, H_SIGNATURE, H_TIMESTAMP, MAX_CLOCK_SKEW_SECS,
};

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The bearer token of an admin request (`Authorization: Bearer …`; the scheme is
/// case-insensitive, RFC 9110 section 11.1). Tokens are looked up by their SHA-256, so
/// the comparison never runs over the secret itself.
pub fn bearer(headers: &HeaderMap) -> Result<&str, HubError> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .and_then(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()))
        .ok_or_else(|| {
            HubError::unauthorized(
                "admin_token_required",
                "this endpoint needs an account signature (x-lv-account …) or an admin token (Authorization: Bearer …)",
            )
        })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, HubError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            HubError::unauthorized(
                "signature_required",
                format!("device requests need the {name} header"),
            )
        })
}

/// Authenticate a device request; returns the device. Order matters: the signature is
/// checked before the nonce is recorded, so nobody can burn a device's nonces.
pub async fn device(
    state: &AppState,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<DeviceRecord, HubError> {
    let device_id = header(headers, H_DEVICE)?.to_string();
    let ts: i64 = header(headers, H_TIMESTAMP)?.parse().map_err(|_| {
        HubError::unauthorized("bad_timestamp", "x-lv-timestamp must be Unix seconds")
    })?;
    let nonce = header(headers, H_NONCE)?.to_string();
    let sig = base64::engine::general_purpose::STANDARD
        .decode(header(headers, H_SIGNATURE)?)
        .map_err(|_| HubError::unauthorized("bad_signature", "x-lv-signature is not base64"))?;
    if nonce.len() < 16 || nonce.len() > 64 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(HubError::unauthorized(
            "bad_nonce",
            "x-lv-nonce must be 16–64 hex characters",
        ));
    }
    let store = state.store.clone();
    let id = device_id.clone();
    let dev = crate::blocking(move || store.device(&id))
        .await?
        .ok_or_else(|| {
            HubError::unauthorized(
                "unknown_device",
                "this device is not enrolled with this hub",
            )
        })?;
    if dev.revoked {
        return Err(HubError::forbidden(
            "revoked",
            "this device has been revoked by the manager; contact your manager",
        ));
    }
    let n = now();
    if (n - ts).abs() > MAX_CLOCK_SKEW_SECS {
        return Err(HubError::unauthorized(
            "stale_request",
            "the request time is too far from the hub's clock; check this computer's clock",
        ));
    }
    let msg = protocol::request_message(method.as_str(), path, ts, &nonce, body);
    if !labelvault_core::identity::verify(&dev.signing_key, &msg, &sig) {
        return Err(HubError::unauthorized(
            "bad_signature",
            "the device signature does not match the request",
        ));
    }
    let store = state.store.clone();
    let id = device_id.clone();
    let fresh = crate::blocking(move || store.use_nonce(&id, &nonce, n)).await?;
    if !fresh {
        return Err(HubError::unauthorized(
            "replayed",
            "this request was already received (replayed nonce)",
        ));
    }
    // The device ledger entry this request is: recorded for the hub's signed head.
    if let Some((seq, head)) = ledger_pin(headers)? {
        let store = state.store.clone();
        let id = device_id.clone();
        crate::blocking(move || store.note_device_head(&id, seq, &head)).await?;
    }
    Ok(dev)
}

/// The device ledger entry a device request announces (`x-lv-ledger-seq` and
/// `x-lv-ledger-head`, both or neither): a sequence number from 1 and a hash in
/// lower-case hex. The hub records it and countersigns it in its receipt.
pub fn ledger_pin(headers: &HeaderMap) -> Result<Option<(u64, String)>, HubError> {
    let get = |h: &str| headers.get(h).map(|v| v.to_str().unwrap_or(""));
    match (get(protocol::H_LEDGER_SEQ), get(protocol::H_LEDGER_HEAD)) {
        (None, None) => Ok(None),
        (Some(seq), Some(head)) => {
            let seq: u64 = seq.parse().ok().filter(|s| *s >= 1).ok_or_else(|| {
                HubError::bad(
                    "bad_ledger_head",
                    "x-lv-ledger-seq must be a whole number from 1",
                )
            })?;
            if !labelvault_core::grammar::is_hex(head, 64) {
                return Err(HubError::bad(
                    "bad_ledger_head",
                    "x-lv-ledger-head must be 64 lower-case hex digits",
                ));
            }
            Ok(Some((seq, head.to_string())))
        }
        _ => Err(HubError::bad(
            "bad_ledger_head",
            "x-lv-ledger-seq and x-lv-ledger-head go together",
        )),
    }
}

/// A one-time enrollment code: 20 random hex digits in five groups.
pub fn random_code() -> Result<String, HubError> {
    let mut b = [0u8; 10];
    getrandom::fill(&mut b).map_err(|_| HubError::Internal("no system randomness".into()))?;
    let h = hex::encode_upper(b);
    Ok(h.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-"))
}

/// How an enrollment code is stored: the SHA-256 of its digits, upper-case, no dashes.
pub fn code_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    hex::encode(ring::digest::digest(&ring::digest::SHA256, norm.as_bytes()))
}
