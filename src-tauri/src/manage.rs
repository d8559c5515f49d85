//! The Manage view's commands, for a manager credential (hub URL + admin token, the
//! token kept in the OS keyring): load messages, see the pool, create and assign
//! batches, watch progress, adjudicate, download exports and the evaluation report.
//! Each command forwards to `labelvault_core::manage` on a worker thread, so a slow
//! hub never freezes the window.

use crate::error::{IpcError, IpcResult};
use crate::state::{off_main, AppState};
use base64::Engine as _;
use labelvault_core::admin_api::{
    self, Adjudication, AdjudicationRequest, AnnotatorList, BatchPlan, CompanyAnswer,
    CompanyRequest, ComparisonAnswer, ConfirmTermsAnswer, ConfirmTermsRequest, DisagreementList,
    DisagreementQuery, DispatchResponse, EvaluationAnswer, ExportFormat, GoldRequest, GoldStored,
    Method, MissedPiiReport, PiiKind, PipelineStatus, Preview, QualityReport, RetrainStatus,
    UndoRequest,
};
use labelvault_core::manage::{self, AdminClient, AdminError, DeviceProgress, IngestSummary};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// How long one admin call may take (a dispatch seals and redacts many batches).
const ADMIN_TIMEOUT: Duration = Duration::from_secs(600);

impl From<AdminError> for IpcError {
    fn from(e: AdminError) -> Self {
        IpcError::new(&e.code, e.message)
    }
}

/// Every admin call is written to this device's ledger before it leaves — its method,
/// path, body hash, size and row count, never the body — so the Audit view and
/// `audit verify` show the manager's traffic beside the annotator's.
fn recorder(st: AppState, hub_url: String) -> manage::Recorder {
    Box::new(move |method, path, body| {
        let refused = |m: String| AdminError::new("ledger", m);
        let call = labelvault_core::protocol::AdminCall::of(method, body);
        labelvault_core::grammar::check_admin_call(path, &call)
            .and_then(|_| labelvault_core::grammar::check_hub_url(&hub_url))
            .map_err(|p| {
                refused(format!(
                    "this call cannot be recorded in the ledger ({p}); nothing was sent"
                ))
            })?;
        let record = serde_json::to_vec(&call).map_err(|e| refused(e.to_string()))?;
        let mut v = st.vault().map_err(|e| refused(e.message))?;
        v.append_ledger(
            &hub_url,
            labelvault_core::ledger::ADMIN,
            path,
            &record,
            None,
        )
        .map_err(|e| {
            refused(format!(
                "cannot record the call in the ledger ({e}); nothing was sent"
            ))
        })?;
        Ok(())
    })
}

/// The connected hub's client, from the saved credential; its calls are ledgered.
pub(crate) fn client(state: &AppState) -> IpcResult<AdminClient> {
    let profile = state.profile()?;
    match manage::load_credential(profile, state.manager_keys())? {
        Some((link, token)) => {
            // A person's own account key for this hub, if one is enrolled on this
            // machine (`labelvault account enroll`), signs instead of the token.
            let client = match manage::enrolled_account(state.manager_keys(), &link.hub_url)? {
                Some((id, key)) => {
                    AdminClient::with_account(&link.hub_url, &id, key, ADMIN_TIMEOUT)?
                }
                None => AdminClient::new(&link.hub_url, &token, ADMIN_TIMEOUT)?,
            };
            Ok(client.with_recorder(recorder(state.clone(), link.hub_url.clone())))
        }
        None => Err(IpcError::new(
            "manager_not_connected",
            "connect to a hub first: enter its URL and admin token (the hub's admin.token file)",
        )),
    }
}

/// The saved manager link, if any (no secret in it).
#[derive(Debug, Serialize)]
pub struct ManagerLinkView {
    /// Hub URL.
    pub hub_url: String,
}

/// The hub this app manages, or `null` when it was never connected.
#[tauri::command]
pub fn manage_link(state: tauri::State<'_, AppState>) -> IpcResult<Option<ManagerLinkView>> {
    let profile = state.profile()?;
    Ok(manage::load_credential(profile, state.manager_keys())?
        .map(|(l, _)| ManagerLinkView { hub_url: l.hub_url }))
}

