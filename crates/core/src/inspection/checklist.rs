//! Checklists (检查表) as configurable templates: items answered yes/no, with a count or a
//! choice; what passes; whether a failed item needs a photo; and the hazard it raises when it
//! fails. Three are seeded ([`seeded`]): rental-housing fire safety, street shops and
//! high-rise buildings, from `checklists.toml`.

use serde::{Deserialize, Serialize};

use super::{InspectionRefusal, PlaceKind, Severity};

/// What an item accepts as passing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "expect", rename_all = "snake_case")]
pub enum Expect {
    /// Answered yes or no; passes when the answer is `pass`.
    YesNo { pass: bool },
    /// A count that passes at `min` or more (extinguishers) or at `max` or fewer (bikes
    /// charged indoors).
    Count {
        #[serde(default)]
        min: Option<u32>,
        #[serde(default)]
        max: Option<u32>,
    },
    /// One of `options`; those in `failing` fail.
    Choice {
        options: Vec<String>,
        failing: Vec<String>,
    },
}

/// An answer given on the spot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Yes(bool),
    Count(u32),
    Choice(String),
}

/// The hazard an item raises when it fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Raises {
    pub severity: Severity,
    /// What the hazard is, as the order will name it.
    pub hazard: String,
    /// The rectification deadline in calendar days.
    pub days: u32,
}

/// One line of a checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub code: String,
    pub text: String,
    #[serde(flatten)]
    pub expect: Expect,
    /// A failed answer needs a photo (拍照取证).
    #[serde(default)]
    pub photo_when_failed: bool,
    #[serde(default)]
    pub raises: Option<Raises>,
}

/// A checklist template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub code: String,
    pub name: String,
    pub place_kinds: Vec<PlaceKind>,
    pub items: Vec<Item>,
}

/// One item's answer with the photos taken for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub item: String,
    pub answer: Answer,
    #[serde(default)]
    pub photos: u32,
}

/// A failed item and the hazard it raises, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub item: String,
    pub raises: Option<Raises>,
}

impl Item {
    /// Whether `answer` passes, or a refusal when it is not the item's kind of answer.
    pub fn passes(&self, answer: &Answer) -> Result<bool, InspectionRefusal> {
        let wrong = || InspectionRefusal::WrongAnswer {
            item: self.code.clone(),
        };
        match (&self.expect, answer) {
            (Expect::YesNo { pass }, Answer::Yes(given)) => Ok(pass == given),
            (Expect::Count { min, max }, Answer::Count(count)) => {
                Ok(min.is_none_or(|min| *count >= min) && max.is_none_or(|max| *count <= max))
            }
            (Expect::Choice { options, failing }, Answer::Choice(choice)) => {
                if !options.contains(choice) {
                    return Err(wrong());
                }
                Ok(!failing.contains(choice))
            }
            _ => Err(wrong()),
        }
    }
}

impl Template {
    /// Checks a template as configured: items named once, choices that fail among the options,
    /// count bounds that can pass, deadlines of 1 to 90 days.
    pub fn check(&self) -> Result<(), InspectionRefusal> {
        let bad = |item: &Item| InspectionRefusal::BadTemplate {
            item: item.code.clone(),
        };
        if self.items.is_empty() || self.place_kinds.is_empty() {
            return Err(InspectionRefusal::EmptyTemplate);
        }
        for (index, item) in self.items.iter().enumerate() {
            if item.code.trim().is_empty()
                || self
                    .items
                    .iter()
                    .take(index)
                    .any(|other| other.code == item.code)
            {
                return Err(bad(item));
            }
            match &item.expect {
                Expect::YesNo { .. } => {}
                Expect::Count { min, max } => {
                    if let (Some(min), Some(max)) = (min, max)
                        && min > max
                    {
                        return Err(bad(item));
                    }
                }
                Expect::Choice { options, failing } => {
                    if options.is_empty() || failing.iter().any(|f| !options.contains(f)) {
                        return Err(bad(item));
                    }
                }
            }
            if item
                .raises
                .as_ref()
                .is_some_and(|raises| !(1..=MAX_DAYS).contains(&raises.days))
            {
                return Err(bad(item));
            }
        }
        Ok(())
    }

    /// What an inspection's responses come to: every item answered once, each answer of its
    /// item's kind, a photo for every failed item that needs one; the failures in the
    /// checklist's order.
    pub fn evaluate(&self, responses: &[Response]) -> Result<Vec<Failure>, InspectionRefusal> {
        for response in responses {
            if !self.items.iter().any(|item| item.code == response.item) {
                return Err(InspectionRefusal::UnknownItem {
                    item: response.item.clone(),
                });
            }
        }
        let mut failures = Vec::new();
        for item in &self.items {
            let mut answers = responses.iter().filter(|r| r.item == item.code);
            let (Some(response), None) = (answers.next(), answers.next()) else {
                return Err(InspectionRefusal::Unanswered {
                    item: item.code.clone(),
                });
            };
            if !item.passes(&response.answer)? {
                if item.photo_when_failed && response.photos == 0 {
                    return Err(InspectionRefusal::PhotoRequired {
                        item: item.code.clone(),
                    });
                }
                failures.push(Failure {
                    item: item.code.clone(),
                    raises: item.raises.clone(),
                });
            }
        }
        Ok(failures)
    }
}

/// The longest rectification deadline an item or an order may set, in days.
pub const MAX_DAYS: u32 = 90;

#[derive(Deserialize)]
struct Seeds {
    template: Vec<Template>,
}

