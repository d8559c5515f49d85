//! The label grammar: what each field of every outbound request may hold, checked in one
//! place by the device (before anything is ledgered), the hub (before anything is stored
//! or echoed) and `audit verify` (on every ledger line). A field that passes can carry
//! only an id the hub issued, a closed enum or a bounded number — not a name, an e-mail
//! or a sentence. docs/ledger.md § "The label grammar" is the same table in prose.
//!
//! A [`Problem`] names the label (by position), the field and the rule it breaks, never
//! the offending value: the messages go to logs, terminals and HTTP answers.

use crate::labels::{Flag, Verdict, MAX_ALSO_INTENTS, MAX_SPANS};
use crate::protocol::{EnrollRequest, LabelUpload, WireLabel, MAX_LABELS_PER_UPLOAD};

/// Item ids: `it_` and 32 lower-case hex digits (128 random bits, issued by the hub).
pub const ITEM_ID: IdShape = IdShape {
    prefix: "it_",
    hex: 32,
};
/// Upload ids: `u_` and 32 lower-case hex digits (made by the device per upload).
pub const UPLOAD_ID: IdShape = IdShape {
    prefix: "u_",
    hex: 32,
};
/// Device ids: `d_` and 24 lower-case hex digits (issued by the hub at enrollment).
pub const DEVICE_ID: IdShape = IdShape {
    prefix: "d_",
    hex: 24,
};
/// Batch ids: `b_` and 32 lower-case hex digits (issued by the hub).
pub const BATCH_ID: IdShape = IdShape {
    prefix: "b_",
    hex: 32,
};
/// Notice ids: `n_` and 24 lower-case hex digits (issued by the hub with each notice).
pub const NOTICE_ID: IdShape = IdShape {
    prefix: "n_",
    hex: 24,
};
/// Erasure ids: `er_` and 24 lower-case hex digits (issued by the hub with each erasure).
pub const ERASURE_ID: IdShape = IdShape {
    prefix: "er_",
    hex: 24,
};
/// Account ids: `ac_` and 24 lower-case hex digits (issued by the hub per person).
pub const ACCOUNT_ID: IdShape = IdShape {
    prefix: "ac_",
    hex: 24,
};
/// Token ids: `tk_` and 24 lower-case hex digits (issued by the hub per bearer token).
pub const TOKEN_ID: IdShape = IdShape {
    prefix: "tk_",
    hex: 24,
};
/// Longest intent id, in bytes.
pub const MAX_INTENT_ID: usize = 64;
/// Highest label revision (each undo or edit adds one).
pub const MAX_REVISION: u32 = 10_000;
/// Longest time a decision may report, in ms (one hour; the device caps what it measured).
pub const MAX_DURATION_MS: u64 = 3_600_000;
/// Earliest time any entry or decision may carry: 2024-01-01T00:00:00Z, in Unix ms.
pub const EARLIEST_MS: i64 = 1_704_067_200_000;
/// Longest item text in characters, so the largest offset a span may reach.
pub const MAX_ITEM_CHARS: u32 = 16 * 1024;
/// Highest length class: `2^14` = [`MAX_ITEM_CHARS`].
pub const MAX_LENGTH_CLASS: u8 = 14;

/// The length class of an item of `chars` code points: the smallest `c` with
/// `chars ≤ 2^c`, at most [`MAX_LENGTH_CLASS`]. A label with missed-PII spans carries it
/// so that a verifier who never saw the item can still bound the spans by its length,
/// to within a factor of two.
pub fn length_class(chars: u32) -> u8 {
    let mut c = 0u8;
    while c < MAX_LENGTH_CLASS && (1u32 << c) < chars {
        c += 1;
    }
    c
}
/// Longest hub URL, in bytes.
pub const MAX_HUB_URL: usize = 255;

/// A prefix and a fixed number of lower-case hex digits.
#[derive(Debug, Clone, Copy)]
pub struct IdShape {
    /// E.g. `it_`.
    pub prefix: &'static str,
    /// How many hex digits follow.
    pub hex: usize,
}

impl IdShape {
    /// Whether `s` has exactly this shape.
    pub fn matches(&self, s: &str) -> bool {
        s.len() == self.prefix.len() + self.hex
            && s.starts_with(self.prefix)
            && s.as_bytes()[self.prefix.len()..]
                .iter()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }
}

