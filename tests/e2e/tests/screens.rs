//! What an annotator sees, checked in the real webview (scripts/e2e.sh): each tab shows
//! its own screen and nothing else, and a 150-intent taxonomy (CLINC150, from
//! `../shared/data`) is usable by keyboard: 1–9 are the item's alternatives and recent
//! choices, the picker lists every intent with a count, keeps its highlight in view and
//! finds intents despite typos. Screenshots land in `target/e2e/`.

use fantoccini::Client;
use labelvault_core::{KeyringStore, Profile, Vault};
use labelvault_e2e::{
    available, click, key, painted, press, screenshot, sealed_batch, sealed_batch_with, text,
    visible, wait_done, wait_for, Driver,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SCREENS: &[&str] = &["label", "batches", "audit", "settings", "manage"];

fn clinc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/clinc150")
}

/// (text or id, intent or description) pairs.
type Pairs = Vec<(String, String)>;

/// CLINC150's 150 intents (domain order, as `domains.json` lists them) with a
/// description made of the domain and one training phrasing, and its test messages.
fn clinc150() -> Option<(Pairs, Pairs)> {
    let dir = clinc_dir();
    let domains: BTreeMap<String, Vec<String>> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("domains.json")).ok()?).ok()?;
    let data: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("data_full.json")).ok()?).ok()?;
    let pair = |row: &Value| {
        (
            row[0].as_str().unwrap_or_default().to_string(),
            row[1].as_str().unwrap_or_default().to_string(),
        )
    };
    let train: Vec<(String, String)> = data["train"].as_array()?.iter().map(pair).collect();
    let mut intents = Vec::new();
    for (domain, ids) in &domains {
        for id in ids {
            let example = train
                .iter()
                .find(|(_, i)| i == id)
                .map(|(t, _)| t.as_str())
                .unwrap_or("");
            intents.push((
                id.clone(),
                format!("{} — e.g. \"{example}\"", domain.replace('_', " ")),
            ));
        }
    }
    let test = data["test"].as_array()?.iter().map(pair).collect();
    Some((intents, test))
}

/// CLINC150 as a two-level taxonomy: each intent under its domain as its group, with
/// its first two training phrasings as examples; and the test messages.
fn clinc150_grouped() -> Option<(Value, Pairs)> {
    let dir = clinc_dir();
    let domains: BTreeMap<String, Vec<String>> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("domains.json")).ok()?).ok()?;
    let data: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("data_full.json")).ok()?).ok()?;
    let pair = |row: &Value| {
        (
            row[0].as_str().unwrap_or_default().to_string(),
            row[1].as_str().unwrap_or_default().to_string(),
        )
    };
    let train: Vec<(String, String)> = data["train"].as_array()?.iter().map(pair).collect();
    let mut intents = Vec::new();
    for (domain, ids) in &domains {
        for id in ids {
            let examples: Vec<&str> = train
                .iter()
                .filter(|(_, i)| i == id)
                .take(2)
                .map(|(t, _)| t.as_str())
                .collect();
            intents.push(json!({
                "id": id,
                "description": format!("The customer asks about {}", id.replace('_', " ")),
                "examples": examples,
                "group": domain.replace('_', " "),
            }));
        }
    }
    let test = data["test"].as_array()?.iter().map(pair).collect();
    Some((
        json!({"id": "clinc150", "version": "2", "intents": intents}),
        test,
    ))
}

/// A profile under `dir` holding one imported batch (`intents` as its taxonomy, `items`
/// as its items), and the app started on it showing its first item: the profile, the
/// driver (keep it alive) and the session.
async fn app_with(
    dir: &Path,
    intents: &[(String, String)],
    items: &[Value],
) -> (PathBuf, Driver, Client) {
    let (profile, batch) = sealed_batch(dir, intents, items);
    labelvault_system_tests::cli_ok(&profile, &["batch", "import", &batch.to_string_lossy()]);
    let driver = Driver::start(&[
        ("LABELVAULT_PROFILE_DIR", &profile),
        ("LABELVAULT_NO_DEMO", Path::new("1")),
    ]);
    let c = driver.session().await;
    wait_done(&c, 0).await;
    (profile, driver, c)
}

fn vault(profile: &Path) -> Vault {
    Vault::open(
        &Profile::at(profile).expect("profile"),
        &KeyringStore::new(),
    )
    .expect("vault")
}

/// The intent of the newest decision in the vault.
fn last_intent(profile: &Path) -> Option<String> {
    let labels = vault(profile).current_labels().expect("labels");
    labels
        .iter()
        .max_by_key(|l| l.created_at_ms)?
        .intent_id
        .clone()
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.expect(script)
}

