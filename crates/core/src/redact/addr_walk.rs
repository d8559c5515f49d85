//! Address structure that does not depend on one country's street grammar.
//!
//! The street detectors in `address.rs` recognise the core of an address (number and
//! street, in each country's order). Around that core customers write whatever their
//! country uses: "2 bis" before a French street, "H.No. 45," before an Indian road, "Apto
//! 153, São Paulo - SP, 01310-100" or "hs, 9422 ZK Den Haag" after it. Leaving those parts
//! visible leaks the very characters an address is made of, so this module:
//!
//! * extends every street candidate over a house number or unit written before it and over
//!   the comma- or space-separated tail of numbers, units, postcodes of any common shape,
//!   capitalised place words and state codes after it ([`extend`]);
//! * after an address cue ("ship to", "deliver it to", "my address is", "I live at",
//!   "left it at", ...) accepts a clause that has the shape of an address (a number and a
//!   place word, a street-type word or a postcode) even when no country grammar matched it
//!   ([`cue_addresses`]).
//!
//! Only locale-independent structure is used: token shapes (digits, postcode patterns,
//! capitalisation), a short list of street-type and unit words in several languages, and
//! the everyday-word list that already keeps "after 2 weeks" from being a street.

use super::gate::Starts;
use super::lexicon::{is_capitalised, is_common, lower, Lower, LowercaseText, WordSet};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

/// Phrases after which an address usually follows.
pub(super) const CUE_PATTERN: &str = concat!(
    r"(?i)(?-u:\b)(?:",
    r"address(?:\s+(?:is|was)(?:\s+still)?|\s+still|\s*[:\-])?",
    r"|(?:home|house|flat|apartment)\s+(?:on|at)",
    r"|addressed\s+to|ship(?:ped|ping)?\s+(?:it\s+|them\s+|this\s+)?to",
    r"|deliver(?:ed|y)?\s+(?:it\s+|them\s+|this\s+)?to|send\s+(?:it|them|this|the\s+\w+)\s+to",
    r"|sent\s+(?:it\s+)?to|(?:went|gone|go|goes|delivered)\s+to",
    r"|(?:live|lives|living|stay|staying|reside|residing|located|based)\s+(?:at|in|on)",
    r"|moved\s+to|move\s+to|moving\s+to|relocated\s+to|i'm\s+at|i\s+am\s+at|we're\s+at|we\s+are\s+at",
    // "lives at" in other languages
    r"|woont\s+(?:op|aan|in)|wohnt\s+(?:in|an|am)|bor\s+(?:på|i)|asuu|vive\s+en|habite\s+(?:à|au)",
    r"|risiede\s+in|abita\s+in|mora\s+(?:na|em)|reside\s+(?:na|em)|mieszka\s+(?:na|przy|w)",
    r"|left\s+(?:it|them|the\s+\w+)\s+at|collect(?:ion)?\s+from|pick(?:\s*-?up)?\s+from",
    r"|change\s+(?:it|that|this)\s+to|update\s+(?:it|that)\s+to|home\s*:|address\s+to",
    r")",
);

/// A house number, unit or "bis/ter" written just before a street candidate.
static LEFT_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:(?:flat|apt\.?|apartment|unit|house\s+no\.?|h\.\s?no\.?|no\.?|#|plot|door)\s*)?",
        r"\d{1,5}[a-z]?(?:/\d{1,4}[a-z]?)?(?:\s+(?:bis|ter|quater))?\s*,?\s+$"
    ))
    .expect("static regex")
});

/// A unit word written just before a street candidate that starts with its number.
static LEFT_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:flat|apt\.?|apartment|unit|house\s+no\.?|h\.\s?no\.?|no\.|#|plot|door)\s*$")
        .expect("static regex")
});

/// Street-type words (any language) that may be everyday words elsewhere.
const STREET_WORDS: &[&str] = &[
    "street",
    "st",
    "st.",
    "road",
    "rd",
    "rd.",
    "avenue",
    "ave",
    "ave.",
    "lane",
    "drive",
    "way",
    "place",
    "court",
    "close",
    "main",
    "cross",
    "marg",
    "nagar",
    "colony",
    "sector",
    "block",
    "layout",
    "phase",
    "via",
    "viale",
    "v.le",
    "corso",
    "piazza",
    "largo",
    "calle",
    "c/",
    "avenida",
    "avda.",
    "av.",
    "avda",
    "paseo",
    "plaza",
    "rua",
    "alameda",
    "travessa",
    "rue",
    "boulevard",
    "bd",
    "impasse",
    "allée",
    "chemin",
    "quai",
    "ul.",
    "al.",
    "pl.",
    "ulica",
    "aleja",
    "am",
    "an",
    "im",
    "auf",
    "zum",
    "zur",
    "strada",
    "vicolo",
    "carrer",
    "rambla",
    "praça",
    "estrada",
    "highway",
    "parade",
    "terrace",
    "crescent",
    "square",
    "park",
    "gardens",
    "hill",
    "row",
    "walk",
    "quay",
    "esplanade",
];

