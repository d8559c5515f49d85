//! Finnish personal identity codes (henkilötunnus, HETU): `DDMMYYCZZZQ` — the birth
//! date, a century sign (`+` 1800s; `-` or `U`–`Y` 1900s; `A`–`F` 2000s), an individual
//! number 002–899 (900–999 are temporary codes) and a check character: the nine digits
//! `DDMMYYZZZ` as one number mod 31, indexing `0123456789ABCDEFHJKLMNPRSTUVWXY`. Date,
//! century sign and check character make the shape the code's own, so a valid one may
//! stand without a cue word.

use super::{digit_values, number, valid_date};
use crate::redact::recognizer::PatternRecognizer;
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "fi_hetu",
    PiiKind::NationalId,
    &["fi", "sv", "en"],
    r"(?-u)\b\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y]\b",
    &[
        "henkilötunnus",
        "henkilötunnukseni",
        "hetu",
        "sotu",
        "sosiaaliturvatunnus",
        "personbeteckning",
        "personal identity code",
        "finnish id",
        "national id",
        "national_id",
    ],
    |f| f.digits >= 9 && f.digit_group >= 6,
    |m, cue| valid(m).then(|| if cue() { 0.9 } else { 0.85 }),
);

/// The check characters, indexed by the nine digits mod 31.
const CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// Whether an eleven-character, upper-case code is a valid permanent HETU.
pub fn valid(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 11 || !code.is_ascii() {
        return false;
    }
    let century = match b[6] {
        b'+' => 1800,
        b'-' | b'U'..=b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return false,
    };
    let (Some(date), Some(individual)) = (digit_values(&code[..6]), digit_values(&code[7..10]))
    else {
        return false;
    };
    if !valid_date(
        century + number(&date[4..6]),
        number(&date[2..4]),
        number(&date[..2]),
    ) || !(2..900).contains(&number(&individual))
    {
        return false;
    }
    let nine = u64::from(number(&date)) * 1000 + u64::from(number(&individual));
    CHECK[(nine % 31) as usize] == b[10]
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn check_character_date_and_century() {
        assert_eq!(found("hetu 131052-308T."), vec!["131052-308T"]);
        assert_eq!(found("it is 131052A308T"), vec!["131052A308T"]);
        assert_eq!(found("(280264-051U)"), vec!["280264-051U"]);
        assert!(found("131052-308U").is_empty(), "check character");
        assert!(found("311152-308T").is_empty(), "31 November");
        assert!(found("010594Y9032").is_empty(), "temporary code");
        assert!(found("131052-001W").is_empty(), "individual 001");
        assert!(found("x131052-308T").is_empty());
        assert!(!super::valid("131052-30é"), "not ASCII");
    }
}
