//! Hand-written scanners for the simplest detector patterns, used on ASCII text.
//!
//! Each scanner yields exactly the matches that `find_iter` of its regex yields on ASCII
//! text (leftmost-first, greedy, non-overlapping), but without the regex engine's fixed
//! cost per search, which dominated these detectors on short messages. On text with any
//! non-ASCII byte the detectors keep using the regex, because there `\d`, `\s` and `\pL`
//! mean Unicode classes. The tests in this module compare every scanner with its regex on
//! many random strings.

use super::lexicon::{next_digit, next_where};
use memchr::memmem::Finder;
use regex::Regex;
use std::sync::LazyLock;

/// Matches as `(start, end)` byte offsets, from a scanner or from a regex.
pub(super) enum Found<'r, 't, S> {
    /// The hand-written scanner (ASCII text).
    Scan(S),
    /// The regex (text with non-ASCII bytes).
    Regex(regex::Matches<'r, 't>),
}

impl<S: Iterator<Item = (usize, usize)>> Iterator for Found<'_, '_, S> {
    type Item = (usize, usize);
    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        match self {
            Found::Scan(s) => s.next(),
            Found::Regex(m) => m.next().map(|m| (m.start(), m.end())),
        }
    }
}

/// `scan` on ASCII text, else `re.find_iter(text)`.
pub(super) fn find<'r, 't, S>(
    text: &'t str,
    ascii: bool,
    re: &'r Regex,
    scan: impl FnOnce(&'t [u8]) -> S,
) -> Found<'r, 't, S> {
    if ascii {
        Found::Scan(scan(text.as_bytes()))
    } else {
        Found::Regex(re.find_iter(text))
    }
}

/// ASCII `\w`, what `(?-u:\b)` tests on either side.
#[inline]
pub(super) fn word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Is there an ASCII word boundary at `i`?
#[inline]
fn boundary(b: &[u8], i: usize) -> bool {
    let before = i > 0 && word(b[i - 1]);
    let after = i < b.len() && word(b[i]);
    before != after
}

/// A scanner: the text, where the next search starts, how to skip to the next byte that
/// can start a match, and the match test at such a byte (its end, if one starts there).
pub(super) struct Scan<'t> {
    b: &'t [u8],
    pos: usize,
    skip: fn(&[u8], usize) -> usize,
    at: fn(&[u8], usize) -> Option<usize>,
}

impl Iterator for Scan<'_> {
    type Item = (usize, usize);
    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        let b = self.b;
        let mut p = (self.skip)(b, self.pos);
        while p < b.len() {
            if let Some(e) = (self.at)(b, p) {
                self.pos = e;
                return Some((p, e));
            }
            p = (self.skip)(b, p + 1);
        }
        self.pos = b.len();
        None
    }
}

fn scanner(
    b: &[u8],
    skip: fn(&[u8], usize) -> usize,
    at: fn(&[u8], usize) -> Option<usize>,
) -> Scan<'_> {
    Scan {
        b,
        pos: 0,
        skip,
        at,
    }
}

fn next_phone_start(b: &[u8], i: usize) -> usize {
    next_where(b, i, |c| c.is_ascii_digit() | (c == b'+') | (c == b'('))
}

/// The phone pattern's body after its first digit: `[\d\x20().\-/]`.
#[inline]
fn phone_body(c: u8) -> bool {
    c.is_ascii_digit() || matches!(c, b' ' | b'(' | b')' | b'.' | b'-' | b'/')
}

/// End of `\d[\d\x20().\-/]{4,24}\d` starting at digit `q` (greedy: the last digit that
/// the body can reach).
#[inline]
fn phone_from_digit(b: &[u8], q: usize) -> Option<usize> {
    if !b.get(q).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let lim = (q + 26).min(b.len());
    let mut e = q + 1;
    while e < lim && phone_body(b[e]) {
        e += 1;
    }
    let mut x = e;
    while x > q + 5 {
        x -= 1;
        if b[x].is_ascii_digit() {
            return Some(x + 1);
        }
    }
    None
}

