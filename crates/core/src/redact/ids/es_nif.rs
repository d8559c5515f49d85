//! Spanish identity numbers: the DNI (eight digits and a letter) and the foreigner's NIE
//! (X, Y or Z, seven digits and a letter), with or without a dash or space before the
//! letter. The letter is the check: `TRWAGMYFPDXBNJZSQVHLCKE`[number mod 23], the NIE's
//! X/Y/Z read as 0/1/2. Upper case: found alone; lower case: only after a cue word.

use crate::redact::recognizer::{compact, PatternRecognizer};
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "es_nif",
    PiiKind::NationalId,
    &["es", "en"],
    r"(?i-u)\b(?:\d{8}|[xyz][- ]?\d{7})[- ]?[a-z]\b",
    &[
        "dni",
        "nie",
        "nif",
        "documento nacional",
        "identidad",
        "id number",
    ],
    |f| f.digit_group >= 7,
    |m, cue| {
        let upper = !m.bytes().any(|b| b.is_ascii_lowercase());
        match (valid(&compact(m)), upper) {
            (false, _) => None,
            (true, true) => Some(if cue() { 0.9 } else { 0.8 }),
            (true, false) => cue().then_some(0.9),
        }
    },
);

const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Whether a compact, upper-case string is a valid DNI or NIE.
pub fn valid(n: &str) -> bool {
    let b = n.as_bytes();
    if b.len() != 9 || !b[8].is_ascii_uppercase() {
        return false;
    }
    let lead = match b[0] {
        b'X' => b'0',
        b'Y' => b'1',
        b'Z' => b'2',
        d if d.is_ascii_digit() => d,
        _ => return false,
    };
    let digits: Vec<u8> = std::iter::once(lead)
        .chain(b[1..8].iter().copied())
        .collect();
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = digits
        .iter()
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
    LETTERS[(num % 23) as usize] == b[8]
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn dni_and_nie_letters() {
        assert_eq!(found("mi DNI es 12345678Z"), vec!["12345678Z"]);
        assert_eq!(found("NIE X-1234567-L."), vec!["X-1234567-L"]);
        assert_eq!(found("dni 12345678-z"), vec!["12345678-z"]);
        assert!(found("12345678A").is_empty());
        assert!(found("ref 12345678-z").is_empty());
        assert!(super::valid("Y1234567X") && super::valid("Z1234567R"));
    }
}
