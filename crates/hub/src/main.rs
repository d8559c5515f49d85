//! `labelvault-hub`: serve, add an account, rotate the database key, print the hub key,
//! print or renew the bootstrap admin token.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use labelvault_hub::{config, routes, store, AppState};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "labelvault-hub",
    version,
    about = "LabelVault hub: the manager's server"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the API.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on; plain HTTP only on loopback.
        #[arg(long, default_value = "127.0.0.1:7878")]
        listen: SocketAddr,
        /// TLS certificate chain (PEM).
        #[arg(long)]
        tls_cert: Option<PathBuf>,
        /// TLS private key (PEM).
        #[arg(long)]
        tls_key: Option<PathBuf>,
        /// Redaction settings (JSON): per-company order-number patterns, kinds kept
        /// visible, the messages' languages and recognizers switched off
        /// (docs/redaction.md). Without it the default redactor runs.
        #[arg(long, value_name = "FILE", env = "LABELVAULT_HUB_REDACTION")]
        redaction: Option<PathBuf>,
        /// Days the bootstrap admin token (DATA_DIR/admin.token) stays valid from its
        /// first start; renew it with `labelvault-hub admin-token --renew`.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365))]
        admin_token_days: u32,
        /// Keep raw message text this long after ingest (e.g. 90d, 12h; units s, m, h,
        /// d); then it is replaced by its redacted form and only redacted text and labels
        /// stay. Checked at start and then every hour (or half the period, if shorter).
        #[arg(
            long,
            value_name = "DURATION",
            env = "LABELVAULT_HUB_RAW_TEXT_RETENTION"
        )]
        raw_text_retention: Option<String>,
        #[command(flatten)]
        webhook: WebhookArgs,
    },
    /// Bootstrap: create a person's account (the first manager, or anyone later) directly
    /// in the hub's database, and print the one-time code they enroll their key with
    /// (`labelvault account enroll`). Works while the hub runs.
    AddAccount {
        #[command(flatten)]
        db: DbArgs,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// manager, lead, privacy_officer or viewer.
        #[arg(long, default_value = "manager")]
        role: String,
    },
    /// Rotate the database key: PostgreSQL rewraps every text's data key under the new
    /// key while hubs started with both keys keep serving; SQLite is re-keyed (stop the
    /// hub first). Afterwards start the hub with the new key alone.
    RewrapDb {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print the hub's public key and key id (devices pin it).
    PrintKey {
        /// Data directory.
        #[arg(long, env = "LABELVAULT_HUB_DIR")]
        data_dir: PathBuf,
        /// Print the public key alone as a SubjectPublicKeyInfo PEM block (RFC 8410), the
        /// form OpenSSL and Python `cryptography` read.
        #[arg(long)]
        pem: bool,
    },
    /// Print the bootstrap admin token (for scripts on the hub's machine) and when it
    /// expires; with --renew, make a new one (the old one is refused from now on).
    AdminToken {
        #[command(flatten)]
        db: DbArgs,
        /// Replace the token with a new one.
        #[arg(long)]
        renew: bool,
        /// Days the new token stays valid.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365))]
        days: u32,
    },
}

/// The retraining webhook (docs/webhook.md).
#[derive(clap::Args, Debug)]
struct WebhookArgs {
    /// POST a signed `retraining_due` event here when retraining becomes due (once per
    /// episode between export or training marks): https://…, or http:// to a loopback
    /// host. Without it the hub only reports the state (/v1/admin/retrain, metrics).
    #[arg(
        long,
        value_name = "URL",
        env = "LABELVAULT_HUB_RETRAIN_WEBHOOK",
        hide_env_values = true
    )]
    retrain_webhook: Option<String>,
    /// Seconds between checks for due retraining and pending deliveries.
    #[arg(
        long,
        env = "LABELVAULT_HUB_RETRAIN_WEBHOOK_EVERY",
        value_name = "SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    retrain_webhook_every: u64,
    /// Attempts per event (the first included) before it is marked failed.
    #[arg(
        long,
        env = "LABELVAULT_HUB_RETRAIN_WEBHOOK_ATTEMPTS",
        value_name = "N",
        default_value_t = 6,
        value_parser = clap::value_parser!(u32).range(1..=20)
    )]
    retrain_webhook_attempts: u32,
    /// Seconds to wait after the first failed attempt; the wait doubles after each
    /// further one (at most an hour), with ±20 % jitter.
    #[arg(
        long,
        env = "LABELVAULT_HUB_RETRAIN_WEBHOOK_FIRST_RETRY",
        value_name = "SECS",
        default_value_t = 120,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    retrain_webhook_first_retry: u64,
}