/// Names of buildings and housing estates ("Lake View Towers", "Sai Residency").
const BUILDING_WORDS: &[&str] = &[
    "tower",
    "residency",
    "apartments",
    "enclave",
    "heights",
    "complex",
    "building",
    "mansion",
    "mansions",
    "villa",
    "villas",
    "estate",
    "society",
    "nivas",
    "bhavan",
    "niketan",
    "plaza",
    "house",
    "lodge",
    "cottage",
    "farm",
    "hall",
    "court",
];

/// Unit and building words inside an address.
const UNIT_WORDS: &[&str] = &[
    "flat",
    "apt",
    "apt.",
    "apto",
    "apto.",
    "apartment",
    "suite",
    "ste",
    "ste.",
    "unit",
    "house",
    "no",
    "no.",
    "h.no.",
    "h.no",
    "#",
    "piso",
    "planta",
    "puerta",
    "bis",
    "ter",
    "col.",
    "hs",
    "bus",
    "floor",
    "fl.",
    "plot",
    "door",
    "m.",
    "lok.",
    "bloco",
    "andar",
    "etage",
    "stiege",
    "top",
    "tür",
    "izq.",
    "dcha.",
    "izq",
    "dcha",
    "escalera",
    "esc.",
    "bte",
    "boîte",
    "lgh",
];

