//! Two or three capitalised words in a row that no word list knows: "Hinnerk Gröning
//! wohnt in …", "Born in Darwin, Kourosh Maari studied law …". In running text such a run
//! is a person's name far more often than anything else: everyday words, places, brands,
//! months and organisation words are in the lists, companies carry a legal form or a
//! company word, and streets carry a street word (their grammars win the overlap).
//!
//! Why a rule beside the tagger: the tagger weighs the words around a name and gives up
//! on sentence shapes it was not trained on ("… Maari studied law"); two unknown name-shaped
//! words are evidence on their own, whatever follows them. The candidates are the weakest
//! kind of person, so any other detector's span wins an overlap.

use super::lexicon::{lookup, lower, next_where, Lower, WordSet, PARTICLES};
use super::{Cand, PiiKind, Prio};
use std::sync::LazyLock;

/// Everyday English words of customer messages (`everyday_en.txt`, built by
/// `scripts/build-everyday.py` from three intent corpora): a larger list than the
/// everyday words of `lexicon.rs`, used here only, so the tagger's features stay as trained.
static EVERYDAY: LazyLock<WordSet> = LazyLock::new(|| {
    include_str!("everyday_en.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
        .collect()
});

/// Whether `lw` (lower case) is an everyday English word of [`EVERYDAY`].
pub(super) fn everyday(lw: &str) -> bool {
    EVERYDAY.contains(lw)
}

/// Whether `lw` (lower case) is a word no name is made of: an everyday English word, a
/// job title's or a nationality's word, a word of a company's or a place's name.
pub(super) fn no_name_word(lw: &str) -> bool {
    everyday(lw) || NOT_NAMES.contains(lw) || super::names::org_or_place_word(lw)
}

/// One word of a run: a capitalised name-shaped word, a particle, or an initial ("S.").
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Name,
    Joiner,
}

/// What the word `w` can be in a run, if anything.
fn part(w: &str, buf: &mut Lower) -> Option<Part> {
    let mut cs = w.chars();
    let first = cs.next()?;
    if !first.is_uppercase() {
        return (w.len() <= 4 && PARTICLES.contains(&w)).then_some(Part::Joiner);
    }
    // an initial: "S."
    if cs.as_str() == "." {
        return Some(Part::Joiner);
    }
    // capitalised, then lower-case letters (a hyphen or an apostrophe inside: "Jean-Luc",
    // "O'Neill", "McNair" keep one more capital after a joiner or "Mc")
    let n = w.chars().count();
    if n < 2 {
        return None;
    }
    let mut prev = first;
    for c in cs {
        let ok = c.is_lowercase()
            || ((c == '-' || c == '\'' || c == '’') && prev.is_alphabetic())
            || (c.is_uppercase() && matches!(prev, '-' | '\'' | '’'));
        if !ok {
            return None;
        }
        prev = c;
    }
    if !prev.is_alphabetic() {
        return None;
    }
    let lw = lower(w.trim_end_matches(['\'', '’']), buf);
    if no_name_word(lw) {
        return None;
    }
    let lex = lookup(lw);
    // an everyday word or a greeting ends the run ("Grant", "May" too: two of them are
    // more often a phrase than a name); a word of two letters ("Sp", "Co") only when a
    // list holds it as a name ("Li", "Ng")
    (!lex.common_any() && (n > 2 || lex.named())).then_some(Part::Name)
}

/// Words of job titles and departments: "Operations Director", "Payroll Specialist" on a
/// signature's second line are no name.
const ROLE_WORDS: &[&str] = &[
    "director",
    "manager",
    "officer",
    "specialist",
    "coordinator",
    "engineer",
    "assistant",
    "consultant",
    "analyst",
    "designer",
    "developer",
    "administrator",
    "accountant",
    "advisor",
    "adviser",
    "representative",
    "associate",
    "executive",
    "supervisor",
    "chief",
    "president",
    "secretary",
    "clerk",
    "technician",
    "architect",
    "attorney",
    "lawyer",
    "paralegal",
    "nurse",
    "hygienist",
    "receptionist",
    "buyer",
    "planner",
    "controller",
    "auditor",
    "recruiter",
    "trainee",
    "intern",
    "founder",
    "owner",
    "partner",
    "editor",
    "producer",
    "agent",
    "operator",
    "dispatcher",
    "courier",
    "driver",
    "pharmacist",
    "dentist",
    "therapist",
    "physician",
    "surgeon",
    "professor",
    "lecturer",
    "teacher",
    "department",
    "team",
    "desk",
    "division",
    "office",
    "services",
    "service",
    "support",
    "operations",
    "procurement",
    "payroll",
    "sales",
    "marketing",
    "finance",
    "accounts",
    "practice",
    "customer",
    "success",
    "relations",
    "resources",
    "affairs",
    "compliance",
];

