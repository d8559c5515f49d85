//! A person's own things named after them: "Tuathal's number is …", "Ana Lopez's e-mail",
//! "and yuyoka's is ad3634765". Whose phone number, address, order or passport a message
//! gives is a person (brands and places have numbers too: an everyday word, a known
//! place or an organisation is left alone).

use super::lexicon::{lookup, lower, Lower};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

/// "'s " and "’s ", searched for once built.
static APOSTROPHE_S: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("'s "));
static CURLY_S: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("’s "));

/// What follows the possessive: a personal thing, or "is" and a code.
static THING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:(?i:(?:mobile[ ]|phone[ ]|cell[ ]|home[ ]|work[ ])?(?:number|phone|mobile|cell|e-?mail|address|birthday|date[ ]of[ ]birth|passport|licen[cs]e|iban|account[ ]number|account|card|graduation|wedding|funeral|husband|wife|partner))(?-u:\b)",
        r"|is[ ](?:[A-Za-z]{0,4}[0-9][A-Za-z0-9-]{3,}))",
    ))
    .expect("static regex")
});

/// Person candidates for the owners of personal things: each "'s " followed by a
/// personal thing, and the words right before it.
pub(super) fn possessives(text: &str, out: &mut Vec<Cand>) {
    if memchr::memchr2(b'\'', 0xE2, text.as_bytes()).is_none() {
        return;
    }
    let mut buf = Lower::new();
    for (mark, len) in [(&*APOSTROPHE_S, 3), (&*CURLY_S, 5)] {
        for at in mark.find_iter(text.as_bytes()) {
            // "it's", "what's", "that's": most possessives in a message follow an everyday
            // word in lower case, which names nobody
            let word_start = text[..at]
                .rfind(|c: char| !(c.is_alphabetic() || c == '-'))
                .map_or(0, |i| {
                    i + text[i..].chars().next().map_or(1, char::len_utf8)
                });
            let word = &text[word_start..at];
            if word.is_empty()
                || (word.starts_with(|c: char| c.is_lowercase())
                    && lookup(lower(word, &mut buf)).common_any())
            {
                continue;
            }
            let after = &text[at + len..];
            let Some(thing) = THING.find(after) else {
                continue;
            };
            let Some(from) = words_before(text, at) else {
                continue;
            };
            // a lower-case name only before "is <code>" or a thing only people have, or in
            // a chat turn typed all in lower case
            let t = thing.as_str();
            let personal = t.starts_with("is ") || PERSONAL_THINGS.iter().any(|p| t.ends_with(p));
            let Some((s, e)) = name_words(text, from, at, personal, &mut buf) else {
                continue;
            };
            // "my nephew's birthday", "our client's account": a relation or a role
            let determiner = text[..s]
                .trim_end()
                .rsplit([' ', '\n', '\t'])
                .next()
                .is_some_and(|w| {
                    [
                        "my", "your", "his", "her", "our", "their", "the", "a", "an", "this",
                        "that",
                    ]
                    .iter()
                    .any(|d| w.eq_ignore_ascii_case(d))
                });
            if !determiner {
                out.push(Cand::new(s, e, PiiKind::Person, Prio::PERSON));
            }
        }
    }
}

/// Where up to three words of letters right before `end` start, within their clause
/// (none: `None`).
pub(super) fn words_before(text: &str, end: usize) -> Option<usize> {
    let head = &text[..end];
    let clause = head
        .rfind(['\n', '.', ',', ':', ';', '!', '?', '(', '"', '\t'])
        .map_or(0, |i| i + 1);
    let mut from = head.len();
    for (n, w) in head[clause..].rsplit(' ').enumerate() {
        let letters = !w.is_empty()
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-'));
        if n >= 3 || !letters {
            break;
        }
        from -= w.len() + usize::from(from < head.len());
    }
    (from < head.len()).then_some(from)
}

/// Things only a person has: a lower-case word before them is a name typed in lower case.
const PERSONAL_THINGS: &[&str] = &["graduation", "wedding", "birthday", "funeral", "passport"];

/// The name among the words `text[s..e]`: the words before the last everyday word
/// dropped ("Then Marigold", "a present for Yuqing"), the rest each a name or at least
/// no everyday word, not a place or an organisation. Lower-case words only with `lower_ok` or in a chat turn
/// typed all in lower case.
pub(super) fn name_words(
    text: &str,
    s: usize,
    e: usize,
    lower_ok: bool,
    buf: &mut Lower,
) -> Option<(usize, usize)> {
    // the name is the run of words right before the end that are no everyday words
    let mut start = None;
    let mut at = s;
    for w in text[s..e].split(' ') {
        let here = at;
        at += w.len() + 1;
        if w.is_empty() {
            continue;
        }
        let lex = lookup(lower(w, buf));
        if lex.common_any() && !lex.named() && !lex.common_name() {
            start = None;
            continue;
        }
        if !lower_ok && w.chars().next().is_some_and(char::is_lowercase) {
            let line_start = text[..s].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[e..].find('\n').map_or(text.len(), |i| e + i);
            // only in a chat turn ("User: ok so holmny ordered it") typed in lower case
            let turn_start = line_start + text[line_start..s].find(": ")? + 2;
            let turn = &text[turn_start..line_end];
            if !super::lexicon::is_lowercase_text(turn) || turn.contains("I ") {
                return None;
            }
        }
        start.get_or_insert(here);
    }
    let start = start?;
    if start >= e || super::names::place_or_org_span(text, start, e) {
        return None;
    }
    Some((start, e))
}

#[cfg(test)]
mod tests {
    use crate::redact::tests::persons;

    #[test]
    fn whose_number_or_code_it_is_is_a_person() {
        assert_eq!(
            persons("[08:21] Me: Tuathal's number is 0 (587) 698 71 25 if I don't pick up"),
            ["Tuathal"]
        );
        assert_eq!(persons("Customer: and yuyoka's is ad3634765"), ["yuyoka"]);
    }

    #[test]
    fn a_brand_or_an_everyday_word_with_a_number_is_no_person() {
        for t in [
            "What is the bank's phone number?",
            "Today's number is 5.",
            "the app's address is wrong",
            "my card's number is fine",
            "do i have my nephew's birthday marked for november 10th",
        ] {
            assert!(persons(t).is_empty(), "{t}: {:?}", persons(t));
        }
    }
}
