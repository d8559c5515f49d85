//! Unit tests for the redactor: each kind in several shapes, validators, placeholders,
//! overlap, determinism, offsets.

use super::*;

fn r() -> Redactor {
    Redactor::default()
}

/// The kinds found in `text`, with the text they cover.
fn found(text: &str) -> Vec<(PiiKind, String)> {
    r().find_spans(text)
        .into_iter()
        .map(|s| (s.kind, text[s.start..s.end].to_string()))
        .collect()
}

fn assert_finds(text: &str, kind: PiiKind, value: &str) {
    let f = found(text);
    assert!(
        f.iter().any(|(k, v)| *k == kind && v == value),
        "expected {kind} {value:?} in {text:?}, got {f:?}"
    );
}

fn assert_covers(text: &str, kind: PiiKind, value: &str) {
    let s = text.find(value).expect("value in text");
    let e = s + value.len();
    let spans = r().find_spans(text);
    assert!(
        spans
            .iter()
            .any(|sp| sp.kind == kind && sp.start < e && s < sp.end),
        "expected {kind} over {value:?} in {text:?}, got {:?}",
        found(text)
    );
}
/// Checks an eight-bytes-at-a-time test `bits` against `want`, byte by byte: every byte
/// value at every position of every length from 1 to 8, the other bytes `fill`.
pub(super) fn eight_byte_bits_agree(
    fill: u8,
    bits: impl Fn(&[u8]) -> u64,
    want: impl Fn(u8) -> bool,
) {
    for c in 0..=255u8 {
        for n in 1..=8 {
            for k in 0..n {
                let mut eight = vec![fill; n];
                eight[k] = c;
                let got = bits(&eight);
                for (i, &x) in eight.iter().enumerate() {
                    assert_eq!(got >> i & 1 == 1, want(x), "{x:#04x} at {i} of {n}");
                }
                assert_eq!(got >> n, 0, "bits past {n} bytes");
            }
        }
    }
}

/// The spans of `kind` found in `t`, as text.
pub(super) fn kinds_found(t: &str, kind: PiiKind) -> Vec<String> {
    r().find_spans(t)
        .iter()
        .filter(|s| s.kind == kind)
        .map(|s| t[s.start..s.end].to_string())
        .collect()
}

/// The street addresses found in `t`, as text (the address modules' tests use it too).
pub(super) fn addresses(t: &str) -> Vec<String> {
    r().find_spans(t)
        .iter()
        .filter(|s| s.kind == PiiKind::StreetAddress)
        .map(|s| t[s.start..s.end].to_string())
        .collect()
}

fn assert_none(text: &str, kind: PiiKind) {
    let f = found(text);
    assert!(
        !f.iter().any(|(k, _)| *k == kind),
        "unexpected {kind} in {text:?}: {f:?}"
    );
}

#[test]
fn emails() {
    assert_finds(
        "write to anna.smith+shop@mail.example.co.uk please",
        PiiKind::Email,
        "anna.smith+shop@mail.example.co.uk",
    );
    assert_finds(
        "EMAIL: JOHN_DOE99@YAHOO.COM.",
        PiiKind::Email,
        "JOHN_DOE99@YAHOO.COM",
    );
    assert_finds(
        "contact me at o'neil@example.ie",
        PiiKind::Email,
        "o'neil@example.ie",
    );
    assert_none("meet me @ the branch at 5", PiiKind::Email);
}

#[test]
fn url_never_inside_email() {
    let t = "my email is jane@shop-example.com and the site is www.shop-example.com";
    let f = found(t);
    assert!(
        f.contains(&(PiiKind::Email, "jane@shop-example.com".into())),
        "{f:?}"
    );
    assert!(
        f.contains(&(PiiKind::Url, "www.shop-example.com".into())),
        "{f:?}"
    );
    assert_eq!(f.len(), 2, "{f:?}");
}

#[test]
fn urls() {
    assert_finds(
        "see https://example.com/reset?token=abc123.",
        PiiKind::Url,
        "https://example.com/reset?token=abc123",
    );
    assert_finds(
        "is www.my-bank.co.uk real?",
        PiiKind::Url,
        "www.my-bank.co.uk",
    );
    // after "www." any top-level domain of letters; a bare one needs a known one
    assert_finds(
        "Web: www.copperleaf.studio/invoice/91.pdf",
        PiiKind::Url,
        "www.copperleaf.studio/invoice/91.pdf",
    );
    assert_none("see report.studio2 and www.example.x1 now", PiiKind::Url);
    assert_finds(
        "I paid on shop.example.org/checkout and it failed",
        PiiKind::Url,
        "shop.example.org/checkout",
    );
    assert_finds(
        "(see http://example.com/a_(b))",
        PiiKind::Url,
        "http://example.com/a_(b)",
    );
    assert_none(
        "i.e. it failed, e.g. yesterday. Is it done.Thanks",
        PiiKind::Url,
    );
    assert_none("I attached statement.pdf to the mail", PiiKind::Url);
}

#[test]
fn ip_addresses() {
    assert_finds(
        "login from 192.168.1.20, not me",
        PiiKind::IpAddress,
        "192.168.1.20",
    );
    assert_finds(
        "from 2001:db8::8a2e:370:7334 at night",
        PiiKind::IpAddress,
        "2001:db8::8a2e:370:7334",
    );
    assert_finds(
        "ip fe80:0:0:0:202:b3ff:fe1e:8329.",
        PiiKind::IpAddress,
        "fe80:0:0:0:202:b3ff:fe1e:8329",
    );
    assert_none("version 1.2.3.4.5 of the app", PiiKind::IpAddress);
    assert_none("octets 300.1.2.3 are invalid", PiiKind::IpAddress);
    assert_none("the meeting is at 10:30:00", PiiKind::IpAddress);
}

