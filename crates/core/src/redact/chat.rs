//! Names and ids in chat transcripts that no cue phrase introduces: a speaker's name before the
//! colon of their turns ("Satõmai: Apologies, …"), and the answer to a question for a
//! name in the next turn ("Agent: What name is the booking under?" / "Me: Ghorbani,
//! Arbaush"), and an identity number given after a question for one ("…I need the passport
//! number of each traveller." / "Client: AU532856").
//!
//! A transcript is three or more lines that open with a speaker label (after an optional
//! "[09:12]" time). A label is a name when it is not a role ("Agent", "Customer", "Bot",
//! in many languages), not a known form label (`fields.rs`), not an everyday word, and the
//! transcript has a role speaker or time stamps and the speaker says a sentence (three
//! words or more) somewhere: a form's "Label: value" lines have none of these.

use super::lexicon::{self, Lower};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::sync::LazyLock;

/// Speaker labels that are roles, not names.
const ROLES: &[&str] = &[
    "agent",
    "customer",
    "support",
    "bot",
    "me",
    "user",
    "client",
    "cliente",
    "kunde",
    "operator",
    "system",
    "visitor",
    "conseiller",
    "conseillère",
    "soporte",
    "assistant",
    "guest",
    "admin",
    "moderator",
    "staff",
    "team",
    "service",
    "klant",
    "medewerker",
    "asiakas",
    "asiakaspalvelu",
    "kundtjänst",
    "kundeservice",
    "kundendienst",
    "berater",
    "beraterin",
    "mitarbeiter",
    "atendente",
    "agente",
    "operatore",
    "operador",
    "operadora",
    "consulente",
    "helpdesk",
    "host",
    "sales",
    "billing",
    "you",
    "q",
    "a",
    "note",
    "caller",
    "rep",
    "representative",
    "advisor",
    "adviser",
    "specialist",
    "technician",
    "driver",
    "courier",
    "seller",
    "buyer",
    "vendor",
    "store",
    "shop",
    "company",
    "cs",
    "chatbot",
    "virtual assistant",
    "live agent",
    "support agent",
    "customer service",
    "klient",
    "klientka",
    "zákazník",
    "ügyfél",
    "müşteri",
    "temsilci",
    "πελάτης",
    "kund",
    "kunde",
    "utilisateur",
    "usuario",
    "utente",
    "gebruiker",
    "käyttäjä",
    "användare",
    "bruger",
    "bruker",
    "uživatel",
    "użytkownik",
    "felhasználó",
    "kullanıcı",
    "asistente",
    "assistente",
    "asystent",
    "konsultant",
    "konsultantka",
    "obsługa",
    "podpora",
    "ügyfélszolgálat",
    "destek",
    "υποστήριξη",
    "you said",
    "i",
    "we",
    "them",
    "him",
    "her",
    "kundenservice",
    "klantenservice",
    "klantendienst",
    "service client",
    "servicio al cliente",
    "atención al cliente",
    "servizio clienti",
    "assistenza",
    "atendimento",
    "kundservice",
    "kundeservice",
    "asiakaspalvelu",
    "obsługa klienta",
    "zákaznický servis",
    "ügyfélszolgálat",
    "müşteri hizmetleri",
    "consent",
    "privacy",
    "terms",
    "disclaimer",
    "warning",
    "notice",
    "info",
    "tip",
    "hint",
    "reminder",
    "update",
    "status",
    "error",
];

/// "[09:12] Name: text" or "Name: text" at a line start.
static TURN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^(?:\[\d{1,2}:\d{2}(?::\d{2})?\][ \t]*)?(\p{L}[\p{L}\p{M}'’.-]*(?:[ ]\p{L}[\p{L}\p{M}'’.-]*)?)[ \t]?:[ \t]+(\S[^\n]*)")
        .expect("static regex")
});

/// A turn that asks for a name ("what's your full name?", "¿Cuál es su nombre?").
static ASKS_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\bnames?\b|\bsurname\b|\bnombre\b|\bapellidos?\b|\bnom\b|\bnome\b|\bcognome\b|",
        r"\bnaam\b|\bachternaam\b|\bvoornaam\b|\bfamilienaam\b|\bnamn\b|\bnavn\b|\bnimi\b|\bnimesi\b|\bimię\b|\bnazwisko\b|\bjméno\b|",
        r"\bvorname\b|\bnachname\b|\bname\b|\bwho\b[^\n?]*\bunder\b)[^\n]*\?",
    ))
    .expect("static regex")
});

