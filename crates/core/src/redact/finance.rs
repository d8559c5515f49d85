//! Payment cards (Luhn + issuer ranges), IBANs (country length + mod-97) and order,
//! account and reference numbers (cue words and id shapes).

use super::gate::Starts;
use super::lexicon::{char_before, is_word_char, next_digit, right_clear};
use super::validate::{card_brand_ok, iban_length, iban_mod97, luhn};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

static CARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d(?:[ .-]?\d){11,18}").expect("static regex"));

/// Card numbers: 13-19 digits, plain or grouped with one consistent separator (space or
/// dash or dot; 4-4-4-4, 4-6-5, 4-6-4, 4-4-4-4-3, ...), passing Luhn and a brand's prefix/length.
pub(super) fn cards(text: &str, ascii: bool, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    let mut groups: Vec<(usize, usize)> = Vec::with_capacity(8);
    for (m_start, m_end) in super::scan::find(text, ascii, &CARD, super::scan::cards) {
        groups.clear();
        let mut i = m_start;
        while i < m_end {
            if b[i].is_ascii_digit() {
                let gs = i;
                while i < m_end && b[i].is_ascii_digit() {
                    i += 1;
                }
                groups.push((gs, i));
            } else {
                i += 1;
            }
        }
        'starts: for first in 0..groups.len() {
            let s = groups[first].0;
            if first == 0 {
                if let Some(c) = char_before(text, s) {
                    if is_word_char(c) || matches!(c, '+' | '-' | '.' | '/') {
                        continue;
                    }
                }
            }
            let sep = if first + 1 < groups.len() {
                b[groups[first].1]
            } else {
                0
            };
            for last in (first..groups.len()).rev() {
                let k = last - first + 1;
                if k > 1 {
                    // one consistent separator; first group 4 digits; inner groups 4-6
                    let consistent = (first + 1..=last)
                        .all(|j| groups[j].0 - groups[j - 1].1 == 1 && b[groups[j - 1].1] == sep);
                    let g0 = groups[first].1 - groups[first].0;
                    let inner_ok =
                        (first + 1..last).all(|j| (4..=6).contains(&(groups[j].1 - groups[j].0)));
                    if !consistent || g0 != 4 || !inner_ok {
                        continue;
                    }
                }
                let e = groups[last].1;
                if !right_clear(text, e) {
                    continue;
                }
                // a dotted card is the whole dotted number, never a part of a longer one
                // ("1234.5678.9012.3456" holds no 4-4-4 card)
                let dotted_beyond = (s > 0 && b[s - 1] == b'.')
                    || (b.get(e) == Some(&b'.') && b.get(e + 1).is_some_and(u8::is_ascii_digit));
                if dotted_beyond {
                    continue;
                }
                let mut digits = [0u8; 19];
                let mut n = 0;
                for g in &groups[first..=last] {
                    for &d in &b[g.0..g.1] {
                        if n < 19 {
                            digits[n] = d;
                        }
                        n += 1;
                    }
                }
                // 12 digits only for Maestro, grouped 4-4-4 or after a card word
                let twelve_ok = n == 12 && (k == 3 || card_cue_before(text, s));
                if !(13..=19).contains(&n) && !twelve_ok {
                    continue;
                }
                let d = &digits[..n];
                if luhn(d) && card_brand_ok(d) {
                    out.push(Cand::new(s, e, PiiKind::CreditCard, Prio::VALIDATED));
                    break 'starts;
                }
            }
        }
    }
}

static CARD_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:card|visa|maestro|mastercard|debit|credit|\bpan\b|amex|number)")
        .expect("static regex")
});

/// Is there a card word in the 40 bytes before `s`?
fn card_cue_before(text: &str, s: usize) -> bool {
    let mut w = s.saturating_sub(40);
    while !text.is_char_boundary(w) {
        w += 1;
    }
    CARD_CUE.is_match(&text[w..s])
}

/// Two ASCII letters followed by two ASCII digits somewhere in `b`: every IBAN the checks
/// below accept starts so, and most messages with digits have no such place, so this
/// byte scan saves the regex search.
fn iban_start_possible(b: &[u8]) -> bool {
    // only a run's first digit can follow a letter, so each run is looked at once
    let mut i = next_digit(b, 0);
    while i + 1 < b.len() {
        if i >= 2
            && b[i + 1].is_ascii_digit()
            && b[i - 1].is_ascii_alphabetic()
            && b[i - 2].is_ascii_alphabetic()
        {
            return true;
        }
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i = next_digit(b, i + run);
    }
    false
}

