//! The hub's admin API as types: the requests, answers, defaults and enums of the
//! manager's pipeline calls (ingest, select, dispatch, reclaim, gold, companies, export,
//! withdraw, pipeline status), review calls (quality, disagreements, adjudications,
//! annotators, missed-PII report and confirmation, evaluation) and the people,
//! retraining, assignment and webhook calls (accounts and their enrollment, the
//! retraining mark and threshold, assign, webhook deliveries). The hub parses requests into these types and answers
//! with them, the CLI and the desktop shell build requests from them and read answers
//! through them, and the app's TypeScript types in `ui/src/generated/` are generated from
//! them (feature `ts`), so a field renamed or a default changed in one place changes
//! everywhere. Tests check them against `docs/openapi.yaml` and the generated files
//! (docs/admin-api.md says how to regenerate).

use crate::batch::{Reason, Taxonomy};
use crate::manage::{AdminClient, AdminError, Received};
use serde::{Deserialize, Serialize};

pub use crate::pipeline::evaluate::{
    CalibrationBin, Comparison, Confusion, Evaluation, IntentDelta, IntentScore, SegmentRate,
    VersionScore,
};
pub use crate::pipeline::select::{Composition, Strategy};
pub use crate::redact::PiiKind;

/// Defaults and limits of the admin API: the hub applies them to what a request leaves
/// out, and the CLI's flags and the app's form start from them.
pub mod defaults {
    /// Uncertainty measure when none is given.
    pub const STRATEGY: super::Strategy = super::Strategy::LeastConfidence;
    /// Most low-confidence items in a pool.
    pub const LOW_CONFIDENCE_BUDGET: usize = 500;
    /// Only predictions below this confidence count as low confidence.
    pub const MAX_CONFIDENCE: f64 = 0.6;
    /// Random-sample size per newly onboarded company.
    pub const SAMPLE_PER_COMPANY: usize = 100;
    /// Copies per message (distinct devices).
    pub const OVERLAP: usize = 1;
    /// Most copies per message.
    pub const MAX_OVERLAP: usize = 10;
    /// Pool items per batch (gold items come on top).
    pub const BATCH_SIZE: usize = 50;
    /// Most pool items per batch.
    pub const MAX_BATCH_SIZE: usize = 100_000;
    /// Largest share of hidden gold items per batch.
    pub const MAX_GOLD_SHARE: f64 = 0.5;
    /// Lease: a week, after which unlabelled copies return to the pool.
    pub const LEASE_SECS: i64 = 7 * 86_400;
    /// Longest lease: a year.
    pub const MAX_LEASE_SECS: i64 = 365 * 86_400;
    /// Most suspected label errors one selection sends back.
    pub const MAX_LABEL_ERROR_BUDGET: usize = 100_000;
    /// Seed of an export's split when none is given.
    pub const EXPORT_SEED: u64 = crate::pipeline::export::DEFAULT_SEED;

    /// The defaults and limits above as one value, for the app: its form starts from
    /// them (`ui/src/generated/defaults.ts` is generated from this).
    #[derive(Debug, Clone, PartialEq, serde::Serialize)]
    pub struct Values {
        /// [`STRATEGY`].
        pub strategy: super::Strategy,
        /// [`LOW_CONFIDENCE_BUDGET`].
        pub low_confidence_budget: usize,
        /// [`MAX_CONFIDENCE`].
        pub max_confidence: f64,
        /// [`SAMPLE_PER_COMPANY`].
        pub sample_per_company: usize,
        /// [`OVERLAP`].
        pub overlap: usize,
        /// [`MAX_OVERLAP`].
        pub max_overlap: usize,
        /// [`BATCH_SIZE`].
        pub batch_size: usize,
        /// [`MAX_BATCH_SIZE`].
        pub max_batch_size: usize,
        /// [`MAX_GOLD_SHARE`].
        pub max_gold_share: f64,
        /// [`LEASE_SECS`].
        pub lease_secs: i64,
        /// [`MAX_LEASE_SECS`].
        pub max_lease_secs: i64,
        /// [`MAX_LABEL_ERROR_BUDGET`].
        pub max_label_error_budget: usize,
        /// [`EXPORT_SEED`].
        pub export_seed: u64,
    }

    /// Every default and limit.
    pub fn values() -> Values {
        Values {
            strategy: STRATEGY,
            low_confidence_budget: LOW_CONFIDENCE_BUDGET,
            max_confidence: MAX_CONFIDENCE,
            sample_per_company: SAMPLE_PER_COMPANY,
            overlap: OVERLAP,
            max_overlap: MAX_OVERLAP,
            batch_size: BATCH_SIZE,
            max_batch_size: MAX_BATCH_SIZE,
            max_gold_share: MAX_GOLD_SHARE,
            lease_secs: LEASE_SECS,
            max_lease_secs: MAX_LEASE_SECS,
            max_label_error_budget: MAX_LABEL_ERROR_BUDGET,
            export_seed: EXPORT_SEED,
        }
    }
}

fn default_strategy() -> Strategy {
    defaults::STRATEGY
}
fn default_budget() -> usize {
    defaults::LOW_CONFIDENCE_BUDGET
}
fn default_max_confidence() -> f64 {
    defaults::MAX_CONFIDENCE
}
fn default_sample() -> usize {
    defaults::SAMPLE_PER_COMPANY
}
fn default_overlap() -> usize {
    defaults::OVERLAP
}
fn default_batch_size() -> usize {
    defaults::BATCH_SIZE
}
fn default_lease() -> i64 {
    defaults::LEASE_SECS
}

/// What to select: a window of received messages and how to rank them (OpenAPI
/// `Selection`). Every field but the window has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Selection {
    /// Window start, Unix seconds.
    pub from: i64,
    /// Window end (exclusive), Unix seconds.
    pub to: i64,
    /// How uncertainty ranks low-confidence predictions.
    #[serde(default = "default_strategy")]
    pub strategy: Strategy,
    /// Most low-confidence items in the pool.
    #[serde(default = "default_budget")]
    pub low_confidence_budget: usize,
    /// Only predictions below this confidence count as low confidence.
    #[serde(default = "default_max_confidence")]
    pub max_confidence: f64,
    /// At most this many low-confidence items per intent (0: no cap).
    #[serde(default)]
    pub per_intent_cap: usize,
    /// Random-sample size per newly onboarded company.
    #[serde(default = "default_sample")]
    pub sample_per_company: usize,
    /// Seed of the random sample: the same seed and data give the same pool.
    #[serde(default)]
    pub seed: u64,
    /// Suspected label errors to send back for another review (0: off).
    #[serde(default)]
    pub label_error_budget: usize,
}

impl Selection {
    /// The window `[from, to)` with every other field at its default.
    pub fn window(from: i64, to: i64) -> Selection {
        Selection {
            from,
            to,
            strategy: defaults::STRATEGY,
            low_confidence_budget: defaults::LOW_CONFIDENCE_BUDGET,
            max_confidence: defaults::MAX_CONFIDENCE,
            per_intent_cap: 0,
            sample_per_company: defaults::SAMPLE_PER_COMPANY,
            seed: 0,
            label_error_budget: 0,
        }
    }
}

/// `POST /v1/admin/select`: a dry run of a selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SelectRequest {
    /// What to select.
    pub selection: Selection,
    /// Copies per message the pool is counted for.
    #[serde(default = "default_overlap")]
    pub overlap: usize,
}

/// One pool entry as the manager sees it (never the text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PoolEntry {
    /// The message.
    pub message_id: String,
    /// Why it is in the pool.
    pub reason: Reason,
    /// Its company.
    pub company: String,
    /// Its channel.
    pub channel: String,
    /// When it was received, Unix seconds.
    pub received_at: i64,
    /// The model's intent.
    pub model_intent: String,
    /// The model's confidence.
    pub confidence: f64,
    /// Copies it still needs (overlap minus the devices holding one).
    pub copies_needed: usize,
}

