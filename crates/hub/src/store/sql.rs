//! The one SQL surface both stores run: the store's logic (what to read, what to check,
//! what to write, in which transaction) is written once over [`Tx`], and each backend
//! only opens transactions and runs statements (`sqlite.rs`, `postgres.rs`).
//!
//! Statements are written in PostgreSQL's text: `$1`, `$2`, … placeholders,
//! `COLLATE "C"` where an order must be byte order, `FOR UPDATE` where a row read is
//! about to be changed, and `CAST(… AS BIGINT)` where an aggregate would otherwise be
//! `NUMERIC` on PostgreSQL. SQLite runs the same text after [`sqlite_text`] rewrites the
//! placeholders to `?N` and drops the two clauses it has no use for: its default
//! collation already compares bytes, and its write transactions begin `IMMEDIATE` on the
//! hub's one writing connection, so a transaction that reads before it writes already
//! excludes every other writer — the guarantee `FOR UPDATE` gives on PostgreSQL.
//! What is not a statement is a method of [`Tx`]: [`Tx::lock`] (an advisory or table
//! lock on PostgreSQL, nothing on SQLite) and [`Tx::seal`]/[`Tx::open`] (texts sealed
//! by the hub on PostgreSQL, where the database is not encrypted as a file).
//!
//! Values are read back as [`Row`]s of [`Cell`]s, and a cell of the wrong kind is the
//! same error on both backends ([`damaged`]): a damaged row fails loudly, never reads as
//! an empty value.

use crate::error::HubError;
use std::borrow::Cow;

/// A value bound to one `$N` placeholder. Integers bind to whichever integer type the
/// column has (`BIGINT` or `INTEGER` on PostgreSQL) and booleans to `BOOLEAN` there and
/// to 0/1 on SQLite, so logic above never names a backend's types.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// A boolean.
    Bool(bool),
    /// Text.
    Text(&'a str),
    /// Raw bytes (keys, hashes, signatures, sealed batches).
    Bytes(&'a [u8]),
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl From<i32> for Arg<'_> {
    fn from(v: i32) -> Self {
        Arg::Int(i64::from(v))
    }
}

impl From<u32> for Arg<'_> {
    fn from(v: u32) -> Self {
        Arg::Int(i64::from(v))
    }
}

impl From<u16> for Arg<'_> {
    fn from(v: u16) -> Self {
        Arg::Int(i64::from(v))
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

impl From<f64> for Arg<'_> {
    fn from(v: f64) -> Self {
        Arg::Real(v)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(v)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(v)
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(v: &'a [u8]) -> Self {
        Arg::Bytes(v)
    }
}

impl<'a> From<&'a Vec<u8>> for Arg<'a> {
    fn from(v: &'a Vec<u8>) -> Self {
        Arg::Bytes(v)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Arg<'a> {
    fn from(v: &'a [u8; N]) -> Self {
        Arg::Bytes(v)
    }
}

impl<'a, T: Into<Arg<'a>>> From<Option<T>> for Arg<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Arg::Null, Into::into)
    }
}

/// The arguments of one statement, each converted with `Arg::from`:
/// `args![id, now, key.as_slice()]`.
macro_rules! args {
    ($($v:expr),* $(,)?) => {
        &[$($crate::store::sql::Arg::from($v)),*]
    };
}
pub(crate) use args;

/// One column of a row read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// An integer (booleans read as 0 or 1 on both backends).
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
}

impl Cell {
    fn kind(&self) -> &'static str {
        match self {
            Cell::Null => "NULL",
            Cell::Int(_) => "an integer",
            Cell::Real(_) => "a number",
            Cell::Text(_) => "text",
            Cell::Bytes(_) => "bytes",
        }
    }
}

/// The error for a stored value that is not what the schema promises: the same on both
/// backends, naming the column's position and kinds, never the value (it may be a
/// message's text).
pub fn damaged(column: usize, found: &Cell, wanted: &str) -> HubError {
    HubError::Internal(format!(
        "a stored row is damaged: column {column} holds {}, expected {wanted}; restore the hub database from a backup",
        found.kind()
    ))
}

/// One row read back, its columns in the order the statement selected them.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Cell>);

impl Row {
    fn cell(&self, i: usize) -> Result<&Cell, HubError> {
        self.0.get(i).ok_or_else(|| {
            HubError::Internal(format!(
                "a statement returned {} columns where column {i} was read",
                self.0.len()
            ))
        })
    }

