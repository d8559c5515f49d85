//! Word lists and small text helpers shared by the detectors.
//!
//! The lists are compiled into the binary (`include_str!`) so the redactor works offline and
//! deterministically; they are parsed once into hash sets on first use.

use std::cell::{Cell, OnceCell};
use std::collections::{HashMap, HashSet};
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
    /// The same value as `write(&[i])`, without the chunk loop (`str` hashing ends with
    /// one `write_u8`).
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // whole 8-byte chunks as one load each, then the rest byte by byte (the same value)
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let v = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut v = 0u64;
            for (i, &b) in rest.iter().enumerate() {
                v |= u64::from(b) << (i * 8);
            }
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Does `text` contain the needle of `f`? Substring tests that run on most messages use
/// a searcher built once instead of `str::contains`, which builds one on every call.
#[inline]
pub(super) fn has(f: &memchr::memmem::Finder<'static>, text: &str) -> bool {
    f.find(text.as_bytes()).is_some()
}

/// " dot ", of e-mail addresses written out ("anna dot smith at ...").
pub(super) static SPACED_DOT: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(" dot "));

/// A set of static words with the fast hasher.
pub(super) type WordSet = HashSet<&'static str, FastHash>;

const GIVEN_TXT: &str = include_str!("given_names.txt");
const SURNAME_TXT: &str = include_str!("surnames.txt");
const COMMON_TXT: &str = include_str!("common_words.txt");
const FUNCTION_TXT: &str = include_str!("function_words.txt");

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

const LEX_GIVEN: u8 = 1;
const LEX_SURNAME: u8 = 2;
const LEX_COMMON: u8 = 4;
const LEX_PARTICLE: u8 = 8;
/// An everyday word that is also a listed name or a very common one in the gazetteers
/// ("May", "Grant"): the tagger still scores it when capitalised.
const LEX_COMMON_NAME: u8 = 16;
/// A reply, greeting or function word of some language ("bye", "Sie", "Veuillez"): never
/// scored as a name by the tagger, but not evidence about its neighbours.
const LEX_FUNCTION: u8 = 32;

/// What the word lists say about one lowercase word. One map holds every list, so looking
/// a word up is one hash lookup instead of one per list (the lookups were the largest
/// share of the name detector's time).
#[derive(Clone, Copy)]
pub(super) struct Lex(u8);

impl Lex {
    /// A known given name.
    pub(super) fn given(self) -> bool {
        self.0 & LEX_GIVEN != 0
    }
    /// A known surname.
    pub(super) fn surname(self) -> bool {
        self.0 & LEX_SURNAME != 0
    }
    /// A given name or a surname.
    pub(super) fn named(self) -> bool {
        self.0 & (LEX_GIVEN | LEX_SURNAME) != 0
    }
    /// An everyday word (or a brand, place, month...).
    pub(super) fn common(self) -> bool {
        self.0 & LEX_COMMON != 0
    }
    /// A name particle ("van", "de").
    pub(super) fn particle(self) -> bool {
        self.0 & LEX_PARTICLE != 0
    }
    /// An everyday word that is also a listed given name or surname, or a very common one
    /// (tier 1) in the gazetteers: answered here so the tagger needs one lookup, not two.
    pub(super) fn common_name(self) -> bool {
        self.0 & LEX_COMMON_NAME != 0
    }
    /// An everyday word, or a reply, greeting or function word of any language
    /// (`function_words.txt`).
    pub(super) fn common_any(self) -> bool {
        self.0 & (LEX_COMMON | LEX_FUNCTION) != 0
    }
}

/// Every word list in one map: word -> `LEX_*` bits.
static LEXICON: LazyLock<HashMap<&'static str, u8, FastHash>> = LazyLock::new(|| {
    let mut m: HashMap<&'static str, u8, FastHash> = HashMap::default();
    let lists = [
        (GIVEN_TXT, LEX_GIVEN),
        (SURNAME_TXT, LEX_SURNAME),
        (COMMON_TXT, LEX_COMMON),
        (FUNCTION_TXT, LEX_FUNCTION),
    ];
    for (txt, bit) in lists {
        for w in parse_list(txt) {
            *m.entry(w).or_insert(0) |= bit;
        }
    }
    // Particles are common words for the purposes of "does a name end here".
    for w in ["i", "a", "an", "the", "my", "me"] {
        *m.entry(w).or_insert(0) |= LEX_COMMON;
    }
    for &w in PARTICLES {
        *m.entry(w).or_insert(0) |= LEX_PARTICLE;
    }
    for (w, bits) in m.iter_mut() {
        if *bits & (LEX_COMMON | LEX_FUNCTION) != 0 {
            let g = super::gazetteer::lookup(w);
            if *bits & (LEX_GIVEN | LEX_SURNAME) != 0 || g & 3 == 1 || (g >> 2) & 3 == 1 {
                *bits |= LEX_COMMON_NAME;
            }
        }
    }
    m
});