/// A match of `(?:\+\s?|\(\+?)?\d[\d\x20().\-/]{4,24}\d` starting at `p`.
fn phone_at(b: &[u8], p: usize) -> Option<usize> {
    match b[p] {
        b'+' => {
            // `\s` includes the vertical tab, which `is_ascii_whitespace` leaves out
            if b.get(p + 1).is_some_and(u8::is_ascii_whitespace) || b.get(p + 1) == Some(&0x0B) {
                phone_from_digit(b, p + 2)
            } else {
                phone_from_digit(b, p + 1)
            }
        }
        b'(' => {
            if b.get(p + 1) == Some(&b'+') {
                phone_from_digit(b, p + 2)
            } else {
                phone_from_digit(b, p + 1)
            }
        }
        c if c.is_ascii_digit() => phone_from_digit(b, p),
        _ => None,
    }
}

/// The phone-number shapes (`contact::PHONE`) in ASCII text.
pub(super) fn phones(b: &[u8]) -> Scan<'_> {
    scanner(b, next_phone_start, phone_at)
}

/// A match of `\d(?:[ .-]?\d){11,18}` starting at `p`.
fn card_at(b: &[u8], p: usize) -> Option<usize> {
    if !b[p].is_ascii_digit() {
        return None;
    }
    let mut i = p + 1;
    let mut n = 0;
    while n < 18 {
        if i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        } else if i + 1 < b.len() && matches!(b[i], b' ' | b'-' | b'.') && b[i + 1].is_ascii_digit()
        {
            i += 2;
        } else {
            break;
        }
        n += 1;
    }
    (n >= 11).then_some(i)
}

/// The card-number shapes (`finance::CARD`) in ASCII text.
pub(super) fn cards(b: &[u8]) -> Scan<'_> {
    scanner(b, next_digit, card_at)
}

/// The end of a run of one to three digits at `i` (not four or more).
#[inline]
fn octet(b: &[u8], i: usize) -> Option<usize> {
    let n = b[i.min(b.len())..]
        .iter()
        .take(4)
        .take_while(|c| c.is_ascii_digit())
        .count();
    (1..=3).contains(&n).then_some(i + n)
}

/// A match of `(?-u:\b)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?-u:\b)` starting at `p`.
fn ipv4_at(b: &[u8], p: usize) -> Option<usize> {
    if !b[p].is_ascii_digit() || (p > 0 && word(b[p - 1])) {
        return None;
    }
    let mut i = p;
    for _ in 0..3 {
        i = octet(b, i)?;
        if b.get(i) != Some(&b'.') {
            return None;
        }
        i += 1;
    }
    let e = octet(b, i)?;
    boundary(b, e).then_some(e)
}

/// The dotted-quad shapes (`contact::IPV4`) in ASCII text.
pub(super) fn ipv4s(b: &[u8]) -> Scan<'_> {
    scanner(b, next_digit, ipv4_at)
}

/// A match of `- \pL| (?:here|told (?:me|us)|speaking)(?-u:\b)` starting at `p`.
fn sign_off_at(b: &[u8], p: usize) -> Option<usize> {
    let rest = &b[p..];
    match rest.first() {
        Some(b'-') => {
            (rest.len() >= 3 && rest[1] == b' ' && rest[2].is_ascii_alphabetic()).then_some(p + 3)
        }
        Some(b' ') => {
            let w = &rest[1..];
            let len = if w.starts_with(b"here") {
                4
            } else if w.starts_with(b"told me") || w.starts_with(b"told us") {
                7
            } else if w.starts_with(b"speaking") {
                8
            } else {
                return None;
            };
            let e = p + 1 + len;
            boundary(b, e).then_some(e)
        }
        _ => None,
    }
}

static HERE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" here"));
static TOLD: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" told "));
static SPEAKING: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" speaking"));

