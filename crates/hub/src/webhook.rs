//! The retraining webhook (docs/webhook.md): when retraining becomes due, the hub POSTs
//! one signed `retraining_due` event to the URL given with `serve --retrain-webhook`,
//! so a training pipeline can start without polling `/v1/admin/retrain`.
//!
//! - **When.** A background check runs at start and then every `check_every` (30 s by
//!   default). An *episode* runs from one export or training mark to the next (the first
//!   from the hub's start of time); the first check that finds retraining due in an
//!   episode records that episode's event. The store keeps one event per episode
//!   (unique), so hubs sharing a database, restarts and a threshold moved back and
//!   forth never send a second one; the next mark opens a new episode.
//! - **What.** Counts and times only: the event id, the hub's key id, new labels,
//!   threshold, the mark the episode started at and when the event was made. Never
//!   message text, message ids or anything about a person.
//! - **Signed** with the hub's Ed25519 key (the one receipts and ledger heads are signed
//!   with) over `labelvault/webhook/v1\0` then `ID.TIMESTAMP.BODY`, base64 in
//!   `x-lv-webhook-signature`. The tag keeps a webhook signature from ever passing as
//!   a receipt or ledger signature of the same key, and the other way round.
//! - **Retried** with exponential backoff and jitter on a network error, a timeout, 408,
//!   429 or 5xx, up to `max_attempts`; any other answer but 2xx fails the event at once.
//!   Pending events live in the store, so a restarted hub picks them up.
//! - **Recorded:** every attempt (status or error class, next attempt, state after it),
//!   listed by `GET /v1/admin/webhook-deliveries` and counted in the metrics.

use crate::error::HubError;
use crate::store::{HubStore, WebhookAttempt, WebhookEvent};
use crate::{blocking, AppState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use labelvault_core::admin_api::WebhookDeliveries;
use labelvault_core::identity::HubKey;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Header carrying the event id (also in the body; the receiver's idempotency key).
pub const H_ID: &str = "x-lv-webhook-id";
/// Header carrying the Unix time (seconds) the attempt was signed at.
pub const H_TIMESTAMP: &str = "x-lv-webhook-timestamp";
/// Header carrying the base64 Ed25519 signature over [`SIGNING_TAG`] then
/// `ID.TIMESTAMP.BODY`.
pub const H_SIGNATURE: &str = "x-lv-webhook-signature";
/// Header naming the signing key (`labelvault-hub print-key` shows it), so a receiver
/// can tell a key rotation from a forgery.
pub const H_KEY_ID: &str = "x-lv-webhook-key-id";

/// The domain-separation tag every signed webhook message starts with, like
/// `labelvault/receipt/v1\0` for receipts: one hub key signs both, and neither may be
/// replayed as the other.
pub const SIGNING_TAG: &[u8] = b"labelvault/webhook/v1\0";

/// The event type this module sends.
pub const EVENT_TYPE: &str = "retraining_due";

/// A webhook URL checked at start: `https://…`, or `http://…` to a loopback host only
/// (the event is signed, not encrypted, and says how busy the labelling team is). No
/// credentials before `@`; a token in the path or query is allowed and never logged:
/// logs, errors and `Debug` show only `scheme://host[:port]`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Check `s`; the error says what to change.
    pub fn parse(s: &str) -> anyhow::Result<WebhookUrl> {
        let uri: axum::http::Uri = s.trim().parse().map_err(|_| {
            anyhow::anyhow!("--retrain-webhook is not a URL; give e.g. https://trainer.example/hooks/labelvault")
        })?;
        let scheme = uri.scheme_str().unwrap_or("");
        let Some(auth) = uri.authority() else {
            anyhow::bail!(
                "--retrain-webhook needs a host, e.g. https://trainer.example/hooks/labelvault"
            );
        };
        if auth.as_str().contains('@') {
            anyhow::bail!(
                "--retrain-webhook must not carry a user or password; the receiver checks the \
                 hub's signature instead (a token in the query string also works)"
            );
        }
        match scheme {
            "https" => {}
            "http" => {
                let host = auth.host().trim_start_matches('[').trim_end_matches(']');
                let loopback = host.eq_ignore_ascii_case("localhost")
                    || host
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback());
                if !loopback {
                    anyhow::bail!(
                        "refusing the plain-HTTP webhook {}: events must not cross a network \
                         unencrypted. Use an https:// URL, or http:// to 127.0.0.1 or localhost",
                        origin(&uri)
                    );
                }
            }
            _ => anyhow::bail!(
                "--retrain-webhook must start with https:// (or http:// to a loopback host)"
            ),
        }
        Ok(WebhookUrl(s.trim().to_string()))
    }

    /// The URL to send to.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL for logs and errors: `scheme://host[:port]`, then `/<redacted>` if it has
    /// a path or query (many receivers put their secret in the path, e.g. Slack-style
    /// `https://hooks.example/T01/B02/SECRET`, others in the query).
    pub fn redacted(&self) -> String {
        match self.0.parse::<axum::http::Uri>() {
            Ok(uri) => origin(&uri),
            Err(_) => "<redacted>".to_string(),
        }
    }
}

