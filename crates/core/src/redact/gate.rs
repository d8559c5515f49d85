//! Cue patterns searched only where a word starts.
//!
//! Every cue pattern of the redactor ("my name is", "address:", "order no") starts at a
//! word boundary, yet a regex search steps its automaton through every byte of a
//! message and, for each match, scans back to find where it began. The patterns of a
//! [`CueSet`] are tried only at word starts ([`Starts`], found once per message eight
//! bytes at a time) whose first byte and first three byte classes can begin a match of
//! that pattern (one table read per word start answers for every pattern of the set),
//! and there each is walked forward, anchored, so no scan back is needed.
//!
//! The table is not written by hand: it is read off each pattern's own automaton when
//! the set is built (which beginnings leave it alive), so it can only let more positions
//! through than can match, never fewer, and every position it lets through is searched
//! by the full pattern. The matches are exactly those of `Regex::find_iter`.
//! [`CueSet::new`] refuses a pattern that could start a match inside a word, where the
//! word-start scan would not look.

use super::lexicon::{gather_tops, load_eight};
use super::scan::word;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::util::pool::Pool;
use regex_automata::util::start;
use regex_automata::{meta, Anchored, Input};
use std::panic::{RefUnwindSafe, UnwindSafe};

/// Makes a search cache for a thread that has none free.
type NewCache = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// Byte classes of the start table: each letter in each case, digits, white space, the
/// signs cues use, other ASCII, UTF-8 continuation and lead bytes, and the end of the
/// text. A class is alive when any of its bytes is, so sharing a class only lets more
/// through.
const CLASSES: usize = 64;

/// The class of "past the end of the text", for a start one or two bytes before it.
const END: u8 = 63;

const fn class_of(b: u8) -> u8 {
    match b {
        b'a'..=b'z' => b - b'a',
        b'A'..=b'Z' => 26 + (b - b'A'),
        b'0'..=b'9' => 52,
        b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => 53,
        b'\'' => 54,
        b'.' => 55,
        b':' => 56,
        b'-' | b'/' => 57,
        0x80..=0xbf => 59,
        0xc0..=0xff => 60,
        _ => 58,
    }
}

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = class_of(b as u8);
        b += 1;
    }
    t
};

/// A cue pattern of a [`CueSet`], with what searches it at a word start.
struct WordCues {
    /// The forward automaton that finds where a match tried at a word start ends.
    dfa: DFA,
    /// Its lazily built states, one cache per thread searching at a time.
    caches: Pool<Cache, NewCache>,
    /// The whole pattern, for the rare search the lazy automaton gives up on.
    re: meta::Regex,
}

impl WordCues {
    /// Build the pattern, and set `bit` in the set's start tables (`first`, `alive`, see
    /// [`CueSet`]) wherever it can start a match. Panics (like the regex statics it
    /// replaces, on first use and in every test that uses it) if the pattern is invalid,
    /// can match the empty string, or can start a match other than where an ASCII word
    /// starts or a non-ASCII character follows an ASCII word byte.
    fn new(pattern: &str, bit: u8, first: &mut [u8; 256], alive: &mut [u8]) -> WordCues {
        let re = meta::Regex::new(pattern).expect("static regex");
        assert!(
            regex_automata::util::syntax::parse(pattern)
                .expect("static regex")
                .properties()
                .minimum_len()
                .unwrap_or(0)
                > 0,
            "a word cue pattern must not match the empty string"
        );
        let dfa = DFA::builder()
            .configure(DFA::config().cache_capacity(64 << 20))
            .build(pattern)
            .expect("static regex");
        let mut cache = dfa.create_cache();
        let mut set = |c0: u8, c1: u8, c2: u8| alive[key(c0, c1, c2) as usize] |= bit;
        let at = |behind: Option<u8>| {
            start::Config::new()
                .anchored(Anchored::Yes)
                .look_behind(behind)
        };
        for b0 in 0..=255u8 {
            // where the scan tries a byte: an ASCII word byte after a non-word byte, a
            // non-ASCII byte after an ASCII word byte
            let (tried, untried): (&[Option<u8>], &[Option<u8>]) = if word(b0) {
                (&[None, Some(b' '), Some(b'\n'), Some(b'\r')], &[Some(b'a')])
            } else if b0 >= 0x80 {
                (&[Some(b'a')], &[None, Some(b' '), Some(b'\n'), Some(b'\r')])
            } else {
                (
                    &[],
                    &[None, Some(b' '), Some(b'\n'), Some(b'\r'), Some(b'a')],
                )
            };
            for &behind in untried {
                let s = dfa
                    .start_state(&mut cache, &at(behind))
                    .expect("start state");
                let s0 = dfa.next_state(&mut cache, s, b0).expect("cache");
                assert!(
                    s0.is_dead(),
                    "a word cue pattern can start a match at byte {b0:#04x} after {behind:?}"
                );
            }
            for &behind in tried {
                let s = dfa
                    .start_state(&mut cache, &at(behind))
                    .expect("start state");
                let s0 = dfa.next_state(&mut cache, s, b0).expect("cache");
                if s0.is_dead() {
                    continue;
                }
                first[usize::from(b0)] |= bit;
                let c0 = CLASS[usize::from(b0)];
                // a start a byte or two before the end is always tried
                set(c0, END, END);
                for b1 in 0..=255u8 {
                    let s1 = dfa.next_state(&mut cache, s0, b1).expect("cache");
                    if s1.is_dead() {
                        continue;
                    }
                    let c1 = CLASS[usize::from(b1)];
                    set(c0, c1, END);
                    // A match is seen one byte after its end, and the automaton may die
                    // right after: once a state says a match ended, any next byte goes.
                    let ended = s1.is_match();
                    for b2 in 0..=255u8 {
                        let s2 = dfa.next_state(&mut cache, s1, b2).expect("cache");
                        if ended || !s2.is_dead() {
                            set(c0, c1, CLASS[usize::from(b2)]);
                        }
                    }
                }
            }
        }
        assert_eq!(cache.clear_count(), 0, "the start table outgrew its cache");
        let dfa = DFA::new(pattern).expect("static regex");
        let for_pool = dfa.clone();
        let caches: Pool<Cache, NewCache> = Pool::new(Box::new(move || for_pool.create_cache()));
        WordCues { dfa, caches, re }
    }

