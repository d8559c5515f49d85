//! Address blocks: an address written over several lines, as in e-mail signatures,
//! contact blocks and shipping labels ("Mariahilfer Straße 46/6/29 / Top 10 / Salzburg /
//! Österreich A-5020"), and the Turkish and Indian street-line shapes that no
//! number-name-type grammar covers ("Kızılay Mah. Şair Nefi Sok. No: 83 D: 8",
//! "Flat 741/2, Kaveri Apartments, Avinashi Road, Mysuru - 570001").
//!
//! Why as a unit: each line alone ("Top 10", "Salzburg", "Japan 150-0001") says little,
//! but after a street line and before the phone and e-mail lines of a signature they are
//! the rest of one address. A block starts at a street line (one another detector already
//! found, or a line with a street or building word and a number) and takes the short
//! lines after it that look like address lines: units, places, postcodes, a country. It
//! stops at a blank line, a phone, e-mail or web line, a long or lower-case line, or a
//! line with many digits (a phone or a company number).

use super::lexicon::{is_capitalised, lookup, lower, next_digit, Lower};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

/// Street and building words of many countries, with a number somewhere on the line.
static STREET_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:^|[\s,])(?:",
        r"mah\.|mahallesi|sok\.|sokak|sokağı|cad\.|caddesi|bulvarı|blv\.|",
        r"str\.|strada|stra[sß]e|gasse|weg|platz|allee|ul\.|ulica|al\.|aleja|os\.|",
        r"gatan|vägen|gata|gade|vej|veien|gate|katu|tie|kuja|iela|gatvė|g\.|tn\.|tänav|mnt\.|",
        r"odos|οδός|οδ\.|leoforos|λεωφ\.|ул\.|бул\.|пл\.|",
        r"rue|avenue|av\.|avenida|calle|c/|carrer|rua|travessa|alameda|praça|via|viale|piazza|corso|",
        r"cours|quai|impasse|chemin|allée|boulevard|bd\.|",
        r"straat|laan|plein|gracht|kade|",
        r"road|rd\.|street|st\.|lane|drive|close|crescent|terrace|place|square|",
        r"nagar|apartments|enclave|residency|towers|colony|",
        r"plot|door\s+no\.?|flat|house\s+no\.?|h\.\s?no\.|",
        r"apt\.?|suite|unit|top|bl\.|sc\.|ap\.|et\.",
        r")(?:$|[\s,.])",
    ))
    .expect("static regex")
});

/// A line that opens with a house number and a capitalised word ("2-12-3 Nishiki",
/// "245 14 rue du Président Roosevelt").
static NUMBER_FIRST_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{1,5}(?:[-/]\d{1,4}){0,3}[a-zA-Z]?(?:\s+\d{1,4})?(?:\s+(?:bis|ter|quater),?)?\s+\p{Lu}")
        .expect("static regex")
});

/// A line that is a street name no list holds and a house number ("Husova 2822/36",
/// "Pikk tn 26", "Kauppakatu 75 B 12"): an address line only when a postcode line follows
/// (see [`postcode_follows`]).
static NAME_NUMBER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\p{Lu}[\p{L}\p{M}.'’„“\x22-]*(?:[ ][\p{L}\p{M}.'’„“\x22-]+){0,4}[ ]",
        r"\d{1,5}(?:[/-]\d{1,4})?[A-Za-z]?\.?(?:[ ][A-Z](?:[ ]\d{1,3})?)?(?:,?[ ][^ ]{1,8}){0,3}$",
    ))
    .expect("static regex")
});

/// A line that opens with a postcode and a place ("779 00 Olomouc", "FI-20100 TURKU").
static POSTCODE_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Z]{1,2}-)?\d{2,5}(?:[ -]\d{2,4})?(?:[ ]?[A-Z]{2})?[ ]{1,2}\p{L}")
        .expect("static regex")
});

