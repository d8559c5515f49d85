//! E-mail addresses, URLs, IP addresses and phone numbers.
//!
//! E-mails and URLs are found by hand-written scanners anchored on '@', "://" and '.', so
//! text without those bytes costs one `memchr`-speed search. IP and phone candidates come
//! from small regexes and are then checked by code (octet ranges, digit counts, number
//! plans, cue words).

use super::lexicon::{char_at, char_before, is_word_char, left_clear, right_clear};
use super::{Cand, PiiKind, Prio};
use regex::Regex;
use std::net::Ipv6Addr;
use std::sync::LazyLock;

/// A character of an address's local part: letters and digits of any script (RFC 6531
/// allows "benoît_michel@…") and the usual punctuation.
#[inline]
fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')
}

/// An ASCII byte of a bare host name (URLs without a scheme are matched on ASCII only).
#[inline]
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.'
}

/// E-mail addresses: `local@domain.tld`, found from each '@'.
pub(super) fn emails(text: &str, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while let Some(c) = text[..s].chars().next_back().filter(|&c| is_local_char(c)) {
            s -= c.len_utf8();
        }
        while s < at && matches!(b[s], b'.' | b'\'' | b'-') {
            s += 1;
        }
        if s == at || !left_clear(text, s) {
            continue;
        }
        let mut e = at + 1;
        // ASCII host names only: an internationalised domain is written in its ASCII
        // (punycode) form far more often than not, and a non-ASCII letter glued to a
        // host is more likely the next word than part of the name
        while e < b.len() && is_host_byte(b[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let dom = &text[at + 1..e];
        let Some(d) = dom.rfind('.') else { continue };
        let tld = &dom[d + 1..];
        if d == 0 || tld.len() < 2 || !tld.bytes().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        out.push(Cand::new(s, e, PiiKind::Email, Prio::EMAIL));
    }
    // "name at domain dot com" and "name[at]domain[dot]com"
    if text.contains("dot") || text.contains("[at]") || text.contains("(at)") {
        for m in OBFUSCATED_EMAIL.find_iter(text) {
            out.push(Cand::new(m.start(), m.end(), PiiKind::Email, Prio::EMAIL));
        }
    }
}

static OBFUSCATED_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)[a-z0-9][a-z0-9._%+-]*\s*(?:\[at\]|\(at\)|\{at\}|\sat\s)\s*[a-z0-9-]+(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\sdot\s|\.)\s*[a-z0-9-]+)*?\s*(?:\[dot\]|\(dot\)|\{dot\}|\sdot\s)\s*(?:com|net|org|info|biz|edu|gov|io|[a-z]{2})(?-u:\b)",
    )
    .expect("static regex")
});

/// Top-level domains accepted for bare domains ("shop.example.com/help"). Two-letter
/// codes that are also English words (at, be, in, is, it, me, my, no, so, to, us, ...)
/// only count with "www." or a path, see [`AMBIGUOUS_TLDS`].
const TLDS: &[&str] = &[
    "com",
    "org",
    "net",
    "edu",
    "gov",
    "mil",
    "int",
    "info",
    "biz",
    "name",
    "pro",
    "mobi",
    "app",
    "dev",
    "io",
    "ai",
    "co",
    "tv",
    "cc",
    "ly",
    "gg",
    "xyz",
    "online",
    "site",
    "shop",
    "store",
    "tech",
    "cloud",
    "blog",
    "page",
    "live",
    "news",
    "web",
    "website",
    "space",
    "world",
    "email",
    "link",
    "club",
    "top",
    "vip",
    "bank",
    "money",
    "finance",
    "pay",
    "insurance",
    "travel",
    "museum",
    "agency",
    "digital",
    "media",
    "network",
    "solutions",
    "services",
    "support",
    "help",
    "global",
    "group",
    "company",
    "store",
    "uk",
    "de",
    "fr",
    "es",
    "pt",
    "nl",
    "pl",
    "br",
    "ie",
    "eu",
    "ca",
    "au",
    "nz",
    "ch",
    "dk",
    "se",
    "fi",
    "ru",
    "cn",
    "jp",
    "kr",
    "mx",
    "ar",
    "cl",
    "za",
    "ng",
    "ke",
    "eg",
    "ma",
    "tr",
    "gr",
    "cz",
    "sk",
    "hu",
    "ro",
    "bg",
    "hr",
    "si",
    "rs",
    "ua",
    "lt",
    "lv",
    "ee",
    "lu",
    "li",
    "mt",
    "cy",
    "il",
    "ae",
    "sa",
    "qa",
    "kw",
    "pk",
    "bd",
    "lk",
    "np",
    "sg",
    "ph",
    "th",
    "vn",
    "hk",
    "tw",
    "ve",
    "pe",
    "uy",
    "ec",
    "bo",
    "py",
    "cr",
    "pa",
    "gt",
    "ws",
    "fm",
    "nu",
    "tk",
    "la",
    "at",
    "be",
    "by",
    "is",
    "it",
    "in",
    "id",
    "me",
    "my",
    "no",
    "so",
    "to",
    "us",
    "am",
    "as",
    "do",
    "go",
];
const AMBIGUOUS_TLDS: &[&str] = &[
    "at", "be", "by", "is", "it", "in", "id", "me", "my", "no", "so", "to", "us", "am", "as", "do",
    "go", "la", "pa", "ma", "co", "name", "page", "help", "live", "pay", "money", "top", "news",
    "group", "world", "space", "web", "club", "link", "support", "services", "pro",
];

