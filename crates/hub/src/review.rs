//! The manager's side after labelling: quality and agreement, disagreements and
//! adjudication, the training-set export, the model's evaluation against human labels,
//! the retraining trigger and the Prometheus metrics. Every endpoint needs the admin
//! token (docs/authorization.md); none logs or reports message text, except the export
//! and `with_text=true` disagreements, which return it to the manager on purpose.

use crate::error::HubError;
use crate::quality::{self, Aggregation, Method};
use crate::readmodel::{self, AsOf, WithAsOf};
use crate::store::{MarkKind, NewAdjudication};
use crate::{blocking, AppState};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use labelvault_core::admin_api::{
    AdjudicationList, AdjudicationRequest, ComparisonAnswer, DisagreementList, EvaluationAnswer,
    RetrainMarkKind, RetrainMarkRequest, RetrainStatus, RetrainThresholdRequest, UndoRequest,
};
use labelvault_core::pipeline::evaluate::{self, Judged};
use labelvault_core::pipeline::export::{self, Example, Split};
use std::collections::HashSet;
use std::sync::Arc;

/// Query parameters, checked strictly: an unknown name is refused, so a typo never
/// silently falls back to a default.
struct Params(Vec<(String, String)>);

impl Params {
    fn new(q: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Result<Params, HubError> {
        q.map(|Query(v)| Params(v))
            .map_err(|_| HubError::bad("malformed", "the query string is not valid URL encoding"))
    }

    fn take(&mut self, key: &str) -> Option<String> {
        let pos = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(pos).1)
    }

    fn flag(&mut self, key: &'static str, default: bool) -> Result<bool, HubError> {
        match self.take(key).as_deref() {
            None => Ok(default),
            Some("true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(_) => Err(HubError::bad(
                "invalid",
                format!("`{key}` must be true or false"),
            )),
        }
    }

    fn method(&mut self) -> Result<Method, HubError> {
        match self.take("method") {
            None => Ok(Method::DawidSkene),
            Some(m) => Method::parse(&m).ok_or_else(|| {
                HubError::bad("bad_method", "`method` must be dawid_skene or majority")
            }),
        }
    }

    fn finish(self) -> Result<(), HubError> {
        match self.0.first() {
            None => Ok(()),
            Some((k, _)) => Err(HubError::bad(
                "unknown_field",
                format!(
                    "unknown query parameter `{}`; see docs/openapi.yaml",
                    k.chars().take(40).collect::<String>()
                ),
            )),
        }
    }
}

/// Build the read model's default answers in the background (at hub start), so the
/// manager's first reads on a large hub do not wait for a full recompute: quality,
/// disagreements, the default JSONL export and the evaluation with Dawid–Skene, and the
/// /metrics figures.
pub fn warm(s: &AppState) {
    let s = s.clone();
    let started = std::thread::Builder::new()
        .name("read-model-warm".into())
        .spawn(move || {
            let t = std::time::Instant::now();
            let run = || -> Result<(), HubError> {
                let v = readmodel::read(&s, Method::DawidSkene)?;
                quality_report(&s, Method::DawidSkene)?;
                v.derived(&s, "disagreements".into(), false, 1, all_disagreements)?;
                let shape = ExportShape::default_jsonl();
                v.derived(&s, format!("export:{shape:?}"), true, 3, move |s, agg| {
                    make_export(s, agg, &shape)
                })?;
                evaluated(&s, Method::DawidSkene, None)?;
                metrics_with_lag(&s)?;
                Ok(())
            };
            match run() {
                Ok(()) => tracing::info!(
                    ms = t.elapsed().as_millis() as u64,
                    "built the manager's read model"
                ),
                Err(e) => tracing::warn!(error = %e, "could not build the manager's read model at start; the first manager reads build it"),
            }
        });
    if started.is_err() {
        tracing::warn!(
            "could not start building the manager's read model; the first manager reads build it"
        );
    }
}

