//! The manager's side of the hub's admin API, shared by the CLI's pipeline verbs and
//! the desktop app's Manage view: one client (bearer token, clear errors), the message
//! upload in chunks, per-device progress, and where the app keeps the manager's
//! credential (hub URL in the profile, admin token in the OS keyring only).

use crate::error::VaultError;
use crate::keystore::KeyStore;
use crate::pipeline::ingest::{self, BadRow};
use crate::profile::Profile;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use zeroize::Zeroizing;

/// Messages per ingest request (the hub refuses larger requests).
pub const INGEST_CHUNK: usize = 5_000;

/// Largest admin answer read (exports of a million messages run to hundreds of MB).
const MAX_ANSWER: u64 = 1 << 30;

/// Why an admin call failed: a stable code and a message saying what to do next. Never
/// carries message text: hub errors name fields only, and this adds only URLs and paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminError {
    /// `hub_unreachable`, `hub_answer`, `bad_hub_url`, or the hub's own code.
    pub code: String,
    /// For people.
    pub message: String,
}

impl AdminError {
    /// An error with a stable code and a message for people.
    pub fn new(code: &str, message: impl Into<String>) -> AdminError {
        AdminError {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AdminError {}

/// Called with (method, path, exact body) before each admin request leaves; an error
/// stops the request. The app records every call in the device ledger this way.
pub type Recorder = Box<dyn Fn(&str, &str, &[u8]) -> Result<(), AdminError> + Send + Sync>;

/// How an admin client proves who it is.
enum Credential {
    /// The hub's bootstrap admin token (scripts, the first manager).
    Token(Zeroizing<String>),
    /// A person's account: every request signed with their key (docs/authorization.md).
    Account {
        account_id: String,
        key: crate::identity::HubKey,
    },
}

/// A typed answer and the body it was read from, byte for byte as the hub sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Received<A> {
    /// The answer, read as the admin API's type.
    pub answer: A,
    /// The hub's JSON body, unchanged.
    pub body: Vec<u8>,
}

/// A client of the hub's `/v1/admin/…` endpoints, holding an admin credential.
pub struct AdminClient {
    url: String,
    credential: Credential,
    agent: ureq::Agent,
    recorder: Option<Recorder>,
}

impl std::fmt::Debug for AdminClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminClient")
            .field("url", &self.url)
            .field("credential", &"[redacted]")
            .finish()
    }
}

/// Check a hub URL the manager typed: `http://` or `https://`, a host, no query.
pub fn check_hub_url(url: &str) -> Result<String, AdminError> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(r) if !r.is_empty() && !r.contains(['?', '#', ' ']) && !r.contains('@') => {
            Ok(url.to_string())
        }
        _ => Err(AdminError::new(
            "bad_hub_url",
            "the hub URL must look like http://127.0.0.1:7878 or https://hub.example.org",
        )),
    }
}