/// Where a request breaks the grammar: the label's position (0-based) if it is in a
/// label, the field, and the rule. Never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{field}: {rule}", label.map(|n| format!("label {}: ", n + 1)).unwrap_or_default())]
pub struct Problem {
    /// Position of the label in the upload (0-based; printed 1-based).
    pub label: Option<usize>,
    /// The field, e.g. `item_id`.
    pub field: &'static str,
    /// The rule it breaks, e.g. `must be "it_" and 32 lower-case hex digits`.
    pub rule: &'static str,
}

fn fail<T>(label: Option<usize>, field: &'static str, rule: &'static str) -> Result<T, Problem> {
    Err(Problem { label, field, rule })
}

/// Whether `s` may be an intent id: 1–64 bytes of `A–Z a–z 0–9 _ - . :`. (Which intents
/// a label may use is the batch's taxonomy; the device and the hub check that too.)
pub fn is_intent_id(s: &str) -> bool {
    s.len() <= MAX_INTENT_ID && crate::batch::is_id(s)
}

/// Check one label. `latest_ms` is the latest time its decision may carry (the ledger
/// entry's creation time, or the hub's clock plus the allowed skew).
pub fn check_label(n: usize, l: &WireLabel, latest_ms: i64) -> Result<(), Problem> {
    let at = Some(n);
    if !ITEM_ID.matches(&l.item_id) {
        return fail(
            at,
            "item_id",
            "must be \"it_\" and 32 lower-case hex digits",
        );
    }
    if l.revision == 0 || l.revision > MAX_REVISION {
        return fail(at, "revision", "must be 1 to 10000");
    }
    if l.duration_ms > MAX_DURATION_MS {
        return fail(at, "duration_ms", "must be at most 3600000 (one hour)");
    }
    if l.decided_at_ms < EARLIEST_MS || l.decided_at_ms > latest_ms {
        return fail(
            at,
            "decided_at_ms",
            "must lie between 2024-01-01 and the time the upload was made",
        );
    }
    if l.retracted {
        if l.verdict.is_some()
            || l.intent_id.is_some()
            || !l.flags.is_empty()
            || !l.pii_spans.is_empty()
            || l.length_class.is_some()
            || l.duration_ms != 0
            || !l.also_intents.is_empty()
        {
            return fail(
                at,
                "retracted",
                "a retraction has null verdict, intent_id and length_class, no flags, no spans, no other intents and duration 0",
            );
        }
        return Ok(());
    }
    match (l.verdict, &l.intent_id) {
        (None, _) => {
            return fail(
                at,
                "verdict",
                "must be set unless the label is a retraction",
            )
        }
        (Some(Verdict::Wrong), None) => {
            return fail(at, "intent_id", "must be set when the verdict is wrong")
        }
        (_, Some(i)) if !is_intent_id(i) => {
            return fail(
                at,
                "intent_id",
                "must be 1-64 characters of A-Z a-z 0-9 _ - . :",
            )
        }
        _ => {}
    }
    if l.flags.windows(2).any(|w| w[0] >= w[1]) {
        return fail(at, "flags", "must be distinct, in the documented order");
    }
    if !l.also_intents.is_empty() {
        if l.also_intents.len() > MAX_ALSO_INTENTS {
            return fail(at, "also_intents", "at most 4 other intents");
        }
        if !l.flags.contains(&Flag::MultipleIntents) {
            return fail(
                at,
                "also_intents",
                "other intents need the multiple_intents flag",
            );
        }
        for (n, i) in l.also_intents.iter().enumerate() {
            if !is_intent_id(i) {
                return fail(
                    at,
                    "also_intents",
                    "each must be 1-64 characters of A-Z a-z 0-9 _ - . :",
                );
            }
            if Some(i) == l.intent_id.as_ref() || l.also_intents[..n].contains(i) {
                return fail(
                    at,
                    "also_intents",
                    "must be distinct and differ from intent_id",
                );
            }
        }
    }
    if l.pii_spans.len() > MAX_SPANS {
        return fail(at, "pii_spans", "at most 64 spans");
    }
    let mut end = 0u32;
    for s in &l.pii_spans {
        if s.start >= s.end || s.end > MAX_ITEM_CHARS {
            return fail(
                at,
                "pii_spans",
                "each span must have start < end <= 16384 (code points)",
            );
        }
        if s.start < end {
            return fail(
                at,
                "pii_spans",
                "spans must be in order and must not overlap",
            );
        }
        end = s.end;
    }
    if !l.pii_spans.is_empty() && !l.flags.contains(&Flag::MissedPii) {
        return fail(at, "flags", "spans need the missed_pii flag");
    }
    match (l.pii_spans.last(), l.length_class) {
        (None, None) => {}
        (None, Some(_)) => return fail(at, "length_class", "must be null when there are no spans"),
        (Some(_), None) => return fail(at, "length_class", "must be set when there are spans"),
        (Some(_), Some(c)) if c > MAX_LENGTH_CLASS => {
            return fail(at, "length_class", "must be 0 to 14")
        }
        (Some(last), Some(c)) if last.end > 1u32 << c => {
            return fail(
                at,
                "pii_spans",
                "spans must end within the item's length class (end <= 2^length_class)",
            )
        }
        _ => {}
    }
    Ok(())
}

