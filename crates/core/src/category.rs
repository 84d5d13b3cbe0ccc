//! Categories (事项分类): a tree of classes whose leaves carry everything a case of that kind
//! needs: filing and closing conditions, the default handling department, urgency, and a time
//! limit for each step. The seeded tree is data (`data/categories.toml`); settings a category
//! does not give are inherited from its parent.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{TimeLimit, TimeUnit};
use crate::question::Question;

static SEEDED_CATEGORIES: &str = include_str!("../data/categories.toml");

/// How urgent a kind of problem is (紧急程度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// 一般
    Normal,
    /// 紧急
    Urgent,
    /// 特急
    Critical,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Normal, Urgency::Urgent, Urgency::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
            Urgency::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Urgency::Normal => "urgency.normal",
            Urgency::Urgent => "urgency.urgent",
            Urgency::Critical => "urgency.critical",
        }
    }
}

/// A step of the case's life that has its own time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 立案: from report to filing (or voiding).
    File,
    /// 派遣: from filing to dispatch.
    Dispatch,
    /// 签收: from dispatch to acceptance.
    Accept,
    /// 处置: from acceptance to reporting done.
    Handle,
    /// 核查: from reporting done to the on-site check.
    Check,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::File,
        Step::Dispatch,
        Step::Accept,
        Step::Handle,
        Step::Check,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::File => "file",
            Step::Dispatch => "dispatch",
            Step::Accept => "accept",
            Step::Handle => "handle",
            Step::Check => "check",
        }
    }

    pub fn parse(text: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Step::File => "step.file",
            Step::Dispatch => "step.dispatch",
            Step::Accept => "step.accept",
            Step::Handle => "step.handle",
            Step::Check => "step.check",
        }
    }
}

/// The time limit of every step and of the whole case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub file: TimeLimit,
    pub dispatch: TimeLimit,
    pub accept: TimeLimit,
    pub handle: TimeLimit,
    pub check: TimeLimit,
    /// From report to closing (案件总时限).
    pub case: TimeLimit,
}

impl Limits {
    pub fn of(&self, step: Step) -> TimeLimit {
        match step {
            Step::File => self.file,
            Step::Dispatch => self.dispatch,
            Step::Accept => self.accept,
            Step::Handle => self.handle,
            Step::Check => self.check,
        }
    }
}

/// Who handles a category by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum DefaultDepartment {
    /// The department of this name in the case's street.
    Named(String),
    /// The community the case lies in.
    Community,
}

impl DefaultDepartment {
    pub fn parse(text: &str) -> DefaultDepartment {
        match text.trim() {
            "@community" => DefaultDepartment::Community,
            name => DefaultDepartment::Named(name.to_owned()),
        }
    }

    pub fn as_text(&self) -> &str {
        match self {
            DefaultDepartment::Named(name) => name,
            DefaultDepartment::Community => "@community",
        }
    }
}

/// What a leaf category says about its cases. Versions of it are kept when edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategorySettings {
    pub urgency: Urgency,
    pub limits: Limits,
    pub department: DefaultDepartment,
    /// 立案条件
    pub filing_condition: String,
    /// 结案条件
    pub closing_condition: String,
    /// Whether residents and outside apps (Open311) may choose it.
    pub public: bool,
    /// Words people use for it, for search and Open311's service keywords (not inherited).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// What a reporter is asked beyond the description (not inherited).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
}

impl Default for CategorySettings {
    /// The fallback for a case whose category is not yet known.
    fn default() -> Self {
        CategorySettings {
            urgency: Urgency::Normal,
            limits: Limits {
                file: TimeLimit::work_hours(1),
                dispatch: TimeLimit::work_hours(1),
                accept: TimeLimit::work_hours(1),
                handle: TimeLimit::work_days(2),
                check: TimeLimit::work_hours(4),
                case: TimeLimit::work_days(5),
            },
            department: DefaultDepartment::Named(String::new()),
            filing_condition: String::new(),
            closing_condition: String::new(),
            public: true,
            keywords: Vec::new(),
            questions: Vec::new(),
        }
    }
}

