//! Building the review pool in the seeds' priority:
//!
//! 1. every reported false positive in the window (oldest first);
//! 2. low-confidence predictions by a chosen uncertainty strategy, with per-intent
//!    round-robin so rare intents are not starved by frequent ones;
//! 3. for each newly onboarded company, a stratified random sample (strata: channel ×
//!    day), seeded and reproducible, kept in random order so estimates from it stay
//!    unbiased.
//! 4. optionally, suspected label errors: messages that already have a human answer
//!    which the model's out-of-sample distribution confidently contradicts (confident
//!    learning, [`super::label_errors`]), lowest p(human answer) first, sent back for
//!    another review ([`add_label_errors`]).

use super::Message;
use crate::batch::Reason;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How uncertainty is measured for the low-confidence tier. Part of the admin API
/// ([`crate::admin_api::Selection`]): the hub, the CLI and the app name it the same way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Strategy {
    /// 1 − p(top intent).
    #[default]
    LeastConfidence,
    /// p(top) − p(second): small margins first.
    Margin,
    /// Shannon entropy of the distribution.
    Entropy,
}

/// Read with [`Strategy::parse`], so JSON accepts the spellings the CLI's `--strategy`
/// always did (`lc`, `least-confidence`) as the documented `least_confidence`; anything
/// else is serde's usual unknown-variant error naming the documented names.
impl<'de> Deserialize<'de> for Strategy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Strategy, D::Error> {
        let s = String::deserialize(d)?;
        Strategy::parse(&s).ok_or_else(|| {
            serde::de::Error::unknown_variant(&s, &["least_confidence", "margin", "entropy"])
        })
    }
}

impl Strategy {
    /// Parse `least_confidence` (also `least-confidence` and `lc`), `margin` or `entropy`.
    pub fn parse(s: &str) -> Option<Strategy> {
        match s {
            "least_confidence" | "least-confidence" | "lc" => Some(Strategy::LeastConfidence),
            "margin" => Some(Strategy::Margin),
            "entropy" => Some(Strategy::Entropy),
            _ => None,
        }
    }

    /// The name the admin API uses (`least_confidence`, `margin`, `entropy`).
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::LeastConfidence => "least_confidence",
            Strategy::Margin => "margin",
            Strategy::Entropy => "entropy",
        }
    }

    /// Uncertainty of a message: larger means more uncertain.
    pub fn uncertainty(self, m: &Message) -> f64 {
        let p1 = m.confidence;
        match self {
            Strategy::LeastConfidence => 1.0 - p1,
            Strategy::Margin => {
                let p2 = m
                    .probabilities
                    .iter()
                    .filter(|(i, _)| *i != m.model_intent)
                    .map(|(_, p)| *p)
                    .fold(0.0, f64::max);
                // Without a distribution, assume the rest of the mass on one rival.
                let p2 = if m.probabilities.len() < 2 {
                    (1.0 - p1).max(0.0)
                } else {
                    p2
                };
                1.0 - (p1 - p2)
            }
            Strategy::Entropy => {
                let mut h = 0.0;
                let mut mass = 0.0;
                let probs: Vec<f64> = if m.probabilities.is_empty() {
                    vec![p1]
                } else {
                    m.probabilities.iter().map(|p| p.1).collect()
                };
                for p in probs {
                    if p > 0.0 {
                        h -= p * p.ln();
                    }
                    mass += p;
                }
                let rest = 1.0 - mass;
                if rest > 1e-9 {
                    h -= rest * rest.ln();
                }
                h
            }
        }
    }
}

/// `--strategy` in the CLI and the app's form: the same names the hub accepts.
impl std::str::FromStr for Strategy {
    type Err = String;

