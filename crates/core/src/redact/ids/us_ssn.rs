//! US Social Security numbers: `AAA-GG-SSSS` (dashes or spaces, one kind), or nine
//! digits after a cue word. No check digit exists, so the issuing rules stand in: area
//! not 000, 666 or 900–999, group not 00, serial not 0000, and not one of the numbers
//! published in advertising. Dashed: found alone; spaced or plain: only after a cue.

use crate::redact::recognizer::{compact, cue_before, standalone, Facts, Found, Recognizer};
use crate::redact::PiiKind;
use regex::Regex;
use std::sync::LazyLock;

/// Where a match can start and end (also run for all recognizers at once as a set).
const SHAPE_RE: &str = r"(?-u)\b\d{3}([- ]?)\d{2}([- ]?)\d{4}\b";

static SHAPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(SHAPE_RE).expect("static regex"));

/// Words that say an SSN follows.
pub const CUES: &[&str] = &[
    "ssn",
    "social security",
    "social-security",
    "ss#",
    "ss #",
    "ssa number",
];

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

/// The recognizer.
pub struct UsSsn;

impl Recognizer for UsSsn {
    fn name(&self) -> &'static str {
        "us_ssn"
    }
    fn kind(&self) -> PiiKind {
        PiiKind::NationalId
    }
    fn locales(&self) -> &'static [&'static str] {
        &["en"]
    }
    fn shape(&self) -> String {
        SHAPE_RE.to_string()
    }
    fn may_match(&self, f: &Facts) -> bool {
        f.digit_group >= 9
    }
    fn find(&self, text: &str, out: &mut Vec<Found>) {
        for c in SHAPE.captures_iter(text) {
            let (Some(m), Some(s1), Some(s2)) = (c.get(0), c.get(1), c.get(2)) else {
                continue;
            };
            if s1.as_str() != s2.as_str() || !standalone(text, m.start(), m.end()) {
                continue;
            }
            if !valid(&compact(m.as_str())) {
                continue;
            }
            let cue = cue_before(text, m.start(), CUES, 40);
            let score = match (s1.as_str(), cue) {
                (_, true) => 0.9,
                ("-", false) => 0.8,
                _ => continue,
            };
            out.push(Found {
                start: m.start(),
                end: m.end(),
                score,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<&str> {
        let mut v = Vec::new();
        UsSsn.find(t, &mut v);
        v.iter().map(|f| &t[f.start..f.end]).collect()
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
