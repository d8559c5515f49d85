//! Exporting what the humans decided: a training set (hub-side text joined with the
//! aggregated label) split into train/validation/test, stratified by label and seeded;
//! in plain JSONL, the chat fine-tuning JSONL shape, and Label Studio / Prodigy / Argilla
//! shapes.

use super::select::Rng;
use serde_json::json;
use std::collections::BTreeMap;

/// Which split an example falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// Training.
    Train,
    /// Validation.
    Validation,
    /// Test.
    Test,
}

impl Split {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Validation => "validation",
            Split::Test => "test",
        }
    }
}

/// The export's train share when none is asked for (70/15/15): also what the model
/// comparison calls the test split.
pub const DEFAULT_TRAIN: f64 = 0.7;
/// The export's validation share by default.
pub const DEFAULT_VALIDATION: f64 = 0.15;
/// The export's split seed by default.
pub const DEFAULT_SEED: u64 = 0;

/// Assign splits stratified by label: within each label, a seeded shuffle, then the
/// first `train` share to training, the next `validation` share to validation, the rest
/// to test (largest-remainder rounding per label). Returns one split per example.
pub fn stratified_split(labels: &[&str], train: f64, validation: f64, seed: u64) -> Vec<Split> {
    let mut by_label: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        by_label.entry(l).or_default().push(i);
    }
    let mut rng = Rng::new(seed);
    let mut out = vec![Split::Train; labels.len()];
    for (_, mut idx) in by_label {
        rng.shuffle(&mut idx);
        let n = idx.len() as f64;
        let n_train = (n * train).round() as usize;
        let n_val = ((n * (train + validation)).round() as usize).saturating_sub(n_train);
        for (k, &i) in idx.iter().enumerate() {
            out[i] = if k < n_train {
                Split::Train
            } else if k < n_train + n_val {
                Split::Validation
            } else {
                Split::Test
            };
        }
    }
    out
}

/// Assign `k` cross-validation folds stratified by label and seeded: within each label
/// a seeded shuffle (its own stream, so folds and the split are independent), then
/// folds dealt in turn, so each label's examples spread over the folds within one.
/// Returns one fold (0..k) per example; every example has one, whatever its split.
pub fn stratified_folds(labels: &[&str], k: u8, seed: u64) -> Vec<u8> {
    let k = k.max(1);
    let mut by_label: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        by_label.entry(l).or_default().push(i);
    }
    let mut rng = Rng::new(seed ^ 0x666f_6c64_735f_7631); // "folds_v1"
    let mut out = vec![0u8; labels.len()];
    // Continue dealing across labels, so small labels do not all start at fold 0.
    let mut next = 0usize;
    for (_, mut idx) in by_label {
        rng.shuffle(&mut idx);
        for i in idx {
            out[i] = (next % usize::from(k)) as u8;
            next += 1;
        }
    }
    out
}

/// One exported example.
#[derive(Debug, Clone)]
pub struct Example<'a> {
    /// Hub-side message id.
    pub message_id: &'a str,
    /// Text (on the hub: the raw text; exports stay on the hub).
    pub text: &'a str,
    /// Aggregated human intent.
    pub intent: &'a str,
    /// Split.
    pub split: Split,
    /// Cross-validation fold, when the export asked for folds.
    pub fold: Option<u8>,
}

/// Plain JSONL line.
pub fn jsonl_line(e: &Example<'_>) -> String {
    let mut v =
        json!({"id": e.message_id, "text": e.text, "intent": e.intent, "split": e.split.as_str()});
    if let Some(f) = e.fold {
        v["fold"] = f.into();
    }
    v.to_string()
}

/// Chat fine-tuning JSONL line.
pub fn chat_line(e: &Example<'_>, system_prompt: &str) -> String {
    json!({"messages": [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": e.text},
        {"role": "assistant", "content": e.intent}
    ]})
    .to_string()
}

/// Label Studio task with the human label as an annotation.
pub fn label_studio_task(e: &Example<'_>) -> serde_json::Value {
    let mut v = json!({"data": {"text": e.text, "id": e.message_id, "split": e.split.as_str()},
           "annotations": [{"result": [{"from_name": "intent", "to_name": "text", "type": "choices",
                                         "value": {"choices": [e.intent]}}]}]});
    if let Some(f) = e.fold {
        v["data"]["fold"] = f.into();
    }
    v
}