/// A line that ends with a postcode after a country ("Latvija LV-1000", "Ελλάδα 382 21").
static COUNTRY_POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Lu}[\p{L}\p{M}]+(?:[ ]\p{L}+)?[ ](?:[A-Z]{1,2}-)?\d{3,5}(?:[ -]\d{2,4})?(?:[ ]?[A-Z]{2})?$")
        .expect("static regex")
});

/// Does a postcode line follow line `i`: right after it, or after one place line?
fn postcode_follows(text: &str, lines: &[(usize, usize)], i: usize) -> bool {
    let line = |k: usize| lines.get(k).map(|&(s, e)| text[s..e].trim());
    let Some(next) = line(i + 1) else {
        return false;
    };
    if POSTCODE_FIRST.is_match(next) {
        return true;
    }
    // a place line, perhaps with its district's number ("Praha 2", "Dublin 9")
    let place = next
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end();
    !place.bytes().any(|b| b.is_ascii_digit())
        && next.len() - place.len() <= 3
        && (1..=3).contains(&place.split_whitespace().count())
        && next.chars().next().is_some_and(char::is_uppercase)
        && line(i + 2).is_some_and(|l| COUNTRY_POSTCODE.is_match(l) || POSTCODE_FIRST.is_match(l))
}

/// Labels that open a phone, e-mail or web line of a signature.
static CONTACT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:tel|tél|phone|telephone|telefon|telefono|teléfono|puh|puhelin|mob|mobile|",
        r"mobil|móvil|cell|handy|m|t|p|f|e|w|fax|direct|office|switchboard|e-?mail|mail|web|",
        r"www|site|fon|gsm|whatsapp|kontakt|contact|vat|tva|iva|ust|siret|kvk|reg|company)\b",
    ))
    .expect("static regex")
});

/// A postcode-like token: 3-6 digits (with an inner dash or space, or a country prefix).
static POSTCODE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)(?:[A-Z]{1,2}-)?\d{2,5}(?:[-\s]\d{2,4})?(?:[ ]?[A-Z]{2})?(?:\s|$|,)")
        .expect("static regex")
});

/// Turkish street lines: "<quarter> Mah. <street> Sok./Cad. No: 83 D: 8[, 06690 Çankaya/Ankara]".
static TR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b\p{Lu}\p{L}+(?:\s\p{Lu}\p{L}+)?\s(?:[Mm]ah\.|[Mm]ahallesi)\s(?:\p{L}+\s){1,3}",
        r"(?:[Ss]ok\.|[Ss]okak|[Cc]ad\.|[Cc]addesi|[Bb]ulvarı|[Bb]lv\.)\s*(?:[Nn]o\s?:\s?\d+[A-Z]?)?(?:\s*[Dd]\s?:\s?\d+)?",
        r"(?:,?\s\d{5}\s\p{L}+(?:/\p{L}+)?)?",
    ))
    .expect("static regex")
});

/// Indian street lines: "Flat 741/2, Kaveri Apartments, Avinashi Road, Mysuru - 570001".
static IN_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:door\s+no\.?|flat|plot|house\s+no\.?|h\.\s?no\.)\s*\d+[a-z]?(?:/\d+)?,",
        r"(?:\s*[\p{L}.]+(?:\s[\p{L}.]+){0,3},){1,4}",
        r"(?:\s*\p{L}+(?:\s\p{L}+){0,2})?(?:\s-\s\d{6}|,\s\d{6})?",
    ))
    .expect("static regex")
});

