//! Vault tests against the real OS keyring and real SQLCipher files. Run them inside a
//! D-Bus session with an unlocked gnome-keyring (scripts/test.sh does this).

use super::*;
use crate::batch::{self, input::InputItem, BatchHeader, BatchPayload, Reason};
use crate::error::BatchError;
use crate::identity::HubKey;
use crate::labels::{Decision, Flag, Span, Verdict};
use crate::testutil::{keys, FailingStore};

fn fresh() -> (tempfile::TempDir, Profile, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::at(&dir.path().join("p")).unwrap();
    let vault = Vault::open(&profile, &keys()).unwrap();
    (dir, profile, vault)
}

fn items(n: usize, marker: &str) -> Vec<InputItem> {
    (0..n)
        .map(|i| InputItem {
            text: format!("message {i} about my card {marker} please help"),
            intent: ["card_arrival", "change_pin", "top_up_failed"][i % 3].into(),
            confidence: ((i * 37) % 100) as f64 / 100.0,
            reason: [
                Reason::RandomSample,
                Reason::LowConfidence,
                Reason::FalsePositive,
            ][i % 3],
            alternatives: vec![batch::Alternative {
                intent: "change_pin".into(),
                confidence: 0.1,
            }],
        })
        .collect()
}

fn sealed_for(vault: &Vault, hub: &HubKey, n: usize, marker: &str) -> (BatchPayload, Vec<u8>) {
    let p = batch::input::build_payload(
        items(n, marker),
        None,
        &vault.identity().public().recipient,
        batch::now_unix(),
        3600,
    )
    .unwrap();
    let bytes = batch::seal(&p, hub).unwrap();
    (p, bytes)
}