#[test]
fn phones() {
    for (t, v) in [
        ("call me on +44 7911 123456 please", "+44 7911 123456"),
        ("tel +49(0)30 1234567", "+49(0)30 1234567"),
        ("ring (020) 7946 0958 today", "(020) 7946 0958"),
        ("my number is 415-555-2671.", "415-555-2671"),
        ("text me at 06 12 34 56 78", "06 12 34 56 78"),
        ("reach me at +61 2 9876 5432", "+61 2 9876 5432"),
        ("whatsapp 0041 44 668 18 00", "0041 44 668 18 00"),
        ("call 555-1234 after 5pm", "555-1234"),
    ] {
        assert_finds(t, PiiKind::Phone, v);
    }
    assert_none("I paid 1200 for 3 items", PiiKind::Phone);
}

#[test]
fn cards_luhn_and_brands() {
    for v in [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "2221 0000 0000 0009",
        "3782 822463 10005",
        "3056-930902-5904",
        "6011000990139424",
        "3530111333300000",
        "6200000000000005",
    ] {
        assert_finds(&format!("my card {v} was declined"), PiiKind::CreditCard, v);
    }
    // Luhn failure: not a card
    assert_none(
        "my card 4111 1111 1111 1112 was declined",
        PiiKind::CreditCard,
    );
    // inconsistent grouping: not a card
    assert_none("numbers 4111 1111-1111 1111 here", PiiKind::CreditCard);
}

#[test]
fn ibans_mod97() {
    for v in [
        "GB82 WEST 1234 5698 7654 32",
        "GB82WEST12345698765432",
        "DE89 3704 0044 0532 0130 00",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300",
        "BE68 5390 0754 7034",
        "CH93 0076 2011 6238 5295 7",
        "de89370400440532013000",
    ] {
        assert_finds(&format!("send it to {v} please"), PiiKind::Iban, v);
    }
    assert_none(
        "send it to GB82 WEST 1234 5698 7654 33 please",
        PiiKind::Iban,
    );
    assert_none("send it to XX82WEST12345698765432 please", PiiKind::Iban);
}

#[test]
fn dates_of_birth() {
    for (t, v) in [
        ("I was born on 19.08.1986.", "19.08.1986"),
        ("DOB: 12/31/1990", "12/31/1990"),
        ("date of birth 1975-03-02", "1975-03-02"),
        ("birthday is 3 March 1961", "3 March 1961"),
        ("born July 20, 1952", "July 20, 1952"),
        ("b-day: 4th of Jan 1999", "4th of Jan 1999"),
        ("born 02/03/85", "02/03/85"),
        ("born in 1985", "1985"),
    ] {
        assert_finds(t, PiiKind::DateOfBirth, v);
    }
    // a recent date without a cue is a transaction date, not a birth date
    assert_none(
        "I paid on 12/03/2024 and nothing happened",
        PiiKind::DateOfBirth,
    );
    assert_none("it arrives on 31.13.2020", PiiKind::DateOfBirth);
}

#[test]
fn order_numbers() {
    for (t, v) in [
        ("Order number: BKP91LZN hasn't arrived", "BKP91LZN"),
        ("my order #A1B2C3 is late", "A1B2C3"),
        ("ticket ORD-6563954 is open", "ORD-6563954"),
        ("order 427-6260055-9038853 twice", "427-6260055-9038853"),
        ("regarding order 2021-34373", "2021-34373"),
        ("reference no. 88231", "88231"),
        ("account number is 12345678", "12345678"),
        ("INV-2024-0042 is unpaid", "INV-2024-0042"),
    ] {
        assert_finds(t, PiiKind::OrderNumber, v);
    }
    assert_none(
        "I want to order a new card for 2 people",
        PiiKind::OrderNumber,
    );
    assert_none("the 2nd order failed", PiiKind::OrderNumber);
}

#[test]
fn custom_order_patterns() {
    let red = Redactor::new(RedactConfig {
        extra_order_patterns: vec![r"\bacme\d{4}\b".into()],
        ..RedactConfig::default()
    })
    .expect("valid pattern");
    let spans = red.find_spans("parcel acme1234 is late");
    assert!(spans
        .iter()
        .any(|s| s.kind == PiiKind::OrderNumber && s.start == 7 && s.end == 15));
}

#[test]
fn bad_custom_pattern_names_index_not_text() {
    let err = Redactor::new(RedactConfig {
        extra_order_patterns: vec![r"ok\d+".into(), r"secret(".into()],
        ..RedactConfig::default()
    })
    .expect_err("must fail");
    let msg = err.to_string();
    assert!(msg.contains("#1"), "{msg}");
    assert!(!msg.contains("secret"), "{msg}");
}

#[test]
fn disabled_kinds() {
    let red = Redactor::new(RedactConfig {
        disabled_kinds: vec![PiiKind::Url],
        ..RedactConfig::default()
    })
    .expect("config");
    assert!(red.find_spans("see www.example.com").is_empty());
}

#[test]
fn street_addresses() {
    for (t, v) in [
        (
            "I live at 5939 Simmons Court, Port Robert, AL 63520 now.",
            "5939 Simmons Court, Port Robert, AL 63520",
        ),
        (
            "send it to Flat 4b, Scott Village, New Timothy, BA0 8NN.",
            "Flat 4b, Scott Village, New Timothy, BA0 8NN",
        ),
        (
            "address: 12 High St, Leeds LS1 4AP",
            "12 High St, Leeds LS1 4AP",
        ),
        (
            "my address is 16, chemin de la Gare, 59295 Lille.",
            "16, chemin de la Gare, 59295 Lille",
        ),
        (
            "Ship it to Keudelstr. 58, 10115 Berlin instead.",
            "Keudelstr. 58, 10115 Berlin",
        ),
        (
            "ich wohne Justus-Sontag-Platz 9/3",
            "Justus-Sontag-Platz 9/3",
        ),
        ("Send it to Via Roma 10, Milano", "Via Roma 10"),
        (
            "moved to Kalverstraat 12, 1012 AB Amsterdam",
            "Kalverstraat 12, 1012 AB Amsterdam",
        ),
        ("ship to 99 campbell street please", "99 campbell street"),
        ("PO Box 1234, Springfield", "PO Box 1234"),
        (
            "I moved to 20 Gray Street T21 0715 Tiarna Ville",
            "20 Gray Street T21 0715 Tiarna Ville",
        ),
    ] {
        assert_covers(t, PiiKind::StreetAddress, v);
    }
    assert_none("I waited 2 days on the way home", PiiKind::StreetAddress);
    assert_none(
        "I have been transferring 50 euros every month",
        PiiKind::StreetAddress,
    );
    assert_none("top up 20 via Apple Pay 3 times", PiiKind::StreetAddress);
}

