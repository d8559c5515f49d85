//! Reading messages with model outputs: JSONL or CSV with text, company, channel,
//! received time, model intent and confidence (or a probability vector) and a
//! reported-false-positive mark; Label Studio tasks; Prodigy JSONL. Bad rows are
//! reported by line number with the reason and skipped — never silently, never with
//! their text.

use super::Message;
use serde_json::Value;

/// A refused row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BadRow {
    /// 1-based line (CSV: the file line, header is line 1; JSON array: element index).
    pub line: usize,
    /// Why, naming fields only.
    pub reason: String,
}

/// Everything an ingest produced.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    /// Messages read.
    pub messages: Vec<Message>,
    /// The input line of each message (as [`BadRow::line`] counts), so a row the hub
    /// refuses later is reported by its line too.
    pub lines: Vec<usize>,
    /// Rows skipped, with reasons.
    pub bad: Vec<BadRow>,
    /// Lines of rows a person told Prodigy to ignore (`answer: ignore`): left out, not
    /// refused.
    pub ignored: Vec<usize>,
}

/// What the hub holds for a message id an ingest names again.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldMessage<'a> {
    /// Its message id.
    pub message_id: &'a str,
    /// Its stored text (raw).
    pub text: &'a str,
    /// Its current prediction: model version, intent, confidence, distribution.
    pub model_version: &'a str,
    /// The current predicted intent.
    pub model_intent: &'a str,
    /// The current confidence.
    pub confidence: f64,
    /// The current distribution, best first.
    pub probabilities: &'a [(String, f64)],
    /// An erasure removed its text.
    pub erased: bool,
    /// Its raw text was retired (only the redacted form is held).
    pub retired: bool,
}

/// What a row naming a held message id does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reingest {
    /// The same text and the same prediction: a duplicate (a re-run changes nothing).
    Duplicate,
    /// The same text and another prediction: a new prediction revision, made current.
    Rescored,
    /// Not taken, with the reason (message id and what to do; never the text).
    Refused(String),
}

/// A model version as Label Studio or Argilla name it (`predictions[].model_version`,
/// the suggestion `agent`), made to fit [`super::check_model_version`]: trimmed, every
/// character outside `A-Z a-z 0-9 . _ - : +` replaced by `-`, at most
/// [`super::MAX_MODEL_VERSION`] characters. Those tools allow any text there, so a row
/// is not refused for it; one without a letter or digit left counts as none given.
fn fit_model_version(native: &str) -> String {
    native
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '+') {
                c
            } else {
                '-'
            }
        })
        .take(super::MAX_MODEL_VERSION)
        .collect()
}

/// The one rule for a known message id, for both hub stores: an erased or retired
/// message is never taken in again, another text is another message (refused), another
/// prediction (model version, intent, confidence or distribution) is a new revision.
/// A message held as `unversioned` named again with a model version and an otherwise
/// identical prediction is a duplicate (the held row is kept as is): an import from
/// before model versions were read, run again, names the version it did not name then,
/// and that is the same prediction, not a re-score.
pub fn reingest(held: &HeldMessage<'_>, m: &Message) -> Reingest {
    let id = held.message_id;
    if held.erased {
        return Reingest::Refused(format!(
            "message {id} was erased on the hub; it is not taken in again (give the message a new id only if the customer's request allows it)"
        ));
    }
    if held.retired {
        return Reingest::Refused(format!(
            "message {id} is held only in redacted form (its raw text was retired), so a new prediction cannot be matched to it; it is not taken in again"
        ));
    }
    if held.text != m.text {
        return Reingest::Refused(format!(
            "text differs from message {id} already held; a new prediction must carry the same text (or give the new message another id)"
        ));
    }
    // Numbers as equal as storage round trips keep them (a stored distribution is
    // JSON, which may come back one unit in the last place off).
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-12;
    let same_version =
        held.model_version == m.model_version || held.model_version == super::UNVERSIONED;
    if same_version
        && held.model_intent == m.model_intent
        && same(held.confidence, m.confidence)
        && held.probabilities.len() == m.probabilities.len()
        && held
            .probabilities
            .iter()
            .zip(&m.probabilities)
            .all(|(a, b)| a.0 == b.0 && same(a.1, b.1))
    {
        Reingest::Duplicate
    } else {
        Reingest::Rescored
    }
}