fn file_hashes(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn descriptor(profile: &Profile) -> descriptor::Descriptor {
    descriptor::Descriptor::read(&profile.descriptor_path())
        .unwrap()
        .unwrap()
}

#[test]
fn first_run_creates_and_reopen_keeps_identity() {
    let (_d, profile, vault) = fresh();
    let public = vault.identity().public();
    assert_eq!(vault.status().unwrap().schema_version, SCHEMA_VERSION);
    drop(vault);
    let again = Vault::open(&profile, &keys()).unwrap();
    assert_eq!(again.identity().public(), public);
}

#[test]
fn no_plaintext_and_no_key_on_disk() {
    let (_d, profile, mut vault) = fresh();
    let hub = HubKey::generate().unwrap();
    vault.trust_hub_key(&hub.public_key()).unwrap();
    let marker = "ZQXMARKER7731";
    let (p, bytes) = sealed_for(&vault, &hub, 200, marker);
    vault.import_batch(&bytes, batch::now_unix()).unwrap();
    let first = p.items[0].item_id.clone();
    vault
        .record(&Decision {
            item_id: first,
            verdict: Verdict::Correct,
            intent_id: None,
            flags: vec![],
            pii_spans: vec![],
            duration_ms: 10,
            also_intents: Vec::new(),
        })
        .unwrap();
    // Files as they are while the vault is open (WAL not yet checkpointed) and after.
    let key = keys()
        .get(&descriptor(&profile).keyring_account)
        .unwrap()
        .unwrap();
    let key_hex = hex::encode(*key);
    let check = |label: &str| {
        let files = file_hashes(profile.dir());
        assert!(files.iter().any(|(n, _)| n == "vault.db"), "{label}: no db");
        for (name, content) in files {
            for needle in [
                marker.as_bytes(),
                &key[..],
                key_hex.as_bytes(),
                b"message 1 about",
            ] {
                assert!(
                    !content.windows(needle.len()).any(|w| w == needle),
                    "{label}: secret or plaintext found in {name}"
                );
            }
        }
    };
    check("open");
    assert!(profile.dir().join("vault.db-wal").exists());
    drop(vault);
    check("closed");
}

#[test]
fn missing_key_is_refused_and_nothing_changes() {
    let (_d, profile, vault) = fresh();
    drop(vault);
    let before = file_hashes(profile.dir());
    keys()
        .delete(&descriptor(&profile).keyring_account)
        .unwrap();
    let err = Vault::open(&profile, &keys()).unwrap_err();
    assert!(matches!(err, VaultError::KeyMissing { .. }), "{err}");
    assert_eq!(file_hashes(profile.dir()), before);
    // And no new key was created behind our back.
    assert!(keys()
        .get(&descriptor(&profile).keyring_account)
        .unwrap()
        .is_none());
}

#[test]
fn wrong_key_is_refused_and_nothing_changes() {
    let (_d, profile, vault) = fresh();
    drop(vault);
    let before = file_hashes(profile.dir());
    let account = descriptor(&profile).keyring_account;
    let real = keys().get(&account).unwrap().unwrap();
    keys().set(&account, &[7u8; 32]).unwrap();
    let err = Vault::open(&profile, &keys()).unwrap_err();
    assert!(matches!(err, VaultError::WrongKey { .. }), "{err}");
    assert_eq!(file_hashes(profile.dir()), before);
    keys().set(&account, &real).unwrap();
    Vault::open(&profile, &keys()).unwrap();
}

#[test]
fn keyring_unavailable_or_locked_creates_nothing() {
    for store in [FailingStore::Unavailable, FailingStore::Locked] {
        let dir = tempfile::tempdir().unwrap();
        let profile = Profile::at(dir.path()).unwrap();
        let err = Vault::open(&profile, &store).unwrap_err();
        assert!(
            matches!(
                err,
                VaultError::KeyringUnavailable { .. } | VaultError::KeyringLocked { .. }
            ),
            "{err}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "files were created"
        );
    }
    // With an existing vault too: never a new key, never a change to the file.
    let (_d, profile, vault) = fresh();
    drop(vault);
    let before = file_hashes(profile.dir());
    let err = Vault::open(&profile, &FailingStore::Locked).unwrap_err();
    assert_eq!(err.code(), "keyring_locked");
    assert_eq!(file_hashes(profile.dir()), before);
}

fn corrupt_with(f: impl Fn(&mut Vec<u8>)) -> VaultError {
    let (_d, profile, mut vault) = fresh();
    let hub = HubKey::generate().unwrap();
    vault.trust_hub_key(&hub.public_key()).unwrap();
    let (_, bytes) = sealed_for(&vault, &hub, 3000, "x");
    vault.import_batch(&bytes, batch::now_unix()).unwrap();
    vault
        .conn
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(vault);
    let db = profile.db_path();
    let mut content = std::fs::read(&db).unwrap();
    f(&mut content);
    std::fs::write(&db, &content).unwrap();
    let before = file_hashes(profile.dir());
    let err = Vault::open(&profile, &keys()).unwrap_err();
    assert_eq!(file_hashes(profile.dir()), before, "open changed files");
    err
}

#[test]
fn damaged_files_are_reported_as_corrupt() {
    type Damage = Box<dyn Fn(&mut Vec<u8>)>;
    let cases: Vec<(&str, Damage)> = vec![
        (
            "truncated mid-page",
            Box::new(|c: &mut Vec<u8>| c.truncate(c.len() / 2 + 100)),
        ),
        (
            "truncated at a page boundary",
            Box::new(|c: &mut Vec<u8>| c.truncate((c.len() / 2) & !4095)),
        ),
        (
            "first page overwritten",
            Box::new(|c: &mut Vec<u8>| c[100..200].fill(0xAA)),
        ),
        (
            "a middle page overwritten",
            Box::new(|c: &mut Vec<u8>| {
                let at = (c.len() / 2) & !4095;
                c[at + 50..at + 150].fill(0x55)
            }),
        ),
        ("emptied", Box::new(|c: &mut Vec<u8>| c.clear())),
        (
            "plain SQLite",
            Box::new(|c: &mut Vec<u8>| c[..16].copy_from_slice(b"SQLite format 3\0")),
        ),
    ];
    for (name, f) in cases {
        let err = corrupt_with(f);
        assert!(matches!(err, VaultError::Corrupt { .. }), "{name}: {err}");
    }
}

#[test]
fn newer_schema_is_refused() {
    let (_d, profile, vault) = fresh();
    vault
        .conn
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(vault);
    let err = Vault::open(&profile, &keys()).unwrap_err();
    assert!(
        matches!(err, VaultError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
}

#[test]
fn import_refusals_leave_the_vault_unchanged() {
    let (_d, _profile, mut vault) = fresh();
    let hub = HubKey::generate().unwrap();
    vault.trust_hub_key(&hub.public_key()).unwrap();
    let now = batch::now_unix();
    let (good_payload, good) = sealed_for(&vault, &hub, 20, "m");

    let mut tampered = good.clone();
    let mid = tampered.len() / 2;
    tampered[mid] ^= 1;
    let stranger = HubKey::generate().unwrap();
    let (_, foreign_signed) = sealed_for(&vault, &stranger, 5, "m");
    let other = crate::identity::DeviceIdentity::generate().unwrap();
    let mut for_other = good_payload.clone();
    for_other.recipient = other.public().recipient;
    let for_other = batch::seal(&for_other, &hub).unwrap();
    let mut expired = good_payload.clone();
    expired.batch_id = format!("b_{}", "e".repeat(32));
    expired.created_at = now - 7200;
    expired.expires_at = now - 10;
    let expired = batch::seal(&expired, &hub).unwrap();

    let recipient: age::x25519::Recipient = vault.identity().public().recipient.parse().unwrap();
    let raw = |payload_json: &[u8], count: u64| {
        let h = BatchHeader {
            format: 1,
            batch_id: good_payload.batch_id.clone(),
            hub_key_id: hub.key_id(),
            recipient: good_payload.recipient.clone(),
            created_at: good_payload.created_at,
            expires_at: good_payload.expires_at,
            item_count: count,
        };
        batch::seal_raw(&h, payload_json, std::slice::from_ref(&recipient), &hub).unwrap()
    };
    // Sealed to this device and a second key: refused, though this device could open it.
    let second = age::x25519::Identity::generate().to_public();
    let two_keys = batch::seal_raw(
        &BatchHeader {
            format: 1,
            batch_id: good_payload.batch_id.clone(),
            hub_key_id: hub.key_id(),
            recipient: good_payload.recipient.clone(),
            created_at: good_payload.created_at,
            expires_at: good_payload.expires_at,
            item_count: 20,
        },
        &serde_json::to_vec(&good_payload).unwrap(),
        &[recipient.clone(), second],
        &hub,
    )
    .unwrap();
    let malformed = raw(b"{\"batch_id\": \"x\", ", 20);
    let mut big = good_payload.clone();
    big.items[3].text = "a".repeat(batch::limits::MAX_TEXT + 1);
    let oversized = raw(&serde_json::to_vec(&big).unwrap(), 20);
    let mut unknown = good_payload.clone();
    unknown.items[5].model_intent = "not_in_taxonomy".into();
    let unknown_ref = raw(&serde_json::to_vec(&unknown).unwrap(), 20);
    let mut extra = serde_json::to_value(&good_payload).unwrap();
    extra["items"][0]["customer_email"] = "x@y.z".into();
    let unknown_field = raw(&serde_json::to_vec(&extra).unwrap(), 20);

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("tampered", tampered, "batch_tampered"),
        ("foreign signer", foreign_signed, "batch_unknown_signer"),
        ("other device", for_other, "batch_wrong_device"),
        ("expired", expired, "batch_expired"),
        ("malformed json", malformed, "batch_invalid"),
        ("oversized text", oversized, "batch_invalid"),
        ("unknown taxonomy reference", unknown_ref, "batch_invalid"),
        ("unknown field", unknown_field, "batch_invalid"),
        ("not a batch", b"hello".to_vec(), "batch_format"),
        ("sealed to two keys", two_keys, "batch_invalid"),
        (
            "truncated",
            good[..good.len() - 10].to_vec(),
            "batch_format",
        ),
    ];
    for (name, bytes, code) in cases {
        let err = vault.import_batch(&bytes, now).unwrap_err();
        assert_eq!(err.code(), code, "{name}: {err}");
        assert!(
            !err.to_string().contains("message 1 about"),
            "{name}: text in error"
        );
        let s = vault.status().unwrap();
        assert_eq!((s.batches, s.items), (0, 0), "{name}: partial import");
    }
    let first = vault.import_batch(&good, now).unwrap();
    assert!(!first.already_imported);
    let again = vault.import_batch(&good, now).unwrap();
    assert!(again.already_imported);
    assert_eq!(vault.status().unwrap().items, 20);
    // Same id, different content: refused, and the first import stays.
    let mut clash = good_payload.clone();
    clash.items.truncate(10);
    let clash = batch::seal(&clash, &hub).unwrap();
    assert_eq!(
        vault.import_batch(&clash, now).unwrap_err().code(),
        "batch_invalid"
    );
    assert_eq!(vault.status().unwrap().items, 20);
}

#[test]
fn queue_follows_the_seed_priority_and_resumes() {
    let (_d, profile, mut vault) = fresh();
    let hub = HubKey::generate().unwrap();
    vault.trust_hub_key(&hub.public_key()).unwrap();
    let (p, bytes) = sealed_for(&vault, &hub, 60, "q");
    vault.import_batch(&bytes, batch::now_unix()).unwrap();
    // Expected order computed independently from the payload.
    let mut expected: Vec<(i64, f64, usize, String)> = p
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let key = if it.reason == Reason::LowConfidence {
                it.confidence
            } else {
                0.0
            };
            (it.reason.rank(), key, i, it.item_id.clone())
        })
        .collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
    let order: Vec<String> = vault
        .peek_queue(100)
        .unwrap()
        .into_iter()
        .map(|q| q.item_id)
        .collect();
    assert_eq!(
        order,
        expected.iter().map(|e| e.3.clone()).collect::<Vec<_>>()
    );

    // Label the first 7, skip over nothing; undo 2; reopen; queue resumes at the 6th.
    for id in &order[..7] {
        vault
            .record(&Decision {
                item_id: id.clone(),
                verdict: Verdict::Unsure,
                intent_id: None,
                flags: vec![Flag::NotCustomerMessage],
                pii_spans: vec![],
                duration_ms: 5,
                also_intents: Vec::new(),
            })
            .unwrap();
    }
    assert_eq!(vault.undo().unwrap().unwrap().item_id, order[6]);
    assert_eq!(vault.undo().unwrap().unwrap().item_id, order[5]);
    drop(vault);
    let vault = Vault::open(&profile, &keys()).unwrap();
    assert_eq!(vault.next_item().unwrap().unwrap().item_id, order[5]);
    let s = vault.status().unwrap();
    assert_eq!((s.labelled, s.remaining), (5, 55));
    // The undone item keeps its whole history.
    let h = vault.history(&order[6]).unwrap();
    assert_eq!(h.len(), 2);
    assert!(!h[0].retracted && h[1].retracted);
    assert_eq!(vault.current_labels().unwrap().len(), 5);
}

