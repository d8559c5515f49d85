//! Dutch citizen service numbers (BSN): nine digits (eight with the leading zero
//! dropped), written plain or as `1234.56.782`, passing the "11-proef":
//! 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11). One random nine-digit number in eleven
//! passes, so a cue word must come first.

use crate::redact::recognizer::{compact, PatternRecognizer};
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "nl_bsn",
    PiiKind::NationalId,
    &["nl", "en"],
    r"(?-u)\b\d{3,4}[. ]?\d{2,3}[. ]?\d{3}\b",
    &[
        "bsn",
        "burgerservicenummer",
        "sofinummer",
        "sofi-nummer",
        "sofi nummer",
        "citizen service number",
    ],
    |f| f.digit_group >= 8,
    |m, cue| (valid(&compact(m)) && cue()).then_some(0.9),
);

/// Whether eight or nine digits pass the 11-proef (eight: a leading zero was dropped).
pub fn valid(digits: &str) -> bool {
    let d: Vec<i64> = digits
        .bytes()
        .map(|b| i64::from(b.wrapping_sub(b'0')))
        .collect();
    if !(8..=9).contains(&d.len()) || d.iter().any(|&x| x > 9) || d.iter().all(|&x| x == 0) {
        return false;
    }
    let d: Vec<i64> = std::iter::repeat_n(0, 9 - d.len()).chain(d).collect();
    let sum: i64 = (0..8).map(|i| d[i] * (9 - i as i64)).sum::<i64>() - d[8];
    sum % 11 == 0
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn eleven_test_after_a_cue() {
        assert_eq!(found("mijn BSN is 111222333"), vec!["111222333"]);
        assert_eq!(found("BSN: 1112.22.333"), vec!["1112.22.333"]);
        assert!(found("mijn BSN is 111222334").is_empty());
        assert!(found("order 111222333").is_empty());
        assert!(super::valid("12345672") && !super::valid("000000000"));
    }
}