#[test]
fn person_names() {
    for (t, v) in [
        ("My name is Geneviève Lesage.", "Geneviève Lesage"),
        ("my name is sacha phayre. you can call", "sacha phayre"),
        ("This is Kamila C. Jacak writing.", "Kamila C. Jacak"),
        ("Regards, Olson, Jessica", "Olson, Jessica"),
        ("I'm Jelte de Bruyn and I have a problem.", "Jelte de Bruyn"),
        ("Please ask Ashley Wood to call me back.", "Ashley Wood"),
        ("want help to find my bill frm Mr. Jones", "Mr. Jones"),
        ("The account is in the name of Evelyn.", "Evelyn"),
        ("my husband renan da cruz can't log in", "renan da cruz"),
        ("thanks, amber johnson", "amber johnson"),
        ("Yesterday Sarah Connor used my card", "Sarah Connor"),
        ("please send it to Fatima", "Fatima"),
    ] {
        assert_covers(t, PiiKind::Person, v);
    }
    for t in [
        "I'm trying to top up my card.",
        "This is very frustrating, please help.",
        "Thanks for your help!",
        "Is this card available to United States Residents?",
        "my husband tried to log in",
        "Hello, I can't find my card.",
    ] {
        assert_none(t, PiiKind::Person);
    }
}

#[test]
fn placeholders_are_typed_and_consistent() {
    let t = "Mail a@example.com or b@example.com, again A@example.com. Call +44 7911 123456.";
    let red = r().redact(t);
    assert_eq!(
        red.text,
        "Mail [EMAIL_1] or [EMAIL_2], again [EMAIL_1]. Call [PHONE_1]."
    );
    assert_eq!(red.spans.len(), 4);
    // the same card written two ways is the same card
    let t2 = "card 4111 1111 1111 1111 or 4111-1111-1111-1111";
    assert_eq!(r().redact(t2).text, "card [CARD_1] or [CARD_1]");
    // every tag
    for k in PiiKind::ALL {
        assert!(!k.placeholder_tag().is_empty());
    }
}

#[test]
fn spans_never_overlap_and_are_sorted() {
    let t = "IBAN PT50 2309 4188 7622 7931 5359 6, card 4111 1111 1111 1111, order 12345678, \
             born 02.03.1980, call (020) 7946 0958, I'm Anna Smith at 12 Main Street, Leeds";
    let spans = r().find_spans(t);
    assert!(spans.len() >= 6, "{spans:?}");
    for w in spans.windows(2) {
        assert!(w[0].end <= w[1].start, "{spans:?}");
    }
}

#[test]
fn deterministic() {
    let t = "My name is Anna Smith, card 4111 1111 1111 1111, www.example.com, 10.0.0.1";
    let a = r().redact(t);
    for _ in 0..5 {
        assert_eq!(r().redact(t), a);
    }
}

#[test]
fn unicode_offsets() {
    let t = "Grüße — ich bin Zoë Müller, Mail zoë@example.de? nein: zoe@example.de";
    let spans = r().find_spans(t);
    for s in &spans {
        assert!(t.is_char_boundary(s.start) && t.is_char_boundary(s.end));
    }
    // a local part with a non-ASCII letter is an address too (RFC 6531)
    let emails: Vec<&str> = spans
        .iter()
        .filter(|s| s.kind == PiiKind::Email)
        .map(|s| &t[s.start..s.end])
        .collect();
    assert_eq!(emails, ["zoë@example.de", "zoe@example.de"]);
    let co = char_offsets(t, &spans);
    let chars: Vec<char> = t.chars().collect();
    let by_chars: Vec<String> = co
        .iter()
        .filter(|c| c.2 == PiiKind::Email)
        .map(|&(cs, ce, _)| chars[cs..ce].iter().collect())
        .collect();
    assert_eq!(by_chars, ["zoë@example.de", "zoe@example.de"]);
    // any order, and end of text
    let rev: Vec<PiiSpan> = spans.iter().rev().copied().collect();
    let mut co2 = char_offsets(t, &rev);
    co2.reverse();
    assert_eq!(co, co2);
}

#[test]
fn empty_and_plain_inputs() {
    assert!(r().find_spans("").is_empty());
    assert_eq!(r().redact("").text, "");
    assert!(r().find_spans("How do I top up my card?").is_empty());
    assert!(char_offsets("", &[]).is_empty());
}

#[test]
fn serde_names_match_scorer() {
    let v = serde_json::to_string(&PiiKind::Email).expect("json");
    assert_eq!(v, "\"EMAIL_ADDRESS\"");
    for k in PiiKind::ALL {
        assert_eq!(
            serde_json::to_string(&k).expect("json"),
            format!("\"{}\"", k.type_name())
        );
    }
}

