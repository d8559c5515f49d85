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

    /// The snake_case name used on the wire and on the command line (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Misclassification => "misclassification",
            Flag::MissedPii => "missed_pii",
            Flag::NotCustomerMessage => "not_customer_message",
            Flag::MultipleIntents => "multiple_intents",
        }
    }

    /// Parse the snake_case name, so every front end reads flags by one table.
    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == s)
    }

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

impl LabelRecord {
    /// This revision as the device sends it to the hub: the same fields, its time as the
    /// decision's, its duration within the label grammar's bound, and with spans the
    /// item's length class (from `item_chars`, the item's length in code points; an item
    /// the vault no longer holds falls back to the smallest class its spans fit, which
    /// the hub refuses if wrong). One conversion, so what is sent is what was recorded.
    pub fn to_wire(&self, item_chars: Option<u32>) -> crate::protocol::WireLabel {
        let length_class = self.pii_spans.last().map(|last| {
            let n = item_chars.unwrap_or(last.end);
            crate::grammar::length_class(n.max(last.end))
        });
        crate::protocol::WireLabel {
            item_id: self.item_id.clone(),
            revision: self.revision,
            retracted: self.retracted,
            verdict: self.verdict,
            intent_id: self.intent_id.clone(),
            flags: self.flags.clone(),
            also_intents: self.also_intents.clone(),
            pii_spans: self.pii_spans.clone(),
            length_class,
            duration_ms: self.duration_ms.min(crate::grammar::MAX_DURATION_MS),
            decided_at_ms: self.created_at_ms,
        }
    }
}

/// Most missed-PII spans accepted on one label.
pub const MAX_SPANS: usize = 64;

/// A rule of a label's content broken, as [`content_problem`] finds it; each side words
/// it its own way (the app names the item's length, the hub answers a refusal code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentProblem {
    /// A label that is not a retraction has no verdict.
    NoVerdict,
    /// A `wrong` verdict without the right intent.
    WrongWithoutIntent,
    /// More than [`MAX_SPANS`] missed-PII spans.
    TooManySpans,
    /// A span that is empty or reversed, or ends past the item's text.
    BadSpan(Span),
}

/// The content rules of a decided label that need neither its batch nor the taxonomy:
/// it has a verdict, `wrong` names the right intent, at most [`MAX_SPANS`] spans, each
/// non-empty and (when the item's length in code points, `chars`, is known) within the
/// text. The device applies them before recording and the hub before storing, so a
/// label one keeps the other does not refuse for these reasons.
pub fn content_problem(
    verdict: Option<Verdict>,
    intent_id: Option<&str>,
    spans: &[Span],
    chars: Option<u32>,
) -> Option<ContentProblem> {
    match (verdict, intent_id) {
        (None, _) => return Some(ContentProblem::NoVerdict),
        (Some(Verdict::Wrong), None) => return Some(ContentProblem::WrongWithoutIntent),
        _ => {}
    }
    if spans.len() > MAX_SPANS {
        return Some(ContentProblem::TooManySpans);
    }
    spans
        .iter()
        .find(|s| s.start >= s.end || chars.is_some_and(|c| s.end > c))
        .map(|s| ContentProblem::BadSpan(*s))
}

/// Most other intents one label may name besides its own (`also_intents`).
pub const MAX_ALSO_INTENTS: usize = 4;

#[cfg(test)]
mod wire_tests {
    use super::*;

    #[test]
    fn flag_names_are_the_serde_names() {
        for f in Flag::ALL {
            assert_eq!(
                serde_json::to_string(&f).ok(),
                Some(format!("\"{}\"", f.as_str()))
            );
            assert_eq!(Flag::parse(f.as_str()), Some(f));
        }
        assert_eq!(Flag::parse("MissedPii"), None);
        assert_eq!(Flag::parse(""), None);
    }

    #[test]
    fn content_rules_need_a_verdict_an_intent_for_wrong_and_sound_spans() {
        use ContentProblem::*;
        let span = |start, end| Span { start, end };
        let ok = [span(0, 4), span(6, 10)];
        assert_eq!(
            content_problem(Some(Verdict::Correct), None, &ok, Some(10)),
            None
        );
        assert_eq!(
            content_problem(Some(Verdict::Unsure), None, &[], None),
            None
        );
        assert_eq!(content_problem(None, Some("a"), &[], None), Some(NoVerdict));
        assert_eq!(
            content_problem(Some(Verdict::Wrong), None, &[], None),
            Some(WrongWithoutIntent)
        );
        assert_eq!(
            content_problem(Some(Verdict::Wrong), Some("a"), &[], None),
            None
        );
        let many = vec![span(0, 1); MAX_SPANS + 1];
        assert_eq!(
            content_problem(Some(Verdict::Correct), None, &many, None),
            Some(TooManySpans)
        );
        assert_eq!(
            content_problem(
                Some(Verdict::Correct),
                None,
                &[span(0, 4), span(5, 5)],
                None
            ),
            Some(BadSpan(span(5, 5)))
        );
        // Past the text only counts when the text's length is known.
        assert_eq!(
            content_problem(Some(Verdict::Correct), None, &ok, Some(9)),
            Some(BadSpan(span(6, 10)))
        );
        assert_eq!(
            content_problem(Some(Verdict::Correct), None, &ok, None),
            None
        );
    }

    #[test]
    fn a_record_goes_out_as_recorded_with_its_length_class() {
        let rec = LabelRecord {
            item_id: "it_0123456789abcdef0123456789abcdef".into(),
            revision: 2,
            retracted: false,
            verdict: Some(Verdict::Wrong),
            intent_id: Some("refund".into()),
            flags: vec![Flag::MissedPii, Flag::MultipleIntents],
            also_intents: vec!["cancel".into()],
            pii_spans: vec![Span { start: 3, end: 9 }],
            duration_ms: 5 * 3_600_000,
            created_at_ms: 1_767_225_600_000,
        };
        let w = rec.to_wire(Some(100));
        assert_eq!(w.item_id, rec.item_id);
        assert_eq!((w.revision, w.retracted), (2, false));
        assert_eq!(w.verdict, Some(Verdict::Wrong));
        assert_eq!(w.intent_id.as_deref(), Some("refund"));
        assert_eq!(w.flags, rec.flags);
        assert_eq!(w.also_intents, rec.also_intents);
        assert_eq!(w.pii_spans, rec.pii_spans);
        assert_eq!(w.decided_at_ms, rec.created_at_ms);
        // 100 code points: 2^7 = 128 is the first power of two that holds them.
        assert_eq!(w.length_class, Some(7));
        // A five-hour pause goes out as the grammar's bound.
        assert_eq!(w.duration_ms, crate::grammar::MAX_DURATION_MS);
        // The item gone: the smallest class the spans fit (end 9 → 2^4).
        assert_eq!(rec.to_wire(None).length_class, Some(4));
        // No spans, no length class; the wire label passes the label grammar.
        let plain = LabelRecord {
            pii_spans: vec![],
            flags: vec![],
            also_intents: vec![],
            duration_ms: 1_200,
            ..rec
        };
        let w = plain.to_wire(Some(100));
        assert_eq!(w.length_class, None);
        assert_eq!(w.duration_ms, 1_200);
        assert!(crate::grammar::check_label(0, &w, w.decided_at_ms).is_ok());
    }
}
