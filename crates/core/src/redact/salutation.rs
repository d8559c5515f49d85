//! Salutation lines: a greeting of some language at the start of a line, perhaps a title,
//! then one to four capitalised words and a comma, "!" or ":" or the end of the line
//! ("Hola Alalia,", "Hallo Notker,", "Gentile Ing. Manibera Tagliaferri,"). Whoever a
//! letter or chat opens with is a person, whether or not any name list knows the name;
//! words that are everyday words and no name ("Dear Customer,", "Hello Team,") are not.

use super::lexicon::{lookup, lower, Lower};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

/// Greetings that open a letter, an e-mail or a chat turn, in the languages the
/// redactor knows.
const GREETING: &str = r"hi|hello|hey|hiya|dear|good\s+(?:morning|afternoon|evening)|greetings|hola|buenos\s+d[ií]as|buenas(?:\s+tardes)?|estimad[oa]s?|querid[oa]s?|hallo|moin|servus|liebe[rs]?|sehr\s+geehrte[rs]?|guten\s+(?:tag|morgen|abend)|gr[üu][ßs]\s+gott|hoi|beste|geachte|lieve|bonjour|bonsoir|salut|coucou|ch[èe]re?s?|ciao|salve|buongiorno|buonasera|gentile|gentilissim[oa]|egregi[oa]|car[oa]|ol[áa]|oi|prezad[oa]|bom\s+dia|boa\s+tarde|hej|hei|moi|terve|tere|labas|sveik[ia]|cze[śs][ćc]|witam|dzie[ńn]\s+dobry|szanown[ya]|ahoj|dobr[ýy]\s+den|v[áa][žz]en[ýy]|szia|kedves|tisztelt|bun[ăa](?:\s+ziua)?|stimat[ăae]|drag[ăa]|zdravo|dobar\s+dan|po[šts]tovan[ia]|merhaba|say[ıi]n|γεια(?:\s+σας)?|αγαπητ[εήό]|здравствуйте|привет|уважаем(?:ый|ая)|добрый\s+день";

/// Whether `w` (lower case) is the first word of some greeting in [`GREETING`]: a
/// match on the word, so a line that opens otherwise costs a few comparisons.
fn greeting_first(w: &str) -> bool {
    matches!(
        w,
        "hi" | "hello"
            | "hey"
            | "hiya"
            | "dear"
            | "good"
            | "greetings"
            | "hola"
            | "buenos"
            | "buenas"
            | "estimado"
            | "estimada"
            | "estimados"
            | "estimadas"
            | "querido"
            | "querida"
            | "queridos"
            | "queridas"
            | "hallo"
            | "moin"
            | "servus"
            | "liebe"
            | "lieber"
            | "liebes"
            | "sehr"
            | "guten"
            | "grüß"
            | "grüss"
            | "gruß"
            | "gruss"
            | "hoi"
            | "beste"
            | "geachte"
            | "lieve"
            | "bonjour"
            | "bonsoir"
            | "salut"
            | "coucou"
            | "cher"
            | "chère"
            | "chere"
            | "chers"
            | "chères"
            | "ciao"
            | "salve"
            | "buongiorno"
            | "buonasera"
            | "gentile"
            | "gentilissimo"
            | "gentilissima"
            | "egregio"
            | "egregia"
            | "caro"
            | "cara"
            | "olá"
            | "ola"
            | "oi"
            | "prezado"
            | "prezada"
            | "bom"
            | "boa"
            | "hej"
            | "hei"
            | "moi"
            | "terve"
            | "tere"
            | "labas"
            | "sveiki"
            | "sveika"
            | "cześć"
            | "czesc"
            | "witam"
            | "dzień"
            | "dzien"
            | "szanowny"
            | "szanowna"
            | "ahoj"
            | "dobrý"
            | "dobry"
            | "vážený"
            | "vazeny"
            | "szia"
            | "kedves"
            | "tisztelt"
            | "bună"
            | "buna"
            | "stimate"
            | "stimată"
            | "stimata"
            | "dragă"
            | "draga"
            | "zdravo"
            | "dobar"
            | "poštovani"
            | "postovani"
            | "poštovana"
            | "merhaba"
            | "sayın"
            | "sayin"
            | "γεια"
            | "αγαπητέ"
            | "αγαπητή"
            | "αγαπητό"
            | "здравствуйте"
            | "привет"
            | "уважаемый"
            | "уважаемая"
            | "добрый"
    )
}