#[test]
fn address_tails_and_house_numbers_of_other_countries() {
    use PiiKind::StreetAddress as A;
    // the whole address is masked, not only the street core
    assert_finds(
        "Ship to Rua Augusta, 1497, Apto 31, Rio de Janeiro - RJ, 20040-002 please",
        A,
        "Rua Augusta, 1497, Apto 31, Rio de Janeiro - RJ, 20040-002",
    );
    assert_finds(
        "new address 212 Harrow Road, London NG9 3WF.",
        A,
        "212 Harrow Road, London NG9 3WF",
    );
    assert_finds(
        "send it to 159 bis avenue Jean Jaurès, 44000 Nantes",
        A,
        "159 bis avenue Jean Jaurès, 44000 Nantes",
    );
    assert_finds(
        "I moved to Herengracht 253 hs, 9422 ZK Den Haag!",
        A,
        "Herengracht 253 hs, 9422 ZK Den Haag",
    );
    assert_finds(
        "Postal address: Flat 1014, Sai Residency, MG Road, Banjara Hills, Hyderabad, 500034, Since last Tuesday",
        A,
        "Flat 1014, Sai Residency, MG Road, Banjara Hills, Hyderabad, 500034",
    );
    assert_finds(
        "they left it at Meir 137, 4000 Liège",
        A,
        "Meir 137, 4000 Liège",
    );
    // cue words followed by things that are not addresses
    assert_none("ship to 3 different addresses please", A);
    assert_none("I moved to Berlin in 2019", A);
    assert_none("can you change it to 5000 euros", A);
    assert_none("deliver it to my office at 10:30", A);
}

#[test]
fn names_after_other_cues_and_not_places() {
    use PiiKind::Person as P;
    assert_finds("please ask for Adaeze Okafor!", P, "Adaeze Okafor");
    assert_finds(
        "The parcel was addressed to Sota Kobayashi, thanks",
        P,
        "Sota Kobayashi",
    );
    assert_finds("the account is under moritz", P, "moritz");
    assert_finds("Customer: Ilaria", P, "Ilaria");
    assert_finds("forward this to v. menon please", P, "v. menon");
    assert_finds("booked under the name Seoyeon Park", P, "Seoyeon Park");
    assert_finds("Kind regards\nGiorgos - username below", P, "Giorgos");
    assert_none("What movies are playing at Warren Theatres?", P);
    assert_none("What's the forecast for Harper, ME?", P);
    assert_none("add this song to my playlist called adrenaline workout", P);
    // "ping" is an everyday word here ("ping 10.71.113.116"); "Ping" is also a listed
    // given name, and after "hey" the tagger reads it as one: masked, which errs safe
    assert_none("ping 10.71.113.116 please", P);
}

#[test]
fn ids_dates_and_codes_that_are_not_what_they_look_like() {
    assert_none("Flight LH7292 is delayed", PiiKind::OrderNumber);
    assert_none("call 0033 7 59 85 24 20#7010 please", PiiKind::OrderNumber);
    assert_finds(
        "tracking code: 7582 8174 57!",
        PiiKind::OrderNumber,
        "7582 8174 57",
    );
    assert_finds(
        "where is loyalty card number 739380?",
        PiiKind::OrderNumber,
        "739380",
    );
    assert_none(
        "I've been a customer since 11 November 2003",
        PiiKind::DateOfBirth,
    );
    assert_none("the account was opened on 28.06.2007", PiiKind::DateOfBirth);
    let t = "My date of birth is 6/29/45 and version 3.8.12 broke it";
    assert_finds(t, PiiKind::DateOfBirth, "6/29/45");
    assert!(
        !found(t).iter().any(|(_, v)| v == "3.8.12"),
        "{:?}",
        found(t)
    );
}

#[test]
fn a_found_value_is_masked_wherever_else_it_stands() {
    let r = Redactor::new(RedactConfig::default()).unwrap();
    // Found by the fuzzer: the second copy had no context of its own.
    let text = "login -192.16@.110.shop\u{ff}\u{ff}.e0.rom 192.16@.110.shop.e0.";
    let red = r.redact(text);
    assert!(!red.text.contains("192.16@.110.shop"), "{}", red.text);
    // A whole-token repeat gets the same placeholder; a longer token containing it is left.
    let red =
        r.redact("mail anna.k@example.com now; anna.k@example.com again, xanna.k@example.comx");
    assert_eq!(red.text.matches("[EMAIL_1]").count(), 2, "{}", red.text);
    // Found by the fuzzer: a copy beside a non-ASCII character that is no letter (here
    // the U+FFFD of an invalid byte, or a guillemet) was left visible.
    for text in [
        "login -192.16@.110.shop\u{ff}\u{ff}.ecomom \u{fffd}\u{fffd}192.16@.110.shop",
        "mail anna.k@example.com \u{bb}anna.k@example.com\u{ab} and \u{fffd}anna.k@example.com_",
    ] {
        let red = r.redact(text);
        for s in &red.spans {
            let value = &text[s.start..s.end];
            let glued = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            let visible = red.text.match_indices(value).any(|(i, _)| {
                !glued(red.text[..i].chars().next_back())
                    && !glued(red.text[i + value.len()..].chars().next())
            });
            assert!(!visible, "{value:?} left in {:?}", red.text);
        }
    }
    // A copy inside a longer word in another script is another string: left alone.
    let red = r.redact("mail anna.k@example.com or жanna.k@example.com");
    assert_eq!(red.text.matches("[EMAIL_1]").count(), 1, "{}", red.text);
    let spans = r.find_spans("order 84736251 and 84736251");
    assert_eq!(spans.len(), 2);
    assert!(spans.windows(2).all(|w| w[0].end <= w[1].start));
}

#[test]
fn a_dotted_number_with_a_long_last_part_is_no_date_and_no_panic() {
    let r = Redactor::new(RedactConfig::default()).unwrap();
    // Found by the fuzzer: the third part's value overflowed while being read as a year.
    let spans = r.find_spans("ip 192.1.88888888888881608.24 and 12.1.99999999999999999999");
    assert!(spans.iter().all(|s| s.kind != PiiKind::DateOfBirth));
    // A real date in the same shape is still found.
    let spans = r.find_spans("I was born 12.1.1985 in Leeds");
    assert!(spans.iter().any(|s| s.kind == PiiKind::DateOfBirth));
}

