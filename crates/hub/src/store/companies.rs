//! What the hub knows of each company (newly onboarded, training consent), written once
//! for both stores over [`Tx`].

use super::sql::{args, Lock, Sealed, Tx};
use crate::error::HubError;

/// See [`super::HubStore::set_company`].
pub(super) fn set(
    tx: &mut dyn Tx,
    company: &str,
    newly_onboarded: bool,
    now: i64,
) -> Result<(), HubError> {
    tx.execute(
        "INSERT INTO companies (company, newly_onboarded, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (company) DO UPDATE SET newly_onboarded = excluded.newly_onboarded,
           updated_at = excluded.updated_at",
        args![company, newly_onboarded, now],
    )?;
    Ok(())
}

/// See [`super::HubStore::set_company_consent`].
pub(super) fn set_consent(
    tx: &mut dyn Tx,
    company: &str,
    consent: bool,
    now: i64,
) -> Result<(), HubError> {
    tx.execute(
        "INSERT INTO companies (company, newly_onboarded, updated_at, no_consent)
         VALUES ($1, FALSE, $2, $3)
         ON CONFLICT (company) DO UPDATE SET no_consent = excluded.no_consent,
           updated_at = excluded.updated_at",
        args![company, now, !consent],
    )?;
    Ok(())
}

/// Companies whose flag column `flag` (`no_consent` or `newly_onboarded`) is set, in
/// byte order.
pub(super) fn flagged(tx: &mut dyn Tx, flag: Flag) -> Result<Vec<String>, HubError> {
    let column = match flag {
        Flag::NoConsent => "no_consent",
        Flag::NewlyOnboarded => "newly_onboarded",
    };
    tx.query(
        &format!("SELECT company FROM companies WHERE {column} ORDER BY company COLLATE \"C\""),
        &[],
    )?
    .iter()
    .map(|r| r.text(0))
    .collect()
}

/// A company's flag, for [`flagged`].
#[derive(Debug, Clone, Copy)]
pub(super) enum Flag {
    /// Messages of the company may not be used for training.
    NoConsent,
    /// The company was newly onboarded (its messages are sampled for review).
    NewlyOnboarded,
}

/// See [`super::HubStore::company_terms`]: sorted here, as sealed values do not sort by
/// their text.
pub(super) fn terms(tx: &mut dyn Tx) -> Result<Vec<(String, String, String)>, HubError> {
    let rows = tx.query("SELECT company, term, kind FROM company_terms", &[])?;
    let mut out = rows
        .iter()
        .map(|r| Ok((r.text(0)?, tx.open(Sealed::Term, r.text(1)?)?, r.text(2)?)))
        .collect::<Result<Vec<_>, HubError>>()?;
    out.sort();
    Ok(out)
}

/// See [`super::HubStore::add_company_terms`]. Sealed terms cannot meet in the primary
/// key: the ones already there are read and compared here, under a lock no other hub's
/// insert passes.
pub(super) fn add_terms(
    tx: &mut dyn Tx,
    company: &str,
    terms: &[(String, String)],
    now: i64,
) -> Result<u64, HubError> {
    tx.lock(Lock::Table("company_terms"))?;
    let mut have = std::collections::HashSet::new();
    for r in tx.query(
        "SELECT term FROM company_terms WHERE company = $1",
        args![company],
    )? {
        have.insert(tx.open(Sealed::Term, r.text(0)?)?);
    }
    let mut added = 0;
    for (term, kind) in terms {
        if !have.insert(term.clone()) {
            continue;
        }
        let sealed = tx.seal(Sealed::Term, term)?;
        added += tx.execute(
            "INSERT INTO company_terms (company, term, kind, added_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            args![company, &sealed, kind, now],
        )?;
    }
    Ok(added)
}
