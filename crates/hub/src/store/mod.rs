//! Hub storage: one trait, chosen by URL scheme. Everything several hub processes must
//! agree on (codes, nonces, receipts, labels, the ledger) lives here, not in memory.
//!
//! The trait's operations are written once, one file per domain (`uploads.rs`,
//! `messages.rs`, `devices.rs`, …), over the statement surface of `sql.rs`; the two
//! backends (`sqlite.rs`, `postgres.rs`) only open transactions and run statements.
//! docs/hub-storage.md ("How the store is built") says what stays per backend and why.

/// The migration files of one backend (`crates/hub/migrations/<dir>/`), in order, each
/// as (file name, SQL) with the SQL included at compile time: `sqlite.rs` and
/// `postgres.rs` list theirs with it.
macro_rules! migration_files {
    ($dir:literal: $($file:literal),+ $(,)?) => {
        &[$((
            $file,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/", $dir, "/", $file)),
        )),+]
    };
}

/// Every schema version's migration file name, in order, once for both backends: each
/// backend's `MIGRATIONS` is `migrations!("<its dir>")`, so the two cannot list
/// different versions. Adding one: docs/hub-storage.md.
macro_rules! migrations {
    ($dir:literal) => {
        migration_files!($dir:
            "0001_devices_labels_ledger.sql",
            "0002_pipeline.sql",
            "0003_aggregation_quality.sql",
            "0004_device_ledger_head.sql",
            "0005_item_chars.sql",
            "0006_redacted_copies_terms.sql",
            "0007_erasure.sql",
            "0008_accounts_access_ledger.sql",
            "0009_consent.sql",
            "0010_retention.sql",
            "0011_admin_tokens.sql",
            "0012_also_intents.sql",
            "0013_batch_withdrawal.sql",
            "0014_webhook.sql",
            "0015_model_versions.sql",
            "0016_webhook_superseded.sql",
            "0017_ledger_pending.sql",
            "0018_read_model_changes.sql",
            "0019_dispatch_indexes.sql",
        )
    };
}

mod accounts;
mod batches;
mod companies;
mod decisions;
mod devices;
mod dispatch;
mod erase;
mod exports;
mod messages;
mod notices;
mod postgres;
mod review_reads;
mod sql;
mod sqlite;
mod uploads;
mod webhooks;

pub use self::postgres::PostgresStore;
pub use sqlite::{keying_pragmas, SqliteStore};

use crate::error::HubError;
use labelvault_core::erasure::{EraseRequest, Erasure};
use labelvault_core::pipeline::Message;
use labelvault_core::protocol::{BatchListing, Notice, SignedReceipt, WireLabel};
use serde::Serialize;

/// A registered device.
#[derive(Debug, Clone)]
pub struct DeviceRecord {
    /// Device id.
    pub device_id: String,
    /// Annotator it belongs to.
    pub annotator_id: String,
    /// Ed25519 public key, raw.
    pub signing_key: [u8; 32],
    /// age recipient.
    pub recipient: String,
    /// Revoked devices are refused.
    pub revoked: bool,
}

/// A batch to store for a device.
#[derive(Debug, Clone)]
pub struct NewBatch {
    /// Batch id.
    pub batch_id: String,
    /// Device it is sealed to.
    pub device_id: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// The sealed file.
    pub bytes: Vec<u8>,
    /// Item ids in it.
    pub item_ids: Vec<String>,
    /// Each item's text length in code points as sealed, same order as `item_ids`: a
    /// label's missed-PII spans must end within it, and its length class match it.
    pub item_chars: Vec<u32>,
    /// Each item's (redacted) text as sealed, same order as `item_ids`, kept with a
    /// dispatched copy so that an annotator's missed-PII mark can be read exactly as the
    /// device saw it; empty for batches that keep none.
    pub item_texts: Vec<String>,
    /// Taxonomy intent ids labels may use.
    pub intents: Vec<String>,
}

impl NewBatch {
    /// The length of item `i`; `None` (stored as NULL: spans bounded by the label
    /// grammar only) if the batch was built without lengths.
    pub fn chars_of(&self, i: usize) -> Option<i64> {
        self.item_chars.get(i).copied().map(i64::from)
    }

    /// The sealed text of item `i`, if the batch keeps it.
    pub fn text_of(&self, i: usize) -> Option<&str> {
        self.item_texts.get(i).map(String::as_str)
    }
}

/// One annotator's current missed-PII mark on a dispatched message: which message, its
/// company, when the mark arrived, and the marked spans (code points of the redacted text
/// the device was sent). Retracted or superseded marks are not included.
#[derive(Debug, Clone, PartialEq)]
pub struct MissedMark {
    /// The message.
    pub message_id: String,
    /// Its company.
    pub company: String,
    /// When the label carrying the mark arrived (Unix ms).
    pub received_at_ms: i64,
    /// The item's text as the device was sent it (`None` for copies dispatched before
    /// texts were kept).
    pub seen: Option<String>,
    /// The marked spans.
    pub spans: Vec<labelvault_core::labels::Span>,
}

/// A person with enrollment codes and devices: who is behind a device id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotatorRecord {
    /// Annotator id.
    pub annotator_id: String,
    /// The name the manager gave.
    pub name: String,
    /// Their devices, oldest first.
    pub devices: Vec<AnnotatorDevice>,
}

/// One device of an annotator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotatorDevice {
    /// Device id.
    pub device_id: String,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// Fold (annotator, name, device, revoked) rows, ordered by annotator, into records.
pub(crate) fn fold_annotators(
    rows: impl IntoIterator<Item = (String, String, Option<String>, bool)>,
) -> Vec<AnnotatorRecord> {
    let mut out: Vec<AnnotatorRecord> = Vec::new();
    for (annotator_id, name, device, revoked) in rows {
        if out.last().is_none_or(|a| a.annotator_id != annotator_id) {
            out.push(AnnotatorRecord {
                annotator_id,
                name,
                devices: Vec::new(),
            });
        }
        if let (Some(device_id), Some(a)) = (device, out.last_mut()) {
            a.devices.push(AnnotatorDevice { device_id, revoked });
        }
    }
    out
}

/// Annotators with their devices, ordered for [`fold_annotators`]; the same SQL on both
/// stores.
pub(crate) const ANNOTATORS_SQL: &str =
    "SELECT a.annotator_id, a.name, d.device_id, d.revoked_at IS NOT NULL
     FROM annotators a LEFT JOIN devices d ON d.annotator_id = a.annotator_id
     ORDER BY a.created_at, a.annotator_id, d.enrolled_at, d.device_id";

/// The current (latest, unretracted) labels with spans, on messages the pipeline
/// dispatched; the same SQL on both stores.
pub(crate) const MISSED_MARKS_SQL: &str =
    "SELECT c.message_id, m.company, l.received_at_ms, l.pii_spans, c.redacted
     FROM labels l
     JOIN copies c ON c.item_id = l.item_id AND c.device_id = l.device_id
     JOIN messages m ON m.message_id = c.message_id
     WHERE NOT l.retracted AND l.pii_spans <> '[]'
       AND l.revision = (SELECT max(l2.revision) FROM labels l2
                         WHERE l2.device_id = l.device_id AND l2.item_id = l.item_id)
     ORDER BY l.received_at_ms, c.message_id";

