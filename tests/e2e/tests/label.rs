//! The annotator's day in the real app: import a batch through the UI, label 20 items
//! by keyboard using every shortcut, undo three, quit, restart and resume; SIGKILL the
//! app mid-run and lose nothing. Runs in the real webview (scripts/e2e.sh).

use labelvault_core::labels::{Flag, Verdict};
use labelvault_core::{KeyringStore, Profile, Vault};
use labelvault_e2e::{
    available, key, painted, press, screenshot_path, sealed_batch, text, wait_done, wait_for,
    Driver,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

const INTENTS: &[&str] = &[
    "card_arrival",
    "change_pin",
    "top_up_failed",
    "exchange_rate",
    "refund_not_showing",
    "lost_card",
    "close_account",
    "verify_identity",
    "transfer_missing",
    "fee_charged",
    "direct_debit",
    "cash_withdrawal",
];

/// A profile with a trusted hub key and a sealed batch of `n` items for it.
fn prepare(dir: &Path, n: usize) -> (PathBuf, PathBuf) {
    let intents: Vec<(String, String)> = INTENTS
        .iter()
        .map(|i| (i.to_string(), format!("about {}", i.replace('_', " "))))
        .collect();
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "text": format!("e2e message {i:02}: my card [CARD_1] was charged twice by [NAME_1] yesterday"),
                "intent": INTENTS[i % INTENTS.len()],
                "confidence": 0.10 + i as f64 * 0.01,
                "reason": "low_confidence",
                "alternatives": [{"intent": INTENTS[(i + 1) % INTENTS.len()], "confidence": 0.05}],
            })
        })
        .collect();
    sealed_batch(dir, &intents, &items)
}