/// Capitalised words that are no part of a person's name: peoples and languages,
/// currencies, and consumer brands customers write about ("Russian Ruble", "Philips Hue").
/// Kept here, not in the everyday-word list, whose entries are also the tagger's features.
const OTHER_WORDS: &[&str] = &[
    "russian",
    "ukrainian",
    "belarusian",
    "polish",
    "czech",
    "slovak",
    "hungarian",
    "romanian",
    "bulgarian",
    "serbian",
    "croatian",
    "slovenian",
    "greek",
    "turkish",
    "swedish",
    "danish",
    "norwegian",
    "finnish",
    "icelandic",
    "estonian",
    "latvian",
    "lithuanian",
    "dutch",
    "belgian",
    "austrian",
    "swiss",
    "mexican",
    "brazilian",
    "argentinian",
    "argentine",
    "chilean",
    "colombian",
    "peruvian",
    "venezuelan",
    "cuban",
    "japanese",
    "chinese",
    "korean",
    "vietnamese",
    "thai",
    "indonesian",
    "malaysian",
    "filipino",
    "indian",
    "pakistani",
    "australian",
    "zealand",
    "african",
    "nigerian",
    "kenyan",
    "egyptian",
    "moroccan",
    "israeli",
    "saudi",
    "emirati",
    "qatari",
    "iranian",
    "iraqi",
    "arab",
    "arabic",
    "hebrew",
    "hindi",
    "canadian",
    "scottish",
    "welsh",
    "irish",
    "english",
    "british",
    "american",
    "european",
    "asian",
    "latin",
    "nordic",
    "baltic",
    "ruble",
    "rouble",
    "rubles",
    "dollar",
    "dollars",
    "pound",
    "pounds",
    "sterling",
    "franc",
    "francs",
    "krona",
    "kronor",
    "krone",
    "kroner",
    "zloty",
    "złoty",
    "yen",
    "yuan",
    "renminbi",
    "rupee",
    "rupees",
    "peso",
    "pesos",
    "real",
    "reais",
    "lira",
    "forint",
    "koruna",
    "leu",
    "lev",
    "dinar",
    "dirham",
    "rand",
    "won",
    "baht",
    "ringgit",
    "shekel",
    "hryvnia",
    "euro",
    "euros",
    "bitcoin",
    "ethereum",
    "crypto",
    "sony",
    "philips",
    "bosch",
    "siemens",
    "miele",
    "kindle",
    "kobo",
    "nespresso",
    "sonos",
    "dyson",
    "ikea",
    "nike",
    "adidas",
    "lego",
    "canon",
    "nikon",
    "garmin",
    "fitbit",
    "logitech",
    "lenovo",
    "huawei",
    "xiaomi",
    "oneplus",
    "nokia",
    "motorola",
    "nintendo",
    "playstation",
    "xbox",
    "airpods",
    "ipad",
    "macbook",
    "pixel",
    "galaxy",
    "skoda",
    "toyota",
    "volkswagen",
    "renault",
    "peugeot",
    "citroen",
    "volvo",
    "tesla",
    "honda",
    "hyundai",
    "bmw",
    "audi",
    "mercedes",
    "zara",
    "lacoste",
    "hilfiger",
    "rolex",
    "omega",
    "casio",
    "tupperware",
    "thermomix",
    "delonghi",
    "krups",
    "braun",
];

/// [`ROLE_WORDS`] and [`OTHER_WORDS`] in one set.
static NOT_NAMES: LazyLock<WordSet> =
    LazyLock::new(|| ROLE_WORDS.iter().chain(OTHER_WORDS).copied().collect());

/// Words right before a title of a work, not a person ("play", "song", "called").
const TITLE_CUES: &[&str] = &[
    "play", "song", "songs", "track", "album", "playlist", "show", "movie", "film", "book",
    "novel", "game", "series", "saga", "called", "titled", "watch", "hear", "rate",
];

/// First words of place names ("San Diego", "Mont Blanc", "Lake Como").
const PLACE_STARTS: &[&str] = &[
    "San", "Santa", "Santo", "São", "Saint", "Sainte", "St", "Mont", "Mount", "Lake", "Port",
    "Fort", "Los", "Las", "El", "La", "Le", "Les", "New", "Cape", "Isla", "Costa", "Sierra",
];

/// Whether `w` is a capitalised word that is no everyday or function word (so a run beside
/// it is part of a longer title-cased phrase: "Saint Malo Jazz Festival"; "Dear" or
/// "Yesterday" before a name is no such word).
fn capitalised(w: &str, buf: &mut Lower) -> bool {
    w.chars().next().is_some_and(char::is_uppercase) && !lookup(lower(w, buf)).common_any()
}