/// Check the URL and token against the hub, then save them (token to the keyring).
#[tauri::command]
pub async fn manage_connect(
    state: tauri::State<'_, AppState>,
    hub_url: String,
    token: String,
) -> IpcResult<ManagerLinkView> {
    let st = state.inner().clone();
    off_main(move || {
        let c = AdminClient::new(&hub_url, &token, Duration::from_secs(15))?;
        let c = {
            let url = c.url().to_string();
            c.with_recorder(recorder(st.clone(), url))
        };
        // A typed read: an answer of another shape is not a LabelVault hub.
        admin_api::pipeline_status(&c)?;
        let link = manage::save_credential(st.profile()?, st.manager_keys(), c.url(), &token)?;
        Ok(ManagerLinkView {
            hub_url: link.hub_url,
        })
    })
    .await
}

/// Forget the manager credential.
#[tauri::command]
pub fn manage_forget(state: tauri::State<'_, AppState>) -> IpcResult<()> {
    Ok(manage::forget_credential(
        state.profile()?,
        state.manager_keys(),
    )?)
}

/// The pool's counts and each device's progress.
#[derive(Debug, Serialize)]
pub struct Overview {
    /// The hub's pipeline counts (messages, gold, open/labelled/returned copies).
    pub pipeline: PipelineStatus,
    /// Per device.
    pub devices: Vec<DeviceProgress>,
}

/// Counts and per-device progress.
#[tauri::command]
pub async fn manage_overview(state: tauri::State<'_, AppState>) -> IpcResult<Overview> {
    let st = state.inner().clone();
    off_main(move || {
        let c = client(&st)?;
        Ok(Overview {
            pipeline: admin_api::pipeline_status(&c)?,
            devices: manage::device_progress(&c.get("/v1/admin/items")?)?,
        })
    })
    .await
}

/// Send a message file (its bytes, base64) to the hub.
#[tauri::command]
pub async fn manage_ingest(
    state: tauri::State<'_, AppState>,
    file_name: String,
    bytes_b64: String,
) -> IpcResult<IngestSummary> {
    let st = state.inner().clone();
    off_main(move || {
        let c = client(&st)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(bytes_b64.as_bytes())
            .map_err(|_| {
                IpcError::new("bad_input", "the file could not be read; choose it again")
            })?;
        let label: String = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("input")
            .chars()
            .take(80)
            .collect();
        Ok(manage::ingest_file(&c, &bytes, &label, |_| {}, |_, _| {})?)
    })
    .await
}

/// A command argument of one of the admin API's types, read by the shell itself so that
/// a malformed one (an unknown strategy, a number out of range) is refused as
/// `bad_input` saying what to fix, like every other refusal of the form, instead of
/// Tauri's own uncoded error.
#[derive(Debug)]
pub struct Arg<T>(Result<T, String>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Arg<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        // serde names the field and what it must be; a plan holds no message text.
        Ok(Arg(serde_json::from_value(v).map_err(|e| e.to_string())))
    }
}

impl<T> Arg<T> {
    /// The argument, or the form's refusal naming `what`.
    fn read(self, what: &str) -> IpcResult<T> {
        self.0.map_err(|e| {
            IpcError::new(
                "bad_input",
                format!("the {what} is not valid ({e}); correct it in the form"),
            )
        })
    }
}

/// A plan the hub would refuse, refused in the form's own words before any call.
fn read_plan(plan: Arg<BatchPlan>) -> IpcResult<BatchPlan> {
    let plan = plan.read("batch plan")?;
    plan.check()?;
    Ok(plan)
}

/// A dry run of the plan: the pool's make-up, how many items it would hand out, and
/// its first entries (never any text).
#[tauri::command]
pub async fn manage_preview(
    state: tauri::State<'_, AppState>,
    plan: Arg<BatchPlan>,
) -> IpcResult<Preview> {
    let plan = read_plan(plan)?;
    let st = state.inner().clone();
    off_main(move || {
        let c = client(&st)?;
        Ok(Preview::of(admin_api::select(&c, &plan.select_request())?))
    })
    .await
}