/// A category as seeded.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedCategory {
    pub code: String,
    pub parent: Option<String>,
    pub name: String,
    pub name_en: String,
    pub is_leaf: bool,
    /// The effective settings, inheritance resolved.
    pub settings: CategorySettings,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("category data: {0}")]
pub struct CategoryDataError(pub String);

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    urgency: Option<String>,
    file: Option<String>,
    dispatch: Option<String>,
    accept: Option<String>,
    handle: Option<String>,
    check: Option<String>,
    case: Option<String>,
    department: Option<String>,
    filing: Option<String>,
    closing: Option<String>,
    public: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    code: String,
    parent: Option<String>,
    name: String,
    name_en: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    question: Vec<Question>,
    #[serde(flatten)]
    settings: RawSettings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    defaults: RawSettings,
    category: Vec<RawCategory>,
}

/// Reads "2 work_hours", "0.5 urgent_hours", "5 work_days".
pub fn parse_limit(text: &str) -> Option<TimeLimit> {
    let (amount, unit) = text.trim().split_once(' ')?;
    TimeLimit::from_text(TimeUnit::parse(unit.trim())?, amount)
}

/// Writes a limit the way [`parse_limit`] reads it.
pub fn limit_text(limit: &TimeLimit) -> String {
    format!("{} {}", limit.amount_text(), limit.unit.as_str())
}

fn overlay(base: &RawSettings, over: &RawSettings) -> RawSettings {
    let pick = |a: &Option<String>, b: &Option<String>| b.clone().or_else(|| a.clone());
    RawSettings {
        urgency: pick(&base.urgency, &over.urgency),
        file: pick(&base.file, &over.file),
        dispatch: pick(&base.dispatch, &over.dispatch),
        accept: pick(&base.accept, &over.accept),
        handle: pick(&base.handle, &over.handle),
        check: pick(&base.check, &over.check),
        case: pick(&base.case, &over.case),
        department: pick(&base.department, &over.department),
        filing: pick(&base.filing, &over.filing),
        closing: pick(&base.closing, &over.closing),
        public: over.public.or(base.public),
    }
}

fn resolve(code: &str, raw: &RawSettings) -> Result<CategorySettings, CategoryDataError> {
    let missing = |what: &str| CategoryDataError(format!("{code}: no {what}"));
    let limit = |name: &str, value: &Option<String>| -> Result<TimeLimit, CategoryDataError> {
        let text = value.as_deref().ok_or_else(|| missing(name))?;
        parse_limit(text)
            .ok_or_else(|| CategoryDataError(format!("{code}: bad {name} limit {text:?}")))
    };
    let urgency_text = raw.urgency.as_deref().ok_or_else(|| missing("urgency"))?;
    Ok(CategorySettings {
        urgency: Urgency::parse(urgency_text)
            .ok_or_else(|| CategoryDataError(format!("{code}: bad urgency {urgency_text:?}")))?,
        limits: Limits {
            file: limit("file", &raw.file)?,
            dispatch: limit("dispatch", &raw.dispatch)?,
            accept: limit("accept", &raw.accept)?,
            handle: limit("handle", &raw.handle)?,
            check: limit("check", &raw.check)?,
            case: limit("case", &raw.case)?,
        },
        department: DefaultDepartment::parse(
            raw.department
                .as_deref()
                .ok_or_else(|| missing("department"))?,
        ),
        filing_condition: raw.filing.clone().unwrap_or_default(),
        closing_condition: raw.closing.clone().unwrap_or_default(),
        public: raw.public.unwrap_or(true),
        keywords: Vec::new(),
        questions: Vec::new(),
    })
}

/// A category's questions have distinct codes, and lists (only lists) have values.
fn check_questions(code: &str, questions: &[Question]) -> Result<(), CategoryDataError> {
    for (i, question) in questions.iter().enumerate() {
        if questions.iter().take(i).any(|q| q.code == question.code) {
            return Err(CategoryDataError(format!(
                "{code}: question {} appears twice",
                question.code
            )));
        }
        if question.datatype.is_list() == question.values.is_empty() {
            return Err(CategoryDataError(format!(
                "{code}: question {} is {} and has {} values",
                question.code,
                question.datatype.as_str(),
                question.values.len()
            )));
        }
    }
    Ok(())
}