#[test]
fn decisions_are_validated() {
    let (_d, _p, mut vault) = fresh();
    let hub = HubKey::generate().unwrap();
    vault.trust_hub_key(&hub.public_key()).unwrap();
    let (p, bytes) = sealed_for(&vault, &hub, 3, "v");
    vault.import_batch(&bytes, batch::now_unix()).unwrap();
    let id = p.items[0].item_id.clone();
    let d = |verdict, intent: Option<&str>, spans: Vec<Span>| Decision {
        item_id: id.clone(),
        verdict,
        intent_id: intent.map(str::to_string),
        flags: vec![],
        pii_spans: spans,
        duration_ms: 1,
        also_intents: Vec::new(),
    };
    assert!(vault.record(&d(Verdict::Wrong, None, vec![])).is_err());
    assert!(vault
        .record(&d(Verdict::Wrong, Some("nope"), vec![]))
        .is_err());
    assert!(
        vault
            .record(&d(Verdict::Correct, Some("change_pin"), vec![]))
            .is_err()
            || p.items[0].model_intent == "change_pin"
    );
    assert!(vault
        .record(&d(Verdict::Unsure, None, vec![Span { start: 3, end: 2 }]))
        .is_err());
    assert!(vault
        .record(&d(
            Verdict::Unsure,
            None,
            vec![Span {
                start: 0,
                end: 10_000
            }]
        ))
        .is_err());
    let mut bad = d(Verdict::Skip, None, vec![]);
    bad.item_id = "it_unknown_unknown_unknown".into();
    assert!(vault.record(&bad).is_err());
    // Other intents: only with the flag, from the taxonomy, not the label's own.
    let known: Vec<String> = p.taxonomy.intents.iter().map(|i| i.id.clone()).collect();
    let multi = |also: Vec<String>, flag: bool| Decision {
        intent_id: Some(known[0].clone()),
        also_intents: also,
        flags: if flag {
            vec![Flag::MultipleIntents]
        } else {
            vec![]
        },
        ..d(Verdict::Wrong, None, vec![])
    };
    assert!(vault.record(&multi(vec![known[1].clone()], false)).is_err());
    assert!(vault.record(&multi(vec!["nope".into()], true)).is_err());
    assert!(vault.record(&multi(vec![known[0].clone()], true)).is_err());
    assert_eq!(
        vault.status().unwrap().labelled,
        0,
        "a refused decision was stored"
    );
    let ok = vault
        .record(&d(
            Verdict::Wrong,
            Some("top_up_failed"),
            vec![Span { start: 0, end: 7 }],
        ))
        .unwrap();
    assert_eq!(ok.revision, 1);
    assert_eq!(ok.flags, vec![Flag::MissedPii]);
    let recent = vault.recent_decisions(5).unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].label.intent_id.as_deref(), Some("top_up_failed"));
    // A label naming other intents keeps them, in the record, the history and the
    // label the next upload carries.
    let mut both = multi(vec![known[1].clone()], true);
    both.item_id = p.items[1].item_id.clone();
    let rec = vault.record(&both).unwrap();
    assert_eq!(rec.also_intents, vec![known[1].clone()]);
    let h = vault.history(&both.item_id).unwrap();
    assert_eq!(h[0].also_intents, vec![known[1].clone()]);
    let sent = vault.unsent_labels(10).unwrap();
    assert!(sent
        .iter()
        .any(|(_, w)| w.item_id == both.item_id && w.also_intents == vec![known[1].clone()]));
}

