//! The shape every newer detector takes (Presidio's recognizer, made offline and
//! deterministic): one recognizer per file with its patterns, its context (cue) words
//! and its validator, registered by name in [`builtin`] and switched on per language and
//! per deployment from [`super::RedactConfig`]. A new kind of identifier is one new file
//! in `ids/` and one line in [`builtin`]; nothing else changes.

use super::PiiKind;
use regex::Regex;
use std::sync::OnceLock;

/// Cheap facts about a text, computed once per text, so a recognizer can decline before
/// running any pattern.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// ASCII digits in the text.
    pub digits: usize,
    /// Whether any ASCII upper-case letter occurs.
    pub upper: bool,
    /// The most digits in one number: digit groups joined by single spaces, dashes or
    /// dots count as one ("536-90-4399" is 9). Most identifiers need 6 to 13.
    pub digit_group: usize,
    /// Whether six ASCII letters in a row are directly followed by a digit (the start of
    /// an Italian tax code).
    pub letters_then_digit: bool,
}

impl Facts {
    /// Count the facts of `text` (one pass over its bytes).
    pub fn of(text: &str) -> Facts {
        let mut f = Facts::default();
        let (mut group, mut letters) = (0usize, 0usize);
        let mut prev_sep = false;
        let b = text.as_bytes();
        let mut blocks = b.chunks_exact(16);
        for block in &mut blocks {
            let (digit, upper) = block.iter().fold((false, false), |(d, u), c| {
                (d | c.is_ascii_digit(), u | c.is_ascii_uppercase())
            });
            if digit {
                for &c in block {
                    f.step(c, &mut group, &mut letters, &mut prev_sep);
                }
                continue;
            }
            // No digit in 16 bytes: a number group ends by the second byte at the latest,
            // the digit facts stay, and what is left is the run of letters at the end.
            f.upper |= upper;
            let run = block
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            letters = if run == block.len() {
                letters + run
            } else {
                run
            };
            group = 0;
            prev_sep = false;
        }
        for &c in blocks.remainder() {
            f.step(c, &mut group, &mut letters, &mut prev_sep);
        }
        f
    }

    /// One byte of [`Facts::of`].
    #[inline]
    fn step(&mut self, c: u8, group: &mut usize, letters: &mut usize, prev_sep: &mut bool) {
        if c.is_ascii_digit() {
            self.digits += 1;
            *group += 1;
            self.digit_group = self.digit_group.max(*group);
            self.letters_then_digit |= *letters >= 6;
            *letters = 0;
            *prev_sep = false;
        } else if matches!(c, b' ' | b'-' | b'.') && *group > 0 && !*prev_sep {
            *prev_sep = true;
            *letters = 0;
        } else {
            *group = 0;
            *prev_sep = false;
            if c.is_ascii_alphabetic() {
                self.upper |= c.is_ascii_uppercase();
                *letters += 1;
            } else {
                *letters = 0;
            }
        }
    }
}

/// One match: byte offsets into the text and a score in [0, 1] — how sure the
/// recognizer is (a checksum and a cue word: about 0.9; a checksum alone: 0.7–0.85).
/// Where matches of different recognizers overlap, the higher score wins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// Start, inclusive, in bytes.
    pub start: usize,
    /// End, exclusive, in bytes.
    pub end: usize,
    /// Confidence in [0, 1].
    pub score: f32,
}

/// A detector of one kind of personal data.
pub trait Recognizer: Send + Sync {
    /// Stable name for configuration and reports, e.g. `us_ssn`.
    fn name(&self) -> &'static str;
    /// What it finds.
    fn kind(&self) -> PiiKind;
    /// Languages (ISO 639-1) of the texts it is meant for; a deployment that lists its
    /// languages in `RedactConfig::locales` runs only the recognizers of those.
    fn locales(&self) -> &'static [&'static str];
    /// A regular expression that matches wherever [`Recognizer::find`] could find
    /// something. The shapes of all recognizers run as one `RegexSet` pass over a text,
    /// and `find` runs only where its own shape matched.
    fn shape(&self) -> String;
    /// Whether [`Recognizer::find`] can match at all (e.g. "needs 9 digits").
    fn may_match(&self, facts: &Facts) -> bool;
    /// Push every match in `text`.
    fn find(&self, text: &str, out: &mut Vec<Found>);
    /// The cue words (lower-case ASCII) that name what it finds ("pesel", "steuer-id"),
    /// so a form field labelled with one is judged by this recognizer's check.
    fn cues(&self) -> &'static [&'static str] {
        &[]
    }
}

