//! `.lvbatch` reader: framing, signature, recipient, expiry, age decryption, payload
//! JSON, validation and header/payload agreement.
//!
//! Each input is opened twice: as it is (only an untouched seed can pass the signature
//! check), and re-signed with the pinned test hub key, so that every check behind the
//! signature sees the mutated header and ciphertext too.
//!
//! Asserts: no panic; whatever opens is valid, sealed to this device, unexpired, and its
//! header agrees with its payload and with `read_header`.
#![no_main]

use labelvault_core::batch::{self, OpenedBatch};
use labelvault_fuzz::{keys, DEVICE_RECIPIENT, NOW};
use libfuzzer_sys::fuzz_target;

/// Domain tag of the hub's batch signature (docs/batch-format.md).
const SIG_CONTEXT: &[u8] = b"labelvault/batch/v1\0";

fn trusted(id: &str) -> Option<[u8; 32]> {
    let k = keys();
    (id == k.hub.key_id()).then_some(k.hub_public)
}

fn sha256(b: &[u8]) -> [u8; 32] {
    ring::digest::digest(&ring::digest::SHA256, b)
        .as_ref()
        .try_into()
        .unwrap()
}

fn check_opened(bytes: &[u8], o: &OpenedBatch) {
    o.payload.validate().expect("an opened batch validates");
    assert_eq!(batch::read_header(bytes).expect("header"), o.header);
    assert_eq!(o.header.recipient, DEVICE_RECIPIENT);
    assert!(o.header.expires_at > NOW);
    assert_eq!(o.header.item_count, o.payload.items.len() as u64);
    assert_eq!(o.header.batch_id, o.payload.batch_id);
    assert_eq!(o.content_sha256, sha256(&bytes[..bytes.len() - 64]));
}

fuzz_target!(|data: &[u8]| {
    let k = keys();
    let header = batch::read_header(data);
    if let Ok(o) = batch::open(data, &trusted, &k.age, NOW) {
        check_opened(data, &o);
    }
    if header.is_ok() {
        // A readable frame always ends in a 64-byte signature: replace it.
        let mut v = data.to_vec();
        let n = v.len() - 64;
        let mut msg = SIG_CONTEXT.to_vec();
        msg.extend_from_slice(&sha256(&v[..n]));
        v[n..].copy_from_slice(&k.hub.sign(&msg));
        match batch::open(&v, &trusted, &k.age, NOW) {
            Ok(o) => check_opened(&v, &o),
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
