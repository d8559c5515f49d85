//! Large name gazetteers: 27,000 given names and 109,000 surnames with how common each is,
//! from the US Census 1990 frequency lists and the 86 locales of Faker's person provider
//! (both shipped in MIT-licensed packages on the Python registry; `gazetteer/SOURCES.md`
//! and `scripts/build-gazetteer.py`, which rebuilds the files byte for byte).
//!
//! Why a second set of lists beside `lexicon.rs`: those small lists decide how much
//! evidence a cue phrase needs, and adding every surname in them would turn everyday
//! words ("Card", "Bank", "Young", "May") into names. These large lists are evidence for
//! the statistical tagger (`tagger.rs`), which learns from context how far to trust them.

use super::lexicon::FastHash;
use std::collections::HashMap;
use std::sync::LazyLock;

const GIVEN_TXT: &str = include_str!("gazetteer/given.txt");
const SURNAME_TXT: &str = include_str!("gazetteer/surnames.txt");

/// lowercase word -> given-name tier in bits 0-1, surname tier in bits 2-3 (1 = very
/// common, 2 = common, 3 = rare, 0 = not listed).
static GAZETTEER: LazyLock<HashMap<&'static str, u8, FastHash>> = LazyLock::new(|| {
    let mut m: HashMap<&'static str, u8, FastHash> = HashMap::default();
    m.reserve(140_000);
    for (txt, shift) in [(GIVEN_TXT, 0u8), (SURNAME_TXT, 2u8)] {
        for line in txt.lines() {
            let mut parts = line.split(' ');
            let (Some(word), Some(tier)) = (parts.next(), parts.next()) else {
                continue;
            };
            let tier = tier.parse::<u8>().unwrap_or(3).clamp(1, 3);
            *m.entry(word).or_insert(0) |= tier << shift;
        }
    }
    m
});

/// Parse the lists now (so the first message does not pay for it).
pub(super) fn warm_up() {
    LazyLock::force(&GAZETTEER);
}

/// What the gazetteers say about a lowercase word (see [`GAZETTEER`] for the bits).
#[inline]
pub(super) fn lookup(lw: &str) -> u8 {
    GAZETTEER.get(lw).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::lookup;

    #[test]
    fn tiers_follow_the_census_ranks() {
        assert_eq!(lookup("james") & 3, 1, "a top given name is tier 1");
        assert_eq!((lookup("smith") >> 2) & 3, 1, "a top surname is tier 1");
        assert_eq!(lookup("qqqzzz"), 0);
        assert!(
            lookup("kowalski") >> 2 != 0,
            "Faker's Polish surnames are in"
        );
        assert!(
            lookup("aadhya") & 3 != 0,
            "Faker's Indian given names are in"
        );
    }
}