/// The answer to `POST /v1/admin/select`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SelectAnswer {
    /// The pool's make-up.
    pub composition: Composition,
    /// Items a dispatch with this overlap would hand out.
    pub copies_needed: usize,
    /// The pool, in dispatch order.
    pub entries: Vec<PoolEntry>,
}

/// `POST /v1/admin/dispatch`: select, redact, seal per device and store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DispatchRequest {
    /// What to select.
    pub selection: Selection,
    /// Each message to this many different devices.
    #[serde(default = "default_overlap")]
    pub overlap: usize,
    /// Pool items per batch (gold items come on top).
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// Share of hidden gold items per batch, 0–0.5.
    #[serde(default)]
    pub gold_share: f64,
    /// Lease in seconds; also the batch's expiry on the device.
    #[serde(default = "default_lease")]
    pub lease_secs: i64,
    /// Only these devices (left out: every enrolled, unrevoked device).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub devices: Option<Vec<String>>,
    /// The taxonomy sealed into the batches (left out: every intent the hub's messages
    /// mention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub taxonomy: Option<Taxonomy>,
    /// The manager's guidelines, sealed into every batch of this dispatch ("": none).
    #[serde(default)]
    pub guidelines: String,
}

impl DispatchRequest {
    /// A dispatch of `selection` with every other field at its default.
    pub fn of(selection: Selection) -> DispatchRequest {
        DispatchRequest {
            selection,
            overlap: defaults::OVERLAP,
            batch_size: defaults::BATCH_SIZE,
            gold_share: 0.0,
            lease_secs: defaults::LEASE_SECS,
            devices: None,
            taxonomy: None,
            guidelines: String::new(),
        }
    }
}

/// One sealed batch a dispatch made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DispatchedBatch {
    /// The batch.
    pub batch_id: String,
    /// The device it is for.
    pub device_id: String,
    /// Items in it, gold included.
    pub items: usize,
    /// Hidden gold items among them.
    #[serde(default)]
    pub gold: usize,
}

/// The answer to `POST /v1/admin/dispatch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DispatchResponse {
    /// The pool's make-up.
    pub composition: Composition,
    /// Distinct messages handed out.
    pub dispatched_messages: usize,
    /// Pool items handed out (gold not included).
    pub copies: usize,
    /// Hidden gold items handed out.
    pub gold_copies: usize,
    /// Copies not placed for lack of distinct devices.
    pub shortfall: usize,
    /// When the lease of these copies ends, Unix seconds.
    pub lease_expires_at: i64,
    /// The batches, one per device.
    pub batches: Vec<DispatchedBatch>,
}

/// The app's batch form: a selection and how to hand it out, flat. The shell turns it
/// into a [`SelectRequest`] (preview) or a [`DispatchRequest`]; fields the form leaves
/// out take the admin API's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchPlan {
    /// Received from (Unix seconds).
    pub from: i64,
    /// Received before (Unix seconds).
    pub to: i64,
    /// Copies per message (distinct devices).
    #[serde(default = "default_overlap")]
    pub overlap: usize,
    /// Pool items per batch.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// Share of hidden gold items, 0–0.5.
    #[serde(default)]
    pub gold_share: f64,
    /// Low-confidence budget.
    #[serde(default = "default_budget")]
    pub low_confidence_budget: usize,
    /// Confidence below which a prediction counts as low.
    #[serde(default = "default_max_confidence")]
    pub max_confidence: f64,
    /// Random sample per newly onboarded company.
    #[serde(default = "default_sample")]
    pub sample_per_company: usize,
    /// Lease in seconds.
    #[serde(default = "default_lease")]
    pub lease_secs: i64,
    /// Only these devices (empty: every enrolled device).
    #[serde(default)]
    pub devices: Vec<String>,
    /// How uncertainty ranks low-confidence predictions.
    #[serde(default = "default_strategy")]
    pub strategy: Strategy,
    /// At most this many low-confidence items per intent (0: no cap).
    #[serde(default)]
    pub per_intent_cap: usize,
    /// Seed of the random sample: the same seed and data give the same pool.
    #[serde(default)]
    pub seed: u64,
    /// Most suspected label errors sent back for another review (0: off).
    #[serde(default)]
    pub label_error_budget: usize,
}

impl BatchPlan {
    /// The plan's selection.
    pub fn selection(&self) -> Selection {
        Selection {
            from: self.from,
            to: self.to,
            strategy: self.strategy,
            low_confidence_budget: self.low_confidence_budget,
            max_confidence: self.max_confidence,
            per_intent_cap: self.per_intent_cap,
            sample_per_company: self.sample_per_company,
            seed: self.seed,
            label_error_budget: self.label_error_budget,
        }
    }

    /// The dry run of the plan.
    pub fn select_request(&self) -> SelectRequest {
        SelectRequest {
            selection: self.selection(),
            overlap: self.overlap,
        }
    }

    /// The dispatch of the plan, with the manager's taxonomy and guidelines.
    pub fn dispatch_request(
        &self,
        taxonomy: Option<Taxonomy>,
        guidelines: String,
    ) -> DispatchRequest {
        DispatchRequest {
            selection: self.selection(),
            overlap: self.overlap,
            batch_size: self.batch_size,
            gold_share: self.gold_share,
            lease_secs: self.lease_secs,
            devices: (!self.devices.is_empty()).then(|| self.devices.clone()),
            taxonomy,
            guidelines,
        }
    }

    /// What the hub would refuse in the plan, in the form's words, before any call.
    pub fn check(&self) -> Result<(), AdminError> {
        if self.label_error_budget > defaults::MAX_LABEL_ERROR_BUDGET {
            return Err(AdminError::new(
                "bad_input",
                format!(
                    "the label-error budget is {}; use 0 (off) to {}",
                    self.label_error_budget,
                    defaults::MAX_LABEL_ERROR_BUDGET
                ),
            ));
        }
        Ok(())
    }
}

/// The app's dry run: the pool's make-up, the items it would hand out, its size and its
/// first entries (never any text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preview {
    /// The pool's make-up.
    pub composition: Composition,
    /// Items a dispatch would hand out.
    pub copies_needed: usize,
    /// Messages in the pool.
    pub pool_size: usize,
    /// The first [`Preview::SHOWN`] entries.
    pub entries: Vec<PoolEntry>,
}

impl Preview {
    /// Pool entries a preview carries.
    pub const SHOWN: usize = 20;

    /// The preview of a select answer.
    pub fn of(mut a: SelectAnswer) -> Preview {
        let pool_size = a.entries.len();
        a.entries.truncate(Preview::SHOWN);
        Preview {
            composition: a.composition,
            copies_needed: a.copies_needed,
            pool_size,
            entries: a.entries,
        }
    }
}

/// A row of an ingest request the hub did not take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefusedMessage {
    /// Its position in the request (0-based).
    pub index: usize,
    /// Its message id.
    pub message_id: String,
    /// Why, and what to do (never the text).
    pub reason: String,
}

/// The answer to `POST /v1/admin/messages`: what storing a chunk of messages did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IngestReport {
    /// Messages stored.
    pub inserted: u64,
    /// Messages skipped because a message with the same id and the same prediction is
    /// already stored (so a re-run of the same import changes nothing).
    pub duplicates: u64,
    /// Messages already stored that came with another prediction (a new model version
    /// or a re-scoring): kept as a new prediction revision, now the current one.
    #[serde(default)]
    pub rescored: u64,
    /// Rows refused (the rest of the request is stored), with the reason.
    #[serde(default)]
    pub refused: Vec<RefusedMessage>,
}

