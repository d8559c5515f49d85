//! Person names without a statistical model: cue phrases ("my name is", "I'm", "this is
//! ... writing", "Mr.", "my husband", "please ask", "regards,", "account holder:", ...)
//! followed by name-shaped tokens, plus capitalised "Given Surname" pairs anywhere, checked
//! against embedded lists of given names, surnames and everyday words.
//!
//! How much evidence a name needs depends on the cue: after "my name is" any
//! non-everyday words are a name (even lowercase); after "I'm" or "hello" the first word
//! must be a known given name (or be followed by "writing", "here", ...).

use super::gate::Starts;
use super::lexicon::{is_capitalised, is_surname, lookup, lower, next_word, Lower};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

const REL: &str = r"husband|wife|son|daughter|partner|spouse|mother|mom|mum|father|dad|brother|sister|friend|colleague|boss|fianc[ée]e?|girlfriend|boyfriend|child|kid|grandmother|grandma|granny|grandfather|grandpa|granddaughter|grandson|aunt|auntie|uncle|cousin|nephew|niece|landlord|landlady|tenant|flatmate|roommate|housemate|employee|employer|assistant|manager|neighbou?r|carer|caregiver|guardian|stepson|stepdaughter|stepmother|stepfather|stepmom|stepmum|stepdad|mother-in-law|father-in-law|brother-in-law|sister-in-law|son-in-law|daughter-in-law|ex-wife|ex-husband|twin|accountant|lawyer|solicitor|coworker|co-worker|business\s+partner|better\s+half|other\s+half";

const TITLE: &str = r"mr|mrs|ms|miss|mx|dr|prof|herr|frau|monsieur|madame|mme|mlle|señor|señora|señorita|sra|srta|signor|signora|sig\.ra|dott|dr\.ssa";
const STRONG: &str = r"contact(?:\s+person)?\s*:|contact\s+person(?:\s+for(?:\s+[a-z]+){1,3})?\s+is|my\s+name\s+is|my\s+name's|my\s+names\s+is|my\s+full\s+name\s+is|name\s*:|names?\s+is|full\s+name\s*(?:is|:)?|names?\s+on\s+(?:the\s+)?(?:card|account)\s*(?:is|:)?|account\s+holder(?:'s)?(?:\s+name)?\s*(?:is|:)?|account\s+name\s*(?:is|:)?|card\s*holder(?:'s)?(?:\s+name)?\s*(?:is|:)?|in\s+the\s+name\s+of|(?:booked|made|placed|reserved)\s+under\s+the\s+name(?:\s+of)?|under\s+the\s+name(?:\s+of)?|registered\s+(?:to|under)|i\s+go\s+by|known\s+as|signed\s*[,:]|attn\s*:?|attention\s*:|c/o|care\s+of|call\s+me|named|called|(?:first|last|given|family|maiden)\s+name\s*(?:is|:)|surname\s*(?:is|:)|(?:beneficiary|payee|recipient)(?:'s)?\s+name\s*(?:is|:)?|name\s*[-–]|(?:customer|client|passenger|guest|patient|member)(?:\s+name)?\s*[:\-–]";
const SIG: &str = r"(?:kind|best|warm|warmest|many|with)\s+regards|regards|best\s+wishes|all\s+the\s+best|thanks|thank\s+you|thx|tks|cheers|sincerely(?:\s+yours)?|yours\s+(?:sincerely|truly|faithfully)|respectfully|best|rgds|greetings";
const INTRO: &str = r"i'm|i’m|i\s+am|im|this\s+is|it's|it’s|it\s+is|here\s+is|hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening)";

fn rel() -> String {
    format!(
        r"(?:my|our|his|her)\s+(?:{REL})|(?:please\s+)?ask(?:\s+for)?|meant\s+for|intended\s+for|on\s+behalf\s+of|payee\s*(?:is|:)?|beneficiary\s*(?:is|:)?|recipient\s*(?:is|:)?|(?:sent|send|transfer(?:red)?|paid|pay|wire[ds]?)\s+(?:it\s+|the\s+money\s+|money\s+|funds\s+)?(?:to|for)|put\s+me\s+through\s+to|transfer\s+me\s+to|connect\s+me\s+(?:to|with)|speak\s+(?:to|with)|talk\s+(?:to|with)|spoke\s+(?:to|with)|discussed\s+(?:(?:this|it|that)\s+)?with|signed\s+for\s+by|(?:left|leave)\s+(?:it\s+)?with|(?:now\s+)?connected\s+(?:to|with)|(?:checked|confirmed|agreed|arranged)\s+(?:(?:this|it|that)\s+)?with|dear|from\s*:|sent\s+by|signed\s+by|ask(?:ed|ing)?\s+for|addressed\s+to|forward(?:ed)?\s+(?:this|it|that|them)\s+to|(?:reservation|booking|parcel|package)\s+(?:is\s+|was\s+)?(?:for|under)|(?:booked|made|placed|reserved)\s+(?:under|by|for)(?:\s+the\s+name(?:\s+of)?)?|customer|client|under|(?:agent|advis[eo]r|representative|operator|courier|technician|guy|lady)(?:\s+on\s+the\s+(?:phone|line))?\s*[,(]|name|written\s+by|belongs\s+to|addressee"
    )
}

