//! The `.lvbatch` file: the unit of work a manager hands to one annotator's device.
//!
//! A batch is serialized with serde, sealed (age, X25519) to one device and signed with
//! the hub's Ed25519 key, so it can travel by any channel and only that device can open
//! it. `docs/batch-format.md` specifies the bytes.

mod file;
pub mod input;

pub(crate) use file::json_error_without_values;
#[cfg(test)]
pub(crate) use file::seal_raw;
pub use file::{open, read_header, seal, BatchHeader, OpenedBatch, MAGIC, MAX_FILE_BYTES};

use crate::error::BatchError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Why an item is in front of a human, in the seeds' priority order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Reason {
    /// The model's answer was reported wrong by a customer or agent.
    FalsePositive,
    /// The model was unsure.
    LowConfidence,
    /// A random sample of a newly onboarded company's messages.
    RandomSample,
    /// A human label that contradicts a confident out-of-sample prediction of the model
    /// (confident learning, `pipeline::label_errors`): sent back for another look.
    SuspectedLabelError,
}

impl Reason {
    /// Queue rank: lower comes first.
    pub fn rank(self) -> i64 {
        match self {
            Reason::FalsePositive => 0,
            Reason::LowConfidence => 1,
            Reason::RandomSample => 2,
            Reason::SuspectedLabelError => 3,
        }
    }

    /// Inverse of [`Reason::rank`] (unknown ranks are shown as a random sample, as
    /// before the fourth reason existed).
    pub fn from_rank(rank: i64) -> Reason {
        match rank {
            0 => Reason::FalsePositive,
            1 => Reason::LowConfidence,
            3 => Reason::SuspectedLabelError,
            _ => Reason::RandomSample,
        }
    }

    /// The snake_case name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::FalsePositive => "false_positive",
            Reason::LowConfidence => "low_confidence",
            Reason::RandomSample => "random_sample",
            Reason::SuspectedLabelError => "suspected_label_error",
        }
    }

    /// Parse the snake_case name (also accepts spaces and dashes).
    pub fn parse(s: &str) -> Option<Reason> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "false_positive" | "fp" | "reported_false_positive" => Some(Reason::FalsePositive),
            "low_confidence" | "lc" => Some(Reason::LowConfidence),
            "random_sample" | "random" | "sample" => Some(Reason::RandomSample),
            "suspected_label_error" | "label_error" => Some(Reason::SuspectedLabelError),
            _ => None,
        }
    }
}

/// One intent of a taxonomy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Intent {
    /// Stable id, e.g. `card_arrival`.
    pub id: String,
    /// What the intent means, shown to annotators.
    #[serde(default)]
    pub description: String,
    /// Example phrasings, shown beside the description in the picker and the guidelines
    /// (at most [`limits::MAX_EXAMPLES`], each at most [`limits::MAX_EXAMPLE`] bytes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// The group the intent belongs to in a hierarchical taxonomy (e.g. `cards`, or
    /// `banking / cards`); the picker lists intents under their group. Empty: none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
}

/// A versioned set of intents; labels may only use ids from their batch's taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Taxonomy {
    /// Name of the taxonomy, e.g. `banking`.
    pub id: String,
    /// Version string; a label is valid against exactly one version.
    pub version: String,
    /// The intents, in display order.
    pub intents: Vec<Intent>,
}

/// The model's next-best guesses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    /// Intent id from the batch taxonomy.
    pub intent: String,
    /// Model probability in [0, 1].
    pub confidence: f64,
}

/// One message to review, already redacted on the hub.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchItem {
    /// Opaque random id (never derived from the text).
    pub item_id: String,
    /// Redacted text with typed placeholders such as `[EMAIL_1]`.
    pub text: String,
    /// The model's intent id.
    pub model_intent: String,
    /// The model's confidence in [0, 1].
    pub confidence: f64,
    /// Top alternatives, best first.
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    /// Why this item was selected.
    pub reason: Reason,
}

