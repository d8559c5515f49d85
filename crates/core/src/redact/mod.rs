//! Redaction of personal data in customer messages, before any text leaves the hub.
//!
//! A deterministic, rule-based detector for ten kinds of personal data (names, e-mail
//! addresses, phone numbers, payment cards, IBANs, IP addresses, URLs, street addresses,
//! dates of birth and order/account numbers) and a redactor that replaces each with a typed,
//! per-message-consistent placeholder (`[EMAIL_1]`, `[CARD_2]`, ...).
//!
//! Why rules first and only a small model: the hub must redact millions of messages on
//! ordinary hardware, offline, with results that are reproducible (the same text always
//! gives the same output, which the audit trail relies on). Validators (Luhn for cards,
//! mod-97 for IBANs, octet ranges for IPs, number plans for phones) keep precision high;
//! cue phrases and embedded name lists find most names, and a compact statistical tagger
//! (`tagger.rs`, weights compiled in) finds names no cue introduces.
//!
//! Speed: each detector is gated by a cheap byte-level check (no digit → no numeric
//! detectors, no '@' → no e-mail scan, ...), every regex is compiled once, and candidate
//! spans are resolved by priority in one sort. See `docs/redaction.md`.

mod addr_tail;
mod addr_walk;
mod address;
mod blocks;
mod chat;
mod contact;
mod dates;
mod doer;
mod fields;
mod finance;
mod gate;
mod gazetteer;
mod guess;
mod ids;
mod lexicon;
mod names;
mod pair;
mod phone_lines;
mod possessive;
mod postal;
pub mod recognizer;
mod salutation;
mod scan;
pub mod tagger;
pub mod terms;
mod together;
mod validate;

#[cfg(test)]
mod tests;

pub use guess::guess_missed;
pub use terms::Terms;

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// The cue patterns searched only where a word starts ([`gate`]), one start table for all.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cue {
    /// Name cue phrases ("my name is", "Mr.", "regards").
    Name,
    /// Phrases an address follows ("lives at", "ship it to").
    Address,
    /// Order, account and ticket cue words.
    Order,
    /// Id shapes without a cue ("ORD-1234567").
    OrderShape,
    /// Written dates ("3rd of May 1990").
    Written,
    /// French street types without a number ("rue de la Paix").
    FrenchStreet,
}

impl From<Cue> for usize {
    fn from(c: Cue) -> usize {
        c as usize
    }
}

/// The patterns of [`Cue`], in its order.
static CUE_SET: std::sync::LazyLock<gate::CueSet> = std::sync::LazyLock::new(|| {
    gate::CueSet::new(&[
        &names::cue_pattern(),
        addr_walk::CUE_PATTERN,
        &finance::order_cue_words_pattern(),
        finance::ORDER_SHAPE_PATTERN,
        &dates::written_pattern(),
        address::FRENCH_BARE_PATTERN,
    ])
});

/// The kinds of personal data the redactor finds. Serialised with the type names used
/// by the PII scorer and by Presidio-style tools (`PERSON`, `EMAIL_ADDRESS`, ...), so span
/// output can be compared with any other detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum PiiKind {
    /// A person's name.
    #[serde(rename = "PERSON")]
    Person,
    /// An e-mail address.
    #[serde(rename = "EMAIL_ADDRESS")]
    Email,
    /// A phone number (international or national formats).
    #[serde(rename = "PHONE_NUMBER")]
    Phone,
    /// A payment card number (Luhn-checked).
    #[serde(rename = "CREDIT_CARD")]
    CreditCard,
    /// An IBAN (mod-97 checked).
    #[serde(rename = "IBAN_CODE")]
    Iban,
    /// An IPv4 or IPv6 address.
    #[serde(rename = "IP_ADDRESS")]
    IpAddress,
    /// A URL or bare domain.
    #[serde(rename = "URL")]
    Url,
    /// A postal street address.
    #[serde(rename = "STREET_ADDRESS")]
    StreetAddress,
    /// A date of birth.
    #[serde(rename = "DATE_OF_BIRTH")]
    DateOfBirth,
    /// An order, account, ticket or reference number.
    #[serde(rename = "ORDER_NUMBER")]
    OrderNumber,
    /// A national identity, social security, tax, passport or driving-licence number
    /// (found by the recognizers in `ids/`).
    #[serde(rename = "NATIONAL_ID")]
    NationalId,
}

impl PiiKind {
    /// Every kind, in a fixed order (for configuration screens and reports).
    pub const ALL: [PiiKind; 11] = [
        PiiKind::Person,
        PiiKind::Email,
        PiiKind::Phone,
        PiiKind::CreditCard,
        PiiKind::Iban,
        PiiKind::IpAddress,
        PiiKind::Url,
        PiiKind::StreetAddress,
        PiiKind::DateOfBirth,
        PiiKind::OrderNumber,
        PiiKind::NationalId,
    ];