/// `GET /v1/admin/quality`.
pub async fn quality(
    State(s): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, HubError> {
    let mut p = Params::new(q)?;
    let method = p.method()?;
    p.finish()?;
    let (report, as_of) = blocking(move || {
        let (report, as_of) = quality_report(&s, method)?;
        let mut report = (*report).clone();
        let names: std::collections::HashMap<String, String> = s
            .store
            .annotators()?
            .into_iter()
            .map(|a| (a.annotator_id, a.name))
            .collect();
        for a in &mut report.annotators {
            a.name = names.get(&a.annotator_id).cloned();
        }
        Ok((report, as_of))
    })
    .await?;
    Ok(Json(WithAsOf {
        body: report,
        as_of,
    })
    .into_response())
}

/// The quality report of `method` from the read model (without annotator names).
fn quality_report(
    s: &AppState,
    method: Method,
) -> Result<(Arc<quality::QualityReport>, AsOf), HubError> {
    let v = readmodel::read(s, method)?;
    let report = v.derived(s, "quality".into(), false, 1, |_, agg| {
        Ok(quality::quality(agg))
    })?;
    Ok((report, v.as_of))
}

/// `GET /v1/admin/disagreements`.
pub async fn disagreements(
    State(s): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, HubError> {
    let mut p = Params::new(q)?;
    let method = p.method()?;
    let include = p.flag("include_adjudicated", false)?;
    let with_text = p.flag("with_text", false)?;
    let limit = match p.take("limit") {
        None => 1000,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=100_000).contains(l))
            .ok_or_else(|| HubError::bad("invalid", "`limit` must be 1–100000"))?,
    };
    p.finish()?;
    let list = blocking(move || {
        let v = readmodel::read(&s, method)?;
        // Every disagreement, adjudicated or not, with the open count.
        let all = v.derived(&s, "disagreements".into(), false, 1, all_disagreements)?;
        let total = all.0.len() as u64;
        let open = all.1;
        let mut shown: Vec<quality::Disagreement> = all
            .0
            .iter()
            .filter(|d| include || d.adjudication.is_none())
            .take(limit)
            .cloned()
            .collect();
        let mut read = Vec::new();
        if with_text {
            let ids: Vec<String> = shown.iter().map(|d| d.message_id.clone()).collect();
            for (d, m) in shown.iter_mut().zip(s.store.messages_by_id(&ids)?) {
                d.text = Some(m.text);
            }
            read = ids;
        }
        Ok((
            WithAsOf {
                body: DisagreementList {
                    total,
                    open,
                    disagreements: shown,
                },
                as_of: v.as_of,
            },
            read,
        ))
    })
    .await?;
    let (list, read) = list;
    let resp = Json(list).into_response();
    if !with_text {
        return Ok(resp);
    }
    // The raw text of these messages left the hub: on the access ledger, by id.
    Ok(crate::people::AccessNote {
        act: Some("raw_text_read"),
        message_ids: read.into(),
    }
    .attach(resp))
}

/// Every disagreement, adjudicated or not, and how many are open.
fn all_disagreements(
    _: &AppState,
    agg: &Aggregation,
) -> Result<(Vec<quality::Disagreement>, u64), HubError> {
    let all = quality::disagreements(agg, true);
    let open = all.iter().filter(|d| d.adjudication.is_none()).count() as u64;
    Ok((all, open))
}

/// `POST /v1/admin/adjudications`: the manager's label for a message.
pub async fn adjudicate(State(s): State<AppState>, body: Bytes) -> Result<Response, HubError> {
    let req: AdjudicationRequest = crate::http::parse_object(&body)?;
    if !labelvault_core::batch::is_id(&req.intent) || !labelvault_core::batch::is_id(&req.by) {
        return Err(HubError::bad(
            "invalid",
            "`intent` and `by` must be 1–128 characters of A-Z a-z 0-9 _ - . :",
        ));
    }
    if req.message_id.is_empty() || req.message_id.len() > 128 {
        return Err(HubError::bad(
            "invalid",
            "`message_id` must be 1–128 characters",
        ));
    }
    let stored = blocking(move || {
        // Only this message's labels: its label before is the adjudication in force,
        // else its gold answer, else the majority of its labels.
        let agg = Aggregation::build(
            s.store.labelled_copies(Some(&req.message_id))?,
            s.store.adjudications()?,
            Method::Majority,
        );
        let known: HashSet<String> = s.store.known_intents()?.into_iter().collect();
        if !known.contains(&req.intent) && !agg.intents.contains(&req.intent) {
            return Err(HubError::bad(
                "unknown_intent",
                "the hub knows no such intent (not a model intent, gold answer or label); check its spelling",
            ));
        }
        let m = agg
            .messages
            .iter()
            .position(|m| m.message_id == req.message_id);
        let previous_intent = m.and_then(|m| agg.messages[m].final_label.clone().map(|l| l.0));
        let labels = match m {
            Some(m) => serde_json::to_value(quality::labels_of(&agg, m as u32))
                .map_err(|e| HubError::Internal(e.to_string()))?,
            None => serde_json::Value::Array(Vec::new()),
        };
        s.store.add_adjudication(&NewAdjudication {
            message_id: req.message_id,
            intent: req.intent,
            by: req.by,
            decided_at_ms: now_ms(),
            previous_intent,
            labels,
        })
    })
    .await?;
    tracing::info!(seq = stored.seq, "adjudicated a message");
    Ok(Json(stored).into_response())
}

