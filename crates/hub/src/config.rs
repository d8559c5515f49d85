//! Hub settings and the files in its data directory: the signing key and the admin
//! token (both mode 0600, created on first start). Secrets are redacted in `Debug`.

use anyhow::{bail, Context, Result};
use labelvault_core::identity::HubKey;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Where the hub keeps its state and how it listens.
#[derive(Clone)]
pub struct Settings {
    /// Data directory (key, token, default database).
    pub data_dir: PathBuf,
    /// Listen address.
    pub listen: SocketAddr,
    /// Database URL (`sqlite://PATH` or `postgres://…`); default
    /// `sqlite://DATA_DIR/hub.db`.
    pub db: Option<String>,
    /// TLS certificate chain (PEM).
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// Redaction settings (JSON, `labelvault_core::redact::RedactConfig`); defaults if
    /// absent.
    pub redaction: Option<PathBuf>,
    /// The retraining webhook (docs/webhook.md), if one is configured; its URL is
    /// checked (https, or http to loopback) and redacted in `Debug`.
    pub retrain_webhook: Option<crate::webhook::WebhookConfig>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field("db", &self.db.as_ref().map(|u| redact_url(u)))
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key.as_ref().map(|_| "<redacted path>"))
            .field("redaction", &self.redaction)
            .field("retrain_webhook", &self.retrain_webhook)
            .finish()
    }
}

/// Hide the credentials in a database URL (user and password before `@`, and a
/// `password=` option), so the URL can appear in logs and error messages.
pub fn redact_url(url: &str) -> String {
    let (head, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let head = match (head.find("://"), head.rfind('@')) {
        (Some(s), Some(a)) if a > s => format!("{}://<redacted>{}", &head[..s], &head[a..]),
        _ => head.to_string(),
    };
    let query = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.trim_start_matches('?').eq_ignore_ascii_case("password") => {
                format!("{k}=<redacted>")
            }
            _ => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&");
    format!("{head}{query}")
}

impl Settings {
    /// Refuse plain HTTP anywhere but loopback.
    pub fn check(&self) -> Result<()> {
        let tls = self.tls_cert.is_some() && self.tls_key.is_some();
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            bail!("give both --tls-cert and --tls-key, or neither");
        }
        if !tls && !self.listen.ip().is_loopback() {
            bail!(
                "refusing to serve plain HTTP on {}: labels must not cross a network unencrypted. \
                 Give --tls-cert and --tls-key, or listen on 127.0.0.1",
                self.listen
            );
        }
        Ok(())
    }
}

fn write_private(path: &Path, content: &[u8]) -> Result<()> {
    labelvault_core::keystore::create_private_file(path, content)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Build the redactor from a redaction settings file (JSON: `extra_order_patterns`,
/// `disabled_kinds`, `locales`, `disabled_recognizers`; unknown fields refused), or the
/// default redactor without one. Errors name the file and the field or rule, and tell
/// what to fix; they never hold message text (the file holds none).
pub fn load_redactor(path: Option<&Path>) -> Result<labelvault_core::redact::Redactor> {
    use labelvault_core::redact::{RedactConfig, Redactor};
    let Some(path) = path else {
        return Ok(Redactor::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the redaction settings {}", path.display()))?;
    let cfg: RedactConfig = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{} is not valid redaction settings: {e} (fields: extra_order_patterns, \
             disabled_kinds, locales, disabled_recognizers)",
            path.display()
        )
    })?;
    Redactor::new(cfg).with_context(|| format!("in the redaction settings {}", path.display()))
}

/// Files the hub keeps in its data directory that no one else may read.
const SECRET_FILES: [&str; 2] = ["hub.key", "admin.token"];

/// Make the data directory private before anything is written to it: the directory
/// 0700 (created so, or tightened), every file the process creates from now on 0600
/// (umask 077, which covers SQLite's database, journal and WAL files), the database
/// files an earlier version left readable tightened to 0600, and the key and token
/// refused if someone made them readable by others. Unix only; elsewhere a no-op.
pub fn secure_data_dir(data_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
        unsafe {
            libc::umask(0o077);
        }
        let mode = |p: &Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777);
        if mode(data_dir)? & 0o077 != 0 {
            std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| {
                    format!("cannot make {} private (chmod 700)", data_dir.display())
                })?;
            tracing::info!("data directory made private (mode 0700)");
        }
        for name in SECRET_FILES {
            let p = data_dir.join(name);
            if let Ok(m) = mode(&p) {
                if m & 0o077 != 0 {
                    bail!(
                        "{} is readable by other users (mode {m:04o}); run `chmod 600 {}` and \
                         consider it exposed (make a new one if others could read it)",
                        p.display(),
                        p.display()
                    );
                }
            }
        }
        for entry in std::fs::read_dir(data_dir)? {
            let p = entry?.path();
            let is_db = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("hub.db"));
            if is_db && mode(&p)? & 0o077 != 0 {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                    .with_context(|| format!("cannot make {} private (chmod 600)", p.display()))?;
                tracing::info!(file = %p.display(), "database file made private (mode 0600)");
            }
        }
    }
    Ok(())
}

