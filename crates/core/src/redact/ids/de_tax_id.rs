//! German tax identification numbers (Steuer-IdNr): eleven digits, no leading zero, one
//! digit repeated two or three times among the first ten and the rest distinct, and an
//! ISO 7064 Mod 11,10 check digit. Eleven digits also make phone numbers, so a cue word
//! must come first.

use crate::redact::recognizer::{compact, cue_before, standalone, Facts, Found, Recognizer};
use crate::redact::PiiKind;
use regex::Regex;
use std::sync::LazyLock;

/// Where a match can start and end (also run for all recognizers at once as a set).
const SHAPE_RE: &str = r"(?-u)\b\d{2} ?\d{3} ?\d{3} ?\d{3}\b";

static SHAPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(SHAPE_RE).expect("static regex"));

/// Words that say a tax id follows.
pub const CUES: &[&str] = &[
    "steuer-id",
    "steuerid",
    "steuer id",
    "steuer-idnr",
    "steueridentifikationsnummer",
    "identifikationsnummer",
    "idnr",
    "tax id",
    "tax identification number",
    "tin",
];

/// Whether eleven digits form a valid Steuer-IdNr.
pub fn valid(n: &str) -> bool {
    let b = n.as_bytes();
    if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) || b[0] == b'0' {
        return false;
    }
    let mut count = [0u8; 10];
    for &d in &b[..10] {
        count[usize::from(d - b'0')] += 1;
    }
    let repeated: Vec<u8> = count.iter().copied().filter(|&c| c > 1).collect();
    if repeated.len() != 1 || !matches!(repeated[0], 2 | 3) {
        return false;
    }
    // ISO 7064 Mod 11,10 over all eleven digits: valid when the result is 1.
    let mut check = 5u32;
    for &d in b {
        let c = if check == 0 { 10 } else { check };
        check = ((c * 2) % 11 + u32::from(d - b'0')) % 10;
    }
    check == 1
}

/// The recognizer.
pub struct DeTaxId;

impl Recognizer for DeTaxId {
    fn name(&self) -> &'static str {
        "de_tax_id"
    }
    fn kind(&self) -> PiiKind {
        PiiKind::NationalId
    }
    fn locales(&self) -> &'static [&'static str] {
        &["de", "en"]
    }
    fn shape(&self) -> String {
        SHAPE_RE.to_string()
    }
    fn may_match(&self, f: &Facts) -> bool {
        f.digit_group >= 11
    }
    fn find(&self, text: &str, out: &mut Vec<Found>) {
        for m in SHAPE.find_iter(text) {
            if standalone(text, m.start(), m.end())
                && valid(&compact(m.as_str()))
                && cue_before(text, m.start(), CUES, 40)
            {
                out.push(Found {
                    start: m.start(),
                    end: m.end(),
                    score: 0.9,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<&str> {
        let mut v = Vec::new();
        DeTaxId.find(t, &mut v);
        v.iter().map(|f| &t[f.start..f.end]).collect()
    }

    #[test]
    fn check_digit_repeat_rule_and_cue() {
        assert_eq!(found("Steuer-ID: 36 574 261 809"), vec!["36 574 261 809"]);
        assert!(found("Steuer-ID: 36 574 261 808").is_empty());
        assert!(found("Tel. 36574261809").is_empty());
        assert!(!valid("01234567890"));
    }
}