#[test]
fn next_item_uses_the_queue_index() {
    let (_d, _p, vault) = fresh();
    let plan: Vec<String> = vault
        .conn
        .prepare(&format!(
            "EXPLAIN QUERY PLAN SELECT {} FROM items i INDEXED BY items_queue
             JOIN batches b ON b.seq = i.batch_seq
             WHERE i.done = 0 AND b.expires_at > 0 ORDER BY i.reason_rank, i.sort_key, i.seq LIMIT 1",
            queue::ITEM_COLUMNS
        ))
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let plan = plan.join(" | ");
    assert!(
        plan.contains("items_queue") && !plan.contains("TEMP B-TREE"),
        "{plan}"
    );
}

#[test]
fn wipe_shreds_the_key_and_files() {
    let (_d, profile, vault) = fresh();
    let account = descriptor(&profile).keyring_account;
    vault.wipe(&profile, &keys()).unwrap();
    assert!(keys().get(&account).unwrap().is_none());
    assert!(!profile.db_path().exists());
    // A new vault can be created in its place.
    Vault::open(&profile, &keys()).unwrap();
}

#[test]
fn demo_batch_imports_once() {
    let (_d, _p, mut vault) = fresh();
    let r = crate::demo::ensure_demo_batch(&mut vault).unwrap().unwrap();
    assert_eq!(r.items, crate::demo::demo_items().len());
    assert!(crate::demo::ensure_demo_batch(&mut vault)
        .unwrap()
        .is_none());
    let q = vault.peek_queue(1).unwrap();
    assert_eq!(q[0].reason, Reason::FalsePositive);
    let b = vault.batches().unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].items as usize, r.items);
    let s = vault.status().unwrap();
    assert_eq!(b[0].by_reason, s.by_reason);
    let tax = vault.taxonomy(&b[0].batch_id).unwrap();
    assert_eq!(tax, crate::demo::demo_taxonomy().intents);
    // Examples, groups and the batch's guidelines come through the sealed batch.
    assert!(tax
        .iter()
        .all(|i| !i.examples.is_empty() && !i.group.is_empty()));
    assert_eq!(
        vault.guidelines(&b[0].batch_id).unwrap(),
        crate::demo::DEMO_GUIDELINES
    );
    assert_eq!(vault.guidelines("b_unknown").unwrap(), "");
    let _ = BatchError::Tampered; // keep the import used in all cfgs
}