/// The answer to `GET /v1/admin/pipeline`: counts the manager watches between
/// dispatches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PipelineStatus {
    /// Messages stored.
    pub messages: u64,
    /// Messages with a known gold answer.
    pub gold: u64,
    /// Companies marked newly onboarded.
    pub new_companies: Vec<String>,
    /// Copies of pool messages (gold copies are not counted here) out on devices, not
    /// yet labelled.
    pub open_copies: u64,
    /// Copies labelled by their device.
    pub labelled_copies: u64,
    /// Copies returned to the pool (lease expired or device revoked).
    pub returned_copies: u64,
    /// Messages held without consent to training use (their own or their company's):
    /// never selected, dispatched or exported.
    pub without_consent: u64,
    /// Companies whose customers withdrew consent, sorted.
    pub companies_without_consent: Vec<String>,
    /// Messages whose raw text the retention period replaced by its redacted form.
    pub texts_retired: u64,
}

/// `POST /v1/admin/leases/reclaim`: return unfinished copies whose lease ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReclaimRequest {
    /// Leases that end by this time, Unix seconds (left out: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub as_of: Option<i64>,
}

/// The answer to `POST /v1/admin/leases/reclaim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReclaimAnswer {
    /// Copies returned to the pool.
    pub returned: u64,
    /// The time leases were compared with, Unix seconds.
    pub as_of: i64,
}

/// One known answer for a hidden gold item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoldAnswer {
    /// The message.
    pub message_id: String,
    /// Its known intent.
    pub intent: String,
}

/// One JSON line of a gold file: the two fields it needs; other fields are left alone
/// (a gold file is often an export with more columns).
#[derive(Deserialize)]
struct GoldLine {
    message_id: String,
    intent: String,
}

/// Why a gold file cannot be read: where, and what to fix (never the line's content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldFileError {
    /// The 1-based line, when one line is at fault.
    pub line: Option<usize>,
    /// What is wrong and what to do.
    pub problem: String,
}

impl std::fmt::Display for GoldFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(n) => write!(f, "line {n}: {}", self.problem),
            None => f.write_str(&self.problem),
        }
    }
}

impl std::error::Error for GoldFileError {}

/// Read a gold file into the answers of a [`GoldRequest`]: JSON lines with `message_id`
/// and `intent`, or CSV rows `message_id,intent` (an optional `message_id…` header
/// first). The CLI and the app read the same files the same way.
pub fn read_gold_file(text: &str) -> Result<Vec<GoldAnswer>, GoldFileError> {
    let at = |i: usize, problem: &str| GoldFileError {
        line: Some(i + 1),
        problem: problem.to_string(),
    };
    let jsonl = text.trim_start().starts_with('{');
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (!jsonl && i == 0 && line.starts_with("message_id")) {
            continue;
        }
        if jsonl {
            let g: GoldLine = serde_json::from_str(line).map_err(|e| {
                if e.is_data() {
                    at(i, "needs `message_id` and `intent`, both text")
                } else {
                    at(i, "malformed JSON; each line must be one JSON object")
                }
            })?;
            out.push(GoldAnswer {
                message_id: g.message_id,
                intent: g.intent,
            });
        } else {
            let Some((m, t)) = line.rsplit_once(',') else {
                return Err(at(i, "expected message_id,intent"));
            };
            out.push(GoldAnswer {
                message_id: m.trim().trim_matches('"').to_string(),
                intent: t.trim().to_string(),
            });
        }
    }
    if out.is_empty() {
        return Err(GoldFileError {
            line: None,
            problem: "holds no gold answers; give JSON lines with message_id and intent, or message_id,intent rows".into(),
        });
    }
    Ok(out)
}

/// `POST /v1/admin/gold`: known answers, all stored or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoldRequest {
    /// The answers.
    pub answers: Vec<GoldAnswer>,
}

/// The answer to `POST /v1/admin/gold`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoldStored {
    /// Gold answers stored by this request.
    pub gold: u64,
}

/// `POST /v1/admin/companies`: mark a company newly onboarded (or no longer), and/or
/// record whether its customers allow training use of their messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CompanyRequest {
    /// The company.
    pub company: String,
    /// Newly onboarded (selection then samples its messages), or no longer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub newly_onboarded: Option<bool>,
    /// Whether its customers allow training use of their messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub training_consent: Option<bool>,
}

/// The answer to `POST /v1/admin/companies`: what was set (`null`: left as it was).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CompanyAnswer {
    /// The company.
    pub company: String,
    /// Newly onboarded, if this request set it.
    pub newly_onboarded: Option<bool>,
    /// Training consent, if this request set it.
    pub training_consent: Option<bool>,
}

/// The answer to `POST /v1/admin/batches/{batch_id}/withdraw`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WithdrawAnswer {
    /// The batch.
    pub batch_id: String,
    /// Always true in an answer (a refusal is an error).
    pub withdrawn: bool,
    /// Copies back in the pool.
    pub copies_returned: u64,
}

/// The training-set formats `GET /v1/admin/export` offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ExportFormat {
    /// One JSON object per message with its split.
    #[default]
    Jsonl,
    /// Chat fine-tuning JSONL.
    Chat,
    /// Label Studio JSON (tasks with annotations).
    LabelStudio,
    /// Prodigy JSONL.
    Prodigy,
    /// Argilla records (JSON).
    Argilla,
}

impl ExportFormat {
    /// Every format, in the order the hub documents them.
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Jsonl,
        ExportFormat::Chat,
        ExportFormat::LabelStudio,
        ExportFormat::Prodigy,
        ExportFormat::Argilla,
    ];

    /// The name in the `format` query parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Chat => "chat",
            ExportFormat::LabelStudio => "label-studio",
            ExportFormat::Prodigy => "prodigy",
            ExportFormat::Argilla => "argilla",
        }
    }

    /// The file name a download in this format is saved under.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "training.jsonl",
            ExportFormat::Chat => "training-chat.jsonl",
            ExportFormat::LabelStudio => "labels-label-studio.json",
            ExportFormat::Prodigy => "labels-prodigy.jsonl",
            ExportFormat::Argilla => "labels-argilla.json",
        }
    }

    /// Whether the download is one JSON document (not JSONL).
    pub fn is_json_document(self) -> bool {
        matches!(self, ExportFormat::LabelStudio | ExportFormat::Argilla)
    }
}

/// `--format` in the CLI, the app's export menu and the hub's `format` parameter.
impl std::str::FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<ExportFormat, String> {
        match s {
            "jsonl" => Ok(ExportFormat::Jsonl),
            "chat" => Ok(ExportFormat::Chat),
            "label-studio" | "label_studio" => Ok(ExportFormat::LabelStudio),
            "prodigy" => Ok(ExportFormat::Prodigy),
            "argilla" => Ok(ExportFormat::Argilla),
            _ => Err(format!(
                "{:?} is not an export format: use jsonl, chat, label-studio, prodigy or argilla",
                s.chars().take(40).collect::<String>()
            )),
        }
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer to `GET /v1/admin/evaluation`: the model against the final human labels,
/// with how they were aggregated. The evaluation itself is the engine's
/// [`Evaluation`](crate::pipeline::evaluate::Evaluation), flattened, so the hub's answer
/// and what clients read are one type. Fields the hub adds beside these (such as how
/// fresh the answer is, `as_of`) are left for their own readers; a field an older hub
/// lacks reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvaluationAnswer {
    /// Aggregation of the human labels.
    pub method: Method,
    /// The model version evaluated (`null`: each message's current prediction).
    pub model_version: Option<String>,
    /// Where the final labels came from (`adjudicated`, `gold`, `aggregated`).
    pub sources: std::collections::BTreeMap<String, u64>,
    /// The evaluation.
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

/// The answer to `GET /v1/admin/evaluation/compare`: two model versions on the same
/// messages of the export's test split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ComparisonAnswer {
    /// Aggregation of the human labels.
    pub method: Method,
    /// Always `test`.
    pub split: String,
    /// The comparison.
    #[serde(flatten)]
    pub comparison: Comparison,
}

/// The last retraining mark (an export or a training run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RetrainMarkView {
    /// Its sequence number.
    pub seq: u64,
    /// `export` or `training`.
    pub kind: String,
    /// When, Unix milliseconds.
    pub at_ms: i64,
}