/// A turn that asks for an identity document's or a national number
/// ("I need the passport number of each traveller", "your national ID or social security
/// number").
static ASKS_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)passport|licen[cs]e|national\s+id|\bid\s+(?:number|card|no)|identity|",
        r"social\s+security|insurance\s+number|\bpesel\b|personnummer|henkilötunnus|",
        r"\btax\s+(?:id|number)|\bdni\b|\bnie\b|codice\s+fiscale|\bbsn\b|\bcpf\b|",
        r"\bssn\b|\bnino\b|isikukood|asmens\s+kod|\bcnp\b|kimlik|steuer",
    ))
    .expect("static regex")
});

/// A turn that asks for an order, booking or case ("Which order?", "Could I have the order
/// number?", "Can you send me the booking reference?").
static ASKS_ORDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\b(?:orders?|booking|reference|confirmation|case|ticket|invoice|tracking|reservation|",
        r"commande|pedido|encomenda|bestellung|bestelling|ordine|tilaus|beställning|bestilling)\b|",
        r"zamówieni|objednávk|sipariş|παραγγελ|заказ)[^\n]*\?",
    ))
    .expect("static regex")
});

/// An answer that is one code ("AU532856", "26 842 937 509"), after an optional
/// "and Rūrū's is" or "it's".
static ID_ANSWER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?i:(?:and\s+[^\n]{1,40}?\s+is|it's|it is|its|mine is|here it is:?|sure,?)\s+)?",
        r"([A-Za-z0-9][A-Za-z0-9 .-]{4,24}?)[.!]?$",
    ))
    .expect("static regex")
});

struct Turn {
    ls: usize,
    le: usize,
    cs: usize,
    ce: usize,
}

