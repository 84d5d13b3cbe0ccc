//! What the kernel needs to know of a ledger's states: their names, and which of them are
//! finished. Each ledger keeps its own states and rules; the one list of its finished states
//! lives beside them ([`RecordState::CLOSED`]), so no query or page rebuilds it.

/// A state a ledger's record can be in.
pub trait RecordState: Copy + Eq + 'static {
    /// Every state, in the ledger's order.
    const ALL: &'static [Self];
    /// The states in which a record is finished (closed, voided, merged…): nothing runs any more.
    const CLOSED: &'static [Self];

    /// The state's code, as stored.
    fn as_str(self) -> &'static str;

    /// Whether a record in this state is still being worked on.
    fn is_open(self) -> bool {
        !Self::CLOSED.contains(&self)
    }

    /// The state with this code.
    fn parse(code: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|state| state.as_str() == code)
    }
}

/// A recorded change of a ledger's record: serialisable, and named by its action's code.
pub trait RecordChange: serde::Serialize + serde::de::DeserializeOwned {
    /// The action's code (`dispatch`, `close`…): the history's `action` column and the event
    /// subscribers hear.
    fn action(&self) -> &'static str;
}