    /// The tag inside placeholders (`NAME` in `[NAME_1]`): short, readable for annotators,
    /// and stable because labels and missed-PII flags refer to redacted text.
    pub fn placeholder_tag(&self) -> &'static str {
        match self {
            PiiKind::Person => "NAME",
            PiiKind::Email => "EMAIL",
            PiiKind::Phone => "PHONE",
            PiiKind::CreditCard => "CARD",
            PiiKind::Iban => "IBAN",
            PiiKind::IpAddress => "IP",
            PiiKind::Url => "URL",
            PiiKind::StreetAddress => "ADDRESS",
            PiiKind::DateOfBirth => "DOB",
            PiiKind::OrderNumber => "ORDER",
            PiiKind::NationalId => "ID",
        }
    }

    /// The scorer's type name (`PERSON`, `EMAIL_ADDRESS`, ...), the same string serde
    /// writes, for callers that build output by hand.
    pub fn type_name(&self) -> &'static str {
        match self {
            PiiKind::Person => "PERSON",
            PiiKind::Email => "EMAIL_ADDRESS",
            PiiKind::Phone => "PHONE_NUMBER",
            PiiKind::CreditCard => "CREDIT_CARD",
            PiiKind::Iban => "IBAN_CODE",
            PiiKind::IpAddress => "IP_ADDRESS",
            PiiKind::Url => "URL",
            PiiKind::StreetAddress => "STREET_ADDRESS",
            PiiKind::DateOfBirth => "DATE_OF_BIRTH",
            PiiKind::OrderNumber => "ORDER_NUMBER",
            PiiKind::NationalId => "NATIONAL_ID",
        }
    }
}

impl fmt::Display for PiiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_name())
    }
}

/// One detected piece of personal data. Offsets are byte offsets into the text that was
/// searched (so they slice it directly); use [`char_offsets`] for code-point offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PiiSpan {
    /// Start, inclusive, in bytes.
    pub start: usize,
    /// End, exclusive, in bytes.
    pub end: usize,
    /// What was found.
    pub kind: PiiKind,
}

/// Settings for a [`Redactor`]. Per-company order-number formats are the one thing rules
/// cannot guess, so they are configurable; everything else has sensible defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedactConfig {
    /// Extra regular expressions (Rust `regex` syntax) whose matches are order numbers,
    /// e.g. `r"\bACME-\d{6}\b"` for one merchant's ids. Matched case-sensitively unless
    /// the pattern says `(?i)`.
    pub extra_order_patterns: Vec<String>,
    /// Kinds not to detect at all (e.g. a deployment that keeps URLs visible).
    pub disabled_kinds: Vec<PiiKind>,
    /// Languages (ISO 639-1) of the deployment's messages: only recognizers meant for
    /// one of them run (`recognizer::Recognizer::locales`). Empty: all of them.
    pub locales: Vec<String>,
    /// Recognizers to leave out, by name (`us_ssn`, `nl_bsn`, …).
    pub disabled_recognizers: Vec<String>,
}

/// Why a [`Redactor`] could not be built. Never contains message text.
#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    /// `RedactConfig::disabled_recognizers` names a recognizer that does not exist.
    #[error("unknown recognizer {name:?} in disabled_recognizers; known: {known}")]
    UnknownRecognizer {
        /// The name given.
        name: String,
        /// The built-in names, comma-separated.
        known: String,
    },
    /// One of `RedactConfig::extra_order_patterns` is not a valid regex.
    #[error("extra order pattern #{index} is not a valid regular expression: {reason}")]
    BadPattern {
        /// Zero-based position in `extra_order_patterns`.
        index: usize,
        /// What is wrong with it (the parser's message, without the pattern itself).
        reason: String,
    },
}

/// The result of [`Redactor::redact`]: the text with placeholders, and the spans that were
/// replaced (offsets into the ORIGINAL text), so callers can audit or score the redaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The redacted text.
    pub text: String,
    /// What was replaced, in order, as byte offsets into the original text.
    pub spans: Vec<PiiSpan>,
}

/// The detector and redactor. Build it once (it compiles the configured patterns) and
/// share it: it is `Send + Sync` and `find_spans`/`redact` take `&self`.
#[derive(Debug, Clone)]
pub struct Redactor {
    extra: Vec<Regex>,
    disabled: Vec<PiiKind>,
    /// Indices into [`recognizer::builtin`] of the recognizers that run.
    recognizers: Vec<usize>,
    /// Whether the person-name tagger runs (`disabled_recognizers: ["person_tagger"]`
    /// switches it off).
    tagger: bool,
}

/// The name under which [`RedactConfig::disabled_recognizers`] switches the person-name
/// tagger (`tagger.rs`) off.
pub const PERSON_TAGGER: &str = "person_tagger";

impl Default for Redactor {
    /// A redactor with the default configuration (no extra patterns, every kind on).
    fn default() -> Self {
        lexicon::warm_up();
        gazetteer::warm_up();
        tagger::warm_up();
        Redactor {
            extra: Vec::new(),
            disabled: Vec::new(),
            recognizers: (0..recognizer::builtin().len()).collect(),
            tagger: true,
        }
    }
}

