//! Addresses anchored on a postcode and a place: "Husova 2822/36, 779 00 Olomouc",
//! "Vesterbrogade 15, 2. th., DK-6700 Esbjerg", "ул. „Оборище“ 4, 4000 Варна".
//!
//! Why: in most of Europe a street is a name no list holds followed by a house number
//! ("Husova 2822/36", "Kauppakatu 19 C"), which alone looks like a product and its model
//! number. What makes it an address is what follows after a comma: a postcode and a place
//! ("779 00 Olomouc", "FI-02100 ESPOO"). So the search starts at ", <postcode> <Place>"
//! and walks back over at most three short comma-separated parts (a floor, a door, a
//! unit: "2. th.", "ет. 1", "Whg. 12") to a part that ends in a house number and whose
//! words before the number are capitalised, quoted or street words ("utca", "iela",
//! "tn", "ul."). A year and a model after a product ("Model 3, 2024 Edition") is refused:
//! a four-digit postcode from 1900 to 2039 needs a place that is no everyday word.

use super::lexicon::{self, Lower};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

/// ", <postcode> <Place>": the anchor.
static PC_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r",[ ]((?:[A-Za-z]{1,2}-)?\d{2,5}(?:[ -]\d{2,4})?)[ ]{1,2}",
        r"(\p{L}[\p{L}\p{M}'’-]*)((?:[ ]\p{Lu}[\p{L}\p{M}'’-]*|[ ]\d{1,2}(?:\b|$)|[ ]\(\p{Lu}{2}\))?)",
    ))
    .expect("static regex")
});

/// Lower-case words that stand inside street names ("Dob utca 43.", "Kr. Valdemāra iela 3",
/// "Pikk tn 26", "Laisvės al. 127", "Rua da Aurora").
const STREET_SMALL: &[&str] = &[
    "utca", "út", "útja", "körút", "tér", "köz", "sor", "iela", "tn", "tänav", "mnt", "pst", "g.",
    "gatvė", "pr.", "al.", "ul.", "ulica", "os.", "pl.", "nám.", "třída", "gade", "vej", "gata",
    "gatan", "gate", "veien", "vegen", "vägen", "väg", "katu", "tie", "kuja", "rue", "de", "da",
    "do", "dos", "das", "del", "della", "dei", "di", "la", "le", "les", "du", "des", "van", "der",
    "den", "het", "op", "am", "an", "im", "zum", "zur", "y", "e", "i", "via", "viale", "calle",
    "str.", "straße", "strasse", "weg", "ул.", "бул.", "пл.", "οδός", "και", "nr.", "nr", "no.",
    "no", "č.", "sv.", "sf.",
];

/// The part before the anchor that ends in a house number: "Husova 2822/36",
/// "Hämeenkatu 80 A 5", "Bartók Béla út 14. II/4.", "ул. „Оборище“ 4".
static STREET_PART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"((?:[\p{L}„“«»\x22'.’-]+[ ]){1,5})",
        r"(\d{1,5}(?:[/-]\d{1,4}[A-Za-z]?)?[A-Za-z]?\.?(?:[ ][A-Za-z](?:[ ]\d{1,3})?)?(?:[ ][IVX]{1,4}/\d{1,3}\.?)?)$",
    ))
    .expect("static regex")
});

/// Addresses anchored on ", <postcode> <Place>", added to `out`.
pub(super) fn postal(text: &str, out: &mut Vec<Cand>) {
    if !text.contains(", ") {
        return;
    }
    let mut buf = Lower::new();
    for m in PC_PLACE.captures_iter(text) {
        let (Some(all), Some(pc), Some(place)) = (m.get(0), m.get(1), m.get(2)) else {
            continue;
        };
        let place_s = place.as_str();
        let lp = lexicon::lower(place_s, &mut buf).to_string();
        let common = lexicon::lookup(&lp).common();
        let digits: String = pc.as_str().chars().filter(char::is_ascii_digit).collect();
        let year_like = digits.len() == 4
            && digits
                .parse::<u32>()
                .is_ok_and(|y| (1900..=2039).contains(&y));
        let capital = place_s.chars().next().is_some_and(char::is_uppercase);
        // the line (or clause after a colon) before the anchor
        let head_start = text[..all.start()]
            .rfind(['\n', ':', ';', '(', '!', '?'])
            .map_or(0, |i| i + 1);
        let head = &text[head_start..all.start()];
        // a chat turn typed all in lower case ("Kunde: meine neue adresse ist
        // schwalbenring 58, 96047 bamberg"), even when the transcript around it is not
        let line_end = text[all.end()..]
            .find('\n')
            .map_or(text.len(), |i| all.end() + i);
        let lower_clause = lexicon::is_lowercase_text(&text[head_start..line_end]);
        if common || (year_like && !capital) || (!capital && !lower_clause) {
            continue;
        }
        // walk back over up to three short parts to the street part
        let mut seg_end = head.len();
        let mut street: Option<usize> = None;
        for _ in 0..4 {
            let seg_start = head[..seg_end].rfind(", ").map_or(0, |i| i + 2);
            let seg = &head[seg_start..seg_end];
            if let Some(c) = STREET_PART.captures(seg) {
                let words_at = c.get(1).map_or(0, |g| g.start());
                if let Some(s) = street_start(seg, words_at, lower_clause, &mut buf) {
                    street = Some(seg_start + s);
                    break;
                }
            }
            // a unit or floor part between the street and the postcode is short
            if seg_start == 0 || seg.len() > 24 || seg.split_whitespace().count() > 3 {
                break;
            }
            seg_end = seg_start - 2;
        }
        let Some(s) = street else {
            continue;
        };
        let mut start = head_start + s;
        let mut end = all.end();
        while end > start && text.as_bytes()[end - 1] == b' ' {
            end -= 1;
        }
        // the union with the street grammars' overlapping spans, which know more about a
        // street's first words ("C/ del Carmen") and a place's last ones ("Den Haag",
        // "Ciudad de México")
        for c in out.iter() {
            if c.kind == PiiKind::StreetAddress && c.start < end && start < c.end {
                start = start.min(c.start);
                end = end.max(c.end);
            }
        }
        out.push(Cand::new(start, end, PiiKind::StreetAddress, Prio::POSTAL));
    }
}

