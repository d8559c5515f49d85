//! Signatures agree with strict verifiers (libsodium's `crypto_sign_verify_detached`):
//! the published edge-case vectors of "Taming the many EdDSAs" (Chalkias, Garillot,
//! Nikolaenko, 2020), and ledgers of every size in which some entries carry a signature
//! whose `R` has a small-order component — valid under the cofactored (batch) equation,
//! invalid under the cofactorless one that libsodium, OpenSSL and `ring` use.

use crate::identity::{self, DeviceIdentity};
use crate::ledger::{self, LedgerLine, GENESIS};
use base64::Engine as _;
use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};

/// The edge cases of github.com/novifinancial/ed25519-speccheck (`cases.json` at commit
/// d2b2ba58): (message, public key, signature) in hex. The expected verdicts below were
/// produced by libsodium 1.0.18 (PyNaCl) and OpenSSL 3 (`cryptography`): libsodium
/// accepts case 6 only; OpenSSL also accepts 1, 3, 5 and 14 (small-order or mixed-order
/// keys and `R`s), which a strict verifier refuses.
const SPECCHECK: &[(&str, &str, &str)] = &[
    ("2a66241a42a9ee12994d8068dcf1bb7dfc6637b45450acd43711f637fa5080fc", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000"),
    ("8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000"),
    ("9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"),
    ("9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"),
    ("9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa182ef1a5b928da07fec769cc8a12db6bcf70dab3f3227fa315e9d5e3e01a3405"),
    ("aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e"),
    ("9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009"),
    ("e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09"),
    ("e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d", "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405"),
    ("85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623", "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514"),
    ("85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623", "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22"),
    ("9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f"),
    ("9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908"),
    ("e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"),
    ("39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04"),
];

/// libsodium's verdict on each case above.
const LIBSODIUM_ACCEPTS: &[usize] = &[6];

fn unhex<const N: usize>(s: &str) -> [u8; N] {
    hex::decode(s).unwrap().try_into().unwrap()
}

#[test]
fn the_speccheck_vectors_get_libsodiums_verdicts() {
    for (i, (m, pk, sig)) in SPECCHECK.iter().enumerate() {
        let (pk, m, sig) = (unhex::<32>(pk), hex::decode(m).unwrap(), unhex::<64>(sig));
        let expected = LIBSODIUM_ACCEPTS.contains(&i);
        assert_eq!(
            identity::verify(&pk, &m, &sig),
            expected,
            "speccheck case {i}"
        );
        // The prepared-key path used by `audit verify`: same verdict (an unusable key
        // cannot even be prepared).
        let prepared = identity::StrictKey::new(&pk).is_some_and(|k| k.verify(&m, &sig));
        assert_eq!(prepared, expected, "speccheck case {i}, prepared key");
    }
}

/// The prepared-key verifier and `identity::verify` (ring's equation with libsodium's
/// checks) agree on valid signatures and on single-bit changes of signature or message,
/// on non-canonical `s` (s + ℓ) and on torsion components in R.
#[test]
fn the_prepared_key_agrees_with_the_single_verifier() {
    let ell: [u8; 32] =
        hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
            .unwrap()
            .try_into()
            .unwrap();
    for round in 0..6u32 {
        let id = DeviceIdentity::generate().unwrap();
        let pk = identity::parse_public_key(&id.public().signing_key).unwrap();
        let key = identity::StrictKey::new(&pk).unwrap();
        let msg = format!("message {round}").into_bytes();
        let good = id.sign(&msg);
        assert!(key.verify(&msg, &good) && identity::verify(&pk, &msg, &good));
        for bit in (0..512).step_by(7) {
            let mut bad = good;
            bad[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                key.verify(&msg, &bad),
                identity::verify(&pk, &msg, &bad),
                "bit {bit}"
            );
            let mut m2 = msg.clone();
            m2[bit % msg.len()] ^= 1;
            assert!(!key.verify(&m2, &good) && !identity::verify(&pk, &m2, &good));
        }
        // s + ℓ: the same point equation, but a non-canonical scalar; both refuse.
        let mut high = good;
        let mut carry = 0u16;
        for i in 0..32 {
            let v = high[32 + i] as u16 + ell[i] as u16 + carry;
            high[32 + i] = v as u8;
            carry = v >> 8;
        }
        assert!(!key.verify(&msg, &high) && !identity::verify(&pk, &msg, &high));
        for t in 0..8 {
            let sig = sign_with_torsion(&id, &msg, t);
            assert_eq!(key.verify(&msg, &sig), t == 0, "torsion {t}");
            assert_eq!(identity::verify(&pk, &msg, &sig), t == 0, "torsion {t}");
        }
    }
}

#[test]
fn every_small_order_encoding_is_refused_as_a_key() {
    // Every encoding of the identity (y = 1, y = p + 1), of the order-2 point (y = p − 1)
    // and of the order-4 points (y = 0, y = p), with either sign bit, is refused as a key.
    for enc in [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    ] {
        assert!(!identity::usable_public_key(&unhex::<32>(enc)), "{enc}");
    }
    let good = DeviceIdentity::generate().unwrap();
    let pk = identity::parse_public_key(&good.public().signing_key).unwrap();
    assert!(identity::usable_public_key(&pk));
}

/// The Ed25519 secret scalar and nonce prefix of a ring-generated device key (its
/// PKCS#8 v2 document holds the 32-byte seed at bytes 16..48).
fn expanded(id: &DeviceIdentity) -> (Scalar, [u8; 32]) {
    let seed = &id.signing_pkcs8()[16..48];
    let h = Sha512::digest(seed);
    let mut a: [u8; 32] = h[..32].try_into().unwrap();
    a[0] &= 248;
    a[31] &= 127;
    a[31] |= 64;
    (Scalar::from_bytes_mod_order(a), h[32..].try_into().unwrap())
}

/// A signature by `id` over `msg` whose `R` is `[r]B + T` for the torsion point
/// `EIGHT_TORSION[t]`: with t = 0 an ordinary signature; otherwise it satisfies
/// the cofactored equation but not the cofactorless one.
fn sign_with_torsion(id: &DeviceIdentity, msg: &[u8], t: usize) -> [u8; 64] {
    let (a, prefix) = expanded(id);
    let pk = identity::parse_public_key(&id.public().signing_key).unwrap();
    let wide = |h: sha2::digest::Output<Sha512>| {
        let b: [u8; 64] = h.into();
        Scalar::from_bytes_mod_order_wide(&b)
    };
    let r = wide(
        Sha512::new()
            .chain_update(prefix)
            .chain_update(msg)
            .finalize(),
    );
    let big_r = (ED25519_BASEPOINT_POINT * r + EIGHT_TORSION[t]).compress();
    let k = wide(
        Sha512::new()
            .chain_update(big_r.as_bytes())
            .chain_update(pk)
            .chain_update(msg)
            .finalize(),
    );
    let s = r + k * a;
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(big_r.as_bytes());
    sig[32..].copy_from_slice(s.as_bytes());
    sig
}

#[test]
fn the_torsion_signer_is_right_and_strict_verification_refuses_its_torsion() {
    let id = DeviceIdentity::generate().unwrap();
    let pk = identity::parse_public_key(&id.public().signing_key).unwrap();
    let plain = sign_with_torsion(&id, b"m", 0);
    assert_eq!(
        plain,
        id.sign(b"m"),
        "matches ring's deterministic signature"
    );
    assert!(identity::verify(&pk, b"m", &plain));
    for t in 1..8 {
        assert!(
            !identity::verify(&pk, b"m", &sign_with_torsion(&id, b"m", t)),
            "torsion {t}"
        );
    }
}

/// A ledger of `n` entries (alternately `GET /v1/batches` and a batch download) whose
/// entries at `bad` are signed with an order-2 (t = 4) or order-8 torsion component in R.
fn ledger_with(id: &DeviceIdentity, n: u64, bad: &[u64], t: usize) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut prev = GENESIS;
    let mut out = String::new();
    for seq in 1..=n {
        let path = if seq % 2 == 0 {
            format!("/v1/batches/b_{seq:032x}")
        } else {
            "/v1/batches".to_string()
        };
        let (mut line, h) = LedgerLine::signed(
            id,
            seq,
            &prev,
            1_763_800_000_000 + seq as i64,
            ("http://127.0.0.1:7878", "GET", &path, b""),
        );
        if bad.contains(&seq) {
            line.signature = b64.encode(sign_with_torsion(id, &ledger::signed_message(&h), t));
        }
        out.push_str(&serde_json::to_string(&line).unwrap());
        out.push('\n');
        prev = h;
    }
    out
}

#[test]
fn ledgers_mixing_valid_and_small_order_signatures_fail_at_every_size() {
    let id = DeviceIdentity::generate().unwrap();
    for n in [1u64, 2, 32, 33, 40, 64] {
        let clean = ledger_with(&id, n, &[], 0);
        let report = ledger::verify(&clean, None).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(report.entries, n);
        // One, two (an order-2 pair cancels in a batch sum with odd weights), half, all.
        let mixes: Vec<Vec<u64>> = vec![
            vec![n],
            vec![1, n],
            (1..=n).step_by(2).collect(),
            (1..=n).collect(),
        ];
        for bad in mixes {
            for t in [4usize, 1] {
                let e = ledger::verify(&ledger_with(&id, n, &bad, t), None)
                    .expect_err(&format!("n = {n}, bad = {bad:?}, torsion {t} verified"));
                assert_eq!(e.seq, bad[0], "{e}");
                assert!(e.reason.contains("signature"), "{e}");
            }
        }
    }
}
