//! The wire error of the HTTP surface, shared by the JSON API and the server functions
//! without either importing the other: a status, a stable code and words, answered as
//! `{"error": {"code": "...", "message": "..."}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An error answer of the REST API.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.into(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// `{"error": {"code": "...", "message": "..."}}`: every refusal and failure.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A stable machine-readable `code` and the words for a person.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// e.g. `invalid_backup_id`, `not_found`, `forbidden`, `backup_running`.
    pub code: String,
    pub message: String,
}

/// A refused restore start whose pre-flight checks failed: the error and every check.
#[derive(Serialize, ToSchema)]
pub struct ChecksFailedBody {
    pub error: ErrorDetail,
    pub checks: Vec<crate::domain::Check>,
}

/// What a handler that runs an action answers instead: a refusal of the request itself (a bad
/// id, a malformed body) or of the action.
#[derive(Debug)]
pub enum Refusal {
    Request(ApiError),
    Action(crate::actions::ActionError),
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Self::Request(e)
    }
}

impl From<crate::actions::ActionError> for Refusal {
    fn from(e: crate::actions::ActionError) -> Self {
        Self::Action(e)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Request(e) => e.into_response(),
            Self::Action(e) => e.into_response(),
        }
    }
}