/// What a taxonomy file holds, for the dispatch form and its confirmation.
#[derive(Debug, Serialize)]
pub struct TaxonomySummary {
    /// The taxonomy's id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// How many intents.
    pub intents: usize,
    /// How many distinct non-empty groups.
    pub groups: usize,
    /// How many intents carry example phrasings.
    pub with_examples: usize,
}

/// Parse a taxonomy file (docs/batch-format.md) and check it by the rules a device
/// applies on import, so a bad file is refused at the form, not after sealing.
fn read_taxonomy(content_b64: &str) -> IpcResult<labelvault_core::batch::Taxonomy> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content_b64.as_bytes())
        .map_err(|_| {
            IpcError::new(
                "bad_input",
                "the taxonomy file could not be read; choose it again",
            )
        })?;
    let taxonomy = labelvault_core::batch::input::parse_taxonomy(&bytes)?;
    taxonomy
        .validate()
        .map_err(|e| IpcError::new("bad_input", format!("the taxonomy file is not usable: {e}")))?;
    Ok(taxonomy)
}

/// Read and check a taxonomy file (its bytes, base64) without sending anything.
#[tauri::command]
pub fn manage_taxonomy(content_b64: String) -> IpcResult<TaxonomySummary> {
    let t = read_taxonomy(&content_b64)?;
    let groups: std::collections::BTreeSet<&str> = t
        .intents
        .iter()
        .map(|i| i.group.as_str())
        .filter(|g| !g.is_empty())
        .collect();
    Ok(TaxonomySummary {
        intents: t.intents.len(),
        groups: groups.len(),
        with_examples: t.intents.iter().filter(|i| !i.examples.is_empty()).count(),
        id: t.id,
        version: t.version,
    })
}

/// Create the batches and assign them to devices, with the manager's taxonomy file
/// (base64; otherwise the hub derives one from the messages) and guidelines for the
/// annotators (plain text; empty: none).
#[tauri::command]
pub async fn manage_dispatch(
    state: tauri::State<'_, AppState>,
    plan: Arg<BatchPlan>,
    taxonomy_b64: Option<String>,
    guidelines: Option<String>,
) -> IpcResult<DispatchResponse> {
    let plan = read_plan(plan)?;
    let st = state.inner().clone();
    let taxonomy = taxonomy_b64.as_deref().map(read_taxonomy).transpose()?;
    let guidelines = guidelines.unwrap_or_default();
    let limit = labelvault_core::batch::limits::MAX_GUIDELINES;
    if guidelines.len() > limit {
        return Err(IpcError::new(
            "bad_input",
            format!(
                "the guidelines are {} bytes; shorten them to at most {limit} bytes (32 KiB)",
                guidelines.len()
            ),
        ));
    }
    off_main(move || {
        let c = client(&st)?;
        let guidelines = if guidelines.trim().is_empty() {
            String::new()
        } else {
            guidelines
        };
        Ok(admin_api::dispatch(
            &c,
            &plan.dispatch_request(taxonomy, guidelines),
        )?)
    })
    .await
}

/// Where downloads go: `$LABELVAULT_EXPORT_DIR`, else the user's Downloads folder,
/// else `exports/` in the profile.
pub(crate) fn export_dir(state: &AppState) -> IpcResult<PathBuf> {
    let dir = match std::env::var_os("LABELVAULT_EXPORT_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => directories::UserDirs::new()
            .and_then(|u| u.download_dir().map(|d| d.join("LabelVault")))
            .unwrap_or(state.profile()?.dir().join("exports")),
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        IpcError::new(
            "export_dir",
            format!(
                "cannot create {}: {e}; free some space or set LABELVAULT_EXPORT_DIR",
                dir.display()
            ),
        )
    })?;
    Ok(dir)
}