/// The answer to `GET /v1/admin/retrain`: whether enough new labels came in to retrain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RetrainStatus {
    /// Label decisions received since the last mark.
    pub new_labels: u64,
    /// How many make retraining due.
    pub threshold: u64,
    /// `new_labels >= threshold`.
    pub due: bool,
    /// Label decisions received in all.
    #[serde(default)]
    pub labels_total: u64,
    /// The last mark, if any.
    #[serde(default)]
    pub last_mark: Option<RetrainMarkView>,
}

/// How annotators' labels are combined into one per message (the `method` query
/// parameter of the review calls; `dawid-skene` is read as `dawid_skene`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Method {
    /// Dawid–Skene EM: weighs each annotator by their estimated confusion matrix.
    #[default]
    DawidSkene,
    /// Most votes; ties go to the lowest intent id.
    Majority,
}

/// Read with [`Method::parse`]: the spellings the query parameter accepts.
impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Method, D::Error> {
        let s = String::deserialize(d)?;
        Method::parse(&s)
            .ok_or_else(|| serde::de::Error::unknown_variant(&s, &["dawid_skene", "majority"]))
    }
}

impl Method {
    /// Every method, so that a check of the `method` query key (the app's outbound
    /// ledger grammar) accepts exactly the names the hub answers with.
    pub const ALL: [Method; 2] = [Method::DawidSkene, Method::Majority];

    /// Parse the query value (`dawid_skene`, `dawid-skene` or `majority`).
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "dawid_skene" | "dawid-skene" => Some(Method::DawidSkene),
            "majority" => Some(Method::Majority),
            _ => None,
        }
    }

    /// The name in the `method` query parameter and in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::DawidSkene => "dawid_skene",
            Method::Majority => "majority",
        }
    }
}

/// `--method` in the CLI.
impl std::str::FromStr for Method {
    type Err = String;

    fn from_str(s: &str) -> Result<Method, String> {
        Method::parse(s).ok_or_else(|| {
            format!(
                "{:?} is not an aggregation method: use dawid_skene or majority",
                s.chars().take(40).collect::<String>()
            )
        })
    }
}

/// Agreement over one group of messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Agreement {
    /// `all`, a batch id, a company or a model intent.
    pub key: String,
    /// For a batch, its device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub device_id: Option<String>,
    /// Messages with at least one decision.
    pub messages: u64,
    /// Messages with decisions from two or more annotators.
    pub paired_messages: u64,
    /// Decisions (one per annotator and message).
    pub labels: u64,
    /// Krippendorff's α, nominal.
    pub alpha: Option<f64>,
    /// Mean pairwise Cohen's κ, weighted by shared messages.
    pub kappa: Option<f64>,
    /// Share of annotator pairs on a message that agree.
    pub observed_agreement: Option<f64>,
}

/// Cohen's κ of one annotator pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PairKappa {
    /// One annotator.
    pub annotator_a: String,
    /// The other.
    pub annotator_b: String,
    /// Messages both decided.
    pub shared: u64,
    /// κ over them (`null` with fewer than two or no variation).
    pub kappa: Option<f64>,
}

/// Gold answers given and right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoldScore {
    /// Gold items decided.
    pub answered: u64,
    /// Equal to the known answer.
    pub correct: u64,
    /// `correct / answered`.
    pub accuracy: Option<f64>,
}

/// How often an annotator repeats their answer for a message seen on two items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SelfConsistency {
    /// Messages decided on two or more items.
    pub messages: u64,
    /// Pairs of those decisions.
    pub pairs: u64,
    /// Pairs with the same intent.
    pub agreeing: u64,
    /// `agreeing / pairs`.
    pub rate: Option<f64>,
}

/// Time per item. Only decisions the device timed count (a duration of 0 was not
/// measured). A decision is *too fast* when it took less than a quarter of the team's
/// median time per decision, and never less than the hub's floor counts as read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Pace {
    /// Timed decisions.
    pub timed: u64,
    /// Median time per decision, ms.
    pub median_ms: Option<u64>,
    /// The fastest tenth of their decisions took at most this, ms.
    pub p10_ms: Option<u64>,
    /// Decisions under the too-fast threshold.
    pub too_fast: u64,
    /// The threshold used, ms (the same for the whole team).
    pub too_fast_below_ms: u64,
    /// `too_fast` over `timed`.
    pub too_fast_share: Option<f64>,
    /// True when enough of enough timed decisions were too fast: worth a look (or a gold
    /// check).
    pub flagged: bool,
}

/// One annotator's quality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnnotatorQuality {
    /// Annotator id.
    pub annotator_id: String,
    /// Their name, as the manager entered it (`null` if unknown).
    pub name: Option<String>,
    /// Their devices that labelled.
    pub devices: Vec<String>,
    /// Items with a current label.
    pub copies_labelled: u64,
    /// Of those, decisions.
    pub decisions: u64,
    /// Unsure.
    pub unsure: u64,
    /// Skipped.
    pub skipped: u64,
    /// On hidden gold items (each presentation counts).
    pub gold: GoldScore,
    /// Same answer for the same message seen twice.
    pub self_consistency: SelfConsistency,
    /// Dawid–Skene's estimate of their accuracy.
    pub dawid_skene_accuracy: Option<f64>,
    /// Share of their decisions on non-gold messages equal to the final label.
    pub agreement_with_aggregate: Option<f64>,
    /// Unsure over items labelled.
    pub unsure_rate: Option<f64>,
    /// Skipped over items labelled.
    pub skip_rate: Option<f64>,
    /// How long they take per item, and how often too little to have read it.
    pub pace: Pace,
}

/// Label counts of the quality report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Counts {
    /// Items with a current label.
    pub copies_labelled: u64,
    /// Decisions.
    pub decisions: u64,
    /// Unsure.
    pub unsure: u64,
    /// Skipped.
    pub skipped: u64,
    /// Messages with at least one decision.
    pub messages_labelled: u64,
    /// Messages decided by two or more annotators.
    pub messages_with_overlap: u64,
    /// Gold items with a current label.
    pub gold_copies_labelled: u64,
    /// Disagreements not adjudicated.
    pub disagreements: u64,
    /// Messages with an adjudication.
    pub adjudicated: u64,
}

/// The answer to `GET /v1/admin/quality` (the hub adds how fresh it is, `as_of`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QualityReport {
    /// Aggregation method.
    pub method: Method,
    /// Counts.
    pub counts: Counts,
    /// Over every non-gold message.
    pub overall: Agreement,
    /// Per batch.
    pub by_batch: Vec<Agreement>,
    /// Per company.
    pub by_company: Vec<Agreement>,
    /// Per model intent.
    pub by_intent: Vec<Agreement>,
    /// Per annotator pair.
    pub pairs: Vec<PairKappa>,
    /// Per annotator.
    pub annotators: Vec<AnnotatorQuality>,
}

/// One annotator's label on one item, as the manager sees it (never text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CopyLabelView {
    /// Annotator.
    pub annotator_id: String,
    /// Device.
    pub device_id: String,
    /// Item.
    pub item_id: String,
    /// Batch.
    pub batch_id: String,
    /// Verdict: `correct`, `wrong`, `unsure` or `skip`.
    pub verdict: String,
    /// The intent it stands for (`null` for unsure and skip).
    pub intent: Option<String>,
    /// When decided, Unix milliseconds.
    pub decided_at_ms: i64,
}

/// A message's majority vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MajorityView {
    /// Intent.
    pub intent: String,
    /// Annotators who chose it.
    pub votes: u64,
    /// Another intent had as many votes.
    pub tie: bool,
}

/// A message's Dawid–Skene label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DawidSkeneView {
    /// Intent.
    pub intent: String,
    /// Its posterior probability.
    pub posterior: f64,
}

/// One entry of the adjudication trail (`intent` "": an undo left no decision in force).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Adjudication {
    /// Order of decision.
    pub seq: i64,
    /// The message decided.
    pub message_id: String,
    /// Its intent ("": none in force after an undo).
    pub intent: String,
    /// Who decided.
    pub by: String,
    /// When, Unix milliseconds.
    pub decided_at_ms: i64,
    /// The final label just before.
    pub previous_intent: Option<String>,
    /// The adjudication of the same message this one replaces.
    pub supersedes: Option<i64>,
    /// The annotators' labels at the time, as the hub recorded them.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub labels: serde_json::Value,
}

