//! Person tags (人员标签: 独居老人, 残疾, 低保/困难, 退役军人, 流动人口, 重点人员): the kinds as
//! data (`data/person_tags.toml`), each tag a person carries with its source and its period of
//! validity, and the arithmetic of periods: whether a tag is in force on a day, and a tag's
//! periods merged where they overlap or touch.
//!
//! Periods are whole days, both ends included (有效期 2025-01-01 至 2025-12-31), the end open
//! when the tag holds until ended. Tags are records, never overwritten: a renewed 低保 is a new
//! tag whose period touches the last, and the merged periods say how long it has held.

use std::collections::BTreeMap;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::i18n::{Lang, Localized};
use crate::role::{Capability, Role};

static SEEDED_TAG_KINDS: &str = include_str!("../../data/person_tags.toml");

/// A kind of tag, as configured.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagKind {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// Who certifies it.
    pub authority: String,
    pub authority_en: String,
    /// Seen only by roles holding [`Capability::ViewKeyPersons`] (重点人员).
    pub restricted: bool,
    /// How long a tag of this kind holds when its source gives no end; `None`: until ended.
    #[serde(default)]
    pub months: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TagFile {
    tag: Vec<TagKind>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("person tag data: {0}")]
pub struct TagDataError(pub String);

/// The seeded kinds, codes unique.
pub fn seeded_tag_kinds() -> Result<Vec<TagKind>, TagDataError> {
    let file: TagFile = toml::from_str(SEEDED_TAG_KINDS)
        .map_err(|error| TagDataError(error.message().to_owned()))?;
    for (index, kind) in file.tag.iter().enumerate() {
        if file.tag.iter().take(index).any(|k| k.code == kind.code) {
            return Err(TagDataError(format!("{} appears twice", kind.code)));
        }
    }
    Ok(file.tag)
}

impl TagKind {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.name,
            Lang::En => &self.name_en,
        }
    }

    /// Whether `role` may see tags of this kind (and that a person carries one).
    pub fn visible_to(&self, role: Role) -> bool {
        !self.restricted || role.can(Capability::ViewKeyPersons)
    }

    /// The period of a tag starting on `first` whose source gave no end: the kind's review
    /// length, or open.
    pub fn default_validity(&self, first: NaiveDate) -> Validity {
        let last = self
            .months
            .and_then(|months| first.checked_add_months(Months::new(months)))
            .and_then(|end| end.checked_sub_days(Days::new(1)));
        Validity { first, last }
    }
}

/// Where a tag came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagSource {
    /// 本人申报
    Declared,
    /// 走访核实: a community worker or grid worker saw it
    Visit,
    /// 部门认定: the certifying authority's record (民政, 残联, 公安...)
    Authority,
    /// 台账导入: a community's spreadsheet
    Import,
}

impl TagSource {
    pub const ALL: [TagSource; 4] = [
        TagSource::Declared,
        TagSource::Visit,
        TagSource::Authority,
        TagSource::Import,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TagSource::Declared => "declared",
            TagSource::Visit => "visit",
            TagSource::Authority => "authority",
            TagSource::Import => "import",
        }
    }

    pub fn parse(text: &str) -> Option<TagSource> {
        TagSource::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            TagSource::Declared => "person_tag.source_declared",
            TagSource::Visit => "person_tag.source_visit",
            TagSource::Authority => "person_tag.source_authority",
            TagSource::Import => "person_tag.source_import",
        }
    }
}

/// A period ends before it starts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the period ends on {last}, before it starts on {first}")]
pub struct ValidityError {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Localized for ValidityError {
    fn message_key(&self) -> &'static str {
        "person_tag.ends_before_start"
    }

    fn message_args(&self, _lang: Lang) -> Vec<(&'static str, String)> {
        vec![
            ("first", self.first.to_string()),
            ("last", self.last.to_string()),
        ]
    }
}