fn lower_tld_in(list: &[&str], tld: &str) -> bool {
    if tld.len() > 12 {
        return false;
    }
    let mut buf = [0u8; 12];
    for (i, c) in tld.bytes().enumerate() {
        buf[i] = c.to_ascii_lowercase();
    }
    let l = &buf[..tld.len()];
    list.iter().any(|t| t.as_bytes() == l)
}

#[inline]
fn is_url_byte(b: u8) -> bool {
    b > b' '
        && !matches!(
            b,
            b'<' | b'>' | b'"' | b'`' | b'{' | b'}' | b'|' | b'\\' | b'^'
        )
        && b < 0x7f
}

/// End of a URL's path/query starting at `i`: URL bytes, minus trailing punctuation that
/// belongs to the sentence (closing brackets only when unbalanced).
fn url_tail_end(b: &[u8], mut i: usize) -> usize {
    let start = i;
    while i < b.len() && is_url_byte(b[i]) {
        i += 1;
    }
    loop {
        if i <= start {
            return start;
        }
        let c = b[i - 1];
        if matches!(c, b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*') {
            i -= 1;
            continue;
        }
        if c == b')' || c == b']' {
            let open = if c == b')' { b'(' } else { b'[' };
            let opens = b[start..i].iter().filter(|&&x| x == open).count();
            let closes = b[start..i].iter().filter(|&&x| x == c).count();
            if closes > opens {
                i -= 1;
                continue;
            }
        }
        return i;
    }
}

/// "://", searched for in every message with a colon or a dot before a letter.
static SCHEME_SEP: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new("://"));

