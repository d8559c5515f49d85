//! The manager's pipeline on the hub: ingest messages (raw text stays in the hub's
//! database), mark newly onboarded companies and gold answers, show the review pool
//! before dispatch, and dispatch it — redacted, sealed per device, with overlap, hidden
//! gold items and leases after which unfinished copies return to the pool.
//!
//! Selection itself is the engine's ([`labelvault_core::pipeline::select`]); this module
//! adds what needs the hub's state: which messages still need copies, which devices
//! already hold one, and the opaque item id → message id map.

use crate::error::HubError;
use crate::store::{CandidateQuery, DeviceRecord, DispatchBatch, NewBatch, NewCopy};
use crate::{auth, blocking, AppState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use labelvault_core::admin_api::{
    defaults, CompanyAnswer, CompanyRequest, DispatchRequest, DispatchResponse, DispatchedBatch,
    GoldRequest, GoldStored, PoolEntry, ReclaimAnswer, ReclaimRequest, SelectAnswer, SelectRequest,
    Selection, WithdrawAnswer,
};
use labelvault_core::batch::{self, input::InputItem, Intent, Reason, Taxonomy};
use labelvault_core::pipeline::distribute::{copies_needed, plan, Need, Slot};
use labelvault_core::pipeline::select::{self, SelectionConfig, Strategy};
use labelvault_core::pipeline::Message;
use labelvault_core::redact::{PiiKind, Redactor, Terms};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// Most messages in one ingest request (the CLI sends chunks of this size or less).
pub const MAX_MESSAGES_PER_REQUEST: usize = 20_000;
/// Most probabilities per message.
const MAX_PROBABILITIES: usize = 1_000;
/// Longest lease: a year.
const MAX_LEASE_SECS: i64 = defaults::MAX_LEASE_SECS;

fn bad(message: impl Into<String>) -> HubError {
    HubError::bad("invalid", message)
}

use crate::http::parse_object as parse;

/// An id the batch format accepts (intents, companies, channels): core's one rule.
fn check_id(what: &str, id: &str) -> Result<(), String> {
    batch::id_problem(what, id).map_or(Ok(()), Err)
}

fn check_conf(what: &str, c: f64) -> Result<(), String> {
    batch::confidence_problem(what, c).map_or(Ok(()), Err)
}

/// One message in an ingest request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageIn {
    message_id: String,
    text: String,
    company: String,
    #[serde(default = "unknown_channel")]
    channel: String,
    received_at: i64,
    model_intent: String,
    confidence: f64,
    #[serde(default)]
    probabilities: Vec<(String, f64)>,
    #[serde(default)]
    reported_false_positive: bool,
    #[serde(default = "consent_by_default")]
    training_consent: bool,
    #[serde(default)]
    model_version: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

fn consent_by_default() -> bool {
    true
}

fn unknown_channel() -> String {
    "unknown".into()
}

impl MessageIn {
    /// Check every field; errors name fields, never values.
    fn check(self) -> Result<Message, String> {
        let id = &self.message_id;
        if id.is_empty() || id.len() > 128 || id.chars().any(char::is_control) {
            return Err("`message_id` must be 1–128 characters without control characters".into());
        }
        if self.text.trim().is_empty() {
            return Err("empty `text`".into());
        }
        if self.text.len() > batch::limits::MAX_TEXT {
            return Err(format!(
                "`text` longer than {} bytes",
                batch::limits::MAX_TEXT
            ));
        }
        check_id("company", &self.company)?;
        check_id("channel", &self.channel)?;
        check_id("model_intent", &self.model_intent)?;
        check_conf("confidence", self.confidence)?;
        if self.probabilities.len() > MAX_PROBABILITIES {
            return Err(format!("more than {MAX_PROBABILITIES} `probabilities`"));
        }
        for (intent, p) in &self.probabilities {
            check_id("probabilities[].intent", intent)?;
            check_conf("probabilities[].probability", *p)?;
        }
        let model_version = self
            .model_version
            .unwrap_or_else(|| labelvault_core::pipeline::UNVERSIONED.into());
        labelvault_core::pipeline::check_model_version(&model_version)?;
        let language = match self.language {
            Some(l) if l.trim() != l => {
                return Err("`language` must be a BCP 47 language tag such as en, de, fr or en-GB, without spaces".into())
            }
            Some(l) => Some(labelvault_core::pipeline::parse_language(&l)?),
            None => None,
        };
        let mut probabilities = self.probabilities;
        probabilities.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Message {
            message_id: self.message_id,
            text: self.text,
            company: self.company,
            channel: self.channel,
            received_at: self.received_at,
            model_intent: self.model_intent,
            confidence: self.confidence,
            probabilities,
            reported_false_positive: self.reported_false_positive,
            training_consent: self.training_consent,
            model_version,
            language,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IngestRequest {
    messages: Vec<MessageIn>,
}

/// `POST /v1/admin/messages`: store a chunk of messages, all or none.
pub async fn ingest(State(s): State<AppState>, body: Bytes) -> Result<Response, HubError> {
    let req: IngestRequest = parse(&body)?;
    if req.messages.is_empty() || req.messages.len() > MAX_MESSAGES_PER_REQUEST {
        return Err(HubError::bad(
            "invalid",
            format!("send 1–{MAX_MESSAGES_PER_REQUEST} messages per request"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut messages = Vec::with_capacity(req.messages.len());
    for (i, m) in req.messages.into_iter().enumerate() {
        let m = m
            .check()
            .map_err(|e| bad(format!("messages[{i}]: {e}; nothing was stored")))?;
        if !seen.insert(m.message_id.clone()) {
            return Err(bad(format!(
                "messages[{i}]: `message_id` repeats an earlier message of this request; nothing was stored"
            )));
        }
        messages.push(m);
    }
    let store = s.store.clone();
    let report = blocking(move || store.insert_messages(&messages, auth::now())).await?;
    tracing::info!(
        inserted = report.inserted,
        duplicates = report.duplicates,
        rescored = report.rescored,
        refused = report.refused.len(),
        "ingested messages"
    );
    Ok(Json(report).into_response())
}

/// `POST /v1/admin/companies`: mark a company newly onboarded (or no longer), and/or
/// record whether its customers allow training use of their messages.
pub async fn company(State(s): State<AppState>, body: Bytes) -> Result<Response, HubError> {
    let req: CompanyRequest = parse(&body)?;
    check_id("company", &req.company).map_err(bad)?;
    if req.newly_onboarded.is_none() && req.training_consent.is_none() {
        return Err(HubError::bad(
            "invalid",
            "give `newly_onboarded` and/or `training_consent` (true or false)",
        ));
    }
    let store = s.store.clone();
    let (company, new, consent) = (
        req.company.clone(),
        req.newly_onboarded,
        req.training_consent,
    );
    blocking(move || {
        if let Some(new) = new {
            store.set_company(&company, new, auth::now())?;
        }
        if let Some(consent) = consent {
            store.set_company_consent(&company, consent, auth::now())?;
        }
        Ok(())
    })
    .await?;
    let resp = Json(CompanyAnswer {
        company: req.company,
        newly_onboarded: new,
        training_consent: consent,
    })
    .into_response();
    // A change of consent is its own act on the access ledger.
    Ok(match consent {
        Some(c) => crate::people::AccessNote {
            act: Some(if c {
                "consent_given"
            } else {
                "consent_withdrawn"
            }),
            message_ids: Default::default(),
        }
        .attach(resp),
        None => resp,
    })
}

/// `POST /v1/admin/gold`: known answers for hidden gold items, all or none.
pub async fn gold(State(s): State<AppState>, body: Bytes) -> Result<Response, HubError> {
    let req: GoldRequest = parse(&body)?;
    if req.answers.is_empty() {
        return Err(bad("give at least one gold answer"));
    }
    let mut answers = Vec::with_capacity(req.answers.len());
    for (i, a) in req.answers.into_iter().enumerate() {
        check_id("intent", &a.intent)
            .map_err(|e| bad(format!("answers[{i}]: {e}; nothing was stored")))?;
        answers.push((a.message_id, a.intent));
    }
    let store = s.store.clone();
    let n = blocking(move || store.set_gold(&answers)).await?;
    Ok(Json(GoldStored { gold: n }).into_response())
}

/// Most suspected label errors one selection sends back.
const MAX_LABEL_ERROR_BUDGET: usize = defaults::MAX_LABEL_ERROR_BUDGET;

/// A plan whose `strategy` is not one the hub knows gets its own code, `bad_strategy`
/// (the selection's other fields are refused as any body field is).
fn parse_plan<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, HubError> {
    parse(body).map_err(|e| match &e {
        HubError::BadRequest { message, .. } if message.contains("`selection.strategy`") => {
            HubError::bad(
                "bad_strategy",
                "`strategy` must be least_confidence, margin or entropy",
            )
        }
        _ => e,
    })
}

/// The engine's [`SelectionConfig`] for a selection, or why the hub refuses it.
fn selection_config(
    sel: &Selection,
    new_companies: Vec<String>,
) -> Result<SelectionConfig, HubError> {
    if sel.from >= sel.to {
        return Err(bad("`from` must be before `to` (Unix seconds)"));
    }
    check_conf("max_confidence", sel.max_confidence).map_err(bad)?;
    if sel.label_error_budget > MAX_LABEL_ERROR_BUDGET {
        return Err(bad(format!(
            "`label_error_budget` must be 0–{MAX_LABEL_ERROR_BUDGET}"
        )));
    }
    Ok(SelectionConfig {
        window: (sel.from, sel.to),
        strategy: sel.strategy,
        low_confidence_budget: sel.low_confidence_budget,
        max_confidence: sel.max_confidence,
        per_intent_cap: sel.per_intent_cap,
        new_companies,
        sample_per_company: sel.sample_per_company,
        seed: sel.seed,
        label_error_budget: sel.label_error_budget,
    })
}

/// A computed pool over the hub's candidates.
struct HubPool {
    /// Candidate messages (without text), indexed by the pool's entries.
    messages: Vec<Message>,
    /// Devices holding an active copy, per candidate.
    holders: Vec<Vec<String>>,
    pool: select::Pool,
}

fn compute_pool(
    s: &AppState,
    sel: &Selection,
    overlap: usize,
    now: i64,
) -> Result<HubPool, HubError> {
    let mut cfg = selection_config(sel, Vec::new())?;
    let crate::store::Candidates {
        mut messages,
        mut holders,
        in_window,
        new_companies,
    } = s.store.candidates(&CandidateQuery {
        from: sel.from,
        to: sel.to,
        overlap: overlap.max(1),
        now,
        with_probabilities: cfg.strategy != Strategy::LeastConfidence,
        selectable_below: Some(cfg.max_confidence),
    })?;
    cfg.new_companies = new_companies;
    let mut pool = select::select(&messages, &cfg);
    pool.composition.in_window = in_window;
    if cfg.label_error_budget > 0 {
        let (reviewed, reviewed_holders, current) = reviewed_messages(s, sel, now)?;
        let start = messages.len();
        let added = select::add_label_errors(&mut pool, &mut messages, &reviewed, &cfg);
        // The analysis used the prediction the labels were given against; what goes out
        // again carries the message's current prediction.
        for (m, &i) in messages[start..].iter_mut().zip(&added) {
            *m = current[i].clone();
        }
        for i in added {
            holders.push(reviewed_holders[i].clone());
        }
    }
    Ok(HubPool {
        messages,
        holders,
        pool,
    })
}

/// Answered messages with their human answer (carrying the prediction the labels were
/// given against), per message the devices holding a copy, and per message the message
/// as it is now (its current prediction).
type Reviewed = (Vec<(Message, String)>, Vec<Vec<String>>, Vec<Message>);

/// Messages in the window with a human answer — the final label the quality report,
/// the evaluation and the export use (the adjudication in force, else the Dawid–Skene
/// aggregate; gold messages are not candidates) — with the model's distributions and the
/// devices holding a copy, leaving out those already sent back as suspected label errors.
/// The distribution is the prediction revision the labelled copies were dispatched with
/// (out-of-sample, as confident learning requires), not the current one: a re-score
/// may come from a model trained on these very labels.
fn reviewed_messages(s: &AppState, sel: &Selection, now: i64) -> Result<Reviewed, HubError> {
    use crate::quality::{Aggregation, Method, Source};
    let agg = Aggregation::build(
        s.store.labelled_copies(None)?,
        s.store.adjudications()?,
        Method::DawidSkene,
    );
    let answers: HashMap<&str, &str> = agg
        .messages
        .iter()
        .filter_map(|m| match &m.final_label {
            Some((l, Source::Adjudicated | Source::Aggregated)) => {
                Some((m.message_id.as_str(), l.as_str()))
            }
            _ => None,
        })
        .collect();
    if answers.is_empty() {
        return Ok((Vec::new(), Vec::new(), Vec::new()));
    }
    let dispatched: HashMap<String, crate::store::LabelledPrediction> = s
        .store
        .labelled_predictions()?
        .into_iter()
        .map(|p| (p.message_id.clone(), p))
        .collect();
    let again: std::collections::HashSet<String> = s
        .store
        .label_error_reviews(sel.from, sel.to, now)?
        .into_iter()
        .collect();
    // Every message of the window (no overlap limit), with distributions and holders.
    let all = s.store.candidates(&CandidateQuery {
        from: sel.from,
        to: sel.to,
        overlap: usize::MAX,
        now,
        with_probabilities: true,
        selectable_below: None,
    })?;
    let mut reviewed = Vec::new();
    let mut holders = Vec::new();
    let mut current = Vec::new();
    for (m, h) in all.messages.into_iter().zip(all.holders) {
        if again.contains(&m.message_id) {
            continue;
        }
        if let Some(answer) = answers.get(m.message_id.as_str()) {
            let answer = answer.to_string();
            let mut seen = m.clone();
            if let Some(p) = dispatched.get(&m.message_id) {
                seen.model_version.clone_from(&p.model_version);
                seen.model_intent.clone_from(&p.model_intent);
                seen.confidence = p.confidence;
                seen.probabilities.clone_from(&p.probabilities);
            }
            reviewed.push((seen, answer));
            holders.push(h);
            current.push(m);
        }
    }
    Ok((reviewed, holders, current))
}

/// The prediction an item built from `m` shows, checked again when the copy is stored.
fn shown(m: &Message) -> crate::store::ShownPrediction {
    crate::store::ShownPrediction {
        model_version: m.model_version.clone(),
        model_intent: m.model_intent.clone(),
        confidence: m.confidence,
    }
}

/// Copies a pool entry still needs ([`copies_needed`], counting its holders).
fn copies_for(reason: Reason, overlap: usize, holders: &[String]) -> usize {
    copies_needed(reason, overlap, holders.len())
}

fn pool_view(p: &HubPool, overlap: usize) -> Vec<PoolEntry> {
    p.pool
        .entries
        .iter()
        .map(|e| {
            let m = &p.messages[e.index];
            PoolEntry {
                message_id: m.message_id.clone(),
                reason: e.reason,
                company: m.company.clone(),
                channel: m.channel.clone(),
                received_at: m.received_at,
                model_intent: m.model_intent.clone(),
                confidence: m.confidence,
                copies_needed: copies_for(e.reason, overlap, &p.holders[e.index]),
            }
        })
        .collect()
}

fn check_overlap(overlap: usize) -> Result<(), HubError> {
    if overlap == 0 || overlap > defaults::MAX_OVERLAP {
        return Err(bad(format!(
            "`overlap` must be 1–{}",
            defaults::MAX_OVERLAP
        )));
    }
    Ok(())
}

/// `POST /v1/admin/select`: the pool, in dispatch order, and its make-up — a dry run:
/// nothing is stored.
pub async fn select_pool(State(s): State<AppState>, body: Bytes) -> Result<Response, HubError> {
    let req: SelectRequest = parse_plan(&body)?;
    check_overlap(req.overlap)?;
    let st = s.clone();
    let (composition, entries) = blocking(move || {
        let p = compute_pool(&st, &req.selection, req.overlap, auth::now())?;
        Ok((p.pool.composition.clone(), pool_view(&p, req.overlap)))
    })
    .await?;
    let copies: usize = entries.iter().map(|e| e.copies_needed).sum();
    Ok(Json(SelectAnswer {
        composition,
        copies_needed: copies,
        entries,
    })
    .into_response())
}

/// Every company's confirmed terms (`POST /v1/admin/missed-pii/confirm`), compiled.
pub(crate) fn company_terms(
    store: &dyn crate::store::HubStore,
) -> Result<HashMap<String, Terms>, HubError> {
    let mut by_company: HashMap<String, Vec<(String, PiiKind)>> = HashMap::new();
    for (company, term, kind) in store.company_terms()? {
        let kind = PiiKind::ALL
            .into_iter()
            .find(|k| k.type_name() == kind)
            .unwrap_or(PiiKind::Person);
        by_company.entry(company).or_default().push((term, kind));
    }
    Ok(by_company
        .into_iter()
        .filter_map(|(c, t)| Terms::new(&t).map(|t| (c, t)))
        .collect())
}

/// The redacted item for a message: its text redacted with the rules and its company's
/// confirmed terms, the rest as the engine builds every item.
fn item_for(
    m: &Message,
    reason: Reason,
    r: &Redactor,
    terms: &HashMap<String, Terms>,
    intents: &BTreeSet<String>,
) -> InputItem {
    let text = r.redact_with(&m.text, terms.get(&m.company)).text;
    labelvault_core::pipeline::item_for(m, reason, text, intents)
}

/// Ids per read of the texts a dispatch sends out: small enough that redaction starts
/// soon after the first read, large enough that each read is a few statements.
const TEXTS_PER_READ: usize = 1_000;

/// The messages of `ids` (in that order) read `TEXTS_PER_READ` at a time with `read`,
/// and the item of every pool entry `wanted` built by `build` on a second thread from
/// the chunks already read: reading (the database, one core) and redaction (the
/// other) overlap instead of following each other. Items are keyed by pool index.
fn read_and_build(
    ids: &[String],
    read: impl Fn(&[String]) -> Result<Vec<Message>, HubError>,
    wanted: &[bool],
    build: impl Fn(usize, &Message) -> InputItem + Sync,
) -> Result<(Vec<Message>, HashMap<usize, InputItem>), HubError> {
    let (send, receive) = std::sync::mpsc::channel::<Vec<Message>>();
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let mut messages: Vec<Message> = Vec::with_capacity(ids.len());
            let mut items = HashMap::new();
            for chunk in receive {
                for m in chunk {
                    let j = messages.len();
                    if wanted.get(j).copied().unwrap_or(false) {
                        items.insert(j, build(j, &m));
                    }
                    messages.push(m);
                }
            }
            (messages, items)
        });
        let mut failed = None;
        for chunk in ids.chunks(TEXTS_PER_READ) {
            match read(chunk) {
                // The worker only stops early by panicking, reported below.
                Ok(found) => {
                    if send.send(found).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        drop(send);
        let built = worker.join().map_err(|_| {
            HubError::Internal(
                "building the dispatch's items stopped unexpectedly; nothing was dispatched, run it again"
                    .into(),
            )
        });
        match failed {
            Some(e) => Err(e),
            None => built,
        }
    })
}

fn taxonomy_from(intents: &BTreeSet<String>) -> Taxonomy {
    let joined: Vec<&str> = intents.iter().map(String::as_str).collect();
    let d = ring::digest::digest(&ring::digest::SHA256, joined.join("\n").as_bytes());
    Taxonomy {
        id: "default".into(),
        version: format!("auto-{}", hex::encode(&d.as_ref()[..4])),
        intents: intents
            .iter()
            .map(|i| Intent {
                id: i.clone(),
                ..Intent::default()
            })
            .collect(),
    }
}

/// How long each phase of a dispatch took, logged at debug level (durations only) so a
/// slow dispatch on a large hub can be traced to its phase.
struct Phases {
    last: std::time::Instant,
    laps: Vec<(&'static str, u128)>,
}

impl Phases {
    fn start() -> Phases {
        Phases {
            last: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((name, (now - self.last).as_millis()));
        self.last = now;
    }

    fn log(&self) {
        let laps: Vec<String> = self
            .laps
            .iter()
            .map(|(n, ms)| format!("{n}={ms}"))
            .collect();
        tracing::debug!(phases_ms = %laps.join(" "), "dispatch phases");
    }
}

/// One batch's payload for `dev`, with the request's guidelines, and its sealed file.
fn seal_batch(
    s: &AppState,
    (guidelines, lease_secs): (&str, i64),
    taxonomy: &Taxonomy,
    dev: &DeviceRecord,
    items: Vec<InputItem>,
    now: i64,
) -> Result<(batch::BatchPayload, Vec<u8>), HubError> {
    let payload = batch::input::build_payload(
        items,
        Some(taxonomy.clone()),
        &dev.recipient,
        now,
        lease_secs,
    )
    .map_err(|e| bad(e.to_string()))?;
    let payload = batch::BatchPayload {
        guidelines: guidelines.to_string(),
        ..payload
    };
    // `seal` validates the payload (with the guidelines) before sealing it.
    let bytes = batch::seal(&payload, &s.key).map_err(|e| bad(e.to_string()))?;
    Ok((payload, bytes))
}

fn dispatch_blocking(s: &AppState, req: DispatchRequest) -> Result<DispatchResponse, HubError> {
    let now = auth::now();
    let mut phases = Phases::start();
    let store = &s.store;
    let devices = match &req.devices {
        None => store.active_devices()?,
        Some(ids) => {
            let mut out = Vec::new();
            for id in ids.iter().collect::<BTreeSet<_>>() {
                let d = store
                    .device(id)?
                    .ok_or_else(|| HubError::not_found("unknown_device", "no such device"))?;
                if d.revoked {
                    return Err(HubError::conflict(
                        "revoked",
                        "one of the devices is revoked; leave it out",
                    ));
                }
                out.push(d);
            }
            out
        }
    };
    if devices.is_empty() {
        return Err(HubError::conflict(
            "no_devices",
            "no enrolled, unrevoked device to dispatch to; enroll annotators first",
        ));
    }
    if req.overlap > devices.len() {
        return Err(HubError::bad(
            "overlap_too_large",
            format!(
                "overlap {} needs at least that many devices; {} available",
                req.overlap,
                devices.len()
            ),
        ));
    }
    let gold = if req.gold_share > 0.0 {
        let g = store.gold_messages()?;
        if g.is_empty() {
            return Err(HubError::conflict(
                "no_gold",
                "a gold share was asked for but the hub holds no gold answers; add some with POST /v1/admin/gold",
            ));
        }
        g
    } else {
        Vec::new()
    };
    phases.lap("devices_gold");
    let p = compute_pool(s, &req.selection, req.overlap, now)?;
    phases.lap("candidates_select");
    let index: HashMap<&str, usize> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| (d.device_id.as_str(), i))
        .collect();
    let needs: Vec<Need> = p
        .pool
        .entries
        .iter()
        .map(|e| {
            let holders = &p.holders[e.index];
            Need {
                copies: copies_for(e.reason, req.overlap, holders),
                exclude: holders
                    .iter()
                    .filter_map(|h| index.get(h.as_str()).copied())
                    .collect(),
            }
        })
        .collect();
    let (planned, shortfall) = plan(
        &needs,
        devices.len(),
        req.batch_size,
        gold.len(),
        req.gold_share,
        req.selection.seed,
    );
    phases.lap("plan");
    let mut intents: BTreeSet<String> = store.known_intents()?.into_iter().collect();
    let taxonomy = match req.taxonomy {
        Some(t) => {
            intents = t.intents.iter().map(|i| i.id.clone()).collect();
            t
        }
        None => taxonomy_from(&intents),
    };
    let r: &Redactor = &s.redactor;
    let terms = company_terms(store.as_ref())?;
    // Only now read the texts of what goes out, and redact each message that goes out
    // once (its copies share the redacted item) while the next ones are read.
    let ids: Vec<String> = p
        .pool
        .entries
        .iter()
        .map(|e| p.messages[e.index].message_id.clone())
        .collect();
    let mut wanted = vec![false; ids.len()];
    for slot in planned.iter().flat_map(|b| &b.slots) {
        if let Slot::Pool(j) = *slot {
            if let Some(w) = wanted.get_mut(j) {
                *w = true;
            }
        }
    }
    let (texts, mut pool_items) = read_and_build(
        &ids,
        |chunk| store.messages_by_id(chunk),
        &wanted,
        |j, m| item_for(m, p.pool.entries[j].reason, r, &terms, &intents),
    )?;
    let gold_reason = |m: &Message| {
        // A gold item looks like any other: its reason is the one it would have had if
        // selected.
        if m.reported_false_positive {
            Reason::FalsePositive
        } else if m.confidence < req.selection.max_confidence {
            Reason::LowConfidence
        } else {
            Reason::RandomSample
        }
    };
    // Gold items (few) are built below as their slots come.
    let mut gold_items: HashMap<usize, InputItem> = HashMap::new();
    phases.lap("texts_redact");
    let mut dispatched = BTreeSet::new();
    let lease_expires_at = now.saturating_add(req.lease_secs);
    // What each batch's copies record, in plan order; every item it holds made (here,
    // for any slot not built while the texts were read) and checked against the taxonomy.
    let mut unsealed = Vec::with_capacity(planned.len());
    for b in &planned {
        let mut meta = Vec::with_capacity(b.slots.len());
        for slot in &b.slots {
            let item = match *slot {
                Slot::Pool(j) => {
                    let e = &p.pool.entries[j];
                    meta.push((
                        texts[j].message_id.clone(),
                        false,
                        e.reason,
                        shown(&texts[j]),
                    ));
                    dispatched.insert(j);
                    &*pool_items
                        .entry(j)
                        .or_insert_with(|| item_for(&texts[j], e.reason, r, &terms, &intents))
                }
                Slot::Gold(g) => {
                    let m = &gold[g].0;
                    let reason = gold_reason(m);
                    meta.push((m.message_id.clone(), true, reason, shown(m)));
                    &*gold_items
                        .entry(g)
                        .or_insert_with(|| item_for(m, reason, r, &terms, &intents))
                }
            };
            if !intents.contains(&item.intent) {
                return Err(bad(format!(
                    "the model intent {} of a selected message is not in the taxonomy; add it or leave the taxonomy out",
                    item.intent
                )));
            }
        }
        unsealed.push((&devices[b.annotator], &b.slots, meta));
    }
    // Seal every batch (encoding, encryption and signature: independent per batch) on
    // every core; the batches keep plan order.
    let (pool_items, gold_items) = (&pool_items, &gold_items);
    let request = (req.guidelines.as_str(), req.lease_secs);
    let seal_one = |(dev, slots, _): &(&DeviceRecord, &Vec<Slot>, _)| {
        // Every slot's item was made above, so none is missing.
        let items = slots
            .iter()
            .map(|slot| match *slot {
                Slot::Pool(j) => pool_items.get(&j).cloned(),
                Slot::Gold(g) => gold_items.get(&g).cloned(),
            })
            .collect::<Option<Vec<InputItem>>>()
            .ok_or_else(|| HubError::Internal("a dispatched item was not built".into()))?;
        seal_batch(s, request, &taxonomy, dev, items, now)
    };
    let mut sealed = labelvault_core::par::map(&unsealed, 8, seal_one);
    if sealed.len() != unsealed.len() {
        // A worker panicked and its batches are missing: seal them all here.
        sealed = unsealed.iter().map(seal_one).collect();
    }
    let mut batches = Vec::with_capacity(planned.len());
    let mut out = Vec::with_capacity(planned.len());
    let (mut copies_n, mut gold_n) = (0, 0);
    for ((dev, _, meta), sealed) in unsealed.into_iter().zip(sealed) {
        let (payload, bytes) = sealed?;
        let item_ids: Vec<String> = payload.items.iter().map(|i| i.item_id.clone()).collect();
        let item_chars = payload.items.iter().map(|i| i.text_chars()).collect();
        let item_texts = payload.items.iter().map(|i| i.text.clone()).collect();
        let gold_here = meta.iter().filter(|m| m.1).count();
        copies_n += meta.len() - gold_here;
        gold_n += gold_here;
        out.push(DispatchedBatch {
            batch_id: payload.batch_id.clone(),
            device_id: dev.device_id.clone(),
            items: item_ids.len(),
            gold: gold_here,
        });
        batches.push(DispatchBatch {
            copies: item_ids
                .iter()
                .zip(meta)
                .map(
                    |(item_id, (message_id, gold, reason, prediction))| NewCopy {
                        item_id: item_id.clone(),
                        message_id,
                        gold,
                        reason,
                        prediction: Some(prediction),
                    },
                )
                .collect(),
            batch: NewBatch {
                batch_id: payload.batch_id,
                device_id: dev.device_id.clone(),
                created_at: payload.created_at,
                expires_at: payload.expires_at,
                bytes,
                item_ids,
                item_chars,
                item_texts,
                intents: payload
                    .taxonomy
                    .intents
                    .iter()
                    .map(|i| i.id.clone())
                    .collect(),
            },
            lease_expires_at,
        });
    }
    phases.lap("seal");
    store.store_dispatch(&batches, req.overlap, now)?;
    phases.lap("store");
    phases.log();
    Ok(DispatchResponse {
        composition: p.pool.composition,
        dispatched_messages: dispatched.len(),
        copies: copies_n,
        gold_copies: gold_n,
        shortfall,
        lease_expires_at,
        batches: out,
    })
}

/// `POST /v1/admin/dispatch`: select, redact, seal per device and store, atomically.
pub async fn dispatch(State(s): State<AppState>, body: Bytes) -> Result<Response, HubError> {
    let req: DispatchRequest = parse_plan(&body)?;
    check_overlap(req.overlap)?;
    if req.batch_size == 0 || req.batch_size > defaults::MAX_BATCH_SIZE {
        return Err(bad(format!(
            "`batch_size` must be 1–{}",
            defaults::MAX_BATCH_SIZE
        )));
    }
    if !(req.gold_share.is_finite() && (0.0..=defaults::MAX_GOLD_SHARE).contains(&req.gold_share)) {
        return Err(bad(format!(
            "`gold_share` must be between 0 and {}",
            defaults::MAX_GOLD_SHARE
        )));
    }
    if req.lease_secs < 1 || req.lease_secs > MAX_LEASE_SECS {
        return Err(bad(format!("`lease_secs` must be 1–{MAX_LEASE_SECS}")));
    }
    if req.guidelines.len() > batch::limits::MAX_GUIDELINES {
        return Err(bad(format!(
            "`guidelines` must be at most {} bytes",
            batch::limits::MAX_GUIDELINES
        )));
    }
    let st = s.clone();
    let resp = blocking(move || dispatch_blocking(&st, req)).await?;
    tracing::info!(
        batches = resp.batches.len(),
        copies = resp.copies,
        gold = resp.gold_copies,
        shortfall = resp.shortfall,
        "dispatched"
    );
    Ok(Json(resp).into_response())
}

/// `POST /v1/admin/leases/reclaim`: return unfinished copies whose lease ended (by now,
/// or by `as_of`) to the pool.
pub async fn reclaim(State(s): State<AppState>, body: Bytes) -> Result<Response, HubError> {
    let req: ReclaimRequest = parse(&body)?;
    let as_of = req.as_of.unwrap_or_else(auth::now);
    let store = s.store.clone();
    let n = blocking(move || store.reclaim(as_of)).await?;
    tracing::info!(returned = n, "reclaimed leases");
    Ok(Json(ReclaimAnswer { returned: n, as_of }).into_response())
}

/// `GET /v1/admin/items`: the item id → message id map, JSONL.
pub async fn items(State(s): State<AppState>) -> Result<Response, HubError> {
    let store = s.store.clone();
    Ok(crate::http::jsonl(
        blocking(move || store.items_jsonl()).await?,
    ))
}

/// `GET /v1/admin/pipeline`: counts.
pub async fn status(State(s): State<AppState>) -> Result<Response, HubError> {
    let store = s.store.clone();
    Ok(Json(blocking(move || store.pipeline_status()).await?).into_response())
}

/// `GET /v1/admin/batches/{batch_id}`: a sealed batch for offline hand-over.
pub async fn batch_file(
    State(s): State<AppState>,
    Path(batch_id): Path<String>,
) -> Result<Response, HubError> {
    let store = s.store.clone();
    let bytes = blocking(move || store.batch_file(&batch_id))
        .await?
        .ok_or_else(|| HubError::not_found("unknown_batch", "no such batch"))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/octet-stream")],
        bytes,
    )
        .into_response())
}

/// `POST /v1/admin/batches/{batch_id}/withdraw`: the manager's undo of a dispatch, for a
/// batch its device has not fetched yet: the sealed batch is dropped and its items go
/// back to the pool (a batch already fetched is refused with `already_fetched`).
pub async fn withdraw_batch(
    State(s): State<AppState>,
    axum::extract::Path(batch_id): axum::extract::Path<String>,
) -> Result<Response, HubError> {
    if !labelvault_core::grammar::BATCH_ID.matches(&batch_id) {
        return Err(HubError::not_found("unknown_batch", "no such batch"));
    }
    let store = s.store.clone();
    let id = batch_id.clone();
    let returned = blocking(move || store.withdraw_batch(&id, auth::now())).await?;
    tracing::info!(copies_returned = returned, "withdrew a batch");
    Ok(Json(WithdrawAnswer {
        batch_id,
        withdrawn: true,
        copies_returned: returned,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(i: usize) -> Message {
        Message {
            message_id: format!("m{i}"),
            text: format!(
                "Order {i} is late, mail me at user{i}@example.com or call +44 7700 900{:03}",
                i % 1000
            ),
            company: "acme".into(),
            channel: "chat".into(),
            received_at: 1_760_000_000 + i as i64,
            model_intent: "late_delivery".into(),
            confidence: 0.4,
            probabilities: vec![("late_delivery".into(), 0.4), ("refund".into(), 0.3)],
            reported_false_positive: false,
            training_consent: true,
            model_version: labelvault_core::pipeline::UNVERSIONED.into(),
            language: None,
        }
    }

    /// Building a dispatch's items while its texts are read gives every wanted pool
    /// entry the very item the one-by-one path builds for it (same redacted text,
    /// prediction and reason), and the messages in the order asked: the overlap changes
    /// the speed of a dispatch, not what it sends.
    #[test]
    fn items_built_while_reading_are_the_items_built_one_by_one() {
        let messages: Vec<Message> = (0..2_500).map(message).collect();
        let ids: Vec<String> = messages.iter().map(|m| m.message_id.clone()).collect();
        let r = Redactor::default();
        let terms = HashMap::new();
        let intents: BTreeSet<String> = ["late_delivery".to_string(), "refund".to_string()].into();
        let build =
            |_: usize, m: &Message| item_for(m, Reason::LowConfidence, &r, &terms, &intents);
        let read = |chunk: &[String]| -> Result<Vec<Message>, HubError> {
            Ok(chunk
                .iter()
                .map(|id| {
                    messages
                        .iter()
                        .find(|m| &m.message_id == id)
                        .cloned()
                        .unwrap_or_else(|| message(0))
                })
                .collect())
        };
        // Every third entry is left out (not planned).
        let wanted: Vec<bool> = (0..2_500).map(|j| j % 3 != 0).collect();
        let (read_back, pool) = read_and_build(&ids, read, &wanted, build).expect("built");
        assert_eq!(read_back, messages);
        assert_eq!(pool.len(), wanted.iter().filter(|w| **w).count());
        for (j, m) in messages.iter().enumerate() {
            assert_eq!(pool.get(&j), wanted[j].then(|| build(j, m)).as_ref(), "{j}");
        }
        // A failed read fails the whole: nothing half-built comes back.
        let failing = |chunk: &[String]| -> Result<Vec<Message>, HubError> {
            if chunk.first() == ids.get(TEXTS_PER_READ) {
                Err(HubError::not_found("unknown_message", "gone"))
            } else {
                read(chunk)
            }
        };
        assert!(read_and_build(&ids, failing, &wanted, build).is_err());
        for item in pool.values() {
            assert!(
                !item.text.contains("@example.com") && !item.text.contains("7700 900"),
                "personal data left in a dispatched item"
            );
        }
    }
}
