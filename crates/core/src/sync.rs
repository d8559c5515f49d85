//! The device's sync client: enrollment, pulling assigned batches, and uploading labels.
//!
//! Every request goes through [`Client::send`], which first validates the body, runs
//! the leak guard, appends the exact bytes to the outbound ledger, and only then sends.
//! Label uploads are retried with the same body until the hub's signed receipt comes
//! back; the receipt is verified against the pinned hub key and stored beside the entry.

use crate::batch::ImportReport;
use crate::error::{BatchError, VaultError};
use crate::guard::{Leak, LeakGuard};
use crate::identity::B64;
use crate::ledger;
use crate::protocol::{
    self, ApiError, BatchListing, EnrollRequest, EnrollResponse, LabelUpload, SignedReceipt,
};
use crate::vault::{HubLink, StoredEntry, Vault};
use base64::Engine as _;
use std::time::Duration;

/// Labels per upload request.
pub const LABELS_PER_UPLOAD: usize = 5_000;

/// Why a sync step failed. None of these carries item text.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The hub could not be reached; everything stays queued.
    #[error("the hub at {url} cannot be reached ({detail}); your labels are kept and will be sent on the next sync")]
    Offline { url: String, detail: String },
    /// The hub refused the request.
    #[error("the hub refused the request ({code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// This device is not enrolled with a hub.
    #[error(
        "this device is not enrolled with a hub; run `labelvault enroll --hub URL --code CODE`"
    )]
    NotEnrolled,
    /// The leak guard stopped an upload.
    #[error(transparent)]
    Leak(#[from] Leak),
    /// A receipt did not verify.
    #[error("the hub's receipt for upload {upload_id} is invalid ({reason}); the upload stays queued — tell your privacy officer")]
    BadReceipt { upload_id: String, reason: String },
    /// An upload failed schema validation on the device.
    #[error("refusing to send an invalid upload: {0}")]
    Invalid(String),
    /// Vault failure.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Batch failure while pulling.
    #[error(transparent)]
    Batch(#[from] BatchError),
}

impl SyncError {
    /// Stable code for IPC and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Offline { .. } => "offline",
            SyncError::Refused { .. } => "hub_refused",
            SyncError::NotEnrolled => "not_enrolled",
            SyncError::Leak(_) => "leak_guard",
            SyncError::BadReceipt { .. } => "bad_receipt",
            SyncError::Invalid(_) => "invalid_upload",
            SyncError::Vault(v) => v.code(),
            SyncError::Batch(b) => b.code(),
        }
    }

    /// Worth retrying later (network or hub-side trouble).
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Offline { .. })
            || matches!(self, SyncError::Refused { status, .. } if *status >= 500 || *status == 429)
    }
}

/// An HTTP response: status and body.
#[derive(Debug)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// How requests reach the hub. [`HttpTransport`] in production; tests may inject
/// failures no real network produces on demand.
pub trait Transport: Send + Sync {
    /// Send one request; `Err` means no HTTP response arrived.
    fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Result<Response, String>;
}

/// HTTP(S) over ureq with timeouts.
pub struct HttpTransport {
    agent: ureq::Agent,
}

impl Default for HttpTransport {
    fn default() -> Self {
        HttpTransport::new(Duration::from_secs(30))
    }
}

impl HttpTransport {
    /// A transport whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> HttpTransport {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build()
            .into();
        HttpTransport { agent }
    }
}

/// Largest response body read from the hub (batches can be large).
const MAX_RESPONSE: u64 = 600 * 1024 * 1024;

impl Transport for HttpTransport {
    fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Result<Response, String> {
        let result = match method {
            "GET" => {
                let mut req = self.agent.get(url);
                for (k, v) in headers {
                    req = req.header(*k, v.as_str());
                }
                req.call()
            }
            _ => {
                let mut req = self
                    .agent
                    .post(url)
                    .header("content-type", "application/json");
                for (k, v) in headers {
                    req = req.header(*k, v.as_str());
                }
                req.send(body)
            }
        };
        let mut resp = result.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(|e| e.to_string())?;
        Ok(Response { status, body })
    }
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Upload requests acknowledged in this run.
    pub uploads: u64,
    /// Labels the hub newly accepted.
    pub accepted: u64,
    /// Labels the hub already had.
    pub duplicates: u64,
    /// Labels the hub refused.
    pub rejected: u64,
    /// Items purged afterwards.
    pub purged: u64,
}

