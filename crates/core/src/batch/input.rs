//! Reading the manager's item lists for sealing, in the shapes users already have:
//!
//! * plain JSONL: `{"text", "intent", "confidence", "reason", "alternatives"?}`
//! * Label Studio tasks (JSONL or a JSON array): `{"data": {"text"}, "predictions":
//!   [{"score", "result": [{"value": {"choices": [intent]}}]}]}`
//! * Prodigy JSONL: `{"text", "label", "meta": {"score", "reason"?}}`
//! * Argilla v2 records (a JSON array or JSONL): `{"fields": {"text"}, "suggestions":
//!   {"intent": {"value", "score"?}}, "responses"?, "status"?}` (read as in
//!   `pipeline::formats`)
//! * CSV with a header: `text,intent,confidence,reason[,alternatives]` (`label`,
//!   `model_intent`, `score` accepted as column names; alternatives as `a:0.2;b:0.1`).
//!
//! Errors name the line and the field, never the text.

use super::{random_id, Alternative, BatchItem, BatchPayload, Intent, Reason, Taxonomy};
use crate::error::BatchError;
use crate::pipeline::formats;
use serde_json::Value;

/// One message to seal, before it gets its opaque id.
#[derive(Debug, Clone, PartialEq)]
pub struct InputItem {
    /// Redacted text.
    pub text: String,
    /// Model intent.
    pub intent: String,
    /// Model confidence.
    pub confidence: f64,
    /// Why it was selected.
    pub reason: Reason,
    /// Next-best guesses.
    pub alternatives: Vec<Alternative>,
}

/// The file's shape, or `Auto` to tell from the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// JSON lines or a JSON array (any of the JSON shapes above, per line).
    Json,
    /// CSV with a header row.
    Csv,
    /// JSON if the first non-blank byte is `{` or `[`, else CSV.
    Auto,
}

/// Parse a whole input file.
pub fn parse_items(
    bytes: &[u8],
    format: InputFormat,
    default_reason: Reason,
) -> Result<Vec<InputItem>, BatchError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        BatchError::Input(format!("the input is not UTF-8 (byte {})", e.valid_up_to()))
    })?;
    let first = text.trim_start().as_bytes().first().copied();
    let format = match format {
        InputFormat::Auto if matches!(first, Some(b'{') | Some(b'[')) => InputFormat::Json,
        InputFormat::Auto => InputFormat::Csv,
        f => f,
    };
    let items = match format {
        InputFormat::Csv => parse_csv(text, default_reason)?,
        _ if first == Some(b'[') => {
            let arr: Vec<Value> = serde_json::from_str(text).map_err(|e| {
                BatchError::Input(format!(
                    "the JSON array is malformed ({})",
                    super::file::json_error_without_values(&e)
                ))
            })?;
            let mut out = Vec::new();
            for (i, v) in arr.iter().enumerate() {
                if let Some(item) =
                    from_json(v, default_reason).map_err(|m| at("element", i + 1, &m))?
                {
                    out.push(item);
                }
            }
            out
        }
        _ => {
            let mut out = Vec::new();
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v: Value = serde_json::from_str(line).map_err(|e| {
                    at(
                        "line",
                        i + 1,
                        &format!(
                            "malformed JSON ({})",
                            super::file::json_error_without_values(&e)
                        ),
                    )
                })?;
                if let Some(item) =
                    from_json(&v, default_reason).map_err(|m| at("line", i + 1, &m))?
                {
                    out.push(item);
                }
            }
            out
        }
    };
    if items.is_empty() {
        return Err(BatchError::Input("the input holds no items".into()));
    }
    Ok(items)
}

fn at(what: &str, n: usize, msg: &str) -> BatchError {
    BatchError::Input(format!("{what} {n}: {msg}"))
}

