//! Dates of birth: numeric (31.12.1990, 12/31/1990, 1990-12-31, 31/12/90) and written
//! (31 December 1990, December 31st, 1990, the 31st of Dec 1990) dates. A date counts as a
//! birth date after a cue ("born", "DOB", "date of birth", "birthday", ...) or, without a
//! cue, when its year is old enough that it cannot be a recent transaction date.

use super::gate::Starts;
use super::lexicon::{left_clear, next_digit, right_clear};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

/// Latest year accepted as a birth year when no cue word is present. Customer messages
/// mention recent dates (payments, deliveries) far more than old ones.
const NO_CUE_MAX_YEAR: u32 = 2010;
const MIN_YEAR: u32 = 1900;
const MAX_YEAR: u32 = 2030;

/// Any three-letter month prefix: the written-date regex only runs when one is present.
static MONTH_HINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)").expect("static regex")
});

const MONTHS: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

/// One bit per month for each of the three letters of its prefix (both cases), so
/// [`month_prefix_ascii`] tests a position for all twelve months with three lookups.
static MONTH_LETTERS: [[u16; 256]; 3] = {
    const PREFIXES: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let mut t = [[0u16; 256]; 3];
    let mut m = 0;
    while m < 12 {
        let mut k = 0;
        while k < 3 {
            let c = PREFIXES[m][k];
            t[k][c as usize] |= 1 << m;
            t[k][c.to_ascii_uppercase() as usize] |= 1 << m;
            k += 1;
        }
        m += 1;
    }
    t
};

/// [`MONTH_HINT`] for ASCII text (where `(?i)` means ASCII case only): does a three-letter
/// month prefix occur anywhere? A byte scan instead of the regex search.
fn month_prefix_ascii(b: &[u8]) -> bool {
    let [t0, t1, t2] = &MONTH_LETTERS;
    b.windows(3)
        .any(|w| t0[usize::from(w[0])] & t1[usize::from(w[1])] & t2[usize::from(w[2])] != 0)
}

/// A run of exactly four ASCII digits starting "19" or "20": the year [`YEAR_ONLY`] needs
/// in ASCII text (after a space, "in" or ':', before a word boundary).
fn year_run(b: &[u8]) -> bool {
    let mut i = next_digit(b, 0);
    while i < b.len() {
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 4 && matches!(&b[i..i + 2], b"19" | b"20") {
            return true;
        }
        i = next_digit(b, i + run);
    }
    false
}

/// Does `needle` (lowercase ASCII) occur in `b`, ignoring ASCII case?
fn contains_ascii_ci(b: &[u8], needle: &[u8]) -> bool {
    let n = needle.len();
    memchr::memchr2_iter(needle[0], needle[0].to_ascii_uppercase(), b)
        .any(|i| b.len() - i >= n && b[i..i + n].eq_ignore_ascii_case(needle))
}

/// Written dates ("3rd of May 1990", "May 3, 1990"), searched at word starts
/// ([`super::Cue::Written`]).
pub(super) fn written_pattern() -> String {
    let day = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?";
    let year = r"(?:\d{4}|'\d{2})";
    format!(
        r"(?i)(?-u:\b)(?:(?:the\s+)?{day}(?:\s+of)?[\s\-/.]*{MONTHS}\.?,?(?:[\s\-/.]+{year})?|{MONTHS}\.?\s+(?:the\s+)?{day}(?:,?\s+{year})?)(?-u:\b)"
    )
}

/// Month names of other languages, as they stand in written dates (genitive forms where a
/// language uses them: Polish "marca", Finnish "lokakuuta", Czech "května").
const MONTHS_INTL: &str = concat!(
    // de, fr, es, it, pt, nl
    "januar|februar|märz|maerz|mai|juni|juli|oktober|dezember|",
    "janvier|février|fevrier|mars|avril|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|",
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|",
    "gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|",
    "janeiro|fevereiro|março|marco|maio|junho|julho|setembro|outubro|novembro|dezembro|",
    "januari|februari|maart|mei|augustus|",
    // sv, da, no
    "augusti|maj|desember|",
    // pl
    "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|wrzesnia|października|pazdziernika|listopada|grudnia|",
    // fi
    "tammikuuta|helmikuuta|maaliskuuta|huhtikuuta|toukokuuta|kesäkuuta|heinäkuuta|elokuuta|syyskuuta|lokakuuta|marraskuuta|joulukuuta|",
    // cs
    "ledna|února|března|dubna|května|června|července|srpna|září|října|listopadu|prosince|",
    // ro, hu, tr
    "ianuarie|februarie|martie|aprilie|iunie|iulie|septembrie|octombrie|noiembrie|decembrie|",
    "január|február|március|április|május|június|július|augusztus|szeptember|október|",
    "ocak|şubat|subat|mart|nisan|mayıs|mayis|haziran|temmuz|ağustos|agustos|eylül|eylul|ekim|kasım|kasim|aralık|aralik|",
    // et, lv (locative), lt (genitive)
    "jaanuar|veebruar|märts|aprill|juuni|juuli|oktoober|detsember|",
    "janvārī|februārī|martā|aprīlī|maijā|jūnijā|jūlijā|augustā|septembrī|oktobrī|novembrī|decembrī|",
    "sausio|vasario|kovo|balandžio|gegužės|birželio|liepos|rugpjūčio|rugsėjo|spalio|lapkričio|gruodžio|",
    // el (genitive), ru and bg (genitive)
    "ιανουαρίου|φεβρουαρίου|μαρτίου|απριλίου|μαΐου|μαιου|ιουνίου|ιουλίου|αυγούστου|σεπτεμβρίου|οκτωβρίου|νοεμβρίου|δεκεμβρίου|",
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|",
    "януари|февруари|март|април|юни|юли|септември|октомври|ноември|декември",
);