impl WebhookArgs {
    /// The webhook's settings, or none; a URL the hub would not send to is refused here,
    /// before the hub starts.
    fn config(&self) -> Result<Option<labelvault_hub::webhook::WebhookConfig>> {
        use labelvault_hub::webhook::{WebhookConfig, WebhookUrl};
        let Some(url) = self
            .retrain_webhook
            .as_deref()
            .filter(|u| !u.trim().is_empty())
        else {
            return Ok(None);
        };
        let mut c = WebhookConfig::new(WebhookUrl::parse(url)?);
        c.check_every = std::time::Duration::from_secs(self.retrain_webhook_every);
        c.retry.max_attempts = self.retrain_webhook_attempts;
        c.retry.first_delay = std::time::Duration::from_secs(self.retrain_webhook_first_retry);
        Ok(Some(c))
    }
}

/// Where the hub's data lives: its directory, its database and the database's key
/// (every command that opens the database takes the same three).
#[derive(clap::Args, Debug)]
struct DbArgs {
    /// Data directory (hub key, admin token, default database).
    #[arg(long, env = "LABELVAULT_HUB_DIR")]
    data_dir: PathBuf,
    /// Database URL: sqlite://PATH (default sqlite://DATA_DIR/hub.db) or
    /// postgres://USER:PASSWORD@HOST:PORT/DBNAME, which several hubs may share.
    #[arg(
        long = "database",
        visible_alias = "db",
        value_name = "URL",
        env = "LABELVAULT_HUB_DB",
        hide_env_values = true
    )]
    db: Option<String>,
    #[command(flatten)]
    keys: DbKeys,
}