/// Person candidates for runs of two or three name-shaped words no list calls everyday,
/// standing alone in their line (no capitalised word right before or after them).
pub(super) fn unknown_pairs(text: &str, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    let mut buf = Lower::new();
    // where the last run looked at ended: no run starts inside it again
    let mut resume = 0;
    let mut i = 0;
    loop {
        // a run holds a capital right after a space: jump from capital to capital (an
        // ASCII capital, or the first byte of any other character, which `part` judges)
        i = next_where(b, i + 1, |c| c.is_ascii_uppercase() || c >= 0xC0);
        if i >= b.len() {
            break;
        }
        let p = i - 1;
        if b[p] != b' ' || p < resume {
            continue;
        }
        // the word before the space, and the one before that on the same line
        let word_start = |end: usize| {
            b[..end]
                .iter()
                .rposition(|&c| c == b' ' || c == b'\n')
                .map_or(0, |k| k + 1)
        };
        let cur = word_start(p);
        let before_cur = (cur > 0 && b[cur - 1] == b' ').then(|| word_start(cur - 1));
        // "Ludwig van Beethoven": the run opens before the particle
        let start = match before_cur {
            Some(bc) if !starts_upper(&b[cur..]) && PARTICLES.contains(&&text[cur..p]) => bc,
            _ => cur,
        };
        let w0 = text[start..p].split(' ').next().unwrap_or("");
        if start < resume
            || !starts_upper(w0.as_bytes())
            || w0 != bare(w0)
            || part(w0, &mut buf) != Some(Part::Name)
        {
            continue;
        }
        // the run: names and joiners, ending at a name, the last maybe with punctuation
        let mut at = start;
        let mut names = 0;
        let mut end = start;
        loop {
            let we = text[at..].find([' ', '\n']).map_or(text.len(), |i| at + i);
            let w = &text[at..we];
            let bw = bare(w);
            let stop = bw.len() != w.len();
            match part(if stop { bw } else { w }, &mut buf) {
                Some(Part::Name) => {
                    names += 1;
                    end = at + bw.len();
                }
                Some(Part::Joiner) if !stop => {}
                _ => break,
            }
            if stop || we >= b.len() || b[we] == b'\n' {
                break;
            }
            at = we + 1;
        }
        resume = end.max(p + 1);
        if !(2..=3).contains(&names) || end <= start {
            continue;
        }
        // a capitalised word right before or after: a longer title-cased phrase
        let before = text[..start]
            .strip_suffix(' ')
            .and_then(|h| h.rsplit([' ', '\n', '\t']).next().filter(|w| !w.is_empty()));
        if before.is_some_and(|w| {
            w == "&" || (!w.ends_with([',', '.', ':', ';']) && capitalised(w, &mut buf))
        }) || PLACE_STARTS.contains(&w0)
        {
            continue;
        }
        let after = text[end..]
            .strip_prefix(' ')
            .and_then(|t| t.split([' ', '\n']).next());
        // any capitalised word or '&' after the run continues a title-cased phrase
        // ("Polar Bear Coffee Roasters", "Cedar & Stone"); a legal form or a number
        // after it makes it a company or a product ("Zephyr Mobility s.r.o.", "Kobo
        // Libra 2")
        if after.is_some_and(|w| {
            w == "&"
                || w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
                || super::names::legal_form(w.trim_end_matches(','))
        }) {
            continue;
        }
        // a title after a word that introduces one ("play Punk Essentials", "the song
        // Tiny Dancer", "a show called Iron Seed")
        let title = before.is_some_and(|w| TITLE_CUES.iter().any(|c| w.eq_ignore_ascii_case(c)));
        if title
            || super::names::place_or_org_span(text, start, end)
            || super::tagger::labels_a_value(text, start, end)
            || super::tagger::after_article_or_place_word(text, start)
        {
            continue;
        }
        out.push(Cand::new(start, end, PiiKind::Person, Prio::PERSON_WEAK));
    }
}

/// Whether `b` opens with an upper-case letter (ASCII, or any non-ASCII letter, which
/// [`part`] then judges).
fn starts_upper(b: &[u8]) -> bool {
    b.first()
        .is_some_and(|&c| c.is_ascii_uppercase() || c >= 0x80)
}

/// `w` without the punctuation that may end a run after it.
fn bare(w: &str) -> &str {
    w.trim_end_matches([',', '.', ';', ':', '!', '?', ')', '"'])
}