/// Largest message text accepted (bytes).
pub const MAX_TEXT: usize = 16 * 1024;

fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `training_consent`: true unless the row says otherwise.
fn consent(v: Option<&Value>) -> Result<bool, String> {
    match v {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(true),
        Some(Value::String(s)) => {
            parse_bool(s).map_err(|_| "`training_consent` must be true or false".to_string())
        }
        Some(Value::Number(n)) => Ok(n.as_f64().unwrap_or(1.0) != 0.0),
        _ => Err("`training_consent` must be true or false".into()),
    }
}

fn truthy(v: Option<&Value>) -> Result<bool, String> {
    match v {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::Number(n)) => Ok(n.as_f64().unwrap_or(0.0) != 0.0),
        Some(Value::String(s)) => parse_bool(s),
        _ => Err("`reported_false_positive` must be true or false".into()),
    }
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "0" | "false" | "no" | "n" => Ok(false),
        "1" | "true" | "yes" | "y" => Ok(true),
        _ => Err("`reported_false_positive` must be true or false".into()),
    }
}

/// Parse a time as Unix seconds, RFC 3339, or a plain `YYYY-MM-DD` date (UTC).
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        // Milliseconds if implausibly large for seconds.
        return Some(if n > 100_000_000_000 { n / 1000 } else { n });
    }
    if let Ok(t) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let d = time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp())
}

fn time_of(v: Option<&Value>) -> Result<i64, String> {
    match v {
        Some(Value::Number(n)) => n
            .as_i64()
            .map(|n| if n > 100_000_000_000 { n / 1000 } else { n })
            .ok_or_else(|| "`received_at` is not a time".into()),
        Some(Value::String(s)) => parse_time(s).ok_or_else(|| {
            "`received_at` is not a time (use RFC 3339, YYYY-MM-DD or Unix seconds)".into()
        }),
        _ => Err("missing `received_at`".into()),
    }
}

fn text_of(v: Option<&Value>) -> Result<String, String> {
    let t = v
        .and_then(Value::as_str)
        .ok_or("missing or non-text `text`")?;
    if t.trim().is_empty() {
        return Err("empty `text`".into());
    }
    if t.len() > MAX_TEXT {
        return Err(format!("`text` longer than {MAX_TEXT} bytes"));
    }
    Ok(t.to_string())
}

fn label_of(v: Option<&Value>, field: &str) -> Result<String, String> {
    let s = v
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("missing `{field}`"))?;
    id_of(s, field)
}

/// An id from any field (company, channel, intents): the one rule of [`check_id`].
fn id_of(s: &str, field: &str) -> Result<String, String> {
    check_id(field, s)?;
    Ok(s.to_string())
}

/// Ids (intents, companies, channels) must be ones a batch can carry, or the row would
/// only fail later, at dispatch, far from its line number.
fn check_id(field: &str, s: &str) -> Result<(), String> {
    crate::batch::id_problem(field, s)
        .map_or(Ok(()), |m| Err(format!("{m} (rename it in the input)")))
}

