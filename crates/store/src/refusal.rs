//! Why the store refused to do something, written for the person who asked, and of which
//! [`RefusalKind`] (which decides how every face answers it). Refusals of a domain with its
//! own type (cases, the calendar, boundary files) are wrapped, and keep their own kind.

use jiedao_core::calendar::CalendarError;
use jiedao_core::case::CaseRefusal;
use jiedao_core::i18n::{self, Lang, Localized};
use jiedao_core::question::AnswerError;
use jiedao_core::{CodeError, OrgKind, RefusalKind, Role};
use jiedao_geo::Problem;

#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The role may not do this anywhere.
    NotAllowed,
    /// The role may do this, but not to something outside the user's part of the tree.
    OutOfScope,
    /// Nothing of this kind (a locale key naming it) with that key.
    NotFound {
        what: &'static str,
        key: String,
    },
    EmptyField {
        field: &'static str,
    },
    DuplicateUsername {
        username: String,
    },
    BadUsername {
        username: String,
    },
    WeakPassword {
        min_length: usize,
    },
    BadCode {
        code: String,
        error: CodeError,
    },
    UnknownOrgUnit {
        code: String,
    },
    DuplicateOrgUnit {
        code: String,
    },
    ParentUnknown {
        code: String,
        parent: String,
    },
    RoleCannotBindTo {
        role: Role,
        kind: OrgKind,
    },
    DepartmentRequired,
    DepartmentNotAllowed {
        role: Role,
    },
    UnknownDepartment {
        name: String,
    },
    DuplicateDepartment {
        name: String,
    },
    DuplicateDepartmentCode {
        code: String,
    },
    BadDepartmentCode {
        code: String,
        max: usize,
    },
    /// A key that is one department's code and another's name.
    AmbiguousDepartment {
        key: String,
    },
    /// Something cannot be removed while others depend on it: `count` of `uses` (a locale
    /// key naming them).
    StillInUse {
        key: String,
        uses: &'static str,
        count: i64,
    },
    /// A boundary file with problems: nothing of it was loaded.
    Boundaries(Vec<Problem>),
    /// The case state machine refused.
    Case(CaseRefusal),
    /// An answer to a category's questions that does not do, or a required one missing.
    Answer(AnswerError),
    /// Holiday data that cannot be used.
    Calendar(CalendarError),
    DuplicateClient {
        name: String,
    },
    BadPhone {
        phone: String,
    },
    TooLong {
        field: &'static str,
        max: usize,
    },
    /// Text holding a character nothing may keep (NUL).
    BadText {
        field: &'static str,
    },
    UnknownCategory {
        key: String,
    },
    /// Longitude and latitude must come together and lie on the globe.
    BadPoint,
    /// The point lies in no grid of any street here.
    OutsideEveryGrid,
    /// A client's point lies in a grid of another street than the client's.
    InAnotherStreet {
        street: String,
    },
    /// A client's point lies outside everything drawn of the client's street.
    OutsideStreet,
    /// Neither a point nor a street to file the report under.
    LocationRequired,
    EmptyFile,
    FileTooLarge {
        max_mb: usize,
    },
    /// Not a photo or document of a kind accepted (JPEG, PNG, WebP, PDF).
    FileType,
    /// A photo with more pixels than any camera's (a decompression bomb, or a panorama).
    ImageTooLarge {
        max_megapixels: u64,
    },
    /// A spreadsheet lacks a column the import needs.
    MissingColumn {
        name: String,
    },
    /// A work order number appears twice in one file.
    DuplicateWorkOrder {
        number: String,
    },
    /// A time limit typed that is not a positive amount of its unit.
    BadLimit,
    /// Evaluation weights that do not add up to 100, or grade bands out of order.
    BadRules,
    /// A period that is not a day, month, quarter, year or run of days.
    BadPeriod {
        text: String,
    },
    /// The rollups of a generated database cannot be rebuilt: its cases have no histories.
    GeneratedDatabase,
    /// A webhook address that is not an `http://` address this server can deliver to (or
    /// carries a user name and password).
    BadWebhookUrl,
    /// A webhook address on this machine, a link-local one, or (unless configured) a private
    /// one: deliveries must not probe the inside of the network.
    WebhookAddressNotAllowed,
    /// A webhook event that is not an action's code.
    UnknownEvent {
        name: String,
    },
    /// The password given to confirm a grave step is not the account's.
    WrongPassword,
    /// A file that cannot be drawn as a base layer (底图).
    BaseLayer(jiedao_geo::base_layer::LayerProblem),
    /// An administrator tried to disable their own account or change their own role.
    OwnAccount,
    /// A notice channel's template does not read.
    Template(jiedao_core::notice::TemplateError),
    /// The registry (人房企物) refused a record.
    Registry(crate::registry::refusal::RegistryRefusal),
    Petition(jiedao_core::petition::PetitionRefusal),
    /// The disputes' rules refused a change (矛盾纠纷调解).
    Dispute(jiedao_core::dispute::DisputeRefusal),
    /// An inspection or an action on a hazard (排查整治) refused by its rules.
    Inspection(jiedao_core::inspection::InspectionRefusal),
    Economy(crate::economy::EconomyRefusal),
}