/// All cue phrases, as one pattern searched at word starts ([`super::Cue::Name`]).
pub(super) fn cue_pattern() -> String {
    format!(
        r"(?i)(?-u:\b)(?:(?:{TITLE})(?-u:\b)\.?|{STRONG}|{}|{SIG}|{INTRO})",
        rel()
    )
}

fn anchored(alts: &str) -> Regex {
    Regex::new(&format!(r"(?i)^(?:{alts})$")).expect("static regex")
}

/// Which kind of cue a matched phrase is, tested in the same order as the alternation.
static CLASSES: LazyLock<[Regex; 4]> = LazyLock::new(|| {
    [
        anchored(&format!(r"(?:{TITLE})\.?")),
        anchored(STRONG),
        anchored(&rel()),
        anchored(SIG),
    ]
});

/// The intro cues, as words; checked before the class regexes because they are the most
/// frequent matches.
const INTRO_PHRASES: &[&[&str]] = &[
    &["i'm"],
    &["i’m"],
    &["i", "am"],
    &["im"],
    &["this", "is"],
    &["it's"],
    &["it’s"],
    &["it", "is"],
    &["here", "is"],
    &["hi"],
    &["hello"],
    &["hey"],
    &["hiya"],
    &["good", "morning"],
    &["good", "afternoon"],
    &["good", "evening"],
];

fn is_intro(t: &str) -> bool {
    // every intro phrase starts with one of these letters; most cue matches do not
    if !matches!(
        t.as_bytes().first().map(u8::to_ascii_lowercase),
        Some(b'i' | b't' | b'h' | b'g')
    ) {
        return false;
    }
    INTRO_PHRASES.iter().any(|p| {
        let mut words = t.split_whitespace();
        p.iter()
            .all(|w| words.next().is_some_and(|x| x.eq_ignore_ascii_case(w)))
            && words.next().is_none()
    })
}

/// Words before a capitalised given name that make it a person ("send it to Sarah").
const PREP_CONTEXT: &[&str] = &[
    "to", "for", "from", "with", "by", "and", "ask", "tell", "call", "contact", "paid", "pay",
    "sent", "send", "cc", "told", "asked", "called", "emailed", "messaged",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cue {
    Title,
    Strong,
    Relational,
    Signature,
    /// "I'm", "this is", "hello": a name often follows, but so does anything else.
    Intro,
}

/// Lexicon facts about one word.
#[derive(Clone, Copy)]
struct Info {
    given: bool,
    surname: bool,
    common: bool,
    particle: bool,
    chars: usize,
}

/// A run of name-shaped tokens.
struct NameRun {
    s: usize,
    e: usize,
    words: usize,
    cap: bool,
    first_given: bool,
    first_common: bool,
    any_name: bool,
    strong_suffix: bool,
    terminal: bool,
    follow_and: bool,
    sentence_end: bool,
    verb_like: bool,
}

const MAX_WORDS: usize = 4;

struct Parser<'t> {
    text: &'t str,
    buf: Lower,
    /// (end, ambiguous) of each word `parse` accepted, kept here so a message's parses
    /// share one allocation.
    ends: Vec<(usize, bool)>,
}

