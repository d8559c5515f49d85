//! Italian tax codes (codice fiscale): sixteen characters — three letters of the surname,
//! three of the given name, year, month letter, day (plus 40 for women), place code and a
//! check letter; digits may be replaced by letters (omocodia). The check letter is the
//! sum of the odd-position values (a fixed table) and the even-position values (0–25),
//! mod 26. The shape is so specific that no cue word is needed.

use crate::redact::recognizer::{standalone, Facts, Found, Recognizer};
use crate::redact::PiiKind;
use regex::Regex;
use std::sync::LazyLock;

/// Where a match can start and end (also run for all recognizers at once as a set).
const SHAPE_RE: &str = r"(?i-u)\b[a-z]{6}[0-9lmnpqrstuv]{2}[abcdehlmprst][0-9lmnpqrstuv]{2}[a-z][0-9lmnpqrstuv]{3}[a-z]\b";

static SHAPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(SHAPE_RE).expect("static regex"));

/// Values of characters in odd positions (1st, 3rd, …), for 0–9 then A–Z.
const ODD_DIGITS: [u32; 10] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
const ODD_LETTERS: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// Whether a sixteen-character, upper-case code has the right check letter.
pub fn valid(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 16 || !b.iter().all(u8::is_ascii_alphanumeric) || !b[15].is_ascii_uppercase() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &c) in b[..15].iter().enumerate() {
        let (digit, letter) = if c.is_ascii_digit() {
            (Some(usize::from(c - b'0')), None)
        } else if c.is_ascii_uppercase() {
            (None, Some(usize::from(c - b'A')))
        } else {
            return false;
        };
        sum += if i % 2 == 0 {
            digit.map_or_else(|| ODD_LETTERS[letter.unwrap_or(0)], |d| ODD_DIGITS[d])
        } else {
            digit.or(letter).unwrap_or(0) as u32
        };
    }
    b[15] == b'A' + (sum % 26) as u8
}

/// The recognizer.
pub struct ItFiscalCode;

impl Recognizer for ItFiscalCode {
    fn name(&self) -> &'static str {
        "it_fiscal_code"
    }
    fn kind(&self) -> PiiKind {
        PiiKind::NationalId
    }
    fn locales(&self) -> &'static [&'static str] {
        &["it", "en"]
    }
    fn shape(&self) -> String {
        SHAPE_RE.to_string()
    }
    fn may_match(&self, f: &Facts) -> bool {
        f.letters_then_digit
    }
    fn find(&self, text: &str, out: &mut Vec<Found>) {
        for m in SHAPE.find_iter(text) {
            if standalone(text, m.start(), m.end()) && valid(&m.as_str().to_ascii_uppercase()) {
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
        ItFiscalCode.find(t, &mut v);
        v.iter().map(|f| &t[f.start..f.end]).collect()
    }

    #[test]
    fn check_letter_and_omocodia() {
        assert_eq!(
            found("CF: RSSMRA85T10A562S grazie"),
            vec!["RSSMRA85T10A562S"]
        );
        assert_eq!(found("rssmra85t10a562s"), vec!["rssmra85t10a562s"]);
        assert!(found("RSSMRA85T10A562T").is_empty());
    }
}