    /// Where the match that starts at `at` ends, if one does: the pattern's automaton
    /// walked from `at` until it can match no more, the last match it passed kept (the
    /// leftmost-first match of the regex crate).
    fn end_of_match_at(&self, cache: &mut Cache, text: &str, at: usize) -> Option<usize> {
        let b = text.as_bytes();
        let whole = || {
            let input = Input::new(text).span(at..b.len()).anchored(Anchored::Yes);
            self.re.search(&input).map(|m| m.end())
        };
        let behind = at.checked_sub(1).map(|i| b[i]);
        let config = start::Config::new()
            .anchored(Anchored::Yes)
            .look_behind(behind);
        let Ok(mut sid) = self.dfa.start_state(cache, &config) else {
            return whole();
        };
        let mut end = None;
        for (i, &c) in b.iter().enumerate().skip(at) {
            let Ok(next) = self.dfa.next_state(cache, sid, c) else {
                return whole();
            };
            sid = next;
            if sid.is_tagged() {
                // a match is seen one byte late: the state after byte i says one ended at i
                if sid.is_match() {
                    end = Some(i);
                } else if sid.is_dead() {
                    return end;
                } else if sid.is_quit() {
                    return whole();
                }
            }
        }
        match self.dfa.next_eoi_state(cache, sid) {
            Ok(eoi) if eoi.is_match() => Some(b.len()),
            Ok(_) => end,
            Err(_) => whole(),
        }
    }
}

/// Up to eight cue patterns, with one start table for them all: for a first byte and for
/// the classes of the first three bytes, a bit per pattern that can start a match there.
pub(super) struct CueSet {
    cues: Vec<WordCues>,
    /// Bit `i`: pattern `i` can start with this exact byte.
    first: [u8; 256],
    /// Bit `i`: pattern `i` can start with these three byte classes.
    alive: Vec<u8>,
}

impl CueSet {
    /// Build the patterns (see [`WordCues::new`] for what is refused) and their table.
    pub(super) fn new(patterns: &[&str]) -> CueSet {
        assert!(
            patterns.len() <= 8,
            "a cue set holds at most eight patterns"
        );
        let mut first = [0u8; 256];
        let mut alive = vec![0u8; CLASSES * CLASSES * CLASSES];
        let cues = (0u8..)
            .zip(patterns)
            .map(|(i, p)| WordCues::new(p, 1 << i, &mut first, &mut alive))
            .collect();
        CueSet { cues, first, alive }
    }

    /// Which patterns can start at `at` (a word start of `b`), one bit each.
    fn may_start(&self, b: &[u8], at: usize) -> u8 {
        let c = b[at];
        let first = self.first[usize::from(c)];
        if first == 0 {
            return 0;
        }
        let k = if at + 2 < b.len() {
            key(
                CLASS[usize::from(c)],
                CLASS[usize::from(b[at + 1])],
                CLASS[usize::from(b[at + 2])],
            )
        } else {
            let class = |i: usize| b.get(i).map_or(END, |&c| CLASS[usize::from(c)]);
            key(CLASS[usize::from(c)], class(at + 1), class(at + 2))
        };
        first & self.alive[k as usize]
    }
}

