//! The manager's pipeline verbs: `ingest`, `company`, `gold`, `select`, `dispatch`,
//! `reclaim`, `progress`, and after labelling `quality`, `disagreements`, `adjudicate`,
//! `export`, `evaluate` and `retrain`. They talk to the hub's admin API with the admin token;
//! the hub is the one process that keeps raw message text (this one only reads the
//! file and forwards it).

use anyhow::{bail, Context, Result};
use labelvault_core::admin_api::{
    self, defaults, AdjudicationRequest, CompanyRequest, ConfirmTermsRequest, DisagreementQuery,
    DispatchRequest, ExportFormat, GoldAnswer, GoldRequest, Method, PiiKind, ReclaimRequest,
    RetrainMarkKind, SelectRequest, Selection, Strategy, UndoRequest,
};
use labelvault_core::manage::{self, AdminClient};
use labelvault_core::pipeline::ingest;
use serde_json::{json, Value};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How to reach the hub's admin API.
#[derive(clap::Args, Debug, Clone)]
pub struct HubAdmin {
    /// Hub URL, e.g. http://127.0.0.1:7878
    #[arg(long, env = "LABELVAULT_HUB_URL")]
    pub hub: String,
    /// The hub's bootstrap admin token file (DATA_DIR/admin.token). Without it, requests
    /// are signed with the account this machine enrolled for the hub (`labelvault account
    /// enroll`).
    #[arg(long, env = "LABELVAULT_ADMIN_TOKEN_FILE")]
    pub admin_token_file: Option<PathBuf>,
}

/// An admin API client: the engine's [`AdminClient`] with the token read from a file.
pub(crate) struct Admin {
    client: AdminClient,
}

impl Admin {
    pub(crate) fn new(h: &HubAdmin) -> Result<Admin> {
        let timeout = Duration::from_secs(600);
        if let Some(file) = &h.admin_token_file {
            let token =
                zeroize::Zeroizing::new(std::fs::read_to_string(file).with_context(|| {
                    format!(
                        "cannot read the hub admin token {}; pass --admin-token-file",
                        file.display()
                    )
                })?);
            return Ok(Admin {
                client: AdminClient::new(&h.hub, &token, timeout)?,
            });
        }
        match crate::account::account_for(&h.hub)? {
            Some((id, key)) => Ok(Admin {
                client: AdminClient::with_account(&h.hub, &id, key, timeout)?,
            }),
            None => bail!(
                "no admin credential for {}: pass --admin-token-file DATA_DIR/admin.token, or enroll your account with `labelvault account enroll --hub {} --code CODE`",
                h.hub,
                h.hub
            ),
        }
    }

    pub(crate) fn get(&self, path: &str) -> Result<Vec<u8>> {
        Ok(self.client.get(path)?)
    }

    /// The engine's client, for the admin API's typed calls.
    pub(crate) fn client(&self) -> &AdminClient {
        &self.client
    }
}

/// Arguments of `labelvault ingest`.
#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Messages, JSONL / JSON array / CSV (plain, Label Studio or Prodigy shapes; see
    /// docs/input-formats.md).
    pub file: PathBuf,
}

fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into())
}

/// Rows of an ingest file were refused: the CLI exits with [`RowsRefused::exit_code`] so
/// that a script notices (3: some rows refused, 4: nothing stored at all).
#[derive(Debug)]
pub struct RowsRefused {
    /// Rows refused.
    pub refused: usize,
    /// Messages newly stored.
    pub stored: u64,
}

impl RowsRefused {
    /// 4 when nothing was stored, else 3.
    pub fn exit_code(&self) -> u8 {
        if self.stored == 0 {
            4
        } else {
            3
        }
    }
}

impl std::fmt::Display for RowsRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} row(s) refused{}; fix them (reasons above) and ingest the file again: stored ids are skipped",
            self.refused,
            if self.stored == 0 { " and nothing stored" } else { "" }
        )
    }
}

impl std::error::Error for RowsRefused {}

