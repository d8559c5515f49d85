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
}

fn consent_by_default() -> bool {
    true
}

/// Anything that can replace personal data in a text (the redactor in production).
pub trait TextRedactor {
    /// The text with personal data replaced by typed placeholders.
    fn redact_text(&self, text: &str) -> String;
}

/// Turn selected messages into batch items: text redacted, the model's intent,
/// confidence and next-best guesses, and the reason they were selected. Raw text never
/// reaches the output.
pub fn prepare_items(
    messages: &[Message],
    pool: &[select::PoolEntry],
    redactor: &dyn TextRedactor,
) -> Vec<crate::batch::input::InputItem> {
    pool.iter()
        .map(|e| {
            let m = &messages[e.index];
            crate::batch::input::InputItem {
                text: redactor.redact_text(&m.text),
                intent: m.model_intent.clone(),
                confidence: m.confidence,
                reason: e.reason,
                alternatives: m
                    .probabilities
                    .iter()
                    .filter(|(i, _)| *i != m.model_intent)
                    .take(3)
                    .map(|(i, p)| crate::batch::Alternative {
                        intent: i.clone(),
                        confidence: *p,
                    })
                    .collect(),
            }
        })
        .collect()
}