impl Parser<'_> {
    /// What the lexicon says about a word (lowercased once, no allocation after warm-up).
    fn info(&mut self, w: &str) -> Info {
        let lw = lower(w, &mut self.buf);
        let lex = lookup(lw);
        Info {
            given: lex.given(),
            surname: lex.surname(),
            common: lex.common_any(),
            particle: lex.particle(),
            chars: if lw.is_ascii() {
                lw.len()
            } else {
                lw.chars().count()
            },
        }
    }

    /// Is the token at [s, e) followed by '.' and a single letter (an initial)?
    fn initial_end(&self, s: usize, e: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let one_char = self.text[s..e].chars().count() == 1;
        (one_char && b.get(e) == Some(&b'.')).then_some(e + 1)
    }

    /// Parse a name starting at `from` (after a cue), skipping one separator.
    fn parse(&mut self, from: usize) -> Option<NameRun> {
        let text = self.text;
        let b = text.as_bytes();
        let mut i = from;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i < b.len() && matches!(b[i], b',' | b':' | b'-') {
            i += 1;
        }
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let (s0, e0) = next_word(text, i, 0)?;
        let first = &text[s0..e0];
        // Mode: capitalised names, or an all-lowercase writer. A leading particle takes the
        // mode of the word after it ("van den Pol").
        let mut cap = is_capitalised(first);
        if !cap && self.info(first).particle {
            let mut j = e0;
            while let Some((ws, we)) = next_word(text, j, 1) {
                if ws == j {
                    break;
                }
                let w = &text[ws..we];
                if self.info(w).particle && !is_capitalised(w) {
                    j = we;
                    continue;
                }
                cap = is_capitalised(w);
                break;
            }
        }
        let mut run = NameRun {
            s: s0,
            e: s0,
            words: 0,
            cap,
            first_given: false,
            first_common: false,
            any_name: false,
            strong_suffix: false,
            terminal: false,
            follow_and: false,
            sentence_end: false,
            verb_like: false,
        };
        let mut pos = s0;
        // (end, ambiguous) of each accepted word, to drop trailing ambiguous ones
        let mut ends = std::mem::take(&mut self.ends);
        ends.clear();
        let mut particle_words = 0;
        let mut had_initial = false;
        while let Some((ws, we)) = next_word(text, pos, 2) {
            if ws > pos && text[pos..ws].contains('\n') {
                break;
            }
            if (run.words > 0 || particle_words > 0) && ws == pos {
                break;
            }
            let w = &text[ws..we];
            if b.get(we).is_some_and(u8::is_ascii_digit) {
                break;
            }
            let wi = self.info(w);
            // initials: "P." / "p."
            if let Some(ie) = self.initial_end(ws, we) {
                if run.words > 0 || cap == is_capitalised(w) {
                    had_initial |= run.words == 0;
                    run.e = ie;
                    pos = ie;
                    ends.push((ie, false));
                    continue;
                }
                break;
            }
            if wi.particle && !is_capitalised(w) {
                particle_words += 1;
                pos = we;
                if particle_words > 3 {
                    break;
                }
                continue;
            }
            let w_cap = is_capitalised(w);
            if cap != w_cap {
                break;
            }
            if wi.chars < 2 {
                break;
            }
            let named = wi.given || wi.surname;
            let common = wi.common;
            let mut amb = false;
            if common {
                if cap && named {
                    // "Ashley Wood", "Will Smith": a capitalised name that is also a word
                } else if named {
                    amb = true;
                } else if cap && run.words >= 1 && terminal_at(text, we) {
                    // "Regards, Aya Post" — a capitalised last word that ends the message
                } else {
                    if run.words == 0 {
                        run.first_common = true;
                    }
                    break;
                }
            }
            if run.words == 0 {
                run.first_given = wi.given && !common;
                run.s = if particle_words > 0 || had_initial {
                    run.s
                } else {
                    ws
                };
            }
            particle_words = 0;
            run.any_name |= named && !amb;
            run.words += 1;
            run.e = we;
            pos = we;
            ends.push((we, amb));
            if run.words >= MAX_WORDS {
                break;
            }
        }
        // Drop trailing ambiguous words ("my husband will ...") unless a suffix cue follows.
        while let Some(&(_, true)) = ends.last() {
            let rest = text[run.e..].trim_start_matches([' ', '\t']);
            if starts_with_word(rest, SUFFIX_CUES) {
                break;
            }
            ends.pop();
            run.words = run.words.saturating_sub(1);
            run.e = ends.last().map_or(run.s, |&(e, _)| e);
        }
        self.ends = ends;
        if run.words > 0 && had_initial {
            run.words += 1;
        }
        if run.words == 0 || run.e <= run.s {
            return None;
        }
        // "Last, First" ("Regards, Olson, Jessica"; "I'm Martinez, Esteban and ...")
        if b.get(run.e) == Some(&b',') && run.words <= 2 {
            if let Some((ws, we)) = next_word(text, run.e + 1, 2) {
                if ws > run.e + 1 {
                    let w = &text[ws..we];
                    let wi = self.info(w);
                    let same_case = is_capitalised(w) == cap;
                    let ok_word = !wi.common || (cap && (wi.given || wi.surname));
                    if same_case && ok_word && wi.chars >= 2 && !state_code(w) {
                        // take one more given name ("Viana, Jose Luis")
                        let mut end = we;
                        if let Some((s2, e2)) = next_word(text, we, 1) {
                            let w2 = &text[s2..e2];
                            let i2 = self.info(w2);
                            if s2 > we && is_capitalised(w2) == cap && i2.given && !i2.common {
                                end = e2;
                            }
                        }
                        let given = wi.given;
                        let rest = text[end..].trim_start_matches([' ', '\t']);
                        let terminal_after = rest.is_empty()
                            || rest.starts_with(['.', '!', '?', '\n', '\r', ')'])
                            || starts_with_word(rest, SUFFIX_CUES)
                            || starts_with_word(rest, &["and", "to", "can't", "can’t", "cannot"]);
                        if given || terminal_after {
                            run.e = end;
                            run.any_name |= given || wi.surname;
                            run.first_given |= given;
                            run.words += 1;
                        }
                    }
                }
            }
        }
        let rest = text[run.e..].trim_start_matches([' ', '\t']);
        run.strong_suffix = starts_with_word(rest, SUFFIX_CUES);
        run.terminal = terminal_at(text, run.e);
        run.follow_and = rest.starts_with(',') || starts_with_word(rest, &["and", "&"]);
        run.sentence_end =
            rest.is_empty() || rest.starts_with(['.', '!', '?', ';', '\n', '\r', ')']);
        // "I am seeing and ...", "my husband recently ...": inflected words are not names
        run.verb_like = !run.cap && {
            let first_word = text[run.s..run.e].split_whitespace().next().unwrap_or("");
            let fw = lower(first_word, &mut self.buf);
            fw.chars().count() > 4
                && (fw.ends_with("ing") || fw.ends_with("ed") || fw.ends_with("ly"))
        };
        Some(run)
    }
}