/// Could [`TR_LINE`] (0) or [`IN_LINE`] (1) match? A superset of what the patterns need,
/// so skipping a pattern when its gate is shut changes nothing. [`TR_LINE`] needs "ah"
/// after an "M" or "m" ("Mah.", "mahallesi"); [`IN_LINE`] needs a number right after
/// "flat", "plot" or "no"/"no." (of "door no", "house no", "h.no."), in any ASCII case,
/// with only white space between (a non-ASCII byte there, which may be Unicode white
/// space, opens the gate too). Both are searches for bytes rarer than letters (a pair,
/// the digits), cheaper than a regex set or a pass over every letter.
fn line_gates(text: &str) -> [bool; 2] {
    let b = text.as_bytes();
    let tr = AH
        .find_iter(b)
        .any(|i| i > 0 && matches!(b[i - 1], b'M' | b'm'));
    let mut indian = false;
    // next_digit lands on the first digit after a non-digit: a number's start
    let mut i = next_digit(b, 0);
    while i < b.len() {
        let mut k = i;
        while k > 0 && matches!(b[k - 1], b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r') {
            k -= 1;
        }
        let before = &b[..k];
        let ends = |w: &[u8]| {
            before.len() >= w.len() && before[before.len() - w.len()..].eq_ignore_ascii_case(w)
        };
        if (k > 0 && b[k - 1] >= 0x80)
            || ends(b"flat")
            || ends(b"plot")
            || ends(b"no")
            || ends(b"no.")
        {
            indian = true;
            break;
        }
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i = next_digit(b, i + run);
    }
    [tr, indian]
}

/// The pair [`line_gates`] looks for, built once.
static AH: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("ah"));

/// Address blocks and TR/IN street lines as candidates, added to `out`, which holds the
/// candidates the other detectors made so far (an address among them can open a block).
pub(super) fn blocks(text: &str, out: &mut Vec<Cand>) {
    // the street-line patterns only where their key words stand (a literal search is
    // far cheaper than the patterns themselves)
    let gates = line_gates(text);
    for (k, re) in [&*TR_LINE, &*IN_LINE].into_iter().enumerate() {
        if !gates[k] {
            continue;
        }
        for m in re.find_iter(text) {
            out.push(Cand::new(
                m.start(),
                trim_end(text, m.start(), m.end()),
                PiiKind::StreetAddress,
                Prio::ADDRESS_CUE,
            ));
        }
    }
    if !text.contains('\n') {
        return;
    }
    let lines: Vec<(usize, usize)> = line_spans(text);
    let mut i = 0;
    while i < lines.len() {
        let (ls, le) = lines[i];
        let line = &text[ls..le];
        // where an address another detector found on this line starts
        let known = out
            .iter()
            .filter(|c| c.kind == PiiKind::StreetAddress && c.start < le && ls < c.end)
            .map(|c| c.start.max(ls))
            .min();
        let street = line.len() <= 100
            && line.bytes().any(|b| b.is_ascii_digit())
            && !CONTACT_LABEL.is_match(line.trim_start())
            && (STREET_LINE.is_match(line)
                || NUMBER_FIRST_LINE.is_match(line.trim_start())
                || (NAME_NUMBER_LINE.is_match(line.trim()) && postcode_follows(text, &lines, i)));
        if !(known.is_some() || street) {
            i += 1;
            continue;
        }
        // the block's lines after the street line
        let mut j = i + 1;
        let mut postcode = POSTCODE_LIKE.is_match(line);
        while j < lines.len() && j <= i + 5 && continues(&text[lines[j].0..lines[j].1]) {
            postcode |= POSTCODE_LIKE.is_match(&text[lines[j].0..lines[j].1]);
            j += 1;
        }
        // a street line by its look alone needs a second line and a postcode somewhere
        if known.is_some() || (j > i + 1 && postcode) {
            // the line from its label on; a known address inside a sentence from where it
            // starts (the rest of its line is most often the rest of the address)
            let start = match known {
                Some(k) if !street => k,
                _ => ls + label_len(line),
            };
            let end = trim_end(text, start, lines[j - 1].1);
            if end > start {
                out.push(Cand::new(start, end, PiiKind::StreetAddress, Prio::ADDRESS));
                if start == ls {
                    name_above(text, &lines, i, out);
                }
            }
        }
        i = j.max(i + 1);
    }
}