pub fn ingest(a: IngestArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let bytes =
        std::fs::read(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let total = bytes.len();
    let big = total >= 1 << 20;
    let mut last_pct = 0;
    let summary = manage::ingest_file(
        &admin.client,
        &bytes,
        &file_label(&a.file),
        |done| {
            let pct = done * 100 / total.max(1);
            if big && pct >= last_pct + 10 {
                last_pct = pct;
                eprintln!("reading {}: {pct}%", a.file.display());
            }
        },
        |sent, n| {
            if n > manage::INGEST_CHUNK {
                eprintln!("sent {sent} of {n} messages");
            }
        },
    )?;
    drop(bytes);
    let n = summary.read;
    let (inserted, duplicates, rescored) = (summary.inserted, summary.duplicates, summary.rescored);
    let read_bad = summary.bad_rows;
    let outcome = if read_bad.is_empty() {
        Ok(())
    } else {
        Err(RowsRefused {
            refused: read_bad.len(),
            stored: inserted + rescored,
        }
        .into())
    };
    if a.json {
        println!(
            "{}",
            json!({"read": n, "inserted": inserted, "duplicates": duplicates, "rescored": rescored, "ignored": summary.ignored, "bad_rows": read_bad})
        );
        return outcome;
    }
    println!(
        "{}: {n} message(s) read, {inserted} stored, {rescored} re-scored (a new prediction kept as the current one), {duplicates} already on the hub, {} bad row(s) skipped{}",
        a.file.display(),
        read_bad.len(),
        if summary.ignored > 0 {
            format!(", {} ignored (Prodigy answer: ignore)", summary.ignored)
        } else {
            String::new()
        }
    );
    for b in read_bad.iter().take(50) {
        println!("  line {}: {}", b.line, b.reason);
    }
    if read_bad.len() > 50 {
        println!("  … and {} more (use --json for all)", read_bad.len() - 50);
    }
    outcome
}

/// Arguments of `labelvault company`.
#[derive(clap::Args, Debug)]
pub struct CompanyArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Unmark: the company is no longer newly onboarded.
    #[arg(long, conflicts_with = "consent")]
    pub not_new: bool,
    /// Only record whether the company's customers allow training use of their
    /// messages (`false`: none of its messages is selected, dispatched or exported).
    #[arg(long, value_name = "true|false")]
    pub consent: Option<bool>,
    /// The company id, as in the messages' `company` field.
    pub company: String,
}

pub fn company(a: CompanyArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    if let Some(consent) = a.consent {
        admin_api::company(
            &admin.client,
            &CompanyRequest {
                company: a.company.clone(),
                newly_onboarded: None,
                training_consent: Some(consent),
            },
        )?;
        if consent {
            println!("{}'s messages may be used for training", a.company);
        } else {
            println!(
                "{}'s messages are withheld: never selected, dispatched or exported",
                a.company
            );
        }
        return Ok(());
    }
    admin_api::company(
        &admin.client,
        &CompanyRequest {
            company: a.company.clone(),
            newly_onboarded: Some(!a.not_new),
            training_consent: None,
        },
    )?;
    if a.not_new {
        println!("{} is no longer sampled as newly onboarded", a.company);
    } else {
        println!(
            "{} is newly onboarded: selection samples its messages",
            a.company
        );
    }
    Ok(())
}

/// Arguments of `labelvault gold`.
#[derive(clap::Args, Debug)]
pub struct GoldArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Known answers: JSONL `{"message_id", "intent"}` or CSV `message_id,intent`.
    pub file: PathBuf,
}

