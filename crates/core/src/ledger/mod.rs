//! The ledger kernel's pure parts (台账): what every case-like domain keeps the same way. Cases
//! are the first ledger; disputes, petitions, hazards and key projects follow. Each ledger owns
//! its states, rules and refusals; it shares with the others how its records are numbered,
//! how their histories are chained, how their clocks run and light up, and the rule of who
//! sees and acts on them. The store's half is `jiedao_store::ledger`.

pub mod chain;
pub mod number;
pub mod standing;
pub mod state;
pub mod timer;

pub use standing::{Sight, Standing};
pub use state::{RecordChange, RecordState};
pub use timer::{Light, Pause, Timer};