/// Parse the stored spans of a mark; a damaged row fails loudly on both stores.
pub(crate) fn mark_spans(json: &str) -> Result<Vec<labelvault_core::labels::Span>, HubError> {
    serde_json::from_str(json)
        .map_err(|_| HubError::Internal("stored missed-PII spans damaged".into()))
}

/// An upload to ingest in one transaction.
pub struct Upload<'a> {
    /// Sending device.
    pub device_id: &'a str,
    /// Upload id.
    pub upload_id: &'a str,
    /// Exact body bytes.
    pub body: &'a [u8],
    /// Hex SHA-256 of the body.
    pub body_sha256: &'a str,
    /// Parsed labels.
    pub labels: &'a [WireLabel],
    /// Receipt time.
    pub now_ms: i64,
}

/// What storing a chunk of ingested messages did, and a row it refused: the admin API's
/// answer types (`labelvault_core::admin_api`), shared with the CLI and the app.
pub use labelvault_core::admin_api::{IngestReport, PipelineStatus, RefusedMessage};

/// One prediction ever ingested for a message (the evaluation per model version).
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionRevision {
    /// The message.
    pub message_id: String,
    /// 1 for the first prediction, then one more per re-scoring.
    pub revision: i64,
    /// The model version that made it.
    pub model_version: String,
    /// The predicted intent.
    pub model_intent: String,
    /// Its confidence.
    pub confidence: f64,
    /// The message's language, if known (for the bias audit).
    pub language: Option<String>,
}

/// The prediction a message's human labels were given against (see
/// [`HubStore::labelled_predictions`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledPrediction {
    /// The message.
    pub message_id: String,
    /// The model version that made it.
    pub model_version: String,
    /// The predicted intent.
    pub model_intent: String,
    /// Its confidence.
    pub confidence: f64,
    /// The distribution as the model sent it (possibly only its top intents).
    pub probabilities: Vec<(String, f64)>,
}

/// What the hub holds for a message id an ingest names again.
pub(crate) struct HeldPrediction {
    pub(crate) text: String,
    pub(crate) model_version: String,
    pub(crate) model_intent: String,
    pub(crate) confidence: f64,
    pub(crate) probabilities: String,
    pub(crate) erased: bool,
    pub(crate) retired: bool,
    /// The latest prediction revision (0 if none was recorded).
    pub(crate) revisions: i64,
    /// The message id.
    pub(crate) message_id: String,
}

/// What to do with a message id already held.
pub(crate) enum Known {
    /// The same prediction: a duplicate.
    Same,
    /// Another prediction for the same text: a new revision.
    Rescored,
    /// Not taken, with the reason.
    Refused(String),
}

impl HeldPrediction {
    /// The engine's rule ([`labelvault_core::pipeline::ingest::reingest`]) on what the
    /// store holds; `probabilities` is the stored distribution (JSON).
    pub(crate) fn compare(&self, m: &Message) -> Known {
        use labelvault_core::pipeline::ingest::{reingest, HeldMessage, Reingest};
        let probabilities: Vec<(String, f64)> =
            serde_json::from_str(&self.probabilities).unwrap_or_default();
        match reingest(
            &HeldMessage {
                message_id: &self.message_id,
                text: &self.text,
                model_version: &self.model_version,
                model_intent: &self.model_intent,
                confidence: self.confidence,
                probabilities: &probabilities,
                erased: self.erased,
                retired: self.retired,
            },
            m,
        ) {
            Reingest::Duplicate => Known::Same,
            Reingest::Rescored => Known::Rescored,
            Reingest::Refused(why) => Known::Refused(why),
        }
    }
}

/// The messages that may enter the review pool, without their text (selection never
/// needs it, and a million texts would not fit in memory comfortably). Two parallel
/// lists, so the engine's selection can borrow `messages` as they are.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// The messages; `text` is empty, and `probabilities` too unless asked for.
    pub messages: Vec<Message>,
    /// Per message, the devices holding an active copy (open and unexpired, or already
    /// labelled): it needs `overlap - holders.len()` more copies, never to these devices.
    pub holders: Vec<Vec<String>>,
    /// Candidates in the window, counting those left out of `messages` because no tier
    /// of selection could take them (the selection's `in_window`).
    pub in_window: usize,
    /// The newly onboarded companies, read in the same snapshot as the messages (their
    /// messages are the random-sample tier's).
    pub new_companies: Vec<String>,
}

/// What [`HubStore::candidates`] reads: the window's non-gold messages with fewer than
/// `overlap` active copies at `now`.
#[derive(Debug, Clone, Copy)]
pub struct CandidateQuery {
    /// Start of the window (Unix seconds, inclusive).
    pub from: i64,
    /// End of the window (Unix seconds, exclusive).
    pub to: i64,
    /// Copies a message needs; one with this many active copies is no candidate.
    pub overlap: usize,
    /// When leases are judged.
    pub now: i64,
    /// With the model's distributions (the margin and entropy strategies need them,
    /// least confidence does not).
    pub with_probabilities: bool,
    /// `Some(max_confidence)`: return in full only messages a tier of selection can
    /// take — reported false positives, confidence below `max_confidence`, or a newly
    /// onboarded company's — and only count the others. `None`: every candidate.
    pub selectable_below: Option<f64>,
}

/// One copy of a message sealed into a batch for one device, under an opaque item id.
#[derive(Debug, Clone)]
pub struct NewCopy {
    /// The opaque random item id the device sees.
    pub item_id: String,
    /// The hub-side message it stands for (never sent to the device).
    pub message_id: String,
    /// A hidden gold item (its answer is known hub-side).
    pub gold: bool,
    /// Why it is in the batch (what the device is shown), kept so pending work can be
    /// counted by reason.
    pub reason: labelvault_core::batch::Reason,
    /// The prediction the item was built with, if any: the dispatch is refused with
    /// `pool_changed` when the message was re-scored since, so the prediction revision
    /// recorded on the copy is the one the annotator is shown.
    pub prediction: Option<ShownPrediction>,
}

/// The prediction a dispatched item shows (see [`NewCopy::prediction`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ShownPrediction {
    /// The model version that made it.
    pub model_version: String,
    /// The predicted intent.
    pub model_intent: String,
    /// Its confidence.
    pub confidence: f64,
}

/// A dispatched batch: the sealed batch plus what each of its items stands for.
#[derive(Debug, Clone)]
pub struct DispatchBatch {
    /// The sealed batch (its `item_ids` are the copies' ids, same order).
    pub batch: NewBatch,
    /// What each item stands for.
    pub copies: Vec<NewCopy>,
    /// After this (Unix seconds) unlabelled copies return to the pool.
    pub lease_expires_at: i64,
}