impl BatchItem {
    /// The text's length in code points, the unit of missed-PII spans (the hub keeps it
    /// to check the spans and length class of labels on this item).
    pub fn text_chars(&self) -> u32 {
        u32::try_from(self.text.chars().count()).unwrap_or(u32::MAX)
    }
}

/// The sealed content of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchPayload {
    /// Same as the header's; checked on import.
    pub batch_id: String,
    /// age recipient the batch is for; checked on import.
    pub recipient: String,
    /// Unix seconds (UTC).
    pub created_at: i64,
    /// Unix seconds (UTC); the device refuses the batch after this.
    pub expires_at: i64,
    /// The intents labels may use.
    pub taxonomy: Taxonomy,
    /// Items in the order the manager selected them.
    pub items: Vec<BatchItem>,
    /// The manager's guidelines for this batch (plain text, at most
    /// [`limits::MAX_GUIDELINES`] bytes), shown in the guidelines panel (`h`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guidelines: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The batch id.
    pub batch_id: String,
    /// Number of items in the batch.
    pub items: usize,
    /// True if this exact batch was already in the vault (nothing changed).
    pub already_imported: bool,
    /// Items held back because the device found personal data in them: not stored,
    /// never shown (`vault::screen_item`).
    pub quarantined: usize,
    /// What was found in them, by type (`PERSON`, `EMAIL_ADDRESS`, …), each once.
    pub quarantined_kinds: Vec<String>,
}

impl ImportReport {
    /// One sentence for the annotator about held-back items; `None` if there are none.
    pub fn quarantine_notice(&self) -> Option<String> {
        (self.quarantined > 0).then(|| {
            format!(
                "{} item(s) of batch {} held back: this device found personal data in them ({}) \
                 that the hub's redaction missed. They are not stored and will not be shown; \
                 tell your manager.",
                self.quarantined,
                self.batch_id,
                self.quarantined_kinds.join(", ")
            )
        })
    }
}

/// Size limits every batch must respect; they keep a hostile file from exhausting memory
/// or the screen.
pub mod limits {
    /// Longest id (batch, item, intent, taxonomy).
    pub const MAX_ID: usize = 128;
    /// Longest item text, in bytes.
    pub const MAX_TEXT: usize = 16 * 1024;
    /// Longest intent description, in bytes.
    pub const MAX_DESCRIPTION: usize = 4 * 1024;
    /// Most items in one batch.
    pub const MAX_ITEMS: usize = 1_000_000;
    /// Most intents in one taxonomy.
    pub const MAX_INTENTS: usize = 10_000;
    /// Most alternatives per item.
    pub const MAX_ALTERNATIVES: usize = 20;
    /// Most example phrasings per intent.
    pub const MAX_EXAMPLES: usize = 10;
    /// Longest example phrasing, in bytes.
    pub const MAX_EXAMPLE: usize = 512;
    /// Longest group name, in bytes.
    pub const MAX_GROUP: usize = 128;
    /// Longest batch guidelines, in bytes.
    pub const MAX_GUIDELINES: usize = 32 * 1024;
}

/// Whether `s` is an id a batch can carry: 1–[`limits::MAX_ID`] bytes of
/// `A-Z a-z 0-9 _ - . :` (taxonomy ids and versions, intents, companies, channels, who
/// adjudicated). The one rule the device, the hub and the CLI apply, so an id accepted
/// at ingest never fails later, at dispatch or import; each caller words its own error.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= limits::MAX_ID
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

/// Why `id` cannot be an id a batch carries (an intent, company, channel, taxonomy
/// id), if it cannot: the one rule and message that the batch format, the ingest reader
/// and the hub's requests all give.
pub fn id_problem(what: &str, id: &str) -> Option<String> {
    (!is_id(id)).then(|| {
        format!(
            "`{what}` must be 1–{} characters of A-Z a-z 0-9 _ - . :",
            limits::MAX_ID
        )
    })
}

