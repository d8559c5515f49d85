//! Brazilian individual taxpayer numbers (CPF, "Cadastro de Pessoas Físicas"): eleven
//! digits, written `000.000.000-00` or plain. The last two are mod-11 check digits:
//! weights 10…2 over the first nine, then 11…2 over the first ten, each
//! (11 − sum mod 11) with 10 and 11 written as 0. A number of one repeated digit passes
//! the check but is never issued. The formatted shape is the CPF's own, so it may stand
//! alone; plain eleven digits are also phone numbers and need a cue word.

use super::digit_values;
use crate::redact::recognizer::{compact, PatternRecognizer};
use crate::redact::PiiKind;

/// The recognizer.
pub static RECOGNIZER: PatternRecognizer = PatternRecognizer::new(
    "br_cpf",
    PiiKind::NationalId,
    &["pt", "en"],
    r"(?-u)\b(?:\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11})\b",
    &[
        "cpf",
        "cadastro de pessoa",
        "taxpayer id",
        "brazilian tax id",
        "national id",
        "national_id",
    ],
    |f| f.digit_group >= 11,
    |m, cue| {
        if !valid(&compact(m)) {
            return None;
        }
        match (m.contains('.'), cue()) {
            (_, true) => Some(0.9),
            (true, false) => Some(0.8),
            (false, false) => None,
        }
    },
);

/// Whether eleven digits form a valid CPF: both check digits right, not one digit
/// repeated.
pub fn valid(n: &str) -> bool {
    let Some(d) = digit_values(n) else {
        return false;
    };
    if d.len() != 11 || d.iter().all(|&x| x == d[0]) {
        return false;
    }
    let check = |len: usize| -> u32 {
        let top = len as u32 + 1;
        let sum: u32 = (0u32..).zip(&d[..len]).map(|(i, &x)| (top - i) * x).sum();
        (11 - sum % 11) % 11 % 10
    };
    d[9] == check(9) && d[10] == check(10)
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::RECOGNIZER, t)
    }

    #[test]
    fn formatted_alone_plain_after_a_cue() {
        assert_eq!(found("meu CPF: 390.533.447-05"), vec!["390.533.447-05"]);
        assert_eq!(found("é 390.533.447-05, obrigado"), vec!["390.533.447-05"]);
        assert_eq!(found("nº do CPF 39053344705"), vec!["39053344705"]);
        assert!(found("tel 39053344705").is_empty(), "plain needs a cue");
        assert!(found("CPF 390.533.447-06").is_empty(), "second check digit");
        assert!(found("CPF 390.533.447-15").is_empty(), "first check digit");
        assert!(!super::valid("11111111111"), "one repeated digit");
        assert!(!super::valid("3905334470"));
    }
}
