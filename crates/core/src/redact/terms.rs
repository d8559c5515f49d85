//! Per-company terms: values a manager confirmed as personal data after annotators
//! marked them as missed (a customer's name the rules do not know, a local street). The
//! hub keeps them per company and masks them, case-insensitively and as whole words, in
//! every later message of that company, on top of the rules.

use super::{Cand, PiiKind, Prio};
use regex::Regex;

/// Shortest and longest term, in characters: shorter ones would mask ordinary words.
pub const TERM_CHARS: std::ops::RangeInclusive<usize> = 3..=100;
/// Most terms per company.
pub const MAX_TERMS: usize = 10_000;

/// A compiled set of terms with the kind each is masked as.
#[derive(Debug, Clone)]
pub struct Terms {
    re: Regex,
    kinds: Vec<(String, PiiKind)>,
}

impl Terms {
    /// Compile `terms` (term, kind). Terms outside [`TERM_CHARS`] are skipped; `None` if
    /// none is left. Longer terms win where terms overlap.
    pub fn new(terms: &[(String, PiiKind)]) -> Option<Terms> {
        let mut kept: Vec<(String, PiiKind)> = terms
            .iter()
            .map(|(t, k)| (t.trim().to_lowercase(), *k))
            .filter(|(t, _)| TERM_CHARS.contains(&t.chars().count()))
            .take(MAX_TERMS)
            .collect();
        if kept.is_empty() {
            return None;
        }
        kept.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.0.cmp(&b.0))
        });
        kept.dedup_by(|a, b| a.0 == b.0);
        let alternation: Vec<String> = kept.iter().map(|(t, _)| regex::escape(t)).collect();
        let re = Regex::new(&format!("(?i){}", alternation.join("|"))).ok()?;
        Some(Terms { re, kinds: kept })
    }

    /// How many distinct terms there are.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether there are none (never true for a built set).
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Whole-word matches in `text`, as candidates above every rule but e-mail.
    pub(crate) fn candidates(&self, text: &str, out: &mut Vec<Cand>) {
        for m in self.re.find_iter(text) {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let lower = m.as_str().to_lowercase();
            let kind = self
                .kinds
                .iter()
                .find(|(t, _)| *t == lower)
                .map_or(PiiKind::Person, |(_, k)| *k);
            out.push(Cand::new(m.start(), m.end(), kind, Prio::TERM));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Terms;
    use crate::redact::{PiiKind, Redactor};

    #[test]
    fn terms_mask_whole_words_case_insensitively() {
        let terms = Terms::new(&[
            ("Zorblax Quenton".into(), PiiKind::Person),
            ("Zorblax".into(), PiiKind::Person),
            ("ab".into(), PiiKind::Person),
        ])
        .unwrap();
        assert_eq!(terms.len(), 2, "too short a term is skipped");
        let r = Redactor::default();
        let red = r.redact_with(
            "zorblax quenton said Zorblax would call; Zorblaxian stays",
            Some(&terms),
        );
        assert_eq!(
            red.text,
            "[NAME_1] said [NAME_2] would call; Zorblaxian stays"
        );
        // without the terms, nothing finds it (lower case: the name tagger scores only
        // capitalised words)
        assert_eq!(
            r.redact("zorblax quenton said").text,
            "zorblax quenton said"
        );
        assert!(Terms::new(&[("x".into(), PiiKind::Person)]).is_none());
    }
}