/// Days `first..=last`, or from `first` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Validity {
    first: NaiveDate,
    last: Option<NaiveDate>,
}

impl Validity {
    pub fn new(first: NaiveDate, last: Option<NaiveDate>) -> Result<Validity, ValidityError> {
        match last {
            Some(last) if last < first => Err(ValidityError { first, last }),
            _ => Ok(Validity { first, last }),
        }
    }

    /// From `first` until ended.
    pub fn starting(first: NaiveDate) -> Validity {
        Validity { first, last: None }
    }

    pub fn first(&self) -> NaiveDate {
        self.first
    }

    pub fn last(&self) -> Option<NaiveDate> {
        self.last
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.first <= day && self.last.is_none_or(|last| day <= last)
    }

    /// Ended on `day` (the last day in force), if that is not before it started.
    pub fn ended(self, day: NaiveDate) -> Result<Validity, ValidityError> {
        Validity::new(self.first, Some(day))
    }

    /// Whether `later` (starting no earlier) overlaps this period or starts the day after.
    fn reaches(&self, later: &Validity) -> bool {
        self.last
            .is_none_or(|last| last.succ_opt().is_none_or(|next| later.first <= next))
    }
}

/// The union of `periods` as the fewest periods: sorted, none overlapping or touching.
pub fn merge(periods: impl IntoIterator<Item = Validity>) -> Vec<Validity> {
    let mut sorted: Vec<Validity> = periods.into_iter().collect();
    sorted.sort();
    let mut merged: Vec<Validity> = Vec::with_capacity(sorted.len());
    for period in sorted {
        match merged.last_mut() {
            Some(current) if current.reaches(&period) => {
                current.last = match (current.last, period.last) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => merged.push(period),
        }
    }
    merged
}

/// A tag a person carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonTag {
    /// The [`TagKind::code`].
    pub kind: String,
    pub source: TagSource,
    pub validity: Validity,
}

impl PersonTag {
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.validity.contains(day)
    }
}