/// Words after a name that confirm it ("This is Ann writing", "Sam here").
const SUFFIX_CUES: &[&str] = &[
    "writing",
    "here",
    "speaking",
    "calling",
    "reporting",
    "told",
];

/// Nothing but closing punctuation and white space until the end of the line.
fn terminal_at(text: &str, e: usize) -> bool {
    let rest = text[e..].trim_start_matches([' ', '\t']);
    let rest_trim = rest.trim_start_matches(['.', '!', '?', ' ', '\t']);
    rest_trim.is_empty() || rest.starts_with('\n') || rest.starts_with("\r\n")
}

fn starts_with_word(rest: &str, words: &[&str]) -> bool {
    words.iter().any(|w| {
        rest.len() >= w.len()
            && rest.is_char_boundary(w.len())
            && rest[..w.len()].eq_ignore_ascii_case(w)
            && !rest[w.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
    })
}

/// "I'm"/"I am" (the weak cues where a single unknown lowercase word followed by "and" is
/// still most likely a name: "i'm friedhelm and i have a problem").
fn is_im(cue: &str) -> bool {
    let c = cue.to_ascii_lowercase();
    c.starts_with("i'm") || c.starts_with("i’m") || c.starts_with("i am") || c == "im"
}

/// The word after `e` is one that typically follows a name in a sentence.
fn next_is_function(text: &str, e: usize) -> bool {
    let rest = text[e..].trim_start_matches([' ', '\t']);
    starts_with_word(
        rest,
        &[
            "to", "can't", "can’t", "cannot", "can", "is", "was", "has", "had", "will", "would",
            "and", "who", "does", "did", "didn't", "doesn't", "isn't", "wasn't", "won't", "needs",
            "wants", "please", "made", "told", "said", "booked", "paid", "sent", "asked",
        ],
    )
}

/// Person names: cue-based and capitalised given-name pairs.
pub(super) fn names(text: &str, ascii: bool, starts: &Starts, out: &mut Vec<Cand>) {
    let mut p = Parser {
        text,
        buf: Lower::new(),
        ends: Vec::new(),
    };
    for m in starts.find_iter(super::Cue::Name, text) {
        let t = m.as_str();
        // whole words only ("hi" is not "his"); "name:" may be followed by anything
        if t.ends_with(|c: char| c.is_alphanumeric()) && !super::lexicon::right_clear(text, m.end())
        {
            continue;
        }
        let cue = if is_intro(t) {
            Cue::Intro
        } else if CLASSES[0].is_match(t) {
            Cue::Title
        } else if CLASSES[1].is_match(t) {
            Cue::Strong
        } else if CLASSES[2].is_match(t) {
            Cue::Relational
        } else if CLASSES[3].is_match(t) {
            Cue::Signature
        } else {
            Cue::Intro
        };
        let Some(run) = p.parse(m.end()) else {
            continue;
        };
        if (t.eq_ignore_ascii_case("called") || t.eq_ignore_ascii_case("named"))
            && (titled_thing_before(text, m.start()) || !(run.any_name || run.first_given))
        {
            continue;
        }
        let new_line = text[m.end()..run.s].contains('\n');
        // "Customer: hi, my parcel never arrived": in a chat transcript a role word before a
        // colon is the speaker, and what follows is their turn, not their name
        if cue == Cue::Strong && speaker_role(text, m.start(), t) && run.first_common {
            continue;
        }
        // Titles need the name right after them ("Mr. Jones", "mrs smith").
        let accept = match cue {
            Cue::Title => run.s <= m.end() + 2 && !run.first_common,
            Cue::Strong => true,
            Cue::Relational => {
                run.cap
                    || run.first_given
                    || run.any_name
                    || run.strong_suffix
                    || (!run.verb_like
                        && run.words >= 2
                        && (run.sentence_end || run.follow_and || next_is_function(text, run.e)))
                    || (!run.verb_like && next_is_function(text, run.e))
            }
            Cue::Signature => {
                if run.cap {
                    run.words >= 2
                        || new_line
                        || dash_after(text, run.e)
                        || run.first_given
                        || run.any_name
                        || run.terminal
                        || run.strong_suffix
                } else {
                    run.first_given
                        || run.terminal
                        || run.strong_suffix
                        || new_line
                        || (!run.verb_like
                            && run.words >= 2
                            && (run.sentence_end || run.follow_and || dash_after(text, run.e)))
                }
            }
            Cue::Intro => {
                !digit_after(text, run.e)
                    && ((run.strong_suffix && !run.verb_like)
                        || run.first_given
                        || (run.cap && run.words >= 2)
                        || (run.cap && run.follow_and)
                        || (!run.cap
                            && !run.verb_like
                            && (run.follow_and || word_after(text, run.e, &["from", "again"]))
                            && (run.any_name || run.words >= 2 || is_im(m.as_str())))
                        || (run.cap
                            && (run.any_name || run.words >= 2)
                            && word_after(text, run.e, &["from", "again"])))
            }
        };
        if !accept || place_or_org(text, &run, matches!(cue, Cue::Strong | Cue::Relational)) {
            continue;
        }
        let (s, prio) = match cue {
            Cue::Title => (m.start(), Prio::PERSON_STRONG),
            Cue::Strong | Cue::Relational | Cue::Signature => (run.s, Prio::PERSON_STRONG),
            Cue::Intro => (run.s, Prio::PERSON),
        };
        out.push(Cand::new(s, run.e, PiiKind::Person, prio));
    }
    signatures_and_self_ids(&mut p, ascii, out);
    // Capitalised "Given Surname" pairs anywhere, and a lone capitalised given name after
    // "to", "for", "ask", ... ("please send it to Sarah").
    let b = text.as_bytes();
    // whether any suffix cue occurs at all; looked up on the first word that needs it
    let mut suffix_cue: Option<bool> = None;
    let mut i = 0;
    while i < b.len() {
        i = next_capital(b, i);
        if i >= b.len() {
            break;
        }
        if i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] >= 0x80 || b[i - 1] == b'\'') {
            if let Some((s, e)) = next_word(text, i, 0) {
                let w = &text[s..e];
                if is_capitalised(w) {
                    let wi = p.info(w);
                    if !wi.given
                        && !wi.common
                        && *suffix_cue
                            .get_or_insert_with(|| SUFFIX_CUES.iter().any(|w| text.contains(w)))
                    {
                        // "Adelmo Lopresti here, I have a question."
                        if let Some(run) = p.parse(s) {
                            if run.cap
                                && run.s == s
                                && run.strong_suffix
                                && !place_or_org(text, &run, false)
                            {
                                out.push(Cand::new(run.s, run.e, PiiKind::Person, Prio::PERSON));
                                i = run.e;
                                continue;
                            }
                        }
                    }
                    if wi.given && !wi.common {
                        if let Some(run) = p.parse(s) {
                            if run.cap
                                && run.s == s
                                && (run.words >= 2 || prep_before(text, s))
                                && !place_or_org(text, &run, false)
                                && !digit_after(text, run.e)
                            {
                                out.push(Cand::new(
                                    run.s,
                                    run.e,
                                    PiiKind::Person,
                                    Prio::PERSON_WEAK,
                                ));
                                i = run.e;
                                continue;
                            }
                        }
                    }
                }
                i = e.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
}

/// Is the cue `t` at `at` a role before a colon at a line start ("Customer:", "[10:02]
/// Client:") in a text with another such turn: a chat transcript's speaker label?
fn speaker_role(text: &str, at: usize, t: &str) -> bool {
    if !t.ends_with(':') || t.len() > 12 {
        return false;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..at].trim();
    if !(before.is_empty() || (before.starts_with('[') && before.ends_with(']'))) {
        return false;
    }
    // another line of the text opens with "Word: "
    text.split('\n')
        .filter(|l| {
            let l = l.trim_start();
            let l = l
                .strip_prefix('[')
                .and_then(|r| r.split_once("] ").map(|x| x.1))
                .unwrap_or(l);
            l.find(": ")
                .is_some_and(|p| p <= 20 && !l[..p].contains(' '))
        })
        .count()
        >= 2
}

/// Can `c` start a capitalised word: an ASCII capital, or the lead byte of a Latin-1 or
/// Latin Extended-A letter ("Émile", "Łukasz")?
#[inline]
fn capital_byte(c: u8) -> bool {
    c.is_ascii_uppercase() || (0xC3..=0xC5).contains(&c)
}

/// The first index at or after `i` whose byte is a [`capital_byte`], or `b.len()`.
/// Capitals are a few bytes in a hundred, so 16-byte blocks without one (and without any
/// non-ASCII byte) are skipped with one vectorised test each.
fn next_capital(b: &[u8], mut i: usize) -> usize {
    while let Some(block) = b.get(i..i + 16) {
        let maybe = block
            .iter()
            .fold(false, |a, &c| a | c.is_ascii_uppercase() | (c >= 0x80));
        if maybe {
            if let Some(k) = block.iter().position(|&c| capital_byte(c)) {
                return i + k;
            }
        }
        i += 16;
    }
    b[i.min(b.len())..]
        .iter()
        .position(|&c| capital_byte(c))
        .map_or(b.len(), |k| i + k)
}

/// A dash before a word, and the words that follow a self-introduction.
static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"- \pL| (?:here|told (?:me|us)|speaking)(?-u:\b)").expect("static regex")
});

