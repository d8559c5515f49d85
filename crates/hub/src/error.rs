//! Every refusal is a JSON `ApiError {code, message}` with a stable code and the right
//! HTTP status. Messages never contain item text or label bodies.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use labelvault_core::protocol::ApiError;

/// A hub error.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// 400: the request is malformed.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 401: missing or wrong credentials/signature.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// 403: authenticated but not allowed.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 404.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// 409: conflicts with stored state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 405: the path exists, the method does not.
    #[error("this endpoint does not take that method; see docs/openapi.yaml")]
    MethodNotAllowed,
    /// 413.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// 507: the database cannot grow (disk full). Nothing of the request was stored;
    /// the device keeps its labels and retries.
    #[error("the hub's storage is full")]
    StorageFull,
    /// 500: storage or internal failure (details go to the log only).
    #[error("internal error: {0}")]
    Internal(String),
}

impl HubError {
    /// 400 helper.
    pub fn bad(code: &'static str, message: impl Into<String>) -> HubError {
        HubError::BadRequest {
            code,
            message: message.into(),
        }
    }
    /// 401 helper.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> HubError {
        HubError::Unauthorized {
            code,
            message: message.into(),
        }
    }
    /// 403 helper.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> HubError {
        HubError::Forbidden {
            code,
            message: message.into(),
        }
    }
    /// 404 helper.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> HubError {
        HubError::NotFound {
            code,
            message: message.into(),
        }
    }
    /// 409 helper.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> HubError {
        HubError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// Parse a JSON body strictly (unknown fields refused), naming the field, never the value.
    pub fn from_json(e: &serde_json::Error) -> HubError {
        let msg = e.to_string();
        if msg.contains("unknown field") {
            let field = msg.split('`').nth(1).unwrap_or("?");
            HubError::bad(
                "unknown_field",
                format!("the body has a field `{field}` that this endpoint does not accept"),
            )
        } else {
            HubError::bad(
                "malformed",
                format!(
                    "the body is not valid JSON for this endpoint (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        }
    }

    fn parts(&self) -> (StatusCode, &str) {
        match self {
            HubError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            HubError::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, code),
            HubError::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code),
            HubError::NotFound { code, .. } => (StatusCode::NOT_FOUND, code),
            HubError::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            HubError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            HubError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            HubError::StorageFull => (StatusCode::INSUFFICIENT_STORAGE, "storage_full"),
            HubError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<rusqlite::Error> for HubError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::DiskFull {
                return HubError::StorageFull;
            }
        }
        HubError::Internal(match e {
            rusqlite::Error::SqliteFailure(f, _) => {
                format!("storage: {}", rusqlite::ffi::code_to_str(f.extended_code))
            }
            _ => "storage error".into(),
        })
    }
}

impl From<postgres::Error> for HubError {
    /// The SQLSTATE and constraint only: a server message or detail may quote stored
    /// values, which must not reach a log.
    fn from(e: postgres::Error) -> Self {
        // A full disk is the same answer on both stores: nothing was stored, the device
        // keeps its labels and sends them again.
        if e.code() == Some(&postgres::error::SqlState::DISK_FULL) {
            return HubError::StorageFull;
        }
        HubError::Internal(match e.as_db_error() {
            Some(db) => match db.constraint() {
                Some(c) => format!("storage: SQLSTATE {} ({c})", db.code().code()),
                None => format!("storage: SQLSTATE {}", db.code().code()),
            },
            None if e.is_closed() => {
                "storage: the database connection closed; check that PostgreSQL is up".into()
            }
            None => "storage error (PostgreSQL client)".into(),
        })
    }
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let message = match &self {
            HubError::Internal(detail) => {
                tracing::error!(detail = %detail, "internal error");
                "the hub hit an internal error; try again later (the details are in the hub's log)"
                    .to_string()
            }
            HubError::StorageFull => {
                tracing::error!("storage full: the database cannot grow; free disk space");
                "the hub's storage is full; nothing of this request was stored. Your labels \
                 stay on the device and are sent again once the manager frees space"
                    .to_string()
            }
            other => other.to_string(),
        };
        (
            status,
            axum::Json(ApiError {
                code: code.to_string(),
                message,
            }),
        )
            .into_response()
    }
}
