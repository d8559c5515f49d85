//! The manager's read model: the aggregation of every label (per method) and what the
//! manager's reads derive from it — the quality report, the disagreements, recent
//! export bodies and evaluations, and the /metrics counts — kept in memory with the
//! store [`ReadGeneration`] it was built from, so that GET /v1/admin/quality,
//! /disagreements, /export, /evaluation and /metrics answer in well under a second at a
//! million labels instead of recomputing everything from the store on each request.
//!
//! On a read the generation is read first (a few counts). If it matches, the answer
//! comes from memory. If the store changed and the last build was cheap (under the sync
//! budget, 250 ms by default: every small hub), the state is rebuilt at once, so the
//! answer is exact. Otherwise the answer comes from the state held, saying how old it
//! is (`as_of`, the `X-LabelVault-As-Of` header, `labelvault_read_model_lag_seconds`),
//! and one background refresh (never two at once) rebuilds it, going round again if a
//! stale answer was served meanwhile: what a read found missing is in the answers
//! within about two rebuilds. The lag reported counts from the last time a read found
//! the state current, so it is an upper bound. A change in the `privacy` generation (an erasure, text retired,
//! consent, redaction terms) is never served stale: anything derived from message text
//! is rebuilt before it is served again.
//!
//! Each store (every hub process) keeps its own read model; the generation is read from
//! the database, so a hub notices what another hub sharing its PostgreSQL wrote.

use crate::error::HubError;
use crate::quality::{Aggregation, Method};
use crate::store::{HubCounts, HubStore, ReadGeneration};
use crate::AppState;
use axum::http::HeaderValue;
use serde::Serialize;
use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// A rebuild that took less than this is redone synchronously on the next read after a
/// change, so small hubs always answer exactly.
pub const SYNC_BUDGET: Duration = Duration::from_millis(250);

/// The response header carrying [`AsOf`] on answers that are not a JSON object (the
/// export, the HTML evaluation, /metrics).
pub const AS_OF_HEADER: &str = "x-labelvault-as-of";

/// How fresh an answer served from the read model is.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct AsOf {
    /// Labelled copies counted in it.
    pub labels: u64,
    /// Adjudications taken into account.
    pub adjudications: u64,
    /// When the store was read for it (Unix milliseconds).
    pub built_at_ms: i64,
    /// How far behind the store it may be: 0 when nothing changed since it was built,
    /// else the time since it was last found current (a refresh is under way).
    pub lag_ms: u64,
    /// Whether the store has not changed since it was built.
    pub current: bool,
}

impl AsOf {
    /// As a header value: `labels=…; adjudications=…; built_at_ms=…; lag_ms=…; current=…`.
    pub fn header(&self) -> HeaderValue {
        HeaderValue::from_str(&format!(
            "labels={}; adjudications={}; built_at_ms={}; lag_ms={}; current={}",
            self.labels, self.adjudications, self.built_at_ms, self.lag_ms, self.current
        ))
        .unwrap_or_else(|_| HeaderValue::from_static("unknown"))
    }
}

/// A JSON answer with its [`AsOf`] added as the `as_of` member.
#[derive(Serialize)]
pub struct WithAsOf<T: Serialize> {
    /// The answer.
    #[serde(flatten)]
    pub body: T,
    /// How fresh it is.
    pub as_of: AsOf,
}

type Made = Arc<dyn Any + Send + Sync>;
type Maker = Arc<dyn Fn(&AppState, &Aggregation) -> Result<Made, HubError> + Send + Sync>;

/// Something derived from a snapshot (a report, an export body), with how to make it
/// again on the next snapshot.
struct Derived {
    key: String,
    /// The privacy generation it was made at, when it holds message text.
    privacy: Option<i64>,
    value: Made,
    make: Maker,
    keep: usize,
}

/// The aggregation for one method at one generation, and what was derived from it.
pub struct Snapshot {
    gen: ReadGeneration,
    built_at_ms: i64,
    /// The last time a read found the store still at `gen` (the answer is at least this
    /// fresh, so a lag counted from here is an upper bound).
    verified_at_ms: AtomicI64,
    build: Duration,
    /// The aggregation.
    pub agg: Aggregation,
    adjudications: u64,
    derived: Mutex<Vec<Derived>>,
}

impl Snapshot {
    fn as_of(&self, current: bool) -> AsOf {
        AsOf {
            labels: self.agg.copies.len() as u64,
            adjudications: self.adjudications,
            built_at_ms: self.built_at_ms,
            lag_ms: if current {
                0
            } else {
                (now_ms() - self.verified_at_ms.load(Ordering::Relaxed)).max(0) as u64
            },
            current,
        }
    }

