//! Estonian personal identification codes (isikukood): eleven digits, `GYYMMDDSSSC` —
//! G is sex and century (1–2: 1800s, 3–4: 1900s, 5–6: 2000s), then the birth date, a
//! serial and a check digit. The check is a two-stage mod 11: weights 1 2 3 4 5 6 7 8 9 1
//! over the first ten digits; if that leaves 10, weights 3 4 5 6 7 8 9 1 2 3; if that
//! leaves 10 too, the digit is 0. Lithuania's asmens kodas follows the same rule
//! (`lt_asmens_kodas.rs`). Eleven digits are also phone numbers, so a cue word must come
//! first.

use super::{digit_values, number, valid_date};
use crate::redact::recognizer::PatternRecognizer;
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "ee_isikukood",
    PiiKind::NationalId,
    &["et", "en"],
    r"(?-u)\b[1-6]\d{10}\b",
    &[
        "isikukood",
        "personal code",
        "personal identification code",
        "estonian id",
        "national id",
        "national_id",
    ],
    |f| f.digit_group >= 11,
    |m, cue| (valid(m) && cue()).then_some(0.9),
);

/// Whether eleven digits form a valid Estonian (or Lithuanian) personal code: sex and
/// century digit 1–6, a real birth date, and the check digit.
pub fn valid(n: &str) -> bool {
    let Some(d) = digit_values(n) else {
        return false;
    };
    if d.len() != 11 {
        return false;
    }
    let century = match d[0] {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        _ => return false,
    };
    valid_date(
        century + number(&d[1..3]),
        number(&d[3..5]),
        number(&d[5..7]),
    ) && d[10] == check_digit(&d[..10])
}

/// The check digit of the first ten digits (see the module comment).
fn check_digit(d: &[u32]) -> u32 {
    let stage = |first: u32| -> u32 {
        let weight = |i: u32| (first - 1 + i) % 9 + 1;
        (0u32..).zip(d).map(|(i, &x)| weight(i) * x).sum::<u32>() % 11
    };
    match stage(1) {
        10 => stage(3) % 10,
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn check_digit_date_and_cue() {
        assert_eq!(found("Isikukood: 37605030299"), vec!["37605030299"]);
        assert_eq!(
            found("my personal code is 37605040708"),
            vec!["37605040708"]
        );
        assert!(found("isikukood 37605030298").is_empty(), "check digit");
        assert!(found("tel 37605030299").is_empty(), "no cue");
        assert!(super::valid("37605030064"), "second stage");
        assert!(super::valid("37605030920"), "both stages leave 10");
        assert!(!super::valid("77605030299"), "first digit 7");
        assert!(!super::valid("37613030293"), "month 13");
    }
}