/// Names that sign off after a dash ("... thanks - Naoko Watanabe", "- Farouk, Tariq -")
/// and names at the start of a clause that introduce themselves ("chinedu ogunleye here",
/// "Emi Yamamoto told me to ..."), which no cue phrase precedes.
fn signatures_and_self_ids(p: &mut Parser<'_>, ascii: bool, out: &mut Vec<Cand>) {
    let text = p.text;
    let b = text.as_bytes();
    // one regex pass: dashes before a word, and the suffix words after a space
    let mut dashes: Vec<usize> = Vec::new();
    let mut suffixes: Vec<(usize, usize)> = Vec::new();
    for (s, e) in super::scan::find(text, ascii, &SIGN_OFF, super::scan::sign_offs) {
        if b[s] == b'-' {
            if s == 0 || b[s - 1].is_ascii_whitespace() {
                dashes.push(s);
            }
        } else {
            suffixes.push((s, e - s));
        }
    }
    for h in dashes {
        let Some(run) = p.parse(h + 2) else {
            continue;
        };
        if run.s != h + 2 || digit_after(text, run.e) || place_or_org(text, &run, false) {
            continue;
        }
        let ends = run.sentence_end || run.terminal || dash_after(text, run.e);
        let ok = if run.cap {
            (run.first_given || run.any_name) && (ends || text[run.e..].starts_with(','))
        } else {
            run.any_name && run.words >= 2 && ends
        };
        if ok {
            out.push(Cand::new(run.s, run.e, PiiKind::Person, Prio::PERSON));
        }
    }
    {
        for (h, len) in suffixes {
            if !super::lexicon::right_clear(text, h + len) {
                continue;
            }
            // back to the start of the clause
            let clause_start = text[..h]
                .rfind(['.', '!', '?', '\n', ';', '-', '(', ':'])
                .map_or(0, |i| i + 1);
            let seg = &text[clause_start..h];
            let lead = seg.len() - seg.trim_start().len();
            let s = clause_start + lead;
            let words: Vec<&str> = seg.split_whitespace().collect();
            if words.is_empty() || words.len() > 3 || s >= h {
                continue;
            }
            let cap = is_capitalised(words[0]);
            let mut named = false;
            let ok = words.iter().all(|w| {
                let w = w.trim_end_matches(',');
                let wi = p.info(w);
                named |= wi.given || wi.surname;
                wi.chars >= 2
                    && !wi.common
                    && is_capitalised(w) == cap
                    && w.chars()
                        .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
            });
            // a capitalised single unknown word at a clause start is too often a title
            if ok && (words.len() >= 2 || named) {
                out.push(Cand::new(s, h, PiiKind::Person, Prio::PERSON));
            }
        }
    }
}

