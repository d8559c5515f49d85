//! `docs/openapi.yaml` against the admin API's Rust types (`labelvault_core::admin_api`):
//! for each shared type, the schema's property names must be the type's field names,
//! a request's `required` list the fields without a default, an answer's `required`
//! fields fields it always sends, the documented defaults the ones the type applies, and
//! the enums the same names. Schemathesis (tests/system/tests/contract.rs) then checks the
//! running hub against the same document.

use labelvault_core::admin_api::{self as api, defaults, ExportFormat, Strategy};
use labelvault_core::batch::Reason;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn spec() -> Value {
    // Another copy of the document can be checked with LABELVAULT_OPENAPI_FILE.
    let path = std::env::var("LABELVAULT_OPENAPI_FILE").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.yaml").to_string()
    });
    let text = std::fs::read_to_string(&path).expect("read docs/openapi.yaml");
    serde_yaml::from_str(&text).expect("docs/openapi.yaml is YAML")
}

/// The schema at `pointer` (JSON pointer into the spec), `$ref`s followed.
fn schema<'a>(spec: &'a Value, pointer: &str) -> &'a Value {
    let mut s = spec
        .pointer(pointer)
        .unwrap_or_else(|| panic!("docs/openapi.yaml has nothing at {pointer}"));
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let p = r.trim_start_matches('#');
        s = spec
            .pointer(p)
            .unwrap_or_else(|| panic!("docs/openapi.yaml: {r} (from {pointer}) is not defined"));
    }
    s
}