/// Force the lists to be parsed (so the first message does not pay for it).
pub(super) fn warm_up() {
    LazyLock::force(&LEXICON);
}

/// Everything the word lists say about the lowercase word `lw`, in one lookup.
#[inline]
pub(super) fn lookup(lw: &str) -> Lex {
    Lex(LEXICON.get(lw).copied().unwrap_or(0))
}

/// Scratch space for [`lower`]. ASCII words of up to [`Lower::INLINE`] bytes (nearly
/// every word) are lowercased in the inline array, so lookups never touch the heap; longer
/// or non-ASCII words use the `String`.
pub(super) struct Lower {
    small: [u8; Lower::INLINE],
    big: String,
}

impl Lower {
    /// The longest ASCII word lowercased without the heap.
    const INLINE: usize = 48;

    /// Empty scratch space (no allocation).
    pub(super) fn new() -> Self {
        Lower {
            small: [0; Lower::INLINE],
            big: String::new(),
        }
    }
}

impl Default for Lower {
    fn default() -> Self {
        Lower::new()
    }
}

/// Lowercases `word` into `buf` (ASCII fast path, full Unicode otherwise) and maps the
/// typographic apostrophe to the ASCII one, so lookups are case-insensitive. A word that
/// is already lowercase ASCII is returned as it is.
pub(super) fn lower<'b>(word: &'b str, buf: &'b mut Lower) -> &'b str {
    let w = word.as_bytes();
    if w.len() <= Lower::INLINE {
        // one pass: copy lowercased, and note non-ASCII and capital bytes
        let (mut all, mut upper) = (0u8, false);
        for (d, &c) in buf.small.iter_mut().zip(w) {
            all |= c;
            upper |= c.is_ascii_uppercase();
            *d = c.to_ascii_lowercase();
        }
        if all < 0x80 {
            if !upper {
                return word;
            }
            // lowercased ASCII is still ASCII, so this never falls back
            return std::str::from_utf8(&buf.small[..w.len()]).unwrap_or_default();
        }
    }
    let big = &mut buf.big;
    big.clear();
    if word.is_ascii() {
        big.push_str(word);
        big.make_ascii_lowercase();
    } else {
        for c in word.chars() {
            if c == '\u{2019}' {
                big.push('\'');
            } else {
                big.extend(c.to_lowercase());
            }
        }
    }
    big.as_str()
}

/// Is the lowercase word a known surname?
pub(super) fn is_surname(lw: &str) -> bool {
    lookup(lw).surname()
}

/// Is the lowercase word an everyday word (or a brand, place, month...)?
pub(super) fn is_common(lw: &str) -> bool {
    lookup(lw).common()
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
    if !text.is_char_boundary(s) {
        return None;
    }
    // ASCII fast path; the first non-ASCII byte hands over to the Unicode rules
    let mut end = s;
    let mut j = s;
    while j < b.len() {
        let c = b[j];
        if c.is_ascii_alphabetic() {
            j += 1;
            end = j;
            continue;
        }
        let joiner = (c == b'-' || c == b'\'') && end > s;
        if c >= 0x80 || (joiner && b.get(j + 1).is_some_and(|&n| n >= 0x80)) {
            return word_end_unicode(text, s, j, end);
        }
        if joiner && b.get(j + 1).is_some_and(u8::is_ascii_alphabetic) {
            j += 1;
            continue;
        }
        break;
    }
    (end > s).then_some((s, end))
}

/// [`next_word`] from the char boundary `j` on, for non-ASCII text: the word started at
/// `s` and so far ends at `end`.
fn word_end_unicode(text: &str, s: usize, j: usize, mut end: usize) -> Option<(usize, usize)> {
    let mut it = text[j..].char_indices().peekable();
    while let Some((off, c)) = it.next() {
        if c.is_alphabetic() {
            end = j + off + c.len_utf8();
        } else if (c == '-' || c == '\'' || c == '\u{2019}') && end > s {
            match it.peek() {
                Some(&(_, n)) if n.is_alphabetic() => {}
                _ => break,
            }
        } else {
            break;
        }
    }
    (end > s).then_some((s, end))
}

