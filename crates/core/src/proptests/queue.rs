//! The labelling queue against a model: items come out in the seeds' priority (false
//! positives, then low confidence least-confident first, then the random sample; ties
//! in import order), labelled items never come back, and undo returns the item.
//! Uses a real vault (real keyring, real SQLCipher file).

use crate::batch::{self, input::InputItem, Reason};
use crate::identity::HubKey;
use crate::labels::{Decision, Verdict};
use crate::testutil::keys;
use crate::{Profile, Vault};
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
enum Op {
    Label,
    Undo,
}

fn item() -> impl Strategy<Value = (Reason, f64)> {
    (
        prop::sample::select(vec![
            Reason::FalsePositive,
            Reason::LowConfidence,
            Reason::RandomSample,
            Reason::SuspectedLabelError,
        ]),
        // Few distinct values, so that ties are common.
        (0u8..=10).prop_map(|c| f64::from(c) / 10.0),
    )
}

/// The order the seeds ask for: reason rank, then (low confidence only) confidence
/// ascending, then position in the batch.
fn model_key(reason: Reason, confidence: f64, pos: usize) -> (i64, u64, usize) {
    let c = if reason == Reason::LowConfidence {
        confidence
    } else {
        0.0
    };
    (reason.rank(), c.to_bits(), pos)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn queue_order_done_items_and_undo(
        items in prop::collection::vec(item(), 1..25),
        ops in prop::collection::vec(
            prop_oneof![3 => Just(Op::Label), 1 => Just(Op::Undo)], 0..30),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::at(&dir.path().join("p")).unwrap();
        let mut vault = Vault::open(&profile, &keys()).unwrap();
        let hub = HubKey::generate().unwrap();
        vault.trust_hub_key(&hub.public_key()).unwrap();
        let input: Vec<InputItem> = items
            .iter()
            .enumerate()
            .map(|(i, (reason, confidence))| InputItem {
                text: format!("message number {i}"),
                intent: "card_arrival".into(),
                confidence: *confidence,
                reason: *reason,
                alternatives: vec![],
            })
            .collect();
        let now = batch::now_unix();
        let p = batch::input::build_payload(
            input, None, &vault.identity().public().recipient, now, 3600,
        ).unwrap();
        vault.import_batch(&batch::seal(&p, &hub).unwrap(), now).unwrap();
        // Model: pending items sorted by key; a stack of decisions for undo.
        let key_of = |id: &str| {
            let pos = p.items.iter().position(|i| i.item_id == id).unwrap();
            model_key(p.items[pos].reason, p.items[pos].confidence, pos)
        };
        let mut pending: Vec<String> = p.items.iter().map(|i| i.item_id.clone()).collect();
        pending.sort_by_key(|id| key_of(id));
        let mut done: Vec<String> = Vec::new();
        for op in ops {
            match op {
                Op::Label => {
                    let next = vault.next_item().unwrap();
                    prop_assert_eq!(next.as_ref().map(|q| &q.item_id), pending.first());
                    let Some(next) = next else { continue };
                    vault.record(&Decision {
                        item_id: next.item_id.clone(),
                        verdict: Verdict::Correct,
                        intent_id: None,
                        flags: vec![],
                        pii_spans: vec![],
                        duration_ms: 10,
                        also_intents: Vec::new(),
                    }).unwrap();
                    done.push(pending.remove(0));
                }
                Op::Undo => {
                    let undone = vault.undo().unwrap().map(|r| r.item_id);
                    prop_assert_eq!(&undone, &done.pop());
                    if let Some(id) = undone {
                        pending.push(id);
                        pending.sort_by_key(|id| key_of(id));
                    }
                }
            }
            let queue: Vec<String> = vault
                .peek_queue(100)
                .unwrap()
                .into_iter()
                .map(|q| q.item_id)
                .collect();
            prop_assert_eq!(&queue, &pending);
            prop_assert!(queue.iter().all(|id| !done.contains(id)));
        }
    }
}
