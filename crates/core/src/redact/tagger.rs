//! A compact statistical tagger for person names that no cue phrase introduces ("Inessa is
//! from Acme Corp.", "What's your last name? Adkins", a signature's name line).
//!
//! Why a model here: cue phrases and word lists run out on names nobody listed in
//! sentences nobody wrote a rule for. The tagger is an averaged perceptron over hashed
//! features of each capitalised word and its neighbours (the word, its shape, suffixes,
//! what the gazetteers and the everyday-word list say about it and its neighbours, the
//! previous tag), decoded greedily left to right with the tags O, B (a name starts) and I
//! (a name goes on). It is trained here on generated text (`scripts/tagger-data.py`,
//! `cargo run --release -p labelvault-core --example train_tagger`, see
//! `docs/redaction.md`) and shipped as weights in `tagger/person.bin` (1.5 MB, 16-bit), so
//! it runs offline and gives the same answer for the same text on every machine.
//!
//! Only capitalised words (and name particles inside a name) are scored: everything else
//! is O without a look, which keeps the cost on ordinary messages low and keeps the model
//! away from lower-case text, where the rules decide alone.

use super::gazetteer;
use super::lexicon::{lookup as lex, lower, next_where, Lower, PARTICLES};
use super::{Cand, PiiKind, Prio};
use std::sync::LazyLock;

/// log2 of the number of hashed feature buckets.
const BITS: u32 = 18;
const BUCKETS: usize = 1 << BITS;
/// O, B, I.
const TAGS: usize = 3;
const O: usize = 0;
const B: usize = 1;
const I: usize = 2;
/// The features of one token (see [`features`]).
const NFEAT: usize = 24;
const MAGIC: &[u8; 8] = b"LVTAGP01";

/// The shipped weights: MAGIC, the scale (f32 LE: stored = round(weight * scale)), the
/// minimum margin (f32 LE, in weight units) a name needs, then BUCKETS * TAGS i16 LE.
static SHIPPED: &[u8] = include_bytes!("tagger/person.bin");

/// A loaded model.
pub struct Model {
    weights: Vec<i16>,
    scale: f32,
    /// A name is kept when its mean margin over O is at least this (weight units). Below
    /// zero, a name tag also wins a word while O leads it by less than this much: the
    /// perceptron's O is cautious on names no list holds, and the rules after the tagger
    /// (places, companies, labels, everyday words) remove most of what this lets in.
    min_margin: f32,
}

impl Model {
    /// Parse a weights file; `None` if it is not one (wrong magic or size).
    pub fn from_bytes(b: &[u8]) -> Option<Model> {
        let rest = b.strip_prefix(MAGIC.as_slice())?;
        let f32_at = |i: usize| {
            rest.get(i..i + 4)
                .and_then(|s| <[u8; 4]>::try_from(s).ok())
                .map(f32::from_le_bytes)
        };
        let (scale, min_margin) = (f32_at(0)?, f32_at(4)?);
        let body = rest.get(8..)?;
        if body.len() != BUCKETS * TAGS * 2 || scale.is_nan() || scale <= 0.0 {
            return None;
        }
        let weights = body
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        Some(Model {
            weights,
            scale,
            min_margin,
        })
    }

    /// The same model with another threshold (for tuning).
    pub fn with_min_margin(mut self, m: f32) -> Model {
        self.min_margin = m;
        self
    }

    fn score(&self, feats: &[u32; NFEAT]) -> [f32; TAGS] {
        let mut s = [0i32; TAGS];
        for &f in feats {
            let base = f as usize * TAGS;
            for (t, v) in s.iter_mut().enumerate() {
                *v += i32::from(self.weights[base + t]);
            }
        }
        s.map(|v| v as f32 / self.scale)
    }

    /// Person-name spans (byte offsets) and their mean margin over O, in text order.
    pub fn persons(&self, text: &str) -> Vec<(usize, usize, f32)> {
        self.persons_outside(text, &[])
    }