/// The Argilla user id an export's final labels are recorded under (Argilla keys
/// responses by user UUID): the UUIDv5 of the URL namespace and
/// `https://labelvault.invalid/final-label`, the same in every export.
pub const ARGILLA_FINAL_LABEL_USER: &str = "801e88ea-bbed-51f2-a0ad-451e58fa57ce";

/// Argilla v2 record (the shape `Dataset.records.to_json` writes and
/// `Record.from_dict` reads): the text as the `text` field, the final human label as a
/// submitted response to the `intent` question, the model's guess as its suggestion,
/// the split and company as metadata.
pub fn argilla_record(
    e: &Example<'_>,
    model_intent: &str,
    confidence: f64,
    company: &str,
) -> serde_json::Value {
    let mut metadata = json!({"split": e.split.as_str(), "company": company});
    if let Some(f) = e.fold {
        metadata["fold"] = f.into();
    }
    json!({"id": e.message_id, "fields": {"text": e.text},
           "metadata": metadata,
           "suggestions": {"intent": {"value": model_intent, "score": confidence, "agent": "model"}},
           "responses": {"intent": [{"value": e.intent, "user_id": ARGILLA_FINAL_LABEL_USER}]},
           "vectors": {}, "status": "completed"})
}

/// Prodigy JSONL line (accepted answer).
pub fn prodigy_line(e: &Example<'_>) -> String {
    let mut v = json!({"text": e.text, "label": e.intent, "answer": "accept", "meta": {"id": e.message_id, "split": e.split.as_str()}});
    if let Some(f) = e.fold {
        v["meta"]["fold"] = f.into();
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_are_stratified_and_seeded() {
        let labels: Vec<&str> = (0..1000)
            .map(|i| if i % 10 == 0 { "rare" } else { "common" })
            .collect();
        let s = stratified_split(&labels, 0.7, 0.15, 3);
        let count = |l: &str, sp: Split| {
            labels
                .iter()
                .zip(&s)
                .filter(|(a, b)| **a == l && **b == sp)
                .count()
        };
        assert_eq!(
            (
                count("rare", Split::Train),
                count("rare", Split::Validation),
                count("rare", Split::Test)
            ),
            (70, 15, 15)
        );
        assert_eq!(
            (
                count("common", Split::Train),
                count("common", Split::Validation),
                count("common", Split::Test)
            ),
            (630, 135, 135)
        );
        assert_eq!(stratified_split(&labels, 0.7, 0.15, 3), s);
        assert_ne!(stratified_split(&labels, 0.7, 0.15, 4), s);
        let e = Example {
            message_id: "m1",
            text: "hi",
            intent: "x",
            split: Split::Test,
            fold: None,
        };
        assert!(chat_line(&e, "Classify").contains("\"assistant\""));
        assert_eq!(
            label_studio_task(&e)["annotations"][0]["result"][0]["value"]["choices"][0],
            "x"
        );
    }

    /// Folds: every label spread over the k folds within one, the same seed the same
    /// folds, another seed others, and every example in one fold.
    #[test]
    fn folds_are_stratified_and_seeded() {
        let labels: Vec<&str> = (0..103)
            .map(|i| match i % 10 {
                0 => "rare",
                1..=3 => "mid",
                _ => "common",
            })
            .collect();
        let f = stratified_folds(&labels, 5, 7);
        assert_eq!(f.len(), labels.len());
        assert!(f.iter().all(|x| *x < 5));
        for l in ["rare", "mid", "common"] {
            let mut per = [0usize; 5];
            for (x, y) in labels.iter().zip(&f) {
                if *x == l {
                    per[*y as usize] += 1;
                }
            }
            let (lo, hi) = (per.iter().min().unwrap(), per.iter().max().unwrap());
            assert!(hi - lo <= 1, "{l}: {per:?}");
        }
        assert_eq!(f, stratified_folds(&labels, 5, 7));
        assert_ne!(f, stratified_folds(&labels, 5, 8));
        let e = Example {
            message_id: "m1",
            text: "t",
            intent: "a",
            split: Split::Test,
            fold: Some(3),
        };
        assert!(jsonl_line(&e).ends_with(r#""fold":3}"#) || jsonl_line(&e).contains(r#""fold":3"#));
    }
}
