//! Street addresses in the shapes customers write them:
//!
//! * number first, street type last (US, UK, IE, AU, CA): "5939 Simmons Court", "Flat 4b,
//!   Scott Village", "12 High St";
//! * number first, street type first (FR, BE): "16, chemin de la Gare";
//! * compound street name, number after (DE, AT, CH, NL, Nordics): "Keudelstr. 58",
//!   "Justus-Sontag-Platz 9/3", "Kalverstraat 12";
//! * street type, name, number (IT, ES, PT, BR, PL): "Via Roma 10", "Rua Augusta 100",
//!   "ul. Długa 5";
//! * PO boxes;
//!
//! each followed by what usually trails it: unit ("Apt. 5"), city, state and ZIP, UK,
//! Irish, Canadian, Dutch and Polish postcodes, 4-5 digit postal codes with the city, and
//! a country.
//!
//! Regexes find the core; code checks that the street-name words are not everyday words
//! ("after 2 weeks on the way" is not an address) and walks the tail.

use super::gate::Starts;
use super::lexicon::{
    has, is_capitalised, is_common, left_clear, lookup, lower, next_digit, next_word, Lower,
    LowercaseText, WordSet,
};
use super::{Cand, PiiKind, Prio};
use memchr::memmem::Finder;
use regex::Regex;
use std::sync::LazyLock;

const EN_SUFFIX: &str = "alley|annex|arcade|avenue|ave|bayou|beach|bend|bluff|bottom|boulevard|blvd|branch|bridge|brook|burg|bypass|camp|canyon|cape|causeway|center|centre|circle|cir|cliff|club|common|corner|course|court|ct|cove|creek|crescent|cres|crest|crossing|crossroad|curve|dale|dam|divide|drive|dr|estate|expressway|extension|fall|ferry|field|flat|ford|forest|forge|fork|fort|freeway|garden|gdns|gateway|glen|green|grove|harbor|harbour|haven|heights|highway|hwy|hill|hollow|inlet|island|isle|junction|key|knoll|lake|land|landing|lane|ln|light|loaf|lock|lodge|loop|mall|manor|meadow|mews|mill|mission|motorway|mount|mountain|neck|orchard|oval|overpass|park|parkway|pkwy|pass|passage|path|pike|pine|place|pl|plain|plaza|point|port|prairie|radial|ramp|ranch|rapid|rest|ridge|river|road|rd|route|row|rue|run|shoal|shore|skyway|spring|spur|square|sq|station|stravenue|stream|street|st|summit|terrace|ter|throughway|trace|track|trafficway|trail|trl|tunnel|turnpike|underpass|union|valley|via|viaduct|view|village|ville|vista|walk|wall|way|well|wharf|wynd|yard|quay|parade|esplanade|promenade|broadway|croft|gate|lawn|mead|paddock|brae|circus|dene|drove|garth|glade|hurst|spinney|close|rise|vale|heath|chase|brace|brow|circuit|concourse|copse|dip|fairway|frontage|gap|grange|meander|nook|outlook|pocket|retreat|rosebowl|slope|crossway|boardwalk|cul-de-sac";

/// Suffixes that are strong enough to accept a lowercase street name in mixed-case text.
const STRONG_EN_SUFFIX: &[&str] = &[
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "boulevard",
    "blvd",
    "drive",
    "lane",
    "ln",
    "crescent",
    "terrace",
    "parkway",
    "highway",
    "close",
    "gardens",
    "mews",
];

const DE_SUFFIX: &str = "straße|strasse|str|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad|markt|graben|hof|berg|kamp|feld|straat|laan|plein|gracht|kade|singel|dijk|steeg|vej|gade|gatan|vägen|väg|veien|gata|gränd|torget|plads|gässli|stieg|bogen|dreef|baan|boulevard|pad|haven|wal|park|torv|gaten|plassen|katu|tie|kuja|polku|väylä|tori|kaari|vegur|stræti|stígur|braut";

/// [`DE_SUFFIX`]'s suffixes and their lengths in characters, split once.
static DE_SUFFIXES: LazyLock<Vec<(&'static str, usize)>> = LazyLock::new(|| {
    DE_SUFFIX
        .split('|')
        .map(|suf| (suf, suf.chars().count()))
        .collect()
});

static MILITARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:(?:USNS|USNV|USS|USCGC)\s+[\p{L}][\p{L}'\-]*|unit\s+\d{3,5},?\s+box\s+\d{3,5}|psc\s+\d{3,5},?\s+box\s+\d{3,5}),?\s+(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5}(?-u:\b)")
        .expect("static regex")
});

/// French streets without a house number ("rue Le Goff, 75001 Paris"); only the
/// unambiguous street types; the name is checked by code.
/// French street types without a number before them ("rue de la Paix"), searched at word
/// starts ([`super::Cue::FrenchStreet`]). Case variants spelled out, not `(?i)`.
pub(super) const FRENCH_BARE_PATTERN: &str = r"(?-u:\b)(?:[Rr]ue|RUE|[Aa]venue|AVENUE|[Bb]oulevard|BOULEVARD|[Cc]hemin|CHEMIN|[Aa]ll[ée]e|ALL[ÉE]E|[Ii]mpasse|IMPASSE|[Qq]uai|QUAI) ";

static PO_BOX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:p\.?\s?o\.?\s?box|post\s+office\s+box|postfach|apartado)\s+\d{1,7}(?-u:\b)")
        .expect("static regex")
});