    /// [`Model::persons`], leaving out the words inside `taken` (byte ranges another
    /// detector already claimed with more certainty): they are not scored.
    fn persons_outside(&self, text: &str, taken: &[(usize, usize)]) -> Vec<(usize, usize, f32)> {
        let mut out = Vec::new();
        // most messages hold no capitalised word that could be a name: stop before the
        // per-token work
        if text.is_ascii() && !any_cap_candidate_ascii(text, taken) {
            return out;
        }
        let toks = tokenize(text);
        let free = |t: &Tok| !taken.iter().any(|&(s, e)| s < t.e && t.s < e);
        // the same question for other text, on its tokens (ASCII text was answered above)
        if !text.is_ascii() {
            let mut scratch = Lower::new();
            if !toks
                .iter()
                .any(|t| t.cand && free(t) && cap_candidate(lower(&text[t.s..t.e], &mut scratch)))
            {
                return out;
            }
        }
        let lw = LowerWords::new(text, &toks);
        let mut prev = O;
        let mut run: Option<(usize, usize, f32, usize)> = None; // start, end, margin sum, n
        let mut feats = [0u32; NFEAT];
        for i in 0..toks.len() {
            let tag = if free(&toks[i]) && candidate(&toks, i, prev, &lw) {
                features(&toks, i, prev, &lw, &mut feats);
                let s = self.score(&feats);
                // a negative threshold also lets a name tag win when O leads by less
                let mut best = O;
                let mut best_score = s[O] + self.min_margin.min(0.0);
                for t in [B, I] {
                    if t == I && prev == O {
                        continue;
                    }
                    if s[t] > best_score {
                        best = t;
                        best_score = s[t];
                    }
                }
                if best != O {
                    let m = s[best] - s[O];
                    match (&mut run, best) {
                        (Some(r), I) => {
                            r.1 = toks[i].e;
                            r.2 += m;
                            r.3 += 1;
                        }
                        _ => {
                            flush(&mut run, self.min_margin, &mut out);
                            run = Some((toks[i].s, toks[i].e, m, 1));
                        }
                    }
                }
                best
            } else {
                O
            };
            if tag == O {
                flush(&mut run, self.min_margin, &mut out);
            }
            prev = tag;
        }
        flush(&mut run, self.min_margin, &mut out);
        out
    }
}

fn flush(
    run: &mut Option<(usize, usize, f32, usize)>,
    min: f32,
    out: &mut Vec<(usize, usize, f32)>,
) {
    if let Some((s, e, sum, n)) = run.take() {
        let mean = sum / n as f32;
        if mean >= min {
            out.push((s, e, mean));
        }
    }
}

/// The shipped model (`None` only if the weights file is damaged, which a unit test
/// rules out).
static MODEL: LazyLock<Option<Model>> = LazyLock::new(|| Model::from_bytes(SHIPPED));

/// Parse the weights now (so the first message does not pay for it).
pub(super) fn warm_up() {
    LazyLock::force(&MODEL);
}

/// The tagger's names as candidates, below every cue-backed rule.
pub(super) fn persons(text: &str, out: &mut Vec<Cand>) {
    if let Some(m) = MODEL.as_ref() {
        let taken: Vec<(usize, usize)> = out
            .iter()
            .filter(|c| c.prio > Prio::PERSON_MODEL)
            .map(|c| (c.start, c.end))
            .collect();
        for (s, e, _) in m.persons_outside(text, &taken) {
            if super::names::place_or_org_span(text, s, e)
                || labels_a_value(text, s, e)
                || acronym(&text[s..e])
                || after_article_or_place_word(text, s)
            {
                continue;
            }
            out.push(Cand::new(s, e, PiiKind::Person, Prio::PERSON_MODEL));
        }
    }
}

/// Is the word before `s` (one space away, same line) "the", a possessive or "in" / "near" /
/// "into"? A person's name takes none of them ("the Ralph Lauren polo", "our Saint-Malo
/// office", "arrive in Britain"); a brand, a product or a place does. ("a" does go with a
/// name: "a Nina Simone concert".)
pub(super) fn after_article_or_place_word(text: &str, s: usize) -> bool {
    let Some((w, head)) = word_before(text, s) else {
        return false;
    };
    if ["the", "our", "your", "their", "its"]
        .iter()
        .any(|a| w.eq_ignore_ascii_case(a))
    {
        return true;
    }
    if place_before(text, s) {
        return true;
    }
    // the second place of "in Lourdes and Tromsø", "Flight … to Bergen and Tromsø"
    if w.eq_ignore_ascii_case("and") {
        let h = head.trim_end_matches(' ');
        let first = h.rsplit(' ').next().unwrap_or("");
        let xs = h.len() - first.len();
        return first.chars().next().is_some_and(char::is_uppercase) && place_before(text, xs);
    }
    false
}

/// The word right before `s` (after one space) and the text before that word.
fn word_before(text: &str, s: usize) -> Option<(&str, &str)> {
    let before = text[..s].strip_suffix(' ')?;
    let w = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    Some((w, &before[..before.len() - w.len()]))
}