fn prob_vector(v: &Value) -> Result<Vec<(String, f64)>, String> {
    let mut out: Vec<(String, f64)> = match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, p)| {
                let k = id_of(k.trim(), "probabilities")?;
                num(Some(p))
                    .map(|p| (k, p))
                    .ok_or("`probabilities` values must be numbers".to_string())
            })
            .collect::<Result<_, _>>()?,
        Value::Array(a) => a
            .iter()
            .map(|x| {
                let i = x
                    .get("intent")
                    .and_then(Value::as_str)
                    .ok_or("`probabilities[].intent` missing")?;
                let i = id_of(i.trim(), "probabilities[].intent")?;
                let p = num(x
                    .get("probability")
                    .or_else(|| x.get("confidence"))
                    .or_else(|| x.get("score")))
                .ok_or("`probabilities[].probability` missing")?;
                Ok((i, p))
            })
            .collect::<Result<_, String>>()?,
        _ => return Err("`probabilities` must be an object {intent: p} or a list".into()),
    };
    if out
        .iter()
        .any(|(_, p)| !(p.is_finite() && (0.0..=1.0).contains(p)))
    {
        return Err("probabilities must be in [0, 1]".into());
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

fn check_conf(c: f64) -> Result<f64, String> {
    crate::batch::confidence_problem("confidence", c).map_or(Ok(c), Err)
}

/// One JSON object in any supported shape; `None` for a row Prodigy says to ignore.
fn from_json(v: &Value, line: usize) -> Result<Option<Message>, String> {
    if !v.is_object() {
        return Err("each row must be a JSON object".into());
    }
    // Argilla record: fields under `fields`, the rest under `metadata`, the model's
    // output a suggestion, people's answers responses (formats.rs).
    let argilla = if super::formats::is_argilla_record(v) {
        super::formats::argilla_suggestion(v)?
            .map(|(q, value, score)| {
                let answer = super::formats::argilla_answer(v, &q, &value);
                (value, score, answer)
            })
            .map(Some)
            .ok_or("no model output: the Argilla record has no suggestion; give one for an `intent` question")?
    } else {
        None
    };
    let answer = match &argilla {
        Some((_, _, a)) => *a,
        None => super::formats::prodigy_answer(v)?,
    };
    if answer == super::formats::Answer::Ignore {
        return Ok(None);
    }
    // Label Studio task: fields under `data`, model output under `predictions`.
    let (fields, meta) = if argilla.is_some() {
        (&v["fields"], v.get("metadata"))
    } else if let Some(d) = v.get("data") {
        (d, v.get("meta"))
    } else {
        (v, v.get("meta"))
    };
    let get = |k: &str| fields.get(k).or_else(|| meta.and_then(|m| m.get(k)));
    let text = text_of(fields.get("text"))?;
    let mut probabilities = match get("probabilities") {
        Some(p) => prob_vector(p)?,
        None => vec![],
    };
    let (model_intent, confidence) = if let Some((value, score, _)) = &argilla {
        (
            id_of(value, "suggestions.<question>.value")?,
            score.unwrap_or(super::formats::UNKNOWN_CONFIDENCE),
        )
    } else if let Some(guesses) = super::formats::label_studio_predictions(v)? {
        // Best first; a prediction without a score has unknown confidence (formats.rs).
        let mut scored = Vec::new();
        for (choice, score) in &guesses {
            let choice = id_of(choice, "predictions[].result[].value.choices")?;
            if let Some(s) = score {
                scored.push((choice, *s));
            }
        }
        let (best, score) = &guesses[0];
        if probabilities.is_empty() {
            probabilities = scored;
        }
        (
            best.clone(),
            score.unwrap_or(super::formats::UNKNOWN_CONFIDENCE),
        )
    } else if let Some(intent) = get("intent")
        .or_else(|| get("model_intent"))
        .or_else(|| v.get("label"))
    {
        let intent = label_of(Some(intent), "intent")?;
        let c = match num(get("confidence").or_else(|| get("score"))) {
            Some(c) => check_conf(c)?,
            None => probabilities
                .iter()
                .find(|(i, _)| *i == intent)
                .map(|p| p.1)
                .ok_or("missing `confidence`")?,
        };
        (intent, c)
    } else if let Some((i, p)) = probabilities.first() {
        (i.clone(), *p)
    } else {
        return Err(if v.get("predictions").is_some() {
            "no model output: the Label Studio `predictions` list is empty; give predictions, or `intent` + `confidence`".into()
        } else {
            "no model output: give `intent` + `confidence`, `probabilities`, Prodigy `label`, or Label Studio `predictions`".into()
        });
    };
    check_id("intent", &model_intent)?;
    for (i, _) in &probabilities {
        check_id("probabilities[].intent", i)?;
    }
    let top_id = argilla.as_ref().and_then(|_| v.get("id"));
    let message_id = match top_id.or_else(|| get("id")).or_else(|| get("message_id")) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => format!("line-{line}"),
    };
    // The model version: the row's own `model_version` (top level, `data`, `meta` or
    // `metadata`), else Label Studio's `predictions[].model_version` of the prediction
    // used, else Argilla's suggestion `agent`; none given is `unversioned`. Only an
    // explicit `model_version` is refused when it breaks the rule: the tools' own
    // values (`distilbert/distilbert-base-uncased`) are made to fit it instead.
    let native_version = if argilla.is_some() {
        super::formats::argilla_agent(v)
    } else {
        super::formats::label_studio_model_version(v, &model_intent)
    };
    let model_version = match get("model_version") {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            let s = s.trim().to_string();
            super::check_model_version(&s)?;
            s
        }
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) | Some(Value::String(_)) => native_version
            .map(fit_model_version)
            .filter(|s| s.bytes().any(|b| b.is_ascii_alphanumeric()))
            .unwrap_or_else(|| super::UNVERSIONED.to_string()),
        Some(_) => return Err("`model_version` must be text".into()),
    };
    let language = match get("language").or_else(|| get("lang")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(super::parse_language(s)?),
        Some(_) => {
            return Err(
                "`language` must be a BCP 47 language tag such as en, de, fr or en-GB".into(),
            )
        }
    };
    Ok(Some(Message {
        message_id,
        text,
        company: label_of(get("company"), "company")?,
        channel: label_of(get("channel"), "channel").unwrap_or_else(|_| "unknown".into()),
        received_at: time_of(get("received_at"))?,
        model_intent,
        confidence,
        probabilities,
        // Prodigy `reject` on the model's label is a reported false positive.
        reported_false_positive: answer == super::formats::Answer::Reject
            || truthy(get("reported_false_positive").or_else(|| get("false_positive")))?,
        training_consent: consent(get("training_consent"))?,
        model_version,
        language,
    }))
}