/// Lowercase connecting words inside street and place names.
const PARTICLES: &[&str] = &[
    "de", "da", "do", "dos", "das", "du", "des", "la", "le", "les", "del", "della", "delle", "dei",
    "degli", "di", "van", "den", "der", "von", "y", "e", "sur", "upon", "on", "am", "im", "an",
    "of", "l'", "d'", "el", "al", "st",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tok {
    /// A house or unit number ("12", "12b", "12/3", "14th", "3º").
    Num,
    /// A postcode-shaped token ("10115", "01310-100", "00-514", "SW1A", "H3B", "D02").
    Post,
    /// A street-type word.
    Street,
    /// A unit or building word.
    Unit,
    /// A connecting word ("de", "van").
    Particle,
    /// A place or name word.
    Word,
    /// Two or three capitals ("NY", "QLD", "SP").
    State,
}

struct Walk {
    end: usize,
    nums: usize,
    posts: usize,
    streets: usize,
    words: usize,
    first: Option<Tok>,
    last: Option<Tok>,
    /// The word after the span is a clause end (or there is nothing).
    clean_end: bool,
}

/// The word lists as hash sets: every token of a walk is looked up in them, and linear
/// scans of the lists were most of the walk's cost. Street and building words classify
/// the same, so they share one set.
static UNIT_SET: LazyLock<WordSet> = LazyLock::new(|| UNIT_WORDS.iter().copied().collect());
static STREET_OR_BUILDING_SET: LazyLock<WordSet> =
    LazyLock::new(|| STREET_WORDS.iter().chain(BUILDING_WORDS).copied().collect());
static PARTICLE_SET: LazyLock<WordSet> = LazyLock::new(|| PARTICLES.iter().copied().collect());

fn classify(tok: &str, lc_text: bool, buf: &mut Lower, seen_street: bool) -> Option<Tok> {
    let lw = lower(tok, buf);
    if UNIT_SET.contains(lw) {
        return Some(Tok::Unit);
    }
    if STREET_OR_BUILDING_SET.contains(lw)
        || lw
            .strip_suffix('s')
            .is_some_and(|x| STREET_OR_BUILDING_SET.contains(x))
    {
        return Some(Tok::Street);
    }
    let b = tok.as_bytes();
    if b[0].is_ascii_digit() || (b[0] == b'#' && b.len() > 1 && b[1].is_ascii_digit()) {
        return number_shape(tok).or_else(|| is_alnum_postcode(tok).then_some(Tok::Post));
    }
    if PARTICLE_SET.contains(lw) || lw.starts_with("l'") || lw.starts_with("d'") {
        return Some(Tok::Particle);
    }
    // postcodes with letters: UK outward code, Canadian FSA, Irish routing key
    if is_alnum_postcode(tok) {
        return Some(Tok::Post);
    }
    let letters = tok
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'));
    if !letters {
        return None;
    }
    if (2..=3).contains(&tok.len()) && tok.bytes().all(|c| c.is_ascii_uppercase()) {
        return Some(Tok::State);
    }
    let core = lw.trim_end_matches('.');
    if core.chars().count() < 2 {
        return None;
    }
    // German/Dutch/Nordic compound streets and English street types glued to a name
    if [
        "straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "straat", "gracht", "laan",
        "plein", "kade", "gatan", "vägen", "gade", "vej", "veien", "ring", "damm",
    ]
    .iter()
    .any(|s| lw.len() > s.len() + 2 && lw.ends_with(s))
    {
        return Some(Tok::Street);
    }
    let common = is_common(core);
    if is_capitalised(tok) {
        if !common || seen_street {
            return Some(Tok::Word);
        }
        return None;
    }
    if !common && (lc_text || seen_street) {
        return Some(Tok::Word);
    }
    None
}

/// Numbers: house numbers and postcodes by shape.
fn number_shape(tok: &str) -> Option<Tok> {
    let t = tok.trim_start_matches('#');
    let b = t.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let rest = &t[digits..];
    if rest.is_empty() {
        return Some(if digits >= 4 { Tok::Post } else { Tok::Num });
    }
    let rb = rest.as_bytes();
    // 01310-100, 1100-053, 00-514, 12345-6789
    if rb[0] == b'-' && rest[1..].bytes().all(|c| c.is_ascii_digit()) && rest.len() >= 3 {
        return Some(if digits >= 2 { Tok::Post } else { Tok::Num });
    }
    if digits > 5 {
        return None;
    }
    // a Dutch postcode written together: "5813OV" (lower case, but not a unit: "4000km")
    if digits == 4
        && rest.len() == 2
        && rb.iter().all(u8::is_ascii_alphabetic)
        && (rb.iter().all(u8::is_ascii_uppercase)
            || !matches!(
                rest,
                "km" | "kg" | "kr" | "mm" | "cm" | "ml" | "pm" | "am" | "th" | "st" | "nd" | "rd"
            ))
    {
        return Some(Tok::Post);
    }
    let lr = rest.to_ascii_lowercase();
    if matches!(lr.as_str(), "st" | "nd" | "rd" | "th" | "º" | "ª" | "°")
        || rest == "º"
        || rest == "ª"
    {
        return Some(Tok::Num);
    }
    // 12b, 12/3, 12-14, 12/3a, 136/79
    if rest.chars().count() == 1 && rest.chars().all(char::is_alphabetic) {
        return Some(Tok::Num);
    }
    // a Dutch floor in Roman numerals: "354-III", "2-iii"
    if rb[0] == b'-'
        && (2..=4).contains(&rest.len())
        && rest[1..]
            .bytes()
            .all(|c| matches!(c, b'I' | b'V' | b'i' | b'v'))
    {
        return Some(Tok::Num);
    }
    if (rb[0] == b'/' || rb[0] == b'-')
        && rest.len() >= 2
        && rest[1..].bytes().all(|c| c.is_ascii_alphanumeric())
        && rest[1..].bytes().next().is_some_and(|c| c.is_ascii_digit())
    {
        return Some(Tok::Num);
    }
    None
}

/// "SW1A", "NG9", "3WF" (UK), "H3B", "6A5" (CA), "D02", "F5P2" (IE): 2-4 characters
/// mixing upper-case letters and digits.
fn is_alnum_postcode(tok: &str) -> bool {
    let n = tok.len();
    (2..=4).contains(&n)
        && tok
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && tok.bytes().any(|c| c.is_ascii_digit())
        && tok.bytes().any(|c| c.is_ascii_uppercase())
}

/// Split off the next token at `pos` (after at most one separator). Returns
/// (token start, token end, separator had a comma, separator was " - ").
fn next_tok(text: &str, pos: usize, first: bool) -> Option<(usize, usize, bool, bool)> {
    let b = text.as_bytes();
    let mut i = pos;
    let mut comma = false;
    let mut dash = false;
    let mut spaces = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' => spaces += 1,
            b',' if !comma && !dash => comma = true,
            b'-' if spaces > 0 && !dash && !comma && b.get(i + 1) == Some(&b' ') => dash = true,
            _ => break,
        }
        i += 1;
    }
    if i == pos && !first {
        return None;
    }
    if i >= b.len() || spaces > 3 {
        return None;
    }
    let s = i;
    let mut e = s;
    while e < b.len()
        && !matches!(
            b[e],
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b';' | b'!' | b'?' | b'(' | b')' | b'"'
        )
    {
        e += 1;
    }
    // a final '.' belongs to abbreviations ("Av.", "No.", "St.") but not to a sentence
    while e > s && b[e - 1] == b'.' {
        let word = &text[s..e - 1];
        let abbrev = !word.is_empty()
            && word.len() <= 5
            && word.chars().all(|c| c.is_alphabetic() || c == '.');
        if abbrev
            && e < b.len()
            && b[e] == b' '
            && b.get(e + 1).is_some_and(|c| c.is_ascii_alphanumeric())
        {
            break;
        }
        e -= 1;
    }
    if e <= s {
        return None;
    }
    Some((s, e, comma, dash))
}