impl Refusal {
    /// Refuses `text` if it is longer than its row of [`jiedao_core::limits`] allows, or holds
    /// a character no text may (NUL).
    pub fn check_length(text: &str, limit: jiedao_core::limits::Limit) -> Result<(), Refusal> {
        if !jiedao_core::limits::storable(text) {
            return Err(Refusal::BadText { field: limit.field });
        }
        if limit.fits(text) {
            Ok(())
        } else {
            Err(Refusal::TooLong {
                field: limit.field,
                max: limit.max,
            })
        }
    }

    pub fn kind(&self) -> RefusalKind {
        use RefusalKind::*;
        match self {
            Refusal::NotAllowed | Refusal::OutOfScope | Refusal::InAnotherStreet { .. } => {
                NotPermitted
            }
            Refusal::NotFound { .. } => NotFound,
            Refusal::Case(refusal) => refusal.kind(),
            Refusal::Registry(refusal) => refusal.kind(),
            Refusal::Petition(refusal) => refusal.kind(),
            Refusal::Dispute(refusal) => refusal.kind(),
            Refusal::Inspection(refusal) => refusal.kind(),
            Refusal::Economy(refusal) => refusal.kind(),
            Refusal::Answer(_) | Refusal::BaseLayer(_) => Invalid,
            Refusal::Calendar(error) => error.kind(),
            Refusal::Template(error) => error.kind(),
            Refusal::Boundaries(problems) => problems.first().map_or(Invalid, Problem::kind),
            Refusal::DuplicateUsername { .. }
            | Refusal::DuplicateOrgUnit { .. }
            | Refusal::DuplicateDepartment { .. }
            | Refusal::DuplicateDepartmentCode { .. }
            | Refusal::StillInUse { .. }
            | Refusal::OwnAccount
            | Refusal::DuplicateClient { .. }
            | Refusal::GeneratedDatabase => Conflict,
            Refusal::EmptyField { .. }
            | Refusal::BadUsername { .. }
            | Refusal::WeakPassword { .. }
            | Refusal::BadCode { .. }
            | Refusal::UnknownOrgUnit { .. }
            | Refusal::ParentUnknown { .. }
            | Refusal::RoleCannotBindTo { .. }
            | Refusal::DepartmentRequired
            | Refusal::DepartmentNotAllowed { .. }
            | Refusal::UnknownDepartment { .. }
            | Refusal::BadDepartmentCode { .. }
            | Refusal::AmbiguousDepartment { .. }
            | Refusal::BadPhone { .. }
            | Refusal::TooLong { .. }
            | Refusal::BadText { .. }
            | Refusal::UnknownCategory { .. }
            | Refusal::BadPoint
            | Refusal::OutsideEveryGrid
            | Refusal::OutsideStreet
            | Refusal::LocationRequired
            | Refusal::EmptyFile
            | Refusal::FileTooLarge { .. }
            | Refusal::FileType
            | Refusal::ImageTooLarge { .. }
            | Refusal::MissingColumn { .. }
            | Refusal::DuplicateWorkOrder { .. }
            | Refusal::BadLimit
            | Refusal::BadRules
            | Refusal::BadPeriod { .. }
            | Refusal::BadWebhookUrl
            | Refusal::WebhookAddressNotAllowed
            | Refusal::UnknownEvent { .. }
            | Refusal::WrongPassword => Invalid,
        }
    }
}