/// Is the word before `s` (one space away) one of [`PREP_CONTEXT`]?
fn prep_before(text: &str, s: usize) -> bool {
    let Some(before) = text[..s].strip_suffix(' ') else {
        return false;
    };
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_ascii_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let w = &before[start..];
    w.len() <= 9 && PREP_CONTEXT.iter().any(|p| p.eq_ignore_ascii_case(w))
}

/// A " - " or " – " right after `e` (a signature followed by more text).
fn dash_after(text: &str, e: usize) -> bool {
    let rest = &text[e..];
    rest.starts_with(" - ") || rest.starts_with(" – ") || rest.starts_with(" | ")
}

/// The next word after `e` is one of `words`.
fn word_after(text: &str, e: usize, words: &[&str]) -> bool {
    starts_with_word(text[e..].trim_start_matches([' ', '\t']), words)
}

/// Words that make a capitalised run a place, an organisation or a title, not a person
/// ("Warren Theatres", "Bethany Beach", "Marcus Corporation").
const PLACE_ORG: &[&str] = &[
    "head",
    "mill",
    "point",
    "creek",
    "ridge",
    "hills",
    "woods",
    "sanctuary",
    "biosphere",
    "historic",
    "site",
    "house",
    "adobe",
    "lodge",
    "inn",
    "motel",
    "resort",
    "zoo",
    "aquarium",
    "gallery",
    "theatre",
    "theatres",
    "theater",
    "theaters",
    "cinema",
    "cinemas",
    "company",
    "corporation",
    "corp",
    "inc",
    "ltd",
    "llc",
    "gmbh",
    "restaurant",
    "restaurants",
    "cafe",
    "café",
    "bar",
    "pub",
    "hotel",
    "hotels",
    "island",
    "islands",
    "beach",
    "park",
    "national",
    "forest",
    "refuge",
    "center",
    "centre",
    "hall",
    "museum",
    "university",
    "college",
    "school",
    "hospital",
    "airport",
    "station",
    "bank",
    "church",
    "cathedral",
    "stadium",
    "arena",
    "valley",
    "lake",
    "river",
    "mountain",
    "mountains",
    "county",
    "city",
    "state",
    "republic",
    "kingdom",
    "bay",
    "falls",
    "springs",
    "heights",
    "square",
    "street",
    "road",
    "avenue",
    "reserve",
    "preserve",
    "monument",
    "historical",
    "memorial",
    "wildlife",
    "gardens",
    "club",
    "library",
    "institute",
    "foundation",
    "festival",
    "band",
    "orchestra",
    "records",
    "studios",
    "entertainment",
    "productions",
    "airlines",
    "airways",
    "show",
    "series",
    "saga",
    "chronicles",
    "playlist",
    "discography",
    "trilogy",
    "movie",
    "film",
    "album",
    "mall",
    "plaza",
    "tower",
    "towers",
    "bridge",
    "canyon",
    "desert",
    "coast",
    "harbour",
    "harbor",
    "port",
    "county",
    "province",
    "township",
    "village",
];