/// A file the Manage view saved.
#[derive(Debug, Serialize)]
pub struct Saved {
    /// Where.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// For a training export: rows per split (train / validation / test).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub splits: Option<std::collections::BTreeMap<String, u64>>,
}

/// Save a download atomically, so a crash leaves no half file.
pub(crate) fn save(dir: &std::path::Path, name: &str, bytes: &[u8]) -> IpcResult<Saved> {
    let path = dir.join(name);
    labelvault_core::keystore::write_atomically(&path, bytes).map_err(|e| {
        IpcError::new(
            "export_write",
            format!(
                "cannot write {}: {e}; free some space and try again",
                path.display()
            ),
        )
    })?;
    Ok(Saved {
        path: path.display().to_string(),
        bytes: bytes.len() as u64,
        splits: None,
    })
}

/// Agreement and annotator quality (the hub's quality report), under the hub's default
/// aggregation or the one asked for.
#[tauri::command]
pub async fn manage_quality(
    state: tauri::State<'_, AppState>,
    method: Option<Arg<Method>>,
) -> IpcResult<QualityReport> {
    let method = read_method(method)?;
    let st = state.inner().clone();
    off_main(move || Ok(admin_api::quality(&client(&st)?, method)?.answer)).await
}

/// The aggregation method a view asked for; the hub's default without one.
fn read_method(method: Option<Arg<Method>>) -> IpcResult<Method> {
    method.map_or(Ok(Method::default()), |m| m.read("aggregation method"))
}

/// What annotators marked as missed personal data, by guessed kind, company and week
/// (counts only; the hub never sends the marked text).
#[tauri::command]
pub async fn manage_missed_pii(state: tauri::State<'_, AppState>) -> IpcResult<MissedPiiReport> {
    let st = state.inner().clone();
    off_main(move || Ok(admin_api::missed_pii(&client(&st)?)?.answer)).await
}

/// The people behind the device ids (names as the manager entered them).
#[tauri::command]
pub async fn manage_annotators(state: tauri::State<'_, AppState>) -> IpcResult<AnnotatorList> {
    let st = state.inner().clone();
    off_main(move || Ok(admin_api::annotators(&client(&st)?)?.answer)).await
}

/// Turn one row of the missed-PII report into the company's terms (the hub keeps the
/// terms; the answer has counts only).
#[tauri::command]
pub async fn manage_confirm_terms(
    state: tauri::State<'_, AppState>,
    week: String,
    company: String,
    guess: String,
    as_kind: Arg<Option<PiiKind>>,
) -> IpcResult<ConfirmTermsAnswer> {
    let st = state.inner().clone();
    let req = ConfirmTermsRequest {
        week,
        company,
        guess,
        as_kind: as_kind.read("kind of personal data")?,
    };
    off_main(move || Ok(admin_api::confirm_terms(&client(&st)?, &req)?.answer)).await
}

/// Open disagreements, most contested first, with the message text so the manager can
/// decide (the text stays in the webview; it is never logged).
#[tauri::command]
pub async fn manage_disagreements(
    state: tauri::State<'_, AppState>,
    with_text: Option<bool>,
    method: Option<Arg<Method>>,
    include_adjudicated: Option<bool>,
) -> IpcResult<DisagreementList> {
    let method = read_method(method)?;
    let st = state.inner().clone();
    // The raw text only on an explicit reveal: that request is in the device ledger.
    let q = DisagreementQuery {
        method,
        include_adjudicated: include_adjudicated.unwrap_or(false),
        with_text: with_text.unwrap_or(false),
        limit: 200,
    };
    off_main(move || Ok(admin_api::disagreements(&client(&st)?, q)?.answer)).await
}

