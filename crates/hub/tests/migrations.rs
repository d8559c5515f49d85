//! Schema migrations on every store, from the files in `crates/hub/migrations/<backend>/`:
//! a fresh database ends at the newest version; a database left at an older version by
//! an earlier hub is brought up to date with its rows kept (and back-filled where a
//! migration says so); a database whose schema is newer than the hub is refused with
//! a message saying to update the hub, and is left as it was.

use labelvault_hub::store;

mod common;
use common::Backend;

on_both_stores!(
    a_fresh_database_ends_at_the_newest_version,
    an_older_database_is_upgraded_keeping_its_rows,
    a_newer_database_is_refused_and_left_alone,
);

/// The migration files of a backend, in version order.
fn migration_files(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .expect("the migrations directory")
        .map(|e| e.expect("an entry").path())
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("a migration file"))
        .collect()
}

/// Direct access to the database behind a backend, as an operator's tool would have.
enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

impl Db {
    fn connect(b: &Backend, dir: &std::path::Path) -> Db {
        match b {
            Backend::Sqlite => {
                Db::Sqlite(rusqlite::Connection::open(dir.join("hub.db")).expect("open sqlite"))
            }
            Backend::Postgres(db) => {
                Db::Postgres(postgres::Client::connect(&db.url, postgres::NoTls).expect("connect"))
            }
        }
    }

    fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    fn batch(&mut self, sql: &str) {
        match self {
            Db::Sqlite(c) => c.execute_batch(sql).expect("sql"),
            Db::Postgres(c) => c.batch_execute(sql).expect("sql"),
        }
    }

    /// The schema version the database records.
    fn version(&mut self) -> i64 {
        match self {
            Db::Sqlite(c) => c
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .expect("user_version"),
            Db::Postgres(c) => c
                .query_one(
                    "SELECT coalesce(max(version), 0)::BIGINT FROM labelvault_schema",
                    &[],
                )
                .expect("labelvault_schema")
                .get(0),
        }
    }

    /// Apply the first `k` migration files as an earlier hub would have, recording
    /// version `k`.
    fn migrate_to(&mut self, k: usize) {
        let files = migration_files(self.backend());
        if let Db::Postgres(_) = self {
            self.batch("CREATE TABLE labelvault_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
        }
        for (i, sql) in files.iter().take(k).enumerate() {
            self.batch(sql);
            self.set_version(i as i64 + 1);
        }
    }

    fn set_version(&mut self, v: i64) {
        match self {
            Db::Sqlite(c) => c
                .pragma_update(None, "user_version", v)
                .expect("user_version"),
            Db::Postgres(c) => {
                c.execute(
                    "INSERT INTO labelvault_schema (version, applied_at) VALUES ($1, 0)",
                    &[&(v as i32)],
                )
                .expect("labelvault_schema");
            }
        }
    }

    /// The message's prediction revisions as (revision, model version).
    fn revisions(&mut self, message_id: &str) -> Vec<(i64, String)> {
        let sql = "SELECT revision, model_version FROM prediction_revisions WHERE message_id = ";
        match self {
            Db::Sqlite(c) => {
                let mut s = c
                    .prepare(&format!("{sql}?1 ORDER BY revision"))
                    .expect("prepare");
                let rows = s
                    .query_map([message_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .expect("query");
                rows.map(|r| r.expect("row")).collect()
            }
            Db::Postgres(c) => c
                .query(&format!("{sql}$1 ORDER BY revision"), &[&message_id])
                .expect("query")
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect(),
        }
    }
}

fn a_fresh_database_ends_at_the_newest_version(b: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let st = store::open(&b.url(dir.path())).expect("open a fresh store");
    let mut db = Db::connect(&b, dir.path());
    let newest = migration_files(db.backend()).len() as i64;
    assert!(newest >= 15, "every migration file is counted");
    assert_eq!(db.version(), newest);
    drop(st);
    // Opening again applies nothing more.
    let _st = store::open(&b.url(dir.path())).expect("reopen");
    assert_eq!(db.version(), newest);
}

fn an_older_database_is_upgraded_keeping_its_rows(b: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = Db::connect(&b, dir.path());
    let newest = migration_files(db.backend()).len() as i64;
    // A hub from before model versions (schema 14) stored one message.
    db.migrate_to(14);
    db.batch(
        "INSERT INTO messages (message_id, text, company, channel, received_at, model_intent, confidence,
             probabilities, reported_false_positive, ingested_at)
         VALUES ('m-old', 'an older message', 'acme', 'email', 1700000000, 'billing', 0.9, '[]', FALSE, 1700000001)",
    );
    assert_eq!(db.version(), 14);

    let st = store::open(&b.url(dir.path())).expect("an older database opens");
    assert_eq!(db.version(), newest, "brought up to the newest schema");
    assert_eq!(
        db.revisions("m-old"),
        vec![(1, "unversioned".to_string())],
        "the stored message got its first prediction revision"
    );
    let counts = st.pipeline_status().expect("pipeline status");
    assert_eq!(counts.messages, 1, "the stored message is still there");
}

fn a_newer_database_is_refused_and_left_alone(b: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(store::open(&b.url(dir.path())).expect("open a fresh store"));
    let mut db = Db::connect(&b, dir.path());
    let newest = migration_files(db.backend()).len() as i64;
    db.set_version(newest + 1);
    let err = match store::open(&b.url(dir.path())) {
        Ok(_) => panic!("a database with a newer schema must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains(&format!("schema {}", newest + 1))
            && err.contains("newer than this hub understands; update the hub"),
        "{err}"
    );
    assert_eq!(db.version(), newest + 1, "the database was not touched");
}
