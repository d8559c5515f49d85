//! Polish PESEL numbers: eleven digits, `YYMMDDZZZXQ` — the birth date with the century
//! folded into the month (+80 for the 1800s, +0 for the 1900s, +20, +40, +60 for the
//! 2000s, 2100s, 2200s), a serial, and a check digit Q that makes
//! 1·d1 + 3·d2 + 7·d3 + 9·d4 + 1·d5 + … + 3·d10 + Q ≡ 0 (mod 10). Eleven digits are also
//! phone and account numbers, and one in ten passes the check, so a cue word must come
//! first.

use super::{digit_values, number, valid_date};
use crate::redact::recognizer::PatternRecognizer;
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "pl_pesel",
    PiiKind::NationalId,
    &["pl", "en"],
    r"(?-u)\b\d{11}\b",
    &[
        "pesel",
        "numer ewidencyjny",
        "nr ewidencyjny",
        "national id",
        "national_id",
        "polish id",
    ],
    |f| f.digit_group >= 11,
    |m, cue| (valid(m) && cue()).then_some(0.9),
);

/// Whether eleven digits form a valid PESEL: a real birth date and the check digit.
pub fn valid(n: &str) -> bool {
    let Some(d) = digit_values(n) else {
        return false;
    };
    if d.len() != 11 {
        return false;
    }
    let month = number(&d[2..4]);
    let century = match month / 20 {
        0 => 1900,
        1 => 2000,
        2 => 2100,
        3 => 2200,
        4 => 1800,
        _ => return false,
    };
    if !valid_date(century + number(&d[..2]), month % 20, number(&d[4..6])) {
        return false;
    }
    const WEIGHTS: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = d.iter().zip(WEIGHTS).map(|(x, w)| x * w).sum();
    (sum + d[10]).is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn check_digit_date_and_cue() {
        assert_eq!(found("mój PESEL: 44051401359."), vec!["44051401359"]);
        assert_eq!(found("nr PESEL 02270803624"), vec!["02270803624"]);
        assert!(found("PESEL: 44051401358").is_empty(), "check digit");
        assert!(found("tel. 44051401359").is_empty(), "no cue");
        assert_eq!(
            found(r#"{"national_id": "44051401359"}"#),
            vec!["44051401359"]
        );
        assert!(super::valid("02270803624"), "2002-07-08: month + 20");
        assert!(!super::valid("44133001350"), "month 13");
        assert!(!super::valid("44023001356"), "30 February");
        assert!(!super::valid("4405140135"));
    }
}
