//! Repeat petitions (重复访): the same petitioner on the same matter while an earlier one is
//! pending, or after it was concluded (终结; 条例 art. 36 ¶3, 浙江 art. 25: not taken again).
//! Registration suggests the earlier petitions that match; staff confirm one.
//!
//! "The same matter" is judged on the matter's text: the share of character pairs (bigrams) two
//! texts have in common (Dice's coefficient), blanks and punctuation left out, at least
//! [`SAME_MATTER_FROM`] per mille. Declined, forwarded, returned and legal-track petitions were
//! never the street's to handle, and are not repeated by a new one.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::PetitionState;

/// Texts at least this alike (per mille) are the same matter.
pub const SAME_MATTER_FROM: u32 = 500;

/// An earlier petition of the same petitioner, as the rule reads it.
#[derive(Debug, Clone)]
pub struct Earlier<'a> {
    pub id: Uuid,
    pub state: PetitionState,
    pub matter: &'a str,
}

fn bigrams(text: &str) -> BTreeMap<(char, char), u32> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let mut counts = BTreeMap::new();
    for pair in chars.windows(2) {
        if let [a, b] = pair {
            *counts.entry((*a, *b)).or_insert(0) += 1;
        }
    }
    counts
}

/// How alike two matters are, per mille (Dice's coefficient over character pairs).
pub fn likeness(a: &str, b: &str) -> u32 {
    let (x, y) = (bigrams(a), bigrams(b));
    let total: u32 = x.values().sum::<u32>() + y.values().sum::<u32>();
    if total == 0 {
        return 0;
    }
    let shared: u32 = x
        .iter()
        .map(|(pair, n)| (*n).min(y.get(pair).copied().unwrap_or(0)))
        .sum();
    shared * 2000 / total
}

/// Whether an earlier petition in `state` can be repeated: pending, or concluded.
pub fn repeatable(state: PetitionState) -> bool {
    state.is_pending() || state == PetitionState::Concluded
}

/// The earlier petitions a new one on `matter` repeats, most alike first.
pub fn candidates(matter: &str, earlier: &[Earlier<'_>]) -> Vec<Uuid> {
    let mut found: Vec<(u32, Uuid)> = earlier
        .iter()
        .filter(|e| repeatable(e.state))
        .map(|e| (likeness(matter, e.matter), e.id))
        .filter(|(score, _)| *score >= SAME_MATTER_FROM)
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    found.into_iter().map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::RecordState;
    use proptest::prelude::*;

    #[test]
    fn the_same_complaint_in_other_words_is_found_and_another_is_not() {
        let earlier = [
            Earlier {
                id: Uuid::from_u128(1),
                state: PetitionState::Concluded,
                matter: "小区电梯长期故障，物业不维修",
            },
            Earlier {
                id: Uuid::from_u128(2),
                state: PetitionState::Accepted,
                matter: "楼下餐馆油烟扰民",
            },
            Earlier {
                id: Uuid::from_u128(3),
                state: PetitionState::Declined,
                matter: "小区电梯长期故障，物业不维修",
            },
        ];
        assert_eq!(
            candidates("小区电梯长期故障物业一直不维修！", &earlier),
            vec![Uuid::from_u128(1)],
            "the declined one is not repeated"
        );
        assert_eq!(
            candidates("楼下餐馆油烟扰民严重", &earlier),
            vec![Uuid::from_u128(2)]
        );
        assert!(candidates("道路积水", &earlier).is_empty());
    }

    proptest! {
        #[test]
        fn likeness_is_symmetric_bounded_and_whole_for_the_same_text(a in "\\PC{0,30}", b in "\\PC{0,30}") {
            let ab = likeness(&a, &b);
            prop_assert_eq!(ab, likeness(&b, &a));
            prop_assert!(ab <= 1000);
            if bigrams(&a).values().sum::<u32>() > 0 {
                prop_assert_eq!(likeness(&a, &a), 1000);
            }
        }

        #[test]
        fn a_pending_or_concluded_petition_on_the_same_text_is_always_a_candidate(text in "[\\u4e00-\\u9fa5]{2,20}", state in 0_usize..11) {
            let state = <PetitionState as RecordState>::ALL[state];
            let earlier = [Earlier { id: Uuid::from_u128(7), state, matter: &text }];
            let found = candidates(&text, &earlier);
            prop_assert_eq!(found.len() == 1, repeatable(state));
        }
    }
}