/// A message for the manager to adjudicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Disagreement {
    /// Message.
    pub message_id: String,
    /// `conflict` or `undecided`.
    pub kind: String,
    /// Company.
    pub company: String,
    /// Model intent.
    pub model_intent: String,
    /// Model confidence.
    pub confidence: f64,
    /// Gold messages are never listed (their answer is known); kept for the shape.
    pub gold: bool,
    /// Its labels.
    pub labels: Vec<CopyLabelView>,
    /// Majority vote.
    pub majority: Option<MajorityView>,
    /// Dawid–Skene.
    pub dawid_skene: Option<DawidSkeneView>,
    /// The adjudication in force.
    pub adjudication: Option<Adjudication>,
    /// Raw text, only when asked for (`with_text=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub text: Option<String>,
}

/// The answer to `GET /v1/admin/disagreements` (the hub adds `as_of`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DisagreementList {
    /// Disagreements, adjudicated or not.
    pub total: u64,
    /// Those not adjudicated.
    pub open: u64,
    /// The ones asked for, most contested first.
    pub disagreements: Vec<Disagreement>,
}

/// Who an adjudication is recorded as when the request does not say.
pub const DEFAULT_ADJUDICATOR: &str = "manager";

fn default_by() -> String {
    DEFAULT_ADJUDICATOR.to_string()
}

/// `POST /v1/admin/adjudications`: the manager's label for a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AdjudicationRequest {
    /// The message.
    pub message_id: String,
    /// Its intent.
    pub intent: String,
    /// Who decides (default `manager`).
    #[serde(default = "default_by")]
    pub by: String,
}

/// `POST /v1/admin/adjudications/{seq}/undo`: take back the latest decision on a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UndoRequest {
    /// Who undoes it (default `manager`).
    #[serde(default = "default_by")]
    pub by: String,
}

impl Default for UndoRequest {
    fn default() -> UndoRequest {
        UndoRequest { by: default_by() }
    }
}

/// The answer to `GET /v1/admin/adjudications`: the whole trail, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AdjudicationList {
    /// The entries.
    pub adjudications: Vec<Adjudication>,
}

/// One device of an annotator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnnotatorDevice {
    /// Device id.
    pub device_id: String,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A person behind device ids, as the hub lists them for managers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Annotator {
    /// Annotator id.
    pub annotator_id: String,
    /// The name the manager gave.
    pub name: String,
    /// Their devices, oldest first.
    pub devices: Vec<AnnotatorDevice>,
}

/// The answer to `GET /v1/admin/annotators`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnnotatorList {
    /// The people.
    pub annotators: Vec<Annotator>,
}

/// One line of the missed-PII report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MissedPiiRow {
    /// Monday of the week the marks arrived (UTC), `YYYY-MM-DD`.
    pub week: String,
    /// The messages' company.
    pub company: String,
    /// A PII type name, `NUMBER` or `OTHER` (the hub's guess; never the marked text).
    pub guess: String,
    /// Marked spans.
    pub marks: u64,
    /// Distinct messages they are on.
    pub messages: u64,
}

/// The answer to `GET /v1/admin/missed-pii`: rows newest week first, then by company
/// and guess; totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MissedPiiReport {
    /// The rows.
    pub rows: Vec<MissedPiiRow>,
    /// All marked spans.
    pub marks: u64,
    /// All messages with a mark.
    pub messages: u64,
}

/// `POST /v1/admin/missed-pii/confirm`: one row of the report, and the kind its marks are
/// masked as (needed when the guess is `NUMBER` or `OTHER`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConfirmTermsRequest {
    /// The row's week.
    pub week: String,
    /// The row's company.
    pub company: String,
    /// The row's guess.
    pub guess: String,
    /// The kind the marks are masked as (left out: the guess).
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub as_kind: Option<PiiKind>,
}

/// The answer to `POST /v1/admin/missed-pii/confirm`: counts only, never the terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConfirmTermsAnswer {
    /// Marks in the row.
    pub marks: u64,
    /// Terms that were new for the company.
    pub added: u64,
    /// The company's terms now.
    pub company_terms: u64,
    /// Copies already out on devices in which the terms will be masked at the devices'
    /// next sync (a mask notice each).
    pub masked_copies: u64,
}

/// What `POST /v1/admin/retrain/mark` records: a training run or an export made outside
/// the hub. New labels are counted from it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RetrainMarkKind {
    /// A training run was made from the labels.
    #[default]
    Training,
    /// The labels were exported.
    Export,
}

impl RetrainMarkKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RetrainMarkKind::Training => "training",
            RetrainMarkKind::Export => "export",
        }
    }

    /// From the wire name.
    pub fn parse(s: &str) -> Option<RetrainMarkKind> {
        [RetrainMarkKind::Training, RetrainMarkKind::Export]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// `POST /v1/admin/retrain/mark` body. The kind is read as text and checked by the hub
/// ([`RetrainMarkKind::parse`]) so that a wrong one is answered with the two it may be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RetrainMarkRequest {
    /// `training` (the default) or `export`.
    #[serde(default = "default_mark_kind")]
    pub kind: String,
}

fn default_mark_kind() -> String {
    RetrainMarkKind::default().as_str().to_string()
}

impl RetrainMarkRequest {
    /// A request recording `kind`.
    pub fn of(kind: RetrainMarkKind) -> RetrainMarkRequest {
        RetrainMarkRequest {
            kind: kind.as_str().to_string(),
        }
    }
}

/// `POST /v1/admin/retrain/threshold` body: how many new labels make retraining due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RetrainThresholdRequest {
    /// 1–[`RetrainThresholdRequest::MAX`].
    pub threshold: u64,
}

impl RetrainThresholdRequest {
    /// The largest threshold the hub accepts.
    pub const MAX: u64 = 1_000_000_000;
}

/// A person's role on the hub. What each may do is the hub's rule table
/// (docs/authorization.md); the CLI, the app and the hub read and write the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Role {
    /// The pipeline, batches, adjudication, exports, accounts.
    Manager,
    /// Adjudication and quality only.
    Lead,
    /// Ledgers, access records, erasure; never raw text.
    PrivacyOfficer,
    /// Figures only.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Role::Manager,
        Role::Lead,
        Role::PrivacyOfficer,
        Role::Viewer,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Lead => "lead",
            Role::PrivacyOfficer => "privacy_officer",
            Role::Viewer => "viewer",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// `--role` in the CLI.
impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Role, String> {
        Role::parse(s).ok_or_else(|| {
            format!(
                "{:?} is not a role: use manager, lead, privacy_officer or viewer",
                s.chars().take(40).collect::<String>()
            )
        })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `POST /v1/admin/accounts` body: an account for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountRequest {
    /// The person's name (1–200 characters).
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// The answer to `POST /v1/admin/accounts`: the one-time code the person enrolls their
/// key with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountCreated {
    /// The account.
    pub account_id: String,
    /// The role.
    pub role: Role,
    /// One-time code (24 h).
    pub enrollment_code: String,
    /// Unix seconds.
    pub code_expires_at: i64,
}

/// One account as `GET /v1/admin/accounts` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Account {
    /// `ac_` and 24 hex digits.
    pub account_id: String,
    /// The person's name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Their Ed25519 public key (base64) once enrolled.
    pub signing_key: Option<String>,
    /// Revoked accounts are refused.
    pub revoked: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// The answer to `GET /v1/admin/accounts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountList {
    /// Every account, revoked ones too.
    pub accounts: Vec<Account>,
}

/// `POST /v1/accounts/enroll` body: the code and the person's public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEnroll {
    /// The one-time code.
    pub enrollment_code: String,
    /// Base64 Ed25519 public key (the private key stays in the person's OS keyring).
    pub signing_key: String,
}