/// The kinds of tag in force on `day`, each once.
pub fn kinds_in_force(tags: &[PersonTag], day: NaiveDate) -> Vec<&str> {
    let mut kinds: Vec<&str> = tags
        .iter()
        .filter(|tag| tag.in_force(day))
        .map(|tag| tag.kind.as_str())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// Each kind's periods, merged across the tags (and sources) that gave them.
pub fn periods_by_kind(tags: &[PersonTag]) -> BTreeMap<&str, Vec<Validity>> {
    let mut by_kind: BTreeMap<&str, Vec<Validity>> = BTreeMap::new();
    for tag in tags {
        by_kind.entry(&tag.kind).or_default().push(tag.validity);
    }
    by_kind
        .into_iter()
        .map(|(kind, periods)| (kind, merge(periods)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn period(first: &str, last: Option<&str>) -> Validity {
        Validity::new(day(first), last.map(day)).expect("period")
    }

    #[test]
    fn the_seeded_kinds_load_and_key_persons_are_restricted() {
        let kinds = seeded_tag_kinds().expect("seeded tags");
        let codes: Vec<&str> = kinds.iter().map(|k| k.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "elderly_alone",
                "disabled",
                "hardship",
                "veteran",
                "migrant",
                "key_person"
            ]
        );
        let key = kinds
            .iter()
            .find(|k| k.code == "key_person")
            .expect("key person");
        let visible: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| key.visible_to(*r))
            .collect();
        assert_eq!(visible, [Role::Leader]);
        let veteran = kinds.iter().find(|k| k.code == "veteran").expect("veteran");
        assert!(Role::ALL.into_iter().all(|r| veteran.visible_to(r)));
        assert_eq!(veteran.name(Lang::ZhCn), "退役军人");
    }

    #[test]
    fn a_kind_without_an_end_runs_its_review_length() {
        let kinds = seeded_tag_kinds().expect("seeded tags");
        let hardship = kinds
            .iter()
            .find(|k| k.code == "hardship")
            .expect("hardship");
        assert_eq!(
            hardship.default_validity(day("2025-03-01")),
            period("2025-03-01", Some("2026-02-28"))
        );
        let veteran = kinds.iter().find(|k| k.code == "veteran").expect("veteran");
        assert_eq!(veteran.default_validity(day("2025-03-01")).last(), None);
    }

    #[test]
    fn periods_are_whole_days_both_ends_included() {
        let year = period("2025-01-01", Some("2025-12-31"));
        assert!(year.contains(day("2025-01-01")));
        assert!(year.contains(day("2025-12-31")));
        assert!(!year.contains(day("2026-01-01")));
        assert!(!year.contains(day("2024-12-31")));
        assert!(Validity::starting(day("2025-01-01")).contains(day("2099-01-01")));
        let error =
            Validity::new(day("2025-02-01"), Some(day("2025-01-31"))).expect_err("reversed");
        assert!(error.localize(Lang::ZhCn).contains("2025-01-31"));
        assert!(year.ended(day("2024-06-01")).is_err());
    }

    #[test]
    fn overlapping_and_touching_periods_merge() {
        let merged = merge([
            period("2025-06-01", Some("2025-12-31")),
            period("2025-01-01", Some("2025-06-30")),
            period("2026-01-01", Some("2026-03-31")),
            period("2026-05-01", None),
            period("2026-07-01", Some("2026-07-31")),
        ]);
        assert_eq!(
            merged,
            [
                period("2025-01-01", Some("2026-03-31")),
                period("2026-05-01", None)
            ]
        );
    }

    #[test]
    fn tags_in_force_and_periods_by_kind() {
        let tags = [
            PersonTag {
                kind: "hardship".into(),
                source: TagSource::Authority,
                validity: period("2024-01-01", Some("2024-12-31")),
            },
            PersonTag {
                kind: "hardship".into(),
                source: TagSource::Import,
                validity: period("2025-01-01", Some("2025-12-31")),
            },
            PersonTag {
                kind: "veteran".into(),
                source: TagSource::Declared,
                validity: Validity::starting(day("2010-01-01")),
            },
        ];
        assert_eq!(
            kinds_in_force(&tags, day("2025-06-01")),
            ["hardship", "veteran"]
        );
        assert_eq!(kinds_in_force(&tags, day("2026-06-01")), ["veteran"]);
        let periods = periods_by_kind(&tags);
        assert_eq!(
            periods["hardship"],
            [period("2024-01-01", Some("2025-12-31"))]
        );
        for source in TagSource::ALL {
            assert_eq!(TagSource::parse(source.as_str()), Some(source));
        }
    }

    fn periods() -> impl Strategy<Value = Vec<Validity>> {
        let base = day("2020-01-01");
        proptest::collection::vec((0_u64..400, proptest::option::of(0_u64..60)), 0..12).prop_map(
            move |spans| {
                spans
                    .into_iter()
                    .map(|(start, length)| {
                        let first = base + Days::new(start);
                        Validity {
                            first,
                            last: length.map(|l| first + Days::new(l)),
                        }
                    })
                    .collect()
            },
        )
    }

    proptest! {
        #[test]
        fn merging_keeps_exactly_the_days_in_force(periods in periods()) {
            let merged = merge(periods.clone());
            for offset in 0..480 {
                let day = day("2020-01-01") + Days::new(offset);
                let before = periods.iter().any(|p| p.contains(day));
                let after = merged.iter().filter(|p| p.contains(day)).count();
                prop_assert_eq!(after, usize::from(before), "{}", day);
            }
            for pair in merged.windows(2) {
                let last = pair[0].last.expect("only the last merged period may be open");
                prop_assert!(last.succ_opt().expect("date") < pair[1].first, "{:?}", pair);
            }
            prop_assert_eq!(merge(merged.clone()), merged);
        }
    }
}
