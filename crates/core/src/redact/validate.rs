//! Checksums and number-plan rules: what separates a real card number or IBAN from any
//! other long run of digits.

/// Luhn (mod-10) check over ASCII digits. Non-digits make the check fail.
pub(super) fn luhn(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        if !d.is_ascii_digit() {
            return false;
        }
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

fn prefix_num(digits: &[u8], n: usize) -> u32 {
    digits
        .iter()
        .take(n)
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
}

/// Does this digit string have the issuer prefix and length of a payment card brand
/// (Visa, Mastercard incl. the 2-series, Amex, Diners, Discover, JCB, UnionPay, Maestro,
/// Mir, RuPay, Troy, Verve)?
pub(super) fn card_brand_ok(digits: &[u8]) -> bool {
    let n = digits.len();
    if !(12..=19).contains(&n) {
        return false;
    }
    let p1 = prefix_num(digits, 1);
    let p2 = prefix_num(digits, 2);
    let p3 = prefix_num(digits, 3);
    let p4 = prefix_num(digits, 4);
    let p6 = prefix_num(digits, 6);
    let len16_19 = (16..=19).contains(&n);
    // Visa
    if p1 == 4 {
        return n == 13 || n == 16 || n == 19;
    }
    // Mastercard 51-55 and 2221-2720; Mir 2200-2204
    if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) {
        return n == 16;
    }
    if (2200..=2204).contains(&p4) {
        return len16_19;
    }
    // Amex
    if p2 == 34 || p2 == 37 {
        return n == 15;
    }
    // Diners Club: 300-305, 3095, 36, 38, 39
    if (300..=305).contains(&p3) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39 {
        return (14..=19).contains(&n);
    }
    // JCB (3528-3589 assigned; the whole 35 block is what most generators and many
    // validators use)
    if p2 == 35 {
        return len16_19;
    }
    // Discover / UnionPay / RuPay / Maestro / Verve in the 6-series
    if p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || p2 == 62 || p2 == 60 {
        return len16_19 || (p2 == 62 && n >= 16);
    }
    if (622_126..=622_925).contains(&p6) {
        return len16_19;
    }
    // Maestro 50, 56-69 (12-19 digits)
    if p2 == 50 || (56..=69).contains(&p2) {
        return n >= 12;
    }
    // UnionPay 81, RuPay 82, Troy 9792
    if p2 == 81 || p2 == 82 || p4 == 9792 {
        return len16_19;
    }
    // UATP (1-series, airline corporate cards) is left out on purpose: in customer
    // messages a 15-digit number starting with 1 is far more often an order id.
    false
}

/// Official IBAN lengths per country (SWIFT IBAN registry, plus the long-standing
/// "partial" members commonly accepted by banks).
pub(super) fn iban_length(country: [u8; 2]) -> Option<usize> {
    let len = match &country {
        b"AD" => 24,
        b"AE" => 23,
        b"AL" => 28,
        b"AO" => 25,
        b"AT" => 20,
        b"AZ" => 28,
        b"BA" => 20,
        b"BE" => 16,
        b"BF" => 28,
        b"BG" => 22,
        b"BH" => 22,
        b"BI" => 27,
        b"BJ" => 28,
        b"BR" => 29,
        b"BY" => 28,
        b"CF" => 27,
        b"CG" => 27,
        b"CH" => 21,
        b"CI" => 28,
        b"CM" => 27,
        b"CR" => 22,
        b"CV" => 25,
        b"CY" => 28,
        b"CZ" => 24,
        b"DE" => 22,
        b"DJ" => 27,
        b"DK" => 18,
        b"DO" => 28,
        b"DZ" => 26,
        b"EE" => 20,
        b"EG" => 29,
        b"ES" => 24,
        b"FI" => 18,
        b"FK" => 18,
        b"FO" => 18,
        b"FR" => 27,
        b"GA" => 27,
        b"GB" => 22,
        b"GE" => 22,
        b"GI" => 23,
        b"GL" => 18,
        b"GQ" => 27,
        b"GR" => 27,
        b"GT" => 28,
        b"GW" => 25,
        b"HN" => 28,
        b"HR" => 21,
        b"HU" => 28,
        b"IE" => 22,
        b"IL" => 23,
        b"IQ" => 23,
        b"IR" => 26,
        b"IS" => 26,
        b"IT" => 27,
        b"JO" => 30,
        b"KM" => 27,
        b"KW" => 30,
        b"KZ" => 20,
        b"LB" => 28,
        b"LC" => 32,
        b"LI" => 21,
        b"LT" => 20,
        b"LU" => 20,
        b"LV" => 21,
        b"LY" => 25,
        b"MA" => 28,
        b"MC" => 27,
        b"MD" => 24,
        b"ME" => 22,
        b"MG" => 27,
        b"MK" => 19,
        b"ML" => 28,
        b"MN" => 20,
        b"MR" => 27,
        b"MT" => 31,
        b"MU" => 30,
        b"MZ" => 25,
        b"NE" => 28,
        b"NI" => 28,
        b"NL" => 18,
        b"NO" => 15,
        b"OM" => 23,
        b"PK" => 24,
        b"PL" => 28,
        b"PS" => 29,
        b"PT" => 25,
        b"QA" => 29,
        b"RO" => 24,
        b"RS" => 22,
        b"RU" => 33,
        b"SA" => 24,
        b"SC" => 31,
        b"SD" => 18,
        b"SE" => 24,
        b"SI" => 19,
        b"SK" => 24,
        b"SM" => 27,
        b"SN" => 28,
        b"SO" => 23,
        b"ST" => 25,
        b"SV" => 28,
        b"TD" => 27,
        b"TG" => 28,
        b"TL" => 23,
        b"TN" => 24,
        b"TR" => 26,
        b"UA" => 29,
        b"VA" => 22,
        b"VG" => 24,
        b"XK" => 20,
        b"YE" => 30,
        _ => return None,
    };
    Some(len)
}

/// ISO 13616 mod-97 check over an IBAN's alphanumerics (any case, no separators).
pub(super) fn iban_mod97(chars: &[u8]) -> bool {
    if chars.len() < 5 {
        return false;
    }
    let mut rem: u32 = 0;
    let rotated = chars[4..].iter().chain(&chars[..4]);
    for &c in rotated {
        let c = c.to_ascii_uppercase();
        if c.is_ascii_digit() {
            rem = (rem * 10 + u32::from(c - b'0')) % 97;
        } else if c.is_ascii_uppercase() {
            let v = u32::from(c - b'A') + 10;
            rem = (rem * 100 + v) % 97;
        } else {
            return false;
        }
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_numbers() {
        assert!(luhn(b"4111111111111111"));
        assert!(luhn(b"378282246310005"));
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b""));
    }

    #[test]
    fn brands() {
        assert!(card_brand_ok(b"4111111111111111"));
        assert!(card_brand_ok(b"2221000000000009"));
        assert!(card_brand_ok(b"378282246310005"));
        assert!(card_brand_ok(b"30569309025904"));
        assert!(!card_brand_ok(b"7111111111111111"));
        assert!(!card_brand_ok(b"411111111111"));
    }

    #[test]
    fn iban_checks() {
        assert!(iban_mod97(b"GB82WEST12345698765432"));
        assert!(iban_mod97(b"de89370400440532013000"));
        assert!(!iban_mod97(b"GB82WEST12345698765433"));
        assert_eq!(iban_length(*b"DE"), Some(22));
        assert_eq!(iban_length(*b"XX"), None);
    }
}