/// Written dates in other languages, with a year: "11. Dezember 1949", "4 de marzo de
/// 1961", "10. lokakuuta 2006", "1961. március 4.", "1991 m. rugsėjo 15 d.", "1950. gada
/// 25. decembrī", "19 Σεπτεμβρίου 2006", and the spaced Czech "24. 1. 1938".
static WRITTEN_INTL: LazyLock<Regex> = LazyLock::new(|| {
    let day = r"(?:[12]\d|3[01]|0?[1-9])";
    let year = r"(?:19|20)\d{2}";
    Regex::new(&format!(
        r"(?i)\b(?:{day}(?:\.|º|er)?\s*(?:de\s+)?(?:{MONTHS_INTL})\.?,?\s*(?:de\s+|del\s+)?{year}|{year}\.?\s*(?:{MONTHS_INTL})\s+{day}\.?)\b|\b(?:{year}[ ]?m\.[ ]?(?:{MONTHS_INTL})[ ]{day}[ ]?d\.|{year}\.[ ]gada[ ]{day}\.[ ](?:{MONTHS_INTL})|{day}\.[ ](?:1[0-2]|0?[1-9])\.[ ]{year}\b)"
    ))
    .expect("static regex")
});

static CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:born|birth|\bdob\b|d\.o\.b|\bbday|b-day|birthday|\bdate of b|geb\.|\bage\b|\bnée?\b)")
        .expect("static regex")
});

static YEAR_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:born\s+(?:in\s+)?|year\s+of\s+birth\s*(?:is\s*|:\s*)?)((?:19|20)\d{2})(?-u:\b)")
        .expect("static regex")
});

/// A birth cue before `s`, in the same clause: nothing between the cue and the date
/// ends a sentence or starts another clause ("my DOB is 6/29/45 and version 3.8.12 ...").
fn cue_before(text: &str, s: usize) -> bool {
    let mut w = s.saturating_sub(56);
    while !text.is_char_boundary(w) {
        w += 1;
    }
    let window = &text[w..s];
    let Some(m) = CUE.find_iter(window).last() else {
        return false;
    };
    let between = &window[m.end()..];
    let b = between.as_bytes();
    let breaks = b.iter().enumerate().any(|(i, &c)| {
        matches!(c, b';' | b'\n' | b'|' | b'!' | b'?')
            || (c == b'.' && b.get(i + 1) == Some(&b' ') && i >= 3)
    });
    !breaks && !between.contains(" and ") && !between.contains(", and")
}

/// Words just before a date that make it an event, not a birth ("customer since 3 May
/// 2003", "the account was opened on 1.2.2001", "I ordered it on ...").
const EVENT_WORDS: &[&str] = &[
    "since",
    "from",
    "until",
    "till",
    "til",
    "by",
    "before",
    "after",
    "due",
    "dated",
    "expires",
    "expired",
    "expiry",
    "opened",
    "joined",
    "started",
    "closed",
    "issued",
    "registered",
    "ordered",
    "purchased",
    "bought",
    "paid",
    "made",
    "sent",
    "received",
    "delivered",
    "booked",
    "cancelled",
    "canceled",
    "renewed",
    "renews",
    "charged",
    "meeting",
    "arrived",
    "shipped",
    "moved",
    "married",
    "graduated",
    "valid",
    "effective",
    "between",
    "transfer",
    "payment",
    "invoice",
    "appointment",
    "scheduled",
    "reservation",
    "flight",
    "trip",
];

fn event_before(text: &str, s: usize) -> bool {
    let mut w = s.saturating_sub(40);
    while !text.is_char_boundary(w) {
        w += 1;
    }
    text[w..s]
        .rsplit(|c: char| !c.is_alphanumeric())
        .filter(|x| !x.is_empty())
        .take(4)
        .any(|x| EVENT_WORDS.iter().any(|e| e.eq_ignore_ascii_case(x)))
}

/// The value of a run of ASCII digits; saturates instead of overflowing on a long run
/// (the fuzzer found "192.1.88888888888881608" overflowing the year part).
fn num(b: &[u8]) -> u32 {
    b.iter().fold(0u32, |a, &d| {
        a.saturating_mul(10)
            .saturating_add(u32::from(d.saturating_sub(b'0')))
    })
}