static IBAN_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)[a-z]{2}\d{2}").expect("static regex"));

/// IBANs: a known country code, exactly that country's length of alphanumerics (compact,
/// or grouped with single spaces/dashes), and a valid mod-97 check.
pub(super) fn ibans(text: &str, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    if !iban_start_possible(b) {
        return;
    }
    for m in IBAN_START.find_iter(text) {
        let s = m.start();
        let country = [b[s].to_ascii_uppercase(), b[s + 1].to_ascii_uppercase()];
        let Some(len) = iban_length(country) else {
            continue;
        };
        let mut chars = [0u8; 34];
        let mut n = 0;
        let mut i = s;
        let mut end = s;
        while i < b.len() && n < len {
            let c = b[i];
            if c.is_ascii_alphanumeric() {
                chars[n] = c;
                n += 1;
                i += 1;
                end = i;
            } else if (c == b' ' || c == b'-')
                && n >= 4
                && i == end
                && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
            {
                i += 1;
            } else {
                break;
            }
        }
        if n != len || !right_clear(text, end) {
            continue;
        }
        if iban_mod97(&chars[..n]) {
            out.push(Cand::new(s, end, PiiKind::Iban, Prio::VALIDATED));
        }
    }
}

/// Order cue words. The Greek, Russian and Turkish ones may stand inside a word; every
/// other one starts and ends at a word boundary ([`ORDER_CUE_WORDS`]).
static ORDER_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:παραγγελίας|παραγγελία|заказа|заказ|sipariş|{ORDER_CUE_WORDS_PATTERN})"
    ))
    .expect("static regex")
});

/// The order cue words that start at a word boundary: in ASCII text the only ones that
/// can match, so there [`ORDER_CUE`] is searched only where a word starts.
const ORDER_CUE_WORDS_PATTERN: &str = r"(?-u:\b)(?:orders?(?:_id|_no|_number)?|commande|pedido|encomenda|bestellung|bestellnummer|auftragsnummer|auftrag|ordine|bestelling|bestelnummer|zam[oó]wienia|zam[oó]wienie|objedn[aá]vky|objedn[aá]vka|tellimuse|tellimus|tilausnumero|tilaus|best[aä]llning|bestilling|ordre|rendel[eé]s|comanda|comenzii|u[zž]sakymo|pas[uū]t[iī]juma|purchases?|tickets?|ref|refs|reference|tracking|track|booking|confirmation|conf|invoices?|inv|bills?|receipt|case|claim|transactions?|txn|trx|accounts?|acct|a/c|customer|client|member(?:ship)?|shipments?|parcel|package|delivery|return|rma|subscription|contract|policy|application|request|complaint|incident|voucher|reservation|loan|registration|serial|authori[sz]ation|dispute|ticket|shipping|consignment|waybill|awb|pnr|itinerary|(?:loyalty|membership|member|rewards?|points|club|gift|library|student|insurance)\s+card)(?-u:\b)";

/// [`ORDER_CUE_WORDS_PATTERN`], case-insensitive, searched at word starts
/// ([`super::Cue::Order`]).
pub(super) fn order_cue_words_pattern() -> String {
    format!("(?i){ORDER_CUE_WORDS_PATTERN}")
}

/// Words and signs allowed between an order cue and the id ("order number: 123").
const FILLERS: &[&str] = &[
    "number",
    "numbers",
    "num",
    "no",
    "nr",
    "nbr",
    "id",
    "code",
    "ref",
    "reference",
    "is",
    "was",
    "n°",
    "nº",
    "n.º",
    "no.",
    "nr.",
    "de",
    "da",
    "del",
    "nummer",
    "numero",
    "número",
    "|",
    "\"",
    "#",
    ":",
    "=",
    "-",
    ".",
    "for",
    "of",
    "with",
    "the",
    "my",
    "our",
    "your",
];

/// End of the id token starting at `s`: alphanumerics with inner '-', '/' or '_'.
fn id_token_end(b: &[u8], s: usize) -> usize {
    let mut i = s;
    while i < b.len() && i - s < 48 {
        let c = b[i];
        let inner_sep = matches!(c, b'-' | b'/' | b'_')
            && i > s
            && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
        if c.is_ascii_alphanumeric() || inner_sep {
            i += 1;
        } else {
            break;
        }
    }
    i
}

