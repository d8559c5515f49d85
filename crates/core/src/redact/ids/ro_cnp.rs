//! Romanian personal numeric codes (CNP, "cod numeric personal"): thirteen digits,
//! `SYYMMDDJJNNNC` — S is sex and century (1–2: 1900s, 3–4: 1800s, 5–6: 2000s, 7–8:
//! foreign residents, whose century the code does not say), then the birth date, the
//! county code JJ (01–48, 51, 52, 70, 80–83), a serial and a check digit: the first
//! twelve digits weighted 2 7 9 1 4 6 3 5 8 2 7 9, mod 11, with 10 written as 1.
//! Thirteen digits are also card and account numbers, so a cue word must come first.

use super::{digit_values, number, valid_date};
use crate::redact::recognizer::PatternRecognizer;
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "ro_cnp",
    PiiKind::NationalId,
    &["ro", "en"],
    r"(?-u)\b[1-8]\d{12}\b",
    &[
        "cnp",
        "cod numeric personal",
        "codul numeric personal",
        "personal numeric code",
        "national id",
        "national_id",
    ],
    |f| f.digit_group >= 13,
    |m, cue| (valid(m) && cue()).then_some(0.9),
);

/// Whether thirteen digits form a valid CNP: sex digit 1–8, a real birth date, a county
/// code in use and the check digit.
pub fn valid(n: &str) -> bool {
    let Some(d) = digit_values(n) else {
        return false;
    };
    if d.len() != 13 {
        return false;
    }
    let century = match d[0] {
        3 | 4 => 1800,
        5 | 6 => 2000,
        // 1–2, and 7–8 whose century is unknown: a date of the 1900s
        1 | 2 | 7 | 8 => 1900,
        _ => return false,
    };
    let county = number(&d[7..9]);
    if !valid_date(
        century + number(&d[1..3]),
        number(&d[3..5]),
        number(&d[5..7]),
    ) || !matches!(county, 1..=48 | 51 | 52 | 70 | 80..=83)
    {
        return false;
    }
    const WEIGHTS: [u32; 12] = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9];
    let check = match d.iter().zip(WEIGHTS).map(|(x, w)| x * w).sum::<u32>() % 11 {
        10 => 1,
        c => c,
    };
    d[12] == check
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn check_digit_date_county_and_cue() {
        assert_eq!(found("CNP: 1630615123457"), vec!["1630615123457"]);
        assert_eq!(
            found("codul numeric personal 1800101221144."),
            vec!["1800101221144"]
        );
        assert!(found("CNP: 1630615123458").is_empty(), "check digit");
        assert!(found("ref 1630615123457").is_empty(), "no cue");
        assert!(!super::valid("9630615123451"), "sex digit 9");
        assert!(!super::valid("1631315123457"), "month 13");
        assert!(!super::valid("1630615493451"), "county 49");
    }
}
