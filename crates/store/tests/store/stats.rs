//! Statistics: the rollups kept with every change equal a rebuild from the histories and a
//! recount case by case, on every dimension.

use jiedao_core::OrgUnitId;
use jiedao_core::evaluation::{Counts, Period};
use jiedao_store::Store;
use jiedao_store::stats::{Dimension, Members, figures, rollup};
use jiedao_store::testing::sql;

type Rows = Vec<(String, Vec<u8>, i64, String, Vec<i64>)>;

async fn rollup_rows(store: &Store) -> Rows {
    let columns = Counts::FIELDS.join(", ");
    store
        .read(move |conn| {
            sql::query(
                conn,
                &format!(
                    "SELECT dimension, street_id, day, member, {columns} FROM stat_day
                     ORDER BY dimension, street_id, day, member"
                ),
                &[],
                |row| {
                    let values = (0..Counts::FIELDS.len())
                        .map(|n| row.get::<i64>(4 + n))
                        .collect::<Result<Vec<_>, _>>()?;
                    let street: OrgUnitId = row.get(1)?;
                    Ok((
                        row.get(0)?,
                        street.uuid().as_bytes().to_vec(),
                        row.get(2)?,
                        row.get(3)?,
                        values,
                    ))
                },
            )
        })
        .await
        .expect("rollup rows")
}

/// The rollups as written change by change equal (1) the same rollups rebuilt from every
/// history and (2) for each street and dimension, a recount of the histories case by case.
pub async fn assert_rollups_agree(store: &Store) {
    let kept = rollup_rows(store).await;
    assert!(!kept.is_empty(), "changes were counted");
    let now = store.now();
    let period = Period::parse("2000-01-01..2099-12-31").expect("period");
    let streets: Vec<OrgUnitId> = store
        .read(|conn| {
            sql::query(conn, "SELECT DISTINCT street_id FROM case_file", &[], |r| {
                r.get(0)
            })
        })
        .await
        .expect("streets");
    for street in streets {
        let (read, recounted) = store
            .read(move |conn| {
                let counted = figures::recount(conn, street, &period, now)?;
                let late = figures::still_late(conn, Some(street), &period, now)?;
                let mut read = Vec::new();
                let mut recounted = Vec::new();
                for dimension in Dimension::ALL {
                    let mut a: Vec<_> =
                        figures::figures(conn, dimension, street, &period, &Members::All, &late)?
                            .into_iter()
                            .collect();
                    let mut b: Vec<_> = figures::summed(&counted, dimension).into_iter().collect();
                    a.sort_by(|x, y| x.0.cmp(&y.0));
                    b.sort_by(|x, y| x.0.cmp(&y.0));
                    read.push((dimension, a));
                    recounted.push((dimension, b));
                }
                Ok((read, recounted))
            })
            .await
            .expect("figures");
        assert_eq!(read, recounted, "rollups equal a recount of the histories");
    }
    let cases = store.write(rollup::rebuild).await.expect("rebuild");
    assert!(cases > 0);
    assert_eq!(
        rollup_rows(store).await,
        kept,
        "rollups equal a rebuild from the histories"
    );
}

async fn evaluation_rules_are_a_checked_setting(backend: jiedao_store::Backend) {
    use jiedao_core::evaluation::{ReworkBase, Rules};
    use jiedao_store::stats::evaluation::{rules, set_rules};
    let Some((_db, store)) = crate::foundation::fixture_store(backend).await else {
        return;
    };
    let read = |store: &Store| {
        let store = store.clone();
        async move { store.read(rules).await.expect("rules") }
    };
    assert_eq!(read(&store).await, Rules::default(), "DOMAIN.md's defaults");
    let admin = jiedao_store::Principal::system("test");
    let at = store.now();
    let lopsided = Rules {
        weights: [30.0, 30.0, 30.0, 9.0],
        ..Rules::default()
    };
    let refused = store
        .write(move |conn| set_rules(conn, &admin, &lopsided, at))
        .await;
    assert!(matches!(refused, Err(jiedao_store::StoreError::Refused(_))));
    assert_eq!(
        read(&store).await,
        Rules::default(),
        "a refusal changes nothing"
    );
    let strict = Rules {
        fairly_satisfied_counts: false,
        rework_base: ReworkBase::Filed,
        ..Rules::default()
    };
    let admin = jiedao_store::Principal::system("test");
    let wanted = strict.clone();
    store
        .write(move |conn| set_rules(conn, &admin, &wanted, at))
        .await
        .expect("set");
    assert_eq!(read(&store).await, strict);
    let leader = jiedao_store::testing::principal(&store, "leader").await;
    let refused = store
        .write(move |conn| set_rules(conn, &leader, &Rules::default(), at))
        .await;
    assert!(refused.is_err(), "only administrators set the rules");
}

jiedao_store::on_both_backends!(evaluation_rules_are_a_checked_setting);
