//! The device's own check of what it is about to show: every item of a batch is run
//! through the redactor on import, and an item in which it still finds personal data is
//! held back (quarantined) instead of being stored and shown. A batch sealed by hand from
//! raw text, or a message the hub's redaction missed, thus never reaches the screen.

use crate::batch::BatchItem;
use crate::redact::{PiiKind, RedactConfig, Redactor};
use std::sync::OnceLock;

/// Kinds that hold an item back. URLs and order numbers are left out: a hub may keep
/// them visible on purpose (`RedactConfig::disabled_kinds`, per-company order formats),
/// and neither names a person by itself.
pub const SCREENED_KINDS: [PiiKind; 9] = [
    PiiKind::Person,
    PiiKind::Email,
    PiiKind::Phone,
    PiiKind::CreditCard,
    PiiKind::Iban,
    PiiKind::IpAddress,
    PiiKind::StreetAddress,
    PiiKind::DateOfBirth,
    PiiKind::NationalId,
];

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| {
        let disabled = PiiKind::ALL
            .into_iter()
            .filter(|k| !SCREENED_KINDS.contains(k))
            .collect();
        Redactor::new(RedactConfig {
            disabled_kinds: disabled,
            ..RedactConfig::default()
        })
        .unwrap_or_default()
    })
}

/// What the screen found in one item: the kinds (type names such as `PERSON`, in
/// [`PiiKind::ALL`] order), never the text. `None` if the item may be shown.
pub fn screen_item(text: &str) -> Option<String> {
    let spans = redactor().find_spans(text);
    if spans.is_empty() {
        return None;
    }
    let kinds: Vec<&str> = PiiKind::ALL
        .iter()
        .filter(|k| spans.iter().any(|s| s.kind == **k))
        .map(|k| k.type_name())
        .collect();
    Some(kinds.join(","))
}

/// Screen every item of a batch across the machine's cores: for each item, what
/// [`screen_item`] found. Public so the import benchmark can time it on its own.
pub fn screen_items(items: &[BatchItem]) -> Vec<Option<String>> {
    crate::par::map(items, 256, |i| screen_item(&i.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_text_passes_and_raw_personal_data_is_named_by_kind() {
        assert_eq!(
            screen_item("My card [CARD_1] has not arrived, [NAME_1] here"),
            None
        );
        assert_eq!(screen_item("Where is my refund? It has been a week."), None);
        // Links and order numbers are not screened.
        assert_eq!(
            screen_item("Order ACME-123456 on https://shop.example.com"),
            None
        );
        let found = screen_item("Hi, this is Jane Doe, write to jane.doe@example.com").unwrap();
        assert_eq!(found, "PERSON,EMAIL_ADDRESS");
        assert!(!found.contains("jane"));
    }
}