fn read_gold(path: &Path) -> Result<Vec<GoldAnswer>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    admin_api::read_gold_file(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

pub fn gold(a: GoldArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let answers = read_gold(&a.file)?;
    let r = admin_api::gold(&admin.client, &GoldRequest { answers })?;
    println!(
        "{} gold answer(s) stored; gold messages are kept out of the pool and mixed into batches as hidden checks",
        r.gold
    );
    Ok(())
}

/// Selection arguments, shared by `select` and `dispatch`.
#[derive(clap::Args, Debug, Clone)]
pub struct SelectionArgs {
    /// Window start: RFC 3339, YYYY-MM-DD or Unix seconds (default: the beginning).
    #[arg(long)]
    pub from: Option<String>,
    /// Window end, exclusive (default: now).
    #[arg(long)]
    pub to: Option<String>,
    /// Uncertainty measure: least_confidence, margin or entropy.
    #[arg(long, default_value_t = defaults::STRATEGY)]
    pub strategy: Strategy,
    /// Most low-confidence items in the pool.
    #[arg(long, default_value_t = defaults::LOW_CONFIDENCE_BUDGET)]
    pub budget: usize,
    /// Only predictions below this confidence count as low confidence.
    #[arg(long, default_value_t = defaults::MAX_CONFIDENCE)]
    pub max_confidence: f64,
    /// At most this many low-confidence items per intent (0: no cap).
    #[arg(long, default_value_t = 0)]
    pub per_intent_cap: usize,
    /// Random-sample size per newly onboarded company.
    #[arg(long, default_value_t = defaults::SAMPLE_PER_COMPANY)]
    pub sample: usize,
    /// Seed: the same seed and data give the same pool.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Most answered messages to send back as suspected label errors (confident
    /// learning; see docs/label-errors.md). 0: off.
    #[arg(long, default_value_t = 0)]
    pub label_errors: usize,
    /// Each message goes to this many different devices.
    #[arg(long, default_value_t = defaults::OVERLAP)]
    pub overlap: usize,
}

impl SelectionArgs {
    fn selection(&self) -> Result<Selection> {
        let time = |s: &Option<String>, default: i64, what: &str| -> Result<i64> {
            match s {
                None => Ok(default),
                Some(s) => ingest::parse_time(s).with_context(|| {
                    format!("--{what} is not a time: use RFC 3339, YYYY-MM-DD or Unix seconds")
                }),
            }
        };
        Ok(Selection {
            from: time(&self.from, 0, "from")?,
            to: time(&self.to, labelvault_core::batch::now_unix() + 1, "to")?,
            strategy: self.strategy,
            low_confidence_budget: self.budget,
            max_confidence: self.max_confidence,
            per_intent_cap: self.per_intent_cap,
            sample_per_company: self.sample,
            seed: self.seed,
            label_error_budget: self.label_errors,
        })
    }
}

/// Arguments of `labelvault select`.
#[derive(clap::Args, Debug)]
pub struct SelectArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Pool entries to list (the composition is always shown).
    #[arg(long, default_value_t = 20)]
    pub show: usize,
    /// Print the whole pool as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A pool entry's reason as the admin API names it.
fn reason_name(r: labelvault_core::batch::Reason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn print_composition(c: &admin_api::Composition) {
    println!(
        "in window: {}   pool: {} false positive(s), {} low confidence, {} random sample, {} suspected label error(s)",
        c.in_window, c.false_positive, c.low_confidence, c.random_sample, c.suspected_label_error
    );
    if !c.low_confidence_by_intent.is_empty() {
        let parts: Vec<String> = c
            .low_confidence_by_intent
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        println!("low confidence by intent: {}", parts.join(", "));
    }
    if !c.sample_by_stratum.is_empty() {
        let parts: Vec<String> = c
            .sample_by_stratum
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        println!("sample by company/channel/day: {}", parts.join(", "));
    }
}

/// `--json`: the hub's answer as it sent it (after it was read as the admin API's type,
/// so a broken answer is still an error), so fields this version does not know reach
/// scripts too.
fn print_body(body: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(body)?;
    if !body.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    Ok(())
}

pub fn select(a: SelectArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let received = admin_api::select_received(
        &admin.client,
        &SelectRequest {
            selection: a.selection.selection()?,
            overlap: a.selection.overlap,
        },
    )?;
    if a.json {
        return print_body(&received.body);
    }
    let r = received.answer;
    println!("dry run: nothing is dispatched");
    print_composition(&r.composition);
    let entries = &r.entries;
    println!(
        "pool: {} message(s), {} item(s) to hand out with overlap {}",
        entries.len(),
        r.copies_needed,
        a.selection.overlap
    );
    let mut out = std::io::stdout().lock();
    for (i, e) in entries.iter().take(a.show).enumerate() {
        writeln!(
            out,
            "{:>5}  {:<15} {:<24} {:<16} {:<28} {:>5.2}",
            i + 1,
            reason_name(e.reason),
            e.message_id,
            e.company,
            e.model_intent,
            e.confidence
        )?;
    }
    if entries.len() > a.show {
        writeln!(
            out,
            "  … {} more (--show N or --json)",
            entries.len() - a.show
        )?;
    }
    Ok(())
}

/// Parse a duration such as `90s`, `30m`, `12h` or `7d` (plain numbers are seconds).
fn parse_duration(s: &str) -> Result<i64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('s') => (&s[..s.len() - 1], 1),
        Some('m') => (&s[..s.len() - 1], 60),
        Some('h') => (&s[..s.len() - 1], 3600),
        Some('d') => (&s[..s.len() - 1], 86_400),
        _ => (s, 1),
    };
    let n: i64 = num
        .trim()
        .parse()
        .with_context(|| format!("{s:?} is not a duration: use e.g. 90s, 30m, 12h or 7d"))?;
    Ok(n.saturating_mul(mult))
}