fn names(v: Option<&Value>) -> BTreeSet<String> {
    match v {
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => BTreeSet::new(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// The hub reads it: `required` must be exactly the fields without a default.
    Request,
    /// The hub writes it: `required` may only name fields it always sends.
    Answer,
    /// Clients read part of it: each field must be documented; the hub may send more.
    Read,
}

/// Compare `T` (through `example`, which must set every optional field) with the schema at
/// `pointer`; returns the problems found.
fn check<T: Serialize + DeserializeOwned>(
    spec: &Value,
    rust: &str,
    pointer: &str,
    kind: Kind,
    example: &T,
) -> Vec<String> {
    let s = schema(spec, pointer);
    let at = format!("{rust} vs docs/openapi.yaml {pointer}");
    let Value::Object(fields) = serde_json::to_value(example).expect("serialize the example")
    else {
        panic!("{rust} is not a JSON object");
    };
    let rust_fields: BTreeSet<String> = fields.keys().cloned().collect();
    let documented = names(s.get("properties"));
    let mut out = Vec::new();
    for f in rust_fields.difference(&documented) {
        out.push(format!("{at}: field `{f}` is not documented"));
    }
    if kind != Kind::Read {
        for f in documented.difference(&rust_fields) {
            out.push(format!(
                "{at}: documented property `{f}` is not in the type"
            ));
        }
    }
    // A field is required by the type when leaving it out fails to parse.
    let rust_required: BTreeSet<String> = fields
        .keys()
        .filter(|k| {
            let mut without = fields.clone();
            without.remove(*k);
            serde_json::from_value::<T>(Value::Object(without)).is_err()
        })
        .cloned()
        .collect();
    let required = names(s.get("required"));
    match kind {
        Kind::Request if required != rust_required => out.push(format!(
            "{at}: required {required:?} but the type requires {rust_required:?}"
        )),
        Kind::Answer => {
            for f in required.difference(&rust_fields) {
                out.push(format!("{at}: requires `{f}`, which the type never sends"));
            }
        }
        _ => {}
    }
    if kind == Kind::Request {
        // What the type applies to a left-out field is what the document says.
        let minimal: serde_json::Map<String, Value> = fields
            .iter()
            .filter(|(k, _)| rust_required.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let filled = serde_json::to_value(
            serde_json::from_value::<T>(Value::Object(minimal)).expect("parse the minimal"),
        )
        .expect("serialize");
        for (name, p) in s
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let (Some(doc), Some(got)) = (p.get("default"), filled.get(name)) else {
                continue;
            };
            let same = match (doc.as_f64(), got.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => doc == got,
            };
            if !same {
                out.push(format!(
                    "{at}: `{name}` defaults to {doc} in the document but to {got} in the type"
                ));
            }
        }
    }
    out
}

/// An array property's items (`parent`'s `field`) against a type, as an answer.
fn check_item<T: Serialize + DeserializeOwned>(
    spec: &Value,
    parent: &str,
    field: &str,
    example: &T,
) -> Vec<String> {
    let rust = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or("item");
    check(
        spec,
        rust,
        &format!("{parent}/properties/{field}/items"),
        Kind::Answer,
        example,
    )
}

/// The names an enum's variants serialize to.
fn enum_names<T: Serialize>(all: &[T]) -> BTreeSet<String> {
    all.iter()
        .map(|v| {
            serde_json::to_value(v)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .expect("a unit variant")
        })
        .collect()
}

fn check_enum(spec: &Value, rust: &str, pointer: &str, ours: BTreeSet<String>) -> Vec<String> {
    let documented = names(schema(spec, pointer).get("enum"));
    if documented == ours {
        Vec::new()
    } else {
        vec![format!(
            "{rust} vs docs/openapi.yaml {pointer}: the document lists {documented:?}, the type {ours:?}"
        )]
    }
}

/// Every strategy; a new variant does not compile until it is listed here.
fn strategies() -> Vec<Strategy> {
    let all = vec![
        Strategy::LeastConfidence,
        Strategy::Margin,
        Strategy::Entropy,
    ];
    for s in &all {
        match s {
            Strategy::LeastConfidence | Strategy::Margin | Strategy::Entropy => {}
        }
    }
    all
}

/// Every reason; a new variant does not compile until it is listed here.
fn reasons() -> Vec<Reason> {
    let all = vec![
        Reason::FalsePositive,
        Reason::LowConfidence,
        Reason::RandomSample,
        Reason::SuspectedLabelError,
    ];
    for r in &all {
        match r {
            Reason::FalsePositive
            | Reason::LowConfidence
            | Reason::RandomSample
            | Reason::SuspectedLabelError => {}
        }
    }
    all
}

fn post(path: &str) -> String {
    format!("/paths/{}/post", path.replace('~', "~0").replace('/', "~1"))
}
fn request(path: &str) -> String {
    format!(
        "{}/requestBody/content/application~1json/schema",
        post(path)
    )
}
fn answer(path: &str) -> String {
    format!(
        "{}/responses/200/content/application~1json/schema",
        post(path)
    )
}

fn get_answer(path: &str) -> String {
    format!(
        "/paths/{}/get/responses/200/content/application~1json/schema",
        path.replace('~', "~0").replace('/', "~1")
    )
}

/// The review calls' types: quality, disagreements, adjudications, annotators and the
/// missed-PII report and its confirmation.
#[test]
fn the_openapi_document_describes_the_review_types() {
    let spec = spec();
    let mut problems = Vec::new();
    let agreement = api::Agreement {
        key: "b1".into(),
        device_id: Some("d1".into()),
        messages: 2,
        paired_messages: 1,
        labels: 3,
        alpha: Some(0.5),
        kappa: Some(0.5),
        observed_agreement: Some(0.5),
    };
    let annotator = api::AnnotatorQuality {
        annotator_id: "a1".into(),
        name: Some("Ann".into()),
        devices: vec!["d1".into()],
        copies_labelled: 3,
        decisions: 2,
        unsure: 1,
        skipped: 0,
        gold: api::GoldScore {
            answered: 1,
            correct: 1,
            accuracy: Some(1.0),
        },
        self_consistency: api::SelfConsistency {
            messages: 1,
            pairs: 1,
            agreeing: 1,
            rate: Some(1.0),
        },
        dawid_skene_accuracy: Some(0.9),
        agreement_with_aggregate: Some(0.9),
        unsure_rate: Some(0.3),
        skip_rate: Some(0.0),
        pace: api::Pace {
            timed: 2,
            median_ms: Some(3000),
            p10_ms: Some(1000),
            too_fast: 0,
            too_fast_below_ms: 800,
            too_fast_share: Some(0.0),
            flagged: false,
        },
    };
    let pair = api::PairKappa {
        annotator_a: "a1".into(),
        annotator_b: "a2".into(),
        shared: 2,
        kappa: Some(0.5),
    };
    let quality = "/components/schemas/QualityReport";
    // The hub adds `as_of` beside the report: the type is what clients read.
    problems.extend(check(
        &spec,
        "QualityReport",
        quality,
        Kind::Read,
        &api::QualityReport {
            method: api::Method::Majority,
            counts: api::Counts::default(),
            overall: agreement.clone(),
            by_batch: vec![agreement.clone()],
            by_company: vec![],
            by_intent: vec![],
            pairs: vec![pair.clone()],
            annotators: vec![annotator.clone()],
        },
    ));
    problems.extend(check(
        &spec,
        "Counts",
        &format!("{quality}/properties/counts"),
        Kind::Answer,
        &api::Counts::default(),
    ));
    problems.extend(check(
        &spec,
        "Agreement",
        "/components/schemas/Agreement",
        Kind::Answer,
        &agreement,
    ));
    problems.extend(check_item(&spec, quality, "pairs", &pair));
    problems.extend(check_item(&spec, quality, "annotators", &annotator));
    let q = "/components/schemas/AnnotatorQuality/properties";
    problems.extend(check(
        &spec,
        "GoldScore",
        &format!("{q}/gold"),
        Kind::Answer,
        &annotator.gold,
    ));
    problems.extend(check(
        &spec,
        "SelfConsistency",
        &format!("{q}/self_consistency"),
        Kind::Answer,
        &annotator.self_consistency,
    ));
    problems.extend(check(
        &spec,
        "Pace",
        &format!("{q}/pace"),
        Kind::Answer,
        &annotator.pace,
    ));
    problems.extend(check_enum(
        &spec,
        "Method",
        &format!("{quality}/properties/method"),
        enum_names(&[api::Method::DawidSkene, api::Method::Majority]),
    ));

    let label = api::CopyLabelView {
        annotator_id: "a1".into(),
        device_id: "d1".into(),
        item_id: "i1".into(),
        batch_id: "b1".into(),
        verdict: "wrong".into(),
        intent: Some("x".into()),
        decided_at_ms: 1,
    };
    let adjudication = api::Adjudication {
        seq: 1,
        message_id: "m1".into(),
        intent: "x".into(),
        by: "manager".into(),
        decided_at_ms: 1,
        previous_intent: Some("y".into()),
        supersedes: Some(1),
        labels: serde_json::to_value(vec![label.clone()]).expect("labels as JSON"),
    };
    let disagreement = api::Disagreement {
        message_id: "m1".into(),
        kind: "conflict".into(),
        company: "c".into(),
        model_intent: "x".into(),
        confidence: 0.5,
        gold: false,
        labels: vec![label.clone()],
        majority: Some(api::MajorityView {
            intent: "x".into(),
            votes: 1,
            tie: true,
        }),
        dawid_skene: Some(api::DawidSkeneView {
            intent: "x".into(),
            posterior: 0.5,
        }),
        adjudication: Some(adjudication.clone()),
        text: Some("t".into()),
    };
    let d = "/components/schemas/Disagreement";
    problems.extend(check(&spec, "Disagreement", d, Kind::Answer, &disagreement));
    problems.extend(check_item(&spec, d, "labels", &label));
    problems.extend(check(
        &spec,
        "MajorityView",
        &format!("{d}/properties/majority/oneOf/1"),
        Kind::Answer,
        &disagreement.majority,
    ));
    problems.extend(check(
        &spec,
        "DawidSkeneView",
        &format!("{d}/properties/dawid_skene/oneOf/1"),
        Kind::Answer,
        &disagreement.dawid_skene,
    ));
    let kinds: BTreeSet<String> = ["conflict", "undecided"].map(String::from).into();
    problems.extend(check_enum(
        &spec,
        "Disagreement.kind",
        &format!("{d}/properties/kind"),
        kinds,
    ));
    let verdicts: BTreeSet<String> = ["correct", "wrong", "unsure", "skip"]
        .map(String::from)
        .into();
    problems.extend(check_enum(
        &spec,
        "CopyLabelView.verdict",
        "/components/schemas/CopyLabelView/properties/verdict",
        verdicts,
    ));
    problems.extend(check(
        &spec,
        "DisagreementList",
        &get_answer("/v1/admin/disagreements"),
        Kind::Read,
        &api::DisagreementList {
            total: 1,
            open: 1,
            disagreements: vec![disagreement.clone()],
        },
    ));
    problems.extend(check(
        &spec,
        "Adjudication",
        "/components/schemas/Adjudication",
        Kind::Answer,
        &adjudication,
    ));
    problems.extend(check(
        &spec,
        "AdjudicationRequest",
        &request("/v1/admin/adjudications"),
        Kind::Request,
        &api::AdjudicationRequest {
            message_id: "m1".into(),
            intent: "x".into(),
            by: "lead".into(),
        },
    ));
    problems.extend(check(
        &spec,
        "UndoRequest",
        &request("/v1/admin/adjudications/{seq}/undo"),
        Kind::Request,
        &api::UndoRequest { by: "lead".into() },
    ));
    problems.extend(check(
        &spec,
        "AdjudicationList",
        &get_answer("/v1/admin/adjudications"),
        Kind::Answer,
        &api::AdjudicationList {
            adjudications: vec![adjudication],
        },
    ));

    let person = api::Annotator {
        annotator_id: "a1".into(),
        name: "Ann".into(),
        devices: vec![api::AnnotatorDevice {
            device_id: "d1".into(),
            revoked: false,
        }],
    };
    let annotators = get_answer("/v1/admin/annotators");
    problems.extend(check(
        &spec,
        "AnnotatorList",
        &annotators,
        Kind::Answer,
        &api::AnnotatorList {
            annotators: vec![person.clone()],
        },
    ));
    problems.extend(check_item(&spec, &annotators, "annotators", &person));
    problems.extend(check_item(
        &spec,
        &format!("{annotators}/properties/annotators/items"),
        "devices",
        &person.devices[0],
    ));

    let row = api::MissedPiiRow {
        week: "2026-11-30".into(),
        company: "c".into(),
        guess: "PERSON".into(),
        marks: 2,
        messages: 1,
    };
    let missed = get_answer("/v1/admin/missed-pii");
    problems.extend(check(
        &spec,
        "MissedPiiReport",
        &missed,
        Kind::Answer,
        &api::MissedPiiReport {
            rows: vec![row.clone()],
            marks: 2,
            messages: 1,
        },
    ));
    problems.extend(check_item(&spec, &missed, "rows", &row));
    let confirm = "/v1/admin/missed-pii/confirm";
    problems.extend(check(
        &spec,
        "ConfirmTermsRequest",
        &request(confirm),
        Kind::Request,
        &api::ConfirmTermsRequest {
            week: "2026-11-30".into(),
            company: "c".into(),
            guess: "NUMBER".into(),
            as_kind: Some(api::PiiKind::OrderNumber),
        },
    ));
    problems.extend(check_enum(
        &spec,
        "PiiKind",
        &format!("{}/properties/as", request(confirm)),
        enum_names(&api::PiiKind::ALL),
    ));
    problems.extend(check(
        &spec,
        "ConfirmTermsAnswer",
        &answer(confirm),
        Kind::Answer,
        &api::ConfirmTermsAnswer {
            marks: 2,
            added: 1,
            company_terms: 3,
            masked_copies: 1,
        },
    ));
    assert!(
        problems.is_empty(),
        "docs/openapi.yaml and the admin API's review types (crates/core/src/admin_api.rs) disagree; fix whichever is wrong:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_openapi_document_describes_the_admin_api_types() {
    let spec = spec();
    let selection = api::Selection::window(1, 2);
    let entry = api::PoolEntry {
        message_id: "m".into(),
        reason: Reason::LowConfidence,
        company: "c".into(),
        channel: "chat".into(),
        received_at: 1,
        model_intent: "i".into(),
        confidence: 0.5,
        copies_needed: 1,
    };
    let batch = api::DispatchedBatch {
        batch_id: "b".into(),
        device_id: "d".into(),
        items: 2,
        gold: 1,
    };
    let mut dispatch = api::DispatchRequest::of(selection.clone());
    dispatch.devices = Some(vec!["d".into()]);
    dispatch.taxonomy = Some(labelvault_core::batch::Taxonomy {
        id: "t".into(),
        version: "1".into(),
        intents: Vec::new(),
    });
    dispatch.guidelines = "Be kind.".into();
    let refused = api::RefusedMessage {
        index: 0,
        message_id: "m".into(),
        reason: "r".into(),
    };
    let gold = api::GoldAnswer {
        message_id: "m".into(),
        intent: "i".into(),
    };
    let dispatch_answer = "/components/schemas/DispatchResponse";
    let ingest = "/components/schemas/IngestReport";
    let mut problems = Vec::new();
    problems.extend(check(
        &spec,
        "Selection",
        "/components/schemas/Selection",
        Kind::Request,
        &selection,
    ));
    problems.extend(check(
        &spec,
        "SelectRequest",
        &request("/v1/admin/select"),
        Kind::Request,
        &api::SelectRequest {
            selection: selection.clone(),
            overlap: 2,
        },
    ));
    problems.extend(check(
        &spec,
        "SelectAnswer",
        &answer("/v1/admin/select"),
        Kind::Answer,
        &api::SelectAnswer {
            composition: api::Composition::default(),
            copies_needed: 1,
            entries: vec![entry.clone()],
        },
    ));
    problems.extend(check(
        &spec,
        "PoolEntry",
        "/components/schemas/PoolEntry",
        Kind::Answer,
        &entry,
    ));
    problems.extend(check(
        &spec,
        "Composition",
        "/components/schemas/Composition",
        Kind::Answer,
        &api::Composition::default(),
    ));
    problems.extend(check(
        &spec,
        "DispatchRequest",
        "/components/schemas/DispatchRequest",
        Kind::Request,
        &dispatch,
    ));
    problems.extend(check(
        &spec,
        "DispatchRequest",
        &request("/v1/admin/dispatch"),
        Kind::Request,
        &dispatch,
    ));
    problems.extend(check(
        &spec,
        "DispatchResponse",
        dispatch_answer,
        Kind::Answer,
        &api::DispatchResponse {
            composition: api::Composition::default(),
            dispatched_messages: 1,
            copies: 1,
            gold_copies: 1,
            shortfall: 0,
            lease_expires_at: 1,
            batches: vec![batch.clone()],
        },
    ));
    problems.extend(check(
        &spec,
        "DispatchedBatch",
        &format!("{dispatch_answer}/properties/batches/items"),
        Kind::Answer,
        &batch,
    ));
    problems.extend(check(
        &spec,
        "IngestReport",
        ingest,
        Kind::Answer,
        &api::IngestReport {
            refused: vec![refused.clone()],
            ..api::IngestReport::default()
        },
    ));
    problems.extend(check(
        &spec,
        "IngestReport",
        &answer("/v1/admin/messages"),
        Kind::Answer,
        &api::IngestReport::default(),
    ));
    problems.extend(check(
        &spec,
        "RefusedMessage",
        &format!("{ingest}/properties/refused/items"),
        Kind::Answer,
        &refused,
    ));
    problems.extend(check(
        &spec,
        "PipelineStatus",
        "/components/schemas/PipelineStatus",
        Kind::Answer,
        &api::PipelineStatus::default(),
    ));
    problems.extend(check(
        &spec,
        "ReclaimRequest",
        &request("/v1/admin/leases/reclaim"),
        Kind::Request,
        &api::ReclaimRequest { as_of: Some(1) },
    ));
    problems.extend(check(
        &spec,
        "ReclaimAnswer",
        &answer("/v1/admin/leases/reclaim"),
        Kind::Answer,
        &api::ReclaimAnswer {
            returned: 1,
            as_of: 1,
        },
    ));
    problems.extend(check(
        &spec,
        "GoldRequest",
        &request("/v1/admin/gold"),
        Kind::Request,
        &api::GoldRequest {
            answers: vec![gold.clone()],
        },
    ));
    problems.extend(check(
        &spec,
        "GoldAnswer",
        &format!("{}/properties/answers/items", request("/v1/admin/gold")),
        Kind::Request,
        &gold,
    ));
    problems.extend(check(
        &spec,
        "GoldStored",
        &answer("/v1/admin/gold"),
        Kind::Answer,
        &api::GoldStored { gold: 1 },
    ));
    problems.extend(check(
        &spec,
        "CompanyRequest",
        &request("/v1/admin/companies"),
        Kind::Request,
        &api::CompanyRequest {
            company: "c".into(),
            newly_onboarded: Some(true),
            training_consent: Some(true),
        },
    ));
    problems.extend(check(
        &spec,
        "CompanyAnswer",
        &answer("/v1/admin/companies"),
        Kind::Answer,
        &api::CompanyAnswer {
            company: "c".into(),
            newly_onboarded: Some(true),
            training_consent: None,
        },
    ));
    problems.extend(check(
        &spec,
        "WithdrawAnswer",
        &answer("/v1/admin/batches/{batch_id}/withdraw"),
        Kind::Answer,
        &api::WithdrawAnswer {
            batch_id: "b".into(),
            withdrawn: true,
            copies_returned: 1,
        },
    ));
    let evaluation = "/components/schemas/Evaluation";
    let version = api::VersionScore {
        model_version: "v1".into(),
        items: 1,
        accuracy: 1.0,
        macro_f1: 1.0,
    };
    let segment = api::SegmentRate {
        dimension: "company".into(),
        segment: "c".into(),
        items: 1,
        errors: 0,
        error_rate: 0.0,
        ci_low: 0.0,
        ci_high: 0.5,
        rest_error_rate: 0.0,
        p_value: Some(0.5),
        flagged: false,
    };
    let score = api::IntentScore {
        intent: "i".into(),
        precision: 1.0,
        recall: 1.0,
        f1: 1.0,
        support: 1,
    };
    let bin = api::CalibrationBin {
        from: 0.0,
        to: 0.1,
        count: 1,
        mean_confidence: 0.05,
        accuracy: 1.0,
    };
    let confusion = api::Confusion {
        model: "a".into(),
        human: "b".into(),
        count: 1,
    };
    problems.extend(check(
        &spec,
        "EvaluationAnswer",
        evaluation,
        Kind::Read,
        &api::EvaluationAnswer {
            model_version: Some("v1".into()),
            ..api::EvaluationAnswer::default()
        },
    ));
    problems.extend(check_item(&spec, evaluation, "per_intent", &score));
    problems.extend(check_item(&spec, evaluation, "top_confusions", &confusion));
    problems.extend(check_item(&spec, evaluation, "calibration", &bin));
    problems.extend(check_item(&spec, evaluation, "bias_audit", &segment));
    problems.extend(check_item(&spec, evaluation, "by_model_version", &version));
    let delta = api::IntentDelta {
        intent: "i".into(),
        f1_a: 1.0,
        f1_b: 1.0,
        difference: 0.0,
        support: 1,
    };
    let comparison = "/components/schemas/Comparison";
    problems.extend(check(
        &spec,
        "ComparisonAnswer",
        comparison,
        Kind::Answer,
        &api::ComparisonAnswer {
            method: api::Method::DawidSkene,
            split: "test".into(),
            comparison: api::Comparison {
                a: "v1".into(),
                b: "v2".into(),
                items: 1,
                accuracy_a: 1.0,
                accuracy_b: 1.0,
                accuracy_difference: 0.0,
                macro_f1_a: 1.0,
                macro_f1_b: 1.0,
                macro_f1_difference: 0.0,
                only_a_correct: 0,
                only_b_correct: 0,
                mcnemar_p: 1.0,
                per_intent: vec![delta.clone()],
            },
        },
    ));
    problems.extend(check_item(&spec, comparison, "per_intent", &delta));
    let mark = api::RetrainMarkView {
        seq: 1,
        kind: "export".into(),
        at_ms: 1,
    };
    problems.extend(check(
        &spec,
        "RetrainStatus",
        "/components/schemas/RetrainStatus",
        Kind::Answer,
        &api::RetrainStatus {
            new_labels: 1,
            threshold: 1,
            due: true,
            labels_total: 1,
            last_mark: Some(mark.clone()),
        },
    ));
    problems.extend(check(
        &spec,
        "RetrainMarkView",
        "/components/schemas/RetrainStatus/properties/last_mark/oneOf/1",
        Kind::Answer,
        &mark,
    ));
    problems.extend(check_enum(
        &spec,
        "Strategy",
        "/components/schemas/Selection/properties/strategy",
        enum_names(&strategies()),
    ));
    problems.extend(check_enum(
        &spec,
        "Reason",
        "/components/schemas/PoolEntry/properties/reason",
        enum_names(&reasons()),
    ));
    let export = spec
        .pointer("/paths/~1v1~1admin~1export/get/parameters")
        .and_then(Value::as_array)
        .and_then(|ps| ps.iter().find(|p| p["name"] == "format"))
        .expect("the export's format parameter");
    let documented = names(export.pointer("/schema/enum"));
    let ours = enum_names(&ExportFormat::ALL);
    if documented != ours {
        problems.push(format!(
            "ExportFormat vs docs/openapi.yaml GET /v1/admin/export `format`: the document lists {documented:?}, the type {ours:?}"
        ));
    }
    if export.pointer("/schema/default") != Some(&json!(ExportFormat::default().as_str())) {
        problems.push("ExportFormat's default is not the export's documented default".into());
    }
    // Limits the hub applies, as documented.
    let dispatch_props = &schema(&spec, "/components/schemas/DispatchRequest")["properties"];
    for (name, max) in [
        ("overlap", json!(defaults::MAX_OVERLAP)),
        ("batch_size", json!(defaults::MAX_BATCH_SIZE)),
        ("gold_share", json!(defaults::MAX_GOLD_SHARE)),
        ("lease_secs", json!(defaults::MAX_LEASE_SECS)),
    ] {
        if dispatch_props[name]["maximum"].as_f64() != max.as_f64() {
            problems.push(format!(
                "DispatchRequest.{name}: the document's maximum is {}, the hub's {max}",
                dispatch_props[name]["maximum"]
            ));
        }
    }
    let budget = &schema(&spec, "/components/schemas/Selection")["properties"]
        ["label_error_budget"]["maximum"];
    if budget.as_u64() != Some(defaults::MAX_LABEL_ERROR_BUDGET as u64) {
        problems.push(format!(
            "Selection.label_error_budget: the document's maximum is {budget}, the hub's {}",
            defaults::MAX_LABEL_ERROR_BUDGET
        ));
    }
    assert!(
        problems.is_empty(),
        "docs/openapi.yaml and the admin API's types (crates/core/src/admin_api.rs) disagree; fix whichever is wrong:\n{}",
        problems.join("\n")
    );
}

/// The people, retraining, assignment and webhook calls' types: accounts and their
/// enrollment, the retraining mark and threshold, an assignment and the webhook
/// deliveries.
#[test]
fn the_openapi_document_describes_the_account_retrain_assign_and_webhook_types() {
    let spec = spec();
    let mut problems = Vec::new();
    let accounts = "/v1/admin/accounts";
    problems.extend(check(
        &spec,
        "AccountRequest",
        &request(accounts),
        Kind::Request,
        &api::AccountRequest {
            name: "Mia".into(),
            role: api::Role::Lead,
        },
    ));
    problems.extend(check_enum(
        &spec,
        "Role",
        &format!("{}/properties/role", request(accounts)),
        enum_names(&api::Role::ALL),
    ));
    problems.extend(check_enum(
        &spec,
        "Role (role change)",
        &format!(
            "{}/properties/role",
            request("/v1/admin/accounts/{account_id}/role")
        ),
        enum_names(&api::Role::ALL),
    ));
    problems.extend(check(
        &spec,
        "AccountCreated",
        &answer(accounts),
        Kind::Answer,
        &api::AccountCreated {
            account_id: "ac_1".into(),
            role: api::Role::Viewer,
            enrollment_code: "ABCD".into(),
            code_expires_at: 1,
        },
    ));
    let account = api::Account {
        account_id: "ac_1".into(),
        name: "Mia".into(),
        role: api::Role::Manager,
        signing_key: Some("k".into()),
        revoked: false,
        created_at: 1,
    };
    problems.extend(check(
        &spec,
        "AccountList",
        &get_answer(accounts),
        Kind::Answer,
        &api::AccountList {
            accounts: vec![account.clone()],
        },
    ));
    problems.extend(check_item(
        &spec,
        &get_answer(accounts),
        "accounts",
        &account,
    ));
    problems.extend(check(
        &spec,
        "AccountEnroll",
        &request("/v1/accounts/enroll"),
        Kind::Request,
        &api::AccountEnroll {
            enrollment_code: "ABCD".into(),
            signing_key: "k".into(),
        },
    ));
    problems.extend(check(
        &spec,
        "AccountEnrolled",
        &answer("/v1/accounts/enroll"),
        Kind::Answer,
        &api::AccountEnrolled {
            account_id: "ac_1".into(),
            role: api::Role::PrivacyOfficer,
            hub_public_key: "k".into(),
        },
    ));

    problems.extend(check(
        &spec,
        "RetrainMarkRequest",
        &request("/v1/admin/retrain/mark"),
        Kind::Request,
        &api::RetrainMarkRequest::of(api::RetrainMarkKind::Export),
    ));
    problems.extend(check_enum(
        &spec,
        "RetrainMarkKind",
        &format!("{}/properties/kind", request("/v1/admin/retrain/mark")),
        enum_names(&[api::RetrainMarkKind::Training, api::RetrainMarkKind::Export]),
    ));
    problems.extend(check(
        &spec,
        "RetrainThresholdRequest",
        &request("/v1/admin/retrain/threshold"),
        Kind::Request,
        &api::RetrainThresholdRequest { threshold: 5 },
    ));
    let threshold_max = schema(
        &spec,
        &format!(
            "{}/properties/threshold",
            request("/v1/admin/retrain/threshold")
        ),
    )
    .get("maximum")
    .and_then(Value::as_u64);
    if threshold_max != Some(api::RetrainThresholdRequest::MAX) {
        problems.push(format!(
            "RetrainThresholdRequest::MAX is {} but the document says {threshold_max:?}",
            api::RetrainThresholdRequest::MAX
        ));
    }

    let item = api::AssignItem {
        text: "t".into(),
        intent: "x".into(),
        confidence: 0.5,
        reason: Reason::LowConfidence,
        alternatives: vec![labelvault_core::batch::Alternative {
            intent: "y".into(),
            confidence: 0.2,
        }],
    };
    let assign = "/components/schemas/AssignRequest";
    problems.extend(check(
        &spec,
        "AssignRequest",
        assign,
        Kind::Request,
        &api::AssignRequest {
            device_id: "d_1".into(),
            taxonomy: Some(labelvault_core::batch::Taxonomy {
                id: "t".into(),
                version: "1".into(),
                intents: Vec::new(),
            }),
            items: vec![item.clone()],
            expires_days: Some(3),
        },
    ));
    problems.extend(check_item(&spec, assign, "items", &item));
    problems.extend(check(
        &spec,
        "AssignAnswer",
        "/components/schemas/AssignResponse",
        Kind::Answer,
        &api::AssignAnswer {
            batch_id: "b_1".into(),
            item_ids: vec!["i_1".into()],
        },
    ));

    let attempt = api::WebhookAttempt {
        event_id: "wh_1".into(),
        attempt: 1,
        at_ms: 1,
        status: Some(503),
        error: Some("connect".into()),
        next_attempt_at_ms: Some(2),
        state: "pending".into(),
    };
    let delivery = api::WebhookDelivery {
        event_id: "wh_1".into(),
        episode: 0,
        created_at_ms: 1,
        state: "pending".into(),
        next_attempt_at_ms: Some(2),
        attempts: vec![attempt.clone()],
    };
    let hooks = "/components/schemas/WebhookDeliveries";
    problems.extend(check(
        &spec,
        "WebhookDeliveries",
        hooks,
        Kind::Answer,
        &api::WebhookDeliveries {
            deliveries: vec![delivery.clone()],
        },
    ));
    problems.extend(check_item(&spec, hooks, "deliveries", &delivery));
    problems.extend(check_item(
        &spec,
        &format!("{hooks}/properties/deliveries/items"),
        "attempts",
        &attempt,
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