impl std::fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookUrl({})", self.redacted())
    }
}

/// `scheme://host[:port]` of `uri`, then `/<redacted>` when it has more (a path other
/// than `/`, or a query), so neither a token in the path nor one in the query is shown.
fn origin(uri: &axum::http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("?");
    let host = uri.host().unwrap_or("?");
    let port = uri.port_u16().map(|p| format!(":{p}")).unwrap_or_default();
    let more = uri.path_and_query().is_some_and(|pq| pq.as_str() != "/");
    let tail = if more { "/<redacted>" } else { "" };
    format!("{scheme}://{host}{port}{tail}")
}

/// How often and how long a failing delivery is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all (the first included) before the event is marked failed.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles after each further one.
    pub first_delay: Duration,
    /// The longest wait between two attempts.
    pub max_delay: Duration,
}

impl Default for Retry {
    /// 6 attempts; waits of about 2, 4, 8, 16 and 32 minutes (±20 % jitter): the last
    /// attempt comes about an hour after the first.
    fn default() -> Retry {
        Retry {
            max_attempts: 6,
            first_delay: Duration::from_secs(120),
            max_delay: Duration::from_secs(3600),
        }
    }
}

impl Retry {
    /// The wait after failed attempt `n` (1-based), before jitter.
    pub fn delay(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX);
        self.first_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// The webhook's settings (`serve --retrain-webhook` and friends).
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Where events go.
    pub url: WebhookUrl,
    /// How often the hub checks whether retraining became due and sends what is pending.
    pub check_every: Duration,
    /// How long one attempt may take (connect, send, answer).
    pub timeout: Duration,
    /// Retries.
    pub retry: Retry,
}

impl WebhookConfig {
    /// Defaults for `url`: a check every 30 s, 10 s per attempt, [`Retry::default`].
    pub fn new(url: WebhookUrl) -> WebhookConfig {
        WebhookConfig {
            url,
            check_every: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            retry: Retry::default(),
        }
    }
}

/// The exact bytes signed: [`SIGNING_TAG`], then `ID.TIMESTAMP.BODY` (id and decimal
/// Unix seconds as ASCII, then the body as sent).
pub fn signed_message(event_id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut m = SIGNING_TAG.to_vec();
    m.extend_from_slice(format!("{event_id}.{timestamp}.").as_bytes());
    m.extend_from_slice(body);
    m
}

/// The `x-lv-webhook-signature` value: the hub key's signature, standard base64.
pub fn sign(key: &HubKey, event_id: &str, timestamp: i64, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(key.sign(&signed_message(event_id, timestamp, body)))
}

/// Check a received event against the hub's public key (32 bytes; `labelvault-hub
/// print-key`): what a receiver written in Rust does, and what the tests do.
pub fn verify(
    public_key: &[u8; 32],
    event_id: &str,
    timestamp: i64,
    body: &[u8],
    signature_b64: &str,
) -> bool {
    let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(signature_b64.trim()) else {
        return false;
    };
    labelvault_core::identity::verify(public_key, &signed_message(event_id, timestamp, body), &sig)
}

/// The event body. Field order is fixed; the body is stored as sent, so every attempt
/// of one event carries the same bytes.
#[derive(Serialize)]
struct Payload<'a> {
    event_id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    hub_key_id: String,
    new_labels: u64,
    threshold: u64,
    since_mark_at: Option<String>,
    created_at: String,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Record this episode's event if retraining is due and the episode has none yet.
