//! A phone number alone on its line: "93 44 94 65", "2310 085058", "57 987 04 16 ext. 640",
//! "272-627-273", "076-15 58 43" under a signature's name, or "(after 6pm)" after it.
//!
//! Why: contact blocks list numbers without a label, in national formats no grammar of
//! `contact.rs` knows (no "+", no trunk "0"). A line that holds nothing but seven to fifteen
//! digits in groups is a phone number far more often than anything else: cards, IBANs and
//! order numbers have their own detectors with higher priority, postcodes are shorter, and
//! a line shaped like a date is left alone.

use super::{Cand, PiiKind, Prio};

/// What may follow the number on its line: a note in brackets, "-Direct", "ext. 12".
fn note_ok(rest: &str) -> bool {
    let r = rest.trim();
    if r.is_empty() {
        return true;
    }
    if r.starts_with('(') && r.ends_with(')') && r.len() <= 24 {
        return true;
    }
    if let Some(w) = r.strip_prefix('-').or_else(|| r.strip_prefix("- ")) {
        return w.len() <= 16 && w.chars().all(char::is_alphabetic);
    }
    let lower = r.to_ascii_lowercase();
    ["ext. ", "ext ", "x"].iter().any(|p| {
        lower
            .strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.len() <= 5 && n.bytes().all(|c| c.is_ascii_digit()))
    })
}

/// The digit groups at the start of `line` and where they end: groups of digits joined
/// by one space, '-' or '.', the first of up to four digits.
fn groups(line: &str) -> Option<(Vec<usize>, usize)> {
    let b = line.as_bytes();
    let mut lens = Vec::new();
    let mut i = 0;
    loop {
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return None;
        }
        lens.push(i - s);
        if i + 1 < b.len() && matches!(b[i], b' ' | b'-' | b'.') && b[i + 1].is_ascii_digit() {
            i += 1;
            continue;
        }
        return Some((lens, i));
    }
}

/// Whether groups of these lengths read as a date ("2023 10 12", "12.03.1990").
fn date_like(line: &str, lens: &[usize]) -> bool {
    let nums: Vec<u32> = line
        .split([' ', '-', '.'])
        .filter_map(|g| g.parse().ok())
        .collect();
    match (lens, nums.as_slice()) {
        ([4, 2, 2], [_, m, d]) => (1..=12).contains(m) && (1..=31).contains(d),
        ([2, 2, 4] | [1, 2, 4] | [2, 1, 4] | [1, 1, 4], [d, m, _]) => {
            (1..=31).contains(d) && (1..=31).contains(m)
        }
        _ => false,
    }
}

/// Phone candidates for lines that hold a number and nothing else, or a cell of a
/// one-line signature ("Name | Title | Company | 88 6040 0762 | https://…"), perhaps
/// after a one-letter label ("M 633 8422", "T 22 505 5307").
pub(super) fn phone_lines(text: &str, out: &mut Vec<Cand>) {
    let mut at = 0;
    for raw_line in text.split('\n') {
        let line_start = at;
        at += raw_line.len() + 1;
        let mut cell_at = line_start;
        for raw in raw_line.split(" | ") {
            let cell_start = cell_at;
            cell_at += raw.len() + 3;
            number_alone(raw, cell_start, out);
        }
    }
}

/// The phone candidate of `raw` (a line or a cell starting at byte `start`) if it holds a
/// number and nothing else.
fn number_alone(raw: &str, start: usize, out: &mut Vec<Cand>) {
    let mut lead = raw.len() - raw.trim_start().len();
    let mut line = raw.trim();
    if let [b'M' | b'T' | b'P' | b'F', b' ', d, ..] = line.as_bytes() {
        if d.is_ascii_digit() {
            lead += 2;
            line = &line[2..];
        }
    }
    if line.len() < 7 || !line.as_bytes()[0].is_ascii_digit() {
        return;
    }
    let Some((lens, end)) = groups(line) else {
        return;
    };
    let digits: usize = lens.iter().sum();
    if !(7..=15).contains(&digits)
        || lens.len() < 2
        || lens[0] > 4
        || lens.iter().any(|&l| l > 8)
        || !note_ok(&line[end..])
        || date_like(&line[..end], &lens)
    {
        return;
    }
    let s = start + lead;
    out.push(Cand::new(s, s + end, PiiKind::Phone, Prio::PHONE));
}

#[cfg(test)]
mod tests {
    use crate::redact::tests::kinds_found;
    use crate::redact::PiiKind;

    fn phones(t: &str) -> Vec<String> {
        kinds_found(t, PiiKind::Phone)
    }

    #[test]
    fn numbers_alone_on_a_line_are_phones() {
        assert_eq!(
            phones("Ejnar Gyldenstierne\nPolar Bear Coffee Roasters\n69 52 59 74\n93 44 94 65"),
            ["69 52 59 74", "93 44 94 65"]
        );
        assert_eq!(
            phones("Acme Corp.\n57 987 04 16 ext. 640\n"),
            ["57 987 04 16"]
        );
        assert_eq!(
            phones("Kestrel Dynamics Ltd\n272-627-273\nMail: x"),
            ["272-627-273"]
        );
        assert_eq!(phones("02 0378 031 (after 6pm)"), ["02 0378 031"]);
    }

    #[test]
    fn a_number_in_a_cell_of_a_signature_or_after_a_one_letter_label() {
        assert_eq!(
            phones("Hovhannes Mkrtchyan | Geschäftsführer | Fjordline Shipping ApS | 88 6040 0762 | https://fjordline-shipping.dk"),
            ["88 6040 0762"]
        );
        assert_eq!(phones("Kind regards\nM 633 8422"), ["633 8422"]);
        // a company number in a cell has one group only
        assert!(phones("Acme | Company reg. no. | 45743131").is_empty());
    }

    #[test]
    fn dates_short_numbers_and_sentences_are_not() {
        for t in [
            "Invoice\n2023 10 12\nThanks",
            "Order\n12.03.1990\n",
            "Postcode\n120 00\n",
            "Total\n1 250\n",
            "1 234 567 EUR were paid on Monday.",
        ] {
            assert!(phones(t).is_empty(), "{t}: {:?}", phones(t));
        }
    }
}
