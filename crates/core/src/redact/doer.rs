//! Someone who does what only people do: "Peregrine is off today", "Qing from accounting
//! emailed me", "holmny said you'd refund it", "covadonga me dijo que …", "Urho
//! recommended your company", "Could Vinyild send me …", "Arnel will be home on …". The doer is a
//! person, whether or not a name list knows the name; an everyday word ("Support said",
//! "someone ordered") or an organisation is not.

use super::lexicon::{gather_tops, load_eight, Lower};
use super::possessive::{name_words, words_before};
use super::{Cand, PiiKind, Prio};
use std::sync::LazyLock;

/// The departments of "X from accounting emailed me".
const DEPARTMENTS: &[&str] = &[
    "accounting",
    "accounts",
    "billing",
    "sales",
    "marketing",
    "finance",
    "payroll",
    "hr",
    "legal",
    "logistics",
    "warehouse",
    "reception",
    "dispatch",
    "shipping",
    "purchasing",
];

/// What may follow "is" for the doer to be a person: absent, or on leave, or someone's
/// relation to the writer.
const IS_RESTS: &[&str] = &[
    " off today",
    " on holiday",
    " on vacation",
    " on leave",
    " my landlord",
    " my landlady",
    " my neighbour",
    " my neighbor",
    " my flatmate",
    " my roommate",
    " my husband",
    " my wife",
    " my partner",
];

/// The rest of each doing only people do, by its first word ("told" → " me"); an
/// empty rest when the word alone is the doing. A match on the word, so the ordinary
/// words of a message cost a few comparisons each.
fn rests(first: &str) -> &'static [&'static str] {
    match first {
        "said" | "says" | "promised" | "sagte" | "zei" | "powiedział" | "powiedziała"
        | "powiedzial" | "powiedziala" => &[""],
        "told" | "asked" | "emailed" | "e-mailed" | "texted" | "phoned" => &[" me"],
        "ordered" => &[" it"],
        "needs" => &[" to confirm"],
        "is" => IS_RESTS,
        "me" => &[" dijo", " dijeron"],
        "hat" => &[" gesagt"],
        "holt" => &[" die"],
        "braucht" => &[" nur"],
        "a" | "m'a" => &[" dit"],
        "ha" => &[" detto"],
        "mi" => &[" ha detto"],
        "heeft" => &[" gezegd", " mijn pakket"],
        "recommended" => &[" your", " you", " us", " me"],
        "will" => &[
            " be home",
            " be at home",
            " call you",
            " contact you",
            " be in touch",
        ],
        "send" => &[" me", " us"],
        "se" => &[" pondrá en contacto", " pondra en contacto"],
        // "Praanesh and I share the account"
        "and" => &[" I share", " i share", " I have", " i have"],
        // who calls back, in Dutch, French and Italian; who left the company
        "belt" => &[" u", " je"],
        "vous" => &[" rappellera", " appellera", " contactera"],
        "vi" => &[" contatterà", " richiamerà", " chiamerà"],
        "has" => &[" left the company", " left us"],
        "sa" => &[" att"],
        _ => &[],
    }
}

/// The first three bytes of every doing's first word (see [`rests`]).
const DOING_STARTS: &[&[u8; 3]] = &[
    b"sai", b"say", b"sag", b"sa ", b"sen", b"se ", b"zei", b"pow", b"pro", b"pho", b"tol", b"tex",
    b"ask", b"a d", b"ema", b"e-m", b"ord", b"nee", b"is ", b"me ", b"mi ", b"m'a", b"hat", b"ha ",
    b"hol", b"hee", b"bra", b"fro", b"rec", b"wil", b"and", b"bel", b"vou", b"vi ", b"has",
];

/// [`DOING_STARTS`] as a bit per (first byte, second byte, third byte), in three small
/// tables: a row per first byte that starts a doing, a column per second byte that
/// follows it, then a bit per third byte.
struct DoingStarts {
    row: [u8; 256],
    col: Vec<[u8; 256]>,
    third: Vec<[u64; 4]>,
}