/// Arguments of `labelvault dispatch`.
#[derive(clap::Args, Debug)]
pub struct DispatchArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Pool items per batch (gold items come on top).
    #[arg(long, default_value_t = defaults::BATCH_SIZE)]
    pub batch_size: usize,
    /// Share of hidden gold items per batch, 0–0.5.
    #[arg(long, default_value_t = 0.0)]
    pub gold_share: f64,
    /// Lease: after this, unlabelled items return to the pool (e.g. 90s, 12h, 7d).
    #[arg(long, default_value = "7d")]
    pub lease: String,
    /// Only these devices (repeatable; default: every enrolled, unrevoked device).
    #[arg(long = "device")]
    pub devices: Vec<String>,
    /// Taxonomy JSON (default: every intent the hub's messages mention); intents may
    /// carry `description`, `examples` and `group` (docs/batch-format.md).
    #[arg(long)]
    pub taxonomy: Option<PathBuf>,
    /// Guidelines for the annotators (a UTF-8 text file of at most 32 KiB), sealed into
    /// every batch and shown in their guidelines panel (`h`).
    #[arg(long, value_name = "FILE")]
    pub guidelines: Option<PathBuf>,
    /// Also write each batch as DIR/<batch id>.lvbatch for offline hand-over.
    #[arg(long)]
    pub export: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn dispatch(a: DispatchArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let mut req = DispatchRequest::of(a.selection.selection()?);
    req.overlap = a.selection.overlap;
    req.batch_size = a.batch_size;
    req.gold_share = a.gold_share;
    req.lease_secs = parse_duration(&a.lease)?;
    if !a.devices.is_empty() {
        req.devices = Some(a.devices.clone());
    }
    if let Some(t) = &a.taxonomy {
        let bytes = std::fs::read(t).with_context(|| format!("cannot read {}", t.display()))?;
        req.taxonomy = Some(labelvault_core::batch::input::parse_taxonomy(&bytes)?);
    }
    if let Some(g) = &a.guidelines {
        req.guidelines = std::fs::read_to_string(g)
            .with_context(|| format!("cannot read {} as UTF-8 text", g.display()))?;
    }
    let received = admin_api::dispatch_received(&admin.client, &req)?;
    let r = &received.answer;
    if let Some(dir) = &a.export {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for b in &r.batches {
            let id = &b.batch_id;
            let bytes = admin.get(&format!("/v1/admin/batches/{id}"))?;
            let path = dir.join(format!("{id}.lvbatch"));
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    if a.json {
        return print_body(&received.body);
    }
    print_composition(&r.composition);
    println!(
        "dispatched {} message(s) as {} item(s) plus {} hidden gold item(s) in {} batch(es); lease ends {}",
        r.dispatched_messages,
        r.copies,
        r.gold_copies,
        r.batches.len(),
        labelvault_core::batch::rfc3339(r.lease_expires_at)
    );
    if r.shortfall > 0 {
        println!(
            "{} item(s) could not be placed: not enough distinct devices; enroll more or lower --overlap",
            r.shortfall
        );
    }
    for b in &r.batches {
        println!(
            "  {}  device {}  {} items",
            b.batch_id, b.device_id, b.items
        );
    }
    match &a.export {
        Some(d) => println!(
            "batch files written to {} (devices can also pull them from the hub)",
            d.display()
        ),
        None => println!("devices receive them with `labelvault pull` or `sync`"),
    }
    Ok(())
}

/// Arguments of `labelvault reclaim`.
#[derive(clap::Args, Debug)]
pub struct ReclaimArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Reclaim leases that end by this time (RFC 3339, YYYY-MM-DD or Unix seconds;
    /// default: now).
    #[arg(long)]
    pub as_of: Option<String>,
}

pub fn reclaim(a: ReclaimArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let as_of = match &a.as_of {
        Some(t) => Some(
            ingest::parse_time(t)
                .context("--as-of is not a time: use RFC 3339, YYYY-MM-DD or Unix seconds")?,
        ),
        None => None,
    };
    let r = admin_api::reclaim(&admin.client, &ReclaimRequest { as_of })?;
    println!(
        "{} unlabelled item(s) whose lease ended returned to the pool",
        r.returned
    );
    Ok(())
}

/// Arguments of `labelvault progress`.
#[derive(clap::Args, Debug)]
pub struct ProgressArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn progress(a: ProgressArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let received = admin_api::pipeline_status_received(&admin.client)?;
    if a.json {
        return print_body(&received.body);
    }
    let r = received.answer;
    println!(
        "messages: {} ({} gold)   items out: {} open, {} labelled, {} returned to the pool",
        r.messages, r.gold, r.open_copies, r.labelled_copies, r.returned_copies
    );
    let new = &r.new_companies;
    println!(
        "newly onboarded: {}",
        if new.is_empty() {
            "none".into()
        } else {
            new.join(", ")
        }
    );
    let withheld = &r.companies_without_consent;
    println!(
        "withheld (no consent to training use): {} message(s){}; raw text retired after the retention period: {}",
        r.without_consent,
        if withheld.is_empty() {
            String::new()
        } else {
            format!(", companies {}", withheld.join(", "))
        },
        r.texts_retired
    );
    Ok(())
}

/// Arguments of `labelvault missed-pii`.
#[derive(clap::Args, Debug)]
pub struct MissedPiiArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Turn the marks of one row (`--week`, `--company`, `--guess` as listed) into the
    /// company's terms, masked in every later dispatch of its messages.
    #[arg(long, requires_all = ["week", "company", "guess"])]
    pub confirm: bool,
    /// The row's week (YYYY-MM-DD, a Monday).
    #[arg(long)]
    pub week: Option<String>,
    /// The row's company.
    #[arg(long)]
    pub company: Option<String>,
    /// The row's guessed kind.
    #[arg(long)]
    pub guess: Option<String>,
    /// Mask the terms as this kind (needed when the guess is NUMBER or OTHER), e.g. PERSON.
    #[arg(long = "as")]
    pub as_kind: Option<String>,
}

pub fn missed_pii(a: MissedPiiArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    if a.confirm {
        let (Some(week), Some(company), Some(guess)) = (&a.week, &a.company, &a.guess) else {
            bail!("--confirm needs --week, --company and --guess as the report lists them");
        };
        let as_kind = a
            .as_kind
            .as_deref()
            .map(|k| {
                serde_json::from_value::<PiiKind>(Value::String(k.to_string())).map_err(|_| {
                    anyhow::anyhow!(
                        "--as is not a kind of personal data; use one of {}",
                        PiiKind::ALL.map(|k| k.type_name()).join(", ")
                    )
                })
            })
            .transpose()?;
        let received = admin_api::confirm_terms(
            &admin.client,
            &ConfirmTermsRequest {
                week: week.clone(),
                company: company.clone(),
                guess: guess.clone(),
                as_kind,
            },
        )?;
        if a.json {
            return print_body(&received.body);
        }
        let r = received.answer;
        println!(
            "{} mark(s) confirmed: {} new term(s); {} now has {} term(s); {} copy(ies) already on devices masked at their next sync",
            r.marks, r.added, company, r.company_terms, r.masked_copies
        );
        return Ok(());
    }
    let received = admin_api::missed_pii(&admin.client)?;
    if a.json {
        return print_body(&received.body);
    }
    let r = received.answer;
    if r.rows.is_empty() {
        println!("no missed personal data marked by annotators");
        return Ok(());
    }
    println!(
        "{:<10}  {:<20}  {:<15}  {:>5}  {:>8}",
        "week of", "company", "kind (guess)", "marks", "messages"
    );
    for x in &r.rows {
        println!(
            "{:<10}  {:<20}  {:<15}  {:>5}  {:>8}",
            x.week, x.company, x.guess, x.marks, x.messages
        );
    }
    println!("{} mark(s) on {} message(s)", r.marks, r.messages);
    Ok(())
}

/// Arguments of `labelvault quality`.
#[derive(clap::Args, Debug)]
pub struct QualityArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Aggregation: dawid_skene or majority.
    #[arg(long, default_value = "dawid_skene")]
    pub method: Method,
    /// Print the whole report as JSON.
    #[arg(long)]
    pub json: bool,
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |x| format!("{x:.3}"))
}