/// Titles that may stand between the greeting and the name.
const TITLE: &str = r"mr|mrs|ms|miss|mx|dr|prof|ing|herr|frau|sr|sra|srta|dott|dott\.ssa|avv|arch|mme|mlle|m|monsieur|madame|pan|pani|sig|sig\.ra|signor|signora|se[ñn]or|se[ñn]ora|don|do[ñn]a|dña|mevrouw|meneer|dhr|mevr|κ|κα|г-н|г-жа|sn|sayın|dna|dra|p|gerb|pn|pk|de\s+heer";

/// Particles inside a name ("van der", "de la").
const PARTICLE: &str =
    r"van|von|de|der|den|da|das|do|dos|di|del|della|du|le|la|mac|mc|bin|binti|al|el|ter|ten|zu";

static SALUTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^[ \t>]*(?i:{GREETING})[ \t]+(?:(?i:{TITLE})\.?[ \t]+)*(\p{{Lu}}[\p{{L}}'’\-]*(?:[ \t]+(?:(?:{PARTICLE})[ \t]+){{0,2}}\p{{Lu}}[\p{{L}}'’\-]*\.?){{0,3}})[ \t]*(?:[,!:]|\r?\n|\r?$)"
    ))
    .expect("static regex")
});

/// Person candidates for the names salutation lines open with.
pub(super) fn salutations(text: &str, out: &mut Vec<Cand>) {
    let mut buf = Lower::new();
    // One anchored try per line (most messages are one line): a line that does not open
    // with a greeting fails within its first few bytes.
    let starts =
        std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    for at in starts {
        let line = &text[at..];
        if !line
            .bytes()
            .find(|b| !matches!(b, b' ' | b'\t' | b'>'))
            .is_some_and(|b| b.is_ascii_alphabetic() || b >= 0x80)
        {
            continue;
        }
        // the line's first word opens some greeting (checked before the pattern runs)
        let first = line
            .trim_start_matches([' ', '\t', '>'])
            .split([' ', '\t', '\n'])
            .next()
            .unwrap_or("");
        if first.len() > 24 || !greeting_first(lower(first, &mut buf)) {
            continue;
        }
        let Some(c) = SALUTATION.captures(line) else {
            continue;
        };
        let Some(m) = c.get(1) else { continue };
        let name = m.as_str().trim_end_matches('.');
        // every word a name or at least no everyday word: "Dear Customer," and "Hello
        // Team," open letters too
        let words = name.split([' ', '\t']).filter(|w| !w.is_empty());
        let mut any = false;
        let mut everyday = false;
        for w in words {
            let w = w.trim_matches(|ch: char| ch == '\'' || ch == '’' || ch == '-');
            if w.is_empty() {
                continue;
            }
            let lex = lookup(lower(w, &mut buf));
            if lex.particle() && w.chars().next().is_some_and(char::is_lowercase) {
                continue;
            }
            any = true;
            if lex.common_any() && !lex.named() && !lex.common_name() {
                everyday = true;
                break;
            }
        }
        if any && !everyday {
            out.push(Cand::new(
                at + m.start(),
                at + m.start() + name.len(),
                PiiKind::Person,
                Prio::PERSON_STRONG,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::redact::tests::persons;

    #[test]
    fn the_name_a_letter_opens_with_is_a_person_in_any_language() {
        assert_eq!(persons("Hola Alalia,\ngracias por tu mensaje."), ["Alalia"]);
        assert_eq!(persons("Hallo Notker,\ndanke."), ["Notker"]);
        assert_eq!(persons("Hoi Yafahaeen,\nbedankt."), ["Yafahaeen"]);
        assert_eq!(
            persons("Gentile Ing. Manibera Tagliaferri,\nla ringraziamo."),
            ["Manibera Tagliaferri"]
        );
    }

    #[test]
    fn everyday_words_after_a_greeting_are_no_name() {
        for t in [
            "Hello Team,\nplease see below.",
            "Dear Customer,\nthank you.",
            "Hi All,\nthe release is out.",
            "Dear Sir or Madam,\nI write about my card.",
            "Hello World!",
        ] {
            assert!(persons(t).is_empty(), "{t}: {:?}", persons(t));
        }
    }
}
