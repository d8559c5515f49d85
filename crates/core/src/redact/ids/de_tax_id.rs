//! German tax identification numbers (Steuer-IdNr): eleven digits, no leading zero, one
//! digit repeated two or three times among the first ten and the rest distinct, and an
//! ISO 7064 Mod 11,10 check digit. Eleven digits also make phone numbers, so a cue word
//! must come first.

use crate::redact::recognizer::{compact, PatternRecognizer};
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "de_tax_id",
    PiiKind::NationalId,
    &["de", "en"],
    r"(?-u)\b\d{2} ?\d{3} ?\d{3} ?\d{3}\b",
    &[
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
    ],
    |f| f.digit_group >= 11,
    |m, cue| (valid(&compact(m)) && cue()).then_some(0.9),
);

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

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn check_digit_repeat_rule_and_cue() {
        assert_eq!(found("Steuer-ID: 36 574 261 809"), vec!["36 574 261 809"]);
        assert!(found("Steuer-ID: 36 574 261 808").is_empty());
        assert!(found("Tel. 36574261809").is_empty());
        assert!(!super::valid("01234567890"));
    }
}