    fn find(&self, key: &str, privacy: Option<i64>) -> Option<Made> {
        let mut d = self.derived.lock().ok()?;
        let i = d
            .iter()
            .position(|e| e.key == key && (privacy.is_none() || e.privacy == privacy))?;
        // Most recently used last.
        let e = d.remove(i);
        let v = e.value.clone();
        d.push(e);
        Some(v)
    }

    /// Forget every value holding message text made before privacy generation
    /// `privacy`: it can never be served again, and erased text should not stay in
    /// memory until the same query is asked for once more.
    fn drop_text_before(&self, privacy: i64) {
        if let Ok(mut d) = self.derived.lock() {
            d.retain(|e| e.privacy.is_none_or(|p| p >= privacy));
        }
    }

    fn put(&self, e: Derived) {
        let Ok(mut d) = self.derived.lock() else {
            return;
        };
        d.retain(|x| x.key != e.key);
        let kind = kind_of(&e.key).to_string();
        let keep = e.keep.max(1);
        d.push(e);
        // Bounded: at most `keep` entries of one kind, the least recently used dropped.
        while d.iter().filter(|x| kind_of(&x.key) == kind).count() > keep {
            if let Some(i) = d.iter().position(|x| kind_of(&x.key) == kind) {
                d.remove(i);
            }
        }
    }
}

fn kind_of(key: &str) -> &str {
    key.split(':').next().unwrap_or(key)
}

/// One read: the snapshot it is answered from, how fresh that is, and the store's
/// generation when the read began.
pub struct View {
    /// The snapshot.
    pub snap: Arc<Snapshot>,
    /// How fresh it is.
    pub as_of: AsOf,
    /// The store's generation when the read began.
    pub gen: ReadGeneration,
}

impl View {
    /// The value `key` derived from this snapshot: from memory, or made now with `make`
    /// (and kept, at most `keep` of the key's kind — the part before `:`). With
    /// `text = true` the value holds message text: it is only reused at the privacy
    /// generation it was made at, so an erasure is never served stale.
    pub fn derived<T: Any + Send + Sync>(
        &self,
        s: &AppState,
        key: String,
        text: bool,
        keep: usize,
        make: impl Fn(&AppState, &Aggregation) -> Result<T, HubError> + Send + Sync + 'static,
    ) -> Result<Arc<T>, HubError> {
        self.snap.drop_text_before(self.gen.privacy);
        let privacy = text.then_some(self.gen.privacy);
        if let Some(v) = self.snap.find(&key, privacy) {
            if let Ok(v) = v.downcast::<T>() {
                return Ok(v);
            }
        }
        let make: Maker = Arc::new(move |s, agg| Ok(Arc::new(make(s, agg)?) as Made));
        let value = make(s, &self.snap.agg)?;
        let out = value
            .clone()
            .downcast::<T>()
            .map_err(|_| HubError::Internal("read model type mismatch".into()))?;
        self.snap.put(Derived {
            key,
            privacy,
            value,
            make,
            keep,
        });
        Ok(out)
    }
}

/// The /metrics counts, with when they were read.
struct Counts {
    counts: Arc<HubCounts>,
    built_at_ms: i64,
    build: Duration,
}

/// One store's read model.
pub struct ReadModel {
    snaps: Mutex<[Option<Arc<Snapshot>>; 2]>,
    builds: [Mutex<()>; 2],
    refreshing: AtomicBool,
    /// A stale answer was served since the running refresh began.
    wanted: AtomicBool,
    sync_budget_us: AtomicU64,
    bypass: AtomicBool,
    counts: Mutex<Option<Arc<Counts>>>,
    counts_due: AtomicBool,
    bounds: Mutex<Vec<f64>>,
}

impl Default for ReadModel {
    fn default() -> Self {
        ReadModel {
            snaps: Mutex::new([None, None]),
            builds: [Mutex::new(()), Mutex::new(())],
            refreshing: AtomicBool::new(false),
            wanted: AtomicBool::new(false),
            sync_budget_us: AtomicU64::new(SYNC_BUDGET.as_micros() as u64),
            bypass: AtomicBool::new(false),
            counts: Mutex::new(None),
            counts_due: AtomicBool::new(false),
            bounds: Mutex::new(Vec::new()),
        }
    }
}

fn slot(m: Method) -> usize {
    match m {
        Method::DawidSkene => 0,
        Method::Majority => 1,
    }
}