/// Check a label upload: its ids, its size, no label twice, every label.
pub fn check_upload(u: &LabelUpload, latest_ms: i64) -> Result<(), Problem> {
    if !UPLOAD_ID.matches(&u.upload_id) {
        return fail(
            None,
            "upload_id",
            "must be \"u_\" and 32 lower-case hex digits",
        );
    }
    if !DEVICE_ID.matches(&u.device_id) {
        return fail(
            None,
            "device_id",
            "must be \"d_\" and 24 lower-case hex digits",
        );
    }
    if u.labels.is_empty() || u.labels.len() > MAX_LABELS_PER_UPLOAD {
        return fail(None, "labels", "must hold 1 to 20000 labels");
    }
    let mut seen = std::collections::HashSet::with_capacity(u.labels.len());
    for (n, l) in u.labels.iter().enumerate() {
        check_label(n, l, latest_ms)?;
        if !seen.insert((l.item_id.as_str(), l.revision)) {
            return fail(
                Some(n),
                "item_id",
                "the same item and revision twice in one upload",
            );
        }
    }
    Ok(())
}

/// Why a hub may refuse one label in a receipt (a closed set).
/// `wrong_length` : the label's spans or length class do not fit the item the hub sealed.
pub const REJECTION_CODES: &[&str] = &["not_assigned", "unknown_intent", "wrong_length", "invalid"];

/// Whether `s` is exactly `len` lower-case hex digits.
pub fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Check a hub receipt recorded in the device ledger: ids in their shapes, hashes in
/// lower-case hex, rejection codes from the closed set, and the device chain head it
/// pins.
pub fn check_receipt(r: &crate::protocol::SignedReceipt) -> Result<(), Problem> {
    let rc = &r.receipt;
    if !UPLOAD_ID.matches(&rc.upload_id) {
        return fail(
            None,
            "upload_id",
            "must be \"u_\" and 32 lower-case hex digits",
        );
    }
    if !DEVICE_ID.matches(&rc.device_id) {
        return fail(
            None,
            "device_id",
            "must be \"d_\" and 24 lower-case hex digits",
        );
    }
    if !is_hex(&rc.body_sha256, 64) {
        return fail(None, "body_sha256", "must be 64 lower-case hex digits");
    }
    if !is_hex(&rc.hub_key_id, 16) {
        return fail(None, "hub_key_id", "must be 16 lower-case hex digits");
    }
    if rc.server_time_ms < EARLIEST_MS {
        return fail(None, "server_time_ms", "must be after 2024-01-01");
    }
    for (n, x) in rc.rejected.iter().enumerate() {
        if !ITEM_ID.matches(&x.item_id) {
            return fail(
                Some(n),
                "rejected.item_id",
                "must be \"it_\" and 32 lower-case hex digits",
            );
        }
        if x.revision == 0 || x.revision > MAX_REVISION {
            return fail(Some(n), "rejected.revision", "must be 1 to 10000");
        }
        if !REJECTION_CODES.contains(&x.code.as_str()) {
            return fail(
                Some(n),
                "rejected.code",
                "must be not_assigned, unknown_intent, wrong_length or invalid",
            );
        }
    }
    if rc.device_seq.unwrap_or(0) == 0 {
        return fail(
            None,
            "device_seq",
            "must name the device ledger entry (1 or more)",
        );
    }
    if !rc.device_head.as_deref().is_some_and(|h| is_hex(h, 64)) {
        return fail(None, "device_head", "must be 64 lower-case hex digits");
    }
    if r.signature.len() != 88 {
        return fail(
            None,
            "signature",
            "must be 88 characters of base64 (64 bytes)",
        );
    }
    Ok(())
}