    /// An integer column.
    pub fn i64(&self, i: usize) -> Result<i64, HubError> {
        match self.cell(i)? {
            Cell::Int(v) => Ok(*v),
            c => Err(damaged(i, c, "an integer")),
        }
    }

    /// An integer column that may be NULL.
    pub fn opt_i64(&self, i: usize) -> Result<Option<i64>, HubError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Int(v) => Ok(Some(*v)),
            c => Err(damaged(i, c, "an integer or NULL")),
        }
    }

    /// A count or sequence number: an integer column that is never negative.
    pub fn u64(&self, i: usize) -> Result<u64, HubError> {
        let v = self.i64(i)?;
        u64::try_from(v).map_err(|_| damaged(i, &Cell::Int(v), "a count"))
    }

    /// A boolean column (`BOOLEAN` on PostgreSQL, 0/1 on SQLite).
    pub fn bool(&self, i: usize) -> Result<bool, HubError> {
        match self.cell(i)? {
            Cell::Int(0) => Ok(false),
            Cell::Int(1) => Ok(true),
            c => Err(damaged(i, c, "a boolean")),
        }
    }

    /// A floating-point column (an integer is accepted: SQLite keeps 1.0 as 1 in an
    /// untyped expression).
    pub fn f64(&self, i: usize) -> Result<f64, HubError> {
        match self.cell(i)? {
            Cell::Real(v) => Ok(*v),
            Cell::Int(v) => Ok(*v as f64),
            c => Err(damaged(i, c, "a number")),
        }
    }

    /// A floating-point column that may be NULL.
    pub fn opt_f64(&self, i: usize) -> Result<Option<f64>, HubError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            _ => self.f64(i).map(Some),
        }
    }

    /// A text column, moved out of the row (a large read builds each value once
    /// instead of copying it); the cell is left NULL.
    pub fn take_text(&mut self, i: usize) -> Result<String, HubError> {
        match self.0.get_mut(i) {
            Some(Cell::Text(v)) => Ok(std::mem::take(v)),
            _ => self.text(i),
        }
    }

    /// A text column that may be NULL, moved out of the row like [`Row::take_text`].
    pub fn take_opt_text(&mut self, i: usize) -> Result<Option<String>, HubError> {
        match self.0.get_mut(i) {
            Some(Cell::Text(v)) => Ok(Some(std::mem::take(v))),
            _ => self.opt_text(i),
        }
    }

    /// A text column.
    pub fn text(&self, i: usize) -> Result<String, HubError> {
        match self.cell(i)? {
            Cell::Text(v) => Ok(v.clone()),
            c => Err(damaged(i, c, "text")),
        }
    }

    /// A text column that may be NULL.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, HubError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Text(v) => Ok(Some(v.clone())),
            c => Err(damaged(i, c, "text or NULL")),
        }
    }

    /// A bytes column.
    pub fn bytes(&self, i: usize) -> Result<Vec<u8>, HubError> {
        match self.cell(i)? {
            Cell::Bytes(v) => Ok(v.clone()),
            c => Err(damaged(i, c, "bytes")),
        }
    }

    /// A bytes column that may be NULL.
    pub fn opt_bytes(&self, i: usize) -> Result<Option<Vec<u8>>, HubError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Bytes(v) => Ok(Some(v.clone())),
            c => Err(damaged(i, c, "bytes or NULL")),
        }
    }

    /// A 32-byte key or hash column.
    pub fn key32(&self, i: usize) -> Result<[u8; 32], HubError> {
        let v = self.bytes(i)?;
        <[u8; 32]>::try_from(v.as_slice()).map_err(|_| damaged(i, &Cell::Bytes(v), "32 bytes"))
    }

    /// A 32-byte key column that may be NULL.
    pub fn opt_key32(&self, i: usize) -> Result<Option<[u8; 32]>, HubError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            _ => self.key32(i).map(Some),
        }
    }
}

/// A column whose values the hub seals itself on PostgreSQL (the name is bound into
/// each sealed value, so a value moved to another column does not open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealed {
    /// `messages.text`.
    Message,
    /// `copies.redacted`.
    Copy,
    /// `company_terms.term`.
    Term,
}