/// The sign-off dashes and self-introduction suffixes (`names::SIGN_OFF`) in ASCII text.
/// Candidates come from substring searches (most messages have none); taking them in
/// order without overlap is what leftmost-first gives, as no two alternatives can start
/// at the same byte.
pub(super) fn sign_offs(b: &[u8]) -> std::vec::IntoIter<(usize, usize)> {
    let mut starts: Vec<usize> = Vec::new();
    // one-shot searches: most messages hold none of these, and `find` costs less than
    // setting up an iterator
    let mut from = 0;
    while let Some(k) = memchr::memchr(b'-', &b[from..]) {
        starts.push(from + k);
        from += k + 1;
    }
    for f in [&*HERE, &*TOLD, &*SPEAKING] {
        let mut from = 0;
        while let Some(k) = f.find(&b[from..]) {
            starts.push(from + k);
            from += k + 1;
        }
    }
    let mut found = Vec::new();
    starts.sort_unstable();
    let mut pos = 0;
    for p in starts {
        if p < pos {
            continue;
        }
        if let Some(e) = sign_off_at(b, p) {
            found.push((p, e));
            pos = e;
        }
    }
    found.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic PRNG, so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick(&mut self, alphabet: &[u8]) -> u8 {
            alphabet[(self.next() % alphabet.len() as u64) as usize]
        }
    }

    /// Random ASCII strings over `alphabet` (and pieces of `words`), to compare a scanner
    /// with its regex.
    fn samples(seed: u64, alphabet: &[u8], words: &[&str], n: usize) -> Vec<String> {
        let mut r = Rng(seed);
        (0..n)
            .map(|_| {
                let len = (r.next() % 60) as usize;
                let mut s = String::new();
                while s.len() < len {
                    if !words.is_empty() && r.next().is_multiple_of(4) {
                        s.push_str(words[(r.next() % words.len() as u64) as usize]);
                    } else {
                        s.push(char::from(r.pick(alphabet)));
                    }
                }
                s
            })
            .collect()
    }

    fn same(
        re: &str,
        scan: impl Fn(&[u8]) -> Vec<(usize, usize)>,
        alphabet: &[u8],
        words: &[&str],
    ) {
        let re = Regex::new(re).expect("test regex");
        for (i, s) in samples(0x9e37_79b9_7f4a_7c15, alphabet, words, 60_000)
            .iter()
            .enumerate()
        {
            let want: Vec<(usize, usize)> = re.find_iter(s).map(|m| (m.start(), m.end())).collect();
            let got = scan(s.as_bytes());
            assert_eq!(got, want, "sample {i}: {s:?}");
        }
    }

    #[test]
    fn the_phone_scanner_finds_what_the_phone_regex_finds() {
        same(
            r"(?:\+\s?|\(\+?)?\d[\d\x20().\-/]{4,24}\d",
            |b| phones(b).collect(),
            b"0123456789 +()-./\t\n\x0b\x0cax",
            &["+44 ", "(+", "  ", "00"],
        );
    }

    #[test]
    fn the_card_scanner_finds_what_the_card_regex_finds() {
        same(
            r"\d(?:[ -]?\d){11,18}",
            |b| cards(b).collect(),
            b"0123456789 - -x",
            &["4111 1111 1111 1111", "  ", "--"],
        );
    }

    #[test]
    fn the_ipv4_scanner_finds_what_the_ipv4_regex_finds() {
        same(
            r"(?-u:\b)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?-u:\b)",
            |b| ipv4s(b).collect(),
            b"0123456789....a_ -",
            &["192.168.", "1.1.1.1", "255."],
        );
    }

    #[test]
    fn the_sign_off_scanner_finds_what_the_sign_off_regex_finds() {
        same(
            r"- \pL| (?:here|told (?:me|us)|speaking)(?-u:\b)",
            |b| sign_offs(b).collect(),
            b"- aZ_1.,",
            &[
                " here",
                " told me",
                " told us",
                " speaking",
                "- ",
                "here",
                "s",
            ],
        );
    }
}