static TAIL_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^,?\s+(?:apt|apartment|suite|ste|unit|flat|room|rm|floor|fl|#|no|lgh)\.?\s*#?\s*[a-z0-9][a-z0-9\-]{0,5}(?-u:\b)")
        .expect("static regex")
});

static TAIL_POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:,\s*|\s+)(?:",
        r"(?P<state>[A-Za-z]{2}\.?\s+\d{5}(?:-\d{4})?|(?:NSW|VIC|QLD|TAS|ACT|SA|WA|NT),?\s+\d{4})",
        r"|(?P<ca>[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d)",
        r"|(?P<uk>[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2})",
        r"|(?P<eir>[A-Za-z]\d{2}\s?[A-Za-z0-9]{4})",
        // longest first: "1100-053" (PT) and "20040-002" (BR) before "1100"
        // "150-0001" (JP), "LV-1001", "LT-76297": shapes of their own, so no city has to
        // follow them
        r"|(?P<jp>\d{3}-\d{4})|(?P<cc>[A-Za-z]{1,2}-\d{4,5})",
        r"|(?P<num>\d{4,5}-\d{3}|\d{2}-\d{3}|\d{4,5}(?:\s?[A-Z]{2}(?-u:\b))?)",
        r")(?-u:\b)"
    ))
    .expect("static regex")
});

/// ", Col. ": the word that opens a neighbourhood's name.
static NEIGHBOURHOOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^,\s*(?:col\.|colonia|bairro|fracc\.|fraccionamiento|barrio)\s+")
        .expect("static regex")
});

/// " - RJ": a two-letter state or province code after a dash (Brazilian addresses).
static STATE_AFTER_DASH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+-\s+[A-Z]{2}(?-u:\b)").expect("static regex"));

static TAIL_COUNTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^,?\s*(?:usa|u\.s\.a\.|united states(?: of america)?|uk|united kingdom|ireland|germany|deutschland|france|spain|españa|italy|italia|netherlands|the netherlands|poland|polska|portugal|brazil|brasil|canada|australia|india|belgium|austria|switzerland|sweden|norway|denmark|finland)(?-u:\b)")
        .expect("static regex")
});

/// Words that may open or join street and city names although they are everyday words.
const NAME_OK: &[&str] = &[
    "north", "south", "east", "west", "n", "s", "e", "w", "ne", "nw", "se", "sw", "old", "new",
    "upper", "lower", "little", "great", "saint", "sainte", "st", "mount", "mt", "lake", "high",
    "port", "fort", "san", "santa", "le", "la", "les", "de", "du", "des", "sur", "am", "an", "der",
    "bei", "upon", "park", "green", "hill", "king", "queen", "church", "main", "market", "station",
    "mill", "bridge", "long", "court", "spring", "forest", "valley", "river", "view", "rose",
    "cherry", "oak", "elm", "maple", "pine", "cedar", "willow", "ash", "birch", "first", "second",
    "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "victoria",
    "london", "york", "west",
];

/// Words that never name a street, even before "Street".
const FUNCTION_WORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "my",
    "your",
    "his",
    "her",
    "our",
    "their",
    "its",
    "this",
    "that",
    "these",
    "those",
    "to",
    "in",
    "on",
    "at",
    "of",
    "for",
    "from",
    "with",
    "by",
    "down",
    "up",
    "into",
    "onto",
    "over",
    "under",
    "across",
    "along",
    "and",
    "or",
    "but",
    "is",
    "was",
    "are",
    "were",
    "be",
    "been",
    "i",
    "you",
    "he",
    "she",
    "it",
    "we",
    "they",
    "me",
    "him",
    "them",
    "us",
    "same",
    "other",
    "another",
    "next",
    "each",
    "every",
    "any",
    "some",
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "times",
    "days",
    "weeks",
    "months",
    "years",
    "hours",
    "minutes",
    "blocks",
    "doors",
    "miles",
    "euros",
    "dollars",
    "pounds",
    "cards",
    "accounts",
    "payments",
    "transfers",
    "not",
];

/// Quantity words: "Via Apple Pay 3 times" is not an address.
const AFTER_NUMBER_STOP: &[&str] = &[
    "times",
    "time",
    "days",
    "day",
    "weeks",
    "week",
    "months",
    "month",
    "years",
    "year",
    "hours",
    "hour",
    "minutes",
    "mins",
    "euros",
    "euro",
    "dollars",
    "pounds",
    "percent",
    "items",
    "cards",
    "transactions",
    "payments",
    "attempts",
    "tries",
    "eur",
    "usd",
    "gbp",
];

struct Ctx<'t> {
    text: &'t str,
    lowercase_text: LowercaseText<'t>,
    buf: Lower,
    /// A second scratch buffer, for a word that must stay lowercased while others are
    /// looked up in `buf`.
    word: Lower,
}

