//! The HTTP surface's wire error (`ApiError`, its JSON body) and the mapping of every service
//! and action refusal to it: shared by the JSON API (`rest`) and the server functions (`api`),
//! neither of which imports the other; nothing below the HTTP surface imports it.

mod error;
mod map;

pub use error::{ApiError, ChecksFailedBody, ErrorBody, ErrorDetail, Refusal};
pub use map::{
    action_error, alert_error, audit_error, cancel_error, delete_error, invalid_query,
    journal_error, not_found_set, restore_api_error, restore_error, retention_error,
    schedule_error, start_error,
};