#[test]
fn birth_dates_with_month_names_of_other_languages() {
    for (text, date) in [
        (
            "Frau Weber (geb. 11. Dezember 1949) ruft an",
            "11. Dezember 1949",
        ),
        ("Syntymäaika\t10. lokakuuta 1986", "10. lokakuuta 1986"),
        (
            "nació el 4 de marzo de 1961 en Sevilla",
            "4 de marzo de 1961",
        ),
        ("data urodzenia: 3 maja 1975", "3 maja 1975"),
        ("született 1961. március 4.", "1961. március 4."),
        ("né le 2 août 1958 à Lyon", "2 août 1958"),
        (
            "Gimimo data = 1991 m. rugsėjo 15 d.",
            "1991 m. rugsėjo 15 d.",
        ),
        (
            "| Dzimšanas datums | 1950. gada 25. decembrī |",
            "1950. gada 25. decembrī",
        ),
        ("Sünniaeg = 25. märts 1983", "25. märts 1983"),
        (
            "Ημερομηνία γέννησης: 19 Σεπτεμβρίου 2006",
            "19 Σεπτεμβρίου 2006",
        ),
        ("Datum narození: 24. 1. 1938", "24. 1. 1938"),
    ] {
        assert_covers(text, PiiKind::DateOfBirth, date);
    }
    // a recent date without a birth cue is an event, not a birth date
    assert_none("Lieferung am 3. März 2024 erhalten", PiiKind::DateOfBirth);
}

#[test]
fn find_bytes_is_memmem_find() {
    let parts: [&[u8]; 8] = [b"a", b"b", b"ab", b"aab", b"ba", b" ", b"\xc3\xa9", b"abab"];
    let mut seed = 0x1234_5678_9abc_def1u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..20_000 {
        let mut hay = Vec::new();
        for _ in 0..next(12) {
            hay.extend_from_slice(parts[next(parts.len())]);
        }
        let mut needle = Vec::new();
        for _ in 0..1 + next(3) {
            needle.extend_from_slice(parts[next(parts.len())]);
        }
        assert_eq!(
            super::find_bytes(&hay, &needle),
            memchr::memmem::find(&hay, &needle),
            "{hay:?} {needle:?}"
        );
    }
}

/// A form field naming an identifier ("PESEL:", "Steuer-ID:") does not make a number an
/// identifier when that identifier's check refuses it (the validators agree with
/// python-stdnum); a number that passes is one, and a field naming no checked scheme
/// ("Passport no.:") still marks its value.
#[test]
fn a_named_id_field_keeps_to_the_check_digit() {
    assert_finds("PESEL: 81890751922", PiiKind::NationalId, "81890751922");
    assert_none("PESEL: 73113147155", PiiKind::NationalId);
    assert_none("Steuer-ID: 17256409391", PiiKind::NationalId);
    assert_covers("Passport no.: AU532856", PiiKind::NationalId, "AU532856");
}

/// A kind switched off in the configuration is never reported, whichever rule finds it
/// (a fuzzing input: a name spelled in an e-mail address of the same message).
#[test]
fn a_disabled_kind_is_never_reported() {
    let text = String::from_utf8_lossy(
        b"Hi, I'm Sarah Connor, e-mail sarah.clonnor@etample.co\xff\xff\xff\xff\xff\xff\xff\x17m or call +44 20 7947 0958.",
    )
    .into_owned();
    for k in PiiKind::ALL {
        let off = Redactor::new(RedactConfig {
            disabled_kinds: vec![k],
            ..RedactConfig::default()
        })
        .expect("config");
        assert!(
            off.find_spans(&text).iter().all(|s| s.kind != k),
            "{k} reported while disabled"
        );
    }
}

/// `n` pieces drawn from `parts` with a xorshift generator (the same string for the same
/// seed), for tests that hold a rewritten scan to the one it replaced on many inputs.
pub(super) fn random_from(seed: &mut u64, parts: &[&str], n: usize) -> String {
    let mut out = String::new();
    for _ in 0..n {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        out.push_str(parts[(*seed % parts.len() as u64) as usize]);
    }
    out
}

/// Random strings rich in what the digit-run scans decide on (digits in runs of every
/// length, letters of both cases, white space, non-ASCII).
pub(super) fn random_digit_text(seed: &mut u64, n: usize) -> String {
    const PARTS: &[&str] = &[
        "1", "23", "4567", "890123", "a", "B", "xy", "DE", " ", "\t", "\n", "-", "/", ".", ",",
        "é", "\u{a0}", "flat", "PLOT", "no", "No.", "Mah", "ah",
    ];
    random_from(seed, PARTS, n)
}

/// The person names found in `text` (the name detectors' tests use it too).
pub(super) fn persons(text: &str) -> Vec<String> {
    found(text)
        .into_iter()
        .filter(|(k, _)| *k == PiiKind::Person)
        .map(|(_, v)| v)
        .collect()
}

#[test]
fn greetings_and_function_words_of_other_languages_are_not_names() {
    for t in [
        "Sehr geehrte Damen und Herren,\n\nAnbei finden Sie die Rechnung.\n\nDanke und beste Grüße",
        "Veuillez patienter, Vous serez rappelé demain.",
        "Adjunto la factura del mes pasado.",
    ] {
        assert!(persons(t).is_empty(), "{t:?}: {:?}", persons(t));
    }
    // a name beside them is still found
    assert_covers(
        "Anbei die Rechnung. Oyelaran Bisola aus dem Einkauf meldet sich.",
        PiiKind::Person,
        "Oyelaran Bisola",
    );
}