/// Returns the new event's id.
pub fn enqueue_if_due(
    store: &dyn HubStore,
    key: &HubKey,
    now_ms: i64,
) -> Result<Option<String>, HubError> {
    let st = store.retrain_status()?;
    if !st.due {
        return Ok(None);
    }
    // Mark sequence numbers are positive and far below i64::MAX.
    let episode = st
        .last_mark
        .as_ref()
        .map_or(0, |m| i64::try_from(m.seq).unwrap_or(i64::MAX));
    let event_id = crate::store::random_id("wh_")?;
    let body = serde_json::to_string(&Payload {
        event_id: &event_id,
        kind: EVENT_TYPE,
        hub_key_id: key.key_id(),
        new_labels: st.new_labels,
        threshold: st.threshold,
        since_mark_at: st
            .last_mark
            .as_ref()
            .map(|m| labelvault_core::batch::rfc3339(m.at_ms.div_euclid(1000))),
        created_at: labelvault_core::batch::rfc3339(now_ms.div_euclid(1000)),
    })
    .map_err(|e| HubError::Internal(e.to_string()))?;
    if store.webhook_enqueue(episode, &event_id, &body, now_ms)? {
        tracing::info!(
            event_id = %event_id,
            new_labels = st.new_labels,
            threshold = st.threshold,
            "retraining is due: webhook event recorded"
        );
        return Ok(Some(event_id));
    }
    Ok(None)
}

/// What one attempt came to.
enum Outcome {
    Delivered(u16),
    Retry(Option<u16>, Option<&'static str>),
    Failed(u16),
}

fn error_class(e: &ureq::Error) -> &'static str {
    match e {
        ureq::Error::Timeout(_) => "timeout",
        ureq::Error::HostNotFound => "dns",
        ureq::Error::ConnectionFailed => "connect",
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => "connect",
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => "timeout",
        ureq::Error::Io(_) => "io",
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => "tls",
        _ => "other",
    }
}

/// The agent every attempt uses. It never takes a proxy from the environment
/// (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`): a loopback-only plain-HTTP webhook would
/// otherwise leave the machine through the proxy, and the URL's token with it.
fn agent(cfg: &WebhookConfig) -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .timeout_global(Some(cfg.timeout))
        .max_redirects(0)
        .user_agent(concat!("labelvault-hub/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn post(agent: &ureq::Agent, url: &WebhookUrl, key: &HubKey, ev: &WebhookEvent) -> Outcome {
    let ts = now_ms().div_euclid(1000);
    let sig = sign(key, &ev.event_id, ts, ev.body.as_bytes());
    let r = agent
        .post(url.as_str())
        .header("content-type", "application/json")
        .header(H_ID, ev.event_id.as_str())
        .header(H_TIMESTAMP, ts.to_string())
        .header(H_SIGNATURE, sig)
        .header(H_KEY_ID, key.key_id())
        .send(ev.body.as_bytes());
    match r {
        Ok(resp) => {
            let code = resp.status().as_u16();
            match code {
                200..=299 => Outcome::Delivered(code),
                408 | 429 | 500..=599 => Outcome::Retry(Some(code), None),
                _ => Outcome::Failed(code),
            }
        }
        Err(ureq::Error::StatusCode(code)) => Outcome::Retry(Some(code), None),
        Err(e) => Outcome::Retry(None, Some(error_class(&e))),
    }
}

/// A uniform factor in [0.8, 1.2]: waits spread out, so receivers coming back from an
/// outage are not hit by every hub at once.
fn jitter() -> f64 {
    let mut b = [0u8; 4];
    let _ = getrandom::fill(&mut b);
    0.8 + 0.4 * (f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX))
}

