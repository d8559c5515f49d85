//! Lithuanian personal codes (asmens kodas): eleven digits in the Estonian layout —
//! sex and century digit 1–6, birth date `YYMMDD`, a serial and the same two-stage mod-11
//! check digit (`ee_isikukood.rs` holds the rule). Eleven digits are also phone numbers,
//! so a cue word must come first.

use crate::redact::recognizer::PatternRecognizer;
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "lt_asmens_kodas",
    PiiKind::NationalId,
    &["lt", "en"],
    r"(?-u)\b[1-6]\d{10}\b",
    &[
        "asmens kod",
        "personal code",
        "personal identification code",
        "lithuanian id",
        "national id",
        "national_id",
    ],
    |f| f.digit_group >= 11,
    |m, cue| (valid(m) && cue()).then_some(0.9),
);

/// Whether eleven digits form a valid asmens kodas (the Estonian rule).
pub fn valid(n: &str) -> bool {
    super::ee_isikukood::valid(n)
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn check_digit_and_cue() {
        assert_eq!(found("asmens kodas: 33309240064"), vec!["33309240064"]);
        assert_eq!(found("Asmens kodo nr. 33309240064"), vec!["33309240064"]);
        assert!(found("asmens kodas 33309240065").is_empty(), "check digit");
        assert!(found("tel. 33309240064").is_empty(), "no cue");
    }
}