#[test]
fn a_moved_away_database_keeps_its_key() {
    let (_d, profile, vault) = fresh();
    drop(vault);
    let account = descriptor(&profile).keyring_account;
    let key_before = keys().get(&account).unwrap().unwrap();
    let backup = profile.dir().join("vault.db.bak");
    std::fs::rename(profile.db_path(), &backup).unwrap();
    // Opening without the database makes a new, empty one with the same key…
    drop(Vault::open(&profile, &keys()).unwrap());
    assert_eq!(*keys().get(&account).unwrap().unwrap(), *key_before);
    // …so the original can be restored and still opens.
    std::fs::rename(&backup, profile.db_path()).unwrap();
    let _ = std::fs::remove_file(profile.dir().join("vault.db-wal"));
    let _ = std::fs::remove_file(profile.dir().join("vault.db-shm"));
    Vault::open(&profile, &keys()).unwrap();
}

/// A skipped item is a decision that syncs, but it is not "done": it comes back after
/// every undecided item, oldest skip first, is counted apart, survives a purge of
/// acknowledged items, and leaves the skip list once it gets another verdict.
#[test]
fn skipped_items_come_back_at_the_end_and_are_counted_apart() {
    let (_d, _p, mut vault) = fresh();
    let hub = HubKey::generate().unwrap();
    vault.trust_hub_key(&hub.public_key()).unwrap();
    let (_, bytes) = sealed_for(&vault, &hub, 5, "skip");
    vault.import_batch(&bytes, batch::now_unix()).unwrap();
    let decide = |v: &mut Vault, verdict: Verdict| {
        let item = v.next_item().unwrap().unwrap();
        v.record(&Decision {
            item_id: item.item_id.clone(),
            verdict,
            intent_id: None,
            flags: vec![],
            pii_spans: vec![],
            duration_ms: 10,
            also_intents: Vec::new(),
        })
        .unwrap();
        item.item_id
    };
    let first = decide(&mut vault, Verdict::Skip);
    let second = decide(&mut vault, Verdict::Skip);
    decide(&mut vault, Verdict::Correct);
    let s = vault.status().unwrap();
    assert_eq!((s.labelled, s.skipped, s.remaining), (1, 2, 2));
    // The two undecided items first, then the skips, oldest first.
    let queue: Vec<(String, bool)> = vault
        .peek_queue(10)
        .unwrap()
        .into_iter()
        .map(|q| (q.item_id, q.skipped))
        .collect();
    assert_eq!(queue.len(), 4);
    assert!(!queue[0].1 && !queue[1].1);
    assert_eq!(queue[2], (first.clone(), true));
    assert_eq!(queue[3], (second.clone(), true));
    // Decide the two undecided ones; the first skip is next, and a verdict takes it off.
    decide(&mut vault, Verdict::Correct);
    decide(&mut vault, Verdict::Unsure);
    assert_eq!(decide(&mut vault, Verdict::Correct), first);
    let s = vault.status().unwrap();
    assert_eq!((s.labelled, s.skipped, s.remaining), (4, 1, 0));
    // Skipping again puts it behind any other skip; undo brings it back as undecided.
    assert_eq!(decide(&mut vault, Verdict::Skip), second);
    assert_eq!(vault.next_item().unwrap().unwrap().item_id, second);
    vault.undo().unwrap();
    let s = vault.status().unwrap();
    assert_eq!((s.labelled, s.skipped, s.remaining), (4, 0, 1));
    // Every decision still syncs, skips included.
    assert_eq!(vault.current_labels().unwrap().len(), 4);
}