/// Make one attempt at `ev` and record it. Returns the state after it.
fn attempt(
    store: &dyn HubStore,
    key: &HubKey,
    cfg: &WebhookConfig,
    agent: &ureq::Agent,
    ev: &WebhookEvent,
) -> Result<String, HubError> {
    let n = ev.attempts + 1;
    let outcome = post(agent, &cfg.url, key, ev);
    let at_ms = now_ms();
    let (status, error, state, next) = match outcome {
        Outcome::Delivered(c) => (Some(c), None, "delivered", None),
        Outcome::Failed(c) => (Some(c), None, "failed", None),
        Outcome::Retry(c, e) if n >= cfg.retry.max_attempts => (c, e, "failed", None),
        Outcome::Retry(c, e) => {
            let wait = cfg.retry.delay(n).as_secs_f64() * jitter();
            (c, e, "pending", Some(at_ms + (wait * 1000.0) as i64))
        }
    };
    tracing::info!(
        event_id = %ev.event_id,
        attempt = n,
        status = status.map(i64::from).unwrap_or(-1),
        error = error.unwrap_or(""),
        state,
        url = %cfg.url.redacted(),
        "retraining webhook attempt"
    );
    let held = store.webhook_record(&WebhookAttempt {
        event_id: ev.event_id.clone(),
        attempt: n,
        at_ms,
        status,
        error: error.map(str::to_string),
        next_attempt_at_ms: next,
        state: state.to_string(),
    })?;
    if !held {
        // Another hub took the event after this attempt's lease ran out and recorded
        // first; its record stands.
        tracing::warn!(
            event_id = %ev.event_id,
            attempt = n,
            "retraining webhook attempt not recorded: another hub holds the event now \
             (an attempt outlasted its lease); nothing to do"
        );
        return Ok("lost".to_string());
    }
    Ok(state.to_string())
}

/// One round: record the event if retraining became due, then attempt every pending
/// event whose time has come. Blocking (store and HTTP); run it off the async runtime.
pub fn run_once(store: &dyn HubStore, key: &HubKey, cfg: &WebhookConfig) -> Result<(), HubError> {
    enqueue_if_due(store, key, now_ms())?;
    let agent = agent(cfg);
    // An attempt holds its event this long, so another hub on the same database (or
    // this one after a crash mid-attempt) leaves it alone meanwhile.
    let lease = (cfg.timeout + Duration::from_secs(60)).as_millis() as i64;
    // Bounded, so one round cannot spin however short the test delays are.
    for _ in 0..1000 {
        let now = now_ms();
        let Some(ev) = store.webhook_claim(now, now + lease)? else {
            break;
        };
        // An export or training mark since the event was made ended its episode: the
        // retraining it announced is no longer due, so it is closed, not sent.
        let current = store
            .retrain_status()?
            .last_mark
            .map_or(0, |m| i64::try_from(m.seq).unwrap_or(i64::MAX));
        if ev.episode != current {
            if store.webhook_supersede(&ev.event_id, ev.attempts)? {
                tracing::info!(
                    event_id = %ev.event_id,
                    attempts = ev.attempts,
                    "retraining webhook event superseded: its episode ended before delivery; not sent"
                );
            }
            continue;
        }
        attempt(store, key, cfg, &agent, &ev)?;
    }
    Ok(())
}

/// Run the webhook in the background on the current Tokio runtime: a round at once
/// (which resumes deliveries pending from before a restart), then one every
/// `check_every`. A failing round is logged and the next one tries again.
pub fn spawn(
    store: Arc<dyn HubStore>,
    key: Arc<HubKey>,
    cfg: WebhookConfig,
) -> tokio::task::JoinHandle<()> {
    tracing::info!(url = %cfg.url.redacted(), every_s = cfg.check_every.as_secs_f64(), "retraining webhook on");
    tokio::spawn(async move {
        let cfg = Arc::new(cfg);
        loop {
            let (s, k, c) = (store.clone(), key.clone(), cfg.clone());
            match tokio::task::spawn_blocking(move || run_once(&*s, &k, &c)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "retraining webhook round failed; trying again later")
                }
                Err(_) => tracing::warn!("retraining webhook round stopped unexpectedly"),
            }
            tokio::time::sleep(cfg.check_every).await;
        }
    })
}