/// Milliseconds as seconds, `-` when unknown.
fn secs(ms: Option<u64>) -> String {
    ms.map_or("-".to_string(), |ms| format!("{:.1} s", ms as f64 / 1000.0))
}

pub fn quality(a: QualityArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let received = admin_api::quality(&admin.client, a.method)?;
    if a.json {
        return print_body(&received.body);
    }
    let r = received.answer;
    let c = &r.counts;
    println!(
        "labels: {} item(s) labelled ({} decisions, {} unsure, {} skipped) on {} message(s), {} with overlap; {} open disagreement(s), {} adjudicated",
        c.copies_labelled, c.decisions, c.unsure, c.skipped, c.messages_labelled,
        c.messages_with_overlap, c.disagreements, c.adjudicated
    );
    let o = &r.overall;
    println!(
        "agreement: alpha {}  kappa {}  observed {} over {} paired message(s)",
        fmt_opt(o.alpha),
        fmt_opt(o.kappa),
        fmt_opt(o.observed_agreement),
        o.paired_messages
    );
    for (title, groups) in [
        ("by company", &r.by_company),
        ("by model intent", &r.by_intent),
    ] {
        if groups.is_empty() {
            continue;
        }
        println!("{title}:");
        for g in groups.iter().take(30) {
            println!(
                "  {:<32} alpha {:>6}  kappa {:>6}  {} paired",
                g.key,
                fmt_opt(g.alpha),
                fmt_opt(g.kappa),
                g.paired_messages
            );
        }
    }
    println!("annotators:");
    for n in &r.annotators {
        // The person first, by the name the manager gave, then the id.
        let who = match &n.name {
            Some(name) => format!("{name} ({})", n.annotator_id),
            None => n.annotator_id.clone(),
        };
        println!(
            "  {:<40} {} decisions  gold {}/{} ({})  self-consistency {} ({} pairs)  Dawid-Skene accuracy {}",
            who,
            n.decisions,
            n.gold.correct,
            n.gold.answered,
            fmt_opt(n.gold.accuracy),
            fmt_opt(n.self_consistency.rate),
            n.self_consistency.pairs,
            fmt_opt(n.dawid_skene_accuracy)
        );
        let p = &n.pace;
        println!(
            "  {:<40} time per item {} (fastest tenth {}; {} timed)  unsure {}  skipped {}  too fast (< {}) {}{}",
            "",
            secs(p.median_ms),
            secs(p.p10_ms),
            p.timed,
            fmt_opt(n.unsure_rate),
            fmt_opt(n.skip_rate),
            secs(Some(p.too_fast_below_ms)),
            fmt_opt(p.too_fast_share),
            if p.flagged {
                "  FLAGGED: many decisions too fast to have read the message"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// Percent-encode a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Arguments of `labelvault disagreements`.
#[derive(clap::Args, Debug)]
pub struct DisagreementsArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Also list messages already adjudicated.
    #[arg(long)]
    pub all: bool,
    /// Show each message's raw text (it is on the hub; it is printed here only).
    #[arg(long)]
    pub text: bool,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn disagreements(a: DisagreementsArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let received = admin_api::disagreements(
        &admin.client,
        DisagreementQuery {
            method: Method::default(),
            include_adjudicated: a.all,
            with_text: a.text,
            limit: a.limit,
        },
    )?;
    if a.json {
        return print_body(&received.body);
    }
    let r = received.answer;
    println!("{} disagreement(s), {} open", r.total, r.open);
    for d in &r.disagreements {
        let labels: Vec<String> = d
            .labels
            .iter()
            .map(|l| {
                format!(
                    "{}={}",
                    l.annotator_id,
                    l.intent.as_deref().unwrap_or(&l.verdict)
                )
            })
            .collect();
        println!(
            "  {:<24} {:<9} model {:<28} {}{}",
            d.message_id,
            d.kind,
            d.model_intent,
            labels.join(" "),
            d.adjudication
                .as_ref()
                .map(|j| format!("  (adjudicated: {})", j.intent))
                .unwrap_or_default()
        );
        if let Some(t) = &d.text {
            println!("      {t}");
        }
    }
    println!("decide one with `labelvault adjudicate MESSAGE_ID INTENT`");
    Ok(())
}

/// Arguments of `labelvault adjudicate`.
#[derive(clap::Args, Debug)]
pub struct AdjudicateArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Who decides (recorded in the audit trail).
    #[arg(long, default_value = "manager")]
    pub by: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Take back adjudication #SEQ (the latest on its message): a new entry restores
    /// what was in force before it.
    #[arg(long, value_name = "SEQ", conflicts_with_all = ["message_id", "intent"])]
    pub undo: Option<u64>,
    /// The message id.
    #[arg(required_unless_present = "undo")]
    pub message_id: Option<String>,
    /// Its intent.
    #[arg(required_unless_present = "undo")]
    pub intent: Option<String>,
}

pub fn adjudicate(a: AdjudicateArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let received = match (a.undo, &a.message_id, &a.intent) {
        (Some(seq), _, _) => {
            admin_api::undo_adjudication(&admin.client, seq, &UndoRequest { by: a.by.clone() })?
        }
        (None, Some(m), Some(i)) => admin_api::adjudicate(
            &admin.client,
            &AdjudicationRequest {
                message_id: m.clone(),
                intent: i.clone(),
                by: a.by.clone(),
            },
        )?,
        _ => bail!("give MESSAGE_ID and INTENT, or --undo SEQ"),
    };
    if a.json {
        return print_body(&received.body);
    }
    let r = received.answer;
    let now = if r.intent.is_empty() {
        "back to its gold answer or its annotators' majority".to_string()
    } else {
        r.intent.clone()
    };
    println!(
        "{} is {now} (adjudication #{} by {}; it was {})",
        r.message_id,
        r.seq,
        a.by,
        r.previous_intent.as_deref().unwrap_or("undecided")
    );
    Ok(())
}

/// Arguments of `labelvault withdraw`.
#[derive(clap::Args, Debug)]
pub struct WithdrawArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// The batch id (`dispatch` prints them; `--json` lists them).
    pub batch_id: String,
}

/// Undo a dispatch for one batch its device has not fetched yet.
pub fn withdraw(a: WithdrawArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let r = admin_api::withdraw(&admin.client, &a.batch_id)?;
    println!(
        "withdrew batch {}: its device never received it; {} item(s) back in the pool",
        r.batch_id, r.copies_returned
    );
    Ok(())
}

/// Arguments of `labelvault export`.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// jsonl, chat, label-studio, prodigy or argilla (Argilla v2 records).
    #[arg(long, default_value_t = ExportFormat::default())]
    pub format: ExportFormat,
    /// Train/validation/test percentages.
    #[arg(long, default_value = "70/15/15")]
    pub split: String,
    /// Seed of the split (and of the folds).
    #[arg(long, default_value_t = defaults::EXPORT_SEED)]
    pub seed: u64,
    /// Also give every example a cross-validation fold (0..K), stratified by label and
    /// seeded, alongside its split (K from 2 to 20, e.g. 5 or 10).
    #[arg(long, value_name = "K")]
    pub folds: Option<u8>,
    /// Aggregation: dawid_skene or majority.
    #[arg(long, default_value = "dawid_skene")]
    pub method: Method,
    /// Replace personal data in the texts with typed placeholders.
    #[arg(long)]
    pub redact: bool,
    /// The chat format's system message.
    #[arg(long)]
    pub system_prompt: Option<String>,
    /// Do not count this export as a retraining mark.
    #[arg(long)]
    pub no_mark: bool,
    /// Write DIR/train.EXT, DIR/validation.EXT and DIR/test.EXT (one request each; only
    /// the first marks).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn export(a: ExportArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let ext = if a.format.is_json_document() {
        "json"
    } else {
        "jsonl"
    };
    let mut total = 0usize;
    for (k, part) in ["train", "validation", "test"].iter().enumerate() {
        let mut path = format!(
            "/v1/admin/export?format={}&split={}&seed={}&method={}&redact={}&part={part}&mark={}",
            a.format,
            enc(&a.split),
            a.seed,
            a.method.as_str(),
            a.redact,
            !a.no_mark && k == 0
        );
        if let Some(p) = &a.system_prompt {
            path.push_str(&format!("&system_prompt={}", enc(p)));
        }
        if let Some(k) = a.folds {
            path.push_str(&format!("&folds={k}"));
        }
        let bytes = admin.get(&path)?;
        let n = if ext == "json" {
            serde_json::from_slice::<Vec<Value>>(&bytes)
                .map(|v| v.len())
                .unwrap_or(0)
        } else {
            bytes.iter().filter(|b| **b == b'\n').count()
        };
        total += n;
        let file = a.out.join(format!("{part}.{ext}"));
        std::fs::write(&file, &bytes)
            .with_context(|| format!("cannot write {}", file.display()))?;
        println!("{}: {n} example(s)", file.display());
    }
    println!(
        "{total} labelled message(s) exported ({} split, seed {}); the texts are the hub's{}",
        a.split,
        a.seed,
        if a.redact {
            ", redacted"
        } else {
            ": keep these files as private as the hub"
        }
    );
    Ok(())
}