/// The read model of the state's store (one per store, made on first use).
pub fn of(s: &AppState) -> Arc<ReadModel> {
    type Registry = Mutex<Vec<(Weak<dyn HubStore>, Arc<ReadModel>)>>;
    static MODELS: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    let models = MODELS.get_or_init(Default::default);
    let mut m = match models.lock() {
        Ok(m) => m,
        Err(p) => p.into_inner(),
    };
    m.retain(|(w, _)| w.strong_count() > 0);
    let me = Arc::downgrade(&s.store);
    if let Some((_, rm)) = m.iter().find(|(w, _)| Weak::ptr_eq(w, &me)) {
        return rm.clone();
    }
    let rm = Arc::new(ReadModel::default());
    m.push((me, rm.clone()));
    rm
}

/// Rebuild synchronously whenever the last build took less than `budget` (the default
/// is [`SYNC_BUDGET`]; `Duration::ZERO` always answers from the state held once there
/// is one, which tests use to see the lag reported).
pub fn set_sync_budget(s: &AppState, budget: Duration) {
    of(s)
        .sync_budget_us
        .store(budget.as_micros() as u64, Ordering::Relaxed);
}

/// With `true`, every read recomputes everything from the store, as before the read
/// model (for measuring the difference).
pub fn set_bypass(s: &AppState, bypass: bool) {
    of(s).bypass.store(bypass, Ordering::Relaxed);
}

/// Whether a background refresh is running (for tests and the bench).
pub fn refreshing(s: &AppState) -> bool {
    of(s).refreshing.load(Ordering::Acquire)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Labels, adjudications and content unchanged (privacy is checked per derived value).
fn same_content(a: &ReadGeneration, b: &ReadGeneration) -> bool {
    a.uploads == b.uploads && a.adjudications == b.adjudications && a.content == b.content
}

fn build(s: &AppState, method: Method, gen: ReadGeneration) -> Result<Snapshot, HubError> {
    let t = Instant::now();
    let built_at_ms = now_ms();
    let copies = s.store.labelled_copies(None)?;
    let adjudications = s.store.adjudications()?;
    let n_adj = adjudications.len() as u64;
    let agg = Aggregation::build(copies, adjudications, method);
    Ok(Snapshot {
        gen,
        built_at_ms,
        verified_at_ms: AtomicI64::new(built_at_ms),
        build: t.elapsed(),
        agg,
        adjudications: n_adj,
        derived: Mutex::new(Vec::new()),
    })
}

/// The snapshot for `method` to answer a read from (see the module comment).
pub fn read(s: &AppState, method: Method) -> Result<View, HubError> {
    let rm = of(s);
    let gen = s.store.read_generation()?;
    if rm.bypass.load(Ordering::Relaxed) {
        let snap = Arc::new(build(s, method, gen)?);
        return Ok(View {
            as_of: snap.as_of(true),
            snap,
            gen,
        });
    }
    let i = slot(method);
    let budget = Duration::from_micros(rm.sync_budget_us.load(Ordering::Relaxed));
    if let Some(snap) = rm.current(i) {
        if same_content(&snap.gen, &gen) {
            snap.verified_at_ms.store(now_ms(), Ordering::Relaxed);
            return Ok(View {
                as_of: snap.as_of(true),
                snap,
                gen,
            });
        }
        if snap.build >= budget {
            rm.refresh_in_background(s);
            return Ok(View {
                as_of: snap.as_of(false),
                snap,
                gen,
            });
        }
    }
    let _b = rm.builds[i].lock().unwrap_or_else(|p| p.into_inner());
    // Built by another read while this one waited?
    let gen = s.store.read_generation()?;
    if let Some(snap) = rm.current(i) {
        if same_content(&snap.gen, &gen) {
            snap.verified_at_ms.store(now_ms(), Ordering::Relaxed);
            return Ok(View {
                as_of: snap.as_of(true),
                snap,
                gen,
            });
        }
    }
    let snap = Arc::new(build(s, method, gen)?);
    rm.install(i, snap.clone());
    Ok(View {
        as_of: snap.as_of(true),
        snap,
        gen,
    })
}

impl ReadModel {
    fn current(&self, i: usize) -> Option<Arc<Snapshot>> {
        self.snaps.lock().ok().and_then(|s| s[i].clone())
    }

    fn install(&self, i: usize, snap: Arc<Snapshot>) {
        if let Ok(mut s) = self.snaps.lock() {
            s[i] = Some(snap);
        }
    }

    /// Start the background refresh unless one is running; one asked for while it runs
    /// makes it go round once more, so a stale answer is caught up within two rebuilds.
    fn refresh_in_background(self: &Arc<Self>, s: &AppState) {
        self.wanted.store(true, Ordering::Release);
        if self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let (rm, s) = (self.clone(), s.clone());
        let started = std::thread::Builder::new()
            .name("read-model".into())
            .spawn(move || loop {
                rm.wanted.store(false, Ordering::Release);
                let t = Instant::now();
                // A panic must not leave `refreshing` set, or no refresh would ever run
                // again and every read would be served ever staler; its payload is not
                // logged (it could quote a message).
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rm.refresh(&s)));
                let failed = match outcome {
                    Ok(Ok(())) => false,
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "the manager's read model could not be refreshed; the next read tries again");
                        true
                    }
                    Err(_) => {
                        tracing::error!("refreshing the manager's read model failed unexpectedly; the next read tries again");
                        true
                    }
                };
                if failed {
                    rm.refreshing.store(false, Ordering::Release);
                    return;
                }
                tracing::debug!(
                    ms = t.elapsed().as_millis() as u64,
                    "refreshed the manager's read model"
                );
                rm.refreshing.store(false, Ordering::Release);
                if !rm.wanted.load(Ordering::Acquire)
                    || rm.refreshing.swap(true, Ordering::AcqRel)
                {
                    return;
                }
            });
        if started.is_err() {
            self.refreshing.store(false, Ordering::Release);
        }
    }

    /// Rebuild every stale snapshot, remaking what was derived from it, and the counts.
    fn refresh(&self, s: &AppState) -> Result<(), HubError> {
        for method in [Method::DawidSkene, Method::Majority] {
            let i = slot(method);
            let Some(old) = self.current(i) else {
                continue;
            };
            let gen = s.store.read_generation()?;
            if same_content(&old.gen, &gen) {
                continue;
            }
            let _b = self.builds[i].lock().unwrap_or_else(|p| p.into_inner());
            let snap = build(s, method, gen)?;
            let old_derived: Vec<(String, bool, Maker, usize)> = match old.derived.lock() {
                Ok(d) => d
                    .iter()
                    .map(|e| (e.key.clone(), e.privacy.is_some(), e.make.clone(), e.keep))
                    .collect(),
                Err(_) => Vec::new(),
            };
            for (key, text, make, keep) in old_derived {
                // Text-bearing values are made at the privacy generation read before
                // their text is.
                let privacy = if text {
                    Some(s.store.read_generation()?.privacy)
                } else {
                    None
                };
                let value = make(s, &snap.agg)?;
                snap.put(Derived {
                    key,
                    privacy,
                    value,
                    make,
                    keep,
                });
            }
            self.install(i, Arc::new(snap));
        }
        if self.counts_due.swap(false, Ordering::AcqRel) {
            let bounds = self.bounds.lock().map(|b| b.clone()).unwrap_or_default();
            let c = make_counts(s, &bounds)?;
            if let Ok(mut slot) = self.counts.lock() {
                *slot = Some(Arc::new(c));
            }
        }
        Ok(())
    }
}

