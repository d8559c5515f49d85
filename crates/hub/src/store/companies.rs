//! What the hub knows of each company (newly onboarded, training consent), written once
//! for both stores over [`Tx`].

use super::sql::{args, Tx};
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
