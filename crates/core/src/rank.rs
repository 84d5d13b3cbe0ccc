//! Competition ranking (标准竞赛排名, "1224"): equal values share a place and the next value
//! takes the place after all of them, so two streets tied first are both 第一 and the next is
//! 第三. Shared by the evaluation's league tables and the economy's rankings among peers.

/// The places of values already sorted best first: each is its index + 1, unless it equals the
/// value before it, whose place it then shares.
pub fn places<T: PartialEq>(sorted: &[T]) -> Vec<usize> {
    let mut places: Vec<usize> = Vec::with_capacity(sorted.len());
    for (index, value) in sorted.iter().enumerate() {
        let place = match (index.checked_sub(1), places.last()) {
            (Some(before), Some(place)) if sorted.get(before) == Some(value) => *place,
            _ => index + 1,
        };
        places.push(place);
    }
    places
}

/// One entry of a ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed<K, V> {
    pub key: K,
    /// `None`: nothing to rank by (no figure, or a growth from zero); listed last, unranked.
    pub value: Option<V>,
    pub rank: Option<usize>,
}

/// Ranks `entries` highest value first with shared places for ties; entries without a value
/// come last without a place. Entries that tie keep the order they came in.
pub fn rank_descending<K, V: Ord>(
    entries: impl IntoIterator<Item = (K, Option<V>)>,
) -> Vec<Placed<K, V>> {
    let mut entries: Vec<(K, Option<V>)> = entries.into_iter().collect();
    // `None` sorts below every `Some`, so reversing the order puts it last.
    entries.sort_by(|a, b| b.1.cmp(&a.1));
    let valued = entries.iter().take_while(|(_, v)| v.is_some()).count();
    let values: Vec<&Option<V>> = entries.iter().take(valued).map(|(_, v)| v).collect();
    let mut places = places(&values).into_iter();
    entries
        .into_iter()
        .map(|(key, value)| Placed {
            rank: value.as_ref().and_then(|_| places.next()),
            key,
            value,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_share_a_place_and_the_next_skips() {
        assert_eq!(places(&[9, 9, 7, 5, 5, 5, 1]), [1, 1, 3, 4, 4, 4, 7]);
        assert_eq!(places::<i32>(&[]), Vec::<usize>::new());
        let ranked = rank_descending([
            ("望江", Some(5797)),
            ("清波", None),
            ("古荡", Some(7910)),
            ("东柳", Some(5797)),
            ("湖滨", Some(120)),
        ]);
        let table: Vec<(&str, Option<usize>)> = ranked.iter().map(|p| (p.key, p.rank)).collect();
        assert_eq!(
            table,
            [
                ("古荡", Some(1)),
                ("望江", Some(2)),
                ("东柳", Some(2)),
                ("湖滨", Some(4)),
                ("清波", None)
            ]
        );
    }

    proptest! {
        #[test]
        fn a_place_is_one_plus_the_number_strictly_better(values in proptest::collection::vec(proptest::option::of(0_u8..6), 0..30)) {
            let ranked = rank_descending(values.iter().copied().enumerate());
            prop_assert_eq!(ranked.len(), values.len());
            for placed in &ranked {
                match placed.value {
                    Some(value) => {
                        let better = values.iter().filter(|v| v.is_some_and(|v| v > value)).count();
                        prop_assert_eq!(placed.rank, Some(better + 1));
                    }
                    None => prop_assert_eq!(placed.rank, None),
                }
            }
            let order: Vec<Option<u8>> = ranked.iter().map(|p| p.value).collect();
            prop_assert!(order.windows(2).all(|w| w[0] >= w[1]), "{:?}", order);
        }
    }
}