/// Arguments of `labelvault evaluate`.
#[derive(clap::Args, Debug)]
pub struct EvaluateArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Aggregation: dawid_skene or majority.
    #[arg(long, default_value = "dawid_skene")]
    pub method: Method,
    /// Write the HTML report here (opens in any browser; no scripts, no remote content).
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Print the evaluation as JSON.
    #[arg(long)]
    pub json: bool,
    /// Evaluate one model version's predictions only (as ingested with `model_version`).
    #[arg(long, value_name = "VERSION", conflicts_with = "compare")]
    pub model_version: Option<String>,
    /// Compare two model versions on the same messages of the export's test split:
    /// accuracy, macro F1, McNemar's exact test and F1 per intent.
    #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with = "html")]
    pub compare: Option<Vec<String>>,
}

/// `labelvault evaluate --compare A B`.
fn compare_versions(admin: &Admin, method: Method, a: &str, b: &str, json: bool) -> Result<()> {
    let received = admin_api::compare_received(&admin.client, method, a, b)?;
    if json {
        return print_body(&received.body);
    }
    let r = received.answer.comparison;
    println!(
        "{} message(s) of the test split judged by humans and predicted by both {a} and {b}:",
        r.items
    );
    println!(
        "  accuracy  {a} {:.1}%  {b} {:.1}%  difference {:+.1} points",
        r.accuracy_a * 100.0,
        r.accuracy_b * 100.0,
        r.accuracy_difference * 100.0
    );
    println!(
        "  macro F1  {a} {:.3}  {b} {:.3}  difference {:+.3}",
        r.macro_f1_a, r.macro_f1_b, r.macro_f1_difference
    );
    println!(
        "  only {a} right: {}, only {b} right: {}; McNemar's exact test p = {:.4}{}",
        r.only_a_correct,
        r.only_b_correct,
        r.mcnemar_p,
        if r.mcnemar_p < 0.05 {
            " (a real difference at the 5% level)"
        } else {
            " (no significant difference)"
        }
    );
    println!("F1 per intent ({a} → {b}):");
    for d in &r.per_intent {
        println!(
            "  {:<32} {:.3} → {:.3} ({:+.3}), {} labelled",
            d.intent, d.f1_a, d.f1_b, d.difference, d.support
        );
    }
    Ok(())
}