/// Candidate priorities: when candidates overlap, the higher priority wins, then the
/// longer one, then the earlier one. Validated numbers beat shapes; cue-backed beat
/// cue-less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Prio(u8);

impl Prio {
    pub(crate) const EMAIL: Prio = Prio(100);
    /// A manager's confirmed per-company term (`terms.rs`).
    pub(crate) const TERM: Prio = Prio(98);
    pub(crate) const VALIDATED: Prio = Prio(95);
    pub(crate) const URL_STRONG: Prio = Prio(90);
    pub(crate) const IP: Prio = Prio(90);
    pub(crate) const DOB_CUE: Prio = Prio(80);
    pub(crate) const ORDER_EXTRA: Prio = Prio(78);
    /// An identifier after a form field's label ("Passport no.: …", `fields.rs`).
    pub(crate) const FIELD_ID: Prio = Prio(76);
    pub(crate) const ORDER_CUE: Prio = Prio(75);
    pub(crate) const PHONE_STRONG: Prio = Prio(70);
    /// A street before ", <postcode> <Place>" (`postal.rs`), which contains the street
    /// grammars' span and extends it to the postcode and place.
    pub(crate) const POSTAL: Prio = Prio(66);
    pub(crate) const ADDRESS: Prio = Prio(65);
    /// A form field's address value when it is long (a sentence may follow the address):
    /// the grammars' span wins.
    pub(crate) const FIELD_ADDRESS_LONG: Prio = Prio(61);
    pub(crate) const ADDRESS_CUE: Prio = Prio(63);
    pub(crate) const DOB: Prio = Prio(62);
    pub(crate) const URL_BARE: Prio = Prio(60);
    pub(crate) const ORDER_SHAPE: Prio = Prio(55);
    pub(crate) const PERSON_STRONG: Prio = Prio(52);
    pub(crate) const PERSON: Prio = Prio(48);
    pub(crate) const ORDER_MIXED: Prio = Prio(45);
    pub(crate) const PHONE: Prio = Prio(42);
    /// A name found by the statistical tagger alone (`tagger.rs`).
    pub(crate) const PERSON_MODEL: Prio = Prio(40);
    pub(crate) const PERSON_WEAK: Prio = Prio(35);
    pub(crate) const ORDER_WEAK: Prio = Prio(30);
}

/// A candidate span before overlap resolution.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cand {
    start: usize,
    end: usize,
    kind: PiiKind,
    prio: Prio,
}

impl Cand {
    pub(crate) fn new(start: usize, end: usize, kind: PiiKind, prio: Prio) -> Self {
        Cand {
            start,
            end,
            kind,
            prio,
        }
    }
}

/// Cheap facts about a text that decide which detectors can possibly fire.
struct Gates {
    digit: bool,
    at: bool,
    colon: bool,
    dot_letter: bool,
    hash: bool,
    upper: bool,
    /// A '[' (of "[at]"), so texts without one skip that substring search.
    bracket: bool,
    /// Only ASCII bytes: the simplest patterns then run as hand-written scanners
    /// (`scan.rs`), which match exactly what their regexes match on such text.
    ascii: bool,
}

/// How many ASCII digits and dots a text has: a card needs 12 digits, a phone 7 and an
/// IPv4 address 4 digits and 3 dots, so messages with fewer skip those detectors (their
/// regexes are the cost; the count is one vectorised pass).
struct Counts {
    digits: usize,
    dots: usize,
}

fn counts(text: &str) -> Counts {
    let mut n = Counts { digits: 0, dots: 0 };
    // byte-wide sums over blocks of at most 255 bytes vectorise; they cannot overflow
    for block in text.as_bytes().chunks(255) {
        let (d, p) = block.iter().fold((0u8, 0u8), |(d, p), &c| {
            (d + u8::from(c.is_ascii_digit()), p + u8::from(c == b'.'))
        });
        n.digits += usize::from(d);
        n.dots += usize::from(p);
    }
    n
}

const G_DIGIT: u8 = 1;
const G_AT: u8 = 2;
const G_COLON: u8 = 4;
const G_DOT: u8 = 8;
const G_HASH: u8 = 16;
const G_UPPER: u8 = 32;
const G_BRACKET: u8 = 64;
const G_NON_ASCII: u8 = 128;

/// Byte classes for [`gates`], so the scan is one table lookup and an OR per byte.
static GATE_TABLE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c.is_ascii_digit() {
            G_DIGIT
        } else if c == b'@' {
            G_AT
        } else if c == b':' {
            G_COLON
        } else if c == b'.' {
            G_DOT
        } else if c == b'#' {
            G_HASH
        } else if c.is_ascii_uppercase() {
            G_UPPER
        } else if c == b'[' {
            G_BRACKET
        } else if c >= 0x80 {
            G_NON_ASCII
        } else {
            0
        };
        i += 1;
    }
    t
};