/// Read JSONL, a JSON array, or CSV (told apart by the first non-blank byte). Calls
/// `progress(bytes_done)` now and then for a progress bar.
pub fn ingest(bytes: &[u8], mut progress: impl FnMut(usize)) -> Result<Ingested, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("the input is not UTF-8 (byte {})", e.valid_up_to()))?;
    let trimmed = text.trim_start();
    let mut out = Ingested::default();
    let push = |r: Result<Option<Message>, String>, line: usize, out: &mut Ingested| match r {
        Ok(Some(m)) => {
            out.messages.push(m);
            out.lines.push(line);
        }
        Ok(None) => out.ignored.push(line),
        Err(reason) => out.bad.push(BadRow { line, reason }),
    };
    if trimmed.starts_with('[') {
        let arr: Vec<Value> = serde_json::from_str(text).map_err(|e| {
            format!(
                "the JSON array is malformed ({})",
                crate::batch::json_error_without_values(&e)
            )
        })?;
        for (i, v) in arr.iter().enumerate() {
            push(from_json(v, i + 1), i + 1, &mut out);
        }
    } else if trimmed.starts_with('{') {
        let mut done = 0usize;
        for (i, line) in text.lines().enumerate() {
            // The last line may have no newline: never report past the end.
            done = (done + line.len() + 1).min(bytes.len());
            if i % 10_000 == 0 {
                progress(done);
            }
            if line.trim().is_empty() {
                continue;
            }
            let r = serde_json::from_str::<Value>(line)
                .map_err(|e| {
                    format!(
                        "malformed JSON ({})",
                        crate::batch::json_error_without_values(&e)
                    )
                })
                .and_then(|v| from_json(&v, i + 1));
            push(r, i + 1, &mut out);
        }
    } else {
        ingest_csv(text, &mut out, &mut progress)?;
    }
    progress(bytes.len());
    Ok(out)
}

