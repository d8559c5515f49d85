//! Passport and driving-licence numbers. Their formats differ by country and carry no
//! check digit a customer would write, so a cue word is what finds them: "passport
//! number", "Reisepass", "driver's license", … followed within a few words by one token
//! of 6–16 letters and digits with at least two digits.

use crate::redact::recognizer::{standalone, Facts, Found, Recognizer};
use crate::redact::PiiKind;
use regex::Regex;
use std::sync::LazyLock;

/// Any cue word, case-insensitively (one pass with a literal prefilter).
static CUE: LazyLock<Regex> = LazyLock::new(|| Regex::new(&cue_pattern()).expect("static regex"));

/// Any cue word, case-insensitively.
fn cue_pattern() -> String {
    let alternation: Vec<String> = CUES.iter().map(|c| regex::escape(c)).collect();
    format!("(?i){}", alternation.join("|"))
}

/// How far after a cue word the number may start, in bytes.
const REACH: usize = 32;

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)\b[A-Za-z0-9][A-Za-z0-9-]{4,14}[A-Za-z0-9]\b").expect("static regex")
});

/// Words that say a passport or licence number follows.
pub const CUES: &[&str] = &[
    "passport",
    "reisepass",
    "passnummer",
    "passeport",
    "pasaporte",
    "passaporto",
    "paspoort",
    "driver's license",
    "drivers license",
    "driver license",
    "driver's licence",
    "driving licence",
    "driving license",
    "licence number",
    "license number",
    "license no",
    "licence no",
    "dl#",
    "führerschein",
    "permis de conduire",
];

/// The recognizer.
pub struct TravelDocument;

impl Recognizer for TravelDocument {
    fn name(&self) -> &'static str {
        "travel_document"
    }
    fn kind(&self) -> PiiKind {
        PiiKind::NationalId
    }
    fn locales(&self) -> &'static [&'static str] {
        &["en", "de", "fr", "es", "it", "nl"]
    }
    fn shape(&self) -> String {
        cue_pattern()
    }
    fn may_match(&self, f: &Facts) -> bool {
        f.digits >= 2
    }
    fn find(&self, text: &str, out: &mut Vec<Found>) {
        // Cue words first (rare), then the first number-like token within reach of each.
        let mut from = 0;
        for cue in CUE.find_iter(text) {
            let start = cue.end().max(from);
            let mut end = (cue.end() + REACH).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let Some(m) = TOKEN
                .find_iter(&text[start..end])
                .find(|m| m.as_str().bytes().filter(u8::is_ascii_digit).count() >= 2)
            else {
                continue;
            };
            // The token may run past the window: take it whole.
            let s = start + m.start();
            let e = TOKEN
                .find_at(text, s)
                .filter(|w| w.start() == s)
                .map_or(start + m.end(), |w| w.end());
            if standalone(text, s, e) {
                out.push(Found {
                    start: s,
                    end: e,
                    score: 0.8,
                });
                from = e;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::redact::recognizer::found_by;

    fn found(t: &str) -> Vec<&str> {
        found_by(&super::TravelDocument, t)
    }

    #[test]
    fn numbers_after_a_cue_only() {
        assert_eq!(found("my passport number is C01X00T47"), vec!["C01X00T47"]);
        assert_eq!(
            found("Driver's license: D123-4567-8901"),
            vec!["D123-4567-8901"]
        );
        assert!(found("order C01X00T47").is_empty());
        assert!(found("passport photo for 2 people").is_empty());
    }
}