impl Sealed {
    /// The name bound into each sealed value of this column.
    pub fn column(self) -> &'static str {
        match self {
            Sealed::Message => "messages.text",
            Sealed::Copy => "copies.redacted",
            Sealed::Term => "company_terms.term",
        }
    }
}

/// What a transaction must hold alone until it ends, beyond the rows it reads `FOR
/// UPDATE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock<'a> {
    /// One writer of a table at a time, across hubs, readers unhindered: appending to a
    /// hash-chained table (the access ledger, so the chain never forks), or adding to a
    /// table whose values cannot meet in a key (sealed company terms).
    Table(&'static str),
    /// A transaction-scoped advisory lock on one key: operations that must see each
    /// other's writes (the review pool, adjudications, retraining marks).
    Key(i64),
    /// One device's uploads, across hubs: its idempotency checks and label inserts
    /// never interleave, while other devices' uploads go on.
    Uploads(&'a str),
}

/// Which database a transaction runs on, for the rare statement that has no common
/// text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (SQLCipher).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Dialect {
    /// The order rows of the table aliased `alias` were stored in: SQLite's row id,
    /// the `ord` identity column PostgreSQL's tables that need one have.
    pub fn stored_order(self, alias: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{alias}.rowid"),
            Dialect::Postgres => format!("{alias}.ord"),
        }
    }
}

/// How a transaction is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Reads and writes: the writing connection, `BEGIN IMMEDIATE` on SQLite.
    Write,
    /// A short read.
    Read,
    /// A long read (every label, every text of an export): SQLite's second connection
    /// when it is free, so it does not hold up writes.
    LongRead,
}

/// What [`Tx::for_each`] hands each row to.
pub type EachRow<'a> = dyn FnMut(Row) -> Result<(), HubError> + 'a;