/// Does a place preposition stand right before `s`: "in", "near", "into", or a "to" where
/// a journey or a delivery goes ("Flight IB 2116 to Austin", "deliveries to Sevilla"; a
/// person one sends something or talks to has no such word before the "to")?
fn place_before(text: &str, s: usize) -> bool {
    let Some((w, head)) = word_before(text, s) else {
        return false;
    };
    if ["in", "near", "into"]
        .iter()
        .any(|a| w.eq_ignore_ascii_case(a))
    {
        return true;
    }
    if !w.eq_ignore_ascii_case("to") {
        return false;
    }
    let clause = head
        .rsplit(['.', ',', ';', ':', '!', '?', '\n'])
        .next()
        .unwrap_or("");
    clause
        .split(' ')
        .rev()
        .take(5)
        .any(|x| TRAVEL_WORDS.iter().any(|t| x.eq_ignore_ascii_case(t)))
}

/// Words of a journey or a delivery: the "to" after them leads to a place.
const TRAVEL_WORDS: &[&str] = &[
    "flight",
    "flights",
    "fly",
    "flying",
    "flew",
    "train",
    "trains",
    "ferry",
    "bus",
    "trip",
    "travel",
    "travelling",
    "traveling",
    "deliveries",
    "delivery",
    "shipments",
    "shipping",
    "route",
];

/// A lone word of at most three capitals ("AUD", "SEK", "BSN"): a code or an acronym, not
/// a name the tagger may claim alone.
fn acronym(w: &str) -> bool {
    w.chars().count() <= 3 && w.chars().all(char::is_uppercase)
}

/// Is `s..e` the label of a form line whose value is a number, a code or an address
/// ("Postnr: 8006", "| Kortnummer | 4970 … |", "Číslo = 123")? A line opening (after
/// spaces, bullets or a table bar) and a separator right after the words, then a value with
/// a digit or an '@', or none: such words name a field, not a person. A chat speaker says
/// words ("Satõmai: Apologies…") and keeps the tagger's name.
pub(super) fn labels_a_value(text: &str, s: usize, e: usize) -> bool {
    let line_start = text[..s].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..s]
        .chars()
        .all(|c| matches!(c, ' ' | '\t' | '|' | '-' | '*' | '•'))
    {
        return false;
    }
    let line_end = text[e..].find('\n').map_or(text.len(), |i| e + i);
    let rest = text[e..line_end].trim_start_matches([' ', '.']);
    // a bar separates a label from its value in a table row ("| Postnr | …"), but also the
    // parts of a one-line signature ("Name | Title | Company | +1 …")
    let table = text[line_start..s].contains('|');
    let Some(value) = rest
        .strip_prefix(':')
        .or_else(|| rest.strip_prefix('|').filter(|_| table))
        .or_else(|| rest.strip_prefix('='))
        .or_else(|| rest.strip_prefix('\t'))
    else {
        return false;
    };
    let value = value.trim();
    value.is_empty() || value.bytes().any(|b| b.is_ascii_digit() || b == b'@')
}

/// The shipped model, for evaluation tools.
pub fn shipped() -> Option<&'static Model> {
    MODEL.as_ref()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Num,
    Punct,
}

/// One token: a word (letters and digits, with inner apostrophes and hyphens, and the
/// dot of an initial), a number, or one punctuation character (a line break included).
#[derive(Debug, Clone, Copy)]
struct Tok {
    s: usize,
    e: usize,
    kind: Kind,
    /// First token of the text, of a line, or after . ! ?
    sent_start: bool,
    /// A candidate by its own look (capitalised word); particles are decided in context.
    cand: bool,
}

fn tokenize(text: &str) -> Vec<Tok> {
    if text.is_ascii() {
        tokenize_ascii(text.as_bytes())
    } else {
        tokenize_chars(text)
    }
}