/// The first index at or after `i` whose byte `hit` accepts, or `b.len()`. For bytes that
/// are rare in text: 16-byte blocks without one are skipped with one vectorised test each.
#[inline]
pub(super) fn next_where(b: &[u8], mut i: usize, hit: impl Fn(u8) -> bool) -> usize {
    while let Some(block) = b.get(i..i + 16) {
        if block.iter().fold(false, |a, &c| a | hit(c)) {
            break;
        }
        i += 16;
    }
    b[i.min(b.len())..]
        .iter()
        .position(|&c| hit(c))
        .map_or(b.len(), |k| i + k)
}
/// Up to eight bytes as one `u64`, the first byte lowest and missing bytes zero: the
/// word that the eight-bytes-at-a-time tests (`gate::Starts`, the doer's spaces) work on.
pub(super) fn load_eight(eight: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = eight.len().min(8);
    buf[..n].copy_from_slice(&eight[..n]);
    u64::from_le_bytes(buf)
}

/// The top bits of the first `n` bytes of `m` (whose other bits are clear), gathered into
/// its low `n` bits in byte order: one bit per byte for a test done on all eight at once.
pub(super) fn gather_tops(m: u64, n: usize) -> u64 {
    let gathered = ((m >> 7) & 0x0101_0101_0101_0101).wrapping_mul(0x0102_0408_1020_4080) >> 56;
    gathered & if n >= 8 { 0xff } else { (1u64 << n) - 1 }
}

/// The first index at or after `i` holding an ASCII digit, or `b.len()`.
pub(super) fn next_digit(b: &[u8], i: usize) -> usize {
    next_where(b, i, |c| c.is_ascii_digit())
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
    let mut i = 0;
    while i < b.len() {
        // 16 bytes without a capital cannot change the count
        if let Some(block) = b.get(i..i + 16) {
            if !block.iter().fold(false, |a, c| a | c.is_ascii_uppercase()) {
                i += 16;
                continue;
            }
        }
        let c = b[i];
        if c.is_ascii_uppercase() && (i == 0 || !b[i - 1].is_ascii_alphabetic()) {
            let next_alpha = b.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
            if next_alpha {
                caps += 1;
                if caps > 1 {
                    return false;
                }
            }
        }
        i += 1;
    }
    true
}

/// [`is_lowercase_text`] of one text, computed on first use: most messages never need
/// it, and the scan was a measurable share of the address detector.
pub(super) struct LowercaseText<'t> {
    text: &'t str,
    value: OnceCell<bool>,
    /// The last line [`Self::get_at`] judged: its start, its end and the answer (the
    /// street grammars ask about one word after another on the same line).
    line: Cell<Option<(usize, usize, bool)>>,
}

impl<'t> LowercaseText<'t> {
    /// Not computed yet.
    pub(super) fn new(text: &'t str) -> Self {
        LowercaseText {
            text,
            value: OnceCell::new(),
            line: Cell::new(None),
        }
    }

    /// Whether the text is written without capitals (see [`is_lowercase_text`]).
    pub(super) fn get(&self) -> bool {
        *self.value.get_or_init(|| is_lowercase_text(self.text))
    }

    /// Whether the text, or the line at byte `pos` of it, is written without capitals: in a
    /// transcript whose other turns have capitals, one turn may be typed all in lower case
    /// ("[19:35] User: no, it's 22/36 kookaburra parade, newtown nsw 2042 now"). The
    /// speaker's label before ": " does not count.
    pub(super) fn get_at(&self, pos: usize) -> bool {
        if self.get() {
            return true;
        }
        if let Some((ls, le, lc)) = self.line.get() {
            if ls <= pos && pos <= le {
                return lc;
            }
        }
        let (Some(head), Some(tail)) = (self.text.get(..pos), self.text.get(pos..)) else {
            return false;
        };
        let ls = head.rfind('\n').map_or(0, |i| i + 1);
        let le = pos + tail.find('\n').unwrap_or(tail.len());
        // the one line of a one-line text is the text, which `get` judged
        let lc = (ls, le) != (0, self.text.len()) && line_is_lowercase(&self.text[ls..le]);
        self.line.set(Some((ls, le, lc)));
        lc
    }

    /// [`Self::get_at`] for a word `w` that is a slice of the text.
    pub(super) fn get_for(&self, w: &str) -> bool {
        let at = (w.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        if at <= self.text.len() {
            self.get_at(at)
        } else {
            self.get()
        }
    }
}

/// Whether one line, without a chat speaker's label ("[19:35] User: "), has no capitals.
fn line_is_lowercase(line: &str) -> bool {
    let turn = match line.find(": ") {
        Some(i) if i <= 40 => &line[i + 2..],
        _ => line,
    };
    is_lowercase_text(turn)
}
