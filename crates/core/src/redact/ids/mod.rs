//! National identity, tax and travel-document numbers: one recognizer per file, each
//! with its format, its cue words and its check-digit rule. Their verdicts are checked
//! against python-stdnum, a reference implementation nobody here wrote
//! (`tests/system/tests/national_ids.rs`).

pub mod br_cpf;
pub mod de_tax_id;
pub mod ee_isikukood;
pub mod es_nif;
pub mod fi_hetu;
pub mod fr_nir;
pub mod gb_nino;
pub mod it_fiscal_code;
pub mod lt_asmens_kodas;
pub mod nl_bsn;
pub mod pl_pesel;
pub mod ro_cnp;
pub mod se_personnummer;
pub mod tr_tckn;
pub mod travel_document;
pub mod us_ssn;

/// The digits of `s` as numbers 0–9, or `None` if any byte is not an ASCII digit: the
/// check-digit rules work on digit values, and a stray character must fail them.
pub(crate) fn digit_values(s: impl AsRef<[u8]>) -> Option<Vec<u32>> {
    s.as_ref()
        .iter()
        .map(|&b| b.is_ascii_digit().then(|| u32::from(b - b'0')))
        .collect()
}

/// The number written by `d` (digit values), most significant first: the date fields
/// the identity numbers embed.
pub(crate) fn number(d: &[u32]) -> u32 {
    d.iter().fold(0, |acc, &x| acc * 10 + x)
}

/// Whether `year-month-day` is a date of the proleptic Gregorian calendar: most identity
/// numbers embed a birth date, and an impossible one marks a number that is not one.
pub(crate) fn valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_and_digits() {
        assert!(super::valid_date(2000, 2, 29) && !super::valid_date(1900, 2, 29));
        assert!(super::valid_date(2024, 12, 31) && !super::valid_date(2024, 4, 31));
        assert!(!super::valid_date(2024, 0, 1) && !super::valid_date(2024, 13, 1));
        assert!(!super::valid_date(2024, 1, 0));
        assert_eq!(super::digit_values("09"), Some(vec![0, 9]));
        assert_eq!(super::digit_values("0x"), None);
        assert_eq!(super::number(&[1, 9, 8, 5]), 1985);
    }
}