/// A numeric date starting at `s`: d/m/y, m/d/y (2- or 4-digit year) or y-m-d with one
/// repeated separator ('.', '/' or '-'). Returns (end, year, year has 4 digits).
fn numeric_date_at(b: &[u8], s: usize) -> Option<(usize, u32, bool)> {
    let run = |i: usize| b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let l1 = run(s);
    let p1 = s + l1;
    let sep = *b.get(p1)?;
    if !matches!(sep, b'.' | b'/' | b'-') || !(1..=4).contains(&l1) {
        return None;
    }
    let l2 = run(p1 + 1);
    let p2 = p1 + 1 + l2;
    if !(1..=2).contains(&l2) || b.get(p2) != Some(&sep) {
        return None;
    }
    let l3 = run(p2 + 1);
    if !(1..=4).contains(&l3) {
        return None;
    }
    let e = p2 + 1 + l3;
    let (a, m, c) = (num(&b[s..p1]), num(&b[p1 + 1..p2]), num(&b[p2 + 1..e]));
    let valid = |d: u32, mo: u32| (1..=31).contains(&d) && (1..=12).contains(&mo);
    if l1 == 4 {
        if !(1..=2).contains(&l3) || !valid(c, m) {
            return None;
        }
        (MIN_YEAR..=MAX_YEAR).contains(&a).then_some((e, a, true))
    } else if l1 <= 2 && (l3 == 4 || l3 == 2) {
        let y = if l3 == 2 {
            if c > 30 {
                1900 + c
            } else {
                2000 + c
            }
        } else {
            c
        };
        if !(valid(a, m) || valid(m, a)) || !(MIN_YEAR..=MAX_YEAR).contains(&y) {
            return None;
        }
        Some((e, y, l3 == 4))
    } else {
        None
    }
}

fn push(text: &str, s: usize, e: usize, year: Option<u32>, out: &mut Vec<Cand>) {
    if cue_before(text, s) {
        out.push(Cand::new(s, e, PiiKind::DateOfBirth, Prio::DOB_CUE));
    } else if year.is_some_and(|y| (MIN_YEAR..=NO_CUE_MAX_YEAR).contains(&y))
        && !event_before(text, s)
    {
        out.push(Cand::new(s, e, PiiKind::DateOfBirth, Prio::DOB));
    }
}

/// "born in 1985", "year of birth: 1985": a bare year after a birth cue.
fn year_only(text: &str, out: &mut Vec<Cand>) {
    for c in YEAR_ONLY.captures_iter(text) {
        if let Some(g) = c.get(1) {
            out.push(Cand::new(
                g.start(),
                g.end(),
                PiiKind::DateOfBirth,
                Prio::DOB_CUE,
            ));
        }
    }
}

/// Numeric and written dates that look like dates of birth.
pub(super) fn dates(text: &str, starts: &Starts, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        i = next_digit(b, i);
        if i >= b.len() {
            break;
        }
        if i > 0 && b[i - 1].is_ascii_digit() {
            i += 1;
            continue;
        }
        let s = i;
        i += 1;
        let Some((e, y, year_known)) = numeric_date_at(b, s) else {
            continue;
        };
        if !left_clear(text, s) || !right_clear(text, e) {
            continue;
        }
        if s > 0 && matches!(b[s - 1], b'.' | b'/' | b'-' | b'+') {
            continue;
        }
        if e + 1 < b.len() && matches!(b[e], b'.' | b'/' | b'-') && b[e + 1].is_ascii_digit() {
            continue;
        }
        push(text, s, e, year_known.then_some(y), out);
        i = e;
    }
    let ascii = text.is_ascii();
    let has_year = year_run(b);
    // In ASCII text "born ..." / "year of birth ..." need those words; checking for them is
    // cheaper than the regex search (non-ASCII text could spell them with other cases).
    let year_words =
        !ascii || (has_year && (contains_ascii_ci(b, b"born") || contains_ascii_ci(b, b"year")));
    if year_words {
        year_only(text, out);
    }
    if has_year {
        for m in WRITTEN_INTL.find_iter(text) {
            let year = m
                .as_str()
                .split(|c: char| !c.is_ascii_digit())
                .find(|y| y.len() == 4)
                .map(|y| num(y.as_bytes()));
            push(text, m.start(), m.end(), year, out);
        }
    }
    let month_hint = if ascii {
        month_prefix_ascii(b)
    } else {
        MONTH_HINT.is_match(text)
    };
    if !month_hint {
        return;
    }
    for m in starts.find_iter(super::Cue::Written, text) {
        let (s, e) = (m.start(), m.end());
        let t = m.as_str();
        let year = t
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .filter(|y| y.len() == 4)
            .map(|y| num(y.as_bytes()));
        // "May 5" without a year only after a cue; "5 May" the same.
        if year.is_none() && !cue_before(text, s) {
            continue;
        }
        if year.is_some_and(|y| !(MIN_YEAR..=MAX_YEAR).contains(&y)) {
            continue;
        }
        push(text, s, e, year, out);
    }
}