/// A recognizer made of data — what most identifiers need (Presidio's pattern
/// recognizer): a pattern for the shape, cue words, a cheap gate on the text's facts and a
/// judge that validates one match (check digit, issuing rules) and scores it. A match
/// must stand alone (no letter, digit or joining mark touching it).
pub struct PatternRecognizer {
    name: &'static str,
    kind: PiiKind,
    locales: &'static [&'static str],
    pattern: &'static str,
    cues: &'static [&'static str],
    gate: fn(&Facts) -> bool,
    judge: Judge,
    regex: OnceLock<Regex>,
}

/// Validate and score one match: the matched text, and a question "does a cue word stand
/// right before it?" (asked only when needed; it costs a look back). `None` drops it.
pub type Judge = fn(&str, &dyn Fn() -> bool) -> Option<f32>;

/// How far before a match a cue word may end, in bytes.
const CUE_REACH: usize = 40;

impl PatternRecognizer {
    /// A recognizer from its parts; the pattern is compiled on first use.
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        name: &'static str,
        kind: PiiKind,
        locales: &'static [&'static str],
        pattern: &'static str,
        cues: &'static [&'static str],
        gate: fn(&Facts) -> bool,
        judge: Judge,
    ) -> PatternRecognizer {
        PatternRecognizer {
            name,
            kind,
            locales,
            pattern,
            cues,
            gate,
            judge,
            regex: OnceLock::new(),
        }
    }
}

impl Recognizer for PatternRecognizer {
    fn name(&self) -> &'static str {
        self.name
    }
    fn kind(&self) -> PiiKind {
        self.kind
    }
    fn locales(&self) -> &'static [&'static str] {
        self.locales
    }
    fn shape(&self) -> String {
        self.pattern.to_string()
    }
    fn may_match(&self, facts: &Facts) -> bool {
        (self.gate)(facts)
    }
    fn cues(&self) -> &'static [&'static str] {
        self.cues
    }
    fn find(&self, text: &str, out: &mut Vec<Found>) {
        let re = self
            .regex
            .get_or_init(|| Regex::new(self.pattern).expect("static regex"));
        for m in re.find_iter(text) {
            if !standalone(text, m.start(), m.end()) {
                continue;
            }
            let cue = || cue_before(text, m.start(), self.cues, CUE_REACH);
            if let Some(score) = (self.judge)(m.as_str(), &cue) {
                out.push(Found {
                    start: m.start(),
                    end: m.end(),
                    score,
                });
            }
        }
    }
}

/// What `r` finds in `text`, as slices (for tests).
#[cfg(test)]
pub(crate) fn found_by<'t>(r: &dyn Recognizer, text: &'t str) -> Vec<&'t str> {
    let mut v = Vec::new();
    r.find(text, &mut v);
    v.iter().map(|f| &text[f.start..f.end]).collect()
}

/// The shapes of [`builtin`], in its order, as one set: one pass over a text says which
/// recognizers can match in it.
pub(crate) fn shapes() -> &'static regex::RegexSet {
    static SET: std::sync::LazyLock<regex::RegexSet> = std::sync::LazyLock::new(|| {
        regex::RegexSet::new(builtin().iter().map(|r| r.shape())).expect("static regex set")
    });
    &SET
}

/// Every built-in recognizer, in a fixed order.
pub fn builtin() -> &'static [&'static dyn Recognizer] {
    &BUILTIN
}

/// How many recognizers are built in (the redactor gathers a text's possible ones in an
/// array this long, without allocating).
pub(crate) const COUNT: usize = 16;

static BUILTIN: [&dyn Recognizer; COUNT] = [
    &super::ids::us_ssn::RECOGNIZER,
    &super::ids::gb_nino::RECOGNIZER,
    &super::ids::nl_bsn::RECOGNIZER,
    &super::ids::es_nif::RECOGNIZER,
    &super::ids::it_fiscal_code::RECOGNIZER,
    &super::ids::fr_nir::RECOGNIZER,
    &super::ids::de_tax_id::RECOGNIZER,
    &super::ids::pl_pesel::RECOGNIZER,
    &super::ids::se_personnummer::RECOGNIZER,
    &super::ids::fi_hetu::RECOGNIZER,
    &super::ids::tr_tckn::RECOGNIZER,
    &super::ids::ee_isikukood::RECOGNIZER,
    &super::ids::lt_asmens_kodas::RECOGNIZER,
    &super::ids::ro_cnp::RECOGNIZER,
    &super::ids::br_cpf::RECOGNIZER,
    &super::ids::travel_document::TravelDocument,
];