/// One item's latest label (not a retraction), with what aggregation needs to know of
/// its message. Never any text.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyLabel {
    /// The opaque item id.
    pub item_id: String,
    /// The message it stands for.
    pub message_id: String,
    /// The batch it came in.
    pub batch_id: String,
    /// The device that labelled it.
    pub device_id: String,
    /// The annotator the device belongs to (agreement is between annotators).
    pub annotator_id: String,
    /// A hidden gold item.
    pub gold: bool,
    /// The verdict of the latest revision.
    pub verdict: labelvault_core::labels::Verdict,
    /// The intent given with it (with `wrong`, the right one).
    pub intent_id: Option<String>,
    /// When the device decided, Unix milliseconds.
    pub decided_at_ms: i64,
    /// The message's company.
    pub company: String,
    /// The model's intent for the message.
    pub model_intent: String,
    /// The model's confidence.
    pub confidence: f64,
    /// The message's known answer, if it is a gold message.
    pub gold_intent: Option<String>,
    /// Milliseconds the annotator spent on the decision (as the device measured it).
    pub duration_ms: u64,
    /// The message's channel.
    pub channel: String,
}

/// A manager's decision to store.
#[derive(Debug, Clone)]
pub struct NewAdjudication {
    /// The message decided.
    pub message_id: String,
    /// Its intent from now on.
    pub intent: String,
    /// Who decided.
    pub by: String,
    /// When, Unix milliseconds.
    pub decided_at_ms: i64,
    /// The message's final label just before.
    pub previous_intent: Option<String>,
    /// The annotators' labels at the time, as a JSON array (kept verbatim for audit).
    pub labels: serde_json::Value,
}

/// A stored adjudication (append-only: the latest per message is in force), the same
/// record the admin API answers with.
pub use labelvault_core::admin_api::Adjudication;

/// Whether enough new labels have come in to retrain, with the last export or
/// acknowledged training run: the admin API's record, read by the store as it answers.
pub use labelvault_core::admin_api::{RetrainMarkView, RetrainStatus};

/// The threshold until the manager sets one.
pub const DEFAULT_RETRAIN_THRESHOLD: u64 = 1_000;

/// The account the hub's bootstrap admin token (`DATA_DIR/admin.token`) acts as: a
/// manager with no key, listed with the others, revocable like them.
pub const BOOTSTRAP_ACCOUNT: &str = "bootstrap";

/// The bootstrap account's name, as the views and the access ledger show it.
pub const BOOTSTRAP_NAME: &str = "hub bootstrap (admin.token)";

/// What a retraining mark records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// A training set was exported: count new labels from now.
    Export,
    /// A training run was acknowledged: count new labels from now.
    Training,
    /// Only a new threshold; the count goes on.
    Threshold(u64),
}

/// Counts for the metrics endpoint (labels are reasons and verdicts, never text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HubCounts {
    /// Open, unlabelled copies by reason (`gold` for gold copies, `unknown` for copies
    /// dispatched before reasons were kept).
    pub pending_by_reason: Vec<(String, u64)>,
    /// Stored label revisions by verdict (`retracted` for retractions).
    pub labels_by_verdict: Vec<(String, u64)>,
    /// Cumulative counts of labels whose sync latency (hub receipt − device decision)
    /// is at most each bucket's bound, in the order of the bounds asked for.
    pub latency_buckets: Vec<u64>,
    /// Sum of positive latencies, seconds.
    pub latency_sum_secs: f64,
    /// Labels measured.
    pub latency_count: u64,
    /// Messages stored.
    pub messages: u64,
    /// Enrolled, unrevoked devices.
    pub devices_active: u64,
}

/// Where the store stands, read cheaply, so the manager's read model
/// ([`crate::readmodel`]) knows whether what it holds is still current — also after
/// another hub sharing the database wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadGeneration {
    /// Uploads stored (every label arrives in one).
    pub uploads: i64,
    /// Adjudications stored.
    pub adjudications: i64,
    /// Changes to gold answers, predictions, a message's company or channel.
    pub content: i64,
    /// Changes that must never be served stale: a text erased or retired, consent, the
    /// redaction terms.
    pub privacy: i64,
}

/// Storage operations the handlers need.
pub trait HubStore: sql::Transact + Send + Sync {
    /// New annotator with a one-time enrollment code (stored hashed).
    fn create_annotator(
        &self,
        name: &str,
        code_sha256: &str,
        code_expires_at: i64,
    ) -> Result<String, HubError> {
        sql::write(self, |tx| {
            devices::create_annotator(tx, name, code_sha256, code_expires_at)
        })
    }
    /// Consume a code and register the device; errors if the code is unknown, used or expired.
    fn enroll(
        &self,
        code_sha256: &str,
        now: i64,
        signing_key: &[u8; 32],
        recipient: &str,
    ) -> Result<String, HubError> {
        sql::write(self, |tx| {
            devices::enroll(tx, code_sha256, now, signing_key, recipient)
        })
    }
    /// A device by id.
    fn device(&self, device_id: &str) -> Result<Option<DeviceRecord>, HubError> {
        sql::read(self, |tx| devices::get(tx, device_id))
    }
    /// Revoke a device and, in the same transaction, return its unlabelled copies to
    /// the pool; `None` if the device is unknown, else how many pool copies were
    /// returned (its gold copies are closed too, not counted).
    fn revoke(&self, device_id: &str, now: i64) -> Result<Option<u64>, HubError> {
        sql::write(self, |tx| devices::revoke(tx, device_id, now))
    }
    /// Record a nonce; false if the device used it before (a replay). Prunes old ones.
    fn use_nonce(&self, device_id: &str, nonce: &str, now: i64) -> Result<bool, HubError> {
        sql::write(self, |tx| devices::use_nonce(tx, device_id, nonce, now))
    }
    /// Store a sealed batch and its item assignments.
    fn store_batch(&self, batch: &NewBatch) -> Result<(), HubError> {
        sql::write(self, |tx| batches::store(tx, batch))
    }
    /// Batches assigned to a device.
    fn list_batches(&self, device_id: &str) -> Result<Vec<BatchListing>, HubError> {
        sql::read(self, |tx| batches::list(tx, device_id))
    }
    /// A batch's bytes, if it is assigned to that device (`Err(not_assigned)` otherwise).
    fn batch_bytes(&self, batch_id: &str, device_id: &str) -> Result<Vec<u8>, HubError> {
        sql::write(self, |tx| {
            batches::fetch(tx, batch_id, device_id, crate::auth::now())
        })
    }
    /// Take back a batch its device has not fetched yet (the manager's undo of a
    /// dispatch): its sealed bytes are dropped and its open copies go back to the pool,
    /// atomically with respect to a fetch (a batch fetched
    /// first is refused with `already_fetched`). Returns the pool copies returned.
    fn withdraw_batch(&self, batch_id: &str, now: i64) -> Result<u64, HubError> {
        sql::write(self, |tx| batches::withdraw(tx, batch_id, now))
    }
    /// Ingest an upload atomically: idempotency on upload id and (device, item,
    /// revision), per-label validation, ledger entry, receipt signed by `sign`. The
    /// entry may be chained into the ledger after the upload commits (in a batch, see
    /// [`HubStore::chain_ledger`]); it is in the chain by the time the ledger is read.
    fn ingest(
        &self,
        upload: &Upload<'_>,
        sign: &(dyn Fn(labelvault_core::protocol::Receipt) -> SignedReceipt + Sync),
    ) -> Result<SignedReceipt, HubError> {
        let signed = sql::write(self, |tx| uploads::ingest(tx, upload, sign))?;
        self.uploaded();
        Ok(signed)
    }
    /// Every stored label as JSONL.
    fn labels_jsonl(&self) -> Result<String, HubError> {
        sql::run(self, sql::Mode::LongRead, exports::labels_jsonl)
    }
    /// The inbound ledger as JSONL, with every upload answered before the call chained.
    fn ledger_jsonl(&self) -> Result<String, HubError> {
        self.settle_ledger()?;
        sql::run(self, sql::Mode::LongRead, uploads::ledger_jsonl)
    }
    /// Append to the inbound ledger the entries of stored uploads not chained yet,
    /// without waiting if another request or hub is chaining; returns how many it
    /// chained. The hub runs it every second so the chain never lags far behind the
    /// uploads (and entries left by a crash are chained). A store that chains each
    /// upload in its own transaction (SQLite, one writer) has none pending.
    fn chain_ledger(&self) -> Result<u64, HubError> {
        Ok(0)
    }
    /// Record the latest device ledger entry a device announced (a later one only).
    fn note_device_head(&self, device_id: &str, seq: u64, head: &str) -> Result<(), HubError> {
        sql::write(self, |tx| devices::note_head(tx, device_id, seq, head))
    }
    /// Every device's latest announced ledger entry, by device id.
    fn device_heads(&self) -> Result<Vec<labelvault_core::protocol::DeviceHead>, HubError> {
        sql::read(self, devices::heads)
    }

