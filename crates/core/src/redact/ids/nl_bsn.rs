//! Dutch citizen service numbers (BSN): nine digits (eight with the leading zero
//! dropped), written plain or as `1234.56.782`, passing the "11-proef":
//! 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11). One random nine-digit number in eleven
//! passes, so a cue word must come first.

use crate::redact::recognizer::{compact, cue_before, standalone, Facts, Found, Recognizer};
use crate::redact::PiiKind;
use regex::Regex;
use std::sync::LazyLock;

/// Where a match can start and end (also run for all recognizers at once as a set).
const SHAPE_RE: &str = r"(?-u)\b\d{3,4}[. ]?\d{2,3}[. ]?\d{3}\b";

static SHAPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(SHAPE_RE).expect("static regex"));

/// Words that say a BSN follows.
pub const CUES: &[&str] = &[
    "bsn",
    "burgerservicenummer",
    "sofinummer",
    "sofi-nummer",
    "sofi nummer",
    "citizen service number",
];

/// Whether eight or nine digits pass the 11-proef (eight: a leading zero was dropped).
pub fn valid(digits: &str) -> bool {
    let d: Vec<u32> = digits
        .bytes()
        .map(|b| u32::from(b.wrapping_sub(b'0')))
        .collect();
    if !(8..=9).contains(&d.len()) || d.iter().any(|&x| x > 9) {
        return false;
    }
    let d: Vec<u32> = if d.len() == 8 {
        std::iter::once(0).chain(d).collect()
    } else {
        d
    };
    if d.iter().all(|&x| x == 0) {
        return false;
    }
    let sum: i64 = (0..8)
        .map(|i| i64::from(d[i]) * (9 - i as i64))
        .sum::<i64>()
        - i64::from(d[8]);
    sum % 11 == 0
}

/// The recognizer.
pub struct NlBsn;

impl Recognizer for NlBsn {
    fn name(&self) -> &'static str {
        "nl_bsn"
    }
    fn kind(&self) -> PiiKind {
        PiiKind::NationalId
    }
    fn locales(&self) -> &'static [&'static str] {
        &["nl", "en"]
    }
    fn shape(&self) -> String {
        SHAPE_RE.to_string()
    }
    fn may_match(&self, f: &Facts) -> bool {
        f.digit_group >= 8
    }
    fn find(&self, text: &str, out: &mut Vec<Found>) {
        for m in SHAPE.find_iter(text) {
            let digits = compact(m.as_str());
            if standalone(text, m.start(), m.end())
                && valid(&digits)
                && cue_before(text, m.start(), CUES, 40)
            {
                out.push(Found {
                    start: m.start(),
                    end: m.end(),
                    score: 0.9,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<&str> {
        let mut v = Vec::new();
        NlBsn.find(t, &mut v);
        v.iter().map(|f| &t[f.start..f.end]).collect()
    }

    #[test]
    fn eleven_test_after_a_cue() {
        assert_eq!(found("mijn BSN is 111222333"), vec!["111222333"]);
        assert_eq!(found("BSN: 1112.22.333"), vec!["1112.22.333"]);
        assert!(found("mijn BSN is 111222334").is_empty());
        assert!(found("order 111222333").is_empty());
        assert!(valid("12345672") && !valid("000000000"));
    }
}