pub fn evaluate(a: EvaluateArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    if let Some(v) = &a.compare {
        let (Some(x), Some(y)) = (v.first(), v.get(1)) else {
            anyhow::bail!("--compare needs two model versions: --compare A B");
        };
        return compare_versions(&admin, a.method, x, y, a.json);
    }
    let q = admin_api::EvaluationQuery {
        method: a.method,
        model_version: a.model_version.clone(),
    };
    let received = admin_api::evaluation_received(&admin.client, &q)?;
    if let Some(p) = &a.html {
        let html = admin.get(&q.path(true)?)?;
        std::fs::write(p, html).with_context(|| format!("cannot write {}", p.display()))?;
    }
    if a.json {
        return print_body(&received.body);
    }
    let r = received.answer.evaluation;
    println!(
        "{} message(s) with human labels: model accuracy {:.1}%, macro F1 {:.3}, expected calibration error {:.3}",
        r.items,
        r.accuracy * 100.0,
        r.macro_f1,
        r.expected_calibration_error
    );
    println!("top confusions (model said → humans said):");
    for c in r.top_confusions.iter().take(10) {
        println!("  {:>5}  {} → {}", c.count, c.model, c.human);
    }
    if !r.false_positive_rate_by_company.is_empty() {
        let parts: Vec<String> = r
            .false_positive_rate_by_company
            .iter()
            .map(|(k, v)| format!("{k} {:.1}%", v * 100.0))
            .collect();
        println!("false-positive rate by company: {}", parts.join(", "));
    }
    if !r.by_model_version.is_empty() {
        println!("by model version:");
        for v in &r.by_model_version {
            println!(
                "  {:<24} {:>6} message(s), accuracy {:.1}%, macro F1 {:.3}",
                v.model_version,
                v.items,
                v.accuracy * 100.0,
                v.macro_f1
            );
        }
    }
    if let Some(p) = &a.html {
        println!("report written to {}", p.display());
    }
    Ok(())
}