    /// Store ingested messages (raw text stays in the hub's database) in one
    /// transaction; ids already stored with the same prediction are counted as
    /// duplicates, with another prediction become a new prediction revision (the current
    /// one), with another text or erased or retired are refused row by row.
    fn insert_messages(&self, messages: &[Message], now: i64) -> Result<IngestReport, HubError> {
        sql::write(self, |tx| messages::insert(tx, messages, now))
    }
    /// Every prediction revision of every message ever dispatched (only those can have
    /// a human answer), by message id then revision, with the message's language: the
    /// evaluation per model version and the comparison.
    fn prediction_revisions(&self) -> Result<Vec<PredictionRevision>, HubError> {
        sql::run(self, sql::Mode::LongRead, messages::prediction_revisions)
    }
    /// Per message with a labelled copy, the prediction revision its labelled copies
    /// were dispatched with (the earliest, if several): confident learning needs the
    /// model's view from before these labels existed, not a later re-score that may come
    /// from a model trained on them.
    fn labelled_predictions(&self) -> Result<Vec<LabelledPrediction>, HubError> {
        sql::run(self, sql::Mode::LongRead, messages::labelled_predictions)
    }
    /// Mark a company as newly onboarded (its messages get a random sample) or not.
    fn set_company(&self, company: &str, newly_onboarded: bool, now: i64) -> Result<(), HubError> {
        sql::write(self, |tx| companies::set(tx, company, newly_onboarded, now))
    }
    /// Companies marked newly onboarded, sorted.
    fn new_companies(&self) -> Result<Vec<String>, HubError> {
        sql::read(self, |tx| {
            companies::flagged(tx, companies::Flag::NewlyOnboarded)
        })
    }
    /// Record whether a company's customers allow their messages to be used for
    /// training (all of its messages, stored and to come).
    fn set_company_consent(&self, company: &str, consent: bool, now: i64) -> Result<(), HubError> {
        sql::write(self, |tx| companies::set_consent(tx, company, consent, now))
    }
    /// Companies without consent, sorted.
    fn companies_without_consent(&self) -> Result<Vec<String>, HubError> {
        sql::read(self, |tx| {
            companies::flagged(tx, companies::Flag::NoConsent)
        })
    }
    /// Up to `limit` messages still holding raw text that were ingested before `cutoff`
    /// (Unix seconds): (message id, raw text, company).
    fn raw_texts_before(
        &self,
        cutoff: i64,
        limit: usize,
    ) -> Result<Vec<(String, String, String)>, HubError> {
        sql::read(self, |tx| messages::raw_texts_before(tx, cutoff, limit))
    }
    /// Replace a message's raw text by its redacted form for good (retention); false if
    /// it was erased or retired meanwhile.
    fn retire_text(&self, message_id: &str, redacted: &str, now: i64) -> Result<bool, HubError> {
        sql::write(self, |tx| {
            messages::retire_text(tx, message_id, redacted, now)
        })
    }
    /// Record known answers (message id, intent) for hidden gold items, all or none:
    /// `Err(not_found "unknown_message")` if any id is not stored.
    fn set_gold(&self, answers: &[(String, String)]) -> Result<u64, HubError> {
        sql::write(self, |tx| decisions::set_gold(tx, answers))
    }
    /// Gold messages (with text) and their answers, by message id.
    fn gold_messages(&self) -> Result<Vec<(Message, String)>, HubError> {
        sql::read(self, messages::gold)
    }
    /// Non-gold messages received in `[from, to)` that have fewer than `overlap`
    /// active copies at `now`, in a stable order, without their text (see
    /// [`CandidateQuery`]). A long read: on SQLite it leaves the writing connection free.
    fn candidates(&self, q: &CandidateQuery) -> Result<Candidates, HubError> {
        sql::run(self, sql::Mode::LongRead, |tx| messages::candidates(tx, q))
    }
    /// Messages received in `[from, to)` holding an active copy (open and unexpired at
    /// `now`, or labelled) dispatched as a suspected label error, sorted: they are having
    /// their second look, so confident learning does not send them again.
    fn label_error_reviews(&self, from: i64, to: i64, now: i64) -> Result<Vec<String>, HubError> {
        sql::read(self, |tx| {
            review_reads::label_error_reviews(tx, from, to, now)
        })
    }
    /// Messages with their text, in the order of `ids` (unknown ids are an error).
    fn messages_by_id(&self, ids: &[String]) -> Result<Vec<Message>, HubError> {
        sql::run(self, sql::Mode::LongRead, |tx| messages::by_id(tx, ids))
    }
    /// Every intent id the stored messages and gold answers mention, sorted.
    fn known_intents(&self) -> Result<Vec<String>, HubError> {
        sql::read(self, messages::known_intents)
    }
    /// Enrolled, unrevoked devices, oldest first.
    fn active_devices(&self) -> Result<Vec<DeviceRecord>, HubError> {
        sql::read(self, devices::active)
    }
    /// Store dispatched batches and their copies atomically, after returning (in the
    /// same transaction) the unlabelled copies whose lease ended by `now`. Refuses
    /// (nothing stored, nothing returned) with 409 `revoked` if a device was revoked
    /// meanwhile, or `pool_changed` if a message would end up with more than `overlap`
    /// active copies or two on one device (another dispatch ran at the same time).
    fn store_dispatch(
        &self,
        batches: &[DispatchBatch],
        overlap: usize,
        now: i64,
    ) -> Result<(), HubError> {
        sql::write(self, |tx| dispatch::store(tx, batches, overlap, now))
    }
    /// Return to the pool every unlabelled copy whose lease ended at or before `as_of`;
    /// how many pool copies (gold copies are closed too, not counted).
    fn reclaim(&self, as_of: i64) -> Result<u64, HubError> {
        sql::write(self, |tx| review_reads::reclaim(tx, as_of))
    }
    /// Every copy (item id → message id, device, batch, gold, state) as JSONL, for the
    /// manager's aggregation; never any text.
    fn items_jsonl(&self) -> Result<String, HubError> {
        sql::run(self, sql::Mode::LongRead, exports::items_jsonl)
    }
    /// The counts of [`PipelineStatus`].
    fn pipeline_status(&self) -> Result<PipelineStatus, HubError> {
        sql::read(self, review_reads::pipeline_status)
    }
    /// Every current missed-PII mark ([`MissedMark`]), oldest first.
    fn missed_pii_marks(&self) -> Result<Vec<MissedMark>, HubError> {
        sql::read(self, review_reads::missed_pii_marks)
    }
    /// Every annotator with their devices, oldest first.
    fn annotators(&self) -> Result<Vec<AnnotatorRecord>, HubError> {
        sql::read(self, devices::annotators)
    }
    /// Every company's confirmed terms: (company, term, PII type name).
    fn company_terms(&self) -> Result<Vec<(String, String, String)>, HubError> {
        sql::read(self, companies::terms)
    }
    /// Add confirmed terms (term, PII type name) for a company; returns how many were
    /// new (a term already there is kept as it was).
    fn add_company_terms(
        &self,
        company: &str,
        terms: &[(String, String)],
        now: i64,
    ) -> Result<u64, HubError> {
        sql::write(self, |tx| companies::add_terms(tx, company, terms, now))
    }
    /// A batch's sealed bytes for offline hand-over, whichever device it is for.
    fn batch_file(&self, batch_id: &str) -> Result<Option<Vec<u8>>, HubError> {
        sql::write(self, |tx| batches::file(tx, batch_id, crate::auth::now()))
    }