/// Whether the value `text[start..end]` of a form field labelled `label` has the shape of
/// an identifier the label names ("PESEL: …", "Steuer-ID: …") and yet no recognizer
/// accepts it: its check digit or date is wrong. A field rule then does not call it an
/// identifier, so what the validators refuse (they agree with python-stdnum,
/// `tests/system/tests/national_ids.rs`) is never called one by a label alone.
pub(crate) fn fails_named_scheme(text: &str, label: &str, start: usize, end: usize) -> bool {
    // a label of any national number ("National ID", "national_id") names no scheme: a
    // value one scheme's checksum rejects may be another's ("37800942518", a German tax id)
    let generic = label
        .trim()
        .trim_end_matches([':', '=', '|', '\t', ' '])
        .replace('_', " ")
        .to_lowercase();
    if matches!(
        generic.trim(),
        "national id" | "national id number" | "id number" | "identity number" | "id"
    ) {
        return false;
    }
    let value = &text[start..end];
    let mut named_shape = false;
    for r in builtin() {
        if r.kind() != PiiKind::NationalId || !cue_before(label, label.len(), r.cues(), label.len())
        {
            continue;
        }
        let mut found = Vec::new();
        r.find(text, &mut found);
        if found.iter().any(|f| f.start <= start && end <= f.end) {
            return false;
        }
        let whole = Regex::new(&format!("^(?:{})$", r.shape()));
        if whole.is_ok_and(|re| re.is_match(value)) {
            named_shape = true;
        }
    }
    named_shape
}

/// Whether one of `cues` (lower-case ASCII) ends within `window` bytes before `start`,
/// compared case-insensitively: "SSN: 078-…", "my BSN is 1112…".
pub(crate) fn cue_before(text: &str, start: usize, cues: &[&str], window: usize) -> bool {
    let mut from = start.saturating_sub(window);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = text[from..start].to_ascii_lowercase();
    cues.iter().any(|c| {
        before.match_indices(c).any(|(i, _)| {
            // whole words only: "ssn" but not "lessness"
            let left = before[..i].chars().next_back();
            !left.is_some_and(char::is_alphanumeric)
        })
    })
}

/// Whether the bytes around `start..end` leave the match standing alone: no letter,
/// digit or joining punctuation directly before or after (so "x123-45-6789" and
/// "123-45-6789-0" are not matches).
pub(crate) fn standalone(text: &str, start: usize, end: usize) -> bool {
    let before_ok = !text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '@'));
    let after_ok = match text[end..].chars().next() {
        None => true,
        Some(c) if c.is_alphanumeric() || matches!(c, '_' | '/' | '@') => false,
        // a dash ends a sentence clause unless it joins more of the same token
        Some('-') => !text[end + 1..].starts_with(|d: char| d.is_ascii_alphanumeric()),
        Some(_) => true,
    };
    before_ok && after_ok
}

/// The ASCII digits and letters of `s`, upper-cased, separators dropped.
pub(crate) fn compact(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`Facts::of`] as it was, byte by byte.
    fn facts_reference(text: &str) -> Facts {
        let mut f = Facts::default();
        let (mut group, mut letters, mut prev_sep) = (0usize, 0usize, false);
        for &c in text.as_bytes() {
            f.step(c, &mut group, &mut letters, &mut prev_sep);
        }
        f
    }

    #[test]
    fn facts_skip_blocks_without_digits_exactly() {
        let parts = [
            "a",
            "Z",
            "abcdef",
            "ABCDEFGHIJKLMNOPQR",
            "1",
            "23",
            "4567",
            " ",
            "-",
            ".",
            "--",
            ". ",
            "é",
            "/",
            "x1",
            "\n",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for n in 0..30_000 {
            let mut t = String::new();
            for _ in 0..1 + n % 40 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                t.push_str(parts[(seed % parts.len() as u64) as usize]);
            }
            assert_eq!(Facts::of(&t), facts_reference(&t), "{t:?}");
        }
    }

    #[test]
    fn facts_count_numbers_across_single_separators() {
        let f = Facts::of("SSN 536-90-4399, call 0 7946  0958");
        assert_eq!((f.digits, f.digit_group, f.upper), (18, 9, true));
        assert!(Facts::of("cf RSSMRA85T10A562S").letters_then_digit);
        assert!(!Facts::of("my card 4111").letters_then_digit);
        assert_eq!(Facts::of("12.34").digit_group, 4);
        assert_eq!(Facts::of("12. 34").digit_group, 2);
    }

    #[test]
    fn cues_are_whole_words_before_the_match() {
        let t = "My SSN: 078";
        assert!(cue_before(t, 8, &["ssn"], 20));
        assert!(!cue_before("carelessness 078", 13, &["ssn"], 20));
        assert!(!cue_before(t, 3, &["ssn"], 20));
    }

    #[test]
    fn standalone_matches_only() {
        assert!(standalone("id 123-45-6789.", 3, 14));
        assert!(!standalone("x123-45-6789", 1, 12));
        assert!(!standalone("123-45-6789-0", 0, 11));
        assert!(standalone("(123-45-6789)", 1, 12));
    }

    #[test]
    fn every_builtin_has_a_unique_name_and_a_locale() {
        let mut names: Vec<&str> = builtin().iter().map(|r| r.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), builtin().len());
        assert!(builtin().iter().all(|r| !r.locales().is_empty()));
    }
}