/// `POST /v1/admin/adjudications/{seq}/undo`: take back the latest decision on a
/// message. The trail stays append-only: the undo is a new entry (`supersedes` the one
/// undone) restoring what was in force before it — the earlier adjudication's intent, or
/// none (an empty `intent`: the message goes back to its gold answer or its annotators'
/// majority, and to the open disagreements).
pub async fn undo_adjudication(
    State(s): State<AppState>,
    axum::extract::Path(seq): axum::extract::Path<String>,
    body: Bytes,
) -> Result<Response, HubError> {
    let req: UndoRequest = if body.is_empty() {
        UndoRequest::default()
    } else {
        crate::http::parse_object(&body)?
    };
    if !labelvault_core::batch::is_id(&req.by) {
        return Err(HubError::bad(
            "invalid",
            "`by` must be 1–128 characters of A-Z a-z 0-9 _ - . :",
        ));
    }
    let seq: i64 = seq
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| HubError::not_found("unknown_adjudication", "no such adjudication"))?;
    let stored = blocking(move || {
        let trail = s.store.adjudications()?;
        let undone = trail
            .iter()
            .find(|a| a.seq == seq)
            .cloned()
            .ok_or_else(|| HubError::not_found("unknown_adjudication", "no such adjudication"))?;
        if trail
            .iter()
            .any(|a| a.message_id == undone.message_id && a.seq > seq)
        {
            return Err(HubError::conflict(
                "not_latest",
                "only the latest decision on a message can be undone; adjudicate it again instead",
            ));
        }
        let restored = undone
            .supersedes
            .and_then(|p| trail.iter().find(|a| a.seq == p))
            .map(|a| a.intent.clone())
            .unwrap_or_default();
        s.store.add_adjudication(&NewAdjudication {
            message_id: undone.message_id.clone(),
            intent: restored,
            by: req.by,
            decided_at_ms: now_ms(),
            previous_intent: (!undone.intent.is_empty()).then(|| undone.intent.clone()),
            labels: undone.labels.clone(),
        })
    })
    .await?;
    tracing::info!(seq = stored.seq, "undid an adjudication");
    Ok(crate::people::AccessNote {
        act: None,
        message_ids: vec![stored.message_id.clone()].into(),
    }
    .attach(Json(stored).into_response()))
}

/// `GET /v1/admin/adjudications`: the audit trail.
pub async fn adjudications(State(s): State<AppState>) -> Result<Response, HubError> {
    let list = blocking(move || s.store.adjudications()).await?;
    Ok(Json(AdjudicationList {
        adjudications: list,
    })
    .into_response())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Jsonl,
    Chat,
    LabelStudio,
    Argilla,
    Prodigy,
}

/// Parse `70/15/15` (percentages of train/validation/test, summing to 100).
pub fn parse_split(s: &str) -> Option<(f64, f64)> {
    let parts: Vec<u32> = s
        .split('/')
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    match parts[..] {
        [t, v, x] if t + v + x == 100 && t > 0 => {
            Some((f64::from(t) / 100.0, f64::from(v) / 100.0))
        }
        _ => None,
    }
}

/// The final labels as judged items / examples: one per message with a final label.
fn finals(agg: &Aggregation) -> Vec<(usize, &str)> {
    agg.messages
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.final_label.as_ref().map(|(l, _)| (i, l.as_str())))
        .collect()
}