fn conf(v: Option<&Value>, field: &str) -> Result<f64, String> {
    match v {
        Some(Value::Number(n)) => n
            .as_f64()
            .ok_or_else(|| format!("`{field}` is not a number")),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| format!("`{field}` is not a number")),
        None | Some(Value::Null) => Err(format!("missing `{field}`")),
        _ => Err(format!("`{field}` is not a number")),
    }
}

fn reason(v: Option<&Value>, default: Reason) -> Result<Reason, String> {
    match v.and_then(Value::as_str) {
        None => Ok(default),
        Some(s) => Reason::parse(s).ok_or_else(|| {
            "`reason` must be false_positive, low_confidence, random_sample or suspected_label_error".to_string()
        }),
    }
}

fn string(v: Option<&Value>, field: &str) -> Result<String, String> {
    v.and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("missing or non-text `{field}`"))
}

fn alternatives(v: Option<&Value>) -> Result<Vec<Alternative>, String> {
    match v {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                Ok(Alternative {
                    intent: string(x.get("intent"), "alternatives[].intent")?,
                    confidence: conf(x.get("confidence"), "alternatives[].confidence")?,
                })
            })
            .collect(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, x)| {
                Ok(Alternative {
                    intent: k.clone(),
                    confidence: conf(Some(x), "alternatives")?,
                })
            })
            .collect(),
        _ => Err("`alternatives` must be a list of {intent, confidence}".into()),
    }
}

/// Label Studio: `predictions[].result[].value.choices[0]` with `predictions[].score`
/// (optional: read as in `pipeline::formats`).
fn label_studio(v: &Value, default: Reason) -> Result<InputItem, String> {
    let data = v.get("data").ok_or("missing `data`")?;
    let text = string(data.get("text"), "data.text")?;
    let preds = formats::label_studio_predictions(v)?
        .ok_or("no model output: the Label Studio `predictions` list is missing or empty")?;
    let mut guesses: Vec<Alternative> = preds
        .into_iter()
        .map(|(intent, score)| Alternative {
            intent,
            confidence: score.unwrap_or(formats::UNKNOWN_CONFIDENCE),
        })
        .collect();
    let best = guesses.remove(0);
    let r = data.get("reason").or_else(|| v.pointer("/meta/reason"));
    Ok(InputItem {
        text,
        intent: best.intent,
        confidence: best.confidence,
        reason: reason(r, default)?,
        alternatives: guesses,
    })
}

/// Argilla: the record's suggestion is the model's output (a missing score is unknown
/// confidence); returns the item and what people said about the suggestion.
fn argilla(v: &Value, default: Reason) -> Result<(InputItem, formats::Answer), String> {
    let text = string(v.pointer("/fields/text"), "fields.text")?;
    let (question, intent, score) = formats::argilla_suggestion(v)?.ok_or(
        "no model output: the Argilla record has no suggestion; give one for an `intent` question",
    )?;
    let answer = formats::argilla_answer(v, &question, &intent);
    Ok((
        InputItem {
            text,
            intent,
            confidence: score.unwrap_or(formats::UNKNOWN_CONFIDENCE),
            reason: reason(v.pointer("/metadata/reason"), default)?,
            alternatives: Vec::new(),
        },
        answer,
    ))
}

/// One entry; `None` for a row Prodigy (or Argilla) says to ignore.
fn from_json(v: &Value, default: Reason) -> Result<Option<InputItem>, String> {
    use crate::pipeline::formats::{prodigy_answer, Answer};
    if !v.is_object() {
        return Err("each entry must be a JSON object".into());
    }
    let (item, answer) = if formats::is_argilla_record(v) {
        let (item, answer) = argilla(v, default)?;
        (Some(item), answer)
    } else {
        (None, prodigy_answer(v)?)
    };
    let entry = |v: &Value, default: Reason| match &item {
        Some(i) => Ok(i.clone()),
        None => entry(v, default),
    };
    match answer {
        Answer::Ignore => Ok(None),
        // Rejecting the model's label is a reported false positive.
        Answer::Reject => entry(v, default).map(|i| {
            Some(InputItem {
                reason: Reason::FalsePositive,
                ..i
            })
        }),
        Answer::Accept => entry(v, default).map(Some),
    }
}