impl AdminClient {
    /// A client for the hub at `url` with the admin `token`; requests give up after
    /// `timeout`.
    pub fn new(url: &str, token: &str, timeout: Duration) -> Result<AdminClient, AdminError> {
        let url = check_hub_url(url)?;
        let token = token.trim();
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err(AdminError::new(
                "bad_admin_token",
                "the admin token is empty or has spaces in it; copy it from the hub's admin.token file",
            ));
        }
        Ok(AdminClient {
            url,
            credential: Credential::Token(Zeroizing::new(token.to_string())),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(timeout))
                .build()
                .into(),
            recorder: None,
        })
    }

    /// A client for the hub at `url` that signs every request as the account
    /// `account_id` with its `key` (held in that person's OS keyring).
    pub fn with_account(
        url: &str,
        account_id: &str,
        key: crate::identity::HubKey,
        timeout: Duration,
    ) -> Result<AdminClient, AdminError> {
        let url = check_hub_url(url)?;
        if !crate::grammar::ACCOUNT_ID.matches(account_id) {
            return Err(AdminError::new(
                "bad_account",
                "an account id is \"ac_\" and 24 hex digits",
            ));
        }
        Ok(AdminClient {
            url,
            credential: Credential::Account {
                account_id: account_id.to_string(),
                key,
            },
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(timeout))
                .build()
                .into(),
            recorder: None,
        })
    }

    /// The credential's headers for one request (`path` with its query, exact body).
    fn auth_headers(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<Vec<(&'static str, String)>, AdminError> {
        use base64::Engine as _;
        Ok(match &self.credential {
            Credential::Token(t) => vec![("authorization", format!("Bearer {}", t.as_str()))],
            Credential::Account { account_id, key } => {
                let ts = crate::batch::now_unix();
                let nonce = crate::batch::random_id("")
                    .map_err(|_| AdminError::new("no_randomness", "no system randomness"))?;
                let sig = key.sign(&crate::protocol::request_message(
                    method, path, ts, &nonce, body,
                ));
                vec![
                    ("x-lv-account", account_id.clone()),
                    (crate::protocol::H_TIMESTAMP, ts.to_string()),
                    (crate::protocol::H_NONCE, nonce),
                    (
                        crate::protocol::H_SIGNATURE,
                        base64::engine::general_purpose::STANDARD.encode(sig),
                    ),
                ]
            }
        })
    }

    /// Record every request before it leaves (see [`Recorder`]).
    pub fn with_recorder(mut self, recorder: Recorder) -> AdminClient {
        self.recorder = Some(recorder);
        self
    }

    fn record(&self, method: &str, path: &str, body: &[u8]) -> Result<(), AdminError> {
        match &self.recorder {
            Some(r) => r(method, path, body),
            None => Ok(()),
        }
    }

    /// The hub's URL (no secrets in it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `GET path`, the raw body of a 200 answer.
    pub fn get(&self, path: &str) -> Result<Vec<u8>, AdminError> {
        self.record("GET", path, b"")?;
        let mut req = self.agent.get(&format!("{}{path}", self.url));
        for (k, v) in self.auth_headers("GET", path, b"")? {
            req = req.header(k, &v);
        }
        let r = req.call();
        self.answer(path, r)
    }

    /// `GET path`, parsed as JSON.
    pub fn get_json(&self, path: &str) -> Result<Value, AdminError> {
        let bytes = self.get(path)?;
        serde_json::from_slice(&bytes).map_err(|_| self.not_json(path))
    }

    /// `POST path` with a JSON body, the answer parsed as JSON.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value, AdminError> {
        let bytes = self.post_bytes(path, body)?;
        serde_json::from_slice(&bytes).map_err(|_| self.not_json(path))
    }

    /// An answer that is not JSON at all: probably not a LabelVault hub.
    fn not_json(&self, path: &str) -> AdminError {
        AdminError::new(
            "hub_answer",
            format!(
                "the hub's answer to {path} is not JSON; is {} a LabelVault hub?",
                self.url
            ),
        )
    }

    /// `POST path` with a JSON body, the raw body of a 200 answer.
    fn post_bytes(&self, path: &str, body: &Value) -> Result<Vec<u8>, AdminError> {
        let bytes = body.to_string().into_bytes();
        self.record("POST", path, &bytes)?;
        let mut req = self
            .agent
            .post(&format!("{}{path}", self.url))
            .header("content-type", "application/json");
        for (k, v) in self.auth_headers("POST", path, &bytes)? {
            req = req.header(k, &v);
        }
        let r = req.send(&bytes[..]);
        self.answer(path, r)
    }

    /// `GET path`, the JSON answer read as `A` (an answer of another shape is a
    /// `hub_answer` error naming the path, never its content).
    pub fn get_as<A: serde::de::DeserializeOwned>(&self, path: &str) -> Result<A, AdminError> {
        self.get_received(path).map(|r| r.answer)
    }

    /// `POST path` with `body` as JSON, the answer read as `A`: the admin API's typed
    /// calls (`crate::admin_api`).
    pub fn post_as<B: Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<A, AdminError> {
        self.post_received(path, body).map(|r| r.answer)
    }

    /// [`AdminClient::get_as`] that also keeps the body as the hub sent it, for callers
    /// that pass the hub's answer on unchanged (fields this version does not know
    /// included) after checking it has the admin API's shape.
    pub fn get_received<A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Received<A>, AdminError> {
        let body = self.get(path)?;
        let answer = self.typed(path, &body)?;
        Ok(Received { answer, body })
    }

    /// [`AdminClient::post_as`] that also keeps the body as the hub sent it (see
    /// [`AdminClient::get_received`]).
    pub fn post_received<B: Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Received<A>, AdminError> {
        let body = serde_json::to_value(body).map_err(|e| {
            AdminError::new(
                "bad_input",
                format!("the request to {path} cannot be written as JSON ({e}); check its numbers"),
            )
        })?;
        let body = self.post_bytes(path, &body)?;
        let answer = self.typed(path, &body)?;
        Ok(Received { answer, body })
    }

    fn typed<A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        bytes: &[u8],
    ) -> Result<A, AdminError> {
        serde_json::from_slice(bytes).map_err(|e| self.unexpected(path, &e))
    }

    /// An answer that is JSON but not the admin API's shape: an older or newer hub.
    fn unexpected(&self, path: &str, e: &serde_json::Error) -> AdminError {
        // Only a missing field is named: other serde messages may quote a value.
        let msg = e.to_string();
        let what = match msg.split(" at line ").next() {
            Some(m) if m.starts_with("missing field") => format!(" ({m})"),
            _ => String::new(),
        };
        AdminError::new(
            "hub_answer",
            format!(
                "the hub's answer to {path} is not what this version expects{what}; update the app or the hub at {} so both are the same version",
                self.url
            ),
        )
    }

    /// The body of a hub answer, or why there is none (unreachable, cut off, refused).
    fn answer(
        &self,
        path: &str,
        r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Vec<u8>, AdminError> {
        let mut r = r.map_err(|_| {
            AdminError::new(
                "hub_unreachable",
                format!("the hub at {} cannot be reached; is it running?", self.url),
            )
        })?;
        let status = r.status().as_u16();
        let bytes = r
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .map_err(|_| {
                AdminError::new(
                    "hub_unreachable",
                    format!("the hub's answer to {path} was cut off; try again"),
                )
            })?;
        if status == 200 {
            return Ok(bytes);
        }
        let e: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Err(match (e["code"].as_str(), e["message"].as_str()) {
            (Some(code), Some(msg)) => AdminError::new(
                code,
                format!("the hub refused {path} ({status} {code}): {msg}"),
            ),
            _ => AdminError::new(
                "hub_answer",
                format!(
                    "the hub refused {path} ({status}); is {} a LabelVault hub?",
                    self.url
                ),
            ),
        })
    }
}