/// `GET /v1/admin/export`: the training set.
pub async fn export(
    State(s): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, HubError> {
    let mut p = Params::new(q)?;
    let format = match p.take("format").as_deref() {
        None | Some("jsonl") => Format::Jsonl,
        Some("chat") => Format::Chat,
        Some("label-studio" | "label_studio") => Format::LabelStudio,
        Some("prodigy") => Format::Prodigy,
        Some("argilla") => Format::Argilla,
        Some(_) => {
            return Err(HubError::bad(
                "bad_format",
                "`format` must be jsonl, chat, label-studio, prodigy or argilla",
            ))
        }
    };
    let (train, validation) = match p.take("split") {
        None => (export::DEFAULT_TRAIN, export::DEFAULT_VALIDATION),
        Some(v) => parse_split(&v).ok_or_else(|| {
            HubError::bad(
                "bad_split",
                "`split` must be three whole percentages train/validation/test summing to 100, e.g. 70/15/15",
            )
        })?,
    };
    let seed = match p.take("seed") {
        None => export::DEFAULT_SEED,
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| HubError::bad("invalid", "`seed` must be a non-negative integer"))?,
    };
    let part = match p.take("part").as_deref() {
        None => None,
        Some("train") => Some(Split::Train),
        Some("validation") => Some(Split::Validation),
        Some("test") => Some(Split::Test),
        Some(_) => {
            return Err(HubError::bad(
                "invalid",
                "`part` must be train, validation or test",
            ))
        }
    };
    let folds = match p.take("folds") {
        None => None,
        Some(v) => Some(
            v.parse::<u8>()
                .ok()
                .filter(|k| (2..=20).contains(k))
                .ok_or_else(|| {
                    HubError::bad("invalid", "`folds` must be a whole number from 2 to 20")
                })?,
        ),
    };
    let method = p.method()?;
    let redact = p.flag("redact", false)?;
    let mark = p.flag("mark", true)?;
    let system_prompt = p
        .take("system_prompt")
        .unwrap_or_else(|| DEFAULT_SYSTEM_PROMPT.into());
    if system_prompt.len() > 2000 {
        return Err(HubError::bad(
            "invalid",
            "`system_prompt` must be at most 2000 bytes",
        ));
    }
    p.finish()?;
    let shape = ExportShape {
        format,
        train,
        validation,
        seed,
        part,
        folds,
        redact,
        system_prompt,
    };
    let (made, as_of) = blocking(move || {
        let v = readmodel::read(&s, method)?;
        let key = format!("export:{shape:?}");
        // The body holds message text: remade after any erasure, retention or consent
        // change; at most a few query shapes kept.
        let made = v.derived(&s, key, true, 3, move |s, agg| make_export(s, agg, &shape))?;
        if mark {
            s.store.retrain_mark(MarkKind::Export, now_ms())?;
        }
        Ok((made, v.as_of))
    })
    .await?;
    let (body, counts, erased, withheld, exported) = (
        made.body.clone(),
        made.counts,
        made.erased,
        made.withheld,
        made.exported.clone(),
    );
    tracing::info!(
        train = counts[0],
        validation = counts[1],
        test = counts[2],
        "exported the training set"
    );
    let ctype = if matches!(format, Format::LabelStudio | Format::Argilla) {
        "application/json"
    } else {
        "application/x-ndjson"
    };
    let mut resp = ([(header::CONTENT_TYPE, ctype)], body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "train={},validation={},test={}",
        counts[0], counts[1], counts[2]
    )) {
        resp.headers_mut().insert("x-lv-split-counts", v);
    }
    resp.headers_mut()
        .insert("x-lv-erased", HeaderValue::from(erased));
    resp.headers_mut()
        .insert("x-lv-withheld", HeaderValue::from(withheld));
    resp.headers_mut()
        .insert(readmodel::AS_OF_HEADER, as_of.header());
    // Which messages' text left the hub (raw, or redacted with `redact=true`): on the
    // access ledger, by id.
    Ok(crate::people::AccessNote {
        act: Some(if redact {
            "export_redacted"
        } else {
            "raw_text_read"
        }),
        message_ids: exported,
    }
    .attach(resp))
}

/// What an export is asked for (everything but `method` and `mark`).
#[derive(Debug, Clone)]
struct ExportShape {
    format: Format,
    train: f64,
    validation: f64,
    seed: u64,
    part: Option<Split>,
    folds: Option<u8>,
    redact: bool,
    system_prompt: String,
}

/// The chat format's system prompt unless `system_prompt` is given.
const DEFAULT_SYSTEM_PROMPT: &str =
    "Classify the customer's message into one intent id. Answer with the id only.";

impl ExportShape {
    /// `GET /v1/admin/export` without parameters.
    fn default_jsonl() -> ExportShape {
        ExportShape {
            format: Format::Jsonl,
            train: export::DEFAULT_TRAIN,
            validation: export::DEFAULT_VALIDATION,
            seed: export::DEFAULT_SEED,
            part: None,
            folds: None,
            redact: false,
            system_prompt: DEFAULT_SYSTEM_PROMPT.into(),
        }
    }
}

/// An export body with what the response says about it.
struct Exported {
    body: Bytes,
    counts: [u64; 3],
    erased: u64,
    withheld: u64,
    /// The messages whose text it holds, for the access ledger: shared with every
    /// answer made from this body, with the ledger's forms of them computed once.
    exported: crate::access_ids::AccessIds,
}