    /// Every item whose latest label revision is not a retraction (of one message only,
    /// if given), with its message's company, model answer and gold answer, ordered by
    /// message id then item id.
    fn labelled_copies(&self, message_id: Option<&str>) -> Result<Vec<CopyLabel>, HubError> {
        sql::run(self, sql::Mode::LongRead, |tx| {
            review_reads::labelled_copies(tx, message_id)
        })
    }
    /// Append an adjudication; `Err(not_found "unknown_message")` if the message is not
    /// stored. Fills in `seq` and `supersedes` (the message's previous adjudication).
    fn add_adjudication(&self, a: &NewAdjudication) -> Result<Adjudication, HubError> {
        sql::write(self, |tx| decisions::add(tx, a))
    }
    /// Every adjudication, oldest first.
    fn adjudications(&self) -> Result<Vec<Adjudication>, HubError> {
        sql::read(self, decisions::list)
    }
    /// Record a retraining mark at `at_ms` (or a new threshold) and return the status.
    fn retrain_mark(&self, kind: MarkKind, at_ms: i64) -> Result<RetrainStatus, HubError> {
        sql::write(self, |tx| decisions::mark(tx, kind, at_ms))?;
        self.retrain_status()
    }
    /// New labels since the last export/training mark, against the threshold.
    fn retrain_status(&self) -> Result<RetrainStatus, HubError> {
        sql::read(self, decisions::status)
    }
    /// The counts of [`HubCounts`], with latency buckets at these bounds (seconds).
    fn metrics_counts(&self, latency_bounds_secs: &[f64]) -> Result<HubCounts, HubError> {
        sql::run(self, sql::Mode::LongRead, |tx| {
            review_reads::metrics_counts(tx, latency_bounds_secs, crate::auth::now())
        })
    }

    /// Carry out an erasure in one transaction: delete the selected messages' raw text
    /// and the redacted copies kept of them, delete every sealed batch file that holds one
    /// (returning the other items of never-fetched batches to the pool), delete a whole
    /// company's confirmed terms, and store one erase notice per device that was sent a
    /// copy. Returns the erasure as [`Self::erasure`] would.
    fn erase(
        &self,
        erasure_id: &str,
        requested_by: &str,
        request: &EraseRequest,
        now: i64,
    ) -> Result<Erasure, HubError> {
        sql::write(self, |tx| {
            erase::erase(tx, erasure_id, requested_by, request, now)
        })?;
        self.erased();
        self.erasure(erasure_id)?
            .ok_or_else(|| HubError::Internal("an erasure just stored is missing".into()))
    }
    /// An erasure with each device's state now.
    fn erasure(&self, erasure_id: &str) -> Result<Option<Erasure>, HubError> {
        sql::read(self, |tx| erase::get(tx, erasure_id))
    }
    /// Store notices for devices (ids already issued).
    fn add_notices(&self, notices: &[Notice], now: i64) -> Result<(), HubError> {
        sql::write(self, |tx| notices::add(tx, notices, now))
    }
    /// A device's notices not yet acknowledged, oldest first (at most
    /// [`labelvault_core::protocol::MAX_NOTICES_PER_ACK`]).
    fn pending_notices(&self, device_id: &str) -> Result<Vec<Notice>, HubError> {
        sql::read(self, |tx| notices::pending(tx, device_id))
    }
    /// Mark a device's notices as carried out, with the device ledger entry of its
    /// acknowledgement; how many were newly marked (others' or unknown ids count 0).
    fn ack_notices(
        &self,
        device_id: &str,
        notice_ids: &[String],
        now: i64,
        pin: Option<(u64, String)>,
    ) -> Result<u64, HubError> {
        sql::write(self, |tx| notices::ack(tx, device_id, notice_ids, now, pin))
    }
    /// Every copy of a company's unerased messages on an unrevoked device, with the
    /// redacted text it was sealed with: (device id, item id, text).
    fn company_copies(&self, company: &str) -> Result<Vec<(String, String, String)>, HubError> {
        sql::read(self, |tx| notices::company_copies(tx, company))
    }

