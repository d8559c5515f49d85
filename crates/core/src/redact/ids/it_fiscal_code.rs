//! Italian tax codes (codice fiscale): sixteen characters — three letters of the surname,
//! three of the given name, year, month letter, day (plus 40 for women), place code and a
//! check letter; digits may be replaced by letters (omocodia). The check letter is the
//! sum of the odd-position values (a fixed table) and the even-position values (0–25),
//! mod 26. The shape is so specific that no cue word is needed.

use crate::redact::recognizer::PatternRecognizer;
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "it_fiscal_code",
    PiiKind::NationalId,
    &["it", "en"],
    r"(?i-u)\b[a-z]{6}[0-9lmnpqrstuv]{2}[abcdehlmprst][0-9lmnpqrstuv]{2}[a-z][0-9lmnpqrstuv]{3}[a-z]\b",
    &[],
    |f| f.letters_then_digit,
    |m, _| valid(&m.to_ascii_uppercase()).then_some(0.9),
);

/// Values of characters in odd positions (1st, 3rd, …), for 0–9 then A–Z.
const ODD_DIGITS: [u32; 10] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
const ODD_LETTERS: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// Whether a sixteen-character, upper-case code has the right check letter.
pub fn valid(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 16 || !b[15].is_ascii_uppercase() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &c) in b[..15].iter().enumerate() {
        let (odd, even) = match c {
            b'0'..=b'9' => (ODD_DIGITS[usize::from(c - b'0')], u32::from(c - b'0')),
            b'A'..=b'Z' => (ODD_LETTERS[usize::from(c - b'A')], u32::from(c - b'A')),
            _ => return false,
        };
        sum += if i % 2 == 0 { odd } else { even };
    }
    b[15] == b'A' + (sum % 26) as u8
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn check_letter_and_omocodia() {
        assert_eq!(
            found("CF: RSSMRA85T10A562S grazie"),
            vec!["RSSMRA85T10A562S"]
        );
        assert_eq!(found("rssmra85t10a562s"), vec!["rssmra85t10a562s"]);
        assert!(found("RSSMRA85T10A562T").is_empty());
    }
}