fn vault(profile: &Path) -> Vault {
    Vault::open(&Profile::at(profile).unwrap(), &KeyringStore::new()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_twenty_by_keyboard_undo_quit_resume_and_survive_sigkill() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (profile, batch) = prepare(dir.path(), 30);
    let driver = Driver::start(&[
        ("LABELVAULT_PROFILE_DIR", &profile),
        ("LABELVAULT_NO_DEMO", Path::new("1")),
    ]);
    let c = driver.session().await;

    // Import through the Batches screen's file input.
    c.find(fantoccini::Locator::Css("#tab-batches"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let input = c
        .find(fantoccini::Locator::Css("#batch-file"))
        .await
        .unwrap();
    input.send_keys(batch.to_str().unwrap()).await.unwrap();
    wait_for(&c, "#batch-rows tr").await;
    assert!(text(&c, "#batch-rows").await.contains("0 / 30"));
    c.find(fantoccini::Locator::Css("#tab-label"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_done(&c, 0).await;
    assert!(text(&c, "#message").await.starts_with("e2e message 00"));
    // Placeholders are styled; the model's guess and reason are on screen.
    assert_eq!(text(&c, "#message .ph").await, "[CARD_1]");
    assert_eq!(text(&c, "#model-intent").await, INTENTS[0]);
    assert!(text(&c, "#reason")
        .await
        .to_lowercase()
        .contains("low confidence"));
    painted(&c).await;
    let shot = c.screenshot().await.unwrap();
    std::fs::write(screenshot_path("label.png"), shot).unwrap();

    // 20 decisions, every shortcut. Expected (verdict, flags) in order. A skip is a
    // decision that syncs but not "done": the item comes back at the end of the queue
    // and the top bar counts it apart.
    let mut expected: Vec<(Verdict, Vec<Flag>)> = Vec::new();
    let mut done = 0;
    let mut skipped = 0;
    macro_rules! decided {
        ($v:expr, $f:expr) => {{
            if $v == Verdict::Skip {
                skipped += 1;
                let want = format!("{skipped} skipped");
                let deadline = std::time::Instant::now() + Duration::from_secs(10);
                while !text(&c, "#progress-text").await.contains(&want) {
                    assert!(std::time::Instant::now() < deadline, "expected {want}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            } else {
                done += 1;
                wait_done(&c, done).await;
            }
            expected.push(($v, $f));
        }};
    }
    press(&c, key::ENTER).await;
    decided!(Verdict::Correct, vec![]);
    press(&c, "a").await;
    decided!(Verdict::Correct, vec![]);
    press(&c, "x").await; // picker, type to filter, Enter
    wait_for(&c, "#picker:not([hidden])").await;
    for ch in ["c", "l", "o", "s"] {
        press(&c, ch).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    press(&c, key::ENTER).await;
    decided!(Verdict::Wrong, vec![]);
    press(&c, "1").await;
    decided!(Verdict::Wrong, vec![]);
    press(&c, "2").await;
    decided!(Verdict::Wrong, vec![]);
    press(&c, "f").await; // misclassification → picker
    wait_for(&c, "#picker:not([hidden])").await;
    press(&c, key::ENTER).await;
    decided!(Verdict::Wrong, vec![Flag::Misclassification]);
    press(&c, "p").await; // missed PII: select words by keyboard
    wait_for(&c, "#message .span-select").await;
    press(&c, key::RIGHT).await;
    press(&c, &format!("{}{}", key::SHIFT, key::RIGHT)).await;
    press(&c, key::ENTER).await; // keep the span
    tokio::time::sleep(Duration::from_millis(50)).await;
    press(&c, key::ENTER).await; // accept the model
    decided!(Verdict::Correct, vec![Flag::MissedPii]);
    press(&c, "n").await;
    decided!(Verdict::Unsure, vec![Flag::NotCustomerMessage]);
    // Several intents: m opens the picker to name the message's other intents; type to
    // filter, Enter adds (two), Esc closes, then accept the model's intent.
    let main_intent = text(&c, "#model-intent").await;
    press(&c, "m").await;
    wait_for(&c, "#picker:not([hidden])").await;
    let mut also_want = Vec::new();
    for word in ["pin", "refund"] {
        for ch in word.chars() {
            press(&c, &ch.to_string()).await;
        }
        tokio::time::sleep(Duration::from_millis(80)).await;
        press(&c, key::ENTER).await;
        also_want.push(
            INTENTS
                .iter()
                .find(|i| i.contains(word))
                .unwrap()
                .to_string(),
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        text(&c, "#picker-also").await,
        format!("Also: {}", also_want.join(" + "))
    );
    // The main intent is not offered as another one (the picker's title says so).
    for ch in main_intent.chars() {
        press(&c, &ch.to_string()).await;
    }
    tokio::time::sleep(Duration::from_millis(80)).await;
    let listed = text(&c, "#picker-list").await;
    assert!(
        !listed.contains(&main_intent),
        "the main intent is offered as another: {listed}"
    );
    painted(&c).await;
    let shot = c.screenshot().await.unwrap();
    std::fs::write(screenshot_path("label-also-picker.png"), shot).unwrap();
    press(&c, key::ESCAPE).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    for id in &also_want {
        assert!(
            text(&c, &format!("#pending [data-also=\"{id}\"]"))
                .await
                .contains(id.as_str()),
            "{id} has no chip on the card"
        );
    }
    painted(&c).await;
    let shot = c.screenshot().await.unwrap();
    std::fs::write(screenshot_path("label-also.png"), shot).unwrap();
    press(&c, "a").await;
    decided!(Verdict::Correct, vec![Flag::MultipleIntents]);
    let confirm = text(&c, "#confirm").await;
    assert!(
        confirm.contains(&format!("{main_intent} + {}", also_want.join(" + "))),
        "{confirm}"
    );
    assert!(
        text(&c, "#recent-list li:first-child")
            .await
            .contains(&also_want.join(" + ")),
        "Recent does not name the other intents"
    );
    press(&c, "s").await;
    decided!(Verdict::Skip, vec![]);
    press(&c, "?").await; // help overlay, then close it
    wait_for(&c, "#help:not([hidden])").await;
    press(&c, key::ESCAPE).await;
    for k in [
        "3",
        "a",
        key::ENTER,
        "4",
        "a",
        "5",
        key::ENTER,
        "a",
        "6",
        "s",
    ] {
        press(&c, k).await;
        let v = match k {
            "a" | key::ENTER => Verdict::Correct,
            "s" => Verdict::Skip,
            _ => Verdict::Wrong,
        };
        decided!(v, vec![]);
    }
    assert_eq!((done, skipped), (18, 2));
    // Undo three: u (the skip of message 19), Backspace, u.
    press(&c, "u").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !text(&c, "#progress-text").await.contains("1 skipped") {
        assert!(
            std::time::Instant::now() < deadline,
            "the undone skip is still counted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for k in [key::BACKSPACE, "u"] {
        press(&c, k).await;
        done -= 1;
        wait_done(&c, done).await;
    }
    expected.truncate(17);
    let resume_text = text(&c, "#message").await;
    assert!(resume_text.starts_with("e2e message 17"), "{resume_text}");

    // The vault has exactly these decisions, in order, with their flags and the span.
    let check = |v: &Vault| {
        let labels = v.current_labels().unwrap();
        assert_eq!(labels.len(), expected.len());
        for (l, (verdict, flags)) in labels.iter().zip(&expected) {
            assert_eq!(l.verdict, Some(*verdict), "{l:?}");
            assert_eq!(&l.flags, flags, "{l:?}");
        }
        let with_span = labels
            .iter()
            .find(|l| l.flags.contains(&Flag::MissedPii))
            .unwrap();
        assert_eq!(with_span.pii_spans.len(), 1);
        // The message's other intents, as picked, with the flag.
        let multi = labels
            .iter()
            .find(|l| l.flags.contains(&Flag::MultipleIntents))
            .unwrap();
        assert_eq!(multi.also_intents, also_want, "{multi:?}");
        assert!(labels
            .iter()
            .filter(|l| !l.flags.contains(&Flag::MultipleIntents))
            .all(|l| l.also_intents.is_empty()));
        assert!(with_span.pii_spans[0].end > with_span.pii_spans[0].start);
        // Every undone item keeps its history: decided, then retracted. The skip of
        // message 09 is a label, but not counted as done.
        let s = v.status().unwrap();
        assert_eq!((s.labelled, s.skipped), (16, 1));
    };
    check(&vault(&profile));

    // Quit and restart: the queue resumes at the same item.
    c.close().await.unwrap();
    let c = driver.session().await;
    wait_done(&c, 16).await;
    assert_eq!(text(&c, "#message").await, resume_text);
    check(&vault(&profile));

    // Five more, then SIGKILL: nothing decided before the kill is lost.
    for _ in 0..5 {
        press(&c, "a").await;
        done += 1;
        wait_done(&c, done).await;
    }
    let st = std::process::Command::new("pkill")
        .args(["-KILL", "-f", "target/debug/labelvault-app"])
        .status()
        .unwrap();
    assert!(st.success(), "the app process was not found to kill");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let v = vault(&profile);
    assert_eq!(v.status().unwrap().labelled, 21);
    assert_eq!(v.current_labels().unwrap().len(), 22);
    drop(c);
}