/// Where the patterns of a [`CueSet`] can start in one text: the word starts (an ASCII
/// letter, digit or '_' after any other byte or at the start, and a non-ASCII character
/// right after one of those) that the set's table lets through, a bit per byte for each
/// pattern. Found once per message, in one pass for every pattern.
#[derive(Clone)]
pub(super) struct Starts<'s> {
    set: &'s CueSet,
    /// Pattern `i`'s bits are words `i * words .. (i + 1) * words`, while they fit.
    inline: [u64; INLINE],
    /// The same for longer texts.
    heap: Vec<u64>,
    /// Words of bits per pattern: the text's length in bytes / 64, rounded up.
    words: usize,
    /// The length of the text they belong to.
    len: usize,
}

/// Words of bits kept on the stack: for six patterns, messages of up to 512 bytes.
const INLINE: usize = 48;

impl<'s> Starts<'s> {
    /// The starts of `text`: its bytes eight at a time, without a branch per byte, then a
    /// table lookup per word start.
    #[inline]
    pub(super) fn of(set: &'s CueSet, text: &str) -> Starts<'s> {
        let b = text.as_bytes();
        let words = b.len().div_ceil(64);
        let n = set.cues.len();
        let mut s = Starts {
            set,
            inline: [0; INLINE],
            heap: if n * words > INLINE {
                vec![0; n * words]
            } else {
                Vec::new()
            },
            words,
            len: b.len(),
        };
        let bits = if n * words > INLINE {
            &mut s.heap[..]
        } else {
            &mut s.inline[..n * words]
        };
        let mut carry = 0u64;
        for (w, chunk) in b.chunks(64).enumerate() {
            let (mut word, mut high) = (0u64, 0u64);
            for (j, eight) in chunk.chunks(8).enumerate() {
                let (wb, hb) = word_and_high_bits(eight);
                word |= wb << (8 * j);
                high |= hb << (8 * j);
            }
            let before = (word << 1) | carry;
            let mut starts = (word & !before) | (before & high);
            carry = (word >> (chunk.len() - 1)) & 1;
            while starts != 0 {
                let bit = starts.trailing_zeros();
                starts &= starts - 1;
                let mut may = set.may_start(b, w * 64 + bit as usize);
                while may != 0 {
                    let i = may.trailing_zeros() as usize;
                    may &= may - 1;
                    bits[i * words + w] |= 1 << bit;
                }
            }
        }
        s
    }

    /// Every match of pattern `cue` of the set in `text`, in order and not overlapping,
    /// as `Regex::find_iter` gives them.
    pub(super) fn find_iter<'t, C: Into<usize>>(
        &'t self,
        cue: C,
        text: &'t str,
    ) -> impl Iterator<Item = Found<'t>> + use<'s, 't, C> {
        let cue: usize = cue.into();
        let b = text.as_bytes();
        // starts of another text are a caller's mistake, answered right all the same (boxed,
        // so that the iterator stays small in the usual case)
        let own = (self.len != b.len()).then(|| Box::new(Starts::of(self.set, text)));
        let w = &self.set.cues[cue];
        let mut cache = w.caches.get();
        let mut word = 0;
        let mut from = 0;
        let mut bits = own
            .as_deref()
            .unwrap_or(self)
            .bits(cue)
            .first()
            .copied()
            .unwrap_or(0);
        std::iter::from_fn(move || loop {
            while bits == 0 {
                word += 1;
                bits = *own.as_deref().unwrap_or(self).bits(cue).get(word)?;
            }
            let at = word * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if at < from {
                continue;
            }
            if let Some(end) = w.end_of_match_at(&mut cache, text, at) {
                from = end;
                return Some(Found {
                    text,
                    start: at,
                    end,
                });
            }
        })
    }

    /// Pattern `cue`'s bits.
    fn bits(&self, cue: usize) -> &[u64] {
        let all = if self.heap.is_empty() {
            &self.inline[..]
        } else {
            &self.heap[..]
        };
        all.get(cue * self.words..(cue + 1) * self.words)
            .unwrap_or(&[])
    }
}

/// One match of a [`WordCues`] pattern, read like a `regex::Match`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Found<'t> {
    text: &'t str,
    start: usize,
    end: usize,
}

impl<'t> Found<'t> {
    /// Where the match starts in the text (bytes).
    pub(super) fn start(&self) -> usize {
        self.start
    }
    /// Where the match ends in the text (bytes).
    pub(super) fn end(&self) -> usize {
        self.end
    }
    /// The matched text.
    pub(super) fn as_str(&self) -> &'t str {
        &self.text[self.start..self.end]
    }
}

