//! Statistics (统计): the rollups kept with every case change, and the figures read from them.

pub mod evaluation;
pub mod figures;
pub mod rollup;

pub use evaluation::{Evaluation, Named};
pub use figures::{CountedCase, Members};
pub use rollup::{Attribution, Dimension};