impl Localized for Refusal {
    fn message_key(&self) -> &'static str {
        match self {
            Refusal::NotAllowed => "refusal.not_allowed",
            Refusal::OutOfScope => "refusal.out_of_scope",
            Refusal::NotFound { .. } => "refusal.not_found",
            Refusal::EmptyField { .. } => "refusal.empty_field",
            Refusal::DuplicateUsername { .. } => "refusal.duplicate_username",
            Refusal::BadUsername { .. } => "refusal.bad_username",
            Refusal::WeakPassword { .. } => "refusal.weak_password",
            Refusal::BadCode { .. } => "refusal.bad_code",
            Refusal::UnknownOrgUnit { .. } => "refusal.unknown_org_unit",
            Refusal::DuplicateOrgUnit { .. } => "refusal.duplicate_org_unit",
            Refusal::ParentUnknown { .. } => "refusal.parent_unknown",
            Refusal::RoleCannotBindTo { .. } => "refusal.role_cannot_bind_to",
            Refusal::DepartmentRequired => "refusal.department_required",
            Refusal::DepartmentNotAllowed { .. } => "refusal.department_not_allowed",
            Refusal::UnknownDepartment { .. } => "refusal.unknown_department",
            Refusal::DuplicateDepartment { .. } => "refusal.duplicate_department",
            Refusal::DuplicateDepartmentCode { .. } => "refusal.duplicate_department_code",
            Refusal::BadDepartmentCode { .. } => "refusal.bad_department_code",
            Refusal::AmbiguousDepartment { .. } => "refusal.ambiguous_department",
            Refusal::StillInUse { .. } => "refusal.still_in_use",
            Refusal::Boundaries(_) => "refusal.boundaries",
            Refusal::BaseLayer(_) => "refusal.base_layer",
            Refusal::Case(refusal) => refusal.message_key(),
            Refusal::Registry(refusal) => refusal.message_key(),
            Refusal::Petition(refusal) => refusal.message_key(),
            Refusal::Dispute(refusal) => refusal.message_key(),
            Refusal::Inspection(refusal) => refusal.message_key(),
            Refusal::Economy(refusal) => refusal.message_key(),
            Refusal::Answer(error) => error.message_key(),
            Refusal::Calendar(error) => error.message_key(),
            Refusal::Template(error) => error.message_key(),
            Refusal::DuplicateClient { .. } => "refusal.duplicate_client",
            Refusal::BadPhone { .. } => "refusal.bad_phone",
            Refusal::TooLong { .. } => "refusal.too_long",
            Refusal::BadText { .. } => "refusal.bad_text",
            Refusal::UnknownCategory { .. } => "refusal.unknown_category",
            Refusal::BadPoint => "refusal.bad_point",
            Refusal::OutsideEveryGrid => "refusal.outside_every_grid",
            Refusal::InAnotherStreet { .. } => "refusal.in_another_street",
            Refusal::OutsideStreet => "refusal.outside_street",
            Refusal::LocationRequired => "refusal.location_required",
            Refusal::EmptyFile => "refusal.empty_file",
            Refusal::FileTooLarge { .. } => "refusal.file_too_large",
            Refusal::ImageTooLarge { .. } => "refusal.image_too_large",
            Refusal::FileType => "refusal.file_type",
            Refusal::MissingColumn { .. } => "refusal.missing_column",
            Refusal::DuplicateWorkOrder { .. } => "refusal.duplicate_work_order",
            Refusal::BadLimit => "refusal.bad_limit",
            Refusal::BadRules => "refusal.bad_rules",
            Refusal::BadPeriod { .. } => "refusal.bad_period",
            Refusal::GeneratedDatabase => "refusal.generated_database",
            Refusal::BadWebhookUrl => "refusal.bad_webhook_url",
            Refusal::WebhookAddressNotAllowed => "refusal.webhook_address_not_allowed",
            Refusal::UnknownEvent { .. } => "refusal.unknown_event",
            Refusal::WrongPassword => "refusal.wrong_password",
            Refusal::OwnAccount => "refusal.own_account",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        let name = |key: &str| i18n::text(lang, key).to_owned();
        match self {
            Refusal::NotAllowed
            | Refusal::OutOfScope
            | Refusal::DepartmentRequired
            | Refusal::BadPoint
            | Refusal::OutsideEveryGrid
            | Refusal::OutsideStreet
            | Refusal::LocationRequired
            | Refusal::EmptyFile
            | Refusal::FileType
            | Refusal::BadLimit
            | Refusal::BadRules
            | Refusal::BadWebhookUrl
            | Refusal::WebhookAddressNotAllowed
            | Refusal::GeneratedDatabase
            | Refusal::OwnAccount
            | Refusal::WrongPassword => vec![],
            Refusal::UnknownEvent { name } => vec![("name", name.clone())],
            Refusal::BadPeriod { text } => vec![("text", text.clone())],
            Refusal::InAnotherStreet { street } => vec![("street", street.clone())],
            Refusal::Case(refusal) => refusal.message_args(lang),
            Refusal::Registry(refusal) => refusal.message_args(lang),
            Refusal::Petition(refusal) => refusal.message_args(lang),
            Refusal::Dispute(refusal) => refusal.message_args(lang),
            Refusal::Inspection(refusal) => refusal.message_args(lang),
            Refusal::Economy(refusal) => refusal.message_args(lang),
            Refusal::Answer(error) => error.message_args(lang),
            Refusal::BaseLayer(problem) => vec![("problem", problem.localize(lang))],
            Refusal::Calendar(error) => error.message_args(lang),
            Refusal::Template(error) => error.message_args(lang),
            Refusal::DuplicateClient { name: client } => vec![("name", client.clone())],
            Refusal::BadPhone { phone } => vec![("phone", phone.clone())],
            Refusal::TooLong { field, max } => {
                vec![("field", name(field)), ("max", max.to_string())]
            }
            Refusal::UnknownCategory { key } => vec![("key", key.clone())],
            Refusal::FileTooLarge { max_mb } => vec![("max", max_mb.to_string())],
            Refusal::ImageTooLarge { max_megapixels } => {
                vec![("max", max_megapixels.to_string())]
            }
            Refusal::MissingColumn { name: column } => vec![("name", column.clone())],
            Refusal::DuplicateWorkOrder { number } => vec![("number", number.clone())],
            Refusal::NotFound { what, key } => vec![("what", name(what)), ("key", key.clone())],
            Refusal::EmptyField { field } | Refusal::BadText { field } => {
                vec![("field", name(field))]
            }
            Refusal::DuplicateUsername { username } | Refusal::BadUsername { username } => {
                vec![("username", username.clone())]
            }
            Refusal::WeakPassword { min_length } => vec![("min", min_length.to_string())],
            Refusal::BadCode { code, error } => {
                vec![("code", code.clone()), ("reason", error.localize(lang))]
            }
            Refusal::UnknownOrgUnit { code } | Refusal::DuplicateOrgUnit { code } => {
                vec![("code", code.clone())]
            }
            Refusal::ParentUnknown { code, parent } => {
                vec![("code", code.clone()), ("parent", parent.clone())]
            }
            Refusal::RoleCannotBindTo { role, kind } => vec![
                ("role", name(role.label_key())),
                ("kind", name(kind.label_key())),
            ],
            Refusal::DepartmentNotAllowed { role } => vec![("role", name(role.label_key()))],
            Refusal::UnknownDepartment { name: department }
            | Refusal::DuplicateDepartment { name: department } => {
                vec![("name", department.clone())]
            }
            Refusal::DuplicateDepartmentCode { code } => vec![("code", code.clone())],
            Refusal::BadDepartmentCode { code, max } => {
                vec![("code", code.clone()), ("max", max.to_string())]
            }
            Refusal::AmbiguousDepartment { key } => vec![("key", key.clone())],
            Refusal::StillInUse { key, uses, count } => vec![
                ("key", key.clone()),
                ("uses", name(uses)),
                ("count", count.to_string()),
            ],
            Refusal::Boundaries(problems) => vec![
                ("count", problems.len().to_string()),
                (
                    "problems",
                    problems
                        .iter()
                        .map(|p| p.localize(lang))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every refusal and every boundary problem.
    fn samples() -> Vec<Box<dyn Localized>> {
        let code_error = jiedao_core::RegionCode::parse("x").expect_err("bad code");
        let problems = vec![
            Problem::NotGeoJson {
                detail: "eof".into(),
            },
            Problem::NotFeatureCollection,
            Problem::MissingProperty {
                feature: 1,
                property: "code",
            },
            Problem::BadCode {
                feature: 1,
                code: "x".into(),
                error: code_error.clone(),
            },
            Problem::DuplicateCode {
                code: "1".into(),
                first: 1,
                second: 2,
            },
            Problem::MissingGeometry {
                feature: 1,
                code: "1".into(),
            },
            Problem::NotAPolygon {
                feature: 1,
                code: "1".into(),
                found: "Point".into(),
            },
            Problem::TooFewPositions {
                code: "1".into(),
                ring: 0,
                found: 3,
            },
            Problem::RingNotClosed {
                code: "1".into(),
                ring: 1,
            },
            Problem::BadPosition {
                code: "1".into(),
                ring: 0,
                position: 2,
            },
            Problem::CoordinateOutOfRange {
                code: "1".into(),
                lon: 200.0,
                lat: 0.0,
            },
            Problem::SelfIntersection {
                code: "1".into(),
                ring: 0,
            },
            Problem::InvalidPolygon {
                code: "1".into(),
                detail: "x".into(),
            },
            Problem::ParentUnknown {
                code: "1".into(),
                parent: "2".into(),
            },
            Problem::ParentHasNoBoundary {
                code: "1".into(),
                parent: "2".into(),
            },
            Problem::NotInsideParent {
                code: "1".into(),
                parent: "2".into(),
                outside_m2: 3.0,
            },
            Problem::Overlap {
                first: "1".into(),
                second: "2".into(),
                area_m2: 3.0,
            },
        ];
        let mut samples: Vec<Box<dyn Localized>> = vec![
            Box::new(Refusal::NotAllowed),
            Box::new(Refusal::OutOfScope),
            Box::new(Refusal::NotFound {
                what: "noun.user",
                key: "k".into(),
            }),
            Box::new(Refusal::EmptyField {
                field: "field.name",
            }),
            Box::new(Refusal::DuplicateUsername {
                username: "u".into(),
            }),
            Box::new(Refusal::BadUsername {
                username: "u".into(),
            }),
            Box::new(Refusal::WeakPassword { min_length: 8 }),
            Box::new(Refusal::BadCode {
                code: "x".into(),
                error: code_error,
            }),
            Box::new(Refusal::UnknownOrgUnit { code: "1".into() }),
            Box::new(Refusal::DuplicateOrgUnit { code: "1".into() }),
            Box::new(Refusal::ParentUnknown {
                code: "1".into(),
                parent: "2".into(),
            }),
            Box::new(Refusal::RoleCannotBindTo {
                role: Role::GridWorker,
                kind: OrgKind::Street,
            }),
            Box::new(Refusal::DepartmentRequired),
            Box::new(Refusal::DepartmentNotAllowed { role: Role::Leader }),
            Box::new(Refusal::UnknownDepartment { name: "d".into() }),
            Box::new(Refusal::DuplicateDepartment { name: "d".into() }),
            Box::new(Refusal::DuplicateDepartmentCode { code: "d".into() }),
            Box::new(Refusal::BadDepartmentCode {
                code: "d d".into(),
                max: 32,
            }),
            Box::new(Refusal::AmbiguousDepartment { key: "d".into() }),
            Box::new(Refusal::StillInUse {
                key: "d".into(),
                uses: "in_use.open_cases",
                count: 2,
            }),
            Box::new(Refusal::Boundaries(problems.clone())),
            Box::new(Refusal::Case(CaseRefusal::PhotoRequired)),
            Box::new(Refusal::Answer(AnswerError::Missing {
                code: "cover_state".into(),
            })),
            Box::new(Refusal::Calendar(CalendarError::YearNotKnown {
                year: 2027,
            })),
            Box::new(Refusal::DuplicateClient { name: "c".into() }),
            Box::new(Refusal::BadPhone { phone: "x".into() }),
            Box::new(Refusal::TooLong {
                field: "field.description",
                max: 2000,
            }),
            Box::new(Refusal::UnknownCategory { key: "X".into() }),
            Box::new(Refusal::BadPoint),
            Box::new(Refusal::OutsideEveryGrid),
            Box::new(Refusal::InAnotherStreet {
                street: "乙街道".into(),
            }),
            Box::new(Refusal::OutsideStreet),
            Box::new(Refusal::LocationRequired),
            Box::new(Refusal::EmptyFile),
            Box::new(Refusal::FileTooLarge { max_mb: 10 }),
            Box::new(Refusal::FileType),
            Box::new(Refusal::ImageTooLarge { max_megapixels: 40 }),
            Box::new(Refusal::WebhookAddressNotAllowed),
            Box::new(Refusal::BadText {
                field: "field.note",
            }),
            Box::new(Refusal::WrongPassword),
            Box::new(Refusal::MissingColumn {
                name: "工单编号".into(),
            }),
            Box::new(Refusal::DuplicateWorkOrder { number: "1".into() }),
            Box::new(Refusal::BadLimit),
            Box::new(Refusal::BadRules),
            Box::new(Refusal::GeneratedDatabase),
            Box::new(Refusal::BadPeriod {
                text: "2026-13".into(),
            }),
        ];
        samples.extend(
            problems
                .into_iter()
                .map(|p| Box::new(p) as Box<dyn Localized>),
        );
        samples
    }

    #[test]
    fn every_refusal_and_problem_reads_in_both_languages() {
        for sample in samples() {
            for lang in Lang::ALL {
                let message = sample.localize(lang);
                assert_ne!(
                    message,
                    sample.message_key(),
                    "{lang:?} lacks {}",
                    sample.message_key()
                );
                assert!(
                    !message.contains('{'),
                    "{lang:?} {}: unfilled placeholder in {message}",
                    sample.message_key()
                );
                assert!(
                    !message.contains("noun.") && !message.contains("field."),
                    "{message}"
                );
            }
        }
    }
}
