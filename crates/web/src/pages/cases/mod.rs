//! Case pages: the list, one case, acting on it, and intake by staff and grid workers.

pub mod act;
pub mod bulk;
pub mod detail;
pub mod intake;
pub mod list;