fn make_counts(s: &AppState, bounds: &[f64]) -> Result<Counts, HubError> {
    let t = Instant::now();
    let built_at_ms = now_ms();
    let counts = Arc::new(s.store.metrics_counts(bounds)?);
    Ok(Counts {
        counts,
        built_at_ms,
        build: t.elapsed(),
    })
}

/// The /metrics counts and their lag in milliseconds (0 when read just now): read from
/// the store when that is cheap, else the last counts read, refreshed in the background.
pub fn counts(s: &AppState, bounds: &[f64]) -> Result<(Arc<HubCounts>, u64), HubError> {
    let rm = of(s);
    let budget = Duration::from_micros(rm.sync_budget_us.load(Ordering::Relaxed));
    let held = rm.counts.lock().ok().and_then(|c| c.clone());
    if let Some(c) = held {
        if !rm.bypass.load(Ordering::Relaxed) && c.build >= budget {
            if let Ok(mut b) = rm.bounds.lock() {
                *b = bounds.to_vec();
            }
            rm.counts_due.store(true, Ordering::Release);
            rm.refresh_in_background(s);
            return Ok((c.counts.clone(), (now_ms() - c.built_at_ms).max(0) as u64));
        }
    }
    let c = make_counts(s, bounds)?;
    let out = c.counts.clone();
    if let Ok(mut slot) = rm.counts.lock() {
        *slot = Some(Arc::new(c));
    }
    Ok((out, 0))
}
