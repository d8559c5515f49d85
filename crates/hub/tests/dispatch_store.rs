//! A dispatch of many copies on every store, past the number of rows the stores write or
//! read per statement: the texts come back in the order asked for, the intents are the
//! distinct ones sorted, every copy is stored in dispatch order, and the overlap checks
//! still refuse a dispatch as a whole.

use labelvault_core::batch::Reason;
use labelvault_core::pipeline::Message;
use labelvault_hub::error::HubError;
use labelvault_hub::store::{self, DispatchBatch, NewBatch, NewCopy, ShownPrediction};

mod common;
use common::Backend;

on_both_stores!(a_large_dispatch_is_stored_in_order_and_checked_as_a_whole);
on_both_stores!(the_candidate_read_leaves_out_only_what_no_tier_can_take);

/// More than one statement's worth of rows on PostgreSQL (10,000).
const MESSAGES: usize = 12_000;

fn message(i: usize) -> Message {
    Message {
        message_id: format!("m{i:05}"),
        text: format!("text of message {i}"),
        company: "co".into(),
        channel: "chat".into(),
        received_at: 1_000 + i as i64,
        model_intent: format!("i{}", i % 7),
        confidence: 0.5,
        probabilities: vec![(format!("i{}", i % 7), 0.5)],
        reported_false_positive: false,
        training_consent: true,
        model_version: "v1".into(),
        language: None,
    }
}

fn batch(k: usize, device: &str, messages: &[usize]) -> DispatchBatch {
    let item_ids: Vec<String> = messages.iter().map(|i| format!("it_{k}_{i:05}")).collect();
    DispatchBatch {
        batch: NewBatch {
            batch_id: format!("b_{k}"),
            device_id: device.to_string(),
            created_at: 10,
            expires_at: 1_000_000,
            bytes: vec![k as u8; 64],
            item_ids: item_ids.clone(),
            item_chars: messages.iter().map(|_| 20).collect(),
            item_texts: messages.iter().map(|i| format!("redacted {i}")).collect(),
            intents: (0..7).map(|i| format!("i{i}")).collect(),
        },
        copies: item_ids
            .into_iter()
            .zip(messages)
            .map(|(item_id, &i)| NewCopy {
                item_id,
                message_id: message(i).message_id,
                gold: false,
                reason: Reason::LowConfidence,
                prediction: Some(ShownPrediction {
                    model_version: "v1".into(),
                    model_intent: format!("i{}", i % 7),
                    confidence: 0.5,
                }),
            })
            .collect(),
        lease_expires_at: 1_000_000,
    }
}

fn a_large_dispatch_is_stored_in_order_and_checked_as_a_whole(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let st = store::open(&b.url(dir.path())).expect("open store");
    let mut devices = Vec::new();
    for n in 0..2u8 {
        let code = hex::encode(ring::digest::digest(&ring::digest::SHA256, &[n]));
        st.create_annotator("a", &code, i64::MAX)
            .expect("annotator");
        let mut key = [0u8; 32];
        key[0] = n;
        devices.push(st.enroll(&code, 1, &key, "age1x").expect("enroll"));
    }
    let all: Vec<Message> = (0..MESSAGES).map(message).collect();
    for chunk in all.chunks(5_000) {
        st.insert_messages(chunk, 1).expect("ingest");
    }
    st.set_gold(&[("m00003".into(), "only_gold".into())])
        .expect("gold");

    // Texts in the order asked for (not the stored order), across statements.
    let ids: Vec<String> = (0..MESSAGES).rev().map(|i| message(i).message_id).collect();
    let texts = st.messages_by_id(&ids).expect("texts");
    assert_eq!(texts.len(), MESSAGES);
    for (id, m) in ids.iter().zip(&texts) {
        assert_eq!(&m.message_id, id);
        assert_eq!(
            m.text,
            format!("text of message {}", &id[1..].parse::<usize>().unwrap())
        );
    }
    let unknown = st
        .messages_by_id(&["m00001".into(), "nope".into()])
        .unwrap_err();
    assert!(
        matches!(
            unknown,
            HubError::NotFound {
                code: "unknown_message",
                ..
            }
        ),
        "{unknown}"
    );

    // Every intent the messages and gold answers mention, once, sorted.
    let mut want: Vec<String> = (0..7).map(|i| format!("i{i}")).collect();
    want.push("only_gold".into());
    assert_eq!(st.known_intents().expect("intents"), want);

    // Every message to both devices (overlap 2): 24,000 copies, in dispatch order.
    let order: Vec<usize> = (0..MESSAGES).filter(|&i| i != 3).rev().collect();
    let batches = [batch(0, &devices[0], &order), batch(1, &devices[1], &order)];
    st.store_dispatch(&batches, 2, 10).expect("dispatch");
    let status = st.pipeline_status().expect("status");
    assert_eq!(status.open_copies as usize, 2 * order.len());
    let stored: Vec<String> = st
        .items_jsonl()
        .expect("items")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["item_id"].as_str().expect("item id").to_string()
        })
        .collect();
    let sent: Vec<String> = batches
        .iter()
        .flat_map(|d| d.batch.item_ids.iter().cloned())
        .collect();
    assert_eq!(stored, sent, "copies are listed in dispatch order");

    // One more copy of a message to a device that holds one: refused as a whole, even
    // with a good batch before it.
    let again = [batch(3, &devices[0], &[3]), batch(4, &devices[1], &[5])];
    let refused = st.store_dispatch(&again, 2, 10).unwrap_err();
    assert!(
        matches!(
            refused,
            HubError::Conflict {
                code: "pool_changed",
                ..
            }
        ),
        "{refused}"
    );
    let status = st.pipeline_status().expect("status");
    assert_eq!(
        status.open_copies as usize,
        2 * order.len(),
        "nothing was stored"
    );
    assert_eq!(st.batch_file("b_3").expect("batch"), None);

    // A batch for a revoked device: refused as a whole too.
    st.revoke(&devices[1], 20).expect("revoke");
    let late = [batch(5, &devices[0], &[3]), batch(6, &devices[1], &[3])];
    let refused = st.store_dispatch(&late, 2, 30).unwrap_err();
    assert!(
        matches!(
            refused,
            HubError::Conflict {
                code: "revoked",
                ..
            }
        ),
        "{refused}"
    );
    assert_eq!(st.batch_file("b_5").expect("batch"), None);
}