/// Why `c` cannot be a model's confidence or probability, if it cannot (not a number in
/// [0, 1]); the one rule of the batch format, the ingest reader and the hub.
pub fn confidence_problem(what: &str, c: f64) -> Option<String> {
    (!(c.is_finite() && (0.0..=1.0).contains(&c)))
        .then(|| format!("`{what}` must be a number in [0, 1]"))
}

fn check_id(what: &str, id: &str) -> Result<(), BatchError> {
    id_problem(what, id).map_or(Ok(()), |m| Err(BatchError::Invalid(m)))
}

fn check_conf(what: &str, c: f64) -> Result<(), BatchError> {
    confidence_problem(&format!("{what} confidence"), c)
        .map_or(Ok(()), |m| Err(BatchError::Invalid(m)))
}

impl Taxonomy {
    /// Check ids, sizes, examples and groups (the rules a device applies on import, and
    /// the Manage view applies to a taxonomy file before it is sent). Errors name the
    /// intent by id or position, never a description.
    pub fn validate(&self) -> Result<(), BatchError> {
        let t = self;
        check_id("taxonomy id", &t.id)?;
        check_id("taxonomy version", &t.version)?;
        if t.intents.is_empty() || t.intents.len() > limits::MAX_INTENTS {
            return Err(BatchError::Invalid(format!(
                "the taxonomy must have 1..{} intents",
                limits::MAX_INTENTS
            )));
        }
        let mut intents = HashSet::with_capacity(t.intents.len());
        for (i, intent) in t.intents.iter().enumerate() {
            if !crate::grammar::is_intent_id(&intent.id) {
                return Err(BatchError::Invalid(format!(
                    "intent #{} id must be 1-{} characters of A-Z a-z 0-9 _ - . :",
                    i + 1,
                    crate::grammar::MAX_INTENT_ID
                )));
            }
            if intent.description.len() > limits::MAX_DESCRIPTION {
                return Err(BatchError::Invalid(format!(
                    "intent {} has a description over {} bytes",
                    intent.id,
                    limits::MAX_DESCRIPTION
                )));
            }
            if intent.examples.len() > limits::MAX_EXAMPLES
                || intent
                    .examples
                    .iter()
                    .any(|e| e.len() > limits::MAX_EXAMPLE)
            {
                return Err(BatchError::Invalid(format!(
                    "intent {} may have at most {} examples of at most {} bytes each",
                    intent.id,
                    limits::MAX_EXAMPLES,
                    limits::MAX_EXAMPLE
                )));
            }
            if intent.group.len() > limits::MAX_GROUP || intent.group.chars().any(char::is_control)
            {
                return Err(BatchError::Invalid(format!(
                    "intent {} has a group name over {} bytes or with control characters",
                    intent.id,
                    limits::MAX_GROUP
                )));
            }
            if !intents.insert(intent.id.as_str()) {
                return Err(BatchError::Invalid(format!(
                    "intent {} appears twice in the taxonomy",
                    intent.id
                )));
            }
        }
        Ok(())
    }
}