/// Load gold answers (`{"message_id","intent"}` per line, JSONL) for hidden gold items:
/// all or none, each bad line named by number.
#[tauri::command]
pub async fn manage_gold(
    state: tauri::State<'_, AppState>,
    content_b64: String,
) -> IpcResult<GoldStored> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content_b64.as_bytes())
        .map_err(|_| IpcError::new("bad_input", "the gold file could not be read"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| IpcError::new("bad_input", "the gold file is not UTF-8 text"))?;
    let answers = admin_api::read_gold_file(&text).map_err(|e| {
        IpcError::new(
            "bad_input",
            format!("the gold file {e}; nothing was loaded"),
        )
    })?;
    let st = state.inner().clone();
    off_main(move || Ok(admin_api::gold(&client(&st)?, &GoldRequest { answers })?)).await
}

/// Mark a company newly onboarded (selection then samples its messages), or no longer.
#[tauri::command]
pub async fn manage_company(
    state: tauri::State<'_, AppState>,
    company: String,
    newly_onboarded: bool,
) -> IpcResult<CompanyAnswer> {
    let st = state.inner().clone();
    off_main(move || {
        Ok(admin_api::company(
            &client(&st)?,
            &CompanyRequest {
                company: company.trim().to_string(),
                newly_onboarded: Some(newly_onboarded),
                training_consent: None,
            },
        )?)
    })
    .await
}

/// Decide a message's label (stored by the hub with its own audit trail).
#[tauri::command]
pub async fn manage_adjudicate(
    state: tauri::State<'_, AppState>,
    message_id: String,
    intent: String,
) -> IpcResult<Adjudication> {
    let st = state.inner().clone();
    let req = AdjudicationRequest {
        message_id,
        intent,
        by: admin_api::DEFAULT_ADJUDICATOR.to_string(),
    };
    off_main(move || Ok(admin_api::adjudicate(&client(&st)?, &req)?.answer)).await
}

/// What became of one batch of a dispatch the manager asked to withdraw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WithdrawOutcome {
    /// The batch.
    pub batch_id: String,
    /// `withdrawn`, `already_fetched` (its device has it: it stays there),
    /// `already_withdrawn`, `unknown_batch`, or `failed` (see `code` and `message`).
    pub outcome: String,
    /// Items back in the pool (withdrawn only).
    pub copies_returned: u64,
    /// The hub's error code when not withdrawn.
    pub code: Option<String>,
    /// What happened, for people (the hub's message; never message text).
    pub message: Option<String>,
}

/// Take back the batches of a dispatch whose devices have not fetched them: one hub
/// call per batch, each with its own outcome, so one batch already on its device does
/// not stop the others from coming back.
#[tauri::command]
pub async fn manage_withdraw(
    state: tauri::State<'_, AppState>,
    batch_ids: Vec<String>,
) -> IpcResult<Vec<WithdrawOutcome>> {
    if batch_ids.is_empty() || batch_ids.len() > 10_000 {
        return Err(IpcError::new(
            "bad_input",
            "name between 1 and 10000 batches to withdraw",
        ));
    }
    if let Some(bad) = batch_ids
        .iter()
        .find(|b| !labelvault_core::grammar::BATCH_ID.matches(b))
    {
        return Err(IpcError::new(
            "bad_input",
            format!(
                "{} is not a batch id (\"b_\" and 32 lower-case hex digits)",
                bad.chars().take(40).collect::<String>()
            ),
        ));
    }
    let st = state.inner().clone();
    off_main(move || {
        let c = client(&st)?;
        Ok(batch_ids
            .into_iter()
            .map(|batch_id| match admin_api::withdraw(&c, &batch_id) {
                Ok(r) => WithdrawOutcome {
                    copies_returned: r.copies_returned,
                    batch_id,
                    outcome: "withdrawn".into(),
                    code: None,
                    message: None,
                },
                Err(e) => {
                    let outcome = match e.code.as_str() {
                        "already_fetched" | "already_withdrawn" | "unknown_batch" => e.code.clone(),
                        _ => "failed".into(),
                    };
                    WithdrawOutcome {
                        batch_id,
                        outcome,
                        copies_returned: 0,
                        code: Some(e.code),
                        message: Some(e.message),
                    }
                }
            })
            .collect())
    })
    .await
}

