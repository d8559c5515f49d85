//! Turkish identity numbers (T.C. Kimlik No): eleven digits, the first not 0, the tenth
//! ((d1 + d3 + d5 + d7 + d9)·7 − (d2 + d4 + d6 + d8)) mod 10 and the eleventh the sum of
//! the first ten mod 10. One random eleven-digit number in a hundred passes, and eleven
//! digits are also phone numbers, so a cue word must come first.

use super::digit_values;
use crate::redact::recognizer::PatternRecognizer;
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "tr_tckn",
    PiiKind::NationalId,
    &["tr", "en"],
    r"(?-u)\b[1-9]\d{10}\b",
    &[
        "kimlik",
        "tckn",
        "tc no",
        "t.c. no",
        "tc numarası",
        "t.c. numarası",
        "turkish id",
        "turkish identity",
        "identity number",
        "national id",
        "national_id",
    ],
    |f| f.digit_group >= 11,
    |m, cue| (valid(m) && cue()).then_some(0.9),
);

/// Whether eleven digits form a valid T.C. Kimlik No.
pub fn valid(n: &str) -> bool {
    let Some(d) = digit_values(n) else {
        return false;
    };
    if d.len() != 11 || d[0] == 0 {
        return false;
    }
    let odd: u32 = d[..9].iter().step_by(2).sum();
    let even: u32 = d[1..9].iter().step_by(2).sum();
    // 7·odd − even, kept non-negative: −even ≡ 9·even (mod 10)
    let tenth = (7 * odd + 9 * even) % 10;
    let eleventh = d[..10].iter().sum::<u32>() % 10;
    d[9] == tenth && d[10] == eleventh
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn both_check_digits_and_cue() {
        assert_eq!(found("T.C. Kimlik No: 10000000146"), vec!["10000000146"]);
        assert_eq!(found("TCKN 10000000078."), vec!["10000000078"]);
        assert!(found("T.C. Kimlik No: 10000000147").is_empty(), "eleventh");
        assert!(found("T.C. Kimlik No: 10000000156").is_empty(), "tenth");
        assert!(found("tel 10000000146").is_empty(), "no cue");
        assert!(!super::valid("00000000000"), "first digit 0");
    }
}