    fn from_str(s: &str) -> Result<Strategy, String> {
        Strategy::parse(s).ok_or_else(|| {
            format!("{s:?} is not a strategy: use least_confidence, margin or entropy")
        })
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to select.
#[derive(Debug, Clone)]
pub struct SelectionConfig {
    /// Only messages received in `[from, to)` (Unix seconds).
    pub window: (i64, i64),
    /// Uncertainty measure.
    pub strategy: Strategy,
    /// Most low-confidence items in the pool.
    pub low_confidence_budget: usize,
    /// Only predictions with confidence below this count as low-confidence.
    pub max_confidence: f64,
    /// At most this many low-confidence items per intent (0 = no cap); the round-robin
    /// already keeps frequent intents from crowding out rare ones.
    pub per_intent_cap: usize,
    /// Newly onboarded companies to sample.
    pub new_companies: Vec<String>,
    /// Sample size per new company.
    pub sample_per_company: usize,
    /// Seed: the same seed and data give the same pool.
    pub seed: u64,
    /// Most suspected label errors sent back for another review (0 = off, the default:
    /// the fourth tier costs annotator time on messages already answered).
    pub label_error_budget: usize,
}

/// One entry of the pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolEntry {
    /// Index into the messages given to [`select`].
    pub index: usize,
    /// Why it is in the pool.
    pub reason: Reason,
}

/// The pool's make-up, shown to the manager before dispatch (in the admin API's select
/// and dispatch answers; a client reading an older hub's answer gets 0 for a missing
/// count).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Composition {
    /// Messages in the window.
    pub in_window: usize,
    /// Reported false positives.
    pub false_positive: usize,
    /// Low-confidence picks.
    pub low_confidence: usize,
    /// Random-sample picks.
    pub random_sample: usize,
    /// Suspected label errors sent back for another review.
    pub suspected_label_error: usize,
    /// Low-confidence picks per intent.
    pub low_confidence_by_intent: BTreeMap<String, usize>,
    /// Sample picks per company, channel and day.
    pub sample_by_stratum: BTreeMap<String, usize>,
}

/// The selected pool, in dispatch order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Pool {
    /// Entries: false positives, then low confidence, then the random sample.
    pub entries: Vec<PoolEntry>,
    /// Its make-up.
    pub composition: Composition,
}

/// SplitMix64: small, fast, seeded, and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

fn day(ts: i64) -> i64 {
    ts.div_euclid(86_400)
}

