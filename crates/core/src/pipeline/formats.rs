//! What other labelling tools' files say about the model's output, read the same way by
//! `labelvault ingest` (the hub's pipeline) and `labelvault batch seal`.
//!
//! - **Label Studio**: each prediction's first `result[].value.choices[0]` and its
//!   `score`. The score is optional in Label Studio; a prediction without one has
//!   [`UNKNOWN_CONFIDENCE`]. An empty `predictions` list is no model output at all.
//! - **Prodigy**: `answer` is what a person said about the model's `label`: `accept`
//!   (or absent) keeps it; `reject` marks it a reported false positive (in textcat,
//!   rejecting the model's label is exactly that); `ignore` skips the row.
//! - **Argilla** (v2 records, as `Dataset.records.to_json` writes them): the text is
//!   `fields.text`; the model's output is the suggestion to the `intent` question (or
//!   the record's only suggestion), its `score` optional as in Label Studio; a person's
//!   submitted response naming another value than the suggestion marks a reported false
//!   positive; a record whose status (or only response) is `discarded` is skipped, as
//!   Prodigy's `ignore`. `metadata` carries company, channel and received_at.

use serde_json::Value;

/// The confidence given to a Label Studio prediction without a `score`: 0, so that a
/// prediction whose certainty nobody knows ranks with the least confident ones and a
/// person sees it first (never above a scored prediction of the same task).
pub const UNKNOWN_CONFIDENCE: f64 = 0.0;

/// One Label Studio prediction: its intent and its score, if it has one.
pub type Prediction = (String, Option<f64>);

/// A Label Studio task's predictions, best first: scored ones by score, then unscored
/// ones in file order. `Ok(None)` when the task has no `predictions` or an empty list.
pub fn label_studio_predictions(v: &Value) -> Result<Option<Vec<Prediction>>, String> {
    let Some(preds) = v
        .get("predictions")
        .and_then(Value::as_array)
        .filter(|p| !p.is_empty())
    else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(preds.len());
    for p in preds {
        let choice = p
            .get("result")
            .and_then(Value::as_array)
            .and_then(|r| r.first())
            .and_then(|r| r.pointer("/value/choices/0"))
            .and_then(Value::as_str)
            .ok_or("missing `predictions[].result[].value.choices`")?;
        let score = match p.get("score") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => Some(
                s.trim()
                    .parse()
                    .map_err(|_| "`predictions[].score` must be a number")?,
            ),
            Some(_) => return Err("`predictions[].score` must be a number".into()),
        };
        if score.is_some_and(|s| !(s.is_finite() && (0.0..=1.0).contains(&s))) {
            return Err("`predictions[].score` must be a number in [0, 1]".into());
        }
        out.push((choice.trim().to_string(), score));
    }
    // Stable: unscored ones keep their order after every scored one.
    out.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    Ok(Some(out))
}

/// The `model_version` Label Studio gives the prediction the model's intent came from
/// (the first prediction choosing `intent` that names one).
pub fn label_studio_model_version<'a>(v: &'a Value, intent: &str) -> Option<&'a str> {
    v.get("predictions")?.as_array()?.iter().find_map(|p| {
        let choice = p.pointer("/result/0/value/choices/0")?.as_str()?;
        (choice.trim() == intent)
            .then(|| p.get("model_version")?.as_str())
            .flatten()
    })
}

/// The `agent` (the model that made it, in Argilla's terms) of an Argilla record's
/// suggestion to its `intent` question, or of its only suggestion.
pub fn argilla_agent(v: &Value) -> Option<&str> {
    let all = v.get("suggestions")?.as_object()?;
    let s = match all.get("intent") {
        Some(s) => s,
        None if all.len() == 1 => all.values().next()?,
        None => return None,
    };
    s.get("agent")?.as_str()
}

/// Whether a JSON object is an Argilla v2 record (`fields` is an object).
pub fn is_argilla_record(v: &Value) -> bool {
    v.get("fields").is_some_and(Value::is_object)
}