/// The webhook lines of `/metrics`: final events by state (a counter: delivered,
/// failed and superseded events never change again) and the events still pending (a
/// gauge).
pub fn metrics_text(store: &dyn HubStore) -> Result<String, HubError> {
    let counts = store.webhook_counts()?;
    let n = |s: &str| counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    Ok(format!(
        "# HELP labelvault_webhook_deliveries_total Retraining webhook events finished, by final state.\n\
         # TYPE labelvault_webhook_deliveries_total counter\n\
         labelvault_webhook_deliveries_total{{state=\"delivered\"}} {}\n\
         labelvault_webhook_deliveries_total{{state=\"failed\"}} {}\n\
         labelvault_webhook_deliveries_total{{state=\"superseded\"}} {}\n\
         # HELP labelvault_webhook_pending Retraining webhook events still being delivered.\n\
         # TYPE labelvault_webhook_pending gauge\n\
         labelvault_webhook_pending {}\n",
        n("delivered"),
        n("failed"),
        n("superseded"),
        n("pending")
    ))
}

/// `GET /v1/admin/webhook-deliveries[?limit=N]`: the newest events (default 100, at
/// most 1000), each with every attempt.
pub async fn deliveries(
    State(s): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, HubError> {
    let Query(params) =
        q.map_err(|_| HubError::bad("malformed", "the query string is not valid URL encoding"))?;
    let mut limit = 100usize;
    for (k, v) in params {
        match k.as_str() {
            "limit" => {
                limit = v
                    .parse::<usize>()
                    .ok()
                    .filter(|l| (1..=1000).contains(l))
                    .ok_or_else(|| HubError::bad("invalid", "`limit` must be 1–1000"))?;
            }
            _ => {
                return Err(HubError::bad(
                    "unknown_field",
                    format!(
                        "unknown query parameter `{}`; see docs/openapi.yaml",
                        k.chars().take(40).collect::<String>()
                    ),
                ))
            }
        }
    }
    let list = blocking(move || s.store.webhook_deliveries(limit)).await?;
    Ok(Json(WebhookDeliveries { deliveries: list }).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_or_loopback_http_and_never_logged_with_secrets() {
        for ok in [
            "https://trainer.example/hooks/lv",
            "http://127.0.0.1:9000/hook",
            "http://localhost/hook",
            "http://[::1]:8080/",
        ] {
            assert!(WebhookUrl::parse(ok).is_ok(), "{ok}");
        }
        for (bad, says) in [
            (
                "http://trainer.example/hook",
                "refusing the plain-HTTP webhook",
            ),
            ("http://10.0.0.5/hook", "refusing the plain-HTTP webhook"),
            ("ftp://trainer.example/", "must start with https://"),
            (
                "https://user:pw@trainer.example/",
                "must not carry a user or password",
            ),
            ("not a url", "not a URL"),
        ] {
            let e = format!("{:#}", WebhookUrl::parse(bad).unwrap_err());
            assert!(e.contains(says), "{bad}: {e}");
        }
        let u = WebhookUrl::parse("https://trainer.example/hook?token=s3cret").unwrap();
        assert_eq!(u.redacted(), "https://trainer.example/<redacted>");
        assert!(!format!("{u:?}").contains("s3cret"));
        // A secret in the path (Slack-style) is hidden too, the port kept.
        let u = WebhookUrl::parse("https://hooks.example:8443/T01/B02/PathS3cret").unwrap();
        assert_eq!(u.redacted(), "https://hooks.example:8443/<redacted>");
        assert!(!format!("{u:?}").contains("PathS3cret"));
        assert_eq!(
            WebhookUrl::parse("https://hooks.example/")
                .unwrap()
                .redacted(),
            "https://hooks.example"
        );
        for bad in [
            "http://trainer.example/hook?token=s3cret",
            "http://trainer.example/T01/s3cret/x",
        ] {
            let e = format!("{:#}", WebhookUrl::parse(bad).unwrap_err());
            assert!(!e.contains("s3cret"), "{e}");
            assert!(e.contains("http://trainer.example/<redacted>"), "{e}");
        }
    }

    #[test]
    fn the_agent_never_takes_a_proxy_from_the_environment() {
        // The default agent would read these at build time; this one must not. Setting
        // a proxy variable is process-wide, so it is restored at once; no other test in
        // this crate builds an agent that reads the environment.
        let cfg = WebhookConfig::new(WebhookUrl::parse("http://127.0.0.1:9/hook").unwrap());
        let saved = std::env::var_os("ALL_PROXY");
        std::env::set_var("ALL_PROXY", "http://127.0.0.1:9");
        let a = agent(&cfg);
        let default_reads_it = ureq::Agent::config_builder().build().proxy().is_some();
        match saved {
            Some(v) => std::env::set_var("ALL_PROXY", v),
            None => std::env::remove_var("ALL_PROXY"),
        }
        assert!(default_reads_it, "the check below would prove nothing");
        assert!(a.config().proxy().is_none());
    }

    #[test]
    fn waits_double_up_to_the_cap() {
        let r = Retry::default();
        let mins: Vec<u64> = (1..=5).map(|n| r.delay(n).as_secs() / 60).collect();
        assert_eq!(mins, vec![2, 4, 8, 16, 32]);
        assert_eq!(r.delay(40), r.max_delay);
        for _ in 0..100 {
            let j = jitter();
            assert!((0.8..=1.2).contains(&j), "{j}");
        }
    }

    #[test]
    fn signatures_cover_id_time_and_body() {
        let key = HubKey::generate().unwrap();
        let pk = labelvault_core::identity::parse_public_key(&key.public_key()).unwrap();
        let sig = sign(&key, "wh_1", 1_700_000_000, b"{\"a\":1}");
        assert!(verify(&pk, "wh_1", 1_700_000_000, b"{\"a\":1}", &sig));
        assert!(!verify(&pk, "wh_1", 1_700_000_000, b"{\"a\":2}", &sig));
        assert!(!verify(&pk, "wh_2", 1_700_000_000, b"{\"a\":1}", &sig));
        assert!(!verify(&pk, "wh_1", 1_700_000_001, b"{\"a\":1}", &sig));
        assert_eq!(
            signed_message("wh_1", 17, b"{}"),
            b"labelvault/webhook/v1\0wh_1.17.{}".to_vec()
        );
        // Without the tag (a message another hub-key signature could cover) it fails.
        let bare = base64::engine::general_purpose::STANDARD.encode(key.sign(b"wh_1.17.{}"));
        assert!(!verify(&pk, "wh_1", 17, b"{}", &bare));
    }

    #[test]
    fn the_documented_example_verifies() {
        let doc = include_str!("../../../docs/webhook.md");
        let body = doc
            .lines()
            .find(|l| l.starts_with("{\"event_id\":\"wh_5f0c2a9e41d7b3086ac1e2f4\""))
            .unwrap();
        let sig = "hDkFgBF/H2twXBqpZsy+/E7CVhMFpSpP9iZ/7DU5h62xlZLvjttyQGixHDlvyFH9Gd0B3nvrFHAFWKH7i+TvBQ==";
        let pk_b64 = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
        for s in [
            sig,
            pk_b64,
            "x-lv-webhook-timestamp: 1764934927",
            "56475aa75463474c",
        ] {
            assert!(doc.contains(s), "{s}");
        }
        assert!(doc.contains(&format!("and then the {}-byte", body.len())));
        assert!(doc.contains("printf 'labelvault/webhook/v1\\000%s.%s.'"));
        let pk = labelvault_core::identity::parse_public_key(pk_b64).unwrap();
        assert_eq!(labelvault_core::identity::key_id(&pk), "56475aa75463474c");
        assert!(verify(
            &pk,
            "wh_5f0c2a9e41d7b3086ac1e2f4",
            1764934927,
            body.as_bytes(),
            sig
        ));
        assert!(!verify(
            &pk,
            "wh_5f0c2a9e41d7b3086ac1e2f4",
            1764934928,
            body.as_bytes(),
            sig
        ));
        // The hub's own key, made from the documented seed, signs the same bytes.
        // PKCS#8 v2 (RFC 5958): the seed, then the public key.
        let pkcs8: Vec<u8> = [
            &[
                0x30, 0x53, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
                0x04, 0x20,
            ][..],
            &(0u8..32).collect::<Vec<u8>>(),
            &[0xa1, 0x23, 0x03, 0x21, 0x00],
            &pk,
        ]
        .concat();
        let key = HubKey::from_pkcs8(&pkcs8).unwrap();
        assert_eq!(key.public_key(), pk_b64);
        assert_eq!(
            sign(
                &key,
                "wh_5f0c2a9e41d7b3086ac1e2f4",
                1764934927,
                body.as_bytes()
            ),
            sig
        );
    }
}
