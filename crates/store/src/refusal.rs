//! Why the store refused to do something, written for the person who asked.

use jiedao_core::i18n::{self, Lang, Localized};
use jiedao_core::{CodeError, OrgKind, Role};
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
    /// A boundary file with problems: nothing of it was loaded.
    Boundaries(Vec<Problem>),
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
            Refusal::Boundaries(_) => "refusal.boundaries",
        }
    }

    fn message_args(&self, lang: Lang) -> Vec<(&'static str, String)> {
        let name = |key: &str| i18n::text(lang, key).to_owned();
        match self {
            Refusal::NotAllowed | Refusal::OutOfScope | Refusal::DepartmentRequired => vec![],
            Refusal::NotFound { what, key } => vec![("what", name(what)), ("key", key.clone())],
            Refusal::EmptyField { field } => vec![("field", name(field))],
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
            Box::new(Refusal::Boundaries(problems.clone())),
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
