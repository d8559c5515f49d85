//! The manager's pipeline, hub side: ingest messages with model outputs, select the
//! review pool in the seeds' priority, and plan batches for annotators. Pure functions
//! over in-memory records, so the hub and the CLI share them and they are cheap to test
//! and benchmark.

pub mod aggregate;
pub mod distribute;
pub mod evaluate;
pub mod export;
pub mod formats;
pub mod ingest;
pub mod label_errors;
pub mod select;

use serde::{Deserialize, Serialize};

/// A customer message as the hub holds it (raw text never leaves the hub).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Hub-side id (from the input's `id`, or generated).
    pub message_id: String,
    /// Raw text, with personal data.
    pub text: String,
    /// Company (merchant) the message was sent to.
    pub company: String,
    /// Channel, e.g. `email`, `chat`, `app`.
    pub channel: String,
    /// When it arrived, Unix seconds.
    pub received_at: i64,
    /// The model's intent.
    pub model_intent: String,
    /// The model's confidence in it.
    pub confidence: f64,
    /// The model's full distribution, if given (intent, probability), best first.
    pub probabilities: Vec<(String, f64)>,
    /// A customer or agent reported the model's answer as wrong.
    pub reported_false_positive: bool,
    /// The customer allowed their message to be used for training (the default). A
    /// message without consent is stored with that flag and never selected, dispatched
    /// or exported.
    #[serde(default = "consent_by_default")]
    pub training_consent: bool,
    /// Which model produced the prediction ([`UNVERSIONED`] when the input did not say),
    /// so predictions of several model versions can be told apart and compared.
    #[serde(default = "unversioned")]
    pub model_version: String,
    /// The message's language, a lowercase BCP 47 primary language subtag (`en`, `de`),
    /// if known: a dimension of the bias audit (unknown is grouped as `und`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

fn consent_by_default() -> bool {
    true
}

/// The model version of a prediction whose input named none.
pub const UNVERSIONED: &str = "unversioned";

fn unversioned() -> String {
    UNVERSIONED.to_string()
}

/// Longest model version accepted.
pub const MAX_MODEL_VERSION: usize = 64;

/// A model version must be 1–[`MAX_MODEL_VERSION`] characters of `A-Z a-z 0-9 . _ - : +`
/// (semantic versions, dates, git hashes, `name:tag`), so it is safe in URLs, file
/// names and reports. The error names the rule, never the value.
pub fn check_model_version(v: &str) -> Result<(), String> {
    let ok = !v.is_empty()
        && v.len() <= MAX_MODEL_VERSION
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':' | b'+'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`model_version` must be 1–{MAX_MODEL_VERSION} characters of A-Z a-z 0-9 . _ - : + (rename it in the input)"
        ))
    }
}

/// A language tag reduced to its BCP 47 primary language subtag, lowercased: `en`,
/// `de`, `fr`, `und`; `en-GB` and `zh_Hant_TW` give `en` and `zh`. The primary subtag
/// must be 2–3 letters and any further subtag 1–8 letters or digits, so the bias audit
/// groups messages by language, not by spelling.
pub fn parse_language(tag: &str) -> Result<String, String> {
    let err = || "`language` must be a BCP 47 language tag such as en, de, fr or en-GB".to_string();
    let tag = tag.trim();
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next().unwrap_or_default();
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(err());
    }
    for p in parts {
        if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(err());
        }
    }
    Ok(primary.to_ascii_lowercase())
}

/// The batch item for a message: its already redacted text (the caller redacts, with
/// whatever terms it holds, so raw text never reaches this function's output), the
/// model's intent and confidence, the reason it was selected, and up to three next-best
/// guesses from the model's distribution — only intents of the batch's taxonomy, since
/// a device refuses a batch whose alternatives name an intent it does not know.
pub fn item_for(
    m: &Message,
    reason: crate::batch::Reason,
    redacted_text: String,
    intents: &std::collections::BTreeSet<String>,
) -> crate::batch::input::InputItem {
    crate::batch::input::InputItem {
        text: redacted_text,
        intent: m.model_intent.clone(),
        confidence: m.confidence,
        reason,
        alternatives: m
            .probabilities
            .iter()
            .filter(|(i, _)| *i != m.model_intent && intents.contains(i))
            .take(3)
            .map(|(i, p)| crate::batch::Alternative {
                intent: i.clone(),
                confidence: *p,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Reason;
    use std::collections::BTreeSet;

    #[test]
    fn an_item_carries_the_redacted_text_and_only_known_alternatives() {
        let m = Message {
            message_id: "m1".into(),
            text: "Call Anna at +44 20 7946 0958 about order 7".into(),
            company: "acme".into(),
            channel: "email".into(),
            received_at: 0,
            model_intent: "refund".into(),
            confidence: 0.6,
            probabilities: vec![
                ("refund".into(), 0.6),
                ("cancel".into(), 0.2),
                ("retired_intent".into(), 0.1),
                ("delivery".into(), 0.05),
                ("billing".into(), 0.03),
                ("other".into(), 0.02),
            ],
            reported_false_positive: false,
            training_consent: true,
            model_version: UNVERSIONED.into(),
            language: None,
        };
        let intents: BTreeSet<String> = ["refund", "cancel", "delivery", "billing", "other"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let item = item_for(
            &m,
            Reason::LowConfidence,
            "Call [PERSON] at [PHONE]".into(),
            &intents,
        );
        assert_eq!(item.text, "Call [PERSON] at [PHONE]");
        assert_eq!(item.intent, "refund");
        assert_eq!(item.confidence, 0.6);
        assert_eq!(item.reason, Reason::LowConfidence);
        // Best first, never the model's own intent, never one outside the taxonomy, three at most.
        let alts: Vec<&str> = item
            .alternatives
            .iter()
            .map(|a| a.intent.as_str())
            .collect();
        assert_eq!(alts, ["cancel", "delivery", "billing"]);
        assert_eq!(item.alternatives[1].confidence, 0.05);
    }
}