impl DbArgs {
    /// The database URL in effect.
    fn url(&self) -> String {
        self.db
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("hub.db").display()))
    }

    /// Check the data directory and open the database with its key (made on first use).
    fn open(&self) -> Result<Arc<dyn store::HubStore>> {
        config::secure_data_dir(&self.data_dir)?;
        let (key, older) = self.keys.load(&self.data_dir, true)?;
        tracing::info!(key = key.id(), "database encrypted at rest");
        store::open_at_rest(&self.url(), Some(key), older).map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// Register DATA_DIR/admin.token (made if missing) and say what state it is in.
fn bootstrap_token(
    st: &dyn store::HubStore,
    data_dir: &std::path::Path,
    days: u32,
) -> Result<labelvault_hub::people::Bootstrap> {
    let token = config::load_or_create_token(data_dir)?;
    labelvault_hub::people::register_bootstrap(st, &token, days, None)
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Where the database key comes from (docs/hub-storage.md, "Encryption at rest").
#[derive(clap::Args, Debug)]
struct DbKeys {
    /// The database key file (64 hex digits, mode 0600; made on the first start if
    /// missing). Without it the key lives in the OS keyring.
    #[arg(long, value_name = "FILE", env = "LABELVAULT_HUB_DB_KEY_FILE")]
    db_key_file: Option<PathBuf>,
    /// An older database key still able to open texts (PostgreSQL, during a rotation;
    /// for `rewrap-db` on SQLite: the key the file is encrypted with now). Repeatable.
    #[arg(long = "db-old-key-file", value_name = "FILE")]
    db_old_key_files: Vec<PathBuf>,
}

impl DbKeys {
    /// The current key (file or keyring) and the older ones.
    fn load(
        &self,
        data_dir: &std::path::Path,
        create: bool,
    ) -> Result<(
        labelvault_hub::at_rest::DbKey,
        Vec<labelvault_hub::at_rest::DbKey>,
    )> {
        use labelvault_hub::at_rest::DbKey;
        let current = match &self.db_key_file {
            Some(f) => DbKey::from_file(f, create)?,
            None => DbKey::from_keyring(data_dir)?,
        };
        let older = self
            .db_old_key_files
            .iter()
            .map(|f| DbKey::from_file(f, false))
            .collect::<Result<Vec<_>>>()?;
        Ok((current, older))
    }
}

/// `90d`, `12h`, `30m`, `45s` (or plain seconds) as seconds.
fn parse_duration(s: &str) -> Result<i64> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num.parse().map_err(|_| {
        anyhow::anyhow!(
            "--raw-text-retention {s:?}: write a whole number and a unit, e.g. 90d, 12h, 30m, 45s"
        )
    })?;
    let per = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => anyhow::bail!("--raw-text-retention {s:?}: the unit is s, m, h or d"),
    };
    n.checked_mul(per)
        .ok_or_else(|| anyhow::anyhow!("--raw-text-retention {s:?} is too long"))
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LABELVAULT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only on a terminal: log files and collectors get plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.cmd {
        Cmd::PrintKey { data_dir, pem } => {
            config::secure_data_dir(&data_dir)?;
            let key = config::load_or_create_key(&data_dir)?;
            if pem {
                let raw = labelvault_core::identity::parse_public_key(&key.public_key())?;
                print!("{}", labelvault_core::identity::public_key_pem(&raw));
                return Ok(());
            }
            println!("public key: {}", key.public_key());
            println!("key id:     {}", key.key_id());
            Ok(())
        }
        Cmd::AddAccount { db, name, role } => {
            let role = labelvault_hub::people::Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!("--role must be manager, lead, privacy_officer or viewer")
            })?;
            if name.trim().is_empty() || name.len() > 200 {
                anyhow::bail!("--name must be 1-200 characters");
            }
            let st = db.open()?;
            let code = labelvault_hub::auth::random_code().map_err(|e| anyhow::anyhow!("{e}"))?;
            let now = labelvault_hub::auth::now();
            let id = st
                .create_account(
                    &name,
                    role.as_str(),
                    &labelvault_hub::auth::code_hash(&code),
                    now + 24 * 3600,
                    now,
                )
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "account {id} ({}) created; one-time code (valid 24 h):",
                role.as_str()
            );
            println!("{code}");
            println!("they run: labelvault account enroll --hub URL --code CODE");
            Ok(())
        }
        Cmd::RewrapDb { db } => {
            config::secure_data_dir(&db.data_dir)?;
            let url = db.url();
            let (new, older) = db.keys.load(&db.data_dir, true)?;
            if let Some(path) = url.strip_prefix("sqlite://") {
                let [old] = older.as_slice() else {
                    anyhow::bail!("give the key the database is encrypted with now as --db-old-key-file FILE (one)");
                };
                let n = labelvault_hub::store::SqliteStore::rekey(
                    std::path::Path::new(path),
                    old,
                    &new,
                )
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("re-keyed {path} ({n} pages) from key {} to key {}; start the hub with the new key", old.id(), new.id());
                return Ok(());
            }
            let st = labelvault_hub::store::PostgresStore::open_sealed(
                &url,
                Some(labelvault_hub::at_rest::Sealer::new(new.clone(), older)),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let n = st.reseal(true).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{n} text value(s) now sealed under key {}; start every hub with the new key alone",
                new.id()
            );
            Ok(())
        }
        Cmd::AdminToken { db, renew, days } => {
            use labelvault_hub::people::Bootstrap;
            let st = db.open()?;
            let state = if renew {
                let old = config::load_or_create_token(&db.data_dir)?;
                let new = config::renew_token(&db.data_dir)?;
                labelvault_hub::people::register_bootstrap(&*st, &new, days, Some(&old))
                    .map_err(|e| anyhow::anyhow!("{e}"))?
            } else {
                bootstrap_token(&*st, &db.data_dir, days)?
            };
            println!("{}", config::load_or_create_token(&db.data_dir)?.as_str());
            match state {
                Bootstrap::ValidUntil(t) => eprintln!("valid until {} (Unix time {t})", labelvault_core::batch::rfc3339(t)),
                Bootstrap::Expired(t) => anyhow::bail!("this token expired at {} (Unix time {t}); run `labelvault-hub admin-token --renew`", labelvault_core::batch::rfc3339(t)),
                Bootstrap::Revoked => anyhow::bail!("this token (or the bootstrap account) was revoked; run `labelvault-hub admin-token --renew`, or use a person's account"),
            }
            Ok(())
        }
        Cmd::Serve {
            db,
            listen,
            tls_cert,
            tls_key,
            redaction,
            admin_token_days,
            raw_text_retention,
            webhook,
        } => {
            let retention = raw_text_retention
                .as_deref()
                .map(parse_duration)
                .transpose()?;
            let settings = config::Settings {
                data_dir: db.data_dir.clone(),
                listen,
                db: db.db.clone(),
                tls_cert,
                tls_key,
                redaction,
                retrain_webhook: webhook.config()?,
            };
            settings.check()?;
            config::secure_data_dir(&settings.data_dir)?;
            tracing::debug!(?settings, "starting");
            let key = config::load_or_create_key(&settings.data_dir)?;
            let store = db.open()?;
            match bootstrap_token(&*store, &settings.data_dir, admin_token_days)? {
                labelvault_hub::people::Bootstrap::ValidUntil(t) => {
                    tracing::info!(expires_at = t, "bootstrap admin token (admin.token) valid")
                }
                labelvault_hub::people::Bootstrap::Expired(t) => tracing::warn!(
                    expired_at = t,
                    "admin.token has expired; use a person's account, or `labelvault-hub admin-token --renew`"
                ),
                labelvault_hub::people::Bootstrap::Revoked => tracing::warn!(
                    "admin.token was revoked; use a person's account, or `labelvault-hub admin-token --renew`"
                ),
            }
            let redactor = config::load_redactor(settings.redaction.as_deref())?;
            let state = AppState {
                store,
                key: Arc::new(key),
                redactor: Arc::new(redactor),
            };
            let sweeper = state.clone();
            // The manager's reads answer from a read model: built now, in the background.
            labelvault_hub::review::warm(&state);
            let chainer = state.store.clone();
            let hook = settings
                .retrain_webhook
                .clone()
                .map(|c| (state.store.clone(), state.key.clone(), c));
            let app =
                routes::router(state).layer(axum::middleware::map_response(routes::limit_errors));
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            if let Some((store, key, cfg)) = hook {
                let _guard = rt.enter();
                labelvault_hub::webhook::spawn(store, key, cfg);
            }
            if let Some(keep) = retention {
                let every = std::time::Duration::from_secs((keep / 2).clamp(1, 3600) as u64);
                rt.spawn(async move {
                    loop {
                        let s = sweeper.clone();
                        let done = tokio::task::spawn_blocking(move || {
                            labelvault_hub::erasure::retire_raw_text(
                                &s,
                                keep,
                                labelvault_hub::auth::now(),
                            )
                        })
                        .await;
                        if let Ok(Err(e)) = done {
                            tracing::error!(error = %e, "retention sweep failed; retrying later");
                        }
                        tokio::time::sleep(every).await;
                    }
                });
            }
            // Uploads stored but not yet in the inbound ledger's chain (PostgreSQL chains
            // them in batches) are chained every second, and at start those a stop left.
            rt.spawn(async move {
                loop {
                    let s = chainer.clone();
                    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || s.chain_ledger()).await
                    {
                        tracing::error!(error = %e, "chaining the inbound ledger failed; retrying in a second");
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            });
            rt.block_on(serve(settings, app))
        }
    }
}

async fn serve(settings: config::Settings, app: axum::Router) -> Result<()> {
    match (&settings.tls_cert, &settings.tls_key) {
        (Some(cert), Some(key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .with_context(|| "cannot load the TLS certificate or key (PEM expected)")?;
            let listener = std::net::TcpListener::bind(settings.listen)
                .with_context(|| format!("cannot listen on {}", settings.listen))?;
            let addr = listener.local_addr()?;
            println!("listening on https://{addr}");
            axum_server::from_tcp_rustls(listener, tls)
                .serve(app.into_make_service())
                .await?;
        }
        _ => {
            let listener = tokio::net::TcpListener::bind(settings.listen)
                .await
                .with_context(|| format!("cannot listen on {}", settings.listen))?;
            println!("listening on http://{}", listener.local_addr()?);
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
    }
    Ok(())
}
