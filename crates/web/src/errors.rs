//! How jiedao says no, on every face. This is the policy; the faces follow it.
//!
//! - **A refusal is typed by its domain.** Cases refuse with `CaseRefusal`, the calendar with
//!   `CalendarError`, boundary files with `Problem`, the store with its `Refusal` (which wraps
//!   the others); a new domain brings its own type. Each says which [`RefusalKind`] it is.
//! - **The kind alone decides the HTTP status**, here, in [`status`], for pages, the JSON API
//!   and Open311 alike: the same refusal is never 422 on a page, 403 in the API and 400 in
//!   Open311.
//!
//!   | kind | status | e.g. |
//!   |---|---|---|
//!   | `Malformed` | 400 | a body that is not JSON, a parameter that does not parse |
//!   | `Unauthenticated` | 401 | no token, a wrong password |
//!   | `NotPermitted` | 403 | not the role's to do, outside the reader's reach |
//!   | `NotFound` | 404 | no such case |
//!   | `Invalid` | 422 | an empty description, a photo of the wrong type |
//!   | `Conflict` | 409 | accepting a case not yet dispatched, a username taken |
//!   | `TooMany` | 429 | past the caller's allowance, a login locked for a while |
//!
//! - **Each face keeps its own body.** A page shows the refusal in the reader's language (a
//!   form comes back with what was typed and the status of its refusal: `failure`, the
//!   `render_form` of `widgets::layout`); the API answers `{"error": code, "message": text}`
//!   (`api::ApiError`); Open311 answers its list of code and description (`open311::reply`).
//! - **Faults are not refusals.** Anything else is logged with its cause and answered 500 with a
//!   generic apology; the cause never leaves the server.
//! - **Two faces keep a rule of their own.** A page asked for without a session sends the
//!   reader to the login page (303) rather than answering 401; Open311 answers a missing or
//!   unknown `api_key` 403, as GeoReport v2 says (posting is what the key permits).

use axum::http::StatusCode;
use jiedao_core::RefusalKind;

/// The one status of each kind of refusal.
pub fn status(kind: RefusalKind) -> StatusCode {
    match kind {
        RefusalKind::Malformed => StatusCode::BAD_REQUEST,
        RefusalKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        RefusalKind::NotPermitted => StatusCode::FORBIDDEN,
        RefusalKind::NotFound => StatusCode::NOT_FOUND,
        RefusalKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        RefusalKind::Conflict => StatusCode::CONFLICT,
        RefusalKind::TooMany => StatusCode::TOO_MANY_REQUESTS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_client_error_status() {
        let statuses: Vec<u16> = RefusalKind::ALL
            .iter()
            .map(|kind| status(*kind).as_u16())
            .collect();
        let mut distinct = statuses.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), statuses.len(), "{statuses:?}");
        assert!(statuses.iter().all(|s| (400..500).contains(s)));
    }
}
