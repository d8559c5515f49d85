//! Ed25519 batch verification for ledgers, where many signatures share very few keys.
//!
//! A ledger export carries one device signature per entry and one hub signature per
//! receipt: two keys for hundreds of thousands of signatures. The usual batch equation
//!
//! ```text
//! (−Σ zᵢsᵢ)·B + Σ zᵢ·Rᵢ + Σ (zᵢkᵢ)·Aᵢ = 0,   kᵢ = SHA-512(Rᵢ ‖ Aᵢ ‖ Mᵢ) mod ℓ
//! ```
//!
//! has one term per signature for the keys `Aᵢ`; when the keys repeat, their scalars
//! can be summed first, so the multi-scalar multiplication has about half the points.
//! The random weights `zᵢ` are 128-bit and odd, so a small-order component in any
//! signature can never cancel out. Encodings a strict single verification refuses
//! (non-canonical `s`, non-canonical `R`) are refused here too.
//!
//! A batch only says "all valid" or "at least one invalid"; callers that must name the
//! culprit check one by one with [`crate::identity::verify`], which is authoritative.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest, Sha512};

/// One signature to check: the signed message, the signature, and which of the batch's
/// keys should have made it.
#[derive(Debug, Clone, Copy)]
pub struct SigCheck<'a> {
    /// The signed message.
    pub msg: &'a [u8],
    /// `R ‖ s`, 64 bytes.
    pub sig: [u8; 64],
    /// Index into the key list passed to [`verify_grouped`].
    pub key: usize,
}

/// Why a batch could not even be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchSigError {
    /// Key number `.0` is not a valid Ed25519 public key.
    #[error("key {0} is not an Ed25519 public key")]
    BadKey(usize),
    /// A `SigCheck` names a key that is not in the list.
    #[error("signature {0} names an unknown key")]
    UnknownKey(usize),
    /// The system random number generator failed.
    #[error("no system randomness for batch verification")]
    NoRandomness,
}

/// Whether a 32-byte point encoding is the unique (canonical) encoding of its point:
/// `y < p` and no sign bit on a point whose `x` is 0 (y = ±1).
fn canonical_point(b: &[u8; 32]) -> bool {
    let mut y = *b;
    let sign = y[31] >> 7;
    y[31] &= 0x7f;
    // y ≥ p = 2²⁵⁵ − 19 only for the 19 values 0x7fff…ffed ..= 0x7fff…ffff.
    let high_all_ones = y[1..31].iter().all(|&x| x == 0xff) && y[31] == 0x7f;
    if high_all_ones && y[0] >= 0xed {
        return false;
    }
    if sign == 1 {
        let one = {
            let mut o = [0u8; 32];
            o[0] = 1;
            o
        };
        let minus_one = {
            let mut m = [0xffu8; 32];
            m[0] = 0xec;
            m[31] = 0x7f;
            m
        };
        if y == one || y == minus_one {
            return false;
        }
    }
    true
}