/// An Argilla record's model output: the suggestion to its `intent` question, or its
/// only suggestion; `(question, value, score)`. `Ok(None)` without suggestions.
pub fn argilla_suggestion(v: &Value) -> Result<Option<(String, String, Option<f64>)>, String> {
    let Some(all) = v.get("suggestions").and_then(Value::as_object) else {
        return Ok(None);
    };
    let (question, s) = match all.get("intent") {
        Some(s) => ("intent", s),
        None if all.len() == 1 => match all.iter().next() {
            Some((q, s)) => (q.as_str(), s),
            None => return Ok(None),
        },
        None if all.is_empty() => return Ok(None),
        None => {
            return Err("several Argilla suggestions and none for a question named `intent`".into())
        }
    };
    let value = s
        .get("value")
        .and_then(Value::as_str)
        .ok_or("`suggestions.<question>.value` must be a label (Argilla)")?;
    let score = match s.get("score") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(_) => return Err("`suggestions.<question>.score` must be a number".into()),
    };
    if score.is_some_and(|s| !(s.is_finite() && (0.0..=1.0).contains(&s))) {
        return Err("`suggestions.<question>.score` must be a number in [0, 1]".into());
    }
    Ok(Some((
        question.to_string(),
        value.trim().to_string(),
        score,
    )))
}

/// What people said about an Argilla record's suggestion to `question`: `Ignore` when
/// the record (or every response) is discarded, `Reject` when a submitted response
/// names another value, else `Accept`.
pub fn argilla_answer(v: &Value, question: &str, suggested: &str) -> Answer {
    if v.get("status").and_then(Value::as_str) == Some("discarded") {
        return Answer::Ignore;
    }
    let responses: Vec<&Value> = v
        .pointer(&format!("/responses/{question}"))
        .and_then(Value::as_array)
        .map(|r| r.iter().collect())
        .unwrap_or_default();
    fn status(r: &Value) -> &str {
        r.get("status")
            .and_then(Value::as_str)
            .unwrap_or("submitted")
    }
    if !responses.is_empty() && responses.iter().all(|r| status(r) == "discarded") {
        return Answer::Ignore;
    }
    let disagrees = responses.iter().any(|r| {
        status(r) == "submitted"
            && r.get("value")
                .and_then(Value::as_str)
                .is_some_and(|x| x.trim() != suggested)
    });
    if disagrees {
        Answer::Reject
    } else {
        Answer::Accept
    }
}

/// What a person said about a Prodigy row's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `accept`, or no `answer`: the row as it stands.
    Accept,
    /// `reject`: the model's label is wrong — a reported false positive.
    Reject,
    /// `ignore`: the row is skipped.
    Ignore,
}

/// The row's Prodigy `answer`.
pub fn prodigy_answer(v: &Value) -> Result<Answer, String> {
    match v.get("answer") {
        None | Some(Value::Null) => Ok(Answer::Accept),
        Some(Value::String(s)) => match s.as_str() {
            "accept" => Ok(Answer::Accept),
            "reject" => Ok(Answer::Reject),
            "ignore" => Ok(Answer::Ignore),
            _ => Err("`answer` must be accept, reject or ignore (Prodigy)".into()),
        },
        Some(_) => Err("`answer` must be accept, reject or ignore (Prodigy)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn predictions_with_and_without_scores() {
        let v = json!({"predictions": [
            {"result": [{"value": {"choices": ["a"]}}]},
            {"score": 0.2, "result": [{"value": {"choices": ["b"]}}]},
            {"score": 0.7, "result": [{"value": {"choices": ["c"]}}]}]});
        assert_eq!(
            label_studio_predictions(&v).unwrap().unwrap(),
            vec![
                ("c".into(), Some(0.7)),
                ("b".into(), Some(0.2)),
                ("a".into(), None)
            ]
        );
        assert_eq!(
            label_studio_predictions(&json!({"predictions": []})).unwrap(),
            None
        );
        assert_eq!(label_studio_predictions(&json!({})).unwrap(), None);
        let bad = json!({"predictions": [{"score": 7, "result": [{"value": {"choices": ["a"]}}]}]});
        assert!(label_studio_predictions(&bad).is_err());
    }

    #[test]
    fn answers() {
        assert_eq!(prodigy_answer(&json!({})).unwrap(), Answer::Accept);
        assert_eq!(
            prodigy_answer(&json!({"answer": "reject"})).unwrap(),
            Answer::Reject
        );
        assert_eq!(
            prodigy_answer(&json!({"answer": "ignore"})).unwrap(),
            Answer::Ignore
        );
        assert!(prodigy_answer(&json!({"answer": "maybe"})).is_err());
    }
}