/// The addressee on a line of its own above an address block, past up to two lines of a
/// company or a "c/o" ("COVADONGA SANTESTEBAN / Bluefin Analytics / Kongens gate 29 C /
/// 9008 Tromsø"): a shipping label or a contact block puts the person first.
fn name_above(text: &str, lines: &[(usize, usize)], street: usize, out: &mut Vec<Cand>) {
    let mut buf = Lower::new();
    for k in (street.saturating_sub(3)..street).rev() {
        let (ls, le) = lines[k];
        let line = text[ls..le].trim();
        let words: Vec<&str> = line.split(' ').collect();
        let company = line.starts_with("c/o ")
            || words.iter().any(|w| {
                super::names::legal_form(w)
                    || super::names::legal_form(w.trim_end_matches('.'))
                    || super::names::org_or_place_word(lower(w.trim_end_matches('.'), &mut buf))
            });
        if company {
            continue;
        }
        let name_word = |w: &str, buf: &mut Lower| {
            let letters = w.trim_end_matches('.');
            !letters.is_empty()
                && letters
                    .chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
                && is_capitalised(letters)
                && {
                    let lw = lower(letters, buf);
                    let lex = lookup(lw);
                    // no everyday word, not even one a surname list holds ("Director")
                    ((lex.named() || !lex.common_any()) && !super::pair::no_name_word(lw))
                        || lex.particle()
                }
        };
        let long = words
            .iter()
            .filter(|w| w.trim_end_matches('.').chars().count() > 1)
            .count();
        if (2..=4).contains(&words.len())
            && long >= 2
            && words
                .iter()
                .all(|w| name_word(w, &mut buf) || is_particle(w))
        {
            let s = ls + (text[ls..le].len() - text[ls..le].trim_start().len());
            out.push(Cand::new(s, s + line.len(), PiiKind::Person, Prio::PERSON));
        }
        return;
    }
}

/// Whether `w` is a lower-case particle of a name ("van", "de", "da").
fn is_particle(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_lowercase) && super::lexicon::PARTICLES.contains(&w)
}

/// Byte ranges of the lines (without the line break).
fn line_spans(text: &str) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    let mut s = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            v.push((s, i));
            s = i + 1;
        }
    }
    v.push((s, text.len()));
    v
}

