//! Swedish personal identity numbers (personnummer): the birth date `YYMMDD` or
//! `YYYYMMDD`, a dash (a plus from the year the holder turns 100), three serial digits
//! and a Luhn check digit over the ten digits `YYMMDDNNNC`. Coordination numbers
//! (samordningsnummer) add 60 to the day. The dashed form with a real date and a valid
//! Luhn digit is the number's own shape and may stand alone; plain digits are also phone
//! and account numbers, and a day of 61–91 also fits a Finnish HETU with a mistyped check
//! character (`DDMMYY-NNNN`), so those need a cue word.

use super::{digit_values, number, valid_date};
use crate::redact::recognizer::PatternRecognizer;
use crate::redact::validate::luhn;
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "se_personnummer",
    PiiKind::NationalId,
    &["sv", "en"],
    r"(?-u)\b(?:\d{2})?\d{6}[-+]?\d{4}\b",
    &[
        "personnummer",
        "personnr",
        "pers.nr",
        "pnr",
        "samordningsnummer",
        "personal identity number",
        "swedish id",
        "national id",
        "national_id",
    ],
    |f| f.digits >= 10 && f.digit_group >= 6,
    |m, cue| {
        if !valid(m) {
            return None;
        }
        match (m.contains(['-', '+']) && !coordination(m), cue()) {
            (_, true) => Some(0.9),
            (true, false) => Some(0.8),
            (false, false) => None,
        }
    },
);

/// Whether a personnummer or samordningsnummer as written — ten or twelve digits, with a
/// dash, a plus or no sign before the last four — is valid: a real birth date and the
/// Luhn digit.
pub fn valid(written: &str) -> bool {
    let b = written.as_bytes();
    let sign = b.len().checked_sub(5).map(|i| b[i]);
    let (digits, plus) = match (b.len(), sign) {
        (11 | 13, Some(s @ (b'-' | b'+'))) => {
            let cut = b.len() - 5;
            ([&b[..cut], &b[cut + 1..]].concat(), s == b'+')
        }
        (10 | 12, _) => (b.to_vec(), false),
        _ => return false,
    };
    let Some(d) = digit_values(&digits) else {
        return false;
    };
    let year = match d.len() {
        12 => {
            let year = number(&d[..4]);
            if !(1800..2100).contains(&year) {
                return false;
            }
            year
        }
        // The century of a two-digit year is the one before today's (or the one before
        // that, with a plus); only whether the year is a leap year matters here, and for
        // every year but 00 that is the same in any century: 00 with a plus is 1900
        // (not a leap year), without it 2000 (a leap year).
        10 => number(&d[..2]) + if plus { 1900 } else { 2000 },
        _ => return false,
    };
    let ten = &d[d.len() - 10..];
    let day = match number(&ten[4..6]) {
        coordination @ 61..=91 => coordination - 60,
        day => day,
    };
    valid_date(year, number(&ten[2..4]), day) && luhn(&digits[digits.len() - 10..])
}

/// Whether a written number that [`valid`] accepts is a samordningsnummer (day 61–91):
/// its day field is the two digits before the last four and a sign.
fn coordination(written: &str) -> bool {
    let b = written.as_bytes();
    b.len() >= 7 && matches!(&b[b.len() - 7..b.len() - 5], [b'6'..=b'9', _])
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn dashed_alone_plain_after_a_cue() {
        assert_eq!(found("det är 880320-0016."), vec!["880320-0016"]);
        assert_eq!(found("född 19880320-0016"), vec!["19880320-0016"]);
        assert_eq!(found("personnummer 8803200016"), vec!["8803200016"]);
        assert_eq!(found("Personnummer: 198803200016"), vec!["198803200016"]);
        assert!(found("tel 8803200016").is_empty(), "plain needs a cue");
        assert!(found("880320-0017").is_empty(), "Luhn");
        assert!(found("881320-0014").is_empty(), "month 13");
    }

    #[test]
    fn plus_coordination_numbers_and_leap_days() {
        assert_eq!(found("121212+1212"), vec!["121212+1212"]);
        assert!(
            super::valid("7010632391"),
            "samordningsnummer: day 63 is the 3rd"
        );
        assert!(
            found("701063-2391").is_empty(),
            "a samordningsnummer needs a cue"
        );
        assert_eq!(found("samordningsnummer 701063-2391"), vec!["701063-2391"]);
        assert!(super::valid("0002290005"), "2000-02-29");
        assert!(super::valid("000229-0005") && super::valid("20000229-0005"));
        assert!(!super::valid("000229+0005"), "with a plus: 1900-02-29");
        assert!(!super::valid("0102290004"), "2001-02-29");
    }
}