/// Load the hub key from DATA_DIR/hub.key, creating it on first start.
pub fn load_or_create_key(data_dir: &Path) -> Result<HubKey> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let path = data_dir.join("hub.key");
    if path.exists() {
        let text = Zeroizing::new(
            std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        );
        return Ok(HubKey::from_secret_text(&text)?);
    }
    let key = HubKey::generate()?;
    write_private(&path, key.to_secret_text().as_bytes())?;
    Ok(key)
}

/// Load the admin token from DATA_DIR/admin.token, creating it on first start.
pub fn load_or_create_token(data_dir: &Path) -> Result<Zeroizing<String>> {
    let path = data_dir.join("admin.token");
    if path.exists() {
        let t = Zeroizing::new(std::fs::read_to_string(&path)?.trim().to_string());
        if t.len() < 32 {
            bail!(
                "{} is too short to be an admin token; delete it to make a new one",
                path.display()
            );
        }
        return Ok(t);
    }
    let t = new_token()?;
    write_private(&path, t.as_bytes())?;
    Ok(t)
}

/// Replace DATA_DIR/admin.token with a new token (written beside it, then renamed over
/// it, so a crash leaves one whole token or the other).
pub fn renew_token(data_dir: &Path) -> Result<Zeroizing<String>> {
    let path = data_dir.join("admin.token");
    let next = data_dir.join("admin.token.new");
    let _ = std::fs::remove_file(&next);
    let t = new_token()?;
    write_private(&next, t.as_bytes())?;
    std::fs::rename(&next, &path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(t)
}

fn new_token() -> Result<Zeroizing<String>> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|_| anyhow::anyhow!("no system randomness"))?;
    Ok(Zeroizing::new(hex::encode(b)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn redaction_settings_build_the_redactor_or_say_what_is_wrong() {
        use labelvault_core::redact::PiiKind;
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, body: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, body).unwrap();
            p
        };
        let text = "see https://shop.example.com/help and ACME-123456";
        // Defaults without a file: the URL is masked.
        let r = super::load_redactor(None).unwrap();
        assert!(r.find_spans(text).iter().any(|s| s.kind == PiiKind::Url));
        // The file is what runs: URLs kept visible, a company's order format masked.
        let good = write(
            "good.json",
            r#"{"disabled_kinds": ["URL"], "extra_order_patterns": ["ACME-\\d{6}"],
                "locales": ["en"], "disabled_recognizers": ["travel_document"]}"#,
        );
        let r = super::load_redactor(Some(&good)).unwrap();
        let kinds: Vec<PiiKind> = r.find_spans(text).iter().map(|s| s.kind).collect();
        assert_eq!(kinds, vec![PiiKind::OrderNumber]);
        // Each mistake is named, with the file.
        for (name, body, says) in [
            (
                "typo.json",
                r#"{"disabled_kind": ["URL"]}"#,
                "unknown field",
            ),
            (
                "kind.json",
                r#"{"disabled_kinds": ["SSN"]}"#,
                "unknown variant",
            ),
            (
                "rec.json",
                r#"{"disabled_recognizers": ["ssn"]}"#,
                "unknown recognizer",
            ),
            (
                "re.json",
                r#"{"extra_order_patterns": ["(unclosed"]}"#,
                "pattern #0",
            ),
            ("json.json", "{", "not valid redaction settings"),
        ] {
            let e = format!(
                "{:#}",
                super::load_redactor(Some(&write(name, body))).unwrap_err()
            );
            assert!(e.contains(says) && e.contains(name), "{name}: {e}");
        }
        let e = format!(
            "{:#}",
            super::load_redactor(Some(&dir.path().join("none.json"))).unwrap_err()
        );
        assert!(e.contains("cannot read the redaction settings"), "{e}");
    }

    #[test]
    fn settings_never_show_the_webhook_token_or_database_password() {
        use crate::webhook::{WebhookConfig, WebhookUrl};
        let s = super::Settings {
            data_dir: "/var/lib/hub".into(),
            listen: "127.0.0.1:7878".parse().unwrap(),
            db: Some("postgres://hub:pg-s3cret@db/labels".into()),
            tls_cert: None,
            tls_key: None,
            redaction: None,
            retrain_webhook: Some(WebhookConfig::new(
                WebhookUrl::parse("https://trainer.example/hook?token=hook-s3cret").unwrap(),
            )),
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("https://trainer.example/<redacted>"),
            "{shown}"
        );
    }

    #[test]
    fn database_urls_lose_their_secrets() {
        use super::redact_url;
        assert_eq!(
            redact_url("postgres://hub:s3cret@db.internal:5432/labels"),
            "postgres://<redacted>@db.internal:5432/labels"
        );
        assert_eq!(
            redact_url("postgresql://db/labels?user=hub&password=s3cret&sslmode=disable"),
            "postgresql://db/labels?user=hub&password=<redacted>&sslmode=disable"
        );
        assert_eq!(
            redact_url("postgres://db/labels?password=s3cret"),
            "postgres://db/labels?password=<redacted>"
        );
        assert_eq!(
            redact_url("sqlite:///var/lib/hub.db"),
            "sqlite:///var/lib/hub.db"
        );
    }
}