impl Ctx<'_> {
    /// A street/city word that is acceptable as part of a name.
    fn name_word_ok(&mut self, w: &str) -> bool {
        let lw = lower(w, &mut self.buf);
        if NAME_OK_SET.contains(lw) {
            return true;
        }
        let lex = lookup(lw);
        if lex.named() {
            return true;
        }
        !lex.common() && lw.chars().count() >= 2
    }

    /// A street-name word before an English street type. `None`: not acceptable;
    /// `Some(real)`: acceptable, and whether it carries name evidence (not just "North").
    fn street_word(&mut self, w: &str, strong: bool) -> Option<bool> {
        let lw = lower(w, &mut self.buf);
        let lex = lookup(lw);
        let named = lex.named();
        if NAME_OK_SET.contains(lw) {
            return Some(named);
        }
        if lw.chars().count() < 2 {
            return None;
        }
        if named {
            return Some(true);
        }
        if lex.common() {
            return (strong && !FUNCTION_WORD_SET.contains(lw)).then_some(true);
        }
        Some(true)
    }

    fn case_ok(&self, w: &str) -> bool {
        is_capitalised(w) || self.lowercase_text.get_for(w)
    }

    /// City words after a comma or postcode: up to four acceptable words.
    fn city_words(&mut self, from: usize) -> usize {
        let mut end = from;
        let mut i = from;
        let mut n = 0;
        while n < 4 {
            let Some((s, e)) = next_word(self.text, i, 2) else {
                break;
            };
            let w = &self.text[s..e];
            if n > 0 && is_particle_word(lower(w, &mut self.buf)) {
                // "Rio de Janeiro", "Ciudad de México": a particle inside a city name
                match next_word(self.text, e, 2) {
                    Some((s2, e2))
                        if is_capitalised(&self.text[s2..e2])
                            && self.name_word_ok(&self.text[s2..e2]) =>
                    {
                        n += 1;
                        end = e2;
                        i = e2;
                        continue;
                    }
                    _ => break,
                }
            }
            if !self.case_ok(w) || !self.name_word_ok(w) {
                break;
            }
            n += 1;
            end = e;
            i = e;
        }
        end
    }

    /// Unit, postcode, city and country after a street; returns the new end.
    fn tail(&mut self, mut end: usize) -> usize {
        let text = self.text;
        if let Some(m) = TAIL_UNIT.find(&text[end..]) {
            end += m.end();
        }
        let mut rounds = 0;
        while rounds < 3 {
            rounds += 1;
            let rest = &text[end..];
            if let Some(c) = TAIL_POSTCODE.captures(rest) {
                let m_end = c.get(0).map_or(0, |m| m.end());
                let is_state = c.name("state").is_some();
                let is_num = c.name("num").is_some();
                // A bare 4-5 digit number after a street with no comma is only a postcode
                // when a city follows.
                let after = end + m_end;
                if is_num {
                    let city_end = self.city_words(after);
                    if city_end == after && !rest.starts_with(',') {
                        break;
                    }
                    end = city_end;
                    break;
                }
                end = after;
                if !is_state {
                    end = self.city_words(end);
                }
                break;
            }
            // "Col. Centro" (MX), "Bairro Centro" (BR): a neighbourhood before the city
            if let Some(m) = NEIGHBOURHOOD.find(rest) {
                let city_end = self.city_words(end + m.end());
                if city_end > end + m.end() {
                    end = city_end;
                    continue;
                }
            }
            // "Rio de Janeiro - RJ": a state code after a dash
            if let Some(st) = STATE_AFTER_DASH.find(rest) {
                end += st.end();
                continue;
            }
            if let Some(r) = rest.strip_prefix(',') {
                let skip = 1 + (r.len() - r.trim_start_matches([' ', '\t']).len());
                let city_end = self.city_words(end + skip);
                if city_end == end + skip {
                    break;
                }
                // lowercase cities only when a postcode confirms them
                let confirmed = TAIL_POSTCODE.is_match(&text[city_end..])
                    || is_capitalised(&text[end + skip..city_end]);
                if !confirmed {
                    break;
                }
                end = city_end;
                continue;
            }
            break;
        }
        if let Some(m) = TAIL_COUNTRY.find(&text[end..]) {
            end += m.end();
        }
        end
    }
}

static EN_SUFFIX_SET: LazyLock<WordSet> = LazyLock::new(|| EN_SUFFIX.split('|').collect());

/// The longer word lists as hash sets: they are consulted for every word next to a
/// number, and a linear scan of 60-90 strings cost more than the rest of the check.
static NAME_OK_SET: LazyLock<WordSet> = LazyLock::new(|| NAME_OK.iter().copied().collect());
static FUNCTION_WORD_SET: LazyLock<WordSet> =
    LazyLock::new(|| FUNCTION_WORDS.iter().copied().collect());
static ROMANCE_TYPE_SET: LazyLock<WordSet> =
    LazyLock::new(|| ROMANCE_TYPE_WORDS.iter().copied().collect());

/// French street types that come right after the house number ("16, rue ...").
const FR_TYPE_WORDS: &[&str] = &[
    "rue",
    "avenue",
    "av",
    "boulevard",
    "bd",
    "chemin",
    "allée",
    "allee",
    "impasse",
    "place",
    "quai",
    "route",
    "cours",
    "passage",
    "square",
    "voie",
    "sentier",
    "rond-point",
    "faubourg",
    "promenade",
    "cité",
    "hameau",
    "résidence",
    "parvis",
    "esplanade",
    "lotissement",
];
/// Street types that come before the name, with the number after it ("Via Roma 10").
const ROMANCE_TYPE_WORDS: &[&str] = &[
    "via",
    "viale",
    "piazza",
    "piazzale",
    "corso",
    "largo",
    "vicolo",
    "contrada",
    "calle",
    "carrer",
    "avenida",
    "avda",
    "paseo",
    "plaza",
    "camino",
    "carretera",
    "ronda",
    "travesía",
    "travesia",
    "rua",
    "travessa",
    "alameda",
    "estrada",
    "praça",
    "praca",
    "ul",
    "ulica",
    "al",
    "aleja",
    "os",
    "osiedle",
    "plac",
    "av",
    "avinguda",
    "canale",
    "stretto",
    "borgo",
    "strada",
    "callejón",
    "callejon",
    "vial",
    "pasaje",
    "pasadizo",
    "glorieta",
    "rambla",
    "cuesta",
    "urbanización",
    "urbanizacion",
    "carrera",
    "rúa",
    "beco",
    "vereda",
    "rotonda",
    "vía",
    "piazzetta",
    "traversa",
    "lungomare",
    "passeig",
    "travessera",
    "str",
    "bd",
    "bdul",
    "bulevardul",
    "calea",
    "aleea",
    "șoseaua",
    "soseaua",
    "șos",
    "sos",
    "splaiul",
    "intrarea",
    "piața",
    "piata",
];