fn gates(text: &str) -> Gates {
    let b = text.as_bytes();
    let acc = b.iter().fold(0u8, |a, &c| a | GATE_TABLE[usize::from(c)]);
    let dot_letter = acc & G_DOT != 0
        && memchr::memchr_iter(b'.', b)
            .any(|i| b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric));
    Gates {
        digit: acc & G_DIGIT != 0,
        at: acc & G_AT != 0,
        colon: acc & G_COLON != 0,
        dot_letter,
        hash: acc & G_HASH != 0,
        upper: acc & G_UPPER != 0,
        bracket: acc & G_BRACKET != 0,
        ascii: acc & G_NON_ASCII == 0,
    }
}

/// A company identifier's label right before a number on its line.
static COMPANY_ID: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\breg(?:istration)?\.?\s*(?:no|nr|number)\b|\bcompany\s+(?:no|nr|number|reg)\b|",
        r"\bvat\b|\btva\b|\bbtw\b|\buid\b|\bp\.\s?iva\b|\bpartita\s+iva\b|\bust-?id|\bkvk\b|",
        r"\bsiret\b|\bsiren\b|\bhrb\b|\bfn\b|\babn\b|\bacn\b|\bcrn\b|\bkrs\b|\bnip\b|",
        r"\bregon\b|\bičo\b|\bdič\b|\bcvr\b|\borg\.?\s?nr|\by-tunnus\b|handelsregister)",
        r"[^\n\d]{0,12}$",
    ))
    .expect("static regex")
});

/// Does a company identifier's label ("Company reg. no.", "VAT", "KvK") stand right
/// before `at` on its line?
fn company_id_before(text: &str, at: usize) -> bool {
    let mut from = at.saturating_sub(40);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..at];
    let before = before.rsplit('\n').next().unwrap_or(before);
    before.len() >= 2 && COMPANY_ID.is_match(before)
}

/// Up to this many possible recognizers run without the shape set's pass first.
const DIRECT_RECOGNIZERS: usize = 2;