/// Where the street's name starts inside `seg`, whose words before the house number start
/// at `words_at`: the words nearest the number that are capitalised, quoted or street
/// words; at least one of them capitalised and not every one an everyday word. In a
/// clause typed in lower case (`lower`), a lower-case word that is no everyday word counts
/// as capitalised, and the walk stops at the first everyday word ("ist", "it's").
fn street_start(seg: &str, words_at: usize, lower: bool, buf: &mut Lower) -> Option<usize> {
    let words: Vec<(usize, &str)> = seg[words_at..]
        .split(' ')
        .scan(words_at, |at, w| {
            let s = *at;
            *at += w.len() + 1;
            Some((s, w))
        })
        .filter(|(_, w)| !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    let mut start = None;
    let mut named = false;
    let mut n = 0;
    for &(s, w) in words.iter().rev() {
        let core = w.trim_matches(|c: char| matches!(c, '„' | '“' | '«' | '»' | '"' | '\''));
        let lw = lexicon::lower(core, buf).to_string();
        let small = STREET_SMALL.contains(&lw.as_str()) || STREET_SMALL.contains(&w);
        let cap = core.chars().next().is_some_and(char::is_uppercase)
            || (lower
                && !small
                && core.chars().next().is_some_and(char::is_lowercase)
                && !lexicon::lookup(lw.trim_end_matches('.')).common_any());
        if !(cap || small) {
            break;
        }
        if cap && !small {
            let lex = lexicon::lookup(lw.trim_end_matches('.'));
            if !lex.common() || lex.named() {
                named = true;
            }
        }
        start = Some(s);
        n += 1;
        if n >= 5 {
            break;
        }
    }
    if !named {
        return None;
    }
    // the street's name does not start with a particle ("woont op Oudegracht 278")
    let mut start = start?;
    for &(s, w) in &words {
        if s < start {
            continue;
        }
        if !PARTICLES.contains(&w) {
            break;
        }
        start = s + w.len() + 1;
    }
    Some(start)
}

/// Small words that stand inside a street's name but do not start it.
const PARTICLES: &[&str] = &[
    "de", "da", "do", "dos", "das", "del", "della", "dei", "di", "la", "le", "les", "du", "des",
    "van", "der", "den", "het", "op", "am", "an", "im", "zum", "zur", "y", "e", "i", "και", "nr.",
    "nr", "no.", "no", "in", "at", "on", "to", "bei", "à", "en", "em", "na", "w", "v", "u",
];

#[cfg(test)]
mod tests {
    use crate::redact::tests::addresses;

    #[test]
    fn a_street_before_a_postcode_and_place_is_an_address() {
        assert_eq!(
            addresses("Please ship it to Husova 2822/36, 779 00 Olomouc by Friday."),
            ["Husova 2822/36, 779 00 Olomouc"]
        );
        assert_eq!(
            addresses("new address: Vesterbrogade 15, 2. th., DK-6700 Esbjerg"),
            ["Vesterbrogade 15, 2. th., DK-6700 Esbjerg"]
        );
    }

    #[test]
    fn a_chat_turn_in_lower_case_has_its_address_found_too() {
        assert_eq!(
            addresses("[12:40] Kunde: meine neue adresse ist schwalbenring 58, 96047 bamberg"),
            ["schwalbenring 58, 96047 bamberg"]
        );
        assert_eq!(
            addresses("[13:42] Customer: no, it's strandkaien 41 c, n-7011 trondheim now"),
            ["strandkaien 41 c, n-7011 trondheim"]
        );
        // lower case words that are everyday words are no street
        assert!(addresses("Customer: i paid 58, 2000 times too much").is_empty());
    }

    #[test]
    fn a_product_and_a_year_is_no_address() {
        assert!(addresses("I bought the Tesla Model 3, 2024 edition, last week").is_empty());
        assert!(addresses("Version 2, 2023 release notes").is_empty());
    }
}