/// The seeded templates: rental housing (出租房屋消防安全), street shops (沿街店铺) and high-rise
/// buildings (高层楼宇).
pub fn seeded() -> Vec<Template> {
    toml::from_str::<Seeds>(include_str!("checklists.toml"))
        .map(|seeds| seeds.template)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rental() -> Template {
        seeded()
            .into_iter()
            .find(|t| t.code == "rental_housing")
            .expect("rental housing")
    }

    fn all_pass(template: &Template) -> Vec<Response> {
        template
            .items
            .iter()
            .map(|item| Response {
                item: item.code.clone(),
                answer: match &item.expect {
                    Expect::YesNo { pass } => Answer::Yes(*pass),
                    Expect::Count { min, .. } => Answer::Count(min.unwrap_or(0)),
                    Expect::Choice { options, failing } => Answer::Choice(
                        options
                            .iter()
                            .find(|o| !failing.contains(o))
                            .cloned()
                            .expect("a passing option"),
                    ),
                },
                photos: 0,
            })
            .collect()
    }

    #[test]
    fn three_seeded_templates_check_and_cover_the_issue_items() {
        let seeds = seeded();
        let codes: Vec<&str> = seeds.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes, ["rental_housing", "street_shop", "high_rise"]);
        for template in &seeds {
            template.check().expect("seed checks");
            assert!(
                template
                    .evaluate(&all_pass(template))
                    .expect("ok")
                    .is_empty()
            );
        }
        let items: Vec<String> = rental().items.into_iter().map(|i| i.code).collect();
        for code in [
            "ebike_charging",
            "private_wiring",
            "multi_purpose",
            "smoke_alarm",
            "extinguishers",
            "escape_route",
        ] {
            assert!(items.iter().any(|i| i == code), "{code} in {items:?}");
        }
    }

    #[test]
    fn a_failed_item_raises_its_hazard_and_needs_its_photo() {
        let template = rental();
        let mut responses = all_pass(&template);
        let wiring = responses
            .iter_mut()
            .find(|r| r.item == "multi_purpose")
            .expect("item");
        wiring.answer = Answer::Yes(true);
        assert_eq!(
            template.evaluate(&responses),
            Err(InspectionRefusal::PhotoRequired {
                item: "multi_purpose".into()
            })
        );
        responses
            .iter_mut()
            .filter(|r| r.item == "multi_purpose")
            .for_each(|r| r.photos = 2);
        let failures = template.evaluate(&responses).expect("evaluated");
        assert_eq!(failures.len(), 1);
        assert_eq!(
            failures[0].raises.as_ref().map(|r| r.severity),
            Some(Severity::Major),
            "三合一 is major"
        );
    }

    #[test]
    fn answers_must_fit_and_cover_the_list() {
        let template = rental();
        let mut responses = all_pass(&template);
        let last = responses.pop().expect("an item");
        assert_eq!(
            template.evaluate(&responses),
            Err(InspectionRefusal::Unanswered { item: last.item })
        );
        let mut twice = all_pass(&template);
        twice.push(twice[0].clone());
        assert!(matches!(
            template.evaluate(&twice),
            Err(InspectionRefusal::Unanswered { .. })
        ));
        let mut wrong = all_pass(&template);
        wrong[0].answer = Answer::Choice("banana".into());
        assert!(matches!(
            template.evaluate(&wrong),
            Err(InspectionRefusal::WrongAnswer { .. })
        ));
        let mut stranger = all_pass(&template);
        stranger.push(Response {
            item: "nope".into(),
            answer: Answer::Yes(true),
            photos: 0,
        });
        assert!(matches!(
            template.evaluate(&stranger),
            Err(InspectionRefusal::UnknownItem { .. })
        ));
    }

    proptest! {
        /// A count passes exactly within its bounds.
        #[test]
        fn a_count_passes_within_its_bounds(min in proptest::option::of(0_u32..10), max in proptest::option::of(0_u32..10), count in 0_u32..20) {
            let item = Item {
                code: "c".into(),
                text: "c".into(),
                expect: Expect::Count { min, max },
                photo_when_failed: false,
                raises: None,
            };
            let within = min.is_none_or(|m| count >= m) && max.is_none_or(|m| count <= m);
            prop_assert_eq!(item.passes(&Answer::Count(count)), Ok(within));
            prop_assert!(item.passes(&Answer::Yes(true)).is_err());
        }

        /// Failing any set of the seeded rental checklist's items fails exactly those, in order.
        #[test]
        fn the_failures_are_the_failed_items(mask in proptest::collection::vec(any::<bool>(), 16)) {
            let template = rental();
            let mut responses = all_pass(&template);
            let mut expected = Vec::new();
            for ((item, response), fail) in template.items.iter().zip(&mut responses).zip(&mask) {
                if !fail { continue; }
                response.photos = 1;
                response.answer = match &item.expect {
                    Expect::YesNo { pass } => Answer::Yes(!pass),
                    Expect::Count { min: Some(min), .. } if *min > 0 => Answer::Count(min - 1),
                    Expect::Count { max: Some(max), .. } => Answer::Count(max + 1),
                    Expect::Count { .. } => continue,
                    Expect::Choice { failing, .. } => match failing.first() {
                        Some(choice) => Answer::Choice(choice.clone()),
                        None => continue,
                    },
                };
                expected.push(item.code.clone());
            }
            let failed: Vec<String> = template.evaluate(&responses).expect("evaluated").into_iter().map(|f| f.item).collect();
            prop_assert_eq!(failed, expected);
        }
    }
}