/// Build the pool.
pub fn select(messages: &[Message], cfg: &SelectionConfig) -> Pool {
    let (from, to) = cfg.window;
    let in_window: Vec<usize> = (0..messages.len())
        .filter(|&i| (from..to).contains(&messages[i].received_at))
        .collect();
    let mut pool = Pool::default();
    pool.composition.in_window = in_window.len();
    let mut taken = vec![false; messages.len()];

    // 1. Reported false positives, oldest first.
    let mut fps: Vec<usize> = in_window
        .iter()
        .copied()
        .filter(|&i| messages[i].reported_false_positive)
        .collect();
    fps.sort_by_key(|&i| (messages[i].received_at, i));
    for &i in &fps {
        taken[i] = true;
        pool.entries.push(PoolEntry {
            index: i,
            reason: Reason::FalsePositive,
        });
    }
    pool.composition.false_positive = fps.len();

    // 2. Low confidence: per intent, most uncertain first; then round-robin.
    let mut by_intent: HashMap<&str, Vec<(f64, usize)>> = HashMap::new();
    for &i in &in_window {
        let m = &messages[i];
        if !taken[i] && m.confidence < cfg.max_confidence {
            by_intent
                .entry(m.model_intent.as_str())
                .or_default()
                .push((cfg.strategy.uncertainty(m), i));
        }
    }
    let budget = cfg.low_confidence_budget;
    let cap = if cfg.per_intent_cap == 0 {
        usize::MAX
    } else {
        cfg.per_intent_cap
    };
    let mut lists: Vec<(&str, Vec<(f64, usize)>)> = by_intent.into_iter().collect();
    lists.sort_by(|a, b| a.0.cmp(b.0));
    for (_, l) in lists.iter_mut() {
        let keep = budget.min(cap).min(l.len());
        let cmp = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if keep < l.len() && keep > 0 {
            l.select_nth_unstable_by(keep - 1, cmp);
        }
        l.truncate(keep);
        l.sort_by(cmp);
    }
    let mut picked: Vec<(f64, usize)> = Vec::with_capacity(budget.min(in_window.len()));
    let mut round = 0;
    while picked.len() < budget {
        let mut any = false;
        for (_, l) in &lists {
            if let Some(&x) = l.get(round) {
                any = true;
                if picked.len() < budget {
                    picked.push(x);
                }
            }
        }
        if !any {
            break;
        }
        round += 1;
    }
    // Dispatch order within the tier: most uncertain first.
    picked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in &picked {
        taken[i] = true;
        *pool
            .composition
            .low_confidence_by_intent
            .entry(messages[i].model_intent.clone())
            .or_default() += 1;
        pool.entries.push(PoolEntry {
            index: i,
            reason: Reason::LowConfidence,
        });
    }
    pool.composition.low_confidence = picked.len();

    // 3. Stratified random sample of each new company, proportional allocation.
    let new: HashSet<&str> = cfg.new_companies.iter().map(String::as_str).collect();
    let mut rng = Rng::new(cfg.seed);
    let mut companies: Vec<&str> = new.iter().copied().collect();
    companies.sort_unstable();
    let mut sample: Vec<usize> = Vec::new();
    for company in companies {
        let mut strata: BTreeMap<(&str, i64), Vec<usize>> = BTreeMap::new();
        for &i in &in_window {
            let m = &messages[i];
            if !taken[i] && m.company == company {
                strata
                    .entry((m.channel.as_str(), day(m.received_at)))
                    .or_default()
                    .push(i);
            }
        }
        let total: usize = strata.values().map(Vec::len).sum();
        let n = cfg.sample_per_company.min(total);
        if n == 0 {
            continue;
        }
        // Largest-remainder allocation.
        let mut alloc: Vec<((&str, i64), usize, f64)> = strata
            .iter()
            .map(|(k, v)| {
                let exact = n as f64 * v.len() as f64 / total as f64;
                (*k, exact.floor() as usize, exact - exact.floor())
            })
            .collect();
        let mut left = n - alloc.iter().map(|a| a.1).sum::<usize>();
        let mut order: Vec<usize> = (0..alloc.len()).collect();
        order.sort_by(|&a, &b| alloc[b].2.total_cmp(&alloc[a].2).then(a.cmp(&b)));
        for &j in &order {
            if left == 0 {
                break;
            }
            alloc[j].1 += 1;
            left -= 1;
        }
        for (key, k, _) in alloc {
            let members = strata.get_mut(&key).map(std::mem::take).unwrap_or_default();
            let mut members = members;
            // Partial Fisher–Yates: the first k are a uniform sample.
            for s in 0..k.min(members.len()) {
                let j = s + rng.below(members.len() - s);
                members.swap(s, j);
            }
            members.truncate(k);
            *pool
                .composition
                .sample_by_stratum
                .entry(format!(
                    "{company}/{}/{}",
                    key.0,
                    crate::batch::rfc3339(key.1 * 86_400)
                        .get(..10)
                        .unwrap_or("")
                ))
                .or_default() += members.len();
            sample.extend(members);
        }
    }
    rng.shuffle(&mut sample);
    for &i in &sample {
        pool.entries.push(PoolEntry {
            index: i,
            reason: Reason::RandomSample,
        });
    }
    pool.composition.random_sample = sample.len();
    pool
}

/// The model's distribution of a message for confident learning: its full distribution,
/// or only its top intent when that is all the input gave.
fn distribution(m: &Message) -> std::borrow::Cow<'_, [(String, f64)]> {
    if m.probabilities.is_empty() {
        std::borrow::Cow::Owned(vec![(m.model_intent.clone(), m.confidence)])
    } else {
        std::borrow::Cow::Borrowed(&m.probabilities)
    }
}