/// URLs: with a scheme ("https://..."), "www." hosts and bare `domain.tld[/path]`.
pub(super) fn urls(text: &str, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    // the searcher is built once ("://" cannot overlap itself, so these are
    // match_indices' positions)
    for i in SCHEME_SEP.find_iter(b) {
        let mut s = i;
        while s > 0 && (b[s - 1].is_ascii_alphanumeric() || matches!(b[s - 1], b'+' | b'.' | b'-'))
        {
            s -= 1;
        }
        while s < i && !b[s].is_ascii_alphabetic() {
            s += 1;
        }
        if i - s < 2 || !left_clear(text, s) {
            continue;
        }
        let e = url_tail_end(b, i + 3);
        if e > i + 3 {
            out.push(Cand::new(s, e, PiiKind::Url, Prio::URL_STRONG));
        }
    }
    // Bare hosts: look at each '.' that has a letter after it and an alphanumeric before.
    let mut next = 0usize;
    for d in memchr::memchr_iter(b'.', b) {
        if d < next || d == 0 || d + 1 >= b.len() {
            continue;
        }
        if !b[d - 1].is_ascii_alphanumeric() || !b[d + 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut s = d;
        while s > 0 && is_host_byte(b[s - 1]) {
            s -= 1;
        }
        let mut e = d + 1;
        while e < b.len() && is_host_byte(b[e]) {
            e += 1;
        }
        next = e;
        while e > s && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        while s < e && matches!(b[s], b'.' | b'-') {
            s += 1;
        }
        if s >= e {
            continue;
        }
        // Part of an e-mail address, or glued to other word characters: not a URL here.
        if s > 0 && matches!(b[s - 1], b'@' | b'/' | b'_' | b'%' | b'+' | b'\'') {
            continue;
        }
        if e < b.len() && b[e] == b'@' {
            continue;
        }
        if char_before(text, s).is_some_and(|c| is_word_char(c) || c == '@')
            || char_at(text, e).is_some_and(is_word_char)
        {
            continue;
        }
        let host = &text[s..e];
        let Some(ld) = host.rfind('.') else { continue };
        let tld = &host[ld + 1..];
        let www = host.len() > 4 && host[..4].eq_ignore_ascii_case("www.");
        // after "www." any top-level domain of letters ("www.copperleaf.studio"): the
        // list only decides for bare domains, where a typo or a file name could look alike
        if !tld.bytes().all(|c| c.is_ascii_alphabetic())
            || !(lower_tld_in(TLDS, tld) || (www && (2..=24).contains(&tld.len())))
        {
            continue;
        }
        // every label non-empty and not all digits
        if host.split('.').any(|l| l.is_empty()) {
            continue;
        }
        let mut end = e;
        let has_path = e < b.len() && matches!(b[e], b'/' | b'?' | b'#' | b':') && {
            let t = url_tail_end(b, e);
            let ok = t > e + 1;
            if ok {
                end = t;
            }
            ok
        };
        if !www && !has_path && lower_tld_in(AMBIGUOUS_TLDS, tld) {
            continue;
        }
        // "e.g" / "i.e" style: a single-letter first label without www or a path.
        let first = host.split('.').next().unwrap_or("");
        if !www && !has_path && first.len() < 2 {
            continue;
        }
        // File names such as "statement.pdf" have non-TLD endings and never get here;
        // a sentence glued to the next ("money.Why") has a capitalised non-TLD ending.
        let prio = if www || has_path {
            Prio::URL_STRONG
        } else {
            Prio::URL_BARE
        };
        out.push(Cand::new(s, end, PiiKind::Url, prio));
        next = end;
    }
}

static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?-u:\b)").expect("static regex")
});
static IPV6: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:[0-9a-f]{1,4}:|::?)(?:[0-9a-f]{0,4}:){1,7}(?:[0-9a-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?")
        .expect("static regex")
});

/// IPv4 (each octet 0-255, not part of a longer dotted number) and IPv6 (anything
/// `std::net::Ipv6Addr` parses, with at least three groups or a "::"). `v4`: the text
/// has the 4 digits and 3 dots an IPv4 address needs; `has_colon`: the ':' of IPv6.
pub(super) fn ips(text: &str, v4: bool, has_colon: bool, ascii: bool, out: &mut Vec<Cand>) {
    if v4 {
        ipv4s(text, ascii, out);
    }
    if has_colon {
        ipv6s(text, out);
    }
}

/// IPv4 addresses: four octets 0-255, not part of a longer dotted number.
fn ipv4s(text: &str, ascii: bool, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    for (s, e) in super::scan::find(text, ascii, &IPV4, super::scan::ipv4s) {
        if s >= 2 && b[s - 1] == b'.' && b[s - 2].is_ascii_digit() {
            continue;
        }
        if e + 1 < b.len() && b[e] == b'.' && b[e + 1].is_ascii_digit() {
            continue;
        }
        if text[s..e]
            .split('.')
            .all(|o| o.parse::<u16>().is_ok_and(|v| v <= 255))
        {
            out.push(Cand::new(s, e, PiiKind::IpAddress, Prio::IP));
        }
    }
}