/// Undo the latest adjudication of a message (`seq`): the hub appends an entry restoring
/// what was in force before; its answer is that entry (`intent` "" when the message is
/// open again).
#[tauri::command]
pub async fn manage_undo_adjudication(
    state: tauri::State<'_, AppState>,
    seq: u64,
) -> IpcResult<Adjudication> {
    let st = state.inner().clone();
    off_main(move || {
        Ok(admin_api::undo_adjudication(&client(&st)?, seq, &UndoRequest::default())?.answer)
    })
    .await
}

/// The export format the view asked for (the admin API's names), or why not.
fn export_format(format: &str) -> IpcResult<ExportFormat> {
    format.parse().map_err(|_| {
        IpcError::new(
            "bad_format",
            "choose an export format: jsonl, chat, label-studio, prodigy or argilla",
        )
    })
}

/// The one field of an exported JSONL row the view counts (other formats have none).
#[derive(Deserialize)]
struct SplitOf {
    split: String,
}

/// Download the training set (stratified split, seeded) in one format and save it.
#[tauri::command]
pub async fn manage_export(
    state: tauri::State<'_, AppState>,
    format: String,
    seed: u64,
) -> IpcResult<Saved> {
    let st = state.inner().clone();
    off_main(move || {
        let format = export_format(&format)?;
        let c = client(&st)?;
        let bytes = c.get(&admin_api::export_path(format, seed))?;
        let name = format.file_name();
        let mut saved = save(&export_dir(&st)?, name, &bytes)?;
        // Rows per split, for the view to report (JSONL rows carry a "split" field).
        let mut splits = std::collections::BTreeMap::new();
        for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            if let Ok(row) = serde_json::from_slice::<SplitOf>(line) {
                *splits.entry(row.split).or_insert(0u64) += 1;
            }
        }
        saved.splits = (!splits.is_empty()).then_some(splits);
        Ok(saved)
    })
    .await
}

/// The model's evaluation against human labels: the JSON for the view's charts, and
/// the hub's HTML report saved next to the exports.
#[derive(Debug, Serialize)]
pub struct EvaluationView {
    /// The evaluation (per-intent scores, confusions, calibration).
    pub evaluation: EvaluationAnswer,
    /// The saved HTML report.
    pub report: Saved,
    /// Whether enough new labels have come in to retrain.
    pub retrain: RetrainStatus,
}

/// Evaluate the model and save the HTML report.
#[tauri::command]
pub async fn manage_evaluation(state: tauri::State<'_, AppState>) -> IpcResult<EvaluationView> {
    let st = state.inner().clone();
    off_main(move || {
        let c = client(&st)?;
        let evaluation = admin_api::evaluation(&c)?;
        let html = c.get("/v1/admin/evaluation.html")?;
        let report = save(&export_dir(&st)?, "evaluation.html", &html)?;
        Ok(EvaluationView {
            evaluation,
            report,
            retrain: admin_api::retrain_status(&c)?,
        })
    })
    .await
}

/// Whether `v` can name a model version on the hub (`[A-Za-z0-9._:-]`, 1–64 bytes). A
/// `+`, allowed by the hub, would read as a space in a query; compare such versions
/// with `labelvault evaluate --compare`.
fn model_version_ok(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_:".contains(&b))
}

/// Compare two model versions on the same messages of the export's test split: each
/// one's accuracy and macro-F1, the differences, McNemar's exact test and F1 per intent.
#[tauri::command]
pub async fn manage_compare(
    state: tauri::State<'_, AppState>,
    a: String,
    b: String,
) -> IpcResult<ComparisonAnswer> {
    for v in [&a, &b] {
        if !model_version_ok(v) {
            return Err(IpcError::new(
                "bad_input",
                format!(
                    "{:?} is not a model version this view can compare (letters, digits, . _ : -, at most 64); choose one from the table, or use labelvault evaluate --compare",
                    v.chars().take(70).collect::<String>()
                ),
            ));
        }
    }
    let st = state.inner().clone();
    off_main(move || Ok(admin_api::compare(&client(&st)?, &a, &b)?)).await
}