/// Make the export body from an aggregation and the messages' current text.
fn make_export(s: &AppState, agg: &Aggregation, shape: &ExportShape) -> Result<Exported, HubError> {
    let ExportShape {
        format,
        train,
        validation,
        seed,
        part,
        folds,
        redact,
        ref system_prompt,
    } = *shape;
    let finals = finals(agg);
    let ids: Vec<String> = finals
        .iter()
        .map(|(i, _)| agg.messages[*i].message_id.clone())
        .collect();
    let texts = s.store.messages_by_id(&ids)?;
    let labels: Vec<&str> = finals.iter().map(|(_, l)| *l).collect();
    let splits = export::stratified_split(&labels, train, validation, seed);
    let fold_of = folds.map(|k| export::stratified_folds(&labels, k, seed));
    let redactor = if redact { Some(&*s.redactor) } else { None };
    let terms = if redact {
        crate::pipeline::company_terms(s.store.as_ref())?
    } else {
        Default::default()
    };
    let mut counts = [0u64; 3];
    let mut out = String::new();
    let mut tasks = Vec::new();
    let mut erased = 0u64;
    let mut withheld = 0u64;
    let no_consent: std::collections::HashSet<String> =
        s.store.companies_without_consent()?.into_iter().collect();
    let mut exported = Vec::new();
    for (i, ((id, m), (label, split))) in ids
        .iter()
        .zip(&texts)
        .zip(labels.iter().zip(&splits))
        .enumerate()
    {
        // An erased message keeps its labels on the hub but no text: left out, and
        // counted in `x-lv-erased` so the export says so.
        if m.text.is_empty() {
            erased += 1;
            continue;
        }
        // Without consent to training use (the message's or its company's): left
        // out, and counted in `x-lv-withheld`.
        if !m.training_consent || no_consent.contains(&m.company) {
            withheld += 1;
            continue;
        }
        counts[*split as usize] += 1;
        if part.is_some_and(|p| p != *split) {
            continue;
        }
        let text = match redactor {
            Some(r) => r.redact_with(&m.text, terms.get(&m.company)).text,
            None => m.text.clone(),
        };
        exported.push(id.clone());
        let e = Example {
            message_id: id,
            text: &text,
            intent: label,
            split: *split,
            fold: fold_of.as_ref().map(|f| f[i]),
        };
        match format {
            Format::Jsonl => out.push_str(&export::jsonl_line(&e)),
            Format::Chat => out.push_str(&export::chat_line(&e, system_prompt)),
            Format::Prodigy => out.push_str(&export::prodigy_line(&e)),
            Format::LabelStudio => {
                tasks.push(export::label_studio_task(&e));
                continue;
            }
            Format::Argilla => {
                tasks.push(export::argilla_record(
                    &e,
                    &m.model_intent,
                    m.confidence,
                    &m.company,
                ));
                continue;
            }
        }
        out.push('\n');
    }
    if matches!(format, Format::LabelStudio | Format::Argilla) {
        out = serde_json::Value::Array(tasks).to_string();
    }
    Ok(Exported {
        body: Bytes::from(out),
        counts,
        erased,
        withheld,
        // The ledger's forms of the ids are made now, once per body, not per request.
        exported: crate::access_ids::AccessIds::from(exported).prepared(),
    })
}

/// Every prediction revision of the messages, by message id: the current one (the
/// latest revision), the latest per model version, and the language.
#[derive(Default)]
struct Predictions {
    by_message: std::collections::HashMap<String, MessagePredictions>,
}

#[derive(Default)]
struct MessagePredictions {
    language: Option<String>,
    /// (model version, intent, confidence), latest revision last.
    revisions: Vec<(String, String, f64)>,
}

impl MessagePredictions {
    fn current(&self) -> Option<&(String, String, f64)> {
        self.revisions.last()
    }

    /// The latest prediction of `version`.
    fn of(&self, version: &str) -> Option<&(String, String, f64)> {
        self.revisions.iter().rev().find(|r| r.0 == version)
    }

    /// The latest prediction of each version, by version.
    fn per_version(&self) -> std::collections::BTreeMap<&str, &(String, String, f64)> {
        self.revisions.iter().map(|r| (r.0.as_str(), r)).collect()
    }
}

impl Predictions {
    fn load(s: &AppState) -> Result<Predictions, HubError> {
        let mut out = Predictions::default();
        for r in s.store.prediction_revisions()? {
            let e = out.by_message.entry(r.message_id).or_default();
            e.language = r.language;
            e.revisions
                .push((r.model_version, r.model_intent, r.confidence));
        }
        Ok(out)
    }

    fn versions(&self) -> std::collections::BTreeSet<&str> {
        self.by_message
            .values()
            .flat_map(|m| m.revisions.iter().map(|r| r.0.as_str()))
            .collect()
    }
}

/// A `model_version` query value, checked.
fn version_param(what: &str, v: String) -> Result<String, HubError> {
    labelvault_core::pipeline::check_model_version(&v).map_err(|e| {
        HubError::bad(
            "invalid",
            e.replace("`model_version`", &format!("`{what}`")),
        )
    })?;
    Ok(v)
}

/// Refuse a version no prediction was ingested with, naming those that were.
fn known_version(p: &Predictions, v: &str) -> Result<(), HubError> {
    let versions = p.versions();
    if versions.contains(v) {
        return Ok(());
    }
    let list: Vec<&str> = versions.into_iter().take(50).collect();
    Err(HubError::not_found(
        "unknown_model_version",
        format!(
            "no dispatched message has a prediction of model version {v}; ingest that version's predictions for the labelled messages first (versions on dispatched messages: {})",
            if list.is_empty() {
                "none".to_string()
            } else {
                list.join(", ")
            }
        ),
    ))
}