/// IPv6 addresses: anything `std::net::Ipv6Addr` parses, with at least three groups or
/// a "::".
fn ipv6s(text: &str, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    for m in IPV6.find_iter(text) {
        let (s, mut e) = (m.start(), m.end());
        // A trailing single ':' belongs to the sentence ("from fe80::1: it ...").
        if b[e - 1] == b':' && !(e >= 2 && b[e - 2] == b':') {
            e -= 1;
        }
        let cand = &text[s..e];
        if !left_clear(text, s) || !right_clear(text, e) {
            continue;
        }
        let colons = cand.bytes().filter(|&c| c == b':').count();
        let compressed = cand.contains("::");
        if colons < 2 || (!compressed && colons != 7) {
            continue;
        }
        if compressed && colons < 3 && !cand.bytes().any(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        if cand.parse::<Ipv6Addr>().is_ok() {
            out.push(Cand::new(s, e, PiiKind::IpAddress, Prio::IP));
        }
    }
}

static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+\s?|\(\+?)?\d[\d\x20().\-/]{4,24}\d").expect("static regex")
});
static PHONE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:call|phone|mobil|cell|\btel\b|telephone|text|sms|whats\s?app|reach|contact|\bfax|landline|\bring\b|number|\btry\b|\bmob\b|\bph\b|\btlf|\btelf|dial|hotline|viber|signal|tél|\btel[eé]f|\bpuh|\bhandy\b|\bgsm\b|\bcelular|m[oó]vil|tālr|τηλ|тел|direct\s*:|\b(?:office|[tpm])\s?:\s*$|☎|📞)",
    )
    .expect("static regex")
});

/// Is there a phone cue word in the 64 bytes before `s` ("The contact person for the
/// installation is Bolesław Miboski, 02 064 1218")?
fn phone_cue_before(text: &str, s: usize) -> bool {
    let mut w = s.saturating_sub(64);
    while !text.is_char_boundary(w) {
        w += 1;
    }
    // on the number's own line only (the cue of the line above names that line's number)
    if let Some(nl) = text[w..s].rfind('\n') {
        w += nl + 1;
    }
    PHONE_CUE.is_match(&text[w..s])
}

/// Is the number ending at `e` followed by what kind of line it is ("22 887 9982
/// (office)", "55 09 75 33-Fax", "667 851 084 (WhatsApp)", "05 819 8903 | direct")? That
/// names it a phone number as a cue before it would.
fn phone_cue_after(text: &str, e: usize) -> bool {
    let rest = text[e..].trim_start_matches([' ', '-', '(', '|', '/', '–']);
    let n = rest
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .take(12)
        .count();
    let word = &rest[..n];
    // the word must end there (not "Officer", not a letter of another script after it)
    if rest[n..].chars().next().is_some_and(char::is_alphabetic) {
        return false;
    }
    [
        "office",
        "fax",
        "mobile",
        "mobil",
        "cell",
        "direct",
        "whatsapp",
        "switchboard",
        "landline",
        "home",
        "work",
        "phone",
        "tel",
    ]
    .iter()
    .any(|k| word.eq_ignore_ascii_case(k))
        // "(after 6pm)", "or 488-229-570 after 15:00"
        || word.eq_ignore_ascii_case("after")
        // "Is 08 3270 606 still the right number?"
        || rest
            .split(' ')
            .take(4)
            .any(|w| w.trim_end_matches(['?', '.', ',', '!']).eq_ignore_ascii_case("number"))
}