fn looks_like_date(id: &[u8]) -> bool {
    let parts: Vec<&[u8]> = id.split(|&c| c == b'/' || c == b'-').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.iter().all(u8::is_ascii_digit))
        && (parts[0].len() == 4 || parts[2].len() >= 2)
        && parts[1].len() <= 2
}

/// Quantities and ordinals that follow cue words but are not identifiers ("order 2nd",
/// "ticket 30eur").
fn looks_like_quantity(id: &[u8]) -> bool {
    let digits = id.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits == id.len() {
        return false;
    }
    let rest = id[digits..].to_ascii_lowercase();
    matches!(
        rest.as_slice(),
        b"st"
            | b"nd"
            | b"rd"
            | b"th"
            | b"eur"
            | b"euro"
            | b"euros"
            | b"usd"
            | b"gbp"
            | b"k"
            | b"m"
            | b"x"
            | b"pcs"
            | b"kg"
            | b"g"
            | b"km"
            | b"mb"
            | b"gb"
            | b"h"
            | b"hrs"
            | b"min"
            | b"mins"
            | b"pm"
            | b"am"
            | b"s"
            | b"d"
            | b"days"
            | b"pounds"
            | b"dollars"
    )
}

/// Order, account, ticket and reference numbers after a cue word.
pub(super) fn order_cues(text: &str, starts: &Starts, out: &mut Vec<Cand>) {
    if text.is_ascii() {
        for m in starts.find_iter(super::Cue::Order, text) {
            order_cue(text, m.end(), out);
        }
    } else {
        for m in ORDER_CUE.find_iter(text) {
            order_cue(text, m.end(), out);
        }
    }
}