/// Walk address-shaped tokens from `pos`. `tail`: continuing after a street core (only
/// units, numbers, postcodes, states and place words after a comma or a postcode).
fn walk(text: &str, pos: usize, lc_text: bool, tail: bool, buf: &mut Lower) -> Walk {
    let mut w = Walk {
        end: pos,
        nums: 0,
        posts: 0,
        streets: 0,
        words: 0,
        first: None,
        last: None,
        clean_end: false,
    };
    let mut i = pos;
    let mut seen_street = tail;
    let mut n = 0;
    let mut prev: Option<Tok> = None;
    let mut pending_end = pos;
    let mut seg_end = pos;
    while n < 16 {
        let Some((s, e, comma, dash)) = next_tok(text, i, n == 0 && !tail) else {
            break;
        };
        if text[i..s].contains('\n') {
            break;
        }
        let tok = &text[s..e];
        // '@' (e-mail) or ':' (which covers "://" of a URL)
        if tok.bytes().any(|c| c == b'@' || c == b':') {
            break;
        }
        if comma {
            seg_end = pending_end;
        }
        let mut k = match classify(tok, lc_text, buf, seen_street && !comma) {
            Some(k) => k,
            // an everyday word inside a building or street name ("lake view towers")
            None if n > 0 && street_later_in_segment(text, e, lc_text, buf) => Tok::Word,
            None => break,
        };
        // lowercase postcode letters in lowercase text ("4365 sv", "sw1a 2aa")
        // "9422 ZK" (NL), "4365 sv": the letters belong to the postcode
        if (k == Tok::State || (k == Tok::Word && lc_text))
            && prev == Some(Tok::Post)
            && tok.len() == 2
            && !comma
        {
            k = Tok::Post;
        }
        if tail {
            // after the street core, words need a comma, a postcode or a state before them
            let ok = match k {
                Tok::Word | Tok::Particle => {
                    comma
                        || dash
                        || matches!(
                            prev,
                            Some(Tok::Post | Tok::Word | Tok::Particle | Tok::Unit | Tok::Num)
                        )
                }
                Tok::State => {
                    comma || dash || matches!(prev, Some(Tok::Word | Tok::Post | Tok::State))
                }
                Tok::Street => comma || matches!(prev, Some(Tok::Word | Tok::Particle)),
                _ => true,
            };
            if !ok {
                break;
            }
            if matches!(k, Tok::Word) && !comma && prev.is_none() {
                break;
            }
        }
        if dash && !matches!(k, Tok::Post | Tok::State | Tok::Num) {
            break;
        }
        if w.first.is_none() {
            w.first = Some(k);
        }
        match k {
            Tok::Num => w.nums += 1,
            Tok::Post => w.posts += 1,
            Tok::Street => {
                w.streets += 1;
                seen_street = true;
            }
            Tok::Word | Tok::State => w.words += 1,
            _ => {}
        }
        prev = Some(k);
        n += 1;
        i = e;
        if !matches!(k, Tok::Particle) {
            pending_end = e;
            w.last = Some(k);
        }
        // a sentence ends after this token
        let b = text.as_bytes();
        if e < b.len() && b[e] == b'.' && b.get(e + 1).is_none_or(|c| c.is_ascii_whitespace()) {
            break;
        }
    }
    w.end = pending_end;
    let rest = text[w.end..].trim_start_matches([' ', '\t']);
    w.clean_end = rest.is_empty()
        || rest.starts_with(['.', ',', '!', '?', ';', '\n', '\r', ')', '-'])
        || [
            "and ", "please", "pls", "instead", "thanks", "thank", "asap", "today", "tomorrow",
            // the sentence goes on: "the family home on Husova 1231/48 was sold in 2012"
            "was ", "were ", "is ", "since ", "until ", "but ", "so ", "which ", "where ", "when ",
            "or ",
        ]
        .iter()
        .any(|x| {
            rest.len() >= x.len()
                && rest.is_char_boundary(x.len())
                && rest[..x.len()].eq_ignore_ascii_case(x)
        });
    // the last segment ran into the sentence: keep the segments before it
    if !w.clean_end && seg_end > pos && !tail {
        w.end = seg_end;
        w.clean_end = true;
    }
    w
}

