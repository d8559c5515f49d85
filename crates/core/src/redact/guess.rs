//! What kind of personal data an annotator's missed-PII mark probably holds, for the
//! hub's report of what the redactor misses (by kind, company and week). The marked text
//! stays on the hub; only the guess leaves this function.

use super::{PiiKind, Redactor};

/// A guess for a marked span: a [`PiiKind`] type name (`PERSON`, `PHONE_NUMBER`, …) when
/// the redactor finds that kind in the span on its own, or from the span's shape; else
/// `NUMBER` (digits that fit no kind) or `OTHER`.
pub fn guess_missed(span: &str, r: &Redactor) -> &'static str {
    // What the redactor itself finds in the marked text, taken alone (a newer rule may
    // catch it now): the kind covering most of it.
    if let Some(k) = r
        .find_spans(span)
        .iter()
        .max_by_key(|s| s.end - s.start)
        .map(|s| s.kind)
    {
        return k.type_name();
    }
    let digits = span.chars().filter(char::is_ascii_digit).count();
    let letters = span.chars().filter(|c| c.is_alphabetic()).count();
    if span.contains('@') {
        return PiiKind::Email.type_name();
    }
    if digits >= 7
        && span
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
    {
        return PiiKind::Phone.type_name();
    }
    if digits >= 1 && letters >= 3 && span.split_whitespace().count() >= 2 {
        return PiiKind::StreetAddress.type_name();
    }
    if digits >= 4 {
        return "NUMBER";
    }
    let words: Vec<&str> = span.split_whitespace().collect();
    let name_like = |w: &&str| {
        let mut cs = w.trim_matches(|c: char| !c.is_alphanumeric()).chars();
        cs.next().is_some_and(char::is_uppercase)
            && cs.all(|c| c.is_alphabetic() || "'-.".contains(c))
    };
    if digits == 0 && (1..=4).contains(&words.len()) && words.iter().all(name_like) {
        return PiiKind::Person.type_name();
    }
    "OTHER"
}

#[cfg(test)]
mod tests {
    use super::guess_missed;
    use crate::redact::Redactor;

    #[test]
    fn guesses_by_what_the_redactor_finds_then_by_shape() {
        let r = Redactor::default();
        assert_eq!(guess_missed("jane.doe@example.com", &r), "EMAIL_ADDRESS");
        assert_eq!(guess_missed("Zorblax Quenton", &r), "PERSON");
        assert_eq!(guess_missed("040 165 6868", &r), "PHONE_NUMBER");
        assert_eq!(guess_missed("Apt 722 Lindenweg", &r), "STREET_ADDRESS");
        assert_eq!(guess_missed("7731", &r), "NUMBER");
        assert_eq!(guess_missed("bluebird", &r), "OTHER");
    }
}
