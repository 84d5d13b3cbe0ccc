//! The kinds of "no" (拒绝的类别). Every domain refuses with its own typed refusal
//! ([`CaseRefusal`](crate::case::CaseRefusal) for cases, [`CalendarError`](crate::CalendarError)
//! for the calendar, the store's `Refusal` over them all, and each new domain its own); each
//! of those says which kind it is through its `kind()`. The kind is all a face needs to answer
//! the same refusal the same way: the web maps each kind to one HTTP status, once, for pages,
//! the JSON API and Open311 alike.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// The request itself does not read: a body that is not JSON, a query that does not parse.
    Malformed,
    /// Nobody, or no valid token, is signed in; or the name and password do not match.
    Unauthenticated,
    /// The asker may not do this: not their role's to do, or outside their reach.
    NotPermitted,
    /// Nothing of that kind with that key.
    NotFound,
    /// What was sent does not meet the rules: an empty or too long field, a code that does not
    /// read, a point outside every grid, a file of the wrong type.
    Invalid,
    /// The request is sound but what it acts on is not in a state to take it: a case in
    /// another state, a name already taken, an extension already asked for.
    Conflict,
    /// Too many requests or attempts in a while: wait and try again.
    TooMany,
}

impl RefusalKind {
    pub const ALL: [RefusalKind; 7] = [
        RefusalKind::Malformed,
        RefusalKind::Unauthenticated,
        RefusalKind::NotPermitted,
        RefusalKind::NotFound,
        RefusalKind::Invalid,
        RefusalKind::Conflict,
        RefusalKind::TooMany,
    ];
}