impl BatchPayload {
    /// Check every field: ids, sizes, confidences, and that every intent an item refers
    /// to exists in the taxonomy. Errors name the item index, never its text.
    pub fn validate(&self) -> Result<(), BatchError> {
        // Ids a device will send back must follow the label grammar (crate::grammar).
        if !crate::grammar::BATCH_ID.matches(&self.batch_id) {
            return Err(BatchError::Invalid(
                "batch_id must be \"b_\" and 32 lower-case hex digits".into(),
            ));
        }
        if self.expires_at <= self.created_at {
            return Err(BatchError::Invalid(
                "expires_at must be after created_at".into(),
            ));
        }
        self.taxonomy.validate()?;
        let intents: HashSet<&str> = self
            .taxonomy
            .intents
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        if self.guidelines.len() > limits::MAX_GUIDELINES {
            return Err(BatchError::Invalid(format!(
                "the guidelines are over {} bytes",
                limits::MAX_GUIDELINES
            )));
        }
        if self.items.is_empty() || self.items.len() > limits::MAX_ITEMS {
            return Err(BatchError::Invalid(format!(
                "a batch must have 1..{} items",
                limits::MAX_ITEMS
            )));
        }
        let mut ids = HashSet::with_capacity(self.items.len());
        for (i, item) in self.items.iter().enumerate() {
            let at = |m: &str| BatchError::Invalid(format!("item #{}: {m}", i + 1));
            if !crate::grammar::ITEM_ID.matches(&item.item_id) {
                return Err(at("item_id must be \"it_\" and 32 lower-case hex digits"));
            }
            if !ids.insert(item.item_id.as_str()) {
                return Err(at("duplicate item_id"));
            }
            if item.text.trim().is_empty() {
                return Err(at("empty text"));
            }
            if item.text.len() > limits::MAX_TEXT {
                return Err(at(&format!("text longer than {} bytes", limits::MAX_TEXT)));
            }
            if !intents.contains(item.model_intent.as_str()) {
                return Err(at(
                    "model_intent is not in the batch taxonomy (unknown taxonomy reference)",
                ));
            }
            check_conf(&format!("item #{}", i + 1), item.confidence)?;
            if item.alternatives.len() > limits::MAX_ALTERNATIVES {
                return Err(at(&format!(
                    "more than {} alternatives",
                    limits::MAX_ALTERNATIVES
                )));
            }
            for a in &item.alternatives {
                if !intents.contains(a.intent.as_str()) {
                    return Err(at("an alternative's intent is not in the batch taxonomy (unknown taxonomy reference)"));
                }
                check_conf(&format!("item #{} alternative", i + 1), a.confidence)?;
            }
        }
        Ok(())
    }
}

/// A new random opaque id with the given prefix: 128 random bits, hex.
pub fn random_id(prefix: &str) -> Result<String, BatchError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| BatchError::Key("no system randomness".into()))?;
    Ok(format!("{prefix}{}", hex::encode(b)))
}

/// Current Unix time in seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Render Unix seconds as RFC 3339 UTC, for messages and display.
pub fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ts.to_string())
}

#[cfg(test)]
mod reason_tests {
    use super::Reason;

    #[test]
    fn ranks_names_and_unknown_ranks() {
        let all = [
            Reason::FalsePositive,
            Reason::LowConfidence,
            Reason::RandomSample,
            Reason::SuspectedLabelError,
        ];
        for (i, r) in all.into_iter().enumerate() {
            assert_eq!(r.rank(), i as i64);
            assert_eq!(Reason::from_rank(r.rank()), r);
            assert_eq!(Reason::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).ok(),
                Some(format!("\"{}\"", r.as_str()))
            );
        }
        assert_eq!(
            Reason::SuspectedLabelError.as_str(),
            "suspected_label_error"
        );
        // Ranks a vault does not know read back as before the fourth reason existed.
        assert_eq!(Reason::from_rank(4), Reason::RandomSample);
        assert_eq!(Reason::from_rank(-1), Reason::RandomSample);
    }
}

#[cfg(test)]
mod id_tests {
    use super::{is_id, limits};

    #[test]
    fn ids_are_one_to_max_id_bytes_of_the_batch_charset() {
        for ok in [
            "a",
            "refund",
            "order.status:v2",
            "A-Z_09",
            &"x".repeat(limits::MAX_ID),
        ] {
            assert!(is_id(ok), "{ok}");
        }
        for bad in [
            "",
            " refund",
            "re fund",
            "ré",
            "a/b",
            "a\n",
            &"x".repeat(limits::MAX_ID + 1),
        ] {
            assert!(!is_id(bad), "{bad:?}");
        }
        // The ledger's intent ids are the same rule with a shorter limit.
        assert!(crate::grammar::is_intent_id(
            &"x".repeat(crate::grammar::MAX_INTENT_ID)
        ));
        assert!(!crate::grammar::is_intent_id(
            &"x".repeat(crate::grammar::MAX_INTENT_ID + 1)
        ));
        assert!(!crate::grammar::is_intent_id("a b"));
    }
}