    /// A new admin account for a person, with a role and a one-time enrollment code
    /// (stored hashed) with which they register their signing key.
    fn create_account(
        &self,
        name: &str,
        role: &str,
        code_sha256: &str,
        code_expires_at: i64,
        now: i64,
    ) -> Result<String, HubError> {
        sql::write(self, |tx| {
            accounts::create(tx, name, role, code_sha256, code_expires_at, now)
        })
    }
    /// Consume an account's code and register its signing key; errors as device
    /// enrollment does (`bad_code`, `code_used`, `code_expired`, `already_enrolled`).
    fn enroll_account(
        &self,
        code_sha256: &str,
        now: i64,
        signing_key: &[u8; 32],
    ) -> Result<AccountRecord, HubError> {
        sql::write(self, |tx| {
            accounts::enroll(tx, code_sha256, now, signing_key)
        })
    }
    /// An account by id.
    fn account(&self, account_id: &str) -> Result<Option<AccountRecord>, HubError> {
        sql::read(self, |tx| accounts::get(tx, account_id))
    }
    /// Every account, oldest first.
    fn accounts(&self) -> Result<Vec<AccountRecord>, HubError> {
        sql::read(self, accounts::list)
    }
    /// Change an account's role; false if there is no such account.
    fn set_account_role(&self, account_id: &str, role: &str) -> Result<bool, HubError> {
        sql::write(self, |tx| accounts::set_role(tx, account_id, role))
    }
    /// Revoke an account (its key is refused from now on); false if unknown.
    fn revoke_account(&self, account_id: &str, now: i64) -> Result<bool, HubError> {
        sql::write(self, |tx| accounts::revoke(tx, account_id, now))
    }
    /// Append one entry to the access ledger (chained to the last, its hash signed by
    /// `sign`), atomically with respect to every other hub; returns its `seq`.
    fn append_access(
        &self,
        e: &NewAccess,
        sign: &(dyn Fn(&[u8; 32]) -> [u8; 64] + Sync),
    ) -> Result<u64, HubError> {
        sql::write(self, |tx| exports::append_access(tx, e, sign))
    }
    /// The access ledger as JSONL (`labelvault_core::access::AccessLine`).
    fn access_jsonl(&self) -> Result<String, HubError> {
        sql::run(self, sql::Mode::LongRead, exports::access_jsonl)
    }
    /// Store a bearer token for an account (its SHA-256 only), valid until `expires_at`.
    fn create_token(
        &self,
        account_id: &str,
        token_id: &str,
        token_sha256: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), HubError> {
        sql::write(self, |tx| {
            accounts::create_token(tx, account_id, token_id, token_sha256, expires_at, now)
        })
    }
    /// The account a bearer token stands for, if the token is known, unexpired at `now`
    /// and unrevoked, and its account unrevoked.
    fn token_account(
        &self,
        token_sha256: &str,
        now: i64,
    ) -> Result<Option<AccountRecord>, HubError> {
        sql::read(self, |tx| accounts::token_account(tx, token_sha256, now))
    }
    /// Revoke a token; false if unknown.
    fn revoke_token(&self, token_id: &str, now: i64) -> Result<bool, HubError> {
        sql::write(self, |tx| accounts::revoke_token(tx, token_id, now))
    }
    /// Register the hub's bootstrap admin token (its SHA-256 only) for the `bootstrap`
    /// manager account, creating that account on first use, and revoke the token whose
    /// SHA-256 is `retire` (the one a renewal replaces). A token already known keeps its
    /// expiry and state. Returns the stored (expires_at, revoked).
    fn register_bootstrap_token(
        &self,
        token_sha256: &str,
        expires_at: i64,
        now: i64,
        retire: Option<&str>,
    ) -> Result<(i64, bool), HubError> {
        sql::write(self, |tx| {
            accounts::register_bootstrap_token(tx, token_sha256, expires_at, now, retire)
        })
    }
    /// Record the retraining-due event of `episode` (the seq of the export or training
    /// mark that opened it, 0 before any) unless that episode already has one: false
    /// when it had, so hubs sharing a database send one event per episode.
    fn webhook_enqueue(
        &self,
        episode: i64,
        event_id: &str,
        body: &str,
        now_ms: i64,
    ) -> Result<bool, HubError> {
        sql::write(self, |tx| {
            webhooks::enqueue(tx, episode, event_id, body, now_ms)
        })
    }
    /// Take the oldest pending event whose next attempt is due at `now_ms`, holding it
    /// until `lease_until_ms` (another hub, or this one after a crash, tries it then).
    fn webhook_claim(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> Result<Option<WebhookEvent>, HubError> {
        sql::write(self, |tx| webhooks::claim(tx, now_ms, lease_until_ms))
    }
    /// Record one delivery attempt and the event's state after it, only if this hub
    /// still holds the event: it is pending with `attempt.attempt - 1` attempts made.
    /// False, with nothing written, when not (another hub took it after this one's
    /// lease ran out and recorded first), so a late answer never overwrites a newer state.
    fn webhook_record(&self, attempt: &WebhookAttempt) -> Result<bool, HubError> {
        sql::write(self, |tx| webhooks::record(tx, attempt))
    }
    /// Close a claimed event as `superseded` without sending it (its episode ended: an
    /// export or training mark came while it was pending), only if this hub still
    /// holds it (pending, `attempts` made). False, with nothing changed, when not.
    fn webhook_supersede(&self, event_id: &str, attempts: u32) -> Result<bool, HubError> {
        sql::write(self, |tx| webhooks::supersede(tx, event_id, attempts))
    }
    /// The newest `limit` events, newest first, each with its attempts in order.
    fn webhook_deliveries(&self, limit: usize) -> Result<Vec<WebhookDelivery>, HubError> {
        sql::read(self, |tx| webhooks::deliveries(tx, limit))
    }
    /// Events by state (`pending`, `delivered`, `failed`, `superseded`), for the metrics.
    fn webhook_counts(&self) -> Result<Vec<(String, u64)>, HubError> {
        sql::read(self, webhooks::counts)
    }
    /// Where the store stands for the manager's read model: a few counts, cheap to read.
    fn read_generation(&self) -> Result<ReadGeneration, HubError> {
        sql::read(self, review_reads::read_generation)
    }
}

/// A retraining-due event as stored: the exact JSON the receiver gets and where its
/// delivery stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// `wh_` and 24 hex digits; the receiver's idempotency key.
    pub event_id: String,
    /// The seq of the mark that opened the episode (0 before any mark).
    pub episode: i64,
    /// The JSON body, byte for byte as signed and sent (counts and times only).
    pub body: String,
    /// Attempts made so far.
    pub attempts: u32,
}

/// A webhook event's delivery attempt and the event with its attempts, as the store
/// records them and the admin API lists them: one type each.
pub use labelvault_core::admin_api::{WebhookAttempt, WebhookDelivery};

/// A person's admin account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountRecord {
    /// `ac_` and 24 hex digits.
    pub account_id: String,
    /// The person's name.
    pub name: String,
    /// `manager`, `lead`, `privacy_officer` or `viewer`.
    pub role: String,
    /// Their Ed25519 public key once enrolled (base64 in JSON).
    #[serde(serialize_with = "key_b64")]
    pub signing_key: Option<[u8; 32]>,
    /// Revoked accounts are refused.
    pub revoked: bool,
    /// Unix seconds.
    pub created_at: i64,
}

fn key_b64<S: serde::Serializer>(k: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
    use base64::Engine as _;
    match k {
        Some(k) => s.serialize_some(&base64::engine::general_purpose::STANDARD.encode(k)),
        None => s.serialize_none(),
    }
}

/// An access-ledger entry to append (the store chains and signs it).
#[derive(Debug, Clone)]
pub struct NewAccess {
    /// Unix ms.
    pub at_ms: i64,
    /// Who.
    pub account_id: String,
    /// Their role.
    pub role: String,
    /// What.
    pub act: String,
    /// HTTP method.
    pub method: String,
    /// Path without query.
    pub path: String,
    /// Answer status.
    pub status: u16,
    /// Messages whose raw text was read or erased.
    pub message_ids: crate::access_ids::AccessIds,
}