/// Whether `s` is an enrollment code as the hub issues them: five groups of four
/// upper-case hex digits joined by `-` (see [`normalize_enrollment_code`]).
pub fn is_enrollment_code(s: &str) -> bool {
    s.len() == 24
        && s.split('-').count() == 5
        && s.split('-')
            .all(|g| g.len() == 4 && g.bytes().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F')))
}

/// An enrollment code as typed (any case, with or without dashes or spaces) in the one
/// form the device records; `None` if it is not 20 hex digits.
pub fn normalize_enrollment_code(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let groups: Vec<&str> = (0..5).map(|i| &digits[i * 4..i * 4 + 4]).collect();
    Some(groups.join("-"))
}

/// Check an enrollment request: the code's shape, a usable Ed25519 key in canonical
/// base64, an age recipient.
pub fn check_enroll(e: &EnrollRequest) -> Result<(), Problem> {
    if !is_enrollment_code(&e.enrollment_code) {
        return fail(
            None,
            "enrollment_code",
            "must be five groups of four upper-case hex digits joined by -",
        );
    }
    let key_ok = e.signing_key.len() == 44
        && crate::identity::parse_public_key(&e.signing_key)
            .map(|k| crate::identity::usable_public_key(&k))
            .unwrap_or(false);
    if !key_ok {
        return fail(
            None,
            "signing_key",
            "must be a usable Ed25519 public key in 44 characters of base64",
        );
    }
    let recipient_ok = e.recipient.len() == 62
        && e.recipient.starts_with("age1")
        && e.recipient.parse::<age::x25519::Recipient>().is_ok();
    if !recipient_ok {
        return fail(
            None,
            "recipient",
            "must be an age X25519 recipient (age1…, 62 characters)",
        );
    }
    Ok(())
}

/// The hub's admin routes an app may record (`{batch}` and `{device}` stand for ids,
/// `{seq}` for an adjudication's number).
pub const ADMIN_ROUTES: &[&str] = &[
    "access-ledger",
    "accounts",
    "accounts/{account}/revoke",
    "accounts/{account}/role",
    "accounts/{account}/tokens",
    "adjudications",
    "adjudications/{seq}/undo",
    "annotators",
    "assign",
    "batches/{batch}",
    "batches/{batch}/withdraw",
    "companies",
    "devices/{device}/revoke",
    "disagreements",
    "erase",
    "erasures/{erasure}",
    "dispatch",
    "evaluation",
    "evaluation.html",
    "evaluation/compare",
    "export",
    "gold",
    "items",
    "labels",
    "leases/reclaim",
    "ledger",
    "messages",
    "missed-pii",
    "missed-pii/confirm",
    "pipeline",
    "quality",
    "retrain",
    "retrain/mark",
    "retrain/threshold",
    "select",
    "tokens/{token}/revoke",
    "webhook-deliveries",
];

/// Query keys an admin call to `route` may carry, each with its value's shape. The model
/// version keys are free text within their charset, so they are allowed only on the
/// routes that read them: a recorded call cannot carry arbitrary words elsewhere.
fn admin_query_ok(route: &str, key: &str, value: &str) -> bool {
    let digits = |v: &str| !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit());
    match key {
        "format" => matches!(
            value,
            "jsonl" | "chat" | "label-studio" | "prodigy" | "argilla" | "html" | "json"
        ),
        "with_text" => matches!(value, "true" | "false"),
        "seed" | "limit" | "offset" | "as_of" => digits(value),
        // Aggregation: only where the hub reads it, and only its wire names (the hub
        // also reads `dawid-skene`, but a client sends the one spelling it answers with).
        "method" => {
            matches!(
                route,
                "quality"
                    | "disagreements"
                    | "export"
                    | "evaluation"
                    | "evaluation.html"
                    | "evaluation/compare"
            ) && crate::admin_api::Method::ALL
                .iter()
                .any(|m| m.as_str() == value)
        }
        "include_adjudicated" => route == "disagreements" && matches!(value, "true" | "false"),
        // Model versions: one version's evaluation, the comparison of two.
        // A version's `+` travels as `%2B` (a bare `+` reads as a space); no other escape.
        "model_version" => {
            matches!(route, "evaluation" | "evaluation.html")
                && crate::pipeline::check_model_version(&value.replace("%2B", "+")).is_ok()
        }
        "a" | "b" => {
            route == "evaluation/compare"
                && crate::pipeline::check_model_version(&value.replace("%2B", "+")).is_ok()
        }
        _ => false,
    }
}