static DOING_TABLE: LazyLock<DoingStarts> = LazyLock::new(|| {
    let mut t = DoingStarts {
        row: [0; 256],
        col: vec![[0; 256]],
        third: vec![[0; 4]],
    };
    for &&[a, b, c] in DOING_STARTS {
        if t.row[usize::from(a)] == 0 {
            t.row[usize::from(a)] = u8::try_from(t.col.len()).expect("few first bytes");
            t.col.push([0; 256]);
        }
        let r = usize::from(t.row[usize::from(a)]);
        if t.col[r][usize::from(b)] == 0 {
            t.col[r][usize::from(b)] = u8::try_from(t.third.len()).expect("few pairs");
            t.third.push([0; 4]);
        }
        let k = usize::from(t.col[r][usize::from(b)]);
        t.third[k][usize::from(c / 64)] |= 1 << (c % 64);
    }
    t
});

/// Whether a word starting with these three bytes can be a doing's first word: most
/// words of a message are ruled out here, by three table reads without a branch.
fn may_start_doing(a: u8, b: u8, c: u8) -> bool {
    let t = &*DOING_TABLE;
    let r = usize::from(t.row[usize::from(a)]);
    let k = usize::from(t.col[r][usize::from(b)]);
    t.third[k][usize::from(c / 64)] & (1 << (c % 64)) != 0
}

/// Where the doing that starts at `s` ends, if one does: a phrase of [`rests`] or a
/// department after "from", ending at a word's end.
fn doing_end(text: &str, s: usize) -> Option<usize> {
    let first_len = text[s..]
        .find(|c: char| !(c.is_alphabetic() || c == '-' || c == '\''))
        .unwrap_or(text.len() - s);
    let first = &text[s..s + first_len];
    let after = &text[s + first_len..];
    let at_word_end = |e: usize| {
        !text[e..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    };
    if first == "from" {
        let rest = after.strip_prefix(' ')?;
        let rest = ["our ", "the "]
            .iter()
            .find_map(|d| rest.strip_prefix(d))
            .unwrap_or(rest);
        let dept = DEPARTMENTS.iter().find(|d| rest.starts_with(**d))?;
        let e = text.len() - rest.len() + dept.len();
        return at_word_end(e).then_some(e);
    }
    rests(first).iter().find_map(|r| {
        let e = s + first_len + r.len();
        (after.starts_with(r) && at_word_end(e)).then_some(e)
    })
}

/// Person candidates for the doers: up to three words of letters right before the doing,
/// within its clause.
pub(super) fn doers(text: &str, out: &mut Vec<Cand>) {
    let mut buf = Lower::new();
    let bytes = text.as_bytes();
    let mut next = 0;
    // every doing is a word after a space: the spaces eight bytes at a time
    for (w, chunk) in bytes.chunks(64).enumerate() {
        let mut spaces = 0u64;
        for (j, eight) in chunk.chunks(8).enumerate() {
            spaces |= space_bits(eight) << (8 * j);
        }
        while spaces != 0 {
            let s = w * 64 + spaces.trailing_zeros() as usize + 1;
            spaces &= spaces - 1;
            // and starts with one of these triples of bytes (the first letters of the
            // words of [`rests`] and of "from")
            if s < 2
                || s < next
                || s + 2 >= bytes.len()
                || !may_start_doing(bytes[s], bytes[s + 1], bytes[s + 2])
            {
                continue;
            }
            next = doer_at(text, s, next, &mut buf, out);
        }
    }
}

/// The name before a doing that starts at `s`, if one does; where the doing ends (or
/// `next` when there is none), so that the search goes on after it.
fn doer_at(text: &str, s: usize, next: usize, buf: &mut Lower, out: &mut Vec<Cand>) -> usize {
    let Some(e) = doing_end(text, s) else {
        return next;
    };
    let Some(from) = words_before(text, s - 1) else {
        return e;
    };
    if let Some((a, b)) = name_words(text, from, s - 1, false, buf) {
        out.push(Cand::new(a, b, PiiKind::Person, Prio::PERSON));
    }
    e
}

/// For up to eight bytes, one bit each (the first byte's lowest): is it a space. All
/// eight at once in one `u64` (a byte is a space when it XORs to zero with one).
fn space_bits(eight: &[u8]) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let y = load_eight(eight) ^ 0x2020_2020_2020_2020;
    // the top bit of each byte of y that is zero (exact: no carry crosses a byte)
    let zero = !(((y & LOW7) + LOW7) | y | LOW7);
    gather_tops(zero, eight.len())
}