/// Check every signature in one multi-scalar multiplication, with the terms of equal
/// keys grouped. `Ok(true)` means every signature is valid; `Ok(false)` means at least
/// one is not (check one by one to find it).
pub fn verify_grouped(keys: &[[u8; 32]], items: &[SigCheck<'_>]) -> Result<bool, BatchSigError> {
    let points: Vec<EdwardsPoint> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            if !canonical_point(k) {
                return Err(BatchSigError::BadKey(i));
            }
            CompressedEdwardsY(*k)
                .decompress()
                .ok_or(BatchSigError::BadKey(i))
        })
        .collect::<Result<_, _>>()?;
    if let Some(i) = items.iter().position(|it| it.key >= keys.len()) {
        return Err(BatchSigError::UnknownKey(i));
    }
    if items.is_empty() {
        return Ok(true);
    }
    let mut weights = vec![0u8; 16 * items.len()];
    getrandom::fill(&mut weights).map_err(|_| BatchSigError::NoRandomness)?;
    let mut key_coeff = vec![Scalar::ZERO; keys.len()];
    let mut base_coeff = Scalar::ZERO;
    let mut zs = Vec::with_capacity(items.len());
    let mut rs = Vec::with_capacity(items.len());
    for (it, w) in items.iter().zip(weights.chunks_exact(16)) {
        let mut r_bytes = [0u8; 32];
        r_bytes.copy_from_slice(&it.sig[..32]);
        let mut s_bytes = [0u8; 32];
        s_bytes.copy_from_slice(&it.sig[32..]);
        if !canonical_point(&r_bytes) {
            return Ok(false);
        }
        let Some(r) = CompressedEdwardsY(r_bytes).decompress() else {
            return Ok(false);
        };
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)) else {
            return Ok(false);
        };
        let mut h = Sha512::new();
        h.update(r_bytes);
        h.update(keys[it.key]);
        h.update(it.msg);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        let mut wb = [0u8; 16];
        wb.copy_from_slice(w);
        let z = Scalar::from(u128::from_le_bytes(wb) | 1);
        base_coeff += z * s;
        key_coeff[it.key] += z * k;
        zs.push(z);
        rs.push(r);
    }
    let sum = EdwardsPoint::vartime_multiscalar_mul(
        std::iter::once(-base_coeff).chain(zs).chain(key_coeff),
        std::iter::once(ED25519_BASEPOINT_POINT)
            .chain(rs)
            .chain(points),
    );
    Ok(sum.is_identity())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{self, HubKey};

    /// (message, signature, key index).
    type Signed = (Vec<u8>, [u8; 64], usize);

    fn keys_and_sigs(n: usize) -> (Vec<[u8; 32]>, Vec<Signed>) {
        let a = HubKey::generate().unwrap();
        let b = HubKey::generate().unwrap();
        let keys = vec![
            identity::parse_public_key(&a.public_key()).unwrap(),
            identity::parse_public_key(&b.public_key()).unwrap(),
        ];
        let sigs = (0..n)
            .map(|i| {
                let msg = format!("message {i}").into_bytes();
                let (who, k) = if i % 3 == 0 { (&b, 1) } else { (&a, 0) };
                let sig = who.sign(&msg);
                (msg, sig, k)
            })
            .collect();
        (keys, sigs)
    }

    fn checks(s: &[Signed]) -> Vec<SigCheck<'_>> {
        s.iter()
            .map(|(m, sig, k)| SigCheck {
                msg: m,
                sig: *sig,
                key: *k,
            })
            .collect()
    }

    #[test]
    fn valid_signatures_of_two_keys_verify_together() {
        let (keys, sigs) = keys_and_sigs(300);
        assert_eq!(verify_grouped(&keys, &checks(&sigs)), Ok(true));
        assert_eq!(verify_grouped(&keys, &[]), Ok(true));
    }

    #[test]
    fn any_changed_byte_or_wrong_key_fails_the_batch() {
        let (keys, sigs) = keys_and_sigs(40);
        for victim in [0usize, 17, 39] {
            for byte in [0usize, 5, 31, 32, 40, 63] {
                let mut bad = sigs.clone();
                bad[victim].1[byte] ^= 0x01;
                assert_eq!(
                    verify_grouped(&keys, &checks(&bad)),
                    Ok(false),
                    "sig {victim} byte {byte}"
                );
            }
            let mut bad = sigs.clone();
            bad[victim].0.push(b'!');
            assert_eq!(verify_grouped(&keys, &checks(&bad)), Ok(false));
            let mut bad = sigs.clone();
            bad[victim].2 = 1 - bad[victim].2;
            assert_eq!(verify_grouped(&keys, &checks(&bad)), Ok(false));
        }
    }

    #[test]
    fn non_canonical_s_is_refused_like_a_single_verification() {
        let (keys, sigs) = keys_and_sigs(5);
        let mut bad = sigs.clone();
        // s + ℓ: the same scalar mod ℓ, but not its canonical encoding.
        let l: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for (b, li) in bad[2].1[32..].iter_mut().zip(l) {
            let v = u16::from(*b) + u16::from(li) + carry;
            *b = v as u8;
            carry = v >> 8;
        }
        assert!(!identity::verify(&keys[bad[2].2], &bad[2].0, &bad[2].1));
        assert_eq!(verify_grouped(&keys, &checks(&bad)), Ok(false));
    }

    #[test]
    fn point_encodings_outside_the_canonical_range_are_refused() {
        let mut p_plus_1 = [0xffu8; 32];
        p_plus_1[0] = 0xee;
        p_plus_1[31] = 0x7f;
        assert!(!canonical_point(&p_plus_1));
        let mut y_one_negative = [0u8; 32];
        y_one_negative[0] = 1;
        y_one_negative[31] = 0x80;
        assert!(!canonical_point(&y_one_negative));
        let mut y_one = [0u8; 32];
        y_one[0] = 1;
        assert!(canonical_point(&y_one));
        let (keys, _) = keys_and_sigs(1);
        assert!(canonical_point(&keys[0]));
    }

    #[test]
    fn bad_keys_and_indexes_are_errors_not_verdicts() {
        let (keys, sigs) = keys_and_sigs(3);
        let mut c = checks(&sigs);
        c[1].key = 7;
        assert_eq!(verify_grouped(&keys, &c), Err(BatchSigError::UnknownKey(1)));
        let mut p_plus_1 = [0xffu8; 32];
        p_plus_1[0] = 0xee;
        p_plus_1[31] = 0x7f;
        assert_eq!(
            verify_grouped(&[keys[0], p_plus_1], &checks(&sigs)),
            Err(BatchSigError::BadKey(1))
        );
    }
}