/// Phone numbers: international (+CC / 00CC), national with a trunk 0 or area code in
/// brackets, North American 3-3-4, and any 7-15 digit grouping right after a phone cue
/// (a one-digit first group only with two groups after it: the Lithuanian "8 694 38173").
pub(super) fn phones(text: &str, ascii: bool, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for (s, e_max) in super::scan::find(text, ascii, &PHONE, super::scan::phones) {
        if let Some(c) = char_before(text, s) {
            if is_word_char(c) || matches!(c, '.' | '-' | '/' | '+' | ',') {
                continue;
            }
        }
        // Groups of digits and what separates them.
        groups.clear();
        let mut i = s;
        while i < e_max {
            if b[i].is_ascii_digit() {
                let gs = i;
                while i < e_max && b[i].is_ascii_digit() {
                    i += 1;
                }
                groups.push((gs, i));
            } else {
                i += 1;
            }
        }
        let lead_plus = b[s] == b'+';
        let lead_paren = b[s] == b'(';
        let mut cue: Option<bool> = None;
        // Longest acceptable prefix of groups wins.
        let mut k = groups.len();
        // an extension after the last group: "x123", "ext. 123"
        let ext_end = |e: usize| -> Option<usize> {
            let rest = &b[e..];
            let skip = if rest.first() == Some(&b'x') {
                1
            } else if rest.len() > 5 && rest[..4].eq_ignore_ascii_case(b" ext") {
                let dot = usize::from(rest[4] == b'.');
                4 + dot + usize::from(rest.get(4 + dot) == Some(&b' '))
            } else {
                return None;
            };
            let ds = e + skip;
            let de = ds + b[ds..].iter().take_while(|c| c.is_ascii_digit()).count();
            (de > ds && de - ds <= 5 && right_clear(text, de)).then_some(de)
        };
        while k >= 1 {
            let (first_s, _) = groups[0];
            let (_, digits_e) = groups[k - 1];
            let last_e = ext_end(digits_e).unwrap_or(digits_e);
            let ok_seps = (1..k).all(|j| sep_ok(&b[groups[j - 1].1..groups[j].0]));
            let end_ok = right_clear(text, last_e)
                && !(last_e + 1 < b.len()
                    && matches!(b[last_e], b'.' | b'-' | b'/')
                    && b[last_e + 1].is_ascii_digit());
            if ok_seps && end_ok {
                let n: usize = groups[..k].iter().map(|g| g.1 - g.0).sum();
                let lens = || groups[..k].iter().map(|g| g.1 - g.0);
                let first_digit = b[first_s];
                let first_len = groups[0].1 - groups[0].0;
                let seps_all = |c: u8| {
                    (1..k).all(|j| {
                        let sp = &b[groups[j - 1].1..groups[j].0];
                        sp.len() == 1 && sp[0] == c
                    })
                };
                let date_like = k == 3
                    && (seps_all(b'.') || seps_all(b'/') || seps_all(b'-'))
                    && (lens().eq([2, 2, 4])
                        || lens().eq([4, 2, 2])
                        || lens().eq([1, 2, 4])
                        || lens().eq([2, 1, 4])
                        || lens().eq([1, 1, 4]));
                let ip_like = k == 4 && seps_all(b'.') && lens().all(|l| l <= 3);
                let accepted = if date_like || ip_like {
                    false
                } else if lead_plus
                    || (first_digit == b'0' && b.get(first_s + 1) == Some(&b'0') && n >= 10)
                {
                    (8..=15).contains(&n)
                } else if lead_paren {
                    (9..=12).contains(&n)
                } else if first_digit == b'0' && (10..=11).contains(&n) {
                    k >= 2 || n == 11 || *cue.get_or_insert_with(|| phone_cue_before(text, s))
                } else if (n == 10
                    && (b'2'..=b'9').contains(&first_digit)
                    && (lens().eq([3, 3, 4])
                        || (k == 1 && (b'2'..=b'9').contains(&b[first_s + 3]))))
                    || (n == 11 && first_digit == b'1' && lens().eq([1, 3, 3, 4]))
                {
                    true
                } else if (7..=15).contains(&n) && (first_len >= 2 || (k >= 3 && seps_all(b' '))) {
                    *cue.get_or_insert_with(|| {
                        phone_cue_before(text, s) || phone_cue_after(text, last_e)
                    })
                } else {
                    false
                };
                if accepted {
                    let strong = lead_plus || lead_paren || cue == Some(true);
                    let prio = if strong {
                        Prio::PHONE_STRONG
                    } else {
                        Prio::PHONE
                    };
                    out.push(Cand::new(s, last_e, PiiKind::Phone, prio));
                    break;
                }
            }
            k -= 1;
        }
    }
}

/// Separators allowed between digit groups of a phone number.
fn sep_ok(sep: &[u8]) -> bool {
    matches!(
        sep,
        b" " | b"-" | b"." | b"/" | b")" | b") " | b" (" | b"(" | b")-" | b" - " | b"-(" | b") - "
    )
}