/// [`tokenize`] of any text, character by character.
fn tokenize_chars(text: &str) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::new();
    let mut it = text.char_indices().peekable();
    let mut sent_start = true;
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() && c != '\n' {
            continue;
        }
        if c.is_alphanumeric() {
            let mut e = i + c.len_utf8();
            let mut letters = c.is_alphabetic();
            while let Some(&(j, d)) = it.peek() {
                if d.is_alphanumeric() {
                    letters |= d.is_alphabetic();
                    e = j + d.len_utf8();
                    it.next();
                } else if matches!(d, '\'' | '\u{2019}' | '-') {
                    // inner only: the next character must be a letter
                    let after = text[j + d.len_utf8()..].chars().next();
                    if after.is_some_and(char::is_alphabetic) {
                        e = j + d.len_utf8();
                        it.next();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            // the dot of an initial ("R.")
            let one_letter = text[i..e].chars().count() == 1 && c.is_uppercase();
            if one_letter && text[e..].starts_with('.') {
                e += 1;
                it.next();
            }
            let cap = c.is_uppercase();
            out.push(Tok {
                s: i,
                e,
                kind: if letters { Kind::Word } else { Kind::Num },
                sent_start,
                cand: letters && cap,
            });
            sent_start = false;
        } else {
            out.push(Tok {
                s: i,
                e: i + c.len_utf8(),
                kind: Kind::Punct,
                sent_start,
                cand: false,
            });
            sent_start = matches!(c, '.' | '!' | '?' | '\n');
        }
    }
    out
}

/// [`tokenize`] of an ASCII text, on bytes: the same tokens (ASCII white space is
/// U+0009 to U+000D and the space; letters and digits are the ASCII ones), without
/// decoding characters, in one allocation.
fn tokenize_ascii(b: &[u8]) -> Vec<Tok> {
    // a token takes at least one byte, most take two or more with the space after them
    let mut out: Vec<Tok> = Vec::with_capacity(b.len() / 2 + 2);
    let class = |c: u8| ASCII_CLASS[usize::from(c)];
    let mut sent_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let k = class(c);
        if k & C_SPACE != 0 {
            i += 1;
            continue;
        }
        if k & (C_ALPHA | C_DIGIT) != 0 {
            let mut e = i + 1;
            let mut letters = k & C_ALPHA != 0;
            while e < b.len() {
                let kd = class(b[e]);
                if kd & (C_ALPHA | C_DIGIT) != 0 {
                    letters |= kd & C_ALPHA != 0;
                    e += 1;
                } else if kd & C_JOIN != 0 && b.get(e + 1).is_some_and(|&n| class(n) & C_ALPHA != 0)
                {
                    // inner only: the next character must be a letter
                    e += 1;
                } else {
                    break;
                }
            }
            let cap = k & C_UPPER != 0;
            // the dot of an initial ("R.")
            if e == i + 1 && cap && b.get(e) == Some(&b'.') {
                e += 1;
            }
            out.push(Tok {
                s: i,
                e,
                kind: if letters { Kind::Word } else { Kind::Num },
                sent_start,
                cand: letters && cap,
            });
            sent_start = false;
            i = e;
        } else {
            out.push(Tok {
                s: i,
                e: i + 1,
                kind: Kind::Punct,
                sent_start,
                cand: false,
            });
            sent_start = k & C_SENTENCE != 0;
            i += 1;
        }
    }
    out
}

const C_ALPHA: u8 = 1;
const C_DIGIT: u8 = 2;
const C_UPPER: u8 = 4;
/// White space other than a line break (U+0009, U+000B to U+000D, the space).
const C_SPACE: u8 = 8;
/// An apostrophe or hyphen, inside a word when a letter follows.
const C_JOIN: u8 = 16;
/// What starts a sentence after it: . ! ? and a line break.
const C_SENTENCE: u8 = 32;