/// What [`Client::apply_notices`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct NoticeReport {
    /// Notices carried out and acknowledged.
    pub notices: u64,
    /// Items deleted at the hub's request (customer erasure).
    pub erased_items: u64,
    /// Items whose text had personal data masked at the hub's request.
    pub masked_items: u64,
}

/// Options for uploads.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Run the leak guard and write the ledger (always on in the product; the benchmark
    /// turns them off to show their cost as a ratio).
    pub privacy_steps: bool,
    /// Retention grace period after acknowledgement, seconds.
    pub grace_secs: i64,
    /// Attempts per request before giving up for this run.
    pub attempts: u32,
    /// First backoff delay; doubles each attempt.
    pub backoff: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            privacy_steps: true,
            grace_secs: crate::vault::DEFAULT_GRACE_SECS,
            attempts: 4,
            backoff: Duration::from_millis(500),
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn nonce() -> Result<String, VaultError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| VaultError::Storage("no system randomness".into()))?;
    Ok(hex::encode(b))
}

fn refused(status: u16, body: &[u8]) -> SyncError {
    match serde_json::from_slice::<ApiError>(body) {
        Ok(e) => SyncError::Refused {
            status,
            code: e.code,
            message: e.message,
        },
        Err(_) => SyncError::Refused {
            status,
            code: format!("http_{status}"),
            message: "the hub gave no explanation".into(),
        },
    }
}

