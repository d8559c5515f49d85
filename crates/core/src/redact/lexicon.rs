//! Word lists and small text helpers shared by the detectors.
//!
//! The lists are compiled into the binary (`include_str!`) so the redactor works offline and
//! deterministically; they are parsed once into hash sets on first use.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::sync::LazyLock;

/// A small multiplicative hasher (FxHash-style) for the word sets: the keys are short,
/// fixed at build time and not attacker-chosen in a way that matters (lookups only), and
/// SipHash was a measurable share of the redactor's time.
#[derive(Clone, Copy, Default)]
pub(super) struct FastHash;

/// The hasher state of [`FastHash`].
pub(super) struct FastHasher(u64);

impl BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut v = 0u64;
            for (i, &b) in chunk.iter().enumerate() {
                v |= u64::from(b) << (i * 8);
            }
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A set of static words with the fast hasher.
pub(super) type WordSet = HashSet<&'static str, FastHash>;

const GIVEN_TXT: &str = include_str!("given_names.txt");
const SURNAME_TXT: &str = include_str!("surnames.txt");
const COMMON_TXT: &str = include_str!("common_words.txt");

/// Name particles that may appear lowercase inside a capitalised name ("Jelte de Bruyn").
pub(super) const PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "del", "della", "dei", "di", "da", "das", "dos", "du", "la",
    "le", "ter", "ten", "bin", "ibn", "al", "el", "y", "zu", "af", "st", "mc", "mac",
];

fn parse_list(txt: &'static str) -> WordSet {
    txt.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
        .filter(|w| !PARTICLES.contains(w))
        .collect()
}

static GIVEN: LazyLock<WordSet> = LazyLock::new(|| parse_list(GIVEN_TXT));
static SURNAMES: LazyLock<WordSet> = LazyLock::new(|| parse_list(SURNAME_TXT));
static COMMON: LazyLock<WordSet> = LazyLock::new(|| {
    let mut s = parse_list(COMMON_TXT);
    // Particles are common words for the purposes of "does a name end here".
    s.extend(["i", "a", "an", "the", "my", "me"]);
    s
});

/// Force the lists to be parsed (so the first message does not pay for it).
pub(super) fn warm_up() {
    LazyLock::force(&GIVEN);
    LazyLock::force(&SURNAMES);
    LazyLock::force(&COMMON);
}

/// Lowercases `word` into `buf` (ASCII fast path, full Unicode otherwise) and maps the
/// typographic apostrophe to the ASCII one, so lookups are case-insensitive.
pub(super) fn lower<'b>(word: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
    } else {
        for c in word.chars() {
            if c == '\u{2019}' {
                buf.push('\'');
            } else {
                buf.extend(c.to_lowercase());
            }
        }
    }
    buf.as_str()
}

/// Is the lowercase word a known given name?
pub(super) fn is_given(lw: &str) -> bool {
    GIVEN.contains(lw)
}

/// Is the lowercase word a known surname?
pub(super) fn is_surname(lw: &str) -> bool {
    SURNAMES.contains(lw)
}

/// Is the lowercase word an everyday word (or a brand, place, month...)?
pub(super) fn is_common(lw: &str) -> bool {
    COMMON.contains(lw)
}

/// Is the lowercase word a name particle?
pub(super) fn is_particle(lw: &str) -> bool {
    PARTICLES.contains(&lw)
}

/// The character just before byte offset `i`, if any.
#[inline]
pub(super) fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|s| s.chars().next_back())
}

/// The character starting at byte offset `i`, if any.
#[inline]
pub(super) fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

/// Letters, digits and underscore (Unicode-aware): what glues a token together.
#[inline]
pub(super) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// True when no word character touches position `i` from the left.
#[inline]
pub(super) fn left_clear(text: &str, i: usize) -> bool {
    !char_before(text, i).is_some_and(is_word_char)
}

/// True when no word character touches position `i` from the right.
#[inline]
pub(super) fn right_clear(text: &str, i: usize) -> bool {
    !char_at(text, i).is_some_and(is_word_char)
}

/// A word token: a maximal run of letters with inner hyphens/apostrophes (and a final dot
/// for initials such as "K."). Returns its byte range, starting the search at `from` after
/// skipping at most `max_gap` bytes of horizontal white space.
pub(super) fn next_word(text: &str, from: usize, max_gap: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() && i - from < max_gap && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    let s = i;
    let mut it = text.get(s..)?.char_indices().peekable();
    let mut end = s;
    while let Some((off, c)) = it.next() {
        if c.is_alphabetic() {
            end = s + off + c.len_utf8();
        } else if (c == '-' || c == '\'' || c == '\u{2019}') && end > s {
            match it.peek() {
                Some(&(_, n)) if n.is_alphabetic() => {}
                _ => break,
            }
        } else {
            break;
        }
    }
    if end > s {
        Some((s, end))
    } else {
        None
    }
}

/// First character of a token is uppercase.
#[inline]
pub(super) fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// True when the text has no capitalised word other than a lone "I": the writer does not
/// use capitals, so lowercase names and streets must be accepted.
pub(super) fn is_lowercase_text(text: &str) -> bool {
    let b = text.as_bytes();
    let mut caps = 0;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_uppercase() && (i == 0 || !b[i - 1].is_ascii_alphabetic()) {
            let next_alpha = b.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
            if next_alpha {
                caps += 1;
                if caps > 1 {
                    return false;
                }
            }
        }
    }
    true
}
