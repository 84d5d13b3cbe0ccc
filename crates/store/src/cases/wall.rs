//! The command centre's wall (指挥中心大屏): today's intake by channel and category, and the
//! alerts it rolls (reported today, turned red, supervised), over the cases the viewer may see.
//! The backlog's counts and the trend are the dashboard's ([`super::dashboard`]), so the wall
//! and the dashboard never show two figures for one thing. Every read is served by an index:
//! today's cases by report time, the red and supervised ones by their deadlines, at most
//! `ALERTS` rows each.

use chrono::{DateTime, Utc};
use jiedao_core::clock::{business_date, start_of_day};
use jiedao_core::{CaseId, CategoryId};

use super::read::{open_states, visible_in_street};
use crate::db::Conn;
use crate::error::StoreError;
use crate::ledger::query::Where;
use crate::scope::Principal;

/// How many alerts of each kind the wall rolls.
pub const ALERTS: i64 = 8;

/// Why a case is on the wall's alert roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// Reported today (新报).
    New,
    /// Its step is past its deadline (红灯).
    Red,
    /// Under supervision (督办).
    Supervised,
}

/// One case on the alert roll.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub kind: AlertKind,
    pub id: CaseId,
    pub number: String,
    /// When it was reported (new), or when its step's deadline passed (red, supervised).
    pub at: Option<DateTime<Utc>>,
    pub category: Option<CategoryId>,
    pub address: Option<String>,
}

/// Today on the wall.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Today {
    /// Cases reported today by channel (as stored), most first.
    pub by_channel: Vec<(String, i64)>,
    /// Cases reported today by category (none: not yet classified), most first.
    pub by_category: Vec<(Option<CategoryId>, i64)>,
    /// New, then red, then supervised.
    pub alerts: Vec<Alert>,
}

/// Counts of `keys`, most first, ties in the order first seen.
fn tally<K: PartialEq>(keys: impl IntoIterator<Item = K>) -> Vec<(K, i64)> {
    let mut counts: Vec<(K, i64)> = Vec::new();
    for key in keys {
        match counts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => counts.push((key, 1)),
        }
    }
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    counts
}

fn alert(kind: AlertKind) -> impl Fn(&crate::db::Row<'_>) -> Result<Alert, StoreError> {
    move |row| {
        Ok(Alert {
            kind,
            id: row.get(0)?,
            number: row.get(1)?,
            at: row.get(2)?,
            category: row.get(3)?,
            address: row.get(4)?,
        })
    }
}

/// Today on the wall for `principal`, at `now`.
pub fn today(
    conn: &mut Conn,
    principal: &Principal,
    now: DateTime<Utc>,
) -> Result<Today, StoreError> {
    let mut w = Where::default();
    visible_in_street(conn, principal, &mut w)?;
    let start = w.bind(start_of_day(business_date(now)));
    w.push(format!("f.reported_at >= {start}"));
    let reported: Vec<(Alert, String)> = conn.query(
        &format!(
            "SELECT f.id, f.number, f.reported_at, f.category_id, f.address, f.channel FROM case_file f{}
             ORDER BY f.reported_at DESC",
            w.sql()
        ),
        &w.params(),
        |row| Ok((alert(AlertKind::New)(row)?, row.get(5)?)),
    )?;
    let by_channel = tally(reported.iter().map(|(_, channel)| channel.clone()));
    let by_category = tally(reported.iter().map(|(case, _)| case.category));
    let mut alerts: Vec<Alert> = reported
        .into_iter()
        .take(usize::try_from(ALERTS).unwrap_or(0))
        .map(|(case, _)| case)
        .collect();
    for (kind, flag) in [
        (AlertKind::Red, "f.step_overdue"),
        (AlertKind::Supervised, "f.supervised"),
    ] {
        let mut w = Where::default();
        visible_in_street(conn, principal, &mut w)?;
        let yes = w.bind(true);
        w.push(format!("{flag} = {yes}"));
        open_states(&mut w);
        let limit = w.bind(ALERTS);
        alerts.extend(conn.query(
            &format!(
                "SELECT f.id, f.number, f.step_deadline, f.category_id, f.address FROM case_file f{}
                 ORDER BY f.step_deadline DESC LIMIT {limit}",
                w.sql()
            ),
            &w.params(),
            alert(kind),
        )?);
    }
    Ok(Today {
        by_channel,
        by_category,
        alerts,
    })
}

#[cfg(test)]
mod tests {
    use super::tally;

    #[test]
    fn tallies_put_the_most_first_and_keep_ties_in_order() {
        assert_eq!(
            tally(["a", "b", "b", "c", "a", "b"]),
            vec![("b", 3), ("a", 2), ("c", 1)]
        );
        assert!(tally(Vec::<u8>::new()).is_empty());
    }
}