/// The id after an order cue that ends at `cue_end`, if there is one.
fn order_cue(text: &str, cue_end: usize, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    // "INV-2024-0042": the cue word is part of the id (the shape detector has it)
    if b.get(cue_end)
        .is_some_and(|&c| c == b'-' || c == b'/' || c == b'_')
        && b.get(cue_end + 1).is_some_and(u8::is_ascii_alphanumeric)
    {
        return;
    }
    let mut i = cue_end;
    let mut explicit = false;
    let mut steps = 0;
    // skip fillers
    loop {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if steps >= 5 || i >= b.len() {
            break;
        }
        let rest = &text[i..];
        let mut advanced = false;
        for f in FILLERS {
            if rest.len() >= f.len()
                && rest.is_char_boundary(f.len())
                && rest[..f.len()].eq_ignore_ascii_case(f)
            {
                let after = rest[f.len()..].chars().next();
                let word_f = f.bytes().all(|c| c.is_ascii_alphabetic());
                if word_f && after.is_some_and(is_word_char) {
                    continue;
                }
                if matches!(
                    *f,
                    "number" | "no" | "nr" | "id" | "#" | "n°" | "nº" | "num" | "nbr"
                ) {
                    explicit = true;
                }
                i += f.len();
                advanced = true;
                break;
            }
        }
        if !advanced {
            break;
        }
        steps += 1;
    }
    if i >= b.len() || !b[i].is_ascii_alphanumeric() {
        return;
    }
    let s = i;
    let mut e = id_token_end(b, s);
    if !right_clear(text, e) {
        return;
    }
    // "8357 4594 40": digit groups separated by single spaces are one id
    if b[s..e].iter().all(u8::is_ascii_digit) && e - s >= 3 {
        let mut j = e;
        while j + 1 < b.len() && b[j] == b' ' && b[j + 1].is_ascii_digit() {
            let k = j + 1 + b[j + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if k - (j + 1) < 2
                || !right_clear(text, k)
                || matches!(b.get(k), Some(b'.' | b':' | b'/' | b','))
                    && b.get(k + 1).is_some_and(u8::is_ascii_digit)
            {
                break;
            }
            j = k;
        }
        e = j;
    }
    let id = &b[s..e];
    let n_digits = id.iter().filter(|c| c.is_ascii_digit()).count();
    if n_digits == 0 {
        // "booking ref TNAVSZ": an all-capital code after an explicit cue
        let caps = id.iter().all(|c| c.is_ascii_uppercase() || *c == b'-')
            && id.iter().filter(|c| c.is_ascii_uppercase()).count() >= 5;
        let before = text[..s]
            .trim_end_matches([' ', ':', '#'])
            .to_ascii_lowercase();
        let code_word = [
            "ref",
            "reference",
            "code",
            "number",
            "no",
            "no.",
            "id",
            "pnr",
        ]
        .iter()
        .any(|w| before.ends_with(w));
        if caps && (5..=16).contains(&id.len()) && code_word {
            out.push(Cand::new(s, e, PiiKind::OrderNumber, Prio::ORDER_CUE));
        }
        return;
    }
    let all_digits = n_digits == id.len();
    let ok = if all_digits {
        id.len() >= 5 || (explicit && id.len() >= 3)
    } else {
        id.len() >= 4 && !looks_like_quantity(id)
    };
    if ok && !looks_like_date(id) {
        out.push(Cand::new(s, e, PiiKind::OrderNumber, Prio::ORDER_CUE));
    }
}

/// Id shapes, searched at word starts ([`super::Cue::OrderShape`]).
pub(super) const ORDER_SHAPE_PATTERN: &str = r"(?-u:\b)(?:[A-Z]{2,5}-\d{3,}(?:-[A-Z0-9]+)*|\d{3}-\d{7}-\d{7}|(?:19|20)\d{2}-\d{5,7}|[A-Z0-9]{6,24})(?-u:\b)";

/// Id shapes without a cue: ORD-1234567, 123-1234567-1234567, 2024-12345, mixed
/// uppercase/digit codes, "#A1B2C3", and long bare digit runs (weakest).
pub(super) fn order_shapes(text: &str, starts: &Starts, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    for m in starts.find_iter(super::Cue::OrderShape, text) {
        let (s, e) = (m.start(), m.end());
        if s > 0 && matches!(b[s - 1], b'-' | b'.' | b'/' | b'+') {
            continue;
        }
        if e < b.len()
            && matches!(b[e], b'-' | b'/')
            && b.get(e + 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            continue;
        }
        let id = m.as_str().as_bytes();
        let digits = id.iter().filter(|c| c.is_ascii_digit()).count();
        let letters = id.iter().filter(|c| c.is_ascii_uppercase()).count();
        if not_an_id_before(text, s) {
            continue;
        }
        if is_country_postcode(id) {
            // kept masked, as the address part it is; a full address match outranks it
            out.push(Cand::new(s, e, PiiKind::StreetAddress, Prio::ORDER_SHAPE));
            continue;
        }
        if id.contains(&b'-') {
            out.push(Cand::new(s, e, PiiKind::OrderNumber, Prio::ORDER_SHAPE));
        } else if letters == 0 {
            if digits >= 7 {
                out.push(Cand::new(s, e, PiiKind::OrderNumber, Prio::ORDER_WEAK));
            }
        } else if digits >= 2 && letters >= 2 {
            // "COVID19", "WIN10": a word with a small number glued on is not an id
            let lead_letters = id.iter().take_while(|c| c.is_ascii_uppercase()).count();
            if lead_letters + digits == id.len() && digits <= 2 {
                continue;
            }
            out.push(Cand::new(s, e, PiiKind::OrderNumber, Prio::ORDER_MIXED));
        }
    }
    for (h, _) in text.match_indices('#') {
        let s = h + 1;
        if s >= b.len() || !b[s].is_ascii_alphanumeric() {
            continue;
        }
        // "…24 20#7010": a phone extension, not an id
        if h > 0 && b[h - 1].is_ascii_digit() {
            continue;
        }
        let e = id_token_end(b, s);
        let id = &b[s..e];
        if id.len() >= 4
            && id.iter().any(u8::is_ascii_digit)
            && right_clear(text, e)
            && !looks_like_quantity(id)
        {
            out.push(Cand::new(s, e, PiiKind::OrderNumber, Prio::ORDER_SHAPE));
        }
    }
}

/// "NO-6002", "LV-5401", "FI-33100": two capitals, a hyphen and four or five digits is
/// how European postcodes carry their country; without an order cue such a code is
/// part of an address, not an id, and is masked as one (order ids of this shape carry six digits or more).
fn is_country_postcode(id: &[u8]) -> bool {
    id.len() >= 7
        && id.len() <= 8
        && id[..2].iter().all(u8::is_ascii_uppercase)
        && id[2] == b'-'
        && id[3..].iter().all(u8::is_ascii_digit)
}

/// Words after which a code is a flight, seat, model, version or error, not an order
/// ("flight LH7292", "the model is GT-5000", "error code E501").
const NOT_ID_BEFORE: &[&str] = &[
    "flight", "flights", "seat", "gate", "model", "version", "room", "platform", "terminal", "bus",
    "train", "route", "error", "size",
];

/// Small words that may stand between [`NOT_ID_BEFORE`] and the code ("the model is ...").
const NOT_ID_FILLER: &[&str] = &["the", "a", "an", "my", "is", "have"];

/// Is the word right before `s` one of [`NOT_ID_BEFORE`] (with at most "is"/"the" between)?
fn not_an_id_before(text: &str, s: usize) -> bool {
    let mut words = text[..s]
        .trim_end()
        .rsplit(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let Some(w1) = words.next() else {
        return false;
    };
    // compared ignoring ASCII case, without lowercased copies
    let is = |w: &str, list: &[&str]| list.iter().any(|x| x.eq_ignore_ascii_case(w));
    if is(w1, NOT_ID_BEFORE) || w1.eq_ignore_ascii_case("sku") {
        return true;
    }
    if is(w1, NOT_ID_FILLER) {
        if let Some(w2) = words.next() {
            return is(w2, NOT_ID_BEFORE) || is(w2, &["the", "a"]);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::iban_start_possible;
    use crate::redact::tests::{kinds_found, random_digit_text};
    use crate::redact::PiiKind;

    #[test]
    fn order_words_of_other_languages_and_json_keys_cue_an_order_id() {
        let orders = |t: &str| kinds_found(t, PiiKind::OrderNumber);
        assert_eq!(
            orders("| N° de commande | I9V-6433-56949 |"),
            ["I9V-6433-56949"]
        );
        assert_eq!(orders("N.º da encomenda: BK-0QPRZH"), ["BK-0QPRZH"]);
        assert_eq!(orders("Bestellnummer: 3445/59837"), ["3445/59837"]);
        assert_eq!(orders("Αριθμός παραγγελίας : 6UUHWE"), ["6UUHWE"]);
        assert_eq!(
            orders(r#"{"order_id": "8324/51498", "x": 1}"#),
            ["8324/51498"]
        );
        // an order word before a quantity or a date is no id
        assert!(orders("Die Bestellung 3 Stück kam am 12.03.2024.").is_empty());
    }

    #[test]
    fn card_numbers_grouped_with_dots_are_cards() {
        let cards = |t: &str| kinds_found(t, PiiKind::CreditCard);
        assert_eq!(
            cards("Numero carta: 4970.0650.7895.6712"),
            ["4970.0650.7895.6712"]
        );
        // dots mixed with spaces, or a number failing Luhn, are none
        assert!(cards("Ref 4970.0650 7895.6712").is_empty());
        assert!(cards("Build 1234.5678.9012.3456").is_empty());
    }

    #[test]
    fn an_answer_to_an_order_question_is_an_order_id() {
        let orders = |t: &str| kinds_found(t, PiiKind::OrderNumber);
        assert_eq!(
            orders("Bot: Could I have the order number?\nUser: ord-6311-5547\nBot: Thanks."),
            ["ord-6311-5547"]
        );
        assert_eq!(
            orders("Me: hi\nAgent: Which order?\nMe: iku761330"),
            ["iku761330"]
        );
        // a reply without a digit, or from the asker, is none
        assert!(orders("Me: hi\nAgent: Which order?\nMe: the blue one").is_empty());
        assert!(orders("Me: hi\nAgent: Which order?\nAgent: ab12345").is_empty());
    }

    #[test]
    fn the_iban_start_scan_looks_at_each_run_once_and_agrees_with_every_digit() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut yes = 0;
        for round in 0..20_000 {
            let t = random_digit_text(&mut seed, 1 + round % 30);
            let b = t.as_bytes();
            // the scan it replaced: two letters and two digits at any digit
            let want = (2..b.len().saturating_sub(1)).any(|i| {
                b[i].is_ascii_digit()
                    && b[i + 1].is_ascii_digit()
                    && b[i - 1].is_ascii_alphabetic()
                    && b[i - 2].is_ascii_alphabetic()
            });
            yes += usize::from(want);
            assert_eq!(iban_start_possible(b), want, "{t:?}");
        }
        assert!(yes > 1_000, "{yes}");
    }
}
