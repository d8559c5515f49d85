//! Someone who does what only people do: "Peregrine is off today", "Qing from accounting
//! emailed me", "holmny said you'd refund it", "covadonga me dijo que …". The doer is a
//! person, whether or not a name list knows the name; an everyday word ("Support said",
//! "someone ordered") or an organisation is not.

use super::lexicon::Lower;
use super::possessive::{name_words, words_before};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

/// A doing only people do; the doer is found by walking back from it.
static DOING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:said|says|told[ ]me|asked[ ]me|promised|emailed[ ]me|e-mailed[ ]me|texted[ ]me|phoned[ ]me|ordered[ ]it|needs[ ]to[ ]confirm",
        r"|is[ ]off[ ]today|is[ ]on[ ](?:holiday|vacation|leave)|is[ ]my[ ](?:landlord|landlady|neighbou?r|flatmate|roommate|husband|wife|partner)",
        r"|from[ ](?:our[ ]|the[ ])?(?:accounting|accounts|billing|sales|marketing|finance|payroll|hr|legal|logistics|warehouse|reception|dispatch|shipping|purchasing)",
        r"|me[ ]dijo|me[ ]dijeron|hat[ ]gesagt|sagte|holt[ ]die|braucht[ ]nur|a[ ]dit|m'a[ ]dit|ha[ ]detto|mi[ ]ha[ ]detto|zei|heeft[ ]gezegd|powiedzia[łl]a?|sa[ ]att)(?-u:\b)",
    ))
    .expect("static regex")
});

/// Person candidates for the doers: up to three words of letters right before the doing,
/// within its clause.
pub(super) fn doers(text: &str, out: &mut Vec<Cand>) {
    let mut buf = Lower::new();
    for m in DOING.find_iter(text) {
        let s = m.start();
        if s < 2 || text.as_bytes()[s - 1] != b' ' {
            continue;
        }
        let Some(from) = words_before(text, s - 1) else {
            continue;
        };
        if let Some((a, b)) = name_words(text, from, s - 1, false, &mut buf) {
            out.push(Cand::new(a, b, PiiKind::Person, Prio::PERSON));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::redact::tests::persons;

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
    fn everyday_doers_are_no_person() {
        for t in [
            "Support said it would be refunded.",
            "Customer: someone said you'd refund it",
            "The app said my card was declined.",
            "Someone from accounting emailed me.",
        ] {
            assert!(persons(t).is_empty(), "{t}: {:?}", persons(t));
        }
    }
}
