//! UK National Insurance numbers: two prefix letters, six digits, a suffix A–D
//! (`QQ 12 34 56 C`, spaced in pairs or not). The prefix rules are the check: neither
//! letter D, F, I, Q, U or V, the second not O, and not BG, GB, KN, NK, NT, TN or ZZ.
//! Upper case: found alone; lower case: only after a cue word.

use crate::redact::recognizer::{compact, cue_before, standalone, Facts, Found, Recognizer};
use crate::redact::PiiKind;
use regex::Regex;
use std::sync::LazyLock;

/// Where a match can start and end (also run for all recognizers at once as a set).
const SHAPE_RE: &str = r"(?i-u)\b[a-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[a-d]\b";

static SHAPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(SHAPE_RE).expect("static regex"));

/// Words that say a National Insurance number follows.
pub const CUES: &[&str] = &[
    "national insurance",
    "nino",
    "ni number",
    "ni no",
    "n.i. number",
];

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

/// The recognizer.
pub struct GbNino;

impl Recognizer for GbNino {
    fn name(&self) -> &'static str {
        "gb_nino"
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
        f.digit_group >= 6
    }
    fn find(&self, text: &str, out: &mut Vec<Found>) {
        for m in SHAPE.find_iter(text) {
            if !standalone(text, m.start(), m.end()) || !valid(&compact(m.as_str())) {
                continue;
            }
            let upper = !m.as_str().bytes().any(|b| b.is_ascii_lowercase());
            let cue = cue_before(text, m.start(), CUES, 40);
            if !upper && !cue {
                continue;
            }
            out.push(Found {
                start: m.start(),
                end: m.end(),
                score: if cue { 0.9 } else { 0.85 },
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<&str> {
        let mut v = Vec::new();
        GbNino.find(t, &mut v);
        v.iter().map(|f| &t[f.start..f.end]).collect()
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
