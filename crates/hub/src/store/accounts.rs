//! Admin accounts and their bearer tokens, written once for both stores over
//! [`Tx`]: who may use the admin API, with which role, until when.

use super::sql::{args, Row, Tx};
use super::{code_problem, AccountRecord, CodeKind, CodeState, BOOTSTRAP_ACCOUNT, BOOTSTRAP_NAME};
use crate::error::HubError;

/// The columns [`account_row`] reads, in its order.
const ACCOUNT_COLUMNS: &str =
    "a.account_id, a.name, a.role, a.signing_key, a.revoked_at IS NOT NULL, a.created_at";

fn account_row(r: &Row) -> Result<AccountRecord, HubError> {
    Ok(AccountRecord {
        account_id: r.text(0)?,
        name: r.text(1)?,
        role: r.text(2)?,
        signing_key: r.opt_key32(3)?,
        revoked: r.bool(4)?,
        created_at: r.i64(5)?,
    })
}

/// See [`super::HubStore::create_account`].
pub(super) fn create(
    tx: &mut dyn Tx,
    name: &str,
    role: &str,
    code_sha256: &str,
    code_expires_at: i64,
    now: i64,
) -> Result<String, HubError> {
    let id = super::random_id("ac_")?;
    tx.execute(
        "INSERT INTO accounts (account_id, name, role, code_sha256, code_expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![&id, name, role, code_sha256, code_expires_at, now],
    )?;
    Ok(id)
}

/// See [`super::HubStore::enroll_account`].
pub(super) fn enroll(
    tx: &mut dyn Tx,
    code_sha256: &str,
    now: i64,
    signing_key: &[u8; 32],
) -> Result<AccountRecord, HubError> {
    let found = tx.query_opt(
        "SELECT account_id, code_expires_at, signing_key FROM accounts
         WHERE code_sha256 = $1 AND revoked_at IS NULL FOR UPDATE",
        args![code_sha256],
    )?;
    let (id, state) = match found {
        None => (String::new(), CodeState::Unknown),
        Some(r) => {
            // An enrolled account (a key, or a code cleared by enrollment) used its code.
            let state = match (r.opt_bytes(2)?, r.opt_i64(1)?) {
                (None, Some(expires)) => CodeState::ValidUntil(expires),
                _ => CodeState::Used,
            };
            (r.text(0)?, state)
        }
    };
    code_problem(CodeKind::Account, state, now)?;
    let taken = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE signing_key = $1)",
            args![signing_key],
        )?
        .bool(0)?;
    if taken {
        return Err(HubError::conflict(
            "already_enrolled",
            "this key already belongs to an account",
        ));
    }
    tx.execute(
        "UPDATE accounts SET signing_key = $2, code_expires_at = NULL WHERE account_id = $1",
        args![&id, signing_key],
    )?;
    get(tx, &id)?.ok_or_else(|| HubError::Internal("an account just enrolled is missing".into()))
}

/// See [`super::HubStore::account`].
pub(super) fn get(tx: &mut dyn Tx, account_id: &str) -> Result<Option<AccountRecord>, HubError> {
    tx.query_opt(
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.account_id = $1"),
        args![account_id],
    )?
    .map(|r| account_row(&r))
    .transpose()
}

/// See [`super::HubStore::accounts`].
pub(super) fn list(tx: &mut dyn Tx) -> Result<Vec<AccountRecord>, HubError> {
    tx.query(
        &format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a
             ORDER BY a.created_at, a.account_id COLLATE \"C\""
        ),
        &[],
    )?
    .iter()
    .map(account_row)
    .collect()
}

/// See [`super::HubStore::set_account_role`].
pub(super) fn set_role(tx: &mut dyn Tx, account_id: &str, role: &str) -> Result<bool, HubError> {
    Ok(tx.execute(
        "UPDATE accounts SET role = $2 WHERE account_id = $1",
        args![account_id, role],
    )? == 1)
}

/// See [`super::HubStore::revoke_account`].
pub(super) fn revoke(tx: &mut dyn Tx, account_id: &str, now: i64) -> Result<bool, HubError> {
    Ok(tx.execute(
        "UPDATE accounts SET revoked_at = coalesce(revoked_at, $2) WHERE account_id = $1",
        args![account_id, now],
    )? == 1)
}

/// See [`super::HubStore::create_token`].
pub(super) fn create_token(
    tx: &mut dyn Tx,
    account_id: &str,
    token_id: &str,
    token_sha256: &str,
    expires_at: i64,
    now: i64,
) -> Result<(), HubError> {
    tx.execute(
        "INSERT INTO admin_tokens (token_id, account_id, token_sha256, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
        args![token_id, account_id, token_sha256, now, expires_at],
    )?;
    Ok(())
}

/// See [`super::HubStore::token_account`].
pub(super) fn token_account(
    tx: &mut dyn Tx,
    token_sha256: &str,
    now: i64,
) -> Result<Option<AccountRecord>, HubError> {
    tx.query_opt(
        &format!(
            "SELECT {ACCOUNT_COLUMNS}
             FROM admin_tokens t JOIN accounts a ON a.account_id = t.account_id
             WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND t.expires_at > $2
               AND a.revoked_at IS NULL"
        ),
        args![token_sha256, now],
    )?
    .map(|r| account_row(&r))
    .transpose()
}

/// See [`super::HubStore::revoke_token`].
pub(super) fn revoke_token(tx: &mut dyn Tx, token_id: &str, now: i64) -> Result<bool, HubError> {
    Ok(tx.execute(
        "UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE token_id = $1",
        args![token_id, now],
    )? == 1)
}

/// See [`super::HubStore::register_bootstrap_token`].
pub(super) fn register_bootstrap_token(
    tx: &mut dyn Tx,
    token_sha256: &str,
    expires_at: i64,
    now: i64,
    retire: Option<&str>,
) -> Result<(i64, bool), HubError> {
    let token_id = super::random_id("tk_")?;
    tx.execute(
        "INSERT INTO accounts (account_id, name, role, created_at) VALUES ($1, $2, 'manager', $3)
         ON CONFLICT (account_id) DO NOTHING",
        args![BOOTSTRAP_ACCOUNT, BOOTSTRAP_NAME, now],
    )?;
    tx.execute(
        "INSERT INTO admin_tokens (token_id, account_id, token_sha256, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_sha256) DO NOTHING",
        args![&token_id, BOOTSTRAP_ACCOUNT, token_sha256, now, expires_at],
    )?;
    if let Some(old) = retire.filter(|o| *o != token_sha256) {
        revoke_token_by_hash(tx, old, now)?;
    }
    let r = tx.query_one(
        "SELECT expires_at, revoked_at IS NOT NULL FROM admin_tokens WHERE token_sha256 = $1",
        args![token_sha256],
    )?;
    Ok((r.i64(0)?, r.bool(1)?))
}

fn revoke_token_by_hash(tx: &mut dyn Tx, token_sha256: &str, now: i64) -> Result<(), HubError> {
    tx.execute(
        "UPDATE admin_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE token_sha256 = $1",
        args![token_sha256, now],
    )?;
    Ok(())
}