/// Wait until the picker shows `n` rows (it re-renders after each typed key).
async fn wait_rows(c: &Client, pred: impl Fn(u64) -> bool, what: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let n = js(
            c,
            "return document.querySelectorAll('#picker-list li[role=option]').length;",
        )
        .await
        .as_u64()
        .unwrap_or(0);
        if pred(n) {
            return n;
        }
        assert!(Instant::now() < deadline, "picker rows: {n}, wanted {what}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

async fn type_keys(c: &Client, s: &str) {
    for ch in s.chars() {
        press(c, &ch.to_string()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_tab_shows_exactly_its_screen() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let intents: Vec<(String, String)> = ["card_arrival", "lost_card", "change_pin"]
        .iter()
        .map(|i| (i.to_string(), String::new()))
        .collect();
    let mut items: Vec<Value> = (0..3)
        .map(|i| json!({"text": format!("screens message {i}"), "intent": "card_arrival", "confidence": 0.4, "reason": "low_confidence"}))
        .collect();
    // Raw personal data in a sealed batch: the device holds this item back on import.
    items.push(json!({"text": "This is Jane Doe, mail me at jane.doe@example.com", "intent": "card_arrival", "confidence": 0.4, "reason": "low_confidence"}));
    let (_profile, _driver, c) = app_with(dir.path(), &intents, &items).await;
    assert!(
        visible(&c, "#item-card").await,
        "the first item is on screen"
    );
    // Visit every tab twice, in an order that switches away from and back to each one.
    for name in SCREENS.iter().skip(1).chain(SCREENS.iter()) {
        click(&c, &format!("#tab-{name}")).await;
        wait_for(&c, &format!("#tab-{name}[aria-selected='true']")).await;
        for other in SCREENS {
            let shown = visible(&c, &format!("#screen-{other}")).await;
            assert_eq!(
                shown,
                other == name,
                "on the {name} tab, screen {other} is {}",
                if shown { "visible" } else { "hidden" }
            );
        }
        // The labelling card and its Recent list go with their screen.
        let label_parts = visible(&c, "#item-card").await || visible(&c, ".recent").await;
        assert_eq!(
            label_parts,
            *name == "label",
            "label parts on the {name} tab"
        );
        // The screen starts right under the top bar, not below a hidden screen.
        let gap = js(
            &c,
            &format!(
                "return document.querySelector('#screen-{name}').getBoundingClientRect().top \
                 - document.querySelector('.topbar').getBoundingClientRect().bottom;"
            ),
        )
        .await
        .as_f64()
        .unwrap_or(f64::MAX);
        assert!(
            gap < 80.0,
            "the {name} screen starts {gap}px below the top bar"
        );
        screenshot(&c, &format!("screen-{name}.png")).await;
    }
    // The Batches screen says plainly that one item was held back, and why.
    click(&c, "#tab-batches").await;
    wait_for(&c, "#batch-rows .held-back").await;
    let row = text(&c, "#batch-rows").await;
    assert!(
        row.contains("0 / 3") && row.contains("1 held back: personal data found on this device"),
        "{row}"
    );
    assert!(!row.contains("Jane"), "{row}");
    screenshot(&c, "batches-held-back.png").await;
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_150_intent_taxonomy_by_keyboard() {
    if !available() {
        return;
    }
    let Some((intents, test)) = clinc150() else {
        eprintln!(
            "skipping the 150-intent test: {} is absent (CLINC150 from ../shared/data)",
            clinc_dir().display()
        );
        return;
    };
    assert_eq!(intents.len(), 150);
    let id = |n: &str| {
        assert!(intents.iter().any(|(i, _)| i == n), "{n} not in CLINC150");
        n.to_string()
    };
    let text_of = |intent: &str| {
        test.iter()
            .find(|(_, i)| i == intent)
            .map(|(t, _)| t.clone())
            .unwrap_or_else(|| format!("a message about {intent}"))
    };
    // (model intent, alternatives with confidence) per item; the true intents are the
    // ones the test picks.
    let plan = [
        (
            "balance",
            vec![("transactions", 0.21), ("bill_balance", 0.33)],
        ),
        ("weather", vec![("timezone", 0.12)]),
        ("pin_change", vec![]),
        ("balance", vec![]),
        ("timer", vec![]),
    ];
    let items: Vec<Value> = plan
        .iter()
        .enumerate()
        .map(|(n, (model, alts))| {
            json!({
                "text": text_of(model),
                "intent": id(model),
                "confidence": 0.3 + n as f64 * 0.01,
                "reason": "low_confidence",
                "alternatives": alts.iter().map(|(i, c)| json!({"intent": id(i), "confidence": c})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let (profile, _driver, c) = app_with(dir.path(), &intents, &items).await;

    // Item 1: 1–9 are the model's alternatives, most likely first, and nothing else
    // (no alphabetical filler from a 150-intent taxonomy).
    let numbered = |c: &Client| {
        let c = c.clone();
        async move {
            js(
                &c,
                "return Array.from(document.querySelectorAll('#choices li')).map(l => l.title);",
            )
            .await
            .as_array()
            .expect("choices")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(numbered(&c).await, ["bill_balance", "transactions"]);
    screenshot(&c, "intents-150-choices.png").await;
    // h: the guidelines at the decision — what the model's guess and the numbered
    // choices mean, and every intent of the batch.
    press(&c, "h").await;
    wait_for(&c, "#guidelines:not([hidden])").await;
    let g = js(
        &c,
        "return document.querySelector('#guidelines').innerText;",
    )
    .await;
    let g = g.as_str().unwrap_or_default().to_string();
    assert!(
        g.contains("the model's guess")
            && g.contains("key 1")
            && g.contains("Every intent of this batch (150)")
            && g.contains("e.g."),
        "{g}"
    );
    screenshot(&c, "guidelines.png").await;
    press(&c, key::ESCAPE).await;
    wait_for(&c, "#guidelines[hidden]").await;
    // What is rendered (innerText follows CSS), not just what the DOM holds.
    let shown = js(&c, "return document.querySelector('#choices').innerText;").await;
    let shown = shown.as_str().unwrap_or_default();
    assert!(
        shown.contains("bill_balance") && shown.contains("33%") && shown.contains("transactions"),
        "{shown}"
    );
    let name_width = js(
        &c,
        "return document.querySelector('#choices .intent-name').getBoundingClientRect().width;",
    )
    .await;
    assert!(
        name_width.as_f64().unwrap_or(0.0) > 40.0,
        "the intent name is squeezed: {name_width}"
    );
    press(&c, "1").await;
    wait_done(&c, 1).await;
    assert_eq!(last_intent(&profile).as_deref(), Some("bill_balance"));

    // Item 2: its own alternative first, then the annotator's recent choice.
    assert_eq!(numbered(&c).await, ["timezone", "bill_balance"]);
    let shown = js(&c, "return document.querySelector('#choices').innerText;").await;
    assert!(
        shown.as_str().unwrap_or_default().contains("recent"),
        "{shown}"
    );
    press(&c, "2").await;
    wait_done(&c, 2).await;
    assert_eq!(last_intent(&profile).as_deref(), Some("bill_balance"));

    // Item 3: the picker lists all 149 other intents, with their count.
    press(&c, "x").await;
    wait_for(&c, "#picker:not([hidden])").await;
    let rows = wait_rows(&c, |n| n == 149, "149").await;
    assert_eq!(rows, 149);
    assert_eq!(text(&c, "#picker-count").await, "149 intents");
    // Far down the list, the highlight stays inside the list's visible area.
    for _ in 0..60 {
        press(&c, key::DOWN).await;
    }
    press(&c, key::PAGE_DOWN).await;
    let sel = js(
        &c,
        "const l = document.querySelector('#picker-list'); const s = l.querySelector('li.sel'); \
         const a = l.getBoundingClientRect(), b = s.getBoundingClientRect(); \
         return { index: Array.from(l.children).indexOf(s), id: s.title, \
                  inside: b.top >= a.top - 1 && b.bottom <= a.bottom + 1, scrolled: l.scrollTop };",
    )
    .await;
    assert_eq!(sel["index"], 70, "{sel}");
    assert_eq!(
        sel["inside"], true,
        "the highlight scrolled out of view: {sel}"
    );
    assert!(sel["scrolled"].as_f64().unwrap_or(0.0) > 0.0, "{sel}");
    let chosen = sel["id"].as_str().expect("id").to_string();
    assert_ne!(
        chosen, "pin_change",
        "the model's own intent is not offered"
    );
    screenshot(&c, "intents-150-picker.png").await;
    // The highlighted row shows its description (domain and an example phrasing).
    let row = js(
        &c,
        "return document.querySelector('#picker-list li.sel').innerText;",
    )
    .await;
    assert!(row.as_str().unwrap_or_default().contains("e.g."), "{row}");
    press(&c, key::ENTER).await;
    wait_done(&c, 3).await;
    assert_eq!(last_intent(&profile).as_deref(), Some(chosen.as_str()));

    // Item 4: a typo still finds the intent, first.
    press(&c, "x").await;
    wait_for(&c, "#picker:not([hidden])").await;
    type_keys(&c, "trasnfer").await;
    wait_rows(&c, |n| (1..149).contains(&n), "a filtered list").await;
    wait_for(&c, "#picker-list li.sel[title='transfer']").await;
    let count = text(&c, "#picker-count").await;
    assert!(count.ends_with("of 149 intents match"), "{count}");
    press(&c, key::ENTER).await;
    wait_done(&c, 4).await;
    assert_eq!(last_intent(&profile).as_deref(), Some("transfer"));

    // Item 5: several words, in any order, one misspelt.
    press(&c, "x").await;
    wait_for(&c, "#picker:not([hidden])").await;
    type_keys(&c, "limit chnage credit").await;
    wait_for(&c, "#picker-list li.sel[title='credit_limit_change']").await;
    screenshot(&c, "intents-150-search.png").await;
    press(&c, key::ENTER).await;
    wait_done(&c, 5).await;
    assert_eq!(
        last_intent(&profile).as_deref(),
        Some("credit_limit_change")
    );
    wait_for(&c, "#empty:not([hidden])").await;
    assert!(visible(&c, "#empty").await && !visible(&c, "#item-card").await);
    c.close().await.expect("close");
}

/// A taxonomy with groups and example phrasings, and a batch carrying the manager's
/// guidelines: the picker lists the 150 intents under their groups with an example on
/// each row (all of them on the highlighted one), a filtered list names each match's
/// group, and `h` shows the guidelines first — as plain text with its line breaks —
/// then every intent under its group with its examples.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_examples_and_the_managers_guidelines() {
    if !available() {
        return;
    }
    let Some((taxonomy, test)) = clinc150_grouped() else {
        eprintln!(
            "skipping the grouped-taxonomy test: {} is absent (CLINC150 from ../shared/data)",
            clinc_dir().display()
        );
        return;
    };
    let intents = taxonomy["intents"].as_array().expect("intents").clone();
    assert_eq!(intents.len(), 150);
    let intent = |id: &str| {
        intents
            .iter()
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("{id} not in CLINC150"))
            .clone()
    };
    let text_of = |id: &str| {
        test.iter()
            .find(|(_, i)| i == id)
            .map(|(t, _)| t.clone())
            .unwrap_or_else(|| format!("a message about {id}"))
    };
    let items: Vec<Value> = ["balance", "weather"]
        .iter()
        .map(|m| json!({"text": text_of(m), "intent": m, "confidence": 0.4, "reason": "low_confidence"}))
        .collect();
    // Line breaks and something that would be markup if it were parsed as HTML.
    let guidelines = "Label what the customer wants, not the words they use.\n\
                      Two requests in one message: pick the first and press m.\n\n\
                      <b>Never</b> guess a card number.";
    let dir = tempfile::tempdir().expect("tempdir");
    let (profile, batch) = sealed_batch_with(dir.path(), &taxonomy, &items, guidelines);
    labelvault_system_tests::cli_ok(&profile, &["batch", "import", &batch.to_string_lossy()]);
    let driver = Driver::start(&[
        ("LABELVAULT_PROFILE_DIR", &profile),
        ("LABELVAULT_NO_DEMO", Path::new("1")),
    ]);
    let c = driver.session().await;
    wait_done(&c, 0).await;

    // The picker, unfiltered: the 149 other intents under 10 group headings, in the
    // taxonomy's group order; each row shows one example, the highlighted row all.
    press(&c, "x").await;
    wait_for(&c, "#picker:not([hidden])").await;
    assert_eq!(wait_rows(&c, |n| n == 149, "149").await, 149);
    let heads = js(
        &c,
        "return Array.from(document.querySelectorAll('#picker-list li.picker-group')).map(h => h.textContent);",
    )
    .await;
    let heads: Vec<&str> = heads
        .as_array()
        .expect("heads")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(heads.len(), 10, "{heads:?}");
    assert_eq!(heads[0], "auto and commute");
    assert!(heads.contains(&"banking"), "{heads:?}");
    let first = js(
        &c,
        "const l = document.querySelector('#picker-list'); const s = l.querySelector('li.sel'); \
         return { prev: s.previousElementSibling.textContent, id: s.title, \
                  examples: Array.from(s.querySelectorAll('.example')).map(e => e.textContent), \
                  text: s.innerText };",
    )
    .await;
    let id = first["id"].as_str().expect("id");
    let want = intent(id);
    assert_eq!(first["prev"], want["group"], "{first}");
    let want_examples: Vec<String> = want["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .map(|e| format!("“{}”", e.as_str().unwrap_or_default()))
        .collect();
    assert_eq!(want_examples.len(), 2);
    assert_eq!(first["examples"], json!(want_examples), "{first}");
    assert!(
        first["text"]
            .as_str()
            .unwrap_or_default()
            .contains(&want_examples[1]),
        "{first}"
    );
    // A row further down, not highlighted: its first example only, rendered.
    let other = js(
        &c,
        "const r = document.querySelector('#picker-list li[title=transfer]'); \
         return { n: r.querySelectorAll('.example').length, text: r.innerText };",
    )
    .await;
    let transfer = intent("transfer");
    assert_eq!(other["n"], 1, "{other}");
    assert!(
        other["text"]
            .as_str()
            .unwrap_or_default()
            .contains(transfer["examples"][0].as_str().unwrap_or("?")),
        "{other}"
    );
    screenshot(&c, "picker-groups.png").await;

    // Filtered: matches best first, no headings, each row names its group.
    type_keys(&c, "lost card").await;
    wait_for(&c, "#picker-list li.sel[title='report_lost_card']").await;
    let filtered = js(
        &c,
        "return { heads: document.querySelectorAll('#picker-list li.picker-group').length, \
                  group: document.querySelector('#picker-list li.sel .group-tag').textContent, \
                  example: document.querySelector('#picker-list li.sel .example').innerText };",
    )
    .await;
    assert_eq!(filtered["heads"], 0, "{filtered}");
    assert_eq!(
        filtered["group"],
        intent("report_lost_card")["group"],
        "{filtered}"
    );
    screenshot(&c, "picker-filtered.png").await;
    press(&c, key::ENTER).await;
    wait_done(&c, 1).await;
    assert_eq!(last_intent(&profile).as_deref(), Some("report_lost_card"));

    // h: the manager's guidelines first, as plain text with its line breaks; then every
    // intent under its group, with its examples.
    press(&c, "h").await;
    wait_for(&c, "#guidelines:not([hidden])").await;
    let g = js(
        &c,
        "const b = document.querySelector('#guidelines-body'); const t = b.querySelector('#guidelines-text'); \
         return { first: b.firstElementChild.textContent, text: t.innerText, markup: t.querySelectorAll('*').length, \
                  before: !!(t.compareDocumentPosition(b.querySelector('.guideline')) & Node.DOCUMENT_POSITION_FOLLOWING), \
                  ws: getComputedStyle(t).whiteSpace, dir: t.getAttribute('dir'), \
                  groups: b.querySelectorAll('.guideline-group').length, \
                  weather: Array.from(b.querySelectorAll('.guideline[data-intent=weather] .examples li')).map(l => l.textContent), \
                  all: b.innerText };",
    )
    .await;
    assert_eq!(g["first"], "From your manager", "{g}");
    assert_eq!(g["text"], guidelines, "{g}");
    assert_eq!(g["markup"], 0, "the guidelines were parsed as HTML: {g}");
    assert_eq!(g["before"], true, "{g}");
    assert_eq!(g["ws"], "pre-wrap", "{g}");
    assert_eq!(g["dir"], "auto", "{g}");
    assert_eq!(g["groups"], 10, "{g}");
    let weather = intent("weather");
    assert_eq!(g["weather"][0], weather["examples"][0], "{g}");
    assert!(
        g["all"]
            .as_str()
            .unwrap_or_default()
            .contains("Every intent of this batch (150 in 10 groups)"),
        "{g}"
    );
    screenshot(&c, "guidelines-manager.png").await;
    press(&c, key::ESCAPE).await;
    wait_for(&c, "#guidelines[hidden]").await;
    c.close().await.expect("close");
}

/// After each decision the annotator sees what was recorded and how to undo it; Recent
/// rows read as words with a snippet of the item; `?` lists the picker and span keys;
/// Enter on a Recent row opens that decision for editing, shows the earlier decision,
/// and the next Enter records the change (it does not re-open the edit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_are_confirmed_recent_rows_read_as_words_and_edits_do_not_trap() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let intents: Vec<(String, String)> = ["card_arrival", "lost_card", "change_pin"]
        .iter()
        .map(|i| (i.to_string(), String::new()))
        .collect();
    let items: Vec<Value> = (0..4)
        .map(|i| json!({"text": format!("feedback message {i}: where is my [CARD_1] card"), "intent": "card_arrival",
            "confidence": 0.4, "reason": "low_confidence", "alternatives": [{"intent": "lost_card", "confidence": 0.3}]}))
        .collect();
    let (profile, _driver, c) = app_with(dir.path(), &intents, &items).await;
    press(&c, "a").await;
    wait_done(&c, 1).await;
    let confirm = text(&c, "#confirm").await;
    assert!(
        confirm.contains("model right (card_arrival)") && confirm.contains("u to undo"),
        "{confirm}"
    );
    press(&c, "1").await;
    wait_done(&c, 2).await;
    assert!(text(&c, "#confirm")
        .await
        .contains("corrected to lost_card"));
    // Recent: words, not enum names; a snippet of the redacted text.
    let first = js(
        &c,
        "return document.querySelector('#recent-list li').innerText;",
    )
    .await;
    let first = first.as_str().unwrap_or_default().to_string();
    assert!(
        first.contains("corrected")
            && first.contains("lost_card")
            && first.contains("feedback message 1"),
        "{first}"
    );
    assert!(!first.contains("wrong"), "{first}");
    screenshot(&c, "feedback-recent.png").await;
    // Help lists the picker's and the span selection's keys too.
    press(&c, "?").await;
    wait_for(&c, "#help:not([hidden])").await;
    let help = js(&c, "return document.querySelector('#help').innerText;").await;
    let help = help.as_str().unwrap_or_default().to_string();
    for want in [
        "PgUp / PgDn",
        "Shift+→",
        "Keep the selection",
        "Change an earlier decision",
    ] {
        assert!(help.contains(want), "help lacks {want}: {help}");
    }
    screenshot(&c, "help.png").await;
    press(&c, key::ESCAPE).await;
    // Edit the second decision from Recent: the earlier decision is shown, and Enter
    // (accept the model) records the change instead of re-opening the edit.
    c.find(fantoccini::Locator::Css("#recent-list li"))
        .await
        .expect("recent row")
        .send_keys(key::ENTER)
        .await
        .expect("enter on the row");
    wait_for(&c, "#batch-pos").await;
    let note = text(&c, "#batch-pos").await;
    assert!(note.contains("corrected to lost_card"), "{note}");
    press(&c, key::ENTER).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let labels = vault(&profile).current_labels().expect("labels");
        if labels
            .iter()
            .any(|l| l.revision == 2 && l.intent_id.as_deref() == Some("card_arrival"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the edit was not recorded: {labels:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        text(&c, "#batch-pos").await,
        "",
        "back on the queue, not editing"
    );
    c.close().await.expect("close");
}

/// The privacy officer's Audit tab on a device that has synced with a real hub over
/// loopback: Verify now reports the chain, the signatures and how far the hub has
/// countersigned, rows carry times with their time zone and receipt status, and Export
/// ledger saves a file that `audit verify` accepts with the hub key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_tab_verifies_and_exports_the_ledger() {
    if !available() {
        return;
    }
    use labelvault_system_tests::{cli_ok, enroll, Hub};
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = Hub::start(&dir.path().join("hub"));
    let device = enroll(&hub, &dir.path().join("device"), "annotator");
    let items: Vec<Value> = (0..4)
        .map(|i| json!({"text": format!("audit message {i} about my card"), "intent": "card_arrival", "confidence": 0.4, "reason": "low_confidence"}))
        .collect();
    let (st, r) = hub.admin_post(
        "/v1/admin/assign",
        &json!({"device_id": device.device_id, "taxonomy": {"id": "t", "version": "1", "intents": [
            {"id": "card_arrival", "description": ""}, {"id": "lost_card", "description": ""}]}, "items": items}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&device.profile, &["pull"]);
    cli_ok(&device.profile, &["label", "--verdict", "correct"]);
    cli_ok(&device.profile, &["sync"]);
    let exports = dir.path().join("exports");
    let driver = Driver::start(&[
        ("LABELVAULT_PROFILE_DIR", &device.profile),
        ("LABELVAULT_NO_DEMO", Path::new("1")),
        ("LABELVAULT_EXPORT_DIR", &exports),
    ]);
    let c = driver.session().await;
    click(&c, "#tab-audit").await;
    wait_for(&c, "#ledger-rows tr").await;
    click(&c, "#audit-verify").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        let s = text(&c, "#chain-status").await;
        if s.contains("hash chain intact") {
            break s;
        }
        assert!(Instant::now() < deadline, "{s}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        status.contains("every signature valid")
            && status.contains("countersigned by the hub through entry"),
        "{status}"
    );
    let rows = js(
        &c,
        "return document.querySelector('#ledger-rows').innerText;",
    )
    .await;
    let rows = rows.as_str().unwrap_or_default().to_string();
    assert!(
        rows.contains("receipted") && rows.contains("RECEIPT"),
        "{rows}"
    );
    // Times carry their zone (the test machine runs in UTC).
    assert!(rows.contains("UTC") || rows.contains("GMT"), "{rows}");
    screenshot(&c, "audit.png").await;
    click(&c, "#audit-export").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if text(&c, "#audit-export-result")
            .await
            .contains("Saved the ledger")
        {
            break;
        }
        assert!(Instant::now() < deadline, "no export");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let file = std::fs::read_dir(&exports)
        .expect("exports")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .expect("an exported ledger");
    let out = labelvault_system_tests::cli(
        &device.profile,
        &[
            "audit",
            "verify",
            &file.to_string_lossy(),
            "--hub-key",
            &hub.public_key(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    c.close().await.expect("close");
}

/// Accessibility checks by axe-core (bundled from the npm registry, injected through
/// WebDriver, no remote content): the serious and critical WCAG 2 A/AA violations on
/// the current screen, as "rule: count".
async fn axe_serious(c: &Client) -> Vec<String> {
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/axe-core/axe.min.js"),
    )
    .expect("axe-core (scripts/install-deps.sh installs the UI's npm packages)");
    c.execute(&format!("{src}\n;return typeof axe;"), vec![])
        .await
        .expect("inject axe-core");
    let js = "const done = arguments[arguments.length - 1]; \
              axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}) \
                .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical') \
                  .map(v => v.id + ': ' + v.nodes.length + ' ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))) \
                .catch(e => done(['axe failed: ' + e]));";
    c.execute_async(js, vec![])
        .await
        .expect("axe run")
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// Right-to-left messages, the theme control, axe-core in both themes, and a 720 px and a 1920 px
/// window, in the real webview.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtl_messages_themes_contrast_and_narrow_and_wide_windows() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let intents: Vec<(String, String)> = ["card_arrival", "lost_card"]
        .iter()
        .map(|i| (i.to_string(), format!("about {i}")))
        .collect();
    let items = vec![
        json!({"text": "مرحبا، أين بطاقتي [CARD_1] من فضلك؟ أنا [NAME_1]", "intent": "card_arrival", "confidence": 0.2, "reason": "low_confidence"}),
        json!({"text": "where is my card [CARD_1]", "intent": "card_arrival", "confidence": 0.3, "reason": "low_confidence"}),
    ];
    let (_profile, driver, c) = app_with(dir.path(), &intents, &items).await;
    // The Arabic message reads right to left; its placeholders stay whole (isolated).
    let dirn = js(&c, "const m = document.querySelector('#message'); \
        return [getComputedStyle(m).direction, m.querySelectorAll('bdi.ph').length, m.querySelector('bdi.ph').textContent];").await;
    assert_eq!(dirn, json!(["rtl", 2, "[CARD_1]"]), "{dirn}");
    screenshot(&c, "rtl.png").await;
    // axe-core, light theme (the default here), then dark through the theme control.
    let light = axe_serious(&c).await;
    assert!(light.is_empty(), "light theme: {light:?}");
    click(&c, "#tab-settings").await;
    c.find(fantoccini::Locator::Css("#theme-select"))
        .await
        .expect("theme control")
        .select_by_value("dark")
        .await
        .expect("choose dark");
    let theme = js(&c, "return [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor];").await;
    assert_eq!(theme, json!(["dark", "rgb(20, 22, 26)"]), "{theme}");
    click(&c, "#tab-label").await;
    wait_done(&c, 0).await;
    let dark = axe_serious(&c).await;
    assert!(dark.is_empty(), "dark theme: {dark:?}");
    screenshot(&c, "dark.png").await;
    // The choice is kept across a restart.
    c.close().await.expect("close");
    let c = driver.session().await;
    wait_done(&c, 0).await;
    let kept = js(&c, "return document.documentElement.dataset.theme || null;").await;
    assert_eq!(kept, json!("dark"));
    // 720 px wide: nothing overflows sideways, the Sync button and Recent are in view.
    c.set_window_size(720, 900).await.expect("resize");
    painted(&c).await;
    let fit = js(
        &c,
        "const w = document.documentElement.clientWidth; \
        const r = (s) => document.querySelector(s).getBoundingClientRect(); \
        return [document.documentElement.scrollWidth <= w + 1, r('#sync-button').right <= w, \
                r('.recent').left >= 0 && r('.recent').right <= w, r('#item-card').right <= w];",
    )
    .await;
    assert_eq!(fit, json!([true, true, true, true]), "{fit}");
    screenshot(&c, "narrow-720.png").await;
    // 1920 px wide: still nothing sideways, Recent beside the card (not below it), and
    // the card's lines kept to a readable width instead of stretched across the screen.
    c.set_window_size(1920, 1080).await.expect("resize");
    painted(&c).await;
    let wide = js(
        &c,
        "const w = document.documentElement.clientWidth;         const r = (s) => document.querySelector(s).getBoundingClientRect();         const card = r('#item-card'), recent = r('.recent');         return [w >= 1900, document.documentElement.scrollWidth <= w + 1, r('#sync-button').right <= w,                 recent.left >= card.right - 1 && recent.top < card.bottom, card.width <= 1400];",
    )
    .await;
    assert_eq!(wide, json!([true, true, true, true, true]), "{wide}");
    screenshot(&c, "wide-1920.png").await;
    c.close().await.expect("close");
}

/// A kept missed-PII mark stays visible and can be taken back before deciding, and
/// rebinding a key says what it took from another action.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_marks_show_and_can_be_removed_and_rebinding_says_what_moved() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let intents: Vec<(String, String)> = ["card_arrival", "lost_card"]
        .iter()
        .map(|i| (i.to_string(), String::new()))
        .collect();
    let items: Vec<Value> = (0..2)
        .map(|i| json!({"text": format!("marks message {i}: please call me back about the card"), "intent": "card_arrival", "confidence": 0.4, "reason": "low_confidence"}))
        .collect();
    let (profile, _driver, c) = app_with(dir.path(), &intents, &items).await;
    // Mark the first word and keep it: it stays highlighted.
    press(&c, "p").await;
    wait_for(&c, "#message .span-select").await;
    press(&c, key::ENTER).await;
    wait_for(&c, "#message mark.span-kept").await;
    assert_eq!(text(&c, "#message mark.span-kept").await, "marks");
    assert!(text(&c, "#pending")
        .await
        .contains("missed personal data (1)"));
    screenshot(&c, "kept-mark.png").await;
    // p, then Backspace: the mark is taken back, nothing flagged.
    press(&c, "p").await;
    wait_for(&c, "#message .span-select").await;
    press(&c, key::BACKSPACE).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while c
        .find(fantoccini::Locator::Css("#message mark"))
        .await
        .is_ok()
    {
        assert!(Instant::now() < deadline, "the mark is still shown");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert!(!text(&c, "#pending").await.contains("missed personal data"));
    press(&c, "a").await;
    wait_done(&c, 1).await;
    let labels = vault(&profile).current_labels().expect("labels");
    assert!(
        labels[0].pii_spans.is_empty() && labels[0].flags.is_empty(),
        "{labels:?}"
    );
    // Give "a" to Skip: the banner says Model is right keeps Enter.
    click(&c, "#tab-settings").await;
    click(&c, "button[data-action='skip']").await;
    press(&c, "a").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let b = text(&c, "#banner-text").await;
        if b.contains("moved from Model is right to Skip") {
            assert!(b.contains("keeps Enter"), "{b}");
            break;
        }
        assert!(Instant::now() < deadline, "{b}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    click(&c, "#keymap-reset").await;
    c.close().await.expect("close");
}

/// Wait until `script` returns `want` (the UI re-renders after a change of language).
async fn wait_js(c: &Client, script: &str, want: Value) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = js(c, script).await;
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "{script}: {got}, wanted {want}");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// What the labelling screen shows in words: the tab names, the model line, the reason,
/// the key hints and the progress line.
async fn label_words(c: &Client) -> Value {
    js(
        c,
        "const q = (s) => document.querySelector(s).innerText.trim(); \
         return { tabs: Array.from(document.querySelectorAll('nav [role=tab]'), (b) => b.innerText.trim()), \
                  model: q('.model > span'), reason: document.querySelector('#reason').textContent, keys: q('#keys'), \
                  progress: q('#progress-text'), lang: document.documentElement.lang };",
    )
    .await
}

/// Choose a language in Settings and wait for the page to take it.
async fn choose_language(c: &Client, tag: &str) {
    click(c, "#tab-settings").await;
    c.find(fantoccini::Locator::Css("#language-select"))
        .await
        .expect("language control")
        .select_by_value(tag)
        .await
        .expect("choose a language");
    wait_js(c, "return document.documentElement.lang;", json!(tag)).await;
}

/// The interface in German: the Settings control re-words the screens at once (no
/// restart), the choice outlives a restart, and English comes back the same way. The
/// item text and the intent ids stay as they are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_interface_in_german_kept_across_a_restart() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let intents: Vec<(String, String)> = ["card_arrival", "lost_card"]
        .iter()
        .map(|i| (i.to_string(), format!("about {i}")))
        .collect();
    let items: Vec<Value> = (0..3)
        .map(|i| json!({"text": format!("where is my new card {i}"), "intent": "card_arrival", "confidence": 0.4, "reason": "low_confidence"}))
        .collect();
    let (profile, driver, c) = app_with(dir.path(), &intents, &items).await;
    // English under the test environment, as every other test expects.
    let en = label_words(&c).await;
    assert_eq!(en["lang"], "en", "{en}");
    assert_eq!(
        en["tabs"],
        json!(["Label", "Batches", "Audit", "Settings", "Manage"]),
        "{en}"
    );
    assert!(
        en["keys"]
            .as_str()
            .unwrap_or_default()
            .contains("Model is right"),
        "{en}"
    );

    choose_language(&c, "de").await;
    assert_eq!(text(&c, "#tab-settings").await, "Einstellungen");
    let settings = text(&c, "#screen-settings").await;
    assert!(
        settings.contains("Standardtasten wiederherstellen")
            && settings.contains("Modell hat recht")
            && settings.contains("Farbschema"),
        "{settings}"
    );
    screenshot(&c, "settings-de.png").await;
    // The Manage view's own words too (no hub here: the connect form).
    click(&c, "#tab-manage").await;
    wait_js(
        &c,
        "return document.querySelector('#manage-link').innerText.startsWith('Nicht verbunden');",
        json!(true),
    )
    .await;
    let manage = text(&c, "#screen-manage").await;
    assert!(
        manage.contains("Hub-URL") && manage.contains("Verbinden"),
        "{manage}"
    );
    screenshot(&c, "manage-de.png").await;
    click(&c, "#tab-label").await;
    wait_js(
        &c,
        "return document.querySelector('#progress-text').innerText.startsWith('0 erledigt');",
        json!(true),
    )
    .await;
    let de = label_words(&c).await;
    assert_eq!(
        de["tabs"],
        json!([
            "Beschriften",
            "Stapel",
            "Prüfprotokoll",
            "Einstellungen",
            "Verwalten"
        ]),
        "{de}"
    );
    assert_eq!(de["model"], "Modell:", "{de}");
    assert_eq!(de["reason"], "Geringe Konfidenz", "{de}");
    assert_eq!(de["progress"], "0 erledigt · 3 offen", "{de}");
    let keys = de["keys"].as_str().unwrap_or_default();
    for words in [
        "Modell hat recht",
        "Modell irrt: Intent wählen",
        "Überspringen",
        "Rückgängig",
        "Richtlinien",
        "Richtiger Intent",
    ] {
        assert!(keys.contains(words), "{words} in {keys}");
    }
    // The item's text and the intent ids are the data, not the interface.
    assert_eq!(text(&c, "#model-intent").await, "card_arrival");
    assert!(text(&c, "#message")
        .await
        .starts_with("where is my new card"));
    // A decision is confirmed in German; the ? help is generated in German too.
    press(&c, "a").await;
    wait_js(
        &c,
        "return document.querySelector('#progress-text').innerText.startsWith('1 erledigt');",
        json!(true),
    )
    .await;
    let confirm = text(&c, "#confirm").await;
    assert!(
        confirm.starts_with("✓ Modell hat recht (card_arrival)")
            && confirm.contains("macht rückgängig"),
        "{confirm}"
    );
    screenshot(&c, "label-de.png").await;
    press(&c, "?").await;
    wait_for(&c, "#help:not([hidden])").await;
    let help = js(&c, "return document.querySelector('#help').innerText;").await;
    let help = help.as_str().unwrap_or_default();
    assert!(
        help.contains("Tastenkürzel")
            && help.contains("In der Intent-Auswahl")
            && help.contains("Esc oder ? schließt"),
        "{help}"
    );
    screenshot(&c, "help-de.png").await;
    press(&c, key::ESCAPE).await;

    // Kept across a restart: the profile holds the choice.
    c.close().await.expect("close");
    assert_eq!(
        std::fs::read_to_string(profile.join("language")).expect("language file"),
        "de\n"
    );
    let c = driver.session().await;
    wait_js(
        &c,
        "return document.body.dataset.ready === 'true' && document.documentElement.lang === 'de' \
         && document.querySelector('#progress-text').innerText.startsWith('1 erledigt');",
        json!(true),
    )
    .await;
    let again = label_words(&c).await;
    assert_eq!(again["tabs"], de["tabs"], "{again}");
    assert!(
        again["keys"]
            .as_str()
            .unwrap_or_default()
            .contains("Modell hat recht"),
        "{again}"
    );
    let recent = text(&c, "#recent-list").await;
    assert!(recent.contains("Modell hat recht"), "{recent}");
    screenshot(&c, "label-de-restarted.png").await;

    // And back to English, at once.
    choose_language(&c, "en").await;
    click(&c, "#tab-label").await;
    wait_done(&c, 1).await;
    let back = label_words(&c).await;
    assert_eq!(back["tabs"], en["tabs"], "{back}");
    assert_eq!(back["reason"], "Low confidence", "{back}");
    assert!(
        back["keys"]
            .as_str()
            .unwrap_or_default()
            .contains("Model is right"),
        "{back}"
    );
    assert!(text(&c, "#recent-list").await.contains("model right"));
    c.close().await.expect("close");
}

/// Keyboard decisions dispatched inside the page, each waiting for the next item: the
/// app's own keydown → next item painted times (`window.__lvLatencies`), in ms.
async fn decide_in_page(c: &Client, n: usize) -> Vec<f64> {
    let js = format!(
        "const done = arguments[arguments.length - 1]; (async () => {{ \
           const before = window.__lvLatencies.length; \
           const text = () => document.getElementById('progress-text').textContent; \
           for (let i = 0; i < {n}; i++) {{ \
             const t = text(); \
             document.dispatchEvent(new KeyboardEvent('keydown', {{ key: 'a', bubbles: true }})); \
             while (text() === t) {{ await new Promise(r => setTimeout(r, 0)); }} \
             await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0))); \
           }} \
           done(JSON.stringify(window.__lvLatencies.slice(before))); }})();"
    );
    let r = c.execute_async(&js, vec![]).await.expect("in-page keys");
    serde_json::from_str(r.as_str().expect("json string")).expect("latencies")
}

/// The top bar's sync state as rendered (`innerText`; empty unless it is laid out in
/// the window with a width; marked when the line is cut short). WebKitWebDriver's element
/// text reads an ellipsised `overflow: hidden` element as empty, so the page is asked.
async fn sync_state_shown(c: &Client) -> String {
    js(
        c,
        "const e = document.getElementById('sync-state'); const r = e.getBoundingClientRect(); \
         const whole = e.scrollWidth <= e.clientWidth + 1; \
         return r.width > 0 && r.right <= window.innerWidth && !e.closest('[hidden]') ? (whole ? '' : 'CUT SHORT: ') + e.innerText : '';",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A hub that takes the connection and never answers: the sync waits out its timeout
/// off the main thread, labelling goes on at its usual pace meanwhile (keydown → next
/// item, measured in the page, against the same decisions before the sync in the same
/// run), and the top bar says a sync is under way, then that the hub is unreachable and
/// when the app tries again, while the labels stay in the vault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_that_never_answers_does_not_slow_labelling() {
    if !available() {
        return;
    }
    use labelvault_system_tests::{cli_ok, enroll, Hub};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut hub = Hub::start(&dir.path().join("hub"));
    let device = enroll(&hub, &dir.path().join("device"), "annotator");
    let items: Vec<Value> = (0..60)
        .map(|i| json!({"text": format!("message {i} about my card"), "intent": "card_arrival", "confidence": 0.4, "reason": "low_confidence"}))
        .collect();
    let (st, r) = hub.admin_post(
        "/v1/admin/assign",
        &json!({"device_id": device.device_id, "taxonomy": {"id": "t", "version": "1", "intents": [
            {"id": "card_arrival", "description": ""}, {"id": "lost_card", "description": ""}]}, "items": items}),
    );
    assert_eq!(st, 200, "{r}");
    cli_ok(&device.profile, &["pull"]);
    // The hub goes silent: its address now accepts connections and never answers.
    let addr = hub.addr();
    hub.kill9();
    let silent = std::net::TcpListener::bind(&addr).expect("bind the hub's address");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming() {
            held.push(s);
        }
    });
    let driver = Driver::start(&[
        ("LABELVAULT_PROFILE_DIR", &device.profile),
        ("LABELVAULT_NO_DEMO", Path::new("1")),
    ]);
    let c = driver.session().await;
    wait_for(&c, "#message").await;
    wait_done(&c, 0).await;
    let phase = |c: Client| async move {
        js(
            &c,
            "return document.getElementById('sync-state').dataset.phase;",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    };
    let before = decide_in_page(&c, 20).await;
    click(&c, "#sync-button").await;
    assert_eq!(phase(c.clone()).await, "syncing");
    assert_eq!(sync_state_shown(&c).await, "Syncing…");
    let during = decide_in_page(&c, 20).await;
    // Still waiting on the silent hub after the decisions: they were made during it.
    assert_eq!(phase(c.clone()).await, "syncing");
    wait_done(&c, 40).await;
    let (b, d) = (median(&before), median(&during));
    let worst = during.iter().copied().fold(0.0, f64::max);
    println!(
        "keydown → next item painted, median of 20: {b:.1} ms before the sync, {d:.1} ms while it waits ({:.2}×), worst {worst:.1} ms",
        d / b
    );
    assert!(
        d <= 2.0 * b + 20.0 && worst < 1_000.0,
        "labelling slowed while the sync waited: before {before:?}, during {during:?}"
    );
    // The sync gives up after its 15 s timeout; the top bar says so and when it retries.
    let deadline = Instant::now() + Duration::from_secs(40);
    while phase(c.clone()).await != "retrying" {
        assert!(Instant::now() < deadline, "the sync never gave up");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let said = sync_state_shown(&c).await;
    assert!(said.starts_with("Not synced, retry in "), "{said}");
    screenshot(&c, "sync-retrying.png").await;
    drop(c);
    drop(driver);
    // Every decision is in the vault, waiting for the next sync.
    let status: Value =
        serde_json::from_str(&cli_ok(&device.profile, &["status", "--json"])).expect("status");
    assert_eq!(status["labelled"], 40, "{status}");
}