/// [`tokenize_ascii`]'s byte classes, one lookup per byte.
static ASCII_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c.is_ascii_uppercase() {
            C_ALPHA | C_UPPER
        } else if c.is_ascii_lowercase() {
            C_ALPHA
        } else if c.is_ascii_digit() {
            C_DIGIT
        } else if matches!(c, b'\t' | b'\x0B' | b'\x0C' | b'\r' | b' ') {
            C_SPACE
        } else if matches!(c, b'\'' | b'-') {
            C_JOIN
        } else if matches!(c, b'.' | b'!' | b'?' | b'\n') {
            C_SENTENCE
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Lowercased token texts: the text itself where a token is lowercase ASCII already (most
/// words and all punctuation), one buffer for the rest (one allocation per message, not
/// per token).
struct LowerWords<'t> {
    text: &'t str,
    buf: String,
    /// (start, end) of each token's lowercase text, in `text` if the flag is set, else in
    /// `buf`.
    at: Vec<(u32, u32, bool)>,
}

impl<'t> LowerWords<'t> {
    fn new(text: &'t str, toks: &[Tok]) -> Self {
        // the tagger runs on texts with capitalised words, so the buffer is used, and
        // reserving the text's length once spares most of its growth steps
        let mut buf = String::with_capacity(text.len());
        let mut at = Vec::with_capacity(toks.len());
        let mut scratch = Lower::new();
        for t in toks {
            // a token holds at most one dot, at its end (an initial's, or the token "."), so
            // this is trim_end_matches('.')
            let whole = &text[t.s..t.e];
            let raw = whole.strip_suffix('.').unwrap_or(whole);
            if t.kind != Kind::Num && raw.bytes().all(|c| c.is_ascii() && !c.is_ascii_uppercase()) {
                // what lower() gives it: the word as it is
                at.push((t.s as u32, (t.s + raw.len()) as u32, true));
                continue;
            }
            let s = buf.len();
            match t.kind {
                Kind::Num => {
                    buf.push_str("<num");
                    buf.push(char::from(b'0' + raw.len().min(9) as u8));
                    buf.push('>');
                }
                // what lower() gives an ASCII word, without its copy and check
                _ if raw.is_ascii() => {
                    buf.push_str(raw);
                    buf[s..].make_ascii_lowercase();
                }
                _ => buf.push_str(lower(raw, &mut scratch)),
            }
            at.push((s as u32, buf.len() as u32, false));
        }
        LowerWords { text, buf, at }
    }

    /// The lowercase text of token `i` (a trailing initial's dot dropped); "<s>" and
    /// "</s>" outside the text; numbers by their digit count.
    fn get(&self, i: isize) -> &str {
        let Ok(u) = usize::try_from(i) else {
            return "<s>";
        };
        match self.at.get(u) {
            Some(&(s, e, true)) => &self.text[s as usize..e as usize],
            Some(&(s, e, false)) => &self.buf[s as usize..e as usize],
            None => "</s>",
        }
    }
}

/// Is token `i` scored? Capitalised words ([`cap_candidate`]) and name particles right
/// after a name token.
fn candidate(toks: &[Tok], i: usize, prev: usize, lw: &LowerWords<'_>) -> bool {
    let t = toks[i];
    if t.kind != Kind::Word {
        return false;
    }
    let idx = i as isize;
    if t.cand {
        return cap_candidate(lw.get(idx));
    }
    prev != O && PARTICLES.contains(&lw.get(idx))
}

/// Does an ASCII text hold a capitalised word that [`cap_candidate`] would score, outside
/// `taken`? The same word boundaries as [`tokenize`], on bytes, without building tokens:
/// most messages have none, and this is the whole cost of the tagger for them.
fn any_cap_candidate_ascii(text: &str, taken: &[(usize, usize)]) -> bool {
    let b = text.as_bytes();
    // the lowercase word, on the stack (lower() of an ASCII word: its ASCII lowercase)
    let mut scratch = Lower::new();
    let mut i = 0;
    loop {
        // only a token that starts with a capital can be one: jump from capital to capital
        // (blocks of 16 bytes without one cost one test)
        i = next_where(b, i, |c| c.is_ascii_uppercase());
        if i >= b.len() {
            return false;
        }
        // inside a token (after a letter or digit, or after an inner apostrophe or hyphen,
        // which tokenize keeps only between a letter or digit and a letter): not a start
        let inside = i > 0 && {
            let p = b[i - 1];
            p.is_ascii_alphanumeric()
                || (matches!(p, b'\'' | b'-') && i >= 2 && b[i - 2].is_ascii_alphanumeric())
        };
        if inside {
            i += 1;
            continue;
        }
        // a token starts here: find its end as tokenize does
        let s = i;
        let mut e = i + 1;
        while e < b.len() {
            let inner =
                matches!(b[e], b'\'' | b'-') && b.get(e + 1).is_some_and(u8::is_ascii_alphabetic);
            if b[e].is_ascii_alphanumeric() || inner {
                e += 1
            } else {
                break;
            }
        }
        if !taken.iter().any(|&(ts, te)| ts < e && s < te)
            && cap_candidate(lower(text.get(s..e).unwrap_or(""), &mut scratch))
        {
            return true;
        }
        i = e;
    }
}

/// A capitalised word is scored unless it is an everyday word (unless that is also a
/// listed or very common name), a contraction of one ("I'm", "Don't"), or holds a digit
/// (codes, not names).
fn cap_candidate(lw: &str) -> bool {
    let w = lw.trim_end_matches('.');
    if w.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    // split_once('\''), on bytes (the apostrophe is ASCII, so the split is on a boundary)
    let apostrophe = w.bytes().position(|c| c == b'\'');
    if let Some((stem, end)) = apostrophe.map(|k| (&w[..k], &w[k + 1..])) {
        if matches!(end, "m" | "s" | "d" | "ll" | "ve" | "v" | "re" | "t") && lex(stem).common() {
            return false;
        }
    }
    let l = lex(w);
    // an everyday word that is also a name ("May", "Grant", "Rose"): only a listed one or
    // a very common one; every surname list also holds "The", "My", "Do" and "Call"
    // (`Lex::common_name` holds that answer, computed from the lists once)
    !l.common_any() || l.common_name()
}

/// Word shape: capitals X, lower-case x, digits d, other characters as they are (ASCII
/// ones; any other is '?'), each run of one class collapsed ("Adkins" Xx, "McDonald"
/// XxXx, "O'Brien" X'Xx, "R." X.), at most 6 bytes; "_" outside the text.
struct Shape {
    b: [u8; 6],
    n: usize,
}

impl Shape {
    fn of(text: &str, t: Option<&Tok>) -> Shape {
        let mut sh = Shape { b: [0; 6], n: 0 };
        let Some(t) = t else {
            sh.b[0] = b'_';
            sh.n = 1;
            return sh;
        };
        let mut last = 0u8;
        for c in text[t.s..t.e].chars() {
            let k = if c.is_uppercase() {
                b'X'
            } else if c.is_alphabetic() {
                b'x'
            } else if c.is_numeric() {
                b'd'
            } else if c.is_ascii() {
                c as u8
            } else {
                b'?'
            };
            if k != last {
                sh.b[sh.n] = k;
                sh.n += 1;
                last = k;
                if sh.n == sh.b.len() {
                    break;
                }
            }
        }
        sh
    }

    fn bytes(&self) -> &[u8] {
        &self.b[..self.n]
    }
}

/// Gazetteer and word-list facts as one byte: given-name tier (2 bits), surname tier (2
/// bits), everyday word, listed given name, listed surname, particle.
fn facts(w: &str) -> u8 {
    let l = lex(w);
    gazetteer::lookup(w)
        | u8::from(l.common()) << 4
        | u8::from(l.given()) << 5
        | u8::from(l.surname()) << 6
        | u8::from(l.particle()) << 7
}

/// The last `n` characters of `w`.
fn suffix(w: &str, n: usize) -> &str {
    let k = w
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    &w[k..]
}

/// The first `n` characters of `w`.
fn prefix(w: &str, n: usize) -> &str {
    let k = w.char_indices().nth(n).map_or(w.len(), |(i, _)| i);
    &w[..k]
}

/// FNV-1a over a template id and its parts, folded into a bucket.
struct Fnv(u64);

impl Fnv {
    fn new(template: u8) -> Fnv {
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        h.byte(template);
        h
    }

    #[inline]
    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    fn part(mut self, p: &[u8]) -> Fnv {
        for &b in p {
            self.byte(b);
        }
        self.byte(0xff);
        self
    }

    fn bucket(self) -> u32 {
        (self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - BITS)) as u32
    }
}