fn entry(v: &Value, default: Reason) -> Result<InputItem, String> {
    if v.get("data").is_some() {
        return label_studio(v, default);
    }
    let text = string(v.get("text"), "text")?;
    if let Some(intent) = v.get("intent").or_else(|| v.get("model_intent")) {
        return Ok(InputItem {
            text,
            intent: string(Some(intent), "intent")?,
            confidence: conf(v.get("confidence").or_else(|| v.get("score")), "confidence")?,
            reason: reason(v.get("reason"), default)?,
            alternatives: alternatives(v.get("alternatives"))?,
        });
    }
    if v.get("label").is_some() {
        // Prodigy
        let meta = v.get("meta");
        return Ok(InputItem {
            text,
            intent: string(v.get("label"), "label")?,
            confidence: conf(
                meta.and_then(|m| m.get("score")).or_else(|| v.get("score")),
                "meta.score",
            )?,
            reason: reason(
                meta.and_then(|m| m.get("reason"))
                    .or_else(|| v.get("reason")),
                default,
            )?,
            alternatives: alternatives(meta.and_then(|m| m.get("alternatives")))?,
        });
    }
    Err("no model intent: expected `intent`, Prodigy `label`, or Label Studio `predictions`".into())
}

fn parse_csv(text: &str, default: Reason) -> Result<Vec<InputItem>, BatchError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| BatchError::Input(format!("the CSV header is unreadable ({e})")))?
        .clone();
    let col = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let text_col =
        col(&["text"]).ok_or_else(|| BatchError::Input("the CSV has no `text` column".into()))?;
    let intent_col = col(&["intent", "model_intent", "label"])
        .ok_or_else(|| BatchError::Input("the CSV has no `intent` column".into()))?;
    let conf_col = col(&["confidence", "score"])
        .ok_or_else(|| BatchError::Input("the CSV has no `confidence` column".into()))?;
    let reason_col = col(&["reason"]);
    let alt_col = col(&["alternatives"]);
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|_| {
            at(
                "line",
                line,
                "malformed CSV row (wrong number of fields or bad quoting)",
            )
        })?;
        let get = |c: usize| rec.get(c).unwrap_or("");
        let confidence: f64 = get(conf_col)
            .trim()
            .parse()
            .map_err(|_| at("line", line, "`confidence` is not a number"))?;
        let r = match reason_col.map(get).filter(|s| !s.trim().is_empty()) {
            None => default,
            Some(s) => Reason::parse(s).ok_or_else(|| {
                at(
                    "line",
                    line,
                    "`reason` must be false_positive, low_confidence, random_sample or suspected_label_error",
                )
            })?,
        };
        let mut alts = Vec::new();
        if let Some(a) = alt_col.map(get).filter(|s| !s.trim().is_empty()) {
            for part in a.split(';') {
                let (intent, c) = part.rsplit_once(':').ok_or_else(|| {
                    at(
                        "line",
                        line,
                        "`alternatives` must look like intent:0.2;other:0.1",
                    )
                })?;
                let c: f64 = c
                    .trim()
                    .parse()
                    .map_err(|_| at("line", line, "an alternative's confidence is not a number"))?;
                alts.push(Alternative {
                    intent: intent.trim().to_string(),
                    confidence: c,
                });
            }
        }
        out.push(InputItem {
            text: get(text_col).to_string(),
            intent: get(intent_col).trim().to_string(),
            confidence,
            reason: r,
            alternatives: alts,
        });
    }
    Ok(out)
}

