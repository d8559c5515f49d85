//! `GET /v1/admin/missed-pii`: what annotators marked (`p`) as personal data the
//! redaction missed, counted by guessed kind, company and week — so a manager sees where
//! the redactor needs work. The marked text never leaves this module: the hub redacts the
//! message again (the same redactor, so the same text the device was sent), cuts out each
//! marked span and keeps only `redact::guess_missed`'s guess.

use crate::error::HubError;
use crate::{auth, blocking, AppState};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use labelvault_core::redact::guess_missed;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One line of the report.
#[derive(Debug, Serialize, PartialEq)]
pub struct MissedRow {
    /// Monday of the week the marks arrived (UTC), `YYYY-MM-DD`.
    pub week: String,
    /// The messages' company.
    pub company: String,
    /// A PII type name, `NUMBER` or `OTHER` (`redact::guess_missed`).
    pub guess: &'static str,
    /// Marked spans.
    pub marks: u64,
    /// Distinct messages they are on.
    pub messages: u64,
}

/// The whole report: rows newest week first, then by company and guess; totals.
#[derive(Debug, Serialize, PartialEq)]
pub struct MissedReport {
    /// The rows.
    pub rows: Vec<MissedRow>,
    /// All marked spans.
    pub marks: u64,
    /// All messages with a mark.
    pub messages: u64,
}

/// `GET /v1/admin/missed-pii`.
pub async fn report(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<MissedReport>, HubError> {
    auth::admin(&s, &headers)?;
    Ok(Json(blocking(move || build(&s)).await?))
}

/// Monday (UTC) of the week holding `ms`, as `YYYY-MM-DD`.
fn week_of(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let monday = days - (days + 3).rem_euclid(7); // 1970-01-01 was a Thursday
    labelvault_core::batch::rfc3339(monday * 86_400)
        .chars()
        .take(10)
        .collect()
}

fn build(s: &AppState) -> Result<MissedReport, HubError> {
    let marks = s.store.missed_pii_marks()?;
    let ids: Vec<String> = marks
        .iter()
        .map(|m| m.message_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let texts = s.store.messages_by_id(&ids)?;
    let seen: HashMap<&str, Vec<char>> = ids
        .iter()
        .zip(&texts)
        .map(|(id, m)| {
            (
                id.as_str(),
                s.redactor.redact(&m.text).text.chars().collect(),
            )
        })
        .collect();
    let mut groups: BTreeMap<(String, String, &'static str), (u64, BTreeSet<&str>)> =
        BTreeMap::new();
    for m in &marks {
        let chars = seen
            .get(m.message_id.as_str())
            .map_or(&[][..], Vec::as_slice);
        for sp in &m.spans {
            let (a, b) = (sp.start as usize, sp.end as usize);
            let guess = if a < b && b <= chars.len() {
                guess_missed(&chars[a..b].iter().collect::<String>(), &s.redactor)
            } else {
                // The redaction changed since the item was sent: the span no longer fits.
                "OTHER"
            };
            let g = groups
                .entry((week_of(m.received_at_ms), m.company.clone(), guess))
                .or_default();
            g.0 += 1;
            g.1.insert(m.message_id.as_str());
        }
    }
    let mut rows: Vec<MissedRow> = groups
        .into_iter()
        .map(|((week, company, guess), (marks, msgs))| MissedRow {
            week,
            company,
            guess,
            marks,
            messages: msgs.len() as u64,
        })
        .collect();
    rows.sort_by(|x, y| {
        y.week
            .cmp(&x.week)
            .then_with(|| x.company.cmp(&y.company))
            .then_with(|| x.guess.cmp(y.guess))
    });
    Ok(MissedReport {
        marks: rows.iter().map(|r| r.marks).sum(),
        messages: ids.len() as u64,
        rows,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn weeks_start_on_monday() {
        // 2026-12-04 was a Friday; 2026-11-30 the Monday before; a Monday is its own.
        assert_eq!(super::week_of(1_796_385_600_000), "2026-11-30");
        assert_eq!(super::week_of(1_795_996_800_000), "2026-11-30");
        assert_eq!(super::week_of(0), "1969-12-29");
    }
}