fn features(toks: &[Tok], i: usize, prev: usize, lw: &LowerWords<'_>, f: &mut [u32; NFEAT]) {
    let text = lw.text;
    let x = i as isize;
    let t = toks[i];
    let (w0, wm1, wm2, wp1, wp2) = (
        lw.get(x),
        lw.get(x - 1),
        lw.get(x - 2),
        lw.get(x + 1),
        lw.get(x + 2),
    );
    let near = |d: isize| usize::try_from(x + d).ok().and_then(|u| toks.get(u));
    let s0 = Shape::of(text, Some(&t));
    let sm1 = Shape::of(text, near(-1));
    let sp1 = Shape::of(text, near(1));
    let (s0, sm1, sp1) = (s0.bytes(), sm1.bytes(), sp1.bytes());
    let g0 = [facts(w0)];
    let gm1 = [facts(wm1)];
    let gp1 = [facts(wp1)];
    let pt = [prev as u8];
    let pos = [u8::from(t.sent_start) | u8::from(x == 0) << 1];
    let len = [w0.chars().count().min(12) as u8];
    let one = |tpl: u8, a: &[u8]| Fnv::new(tpl).part(a).bucket();
    let two = |tpl: u8, a: &[u8], b: &[u8]| Fnv::new(tpl).part(a).part(b).bucket();
    let (wm1, wm2, wp1, wp2) = (
        wm1.as_bytes(),
        wm2.as_bytes(),
        wp1.as_bytes(),
        wp2.as_bytes(),
    );
    *f = [
        Fnv::new(1).bucket(),
        one(2, w0.as_bytes()),
        one(3, s0),
        one(4, suffix(w0, 3).as_bytes()),
        one(5, suffix(w0, 2).as_bytes()),
        one(6, &g0),
        one(7, wm1),
        one(8, wp1),
        one(9, wm2),
        one(10, wp2),
        one(11, sm1),
        one(12, sp1),
        one(13, &gm1),
        one(14, &gp1),
        one(15, &pt),
        two(16, &pt, s0),
        two(17, &pos, s0),
        two(18, &g0, s0),
        two(19, wm1, s0),
        two(20, wp1, &g0),
        one(21, prefix(w0, 3).as_bytes()),
        two(22, &len, &g0),
        two(23, &pt, &g0),
        two(24, wm1, wp1),
    ];
}

