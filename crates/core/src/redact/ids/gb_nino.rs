//! UK National Insurance numbers: two prefix letters, six digits, a suffix A–D
//! (`QQ 12 34 56 C`, spaced in pairs or not). The prefix rules are the check: neither
//! letter D, F, I, Q, U or V, the second not O, and not BG, GB, KN, NK, NT, TN or ZZ.
//! Upper case: found alone; lower case: only after a cue word.

use crate::redact::recognizer::{compact, PatternRecognizer};
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "gb_nino",
    PiiKind::NationalId,
    &["en"],
    r"(?i-u)\b[a-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[a-d]\b",
    &[
        "national insurance",
        "nino",
        "ni number",
        "ni no",
        "n.i. number",
    ],
    |f| f.digit_group >= 6,
    |m, cue| {
        let upper = !m.bytes().any(|b| b.is_ascii_lowercase());
        match (valid(&compact(m)), upper) {
            (false, _) => None,
            (true, true) => Some(if cue() { 0.9 } else { 0.85 }),
            (true, false) => cue().then_some(0.9),
        }
    },
);

/// Whether a compact, upper-case string is a valid NINO.
pub fn valid(n: &str) -> bool {
    let b = n.as_bytes();
    if b.len() != 9
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..8].iter().all(u8::is_ascii_digit)
        || !matches!(b[8], b'A'..=b'D')
    {
        return false;
    }
    let bad = |c: u8| matches!(c, b'D' | b'F' | b'I' | b'Q' | b'U' | b'V');
    !bad(b[0])
        && !bad(b[1])
        && b[1] != b'O'
        && !matches!(&n[..2], "BG" | "GB" | "KN" | "NK" | "NT" | "TN" | "ZZ")
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn formats_and_prefix_rules() {
        assert_eq!(found("NI: AB 12 34 56 C."), vec!["AB 12 34 56 C"]);
        assert_eq!(found("it's JG103759A"), vec!["JG103759A"]);
        assert_eq!(found("my nino is jg103759a"), vec!["jg103759a"]);
        assert!(found("ref jg103759a").is_empty());
        for bad in [
            "DA123456A",
            "AO123456A",
            "GB123456A",
            "AB123456E",
            "QQ123456C",
        ] {
            assert!(found(bad).is_empty(), "{bad}");
        }
    }
}