/// The answer to `POST /v1/accounts/enroll`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEnrolled {
    /// The account.
    pub account_id: String,
    /// Its role.
    pub role: Role,
    /// The hub's public key (pin it to verify receipts and ledgers).
    pub hub_public_key: String,
}

/// One item of `POST /v1/admin/assign`: text already redacted, with the model's guess.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignItem {
    /// The (redacted) text.
    pub text: String,
    /// The model's intent.
    pub intent: String,
    /// The model's confidence.
    pub confidence: f64,
    /// Why the item needs a human.
    pub reason: Reason,
    /// Other intents the model considered.
    #[serde(default)]
    pub alternatives: Vec<crate::batch::Alternative>,
}

/// An item of an input file as the assignment carries it.
impl From<crate::batch::input::InputItem> for AssignItem {
    fn from(i: crate::batch::input::InputItem) -> AssignItem {
        AssignItem {
            text: i.text,
            intent: i.intent,
            confidence: i.confidence,
            reason: i.reason,
            alternatives: i.alternatives,
        }
    }
}

/// The item as the batch builder reads it.
impl From<AssignItem> for crate::batch::input::InputItem {
    fn from(i: AssignItem) -> crate::batch::input::InputItem {
        crate::batch::input::InputItem {
            text: i.text,
            intent: i.intent,
            confidence: i.confidence,
            reason: i.reason,
            alternatives: i.alternatives,
        }
    }
}

/// `POST /v1/admin/assign` body: items sealed into one batch for one device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The device.
    pub device_id: String,
    /// The intents (the hub's default without).
    #[serde(default)]
    pub taxonomy: Option<Taxonomy>,
    /// The items.
    pub items: Vec<AssignItem>,
    /// Days until the batch expires (1–365, 14 without).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_days: Option<u32>,
}

/// The answer to `POST /v1/admin/assign`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignAnswer {
    /// The sealed batch.
    pub batch_id: String,
    /// Its items' ids, in the request's order.
    pub item_ids: Vec<String>,
}

/// One attempt to deliver a retraining webhook event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WebhookAttempt {
    /// The event attempted.
    pub event_id: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When, Unix milliseconds.
    pub at_ms: i64,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why no answer came (`timeout`, `connect`, `dns`, `tls`, `io`, `other`).
    pub error: Option<String>,
    /// When the next attempt is due (Unix milliseconds); none once the event is final.
    pub next_attempt_at_ms: Option<i64>,
    /// The event's state after this attempt: `pending`, `delivered` or `failed`.
    pub state: String,
}

/// A retraining webhook event and its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WebhookDelivery {
    /// The event id (also the `x-lv-webhook-id` header).
    pub event_id: String,
    /// The seq of the retraining mark that opened the episode (0 before any mark).
    pub episode: i64,
    /// When the event was recorded, Unix milliseconds.
    pub created_at_ms: i64,
    /// `pending`, `delivered`, `failed`, or `superseded` (its episode ended before it
    /// was delivered; not sent again).
    pub state: String,
    /// When the next attempt is due, while pending (Unix milliseconds).
    pub next_attempt_at_ms: Option<i64>,
    /// Every attempt, first first.
    pub attempts: Vec<WebhookAttempt>,
}

/// The answer to `GET /v1/admin/webhook-deliveries`: the newest events first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WebhookDeliveries {
    /// The events.
    pub deliveries: Vec<WebhookDelivery>,
}

// The review calls keep the hub's body beside the typed answer: the CLI's `--json`
// prints it as sent (with what the hub adds, such as `as_of`), the app reads the answer.

/// `?method=…` for a method other than the hub's default, else nothing: the app's
/// outbound ledger records only the query keys its grammar lists, and a default needs
/// no key.
fn method_query(method: Method, sep: char) -> String {
    if method == Method::default() {
        String::new()
    } else {
        format!("{sep}method={}", method.as_str())
    }
}

/// The quality report (`GET /v1/admin/quality`).
pub fn quality(
    client: &AdminClient,
    method: Method,
) -> Result<Received<QualityReport>, AdminError> {
    client.get_received(&format!("/v1/admin/quality{}", method_query(method, '?')))
}

/// Which disagreements to list (`GET /v1/admin/disagreements`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisagreementQuery {
    /// Aggregation the majority and Dawid–Skene views come from.
    pub method: Method,
    /// Also those already adjudicated.
    pub include_adjudicated: bool,
    /// With each message's raw text (the hub records that read on its access ledger).
    pub with_text: bool,
    /// At most this many (1–100000).
    pub limit: usize,
}

/// The disagreements (`GET /v1/admin/disagreements`).
pub fn disagreements(
    client: &AdminClient,
    q: DisagreementQuery,
) -> Result<Received<DisagreementList>, AdminError> {
    // Keys at their defaults are left out (see `method_query`).
    client.get_received(&format!(
        "/v1/admin/disagreements?with_text={}&limit={}{}{}",
        q.with_text,
        q.limit.clamp(1, 100_000),
        if q.include_adjudicated {
            "&include_adjudicated=true"
        } else {
            ""
        },
        method_query(q.method, '&')
    ))
}

/// Adjudicate a message (`POST /v1/admin/adjudications`).
pub fn adjudicate(
    client: &AdminClient,
    req: &AdjudicationRequest,
) -> Result<Received<Adjudication>, AdminError> {
    client.post_received("/v1/admin/adjudications", req)
}

/// Undo the latest decision on a message (`POST /v1/admin/adjudications/{seq}/undo`).
pub fn undo_adjudication(
    client: &AdminClient,
    seq: u64,
    req: &UndoRequest,
) -> Result<Received<Adjudication>, AdminError> {
    client.post_received(&format!("/v1/admin/adjudications/{seq}/undo"), req)
}

/// The adjudication trail (`GET /v1/admin/adjudications`).
pub fn adjudications(client: &AdminClient) -> Result<Received<AdjudicationList>, AdminError> {
    client.get_received("/v1/admin/adjudications")
}

/// The people behind the device ids (`GET /v1/admin/annotators`).
pub fn annotators(client: &AdminClient) -> Result<Received<AnnotatorList>, AdminError> {
    client.get_received("/v1/admin/annotators")
}

/// The missed-PII report (`GET /v1/admin/missed-pii`).
pub fn missed_pii(client: &AdminClient) -> Result<Received<MissedPiiReport>, AdminError> {
    client.get_received("/v1/admin/missed-pii")
}

/// Turn one report row into the company's terms (`POST /v1/admin/missed-pii/confirm`).
pub fn confirm_terms(
    client: &AdminClient,
    req: &ConfirmTermsRequest,
) -> Result<Received<ConfirmTermsAnswer>, AdminError> {
    client.post_received("/v1/admin/missed-pii/confirm", req)
}

/// A model version as a query value: checked against the version grammar (so that it
/// cannot carry other query keys or words), with `+` written `%2B` (a bare `+` reads as
/// a space). `what` names the key in the error.
fn version_query(what: &str, v: &str) -> Result<String, AdminError> {
    crate::pipeline::check_model_version(v)
        .map_err(|e| AdminError::new("bad_input", e.replace("`model_version`", what)))?;
    Ok(v.replace('+', "%2B"))
}

/// Which evaluation to read (`GET /v1/admin/evaluation` and its HTML report).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvaluationQuery {
    /// Aggregation of the human labels.
    pub method: Method,
    /// One model version's predictions only (each message's current one without).
    pub model_version: Option<String>,
}

impl EvaluationQuery {
    /// The path of the JSON answer (`html`: of the HTML report). Keys at the hub's
    /// defaults are left out (see `method_query`).
    pub fn path(&self, html: bool) -> Result<String, AdminError> {
        let mut path = format!(
            "/v1/admin/evaluation{}{}",
            if html { ".html" } else { "" },
            method_query(self.method, '?')
        );
        if let Some(v) = &self.model_version {
            let sep = if path.contains('?') { '&' } else { '?' };
            path.push_str(&format!(
                "{sep}model_version={}",
                version_query("`--model-version`", v)?
            ));
        }
        Ok(path)
    }
}

