//! The leak guard: the last check before any byte leaves the device. It refuses a
//! payload that contains a run of 12 or more bytes, or 3 consecutive words, of any
//! local item's text. Label uploads are built from ids, closed enums and numbers, so
//! the guard should never fire; it exists so that a bug elsewhere cannot become a leak.

use std::collections::HashSet;

/// Shortest byte run of item text that counts as a leak.
pub const MIN_RUN: usize = 12;
/// Shortest run of consecutive words that counts as a leak.
pub const MIN_WORDS: usize = 3;

/// A payload's fingerprints, built once and checked against every item text.
pub struct LeakGuard {
    windows: HashSet<u64>,
    shingles: HashSet<u64>,
}

/// What the guard found (never the matching text itself).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the outbound payload contains text of local item {item_id} ({kind}); nothing was sent")]
pub struct Leak {
    /// The item whose text appeared.
    pub item_id: String,
    /// `12-character run` or `3 consecutive words`.
    pub kind: &'static str,
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn words(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80))
        .filter(|w| !w.is_empty())
}

fn shingle_hash(ws: &[&[u8]]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for w in ws {
        for &b in *w {
            h ^= u64::from(b.to_ascii_lowercase());
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl LeakGuard {
    /// Index a payload.
    pub fn new(payload: &[u8]) -> LeakGuard {
        let mut windows = HashSet::with_capacity(payload.len());
        for w in payload.windows(MIN_RUN) {
            windows.insert(fnv(w));
        }
        let ws: Vec<&[u8]> = words(payload).collect();
        let mut shingles = HashSet::with_capacity(ws.len());
        for s in ws.windows(MIN_WORDS) {
            shingles.insert(shingle_hash(s));
        }
        LeakGuard { windows, shingles }
    }

    /// Whether the payload holds a run of `text`. A 64-bit hash hit counts as found:
    /// on the rare collision the guard refuses, which is the safe side to err on.
    pub fn check(&self, item_id: &str, text: &str) -> Result<(), Leak> {
        let t = text.as_bytes();
        if t.len() >= MIN_RUN {
            for w in t.windows(MIN_RUN) {
                if self.windows.contains(&fnv(w)) {
                    return Err(Leak {
                        item_id: item_id.to_string(),
                        kind: "12-character run",
                    });
                }
            }
        }
        let ws: Vec<&[u8]> = words(t).collect();
        for s in ws.windows(MIN_WORDS) {
            if self.shingles.contains(&shingle_hash(s)) {
                return Err(Leak {
                    item_id: item_id.to_string(),
                    kind: "3 consecutive words",
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_runs_and_word_shingles_and_passes_clean_payloads() {
        let text = "Please refund order for Jane at the Main Street branch";
        let clean = br#"{"upload_id":"u_1","labels":[{"item_id":"it_0123456789abcdef","verdict":"correct","intent_id":"refund_not_showing"}]}"#;
        assert!(LeakGuard::new(clean).check("it_1", text).is_ok());
        let run = br#"{"intent_id":"x refund order fo y"}"#;
        assert_eq!(
            LeakGuard::new(run).check("it_1", text).unwrap_err().kind,
            "12-character run"
        );
        let words = br#"{"a":"x at the MAIN street y"}"#;
        assert_eq!(
            LeakGuard::new(words).check("it_1", text).unwrap_err().kind,
            "3 consecutive words"
        );
        // Two words are not enough, nor 11 bytes.
        assert!(LeakGuard::new(br#"{"a":"Main Street"}"#)
            .check("it_1", "zz1 Main Street zz2")
            .is_ok());
        assert!(LeakGuard::new(b"refund orde").check("it_1", text).is_ok());
    }

    #[test]
    fn error_names_the_item_not_the_text() {
        let e = LeakGuard::new(b"secret phrase here")
            .check("it_7", "a secret phrase here")
            .unwrap_err();
        assert!(e.to_string().contains("it_7"));
        assert!(!e.to_string().contains("secret"));
    }
}
