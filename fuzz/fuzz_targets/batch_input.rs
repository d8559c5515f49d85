//! The manager's item lists for `batch seal` (`batch::input`): plain JSONL, Label
//! Studio tasks, Prodigy JSONL and CSV, each read as auto-detected, JSON and CSV.
//!
//! Asserts: no panic; errors never repeat a message text; a successful parse gives at
//! least one item, a derived taxonomy that is deterministic and holds every intent the
//! items use, and `build_payload` either yields a payload that validates (texts kept in
//! order) or refuses without repeating a text.
#![no_main]

use labelvault_core::batch::input::{self, InputFormat};
use labelvault_core::batch::Reason;
use labelvault_fuzz::{assert_no_text, marker_only_in_texts, DEVICE_RECIPIENT, NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let leak_check = marker_only_in_texts(&String::from_utf8_lossy(data));
    for format in [InputFormat::Auto, InputFormat::Json, InputFormat::Csv] {
        let items = match input::parse_items(data, format, Reason::LowConfidence) {
            Ok(items) => items,
            Err(e) => {
                assert!(std::str::from_utf8(data).is_err() || !e.to_string().is_empty());
                assert_no_text(&e.to_string(), leak_check);
                continue;
            }
        };
        assert!(std::str::from_utf8(data).is_ok());
        assert!(!items.is_empty());
        let tax = input::derive_taxonomy(&items);
        assert_eq!(tax, input::derive_taxonomy(&items));
        for i in &items {
            assert!(tax.intents.iter().any(|t| t.id == i.intent));
            for a in &i.alternatives {
                assert!(tax.intents.iter().any(|t| t.id == a.intent));
            }
        }
        match input::build_payload(items.clone(), None, DEVICE_RECIPIENT, NOW, 86_400) {
            Ok(p) => {
                p.validate().expect("a built payload validates");
                assert_eq!(p.items.len(), items.len());
                for (b, i) in p.items.iter().zip(&items) {
                    assert_eq!(b.text, i.text);
                    assert_eq!(b.model_intent, i.intent);
                    assert_eq!(b.reason, i.reason);
                }
            }
            Err(e) => assert_no_text(&e.to_string(), leak_check),
        }
    }
});