/// Extend the street candidates in `out[from..]` over the number before and the tail after.
pub(super) fn extend(text: &str, lc_text: &LowercaseText<'_>, out: &mut [Cand], from: usize) {
    let mut buf = Lower::new();
    for c in out[from..].iter_mut() {
        if c.kind != PiiKind::StreetAddress {
            continue;
        }
        // left: "2 bis boulevard ...", "H.No. 648, Link Road", "Flat 12, ..."
        let lo = floor_boundary(text, c.start.saturating_sub(24));
        let before = &text[lo..c.start];
        let starts_digit = text.as_bytes().get(c.start).is_some_and(u8::is_ascii_digit);
        let re: &Regex = if starts_digit {
            &LEFT_UNIT
        } else {
            &LEFT_NUMBER
        };
        if let Some(m) = re.find(before) {
            let s = lo + m.start();
            if super::lexicon::left_clear(text, s) || text[s..].starts_with('#') {
                c.start = s;
            }
        }
        // a core that stops inside a token ("London NG" of "NG9 3WF") takes the whole token
        let b = text.as_bytes();
        if c.end > 0 && b[c.end - 1].is_ascii_alphanumeric() {
            while c.end < b.len() && b[c.end].is_ascii_alphanumeric() {
                c.end += 1;
            }
        }
        // right: tail of numbers, units, postcodes, places, states
        let w = walk(text, c.end, lc_text.get_at(c.end), true, &mut buf);
        if w.end > c.end {
            c.end = w.end;
        }
    }
}

/// Addresses right after an address cue, by shape.
pub(super) fn cue_addresses(
    text: &str,
    lc_text: &LowercaseText<'_>,
    starts: &Starts,
    out: &mut Vec<Cand>,
) {
    let mut buf = Lower::new();
    for m in starts.find_iter(super::Cue::Address, text) {
        let cue_end = m.start() + m.as_str().trim_end().len();
        if !super::lexicon::right_clear(text, cue_end) && !m.as_str().ends_with([':', '-']) {
            continue;
        }
        let mut pos = cue_end;
        let b = text.as_bytes();
        while pos < b.len() && matches!(b[pos], b' ' | b':' | b'-' | b'\t') {
            pos += 1;
        }
        // skip a determiner-free start only: "my office" is not an address
        let w = walk(text, pos, lc_text.get_at(pos), false, &mut buf);
        if w.end <= pos {
            continue;
        }
        let has_number = w.nums + w.posts > 0;
        let has_place = w.words + w.streets > 0;
        if !has_number || !has_place {
            continue;
        }
        let shaped = matches!(w.first, Some(Tok::Num | Tok::Unit | Tok::Street))
            || w.streets > 0
            || w.posts > 0
            || (matches!(w.last, Some(Tok::Num)) && w.clean_end);
        if !shaped || !w.clean_end {
            continue;
        }
        // a lone "12 March" or "5 Euros" is not an address: need two place-ish tokens or a
        // street word
        if w.words + w.streets + w.posts + w.nums < 2 {
            continue;
        }
        out.push(Cand::new(
            pos,
            w.end,
            PiiKind::StreetAddress,
            Prio::ADDRESS_CUE,
        ));
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A street or building word follows within the same comma-separated segment (at most
/// two tokens on).
fn street_later_in_segment(text: &str, mut pos: usize, lc_text: bool, buf: &mut Lower) -> bool {
    for _ in 0..2 {
        let Some((s, e, comma, dash)) = next_tok(text, pos, false) else {
            return false;
        };
        if comma || dash || text[pos..s].contains('\n') {
            return false;
        }
        if classify(&text[s..e], lc_text, buf, false) == Some(Tok::Street) {
            return true;
        }
        pos = e;
    }
    false
}
