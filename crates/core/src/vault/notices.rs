//! Carrying out the hub's notices: erase items (a customer's erasure request) or mask
//! spans of their text (personal data confirmed after the copy was sealed). Each notice
//! is applied in one transaction and is idempotent, so a crash before the device's
//! acknowledgement only means it is applied again, harmlessly, at the next sync.

use super::Vault;
use crate::error::VaultError;
use crate::protocol::{Notice, NoticeKind};
use rusqlite::params;

/// The character a masked code point becomes: one for one, so that the text keeps its
/// length and every span an annotator marks keeps its meaning.
pub const MASK_CHAR: char = '█';

/// What applying one notice changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct NoticeEffect {
    /// Items deleted (with their labels).
    pub erased: u64,
    /// Items whose text had spans masked.
    pub masked: u64,
}

/// `text` with the code points inside `spans` replaced by [`MASK_CHAR`]; spans past the
/// end are cut at the end.
pub fn mask_spans(text: &str, spans: &[crate::labels::Span]) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            let i = i as u32;
            if spans.iter().any(|s| s.start <= i && i < s.end) {
                MASK_CHAR
            } else {
                c
            }
        })
        .collect()
}

impl Vault {
    /// Apply one notice. An erasure deletes the items, their labels (sent or not: the
    /// message no longer exists) and any held-back record of them; a mask rewrites their
    /// text. Items the vault does not hold (never imported, or purged already) are
    /// skipped.
    pub fn apply_notice(&mut self, n: &Notice) -> Result<NoticeEffect, VaultError> {
        let tx = self.conn.transaction()?;
        let mut effect = NoticeEffect::default();
        for item in &n.items {
            match n.kind {
                NoticeKind::Erase => {
                    tx.execute(
                        "DELETE FROM label_events WHERE item_id = ?1",
                        [&item.item_id],
                    )?;
                    let gone = tx
                        .execute("DELETE FROM items WHERE item_id = ?1", [&item.item_id])?
                        + tx.execute("DELETE FROM quarantine WHERE item_id = ?1", [&item.item_id])?;
                    effect.erased += u64::from(gone > 0);
                }
                NoticeKind::Mask => {
                    let text: Option<String> =
                        rusqlite::OptionalExtension::optional(tx.query_row(
                            "SELECT text FROM items WHERE item_id = ?1",
                            [&item.item_id],
                            |r| r.get(0),
                        ))?;
                    if let Some(text) = text {
                        let masked = mask_spans(&text, &item.spans);
                        if masked != text {
                            tx.execute(
                                "UPDATE items SET text = ?2 WHERE item_id = ?1",
                                params![item.item_id, masked],
                            )?;
                            effect.masked += 1;
                        }
                    }
                }
            }
        }
        tx.commit()?;
        Ok(effect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Span;

    #[test]
    fn masking_keeps_the_length_in_code_points() {
        let t = "Zoë Quenton paid €5";
        let m = mask_spans(t, &[Span { start: 0, end: 3 }, Span { start: 4, end: 11 }]);
        assert_eq!(m, "███ ███████ paid €5");
        assert_eq!(m.chars().count(), t.chars().count());
        assert_eq!(
            mask_spans(t, &[Span { start: 17, end: 99 }]),
            "Zoë Quenton paid ██"
        );
    }
}