/// Arguments of `labelvault retrain`.
#[derive(clap::Args, Debug)]
pub struct RetrainArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// Acknowledge a training run: count new labels from now.
    #[arg(long)]
    pub mark: bool,
    /// Set how many new labels make retraining due.
    #[arg(long)]
    pub threshold: Option<u64>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn retrain(a: RetrainArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let mut r = None;
    if let Some(t) = a.threshold {
        r = Some(admin_api::retrain_threshold(&admin.client, t)?);
    }
    if a.mark {
        r = Some(admin_api::retrain_mark(
            &admin.client,
            RetrainMarkKind::Training,
        )?);
    }
    let received = match r {
        Some(r) => r,
        None => admin_api::retrain_status_received(&admin.client)?,
    };
    if a.json {
        return print_body(&received.body);
    }
    let r = received.answer;
    println!(
        "{} new label(s) since the last {} (threshold {}): retraining is {}",
        r.new_labels,
        r.last_mark.as_ref().map_or("start", |m| m.kind.as_str()),
        r.threshold,
        if r.due { "due" } else { "not due yet" }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_generated_ids() {
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("2h").unwrap(), 7200);
        assert_eq!(parse_duration("7d").unwrap(), 604_800);
        assert_eq!(parse_duration("15").unwrap(), 15);
        assert!(parse_duration("soon").is_err());
    }
}