/// One training example: a text and its person-name spans (byte offsets).
pub struct Example {
    /// The text.
    pub text: String,
    /// Person names in it, byte offsets, end exclusive.
    pub names: Vec<(usize, usize)>,
}

/// Train a model on `examples` for `epochs` passes (averaged perceptron, examples in the
/// given order, which the caller shuffles deterministically). Returns the weights file
/// (see [`SHIPPED`]) with `min_margin` as its threshold.
pub fn train(examples: &[Example], epochs: usize, min_margin: f32) -> Vec<u8> {
    let n = BUCKETS * TAGS;
    let mut w = vec![0f32; n];
    // averaged perceptron with the lazy-update trick
    let mut total = vec![0f64; n];
    let mut stamp = vec![0u64; n];
    let mut clock: u64 = 1;
    let mut feats = [0u32; NFEAT];
    for _ in 0..epochs {
        for ex in examples {
            let toks = tokenize(&ex.text);
            if !toks.iter().any(|t| t.cand) {
                continue;
            }
            let gold = gold_tags(&toks, &ex.names);
            let lw = LowerWords::new(&ex.text, &toks);
            let mut prev = O;
            for (i, &gold_tag) in gold.iter().enumerate() {
                if !candidate(&toks, i, prev, &lw) {
                    prev = O;
                    continue;
                }
                features(&toks, i, prev, &lw, &mut feats);
                let mut s = [0f32; TAGS];
                for &f in &feats {
                    for (t, v) in s.iter_mut().enumerate() {
                        *v += w[f as usize * TAGS + t];
                    }
                }
                let mut best = O;
                for t in [B, I] {
                    if t == I && prev == O {
                        continue;
                    }
                    if s[t] > s[best] {
                        best = t;
                    }
                }
                let mut g = gold_tag;
                if g == I && prev == O {
                    g = B;
                }
                if best != g {
                    for &f in &feats {
                        for (t, d) in [(g, 1f32), (best, -1f32)] {
                            let k = f as usize * TAGS + t;
                            total[k] += f64::from(w[k]) * (clock - stamp[k]) as f64;
                            stamp[k] = clock;
                            w[k] += d;
                        }
                    }
                }
                clock += 1;
                prev = best;
            }
        }
    }
    let avg: Vec<f32> = (0..n)
        .map(|k| {
            let t = total[k] + f64::from(w[k]) * (clock - stamp[k]) as f64;
            (t / clock as f64) as f32
        })
        .collect();
    let max = avg.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-9);
    let scale = 32000.0 / max;
    let mut out = Vec::with_capacity(16 + n * 2);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&scale.to_le_bytes());
    out.extend_from_slice(&min_margin.to_le_bytes());
    for v in avg {
        let q = (v * scale).round().clamp(-32767.0, 32767.0) as i16;
        out.extend_from_slice(&q.to_le_bytes());
    }
    out
}