/// What uploading a message file to the hub did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IngestSummary {
    /// Messages read from the file.
    pub read: u64,
    /// Messages the hub stored.
    pub inserted: u64,
    /// Messages the hub already had with the same prediction (a re-run changes nothing).
    pub duplicates: u64,
    /// Messages the hub already had that came with another prediction (another model
    /// version or a re-scoring): a new prediction revision, now the current one.
    pub rescored: u64,
    /// Rows the hub refused (a known id with another text, an erased or retired
    /// message); each is also in `bad_rows` under its line, with the hub's reason.
    pub refused: u64,
    /// Rows skipped, by line, with the reason (field names only); rows the hub refused
    /// (e.g. a known id with another text) are here too, under their line.
    pub bad_rows: Vec<BadRow>,
    /// Rows a person told Prodigy to ignore (`answer: ignore`), left out.
    pub ignored: u64,
}

/// An id the reader generated for a row without one (`line-N`).
fn is_generated_id(id: &str) -> bool {
    id.strip_prefix("line-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Read a message file (JSONL / JSON / CSV, plain, Label Studio or Prodigy shapes) and
/// send it to the hub in chunks of [`INGEST_CHUNK`]. `file_label` (the file's name)
/// makes generated row ids unique across files; `progress(done, total)` is called after
/// each chunk. Earlier chunks stay stored if a later one fails, and a re-run skips them.
pub fn ingest_file(
    client: &AdminClient,
    bytes: &[u8],
    file_label: &str,
    mut read_progress: impl FnMut(usize),
    mut sent: impl FnMut(usize, usize),
) -> Result<IngestSummary, AdminError> {
    let mut read = ingest::ingest(bytes, &mut read_progress)
        .map_err(|e| AdminError::new("bad_input", format!("{file_label}: {e}")))?;
    for m in &mut read.messages {
        if is_generated_id(&m.message_id) {
            m.message_id = format!("{file_label}:{}", m.message_id);
        }
    }
    let n = read.messages.len();
    let chunk_lines = std::mem::take(&mut read.lines);
    let mut summary = IngestSummary {
        read: n as u64,
        bad_rows: read.bad,
        ignored: read.ignored.len() as u64,
        ..IngestSummary::default()
    };
    for (k, chunk) in read.messages.chunks(INGEST_CHUNK).enumerate() {
        let r: crate::admin_api::IngestReport = client
            .post_as("/v1/admin/messages", &json!({ "messages": chunk }))
            .map_err(|e| AdminError {
                message: format!(
                    "{} (while sending messages {}–{} of {n}; earlier chunks are stored; re-running the import skips them)",
                    e.message,
                    k * INGEST_CHUNK + 1,
                    k * INGEST_CHUNK + chunk.len()
                ),
                code: e.code,
            })?;
        summary.inserted += r.inserted;
        summary.duplicates += r.duplicates;
        summary.rescored += r.rescored;
        for refused in r.refused {
            summary.refused += 1;
            summary.bad_rows.push(BadRow {
                line: chunk_lines
                    .get(k * INGEST_CHUNK + refused.index)
                    .copied()
                    .unwrap_or(0),
                reason: refused.reason,
            });
        }
        sent(k * INGEST_CHUNK + chunk.len(), n);
    }
    Ok(summary)
}

/// One device's share of the work, for the manager's progress view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviceProgress {
    /// Device id.
    pub device_id: String,
    /// Items handed to it (pool and gold), still out or done.
    pub assigned: u64,
    /// Of which labelled.
    pub labelled: u64,
    /// Returned to the pool unlabelled (lease ended or device revoked).
    pub returned: u64,
    /// Hidden gold items among `assigned`.
    pub gold: u64,
}

/// Per-device progress from the hub's `/v1/admin/items` JSONL (one line per copy),
/// sorted by device id. Lines that are not copies are an error, not skipped.
pub fn device_progress(items_jsonl: &[u8]) -> Result<Vec<DeviceProgress>, AdminError> {
    #[derive(Deserialize)]
    struct Copy {
        device_id: String,
        state: String,
        gold: bool,
        labelled: bool,
    }
    let mut by: BTreeMap<String, DeviceProgress> = BTreeMap::new();
    for (i, line) in items_jsonl.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let c: Copy = serde_json::from_slice(line).map_err(|_| {
            AdminError::new(
                "hub_answer",
                format!("line {} of the hub's item list is not an item copy", i + 1),
            )
        })?;
        let p = by
            .entry(c.device_id.clone())
            .or_insert_with(|| DeviceProgress {
                device_id: c.device_id,
                ..DeviceProgress::default()
            });
        if c.state == "returned" && !c.labelled {
            p.returned += 1;
            continue;
        }
        p.assigned += 1;
        p.labelled += u64::from(c.labelled);
        p.gold += u64::from(c.gold);
    }
    Ok(by.into_values().collect())
}