/// Check an admin call's record: its path is one of the hub's admin routes
/// ([`ADMIN_ROUTES`], ids in their shapes) with an optional query of known keys and
/// closed or numeric values, and the record's method, hash and sizes are plausible.
pub fn check_admin_call(path: &str, c: &crate::protocol::AdminCall) -> Result<(), Problem> {
    const RULE: &str = "must be one of the hub's admin routes, with only known query keys (format, with_text, seed, limit, offset, as_of, model_version, a, b, method, include_adjudicated) and their values";
    let Some(rest) = path.strip_prefix("/v1/admin/") else {
        return fail(None, "path", RULE);
    };
    let (route, query) = rest.split_once('?').unwrap_or((rest, ""));
    let route_ok = ADMIN_ROUTES.iter().any(|r| {
        let (pattern, route) = (
            r.split('/').collect::<Vec<_>>(),
            route.split('/').collect::<Vec<_>>(),
        );
        pattern.len() == route.len()
            && pattern.iter().zip(&route).all(|(p, s)| match *p {
                "{batch}" => BATCH_ID.matches(s),
                "{device}" => DEVICE_ID.matches(s),
                "{erasure}" => ERASURE_ID.matches(s),
                "{account}" => ACCOUNT_ID.matches(s),
                "{token}" => TOKEN_ID.matches(s),
                "{seq}" => !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()),
                _ => p == s,
            })
    });
    let query_ok = query.is_empty()
        || query.split('&').all(|kv| {
            kv.split_once('=')
                .is_some_and(|(k, v)| admin_query_ok(route, k, v))
        });
    if !route_ok || !query_ok {
        return fail(None, "path", RULE);
    }
    if c.method != "GET" && c.method != "POST" {
        return fail(None, "method", "must be GET or POST");
    }
    if !is_hex(&c.body_sha256, 64) {
        return fail(None, "body_sha256", "must be 64 lower-case hex digits");
    }
    if c.bytes > 1 << 40 || c.rows > 1_000_000_000 || c.rows > c.bytes {
        return fail(None, "rows", "bytes and rows must be plausible sizes");
    }
    Ok(())
}

/// Check a notice acknowledgement: the device id and 1 to
/// [`crate::protocol::MAX_NOTICES_PER_ACK`] distinct notice ids, nothing else.
pub fn check_notice_ack(a: &crate::protocol::NoticeAck) -> Result<(), Problem> {
    if !DEVICE_ID.matches(&a.device_id) {
        return fail(
            None,
            "device_id",
            "must be \"d_\" and 24 lower-case hex digits",
        );
    }
    if a.notice_ids.is_empty() || a.notice_ids.len() > crate::protocol::MAX_NOTICES_PER_ACK {
        return fail(None, "notice_ids", "must hold 1 to 1000 notice ids");
    }
    let mut seen = std::collections::HashSet::new();
    for id in &a.notice_ids {
        if !NOTICE_ID.matches(id) {
            return fail(
                None,
                "notice_ids",
                "must be \"n_\" and 24 lower-case hex digits",
            );
        }
        if !seen.insert(id.as_str()) {
            return fail(None, "notice_ids", "must not repeat an id");
        }
    }
    Ok(())
}

/// Check a request path a device may GET: `/v1/batches`, `/v1/batches/<batch id>` or
/// `/v1/notices`.
pub fn check_get_path(path: &str) -> Result<(), Problem> {
    if path == crate::protocol::NOTICES_PATH {
        return Ok(());
    }
    match path.strip_prefix("/v1/batches") {
        Some("") => Ok(()),
        Some(rest) if rest.strip_prefix('/').is_some_and(|id| BATCH_ID.matches(id)) => Ok(()),
        _ => fail(
            None,
            "path",
            "must be /v1/notices, /v1/batches or /v1/batches/ and a batch id (\"b_\" and 32 lower-case hex digits)",
        ),
    }
}

