//! Spanish identity numbers: the DNI (eight digits and a letter) and the foreigner's NIE
//! (X, Y or Z, seven digits and a letter), with or without a dash or space before the
//! letter. The letter is the check: `TRWAGMYFPDXBNJZSQVHLCKE`[number mod 23], the NIE's
//! X/Y/Z read as 0/1/2. Upper case: found alone; lower case: only after a cue word.

use crate::redact::recognizer::{compact, cue_before, standalone, Facts, Found, Recognizer};
use crate::redact::PiiKind;
use regex::Regex;
use std::sync::LazyLock;

/// Where a match can start and end (also run for all recognizers at once as a set).
const SHAPE_RE: &str = r"(?i-u)\b(?:\d{8}|[xyz][- ]?\d{7})[- ]?[a-z]\b";

static SHAPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(SHAPE_RE).expect("static regex"));

const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Words that say a DNI or NIE follows.
pub const CUES: &[&str] = &[
    "dni",
    "nie",
    "nif",
    "documento nacional",
    "identidad",
    "id number",
];

/// Whether a compact, upper-case string is a valid DNI or NIE.
pub fn valid(n: &str) -> bool {
    let b = n.as_bytes();
    if b.len() != 9 || !b[8].is_ascii_uppercase() {
        return false;
    }
    let lead = match b[0] {
        b'X' => b'0',
        b'Y' => b'1',
        b'Z' => b'2',
        d if d.is_ascii_digit() => d,
        _ => return false,
    };
    let digits: Vec<u8> = std::iter::once(lead)
        .chain(b[1..8].iter().copied())
        .collect();
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = digits
        .iter()
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
    LETTERS[(num % 23) as usize] == b[8]
}

/// The recognizer.
pub struct EsNif;

impl Recognizer for EsNif {
    fn name(&self) -> &'static str {
        "es_nif"
    }
    fn kind(&self) -> PiiKind {
        PiiKind::NationalId
    }
    fn locales(&self) -> &'static [&'static str] {
        &["es", "en"]
    }
    fn shape(&self) -> String {
        SHAPE_RE.to_string()
    }
    fn may_match(&self, f: &Facts) -> bool {
        f.digit_group >= 7
    }
    fn find(&self, text: &str, out: &mut Vec<Found>) {
        for m in SHAPE.find_iter(text) {
            if !standalone(text, m.start(), m.end()) || !valid(&compact(m.as_str())) {
                continue;
            }
            let upper = !m.as_str().bytes().any(|b| b.is_ascii_lowercase());
            let cue = cue_before(text, m.start(), CUES, 40);
            if !upper && !cue {
                continue;
            }
            out.push(Found {
                start: m.start(),
                end: m.end(),
                score: if cue { 0.9 } else { 0.8 },
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<&str> {
        let mut v = Vec::new();
        EsNif.find(t, &mut v);
        v.iter().map(|f| &t[f.start..f.end]).collect()
    }

    #[test]
    fn dni_and_nie_letters() {
        assert_eq!(found("mi DNI es 12345678Z"), vec!["12345678Z"]);
        assert_eq!(found("NIE X-1234567-L."), vec!["X-1234567-L"]);
        assert_eq!(found("dni 12345678-z"), vec!["12345678-z"]);
        assert!(found("12345678A").is_empty());
        assert!(found("ref 12345678-z").is_empty());
        assert!(valid("Y1234567X") && valid("Z1234567R"));
    }
}
