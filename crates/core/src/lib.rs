//! jiedao's domain, free of IO: region and grid codes, the organisation tree and its paths,
//! roles and their capabilities, the clock, the kinds of refusal, and the translations every
//! message goes through; the registry's codes and rules, money, the economy's derivations, and
//! the disputes' mediation rules.

pub mod calendar;
pub mod case;
pub mod category;
pub mod clock;
mod coded;
pub mod codes;
mod decimal;
pub mod dispute;
pub mod economy;
pub mod evaluation;
pub mod i18n;
pub mod ids;
pub mod inspection;
pub mod ledger;
pub mod limits;
pub mod money;
pub mod notice;
pub mod org;
pub mod petition;
pub mod question;
pub mod rank;
pub mod refusal;
pub mod registry;
pub mod role;
mod typed;

pub use calendar::{CalendarError, TimeLimit, TimeUnit, WorkCalendar};
pub use clock::{Clock, ManualClock, SystemClock};
pub use codes::{CodeError, GridCode, GridCodeFormat, GridLevel, RegionCode, RegionLevel};
pub use i18n::{Lang, Localized, Translated};
pub use ids::{
    AttachmentId, CaseId, CategoryId, ClientId, DepartmentId, JobId, OrgUnitId, PlatformId, UserId,
};
pub use money::Money;
pub use org::{OrgCode, OrgKind, OrgPath};
pub use refusal::RefusalKind;
pub use role::{Capability, Role};