#[cfg(test)]
mod tests {
    use crate::redact::tests::persons;

    #[test]
    fn space_bits_agree_with_the_byte_test() {
        crate::redact::tests::eight_byte_bits_agree(b' ', super::space_bits, |x| x == b' ');
    }

    #[test]
    fn who_does_what_only_people_do_is_a_person() {
        assert_eq!(
            persons("Agent: Apologies. Peregrine is off today, but I can help."),
            ["Peregrine"]
        );
        assert_eq!(
            persons("[16:16] Customer: Last week Carvalhal from accounting emailed me"),
            ["Carvalhal"]
        );
        assert_eq!(
            persons("[13:16] User: holmny said you'd refund it by sunday"),
            ["holmny"]
        );
    }

    #[test]
    fn doings_in_other_languages_and_spellings() {
        assert_eq!(
            persons("Grzegorz powiedział, że paczka dotarła."),
            ["Grzegorz"]
        );
        assert_eq!(
            persons("Hier Maëlle m'a dit que c'était réglé."),
            ["Maëlle"]
        );
        assert_eq!(persons("Then Ottoline e-mailed me the form."), ["Ottoline"]);
        // a doing inside a longer word is none
        assert!(persons("Then Ottoline saidx nothing.").is_empty());
    }

    #[test]
    fn recommending_calling_and_sending_are_done_by_people() {
        assert_eq!(
            persons("Message : Kaltõma recommended your company to me."),
            ["Kaltõma"]
        );
        assert_eq!(
            persons("Could Vinyild send me the updated price list?"),
            ["Vinyild"]
        );
        assert_eq!(
            persons("Arnel will be home on Thursday, so deliver then."),
            ["Arnel"]
        );
        assert_eq!(
            persons("Indulis se pondrá en contacto con ustedes el lunes."),
            ["Indulis"]
        );
        assert_eq!(
            persons("[11:00] User: Praanesh and I share the account."),
            ["Praanesh"]
        );
        assert_eq!(
            persons("Bin-yeon vous rappellera vendredi matin."),
            ["Bin-yeon"]
        );
        assert_eq!(
            persons("Holmåsås belt u morgen terug over de levering."),
            ["Holmåsås"]
        );
        assert_eq!(
            persons("Saidarria McGillycuddy has left the company, so please remove her."),
            ["Saidarria McGillycuddy"]
        );
    }

    #[test]
    fn every_doing_passes_the_first_bytes_test() {
        // each first word of `rests` (and "from") with each of its rests: a doing the
        // byte test turned away would never be looked up
        for w in [
            "said",
            "says",
            "promised",
            "sagte",
            "zei",
            "powiedział",
            "told",
            "asked",
            "emailed",
            "e-mailed",
            "texted",
            "phoned",
            "ordered",
            "needs",
            "is",
            "me",
            "hat",
            "holt",
            "braucht",
            "a",
            "m'a",
            "ha",
            "mi",
            "heeft",
            "recommended",
            "will",
            "send",
            "se",
            "and",
            "belt",
            "vous",
            "vi",
            "has",
            "sa",
            "from",
        ] {
            let rests = if w == "from" {
                &[" accounting"][..]
            } else {
                super::rests(w)
            };
            assert!(!rests.is_empty(), "{w}");
            for r in rests {
                let b = format!("{w}{r}");
                let b = b.as_bytes();
                assert!(super::may_start_doing(b[0], b[1], b[2]), "{w}{r}");
            }
        }
    }

    #[test]
    fn everyday_doers_are_no_person() {
        for t in [
            "Support said it would be refunded.",
            "Customer: someone said you'd refund it",
            "The app said my card was declined.",
            "Someone from accounting emailed me.",
            "You and I share the account.",
            "Could you send me the updated price list?",
            "Please send me the invoice.",
            "The courier will be home on Monday.",
        ] {
            assert!(persons(t).is_empty(), "{t}: {:?}", persons(t));
        }
    }
}