/// Gold tags per token: B for the first candidate-shaped token of a name, I for the rest.
fn gold_tags(toks: &[Tok], names: &[(usize, usize)]) -> Vec<usize> {
    let mut g = vec![O; toks.len()];
    for &(s, e) in names {
        let mut first = true;
        for (k, t) in toks.iter().enumerate() {
            if t.s >= s && t.e <= e && t.kind == Kind::Word {
                g[k] = if first { B } else { I };
                first = false;
            }
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_weights_load() {
        let m = shipped().expect("tagger/person.bin is a weights file");
        assert!(
            m.weights.iter().any(|&w| w != 0),
            "the shipped model is trained"
        );
    }

    #[test]
    fn tokens_keep_initials_and_inner_apostrophes() {
        let t = "I saw Roxy R. van der Torre and O'Brien-Smith.\nBye";
        let toks = tokenize(t);
        let words: Vec<&str> = toks.iter().map(|k| &t[k.s..k.e]).collect();
        assert_eq!(
            words,
            [
                "I",
                "saw",
                "Roxy",
                "R.",
                "van",
                "der",
                "Torre",
                "and",
                "O'Brien-Smith",
                ".",
                "\n",
                "Bye"
            ]
        );
        assert!(toks[11].sent_start && toks[0].sent_start && !toks[2].sent_start);
    }

    /// The prefilter as it was before it jumped from capital to capital.
    fn any_cap_candidate_reference(b: &[u8], taken: &[(usize, usize)]) -> bool {
        let mut scratch = Lower::new();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if !c.is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let s = i;
            let mut e = i + 1;
            while e < b.len() {
                let inner = matches!(b[e], b'\'' | b'-')
                    && b.get(e + 1).is_some_and(u8::is_ascii_alphabetic);
                if b[e].is_ascii_alphanumeric() || inner {
                    e += 1
                } else {
                    break;
                }
            }
            if c.is_ascii_uppercase()
                && b[s..e].iter().any(u8::is_ascii_alphabetic)
                && !taken.iter().any(|&(ts, te)| ts < e && s < te)
            {
                let w = std::str::from_utf8(&b[s..e]).unwrap_or("");
                if cap_candidate(lower(w, &mut scratch)) {
                    return true;
                }
            }
            i = e;
        }
        false
    }

    /// Random ASCII strings rich in the bytes the tokenizer decides on.
    fn random_ascii(seed: &mut u64, n: usize) -> String {
        const PARTS: &[&str] = &[
            "A", "B", "R", "Zorbak", "Quell", "Mary", "May", "ann", "van", "de", "I", "The",
            "McDonald", "x", "3", "42", "7B", "a1", "'", "-", ".", "!", "?", "\n", " ", "  ", "\t",
            "\r", "\x0b", "\x0c", ",", ":", "@", "O", "Brien", "s", "it", "Don't",
        ];
        crate::redact::tests::random_from(seed, PARTS, n)
    }

    #[test]
    fn ascii_fast_paths_agree_with_the_general_ones() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..20_000 {
            let text = random_ascii(&mut seed, 1 + round % 24);
            let fast: Vec<_> = tokenize_ascii(text.as_bytes())
                .iter()
                .map(|t| (t.s, t.e, t.kind, t.sent_start, t.cand))
                .collect();
            let slow: Vec<_> = tokenize_chars(&text)
                .iter()
                .map(|t| (t.s, t.e, t.kind, t.sent_start, t.cand))
                .collect();
            assert_eq!(fast, slow, "{text:?}");
            let taken = if round % 3 == 0 {
                vec![(round % 7, round % 7 + 3)]
            } else {
                vec![]
            };
            assert_eq!(
                any_cap_candidate_ascii(&text, &taken),
                any_cap_candidate_reference(text.as_bytes(), &taken),
                "{text:?} {taken:?}"
            );
            let toks = tokenize_chars(&text);
            let lw = LowerWords::new(&text, &toks);
            let mut scratch = Lower::new();
            for (k, t) in toks.iter().enumerate() {
                let raw = text[t.s..t.e].trim_end_matches('.');
                if t.kind != Kind::Num {
                    assert_eq!(lw.get(k as isize), lower(raw, &mut scratch), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn training_learns_a_toy_pattern() {
        let mk = |name: &str| {
            let text = format!("Yesterday {name} called about the parcel.");
            let s = text.find(name).unwrap_or(0);
            Example {
                names: vec![(s, s + name.len())],
                text,
            }
        };
        let mut ex: Vec<Example> = ["Zorbak Quell", "Imrel Vost", "Tanu Rask", "Obed Lurr"]
            .iter()
            .map(|n| mk(n))
            .collect();
        ex.push(Example {
            text: "Yesterday Amazon called about the parcel.".into(),
            names: vec![],
        });
        let m = Model::from_bytes(&train(&ex, 5, 0.0)).expect("a weights file");
        let found = m.persons("Yesterday Quinla Varr called about the parcel.");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            &"Yesterday Quinla Varr called"[found[0].0..found[0].1],
            "Quinla Varr"
        );
    }
}