/// A found name takes in the name-shaped words right beside it on its line ("Chitra" of
/// "Chitra Sivakumar" when only the surname was found, the initial of "Natsira S.
/// Sukprasert"), by the same test as a run of unknown words, and "Last, First" before an
/// e-mail address or at the end of a line is one name. Runs after the overlap resolution,
/// so a word another span holds is left alone.
pub(super) fn extend_names(text: &str, mut spans: Vec<super::PiiSpan>) -> Vec<super::PiiSpan> {
    if !spans.iter().any(|s| s.kind == PiiKind::Person) {
        return spans;
    }
    let mut buf = Lower::new();
    let free = |spans: &[super::PiiSpan], s: usize, e: usize| {
        !spans.iter().any(|o| o.start < e && s < o.end)
    };
    for i in 0..spans.len() {
        if spans[i].kind != PiiKind::Person {
            continue;
        }
        let before = (spans[i].start, spans[i].end);
        // to the left, up to two words
        for _ in 0..2 {
            let s = spans[i].start;
            let Some(head) = text[..s].strip_suffix(' ') else {
                break;
            };
            let ws = head.rfind([' ', '\n', '\t', '(', '"']).map_or(0, |k| k + 1);
            let w = &head[ws..];
            if w.is_empty() || !free(&spans, ws, s - 1) || part(w, &mut buf).is_none() {
                break;
            }
            // a particle only inside a name ("van" of "Jan van Dijk"), never its first word
            if !w.starts_with(char::is_uppercase) {
                break;
            }
            spans[i].start = ws;
        }
        // to the right, up to two name words (an initial there ends the name)
        for _ in 0..2 {
            let e = spans[i].end;
            let Some(tail) = text[e..].strip_prefix(' ') else {
                break;
            };
            let we = tail
                .find([' ', '\n', '\t', ',', ';', ':', ')', '"', '<'])
                .map_or(tail.len(), |k| k);
            let w = tail[..we].trim_end_matches(['.', '!', '?']);
            if w.is_empty()
                || !free(&spans, e + 1, e + 1 + w.len())
                || part(w, &mut buf) != Some(Part::Name)
            {
                break;
            }
            spans[i].end = e + 1 + w.len();
        }
        // a company's name before its legal form ("Lagoa Azul Imobiliária Lda.") is none to
        // grow
        let next = text[spans[i].end..]
            .strip_prefix(' ')
            .and_then(|t| t.split([' ', '\n', ',']).next());
        if next.is_some_and(|w| {
            super::names::legal_form(w) || super::names::legal_form(w.trim_end_matches('.'))
        }) {
            (spans[i].start, spans[i].end) = before;
        }
    }
    // "Pryhodko, Lesya <lesya@…>": two one-word names with only ", " between them
    let mut k = 0;
    while k + 1 < spans.len() {
        let (a, b) = (spans[k], spans[k + 1]);
        let one_word = |x: &super::PiiSpan| !text[x.start..x.end].contains(' ');
        let rest = text[b.end..].trim_start_matches(' ');
        if a.kind == PiiKind::Person
            && b.kind == PiiKind::Person
            && &text[a.end..b.start] == ", "
            && one_word(&a)
            && one_word(&b)
            && (rest.is_empty() || rest.starts_with(['\n', '<', '(']))
        {
            spans[k].end = b.end;
            spans.remove(k + 1);
        }
        k += 1;
    }
    spans
}

#[cfg(test)]
mod tests {
    use crate::redact::tests::persons;

    #[test]
    fn two_unknown_name_words_are_a_person() {
        assert_eq!(
            persons("Born in Darwin, Kourosh Maari studied law before joining us."),
            ["Kourosh Maari"]
        );
        assert_eq!(
            persons("Hinnerk Gröning wohnt in der Nähe."),
            ["Hinnerk Gröning"]
        );
        assert_eq!(
            persons("The form was signed by Soběslav S. Chalupníková yesterday."),
            ["Soběslav S. Chalupníková"]
        );
    }

    #[test]
    fn a_found_name_takes_in_the_name_words_beside_it() {
        // "Sivakumar" alone is found after "Regards,"; its given name beside it joins it
        assert_eq!(
            persons("Regards,\nChitra Sivakumar\nVerkaufsleiterin"),
            ["Chitra Sivakumar"]
        );
        assert_eq!(
            persons("From: Pryhodko, Lesya <lesya@example.com>"),
            ["Pryhodko, Lesya"]
        );
    }

    #[test]
    fn title_cased_phrases_places_and_companies_are_not() {
        for t in [
            "Our Head Of Customer Success will call.",
            "I bought it at Meridian Textiles GmbH last week.",
            "We flew to New York on Monday.",
            "The Apple Pay top up failed.",
        ] {
            assert!(persons(t).is_empty(), "{t}: {:?}", persons(t));
        }
    }
}