/// Street types written after the name and before the house number as a word of their
/// own, as Latvian, Lithuanian, Estonian and Hungarian addresses do ("Brīvības iela 12",
/// "Gedimino pr. 5", "Pikk tn 7", "Király utca 3."). Those with a dot in the text must
/// keep it ("g.", "pr.").
const TYPE_AFTER_WORDS: &[&str] = &[
    // Latvian
    "iela",
    "bulvāris",
    "gatve",
    "prospekts",
    "dambis",
    "laukums",
    "šoseja",
    "krastmala",
    "aleja",
    // Lithuanian
    "gatvė",
    "g",
    "prospektas",
    "pr",
    "al",
    "pl",
    "skg",
    // Estonian
    "tänav",
    "tn",
    "maantee",
    "mnt",
    "puiestee",
    "pst",
    "väljak",
    // Hungarian
    "utca",
    "u",
    "út",
    "útja",
    "körút",
    "krt",
    "tér",
    "sor",
    "köz",
    "fasor",
    "sétány",
    "rakpart",
    "dűlő",
    // German, written apart from the name ("Mariahilfer Straße", "Kölner Weg")
    "straße",
    "strasse",
    "gasse",
    "weg",
    "allee",
    "platz",
    "chaussee",
    // Dutch
    "straat",
    "laan",
    "gracht",
    "plein",
    "kade",
    "singel",
    // Nordic ("Olav Tryggvasons gate", "Drottning Kristinas väg")
    "gate",
    "gata",
    "gatan",
    "vej",
    "väg",
    "vägen",
    "gade",
    "gränd",
    "allé",
    // Finnish ("Pispalan valtatie")
    "valtatie",
    "katu",
    "kuja",
];

/// [`TYPE_AFTER_WORDS`] as a set.
static TYPE_AFTER_SET: LazyLock<WordSet> =
    LazyLock::new(|| TYPE_AFTER_WORDS.iter().copied().collect());
const UNIT_WORDS: &[&str] = &[
    "flat",
    "apartment",
    "apt",
    "unit",
    "studio",
    "suite",
    "ste",
    "room",
];
const PARTICLES: &[&str] = &[
    "de", "du", "des", "la", "le", "les", "del", "della", "delle", "dei", "di", "da", "do", "dos",
    "das", "las", "los", "el",
];

fn is_particle_word(lw: &str) -> bool {
    PARTICLES.contains(&lw)
        || lw.starts_with("l'")
        || lw.starts_with("d'")
        || lw.starts_with("dell'")
}

/// Is this (lowercase) word an English street type, singular or plural?
fn is_en_suffix(lw: &str) -> bool {
    EN_SUFFIX_SET.contains(lw)
        || lw
            .strip_suffix('s')
            .is_some_and(|x| x.len() > 2 && EN_SUFFIX_SET.contains(x))
}

/// End of a house number starting at `d`: 1-`max_digits` digits, an optional letter
/// ("46c"), an optional "-12" or "/3" part. `None` if the digits are glued to letters or
/// too long.
fn house_number_end(b: &[u8], d: usize, max_digits: usize) -> Option<usize> {
    let mut i = d;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i - d > max_digits {
        return None;
    }
    let lone_letter = |i: usize| {
        i < b.len()
            && b[i].is_ascii_alphabetic()
            && !b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
    };
    if lone_letter(i) {
        i += 1;
    } else if i + 1 < b.len()
        && b[i] == b' '
        && matches!(b[i + 1], b'A'..=b'H')
        && b.get(i + 2).is_none_or(|c| {
            c.is_ascii_whitespace()
                || matches!(c, b',' | b';' | b')' | b'?' | b'!')
                || (*c == b'.' && b.get(i + 3).is_none_or(u8::is_ascii_whitespace))
        })
    {
        // Nordic "Strandkaien 9 B", "Kongens gate 29 C": the entrance letter apart
        i += 2;
    }
    // up to three more parts: "12-14", "1976/25", Austrian "90/8/9" (house, stair, door)
    for part in 0..3 {
        let mut j = i;
        if part == 0 && j + 1 < b.len() && b[j] == b' ' && matches!(b[j + 1], b'-' | b'/') {
            j += 1;
        }
        if !(j < b.len() && matches!(b[j], b'-' | b'/')) {
            break;
        }
        let mut k = j + 1;
        if part == 0 && k < b.len() && b[k] == b' ' {
            k += 1;
        }
        let ks = k;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k == ks {
            // no digits after the sign: the last part, if a letter after a slash (Italian
            // "75/B") or a Dutch floor in Roman numerals after a dash ("354-III", "2-iii")
            if b[j] == b'/' {
                if k < b.len() && b[k].is_ascii_alphabetic() {
                    k += 1;
                }
            } else {
                while k < b.len() && k - ks < 4 && matches!(b[k], b'I' | b'V' | b'i' | b'v') {
                    k += 1;
                }
            }
            if k > ks && !b.get(k).is_some_and(u8::is_ascii_alphanumeric) {
                i = k;
            }
            break;
        }
        if k - ks > 5 {
            break;
        }
        i = k;
        if lone_letter(i) {
            i += 1;
        }
    }
    if i < b.len() && b[i].is_ascii_alphanumeric() {
        return None;
    }
    Some(i)
}