/// File in a profile that names the hub a manager works with (no secret in it).
pub const MANAGER_FILE: &str = "manager.json";

/// The hub a manager connected the app to; the admin token is in the OS keyring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerLink {
    /// Hub URL.
    pub hub_url: String,
}

/// The keyring account holding a profile's manager token.
fn token_account(profile: &Profile) -> String {
    let dir = profile.dir().to_string_lossy();
    let h = ring::digest::digest(&ring::digest::SHA256, dir.as_bytes());
    format!("manager-token-{}", &hex::encode(h.as_ref())[..16])
}

/// Save a manager credential: the URL in the profile, the token in the keyring.
pub fn save_credential(
    profile: &Profile,
    keys: &dyn KeyStore,
    hub_url: &str,
    token: &str,
) -> Result<ManagerLink, VaultError> {
    keys.set_text(&token_account(profile), token.trim())?;
    let link = ManagerLink {
        hub_url: hub_url.to_string(),
    };
    let path = profile.dir().join(MANAGER_FILE);
    let body = serde_json::to_vec_pretty(&link)
        .map_err(|e| VaultError::Storage(format!("cannot encode the manager link: {e}")))?;
    crate::keystore::write_atomically(&path, &body).map_err(|e| VaultError::Profile {
        path: path.clone(),
        detail: format!("cannot save the manager link: {e}"),
    })?;
    Ok(link)
}