/// The next token after `e` (one space away) starts with a digit ("Ping 10.0.0.1").
fn digit_after(text: &str, e: usize) -> bool {
    text[e..]
        .strip_prefix(' ')
        .is_some_and(|r| r.bytes().next().is_some_and(|c| c.is_ascii_digit()))
}

/// Two capitals after a word: a US state or country code ("Carlos, IL", "Malin KY").
fn state_code(w: &str) -> bool {
    w.len() == 2
        && w.bytes().all(|c| c.is_ascii_uppercase())
        && !w.bytes().all(|c| matches!(c, b'I' | b'V' | b'X'))
}

/// Place words that are also frequent surnames ("Ashley Church", "Leslie K. House").
const SURNAME_LIKE: &[&str] = &[
    "church", "house", "hall", "mill", "head", "bridge", "park", "lake", "street", "bay", "hill",
    "hills", "woods", "ridge", "banks", "field", "port", "inn",
];

static PLACE_ORG_SET: LazyLock<super::lexicon::WordSet> =
    LazyLock::new(|| PLACE_ORG.iter().copied().collect());

fn place_or_org(text: &str, run: &NameRun, cued: bool) -> bool {
    place_or_org_at(text, run.s, run.e, run.words, cued)
}

/// [`place_or_org`] for the `words` name words at `s..e`.
fn place_or_org_at(text: &str, s: usize, e: usize, words: usize, cued: bool) -> bool {
    let rest = text[e..].trim_start_matches([',', ' ']);
    let code = rest.get(..2).is_some_and(state_code)
        && rest[2..]
            .chars()
            .next()
            .is_none_or(|c| matches!(c, ' ' | '.' | '!' | '?' | ',' | ';' | ')' | '\n'));
    if code || text[s..e].rsplit(' ').next().is_some_and(state_code) {
        return true;
    }
    if company_or_storm(text, s, e) {
        return true;
    }
    let mut buf = Lower::new();
    let mut hit = |w: &str| PLACE_ORG_SET.contains(lower(w, &mut buf));
    let last = text[s..e].rsplit(' ').next().unwrap_or("");
    // "Ashley Church", "Leslie House": a known surname is a surname, even if it is also a
    // place word
    let mut b2 = Lower::new();
    let ll = lower(last, &mut b2);
    if words >= 2 && hit(last) && !is_surname(ll) && !SURNAME_LIKE.contains(&ll) {
        return true;
    }
    next_word(text, e, 1).is_some_and(|(ws, we)| {
        let w = &text[ws..we];
        // after "my husband" / "in the name of", "Leslie House" is a name
        ws > e && hit(w) && !(cued && SURNAME_LIKE.contains(&lower(w, &mut b2)))
    })
}

/// Is the tagger's name at `s..e` a place or an organisation by the same tests the rules
/// use ("Warren Theatres", "Bethany Beach", "Carlos, IL")?
pub(super) fn place_or_org_span(text: &str, s: usize, e: usize) -> bool {
    let words = text[s..e].split_whitespace().count();
    if place_or_org_at(text, s, e, words, false) {
        return true;
    }
    // a lone organisation word ("Studios" of "Copperleaf Studios")
    let mut buf = Lower::new();
    let ll = lower(text[s..e].trim(), &mut buf);
    words == 1 && PLACE_ORG_SET.contains(ll) && !is_surname(ll)
}

/// A company's name by its legal form, in the run or right after it ("Vitrum Optique SAS",
/// "Dzintars Amber Trade SIA"), or by a company word right after it ("Granite Peak
/// Insurance"); or a named storm ("Storm Agnes", "Hurricane Otis").
fn company_or_storm(text: &str, s: usize, e: usize) -> bool {
    let mut buf = Lower::new();
    let last = text[s..e].rsplit(' ').next().unwrap_or("");
    // a company's legal form, in the span or right after it ("Vitrum Optique SAS",
    // "Dzintars Amber Trade SIA"), written as companies write it
    if LEGAL_FORMS.contains(&last) {
        return true;
    }
    if let Some((ws, we)) = next_word(text, e, 1).filter(|&(ws, _)| ws > e) {
        let w = &text[ws..we];
        if LEGAL_FORMS.contains(&w) || ORG_WORDS.contains(&lower(w, &mut buf)) {
            return true;
        }
    }
    // a named storm ("Storm Agnes", "Hurricane Otis"), not a person, whether the storm
    // word is taken into the run or stands before it
    let first = text[s..e].split(' ').next().unwrap_or("");
    let storm = |w: &str| STORMS.iter().any(|t| w.eq_ignore_ascii_case(t));
    storm(first) || prev_word(text, s).is_some_and(storm)
}