/// Does this line continue an address block?
fn continues(line: &str) -> bool {
    let l = line.trim();
    if l.is_empty() || l.len() > 60 || l.contains('@') || l.contains("://") || l.contains("www.") {
        return false;
    }
    if l.contains('+') || CONTACT_LABEL.is_match(l) {
        return false;
    }
    let digits = l.bytes().filter(u8::is_ascii_digit).count();
    if digits > 8 || l.split_whitespace().count() > 6 {
        return false;
    }
    // an address line starts with a capital letter or a digit (not a sentence's word)
    l.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// The length of a leading "Label: " or "Label\t" (a form field's name), kept visible.
fn label_len(line: &str) -> usize {
    for sep in [": ", ":\t", "\t", " = ", " | "] {
        if let Some(p) = line.find(sep) {
            let label = &line[..p];
            if p <= 30
                && !label.bytes().any(|b| b.is_ascii_digit())
                && label.split_whitespace().count() <= 3
            {
                return p + sep.len();
            }
        }
    }
    line.len() - line.trim_start().len()
}

/// `end` moved back over trailing spaces, commas and full stops.
fn trim_end(text: &str, start: usize, mut end: usize) -> usize {
    while end > start && matches!(text.as_bytes()[end - 1], b' ' | b',' | b'.' | b'\t' | b'\r') {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::{line_gates, IN_LINE, TR_LINE};
    use crate::redact::tests::addresses;

    /// Random strings made of the street-line patterns' pieces.
    fn random_text(seed: &mut u64, n: usize) -> String {
        const PARTS: &[&str] = &[
            "Kızılay Mah. Şair Nefi Sok. No: 83",
            "Ata mah. Gül Cad. ",
            "Flat 741/2, Kaveri Apartments, ",
            "hou\u{17f}e no 5, Lake View, ",
            "H.No. 12, MG Road, ",
            "Flat\u{a0}12, Lake View, ",
            "FLAT\t7, Lake View, ",
            "door  no. 12, A B, ",
            "h. no. 4, C, ",
            "Kızılay",
            " Mah. ",
            " MAH. ",
            " mahallesi ",
            "Şair",
            " Nefi",
            " Sok. ",
            " Cad. ",
            "No: 83",
            " D: 8",
            ", 06690 ",
            "Çankaya/Ankara",
            "Flat ",
            "FLAT ",
            "plot ",
            "Door no. ",
            "House No ",
            "hou\u{17f}e no ",
            "H. No. ",
            "h.no. ",
            "741/2",
            ",",
            " Kaveri",
            " Road",
            " - 570001",
            ", 570001",
            " ",
            "x",
            "7",
            "\n",
            "Mysuru",
        ];
        crate::redact::tests::random_from(seed, PARTS, n)
    }

    #[test]
    fn a_shut_gate_means_its_street_line_pattern_finds_nothing() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut found = [0usize; 2];
        for round in 0..20_000 {
            let t = random_text(&mut seed, 1 + round % 14);
            let gates = line_gates(&t);
            for (k, re) in [&*TR_LINE, &*IN_LINE].into_iter().enumerate() {
                if re.is_match(&t) {
                    found[k] += 1;
                    assert!(gates[k], "gate {k} shut on {t:?}");
                }
            }
        }
        // both patterns matched often, so the gates were tested where it matters
        assert!(found.iter().all(|&n| n > 300), "{found:?}");
    }

    #[test]
    fn a_signature_block_is_one_address() {
        let t = "Best regards,\nAnna Berger\nBluefin Analytics\nMariahilfer Straße 46/6/29\nTop 10\nSalzburg\nÖsterreich A-5020\nDirect: 0664 0123 456\nE-mail: anna@example.at";
        assert_eq!(
            addresses(t),
            ["Mariahilfer Straße 46/6/29\nTop 10\nSalzburg\nÖsterreich A-5020"]
        );
    }

    #[test]
    fn number_first_lines_need_a_postcode_line() {
        let t = "Kenji Sato\n2-12-3 Nishiki\nRoom 572\nShibuya-ku, Tokyo\nJapan 150-0001\nOffice: 08-368-1234";
        assert_eq!(
            addresses(t),
            ["2-12-3 Nishiki\nRoom 572\nShibuya-ku, Tokyo\nJapan 150-0001"]
        );
        // a list of quantities is no address
        assert!(addresses("Order:\n2 Blue Mugs\n3 Red Plates\nThanks").is_empty());
    }

    #[test]
    fn turkish_and_indian_street_lines() {
        assert_eq!(
            addresses("please update our billing address to Kızılay Mah. Şair Nefi Sok. No: 83 D: 8, 06690 Çankaya/Ankara. Thanks"),
            ["Kızılay Mah. Şair Nefi Sok. No: 83 D: 8, 06690 Çankaya/Ankara"]
        );
        assert_eq!(
            addresses("no, it's Flat 741/2, Kaveri Apartments, Avinashi Road, Mysuru - 570001 now"),
            ["Flat 741/2, Kaveri Apartments, Avinashi Road, Mysuru - 570001"]
        );
    }

    #[test]
    fn a_form_label_stays_visible() {
        let t = "Adresse: 37 ter place de la Visitation\nBâtiment C\n35000 Rennes\nTéléphone: 02 99 00 00 00";
        assert_eq!(
            addresses(t),
            ["37 ter place de la Visitation\nBâtiment C\n35000 Rennes"]
        );
    }
}