#[test]
fn a_reply_in_a_chat_is_not_the_answer_to_a_name_question() {
    let head = "[10:02] Agent: Hello, how can I help?\n[10:03] Guest: my voucher code does not \
                work\n[10:03] Agent: What name is the reservation under?\n[10:04] Guest: ";
    let reply = format!("{head}Will do, one sec\n[10:05] Agent: Thanks");
    assert!(persons(&reply).is_empty(), "{:?}", persons(&reply));
    let name = format!("{head}Oyelaran, Bisola\n[10:05] Agent: Thanks");
    assert_finds(&name, PiiKind::Person, "Oyelaran, Bisola");
    // a role label with a sentence after it is a chat line, not a name field
    assert!(persons("Customer: thanks, bye").is_empty());
    assert!(persons("Agent: Noted, thank you.").is_empty());
    assert_finds(
        "Customer: Bisola Oyelaran",
        PiiKind::Person,
        "Bisola Oyelaran",
    );
}

#[test]
fn a_name_question_and_its_answer_in_two_turns_and_other_languages() {
    assert_finds(
        "Soporte: ¿Me indica su nombre completo?\nCliente: namaino ahuizotl",
        PiiKind::Person,
        "namaino ahuizotl",
    );
    assert_finds(
        "[11:27] Klantenservice: Wat is uw achternaam?\n[11:30] Klant: Comiaru",
        PiiKind::Person,
        "Comiaru",
    );
    // the name before the e-mail address of the same answer
    assert_finds(
        "Agent: Sure, what's her name and e-mail?\nVisitor: babaush shadazadeh, bshadazadeh@ironbridgecap.co.uk",
        PiiKind::Person,
        "babaush shadazadeh",
    );
}

#[test]
fn companies_by_legal_form_and_named_storms_are_not_people() {
    for t in [
        "Thanks for contacting Kestrel Yards Trading SIA, how can I help?",
        "Kind regards,\nTorunn Vik\nBrandvik Marine AS",
        "Storm Elowen closed the ferry port for two days.",
        "Hurricane Dorwin delayed the shipment.",
    ] {
        let p = persons(t);
        assert!(
            !p.iter().any(|v| v.contains("Kestrel")
                || v.contains("Brandvik")
                || v.contains("Elowen")
                || v.contains("Dorwin")),
            "{t:?}: {p:?}"
        );
    }
    assert_covers(
        "Kind regards,\nTorunn Vik\nBrandvik Marine AS",
        PiiKind::Person,
        "Torunn Vik",
    );
}

#[test]
fn a_label_before_a_number_is_not_a_name() {
    for t in [
        "| Kontonummer | 12345678 |\n| Postnummer | 4021 |",
        "Kundennummer: 4021-77\nTelefonas: +370 612 34567",
    ] {
        assert!(persons(t).is_empty(), "{t:?}: {:?}", persons(t));
    }
    // a one-line signature keeps its name before the bars
    assert_covers(
        "Ilkka Rautavaara | Project Manager | Polar Logistics | +358 40 1234567",
        PiiKind::Person,
        "Ilkka Rautavaara",
    );
}

#[test]
fn the_tagger_leaves_codes_and_names_after_the_or_in_to_the_rules() {
    for t in [
        "How do I convert between NZD and CHF?",
        "The strap of the Marvenko Ultra broke after a week.",
        "I will be travelling in Querétaro next month.",
        "Please bring it to our Vellmar office.",
    ] {
        assert!(persons(t).is_empty(), "{t:?}: {:?}", persons(t));
    }
    // "a" goes with a performer's name
    assert_covers(
        "I went to a Sidavi Oronteh concert and was charged twice.",
        PiiKind::Person,
        "Sidavi Oronteh",
    );
}

#[test]
fn national_phone_numbers_after_labels_of_other_languages_or_before_a_line_kind() {
    for (t, v) in [
        ("Telefon: 471 203 885", "471 203 885"),
        ("Puhelin\t61 2207 318", "61 2207 318"),
        ("Handy: 31 604 7720", "31 604 7720"),
        ("Teléfono: 58 3312 0947", "58 3312 0947"),
        ("☎ 6120 4471", "6120 4471"),
        ("Mobil = 47 1190 2285", "47 1190 2285"),
        ("Kind regards\nAnnika\n33 801 4472 (office)", "33 801 4472"),
        ("18 22 40 91-Fax", "18 22 40 91"),
    ] {
        assert_finds(t, PiiKind::Phone, v);
    }
    // an amount, a count or a reference without a phone word near it stays
    for t in [
        "We shipped 120 450 units last year.",
        "Invoice total 4 712 883 is due on delivery to the office.",
    ] {
        assert_none(t, PiiKind::Phone);
    }
}

#[test]
fn streets_with_the_type_after_the_name() {
    use PiiKind::StreetAddress as A;
    assert_finds(
        "Please post it to Brīvības iela 104, Rīga, LV-1001 soon",
        A,
        "Brīvības iela 104, Rīga, LV-1001",
    );
    assert_finds(
        "we are at Andrássy út 21. in the mornings",
        A,
        "Andrássy út 21",
    );
    assert_finds(
        "Me: szent istván körút 14, 1137 budapest",
        A,
        "szent istván körút 14, 1137 budapest",
    );
    assert_finds("Bot: still Narva mnt 5-12?", A, "Narva mnt 5-12");
    assert_finds(
        "Office: Konstitucijos pr. 7, Vilnius",
        A,
        "Konstitucijos pr. 7, Vilnius",
    );
    // the short abbreviations need their dot, and everyday words are no street name
    assert_none("I need 2 pr 3 of them", A);
    assert_none("the iela 12 thing", A);
    assert_none("Tables: sor 4 and sor 9", A);
    // German, Dutch and Nordic types written apart, Austrian stair/door numbers, a
    // Nordic entrance letter; the sentence may go on after the number
    assert_finds(
        "no, it's Mariahilfer Straße 90/8/9, 5020 Salzburg now",
        A,
        "Mariahilfer Straße 90/8/9, 5020 Salzburg",
    );
    assert_finds(
        "The family home on Olav Tryggvasons gate 38 B was sold in 2009.",
        A,
        "Olav Tryggvasons gate 38 B",
    );
    assert_finds(
        "The family home on Husova 1231/48 was sold in 2012.",
        A,
        "Husova 1231/48",
    );
    assert_finds(
        "Customer: Pispalan valtatie 74, 02100 Espoo",
        A,
        "Pispalan valtatie 74, 02100 Espoo",
    );
    // an entrance letter is one letter alone, not a word's first
    assert_finds(
        "Kindly update our billing address to 8009 Côte-des-Neiges Street, Saskatoon SK H3A 6A8.",
        A,
        "8009 Côte-des-Neiges Street, Saskatoon SK H3A 6A8",
    );
    // "gate" is an English word: a lower-case one before it is no street name
    assert_none("Your flight now boards at boarding gate 12.", A);
}

