//! How much text anyone may send (文字长度上限): the one table of limits every text field is
//! held to, in characters. The store checks each field against its row before anything is
//! written; the web edge refuses any single field longer than [`ANY_FIELD`] before it is even
//! parsed further, so no field is unbounded on any face (pages, API, Open311, imports).

/// A limit on one kind of text: the field's name (a `field.*` message key, for the refusal)
/// and the most characters it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub field: &'static str,
    pub max: usize,
}

impl Limit {
    pub const fn new(field: &'static str, max: usize) -> Limit {
        Limit { field, max }
    }

    /// Whether `text` fits (counted in characters, not bytes).
    pub fn fits(self, text: &str) -> bool {
        // A text of at most `max` bytes fits without counting.
        text.len() <= self.max || text.chars().count() <= self.max
    }
}

/// A person's name: a reporter's, a user's display name.
pub const PERSON_NAME: Limit = Limit::new("field.display_name", 50);
/// The name of a unit, department, category, client, platform or webhook.
pub const NAME: Limit = Limit::new("field.name", 100);
/// An address or a place.
pub const ADDRESS: Limit = Limit::new("field.address", 200);
/// What a report says happened.
pub const DESCRIPTION: Limit = Limit::new("field.description", 4000);
/// A note or reason given with an action (督办 reasons, returns, checks, follow-ups).
pub const NOTE: Limit = Limit::new("field.note", 2000);
/// A grid worker's visit: the place visited, and what was found (走访记录).
pub const VISIT_PLACE: Limit = Limit::new("field.place", 500);
pub const VISIT_NOTE: Limit = Limit::new("field.note", 500);
/// The key a phone gives a form it may send twice (a queued report or visit): the same key
/// from the same person means the same record.
pub const INTAKE_KEY: Limit = Limit::new("field.intake_key", 100);
/// Any single field a form or body carries, before it reaches the rule for its kind: nothing
/// anyone sends is longer.
pub const ANY_FIELD: Limit = Limit::new("field.any", 20_000);

/// Whether `text` can be kept at all: no NUL character, which PostgreSQL's text cannot hold
/// and no person types. Requests carrying one are refused at the edge (query, form, JSON).
pub fn storable(text: &str) -> bool {
    !text.contains('\0')
}

/// Every limit, for documentation and tests.
pub const ALL: [Limit; 9] = [
    PERSON_NAME,
    NAME,
    ADDRESS,
    DESCRIPTION,
    NOTE,
    VISIT_PLACE,
    VISIT_NOTE,
    INTAKE_KEY,
    ANY_FIELD,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_counted_not_bytes() {
        let limit = Limit { field: "f", max: 3 };
        assert!(limit.fits("街道办"));
        assert!(!limit.fits("街道办事"));
        assert!(limit.fits("abc"));
        assert!(!limit.fits("abcd"));
    }

    #[test]
    fn the_limits_grow_from_names_to_any_field() {
        assert!(ALL.iter().all(|l| l.max <= ANY_FIELD.max));
    }
}