/// Up to `max` words after `pos`, separated by spaces only.
fn collect_words(text: &str, mut pos: usize, max: usize, out: &mut Vec<(usize, usize)>) {
    out.clear();
    while out.len() < max {
        let Some((s, e)) = next_word(text, pos, 2) else {
            break;
        };
        if !out.is_empty() && s == pos {
            break;
        }
        out.push((s, e));
        pos = e;
    }
}

/// The word ending exactly at `end` (letters, inner hyphens and apostrophes).
fn word_ending_at(text: &str, end: usize) -> Option<(usize, usize)> {
    let mut s = end;
    for (i, c) in text[..end].char_indices().rev() {
        if c.is_alphabetic() || (matches!(c, '-' | '\'' | '’') && s < end) {
            s = i;
        } else {
            break;
        }
    }
    while s < end && !text[s..].starts_with(char::is_alphabetic) {
        s += text[s..].chars().next().map_or(1, char::len_utf8);
    }
    (s < end).then_some((s, end))
}

/// Skip 1-2 spaces backwards from `p`; `None` if there are none.
fn back_spaces(b: &[u8], p: usize) -> Option<usize> {
    let mut q = p;
    while q > 0 && p - q < 2 && b[q - 1] == b' ' {
        q -= 1;
    }
    (q < p).then_some(q)
}

/// Start offsets of digit runs (a digit not preceded by a digit).
fn digit_runs(b: &[u8], out: &mut Vec<usize>) {
    out.clear();
    let mut i = next_digit(b, 0);
    while i < b.len() {
        // next_digit lands on the first digit after a non-digit: a run's start
        out.push(i);
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i = next_digit(b, i + run);
    }
}

/// Street addresses, see the module documentation.
pub(super) fn addresses(text: &str, has_digit: bool, starts: &Starts, out: &mut Vec<Cand>) {
    let from = out.len();
    let mut cx = Ctx {
        text,
        lowercase_text: LowercaseText::new(text),
        buf: Lower::new(),
        word: Lower::new(),
    };
    if has_digit {
        let mut runs = Vec::new();
        digit_runs(text.as_bytes(), &mut runs);
        let mut words = Vec::with_capacity(6);
        for &d in &runs {
            if number_first(&mut cx, d, &mut words, out) {
                continue;
            }
            if compound(&mut cx, d, out) {
                continue;
            }
            if romance(&mut cx, d, &mut words, out) {
                continue;
            }
            if japanese(&mut cx, d, out) {
                continue;
            }
            type_after_name(&mut cx, d, &mut words, out);
        }
        if po_before_space(text.as_bytes()) {
            for m in MILITARY.find_iter(text) {
                out.push(Cand::new(
                    m.start(),
                    m.end(),
                    PiiKind::StreetAddress,
                    Prio::ADDRESS,
                ));
            }
        }
        // "ox " / "OX " need an 'x': one memchr usually saves both searches
        let x = memchr::memchr2(b'x', b'X', text.as_bytes()).is_some();
        if (x && (has(&OX_SPACE, text) || has(&OX_SPACE_UPPER, text)))
            || has(&OSTFACH, text)
            || has(&PARTADO, text)
        {
            for m in PO_BOX.find_iter(text) {
                out.push(Cand::new(
                    m.start(),
                    m.end(),
                    PiiKind::StreetAddress,
                    Prio::ADDRESS,
                ));
            }
        }
    }
    french_bare(&mut cx, starts, out);
    if has_digit {
        if has(&CYRILLIC_EL, text) {
            for m in CYRILLIC.find_iter(text) {
                let end = cx.tail(m.end());
                out.push(Cand::new(
                    m.start(),
                    end,
                    PiiKind::StreetAddress,
                    Prio::ADDRESS,
                ));
            }
        }
        super::addr_walk::cue_addresses(text, &cx.lowercase_text, starts, out);
    }
    super::addr_walk::extend(text, &cx.lowercase_text, out, from);
}

/// Bulgarian streets: "ул. „Граф Игнатиев“ 13, ет. 8", "бул. Витоша 12", the name quoted
/// or capitalised after the type, then the number, then floor, flat or entrance.
static CYRILLIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:ул\.|бул\.|пл\.|улица|булевард)\s?",
        r"(?:„[^“”\x22\n]{1,40}[“”\x22]|\p{Lu}[\p{L}-]+(?:\s\p{Lu}[\p{L}-]+){0,2})",
        r"\s+№?\s?\d{1,4}[а-я]?(?:,\s?(?:ет|ап|вх|бл)\.\s?(?:\d{1,3}|[А-Я]))*",
    ))
    .expect("static regex")
});

/// The Cyrillic "л" of "ул.", "бул.", "пл.": texts without it need no [`CYRILLIC`] search.
static CYRILLIC_EL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("л"));

static OSTFACH: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("ostfach"));
static OX_SPACE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("ox "));
static OX_SPACE_UPPER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("OX "));
static PARTADO: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("partado"));

/// Does "PO " or "po " occur (the APO/FPO of military addresses)? One scan for the 'O'.
fn po_before_space(b: &[u8]) -> bool {
    memchr::memchr2_iter(b'O', b'o', b).any(|i| {
        i > 0
            && b.get(i + 1) == Some(&b' ')
            && ((b[i] == b'O' && b[i - 1] == b'P') || (b[i] == b'o' && b[i - 1] == b'p'))
    })
}