/// The seeded category tree, parents before children, with inherited settings resolved.
pub fn seeded_categories() -> Result<Vec<SeedCategory>, CategoryDataError> {
    let file: RawFile = toml::from_str(SEEDED_CATEGORIES)
        .map_err(|error| CategoryDataError(error.message().to_owned()))?;
    let mut effective: HashMap<String, RawSettings> = HashMap::new();
    let mut seeds = Vec::with_capacity(file.category.len());
    for raw in &file.category {
        let inherited = match &raw.parent {
            Some(parent) => effective.get(parent).ok_or_else(|| {
                CategoryDataError(format!(
                    "{}: parent {parent} comes later or not at all",
                    raw.code
                ))
            })?,
            None => &file.defaults,
        };
        let merged = overlay(inherited, &raw.settings);
        check_questions(&raw.code, &raw.question)?;
        let settings = CategorySettings {
            keywords: raw.keywords.clone(),
            questions: raw.question.clone(),
            ..resolve(&raw.code, &merged)?
        };
        if effective.insert(raw.code.clone(), merged).is_some() {
            return Err(CategoryDataError(format!("{} appears twice", raw.code)));
        }
        seeds.push(SeedCategory {
            code: raw.code.clone(),
            parent: raw.parent.clone(),
            name: raw.name.clone(),
            name_en: raw.name_en.clone(),
            is_leaf: true,
            settings,
        });
    }
    let parents: Vec<String> = seeds.iter().filter_map(|s| s.parent.clone()).collect();
    for seed in &mut seeds {
        seed.is_leaf = !parents.contains(&seed.code);
    }
    Ok(seeds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_holds_the_standard_classes_and_governance_categories() {
        let seeds = seeded_categories().expect("seed");
        let leaves: Vec<&SeedCategory> = seeds.iter().filter(|s| s.is_leaf).collect();
        let count = |prefix: &str| leaves.iter().filter(|s| s.code.starts_with(prefix)).count();
        assert!(
            count("B") + count("E") >= 70,
            "{} standard leaves",
            count("B") + count("E")
        );
        assert!(count("G") >= 30, "{} governance leaves", count("G"));
        for major in [
            "B01", "B02", "B03", "B04", "B05", "B06", "E01", "E02", "E03", "E04", "E05", "E06",
        ] {
            assert!(
                seeds.iter().any(|s| s.code == major && !s.is_leaf),
                "{major}"
            );
        }
        assert!(seeds.iter().all(|s| !s.name_en.is_empty()));
    }

    #[test]
    fn settings_are_inherited_and_overridden() {
        let seeds = seeded_categories().expect("seed");
        let find = |code: &str| {
            seeds
                .iter()
                .find(|s| s.code == code)
                .expect(code)
                .settings
                .clone()
        };
        let cover = find("B0101");
        assert_eq!(cover.urgency, Urgency::Urgent);
        assert_eq!(cover.limits.handle, TimeLimit::urgent_hours(2));
        assert_eq!(
            cover.department,
            DefaultDepartment::Named("城市管理科".into())
        );
        let litter = find("E0101");
        assert_eq!(litter.limits.handle, TimeLimit::work_hours(2));
        assert_eq!(
            litter.limits.case,
            TimeLimit::work_days(2),
            "inherited from E01"
        );
        assert_eq!(
            litter.filing_condition,
            "存在暴露垃圾、污物或脏乱，影响市容"
        );
        let construction = find("E0601");
        assert_eq!(construction.limits.handle, TimeLimit::work_days(15));
        assert_eq!(find("G0201").department, DefaultDepartment::Community);
        assert!(
            !find("G0701").public,
            "public security tip-offs are not for the public list"
        );
        assert_eq!(
            find("B0101").limits.accept,
            parse_limit("0.5 urgent_hours").expect("limit")
        );
    }

    #[test]
    fn limits_read_and_write_alike() {
        for text in [
            "2 work_hours",
            "0.5 urgent_hours",
            "15 work_days",
            "60 calendar_days",
        ] {
            assert_eq!(limit_text(&parse_limit(text).expect(text)), text);
        }
        assert_eq!(parse_limit("2 fortnights"), None);
        assert_eq!(parse_limit("two work_days"), None);
    }
}