/// The candidate read a dispatch makes returns in full only the messages some tier of
/// selection can take (reported false positives, confidence below the bound, a newly
/// onboarded company's) and counts the rest: the pool chosen from it is the pool chosen
/// from every candidate, message for message, and the count is every candidate's.
fn the_candidate_read_leaves_out_only_what_no_tier_can_take(b: Backend) {
    use labelvault_core::pipeline::select::{select, SelectionConfig, Strategy};
    let dir = tempfile::tempdir().unwrap();
    let st = store::open(&b.url(dir.path())).expect("open store");
    let code = hex::encode(ring::digest::digest(&ring::digest::SHA256, b"c"));
    st.create_annotator("a", &code, i64::MAX)
        .expect("annotator");
    let device = st.enroll(&code, 1, &[7u8; 32], "age1x").expect("enroll");
    let n = 3_000;
    let all: Vec<Message> = (0..n)
        .map(|i| Message {
            company: ["old", "newco", "other"][i % 3].into(),
            channel: ["chat", "email"][i % 2].into(),
            received_at: 1_000 + (i as i64 * 37) % 5_000,
            confidence: ((i * 7919) % 1000) as f64 / 1000.0,
            reported_false_positive: i % 97 == 0,
            ..message(i)
        })
        .collect();
    st.insert_messages(&all, 1).expect("ingest");
    st.set_company("newco", true, 1).expect("company");
    // Messages that already hold a copy (overlap 1): no longer candidates, selectable
    // or not.
    let held: Vec<usize> = (0..n).step_by(11).collect();
    let mut one = batch(0, &device, &held);
    for (c, &i) in one.copies.iter_mut().zip(&held) {
        c.prediction = Some(ShownPrediction {
            model_version: "v1".into(),
            model_intent: format!("i{}", i % 7),
            confidence: all[i].confidence,
        });
    }
    st.store_dispatch(&[one], 1, 10).expect("dispatch");

    let query = |selectable_below| store::CandidateQuery {
        from: 1_000,
        to: 4_000,
        overlap: 1,
        now: 20,
        with_probabilities: false,
        selectable_below,
    };
    let every = st.candidates(&query(None)).expect("every candidate");
    let some = st
        .candidates(&query(Some(0.4)))
        .expect("selectable candidates");
    assert_eq!(every.new_companies, vec!["newco".to_string()]);
    assert_eq!(some.new_companies, every.new_companies);
    assert_eq!(every.in_window, every.messages.len());
    assert_eq!(
        some.in_window, every.in_window,
        "the rest are still counted"
    );
    assert!(every.messages.iter().all(|m| !m.message_id.is_empty()));
    let can_take =
        |m: &&Message| m.reported_false_positive || m.confidence < 0.4 || m.company == "newco";
    let want: Vec<&Message> = every.messages.iter().filter(can_take).collect();
    assert!(
        want.len() < every.messages.len() && !want.is_empty(),
        "the set has both kinds"
    );
    assert_eq!(some.messages.iter().collect::<Vec<_>>(), want);
    assert_eq!(some.holders.len(), some.messages.len());

    let cfg = SelectionConfig {
        window: (1_000, 4_000),
        strategy: Strategy::LeastConfidence,
        low_confidence_budget: 150,
        max_confidence: 0.4,
        per_intent_cap: 30,
        new_companies: every.new_companies.clone(),
        sample_per_company: 40,
        seed: 3,
        label_error_budget: 0,
    };
    let picked = |c: &store::Candidates| {
        select(&c.messages, &cfg)
            .entries
            .iter()
            .map(|e| (c.messages[e.index].message_id.clone(), e.reason))
            .collect::<Vec<_>>()
    };
    let from_every = picked(&every);
    assert!(from_every.len() > 100, "{}", from_every.len());
    assert_eq!(picked(&some), from_every);
}