/// The fourth tier: among `reviewed` (messages with their human answer — the adjudicated
/// or aggregated label), those in the window whose answer confident learning flags
/// ([`super::label_errors::find`]), lowest p(answer) first, at most
/// `cfg.label_error_budget`, skipping messages already in the pool. Each is appended to
/// `messages` and to the pool with [`Reason::SuspectedLabelError`]; returns, per added
/// entry, its index in `reviewed` (so callers can carry per-message data along).
pub fn add_label_errors(
    pool: &mut Pool,
    messages: &mut Vec<Message>,
    reviewed: &[(Message, String)],
    cfg: &SelectionConfig,
) -> Vec<usize> {
    if cfg.label_error_budget == 0 {
        return Vec::new();
    }
    let (from, to) = cfg.window;
    let in_window: Vec<usize> = (0..reviewed.len())
        .filter(|&i| (from..to).contains(&reviewed[i].0.received_at))
        .collect();
    let dists: Vec<std::borrow::Cow<'_, [(String, f64)]>> = in_window
        .iter()
        .map(|&i| distribution(&reviewed[i].0))
        .collect();
    let problem = super::label_errors::Problem::new(
        in_window
            .iter()
            .zip(&dists)
            .map(|(&i, d)| (reviewed[i].1.as_str(), d.as_ref())),
    );
    let analysis = super::label_errors::find(&problem);
    let in_pool: HashSet<&str> = pool
        .entries
        .iter()
        .map(|e| messages[e.index].message_id.as_str())
        .collect();
    let picked: Vec<usize> = analysis
        .suspects
        .iter()
        .map(|s| in_window[s.index])
        .filter(|&i| !in_pool.contains(reviewed[i].0.message_id.as_str()))
        .take(cfg.label_error_budget)
        .collect();
    for &i in &picked {
        pool.entries.push(PoolEntry {
            index: messages.len(),
            reason: Reason::SuspectedLabelError,
        });
        messages.push(reviewed[i].0.clone());
    }
    pool.composition.suspected_label_error = picked.len();
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(
        i: usize,
        intent: &str,
        conf: f64,
        fp: bool,
        company: &str,
        channel: &str,
        t: i64,
    ) -> Message {
        Message {
            message_id: format!("m{i}"),
            text: format!("text {i}"),
            company: company.into(),
            channel: channel.into(),
            received_at: t,
            model_intent: intent.into(),
            confidence: conf,
            probabilities: vec![],
            reported_false_positive: fp,
            training_consent: true,
            model_version: crate::pipeline::UNVERSIONED.into(),
            language: None,
        }
    }

    fn cfg() -> SelectionConfig {
        SelectionConfig {
            window: (0, 10 * 86_400),
            strategy: Strategy::LeastConfidence,
            low_confidence_budget: 10,
            max_confidence: 0.6,
            per_intent_cap: 0,
            new_companies: vec!["newco".into()],
            sample_per_company: 6,
            seed: 7,
            label_error_budget: 0,
        }
    }

    #[test]
    fn priority_order_quotas_and_reproducible_sample() {
        let mut ms = Vec::new();
        // 40 uncertain "common" predictions, 3 "rare" ones, 2 false positives, new company traffic.
        for i in 0..40 {
            ms.push(msg(
                i,
                "common",
                0.1 + i as f64 * 0.01,
                false,
                "old",
                "chat",
                86_400,
            ));
        }
        for i in 40..43 {
            ms.push(msg(i, "rare", 0.55, false, "old", "chat", 86_400));
        }
        ms.push(msg(43, "common", 0.99, true, "old", "chat", 3 * 86_400));
        ms.push(msg(44, "rare", 0.95, true, "old", "chat", 2 * 86_400));
        ms.push(msg(45, "common", 0.2, true, "old", "chat", 20 * 86_400)); // outside the window
        for i in 46..86 {
            let ch = if i % 4 == 0 { "email" } else { "chat" };
            ms.push(msg(
                i,
                "common",
                0.9,
                false,
                "newco",
                ch,
                (1 + (i % 2) as i64) * 86_400,
            ));
        }
        let p = select(&ms, &cfg());
        let reasons: Vec<Reason> = p.entries.iter().map(|e| e.reason).collect();
        assert!(
            reasons.windows(2).all(|w| w[0] <= w[1]),
            "tiers out of order"
        );
        assert_eq!(
            p.entries[..2].iter().map(|e| e.index).collect::<Vec<_>>(),
            vec![44, 43]
        );
        assert_eq!(p.composition.low_confidence, 10);
        // Round-robin: all 3 rare intents made it despite 40 more uncertain common ones.
        assert_eq!(p.composition.low_confidence_by_intent.get("rare"), Some(&3));
        assert_eq!(p.composition.random_sample, 6);
        assert!(p
            .entries
            .iter()
            .filter(|e| e.reason == Reason::RandomSample)
            .all(|e| ms[e.index].company == "newco"));
        assert_eq!(select(&ms, &cfg()), p, "same seed, same pool");
        let mut other = cfg();
        other.seed = 8;
        assert_ne!(select(&ms, &other).entries, p.entries);
        // Proportional strata: 4 strata of 10 (chat/email × 2 days... email is 1 in 4).
        let total: usize = p.composition.sample_by_stratum.values().sum();
        assert_eq!(total, 6);
    }

    #[test]
    fn label_errors_tier_flags_answers_the_model_contradicts_within_budget() {
        // 20 answered messages per intent agree with a confident model; three answers
        // say "a" where the model is sure of "b" (most sure first: 0.99, 0.97, 0.95).
        let mut reviewed = Vec::new();
        for i in 0..40 {
            let (intent, other) = if i % 2 == 0 { ("a", "b") } else { ("b", "a") };
            let mut m = msg(i, intent, 0.9, false, "old", "chat", 86_400);
            m.probabilities = vec![(intent.into(), 0.9), (other.into(), 0.1)];
            reviewed.push((m, intent.to_string()));
        }
        for (k, p) in [0.99, 0.97, 0.95].into_iter().enumerate() {
            let mut m = msg(100 + k, "b", p, false, "old", "chat", 86_400);
            m.probabilities = vec![("b".into(), p), ("a".into(), 1.0 - p)];
            reviewed.push((m, "a".to_string()));
        }
        // Outside the window: never considered.
        let mut late = msg(200, "b", 0.99, false, "old", "chat", 20 * 86_400);
        late.probabilities = vec![("b".into(), 0.99), ("a".into(), 0.01)];
        reviewed.push((late, "a".to_string()));

        let mut c = cfg();
        c.new_companies.clear();
        let mut messages = vec![msg(0, "a", 0.2, false, "old", "chat", 86_400)];
        let base = select(&messages, &c);
        // Budget 0 (the default): nothing added.
        let mut p = base.clone();
        assert!(add_label_errors(&mut p, &mut messages, &reviewed, &c).is_empty());
        assert_eq!(p, base);
        c.label_error_budget = 2;
        let mut p = base.clone();
        let added = add_label_errors(&mut p, &mut messages, &reviewed, &c);
        assert_eq!(added, vec![40, 41], "lowest p(answer) first, within budget");
        assert_eq!(p.composition.suspected_label_error, 2);
        let tail: Vec<(&str, Reason)> = p.entries[base.entries.len()..]
            .iter()
            .map(|e| (messages[e.index].message_id.as_str(), e.reason))
            .collect();
        assert_eq!(
            tail,
            vec![
                ("m100", Reason::SuspectedLabelError),
                ("m101", Reason::SuspectedLabelError)
            ]
        );
        // A message already in the pool is not added twice.
        let mut messages2 = vec![reviewed[40].0.clone()];
        let mut p2 = select(&messages2, &c);
        assert_eq!(p2.entries.len(), 0);
        p2.entries.push(PoolEntry {
            index: 0,
            reason: Reason::LowConfidence,
        });
        let added = add_label_errors(&mut p2, &mut messages2, &reviewed, &c);
        assert_eq!(added, vec![41, 42]);
    }

    #[test]
    fn strategies_rank_uncertainty() {
        let mut a = msg(0, "x", 0.5, false, "c", "chat", 0);
        a.probabilities = vec![("x".into(), 0.5), ("y".into(), 0.45), ("z".into(), 0.05)];
        let mut b = msg(1, "x", 0.5, false, "c", "chat", 0);
        b.probabilities = vec![("x".into(), 0.5), ("y".into(), 0.25), ("z".into(), 0.25)];
        assert!(Strategy::Margin.uncertainty(&a) > Strategy::Margin.uncertainty(&b));
        assert!(Strategy::Entropy.uncertainty(&b) > Strategy::Entropy.uncertainty(&a));
        assert_eq!(
            Strategy::LeastConfidence.uncertainty(&a),
            Strategy::LeastConfidence.uncertainty(&b)
        );
    }
}
