//! French social security numbers (NIR, "numéro de sécurité sociale"): fifteen
//! characters — sex, year, month, département (two digits, or 2A/2B for Corsica),
//! commune, order number and a two-digit key — often written in groups
//! (`2 95 10 99 126 111 93`). The key is 97 − (the first thirteen digits mod 97), with
//! 2A read as 19 and 2B as 18. Fifteen digits with a mod-97 key need no cue word.

use crate::redact::recognizer::{compact, PatternRecognizer};
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "fr_nir",
    PiiKind::NationalId,
    &["fr", "en"],
    r"(?i-u)\b\d[ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[ab])[ .]?\d{3}[ .]?\d{3}[ .]?\d{2}\b",
    &[],
    |f| f.digit_group >= 6,
    |m, _| valid(&compact(m)).then_some(0.9),
);

/// Whether a compact, upper-case fifteen-character NIR has the right key.
pub fn valid(n: &str) -> bool {
    if n.len() != 15 || !n.is_ascii() {
        return false;
    }
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok(&n[..5]) || !digits_ok(&n[7..]) {
        return false;
    }
    let dept = match &n[5..7] {
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

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
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
        assert!(super::valid(&nir), "{nir}");
    }
}
