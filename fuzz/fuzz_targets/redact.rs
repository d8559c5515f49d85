//! The redactor (`redact::Redactor::find_spans` / `redact`) on arbitrary text.
//!
//! Asserts: spans are sorted, non-empty, non-overlapping, inside the text and on char
//! boundaries; detection is deterministic and `redact` replaces exactly the spans that
//! `find_spans` reports, keeping every other byte in order; no e-mail address or card
//! number that was found survives in the output as a whole token; a disabled kind is
//! never reported; code-point offsets agree with the byte offsets.
#![no_main]

use labelvault_core::redact::{char_offsets, PiiKind, PiiSpan, RedactConfig, Redactor};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn redactors() -> &'static (Redactor, Vec<Redactor>) {
    static R: OnceLock<(Redactor, Vec<Redactor>)> = OnceLock::new();
    R.get_or_init(|| {
        let one_off = PiiKind::ALL
            .iter()
            .map(|k| {
                Redactor::new(RedactConfig {
                    disabled_kinds: vec![*k],
                    ..RedactConfig::default()
                })
                .unwrap()
            })
            .collect();
        (Redactor::default(), one_off)
    })
}

fn check_spans(text: &str, spans: &[PiiSpan]) {
    let mut end = 0;
    for s in spans {
        assert!(s.start < s.end, "empty span {s:?}");
        assert!(s.start >= end, "spans overlap or are unsorted");
        assert!(s.end <= text.len(), "span past the end");
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        end = s.end;
    }
}

fn is_placeholder(s: &str, kind: PiiKind) -> bool {
    s.strip_prefix('[')
        .and_then(|r| r.strip_prefix(kind.placeholder_tag()))
        .and_then(|r| r.strip_prefix('_'))
        .and_then(|r| r.strip_suffix(']'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `value` occurs in `hay` as a whole token: not glued to a letter or digit on
/// either side (inside a longer word it is another string, e.g. `… dot comrd`).
fn contains_token(hay: &str, value: &str) -> bool {
    let glued = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    hay.match_indices(value).any(|(i, _)| {
        !glued(hay[..i].chars().next_back()) && !glued(hay[i + value.len()..].chars().next())
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let (r, one_off) = redactors();
    let spans = r.find_spans(text);
    check_spans(text, &spans);
    assert_eq!(spans, r.find_spans(text), "find_spans is not deterministic");
    let red = r.redact(text);
    assert_eq!(red.spans, spans);

    // The output is the text between spans, in order, with one placeholder per span.
    let mut pos = 0;
    let mut out = red.text.as_str();
    for s in &spans {
        let keep = &text[pos..s.start];
        out = out.strip_prefix(keep).expect("text between spans changed");
        let close = out.find(']').expect("placeholder");
        assert!(is_placeholder(&out[..=close], s.kind), "bad placeholder");
        out = &out[close + 1..];
        pos = s.end;
    }
    assert_eq!(out, &text[pos..], "text after the last span changed");

    for s in &spans {
        if matches!(s.kind, PiiKind::Email | PiiKind::CreditCard) {
            let value = &text[s.start..s.end];
            assert!(
                !contains_token(&red.text, value),
                "a found {:?} is still in the output",
                s.kind
            );
        }
    }

    let off = &one_off[data.len() % one_off.len()];
    let disabled = PiiKind::ALL[data.len() % one_off.len()];
    let spans2 = off.find_spans(text);
    check_spans(text, &spans2);
    assert!(spans2.iter().all(|s| s.kind != disabled));

    let chars = char_offsets(text, &spans);
    for (s, (a, b, k)) in spans.iter().zip(&chars) {
        assert_eq!(*k, s.kind);
        assert_eq!(*a, text[..s.start].chars().count());
        assert_eq!(*b, text[..s.end].chars().count());
    }
});