/// Does `text` contain `n` capital ASCII letters in a row (a letter-only code)?
fn caps_run(text: &str, n: usize) -> bool {
    let mut run = 0;
    for &c in text.as_bytes() {
        if c.is_ascii_uppercase() {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

impl Redactor {
    /// Build a redactor; fails only if a custom order pattern does not compile (the error
    /// names the pattern's index, not its text or any message text).
    pub fn new(cfg: RedactConfig) -> Result<Self, RedactError> {
        lexicon::warm_up();
        gazetteer::warm_up();
        tagger::warm_up();
        let mut extra = Vec::with_capacity(cfg.extra_order_patterns.len());
        for (index, p) in cfg.extra_order_patterns.iter().enumerate() {
            match Regex::new(p) {
                Ok(r) => extra.push(r),
                Err(e) => {
                    let reason = match &e {
                        regex::Error::Syntax(msg) => msg
                            .lines()
                            .rev()
                            .find(|l| l.starts_with("error:"))
                            .map(|l| l.trim_start_matches("error:").trim().to_string())
                            .unwrap_or_else(|| "syntax error".to_string()),
                        regex::Error::CompiledTooBig(limit) => {
                            format!("compiled pattern exceeds the size limit of {limit} bytes")
                        }
                        _ => "invalid pattern".to_string(),
                    };
                    return Err(RedactError::BadPattern { index, reason });
                }
            }
        }
        let mut disabled = cfg.disabled_kinds;
        disabled.sort();
        disabled.dedup();
        let all = recognizer::builtin();
        for name in &cfg.disabled_recognizers {
            if name != PERSON_TAGGER && !all.iter().any(|r| r.name() == name) {
                let mut known: Vec<&str> = all.iter().map(|r| r.name()).collect();
                known.push(PERSON_TAGGER);
                return Err(RedactError::UnknownRecognizer {
                    name: name.clone(),
                    known: known.join(", "),
                });
            }
        }
        let tagger = !cfg.disabled_recognizers.iter().any(|d| d == PERSON_TAGGER);
        let recognizers = all
            .iter()
            .enumerate()
            .filter(|(_, r)| !cfg.disabled_recognizers.iter().any(|d| d == r.name()))
            .filter(|(_, r)| {
                cfg.locales.is_empty()
                    || r.locales()
                        .iter()
                        .any(|l| cfg.locales.iter().any(|c| c == l))
            })
            .map(|(i, _)| i)
            .collect();
        Ok(Redactor {
            extra,
            disabled,
            recognizers,
            tagger,
        })
    }

    fn on(&self, k: PiiKind) -> bool {
        !self.disabled.contains(&k)
    }

    /// Find personal data in `text`: non-overlapping spans sorted by start (byte offsets).
    /// Deterministic: the same text and configuration always give the same spans.
    pub fn find_spans(&self, text: &str) -> Vec<PiiSpan> {
        self.find_spans_with(text, None)
    }

    /// [`Redactor::find_spans`], plus a company's confirmed terms.
    pub fn find_spans_with(&self, text: &str, terms: Option<&Terms>) -> Vec<PiiSpan> {
        if text.is_empty() {
            return Vec::new();
        }
        let mut c = self.candidates(text);
        if let Some(t) = terms {
            t.candidates(text, &mut c);
        }
        let spans = addr_tail::address_tails(text, resolve(c));
        let mut spans = repeat_found_values(text, pair::extend_names(text, spans));
        // A kind the configuration switched off is never reported, whichever rule (or
        // repeat of a found value) produced it.
        spans.retain(|s| self.on(s.kind));
        spans
    }

    /// Every detector's raw candidates, before overlap resolution.
    fn candidates(&self, text: &str) -> Vec<Cand> {
        let g = gates(text);
        // where the cue patterns of [`Cue`] can start, for every detector that uses one
        let starts = gate::Starts::of(&CUE_SET, text);
        let mut c: Vec<Cand> = Vec::new();
        if self.on(PiiKind::Email)
            && (g.at
                || lexicon::has(&lexicon::SPACED_DOT, text)
                || (g.bracket && text.contains("[at]")))
        {
            contact::emails(text, &mut c);
        }
        if (g.dot_letter || g.colon) && self.on(PiiKind::Url) {
            contact::urls(text, &mut c);
        }
        if g.digit {
            let n = counts(text);
            let v4 = n.digits >= 4 && n.dots >= 3;
            if self.on(PiiKind::IpAddress) && (v4 || g.colon) {
                contact::ips(text, v4, g.colon, g.ascii, &mut c);
            }
            if self.on(PiiKind::CreditCard) && n.digits >= 12 {
                finance::cards(text, g.ascii, &mut c);
            }
            if self.on(PiiKind::Iban) {
                finance::ibans(text, &mut c);
            }
            if self.on(PiiKind::Phone) && n.digits >= 7 {
                contact::phones(text, g.ascii, &mut c);
                phone_lines::phone_lines(text, &mut c);
            }
            if self.on(PiiKind::DateOfBirth) {
                dates::dates(text, &starts, &mut c);
            }
            if self.on(PiiKind::OrderNumber) {
                finance::order_cues(text, &starts, &mut c);
                if g.upper || g.hash || text.len() >= 7 {
                    finance::order_shapes(text, &starts, &mut c);
                }
            }
            // The recognizers (recognizer.rs): every one of them needs digits.
            let facts = recognizer::Facts::of(text);
            let all = recognizer::builtin();
            // the possible ones' indices, on the stack (this runs for every message
            // with a digit)
            let mut possible = [0usize; recognizer::COUNT];
            let mut n_possible = 0;
            for &i in &self.recognizers {
                if self.on(all[i].kind()) && all[i].may_match(&facts) {
                    possible[n_possible] = i;
                    n_possible += 1;
                }
            }
            let possible = &possible[..n_possible];
            if !possible.is_empty() {
                // The set only tells which recognizers need not run: a recognizer whose
                // shape matches nowhere finds nothing. With one or two possible (most
                // often the passport and licence cue alone) running them is cheaper than
                // the set's pass over the text, and finds the same.
                let shaped = (possible.len() > DIRECT_RECOGNIZERS)
                    .then(|| recognizer::shapes().matches(text));
                let mut found = Vec::new();
                for r in possible
                    .iter()
                    .copied()
                    .filter(|&i| shaped.as_ref().is_none_or(|s| s.matched(i)))
                    .map(|i| all[i])
                {
                    found.clear();
                    r.find(text, &mut found);
                    for f in &found {
                        let prio = Prio((f.score.clamp(0.0, 1.0) * 100.0).round() as u8);
                        c.push(Cand::new(f.start, f.end, r.kind(), prio));
                    }
                }
            }
        }
        if !g.digit && g.upper && self.on(PiiKind::OrderNumber) && caps_run(text, 5) {
            // "booking ref TNAVSZ": letter-only codes after a cue
            finance::order_cues(text, &starts, &mut c);
        }
        if self.on(PiiKind::StreetAddress) {
            address::addresses(text, g.digit, &starts, &mut c);
            if g.digit {
                postal::postal(text, &mut c);
                blocks::blocks(text, &mut c);
            }
        }
        // labelled form fields (a cheap byte check inside skips texts without `:`, tab, `|`)
        let mut veto: Vec<(usize, usize)> = Vec::new();
        {
            let from = c.len();
            fields::fields(text, &mut c, &mut veto);
            let mut i = from;
            while i < c.len() {
                if self.on(c[i].kind) {
                    i += 1;
                } else {
                    c.swap_remove(i);
                }
            }
        }
        if self.on(PiiKind::OrderNumber) {
            for r in &self.extra {
                for m in r.find_iter(text) {
                    if m.end() > m.start() {
                        c.push(Cand::new(
                            m.start(),
                            m.end(),
                            PiiKind::OrderNumber,
                            Prio::ORDER_EXTRA,
                        ));
                    }
                }
            }
        }
        if g.colon {
            // chat transcripts: speakers' names, answers to a name or id question
            let from = c.len();
            chat::chat(text, &mut c);
            let mut i = from;
            while i < c.len() {
                if self.on(c[i].kind) {
                    i += 1;
                } else {
                    c.swap_remove(i);
                }
            }
        }
        if self.on(PiiKind::Person) {
            names::names(text, g.ascii, &starts, &mut c);
            if g.upper || !g.ascii {
                salutation::salutations(text, &mut c);
            }
            possessive::possessives(text, &mut c);
            doer::doers(text, &mut c);
            together::together(text, &mut c);
            if g.upper || !g.ascii {
                pair::unknown_pairs(text, &mut c);
            }
            if self.tagger && (g.upper || !g.ascii) {
                let from = c.len();
                tagger::persons(text, &mut c);
                // one everyday word alone ("for Holiday shopping", "Grant access") is not
                // enough for the tagger, even when some list holds it as a name
                let mut buf = lexicon::Lower::new();
                let mut i = from;
                while i < c.len() {
                    let w = &text[c[i].start..c[i].end];
                    let everyday = c[i].prio == Prio::PERSON_MODEL
                        && !w.contains([' ', '\n'])
                        && lexicon::lookup(lexicon::lower(w.trim_end_matches('.'), &mut buf))
                            .common_any();
                    if everyday {
                        c.swap_remove(i);
                    } else {
                        i += 1;
                    }
                }
            }
        }
        if self.on(PiiKind::OrderNumber) {
            // a company's registration or VAT number ("Company reg. no. 78769309", "TVA
            // FR14867835507", "UID ATU41961593") in a signature is no customer's order
            c.retain(|x| {
                x.kind != PiiKind::OrderNumber
                    || x.prio > Prio::ORDER_CUE
                    || !company_id_before(text, x.start)
            });
        }
        if !veto.is_empty() {
            // no weak name in a field's label ("Etunimi:") or in a country, phone, date ... field
            c.retain(|x| {
                x.kind != PiiKind::Person
                    || x.prio > Prio::PERSON
                    || !veto.iter().any(|&(s, e)| x.start < e && s < x.end)
            });
        }
        c
    }

    /// Replace personal data with typed placeholders. The same value (compared after
    /// normalising case and separators) gets the same placeholder within one message;
    /// numbering restarts for every message, so placeholders reveal nothing across
    /// messages.
    pub fn redact(&self, text: &str) -> Redacted {
        self.redact_with(text, None)
    }

    /// [`Redactor::redact`], plus a company's confirmed terms.
    pub fn redact_with(&self, text: &str, terms: Option<&Terms>) -> Redacted {
        let spans = self.find_spans_with(text, terms);
        let text = replace_spans(text, &spans);
        Redacted { text, spans }
    }
}

/// A value found once is personal data wherever else it stands in the message, even
/// where its context alone would not have been enough: mask every other whole-token
/// occurrence too (it then gets the same placeholder).
fn repeat_found_values(text: &str, mut spans: Vec<PiiSpan>) -> Vec<PiiSpan> {
    if spans.is_empty() {
        return spans;
    }
    // Glued means a letter or digit (any script) touches the copy. Judged per character,
    // not per byte: a non-ASCII neighbour such as U+FFFD or '»' is no letter, and a copy
    // beside it is as readable as one beside a space.
    let glued = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let b = text.as_bytes();
    let mut extra: Vec<PiiSpan> = Vec::new();
    for s in &spans {
        let v = &b[s.start..s.end];
        // A repeat needs room for a second copy.
        if v.len() < 4 || text.len() < 2 * v.len() + 1 {
            continue;
        }
        // Any occurrence overlapping `s` is covered by it, so only the text before and
        // after it can hold a repeat; one that never holds the value's first byte cannot.
        let (left, right) = (&b[..s.start], &b[s.end..]);
        let could = |h: &[u8]| {
            h.len() >= v.len() && memchr::memchr(v[0], &h[..=h.len() - v.len()]).is_some()
        };
        let (in_left, in_right) = (could(left), could(right));
        if !in_left && !in_right {
            continue;
        }
        for (base, hay, on) in [(0, left, in_left), (s.end, right, in_right)] {
            if !on {
                continue;
            }
            let mut from = 0;
            while let Some(off) = find_bytes(&hay[from..], v) {
                let (start, end) = (base + from + off, base + from + off + v.len());
                from = start - base + text[start..].chars().next().map_or(1, char::len_utf8);
                let whole =
                    !glued(text[..start].chars().next_back()) && !glued(text[end..].chars().next());
                let covered = |x: &PiiSpan| x.start < end && start < x.end;
                if whole && !spans.iter().any(covered) && !extra.iter().any(covered) {
                    extra.push(PiiSpan {
                        start,
                        end,
                        kind: s.kind,
                    });
                }
            }
        }
    }
    names_from_mailboxes(text, &spans, &mut extra);
    if extra.iter().any(|x| x.kind == PiiKind::Person) {
        let mut all = spans.clone();
        all.extend(extra.iter().copied());
        name_parts_again(text, &all, &mut extra);
    } else {
        name_parts_again(text, &spans, &mut extra);
    }
    if !extra.is_empty() {
        spans.extend(extra);
        spans.sort_by_key(|x| x.start);
    }
    spans
}

/// A capitalised word that is a part of an e-mail address's local part in the same message
/// names its person ("Kuma Rakukar … kuma@maple.ca", "Noboru Kurosawa …
/// noboru_kurosawa@…", "N. Kurosawa … nkurosawa@…"): signatures and chats sign with the
/// name the address is made of. Parts are words of three letters or more (four for a
/// word that only begins or ends a run of letters such as "noborukurosawa") that are not
/// everyday words, so role mailboxes ("service@", "billing@") name nobody. The run is
/// widened to a capitalised neighbour on the same line that is no everyday word
/// ("Kuma Rakukar").
fn names_from_mailboxes(text: &str, spans: &[PiiSpan], extra: &mut Vec<PiiSpan>) {
    let mut locals: Vec<String> = Vec::new();
    for s in spans.iter().filter(|s| s.kind == PiiKind::Email) {
        let v = &text[s.start..s.end];
        let local = v.split(['@', ' ']).next().unwrap_or("");
        for t in local.split(|c: char| !c.is_alphabetic()) {
            if t.chars().count() >= 3 {
                let t = t.to_lowercase();
                if !locals.contains(&t) {
                    locals.push(t);
                }
            }
        }
    }
    if locals.is_empty() {
        return;
    }
    let mut buf = lexicon::Lower::new();
    let covered = |s: usize, e: usize, a: &[PiiSpan], x: &[PiiSpan]| {
        a.iter().chain(x.iter()).any(|p| p.start < e && s < p.end)
    };
    // every word of the text, with its offsets
    let words: Vec<(usize, usize)> = {
        let mut v = Vec::new();
        let mut i = 0;
        while i < text.len() {
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            if c.is_alphabetic() {
                let s = i;
                while let Some(c) = text[i..].chars().next() {
                    if c.is_alphabetic()
                        || (c == '-' || c == '\'')
                            && text[i + 1..]
                                .chars()
                                .next()
                                .is_some_and(char::is_alphabetic)
                    {
                        i += c.len_utf8();
                    } else {
                        break;
                    }
                }
                v.push((s, i));
            } else {
                i += c.len_utf8();
            }
        }
        v
    };
    let is_name_word = |w: &str, buf: &mut lexicon::Lower| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars().count() >= 2
            && !lexicon::lookup(lexicon::lower(w, buf)).common_any()
    };
    let mut hits: Vec<usize> = Vec::new();
    for (k, &(s, e)) in words.iter().enumerate() {
        let w = &text[s..e];
        let n = w.chars().count();
        if n < 3 || !w.chars().next().is_some_and(char::is_uppercase) {
            continue;
        }
        // inside an e-mail address or a web address: not a mention
        if spans
            .iter()
            .any(|p| p.start < e && s < p.end && p.kind != PiiKind::Person)
        {
            continue;
        }
        let lw = w.to_lowercase();
        if lexicon::lookup(lexicon::lower(w, &mut buf)).common_any() {
            continue;
        }
        let hit = locals.iter().any(|t| {
            *t == lw
                || (n >= 4 && t.len() >= lw.len() + 3 && (t.starts_with(&lw) || t.ends_with(&lw)))
        });
        if hit {
            hits.push(k);
        }
    }
    for k in hits {
        let (mut s, mut e) = words[k];
        // widen to capitalised neighbours on the same line ("Kuma Rakukar", "N. Kurosawa")
        let mut j = k;
        while j + 1 < words.len() && j < k + 2 {
            let (ns, ne) = words[j + 1];
            let gap = &text[e..ns];
            if gap != " " || !is_name_word(&text[ns..ne], &mut buf) || covered(ns, ne, spans, extra)
            {
                break;
            }
            e = ne;
            j += 1;
        }
        let mut j = k;
        while j > 0 && j + 2 > k {
            let (ps, pe) = words[j - 1];
            let gap = &text[pe..s];
            if !(gap == " " || gap == ". ")
                || !is_name_word(&text[ps..pe], &mut buf)
                || covered(ps, pe, spans, extra)
            {
                break;
            }
            s = ps;
            j -= 1;
        }
        if !covered(s, e, spans, extra) {
            extra.push(PiiSpan {
                start: s,
                end: e,
                kind: PiiKind::Person,
            });
        }
    }
}

/// A name found once names its person wherever a part of it stands alone later: "Tenoch
/// Itzcóatl … Tenoch speaks four languages … Itzcóatl joined", also with a lower-case first
/// letter ("yeşim"). Parts are capitalised words of three letters or more that are not
/// everyday words, so "Will" of "Will Smith" does not mask every "will".
fn name_parts_again(text: &str, spans: &[PiiSpan], extra: &mut Vec<PiiSpan>) {
    let glued = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut buf = lexicon::Lower::new();
    let mut parts: Vec<String> = Vec::new();
    for s in spans.iter().filter(|s| s.kind == PiiKind::Person) {
        for w in
            text[s.start..s.end].split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        {
            let w = w.trim_matches(|c| c == '\'' || c == '-');
            if w.chars().count() < 3
                || !w.chars().next().is_some_and(char::is_uppercase)
                || lexicon::lookup(lexicon::lower(w, &mut buf)).common_any()
            {
                continue;
            }
            let mut lc = String::with_capacity(w.len());
            let mut cs = w.chars();
            if let Some(first) = cs.next() {
                lc.extend(first.to_lowercase());
                lc.push_str(cs.as_str());
            }
            for v in [w.to_string(), lc] {
                if !parts.contains(&v) {
                    parts.push(v);
                }
            }
        }
    }
    for p in &parts {
        let needle = p.as_bytes();
        let mut from = 0;
        // every non-overlapping occurrence, leftmost first (what memmem's find_iter gives)
        while let Some(off) = find_bytes(&text.as_bytes()[from..], needle) {
            let start = from + off;
            from = start + needle.len().max(1);
            let end = start + p.len();
            let whole =
                !glued(text[..start].chars().next_back()) && !glued(text[end..].chars().next());
            let covered = |x: &PiiSpan| x.start < end && start < x.end;
            if whole && !spans.iter().any(covered) && !extra.iter().any(covered) {
                extra.push(PiiSpan {
                    start,
                    end,
                    kind: PiiKind::Person,
                });
            }
        }
    }
}

/// The leftmost occurrence of `needle` in `hay` (what `memmem::find` returns), without
/// building a searcher: the values searched for are found spans and name parts, one search
/// or two each in a short message, where building the searcher cost more than the search.
fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, n) = (needle.first()?, needle.len());
    if hay.len() < n {
        return None;
    }
    let last_start = hay.len() - n;
    let mut i = 0;
    while let Some(k) = memchr::memchr(first, &hay[i..=last_start]) {
        let p = i + k;
        if &hay[p..p + n] == needle {
            return Some(p);
        }
        if p == last_start {
            return None;
        }
        i = p + 1;
    }
    None
}