/// Companies' legal forms, matched as written (so "as" and "sa" in a sentence are not
/// taken for "AS" and "SA").
const LEGAL_FORMS: &[&str] = &[
    "SAS", "SARL", "SA", "AG", "Oy", "Oyj", "AB", "AS", "ASA", "A/S", "ApS", "SIA", "UAB", "OÜ",
    "Lda", "Ltda", "SRL", "Srl", "SpA", "BV", "B.V.", "NV", "N.V.", "PLC", "plc", "KG", "GmbH",
    "Ltd", "Ltd.", "Corp", "Corp.", "LLP", "LLC", "Inc", "Inc.", "Pty", "Kft", "Zrt", "s.r.o.",
    "a.s.", "S.A.", "S.L.", "SL", "SE", "AE", "A.E.", "d.o.o.", "sp.", "z.o.o.",
];

/// Words that continue a company's name ("Amber Trade SIA", "Granite Peak Insurance"),
/// lowercase: a tagger name followed by one of these is a company's.
/// Whether `lw` (lower case) is a word of a company's name ("Logistics", "Florists") or of
/// a place's or an organisation's ("Park", "Museum").
pub(super) fn org_or_place_word(lw: &str) -> bool {
    ORG_WORDS.contains(&lw) || PLACE_ORG_SET.contains(lw)
}

/// Whether `w` is a company's legal form as companies write it ("GmbH", "s.r.o.", "Sp.").
pub(super) fn legal_form(w: &str) -> bool {
    LEGAL_FORMS.contains(&w)
        || LEGAL_FORMS
            .iter()
            .any(|f| f.eq_ignore_ascii_case(w) && w.len() > 2)
}

const ORG_WORDS: &[&str] = &[
    "analytics",
    "mobility",
    "energy",
    "renewables",
    "telecom",
    "networks",
    "digital",
    "robotics",
    "security",
    "healthcare",
    "electronics",
    "packaging",
    "apparel",
    "interiors",
    "construction",
    "builders",
    "engineering",
    "investments",
    "management",
    "trade",
    "trading",
    "software",
    "group",
    "holdings",
    "partners",
    "solutions",
    "systems",
    "logistics",
    "consulting",
    "pharma",
    "freight",
    "textiles",
    "tours",
    "capital",
    "insurance",
    "dental",
    "roasters",
    "florists",
    "labs",
    "technologies",
    "media",
    "studio",
    "design",
    "motors",
    "foods",
    "imports",
    "exports",
    "clinic",
    "pharmacy",
    "optique",
    "optics",
    "bakery",
    "realty",
    "properties",
    "ventures",
    "industries",
    "enterprises",
    "agency",
];

/// Words that name a storm before its given name.
const STORMS: &[&str] = &["storm", "hurricane", "typhoon", "cyclone", "tropical"];

/// The word right before `s` (one space away, same line).
fn prev_word(text: &str, s: usize) -> Option<&str> {
    let before = text[..s].strip_suffix(' ')?;
    before
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .filter(|w| !w.is_empty())
}

/// Things that are "called" something without being people ("a playlist called ...").
const TITLED: &[&str] = &[
    "playlist",
    "show",
    "series",
    "book",
    "song",
    "novel",
    "film",
    "movie",
    "game",
    "album",
    "trailer",
    "painting",
    "picture",
    "work",
    "event",
    "restaurant",
    "soundtrack",
    "chronicle",
    "saga",
    "track",
    "tune",
    "app",
    "podcast",
    "program",
    "programme",
    "place",
    "town",
    "city",
    "village",
    "company",
    "shop",
    "store",
    "bar",
    "hotel",
    "one",
    "something",
    "thing",
    "channel",
    "station",
    "list",
    "file",
    "folder",
    "group",
    "team",
    "character",
    "band",
    "photograph",
    "poem",
    "story",
    "tv",
    "television",
    "documentary",
    "essay",
    "cartoon",
    "anime",
    "musical",
    "play",
    "opera",
    "record",
    "single",
    "ep",
    "mixtape",
    "brand",
    "product",
    "item",
    "dish",
    "drink",
    "cocktail",
    "website",
    "site",
    "page",
    "account",
    "chain",
    "franchise",
    "novella",
    "comic",
    "magazine",
    "newspaper",
    "journal",
    "artwork",
    "sculpture",
    "meeting",
    "reminder",
    "alarm",
    "note",
    "calendar",
    "party",
    "shower",
    "street",
    "road",
];

fn titled_thing_before(text: &str, cue_start: usize) -> bool {
    let before = text[..cue_start].trim_end();
    let w = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    let mut buf = Lower::new();
    TITLED.contains(&lower(w, &mut buf))
}