/// A batch sealed from raw text: the items in which the device finds personal data are
/// held back (not stored, not queued, counted and named by kind), the others import.
#[test]
fn items_with_personal_data_are_held_back_on_import() {
    let (_d, _profile, mut vault) = fresh();
    let hub = HubKey::generate().unwrap();
    vault.trust_hub_key(&hub.public_key()).unwrap();
    let mut raw = items(4, "x");
    raw[1].text =
        "Hi, this is Jane Doe. My card never arrived, mail me at jane.doe@example.com".into();
    raw[3].text = "Please call me back on +44 20 7946 0958 about my transfer".into();
    let p = batch::input::build_payload(
        raw,
        None,
        &vault.identity().public().recipient,
        batch::now_unix(),
        3600,
    )
    .unwrap();
    let bytes = batch::seal(&p, &hub).unwrap();
    let r = vault.import_batch(&bytes, batch::now_unix()).unwrap();
    assert_eq!((r.items, r.quarantined), (4, 2));
    assert_eq!(
        r.quarantined_kinds,
        vec!["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER"]
    );
    let notice = r.quarantine_notice().unwrap();
    assert!(
        notice.contains("2 item(s)") && notice.contains("PHONE_NUMBER"),
        "{notice}"
    );
    assert!(
        !notice.contains("Jane") && !notice.contains("7946"),
        "{notice}"
    );
    // Only the clean items are in the queue; the held ones' text is nowhere in the vault.
    let queue: Vec<String> = vault
        .peek_queue(10)
        .unwrap()
        .into_iter()
        .map(|q| q.item_id)
        .collect();
    assert_eq!(queue.len(), 2);
    assert!(!queue.contains(&p.items[1].item_id) && !queue.contains(&p.items[3].item_id));
    let leaked: i64 = vault
        .conn
        .query_row(
            "SELECT count(*) FROM items WHERE text LIKE '%Jane%' OR text LIKE '%7946%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leaked, 0);
    let s = vault.status().unwrap();
    assert_eq!((s.items, s.quarantined), (2, 2));
    assert_eq!(vault.batches().unwrap()[0].held_back, 2);
    // A held item cannot be labelled.
    assert!(vault
        .record(&Decision {
            item_id: p.items[1].item_id.clone(),
            verdict: Verdict::Correct,
            intent_id: None,
            flags: vec![],
            pii_spans: vec![],
            duration_ms: 1,
            also_intents: Vec::new(),
        })
        .is_err());
    // Importing the same file again changes nothing and says the same.
    let again = vault.import_batch(&bytes, batch::now_unix()).unwrap();
    assert!(again.already_imported);
    assert_eq!(
        (again.quarantined, again.quarantined_kinds),
        (2, r.quarantined_kinds)
    );
}
