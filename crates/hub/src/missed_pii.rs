//! What annotators marked (`p`) as personal data the redaction missed.
//!
//! - `GET /v1/admin/missed-pii` counts the marks by guessed kind, company and week, so a
//!   manager sees where the redactor needs work.
//! - `POST /v1/admin/missed-pii/confirm` turns the marks of one such row into the
//!   company's terms, which every later dispatch and redacted export masks.
//!
//! The marked text never leaves this module: each mark is cut out of the text the device
//! was sent (kept with the copy; for older copies the message is redacted again) and only
//! `redact::guess_missed`'s guess is reported; confirmed terms are stored, never echoed.

use crate::error::HubError;
use crate::{auth, blocking, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use labelvault_core::admin_api::{
    ConfirmTermsAnswer, ConfirmTermsRequest, MissedPiiReport, MissedPiiRow,
};
use labelvault_core::redact::{guess_missed, terms::TERM_CHARS, PiiKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// `GET /v1/admin/missed-pii`.
pub async fn report(State(s): State<AppState>) -> Result<Json<MissedPiiReport>, HubError> {
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

/// A report row's key: week, company, guess.
type RowKey = (String, String, &'static str);

/// One marked span: its row, the message, and the marked text (`None` when the span no
/// longer fits the text). Hub-side only.
struct Marked {
    row: RowKey,
    message_id: String,
    text: Option<String>,
}

/// Every current mark's span with its row and marked text.
fn marked(s: &AppState) -> Result<Vec<Marked>, HubError> {
    let marks = s.store.missed_pii_marks()?;
    // Copies dispatched before texts were kept: redact the message again.
    let missing: Vec<String> = marks
        .iter()
        .filter(|m| m.seen.is_none())
        .map(|m| m.message_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let again: HashMap<String, String> = missing
        .iter()
        .cloned()
        .zip(s.store.messages_by_id(&missing)?)
        .map(|(id, m)| (id, s.redactor.redact(&m.text).text))
        .collect();
    let mut out = Vec::new();
    for m in &marks {
        let seen = m.seen.as_ref().or_else(|| again.get(&m.message_id));
        let chars: Vec<char> = seen.map(|t| t.chars().collect()).unwrap_or_default();
        for sp in &m.spans {
            let (a, b) = (sp.start as usize, sp.end as usize);
            let text = (a < b && b <= chars.len()).then(|| chars[a..b].iter().collect::<String>());
            let guess = text
                .as_deref()
                .map_or("OTHER", |t| guess_missed(t, &s.redactor));
            out.push(Marked {
                row: (week_of(m.received_at_ms), m.company.clone(), guess),
                message_id: m.message_id.clone(),
                text,
            });
        }
    }
    Ok(out)
}

fn build(s: &AppState) -> Result<MissedPiiReport, HubError> {
    let marks = marked(s)?;
    let mut groups: BTreeMap<&RowKey, (u64, BTreeSet<&str>)> = BTreeMap::new();
    for m in &marks {
        let g = groups.entry(&m.row).or_default();
        g.0 += 1;
        g.1.insert(m.message_id.as_str());
    }
    let messages: BTreeSet<&str> = marks.iter().map(|m| m.message_id.as_str()).collect();
    let mut rows: Vec<MissedPiiRow> = groups
        .into_iter()
        .map(|((week, company, guess), (marks, msgs))| MissedPiiRow {
            week: week.clone(),
            company: company.clone(),
            guess: guess.to_string(),
            marks,
            messages: msgs.len() as u64,
        })
        .collect();
    rows.sort_by(|x, y| {
        y.week
            .cmp(&x.week)
            .then_with(|| x.company.cmp(&y.company))
            .then_with(|| x.guess.cmp(&y.guess))
    });
    Ok(MissedPiiReport {
        marks: rows.iter().map(|r| r.marks).sum(),
        messages: messages.len() as u64,
        rows,
    })
}

/// `POST /v1/admin/missed-pii/confirm`: the marked texts of one report row become the
/// company's terms (stored on the hub, masked in every later dispatch and redacted
/// export of that company's messages).
pub async fn confirm(
    State(s): State<AppState>,
    body: Bytes,
) -> Result<Json<ConfirmTermsAnswer>, HubError> {
    let req: ConfirmTermsRequest = crate::http::parse_object(&body)?;
    let kind = match req.as_kind {
        Some(k) => k,
        None => PiiKind::ALL
            .into_iter()
            .find(|k| k.type_name() == req.guess)
            .ok_or_else(|| {
                HubError::bad(
                    "invalid",
                    "`guess` is not a kind of personal data; say which kind these marks are with `as`, e.g. \"PERSON\"",
                )
            })?,
    };
    Ok(Json(
        blocking(move || confirm_blocking(&s, &req, kind)).await?,
    ))
}

fn confirm_blocking(
    s: &AppState,
    req: &ConfirmTermsRequest,
    kind: PiiKind,
) -> Result<ConfirmTermsAnswer, HubError> {
    let marks = marked(s)?;
    let row: Vec<&Marked> = marks
        .iter()
        .filter(|m| m.row.0 == req.week && m.row.1 == req.company && m.row.2 == req.guess)
        .collect();
    if row.is_empty() {
        return Err(HubError::not_found(
            "unknown_row",
            "no marks for that week, company and guess; take them from GET /v1/admin/missed-pii",
        ));
    }
    let terms: BTreeSet<String> = row
        .iter()
        .filter_map(|m| m.text.as_deref())
        .map(|t| t.trim().to_string())
        .filter(|t| TERM_CHARS.contains(&t.chars().count()))
        .collect();
    let terms: Vec<(String, String)> = terms
        .into_iter()
        .map(|t| (t, kind.type_name().to_string()))
        .collect();
    let added = s
        .store
        .add_company_terms(&req.company, &terms, auth::now())?;
    let total = s
        .store
        .company_terms()?
        .iter()
        .filter(|(c, _, _)| *c == req.company)
        .count() as u64;
    let confirmed: Vec<String> = terms.into_iter().map(|(t, _)| t).collect();
    let masked_copies =
        crate::erasure::mask_confirmed_terms(s.store.as_ref(), &req.company, &confirmed)?;
    tracing::info!(added, masked_copies, "company terms confirmed");
    Ok(ConfirmTermsAnswer {
        marks: row.len() as u64,
        added,
        company_terms: total,
        masked_copies,
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