/// The model's evaluation (`GET /v1/admin/evaluation`) with the hub's defaults.
pub fn evaluation(client: &AdminClient) -> Result<EvaluationAnswer, AdminError> {
    evaluation_received(client, &EvaluationQuery::default()).map(|r| r.answer)
}

/// The model's evaluation (`GET /v1/admin/evaluation`), keeping the hub's body as sent.
pub fn evaluation_received(
    client: &AdminClient,
    q: &EvaluationQuery,
) -> Result<Received<EvaluationAnswer>, AdminError> {
    client.get_received(&q.path(false)?)
}

/// Compare two model versions (`GET /v1/admin/evaluation/compare?a=&b=`) with the
/// hub's default aggregation.
pub fn compare(client: &AdminClient, a: &str, b: &str) -> Result<ComparisonAnswer, AdminError> {
    compare_received(client, Method::default(), a, b).map(|r| r.answer)
}

/// Compare two model versions under `method`, keeping the hub's body as sent. A version
/// outside the version grammar is refused here, before anything is sent.
pub fn compare_received(
    client: &AdminClient,
    method: Method,
    a: &str,
    b: &str,
) -> Result<Received<ComparisonAnswer>, AdminError> {
    client.get_received(&format!(
        "/v1/admin/evaluation/compare?a={}&b={}{}",
        version_query("the first version", a)?,
        version_query("the second version", b)?,
        method_query(method, '&')
    ))
}

/// Whether retraining is due (`GET /v1/admin/retrain`).
pub fn retrain_status(client: &AdminClient) -> Result<RetrainStatus, AdminError> {
    retrain_status_received(client).map(|r| r.answer)
}

/// [`retrain_status`], keeping the hub's body as sent (the CLI's `--json` prints it).
pub fn retrain_status_received(
    client: &AdminClient,
) -> Result<Received<RetrainStatus>, AdminError> {
    client.get_received("/v1/admin/retrain")
}

/// Record a training run or an outside export (`POST /v1/admin/retrain/mark`); new
/// labels are counted from it.
pub fn retrain_mark(
    client: &AdminClient,
    kind: RetrainMarkKind,
) -> Result<Received<RetrainStatus>, AdminError> {
    client.post_received("/v1/admin/retrain/mark", &RetrainMarkRequest::of(kind))
}

/// Set how many new labels make retraining due (`POST /v1/admin/retrain/threshold`).
pub fn retrain_threshold(
    client: &AdminClient,
    threshold: u64,
) -> Result<Received<RetrainStatus>, AdminError> {
    client.post_received(
        "/v1/admin/retrain/threshold",
        &RetrainThresholdRequest { threshold },
    )
}

/// An account for a person (`POST /v1/admin/accounts`).
pub fn create_account(
    client: &AdminClient,
    req: &AccountRequest,
) -> Result<AccountCreated, AdminError> {
    client.post_as("/v1/admin/accounts", req)
}

/// Every account (`GET /v1/admin/accounts`).
pub fn accounts(client: &AdminClient) -> Result<AccountList, AdminError> {
    client.get_as("/v1/admin/accounts")
}

/// An annotator with a one-time enrollment code for their device
/// (`POST /v1/admin/annotators`).
pub fn create_annotator(
    client: &AdminClient,
    name: &str,
) -> Result<crate::protocol::AnnotatorCreated, AdminError> {
    client.post_as(
        "/v1/admin/annotators",
        &crate::protocol::CreateAnnotator { name: name.into() },
    )
}

/// Seal items into a batch for a device (`POST /v1/admin/assign`).
pub fn assign(client: &AdminClient, req: &AssignRequest) -> Result<AssignAnswer, AdminError> {
    client.post_as("/v1/admin/assign", req)
}

/// The newest retraining webhook events with their attempts
/// (`GET /v1/admin/webhook-deliveries?limit=`, 1–1000).
pub fn webhook_deliveries(
    client: &AdminClient,
    limit: u32,
) -> Result<Received<WebhookDeliveries>, AdminError> {
    client.get_received(&format!(
        "/v1/admin/webhook-deliveries?limit={}",
        limit.clamp(1, 1000)
    ))
}

/// Erase messages (`POST /v1/admin/erase`); answers the signed receipt.
pub fn erase(
    client: &AdminClient,
    req: &crate::erasure::EraseRequest,
) -> Result<crate::erasure::ErasureReceipt, AdminError> {
    client.post_as("/v1/admin/erase", req)
}

/// An erasure's receipt, signed now (`GET /v1/admin/erasures/{id}`); the id must be an
/// erasure id.
pub fn erasure_status(
    client: &AdminClient,
    erasure_id: &str,
) -> Result<crate::erasure::ErasureReceipt, AdminError> {
    if !crate::grammar::ERASURE_ID.matches(erasure_id) {
        return Err(AdminError::new(
            "bad_input",
            "an erasure id is \"er_\" and 24 hex digits, as an earlier erasure answered",
        ));
    }
    client.get_as(&format!("/v1/admin/erasures/{erasure_id}"))
}

/// Dry-run a selection (`POST /v1/admin/select`).
pub fn select(client: &AdminClient, req: &SelectRequest) -> Result<SelectAnswer, AdminError> {
    select_received(client, req).map(|r| r.answer)
}

/// [`select`], keeping the hub's body as sent (the CLI's `--json` prints it).
pub fn select_received(
    client: &AdminClient,
    req: &SelectRequest,
) -> Result<Received<SelectAnswer>, AdminError> {
    client.post_received("/v1/admin/select", req)
}

/// Dispatch (`POST /v1/admin/dispatch`).
pub fn dispatch(
    client: &AdminClient,
    req: &DispatchRequest,
) -> Result<DispatchResponse, AdminError> {
    dispatch_received(client, req).map(|r| r.answer)
}

/// [`dispatch`], keeping the hub's body as sent (the CLI's `--json` prints it).
pub fn dispatch_received(
    client: &AdminClient,
    req: &DispatchRequest,
) -> Result<Received<DispatchResponse>, AdminError> {
    client.post_received("/v1/admin/dispatch", req)
}

/// The pipeline's counts (`GET /v1/admin/pipeline`).
pub fn pipeline_status(client: &AdminClient) -> Result<PipelineStatus, AdminError> {
    pipeline_status_received(client).map(|r| r.answer)
}

/// [`pipeline_status`], keeping the hub's body as sent (the CLI's `--json` prints it).
pub fn pipeline_status_received(
    client: &AdminClient,
) -> Result<Received<PipelineStatus>, AdminError> {
    client.get_received("/v1/admin/pipeline")
}

/// Return copies whose lease ended to the pool (`POST /v1/admin/leases/reclaim`).
pub fn reclaim(client: &AdminClient, req: &ReclaimRequest) -> Result<ReclaimAnswer, AdminError> {
    client.post_as("/v1/admin/leases/reclaim", req)
}

/// Store gold answers (`POST /v1/admin/gold`).
pub fn gold(client: &AdminClient, req: &GoldRequest) -> Result<GoldStored, AdminError> {
    client.post_as("/v1/admin/gold", req)
}

/// Mark a company (`POST /v1/admin/companies`).
pub fn company(client: &AdminClient, req: &CompanyRequest) -> Result<CompanyAnswer, AdminError> {
    client.post_as("/v1/admin/companies", req)
}

/// Withdraw a batch its device has not fetched (`POST /v1/admin/batches/{id}/withdraw`).
pub fn withdraw(client: &AdminClient, batch_id: &str) -> Result<WithdrawAnswer, AdminError> {
    client.post_as(
        &format!("/v1/admin/batches/{batch_id}/withdraw"),
        &serde_json::json!({}),
    )
}