/// "5939 Simmons Court", "Flat 4b, Scott Village", "16, chemin de la Gare".
fn number_first(
    cx: &mut Ctx<'_>,
    d: usize,
    words: &mut Vec<(usize, usize)>,
    out: &mut Vec<Cand>,
) -> bool {
    let text = cx.text;
    let b = text.as_bytes();
    if let Some(c) = super::lexicon::char_before(text, d) {
        if super::lexicon::is_word_char(c)
            || matches!(c, '$' | '.' | '-' | '/' | '+' | '#' | '£' | '€' | ':')
        {
            return false;
        }
    }
    let Some(mut i) = house_number_end(b, d, 6) else {
        return false;
    };
    // a unit word before the number: "Flat 46c, ...", "Apt. 5, ..."
    let mut start = d;
    let mut unit = false;
    if let Some(q) = back_spaces(b, d) {
        let q2 = if q > 0 && matches!(b[q - 1], b'.' | b'#') {
            q - 1
        } else {
            q
        };
        if let Some((ws, we)) = word_ending_at(text, q2) {
            let lw = lower(&text[ws..we], &mut cx.buf);
            if UNIT_WORDS.contains(&lw) {
                start = ws;
                unit = true;
            }
        }
    }
    if i < b.len() && b[i] == b',' {
        i += 1;
    }
    if !(i < b.len() && b[i] == b' ') {
        return false;
    }
    if unit {
        // "Flat 2, 10 Downing Street": the street number after the unit
        let mut j = i;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            if let Some(e) = house_number_end(b, j, 6) {
                i = e;
                if i < b.len() && b[i] == b',' {
                    i += 1;
                }
            }
        }
    }
    collect_words(text, i, 5, words);
    if words.is_empty() {
        return false;
    }
    // English: name words then a street type ("Simmons Court")
    for k in 1..words.len() {
        let (ss, se) = words[k];
        let suffix = &text[ss..se];
        let lw = lower(suffix, &mut cx.buf);
        if !is_en_suffix(lw) {
            continue;
        }
        let strong = {
            let base = lw
                .strip_suffix('s')
                .filter(|x| x.len() > 2 && EN_SUFFIX_SET.contains(x))
                .unwrap_or(lw);
            STRONG_EN_SUFFIX.contains(&base) || STRONG_EN_SUFFIX.contains(&lw)
        };
        let strong_cap = strong || is_capitalised(suffix);
        let mut ok = true;
        let mut real = 0;
        for &(ws, we) in &words[..k] {
            let w = &text[ws..we];
            let Some(is_real) = cx.street_word(w, strong || (strong_cap && is_capitalised(w)))
            else {
                ok = false;
                break;
            };
            let lw = lower(w, &mut cx.buf);
            let named = lookup(lw).named();
            if !(strong || named || cx.case_ok(w)) {
                ok = false;
                break;
            }
            real += usize::from(is_real);
        }
        if !ok || (real == 0 && !strong) {
            return false;
        }
        if suffix.len() <= 3 && !strong && !cx.case_ok(suffix) {
            return false;
        }
        let end = cx.tail(se);
        out.push(Cand::new(start, end, PiiKind::StreetAddress, Prio::ADDRESS));
        return true;
    }
    // French: street type then name ("16, chemin Zoé Dubois")
    if unit || words.len() < 2 {
        return false;
    }
    let (ts, te) = words[0];
    let ty = lower(&text[ts..te], &mut cx.buf);
    if !FR_TYPE_WORDS.contains(&ty) {
        return false;
    }
    let mut end = None;
    let mut real = 0;
    for &(ws, we) in &words[1..] {
        let w = &text[ws..we];
        let lw = lower(w, &mut cx.buf);
        if is_particle_word(lw) && !is_capitalised(w) {
            continue;
        }
        let lex = lookup(lw);
        if !(lex.named() || (!lex.common() && cx.case_ok(w))) {
            break;
        }
        real += 1;
        end = Some(we);
    }
    let Some(e) = end else { return false };
    if real == 0 {
        return false;
    }
    let end = cx.tail(e);
    out.push(Cand::new(start, end, PiiKind::StreetAddress, Prio::ADDRESS));
    true
}

fn french_bare(cx: &mut Ctx<'_>, starts: &Starts, out: &mut Vec<Cand>) {
    let text = cx.text;
    // allocated on the first match only (most messages have none)
    let mut words = Vec::new();
    for m in starts.find_iter(super::Cue::FrenchStreet, text) {
        let s = m.start();
        let type_end = m.end() - 1;
        collect_words(text, type_end, 5, &mut words);
        // every name word must be a capitalised (or known-name) non-everyday word
        let mut end = None;
        let mut real = 0;
        for &(ws, we) in &words {
            let w = &text[ws..we];
            let lw = lower(w, &mut cx.buf);
            if is_particle_word(lw) && !is_capitalised(w) {
                continue;
            }
            let lex = lookup(lw);
            if !(lex.named() || (!lex.common() && cx.case_ok(w))) {
                break;
            }
            real += 1;
            end = Some(we);
        }
        let Some(e) = end else { continue };
        if real == 0 {
            continue;
        }
        let end = cx.tail(e);
        out.push(Cand::new(s, end, PiiKind::StreetAddress, Prio::ADDRESS));
    }
}