#[test]
fn the_addressee_above_an_address_block() {
    assert_eq!(
        persons("Parcel 8 of 2\nCOVADONGA SANTESTEBAN\nBluefin Analytics\nKongens gate 29 C\n9008 Tromsø\nNorge"),
        ["COVADONGA SANTESTEBAN"]
    );
    assert_eq!(
        persons("Please update my details.\nBergås Sjöåsdahl\nc/o Stanisława Wigraewicz\nØvregaten 21\nN-8006 Bodø"),
        ["Bergås Sjöåsdahl", "Stanisława Wigraewicz"]
    );
    // a job title or a company above the street is no name
    assert_eq!(
        persons("Best,\nNunzia Castiglioni\nChief Financial Officer\nLagoa Azul Imobiliária Lda.\nHusova 2607/16\n301 00 Plzeň"),
        ["Nunzia Castiglioni"]
    );
}

#[test]
fn romanian_street_types_and_nr() {
    use PiiKind::StreetAddress as A;
    assert_finds(
        "Visitor: it's Bd. Unirii nr. 12, București 030167 now",
        A,
        "Bd. Unirii nr. 12, București 030167",
    );
    assert_finds(
        "Str. Avram Iancu nr. 3 is the old one",
        A,
        "Str. Avram Iancu nr. 3",
    );
    assert_finds(
        "Calea Victoriei 88, Sector 1",
        A,
        "Calea Victoriei 88, Sector 1",
    );
    // "str" without its dot is no street type; a number after "nr." alone is no address
    assert_none("the str 12 field", A);
    assert_none("Invoice nr. 4412 is paid", A);
}

#[test]
fn japanese_block_numbers() {
    use PiiKind::StreetAddress as A;
    assert_finds(
        "Send it to 3-7-21 Hongo, Bunkyo-ku, Tokyo 113-0033, Japan please",
        A,
        "3-7-21 Hongo, Bunkyo-ku, Tokyo 113-0033, Japan",
    );
    assert_finds(
        "user: 2-4 umeda, kita-ku, osaka 530-0001",
        A,
        "2-4 umeda, kita-ku, osaka 530-0001",
    );
    assert_finds(
        "The house on 4-11-2 Minamiaoyama was sold.",
        A,
        "4-11-2 Minamiaoyama",
    );
    // scores, ranges and dates are not block numbers
    assert_none("We won 3-1-0 Sunday and lost 2-1 Monday", A);
    assert_none("Open 9-17 Monday to Friday", A);
    assert_none("Seen on 12-05-2023 Tuesday", A);
}

#[test]
fn phones_after_letter_labels_and_with_a_one_digit_trunk() {
    use PiiKind::Phone as P;
    assert_finds("Cell: 8 612 40375", P, "8 612 40375");
    assert_finds("Office: 02 7714 305", P, "02 7714 305");
    assert_finds("Jaan Tamm\nP: 512 8830", P, "512 8830");
    assert_finds("M: 611 402 337", P, "611 402 337");
    // a letter label counts only right before the number, not lines above it
    assert_none("T: see below\nCompany reg. no. 40213318", P);
    // a one-digit first group with other separators is a date or version
    assert_none("Call log exported on 6.1.2024 17.05", P);
    assert_none("phone firmware 1.4.20571.3", P);
}

#[test]
fn country_prefixed_postcodes_are_not_order_ids() {
    assert_none("CP / Localidad: NO-6002 Ålesund", PiiKind::OrderNumber);
    assert_none("Daugavpils, LV-5401\nLatvija", PiiKind::OrderNumber);
    assert_none("Kauppakatu 62 A 5, FI-33100 Tampere", PiiKind::OrderNumber);
    // six digits after the prefix is an id shape, cue or not
    assert_finds(
        "the page for order QK-175009 is empty",
        PiiKind::OrderNumber,
        "QK-175009",
    );
    assert_finds(
        "Order PJ-623017 still open",
        PiiKind::OrderNumber,
        "PJ-623017",
    );
    // an explicit order cue still takes a short code
    assert_finds("Order number: AB-1234", PiiKind::OrderNumber, "AB-1234");
}

#[test]
fn a_name_after_a_verb_of_dealing_with_someone_is_a_person() {
    assert_finds(
        "As discussed with Thaís this morning, we will return 5 units.",
        PiiKind::Person,
        "Thaís",
    );
    assert_finds(
        "System: You are now connected to Bavo.",
        PiiKind::Person,
        "Bavo",
    );
    assert_finds(
        "the tracking says it was signed for by Ottilie Brandauer",
        PiiKind::Person,
        "Ottilie Brandauer",
    );
    assert_none("I left it with the neighbours.", PiiKind::Person);
    assert_none("We are now connected to the internet.", PiiKind::Person);
}