fn ingest_csv(
    text: &str,
    out: &mut Ingested,
    progress: &mut impl FnMut(usize),
) -> Result<(), String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|_| "the CSV header is unreadable".to_string())?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if !headers.iter().any(|h| h == "text") {
        return Err("the CSV has no `text` column".into());
    }
    let mut rec = csv::StringRecord::new();
    let mut i = 0usize;
    loop {
        i += 1;
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => {
                out.bad.push(BadRow {
                    line: i + 1,
                    reason: "malformed CSV row".into(),
                });
                continue;
            }
        }
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(i + 1);
        if i.is_multiple_of(10_000) {
            progress(rec.position().map(|p| p.byte() as usize).unwrap_or(0));
        }
        if rec.len() != headers.len() {
            out.bad.push(BadRow {
                line,
                reason: format!("{} fields, expected {}", rec.len(), headers.len()),
            });
            continue;
        }
        let mut obj = serde_json::Map::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            if h == "probabilities" && !v.trim().is_empty() {
                match serde_json::from_str::<Value>(v) {
                    Ok(p) => obj.insert(h.clone(), p),
                    Err(_) => obj.insert(h.clone(), Value::String("bad".into())),
                };
            } else if !v.is_empty() {
                obj.insert(h.clone(), Value::String(v.to_string()));
            }
        }
        match from_json(&Value::Object(obj), line) {
            Ok(Some(m)) => {
                out.messages.push(m);
                out.lines.push(line);
            }
            Ok(None) => out.ignored.push(line),
            Err(reason) => out.bad.push(BadRow { line, reason }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_from_probabilities_and_predictions_are_ids() {
        // Found by the `ingest` fuzz target: an intent given as a probability key or a
        // Label Studio choice skipped the id rule that `intent` gets.
        let rows = [
            r#"{"text":"t","company":"c","received_at":1,"probabilities":{"two words":0.9}}"#,
            r#"{"text":"t","company":"c","received_at":1,"probabilities":[{"intent":"","probability":0.9}]}"#,
            r#"{"data":{"text":"t","company":"c","received_at":1},"predictions":[{"score":0.5,"result":[{"value":{"choices":[" "]}}]}]}"#,
        ];
        let r = ingest(rows.join("\n").as_bytes(), |_| {}).unwrap();
        assert!(r.messages.is_empty());
        assert_eq!(
            r.bad.iter().map(|b| b.line).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        let csv = "text,company,received_at,probabilities\nhi,c,1,\"{\"\" x\"\": 0.5}\"\n";
        let r = ingest(csv.as_bytes(), |_| {}).unwrap();
        assert_eq!(
            r.messages[0].model_intent, "x",
            "keys are trimmed like `intent`"
        );
    }

    #[test]
    fn progress_never_passes_the_end_or_goes_back() {
        // Found by the `ingest` fuzz target: a last line without a newline was counted
        // one byte past the end, then the final report went back to the length.
        for input in [
            &br#"{"text":"t","company":"c","received_at":1,"intent":"a","confidence":0.5}"#[..],
            b"{\"text\":\"x\"}\r\n{",
            b"{\n",
        ] {
            let mut seen = Vec::new();
            ingest(input, |n| seen.push(n)).unwrap();
            assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
            assert_eq!(seen.last(), Some(&input.len()));
            assert!(seen.iter().all(|&n| n <= input.len()));
        }
    }

    #[test]
    fn every_shape_and_bad_rows_by_line() {
        let jsonl = r#"{"id":"m1","text":"card late","company":"acme","channel":"chat","received_at":"2026-11-01T10:00:00Z","intent":"card_arrival","confidence":0.4}
{"text":"x","company":"acme","received_at":1761991200,"probabilities":{"a":0.7,"b":0.3},"reported_false_positive":true}
not json
{"text":"SECRET-ROW","company":"acme","received_at":"yesterday","intent":"a","confidence":0.4}
{"text":"y","company":"acme","received_at":"2026-11-02","intent":"a","confidence":1.4}
"#;
        let r = ingest(jsonl.as_bytes(), |_| {}).unwrap();
        assert_eq!(r.messages.len(), 2);
        assert_eq!(r.messages[1].model_intent, "a");
        assert_eq!(r.messages[1].confidence, 0.7);
        assert!(r.messages[1].reported_false_positive);
        assert_eq!(r.messages[1].channel, "unknown");
        assert_eq!(
            r.bad.iter().map(|b| b.line).collect::<Vec<_>>(),
            vec![3, 4, 5]
        );
        assert!(r.bad.iter().all(|b| !b.reason.contains("SECRET")));
        let ls = r#"[{"data":{"text":"t","company":"c","received_at":"2026-11-01"},"predictions":[{"score":0.3,"result":[{"value":{"choices":["x"]}}]},{"score":0.6,"result":[{"value":{"choices":["y"]}}]}]}]"#;
        let r = ingest(ls.as_bytes(), |_| {}).unwrap();
        assert_eq!(
            (
                r.messages[0].model_intent.as_str(),
                r.messages[0].confidence
            ),
            ("y", 0.6)
        );
        let prodigy = r#"{"text":"t","label":"z","meta":{"score":0.2,"company":"c","channel":"email","received_at":"2026-11-01","reported_false_positive":"yes"}}"#;
        let r = ingest(prodigy.as_bytes(), |_| {}).unwrap();
        assert!(r.messages[0].reported_false_positive && r.messages[0].model_intent == "z");
        let csv = "text,company,channel,received_at,intent,confidence,reported_false_positive\n\"hi, there\",acme,chat,2026-11-01,a,0.5,no\nbad,acme\nz,acme,chat,2026-11-01,a,0.5,maybe\n";
        let r = ingest(csv.as_bytes(), |_| {}).unwrap();
        assert_eq!(r.messages.len(), 1);
        assert_eq!(r.bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![3, 4]);
        // An intent a batch could not carry is a bad row here, not a failed dispatch later.
        let odd = "{\"text\":\"t\",\"company\":\"c\",\"received_at\":1,\"intent\":\"reverted_card_payment?\",\"confidence\":0.5}\n{\"text\":\"t\",\"company\":\"c\",\"received_at\":1,\"probabilities\":{\"a b\":0.5}}\n";
        let r = ingest(odd.as_bytes(), |_| {}).unwrap();
        assert_eq!(r.bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![1, 2]);
        assert!(r.bad[0].reason.contains("`intent`"));
    }

    /// Model versions and languages from every shape: the row's own field first, then
    /// Label Studio's prediction `model_version` and Argilla's suggestion `agent`;
    /// missing means `unversioned`; bad ones are refused by line without their value.
    #[test]
    fn model_versions_and_languages() {
        let rows = [
            r#"{"id":"a","text":"t","company":"c","received_at":1,"intent":"x","confidence":0.5,"model_version":"v2.1+build:7","language":"de-CH"}"#,
            r#"{"id":"b","text":"t","company":"c","received_at":1,"intent":"x","confidence":0.5}"#,
            r#"{"data":{"text":"t","company":"c","received_at":1,"language":"FR"},"predictions":[{"model_version":"ls-3","score":0.6,"result":[{"value":{"choices":["y"]}}]},{"model_version":"other","score":0.1,"result":[{"value":{"choices":["z"]}}]}]}"#,
            r#"{"text":"t","label":"z","meta":{"score":0.2,"company":"c","received_at":1,"model_version":"p-1","language":"en"}}"#,
            r#"{"id":"ar","fields":{"text":"t"},"metadata":{"company":"c","received_at":1,"language":"pt_BR"},"suggestions":{"intent":{"value":"q","score":0.6,"agent":"model-v3"}}}"#,
            r#"{"text":"t","company":"c","received_at":1,"intent":"x","confidence":0.5,"model_version":"SECRET version"}"#,
            r#"{"text":"t","company":"c","received_at":1,"intent":"x","confidence":0.5,"language":"english"}"#,
            r#"{"text":"t","company":"c","received_at":1,"intent":"x","confidence":0.5,"model_version":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#,
        ];
        let r = ingest(rows.join("\n").as_bytes(), |_| {}).unwrap();
        let got: Vec<(&str, Option<&str>)> = r
            .messages
            .iter()
            .map(|m| (m.model_version.as_str(), m.language.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("v2.1+build:7", Some("de")),
                (crate::pipeline::UNVERSIONED, None),
                ("ls-3", Some("fr")),
                ("p-1", Some("en")),
                ("model-v3", Some("pt")),
            ]
        );
        assert_eq!(
            r.bad.iter().map(|b| b.line).collect::<Vec<_>>(),
            vec![6, 7, 8]
        );
        assert!(r.bad[0].reason.contains("`model_version`"));
        assert!(r.bad[1].reason.contains("`language`"));
        assert!(r.bad.iter().all(|b| !b.reason.contains("SECRET")));
        let csv = "text,company,received_at,intent,confidence,model_version,language\nhi,c,1,a,0.5,v7,EN\nho,c,1,a,0.5,,\n";
        let r = ingest(csv.as_bytes(), |_| {}).unwrap();
        assert_eq!(r.messages[0].model_version, "v7");
        assert_eq!(r.messages[0].language.as_deref(), Some("en"));
        assert_eq!(r.messages[1].model_version, crate::pipeline::UNVERSIONED);
        assert_eq!(r.messages[1].language, None);
    }

    /// A Label Studio prediction `model_version` or an Argilla `agent` outside the
    /// charset (a Hugging Face model id) is made to fit it, not refused; one too long is
    /// cut to the limit; an explicit `model_version` breaking the rule is still refused.
    #[test]
    fn native_model_versions_are_fitted_not_refused() {
        let long = "m".repeat(80);
        let rows = [
            r#"{"data":{"text":"t","company":"c","received_at":1},"predictions":[{"model_version":"distilbert/distilbert-base-uncased","score":0.6,"result":[{"value":{"choices":["y"]}}]}]}"#.to_string(),
            r#"{"id":"ar","fields":{"text":"t"},"metadata":{"company":"c","received_at":1},"suggestions":{"intent":{"value":"q","score":0.6,"agent":"my model (v2)"}}}"#.to_string(),
            format!(r#"{{"data":{{"text":"t","company":"c","received_at":1}},"predictions":[{{"model_version":"{long}","score":0.6,"result":[{{"value":{{"choices":["y"]}}}}]}}]}}"#),
            r#"{"data":{"text":"t","company":"c","received_at":1},"predictions":[{"model_version":" / ","score":0.6,"result":[{"value":{"choices":["y"]}}]}]}"#.to_string(),
            r#"{"text":"t","company":"c","received_at":1,"intent":"x","confidence":0.5,"model_version":"distilbert/distilbert-base-uncased"}"#.to_string(),
        ];
        let r = ingest(rows.join("\n").as_bytes(), |_| {}).unwrap();
        let got: Vec<&str> = r
            .messages
            .iter()
            .map(|m| m.model_version.as_str())
            .collect();
        assert_eq!(
            got,
            vec![
                "distilbert-distilbert-base-uncased",
                "my-model--v2-",
                &"m".repeat(crate::pipeline::MAX_MODEL_VERSION),
                crate::pipeline::UNVERSIONED,
            ]
        );
        for v in got {
            assert!(crate::pipeline::check_model_version(v).is_ok(), "{v}");
        }
        assert_eq!(r.bad.len(), 1);
        assert_eq!(r.bad[0].line, 5);
        assert!(r.bad[0].reason.contains("`model_version`"));
    }

    /// The re-ingest rules: same prediction a duplicate, any change of the prediction
    /// a new revision, another text or an erased or retired message refused, the
    /// reason naming the id and never the text.
    #[test]
    fn reingest_rules() {
        let probs = vec![("a".to_string(), 0.7), ("b".to_string(), 0.3)];
        let held = HeldMessage {
            message_id: "m1",
            text: "where is my card",
            model_version: "v1",
            model_intent: "a",
            confidence: 0.7,
            probabilities: &probs,
            erased: false,
            retired: false,
        };
        let mut m = Message {
            message_id: "m1".into(),
            text: "where is my card".into(),
            company: "c".into(),
            channel: "chat".into(),
            received_at: 1,
            model_intent: "a".into(),
            confidence: 0.7,
            probabilities: probs.clone(),
            reported_false_positive: false,
            training_consent: true,
            model_version: "v1".into(),
            language: None,
        };
        assert_eq!(reingest(&held, &m), Reingest::Duplicate);
        // Company, channel, language and flags are not the prediction.
        m.company = "other".into();
        m.language = Some("de".into());
        assert_eq!(reingest(&held, &m), Reingest::Duplicate);
        for change in 0..4 {
            let mut n = m.clone();
            match change {
                0 => n.model_version = "v2".into(),
                1 => n.model_intent = "b".into(),
                2 => n.confidence = 0.71,
                _ => n.probabilities[1].1 = 0.29,
            }
            assert_eq!(reingest(&held, &n), Reingest::Rescored, "change {change}");
        }
        // Held as unversioned (an import from before versions were read): the same
        // prediction now naming its version is a duplicate; another prediction with it
        // is a re-score.
        let unversioned = HeldMessage {
            model_version: crate::pipeline::UNVERSIONED,
            ..held.clone()
        };
        let mut named = m.clone();
        named.model_version = "ls-3".into();
        assert_eq!(reingest(&unversioned, &named), Reingest::Duplicate);
        named.confidence = 0.71;
        assert_eq!(reingest(&unversioned, &named), Reingest::Rescored);
        let mut other = m.clone();
        other.text = "SECRET another message".into();
        other.model_version = "v2".into();
        let Reingest::Refused(why) = reingest(&held, &other) else {
            panic!("another text must be refused")
        };
        assert!(
            why.contains("text differs from message m1 already held") && !why.contains("SECRET")
        );
        for (erased, retired, word) in [(true, false, "erased"), (false, true, "retired")] {
            let h = HeldMessage {
                erased,
                retired,
                ..held.clone()
            };
            // Even an identical row is refused: the message is never taken in again.
            match reingest(&h, &m) {
                Reingest::Refused(why) => assert!(why.contains(word), "{why}"),
                r => panic!("{r:?}"),
            }
        }
    }

    #[test]
    fn language_tags() {
        use crate::pipeline::parse_language;
        assert_eq!(parse_language("en").unwrap(), "en");
        assert_eq!(parse_language(" DE ").unwrap(), "de");
        assert_eq!(parse_language("zh-Hant-TW").unwrap(), "zh");
        assert_eq!(parse_language("und").unwrap(), "und");
        for bad in [
            "",
            "e",
            "english",
            "e1",
            "en--GB",
            "en-toolongsubtag",
            "de-ä",
        ] {
            assert!(parse_language(bad).is_err(), "{bad}");
        }
    }

    /// Label Studio's score is optional and Prodigy's `answer` means something.
    #[test]
    fn label_studio_without_scores_and_prodigy_answers() {
        let rows = [
            // no score anywhere: the first prediction, with unknown confidence
            r#"{"data":{"text":"t1","company":"c","received_at":1},"predictions":[{"result":[{"value":{"choices":["a"]}}]},{"result":[{"value":{"choices":["b"]}}]}]}"#,
            // a scored prediction wins over an unscored one
            r#"{"data":{"text":"t2","company":"c","received_at":1},"predictions":[{"result":[{"value":{"choices":["a"]}}]},{"score":0.4,"result":[{"value":{"choices":["b"]}}]}]}"#,
            // an empty list falls back to the row's own fields
            r#"{"data":{"text":"t3","company":"c","received_at":1,"intent":"x","confidence":0.3},"predictions":[]}"#,
            // an empty list and nothing else: refused, saying why
            r#"{"data":{"text":"t4","company":"c","received_at":1},"predictions":[]}"#,
            r#"{"text":"t5","label":"z","answer":"reject","meta":{"score":0.9,"company":"c","received_at":1}}"#,
            r#"{"text":"t6","label":"z","answer":"ignore","meta":{"score":0.9,"company":"c","received_at":1}}"#,
            r#"{"text":"t7","label":"z","answer":"accept","meta":{"score":0.9,"company":"c","received_at":1}}"#,
            // Argilla v2 records: the suggestion; a different submitted response is a
            // reported false positive; a discarded record is skipped; the record's id
            r#"{"id":"ar1","fields":{"text":"t8"},"metadata":{"company":"c","received_at":1},"suggestions":{"intent":{"value":"q","score":0.6}},"responses":{"intent":[{"value":"r","user_id":"u"}]}}"#,
            r#"{"id":"ar2","fields":{"text":"t9"},"metadata":{"company":"c","received_at":1},"suggestions":{"intent":{"value":"q"}},"status":"discarded"}"#,
        ];
        let r = ingest(rows.join("\n").as_bytes(), |_| {}).unwrap();
        let got: Vec<(&str, &str, f64, bool)> = r
            .messages
            .iter()
            .map(|m| {
                (
                    m.text.as_str(),
                    m.model_intent.as_str(),
                    m.confidence,
                    m.reported_false_positive,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("t1", "a", super::super::formats::UNKNOWN_CONFIDENCE, false),
                ("t2", "b", 0.4, false),
                ("t3", "x", 0.3, false),
                ("t5", "z", 0.9, true),
                ("t7", "z", 0.9, false),
                ("t8", "q", 0.6, true),
            ]
        );
        assert_eq!(r.messages.last().unwrap().message_id, "ar1");
        assert_eq!(r.bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![4]);
        assert!(
            r.bad[0].reason.contains("list is empty"),
            "{}",
            r.bad[0].reason
        );
        assert_eq!(r.ignored, vec![6, 9]);
    }
}