/// Evaluate the model against the final human labels: each message's current
/// prediction, or with `version` that version's (on the messages it predicted).
fn evaluation(
    agg: &Aggregation,
    preds: &Predictions,
    version: Option<&str>,
) -> evaluate::Evaluation {
    let mut judged: Vec<Judged<'_>> = Vec::new();
    let mut per_version: Vec<(&str, &str, &str)> = Vec::new();
    for (i, human) in finals(agg) {
        let m = &agg.messages[i];
        let p = preds.by_message.get(&m.message_id);
        let prediction = match (version, p) {
            (Some(v), Some(p)) => match p.of(v) {
                Some(r) => Some(r),
                None => continue,
            },
            (Some(_), None) => continue,
            (None, Some(p)) => p.current(),
            (None, None) => None,
        };
        if let Some(p) = p {
            for (v, r) in p.per_version() {
                if version.is_none_or(|want| want == v) {
                    per_version.push((v, &r.1, human));
                }
            }
        }
        judged.push(Judged {
            company: &m.company,
            channel: &m.channel,
            language: p
                .and_then(|p| p.language.as_deref())
                .unwrap_or(evaluate::UNDETERMINED),
            model: prediction.map_or(m.model_intent.as_str(), |r| r.1.as_str()),
            confidence: prediction.map_or(m.confidence, |r| r.2),
            human,
        });
    }
    let mut e = evaluate::evaluate(&judged);
    e.by_model_version = evaluate::by_model_version(&per_version);
    e
}