/// One open transaction: what the store's logic can do with the database. Committed by
/// [`run`] when the logic returns `Ok`, rolled back when it returns an error.
pub trait Tx {
    /// Run a statement; the number of rows it changed.
    fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, HubError>;
    /// Run a query, handing each row to `f` as it is read (long reads keep no list).
    fn for_each(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        f: &mut EachRow<'_>,
    ) -> Result<(), HubError>;
    /// Run an `INSERT`; false when a unique constraint refused the row (on PostgreSQL
    /// the transaction is then aborted: return at once, with an error or the answer).
    fn insert_unique(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<bool, HubError>;
    /// Hold `what` until the transaction ends.
    fn lock(&mut self, what: Lock<'_>) -> Result<(), HubError>;
    /// The value to store for `plain` in a sealed column.
    fn seal(&self, column: Sealed, plain: &str) -> Result<String, HubError>;
    /// The plain value of a stored sealed-column value.
    fn open(&self, column: Sealed, stored: String) -> Result<String, HubError>;
    /// The database this transaction runs on.
    fn dialect(&self) -> Dialect;

    /// Run a query; every row.
    fn query(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>, HubError> {
        let mut out = Vec::new();
        self.for_each(sql, args, &mut |r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    /// Run a query expected to return at most one row.
    fn query_opt(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Option<Row>, HubError> {
        Ok(self.query(sql, args)?.into_iter().next())
    }

    /// Run a query expected to return exactly one row.
    fn query_one(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Row, HubError> {
        self.query_opt(sql, args)?.ok_or_else(|| {
            HubError::Internal("a query expected to return a row returned none".into())
        })
    }
}

/// Opening transactions: what a backend provides besides [`Tx`]. `f` runs once inside
/// one transaction, committed if it returns `Ok`.
pub trait Transact {
    /// Run `f` in one transaction opened for `mode`.
    fn transact(
        &self,
        mode: Mode,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), HubError>,
    ) -> Result<(), HubError>;

    /// After an upload's transaction committed: PostgreSQL chains the inbound ledger
    /// entry it left pending, off the request path where it can.
    fn uploaded(&self) {}

    /// After an erasure's transaction committed: SQLite empties its write-ahead log, so
    /// the erased texts' old pages do not linger there.
    fn erased(&self) {}

    /// Before the inbound ledger is read: PostgreSQL chains every entry still pending,
    /// so every upload answered before the read is in the chain it returns.
    fn settle_ledger(&self) -> Result<(), HubError> {
        Ok(())
    }
}

/// Run `f` in one transaction of `store` and return what it returns.
pub fn run<S: Transact + ?Sized, R>(
    store: &S,
    mode: Mode,
    f: impl FnOnce(&mut dyn Tx) -> Result<R, HubError>,
) -> Result<R, HubError> {
    let mut f = Some(f);
    let mut out = None;
    store.transact(mode, &mut |tx| {
        let f = f
            .take()
            .ok_or_else(|| HubError::Internal("a transaction body ran twice".into()))?;
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| HubError::Internal("a transaction ended without its answer".into()))
}

/// Run `f` in one writing transaction of `store`.
pub fn write<S: Transact + ?Sized, R>(
    store: &S,
    f: impl FnOnce(&mut dyn Tx) -> Result<R, HubError>,
) -> Result<R, HubError> {
    run(store, Mode::Write, f)
}

/// Run `f` in one short reading transaction of `store`.
pub fn read<S: Transact + ?Sized, R>(
    store: &S,
    f: impl FnOnce(&mut dyn Tx) -> Result<R, HubError>,
) -> Result<R, HubError> {
    run(store, Mode::Read, f)
}

/// The SQLite text of a statement written in the common (PostgreSQL) text: `$N` becomes
/// `?N`, and `COLLATE "C"`, `FOR UPDATE` and `FOR UPDATE SKIP LOCKED` are dropped (see
/// the module's documentation for why that keeps the meaning).
pub fn sqlite_text(sql: &str) -> Cow<'_, str> {
    thread_local! {
        /// Rewritten statements by their common text: a statement run once per row is
        /// rewritten once. Bounded: statements built with values in their text (few)
        /// empty it when it grows past 512.
        static REWRITTEN: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<str>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if !sql.contains('$') && !sql.contains("COLLATE \"C\"") && !sql.contains("FOR UPDATE") {
        return Cow::Borrowed(sql);
    }
    REWRITTEN.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(done) = cache.get(sql) {
            return Cow::Owned(done.to_string());
        }
        let done: std::rc::Rc<str> = rewrite(sql).into();
        if cache.len() >= 512 {
            cache.clear();
        }
        cache.insert(sql.to_string(), done.clone());
        Cow::Owned(done.to_string())
    })
}

fn rewrite(sql: &str) -> String {
    let sql = sql
        .replace(" FOR UPDATE SKIP LOCKED", "")
        .replace(" FOR UPDATE", "")
        .replace(" COLLATE \"C\"", "");
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_text_rewrites_placeholders_and_drops_postgres_only_clauses() {
        assert_eq!(
            sqlite_text(
                "SELECT a FROM t WHERE b = $1 AND c = $12 ORDER BY a COLLATE \"C\" FOR UPDATE"
            ),
            "SELECT a FROM t WHERE b = ?1 AND c = ?12 ORDER BY a"
        );
        assert_eq!(
            sqlite_text("SELECT id FROM q LIMIT 1 FOR UPDATE SKIP LOCKED"),
            "SELECT id FROM q LIMIT 1"
        );
        // Text without any of them is passed through as it is.
        assert!(matches!(sqlite_text("SELECT 1"), Cow::Borrowed("SELECT 1")));
        // A dollar sign not followed by a digit is not a placeholder.
        assert_eq!(sqlite_text("SELECT '$x', $2"), "SELECT '$x', ?2");
    }

    #[test]
    fn a_cell_of_the_wrong_kind_is_a_damaged_row_not_an_empty_value() {
        let row = Row(vec![
            Cell::Text("secret text".into()),
            Cell::Null,
            Cell::Int(2),
            Cell::Bytes(vec![1; 31]),
        ]);
        let e = row.i64(0).expect_err("text is not an integer").to_string();
        assert!(e.contains("damaged") && e.contains("column 0"), "{e}");
        assert!(!e.contains("secret"), "the value never appears: {e}");
        assert!(row.text(1).is_err(), "NULL is not text");
        assert_eq!(row.opt_text(1).ok(), Some(None));
        assert!(row.bool(2).is_err(), "2 is not a boolean");
        assert!(row.key32(3).is_err(), "31 bytes are not a key");
        assert!(row.text(9).is_err(), "a missing column is an error");
        assert!(Row(vec![Cell::Int(-1)]).u64(0).is_err(), "a negative count");
    }
}