/// The saved manager credential, `Ok(None)` if the app was never connected (or the
/// token is gone from the keyring).
/// The keyring entry naming the account enrolled on this machine for a hub
/// (`labelvault account enroll`), and the one holding that account's key.
pub fn account_entry(hub_url: &str) -> String {
    format!("admin-account/{}", hub_url.trim_end_matches('/'))
}

/// The keyring entry holding the hub's public key (base64) as pinned when an account was
/// enrolled on this machine for `hub_url` (`labelvault account enroll`: the key came in
/// the hub's answer to the one-time enrollment code). `labelvault who-read` and the
/// app's Audit view verify the hub's access ledger against it.
pub fn pinned_hub_key_entry(hub_url: &str) -> String {
    format!("admin-hub-key/{}", hub_url.trim_end_matches('/'))
}

/// The keyring entry of an account's private key (its secret text).
pub fn account_key_entry(account_id: &str) -> String {
    format!("admin-key/{account_id}")
}

/// The account this machine enrolled for `hub_url`, with its key, if any: the CLI's
/// admin verbs and the app's Manage view sign with it instead of using a token.
pub fn enrolled_account(
    keys: &dyn KeyStore,
    hub_url: &str,
) -> Result<Option<(String, crate::identity::HubKey)>, VaultError> {
    let Some(id) = keys.get_text(&account_entry(hub_url))? else {
        return Ok(None);
    };
    let Some(secret) = keys.get_text(&account_key_entry(&id))? else {
        return Ok(None);
    };
    let key = crate::identity::HubKey::from_secret_text(&secret).map_err(|_| {
        VaultError::KeyringUnavailable {
            detail: format!(
                "the key of admin account {} in the keyring is damaged; enroll again",
                id.as_str()
            ),
        }
    })?;
    Ok(Some((id.to_string(), key)))
}

pub fn load_credential(
    profile: &Profile,
    keys: &dyn KeyStore,
) -> Result<Option<(ManagerLink, Zeroizing<String>)>, VaultError> {
    let path = profile.dir().join(MANAGER_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(VaultError::Profile {
                path,
                detail: format!("cannot read the manager link: {e}"),
            })
        }
    };
    let link: ManagerLink = serde_json::from_slice(&bytes).map_err(|_| VaultError::Profile {
        path: path.clone(),
        detail: "the manager link is damaged; connect to the hub again".into(),
    })?;
    Ok(keys
        .get_text(&token_account(profile))?
        .map(|token| (link, token)))
}