/// The access-ledger export line of a stored row, the same on every store.
#[allow(clippy::too_many_arguments)]
pub(crate) fn access_line(
    seq: i64,
    prev: &[u8],
    hash: &[u8],
    e: NewAccess,
    signature: &[u8],
) -> Result<String, HubError> {
    use base64::Engine as _;
    serde_json::to_string(&labelvault_core::access::AccessLine {
        seq: seq as u64,
        prev_hash: hex::encode(prev),
        entry_hash: hex::encode(hash),
        at_ms: e.at_ms,
        account_id: e.account_id,
        role: e.role,
        act: e.act,
        method: e.method,
        path: e.path,
        status: e.status,
        message_ids: e.message_ids.into_vec(),
        signature: base64::engine::general_purpose::STANDARD.encode(signature),
    })
    .map_err(|e| HubError::Internal(e.to_string()))
}

/// The next entry's hash over `prev` (the same on every store).
pub(crate) fn access_hash(prev: &[u8; 32], seq: u64, e: &NewAccess) -> [u8; 32] {
    labelvault_core::access::entry_hash_with_ids_digest(
        prev,
        seq,
        &labelvault_core::access::AccessFields {
            at_ms: e.at_ms,
            account_id: &e.account_id,
            role: &e.role,
            act: &e.act,
            method: &e.method,
            path: &e.path,
            status: e.status,
        },
        e.message_ids.digest(),
    )
}

/// A one-time code as presented: what the store found for it.
pub(crate) enum CodeState {
    /// No such code (or its account is revoked).
    Unknown,
    /// Used already.
    Used,
    /// Unused, valid until this time (Unix seconds, exclusive).
    ValidUntil(i64),
}

/// Which one-time code is presented: the words its refusals use.
#[derive(Clone, Copy)]
pub(crate) enum CodeKind {
    /// A device's enrollment code, given to an annotator.
    Enrollment,
    /// An admin account's code, given to a manager or officer.
    Account,
}

/// Why a one-time code cannot be used at `now`, with the same codes (`bad_code`,
/// `code_used`, `code_expired`) and advice for every kind of code; `Ok` when it can.
pub(crate) fn code_problem(kind: CodeKind, state: CodeState, now: i64) -> Result<(), HubError> {
    let (what, ask) = match kind {
        CodeKind::Enrollment => ("enrollment code", "ask your manager for a new one"),
        CodeKind::Account => ("account code", "ask a manager for a new one"),
    };
    match state {
        CodeState::Unknown => Err(HubError::unauthorized(
            "bad_code",
            format!("this {what} is not valid; {ask}"),
        )),
        CodeState::Used => Err(HubError::unauthorized(
            "code_used",
            format!("this {what} was already used; {ask}"),
        )),
        CodeState::ValidUntil(expires) if expires <= now => Err(HubError::unauthorized(
            "code_expired",
            format!("this {what} has expired; {ask}"),
        )),
        CodeState::ValidUntil(_) => Ok(()),
    }
}

/// One stored erasure row and its notices' rows, folded into an [`Erasure`]; the same
/// on every store. `notices` are (device, notice, items, acked_at, seq, head, revoked).
#[allow(clippy::type_complexity)]
pub(crate) fn fold_erasure(
    row: (String, i64, String, String, String, String, String, String),
    notices: Vec<(
        String,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<String>,
        bool,
    )>,
) -> Result<Erasure, HubError> {
    use labelvault_core::erasure::{DeviceErasure, DeviceErasureState};
    let damaged = |_| HubError::Internal("stored erasure damaged".into());
    let (erasure_id, requested_at, requested_by, request, erased, not_found, already, hub) = row;
    Ok(Erasure {
        erasure_id,
        requested_at,
        requested_by,
        request: serde_json::from_str(&request).map_err(damaged)?,
        erased: serde_json::from_str(&erased).map_err(damaged)?,
        not_found: serde_json::from_str(&not_found).map_err(damaged)?,
        already_erased: serde_json::from_str(&already).map_err(damaged)?,
        hub: serde_json::from_str(&hub).map_err(damaged)?,
        devices: notices
            .into_iter()
            .map(
                |(device_id, notice_id, items, acked_at, seq, head, revoked)| {
                    let state = match (acked_at, revoked) {
                        (Some(_), _) => DeviceErasureState::Purged,
                        (None, true) => DeviceErasureState::Revoked,
                        (None, false) => DeviceErasureState::Pending,
                    };
                    DeviceErasure {
                        device_id,
                        notice_id,
                        items: items.max(0) as u64,
                        state,
                        purged_at: acked_at,
                        device_ledger_seq: seq.map(|s| s.max(0) as u64),
                        device_ledger_head: head,
                    }
                },
            )
            .collect(),
    })
}

/// A stored notice's items column back into a notice.
pub(crate) fn notice_from_row(
    notice_id: String,
    device_id: String,
    kind: &str,
    items: &str,
) -> Result<Notice, HubError> {
    use labelvault_core::protocol::NoticeKind;
    let kind = match kind {
        "erase" => NoticeKind::Erase,
        "mask" => NoticeKind::Mask,
        _ => return Err(HubError::Internal("stored notice damaged".into())),
    };
    Ok(Notice {
        notice_id,
        device_id,
        kind,
        items: serde_json::from_str(items)
            .map_err(|_| HubError::Internal("stored notice damaged".into()))?,
    })
}

/// How a notice kind is stored.
pub(crate) fn notice_kind_str(k: labelvault_core::protocol::NoticeKind) -> &'static str {
    match k {
        labelvault_core::protocol::NoticeKind::Erase => "erase",
        labelvault_core::protocol::NoticeKind::Mask => "mask",
    }
}

/// One erase notice per device from (device, item) pairs, in device order.
pub(crate) fn erase_notices(mut held: Vec<(String, String)>) -> Result<Vec<Notice>, HubError> {
    use labelvault_core::protocol::{NoticeItem, NoticeKind};
    held.sort();
    let mut out: Vec<Notice> = Vec::new();
    for (device_id, item_id) in held {
        if out.last().is_none_or(|n| n.device_id != device_id) {
            out.push(Notice {
                notice_id: random_id("n_")?,
                device_id,
                kind: NoticeKind::Erase,
                items: Vec::new(),
            });
        }
        if let Some(n) = out.last_mut() {
            n.items.push(NoticeItem {
                item_id,
                spans: Vec::new(),
            });
        }
    }
    Ok(out)
}

/// The answer for a sealed batch file an erasure deleted (same on every store).
/// Why a batch cannot be withdrawn: `(fetched_at, erased_at, withdrawn_at)` as stored,
/// `None` for no such batch.
pub(crate) fn withdraw_problem(
    state: Option<(Option<i64>, Option<i64>, Option<i64>)>,
) -> Result<(), HubError> {
    match state {
        None => Err(HubError::not_found("unknown_batch", "no such batch")),
        Some((_, _, Some(_))) => Err(HubError::conflict(
            "already_withdrawn",
            "this batch was already withdrawn",
        )),
        Some((_, Some(_), None)) => Err(HubError::conflict(
            "batch_erased",
            "this batch was deleted by an erasure request",
        )),
        Some((Some(_), None, None)) => Err(already_fetched()),
        Some((None, None, None)) => Ok(()),
    }
}