/// The `method` and `model_version` parameters of the evaluation.
fn evaluation_params(
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<(Method, Option<String>), HubError> {
    let mut p = Params::new(q)?;
    let method = p.method()?;
    let version = p
        .take("model_version")
        .map(|v| version_param("model_version", v))
        .transpose()?;
    p.finish()?;
    Ok((method, version))
}

/// `GET /v1/admin/evaluation`.
pub async fn evaluation_json(
    State(s): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, HubError> {
    let (method, version) = evaluation_params(q)?;
    let view = blocking(move || {
        let (made, as_of) = evaluated(&s, method, version.clone())?;
        let (e, sources) = match &*made {
            Ok(made) => made.clone(),
            Err(unknown) => {
                return Err(HubError::not_found(
                    "unknown_model_version",
                    unknown.clone(),
                ))
            }
        };
        let view = EvaluationAnswer {
            method,
            model_version: version,
            sources: sources
                .into_iter()
                .map(|(k, n)| (k.to_string(), n))
                .collect(),
            evaluation: e,
        };
        Ok(WithAsOf { body: view, as_of })
    })
    .await?;
    Ok(Json(view).into_response())
}

/// An evaluation with the label sources it rests on, or why the version is unknown.
type Evaluated = Result<
    (
        evaluate::Evaluation,
        std::collections::BTreeMap<&'static str, u64>,
    ),
    String,
>;

/// The evaluation of `method` against `version`'s predictions (each message's current
/// one without), from the read model.
fn evaluated(
    s: &AppState,
    method: Method,
    version: Option<String>,
) -> Result<(Arc<Evaluated>, AsOf), HubError> {
    let v = readmodel::read(s, method)?;
    let key = format!("evaluation:{version:?}");
    let made = v.derived(s, key, false, 4, move |s, agg| {
        let preds = Predictions::load(s)?;
        if let Some(v) = &version {
            if let Err(e) = known_version(&preds, v) {
                return Ok(Err(e.to_string()));
            }
        }
        let e = evaluation(agg, &preds, version.as_deref());
        Ok(Ok((e, agg.sources())))
    })?;
    Ok((made, v.as_of))
}

/// `GET /v1/admin/evaluation.html`.
pub async fn evaluation_html(
    State(s): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, HubError> {
    let (method, version) = evaluation_params(q)?;
    let (html, as_of) = blocking(move || {
        let (made, as_of) = evaluated(&s, method, version.clone())?;
        let e = match &*made {
            Ok((e, _)) => e,
            Err(unknown) => {
                return Err(HubError::not_found(
                    "unknown_model_version",
                    unknown.clone(),
                ))
            }
        };
        Ok((
            evaluate::html_report(
                e,
                &match &version {
                    Some(v) => format!("LabelVault: model version {v} against human labels"),
                    None => "LabelVault: the model against human labels".to_string(),
                },
            ),
            as_of,
        ))
    })
    .await?;
    let mut resp = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        html,
    )
        .into_response();
    resp.headers_mut()
        .insert(readmodel::AS_OF_HEADER, as_of.header());
    Ok(resp)
}

/// `GET /v1/admin/evaluation/compare?a=&b=`: two model versions on the same messages —
/// those in the export's test split (its default 70/15/15 and seed) with a final human
/// label and a prediction from both versions.
pub async fn evaluation_compare(
    State(s): State<AppState>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, HubError> {
    let mut p = Params::new(q)?;
    let method = p.method()?;
    let (Some(a), Some(b)) = (p.take("a"), p.take("b")) else {
        return Err(HubError::bad(
            "invalid",
            "give the two model versions to compare: `a` and `b`",
        ));
    };
    p.finish()?;
    let (a, b) = (version_param("a", a)?, version_param("b", b)?);
    let view = blocking(move || {
        let v = readmodel::read(&s, method)?;
        let agg = &v.snap.agg;
        let preds = Predictions::load(&s)?;
        known_version(&preds, &a)?;
        known_version(&preds, &b)?;
        let finals = finals(agg);
        let labels: Vec<&str> = finals.iter().map(|(_, l)| *l).collect();
        let splits = export::stratified_split(
            &labels,
            export::DEFAULT_TRAIN,
            export::DEFAULT_VALIDATION,
            export::DEFAULT_SEED,
        );
        let paired: Vec<evaluate::Paired<'_>> = finals
            .iter()
            .zip(&splits)
            .filter(|(_, split)| **split == Split::Test)
            .filter_map(|((i, human), _)| {
                let p = preds.by_message.get(&agg.messages[*i].message_id)?;
                Some(evaluate::Paired {
                    human,
                    a: &p.of(&a)?.1,
                    b: &p.of(&b)?.1,
                })
            })
            .collect();
        // Always the export's test split (default ratios and seed).
        Ok(ComparisonAnswer {
            method,
            split: "test".to_string(),
            comparison: evaluate::compare(&a, &b, &paired),
        })
    })
    .await?;
    Ok(Json(view).into_response())
}

/// `GET /v1/admin/retrain`.
pub async fn retrain_status(State(s): State<AppState>) -> Result<Json<RetrainStatus>, HubError> {
    Ok(Json(blocking(move || s.store.retrain_status()).await?))
}

/// `POST /v1/admin/retrain/mark`: a training run (or outside export) acknowledged.
pub async fn retrain_mark(
    State(s): State<AppState>,
    body: Bytes,
) -> Result<Json<RetrainStatus>, HubError> {
    let req: RetrainMarkRequest = crate::http::parse_object(&body)?;
    let kind = match RetrainMarkKind::parse(&req.kind) {
        Some(RetrainMarkKind::Training) => MarkKind::Training,
        Some(RetrainMarkKind::Export) => MarkKind::Export,
        None => {
            return Err(HubError::bad(
                "invalid",
                "`kind` must be training or export",
            ))
        }
    };
    let st = blocking(move || s.store.retrain_mark(kind, now_ms())).await?;
    tracing::info!(kind = %req.kind, "retraining mark");
    Ok(Json(st))
}

/// `POST /v1/admin/retrain/threshold`.
pub async fn retrain_threshold(
    State(s): State<AppState>,
    body: Bytes,
) -> Result<Json<RetrainStatus>, HubError> {
    let req: RetrainThresholdRequest = crate::http::parse_object(&body)?;
    if !(1..=RetrainThresholdRequest::MAX).contains(&req.threshold) {
        return Err(HubError::bad("invalid", "`threshold` must be 1–1000000000"));
    }
    let st = blocking(move || {
        s.store
            .retrain_mark(MarkKind::Threshold(req.threshold), now_ms())
    })
    .await?;
    Ok(Json(st))
}

/// Sync latency histogram bounds, seconds.
const LATENCY_BOUNDS: [f64; 9] = [
    1.0, 5.0, 30.0, 60.0, 300.0, 1800.0, 3600.0, 21600.0, 86400.0,
];

/// Escape a Prometheus label value.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x}"),
        _ => "NaN".into(),
    }
}

/// The metrics text (Prometheus exposition format 0.0.4) and how far behind the store
/// it may be: counts, agreement and disagreement figures come from the read model
/// (exact on a small hub; at most about one rebuild behind on a large one, which
/// `labelvault_read_model_lag_seconds` reports).
pub fn metrics_text(s: &AppState) -> Result<String, HubError> {
    Ok(metrics_with_lag(s)?.0)
}

fn metrics_with_lag(s: &AppState) -> Result<(String, AsOf), HubError> {
    use std::fmt::Write;
    let (c, counts_lag_ms) = readmodel::counts(s, &LATENCY_BOUNDS)?;
    let retrain = s.store.retrain_status()?;
    let (q, mut as_of) = quality_report(s, Method::Majority)?;
    as_of.lag_ms = as_of.lag_ms.max(counts_lag_ms);
    as_of.current = as_of.current && counts_lag_ms == 0;
    let mut o = String::with_capacity(4096);
    let _ = writeln!(o, "# HELP labelvault_items_pending Items out on devices, not labelled yet, by why they were selected (assigned: sent with POST /v1/admin/assign, outside the pipeline).\n# TYPE labelvault_items_pending gauge");
    let mut reasons: Vec<(String, u64)> = [
        "false_positive",
        "low_confidence",
        "random_sample",
        "gold",
        "assigned",
    ]
    .iter()
    .map(|r| (r.to_string(), 0))
    .collect();
    for (r, n) in &c.pending_by_reason {
        match reasons.iter_mut().find(|x| x.0 == *r) {
            Some(x) => x.1 = *n,
            None => reasons.push((r.clone(), *n)),
        }
    }
    for (r, n) in &reasons {
        let _ = writeln!(o, "labelvault_items_pending{{reason=\"{}\"}} {n}", label(r));
    }
    let _ = writeln!(o, "# HELP labelvault_labels_received_total Label revisions stored, by verdict.\n# TYPE labelvault_labels_received_total counter");
    for (v, n) in &c.labels_by_verdict {
        let _ = writeln!(
            o,
            "labelvault_labels_received_total{{verdict=\"{}\"}} {n}",
            label(v)
        );
    }
    let _ = writeln!(o, "# HELP labelvault_label_sync_latency_seconds Hub receipt time minus the device's decision time, per label.\n# TYPE labelvault_label_sync_latency_seconds histogram");
    for (b, n) in LATENCY_BOUNDS.iter().zip(&c.latency_buckets) {
        let _ = writeln!(
            o,
            "labelvault_label_sync_latency_seconds_bucket{{le=\"{b}\"}} {n}"
        );
    }
    let _ = writeln!(
        o,
        "labelvault_label_sync_latency_seconds_bucket{{le=\"+Inf\"}} {}\nlabelvault_label_sync_latency_seconds_sum {}\nlabelvault_label_sync_latency_seconds_count {}",
        c.latency_count, c.latency_sum_secs, c.latency_count
    );
    let _ = writeln!(o, "# HELP labelvault_agreement_alpha Krippendorff's alpha (nominal) over pool messages, overall and per company.\n# TYPE labelvault_agreement_alpha gauge");
    let _ = writeln!(o, "labelvault_agreement_alpha {}", num(q.overall.alpha));
    for g in &q.by_company {
        let _ = writeln!(
            o,
            "labelvault_agreement_alpha{{company=\"{}\"}} {}",
            label(&g.key),
            num(g.alpha)
        );
    }
    let _ = writeln!(o, "# HELP labelvault_agreement_kappa Mean pairwise Cohen's kappa over pool messages, overall and per company.\n# TYPE labelvault_agreement_kappa gauge");
    let _ = writeln!(o, "labelvault_agreement_kappa {}", num(q.overall.kappa));
    for g in &q.by_company {
        let _ = writeln!(
            o,
            "labelvault_agreement_kappa{{company=\"{}\"}} {}",
            label(&g.key),
            num(g.kappa)
        );
    }
    let gauges: [(&str, &str, f64); 7] = [
        (
            "labelvault_disagreements_open",
            "Disagreements not adjudicated yet.",
            q.counts.disagreements as f64,
        ),
        (
            "labelvault_messages",
            "Messages stored on the hub.",
            c.messages as f64,
        ),
        (
            "labelvault_messages_labelled",
            "Messages with at least one decision.",
            q.counts.messages_labelled as f64,
        ),
        (
            "labelvault_devices_active",
            "Enrolled, unrevoked devices.",
            c.devices_active as f64,
        ),
        (
            "labelvault_retrain_new_labels",
            "Label decisions received since the last export or training mark.",
            retrain.new_labels as f64,
        ),
        (
            "labelvault_retrain_threshold",
            "New labels that make retraining due.",
            retrain.threshold as f64,
        ),
        (
            "labelvault_retrain_due",
            "1 when retraining is due.",
            if retrain.due { 1.0 } else { 0.0 },
        ),
    ];
    for (name, help, v) in gauges {
        let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
    }
    let _ = writeln!(
        o,
        "# HELP labelvault_read_model_lag_seconds How far behind the store the figures of this scrape may be (0: current; else a refresh is under way).\n# TYPE labelvault_read_model_lag_seconds gauge\nlabelvault_read_model_lag_seconds {}",
        as_of.lag_ms as f64 / 1000.0
    );
    o.push_str(&crate::webhook::metrics_text(&*s.store)?);
    Ok((o, as_of))
}

/// `GET /metrics`: Prometheus text, admin token required.
pub async fn metrics(State(s): State<AppState>) -> Result<Response, HubError> {
    let (text, as_of) = blocking(move || metrics_with_lag(&s)).await?;
    let mut resp = (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response();
    resp.headers_mut()
        .insert(readmodel::AS_OF_HEADER, as_of.header());
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_parse() {
        assert_eq!(parse_split("70/15/15"), Some((0.7, 0.15)));
        assert_eq!(parse_split("80/10/10"), Some((0.8, 0.1)));
        assert_eq!(parse_split("70/15/10"), None);
        assert_eq!(parse_split("0/50/50"), None);
        assert_eq!(parse_split("70/15"), None);
        assert_eq!(parse_split("a/b/c"), None);
        assert_eq!(label("a\"b"), "a\\\"b");
    }
}