/// Keep the best non-overlapping candidates: priority, then length, then position.
fn resolve(mut c: Vec<Cand>) -> Vec<PiiSpan> {
    c.retain(|x| x.end > x.start);
    c.sort_by(|a, b| {
        b.prio
            .cmp(&a.prio)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
            .then(a.kind.cmp(&b.kind))
    });
    let mut taken: Vec<PiiSpan> = Vec::with_capacity(c.len());
    for x in c {
        if taken.iter().all(|t| x.end <= t.start || t.end <= x.start) {
            taken.push(PiiSpan {
                start: x.start,
                end: x.end,
                kind: x.kind,
            });
        }
    }
    taken.sort_by_key(|s| s.start);
    taken
}

/// Normalised value for placeholder numbering: case-folded, separators dropped.
fn norm_value(kind: PiiKind, v: &str) -> String {
    match kind {
        PiiKind::Person | PiiKind::StreetAddress | PiiKind::Url | PiiKind::Email => v
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
        _ => v
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect(),
    }
}

/// Build the redacted text from sorted, non-overlapping spans.
fn replace_spans(text: &str, spans: &[PiiSpan]) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * 8);
    let mut seen: HashMap<(PiiKind, String), usize> = HashMap::new();
    let mut counters: HashMap<PiiKind, usize> = HashMap::new();
    let mut pos = 0;
    for sp in spans {
        if sp.start < pos
            || sp.end > text.len()
            || !text.is_char_boundary(sp.start)
            || !text.is_char_boundary(sp.end)
        {
            continue;
        }
        out.push_str(&text[pos..sp.start]);
        let key = (sp.kind, norm_value(sp.kind, &text[sp.start..sp.end]));
        let n = match seen.get(&key) {
            Some(&n) => n,
            None => {
                let c = counters.entry(sp.kind).or_insert(0);
                *c += 1;
                seen.insert(key, *c);
                *c
            }
        };
        out.push('[');
        out.push_str(sp.kind.placeholder_tag());
        out.push('_');
        out.push_str(&n.to_string());
        out.push(']');
        pos = sp.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Convert byte-offset spans to Unicode code-point offsets (what Python, JavaScript
/// tools and the label schema use). Works for spans in any order; offsets that do not
/// fall on a character boundary are counted up to the character they are in.
pub fn char_offsets(text: &str, spans: &[PiiSpan]) -> Vec<(usize, usize, PiiKind)> {
    let b = text.as_bytes();
    let mut points: Vec<usize> = spans.iter().flat_map(|s| [s.start, s.end]).collect();
    points.sort_unstable();
    points.dedup();
    let mut map: Vec<(usize, usize)> = Vec::with_capacity(points.len());
    let mut byte = 0usize;
    let mut chars = 0usize;
    for p in points {
        let p = p.min(b.len());
        while byte < p {
            if b[byte] & 0xC0 != 0x80 {
                chars += 1;
            }
            byte += 1;
        }
        map.push((p, chars));
    }
    let lookup = |off: usize| {
        let off = off.min(b.len());
        map.binary_search_by_key(&off, |&(p, _)| p)
            .map_or(0, |i| map[i].1)
    };
    spans
        .iter()
        .map(|s| (lookup(s.start), lookup(s.end), s.kind))
        .collect()
}