/// For up to eight bytes, one bit each (the first byte's lowest): is it an ASCII word
/// byte, is it non-ASCII. All eight at once in one `u64` (no byte's sum carries into
/// the next, as every byte is below 0x80 where it is added to).
fn word_and_high_bits(eight: &[u8]) -> (u64, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let x = load_eight(eight);
    let high = x & TOPS;
    let v = x & !TOPS;
    // bytes from lo to hi (both below 0x80), as their top bit
    let within = |lo: u64, hi: u64| (v + ONES * (0x80 - lo)) & !(v + ONES * (0x7f - hi)) & TOPS;
    let underscore = !((v ^ (ONES * u64::from(b'_'))) + ONES * 0x7f) & TOPS;
    let word = (within(0x30, 0x39) | within(0x41, 0x5a) | within(0x61, 0x7a) | underscore) & !high;
    (
        gather_tops(word, eight.len()),
        gather_tops(high, eight.len()),
    )
}

/// The entry of three byte classes in [`CueSet::alive`] (64 * 64 * 64 fits a `u32`, not
/// a `u16`: see [`key`]'s callers, which widen it before indexing).
fn key(c0: u8, c1: u8, c2: u8) -> u32 {
    (u32::from(c0) * CLASSES as u32 + u32::from(c1)) * CLASSES as u32 + u32::from(c2)
}

#[cfg(test)]
mod tests {
    use super::{CueSet, Starts};
    use regex::Regex;

    const CUES: &str = r"(?i)(?-u:\b)(?:my\s+name\s+is|mr\.?|hi|address\s*:|c/o|sent\s+to)";
    /// A second pattern of the same set, case-sensitive, that shares starts with the first.
    const SHAPES: &str = r"(?-u:\b)(?:[A-Z]{2,5}-\d{3,}|MR\d+|\d{3}-\d{4})(?-u:\b)";

    fn same(text: &str) {
        let set = CueSet::new(&[CUES, SHAPES]);
        let starts = Starts::of(&set, text);
        for (i, p) in [CUES, SHAPES].into_iter().enumerate() {
            let r = Regex::new(p).unwrap();
            let want: Vec<(usize, usize)> =
                r.find_iter(text).map(|m| (m.start(), m.end())).collect();
            let got: Vec<(usize, usize)> = starts
                .find_iter(i, text)
                .map(|m| (m.start(), m.end()))
                .collect();
            assert_eq!(got, want, "pattern {i} in {text:?}");
        }
    }

    #[test]
    fn finds_what_the_regex_finds() {
        for t in [
            "Hi, my name is Ann",
            "hi",
            "h",
            "xhi his HIGH Mr. Mr mr",
            "c/o Ann, address: 1 Main St",
            "ſent to Ann (long s folds to s), ſent tO",
            "aſent to",
            "MY  NAME\tIS x my name isn't",
            "",
            "über hi",
            "sent_to sent to_",
            "hi, Mr, mr. c/o, hi.",
            "MR12 Mr. AB-123 ab-123 555-1234, hi MR-42",
        ] {
            same(t);
        }
        // a text longer than the starts kept on the stack, and one longer than 64 KiB
        same(&"hi a my name is b, ".repeat(40));
        same(&"x ".repeat(40_000).replace("x x x", "Mr. Ann"));
    }

    #[test]
    fn word_and_high_bits_agree_with_the_byte_tests() {
        use crate::redact::tests::eight_byte_bits_agree;
        let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
        eight_byte_bits_agree(b'a', |e| super::word_and_high_bits(e).0, word);
        eight_byte_bits_agree(b'a', |e| super::word_and_high_bits(e).1, |x| x >= 0x80);
    }

    #[test]
    fn starts_of_another_text_still_find_the_matches() {
        let set = CueSet::new(&[CUES]);
        let wrong = Starts::of(&set, "nothing here");
        let text = "Hi, my name is Ann";
        let got: Vec<(usize, usize)> = wrong
            .find_iter(0usize, text)
            .map(|m| (m.start(), m.end()))
            .collect();
        assert_eq!(got, vec![(0, 2), (4, 14)]);
    }

    #[test]
    fn finds_one_letter_matches() {
        let p = r"(?-u:\b)(?:x|yz)";
        let set = CueSet::new(&[p]);
        let r = Regex::new(p).unwrap();
        for t in ["x", "x.", "x, yz", "ax x-y yz"] {
            let starts = Starts::of(&set, t);
            let got: Vec<(usize, usize)> = starts
                .find_iter(0usize, t)
                .map(|m| (m.start(), m.end()))
                .collect();
            let want: Vec<(usize, usize)> = r.find_iter(t).map(|m| (m.start(), m.end())).collect();
            assert_eq!(got, want, "{t:?}");
        }
    }

    #[test]
    #[should_panic(expected = "can start a match")]
    fn refuses_a_pattern_that_starts_inside_a_word() {
        CueSet::new(&[r"(?i)name"]);
    }
}
