//! Labels: what an annotator decided about an item. Closed enums and numbers only —
//! a label has no free-text field, so it can never carry message text off the device.

use serde::{Deserialize, Serialize};

/// The annotator's verdict on the model's intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The model's intent is right.
    Correct,
    /// The model's intent is wrong; `intent_id` holds the right one.
    Wrong,
    /// The annotator cannot tell.
    Unsure,
    /// Not decided; passed over.
    Skip,
}

impl Verdict {
    /// The snake_case name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Correct => "correct",
            Verdict::Wrong => "wrong",
            Verdict::Unsure => "unsure",
            Verdict::Skip => "skip",
        }
    }

    /// Parse the snake_case name.
    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "correct" => Some(Verdict::Correct),
            "wrong" => Some(Verdict::Wrong),
            "unsure" => Some(Verdict::Unsure),
            "skip" => Some(Verdict::Skip),
            _ => None,
        }
    }
}

/// Problems an annotator can flag besides the verdict (closed set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The model's answer was acted on and was wrong (a false positive to report).
    Misclassification,
    /// The redaction missed personal data (spans in `pii_spans`).
    MissedPii,
    /// Not a customer message (spam, auto-reply, internal note).
    NotCustomerMessage,
    /// The message carries several intents.
    MultipleIntents,
}

impl Flag {
    /// All flags, in bit order.
    pub const ALL: [Flag; 4] = [
        Flag::Misclassification,
        Flag::MissedPii,
        Flag::NotCustomerMessage,
        Flag::MultipleIntents,
    ];

    fn bit(self) -> i64 {
        match self {
            Flag::Misclassification => 1,
            Flag::MissedPii => 2,
            Flag::NotCustomerMessage => 4,
            Flag::MultipleIntents => 8,
        }
    }

    /// Pack flags into the bit set stored in the vault.
    pub fn to_bits(flags: &[Flag]) -> i64 {
        flags.iter().fold(0, |acc, f| acc | f.bit())
    }

    /// Unpack a stored bit set.
    pub fn from_bits(bits: i64) -> Vec<Flag> {
        Flag::ALL
            .into_iter()
            .filter(|f| bits & f.bit() != 0)
            .collect()
    }
}

/// A span of the item text, in Unicode code points; only offsets, never the characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// First code point.
    pub start: u32,
    /// One past the last code point.
    pub end: u32,
}

/// What the annotator decided, as given to [`crate::Vault::record`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The item decided on.
    pub item_id: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The right intent (required for `wrong`; defaults to the model's for `correct`).
    #[serde(default)]
    pub intent_id: Option<String>,
    /// Extra flags.
    #[serde(default)]
    pub flags: Vec<Flag>,
    /// With the `multiple_intents` flag: the message's other intents (ids from the
    /// batch taxonomy, most important first, at most [`MAX_ALSO_INTENTS`]), besides
    /// `intent_id`.
    #[serde(default)]
    pub also_intents: Vec<String>,
    /// Missed personal data, as code-point offsets into the redacted text.
    #[serde(default)]
    pub pii_spans: Vec<Span>,
    /// Time the annotator spent, in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
}

/// One stored revision of an item's label. Revisions are never overwritten: an undo
/// is a new revision with `retracted = true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelRecord {
    /// Item id.
    pub item_id: String,
    /// 1, 2, 3… per item.
    pub revision: u32,
    /// True if this revision takes the previous decision back.
    pub retracted: bool,
    /// Verdict (absent on a retraction).
    pub verdict: Option<Verdict>,
    /// Intent id (absent on a retraction).
    pub intent_id: Option<String>,
    /// Flags.
    pub flags: Vec<Flag>,
    /// The message's other intents, with the `multiple_intents` flag.
    #[serde(default)]
    pub also_intents: Vec<String>,
    /// Missed-PII spans.
    pub pii_spans: Vec<Span>,
    /// Milliseconds spent.
    pub duration_ms: u64,
    /// Unix milliseconds when recorded.
    pub created_at_ms: i64,
}

/// Most missed-PII spans accepted on one label.
pub const MAX_SPANS: usize = 64;

/// Most other intents one label may name besides its own (`also_intents`).
pub const MAX_ALSO_INTENTS: usize = 4;