/// How a [`Client`] reaches the vault: for each step that reads or writes it, and never
/// across a network call, so an app can hold its vault's lock only for those steps and
/// go on recording decisions while a sync waits on the hub. Each step is one vault call
/// (its own transaction); what must be ordered (a ledger entry durably appended before
/// its bytes are sent) stays ordered.
pub trait VaultAccess {
    /// Run `f` on the vault.
    fn with<R>(&mut self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, SyncError>;
}

impl VaultAccess for &mut Vault {
    fn with<R>(&mut self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, SyncError> {
        Ok(f(self))
    }
}

/// A vault shared behind a mutex (an app's, a test's): locked for each step only.
impl VaultAccess for &std::sync::Mutex<Vault> {
    fn with<R>(&mut self, f: impl FnOnce(&mut Vault) -> R) -> Result<R, SyncError> {
        let mut v = self.lock().map_err(|_| {
            SyncError::Vault(VaultError::Storage(
                "the vault's lock was poisoned; restart".into(),
            ))
        })?;
        Ok(f(&mut v))
    }
}

/// A device talking to its hub.
pub struct Client<'a, V: VaultAccess = &'a mut Vault> {
    vault: V,
    transport: &'a dyn Transport,
}

impl<'a> Client<'a> {
    /// A client over this vault.
    pub fn new(vault: &'a mut Vault, transport: &'a dyn Transport) -> Client<'a> {
        Client { vault, transport }
    }
}

impl<'a, V: VaultAccess> Client<'a, V> {
    /// A client reaching the vault through `vault` step by step (an app's lock).
    pub fn over(vault: V, transport: &'a dyn Transport) -> Client<'a, V> {
        Client { vault, transport }
    }

    fn link(&mut self) -> Result<HubLink, SyncError> {
        self.vault
            .with(|v| v.hub_link())??
            .ok_or(SyncError::NotEnrolled)
    }

    /// Enroll with a hub using a one-time code; pins the hub key.
    pub fn enroll(&mut self, hub_url: &str, code: &str) -> Result<HubLink, SyncError> {
        let hub_url = hub_url.trim_end_matches('/').to_string();
        crate::grammar::check_hub_url(&hub_url).map_err(|p| {
            SyncError::Invalid(format!(
                "the hub address {p} (for example http://127.0.0.1:7878 or https://hub.example.com)"
            ))
        })?;
        let code = crate::grammar::normalize_enrollment_code(code).ok_or_else(|| {
            SyncError::Invalid(
                "the enrollment code must be the 20 hex digits the manager gave you (XXXX-XXXX-XXXX-XXXX-XXXX)"
                    .into(),
            )
        })?;
        let public = self.vault.with(|v| v.identity().public())?;
        let request = EnrollRequest {
            enrollment_code: code,
            signing_key: public.signing_key,
            recipient: public.recipient,
        };
        crate::grammar::check_enroll(&request)
            .map_err(|p| SyncError::Invalid(format!("enrollment request {p}")))?;
        let body = serde_json::to_vec(&request).map_err(|e| SyncError::Invalid(e.to_string()))?;
        let entry = self
            .vault
            .with(|v| v.append_ledger(&hub_url, "POST", "/v1/enroll", &body, None))??;
        let resp = self.transmit(&entry, None)?;
        let r: EnrollResponse = serde_json::from_slice(&resp)
            .map_err(|_| SyncError::Invalid("the hub's enrollment answer is unreadable".into()))?;
        if !crate::grammar::DEVICE_ID.matches(&r.device_id) {
            return Err(SyncError::Invalid(
                "the hub gave a device id that is not \"d_\" and 24 hex digits".into(),
            ));
        }
        let link = HubLink {
            hub_url,
            device_id: r.device_id,
            hub_key_id: r.hub_key_id,
            enrolled_at: crate::batch::now_unix(),
        };
        self.vault
            .with(|v| v.set_hub_link(&link, &r.hub_public_key))??;
        Ok(link)
    }

    /// Send a ledger entry's exact bytes once. Device requests are signed.
    fn transmit(
        &mut self,
        entry: &StoredEntry,
        device_id: Option<&str>,
    ) -> Result<Vec<u8>, SyncError> {
        let url = format!("{}{}", entry.hub_url, entry.path);
        let mut headers = Vec::new();
        if let Some(dev) = device_id {
            let ts = crate::batch::now_unix();
            let n = nonce()?;
            let msg = protocol::request_message(&entry.method, &entry.path, ts, &n, &entry.body);
            let sig = self.vault.with(|v| v.identity().sign(&msg))?;
            headers.push((protocol::H_DEVICE, dev.to_string()));
            headers.push((protocol::H_TIMESTAMP, ts.to_string()));
            headers.push((protocol::H_NONCE, n));
            headers.push((protocol::H_SIGNATURE, B64.encode(sig)));
            // The chain head this request is: the hub records it and countersigns it.
            headers.push((protocol::H_LEDGER_SEQ, entry.seq.to_string()));
            headers.push((protocol::H_LEDGER_HEAD, hex::encode(entry.entry_hash)));
        }
        let resp = self
            .transport
            .send(&entry.method, &url, &headers, &entry.body)
            .map_err(|detail| SyncError::Offline {
                url: entry.hub_url.clone(),
                detail,
            })?;
        if resp.status == 200 {
            Ok(resp.body)
        } else {
            Err(refused(resp.status, &resp.body))
        }
    }

    /// GET a device endpoint (ledgered like every request).
    fn get(&mut self, link: &HubLink, path: &str) -> Result<Vec<u8>, SyncError> {
        crate::grammar::check_get_path(path)
            .map_err(|p| SyncError::Invalid(format!("the request {p}")))?;
        let entry = self
            .vault
            .with(|v| v.append_ledger(&link.hub_url, "GET", path, b"", None))??;
        self.transmit(&entry, Some(&link.device_id))
    }

    /// Download and import every assigned batch not yet in the vault.
    pub fn pull(&mut self) -> Result<Vec<ImportReport>, SyncError> {
        let link = self.link()?;
        let listing: Vec<BatchListing> =
            serde_json::from_slice(&self.get(&link, "/v1/batches")?)
                .map_err(|_| SyncError::Invalid("the hub's batch list is unreadable".into()))?;
        let have = self.vault.with(|v| v.batch_ids())??;
        let mut out = Vec::new();
        for b in listing {
            if have.contains(&b.batch_id) || b.expires_at <= crate::batch::now_unix() {
                continue;
            }
            if !crate::grammar::BATCH_ID.matches(&b.batch_id) {
                return Err(SyncError::Invalid(
                    "the hub listed a batch id that is not \"b_\" and 32 hex digits".into(),
                ));
            }
            let bytes = self.get(&link, &format!("/v1/batches/{}", b.batch_id))?;
            out.push(
                self.vault
                    .with(|v| v.import_batch(&bytes, crate::batch::now_unix()))??,
            );
        }
        Ok(out)
    }

    /// Carry out the hub's pending notices (erasures and masks of items this device
    /// holds), then acknowledge them in one ledgered request. Every notice must carry a
    /// valid signature by the pinned hub key and name this device; otherwise nothing is
    /// changed and the sync stops with [`SyncError::Invalid`].
    pub fn apply_notices(&mut self) -> Result<NoticeReport, SyncError> {
        let link = self.link()?;
        let hub_key = self
            .vault
            .with(|v| v.hub_public_key(&link.hub_key_id))??
            .ok_or_else(|| SyncError::Invalid("the enrolled hub's key is not pinned".into()))?;
        let list: protocol::NoticeList =
            serde_json::from_slice(&self.get(&link, protocol::NOTICES_PATH)?)
                .map_err(|_| SyncError::Invalid("the hub's notice list is unreadable".into()))?;
        let mut report = NoticeReport::default();
        if list.notices.is_empty() {
            return Ok(report);
        }
        // Check all before changing anything.
        for s in &list.notices {
            let n = &s.notice;
            let sig = B64.decode(&s.signature).unwrap_or_default();
            if !crate::identity::verify(&hub_key, &protocol::notice_message(n), &sig) {
                return Err(SyncError::Invalid(
                    "a notice from the hub does not carry the pinned hub key's signature; nothing was changed — tell your privacy officer".into(),
                ));
            }
            let ids_ok = crate::grammar::NOTICE_ID.matches(&n.notice_id)
                && n.items
                    .iter()
                    .all(|i| crate::grammar::ITEM_ID.matches(&i.item_id));
            if n.device_id != link.device_id || !ids_ok {
                return Err(SyncError::Invalid(
                    "a notice from the hub names another device or malformed ids; nothing was changed".into(),
                ));
            }
        }
        let mut ids = Vec::new();
        for s in list.notices.iter().take(protocol::MAX_NOTICES_PER_ACK) {
            let effect = self.vault.with(|v| v.apply_notice(&s.notice))??;
            report.erased_items += effect.erased;
            report.masked_items += effect.masked;
            ids.push(s.notice.notice_id.clone());
        }
        report.notices = ids.len() as u64;
        let ack = protocol::NoticeAck {
            device_id: link.device_id.clone(),
            notice_ids: ids,
        };
        crate::grammar::check_notice_ack(&ack)
            .map_err(|p| SyncError::Invalid(format!("notice acknowledgement {p}")))?;
        let body = serde_json::to_vec(&ack).map_err(|e| SyncError::Invalid(e.to_string()))?;
        self.guard(&body)?;
        let entry = self.vault.with(|v| {
            v.append_ledger(
                &link.hub_url,
                "POST",
                protocol::NOTICES_ACK_PATH,
                &body,
                None,
            )
        })??;
        self.transmit(&entry, Some(&link.device_id))?;
        if report.erased_items + report.masked_items > 0 {
            tracing::info!(
                erased = report.erased_items,
                masked = report.masked_items,
                "carried out the hub's notices"
            );
        }
        Ok(report)
    }

    /// Upload every label revision not yet acknowledged, then purge what retention
    /// allows. Retries transient failures with exponential backoff; on giving up,
    /// everything stays queued for the next run.
    pub fn upload(&mut self, opts: &SyncOptions) -> Result<SyncReport, SyncError> {
        let link = self.link()?;
        let hub_key = self
            .vault
            .with(|v| v.hub_public_key(&link.hub_key_id))??
            .ok_or_else(|| SyncError::Invalid("the enrolled hub's key is not pinned".into()))?;
        let mut report = SyncReport::default();
        // First, anything already in the ledger without a receipt: same bytes again.
        for entry in self.vault.with(|v| v.unacknowledged_uploads())?? {
            self.deliver(&link, &hub_key, &entry, opts, &mut report)?;
        }
        loop {
            let batch = self.vault.with(|v| v.unsent_labels(LABELS_PER_UPLOAD))??;
            if batch.is_empty() {
                break;
            }
            let upload = LabelUpload {
                upload_id: crate::batch::random_id("u_")?,
                device_id: link.device_id.clone(),
                labels: batch.iter().map(|(_, l)| l.clone()).collect(),
            };
            let body =
                serde_json::to_vec(&upload).map_err(|e| SyncError::Invalid(e.to_string()))?;
            let events: Vec<i64> = batch.iter().map(|(e, _)| *e).collect();
            if opts.privacy_steps {
                ledger::check_body("POST", "/v1/labels", &body, now_ms())
                    .map_err(SyncError::Invalid)?;
                self.guard(&body)?;
            }
            let entry = self.vault.with(|v| {
                v.append_ledger(
                    &link.hub_url,
                    "POST",
                    "/v1/labels",
                    &body,
                    Some((&upload.upload_id, &events)),
                )
            })??;
            self.deliver(&link, &hub_key, &entry, opts, &mut report)?;
        }
        let purged = self
            .vault
            .with(|v| v.purge(crate::batch::now_unix(), opts.grace_secs))??;
        report.purged = purged.acknowledged_items + purged.expired_items;
        Ok(report)
    }

    /// Run the leak guard over a payload against every local item text.
    fn guard(&mut self, body: &[u8]) -> Result<(), SyncError> {
        let guard = LeakGuard::new(body);
        let mut leak = None;
        self.vault.with(|v| {
            v.for_each_item_text(|id, text| match guard.check(id, text) {
                Ok(()) => true,
                Err(l) => {
                    leak = Some(l);
                    false
                }
            })
        })??;
        match leak {
            Some(l) => Err(l.into()),
            None => Ok(()),
        }
    }

    fn deliver(
        &mut self,
        link: &HubLink,
        hub_key: &[u8; 32],
        entry: &StoredEntry,
        opts: &SyncOptions,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let upload_id = entry.upload_id.clone().unwrap_or_default();
        let mut delay = opts.backoff;
        let mut attempt = 0;
        let body = loop {
            attempt += 1;
            match self.transmit(entry, Some(&link.device_id)) {
                Ok(b) => {
                    self.vault.with(|v| v.note_attempt(entry.seq, None))??;
                    break b;
                }
                Err(e) => {
                    self.vault
                        .with(|v| v.note_attempt(entry.seq, Some(e.code())))??;
                    if !e.is_transient() || attempt >= opts.attempts.max(1) {
                        return Err(e);
                    }
                    tracing::info!(attempt, code = e.code(), "upload failed; retrying");
                    std::thread::sleep(delay);
                    delay = delay.saturating_mul(2).min(Duration::from_secs(30));
                }
            }
        };
        let signed: SignedReceipt =
            serde_json::from_slice(&body).map_err(|_| SyncError::BadReceipt {
                upload_id: upload_id.clone(),
                reason: "unreadable".into(),
            })?;
        let bad = |reason: &str| SyncError::BadReceipt {
            upload_id: upload_id.clone(),
            reason: reason.into(),
        };
        let r = &signed.receipt;
        if r.body_sha256 != hex::encode(ledger::sha256(&entry.body)) {
            return Err(bad("it acknowledges different bytes"));
        }
        if r.upload_id != upload_id || r.device_id != link.device_id {
            return Err(bad("it names another upload or device"));
        }
        if r.device_seq != Some(entry.seq)
            || r.device_head.as_deref() != Some(hex::encode(entry.entry_hash).as_str())
        {
            return Err(bad("it does not countersign this ledger entry"));
        }
        crate::grammar::check_receipt(&signed)
            .map_err(|p| bad(&format!("it breaks the label grammar ({p})")))?;
        let sig = B64
            .decode(&signed.signature)
            .map_err(|_| bad("signature is not base64"))?;
        if !crate::identity::verify(hub_key, &protocol::receipt_message(r), &sig) {
            return Err(bad("the hub signature does not verify"));
        }
        self.vault.with(|v| v.store_receipt(entry.seq, &signed))??;
        report.uploads += 1;
        report.accepted += u64::from(r.accepted);
        report.duplicates += u64::from(r.duplicates);
        report.rejected += r.rejected.len() as u64;
        Ok(())
    }
}