/// Parse a taxonomy file: `{"id", "version", "intents": [{"id", "description"}]}`.
pub fn parse_taxonomy(bytes: &[u8]) -> Result<Taxonomy, BatchError> {
    serde_json::from_slice(bytes).map_err(|e| {
        BatchError::Input(format!(
            "the taxonomy file is invalid ({}); expected {{\"id\", \"version\", \"intents\": [{{\"id\", \"description\"}}]}}",
            super::file::json_error_without_values(&e)
        ))
    })
}

/// A taxonomy made of the intents the items mention, when the manager gives none. Its
/// version is derived from the intent list, so the same intents give the same version.
pub fn derive_taxonomy(items: &[InputItem]) -> Taxonomy {
    let mut ids: Vec<&str> = items
        .iter()
        .flat_map(|i| {
            std::iter::once(i.intent.as_str())
                .chain(i.alternatives.iter().map(|a| a.intent.as_str()))
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let d = ring::digest::digest(&ring::digest::SHA256, ids.join("\n").as_bytes());
    Taxonomy {
        id: "default".into(),
        version: format!("auto-{}", hex::encode(&d.as_ref()[..4])),
        intents: ids
            .into_iter()
            .map(|id| Intent {
                id: id.to_string(),
                ..Intent::default()
            })
            .collect(),
    }
}

/// Build a batch payload: every item gets a fresh random opaque id (never derived
/// from its text). Returns the payload; item ids are in input order.
pub fn build_payload(
    items: Vec<InputItem>,
    taxonomy: Option<Taxonomy>,
    recipient: &str,
    now: i64,
    ttl_secs: i64,
) -> Result<BatchPayload, BatchError> {
    let taxonomy = taxonomy.unwrap_or_else(|| derive_taxonomy(&items));
    let items = items
        .into_iter()
        .map(|i| {
            Ok(BatchItem {
                item_id: random_id("it_")?,
                text: i.text,
                model_intent: i.intent,
                confidence: i.confidence,
                alternatives: i.alternatives,
                reason: i.reason,
            })
        })
        .collect::<Result<Vec<_>, BatchError>>()?;
    let payload = BatchPayload {
        batch_id: random_id("b_")?,
        recipient: recipient.trim().to_string(),
        created_at: now,
        expires_at: now.saturating_add(ttl_secs.max(1)),
        taxonomy,
        items,
        guidelines: String::new(),
    };
    payload.validate()?;
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `batch seal` reads Label Studio and Prodigy files as `labelvault ingest` does
    /// (`pipeline::formats`): scores optional, `answer` honoured.
    #[test]
    fn label_studio_without_scores_and_prodigy_answers() {
        let rows = [
            r#"{"data":{"text":"t1"},"predictions":[{"result":[{"value":{"choices":["a"]}}]},{"score":0.4,"result":[{"value":{"choices":["b"]}}]}]}"#,
            r#"{"text":"t2","label":"z","answer":"reject","meta":{"score":0.9}}"#,
            r#"{"text":"t3","label":"z","answer":"ignore","meta":{"score":0.9}}"#,
            r#"{"text":"t4","label":"z","meta":{"score":0.9}}"#,
        ];
        let items = parse_items(
            rows.join("\n").as_bytes(),
            InputFormat::Auto,
            Reason::LowConfidence,
        )
        .unwrap();
        let got: Vec<(&str, &str, f64, Reason)> = items
            .iter()
            .map(|i| (i.text.as_str(), i.intent.as_str(), i.confidence, i.reason))
            .collect();
        assert_eq!(
            got,
            vec![
                ("t1", "b", 0.4, Reason::LowConfidence),
                ("t2", "z", 0.9, Reason::FalsePositive),
                ("t4", "z", 0.9, Reason::LowConfidence),
            ]
        );
        assert_eq!(items[0].alternatives[0].intent, "a");
        let empty = r#"[{"data":{"text":"t"},"predictions":[]}]"#;
        let e = parse_items(empty.as_bytes(), InputFormat::Auto, Reason::LowConfidence)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("element 1") && e.contains("missing or empty"),
            "{e}"
        );
    }
}
