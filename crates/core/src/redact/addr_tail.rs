//! What follows a street address on its line: the unit ("et. 3, ap. 9", "casa 2", "2.º
//! Esq.", "Depto. 3B", "- Apto 52", "c/o Etage 2"), the district ("Col. Centro"), and the
//! postcode and place (", 04001 Almería", ", C.P. 72000 Puebla, Pue.", ", Porto Alegre -
//! RS, 90047-278", ", Brașov 500250", "(SI)").
//!
//! Why after the overlap resolution: the street grammars end their span at the house
//! number, and what comes after is written in as many ways as there are countries. Once a
//! street is found, the parts that follow it on the same line are read one at a time and
//! the span grows over them; a short span of another kind inside them ("Centro" taken for
//! a name, a postcode taken for an order) is absorbed.

use super::{PiiKind, PiiSpan};
use regex::Regex;
use std::sync::LazyLock;

/// One part after a street, with the separator before it.
static PART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:,[ ]*|[ ]+-[ ]+|[ ]+|\.[ ]+)(?:",
        // a unit word and its number or letter: "et. 3", "bl. B4", "Apto 301", "lgh 1102"
        r"(?i:et|ap|apt|apto|apartamento|bl|bloc|bloco|sc|scara|scară|casa|depto|dpto|departamento|int|interior|piso|puerta|lgh|whg|app|appartamento|scala|interno|flat|unit|suite|ste|floor|fl|etage|stock|top|tür|door|lok|m|kv|кв|ет|ап|вх|room|rm|bus|bte|boîte|bâtiment|batiment|bât)\.?[ ]?(?:[0-9][0-9A-Za-z]{0,4}|[A-Z][0-9]{0,3})(?-u:\b)\.?",
        // a Latvian building: "k-2"
        r"|(?i:k)-[0-9]{1,3}(?-u:\b)",
        // a Hungarian floor and door: "3. em. 5.", a German floor: "3. OG", a Spanish
        // floor and door: "3º B", a Danish ground floor: "st. mf."
        r"|[0-9]{1,2}\.[ ]?(?i:em)\.(?:[ ]?[0-9]{1,3}\.?)?",
        r"|[0-9]{1,2}\.[ ]?(?:OG|EG|DG|UG)(?-u:\b)",
        r"|[0-9]{1,2}[ºª°][ ]?[A-Z](?-u:\b)\.?",
        r"|(?i:st|kld)\.[ ]?(?i:th|tv|mf)\.?",
        // "c/o Etage 2"
        r"|(?i:c/o)[ ]+\p{L}+[ ]+[0-9]{1,4}",
        // a floor and a side: "2.º Esq.", "1.º Dto.", "2º izda.", "2. th."
        r"|[0-9]{1,2}\.?[ ]?[ºª°]?[ ]?(?i:esq|dto|izda|izq|dcha|th|tv|mf|st)\b\.?",
        r"|(?i:r/c|bajo|rdc)\b",
        // a district: "Col. Centro"
        r"|(?i:col\.|colonia)[ ]+\p{Lu}\p{L}+(?:[ ]+\p{Lu}\p{L}+){0,2}",
        // a postcode and a place, maybe a state: "04001 Almería", "C.P. 72000 Puebla, Pue."
        r"|(?:C\.P\.[ ]*)?(?:[A-Z]{1,2}-)?[0-9]{4,5}(?:-[0-9]{3,4})?[ ]+\p{Lu}[\p{L}-]+(?:[ ]+\p{Lu}[\p{L}-]+){0,2}(?:,[ ]*\p{Lu}\p{Ll}{1,3}\.)?",
        // a place, a state and a postcode: "Porto Alegre - RS, 90047-278"
        r"|\p{Lu}[\p{L}-]+(?:[ ]+\p{Lu}[\p{L}-]+){0,2}[ ]+-[ ]+\p{Lu}{2},[ ]*[0-9]{5}-[0-9]{3}",
        // a place and its postcode: "Brașov 500250"
        r"|\p{Lu}[\p{L}-]+(?:[ ]+\p{Lu}[\p{L}-]+){0,2}[ ]+[0-9]{5,6}(?-u:\b)",
        // a place, perhaps an Irish county, and a postcode of the country's own shape:
        // "Jelgava, LV-3001", "Bend, OR 10806", "Tralee, Co. Kerry, D09 S2H1"
        r"|\p{Lu}[\p{L}-]+(?:[ ]+\p{Lu}[\p{L}-]+){0,2},[ ]*(?:Co\.[ ]+\p{Lu}\p{L}+,[ ]*)?",
        r"(?:[A-Z]{2}-[0-9]{4,5}|[A-Z]{2}[ ]+[0-9]{5}(?:-[0-9]{4})?|[A-Z][0-9]{2}[ ]?[A-Z0-9]{4})(?-u:\b)",
        // an Irish county and an Eircode: "Co. Kerry, D09 S2H1"
        r"|Co\.[ ]+\p{Lu}\p{L}+(?:,[ ]*[A-Z][0-9]{2}[ ]?[A-Z0-9]{4}(?-u:\b))?",
        // a province in brackets: "(SI)", "(bg)" in a text typed in lower case
        r"|\((?:\p{Lu}{2}|\p{Ll}{2})\)",
        r")",
    ))
    .expect("static regex")
});