/// Speaker names and answers to name questions, added to `out`.
pub(super) fn chat(text: &str, out: &mut Vec<Cand>) {
    if memchr::memchr(b':', text.as_bytes()).is_none() || !text.contains('\n') {
        return;
    }
    let turns: Vec<Turn> = TURN
        .captures_iter(text)
        .filter_map(|c| {
            let (l, v) = (c.get(1)?, c.get(2)?);
            Some(Turn {
                ls: l.start(),
                le: l.end(),
                cs: v.start(),
                ce: v.end(),
            })
        })
        .collect();
    // two turns are enough for a question and its answer; a speaker's name needs three
    if turns.len() < 2 {
        return;
    }
    let mut buf = Lower::new();
    let mut lbuf = String::new();
    let is_role = |l: &str| {
        let l = l.to_lowercase();
        ROLES.contains(&l.as_str())
    };
    let stamped = text.contains("] ") && text.starts_with('[');
    let roles = turns.iter().filter(|t| is_role(&text[t.ls..t.le])).count();
    if roles == 0 && !stamped {
        return;
    }
    let lc_text = lexicon::is_lowercase_text(text);
    // speaker names
    let named_speakers = if turns.len() >= 3 { &turns[..] } else { &[] };
    for (k, t) in named_speakers.iter().enumerate() {
        let label = &text[t.ls..t.le];
        if is_role(label)
            || super::fields::is_label(label, &mut lbuf)
            || !label
                .split(' ')
                .all(|w| w.chars().next().is_some_and(char::is_uppercase))
            || label.chars().filter(|c| c.is_lowercase()).count() == 0
            || label.split(' ').all(|w| {
                let lex = lexicon::lookup(lexicon::lower(w, &mut buf));
                lex.common_any() && !lex.named()
            })
        {
            continue;
        }
        let speaks = turns[k..]
            .iter()
            .chain(turns[..k].iter())
            .filter(|o| &text[o.ls..o.le] == label)
            .any(|o| text[o.cs..o.ce].split_whitespace().count() >= 3);
        if speaks {
            out.push(Cand::new(t.ls, t.le, PiiKind::Person, Prio::PERSON));
        }
    }
    // answers to a question for an identity document or number: the next turns of the
    // other speaker that are one code
    for (k, q) in turns.iter().enumerate() {
        if !ASKS_ID.is_match(&text[q.cs..q.ce]) {
            continue;
        }
        let asker = &text[q.ls..q.le];
        for a in turns[k + 1..].iter().take(2) {
            if &text[a.ls..a.le] == asker {
                break;
            }
            let Some(c) = ID_ANSWER.captures(text[a.cs..a.ce].trim_end()) else {
                continue;
            };
            let Some(code) = c.get(1) else {
                continue;
            };
            let c = code.as_str();
            let digits = c.bytes().filter(u8::is_ascii_digit).count();
            // a passport number with letters ("UFFT66A51", "cjp7yj51p")
            if (digits >= 5 || super::fields::document_number(c, true)) && c.split(' ').count() <= 5
            {
                let s = a.cs + code.start();
                out.push(Cand::new(
                    s,
                    s + code.len(),
                    PiiKind::NationalId,
                    Prio::FIELD_ID,
                ));
            }
        }
    }
    // answers to a question for an order or a booking: the next turn of the other
    // speaker, when it is one code with a digit ("ord-6311-5547", "iku761330")
    for w in turns.windows(2) {
        let (q, a) = (&w[0], &w[1]);
        if text[q.ls..q.le] == text[a.ls..a.le] || !ASKS_ORDER.is_match(&text[q.cs..q.ce]) {
            continue;
        }
        let Some(code) = ID_ANSWER
            .captures(text[a.cs..a.ce].trim_end())
            .and_then(|c| c.get(1))
        else {
            continue;
        };
        let c = code.as_str();
        if c.len() >= 5 && !c.contains(' ') && c.bytes().any(|x| x.is_ascii_digit()) {
            let s = a.cs + code.start();
            out.push(Cand::new(
                s,
                s + c.len(),
                PiiKind::OrderNumber,
                Prio::ORDER_CUE,
            ));
        }
    }
    // answers to a question for a name
    for w in turns.windows(2) {
        let (q, a) = (&w[0], &w[1]);
        if text[q.ls..q.le] == text[a.ls..a.le] || !ASKS_NAME.is_match(&text[q.cs..q.ce]) {
            continue;
        }
        let ans = text[a.cs..a.ce].trim_end();
        let mut s = a.cs;
        let mut v = ans;
        for p in ["it's ", "it is ", "It's ", "It is ", "its ", "Its "] {
            if let Some(r) = v.strip_prefix(p) {
                s += p.len();
                v = r;
            }
        }
        let v = v.trim_end_matches(['.', '!']);
        // "nomchiade akinwande, nomchiade.akinwande@kaleva-software.fi": the name before
        // the e-mail address (which the e-mail recogniser masks)
        let v = match v.split_once(", ") {
            Some((name, rest)) if rest.contains('@') && !name.contains('@') => name,
            _ => v,
        };
        let words: Vec<&str> = v.split_whitespace().collect();
        if words.is_empty()
            || words.len() > 4
            || v.chars()
                .any(|c| c.is_ascii_digit() || matches!(c, '@' | '?' | '/' | ':'))
        {
            continue;
        }
        let unusual = words.iter().any(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphabetic());
            !w.is_empty() && {
                let lex = lexicon::lookup(lexicon::lower(w, &mut buf));
                !lex.common_any() || lex.named()
            }
        });
        let shaped = words.iter().all(|w| {
            w.trim_matches(|c: char| !c.is_alphabetic())
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || lc_text || c.is_lowercase())
        });
        // "Will do.", "thanks, bye", "Noted, thank you.": a reply, not a name; every word
        // of a name answer is a name word, a particle or a word no list knows
        let replies = words.iter().any(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphabetic());
            !w.is_empty() && {
                let lex = lexicon::lookup(lexicon::lower(w, &mut buf));
                lex.common_any() && !lex.named() && !lex.particle()
            }
        });
        if unusual && shaped && !replies {
            out.push(Cand::new(
                s,
                s + v.len(),
                PiiKind::Person,
                Prio::PERSON_STRONG,
            ));
        }
    }
}
