//! Reconciling a device ledger with the hub's inbound ledger (`ledger::reconcile`).
//! The input is the device JSONL, a line `---`, then the hub JSONL.
//!
//! Asserts: no panic; deterministic; every upload is either matched or listed on one
//! side only; `is_clean` means nothing is listed; missing entries are listed once, in
//! order.
#![no_main]

use labelvault_core::ledger;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (device, hub) = match text.split_once("\n---\n") {
        Some((d, h)) => (d, h),
        None => (text, ""),
    };
    let r = ledger::reconcile(device, hub, None);
    assert_eq!(r, ledger::reconcile(device, hub, None), "not deterministic");
    if let Ok(r) = r {
        let hub_lines = hub.lines().filter(|l| !l.trim().is_empty()).count();
        let device_lines = device.lines().filter(|l| !l.trim().is_empty()).count();
        assert!(r.matched as usize + r.only_on_hub.len() <= hub_lines);
        assert!(r.matched as usize + r.only_on_device.len() <= device_lines);
        assert_eq!(
            r.is_clean(),
            r.only_on_device.is_empty()
                && r.only_on_hub.is_empty()
                && r.receipts_only_on_device.is_empty()
                && r.receipts_only_on_hub.is_empty()
                && r.missing_from_device.is_empty()
        );
        assert!(r.missing_from_device.windows(2).all(|w| w[0] < w[1]));
        assert!(r.only_on_device.windows(2).all(|w| w[0] <= w[1]));
    }
});