/// "Keudelstr. 58", "Justus-Sontag-Platz 9/3", "Kalverstraat 12".
fn compound(cx: &mut Ctx<'_>, d: usize, out: &mut Vec<Cand>) -> bool {
    let text = cx.text;
    let b = text.as_bytes();
    let Some(e) = house_number_end(b, d, 5) else {
        return false;
    };
    let Some(mut p) = back_spaces(b, d) else {
        return false;
    };
    if p > 0 && b[p - 1] == b'.' {
        p -= 1;
    }
    let Some((s, we)) = word_ending_at(text, p) else {
        return false;
    };
    if !left_clear(text, s) {
        return false;
    }
    let street = &text[s..we];
    let mut own = std::mem::take(&mut cx.word);
    let found = compound_street(cx, street, lower(street, &mut own), e);
    cx.word = own;
    let Some(end) = found else {
        return false;
    };
    out.push(Cand::new(s, end, PiiKind::StreetAddress, Prio::ADDRESS));
    true
}

/// The rest of [`compound`]: is `street` (lowercased: `lw`) a compound street name before
/// the house number that ends at `e`? Returns the end of the address.
fn compound_street(cx: &mut Ctx<'_>, street: &str, lw: &str, e: usize) -> Option<usize> {
    let text = cx.text;
    if is_common(lw) || !cx.case_ok(street) {
        return None;
    }
    let suffix_len = DE_SUFFIXES
        .iter()
        .filter(|(suf, _)| lw.ends_with(suf))
        .map(|&(_, chars)| chars)
        .max()?;
    let n_chars = lw.chars().count();
    // a stem of three letters or more; of two before a long type ("Nygränd", "Nyvägen")
    let short_ok = suffix_len >= 4 && n_chars >= suffix_len + 2 && is_capitalised(street);
    if n_chars < suffix_len + 3 && !lw.contains('-') && !short_ok {
        return None;
    }
    if lw.ends_with("pad")
        && (lw.ends_with("ipad") || (!is_capitalised(street) && !cx.lowercase_text.get_for(street)))
    {
        return None;
    }
    if lw.ends_with("ring") && !lw.ends_with("-ring") {
        // English -ing words (during, transferring, offering) end in a vowel + "ring"
        let before_ring = lw.chars().rev().nth(4);
        if before_ring.is_some_and(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y'))
            || matches!(lw, "bring" | "string" | "spring" | "offspring")
        {
            return None;
        }
    }
    // a number followed by a quantity word is not a house number
    if let Some((ws, we2)) = next_word(text, e, 2) {
        let nw = lower(&text[ws..we2], &mut cx.buf);
        if AFTER_NUMBER_STOP.contains(&nw) {
            return None;
        }
    }
    Some(cx.tail(e))
}

/// "Via Roma 10", "Calle de Alcalá 45", "ul. Długa 5".
fn romance(
    cx: &mut Ctx<'_>,
    d: usize,
    words: &mut Vec<(usize, usize)>,
    out: &mut Vec<Cand>,
) -> bool {
    let text = cx.text;
    let b = text.as_bytes();
    let Some(e) = house_number_end(b, d, 5) else {
        return false;
    };
    let Some(mut p) = back_spaces(b, d) else {
        return false;
    };
    // "n.º 12", "nº 12", "n. 12"
    for pre in ["n.º", "nº", "n°", "n.", "no.", "nr."] {
        let tail = p.checked_sub(pre.len()).and_then(|x| text.get(x..p));
        if tail.is_some_and(|t| t.eq_ignore_ascii_case(pre)) {
            p -= pre.len();
            p = back_spaces(b, p).unwrap_or(p);
            break;
        }
    }
    if p > 0 && b[p - 1] == b',' {
        p -= 1;
    }
    // walk back over up to six words
    words.clear();
    let mut q = p;
    while words.len() < 6 {
        let dot = q > 0 && b[q - 1] == b'.';
        let wend = if dot { q - 1 } else { q };
        let Some((ws, we)) = word_ending_at(text, wend) else {
            break;
        };
        words.push((ws, we));
        let Some(nq) = back_spaces(b, ws) else { break };
        q = nq;
    }
    for k in 0..words.len() {
        let (ts, te) = words[k];
        let ty = &text[ts..te];
        let lty = lower(ty, &mut cx.buf);
        if !ROMANCE_TYPE_SET.contains(lty) {
            continue;
        }
        if k == 0 {
            return false;
        }
        let short = matches!(
            lty,
            "ul" | "al" | "os" | "str" | "bd" | "bdul" | "sos" | "șos"
        );
        if short && b.get(te) != Some(&b'.') {
            return false;
        }
        if lty == "via" && !cx.case_ok(ty) {
            return false;
        }
        if !left_clear(text, ts) {
            return false;
        }
        let mut real = 0;
        for &(ws, we) in words[..k].iter() {
            let w = &text[ws..we];
            let lw = lower(w, &mut cx.buf);
            if is_particle_word(lw) && !is_capitalised(w) {
                continue;
            }
            if !cx.case_ok(w) || !cx.name_word_ok(w) {
                return false;
            }
            real += 1;
        }
        if real == 0 {
            return false;
        }
        if let Some((ws, we2)) = next_word(text, e, 2) {
            let nw = lower(&text[ws..we2], &mut cx.buf);
            if AFTER_NUMBER_STOP.contains(&nw) {
                return false;
            }
        }
        let end = cx.tail(e);
        out.push(Cand::new(ts, end, PiiKind::StreetAddress, Prio::ADDRESS));
        return true;
    }
    false
}

/// "Brīvības iela 12", "Gedimino pr. 5", "Pikk tn 69-11", "Király út 97.": one to three
/// name words, a street type of its own ([`TYPE_AFTER_WORDS`]) and the house number.
fn type_after_name(
    cx: &mut Ctx<'_>,
    d: usize,
    words: &mut Vec<(usize, usize)>,
    out: &mut Vec<Cand>,
) -> bool {
    let text = cx.text;
    let b = text.as_bytes();
    let Some(e) = house_number_end(b, d, 4) else {
        return false;
    };
    let Some(p) = back_spaces(b, d) else {
        return false;
    };
    let dot = p > 0 && b[p - 1] == b'.';
    let tend = if dot { p - 1 } else { p };
    let Some((ts, te)) = word_ending_at(text, tend) else {
        return false;
    };
    let lty = lower(&text[ts..te], &mut cx.buf);
    if !TYPE_AFTER_SET.contains(lty) {
        return false;
    }
    // the one- and two-letter abbreviations are everyday letters without their dot
    let needs_dot = matches!(lty, "g" | "pr" | "al" | "pl" | "u" | "skg" | "krt");
    if needs_dot && !dot {
        return false;
    }
    // the longer types are no everyday word in any language: lowercase names are accepted
    // ("gate" is an English word too: "boarding gate 12")
    let gate = lty == "gate";
    let strong = lty == "út" || (lty.chars().count() >= 4 && !gate);
    // up to three name words before the type
    words.clear();
    let mut q = ts;
    while words.len() < 3 {
        let Some(nq) = back_spaces(b, q) else { break };
        let Some((ws, we)) = word_ending_at(text, nq) else {
            break;
        };
        let w = &text[ws..we];
        if !(strong || cx.case_ok(w)) || (gate && !is_capitalised(w)) || !cx.name_word_ok(w) {
            break;
        }
        words.push((ws, we));
        q = ws;
    }
    let Some(&(s, _)) = words.last() else {
        return false;
    };
    if !left_clear(text, s) {
        return false;
    }
    if let Some((ws, we2)) = next_word(text, e, 2) {
        let nw = lower(&text[ws..we2], &mut cx.buf);
        if AFTER_NUMBER_STOP.contains(&nw) {
            return false;
        }
    }
    let end = cx.tail(e);
    out.push(Cand::new(s, end, PiiKind::StreetAddress, Prio::ADDRESS));
    true
}

/// Endings of a Japanese ward, city, town or district name ("Shibuya-ku", "Fuchu-shi").
const JP_WARD_ENDINGS: &[&str] = &["-ku", "-shi", "-cho", "-machi", "-gun", "-mura"];

/// Is `w` a romanised Japanese ward or municipality name ("Chuo-ku")?
fn is_jp_ward(w: &str) -> bool {
    JP_WARD_ENDINGS.iter().any(|end| {
        w.len() > end.len() + 1
            && w.get(w.len() - end.len()..)
                .is_some_and(|t| t.eq_ignore_ascii_case(end))
    })
}

/// Japanese order, romanised: block numbers "chome-ban-go" ("5-19-18"), the district
/// ("Kitahama"), then optionally the ward ("Shibuya-ku"), city and "150-0001". With a ward
/// any case is accepted; without one the number must have all three parts and the
/// district must be a capitalised name word.
fn japanese(cx: &mut Ctx<'_>, d: usize, out: &mut Vec<Cand>) -> bool {
    let text = cx.text;
    let b = text.as_bytes();
    if !left_clear(text, d) || d > 0 && matches!(b[d - 1], b'-' | b'/' | b'.' | b',') {
        return false;
    }
    // two or three parts of 1-2, 1-2 and 1-3 digits
    let mut i = d;
    let mut parts = 0;
    loop {
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let max = if parts == 2 { 3 } else { 2 };
        if i == s || i - s > max {
            return false;
        }
        parts += 1;
        if parts < 3 && b.get(i) == Some(&b'-') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            continue;
        }
        break;
    }
    if parts < 2
        || b[d] == b'0'
        || b.get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
    {
        return false;
    }
    let Some((ws, we)) = next_word(text, i, 1) else {
        return false;
    };
    if ws != i + 1 {
        return false;
    }
    let district = &text[ws..we];
    if !cx.name_word_ok(district) {
        return false;
    }
    // ", Room 917" and the like may stand between the district and the ward
    let mut end = we;
    if let Some(m) = TAIL_UNIT.find(&text[end..]) {
        end += m.end();
    }
    let ward = text[end..]
        .strip_prefix(',')
        .map(|r| end + 1 + (r.len() - r.trim_start_matches(' ').len()))
        .and_then(|ws2| next_word(text, ws2, 0))
        .filter(|&(s2, e2)| is_jp_ward(&text[s2..e2]));
    let end = match ward {
        Some((_, e2)) => e2,
        None => {
            if parts < 3 || !is_capitalised(district) {
                return false;
            }
            we
        }
    };
    let end = cx.tail(end);
    out.push(Cand::new(d, end, PiiKind::StreetAddress, Prio::ADDRESS));
    true
}

#[cfg(test)]
mod tests {
    use super::digit_runs;
    use crate::redact::tests::random_digit_text;

    #[test]
    fn digit_runs_skip_whole_runs_and_find_every_start() {
        let mut seed = 0x5851_f42d_4c95_7f2du64;
        let mut runs = Vec::new();
        for round in 0..20_000 {
            let t = random_digit_text(&mut seed, 1 + round % 30);
            let b = t.as_bytes();
            // the scan it replaced: every digit, kept when no digit stands before it
            let want: Vec<usize> = (0..b.len())
                .filter(|&i| b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()))
                .collect();
            digit_runs(b, &mut runs);
            assert_eq!(runs, want, "{t:?}");
        }
    }
}