/// Check a hub URL: `http` or `https`, a host name or IP address, an optional port, and
/// nothing else — no user info, path, query or fragment, at most 255 bytes.
pub fn check_hub_url(url: &str) -> Result<(), Problem> {
    const RULE: &str =
        "must be http(s)://host[:port] with a lower-case host and no user, path, query or fragment";
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest.filter(|_| url.len() <= MAX_HUB_URL) else {
        return fail(None, "hub_url", RULE);
    };
    let (host_ok, port) = if let Some(v6) = rest.strip_prefix('[') {
        match v6.split_once(']') {
            Some((addr, after)) if addr.parse::<std::net::Ipv6Addr>().is_ok() => {
                match after.strip_prefix(':') {
                    Some(p) => (true, Some(p)),
                    None => (after.is_empty(), None),
                }
            }
            _ => (false, None),
        }
    } else {
        let (host, port) = match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        };
        (is_host_name(host), port)
    };
    let port_ok = match port {
        None => true,
        Some(p) => {
            !p.is_empty()
                && p.len() <= 5
                && !p.starts_with('0')
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n))
        }
    };
    if host_ok && port_ok {
        Ok(())
    } else {
        fail(None, "hub_url", RULE)
    }
}

/// A lower-case DNS name or IPv4 address: dot-separated labels of 1–63 letters, digits
/// and inner hyphens, at most 253 bytes.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Span;

    fn label() -> WireLabel {
        WireLabel {
            item_id: format!("it_{}", "0a".repeat(16)),
            revision: 1,
            retracted: false,
            verdict: Some(Verdict::Wrong),
            intent_id: Some("card_arrival".into()),
            flags: vec![Flag::Misclassification, Flag::MissedPii],
            pii_spans: vec![Span { start: 0, end: 4 }, Span { start: 4, end: 9 }],
            length_class: Some(4),
            duration_ms: 1200,
            decided_at_ms: EARLIEST_MS + 1,
            also_intents: Vec::new(),
        }
    }

    const NOW: i64 = EARLIEST_MS + 1_000_000;

    #[test]
    fn a_well_formed_label_passes_and_each_hostile_field_fails_by_name() {
        assert_eq!(check_label(0, &label(), NOW), Ok(()));
        let mut multi = label();
        multi.flags = vec![
            Flag::Misclassification,
            Flag::MissedPii,
            Flag::MultipleIntents,
        ];
        multi.also_intents = vec!["change_pin".into(), "top_up_failed".into()];
        assert_eq!(check_label(0, &multi, NOW), Ok(()));
        type Change = Box<dyn Fn(&mut WireLabel)>;
        let cases: Vec<(&str, Change)> = vec![
            (
                "item_id",
                Box::new(|l| l.item_id = "it_john.smith@example.com".into()),
            ),
            (
                "item_id",
                Box::new(|l| l.item_id = format!("it_{}", "0A".repeat(16))),
            ),
            (
                "intent_id",
                Box::new(|l| l.intent_id = Some("Please call Jane Doe on 555 0100".into())),
            ),
            ("intent_id", Box::new(|l| l.intent_id = None)),
            (
                "duration_ms",
                Box::new(|l| l.duration_ms = 0x4a6f_686e_536d_6974),
            ),
            ("decided_at_ms", Box::new(|l| l.decided_at_ms = NOW + 1)),
            ("decided_at_ms", Box::new(|l| l.decided_at_ms = 42)),
            (
                "pii_spans",
                Box::new(|l| l.pii_spans = vec![Span { start: 9, end: 4 }]),
            ),
            (
                "pii_spans",
                Box::new(|l| {
                    l.pii_spans = vec![Span {
                        start: 70_000,
                        end: 70_001,
                    }]
                }),
            ),
            (
                "pii_spans",
                Box::new(|l| {
                    l.pii_spans = vec![Span { start: 4, end: 9 }, Span { start: 0, end: 5 }]
                }),
            ),
            (
                "flags",
                Box::new(|l| l.flags = vec![Flag::MissedPii, Flag::MissedPii]),
            ),
            (
                "flags",
                Box::new(|l| l.flags = vec![Flag::MissedPii, Flag::Misclassification]),
            ),
            ("flags", Box::new(|l| l.flags = vec![])),
            ("revision", Box::new(|l| l.revision = 0)),
            ("verdict", Box::new(|l| l.verdict = None)),
            ("retracted", Box::new(|l| l.retracted = true)),
            // Other intents: ids only, with the flag, distinct, not the label's own.
            (
                "also_intents",
                Box::new(|l| {
                    l.flags = vec![
                        Flag::Misclassification,
                        Flag::MissedPii,
                        Flag::MultipleIntents,
                    ];
                    l.also_intents = vec!["Jane Doe lives at 1 Main St".into()];
                }),
            ),
            (
                "also_intents",
                Box::new(|l| l.also_intents = vec!["change_pin".into()]),
            ),
            (
                "also_intents",
                Box::new(|l| {
                    l.flags = vec![
                        Flag::Misclassification,
                        Flag::MissedPii,
                        Flag::MultipleIntents,
                    ];
                    l.also_intents = vec!["card_arrival".into()];
                }),
            ),
            (
                "also_intents",
                Box::new(|l| {
                    l.flags = vec![
                        Flag::Misclassification,
                        Flag::MissedPii,
                        Flag::MultipleIntents,
                    ];
                    l.also_intents = vec!["a".into(), "b".into(), "a".into()];
                }),
            ),
            (
                "also_intents",
                Box::new(|l| {
                    l.flags = vec![
                        Flag::Misclassification,
                        Flag::MissedPii,
                        Flag::MultipleIntents,
                    ];
                    l.also_intents = (0..5).map(|i| format!("i{i}")).collect();
                }),
            ),
            // The length class bounds the spans an offline verifier sees.
            ("length_class", Box::new(|l| l.length_class = None)),
            ("length_class", Box::new(|l| l.length_class = Some(15))),
            ("pii_spans", Box::new(|l| l.length_class = Some(3))),
            (
                "length_class",
                Box::new(|l| {
                    l.pii_spans.clear();
                    l.flags = vec![];
                }),
            ),
        ];
        for (field, change) in cases {
            let mut l = label();
            change(&mut l);
            let e = check_label(2, &l, NOW).expect_err(field);
            assert_eq!((e.field, e.label), (field, Some(2)), "{e}");
            // The message names position, field and rule; never the value.
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("label 3: {field}: ")), "{msg}");
            for leak in ["john", "Jane", "555", "4a6f"] {
                assert!(!msg.contains(leak), "{msg}");
            }
        }
    }

    #[test]
    fn length_classes_bound_lengths_within_a_factor_of_two() {
        assert_eq!(length_class(0), 0);
        assert_eq!(length_class(1), 0);
        assert_eq!(length_class(2), 1);
        assert_eq!(length_class(3), 2);
        assert_eq!(length_class(64), 6);
        assert_eq!(length_class(65), 7);
        assert_eq!(length_class(MAX_ITEM_CHARS), MAX_LENGTH_CLASS);
        for n in 1..=MAX_ITEM_CHARS {
            let c = length_class(n);
            assert!(n <= 1 << c && (c == 0 || n > 1 << (c - 1)), "{n}");
        }
    }

    #[test]
    fn uploads_ids_and_duplicates() {
        let u = LabelUpload {
            upload_id: format!("u_{}", "1f".repeat(16)),
            device_id: format!("d_{}", "2e".repeat(12)),
            labels: vec![label()],
        };
        assert_eq!(check_upload(&u, NOW), Ok(()));
        let mut bad = u.clone();
        bad.upload_id = "u_my name is Ada".into();
        assert_eq!(check_upload(&bad, NOW).unwrap_err().field, "upload_id");
        let mut bad = u.clone();
        bad.device_id = "d_ada.lovelace".into();
        assert_eq!(check_upload(&bad, NOW).unwrap_err().field, "device_id");
        let mut bad = u.clone();
        bad.labels.push(label());
        assert_eq!(check_upload(&bad, NOW).unwrap_err().label, Some(1));
        let mut bad = u;
        bad.labels.clear();
        assert_eq!(check_upload(&bad, NOW).unwrap_err().field, "labels");
    }

    /// Every admin route the hub serves can be recorded (read from the hub's source, so
    /// a new route without a grammar entry fails here), and a name in a query cannot.
    #[test]
    fn every_hub_admin_route_can_be_recorded() {
        let routes = include_str!("../../hub/src/routes.rs");
        let call = crate::protocol::AdminCall::of("GET", b"");
        let mut n = 0;
        for piece in routes.split("\"/v1/admin/").skip(1) {
            let route = piece.split('"').next().unwrap_or_default();
            let path = format!("/v1/admin/{route}")
                .replace("{batch_id}", &format!("b_{}", "1".repeat(32)))
                .replace("{device_id}", &format!("d_{}", "2".repeat(24)))
                .replace("{erasure_id}", &format!("er_{}", "3".repeat(24)))
                .replace("{account_id}", &format!("ac_{}", "4".repeat(24)))
                .replace("{token_id}", &format!("tk_{}", "5".repeat(24)))
                .replace("{seq}", "12");
            assert!(check_admin_call(&path, &call).is_ok(), "{path}");
            n += 1;
        }
        assert!(n >= 20, "{n} routes read");
        assert!(check_admin_call("/v1/admin/export?format=jsonl&seed=7", &call).is_ok());
        for good in [
            "/v1/admin/evaluation/compare?a=v1&b=model-2.1",
            "/v1/admin/evaluation?model_version=v1",
            "/v1/admin/evaluation.html?model_version=v1",
            "/v1/admin/quality?method=majority",
            "/v1/admin/quality?method=dawid_skene",
            "/v1/admin/disagreements?with_text=false&limit=50&include_adjudicated=true&method=majority",
            "/v1/admin/disagreements?include_adjudicated=false",
            "/v1/admin/evaluation?method=majority&model_version=v1",
            "/v1/admin/evaluation/compare?method=majority&a=v1&b=v2",
            "/v1/admin/evaluation?model_version=v1%2Bcuda",
        ] {
            assert!(check_admin_call(good, &call).is_ok(), "{good}");
        }
        for bad in [
            // Model-version keys carry free words: only where the hub reads them.
            "/v1/admin/export?a=Anna.Schmidt",
            "/v1/admin/messages?model_version=Anna",
            "/v1/admin/evaluation?a=v1",
            "/v1/admin/evaluation/compare?model_version=v1",
            "/v1/admin/evaluation/compare?a=two%20words",
            "/v1/admin/messages?who=jane",
            "/v1/admin/jane",
            "/v1/admin/export?format=jane",
            "/v1/admin/devices/d_jane/revoke",
            "/v1/admin/adjudications/jane/undo",
            "/v1/admin/adjudications//undo",
            "/v1/admin/batches/b_jane/withdraw",
            // Aggregation method: the wire names only, and only where the hub reads it.
            "/v1/admin/quality?method=Majority",
            "/v1/admin/quality?method=dawid-skene",
            "/v1/admin/quality?method=",
            "/v1/admin/quality?method=jane",
            "/v1/admin/accounts?method=majority",
            "/v1/admin/disagreements?include_adjudicated=yes",
            "/v1/admin/disagreements?include_adjudicated=1",
            "/v1/admin/disagreements?include_adjudicated=",
            "/v1/admin/quality?include_adjudicated=true",
            "/v1/admin/evaluation?model_version=v1%20two",
        ] {
            assert!(check_admin_call(bad, &call).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_urls_and_codes() {
        assert!(check_get_path("/v1/batches").is_ok());
        assert!(check_get_path(&format!("/v1/batches/b_{}", "ab".repeat(16))).is_ok());
        for p in [
            "/v1/batches/Jane%20Doe",
            "/v1/batches/",
            "/v1/batches?who=jane",
            "/v1/batchesX",
        ] {
            assert!(check_get_path(p).is_err(), "{p}");
        }
        for u in [
            "http://127.0.0.1:7878",
            "https://hub.example.com",
            "http://[::1]:7878",
            "http://localhost",
        ] {
            assert!(check_hub_url(u).is_ok(), "{u}");
        }
        for u in [
            "http://127.0.0.1:7878?name=jane",
            "http://jane:secret@hub.example.com",
            "https://hub.example.com/jane-doe",
            "https://hub.example.com#frag",
            "ftp://hub.example.com",
            "http://Hub.Example.com",
            "http://hub:0",
            "http://hub:99999",
            "http://[::1]x",
        ] {
            assert!(check_hub_url(u).is_err(), "{u}");
        }
        assert_eq!(
            normalize_enrollment_code("abcd ef01-2345 6789 abcd").as_deref(),
            Some("ABCD-EF01-2345-6789-ABCD")
        );
        assert!(is_enrollment_code("ABCD-EF01-2345-6789-ABCD"));
        assert!(!is_enrollment_code("JANE-DOE1-2345-6789-ABCD"));
        assert_eq!(normalize_enrollment_code("jane doe"), None);
    }
}