/// Where the part after `end` ends. On the first round the span's last token, when short,
/// may be the start of a part the street grammar cut in two ("Jægergårdsgade 112, 1" of
/// "…, 1. tv.", "Ronda de Uría, 124, 3º" of "…, 3º B", "Tralee, Co" of "…, Co. Kerry").
/// A part after a full stop must start with a digit (a Hungarian floor after "113.").
fn next_part(text: &str, start: usize, end: usize, first: bool) -> Option<usize> {
    let at = |from: usize| {
        PART.find(&text[from..])
            .filter(|m| {
                !m.as_str().starts_with('.')
                    || m.as_str()[1..]
                        .trim_start()
                        .starts_with(|c: char| c.is_ascii_digit())
            })
            .map(|m| from + m.end())
    };
    if first {
        let head = &text[start..end];
        if let Some(sep) = head.rfind([' ', ',']) {
            let from = start + sep;
            let token = &head[sep + 1..];
            if (1..=4).contains(&token.chars().count()) {
                // from the separator: back over ", " to its comma
                let from = if text[..from].ends_with(',') {
                    from - 1
                } else {
                    from
                };
                if let Some(e) = at(from).filter(|&e| e > end) {
                    return Some(e);
                }
            }
        }
    }
    at(end)
}

/// Grow every street address over the parts that follow it on its line.
pub(super) fn address_tails(text: &str, mut spans: Vec<PiiSpan>) -> Vec<PiiSpan> {
    if !spans.iter().any(|s| s.kind == PiiKind::StreetAddress) {
        return spans;
    }
    let mut i = 0;
    while i < spans.len() {
        if spans[i].kind != PiiKind::StreetAddress {
            i += 1;
            continue;
        }
        let mut end = spans[i].end;
        // a part may absorb a span of another kind only if it lies wholly inside the part
        for round in 0..6 {
            let Some(new_end) = next_part(text, spans[i].start, end, round == 0) else {
                break;
            };
            let mut new_end = new_end;
            let mut blocked = false;
            for (k, o) in spans.iter().enumerate() {
                if k == i || o.start >= new_end || o.end <= end {
                    continue;
                }
                match o.kind {
                    // another piece of the same address ("LV-3001", "em. 5., 7621 Pécs"
                    // found on its own) joins it
                    PiiKind::StreetAddress if o.start >= end => new_end = new_end.max(o.end),
                    PiiKind::Email | PiiKind::Url | PiiKind::StreetAddress => blocked = true,
                    _ => blocked |= o.end > new_end,
                }
            }
            if blocked {
                break;
            }
            end = new_end;
        }
        if end > spans[i].end {
            let (s, e) = (spans[i].start, end);
            spans[i].end = e;
            // spans now inside the address are part of it (spans never overlap, so only
            // this one starts at `s`)
            spans.retain(|o| o.start == s || !(o.start >= s && o.end <= e));
            i = spans
                .iter()
                .position(|o| o.start == s && o.end == e)
                .map_or(i, |p| p + 1);
            continue;
        }
        i += 1;
    }
    spans
}

#[cfg(test)]
mod tests {
    use crate::redact::tests::addresses;

    #[test]
    fn units_districts_and_places_after_a_street_are_the_address() {
        for (t, want) in [
            (
                "Sold the flat at Str. Lipscani nr. 73, et. 3, ap. 9, Timișoara 300790 in 2019.",
                "Str. Lipscani nr. 73, et. 3, ap. 9, Timișoara 300790",
            ),
            (
                "Ship to Calle Allende 344 Depto. 3B, Col. Jalatlaco, C.P. 97000 Mérida, Yuc. please",
                "Calle Allende 344 Depto. 3B, Col. Jalatlaco, C.P. 97000 Mérida, Yuc.",
            ),
            (
                "Morada: Rua de Cedofeita, 391, 1.º Dto., 2900-024 Setúbal",
                "Rua de Cedofeita, 391, 1.º Dto., 2900-024 Setúbal",
            ),
            (
                "He lives at Av. Chile, 1244 - Apto 52, Porto Alegre - RS, 90047-278 now.",
                "Av. Chile, 1244 - Apto 52, Porto Alegre - RS, 90047-278",
            ),
            (
                "Bartók Béla utca 113. 3. em. 5., 7621 Pécs",
                "Bartók Béla utca 113. 3. em. 5., 7621 Pécs",
            ),
            (
                "vive en Ronda de Uría, 124, 3º B, 10003 Cáceres.",
                "Ronda de Uría, 124, 3º B, 10003 Cáceres",
            ),
            (
                "The family home on Jægergårdsgade 112, 1. tv. was sold",
                "Jægergårdsgade 112, 1. tv.",
            ),
            (
                "The family home on An der Schleuse 5, 3. OG was sold",
                "An der Schleuse 5, 3. OG",
            ),
            (
                "at 80 Ballymun Terrace, Tralee, Co. Kerry, D09 S2H1. Thanks",
                "80 Ballymun Terrace, Tralee, Co. Kerry, D09 S2H1",
            ),
            (
                "He lives at Valdemāra iela 121 k-2, Jelgava, LV-3001.",
                "Valdemāra iela 121 k-2, Jelgava, LV-3001",
            ),
        ] {
            assert_eq!(addresses(t), [want], "{t}");
        }
    }

    #[test]
    fn a_sentence_after_a_street_is_not() {
        assert_eq!(
            addresses("I moved to Kaiserstraße 26, and Berta stayed."),
            ["Kaiserstraße 26"]
        );
        assert_eq!(
            addresses("Send it to Hauptstraße 5 - The Team will sign."),
            ["Hauptstraße 5"]
        );
        assert_eq!(
            addresses("I moved to Kaiserstraße 26. Then 5 people came."),
            ["Kaiserstraße 26"]
        );
    }
}
