//! `labelvault webhook-deliveries`: the hub's retraining webhook events and every
//! attempt to deliver them (docs/webhook.md), so a manager can see why a training
//! pipeline did not start without reading the hub's logs.

use crate::manage::{Admin, HubAdmin};
use anyhow::Result;
use labelvault_core::admin_api::{self, WebhookAttempt, WebhookDeliveries};
use std::io::Write as _;

/// Arguments of `labelvault webhook-deliveries`.
#[derive(clap::Args, Debug)]
pub struct WebhookDeliveriesArgs {
    #[command(flatten)]
    pub hub: HubAdmin,
    /// How many events, newest first (1–1000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
    /// Print the hub's JSON.
    #[arg(long)]
    pub json: bool,
}

/// One attempt as a short phrase: `503`, `connect error`.
fn outcome(a: &WebhookAttempt) -> String {
    match (a.status, &a.error) {
        (Some(s), _) => format!("HTTP {s}"),
        (None, Some(e)) => format!("{e} error"),
        _ => "?".into(),
    }
}

/// Unix milliseconds as RFC 3339 (UTC).
fn at(ms: Option<i64>) -> String {
    ms.map(|ms| labelvault_core::batch::rfc3339(ms.div_euclid(1000)))
        .unwrap_or_else(|| "-".into())
}

/// The deliveries as text, one event per paragraph.
pub fn render(r: &WebhookDeliveries) -> String {
    use std::fmt::Write as _;
    if r.deliveries.is_empty() {
        return "no webhook events yet (retraining has not become due since the hub has a \
                webhook, or none is configured: labelvault-hub serve --retrain-webhook URL)\n"
            .into();
    }
    let mut o = String::new();
    for d in &r.deliveries {
        let _ = write!(
            o,
            "{}  {}  made {}  {} attempt(s)",
            d.event_id,
            d.state,
            at(Some(d.created_at_ms)),
            d.attempts.len()
        );
        if d.state == "pending" {
            let _ = write!(o, ", next at {}", at(d.next_attempt_at_ms));
        }
        o.push('\n');
        for a in &d.attempts {
            let _ = writeln!(o, "  #{} {}  {}", a.attempt, at(Some(a.at_ms)), outcome(a));
        }
    }
    o
}

/// Print the newest events and their attempts.
pub fn webhook_deliveries(a: WebhookDeliveriesArgs) -> Result<()> {
    let admin = Admin::new(&a.hub)?;
    let received = admin_api::webhook_deliveries(admin.client(), a.limit)?;
    if a.json {
        let mut out = std::io::stdout().lock();
        out.write_all(&received.body)?;
        if !received.body.ends_with(b"\n") {
            out.write_all(b"\n")?;
        }
        return Ok(());
    }
    print!("{}", render(&received.answer));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn deliveries_read_as_one_paragraph_per_event() {
        let r = serde_json::json!({"deliveries": [
            {"event_id": "wh_1", "episode": 0, "created_at_ms": 1_700_000_000_000i64,
             "state": "pending", "next_attempt_at_ms": 1_700_000_120_000i64,
             "attempts": [
                {"event_id": "wh_1", "attempt": 1, "at_ms": 1_700_000_000_000i64, "status": 503,
                 "error": null, "next_attempt_at_ms": 1_700_000_120_000i64, "state": "pending"},
                {"event_id": "wh_1", "attempt": 2, "at_ms": 1_700_000_001_000i64, "status": null,
                 "error": "connect", "next_attempt_at_ms": 1_700_000_120_000i64, "state": "pending"}]}]});
        let r = serde_json::from_value(r).unwrap();
        let t = super::render(&r);
        assert!(t.starts_with("wh_1  pending  made 2023-11-14T22:13:20Z  2 attempt(s), next at 2023-11-14T22:15:20Z\n"), "{t}");
        assert!(t.contains("#1 2023-11-14T22:13:20Z  HTTP 503"), "{t}");
        assert!(t.contains("#2 2023-11-14T22:13:21Z  connect error"), "{t}");
        assert!(super::render(&Default::default()).contains("no webhook events"));
    }
}
