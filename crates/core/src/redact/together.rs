//! People named with the writer or met by them, capitalised or not: "the tickets are for
//! me, Torquil, ragnvald and tabao didiwan", "we met anlu at the bergen fair", "i went to a
//! ludwik l. szczepańczyk concert", "c'est sidonie qui a passé la commande", "a friend,
//! Bavo, describes …", "her daughter Ottoline", "you're chatting with Praviit", "thank you
//! jaja, have a nice day".
//!
//! Why: in chat turns typed in lower case no capital marks a name, and the cue phrases of
//! `names.rs` expect one. What stands in a list with "me", who one met somewhere, whose
//! concert one went to and who did something in a French cleft are people; the words must
//! still be no everyday word, so "me, my wife and the kids" or "a rock concert" name nobody.

use super::lexicon::{lookup, lower, Lower, PARTICLES};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

/// Up to four words of a name, any case, initials ("k.") and particles allowed.
const NAME: &str = r"[\p{L}][\p{L}'’-]*\.?(?:[ ][\p{L}][\p{L}'’-]*\.?){0,3}";

/// Cues around a name in any case: who was met, whose concert, a French cleft.
static AROUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:\b(?:we|i)[ ]met[ ](?P<met>{NAME})[ ](?:at|in|on|last|yesterday|today)\b|\b(?:went[ ]to|saw|attended|at)[ ]an?[ ](?P<show>{NAME})[ ](?:concert|gig)\b|\bc'est[ ](?P<cleft>{NAME})[ ]qui\b)"
    ))
    .expect("static regex")
});

/// The literals every cue starts from, in one search: a list with "me", the words of
/// [`AROUND`], and the cues right before a name in any case — a relation in apposition
/// ("A friend, Bavo, describes …"), someone's relative ("Tagliaferri's daughter
/// Eriberto"), who one chats with or thanks ("You're chatting with Praviit.", "thank you
/// jaja, have a nice day"). Literals only, written in the cases they occur in, so the
/// search runs on a prefilter; no two of them can overlap, so one search finds what a
/// search for each group would.
static TRIGGERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"me, |me and |me & |met |c'est |C'est |concert| gig",
        r"|(?:friend|colleague|neighbour|neighbor|cousin|sister|brother|son|daughter|wife|husband|partner|boss|flatmate|roommate|coworker), ",
        r"|(?:'s|’s) (?:daughter|son|wife|husband|partner|sister|brother|mother|father|cousin|friend|colleague) ",
        r"|(?:[Yy]ou're chatting with|[Yy]ou are chatting with|[Tt]hank you|[Tt]hanks) ",
    ))
    .expect("static regex")
});

/// Whether `w` can be a word of a name here: letters, not an everyday word of any list.
fn name_word(w: &str, buf: &mut Lower) -> bool {
    let w = w.trim_end_matches('.');
    if w.is_empty()
        || !w
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-'))
    {
        return false;
    }
    let lw = lower(w, buf);
    // an initial or a particle inside a name
    if w.chars().count() == 1 || PARTICLES.contains(&lw) {
        return true;
    }
    !lookup(lw).common_any() && !super::pair::everyday(lw)
}

/// Whether `text[s..e]` is a name: every word of it can be one, and the first and last are
/// no initial or particle.
fn is_name(text: &str, s: usize, e: usize, buf: &mut Lower) -> bool {
    let words: Vec<&str> = text[s..e].split(' ').collect();
    let edge_ok = |w: &str| w.chars().count() > 1 && !w.ends_with('.') && !PARTICLES.contains(&w);
    words.iter().all(|w| name_word(w, buf))
        && words.first().is_some_and(|w| edge_ok(w))
        && words.last().is_some_and(|w| edge_ok(w))
}

/// Person candidates for people named with the writer or met by them.
pub(super) fn together(text: &str, out: &mut Vec<Cand>) {
    let mut buf = Lower::new();
    // one search for every literal a cue starts from
    let mut around = false;
    let mut before = Vec::new();
    for m in TRIGGERS.find_iter(text) {
        let at = m.start();
        let list = match m.as_str() {
            "me, " => true,
            "me and " | "me & " => false,
            "met " | "c'est " | "C'est " | "concert" | " gig" => {
                around = true;
                continue;
            }
            _ => {
                before.push(m);
                continue;
            }
        };
        if at > 0 && text[..at].ends_with(|c: char| c.is_alphanumeric()) {
            continue;
        }
        if list {
            // "for me, A, B and C"
            list_items(text, m.end(), &mut buf, out);
        } else if let Some(e) = name_words_from(text, m.end(), &mut buf) {
            // "me and sylvi": the one other, up to four name words
            out.push(Cand::new(m.end(), e, PiiKind::Person, Prio::PERSON));
        }
    }
    for m in before {
        let cue = m.as_str();
        // the relation in apposition after a determiner ("a friend, ", "my colleague, "),
        // the others after a word's end
        if cue.ends_with(", ") {
            let det = text[..m.start()]
                .strip_suffix(' ')
                .and_then(|h| h.rsplit([' ', '\n', '(', '"']).next());
            if !det.is_some_and(|d| {
                ["a", "my", "our", "his", "her", "their"]
                    .iter()
                    .any(|x| d.eq_ignore_ascii_case(x))
            }) {
                continue;
            }
        } else if !cue.starts_with(['\'', '’'])
            && text[..m.start()].ends_with(|c: char| c.is_alphanumeric() || c == '\'')
        {
            continue;
        }
        if let Some(e) = name_words_from(text, m.end(), &mut buf) {
            // after "thanks" only a name the turn goes on from ("thank you jaja, have …")
            let thanks = cue.starts_with(['t', 'T']);
            if !thanks || text[e..].starts_with([',', '!', '.']) {
                out.push(Cand::new(m.end(), e, PiiKind::Person, Prio::PERSON));
            }
        }
    }
    if !around {
        return;
    }
    for caps in AROUND.captures_iter(text) {
        for g in ["met", "show", "cleft"] {
            if let Some(m) = caps.name(g) {
                if is_name(text, m.start(), m.end(), &mut buf) {
                    out.push(Cand::new(m.start(), m.end(), PiiKind::Person, Prio::PERSON));
                }
            }
        }
    }
}

