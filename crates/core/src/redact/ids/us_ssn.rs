//! US Social Security numbers: `AAA-GG-SSSS` (dashes or spaces, one kind), or nine
//! digits after a cue word. No check digit exists, so the issuing rules stand in: area
//! not 000, 666 or 900–999, group not 00, serial not 0000, and not one of the numbers
//! published in advertising. Dashed: found alone; spaced or plain: only after a cue.

use crate::redact::recognizer::{compact, PatternRecognizer};
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "us_ssn",
    PiiKind::NationalId,
    &["en"],
    r"(?-u)\b\d{3}[- ]?\d{2}[- ]?\d{4}\b",
    &[
        "ssn",
        "social security",
        "social-security",
        "ss#",
        "ss #",
        "ssa number",
    ],
    |f| f.digit_group >= 9,
    judge,
);

fn judge(m: &str, cue: &dyn Fn() -> bool) -> Option<f32> {
    let seps: Vec<u8> = m.bytes().filter(|b| !b.is_ascii_digit()).collect();
    if !valid(&compact(m)) || seps.windows(2).any(|w| w[0] != w[1]) {
        return None;
    }
    match (seps.first(), cue()) {
        (_, true) => Some(0.9),
        (Some(b'-'), false) if seps.len() == 2 => Some(0.8),
        _ => None,
    }
}

/// Whether nine digits could be an issued SSN.
pub fn valid(digits: &str) -> bool {
    if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| digits[r].parse::<u32>().unwrap_or(0);
    let (area, group, serial) = (num(0..3), num(3..5), num(5..9));
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !matches!(digits, "078051120" | "219099999" | "457555462")
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn dashed_alone_spaced_or_plain_after_a_cue() {
        assert_eq!(found("it is 536-90-4399, thanks"), vec!["536-90-4399"]);
        assert_eq!(found("SSN 536 90 4399"), vec!["536 90 4399"]);
        assert_eq!(
            found("my social security number is 536904399"),
            vec!["536904399"]
        );
        assert!(found("call 536 90 4399").is_empty());
        assert!(found("order 536904399").is_empty());
    }

    #[test]
    fn issuing_rules() {
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "912-12-3456",
            "123-00-4567",
            "123-45-0000",
            "078-05-1120",
        ] {
            assert!(found(bad).is_empty(), "{bad}");
        }
        assert!(found("536-90-439").is_empty());
        assert!(found("536-90 4399").is_empty(), "mixed separators");
    }
}