/// The `GET /v1/admin/export` path for a format and split seed.
pub fn export_path(format: ExportFormat, seed: u64) -> String {
    format!("/v1/admin/export?format={format}&seed={seed}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request that leaves everything out gets the documented defaults, and a
    /// request built with the defaults says the same as one that leaves them out.
    #[test]
    fn defaults_are_what_a_request_leaves_out() {
        let r: DispatchRequest =
            serde_json::from_str(r#"{"selection": {"from": 0, "to": 10}}"#).unwrap();
        assert_eq!(r, DispatchRequest::of(Selection::window(0, 10)));
        assert_eq!(r.selection.strategy, Strategy::LeastConfidence);
        assert_eq!((r.overlap, r.batch_size, r.lease_secs), (1, 50, 604_800));
        let json = serde_json::to_value(&r).unwrap();
        assert!(json.get("devices").is_none() && json.get("taxonomy").is_none());
    }

    /// The app's plan carries strategy, cap, seed and label-error budget into both
    /// requests.
    #[test]
    fn a_plan_carries_its_ranking_into_both_requests() {
        let plan: BatchPlan = serde_json::from_str(
            r#"{"from": 1, "to": 2, "strategy": "entropy", "per_intent_cap": 3, "seed": 9, "label_error_budget": 4, "devices": ["d1"]}"#,
        )
        .unwrap();
        let s = plan.select_request();
        assert_eq!(s.selection.strategy, Strategy::Entropy);
        assert_eq!((s.selection.per_intent_cap, s.selection.seed), (3, 9));
        let d = plan.dispatch_request(None, String::new());
        assert_eq!(d.selection, s.selection);
        assert_eq!(d.selection.label_error_budget, 4);
        assert_eq!(d.devices, Some(vec!["d1".to_string()]));
        let mut over = plan.clone();
        over.label_error_budget = defaults::MAX_LABEL_ERROR_BUDGET + 1;
        assert_eq!(over.check().unwrap_err().code, "bad_input");
    }

    /// Enum names parse back to themselves, and the CLI's short spellings still parse.
    #[test]
    fn enum_names_round_trip() {
        for f in ExportFormat::ALL {
            assert_eq!(f.as_str().parse::<ExportFormat>(), Ok(f));
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
        assert_eq!("label_studio".parse(), Ok(ExportFormat::LabelStudio));
        assert!("csv".parse::<ExportFormat>().is_err());
        for s in [
            Strategy::LeastConfidence,
            Strategy::Margin,
            Strategy::Entropy,
        ] {
            assert_eq!(s.as_str().parse::<Strategy>(), Ok(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!("lc".parse(), Ok(Strategy::LeastConfidence));
    }

    /// The hub reads the CLI's short strategy spellings as the documented name, and
    /// still refuses a name that is none of them.
    #[test]
    fn strategy_spellings_the_cli_accepts_parse_in_a_request() {
        for spelling in ["least_confidence", "lc", "least-confidence"] {
            let r: SelectRequest = serde_json::from_value(serde_json::json!({
                "selection": {"from": 0, "to": 1, "strategy": spelling}
            }))
            .unwrap();
            assert_eq!(
                r.selection.strategy,
                Strategy::LeastConfidence,
                "{spelling}"
            );
            assert_eq!(
                serde_json::to_value(r.selection.strategy).unwrap(),
                "least_confidence"
            );
        }
        let bad = serde_json::from_value::<SelectRequest>(serde_json::json!({
            "selection": {"from": 0, "to": 1, "strategy": "least confidence"}
        }))
        .unwrap_err()
        .to_string();
        assert!(
            bad.contains("unknown variant") && bad.contains("`least_confidence`, `margin`"),
            "{bad}"
        );
        for (spelling, m) in [
            ("dawid_skene", Method::DawidSkene),
            ("dawid-skene", Method::DawidSkene),
            ("majority", Method::Majority),
        ] {
            assert_eq!(
                serde_json::from_value::<Method>(spelling.into()).unwrap(),
                m
            );
            assert_eq!(spelling.parse::<Method>(), Ok(m));
        }
        assert!(serde_json::from_value::<Method>("mean".into()).is_err());
    }

    /// The paths the client sends for non-default aggregation and model versions are
    /// ones the app's outbound ledger records; a version that could carry other words
    /// is refused before anything is sent.
    #[test]
    fn the_clients_evaluation_paths_pass_the_ledger_grammar() {
        let call = crate::protocol::AdminCall::of("GET", b"");
        let q = EvaluationQuery {
            method: Method::Majority,
            model_version: Some("v2+cuda".into()),
        };
        for html in [false, true] {
            let p = q.path(html).unwrap();
            assert!(
                p.contains("method=majority") && p.contains("v2%2Bcuda"),
                "{p}"
            );
            assert_eq!(crate::grammar::check_admin_call(&p, &call), Ok(()), "{p}");
        }
        assert_eq!(
            EvaluationQuery::default().path(false).unwrap(),
            "/v1/admin/evaluation"
        );
        let bad = EvaluationQuery {
            method: Method::DawidSkene,
            model_version: Some("v1&a=Anna".into()),
        };
        let e = bad.path(false).unwrap_err();
        assert_eq!(e.code, "bad_input");
        assert!(!e.message.contains("Anna"), "{}", e.message);
        let quality = format!("/v1/admin/quality{}", method_query(Method::Majority, '?'));
        assert_eq!(crate::grammar::check_admin_call(&quality, &call), Ok(()));
    }

    /// A gold file reads the same as JSON lines or CSV rows; a bad line is named by
    /// number without its content.
    #[test]
    fn gold_files_read_as_jsonl_or_csv() {
        let want = vec![
            GoldAnswer {
                message_id: "m1".into(),
                intent: "refund".into(),
            },
            GoldAnswer {
                message_id: "m2".into(),
                intent: "card_lost".into(),
            },
        ];
        let jsonl = "{\"message_id\": \"m1\", \"intent\": \"refund\", \"text\": \"x\"}\n\n{\"message_id\": \"m2\", \"intent\": \"card_lost\"}\n";
        assert_eq!(read_gold_file(jsonl).unwrap(), want);
        let csv = "message_id,intent\nm1,refund\n\"m2\", card_lost\n";
        assert_eq!(read_gold_file(csv).unwrap(), want);
        let e = read_gold_file(
            "{\"message_id\": \"m1\", \"intent\": \"refund\"}\n{\"message_id\": \"Secret Name\"}\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(!e.to_string().contains("Secret"), "{e}");
        let e = read_gold_file("{\"message_id\": \"m1\", \"intent\": \"refund\"}\n{not json\n")
            .unwrap_err();
        assert_eq!(
            (e.line, e.problem.contains("malformed JSON")),
            (Some(2), true)
        );
        assert_eq!(read_gold_file("m1 refund\n").unwrap_err().line, Some(1));
        assert_eq!(read_gold_file("\n").unwrap_err().line, None);
    }

    /// Roles and retraining marks read back from their wire names only.
    #[test]
    fn roles_and_mark_kinds_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert!("Manager".parse::<Role>().is_err());
        for k in [RetrainMarkKind::Training, RetrainMarkKind::Export] {
            assert_eq!(RetrainMarkKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        let r: RetrainMarkRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(r, RetrainMarkRequest::of(RetrainMarkKind::Training));
        assert!(
            serde_json::from_str::<RetrainThresholdRequest>(r#"{"threshold": 1, "x": 2}"#).is_err()
        );
    }

    /// A preview keeps the pool's size and only its first entries.
    #[test]
    fn a_preview_counts_the_whole_pool() {
        let e = PoolEntry {
            message_id: "m".into(),
            reason: Reason::LowConfidence,
            company: "c".into(),
            channel: "chat".into(),
            received_at: 0,
            model_intent: "i".into(),
            confidence: 0.5,
            copies_needed: 1,
        };
        let p = Preview::of(SelectAnswer {
            composition: Composition::default(),
            copies_needed: 30,
            entries: vec![e; 30],
        });
        assert_eq!((p.pool_size, p.entries.len()), (30, Preview::SHOWN));
    }
}