#[test]
fn address_blocks_of_more_countries() {
    use PiiKind::StreetAddress as A;
    for block in [
        "Masarykova 507/21\nPraha 2\nČesko 120 00",
        "Brink 50 bis\n3687KR  Nijmegen",
        "Brink 346 bis\nALKMAAR\nNetherlands 2159 EY",
        "21 ter, cours des Carmes\n86000 Poitiers",
        "105 ter cours des Tanneurs\nBâtiment C\nDijon\nFrance 21000",
        "ул. „Оборище“ 55\nВарна\nBulgaria 1504",
    ] {
        assert_finds(
            &format!("Kind regards,\n\n{block}\n+33 1 23 45 67 89"),
            A,
            block,
        );
    }
}

#[test]
fn bulgarian_streets_in_a_sentence() {
    use PiiKind::StreetAddress as A;
    assert_finds(
        "Bot: Is the delivery address still ул. „Граф Игнатиев“ 13, ет. 8?",
        A,
        "ул. „Граф Игнатиев“ 13, ет. 8",
    );
    assert_finds(
        "The family home on ул. „Шишман“ 63, ет. 6 was sold in 2025.",
        A,
        "ул. „Шишман“ 63, ет. 6",
    );
}

#[test]
fn a_turn_typed_in_lower_case_in_a_transcript_with_capitals() {
    assert_covers(
        "[19:30] Agent: Hello! How can I help you today?\n[19:35] User: no, it's 22/36 kookaburra parade, newtown nsw 2042 now",
        PiiKind::StreetAddress,
        "22/36 kookaburra parade, newtown nsw 2042",
    );
    // a turn with capitals keeps its lower-case words out of street names
    assert_none(
        "Agent: Hello! How can I help?\nUser: My order 12 boxes arrived, Thanks",
        PiiKind::StreetAddress,
    );
}

#[test]
fn turkish_and_hungarian_place_fields() {
    use PiiKind::StreetAddress as A;
    assert_finds("İl/İlçe: Çankaya/Ankara", A, "Çankaya/Ankara");
    assert_finds("Irsz. / település: 6720 Szeged", A, "6720 Szeged");
}

#[test]
fn national_numbers_with_a_cue_after_them_or_further_before() {
    use PiiKind::Phone as P;
    assert_finds(
        "The contact person for the installation is Bolesław Miboski, 02 064 1218.",
        P,
        "02 064 1218",
    );
    assert_finds("Try 934-8002 or 394 7044", P, "394 7044");
    assert_finds(
        "Bot: Is 08 3270 606 still the right number?",
        P,
        "08 3270 606",
    );
    assert_finds("Customer: or 488-229-570 after 15:00", P, "488-229-570");
    // a cue on the line above names that line's number, not this one's
    let t = "P: 693 809 5449\nCompany reg. no. 66002309";
    assert_eq!(kinds_found(t, P), ["693 809 5449"]);
}

#[test]
fn streets_of_more_shapes() {
    use PiiKind::StreetAddress as A;
    assert_finds(
        "Agent: Is the delivery address still Kauppakatu 30 C?",
        A,
        "Kauppakatu 30 C",
    );
    assert_finds(
        "risiede in Via Sant’Agostino, 75/B, 09124 Cagliari CA. Tax",
        A,
        "Via Sant’Agostino, 75/B, 09124 Cagliari CA",
    );
    assert_finds(
        "Pastaos Vraakis lives at Lange Hezel 354-III, 5813OV Zutphen, born in 1948",
        A,
        "Lange Hezel 354-III, 5813OV Zutphen",
    );
    assert_covers(
        "Trijntje Kloosterman woont op Brink 324-2, 8573LG  Leeuwarden en is geboren",
        A,
        "Brink 324-2, 8573LG  Leeuwarden",
    );
    assert_finds(
        "Nygränd 34 lgh 1102, 981 31 Kiruna",
        A,
        "Nygränd 34 lgh 1102, 981 31 Kiruna",
    );
    assert_finds("Laugavegur 103 is the old one", A, "Laugavegur 103");
    // a distance is no Dutch postcode
    assert_none("I ran 4000km last year and lived at 12 more places", A);
}

#[test]
fn identity_document_fields_in_more_languages() {
    use PiiKind::NationalId as N;
    for (t, v) in [
        ("| Passport no | CZJZZCWK4 |", "CZJZZCWK4"),
        ("N. passaporto : FVGFGVXP9", "FVGFGVXP9"),
        ("Pasnummer:\tK87978733", "K87978733"),
        ("Paso nr.: D01259463", "D01259463"),
        ("Nr paszportu: 514098678", "514098678"),
        ("Jogosítvány száma: 59211362", "59211362"),
        ("Vadītāja apliecības nr.: 31606709E", "31606709E"),
        ("Nr. permis de conducere : 488-353-519", "488-353-519"),
        // a generic label names no scheme: a valid German tax id under "National ID"
        ("National ID: 37800942518", "37800942518"),
    ] {
        assert_finds(t, N, v);
    }
    // the answer to a question for passports, with letters in it
    assert_finds(
        "Agent: I need the passport number of each traveller.\nClient: mine is AB1234567\nClient: and Binh's is UFFT66A51",
        N,
        "UFFT66A51",
    );
    // a word is no passport number
    assert_none("Passport no: PENDING", N);
}

#[test]
fn salutations_with_titles_of_more_languages() {
    assert_finds("Dear p. Ramanauskienė,", PiiKind::Person, "Ramanauskienė");
    assert_finds("Dear dna. Bavainho,", PiiKind::Person, "Bavainho");
}

#[test]
fn places_a_journey_or_a_delivery_goes_to_are_not_people() {
    for t in [
        "The strikes delayed all deliveries to Sevilla by 10 days.",
        "Version 6.1 is now live in Lourdes and Tromsø.",
    ] {
        assert!(persons(t).is_empty(), "{t}: {:?}", persons(t));
    }
    // a person one sends something or talks to still is one
    assert_eq!(
        persons("I talked to Jonas Whitfield yesterday."),
        ["Jonas Whitfield"]
    );
}
