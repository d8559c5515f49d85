//! French social security numbers (NIR, "numéro de sécurité sociale"): fifteen
//! characters — sex, year, month, département (two digits, or 2A/2B for Corsica),
//! commune, order number and a two-digit key — often written in groups
//! (`2 95 10 99 126 111 93`). The key is 97 − (the first thirteen digits mod 97), with
//! 2A read as 19 and 2B as 18. Fifteen digits with a mod-97 key need no cue word.

use crate::redact::recognizer::{compact, standalone, Facts, Found, Recognizer};
use crate::redact::PiiKind;
use regex::Regex;
use std::sync::LazyLock;

/// Where a match can start and end (also run for all recognizers at once as a set).
const SHAPE_RE: &str =
    r"(?i-u)\b\d[ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[ab])[ .]?\d{3}[ .]?\d{3}[ .]?\d{2}\b";

static SHAPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(SHAPE_RE).expect("static regex"));

/// Whether a compact, upper-case fifteen-character NIR has the right key.
pub fn valid(n: &str) -> bool {
    if n.len() != 15 || !n.is_ascii() {
        return false;
    }
    let dept = &n[5..7];
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok(&n[..5]) || !digits_ok(&n[7..]) {
        return false;
    }
    let dept = match dept {
        "2A" => "19",
        "2B" => "18",
        d if digits_ok(d) => d,
        _ => return false,
    };
    let body = format!("{}{}{}", &n[..5], dept, &n[7..13]);
    let (Ok(body), Ok(key)) = (body.parse::<u64>(), n[13..].parse::<u64>()) else {
        return false;
    };
    97 - body % 97 == key
}

/// The recognizer.
pub struct FrNir;

impl Recognizer for FrNir {
    fn name(&self) -> &'static str {
        "fr_nir"
    }
    fn kind(&self) -> PiiKind {
        PiiKind::NationalId
    }
    fn locales(&self) -> &'static [&'static str] {
        &["fr", "en"]
    }
    fn shape(&self) -> String {
        SHAPE_RE.to_string()
    }
    fn may_match(&self, f: &Facts) -> bool {
        f.digit_group >= 6
    }
    fn find(&self, text: &str, out: &mut Vec<Found>) {
        for m in SHAPE.find_iter(text) {
            if standalone(text, m.start(), m.end()) && valid(&compact(m.as_str())) {
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
        FrNir.find(t, &mut v);
        v.iter().map(|f| &t[f.start..f.end]).collect()
    }

    #[test]
    fn grouped_plain_and_corsica() {
        assert_eq!(
            found("n° 2 95 10 99 126 111 93."),
            vec!["2 95 10 99 126 111 93"]
        );
        assert_eq!(found("295109912611193"), vec!["295109912611193"]);
        assert!(found("2 95 10 99 126 111 94").is_empty());
        // Corsica: 2A counts as 19 in the key
        let body: u64 = "1850519006084".parse().unwrap();
        let nir = format!("185052A006084{:02}", 97 - body % 97);
        assert!(valid(&nir), "{nir}");
    }
}
