//! A manager's round in the real app's Manage view, against a real hub over loopback:
//! connect (a wrong token first), load messages, preview and create batches for two
//! enrolled devices, watch their progress once they have labelled and synced, adjudicate
//! a disagreement, and download the training export. Runs in the real webview
//! (scripts/e2e.sh).

use base64::Engine as _;
use fantoccini::{Client, Locator};
use labelvault_core::{KeyringStore, Profile, Vault};
use labelvault_e2e::{available, click, painted, screenshot, Driver};
use labelvault_system_tests::{cli_ok, enroll, Hub};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

const INTENTS: &[&str] = &[
    "card_arrival",
    "lost_card",
    "refund_not_showing",
    "change_pin",
];
const MESSAGES: usize = 12;

async fn type_into(c: &Client, css: &str, value: &str) {
    let e = c.find(Locator::Css(css)).await.expect(css);
    e.clear().await.expect("clear");
    e.send_keys(value).await.expect("type");
}

/// Wait (up to 20 s) until the element's text contains `want`.
async fn wait_text(c: &Client, css: &str, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // What the app said last, for a failure's message.
        let banner = async {
            match c.find(Locator::Css("#banner-text")).await {
                Ok(b) => b.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            }
        };
        if let Ok(e) = c.find(Locator::Css(css)).await {
            let t = e.text().await.unwrap_or_default();
            if t.contains(want) {
                return t;
            }
            if Instant::now() >= deadline {
                panic!(
                    "{css} says {t:?}, expected {want:?}; banner: {:?}",
                    banner.await
                );
            }
        } else if Instant::now() >= deadline {
            panic!("no {css}; banner: {:?}", banner.await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn messages_file(dir: &Path) -> std::path::PathBuf {
    let mut out = String::new();
    for i in 0..MESSAGES {
        out.push_str(
            &json!({
                "id": format!("m{i:02}"),
                "text": format!("manage round message {i:02}: where is my order, asks Jane Roe"),
                "company": "acme",
                "channel": "chat",
                "received_at": "2026-11-02T10:00:00Z",
                "intent": INTENTS[i % INTENTS.len()],
                "confidence": 0.2 + i as f64 * 0.01,
            })
            .to_string(),
        );
        out.push('\n');
    }
    out.push_str("{\"id\": \"bad\", \"company\": \"acme\"}\n");
    let path = dir.join("messages.jsonl");
    std::fs::write(&path, out).unwrap();
    path
}

/// The manager's taxonomy for the round: the messages' intents in two groups, with
/// example phrasings.
fn taxonomy_file(dir: &Path) -> std::path::PathBuf {
    let group = |i: &str| {
        if i.contains("card") || i.contains("pin") {
            "cards"
        } else {
            "payments"
        }
    };
    let tax = json!({"id": "round-bank", "version": "3", "intents": INTENTS.iter().map(|i| json!({
        "id": i,
        "description": format!("The customer asks about {}", i.replace('_', " ")),
        "examples": [format!("example one for {i}"), format!("example two for {i}")],
        "group": group(i),
    })).collect::<Vec<_>>()});
    let path = dir.join("taxonomy.json");
    std::fs::write(&path, tax.to_string()).unwrap();
    path
}

fn screenshot_dir() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "target"))
        .unwrap()
        .to_path_buf();
    let dir = target.join("e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_round_in_the_manage_view() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start(&dir.path().join("hub"));
    let a = enroll(&hub, &dir.path().join("ann-a"), "ann-a");
    let b = enroll(&hub, &dir.path().join("ann-b"), "ann-b");
    let manager = dir.path().join("manager");
    let exports = dir.path().join("exports");
    let file = messages_file(dir.path());
    // The manager works as her own account, enrolled on this machine with the real CLI
    // (which pins the hub's key from the enrollment answer): the Manage view signs with
    // it, and the hub's access record names her.
    let (st, created) = hub.admin_post(
        "/v1/admin/accounts",
        &json!({"name": "Mara Manager", "role": "manager"}),
    );
    assert_eq!(st, 200, "{created}");
    cli_ok(
        &manager,
        &[
            "account",
            "enroll",
            "--hub",
            &hub.url,
            "--code",
            created["enrollment_code"].as_str().expect("code"),
        ],
    );

    let driver = Driver::start(&[
        ("LABELVAULT_PROFILE_DIR", &manager),
        ("LABELVAULT_NO_DEMO", Path::new("1")),
        ("LABELVAULT_EXPORT_DIR", &exports),
    ]);
    let c = driver.session().await;
    // Before any connection the Audit view's hub access record says where to connect,
    // next to its button.
    click(&c, "#tab-audit").await;
    click(&c, "#hub-access-load").await;
    wait_text(&c, "#hub-access-error", "connect to a hub in Manage first").await;
    click(&c, "#tab-manage").await;
    wait_text(&c, "#manage-link", "Not connected").await;

    // A wrong token is refused with the hub's reason, and nothing is saved.
    type_into(&c, "#manage-url", &hub.url).await;
    type_into(&c, "#manage-token", "not-the-token").await;
    click(&c, "#manage-connect-button").await;
    wait_text(&c, "#banner", "admin token is wrong").await;
    assert!(!manager.join("manager.json").exists());
    assert!(c
        .find(Locator::Css("#manage-body"))
        .await
        .unwrap()
        .attr("hidden")
        .await
        .unwrap()
        .is_some());

    // The right one connects.
    type_into(&c, "#manage-token", &hub.token).await;
    click(&c, "#manage-connect-button").await;
    wait_text(&c, "#manage-link", &format!("Connected to {}", hub.url)).await;
    let saved = std::fs::read_to_string(manager.join("manager.json")).unwrap();
    assert!(!saved.contains(&hub.token), "token written to the profile");

    // Load messages: the bad row is reported by line, the rest stored.
    c.find(Locator::Css("#manage-file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    let summary = wait_text(&c, "#manage-load-summary", "stored").await;
    assert!(
        summary.contains(&format!("{MESSAGES} stored")) && summary.contains("1 bad row"),
        "{summary}"
    );
    wait_text(&c, "#manage-counts", &format!("{MESSAGES} messages")).await;

    // With no gold answers loaded, the view starts the gold share at 0; asking for gold
    // anyway is stopped before anything is sent, next to the button.
    let gold = c.find(Locator::Css("#plan-gold")).await.unwrap();
    assert_eq!(gold.prop("value").await.unwrap().as_deref(), Some("0"));
    type_into(&c, "#plan-gold", "0.05").await;
    click(&c, "#manage-dispatch").await;
    let problem = wait_text(&c, "#manage-plan-problem", "No gold answers").await;
    assert!(problem.starts_with("Cannot create batches"), "{problem}");
    assert!(
        hub.admin_get("/v1/admin/items").trim().is_empty(),
        "nothing was assigned"
    );
    // The manager's taxonomy file and guidelines go with the batches. A file that is not
    // a taxonomy is refused next to the field; the real one is summarised there.
    let not_tax = dir.path().join("not-a-taxonomy.json");
    std::fs::write(&not_tax, "[1, 2]").unwrap();
    c.find(Locator::Css("#manage-taxonomy-file"))
        .await
        .unwrap()
        .send_keys(not_tax.to_str().unwrap())
        .await
        .unwrap();
    wait_text(&c, "#manage-taxonomy-problem", "taxonomy file is invalid").await;
    let tax_file = taxonomy_file(dir.path());
    c.find(Locator::Css("#manage-taxonomy-file"))
        .await
        .unwrap()
        .send_keys(tax_file.to_str().unwrap())
        .await
        .unwrap();
    let tax_summary = wait_text(&c, "#manage-taxonomy-summary", "intents").await;
    assert!(
        tax_summary.contains("round-bank 3: 4 intents, 2 groups, 4 with examples"),
        "{tax_summary}"
    );
    assert!(c
        .find(Locator::Css("#manage-taxonomy-problem"))
        .await
        .is_err());
    type_into(
        &c,
        "#manage-guidelines",
        // WebDriver's Enter key: a line break in a textarea.
        "Label what the customer wants.\u{E007}A lost card is lost_card, even when they ask for a new one.",
    )
    .await;
    let guidelines = c
        .find(Locator::Css("#manage-guidelines"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(
        guidelines,
        "Label what the customer wants.\nA lost card is lost_card, even when they ask for a new one."
    );
    let count = wait_text(&c, "#manage-guidelines-count", "bytes").await;
    assert!(
        count.starts_with(&format!("{} / 32,768 bytes", guidelines.len())),
        "{count}"
    );

    // The batch plan's label-error budget has the hub's limit: over it, the form says
    // so next to the button and nothing is sent.
    type_into(&c, "#plan-gold", "0").await;
    type_into(&c, "#plan-label-errors", "100001").await;
    click(&c, "#manage-preview").await;
    let problem = wait_text(&c, "#manage-plan-problem", "Suspected label errors").await;
    assert!(
        problem.contains("use a whole number from 0 to 100,000"),
        "{problem}"
    );
    type_into(&c, "#plan-label-errors", "0").await;
    // The uncertainty measure, per-intent cap and seed go with the plan.
    c.execute(
        "const s = document.getElementById('plan-strategy'); s.value = 'entropy'; s.dispatchEvent(new Event('change'));",
        vec![],
    )
    .await
    .unwrap();
    type_into(&c, "#plan-cap", "0").await;
    type_into(&c, "#plan-seed", "7").await;

    // Preview, then create and assign: overlap 2 over the two devices, no gold.
    click(&c, "#manage-preview").await;
    let preview = wait_text(&c, "#manage-preview-summary", "Dry run").await;
    assert!(
        preview.contains(&format!("{MESSAGES} message(s) in the pool"))
            && preview.contains(&format!("{} item(s)", 2 * MESSAGES))
            && preview.contains("Taxonomy round-bank version 3 (4 intents)")
            && preview.contains("Guidelines for annotators attached"),
        "{preview}"
    );
    // Create and assign asks first, with a summary of what will be sent.
    click(&c, "#manage-dispatch").await;
    let ask = wait_text(&c, "#manage-confirm-text", "Assign").await;
    assert!(ask.contains(&format!("{} item(s)", 2 * MESSAGES)), "{ask}");
    // The pool's make-up, the suspected label errors included (the budget is 0: off).
    assert!(
        ask.contains(&format!("Assign {MESSAGES} message(s) (0 reported false positive, {MESSAGES} low confidence, 0 random sample, 0 suspected label error) as")),
        "{ask}"
    );
    assert!(
        ask.contains("Taxonomy round-bank version 3 (4 intents).")
            && ask.contains("Guidelines for annotators attached"),
        "{ask}"
    );
    c.execute(
        "document.querySelector('#manage-batch-h').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "manage-dispatch-taxonomy.png").await;
    click(&c, "#manage-confirm-yes").await;
    let dispatched = wait_text(&c, "#manage-dispatch-summary", "Assigned").await;
    assert!(
        dispatched.contains(&format!(
            "{MESSAGES} message(s) as {} item(s)",
            2 * MESSAGES
        )),
        "{dispatched}"
    );
    // Undo the dispatch before the devices pull: it asks first, then says what became
    // of each batch; the devices then pull nothing of it.
    click(&c, "#manage-withdraw").await;
    let question = wait_text(&c, "#manage-withdraw-question", "Withdraw").await;
    assert_eq!(
        question,
        format!(
            "Withdraw 2 batch(es) with {} item(s)? Devices that already fetched theirs keep them.",
            2 * MESSAGES
        )
    );
    screenshot(&c, "manage-withdraw-confirm.png").await;
    click(&c, "#manage-withdraw-yes").await;
    let undone = wait_text(&c, "#manage-withdraw-summary", "Withdrew").await;
    assert_eq!(
        undone,
        format!(
            "Withdrew 2 of 2 batch(es): {} item(s) back in the pool.",
            2 * MESSAGES
        )
    );
    let outcomes = c
        .find_all(Locator::Css(
            "#manage-withdraw-outcomes li[data-outcome='withdrawn']",
        ))
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes[0]
        .text()
        .await
        .unwrap()
        .contains("withdrawn: its device never received it"));
    screenshot(&c, "manage-withdraw-done.png").await;
    for d in [&a, &b] {
        cli_ok(&d.profile, &["sync"]);
        let v = Vault::open(&Profile::at(&d.profile).unwrap(), &KeyringStore::new()).unwrap();
        assert!(
            v.batches().unwrap().is_empty(),
            "a withdrawn batch was pulled"
        );
    }
    // The same plan assigns the messages again, and the round goes on from there.
    click(&c, "#manage-dispatch").await;
    wait_text(&c, "#manage-confirm-text", "Assign").await;
    click(&c, "#manage-confirm-yes").await;
    let dispatched = wait_text(&c, "#manage-dispatch-summary", "Assigned").await;
    assert!(
        dispatched.contains(&format!(
            "{MESSAGES} message(s) as {} item(s)",
            2 * MESSAGES
        )),
        "{dispatched}"
    );
    let items: Vec<Value> = hub
        .admin_get("/v1/admin/items")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The item map keeps the withdrawn copies too (their ids stay unique): two dispatches.
    assert_eq!(items.len(), 2 * 2 * MESSAGES);

    // Both devices pull and label: A accepts the model everywhere, B disagrees on its
    // first item. Then both sync.
    for d in [&a, &b] {
        cli_ok(&d.profile, &["sync"]);
    }
    // What a device pulled carries the manager's guidelines and taxonomy, examples and
    // groups included.
    for d in [&a, &b] {
        let v = Vault::open(&Profile::at(&d.profile).unwrap(), &KeyringStore::new()).unwrap();
        let batches = v.batches().unwrap();
        assert_eq!(batches.len(), 1, "{batches:?}");
        let id = &batches[0].batch_id;
        assert_eq!(v.guidelines(id).unwrap(), guidelines);
        let tax = v.taxonomy(id).unwrap();
        assert_eq!(tax.len(), INTENTS.len());
        let lost = tax.iter().find(|i| i.id == "lost_card").expect("lost_card");
        assert_eq!(lost.group, "cards");
        assert_eq!(
            lost.examples,
            ["example one for lost_card", "example two for lost_card"]
        );
    }
    let queue = cli_ok(&b.profile, &["queue", "--json", "--limit", "1"]);
    let first: Value = serde_json::from_str(queue.lines().next().expect("an item")).unwrap();
    let disputed_item = first["item_id"].as_str().map(str::to_string);
    let disputed_model = first["model_intent"].as_str().unwrap_or("").to_string();
    let other = INTENTS
        .iter()
        .find(|i| **i != disputed_model)
        .unwrap()
        .to_string();
    cli_ok(
        &b.profile,
        &["label", "--verdict", "wrong", "--intent", &other],
    );
    for _ in 1..MESSAGES {
        cli_ok(&b.profile, &["label", "--verdict", "correct"]);
    }
    // A marks the first word of its first item as personal data the redaction missed.
    cli_ok(
        &a.profile,
        &[
            "label",
            "--verdict",
            "correct",
            "--flag",
            "missed_pii",
            "--span",
            "0:6",
        ],
    );
    for _ in 1..MESSAGES {
        cli_ok(&a.profile, &["label", "--verdict", "correct"]);
    }
    for d in [&a, &b] {
        cli_ok(&d.profile, &["sync"]);
    }
    let disputed_message = items
        .iter()
        .find(|i| Some(i["item_id"].as_str().unwrap().to_string()) == disputed_item)
        .map(|i| i["message_id"].as_str().unwrap().to_string());

    // Progress per device, agreement and the disagreement show after a refresh.
    click(&c, "#manage-refresh").await;
    wait_text(&c, "#manage-counts", &format!("{} labelled", 2 * MESSAGES)).await;
    let devices = c
        .find(Locator::Css("#manage-devices"))
        .await
        .unwrap()
        .attr("data-devices")
        .await
        .unwrap();
    assert_eq!(devices.as_deref(), Some("2"));
    // The people behind the device ids, by the names the manager gave them.
    let people = wait_text(&c, "#manage-devices", "ann-a").await;
    assert!(people.contains("ann-b"), "{people}");
    wait_text(&c, "#manage-quality", "ann-b").await;
    wait_text(&c, "#manage-agreement", "Krippendorff").await;
    wait_text(&c, "#manage-dis-count", "1 open disagreement").await;
    // The mark shows as a count by company and guessed kind, never as text.
    let missed = wait_text(&c, "#manage-missed-table", "acme").await;
    assert!(
        missed.contains("OTHER") && !missed.contains("manage round"),
        "{missed}"
    );
    // The manager masks it from now on: the mark becomes one of acme's terms (its kind
    // chosen, since OTHER is none); the answer counts, it does not quote.
    click(
        &c,
        "#manage-missed-table tr[data-guess='OTHER'] button.confirm-terms",
    )
    .await;
    let confirmed = wait_text(&c, "#manage-missed-result", "1 new term(s)").await;
    assert!(
        confirmed.contains("acme now has 1 term(s)") && !confirmed.contains("manage"),
        "{confirmed}"
    );
    let li = c
        .find(Locator::Css("#manage-disagreements li"))
        .await
        .unwrap();
    let shown_message = li.attr("data-message").await.unwrap();
    if let Some(m) = &disputed_message {
        assert_eq!(shown_message.as_deref(), Some(m.as_str()));
    }
    // The raw text shows only after an explicit reveal (which is ledgered, below).
    let hidden = li.text().await.unwrap();
    assert!(
        hidden.contains("(text hidden)") && !hidden.contains("manage round message"),
        "{hidden}"
    );
    click(&c, "#manage-reveal").await;
    wait_text(&c, "#manage-disagreements li", "manage round message").await;
    painted(&c).await;
    std::fs::write(
        screenshot_dir().join("manage.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // Adjudicate in favour of annotator B's answer.
    click(
        &c,
        &format!("#manage-disagreements li button[data-intent='{other}']"),
    )
    .await;
    wait_text(&c, "#manage-dis-count", "0 open disagreement").await;
    let trail: Value = serde_json::from_str(&hub.admin_get("/v1/admin/adjudications")).unwrap();
    let trail = trail["adjudications"].as_array().unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0]["intent"], other.as_str());
    assert_eq!(trail[0]["message_id"].as_str(), shown_message.as_deref());
    // Undo it: the message is open again (no decision in force), on the hub's trail as
    // a new entry; then decide it again.
    let m = shown_message.clone().unwrap_or_default();
    wait_text(
        &c,
        "#manage-adjudicated li",
        &format!("{m} is now labelled {other}."),
    )
    .await;
    click(&c, "#manage-adjudicated li button.adj-undo").await;
    let back = wait_text(&c, "#manage-adjudicated li .adj-undone", &m).await;
    assert_eq!(back, format!("{m} is back to its annotators' majority"));
    wait_text(&c, "#manage-dis-count", "1 open disagreement").await;
    c.execute(
        "document.querySelector('#manage-dis-h').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "manage-adjudication-undone.png").await;
    let trail: Value = serde_json::from_str(&hub.admin_get("/v1/admin/adjudications")).unwrap();
    let trail = trail["adjudications"].as_array().unwrap();
    assert_eq!(trail.len(), 2, "{trail:?}");
    assert_eq!(trail[1]["message_id"].as_str(), Some(m.as_str()));
    assert_eq!(trail[1]["intent"], "");
    assert_eq!(trail[1]["previous_intent"], other.as_str());
    click(
        &c,
        &format!("#manage-disagreements li button[data-intent='{other}']"),
    )
    .await;
    wait_text(&c, "#manage-dis-count", "0 open disagreement").await;
    let trail: Value = serde_json::from_str(&hub.admin_get("/v1/admin/adjudications")).unwrap();
    let trail = trail["adjudications"].as_array().unwrap();
    assert_eq!(trail.len(), 3);
    assert_eq!(trail[2]["intent"], other.as_str());

    // Download the training export: every message once, the adjudicated one with the
    // manager's label, split into train/validation/test. (First let the refresh that
    // follows the adjudication finish.)
    wait_text(&c, "#manage-missed-table", "acme").await;
    click(&c, "#manage-export").await;
    let saved = wait_text(&c, "#manage-export-saved", "training.jsonl").await;
    assert!(
        saved.contains(" train") && saved.contains(" test"),
        "split counts: {saved}"
    );
    wait_text(&c, "#manage-export-warning", "raw customer text").await;
    let export = std::fs::read_to_string(exports.join("training.jsonl")).unwrap();
    let rows: Vec<Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), MESSAGES);
    let adjudicated = rows
        .iter()
        .find(|r| r["id"].as_str() == shown_message.as_deref())
        .expect("adjudicated message exported");
    assert_eq!(adjudicated["intent"], other.as_str());
    assert!(rows
        .iter()
        .all(|r| ["train", "validation", "test"].contains(&r["split"].as_str().unwrap())));

    // The evaluation report is saved and summarised.
    click(&c, "#manage-evaluate").await;
    wait_text(&c, "#manage-eval-summary", "Report saved").await;
    let html = std::fs::read_to_string(exports.join("evaluation.html")).unwrap();
    assert!(html.contains("<svg"), "the report has charts");
    // One model version so far: nothing to compare yet, and the view says why.
    wait_text(&c, "#manage-one-version", "Only one model version").await;
    wait_text(&c, "#manage-versions-table", "unversioned").await;

    // Model v2 re-scores every message: the view counts them re-scored. A row with
    // another text under a known id is refused by its line, without the text.
    let v2 = |i: usize| INTENTS[(i + i % 2) % INTENTS.len()];
    let rescored = dir.path().join("v2.jsonl");
    let v2_rows: String = (0..MESSAGES)
        .map(|i| {
            json!({
                "id": format!("m{i:02}"),
                "text": format!("manage round message {i:02}: where is my order, asks Jane Roe"),
                "company": "acme",
                "channel": "chat",
                "received_at": "2026-11-02T10:00:00Z",
                "intent": v2(i),
                "confidence": 0.9,
                "model_version": "v2",
            })
            .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(&rescored, v2_rows).unwrap();
    c.find(Locator::Css("#manage-file"))
        .await
        .unwrap()
        .send_keys(rescored.to_str().unwrap())
        .await
        .unwrap();
    let summary = wait_text(&c, "#manage-load-summary", "re-scored").await;
    assert_eq!(
        summary,
        format!("v2.jsonl: {MESSAGES} read, 0 stored, 0 already on the hub, {MESSAGES} re-scored, 0 refused by the hub, 0 bad row(s) skipped.")
    );
    let other_text = dir.path().join("other-text.jsonl");
    std::fs::write(
        &other_text,
        json!({"id": "m03", "text": "Zr8 quite another message", "company": "acme",
               "received_at": "2026-11-02T10:00:00Z", "intent": "refund_not_showing",
               "confidence": 0.5, "model_version": "v3"})
        .to_string()
            + "\n",
    )
    .unwrap();
    c.find(Locator::Css("#manage-file"))
        .await
        .unwrap()
        .send_keys(other_text.to_str().unwrap())
        .await
        .unwrap();
    let summary = wait_text(&c, "#manage-load-summary", "refused").await;
    assert!(
        summary.contains("0 stored") && summary.contains("1 refused by the hub"),
        "{summary}"
    );
    let reasons = wait_text(&c, "#manage-load-result li", "line 1:").await;
    assert!(
        reasons.contains("m03") && !reasons.contains("Zr8"),
        "{reasons}"
    );

    // The evaluation scores each version; compare the two.
    click(&c, "#manage-evaluate").await;
    let versions = wait_text(&c, "#manage-versions-table", "v2").await;
    assert!(versions.contains("unversioned"), "{versions}");
    let eval: Value = serde_json::from_str(&hub.admin_get("/v1/admin/evaluation")).unwrap();
    for v in eval["by_model_version"].as_array().unwrap() {
        let row = c
            .find(Locator::Css(&format!(
                "#manage-versions-table tr[data-version='{}']",
                v["model_version"].as_str().unwrap()
            )))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            row.contains(&format!("{:.1}%", v["accuracy"].as_f64().unwrap() * 100.0))
                && row.contains(&format!("{:.3}", v["macro_f1"].as_f64().unwrap())),
            "{row} {v}"
        );
    }
    let chosen = |id: &'static str| {
        let c = c.clone();
        async move {
            c.find(Locator::Css(id))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .unwrap_or_default()
        }
    };
    let (a, b) = (
        chosen("#manage-compare-a").await,
        chosen("#manage-compare-b").await,
    );
    assert_eq!((a.as_str(), b.as_str()), ("unversioned", "v2"));
    click(&c, "#manage-compare-button").await;
    let head = wait_text(&c, "#manage-compare-head", "against").await;
    let cmp: Value =
        serde_json::from_str(&hub.admin_get(&format!("/v1/admin/evaluation/compare?a={a}&b={b}")))
            .unwrap();
    let n = cmp["items"].as_u64().unwrap();
    assert!(n > 0, "the test split has messages of both versions: {cmp}");
    assert!(
        head.contains(&format!("unversioned (A) against v2 (B) on {n} message(s)")),
        "{head}"
    );
    let pct = |k: &str| format!("{:.1}%", cmp[k].as_f64().unwrap() * 100.0);
    let accuracy = wait_text(
        &c,
        "#manage-compare-table tr[data-measure='accuracy']",
        &pct("accuracy_a"),
    )
    .await;
    assert!(accuracy.contains(&pct("accuracy_b")), "{accuracy}");
    let f1 = wait_text(
        &c,
        "#manage-compare-table tr[data-measure='macro_f1']",
        &format!("{:.3}", cmp["macro_f1_a"].as_f64().unwrap()),
    )
    .await;
    assert!(
        f1.contains(&format!("{:.3}", cmp["macro_f1_b"].as_f64().unwrap())),
        "{f1}"
    );
    let test = wait_text(&c, "#manage-compare-test", "McNemar's exact test p = ").await;
    assert!(
        test.contains(&format!(
            "Only unversioned right: {}; only v2 right: {}.",
            cmp["only_a_correct"], cmp["only_b_correct"]
        )),
        "{test}"
    );
    c.execute(
        "document.getElementById('manage-versions').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "manage-model-versions.png").await;

    // Gold answers load from a file; a newly onboarded company is marked.
    let gold_file = dir.path().join("gold.jsonl");
    std::fs::write(
        &gold_file,
        "{\"message_id\": \"m00\", \"intent\": \"card_arrival\"}\n",
    )
    .unwrap();
    c.find(Locator::Css("#manage-gold-file"))
        .await
        .unwrap()
        .send_keys(gold_file.to_str().unwrap())
        .await
        .unwrap();
    wait_text(&c, "#manage-gold-result", "1 gold answer(s) stored").await;
    wait_text(&c, "#manage-counts", "(1 gold)").await;
    type_into(&c, "#manage-company", "newco").await;
    click(&c, "#manage-company-mark").await;
    wait_text(&c, "#manage-counts", "newly onboarded: newco").await;

    // The Audit view reads the hub's access record through the same connection and
    // verifies it against the key pinned at Mara's enrollment: her acts, by name.
    click(&c, "#tab-audit").await;
    click(&c, "#hub-access-load").await;
    let status = wait_text(&c, "#hub-access-status", "hash chain intact").await;
    assert!(
        status.starts_with("ok: ") && status.contains("checkpoint signed by the hub"),
        "{status}"
    );
    wait_text(&c, "#hub-access-summary", "act(s) on the hub").await;
    let error = c.find(Locator::Css("#hub-access-error")).await.unwrap();
    assert_eq!(error.text().await.unwrap(), "", "the old error is gone");
    for act in ["ingest", "dispatch", "adjudicate", "raw_text_read"] {
        let row = c
            .find(Locator::Css(&format!(
                "#hub-access-rows tr[data-act='{act}']"
            )))
            .await
            .unwrap_or_else(|_| panic!("no {act} row"))
            .text()
            .await
            .unwrap();
        assert!(
            row.contains("Mara Manager (ac_") && row.contains("manager"),
            "{act}: {row}"
        );
    }
    let table = c
        .find(Locator::Css("#hub-access-rows"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        table.contains("POST /v1/admin/messages") && table.contains("POST /v1/admin/dispatch"),
        "{table}"
    );
    assert!(
        !table.contains("manage round message") && !table.contains("Jane Roe"),
        "no message text in the access record"
    );
    let button = c.find(Locator::Css("#hub-access-load")).await.unwrap();
    assert_eq!(button.text().await.unwrap(), "Load hub access record");
    assert!(button.is_enabled().await.unwrap());
    c.execute(
        "document.getElementById('hub-access').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "audit-hub-access.png").await;

    // Who read the disputed message's raw text: Mara, when she revealed the
    // disagreements, and again with the training export (raw text of every message).
    let disputed = shown_message.clone().expect("a disputed message");
    type_into(&c, "#hub-access-message", &disputed).await;
    click(&c, "#hub-access-load").await;
    let summary = wait_text(
        &c,
        "#hub-access-summary",
        &format!("The raw text of {disputed} was read"),
    )
    .await;
    assert!(summary.contains("by Mara Manager"), "{summary}");
    let reads = c
        .find_all(Locator::Css("#hub-access-rows tr"))
        .await
        .unwrap();
    let mut paths = Vec::new();
    for r in &reads {
        assert_eq!(
            r.attr("data-act").await.unwrap().as_deref(),
            Some("raw_text_read")
        );
        let t = r.text().await.unwrap();
        assert!(
            t.contains("Mara Manager") && t.contains(&format!("(incl. {disputed})")),
            "{t}"
        );
        paths.push(t);
    }
    assert!(
        paths
            .iter()
            .any(|t| t.contains("GET /v1/admin/disagreements"))
            && paths.iter().any(|t| t.contains("GET /v1/admin/export")),
        "{paths:?}"
    );
    c.execute(
        "document.getElementById('hub-access').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "audit-who-read.png").await;
    // A message whose text nobody read (no such message): nobody, said plainly.
    type_into(&c, "#hub-access-message", "m99").await;
    click(&c, "#hub-access-load").await;
    wait_text(&c, "#hub-access-summary", "Nobody read the raw text of m99").await;
    let rows = c
        .find(Locator::Css("#hub-access-rows"))
        .await
        .unwrap()
        .attr("data-rows")
        .await
        .unwrap();
    assert_eq!(rows.as_deref(), Some("0"));
    c.close().await.unwrap();
    drop(driver);

    // Every admin call the Manage view made is in this device's ledger — the upload of
    // the messages by its hash, size and row count, never its text — and the ledger
    // verifies.
    let v = labelvault_core::Vault::open(
        &labelvault_core::Profile::at(&manager).unwrap(),
        &labelvault_core::KeyringStore::new(),
    )
    .unwrap();
    let lines = v.export_ledger().unwrap();
    let text: String = lines
        .iter()
        .map(|l| serde_json::to_string(l).unwrap() + "\n")
        .collect();
    let report = labelvault_core::ledger::verify(&text, None).unwrap();
    assert!(report.admin_calls >= 8, "{report:?}");
    let admin: Vec<(String, String, Value)> = lines
        .iter()
        .filter(|l| l.method == "ADMIN")
        .map(|l| {
            let body = base64::engine::general_purpose::STANDARD
                .decode(&l.body_b64)
                .unwrap();
            (
                l.path.clone(),
                l.hub_url.clone(),
                serde_json::from_slice(&body).unwrap(),
            )
        })
        .collect();
    let ingest = admin
        .iter()
        .find(|(p, _, _)| p == "/v1/admin/messages")
        .expect("the message upload is ledgered");
    assert_eq!(ingest.2["method"], "POST");
    assert_eq!(ingest.2["rows"], MESSAGES as u64, "{:?}", ingest.2);
    assert_eq!(ingest.1, hub.url);
    assert!(
        admin
            .iter()
            .any(|(p, _, _)| p == "/v1/admin/disagreements?with_text=true&limit=200"),
        "the reveal of raw text is ledgered"
    );
    for path in [
        "/v1/admin/dispatch",
        "/v1/admin/batches/",
        "/v1/admin/adjudications",
        "/v1/admin/adjudications/",
        "/v1/admin/evaluation",
    ] {
        assert!(
            admin.iter().any(|(p, _, _)| p.starts_with(path)),
            "{path} not ledgered"
        );
    }
    let decoded: String = lines
        .iter()
        .map(|l| {
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(&l.body_b64)
                    .unwrap(),
            )
            .into_owned()
        })
        .collect();
    assert!(
        !decoded.contains("Jane Roe") && !decoded.contains("manage round message"),
        "no message text in the ledger"
    );
}
