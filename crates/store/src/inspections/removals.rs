//! What removal campaigns removed (三改一拆, 清理积水, 清理楼道堆物, 关停无证店铺): each result a
//! quantity in its unit at a place, counted per campaign against the campaign's targets.

use chrono::{DateTime, Utc};
use jiedao_core::clock::business_date;
use jiedao_core::inspection::figures::{Removals, Unit};
use jiedao_core::{Capability, limits};
use uuid::Uuid;

use crate::db::Conn;
use crate::error::StoreError;
use crate::refusal::Refusal;
use crate::registry::places;
use crate::scope::{Principal, Scope};

/// A removal as recorded: where (a registry place, or the campaign's unit), how much, and a
/// note of what it was.
#[derive(Debug, Clone)]
pub struct NewRemoval {
    pub campaign: Uuid,
    pub place: Option<Uuid>,
    pub unit: Unit,
    pub quantity: u64,
    pub note: String,
}

/// Records a removal on a campaign within the principal's reach; returns its id.
pub fn record(
    conn: &mut Conn,
    principal: &Principal,
    at: DateTime<Utc>,
    new: &NewRemoval,
) -> Result<Uuid, StoreError> {
    let scope = principal.scope();
    scope.require(Capability::ManageHazards)?;
    Refusal::check_length(&new.note, limits::NOTE)?;
    let found = super::write::campaign(conn, &scope, new.campaign)?;
    let (street, campaign_path) = (found.street, found.org_path);
    let org_path = match new.place {
        Some(place) => places::get(conn, &scope, place)?.org_path,
        None => campaign_path.clone(),
    };
    if !org_path.is_within(&campaign_path) || !scope.covers(&org_path) {
        return Err(Refusal::OutOfScope.into());
    }
    let quantity = i64::try_from(new.quantity).map_err(|_| Refusal::EmptyField {
        field: "inspection.quantity",
    })?;
    if quantity == 0 {
        return Err(Refusal::EmptyField {
            field: "inspection.quantity",
        }
        .into());
    }
    let id = Uuid::now_v7();
    conn.execute(
        "INSERT INTO inspection_removal (street_id, id, campaign_id, place_id, org_path, done_on,
             unit, quantity, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &street,
            &id,
            &new.campaign,
            &new.place,
            &org_path,
            &business_date(at),
            &new.unit.as_str(),
            &quantity,
            &new.note.trim(),
        ],
    )?;
    Ok(id)
}

/// A campaign's removals per unit and its targets, if `scope` reaches the campaign.
pub fn of_campaign(
    conn: &mut Conn,
    scope: &Scope,
    campaign: Uuid,
) -> Result<(Removals, Vec<(Unit, u64)>), StoreError> {
    scope.require(Capability::ViewInspections)?;
    super::write::campaign(conn, scope, campaign)?;
    let targets: String = conn
        .query_opt(
            "SELECT targets FROM inspection_campaign WHERE id = $1",
            &[&campaign],
            |row| row.get(0),
        )?
        .ok_or_else(|| super::not_found("inspection.campaign", campaign.to_string()))?;
    let targets = serde_json::from_str(&targets)
        .map_err(|e| StoreError::Query(format!("stored targets: {e}")))?;
    let rows: Vec<(String, i64)> = conn.query(
        "SELECT unit, CAST(SUM(quantity) AS BIGINT) FROM inspection_removal
          WHERE campaign_id = $1 GROUP BY unit",
        &[&campaign],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut removals = Removals::default();
    for (unit, quantity) in rows {
        if let Some(unit) = Unit::parse(&unit) {
            removals.record(unit, u64::try_from(quantity).unwrap_or(0));
        }
    }
    Ok((removals, targets))
}