/// The end of up to four name words from `s` (the last item of a list), if there is one
/// and it ends as a name does.
fn name_words_from(text: &str, s: usize, buf: &mut Lower) -> Option<usize> {
    let punct = [',', '.', '!', '?', ';', ':'];
    let mut n = 0;
    let mut capitalised = None;
    let words: Vec<&str> = text[s..].split([' ', '\n']).take(4).collect();
    for w in &words {
        let bare = w.trim_end_matches(punct);
        let upper = bare.starts_with(char::is_uppercase);
        // a name's words are all capitalised or all in lower case (initials and
        // particles aside): "Eriberto studies" is a name and a verb
        let joiner = bare.chars().count() == 1 || PARTICLES.contains(&bare);
        if !name_word(bare, buf) || (!joiner && *capitalised.get_or_insert(upper) != upper) {
            break;
        }
        n += 1;
        // a word with punctuation after it ends the name
        if bare.len() != w.len() {
            break;
        }
    }
    let mut e = s;
    for w in &words[..n] {
        e = e + usize::from(e > s) + w.len();
    }
    let e = s + text[s..e].trim_end_matches(punct).len();
    is_name(text, s, e, buf).then_some(e)
}

/// The items of a list that starts at `from` ("Torquil, ragnvald and tabao didiwan"), up to
/// the end of the clause: each a person if all of its words can be a name. A list with an
/// item that cannot ("my wife and the kids") names nobody.
fn list_items(text: &str, from: usize, buf: &mut Lower, out: &mut Vec<Cand>) {
    let end = text[from..]
        .find(['\n', '.', '!', '?', ';', ':', '(', ')'])
        .map_or(text.len(), |i| from + i);
    let clause = &text[from..end];
    let mut items: Vec<(usize, usize)> = Vec::new();
    let mut at = from;
    let mut last = false;
    for part in clause.split(", ") {
        let (item, tail) = match part.find(" and ").or_else(|| part.find(" & ")) {
            Some(i) => (&part[..i], Some(i)),
            None => (part, None),
        };
        let s = at;
        items.push((s, s + item.len()));
        if let Some(i) = tail {
            let sep = if part[i..].starts_with(" and ") { 5 } else { 3 };
            let s2 = s + i + sep;
            // the last item: up to four words after "and"
            let Some(e2) = name_words_from(&text[..at + part.len()], s2, buf) else {
                return;
            };
            items.push((s2, e2));
            last = true;
            break;
        }
        at += part.len() + 2;
    }
    if !last && items.len() < 2 {
        return;
    }
    let mut found = Vec::new();
    for &(s, e) in &items {
        let e = s + text[s..e].trim_end_matches([',', ' ']).len();
        if e <= s || text[s..e].split(' ').count() > 4 || !is_name(text, s, e, buf) {
            return;
        }
        found.push((s, e));
    }
    for (s, e) in found {
        out.push(Cand::new(s, e, PiiKind::Person, Prio::PERSON));
    }
}

#[cfg(test)]
mod tests {
    use crate::redact::tests::persons;

    #[test]
    fn people_listed_with_me_are_persons() {
        assert_eq!(
            persons("Client: the tickets are for me, Torquil, ragnvald and tabao didiwan"),
            ["Torquil", "ragnvald", "tabao didiwan"]
        );
        assert_eq!(persons("Customer: it is for me and sylvi"), ["sylvi"]);
    }

    #[test]
    fn people_met_or_seen_are_persons() {
        assert_eq!(
            persons("Customer: we met anlu at the bergen fair and she gave us a discount"),
            ["anlu"]
        );
        assert_eq!(
            persons("User: i went to a ludwik l. szczepańczyk concert in st. gallen"),
            ["ludwik l. szczepańczyk"]
        );
        assert_eq!(
            persons("Client: bonjour, c'est sidonie qui a passé la commande"),
            ["sidonie"]
        );
    }

    #[test]
    fn relations_chats_and_thanks_name_a_person() {
        assert_eq!(
            persons("A friend, Bavo, describes them as curious."),
            ["Bavo"]
        );
        assert_eq!(
            persons("Her daughter Ottoline studies in Adelaide."),
            ["Ottoline"]
        );
        assert_eq!(
            persons("Operator: Hello! You're chatting with Praviit. What can I do?"),
            ["Praviit"]
        );
        assert_eq!(
            persons("Customer: thank you jaja, have a nice friday"),
            ["jaja"]
        );
        for t in [
            "thank you so much, bye",
            "Thanks Support, bye",
            "thank you all!",
        ] {
            assert!(persons(t).is_empty(), "{t}: {:?}", persons(t));
        }
    }

    #[test]
    fn everyday_lists_and_shows_are_not() {
        for t in [
            "Customer: the tickets are for me, my wife and the kids",
            "Customer: send it to me and my husband",
            "User: i went to a rock concert last night",
            "User: we met them at the store yesterday",
            "Give me, please, the balance and the history.",
        ] {
            assert!(persons(t).is_empty(), "{t}: {:?}", persons(t));
        }
    }
}