/// Forget the manager credential (token from the keyring, link from the profile).
pub fn forget_credential(profile: &Profile, keys: &dyn KeyStore) -> Result<(), VaultError> {
    keys.delete(&token_account(profile))?;
    match std::fs::remove_file(profile.dir().join(MANAGER_FILE)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(VaultError::Profile {
            path: profile.dir().join(MANAGER_FILE),
            detail: format!("cannot remove the manager link: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_urls_are_checked() {
        assert_eq!(
            check_hub_url(" http://127.0.0.1:7878/ ").unwrap(),
            "http://127.0.0.1:7878"
        );
        assert!(check_hub_url("https://hub.example.org").is_ok());
        for bad in [
            "",
            "127.0.0.1:7878",
            "ftp://x",
            "http://",
            "http://u:p@x",
            "http://x/?a",
        ] {
            assert_eq!(check_hub_url(bad).unwrap_err().code, "bad_hub_url", "{bad}");
        }
    }

    #[test]
    fn token_is_never_in_debug() {
        let c =
            AdminClient::new("http://127.0.0.1:1", "s3cr3t-token", Duration::from_secs(1)).unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("s3cr3t"), "{d}");
        assert!(AdminClient::new("http://x", "  ", Duration::from_secs(1)).is_err());
        assert!(AdminClient::new("http://x", "a b", Duration::from_secs(1)).is_err());
    }

    #[test]
    fn unreachable_hub_is_a_clear_error() {
        // Port 1 on loopback: nothing listens there.
        let c = AdminClient::new("http://127.0.0.1:1", "t", Duration::from_secs(2)).unwrap();
        let e = c.get_json("/v1/admin/pipeline").unwrap_err();
        assert_eq!(e.code, "hub_unreachable");
        assert!(e.message.contains("127.0.0.1:1"), "{}", e.message);
    }

    #[test]
    fn progress_counts_per_device() {
        let jsonl = concat!(
            r#"{"item_id":"i1","batch_id":"b","device_id":"d2","message_id":"m1","gold":false,"state":"open","lease_expires_at":0,"labelled":true}"#,
            "\n",
            r#"{"item_id":"i2","batch_id":"b","device_id":"d2","message_id":"m2","gold":true,"state":"open","lease_expires_at":0,"labelled":false}"#,
            "\n",
            r#"{"item_id":"i3","batch_id":"c","device_id":"d1","message_id":"m1","gold":false,"state":"returned","lease_expires_at":0,"labelled":false}"#,
            "\n",
            "\n",
        );
        let p = device_progress(jsonl.as_bytes()).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].device_id.as_str(), p[0].assigned, p[0].returned),
            ("d1", 0, 1)
        );
        assert_eq!(
            (
                p[1].device_id.as_str(),
                p[1].assigned,
                p[1].labelled,
                p[1].gold
            ),
            ("d2", 2, 1, 1)
        );
        let e = device_progress(b"{\"nope\":1}\n").unwrap_err();
        assert!(e.message.contains("line 1"));
    }

    #[test]
    fn credential_round_trip_keeps_the_token_in_the_keyring_only() {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::at(dir.path()).unwrap();
        let keys = crate::testutil::keys();
        assert!(load_credential(&profile, &keys).unwrap().is_none());
        let token = "tok-5f1c9e0d7a1b2c3d";
        save_credential(&profile, &keys, "http://127.0.0.1:7878", token).unwrap();
        let (link, t) = load_credential(&profile, &keys).unwrap().unwrap();
        assert_eq!(link.hub_url, "http://127.0.0.1:7878");
        assert_eq!(t.as_str(), token);
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!String::from_utf8_lossy(&bytes).contains(token));
        }
        forget_credential(&profile, &keys).unwrap();
        assert!(load_credential(&profile, &keys).unwrap().is_none());
        forget_credential(&profile, &keys).unwrap();
    }

    #[test]
    fn generated_ids() {
        assert!(is_generated_id("line-12"));
        assert!(!is_generated_id("line-"));
        assert!(!is_generated_id("m-12"));
    }
}