/// The manager withdrew the batch before the device fetched it.
pub(crate) fn batch_withdrawn() -> HubError {
    HubError::not_found(
        "batch_withdrawn",
        "the manager withdrew this batch before it was fetched; its items went back to the pool",
    )
}

/// The device fetched the batch before it could be withdrawn.
pub(crate) fn already_fetched() -> HubError {
    HubError::conflict(
        "already_fetched",
        "the device has fetched this batch, so it can no longer be withdrawn; revoke the device (its open items return to the pool) or erase the messages",
    )
}

pub(crate) fn batch_erased() -> HubError {
    HubError::not_found(
        "batch_erased",
        "this batch was deleted by an erasure request; the manager can dispatch its other items again",
    )
}

/// JSON of a value for a TEXT column (serializing plain data cannot fail).
pub(crate) fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The schema version a database records, checked against the `known` migrations of
/// this hub: the first migration to apply, or an error if the database is newer than
/// this hub (nothing is changed then).
pub(crate) fn pending_migrations(recorded: i64, known: usize) -> Result<usize, HubError> {
    let v = usize::try_from(recorded.max(0)).unwrap_or(usize::MAX);
    if v > known {
        return Err(HubError::Internal(format!(
            "the hub database has schema {v}, newer than this hub understands; update the hub"
        )));
    }
    Ok(v)
}

/// Open storage by URL: `sqlite://PATH` (the embedded default) or
/// `postgres://USER:PASSWORD@HOST:PORT/DBNAME` (also `postgresql://`), which several
/// hub processes may share. Either is migrated to the current schema on open.
///
/// This opens without encryption at rest (tests and benchmarks); the hub itself opens
/// with [`open_at_rest`].
pub fn open(url: &str) -> Result<std::sync::Arc<dyn HubStore>, HubError> {
    open_at_rest(url, None, Vec::new())
}

/// [`open`] with raw text encrypted at rest under `key` (crate::at_rest): SQLite as a
/// SQLCipher file, PostgreSQL with every text value sealed. `older` keys (PostgreSQL,
/// during a rotation) still open values sealed under them.
pub fn open_at_rest(
    url: &str,
    key: Option<crate::at_rest::DbKey>,
    older: Vec<crate::at_rest::DbKey>,
) -> Result<std::sync::Arc<dyn HubStore>, HubError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if !older.is_empty() {
            return Err(HubError::bad(
                "unsupported_option",
                "older database keys are for PostgreSQL; a SQLite database is re-keyed with `labelvault-hub rewrap-db`",
            ));
        }
        return Ok(std::sync::Arc::new(SqliteStore::open_keyed(
            std::path::Path::new(path),
            key.as_ref(),
        )?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let sealer = key.map(|k| crate::at_rest::Sealer::new(k, older));
        return Ok(std::sync::Arc::new(PostgresStore::open_sealed(
            url, sealer,
        )?));
    }
    Err(HubError::bad(
        "unsupported_database",
        format!(
            "unsupported database URL {}; use sqlite://PATH or postgres://USER@HOST/DBNAME",
            crate::config::redact_url(url)
        ),
    ))
}

/// A fresh random id with a type prefix (`a_`, `d_`), the same in every store.
/// How a dispatch reason is stored in the `copies.reason` column (both stores).
pub(crate) fn reason_str(r: labelvault_core::batch::Reason) -> &'static str {
    match r {
        labelvault_core::batch::Reason::FalsePositive => "false_positive",
        labelvault_core::batch::Reason::LowConfidence => "low_confidence",
        labelvault_core::batch::Reason::RandomSample => "random_sample",
        labelvault_core::batch::Reason::SuspectedLabelError => "suspected_label_error",
    }
}

pub(crate) fn random_id(prefix: &str) -> Result<String, HubError> {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|_| HubError::Internal("no system randomness".into()))?;
    Ok(format!("{prefix}{}", hex::encode(b)))
}

/// One line of the hub ledger export from a stored row, in the documented field order
/// (docs/ledger.md, "The hub ledger"), for every store alike: a receipt that is not JSON
/// fails the export loudly rather than exporting a wrong line.
#[allow(clippy::too_many_arguments)]
pub(crate) fn ledger_line(
    seq: i64,
    prev_hash: &[u8],
    entry_hash: &[u8],
    device_id: String,
    received_at_ms: i64,
    body: &[u8],
    body_sha256: String,
    receipt: &str,
) -> Result<String, HubError> {
    use base64::Engine as _;
    let receipt = serde_json::from_str(receipt)
        .map_err(|_| HubError::Internal(format!("stored ledger entry damaged (seq {seq})")))?;
    let line = labelvault_core::ledger::HubLedgerLine {
        seq: seq as u64,
        prev_hash: hex::encode(prev_hash),
        entry_hash: hex::encode(entry_hash),
        device_id,
        received_at_ms,
        body_b64: base64::engine::general_purpose::STANDARD.encode(body),
        body_sha256,
        receipt,
    };
    serde_json::to_string(&line).map_err(|e| HubError::Internal(e.to_string()))
}

/// Check an inbound ledger export (`/v1/admin/ledger`): sequence numbers 1, 2, 3…
/// without gaps, each entry chained to the one before, its hash and body hash
/// recomputed (`labelvault_core::ledger::verify_hub_ledger`, without the key). Returns
/// the number of entries, or which entry is wrong, so a manager (or a test) can tell the
/// chain survived several hubs writing it at once.
pub fn verify_ledger(jsonl: &str) -> Result<u64, String> {
    labelvault_core::ledger::verify_hub_ledger(jsonl, None)
        .map(|r| r.entries)
        .map_err(|e| e.to_string())
}

/// The checks of one label that need no storage (revision, verdict and intent
/// together, spans), shared by every store; `Some(code)` refuses it.
pub(crate) fn label_shape_problem(l: &WireLabel) -> Option<&'static str> {
    if l.revision == 0 {
        return Some("invalid");
    }
    if l.retracted {
        if l.verdict.is_some() || l.intent_id.is_some() {
            return Some("invalid");
        }
        return None;
    }
    // The item's length is the store's to check (`label_length_problem`).
    labelvault_core::labels::content_problem(l.verdict, l.intent_id.as_deref(), &l.pii_spans, None)
        .map(|_| "invalid")
}

/// Whether a label's spans and length class fit the item as sealed (`chars`, its length
/// in code points; `None` for items stored before lengths were kept, which only the
/// label grammar bounds). `Some("wrong_length")` refuses it.
pub(crate) fn label_length_problem(l: &WireLabel, chars: Option<i64>) -> Option<&'static str> {
    let (Some(chars), Some(last)) = (chars, l.pii_spans.last()) else {
        return None;
    };
    let chars = u32::try_from(chars).unwrap_or(u32::MAX);
    let fits =
        last.end <= chars && l.length_class == Some(labelvault_core::grammar::length_class(chars));
    (!fits).then_some("wrong_length")
}
